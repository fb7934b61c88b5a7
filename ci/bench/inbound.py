#!/usr/bin/python3
"""inbound.py - `make bench`: what the whole inbound check (SPF, DKIM
verification and DMARC, DNS answered from memory) costs the relay, as a
share of its throughput (issue 4; target: under 20 %).

Two sekimorids run side by side with the same config but for one container:
"plain" has no sender-authentication (no policy process, as relay.py's),
"checked" has it, with DMARC's reject action. Both get the same load:
smtp-source -F sends one prepared message, DKIM-signed once by
sekimori-check dkim-sign (RSA-2048, and a second cell with Ed25519), from
source@bench.sekimori.test on 127.0.0.1, whose SPF record authorizes that
address and whose DMARC record says p=reject (inbound.zone). So every
message the checked relay takes gets SPF (HELO and MAIL FROM), one DKIM
verification and DMARC, all passing. Before any timing, one message of each
kind goes through a third checked relay to a sink that keeps it, and its
Authentication-Results must say spf=pass dkim=pass dmarc=pass: no number is
printed for a load that does not pass.

Per cell (size x signature) the two relays take turns, ROUNDS times, the
order swapped every round; the figures are the relay's end-to-end rate and
its CPU per message (its cgroup: every process of the relay), and the
shares: 1 - with/without of the rate, (cpu_with - cpu_without)/cpu_with of
the CPU. Medians over the rounds, each round printed too. Reported, never
judged: the method and its limits are in ci/bench/README.md.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relay as R  # noqa: E402  (the relay bench's machinery)

SIZES_KIB = (4, 1)
CONCURRENCY = 20
MESSAGES = R.env_int("SK_BENCH_INBOUND_MESSAGES", R.MESSAGES)
ROUNDS = R.env_int("SK_BENCH_INBOUND_ROUNDS", 3)
# sekimori-check signs the messages and makes the keys; by default the one
# next to the sekimorid being measured (SK_BENCH_SEKIMORID).
CHECK = Path(os.environ.get("SK_BENCH_CHECK",
                            R.SEKIMORID.parent / "sekimori-check"))
WORK = R.OUT / "inbound"
DOMAIN = "bench.sekimori.test"  # the sender's: R.SENDER's domain
AUTHSERV = "bench.sekimori.test"
# (name, algorithm, selector): the signatures measured, RSA first (the
# final line's cell).
SIGNATURES = (("rsa2048", "rsa-sha256", "rsa2048"),
              ("ed25519", "ed25519-sha256", "ed25519"))


# --- the load: keys, zone, signed messages ---------------------------------


def run_check(args, data=None):
    """sekimori-check ARGS < data; its stdout, or RuntimeError."""
    out = subprocess.run([str(CHECK)] + args, input=data, capture_output=True)
    if out.returncode != 0:
        raise RuntimeError("sekimori-check %s: %s" % (
            args[0], R.last_line((out.stderr + out.stdout).decode(
                errors="replace"))))
    return out.stdout


def make_keys():
    """A key per signature under WORK; {name: key path}, zone lines."""
    keys, lines = {}, []
    for name, algorithm, selector in SIGNATURES:
        path = WORK / ("%s.key" % name)
        out = run_check(["dkim-keygen", "--domain", DOMAIN, "--selector",
                         selector, "--algorithm", algorithm, "--out",
                         str(path)])
        # the tool prints the owner without its final dot; the zone has an
        # $ORIGIN that would be appended to it
        lines.append(out.decode().strip().replace(
            "._domainkey.%s " % DOMAIN, "._domainkey.%s. " % DOMAIN))
        keys[name] = path
    return keys, lines


def make_zone(key_lines):
    """inbound.zone with the keys' records, in WORK (sekimorid reads it
    as root before it drops privileges)."""
    path = WORK / "inbound.zone"
    text = (R.HERE / "inbound.zone").read_text()
    path.write_text(text + "\n".join(key_lines) + "\n")
    return path


def unsigned_message(size_kib):
    """Header fields as a mail program writes them and size_kib KiB of text
    lines as the body, CRLF line ends."""
    head = ("From: Bench <%s>\r\nTo: <%s>\r\nSubject: inbound check bench\r\n"
            "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
            "Message-ID: <inbound-%dk@%s>\r\n\r\n"
            % (R.SENDER, R.RECIPIENT, size_kib, DOMAIN)).encode()
    line = b"x" * 76 + b"\r\n"
    lines = size_kib * 1024 // len(line)
    rest = size_kib * 1024 - lines * len(line)
    return head + line * lines + (b"y" * (rest - 2) + b"\r\n" if rest > 2
                                  else b"")


def make_message(size_kib, name, key, zone):
    """The signed message as smtp-source -F wants it (LF line ends: it
    sends each line with CRLF), after sekimori-check's DMARC check says it
    passes for this load's client, HELO and sender."""
    algorithm, selector = next((a, s) for n, a, s in SIGNATURES if n == name)
    signed = run_check(["dkim-sign", "--domain", DOMAIN, "--selector",
                        selector, "--key", str(key), "--algorithm",
                        algorithm], unsigned_message(size_kib))
    verdict = subprocess.run(
        [str(CHECK), "dmarc", "--ip", "127.0.0.1", "--helo", R.HELO,
         "--mail-from", R.SENDER, "--zone", str(zone)], input=signed,
        capture_output=True).stdout.decode(errors="replace")
    lines = verdict.splitlines()
    if not lines or lines[0] != "pass" or not all(
            any(ln.startswith(w) for ln in lines)
            for w in ("spf=pass", "dkim=pass d=%s" % DOMAIN)):
        raise RuntimeError("sekimori-check dmarc on the %d KiB %s message: %s"
                           % (size_kib, name, R.last_line(verdict)))
    path = WORK / ("message-%dk-%s.txt" % (size_kib, name))
    path.write_bytes(signed.replace(b"\r\n", b"\n"))
    return path


# --- the relays -------------------------------------------------------------


class Inbound(R.Sekimori):
    """The bench's sekimorid receiving for sink.sekimori.test from any
    client (127.0.0.1 is not an internal network: its mail is inbound),
    with or without sender-authentication.

    Its listener is a submission one without AUTH, not an mx one: an mx
    listener greets a client outside the internal networks only after
    a 300 ms pause (firmware/smtpd, early talkers), which at 20 sessions
    of one message each holds either relay to about 63 messages a second,
    whatever the check costs. Submission greets at once; it needs a
    certificate for STARTTLS, which smtp-source never asks for. The
    policy decides the direction by the client alone (not authenticated,
    not internal: inbound), so the check is the same as on mx."""

    def __init__(self, name, checked, zone, sink_options=()):
        self.name = name
        super().__init__()
        self.checked = checked
        self.root = R.OUT / ("sekimori-%s" % name)
        self.config = R.OUT / ("sekimori-%s.json" % name)
        self.log = R.LOGS / ("sekimorid-%s.log" % name)
        self.zone = zone
        if sink_options:
            self.sink = R.Sink(name, options=sink_options)

    def configure(self):
        super().configure()
        config = json.loads(self.config.read_text())
        mail = config["sekimori-mail:mail"]
        domain = R.RECIPIENT.split("@")[1]
        # Only 127.0.0.2 relays freely: the load's client (127.0.0.1) is an
        # outside sender, so the checked relay verifies instead of signing.
        mail["relay"] = {"domain": [{"name": domain}],
                         "internal-network": ["127.0.0.2/32"]}
        mail["delivery"]["route"] = [dict(mail["delivery"]["smarthost"],
                                          domain=domain)]
        mail["listener"][0].update({"mode": "submission",
                                    "smtp-auth": "disabled",
                                    "tls": {"certificate": "bench"}})
        mail["tls"]["certificate"] = [{
            "name": "bench", "certificate-file": "/config/tls/bench.crt",
            "key-file": "/config/tls/bench.key"}]
        self.make_certificate()
        if self.checked:
            config["sekimori-auth:sender-authentication"] = {
                "authserv-id": AUTHSERV,
                "spf": {"enabled": True},
                "dkim": {"verify": True},
                "dmarc": {"enabled": True, "reject-action": "reject"},
            }
        self.config.write_text(json.dumps(config, indent=2) + "\n")

    def make_certificate(self):
        """A self-signed certificate under ROOT/config/tls, readable by
        the daemon's user."""
        tls = self.root / "config" / "tls"
        tls.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "2",
                        "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-keyout",
                        str(tls / "bench.key"), "-out", str(tls / "bench.crt"),
                        "-subj", "/CN=" + AUTHSERV], check=True,
                       capture_output=True)
        if R.is_root():
            user = R.pwd.getpwnam(R.BENCH_USER)
            for path in (tls / "bench.key", tls / "bench.crt"):
                os.chown(path, user.pw_uid, user.pw_gid)

    def policy_pid(self):
        """The policy child's process id, or None (plain has none): the
        one process with the DMARC stores (ROOT/data/dmarc/) open, as every
        child has the daemon's name."""
        for pid in self.accounting.pids():
            try:
                fds = os.listdir("/proc/%d/fd" % pid)
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                except OSError:
                    continue
                if target.startswith(str(self.root / "data" / "dmarc")):
                    return pid
        return None


def prove(zone, messages):
    """One message of each file through a checked relay to a sink that
    keeps it; None when every one arrived with our Authentication-Results
    saying spf=pass dkim=pass dmarc=pass, else why not."""
    dump = R.OUT / "inbound-proof"
    shutil.rmtree(dump, ignore_errors=True)
    dump.mkdir(parents=True)
    os.chmod(dump, 0o777)  # smtp-sink writes as the bench user
    relay = Inbound("proof", True, zone,
                    sink_options=["-d", str(dump / "%H%M%S.")])
    try:
        why = relay.start()
        if why:
            return "the proof relay did not start: %s" % why
        for path in messages:
            before = set(dump.iterdir())
            r = R.run_load(relay, 0, 1, 1, "proof-" + path.stem, path)
            if r.reason:
                return "%s did not go through: %s" % (path.name, r.reason)
            new = sorted(set(dump.iterdir()) - before)
            if len(new) != 1:
                return "%s: %d dumps at the sink" % (path.name, len(new))
            why = proof_of(new[0].read_bytes())
            if why:
                return "%s: %s" % (path.name, why)
            R.say("  proof: %s delivered with %s" % (
                path.name, authentication_results(new[0].read_bytes())))
    finally:
        relay.stop()
    return None


def authentication_results(dumped):
    """Our Authentication-Results field in a message smtp-sink dumped
    (LF line ends), unfolded, or ''."""
    head = dumped.split(b"\n\n", 1)[0].decode(errors="replace")
    for field in re.sub(r"\n[ \t]+", " ", head).split("\n"):
        if field.startswith("Authentication-Results: %s;" % AUTHSERV):
            return field
    return ""


def proof_of(dumped):
    found = authentication_results(dumped)
    missing = [w for w in ("spf=pass", "dkim=pass", "dmarc=pass",
                           "header.d=" + DOMAIN) if w not in found]
    if not found:
        return "no Authentication-Results of %s" % AUTHSERV
    return "%s lacks %s" % (found, ", ".join(missing)) if missing else None


# --- the rounds ---------------------------------------------------------------


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return (values[mid] if len(values) % 2 else
            (values[mid - 1] + values[mid]) / 2)


def policy_cpu(relay):
    """CPU seconds of the checked relay's policy process so far, or None."""
    pid = relay.policy_pid()
    if pid is None:
        return None
    fields = R.proc_stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(plain, checked, size, name, path, swap):
    """Both relays under the same load, one after the other (checked first
    when swap); a dict of figures, or why not measured."""
    results = {}
    order = (checked, plain) if swap else (plain, checked)
    for relay in order:
        before = policy_cpu(relay)
        r = R.run_load(relay, size, CONCURRENCY, MESSAGES,
                       "%s-%dk-%s" % (relay.name, size, name), path)
        after = policy_cpu(relay)
        R.say("  %-8s %d KiB %-8s c%d: %s" % (
            relay.name, size, name, CONCURRENCY, r.reason or
            "%6.0f msg/s e2e, %.3f CPU ms/msg" % (r.e2e_per_s,
                                                   r.cpu_s_per_1000)))
        if r.reason:
            return "%s: %s" % (relay.name, r.reason)
        results[relay.name] = r
        if relay is checked:
            results["policy"] = (None if before is None or after is None else
                                 (after - before) * 1000 / MESSAGES)
    a, b = results["plain"], results["checked"]
    return {
        "e2e_without": a.e2e_per_s, "e2e_with": b.e2e_per_s,
        # cpu_s_per_1000 is CPU ms per message
        "cpu_without": a.cpu_s_per_1000, "cpu_with": b.cpu_s_per_1000,
        "share_e2e": 1 - b.e2e_per_s / a.e2e_per_s,
        "share_cpu": (b.cpu_s_per_1000 - a.cpu_s_per_1000) / b.cpu_s_per_1000,
        "policy_cpu": results["policy"] if results["policy"] is not None
        else float("nan"),
    }


# --- output -----------------------------------------------------------------

COLUMNS = ("size_kib", "signature", "round", "e2e_without_per_s",
           "e2e_with_per_s", "cpu_ms_without", "cpu_ms_with",
           "policy_cpu_ms", "share_e2e", "share_cpu")
KEYS = ("e2e_without", "e2e_with", "cpu_without", "cpu_with", "policy_cpu",
        "share_e2e", "share_cpu")


def cell_rows(size, name, rounds):
    """TSV rows of one cell: each round, then the medians; or one row
    saying why not measured."""
    if isinstance(rounds, str):
        return [[str(size), name, "-"] +
                ["not measured: %s" % rounds] * len(KEYS)]
    rows = [[str(size), name, str(i + 1)] + ["%.3f" % r[k] for k in KEYS]
            for i, r in enumerate(rounds)]
    rows.append([str(size), name, "median"] +
                ["%.3f" % median([r[k] for r in rounds]) for k in KEYS])
    return rows


def write_tsv(rows, sizes):
    path = R.OUT / "inbound.tsv"
    with open(path, "w") as f:
        f.write("# make bench: the inbound check's cost (ci/bench/README.md)\n"
                "# date %s, kernel %s, %d CPUs; %d messages per run, c%d, "
                "%d rounds, plain and checked relays in turns\n"
                "# messages (smtp-source -F, octets with CRLF): %s\n"
                "# e2e: messages / time until the sink has all and the "
                "queue is empty; cpu_ms: the relay's cgroup CPU per message; "
                "policy_cpu_ms: the checked relay's policy process alone\n"
                "# share_e2e = 1 - with/without; share_cpu = (cpu_with - "
                "cpu_without) / cpu_with\n"
                % (time.strftime("%Y-%m-%dT%H:%M:%S%z"), os.uname().release,
                   os.cpu_count(), MESSAGES, CONCURRENCY, ROUNDS, sizes))
        f.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    return path


def print_table(rows):
    heads = ("KiB", "signature", "round", "e2e w/o", "e2e with", "cpu w/o",
             "cpu with", "policy", "share e2e", "share cpu")
    widths = (4, 10, 7, 9, 9, 9, 9, 8, 10, 10)
    R.say("".join(h.rjust(w) for h, w in zip(heads, widths)) +
          "   (e2e msg/s, cpu ms/msg)")
    for row in rows:
        if row[3].startswith("not measured"):
            R.say("".join(c.rjust(w) for c, w in zip(row[:3], widths)) +
                  "  " + row[3])
            continue
        cells = [("%.0f" % float(c)) if i in (3, 4) else
                 ("%.3f" % float(c)) if i in (5, 6, 7) else
                 ("%.2f" % float(c)) if i in (8, 9) else c
                 for i, c in enumerate(row)]
        R.say("".join(c.rjust(w) for c, w in zip(cells, widths)))


def final_line(cells):
    rounds = cells.get((4, SIGNATURES[0][0]), "not run")
    if isinstance(rounds, str):
        return "inbound check 4KiB c20: not measured: %s" % rounds
    return ("inbound check 4KiB c20: share of relay throughput = %.2f"
            % median([r["share_e2e"] for r in rounds]))


# --- main -------------------------------------------------------------------


def prepare():
    """Keys, zone and messages; (zone, {(size, name): file}, sizes text)."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    keys, lines = make_keys()
    zone = make_zone(lines)
    files = {}
    for size in SIZES_KIB:
        for name, _, _ in SIGNATURES:
            files[(size, name)] = make_message(size, name, keys[name], zone)
    sizes = ", ".join("%d KiB %s %d" % (s, n, len(p.read_bytes()) +
                                        p.read_bytes().count(b"\n"))
                      for (s, n), p in files.items())
    return zone, files, sizes


def measure(zone, files):
    """Every cell: {(size, name): [round dicts] or why not measured}."""
    cells = {}
    plain = Inbound("plain", False, zone)
    checked = Inbound("checked", True, zone)
    try:
        for relay in (plain, checked):
            why = relay.start()
            if why:
                return {k: "%s did not start: %s" % (relay.name, why)
                        for k in files}
            warm = R.run_load(relay, 4, CONCURRENCY, R.WARMUP_MESSAGES,
                              relay.name + "-warmup",
                              files[(4, SIGNATURES[0][0])])
            if warm.reason:
                return {k: "%s warm-up: %s" % (relay.name, warm.reason)
                        for k in files}
        for (size, name), path in files.items():
            rounds = []
            for i in range(ROUNDS):
                r = one_round(plain, checked, size, name, path, i % 2 == 1)
                if isinstance(r, str):
                    rounds = r
                    break
                rounds.append(r)
            cells[(size, name)] = rounds
    finally:
        plain.stop()
        checked.stop()
    return cells


def main():
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, R.on_signal)
    R.LOGS.mkdir(parents=True, exist_ok=True)
    R.raise_nofile()
    R.build_probe()
    R.say("inbound check: %d messages per run, c%d, %d rounds; output in %s"
          % (MESSAGES, CONCURRENCY, ROUNDS, R.OUT))
    try:
        zone, files, sizes = prepare()
        why = prove(zone, list(files.values()))
    except (OSError, RuntimeError) as e:
        files, why = {}, str(e)
    if why:
        R.say("inbound check 4KiB c20: not measured: %s" % why)
        return 0
    cells = measure(zone, files)
    rows = []
    for size in SIZES_KIB:
        for name, _, _ in SIGNATURES:
            rows += cell_rows(size, name, cells.get((size, name), "not run"))
    path = write_tsv(rows, sizes)
    R.say("")
    print_table(rows)
    R.say("(table in %s; the load's and sinks' output in %s)" % (path, R.LOGS))
    R.say(final_line(cells))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except R.Stop as e:
        print("inbound bench: %s" % e, file=sys.stderr)
        sys.exit(1)
