#!/usr/bin/python3
"""ci/bench/auth.py - DKIM signing and verification rates per core:
sekimori-check next to opendkim (`opendkim -t`), measured in the same run.

    /usr/bin/python3 ci/bench/auth.py

For RSA-2048 and Ed25519, 4 KiB and 64 KiB bodies, sign and verify, it
prints a table and writes output/bench/auth.tsv.  It reports, never asserts:
it is not part of `make test` (ci/bench/README.md).

    make -C firmware O=$PWD/output/host FLAVOR=host \
        $PWD/output/host/firmware/host/test/dkim-bench   # the in-process tool
    DKIM_BENCH=/path/to/dkim-bench CHECK=/path/to/sekimori-check ...  # others

How each figure is measured (everything runs one process at a time, so one
core; SK_BENCH_AUTH_ROUNDS rounds, default 3):
- sekimori in-process (sk_inproc, the figure to set next to opendkim's):
  `dkim-bench` (firmware/auth/dkim_bench_main.c) loads the key once, then
  signs or verifies the message N times in one process, each time the whole
  library path (canonicalization, hashes, the RSA or Ed25519 operation; the
  key record handed in as text instead of DNS), and prints its own CPU time
  (getrusage) per message: no start-up, no key load, no file reading, as
  opendkim's corrected figure below.  Median over the rounds.  The ratio
  sk/od is sk_inproc / od_cpu: above 1, sekimori is faster.
- sekimori raw: N runs of `sekimori-check dkim-sign` / `dkim-verify --zone`
  (N = SK_BENCH_AUTH_N, default 200), messages / wall time.  This counts
  process start-up, the zone file and reading the message, which a daemon
  pays once or not at all.
- sekimori corrected: the same N runs minus N runs of a no-op,
  `sekimori-check` without arguments (exec, usage, exit 2): messages /
  (T(runs) - T(no-op)).  The tool has no repeat option and the bench adds no
  program, so this is the closest to the library's own rate.
- opendkim: one `opendkim -x CONF -t F,F,...` process over N copies of the
  message (its test mode takes a comma-separated list), minus one over a
  single copy: (N - 1) / (T(N) - T(1)).  That is its per-message rate
  without start-up, through its milter code path.
- CPU columns: user + system time of the children (getrusage) instead of
  wall time, with the same corrections.  On a shared machine these are the
  figures to compare (a busy neighbour stretches wall time, hardly CPU
  time); the ratio column sk/od_cpu is sekimori's corrected CPU rate over
  opendkim's.
- Each correction is the median over the rounds of a difference measured
  back to back (work, then its baseline) in the same round.
Both verify the same messages (signed by sekimori-check, relaxed/relaxed);
each signs the same unsigned message with its own key of the same kind.
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.environ.get("CHECK", os.path.join(TOP, "output/host/bin/sekimori-check"))
# the in-process tool: output/host/bin when `make host` installs it there,
# else where `make FLAVOR=host .../test/dkim-bench` builds it
DKIM_BENCH = os.environ.get("DKIM_BENCH") or next(
    (p for p in (os.path.join(TOP, "output/host/bin/dkim-bench"),
                 os.path.join(TOP, "output/host/firmware/host/test/dkim-bench"))
     if os.access(p, os.X_OK)), os.path.join(TOP, "output/host/bin/dkim-bench"))
OPENDKIM = "/usr/sbin/opendkim"
OUT = os.environ.get("SK_BENCH_AUTH_OUT", os.path.join(TOP, "output/bench"))
N = int(os.environ.get("SK_BENCH_AUTH_N", "200"))
ROUNDS = int(os.environ.get("SK_BENCH_AUTH_ROUNDS", "3"))
SIZES = (("4KiB", 4096), ("64KiB", 65536))
ALGS = (("rsa2048", "rsa-sha256"), ("ed25519", "ed25519-sha256"))


def message(size):
    """An unsigned message whose body is `size` octets of text lines."""
    head = (
        "From: Alice Tanaka <alice@example.org>\r\n"
        "To: Bob Sato <bob@partner.example.net>\r\n"
        "Subject: Bench message\r\n"
        "Date: Wed, 25 Nov 2026 10:00:00 +0900\r\n"
        "Message-ID: <bench-%d@example.org>\r\n\r\n" % size
    )
    line = "The quarterly figures are attached to the shared folder as agreed.\r\n"
    body = (line * (size // len(line) + 1))[: size - 2] + "\r\n"
    return (head + body).encode()


def clock():
    """(wall, CPU of reaped children) now."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.monotonic(), ru.ru_utime + ru.ru_stime


def run_batch(runs, argv, stdin_path=None):
    """(wall, cpu) of `runs` sequential runs of argv."""
    w0, c0 = clock()
    for _ in range(runs):
        with open(stdin_path or os.devnull, "rb") as f:
            subprocess.run(argv, stdin=f, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
    w1, c1 = clock()
    return w1 - w0, c1 - c0


def paired(count, work, base):
    """Median over ROUNDS of (work() - base()), measured back to back in
    each round so that a busy neighbour weighs on both alike; returns
    (msgs/s wall, msgs/s CPU, the base's wall per message in ms)."""
    walls, cpus, bases = [], [], []
    for _ in range(ROUNDS):
        b = base()
        w = work()
        walls.append(w[0] - b[0])
        cpus.append(w[1] - b[1])
        bases.append(b[0])
    return (rate(count, statistics.median(walls)),
            rate(count, statistics.median(cpus)),
            statistics.median(bases) / count * 1000)


def rate(count, seconds):
    return count / seconds if seconds > 0 else float("nan")


def must(argv, **kw):
    r = subprocess.run(argv, capture_output=True, **kw)
    if r.returncode != 0:
        sys.exit("bench auth: %s failed: %s" % (" ".join(argv),
                                                 r.stderr.decode().strip()))
    return r.stdout


class Setup:
    """Keys, zone, TestPublicKeys file, messages, opendkim configs in T."""

    def __init__(self, t, have_opendkim):
        self.t = t
        zone = ["$TTL 300"]
        keys = []
        self.record = {}
        for name, alg in ALGS:
            key = os.path.join(t, "sk.%s" % name)
            txt = must([CHECK, "dkim-keygen", "--domain", "example.org",
                        "--selector", "sk" + name, "--algorithm", alg,
                        "--out", key]).decode()
            owner, rest = txt.split(None, 1)
            zone.append("%s. %s" % (owner, rest.strip()))
            value = "".join(rest.split('"')[1::2])
            keys.append("%s %s" % (owner, value))
            self.record[name] = self.write("record.%s" % name, value + "\n")
        self.zone = self.write("zone", "\n".join(zone) + "\n")
        self.keys = self.write("keys", "\n".join(keys) + "\n")
        self.unsigned = {}
        self.signed = {}
        for size_name, size in SIZES:
            self.unsigned[size_name] = self.write("u.%s" % size_name, message(size))
            for name, alg in ALGS:
                with open(self.unsigned[size_name], "rb") as f:
                    out = must([CHECK, "dkim-sign", "--domain", "example.org",
                                "--selector", "sk" + name, "--key",
                                os.path.join(t, "sk.%s" % name),
                                "--algorithm", alg], stdin=f)
                self.signed[(size_name, name)] = self.write(
                    "s.%s.%s" % (size_name, name), out)
        self.od_sign = {}
        if have_opendkim:
            self.opendkim_setup()

    def write(self, name, data):
        path = os.path.join(self.t, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def opendkim_setup(self):
        t = self.t
        must(["/usr/sbin/opendkim-genkey", "-b", "2048", "-d", "example.org",
              "-s", "odrsa2048", "-D", t])
        os.rename(os.path.join(t, "odrsa2048.private"), os.path.join(t, "od.rsa2048"))
        must(["openssl", "genpkey", "-algorithm", "ed25519", "-out",
              os.path.join(t, "od.ed25519")])
        self.od_verify = self.write(
            "verify.conf", "Mode v\nTestPublicKeys %s\nSyslog no\n" % self.keys)
        for name, alg in ALGS:
            # RequireSafeKeys no: the key is below /tmp (world-writable)
            self.od_sign[name] = self.write("sign.%s.conf" % name, "".join(
                "%s\n" % line for line in (
                    "Mode s", "Domain example.org", "Selector od" + name,
                    "KeyFile %s" % os.path.join(t, "od.%s" % name),
                    "RequireSafeKeys no", "Canonicalization relaxed/relaxed",
                    "SignatureAlgorithm %s" % alg, "Syslog no")))
        # a sanity check: opendkim verifies what sekimori signed
        for path in self.signed.values():
            r = subprocess.run([OPENDKIM, "-x", self.od_verify, "-vv", "-t", path],
                               capture_output=True)
            if b"dkim=pass" not in r.stdout:
                sys.exit("bench auth: opendkim does not verify %s" % path)


def inproc_rate(argv, stdin_path):
    """dkim-bench: median over ROUNDS of its CPU seconds per message, as
    messages per CPU second; NaN when the tool is missing or fails."""
    if not os.access(DKIM_BENCH, os.X_OK):
        return float("nan")
    per_msg = []
    for _ in range(ROUNDS):
        with open(stdin_path, "rb") as f:
            r = subprocess.run([DKIM_BENCH] + argv + [str(N)], stdin=f,
                               capture_output=True, text=True)
        if r.returncode != 0:
            print("bench auth: dkim-bench %s: %s" % (argv[0], r.stderr.strip()),
                  file=sys.stderr)
            return float("nan")
        per_msg.append(float(r.stdout.split()[3]))
    return rate(1, statistics.median(per_msg))


def opendkim_rate(conf, path):
    """opendkim -t over N copies minus over one: (msgs/s, msgs/CPU s)."""
    many = [OPENDKIM, "-x", conf, "-t", ",".join([path] * N)]
    one = [OPENDKIM, "-x", conf, "-t", path]
    w, c, _ = paired(N - 1, lambda: run_batch(1, many), lambda: run_batch(1, one))
    return w, c


def main():
    if not os.access(CHECK, os.X_OK):
        sys.exit("bench auth: %s missing (make host)" % CHECK)
    have_opendkim = os.access(OPENDKIM, os.X_OK) and shutil.which("openssl")
    os.makedirs(OUT, exist_ok=True)
    t = tempfile.mkdtemp(prefix="sk-bench-auth.")
    try:
        s = Setup(t, have_opendkim)
        noop = lambda: run_batch(N, [CHECK])
        noop_ms = []
        rows = []
        for size_name, _ in SIZES:
            for name, alg in ALGS:
                key = os.path.join(t, "sk.%s" % name)
                for op in ("sign", "verify"):
                    if op == "sign":
                        argv = [CHECK, "dkim-sign", "--domain", "example.org",
                                "--selector", "sk" + name, "--key", key,
                                "--algorithm", alg]
                        stdin = s.unsigned[size_name]
                    else:
                        argv = [CHECK, "dkim-verify", "--zone", s.zone]
                        stdin = s.signed[(size_name, name)]
                    raw = run_batch(N, argv, stdin)
                    corr, cpu_corr, base_ms = paired(
                        N, lambda: run_batch(N, argv, stdin), noop)
                    noop_ms.append(base_ms)
                    if op == "sign":
                        inproc = inproc_rate(["sign", key, "example.org",
                                              "sk" + name], stdin)
                    else:
                        inproc = inproc_rate(["verify", s.record[name]], stdin)
                    row = {
                        "op": op, "alg": name, "body": size_name,
                        "sk_inproc": inproc,
                        "sk_raw": rate(N, raw[0]),
                        "sk_corr": corr, "sk_cpu_corr": cpu_corr,
                        "od": float("nan"), "od_cpu": float("nan"),
                    }
                    if have_opendkim:
                        conf = s.od_sign[name] if op == "sign" else s.od_verify
                        path = s.unsigned[size_name] if op == "sign" else stdin
                        row["od"], row["od_cpu"] = opendkim_rate(conf, path)
                    rows.append(row)
                    print("measured %s %s %s" % (op, name, size_name), flush=True)
        report(rows, statistics.median(noop_ms), have_opendkim)
    finally:
        shutil.rmtree(t, ignore_errors=True)


def version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True)
        return (r.stdout + r.stderr).splitlines()[0].strip()
    except (OSError, IndexError):
        return "unknown"


def report(rows, noop_ms, have_opendkim):
    cols = ("op", "alg", "body", "sk_inproc", "od_cpu", "sk/od", "|",
            "sk_raw", "sk_corr", "sk_cpu_corr", "od", "sk_corr/od_cpu")
    header = [
        "# ci/bench/auth.py %s" % time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "# kernel %s, %d CPUs, %s" % (os.uname().release, os.cpu_count(),
                                      version([OPENDKIM, "-V"]) if have_opendkim
                                      else "opendkim not installed"),
        "# N=%d messages per figure, %d rounds; messages per second on"
        " one core" % (N, ROUNDS),
        "# sk_inproc: %s, in-process CPU rate (key loaded once; median of"
        " rounds); sk/od: sk_inproc / od_cpu, the comparison to read"
        % (DKIM_BENCH if os.access(DKIM_BENCH, os.X_OK)
           else "dkim-bench missing (see the top of auth.py)"),
        "# after '|', extra information: whole sekimori-check runs",
        "# sk_raw: N sekimori-check runs / wall; sk_corr: minus N no-op runs"
        " (%.2f ms each); sk_cpu_corr: the same on children's CPU time"
        % noop_ms,
        "# od: opendkim -t over N copies minus over 1 (no start-up); od_cpu:"
        " the same on CPU time; sk_corr/od_cpu: sk_cpu_corr / od_cpu",
        "# corrections are medians of paired differences (see auth.py);"
        " 'not measured' when the difference was not positive (noise)",
    ]
    lines = ["\t".join(cols)]
    def num(v):
        return "%.0f" % v if v == v else "not measured"

    def ratio(a, b):
        return "%.2f" % (a / b) if b > 0 and a == a else "-"

    for r in rows:
        lines.append("\t".join([
            r["op"], r["alg"], r["body"], num(r["sk_inproc"]),
            num(r["od_cpu"]), ratio(r["sk_inproc"], r["od_cpu"]), "|",
            num(r["sk_raw"]), num(r["sk_corr"]), num(r["sk_cpu_corr"]),
            num(r["od"]), ratio(r["sk_cpu_corr"], r["od_cpu"])]))
    with open(os.path.join(OUT, "auth.tsv"), "w") as f:
        f.write("\n".join(header + lines) + "\n")
    print("\n".join(header))
    widths = [max(len(l.split("\t")[i]) for l in lines) for i in range(len(cols))]
    for l in lines:
        print("  ".join(v.rjust(w) for v, w in zip(l.split("\t"), widths)))
    print("written: %s" % os.path.join(OUT, "auth.tsv"))


if __name__ == "__main__":
    main()
