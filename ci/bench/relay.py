#!/usr/bin/python3
"""relay.py - `make bench`: sekimorid and Postfix as store-and-forward relays
under the same load, and smtp-source -> smtp-sink as the machine's ceiling.

Postfix's smtp-source sends into the relay on loopback and the relay delivers
to Postfix's smtp-sink. For each message size and concurrency this measures
accepted and end-to-end messages per second, the time from the end of DATA to
the 250 (p50, p99), CPU seconds per 1000 messages and peak memory, then the
memory and the count of 10,000 idle connections. The method and its limits
are in ci/bench/README.md. Numbers are reported, never judged: the exit status
says only whether the bench itself could run.
"""

import json
import os
import pty
import pwd
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
HERE = TOP / "ci" / "bench"
# SK_BENCH_OUT puts the tables and logs elsewhere (a private run beside
# someone else's).
OUT = Path(os.environ.get("SK_BENCH_OUT", TOP / "output" / "bench"))
# Per-run files (smtp-source and smtp-sink output, latency samples, the
# sekimorid log), emptied at the start of each bench.
LOGS = OUT / "logs"
# SK_BENCH_SEKIMORID runs another build (or a test double) instead.
SEKIMORID = Path(os.environ.get("SK_BENCH_SEKIMORID",
                                TOP / "output" / "host" / "bin" / "sekimorid"))
# `make bench` leaves this file when its `make host` failed; relay.py takes
# it away at once, so that a later run by hand is not misled by it.
HOST_BUILD_FAILED = OUT / "host-build-failed"


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


# The matrix. MESSAGES per run keeps the whole bench under 20 minutes on the
# 2-core build machine (Postfix takes about 10 s per run, README.md).
SIZES_KIB = (1, 4, 64)
CONCURRENCY = (1, 20, 100)
MESSAGES = env_int("SK_BENCH_MESSAGES", 3000)
WARMUP_MESSAGES = min(300, MESSAGES)
# A run that has not drained in RUN_TIMEOUT_S is reported as not measured;
# after it the relay gets DRAIN_GRACE_S to empty its queue, or its remaining
# runs are skipped. With nine runs per relay this bounds a stuck relay to
# about 11 minutes.
RUN_TIMEOUT_S = env_int("SK_BENCH_RUN_TIMEOUT", 45)
DRAIN_GRACE_S = 30
POLL_S = 0.005
# Memory sampling costs the relay CPU on this small machine (reading
# smaps_rollup takes about 0.3 ms per process, and Postfix runs over 100),
# so RSS is read every RSS_SAMPLE_S and PSS every PSS_SAMPLE_S.
RSS_SAMPLE_S = 0.2
PSS_SAMPLE_S = 2.0
START_TIMEOUT_S = 15
# Idle connections: how many, how long they must stay open, how many may be
# waiting for a greeting at once, and when to stop waiting for the next one.
IDLE_CONNECTIONS = env_int("SK_BENCH_IDLE", 10000)
IDLE_HOLD_S = 10
IDLE_WINDOW = 256
IDLE_STALL_S = 5
IDLE_OPEN_LIMIT_S = 90
NOFILE = 65536
# Unprivileged user for smtp-sink and sekimorid when the bench runs as root.
BENCH_USER = os.environ.get("SK_BENCH_USER", "nobody")
SENDER = "source@bench.sekimori.test"
RECIPIENT = "sink@sink.sekimori.test"
HELO = "source.sekimori.test"
# sekimorid's message content files, one per queued message, removed once
# delivered (firmware/queue/queue_spool.h: SPOOL/msg/ID).
SEKIMORI_MESSAGES = Path("data") / "spool" / "msg"
# Both relays log to syslog by default, and this machine has no syslog
# daemon, so neither pays for logging. SK_BENCH_LOGS=1 makes both log to
# files for debugging (not for numbers): Postfix through its postlogd to
# output/bench/postfix/maillog, sekimorid with --log-stderr.
DEBUG_LOGS = bool(os.environ.get("SK_BENCH_LOGS"))
# Postfix queues that hold messages (the others hold logs, sockets, pids).
POSTFIX_MESSAGE_QUEUES = ("maildrop", "incoming", "active", "deferred", "hold",
                          "corrupt")


def say(text):
    print(text, flush=True)


def is_root():
    return os.geteuid() == 0


def tool(name):
    """Postfix's programs live in /usr/sbin, which a user's PATH may lack."""
    return shutil.which(name) or f"/usr/sbin/{name}"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_line(path_or_text, limit=160):
    """The last non-empty line of a log file or text, for a reason."""
    if isinstance(path_or_text, Path):
        try:
            text = path_or_text.read_text(errors="replace")
        except OSError:
            return "(no log)"
    else:
        text = path_or_text
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:limit] if lines else "(no output)"


def wait_greeting(port, timeout):
    """None when an SMTP server on port sends a 2xx greeting in time, else
    why not. Only the first byte of the reply is looked at."""
    deadline = time.monotonic() + timeout
    last = "nothing listens"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                first = s.recv(1)
                if first == b"2":
                    s.sendall(b"QUIT\r\n")
                    return None
                last = f"the greeting begins with {first!r}"
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    return f"no SMTP greeting on port {port} within {timeout} s ({last})"


def run_with_tty(cmd, timeout=60):
    """Run a Postfix command with stderr on a pseudo-terminal: Postfix's
    command-line programs write their errors to stderr only when it is a
    terminal (and otherwise to syslog, which this machine may not have).
    Returns (exit status, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    # The Postfix master daemon may keep the terminal open after the
    # command exits, so read until the command ends, not until EOF.
    while True:
        readable, _, _ = select.select([master], [], [], 0.1)
        if readable:
            try:
                chunks.append(os.read(master, 4096))
            except OSError:
                break
        elif proc.poll() is not None or time.monotonic() > deadline:
            break
    os.close(master)
    try:
        proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode, b"".join(chunks).decode(errors="replace")


# --- accounting: which processes are the relay, their CPU and memory ------


def cgroup2_dir():
    """Our own cgroup in the cgroup v2 hierarchy, or None."""
    if os.environ.get("SK_BENCH_NO_CGROUP"):
        return None
    mount = None
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 2 and parts[2] == "cgroup2":
                mount = Path(parts[1])
                break
    if mount is None:
        return None
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return mount / line[3:].strip().lstrip("/")
    return None


def proc_stat_fields(pid):
    """The fields of /proc/PID/stat after the command name."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def process_tree(roots):
    """The live processes below and including roots."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(proc_stat_fields(entry)[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [r for r in roots if Path(f"/proc/{r}").exists()]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


class Accounting:
    """The processes of one relay. With cgroup v2 (writable here) they are
    the members of a cgroup of their own, and CPU is its cpu.stat usage,
    which includes processes that have exited. Without it they are the
    process tree below the relay's main process, and CPU is the sum of
    utime+stime+cutime+cstime over that tree: children that exited count
    once their parent in the tree has reaped them (Postfix's master and
    sekimorid reap theirs)."""

    def __init__(self, name):
        self.name = name
        self.roots = []
        self.cgroup = None
        base = cgroup2_dir()
        if base is not None:
            path = base / f"sk-bench-{name}-{os.getpid()}"
            try:
                path.mkdir(exist_ok=True)
                # Prove that a process can be moved in before relying on it.
                subprocess.run(["sh", "-c", f"echo $$ > {path}/cgroup.procs"],
                               check=True, stderr=subprocess.DEVNULL)
                self.cgroup = path
            except (OSError, subprocess.CalledProcessError):
                self.cgroup = None
        self.method = ("cgroup v2 cpu.stat" if self.cgroup else
                       "process tree /proc/PID/stat")

    def wrap(self, cmd):
        """cmd, started inside this relay's cgroup when there is one."""
        if self.cgroup is None:
            return cmd
        return ["sh", "-c", f'echo $$ > {self.cgroup}/cgroup.procs && exec "$@"',
                "sh"] + cmd

    def pids(self):
        if self.cgroup is not None:
            text = (self.cgroup / "cgroup.procs").read_text()
            return [int(p) for p in text.split()]
        return process_tree(self.roots)

    def cpu_seconds(self):
        if self.cgroup is not None:
            for line in (self.cgroup / "cpu.stat").read_text().splitlines():
                key, value = line.split()
                if key == "usage_usec":
                    return int(value) / 1e6
            raise RuntimeError(f"{self.cgroup}/cpu.stat has no usage_usec")
        ticks = 0
        for pid in self.pids():
            try:
                fields = proc_stat_fields(pid)
            except OSError:
                continue
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
        return ticks / os.sysconf("SC_CLK_TCK")

    def kill_all(self):
        """SIGKILL whatever is left of this relay, one process at a time."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait_empty(self, timeout):
        deadline = time.monotonic() + timeout
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        return not self.pids()

    def remove(self):
        """Kill what is left and forget the processes (safe to call twice)."""
        self.kill_all()
        self.wait_empty(5)
        if self.cgroup is not None:
            try:
                self.cgroup.rmdir()
            except OSError:
                pass
        self.cgroup, self.roots = None, []


def rss_of(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def pss_of(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def memory_of(pids, with_pss=True):
    """(sum of RSS, sum of PSS or 0) in bytes over pids; processes that exit
    while being read are skipped."""
    rss = pss = 0
    for pid in pids:
        try:
            rss += rss_of(pid)
            pss += pss_of(pid) if with_pss else 0
        except (OSError, ValueError, IndexError):
            continue
    return rss, pss


class MemorySampler(threading.Thread):
    """Peak of the summed RSS and PSS of a relay's processes, sampled every
    RSS_SAMPLE_S and PSS_SAMPLE_S seconds and once more at the end."""

    def __init__(self, accounting):
        super().__init__(daemon=True)
        self.accounting = accounting
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.peak = (0, 0)

    def sample(self, with_pss=True):
        try:
            rss, pss = memory_of(self.accounting.pids(), with_pss)
        except OSError:
            return
        with self.lock:
            self.peak = (max(self.peak[0], rss), max(self.peak[1], pss))

    def run(self):
        ticks = 0
        every = round(PSS_SAMPLE_S / RSS_SAMPLE_S)
        while not self.halt.wait(RSS_SAMPLE_S):
            ticks += 1
            self.sample(with_pss=ticks % every == 0)

    def reset(self):
        with self.lock:
            self.peak = (0, 0)

    def peaks(self):
        self.sample()
        with self.lock:
            return self.peak


# --- the sink and the relays -----------------------------------------------


class Sink:
    """smtp-sink, counting the messages it received (its -c counters)."""

    COUNTER = re.compile(rb"mesg=(\d+)\r")

    def __init__(self, name, accounting=None, options=()):
        self.port = free_port()
        self.log = LOGS / f"sink-{name}.out"
        self.accounting = accounting
        self.options = list(options)  # more smtp-sink options, such as -d
        self.proc = None

    def start(self):
        cmd = [tool("smtp-sink"), "-c", "-m", "1024"] + self.options
        if is_root():
            cmd += ["-u", BENCH_USER]
        cmd += [f"127.0.0.1:{self.port}", "1024"]
        if self.accounting is not None:
            cmd = self.accounting.wrap(cmd)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out)
        if self.accounting is not None:
            self.accounting.roots = [self.proc.pid]
        reason = wait_greeting(self.port, START_TIMEOUT_S)
        if reason is None and self.proc.poll() is not None:
            reason = "smtp-sink exited"
        return reason and f"smtp-sink: {reason}: {last_line(self.log)}"

    def count(self):
        """Messages received so far (the last complete counter line)."""
        try:
            with open(self.log, "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - 256))
                found = self.COUNTER.findall(f.read())
        except OSError:
            return 0
        return int(found[-1]) if found else 0

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Target:
    """What smtp-source sends to: a relay in front of a sink, or the sink
    itself (the ceiling). Subclasses start it and set port."""

    name = "?"
    port = 0
    sink_is_measured = False  # the sink's processes are the ones measured
    idle_note = ""  # what to know when reading its idle-connection result

    def __init__(self):
        self.accounting = Accounting(self.name)
        self.sink = Sink(self.name, self.accounting if self.sink_is_measured
                         else None)
        self.sampler = MemorySampler(self.accounting)
        self.stopped = False

    def queued(self):
        """Messages still in the relay's queue."""
        return 0

    def spool_syncs(self):
        """(syncs, microseconds) the relay counted so far, or None."""
        return None

    def failure(self):
        """Why the relay can no longer be measured, or None."""
        return None

    def start(self):
        """None when started, else why not."""
        raise NotImplementedError

    def stop(self):
        """Stop the relay and its sink; later calls do nothing."""
        self.stopped = True
        self.sampler.halt.set()
        self.sink.stop()
        self.accounting.remove()


class Ceiling(Target):
    """smtp-source straight into smtp-sink: its 'relay' columns describe
    smtp-sink itself."""

    name = "ceiling"
    sink_is_measured = True

    def start(self):
        reason = self.sink.start()
        self.port = self.sink.port
        self.sampler.start()
        return reason

    def failure(self):
        if self.sink.proc.poll() is not None:
            return f"smtp-sink exited: {last_line(self.sink.log)}"
        return None


class Postfix(Target):
    """A private Postfix instance under output/bench/postfix."""

    name = "postfix"
    idle_note = ("one smtpd process per connection, at most "
                 "default_process_limit = 100; the rest wait in the listen queue")

    def __init__(self):
        super().__init__()
        self.dir = OUT / "postfix"
        self.etc = self.dir / "etc"
        self.queue = self.dir / "queue"

    def configure(self):
        self.port = free_port()
        fields = {
            "@QUEUE_DIR@": str(self.queue),
            "@DATA_DIR@": str(self.dir / "data"),
            "@SINK_PORT@": str(self.sink.port),
            "@SMTPD_ADDR@": f"127.0.0.1:{self.port}",
            "@MAILLOG@": "",
        }
        if DEBUG_LOGS:
            fields["@MAILLOG@"] = (f"maillog_file = {self.dir}/maillog\n"
                                   f"maillog_file_prefixes = {self.dir}")
        for name in ("main.cf", "master.cf"):
            text = (HERE / f"postfix-{name}.in").read_text()
            for key, value in fields.items():
                text = text.replace(key, value)
            (self.etc / name).write_text(text)

    def postfix(self, verb):
        return run_with_tty(self.accounting.wrap(
            [tool("postfix"), "-c", str(self.etc), verb]))

    def start(self):
        if not is_root():
            return "Postfix's master must start as root: run make bench as root"
        if not os.access(tool("postfix"), os.X_OK):
            return "postfix is not installed (ci/install-deps bench)"
        reason = self.sink.start()
        if reason:
            return reason
        self.stop_leftover()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.etc.mkdir(parents=True)
        self.queue.mkdir()
        (self.dir / "data").mkdir()
        shutil.chown(self.dir / "data", user="postfix")
        self.configure()
        # "check" creates the queue's subdirectories with their owners.
        status, out = self.postfix("check")
        if status == 0:
            status, out = self.postfix("start")
        if status != 0:
            return f"postfix start failed: {last_line(out)}"
        self.accounting.roots = [self.master_pid()]
        self.sampler.start()
        return wait_greeting(self.port, START_TIMEOUT_S)

    def master_pid(self):
        try:
            return int((self.queue / "pid" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return -1

    def stop_leftover(self):
        """A bench that was killed hard may have left its instance running."""
        if (self.etc / "main.cf").exists() and self.master_pid() > 0:
            run_with_tty([tool("postfix"), "-c", str(self.etc), "stop"])

    def queued(self):
        count = 0
        for queue in POSTFIX_MESSAGE_QUEUES:
            for _, _, files in os.walk(self.queue / queue):
                count += len(files)
        return count

    def failure(self):
        if not Path(f"/proc/{self.master_pid()}").exists():
            return "the Postfix master exited"
        return None

    def stop(self):
        if not self.stopped and self.master_pid() > 0:
            self.postfix("stop")
            if not self.accounting.wait_empty(15):
                self.accounting.kill_all()
        super().stop()


class Sekimori(Target):
    """output/host/bin/sekimorid -c output/bench/sekimori.json, run in the
    foreground as an unprivileged user, spool in output/bench/sekimori."""

    name = "sekimori"

    def __init__(self):
        super().__init__()
        self.root = OUT / "sekimori"
        self.config = OUT / "sekimori.json"
        self.log = LOGS / "sekimorid.log"
        self.zone = HERE / "bench.zone"  # what --zone answers
        self.proc = None
        self.host_build_failed = HOST_BUILD_FAILED.exists()
        HOST_BUILD_FAILED.unlink(missing_ok=True)

    def configure(self):
        """The template with this run's ports and directory."""
        self.port = free_port()
        config = json.loads((HERE / "sekimorid.json.in").read_text())
        mail = config["sekimori-mail:mail"]
        mail["root-directory"] = str(self.root)
        mail["listener"][0]["port"] = self.port
        mail["delivery"]["smarthost"]["port"] = self.sink.port
        self.config.write_text(json.dumps(config, indent=2) + "\n")

    def as_bench_user(self, cmd):
        if not is_root():
            return cmd
        user = pwd.getpwnam(BENCH_USER)
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                "--clear-groups", "--"] + cmd

    def start(self):
        if self.host_build_failed and "SK_BENCH_SEKIMORID" not in os.environ:
            return "make host failed (its errors are above)"
        if not os.access(SEKIMORID, os.X_OK):
            return f"{SEKIMORID} is missing (make host)"
        # The daemon makes ROOT/data/spool itself, as its queue's user.
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        if is_root():
            user = pwd.getpwnam(BENCH_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        reason = self.sink.start()
        if reason:
            return reason
        self.configure()
        check = subprocess.run([str(SEKIMORID), "--check", "-c", str(self.config)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            return ("sekimorid --check rejects the bench config: " +
                    last_line(check.stderr + check.stdout))
        # The bench's own zone keeps every DNS lookup on this machine, as
        # Postfix's bracketed relayhost does.
        cmd = [str(SEKIMORID), "-c", str(self.config), "--zone",
               str(self.zone)]
        if DEBUG_LOGS:
            cmd.append("--log-stderr")
        cmd = self.accounting.wrap(self.as_bench_user(cmd))
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out)
        self.accounting.roots = [self.proc.pid]
        self.sampler.start()
        reason = self.failure() or wait_greeting(self.port, START_TIMEOUT_S)
        if reason and not self.failure():
            reason += ("; its log: " + last_line(self.log) if DEBUG_LOGS else
                       "; SK_BENCH_LOGS=1 keeps its log")
        return reason

    def failure(self):
        if self.proc is not None and self.proc.poll() is not None:
            return (f"sekimorid exited (status {self.proc.returncode}): "
                    f"{last_line(self.log)}")
        return None

    def queued(self):
        try:
            return len(os.listdir(self.root / SEKIMORI_MESSAGES))
        except FileNotFoundError:
            return 0

    def spool_syncs(self):
        """The queue's spool-syncs and spool-sync-microseconds since the
        start, from `sekimorid --statistics`: what each 250 waited for."""
        try:
            p = subprocess.run([str(SEKIMORID), "--statistics", "-c",
                                str(self.config)], capture_output=True,
                               text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        found = {}
        for line in p.stdout.splitlines():
            words = line.split()
            if len(words) == 3 and words[0] in ("spool-syncs",
                                                "spool-sync-microseconds"):
                found[words[0]] = int(words[2])
        if p.returncode != 0 or len(found) != 2:
            return None
        return found["spool-syncs"], found["spool-sync-microseconds"]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.accounting.kill_all()
                self.proc.wait()
        super().stop()


# --- one load run -----------------------------------------------------------


@dataclass
class Result:
    relay: str
    size_kib: int
    concurrency: int
    messages: int
    reason: str = None  # set when not measured
    accepted_per_s: float = 0.0
    e2e_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_s_per_1000: float = 0.0
    peak_rss_kib: int = 0
    peak_pss_kib: int = 0
    syncs: int = 0  # the relay's spool syncs during the run (sekimori)
    sync_us: int = 0  # and their total time


def latency_samples(path):
    """Milliseconds from DATA end to a 2xx reply, from the probe's file."""
    samples = []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return samples
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1] == "2":
            samples.append(int(parts[0]) / 1000.0)
    return samples


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


def start_source(target, size_kib, concurrency, messages, tag,
                 message_file=None):
    log = LOGS / f"source-{tag}.log"
    latency = LOGS / f"latency-{tag}.txt"
    latency.unlink(missing_ok=True)
    env = dict(os.environ, LD_PRELOAD=str(OUT / "latency.so"),
               SK_BENCH_LATENCY_FILE=str(latency))
    # -F sends a prepared message (headers and body) instead of generated
    # ones: the same octets every time, such as a DKIM-signed message.
    content = (["-F", str(message_file)] if message_file else
               ["-l", str(size_kib * 1024)])
    cmd = [tool("smtp-source"), "-s", str(concurrency), "-m", str(messages)] + \
        content + ["-f", SENDER, "-t", RECIPIENT, "-M", HELO,
                   f"127.0.0.1:{target.port}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=out, env=env)
    return proc, log, latency


def wait_done(target, source, source_log, start_count, messages, started):
    """Poll until the sink has every message and the relay's queue is empty.
    Returns (accepted_at, done_at, None) or (None, None, reason)."""
    accepted_at = None
    while True:
        now = time.monotonic()
        if now - started > RUN_TIMEOUT_S:
            if source.poll() is None:
                source.kill()
                source.wait()
            got = target.sink.count() - start_count
            return None, None, (f"did not finish in {RUN_TIMEOUT_S} s: sink "
                                f"received {got} of {messages}, "
                                f"{target.queued()} in the relay's queue")
        if accepted_at is None and source.poll() is not None:
            accepted_at = now
            if source.returncode != 0:
                return None, None, f"smtp-source failed: {last_line(source_log)}"
        reason = target.failure()
        if reason:
            if source.poll() is None:
                source.kill()
                source.wait()
            return None, None, reason
        if (accepted_at is not None and
                target.sink.count() - start_count >= messages and
                target.queued() == 0):
            return accepted_at, now, None
        time.sleep(POLL_S)


def run_load(target, size_kib, concurrency, messages, tag, message_file=None):
    """One smtp-source run through target; every number comes from it.
    message_file: send that file (smtp-source -F) instead of size_kib of
    generated payload; size_kib then only labels the result."""
    result = Result(target.name, size_kib, concurrency, messages)
    start_count = target.sink.count()
    cpu_before = target.accounting.cpu_seconds()
    syncs_before = target.spool_syncs()
    target.sampler.reset()
    started = time.monotonic()
    source, source_log, latency = start_source(target, size_kib, concurrency,
                                               messages, tag, message_file)
    accepted_at, done_at, reason = wait_done(target, source, source_log,
                                             start_count, messages, started)
    if reason:
        result.reason = reason
        return result
    cpu = target.accounting.cpu_seconds() - cpu_before
    syncs_after = target.spool_syncs()
    if syncs_before and syncs_after:
        result.syncs = syncs_after[0] - syncs_before[0]
        result.sync_us = syncs_after[1] - syncs_before[1]
    rss, pss = target.sampler.peaks()
    result.accepted_per_s = messages / (accepted_at - started)
    result.e2e_per_s = messages / (done_at - started)
    result.cpu_s_per_1000 = cpu * 1000 / messages
    result.peak_rss_kib, result.peak_pss_kib = rss // 1024, pss // 1024
    samples = sorted(latency_samples(latency))
    if len(samples) != messages:
        result.reason = (f"latency probe saw {len(samples)} 2xx replies to DATA "
                         f"for {messages} messages")
        return result
    result.p50_ms = percentile(samples, 0.50)
    result.p99_ms = percentile(samples, 0.99)
    return result


def drain_after_failure(target):
    """After a failed run: None once the relay's queue is empty again, else
    why the remaining runs cannot be trusted."""
    deadline = time.monotonic() + DRAIN_GRACE_S
    while time.monotonic() < deadline:
        if target.failure():
            return target.failure()
        if target.queued() == 0:
            return None
        time.sleep(0.2)
    return f"{target.queued()} messages still queued {DRAIN_GRACE_S} s later"


def measure(target, reason):
    """Every size x concurrency through one started target (or why not),
    after one warm-up run."""
    results = []
    if reason is None:
        warm = run_load(target, 4, 20, WARMUP_MESSAGES, f"{target.name}-warmup")
        if warm.reason:
            reason = f"warm-up failed: {warm.reason}"
    if reason:
        say(f"  {target.name}: not measured: {reason}")
    for size in SIZES_KIB:
        for conc in CONCURRENCY:
            if reason:
                results.append(Result(target.name, size, conc, MESSAGES, reason))
                continue
            r = run_load(target, size, conc, MESSAGES, f"{target.name}-{size}k-c{conc}")
            say(f"  {target.name:8} {size:2} KiB c{conc:<3} " +
                (f"not measured: {r.reason}" if r.reason else
                 f"{r.e2e_per_s:8.0f} msg/s end to end"))
            results.append(r)
            if r.reason:
                later = drain_after_failure(target)
                if later:
                    reason = f"skipped after the {size} KiB c{conc} run failed: {later}"
    return results


# --- idle connections -----------------------------------------------------


@dataclass
class IdleResult:
    relay: str
    reason: str = None
    opened: int = 0
    greeted: int = 0
    held: int = 0
    rss_delta: int = 0
    pss_delta: int = 0
    note: str = ""

    def bytes_per_connection(self):
        return self.pss_delta / self.greeted if self.greeted else 0


class IdleClient:
    """Many client sockets that connect, take the greeting and say nothing."""

    def __init__(self, port):
        self.port = port
        self.poll = select.epoll()
        self.sockets = {}  # fd -> socket
        self.greeted = set()
        self.lost = set()  # greeted, then closed or reset by the server
        self.waiting = 0  # connected or connecting, no greeting yet
        self.opened = 0

    def open_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", self.port))
        self.poll.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP)
        self.sockets[s.fileno()] = s
        self.opened += 1
        self.waiting += 1

    def on_readable(self, fd):
        s = self.sockets[fd]
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if fd in self.greeted:
            if not data:
                self.lost.add(fd)
                self.poll.unregister(fd)
            return False
        self.waiting -= 1
        if data[:1] == b"2":
            self.greeted.add(fd)
            return True
        self.poll.unregister(fd)  # refused, closed or a 4xx/5xx greeting
        return False

    def pump(self, seconds):
        """Handle events for up to seconds; True when a greeting arrived."""
        progress = False
        for fd, _ in self.poll.poll(seconds):
            progress |= self.on_readable(fd)
        return progress

    def close(self):
        for s in self.sockets.values():
            s.close()
        self.poll.close()


def open_idle(client, total):
    """Open up to total connections, IDLE_WINDOW at a time, until all are
    greeted or greetings stop coming. Returns a note when they stopped."""
    started = last_progress = time.monotonic()
    while len(client.greeted) < total:
        while client.opened < total and client.waiting < IDLE_WINDOW:
            client.open_one()
        if client.pump(0.2):
            last_progress = time.monotonic()
        now = time.monotonic()
        if now - last_progress > IDLE_STALL_S:
            return (f"no new greeting for {IDLE_STALL_S} s after "
                    f"{len(client.greeted)}")
        if now - started > IDLE_OPEN_LIMIT_S:
            return f"stopped after {IDLE_OPEN_LIMIT_S} s"
    return ""


def idle_connections(target, reason):
    """Hold IDLE_CONNECTIONS idle connections to a freshly started relay for
    IDLE_HOLD_S seconds; memory is the relay's summed RSS and PSS before and
    after. It runs before any load, so that "before" is a relay at rest
    (Postfix keeps idle smtpd processes for max_idle = 100 s after a load)."""
    result = IdleResult(target.name)
    reason = reason or target.failure()
    if reason:
        result.reason = reason
        return result
    time.sleep(1)
    before = memory_of(target.accounting.pids())
    client = IdleClient(target.port)
    try:
        result.note = "; ".join(n for n in (open_idle(client, IDLE_CONNECTIONS),
                                            target.idle_note) if n)
        hold_until = time.monotonic() + IDLE_HOLD_S
        while time.monotonic() < hold_until:
            client.pump(0.2)
        after = memory_of(target.accounting.pids())
        result.opened = client.opened
        result.greeted = len(client.greeted)
        result.held = len(client.greeted - client.lost)
        result.rss_delta = after[0] - before[0]
        result.pss_delta = after[1] - before[1]
    finally:
        client.close()
    if target.failure():
        result.reason = f"during the idle test: {target.failure()}"
    time.sleep(2)  # let the relay see the closes before it is stopped
    return result


# --- output -----------------------------------------------------------------

COLUMNS = ("relay", "size_kib", "concurrency", "messages", "accepted_per_s",
           "e2e_per_s", "p50_ms", "p99_ms", "cpu_s_per_1000", "peak_rss_kib",
           "peak_pss_kib")
METRICS = COLUMNS[4:]
# For sekimori/ceiling only throughput compares: the ceiling's other columns
# describe smtp-sink, not a relay.
CEILING_METRICS = ("accepted_per_s", "e2e_per_s")


def metric_cells(result):
    if result.reason:
        return [f"not measured: {result.reason}"] * len(METRICS)
    return [f"{getattr(result, m):.3f}" if isinstance(getattr(result, m), float)
            else str(getattr(result, m)) for m in METRICS]


def ratio_row(name, a, b, metrics):
    """a/b per metric, or why there is no ratio."""
    cells = []
    for m in METRICS:
        if m not in metrics:
            cells.append("n/a")
        elif a.reason or b.reason:
            cells.append(f"not measured: {a.reason or b.reason}")
        elif getattr(b, m) == 0:
            cells.append("not measured: division by zero")
        else:
            cells.append(f"{getattr(a, m) / getattr(b, m):.3f}")
    return [name, str(a.size_kib), str(a.concurrency), str(a.messages)] + cells


def table_rows(results):
    """TSV rows: one per relay x size x concurrency, then the ratios."""
    by_key = {(r.relay, r.size_kib, r.concurrency): r for r in results}
    rows = [[r.relay, str(r.size_kib), str(r.concurrency), str(r.messages)] +
            metric_cells(r) for r in results]
    for size in SIZES_KIB:
        for conc in CONCURRENCY:
            s = by_key[("sekimori", size, conc)]
            rows.append(ratio_row("sekimori/postfix", s,
                                  by_key[("postfix", size, conc)], METRICS))
            rows.append(ratio_row("sekimori/ceiling", s,
                                  by_key[("ceiling", size, conc)], CEILING_METRICS))
    return rows


def write_tsv(rows, header_lines):
    path = OUT / "relay.tsv"
    with open(path, "w") as f:
        for line in header_lines:
            f.write(f"# {line}\n")
        f.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(cell.replace("\t", " ") for cell in row) + "\n")
    return path


def short(cell, width):
    """A number cell rounded for the screen."""
    try:
        value = float(cell)
    except ValueError:
        return cell[:width]
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}"


def print_table(rows):
    heads = ("relay", "KiB", "conc", "msgs", "acc/s", "e2e/s", "p50 ms",
             "p99 ms", "cpu s/1k", "RSS KiB", "PSS KiB")
    widths = (16, 4, 5, 6, 8, 8, 8, 8, 9, 9, 9)
    say("".join(h.rjust(w) if i else h.ljust(w)
                for i, (h, w) in enumerate(zip(heads, widths))))
    previous = None
    for row in rows:
        first = row[0].ljust(16) + "".join(c.rjust(w) for c, w in
                                           zip(row[1:4], widths[1:4]))
        reasons = [c for c in row[4:] if c.startswith("not measured")]
        if reasons:
            same = reasons[0] == previous
            previous = reasons[0]
            say(f"{first}  " + ("not measured (the same reason)" if same
                                else reasons[0]))
            continue
        say(first + "".join(short(c, w - 1).rjust(w)
                            for c, w in zip(row[4:], widths[4:])))


def idle_lines(results):
    lines = []
    for r in results:
        if r.reason:
            lines.append(f"idle {r.relay}: not measured: {r.reason}")
            continue
        text = (f"idle {r.relay}: {r.opened} opened, {r.greeted} greeted, "
                f"{r.held} still open after {IDLE_HOLD_S} s; memory "
                f"+{r.pss_delta // 1024} KiB PSS (+{r.rss_delta // 1024} KiB RSS)")
        if r.greeted:
            text += f" = {r.bytes_per_connection() / 1024:.1f} KiB per connection"
        if r.note:
            text += f" ({r.note})"
        lines.append(text)
    return lines


def sync_lines(results):
    """What sekimorid's acknowledgements waited for, per cell: its spool
    syncs (one per group commit) and their mean time."""
    lines = []
    for r in results:
        if r.relay != "sekimori" or r.reason or r.syncs == 0:
            continue
        lines.append(f"sekimori spool syncs {r.size_kib}KiB c{r.concurrency}: "
                     f"{r.syncs} for {r.messages} messages "
                     f"({r.messages / r.syncs:.1f} messages each), mean "
                     f"{r.sync_us / r.syncs / 1000:.2f} ms")
    return lines


def write_idle_tsv(results):
    with open(OUT / "idle.tsv", "w") as f:
        f.write("relay\tattempted\topened\tgreeted\theld_10s\tpss_delta_kib\t"
                "rss_delta_kib\tbytes_per_conn\tnote\n")
        for r in results:
            if r.reason:
                cells = [f"not measured: {r.reason}"] * 7 + [""]
            else:
                cells = [str(r.opened), str(r.greeted), str(r.held),
                         str(r.pss_delta // 1024), str(r.rss_delta // 1024),
                         f"{r.bytes_per_connection():.0f}", r.note]
            f.write("\t".join([r.relay, str(IDLE_CONNECTIONS)] + cells) + "\n")


def final_line(results):
    """The line `make bench` ends with."""
    by_key = {(r.relay, r.size_kib, r.concurrency): r for r in results}
    s, p, c = (by_key[(name, 4, 20)] for name in ("sekimori", "postfix", "ceiling"))
    for name, r in (("sekimori", s), ("postfix", p), ("ceiling", c)):
        if r.reason:
            prefix = "" if name == "sekimori" else f"{name}: "
            return f"relay e2e 4KiB c20: not measured: {prefix}{r.reason}"
    return (f"relay e2e 4KiB c20: sekimori/postfix = {s.e2e_per_s / p.e2e_per_s:.2f}, "
            f"sekimori/ceiling = {s.e2e_per_s / c.e2e_per_s:.2f}")


# --- main -------------------------------------------------------------------


def raise_nofile():
    """Room for 10,000 idle sockets here and in the relays we start."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        # Raising the hard limit needs CAP_SYS_RESOURCE, which root in a
        # container may lack; then the soft limit goes up to the hard one.
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, max(hard, NOFILE)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def build_probe():
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
           "-o", str(OUT / "latency.so"), str(HERE / "latency.c"), "-ldl"]
    subprocess.run(cmd, check=True)


def postfix_version():
    try:
        out = subprocess.run([tool("postconf"), "-d", "-h", "mail_version"],
                             capture_output=True, text=True)
    except OSError:
        return "not installed"
    return out.stdout.strip() or "unknown"


def header_lines(accounting_method):
    return [
        "make bench: relay benchmark (ci/bench/README.md)",
        f"date {time.strftime('%Y-%m-%dT%H:%M:%S%z')}, kernel {os.uname().release}, "
        f"{os.cpu_count()} CPUs, Postfix {postfix_version()}",
        f"{MESSAGES} messages per run, {WARMUP_MESSAGES} to warm each relay up "
        f"(4 KiB, c20); one message per SMTP session (smtp-source without -d)",
        "size_kib: smtp-source -l payload (KiB) plus about 120 bytes of header",
        "accepted_per_s: messages / time until smtp-source exits; e2e_per_s: "
        "messages / time until smtp-sink counted all of them and the relay's "
        "queue is empty",
        "p50_ms/p99_ms: DATA end to 2xx reply of every message (latency.so in "
        "smtp-source)",
        f"cpu_s_per_1000: relay processes' CPU ({accounting_method}) per 1000 "
        "messages; peak_rss_kib/peak_pss_kib: max of the summed RSS (sampled "
        f"every {RSS_SAMPLE_S} s) or PSS (every {PSS_SAMPLE_S} s) of the relay's "
        "processes",
        "ceiling rows: smtp-source straight into smtp-sink; their cpu and memory "
        "columns describe smtp-sink",
        "ratio rows: the first relay's value divided by the second's (higher is "
        "better for *_per_s, lower for the others)",
    ]


class Stop(Exception):
    pass


def on_signal(signum, _frame):
    raise Stop(f"stopped by signal {signum}")


def main():
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    raise_nofile()
    build_probe()
    results, idle = [], []
    targets = (Ceiling(), Postfix(), Sekimori())
    say(f"bench: {MESSAGES} messages per run, sizes {SIZES_KIB} KiB, "
        f"concurrency {CONCURRENCY}; output in {OUT}")
    try:
        for target in targets:
            say(f"{target.name}:")
            reason = target.start()
            if not isinstance(target, Ceiling):
                idle.append(idle_connections(target, reason))
                say("  " + idle_lines(idle[-1:])[0])
            results += measure(target, reason)
            target.stop()
    finally:
        for target in targets:
            target.stop()
    rows = table_rows(results)
    write_tsv(rows, header_lines(targets[1].accounting.method))
    write_idle_tsv(idle)
    say("")
    print_table(rows)
    say("")
    for line in idle_lines(idle):
        say(line)
    for line in sync_lines(results):
        say(line)
    say(f"(tables in {OUT / 'relay.tsv'} and {OUT / 'idle.tsv'}; the load's "
        f"and sinks' output in {LOGS}; SK_BENCH_LOGS=1 keeps the relays' logs)")
    say(final_line(results))


if __name__ == "__main__":
    try:
        main()
    except Stop as e:
        print(f"bench: {e}", file=sys.stderr)
        sys.exit(1)
