#!/usr/bin/python3
"""relay-crash-test.py - sekimorid keeps every message it acknowledged
through kill -9 of any of its processes, and of all of them at once.

The promise under test (firmware/sekimorid/README.md, firmware/queue/
README.md "Durability"): a message that got 250 is delivered, whatever
process is killed at whatever instant; it may be delivered twice only when
the record of its delivery was not yet stored (RFC 5321 6.1 allows that).

How: a private daemon (ci/relaylib.py) relays to a recording sink while
client threads send without pause, each message with a unique tag, noting
which got 250 (and the queue id) and which got anything else. Meanwhile:

1. KILLS times, a random child (smtp, queue or mta) gets SIGKILL, then a
   random 0.2-2 s pause; the supervisor restarts each, its log says so.
   The victim is drawn among the children that have run SUP_YOUNG_S: the
   supervisor restarts a child that dies younger after 1, 2, 4 ... 60 s
   (a crash loop, supervisor.c), and with kills 0.2-2 s apart the daemon
   would be partly down for most of the test (measured: 2 or 3 kills of
   20 found all three children running). So each kill hits a whole
   daemon under load, restarted 100 ms later.
2. The whole daemon (supervisor and children) is killed and a new one
   started on the same spool, twice (a second instant of the kind that
   loses most: every process at once), each new daemon under load.
3. The load stops; the sink must then hold every tag that got 250, the
   spool must empty, and no child may have died other than by our kills
   (a SIGSYS would be a call missing from smtp's seccomp list).

A power cut is not simulated (no VM here): killing everything at once is
the closest, without the loss of the page cache. Figures go out as INFO
lines; SK_CRASH_SEED=N draws a run's victims and pauses again (not its
timing). Prints PASS:/FAIL: lines; exits 1 if anything failed.
"""

import os
import random
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relaylib  # noqa: E402
from relaylib import report, wait_for  # noqa: E402

CLIENTS = 4                # sending threads
MESSAGES_PER_SESSION = 100  # then QUIT and connect again
TIMEOUT_S = 10             # a client's patience for each reply
KILLS = 20                 # random children killed one by one
PAUSE_S = (0.2, 2.0)       # between two kills
WARMUP_S = 2.0             # load before the first kill
SUP_YOUNG_S = 11           # supervisor.c SUP_YOUNG_MS (10 s), and a margin
RESTART_WAIT_S = 5         # for the last restarts, after the kills
CRASHES = 2                # kills of the whole daemon
AFTER_RESTART_S = 3.0      # load on each new daemon
DRAIN_S = 120              # the sink must have everything by then
ROLES = ("sekimori/smtp", "sekimori/queue", "sekimori/mta")
RCPTS = (["alice@example.com"], ["bob@example.com"],
         ["alice@example.com", "bob@example.com"])
TAG_RE = re.compile(rb"\r\nX-Crash-Tag: (crash-\d+-\d+)\r\n")
# supervisor.c, proc_died: "process NAME HOW; restarting in D s"
DEATH_RE = re.compile(r"process (sekimori/\w+) (killed by signal (\d+)|"
                      r"exited with status \d+)[^;\n]*; restarting in "
                      r"([0-9.]+) s")


def message(tag):
    return ("From: load@example.org\r\nTo: alice@example.com\r\n"
            "Subject: crash test %s\r\nMessage-ID: <%s@crash.test>\r\n"
            "X-Crash-Tag: %s\r\n\r\nbody of %s\r\n" %
            (tag, tag, tag, tag)).encode()


class Load:
    """CLIENTS threads sending to the relay until stop().

    acked: tag -> (recipients, queue id, time) of each DATA answered 250.
    unsure: tags whose DATA got another answer or none (the connection
    broke): they may or may not arrive. refused: MAIL or RCPT not 250
    (nothing sent). errors: sessions that broke before DATA or at connect.
    stalls: (step, tag) of sessions where the daemon fell silent for the
    client's whole timeout: a kill breaks connections or gets a 451, it
    never leaves a client waiting, so a stall is a hung session.
    """

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.acked = {}
        self.unsure = set()
        self.refused = 0
        self.errors = 0
        self.stalls = []
        self.sent = 0
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self.client, args=(n,),
                                         daemon=True)
                        for n in range(CLIENTS)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.done.set()
        for t in self.threads:
            if t.ident is not None:  # started
                t.join(30)

    def acked_since(self, t):
        with self.lock:
            return sum(1 for a in self.acked.values() if a[2] >= t)

    def client(self, n):
        seq = 0
        rng = random.Random(n)
        step = ["connect"]  # where the session is, for a stall
        while not self.done.is_set():
            step[0] = "connect"
            try:
                s = smtplib.SMTP("127.0.0.1", self.port, timeout=TIMEOUT_S)
            except OSError as e:
                self.note_error(e, step[0])
                continue
            try:
                step[0] = "EHLO"
                s.ehlo("load%d.example.org" % n)
                for _ in range(MESSAGES_PER_SESSION):
                    if self.done.is_set():
                        break
                    seq += 1
                    self.one(s, "crash-%d-%d" % (n, seq), rng.choice(RCPTS),
                             step)
                step[0] = "QUIT"
                s.quit()
            except (OSError, smtplib.SMTPException) as e:
                self.note_error(e, step[0])
            finally:
                s.close()

    def note_error(self, e, step):
        with self.lock:
            self.errors += 1
            # smtplib turns a read timeout into SMTPServerDisconnected
            if isinstance(e, TimeoutError) or "timed out" in str(e):
                self.stalls.append(step)
        time.sleep(0.1)  # the daemon is restarting: do not spin

    def one(self, s, tag, rcpts, step):
        """One transaction; raises when the session breaks."""
        step[0] = "MAIL " + tag
        code, _ = s.mail("load@example.org")
        step[0] = "RCPT " + tag
        if code == 250:
            code = max(s.rcpt(r)[0] for r in rcpts)
        if code != 250:
            with self.lock:
                self.refused += 1
            step[0] = "RSET " + tag
            s.rset()
            time.sleep(0.1)  # the queue is restarting: do not spin
            return
        with self.lock:
            self.sent += 1
            self.unsure.add(tag)  # until the 250 is read
        step[0] = "DATA " + tag
        code, text = s.data(message(tag))
        if code == 250:
            with self.lock:
                self.unsure.discard(tag)
                self.acked[tag] = (rcpts, text.decode().split()[-1],
                                   time.time())


class Delivered:
    """What the sink got: per (tag, recipient), how many times."""

    def __init__(self, sink):
        self.sink = sink
        self.seen = 0
        self.count = {}
        self.foreign = []  # messages without a tag of ours

    def update(self):
        with self.sink.lock:
            new = self.sink.messages[self.seen:]
            self.seen += len(new)
        for _, rcpts, data in new:
            m = TAG_RE.search(data)
            if m is None:
                self.foreign.append(data)
                continue
            for r in rcpts:
                key = (m.group(1).decode(), r)
                self.count[key] = self.count.get(key, 0) + 1

    def missing(self, acked):
        """(tag, recipient) pairs that got 250 and are not here yet."""
        self.update()
        return [(t, r) for t, a in acked.items() for r in a[0]
                if (t, r) not in self.count]

    def duplicates(self):
        return sum(n - 1 for n in self.count.values() if n > 1)

    def tags(self):
        return set(t for t, _ in self.count)


# ---- chaos ----------------------------------------------------------------


def age(pid):
    """Seconds since pid started; 0 if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            up = float(f.read().split()[0])
    except (OSError, IndexError, ValueError):
        return 0
    return up - start / os.sysconf("SC_CLK_TCK")


def kill_one(relay, rng):
    """kill -9 a random child that the supervisor will restart at once;
    (role, restart delay, whole) from the supervisor's log line, or None
    when no child could be killed."""
    kids = wait_for(lambda: [p for p in relay.children()
                             if age(p) >= SUP_YOUNG_S], SUP_YOUNG_S + 5)
    if not kids:
        return None
    whole = len(relay.children()) == len(ROLES)
    since = relay.log_size()
    try:
        os.kill(rng.choice(kids), signal.SIGKILL)
    except ProcessLookupError:
        return None  # it died on its own: check_deaths tells
    death = wait_for(lambda: DEATH_RE.search(relay.log(since)), 5)
    if death is None:
        return ("?", 0.0, whole)
    return (death.group(1), float(death.group(4)), whole)


def chaos(relay, rng):
    """KILLS kills a random pause apart; role -> when its restart is due,
    and the number of kills done."""
    due = {}
    kills = whole = 0
    for _ in range(KILLS):
        k = kill_one(relay, rng)
        if k is not None:
            kills += 1
            whole += k[2]
            due[k[0]] = time.time() + k[1]
        time.sleep(rng.uniform(*PAUSE_S))
    print("INFO: %d kills, %d of them while all three children ran" %
          (kills, whole), flush=True)
    return due, kills


def check_restarts(relay, due):
    """The restarts due within RESTART_WAIT_S happened; later ones (none
    unless a kill found a young child) are left to the supervisor's log
    line (check_deaths)."""
    deadline = time.time() + RESTART_WAIT_S
    late = sorted(r for r, t in due.items() if t > deadline)
    want = len(ROLES) - len(late)
    wait_for(lambda: len(relay.children()) >= want,
             RESTART_WAIT_S + 2)
    n = len(relay.children())
    if late:
        print("INFO: restart not awaited (due in more than %d s): %s" %
              (RESTART_WAIT_S, ", ".join(late)), flush=True)
    report("crash-children-restarted", n >= want,
           "%d children running, want %d" % (n, want))


def check_deaths(log, kills):
    """The first daemon logged each of our kills with a restart, and no
    other death."""
    deaths = DEATH_RE.findall(log)
    ours = [d for d in deaths if d[2] == "9"]
    other = [d for d in deaths if d[2] != "9"]
    per_role = {}
    for d in ours:
        per_role[d[0]] = per_role.get(d[0], 0) + 1
    print("INFO: kills per process: %s; restart delays (s): %s" %
          (", ".join("%s %d" % kv for kv in sorted(per_role.items())),
           " ".join(d[3] for d in ours)), flush=True)
    report("crash-each-kill-restarted", len(ours) == kills,
           "%d kills, %d 'killed by signal 9 ... restarting' log lines" %
           (kills, len(ours)))
    report("crash-no-other-death", not other,
           "children died without our kill (SIGSYS would be a call missing "
           "from the seccomp list): %s" %
           ["%s %s" % (d[0], d[1]) for d in other])


def crash_and_restart(relay, load, n):
    """kill -9 the whole daemon, start a new one on the same spool and
    let it work under load; the new daemon's log offset, or None."""
    relay.crash()
    since = relay.log_size()
    started = relay.start()
    t0 = time.time()
    report("crash-restart-after-kill-all-%d" % n, started,
           relay.log(since)[-2000:])
    if not started:
        return None
    time.sleep(AFTER_RESTART_S)
    got = load.acked_since(t0)
    report("crash-new-daemon-%d-accepts" % n, got > 0,
           "no 250 in %.0f s after the restart" % AFTER_RESTART_S)
    recovered = relay.log(since).count("recovery:")
    print("INFO: daemon %d: %d messages answered 250 in its first %.0f s; "
          "%d recovery lines in its log" %
          (n + 1, got, AFTER_RESTART_S, recovered), flush=True)
    return since


# ---- the end --------------------------------------------------------------


def queue_list(relay):
    p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                        "list"], capture_output=True, timeout=20)
    return p.returncode, p.stdout.decode("utf-8", "replace").strip()


def explain(relay, qids):
    """What the queue and the log say about a few lost messages."""
    for qid in qids:
        p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                            "show", qid], capture_output=True, timeout=20)
        print("lost %s: sekimori-queue show:\n%s%s" %
              (qid, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace")))
        print("lost %s: log:\n%s" % (qid, "\n".join(
            line for line in relay.log().splitlines() if qid in line)),
            flush=True)


def check_delivery(relay, load, delivered):
    """After the load stopped: every 250 reaches the sink."""
    acked = dict(load.acked)
    t0 = time.time()
    wait_for(lambda: not delivered.missing(acked), DRAIN_S, 0.5)
    drained = time.time() - t0
    lost = delivered.missing(acked)
    pairs = sum(len(a[0]) for a in acked.values())
    arrived = len(load.unsure & delivered.tags())
    print("INFO: sent %d, 250s %d (%d recipient deliveries due), DATA not "
          "answered 250 %d (%d of them arrived anyway), MAIL/RCPT refused "
          "%d, broken sessions %d" %
          (load.sent, len(acked), pairs, len(load.unsure), arrived,
           load.refused, load.errors), flush=True)
    print("INFO: delivered %d, lost %d, duplicates %d (allowed: the record "
          "of delivery was not yet stored); the sink was complete %.1f s "
          "after the load stopped" %
          (sum(delivered.count.values()), len(lost), delivered.duplicates(),
           drained), flush=True)
    if lost:
        explain(relay, sorted(set(acked[t][1] for t, _ in lost))[:3])
    report("crash-no-acknowledged-message-lost", not lost,
           "%d of %d recipient deliveries that got 250 never reached the "
           "sink, e.g. %s" %
           (len(lost), pairs, ["%s %s (queue id %s)" % (t, r, acked[t][1])
                               for t, r in lost[:5]]))
    report("crash-no-stalled-session", not load.stalls,
           "%d sessions got no answer for %d s, at: %s" %
           (len(load.stalls), TIMEOUT_S, load.stalls[:5]))
    report("crash-only-whole-messages", not delivered.foreign,
           "%d messages at the sink without their tag, e.g. %r" %
           (len(delivered.foreign), delivered.foreign[:2]))


def check_spool(relay):
    # messages that were not answered 250 may still be on their way
    wait_for(lambda: queue_list(relay) == (0, "0 messages"), 30, 0.5)
    rc, out = queue_list(relay)
    report("crash-spool-empty", (rc, out) == (0, "0 messages"),
           "sekimori-queue list (exit %d): %s" % (rc, out[-600:]))


def run(relay, load, delivered, rng):
    if not relay.start():
        report("relay-crash-start", False, relay.log()[-2000:])
        return
    load.start()
    time.sleep(WARMUP_S)
    due, kills = chaos(relay, rng)
    report("crash-%d-kills" % KILLS, kills == KILLS,
           "only %d children could be killed" % kills)
    check_restarts(relay, due)
    check_deaths(relay.log(), kills)
    first = relay.log_size()  # the new daemons' log begins here
    for n in range(1, CRASHES + 1):
        since = crash_and_restart(relay, load, n)
        if since is None:
            return
        if n < CRASHES:
            report("crash-new-daemon-%d-whole" % n,
                   len(relay.children()) == len(ROLES),
                   "children %s" % relay.children())
    load.stop()
    check_delivery(relay, load, delivered)
    check_spool(relay)
    # the new daemons were only killed whole, which nobody logs
    deaths = DEATH_RE.findall(relay.log(first))
    report("crash-no-death-after-restart", not deaths, "%s" % deaths)
    relay.stop()
    report("crash-clean-stop", relay.log(since).rstrip().endswith("stopped"),
           relay.log(since)[-600:])


def main():
    for tool in (relaylib.SEKIMORID, relaylib.QUEUE_TOOL):
        if not os.path.exists(tool):
            report("relay-crash-setup", False, "no %s: run make host" % tool)
            return 1
    seed = int(os.environ.get("SK_CRASH_SEED", int(time.time())))
    print("INFO: seed %d (SK_CRASH_SEED=%d draws the same victims)" %
          (seed, seed), flush=True)
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="sk-crash-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    sink = relaylib.Sink()
    relay = relaylib.Relay(os.path.join(tmp, "relay"), sink.port)
    load = Load(relay.ports["mx"])  # every new daemon listens there too
    try:
        run(relay, load, Delivered(sink), random.Random(seed))
    finally:
        load.stop()
        relay.stop()
        sink.stop()
        print("INFO: crash test took %.0f s" % (time.time() - start),
              flush=True)
        relaylib.keep_log_on_failure(relay, "relay-crash-test.log")
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
