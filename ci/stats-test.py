#!/usr/bin/python3
"""stats-test - `show mail statistics` counts what the relay did.

End to end on loopback with a private daemon (relaylib): a few sessions
with smtplib (a message accepted, one relayed after AUTH on submission, an
AUTH failure, a relay denied, an unknown recipient, an unknown command,
and a message the next hop refuses, so that a bounce is generated), the
deliveries awaited at the test sink, then the counters read with
`sekimorid --statistics -c FILE` compared with what was sent (as
differences from a reading taken after the start: the start's own port
probes are connections too). Then `sekimorid --statistics --clear`, the
CLI's `show mail statistics` and `clear mail statistics` through
sekimori-cli, and no daemon (exit 2).

Programs: SK_SEKIMORID (relaylib) and SK_CLI (sekimori-cli), by default
output/host/bin/. Run as root (the daemon then runs as nobody).
"""

import base64
import os
import re
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile

import relaylib
from relaylib import report, wait_for

CLI = relaylib.CLI
MSG = b"Subject: stats\r\n\r\nhello\r\n"


def statistics(relay, clear=False):
    """(exit status, output) of sekimorid --statistics [--clear]."""
    args = [relaylib.SEKIMORID, "--statistics", "-c", relay.config_path]
    if clear:
        args.append("--clear")
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def parse(text):
    """{(heading, name): [values]} from the statistics text: a heading
    is a line without indent, a counter an indented "name value..."."""
    out, heading = {}, None
    for line in text.splitlines():
        m = re.match(r"^  (\S+)((?:\s+\d+)+)$", line)
        if m and heading is not None:
            out[(heading, m.group(1))] = [int(v) for v in
                                          m.group(2).split()]
        elif line and not line.startswith(" "):
            heading = re.split(r"\s{2,}", line)[0]
    return out


def read(relay):
    rc, text = statistics(relay)
    return parse(text) if rc == 0 else {}


def since_start(now, before, heading, name):
    """A counter's growth between two readings."""
    return now[(heading, name)][-1] - before[(heading, name)][-1]


# ---- the traffic ----------------------------------------------------------


def rcpt_code(relay, rcpt):
    s = smtplib.SMTP("127.0.0.1", relay.ports["mx"], timeout=30)
    try:
        s.ehlo("client.sender.test")
        s.mail("sender@example.net")
        code, _ = s.rcpt(rcpt)
        s.quit()
        return code
    finally:
        s.close()


def unknown_command(relay):
    s = smtplib.SMTP("127.0.0.1", relay.ports["mx"], timeout=30)
    try:
        s.ehlo("client.sender.test")
        code, _ = s.docmd("FOO")
        s.quit()
        return code
    finally:
        s.close()


def submission(relay, password, rcpt=None):
    """AUTH on the submission listener (after STARTTLS); with rcpt, a
    message. The AUTH reply code, or the DATA one."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = smtplib.SMTP("127.0.0.1", relay.ports["submission"], timeout=30)
    try:
        s.ehlo("client.sender.test")
        s.starttls(context=ctx)
        s.ehlo("client.sender.test")
        # one AUTH PLAIN (smtplib's login would try a second mechanism
        # after a failure: two failures)
        token = base64.b64encode(b"\0alice@example.com\0" +
                                 password.encode()).decode()
        code, _ = s.docmd("AUTH", "PLAIN " + token)
        if code != 235 or rcpt is None:
            return code
        s.sendmail("alice@example.com", [rcpt], MSG)
        s.quit()
        return 250
    finally:
        s.close()


def test_counters(relay, sink):
    # the start's port probes may reach the smtp process after start()
    # returned (the parent listens before its child accepts): wait for
    # them, so that they are not counted below
    key = ("smtp server", "connections")
    wait_for(lambda: read(relay).get(key, [0, 0])[1] >= len(relay.ports),
             20)
    before = read(relay)
    report("statistics-readable", ("smtp server", "connections") in before,
           statistics(relay)[1][-600:])
    if not before:
        return
    codes = {
        "accepted": relaylib.send(relay, "sender@example.net",
                                  "alice@example.com", MSG)[0],
        "relay-denied": rcpt_code(relay, "someone@elsewhere.org"),
        "unknown-recipient": rcpt_code(relay, "carol@example.com"),
        "unknown-command": unknown_command(relay),
        "auth-failure": submission(relay, "wrong horse"),
        "auth-success": submission(relay, "correct horse",
                                   "bob@example.com"),
        "bounced-later": relaylib.send(relay, "sender@example.net",
                                       "reject-x@example.net", MSG)[0],
    }
    want = {"accepted": 250, "relay-denied": 554, "unknown-recipient": 550,
            "unknown-command": 500, "auth-failure": 535,
            "auth-success": 250, "bounced-later": 250}
    report("traffic-as-expected", codes == want, "got %s" % codes)
    # alice, bob, and the bounce of reject-x to sender@example.net
    report("traffic-delivered", wait_for(lambda: sink.count() >= 3, 60),
           "the sink has %d" % sink.count())
    # the queue records each result right after the sink's reply
    wait_for(lambda: since_start(read(relay), before, "delivery",
                                 "attempts-permanent") >= 1 and
             since_start(read(relay), before, "queue", "delivered") >= 3,
             20)
    now = read(relay)
    expect = [
        ("smtp server", "connections", 7),
        ("smtp server", "tls-sessions", 2),
        ("smtp server", "auth-success", 1),
        ("smtp server", "auth-failure", 1),
        ("smtp server", "messages-accepted", 3),
        ("smtp server", "recipients-accepted", 3),
        ("smtp server", "reject-relay-denied", 1),
        ("smtp server", "reject-unknown-recipient", 1),
        ("smtp server", "reject-protocol", 1),
        ("queue", "enqueued", 3),  # from smtp; the bounce is made inside
        ("queue", "delivered", 3),
        ("queue", "failed", 1),
        ("queue", "dsns-generated", 1),
        ("delivery", "attempts-ok", 3),
        ("delivery", "attempts-permanent", 1),
    ]
    for heading, name, n in expect:
        got = since_start(now, before, heading, name)
        report("count-%s-%s" % (heading.replace(" ", "-"), name), got == n,
               "got %d, want %d" % (got, n))
    got = since_start(now, before, "delivery", "connections")
    report("count-delivery-connections", got >= 1, "got %d" % got)
    # one sync at least per message acknowledged: the three sessions
    # above waited for their 250 one after the other; their time is
    # the disk's, so only its presence is checked (and slow ones are
    # counted, not asserted: CI machines are noisy)
    syncs = since_start(now, before, "queue", "spool-syncs")
    report("count-queue-spool-syncs", syncs >= 3, "got %d" % syncs)
    took = since_start(now, before, "queue", "spool-sync-microseconds")
    report("count-queue-spool-sync-time", took > 0, "got %d" % took)
    report("count-queue-spool-syncs-slow",
           ("queue", "spool-syncs-slow") in now, "not shown")
    # the queue publishes its level every 5 s: empty once all is out
    ok = wait_for(lambda: read(relay).get(("queue now", "messages"),
                                          [-1])[0] == 0, 20)
    report("queue-now-empty", ok, statistics(relay)[1][-400:])


def test_clear(relay):
    before = read(relay)
    rc, out = statistics(relay, clear=True)
    report("clear-ok", rc == 0 and out == "ok\n", "rc %d: %s" % (rc, out))
    after = read(relay)
    key = ("smtp server", "connections")
    report("clear-zeroes-since-clear", after.get(key, [1])[0] == 0,
           "got %s" % after.get(key))
    report("clear-keeps-since-start",
           after.get(key, [0, 0])[1] == before.get(key, [0, -1])[1],
           "before %s, after %s" % (before.get(key), after.get(key)))
    rc, out = statistics(relay)
    report("clear-time-shown",
           re.search(r"^cleared\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ s ago\)$",
                     out, re.M) is not None, out[:300])


def cli(confdir, data, mail_config, lines):
    return relaylib.run_cli(confdir, data, lines, mail_config, timeout=60)


def test_cli(relay, tmp):
    if not os.path.exists(CLI):
        report("cli-present", False, "no %s: run make host" % CLI)
        return
    confdir, data, _ = relaylib.cli_folders(relay, tmp)
    relaylib.send(relay, "sender@example.net", "alice@example.com", MSG)
    out = cli(confdir, data, relay.config_path,
              ["show mail statistics | no-more"])
    got = parse(out)
    report("cli-show-statistics",
           got.get(("smtp server", "messages-accepted"), [0])[0] >= 1,
           out[-800:])
    out = cli(confdir, data, relay.config_path,
              ["clear mail statistics", "show mail statistics | no-more",
               "show audit event request | no-more"])
    got = parse(out)
    report("cli-clear-statistics",
           "Mail statistics cleared" in out and
           got.get(("smtp server", "messages-accepted"), [1])[0] == 0,
           out[-800:])
    report("cli-clear-audited",
           re.search(r"request\s+clear mail statistics$", out, re.M)
           is not None, out[-800:])


def test_no_daemon(tmp):
    r = relaylib.Relay(os.path.join(tmp, "nodaemon"), 9)
    rc, out = statistics(r)
    report("no-daemon-exit-2", rc == 2, "rc %d: %s" % (rc, out))


def main():
    if not os.path.exists(relaylib.SEKIMORID):
        report("stats-setup", False,
               "no %s: run make host" % relaylib.SEKIMORID)
        return 1
    tmp = tempfile.mkdtemp(prefix="sk-stats-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    sink = relaylib.Sink()
    relay = relaylib.Relay(os.path.join(tmp, "main"), sink.port)
    try:
        if not relay.start():
            report("stats-start", False, relay.log()[-2000:])
            return 1
        report("stats-start", True)
        relaylib.run_tests([
            (test_counters, (relay, sink)),
            (test_clear, (relay,)),
            (test_cli, (relay, tmp)),
            (test_no_daemon, (tmp,)),
        ], relay)
    finally:
        relay.stop()
        sink.stop()
        relaylib.keep_log_on_failure(relay, "stats-test.log")
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
