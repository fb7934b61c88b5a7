#!/usr/bin/python3
"""policy-test.py - sekimorid's policy step end to end on loopback (issue
4): a private daemon with sender-authentication in its config, DNS
answered from a zone file (--zone), delivering to a sink.

What it covers: a forged From of a p=reject domain refused at the end of
DATA with 550 5.7.1; an SPF-pass, DKIM-signed message (signed by
sekimori-check dkim-sign) delivered with one Authentication-Results header
of ours showing spf=pass dkim=pass dmarc=pass, and Received-SPF; an
incoming Authentication-Results that claims our authserv-id renamed before
it reaches the sink; p=quarantine tagged and delivered; outbound mail from
an internal network DKIM-signed by the relay (RSA and Ed25519) and verified
by dkimpy with the keys of the test zone; the policy process killed: 451
4.7.1, then recovered; killed with a check in flight: 451 4.7.1; the
"QID: policy: ..." log lines; unavailable-action accept: mail goes through
unchecked while the policy is away.

Uses relaylib (SK_SEKIMORID, SK_QUEUE_TOOL) and SK_CHECK (sekimori-check,
default output/host/bin/sekimori-check). Prints PASS:/FAIL: lines; exits 1
if anything failed.
"""

import json
import os
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relaylib  # noqa: E402
from relaylib import report, wait_for  # noqa: E402

CHECK = os.environ.get("SK_CHECK", os.path.join(relaylib.TOP, "output", "host",
                                                "bin", "sekimori-check"))
AUTHSERV = "mx.sekimori.test"


def keygen(root, domain, selector, algorithm="rsa-sha256"):
    """A key under ROOT/config/dkim/; (model path, zone line)."""
    d = os.path.join(root, "config", "dkim")
    os.makedirs(d, exist_ok=True)
    name = "%s.%s.key" % (domain, selector)
    out = subprocess.run([CHECK, "dkim-keygen", "--domain", domain,
                          "--selector", selector, "--algorithm", algorithm,
                          "--out", os.path.join(d, name)],
                         check=True, capture_output=True, text=True)
    return "/config/dkim/" + name, out.stdout.strip()


def setup(root, sink):
    """The relay at root with sender-authentication, keys and the zone."""
    tmp = os.path.dirname(root)
    relay = relaylib.Relay(root, sink.port)
    root = relay.root
    rsa_key, rsa_txt = keygen(root, "example.com", "out")
    ed_key, ed_txt = keygen(root, "example.com", "oute", "ed25519-sha256")
    # the inbound sender's key: signs the test messages (sekimori-check)
    sender = os.path.join(tmp, os.path.basename(root) + "-sender")
    in_key, in_txt = keygen(sender, "sender.test", "s1")
    relay.sender_key = os.path.join(sender, in_key.lstrip("/"))
    relay.zone_keys = {"out._domainkey.example.com": rsa_txt,
                       "oute._domainkey.example.com": ed_txt}
    relay.config["sekimori-auth:sender-authentication"] = {
        "dkim": {"signing": {"domain": [{
            "name": "example.com",
            "selector": [
                {"name": "out", "algorithm": "rsa-sha256",
                 "key-file": rsa_key},
                {"name": "oute", "algorithm": "ed25519-sha256",
                 "key-file": ed_key},
            ]}]}},
        "dmarc": {"quarantine-action": "quarantine"},
    }
    with open(relay.config_path, "w") as f:
        json.dump(relay.config, f, indent=1)
    with open(relay.zone, "w") as f:
        f.write("$TTL 300\n"
                "sink.test. IN A 127.0.0.1\n"
                "sender.test. IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n"
                "_dmarc.sender.test. IN TXT \"v=DMARC1; p=reject\"\n"
                "bank.test. IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
                "_dmarc.bank.test. IN TXT \"v=DMARC1; p=reject\"\n"
                "shop.test. IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
                "_dmarc.shop.test. IN TXT \"v=DMARC1; p=quarantine\"\n"
                "example.com. IN TXT \"v=spf1 ip4:127.0.0.2 -all\"\n"
                "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n")
        f.write(in_txt.replace("._domainkey.sender.test ",
                               "._domainkey.sender.test. ") + "\n")
        for line in (rsa_txt, ed_txt):
            f.write(line.replace("._domainkey.example.com ",
                                 "._domainkey.example.com. ") + "\n")
    return relay


def message(tag, sender, extra=b""):
    return (extra + b"From: " + sender.encode() + b"\r\n"
            b"To: alice@example.com\r\nSubject: policy " + tag.encode() +
            b"\r\nDate: Wed, 26 Nov 2025 10:00:00 +0000\r\n"
            b"Message-ID: <" + tag.encode() + b"@test>\r\n\r\n"
            b"body " + tag.encode() + b"\r\n")


send = relaylib.send


def headers(data):
    """The header lines of a message, unfolded, as text."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    return re.sub(r"\r\n[ \t]", " ", head).split("\r\n")


def sign(relay, data):
    """data signed by sekimori-check for sender.test (selector s1)."""
    return subprocess.run([CHECK, "dkim-sign", "--domain", "sender.test",
                           "--selector", "s1", "--key", relay.sender_key],
                          input=data, check=True,
                          capture_output=True).stdout


def at_sink(sink, tag):
    found = wait_for(lambda: sink.find(tag.encode()), 30)
    return found[0][2] if found else None


def test_forged_from_rejected(relay, sink):
    tag = "forged-%f" % time.time()
    code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                      message(tag, "Bank <security@bank.test>"))
    report("policy-forged-from-550", code == 550 and
           text.startswith(b"5.7.1 DMARC policy of bank.test"),
           "got %d %r" % (code, text))
    time.sleep(0.5)
    report("policy-forged-from-not-delivered", not sink.find(tag.encode()),
           "delivered")


def test_signed_inbound(relay, sink):
    tag = "signed-%f" % time.time()
    # a body of many read chunks: the policy streams it
    big = b"".join(b"line %06d of the body, long enough to matter\r\n" % i
                   for i in range(8000))
    data = sign(relay, message(tag, "Sender <news@sender.test>") + big)
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      data)
    report("policy-signed-accepted", code == 250, "got %d %r" % (code, text))
    got = at_sink(sink, tag)
    if got is None:
        report("policy-signed-delivered", False, "not at the sink")
        return
    h = headers(got)
    ours = [x for x in h if x.startswith("Authentication-Results: " +
                                         AUTHSERV)]
    report("policy-authentication-results-first",
           h[0].startswith("Authentication-Results: " + AUTHSERV),
           "first header: %r" % h[0])
    report("policy-authentication-results-pass", len(ours) == 1 and
           all(w in ours[0] for w in ("spf=pass", "dkim=pass",
                                      "dmarc=pass", "header.d=sender.test")),
           "got %r" % ours)
    report("policy-received-spf",
           any(x.startswith("Received-SPF: pass") for x in h),
           "no Received-SPF: pass")
    # what the relay added does not break the sender's signature
    out = subprocess.run([CHECK, "dkim-verify", "--zone", relay.zone],
                         input=got, capture_output=True)
    report("policy-signature-survives", out.returncode == 0,
           out.stdout.decode(errors="replace"))


def test_forged_authres(relay, sink):
    tag = "forged-ar-%f" % time.time()
    forged = ("Authentication-Results: %s; dkim=pass header.d=bank.test\r\n"
              % AUTHSERV).encode()
    other = b"Authentication-Results: other.example; spf=pass\r\n"
    data = message(tag, "news@sender.test", forged + other)
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      data)
    got = at_sink(sink, tag) if code == 250 else None
    if got is None:
        report("policy-forged-authres", False, "got %d %r" % (code, text))
        return
    h = headers(got)
    ours = [x for x in h if x.lower().startswith(
        "authentication-results: " + AUTHSERV)]
    report("policy-forged-authres-renamed",
           len(ours) == 1 and "header.d=bank.test" not in ours[0] and
           any(x.startswith("X-Sekimori-Removed-A-R: " + AUTHSERV)
               for x in h), "headers %r" % h)
    report("policy-foreign-authres-kept",
           any(x.startswith("Authentication-Results: other.example")
               for x in h), "other.example's A-R is gone")


def test_quarantine_tagged(relay, sink):
    tag = "quarantine-%f" % time.time()
    code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                      message(tag, "shop@shop.test"))
    got = at_sink(sink, tag) if code == 250 else None
    report("policy-quarantine-tagged", got is not None and any(
        x.startswith("X-Sekimori-Policy: quarantine; dmarc=fail")
        for x in headers(got)), "got %d %r" % (code, text))


def test_outbound_signed(relay, sink):
    import dkim
    tag = "outbound-%f" % time.time()
    code, text = send(relay, "app@example.com", "someone@elsewhere.example",
                      message(tag, "App <app@example.com>"),
                      source="127.0.0.2")
    got = at_sink(sink, tag) if code == 250 else None
    if got is None:
        report("policy-outbound-signed", False, "got %d %r" % (code, text))
        return
    h = headers(got)
    sigs = [x for x in h if x.startswith("DKIM-Signature:")]
    report("policy-outbound-two-signatures", len(sigs) == 2 and
           "a=rsa-sha256" in sigs[0] and "a=ed25519-sha256" in sigs[1],
           "signatures %r" % sigs)
    keys = {}
    for name, line in relay.zone_keys.items():
        txt = "".join(re.findall(r'"([^"]*)"', line))
        keys[(name + ".").encode()] = txt.encode()

    def dns(name, timeout=5):
        return keys.get(name if name.endswith(b".") else name + b".")

    ok = []
    for i in range(len(sigs)):
        d = dkim.DKIM(got)
        ok.append(d.verify(idx=i, dnsfunc=dns))
    report("policy-outbound-dkimpy-verifies", ok == [True, True],
           "dkimpy: %r" % ok)


def policy_pid(relay):
    """The pid of the running policy process, from its start line."""
    pids = re.findall(r"sekimori/policy\[(\d+)\]: policy: authserv-id",
                      relay.log())
    return int(pids[-1]) if pids else None


def running_policy(relay, name):
    """policy_pid, or None after a FAIL of test name (nothing to kill)."""
    pid = policy_pid(relay)
    if pid is None:
        report(name, False, "no policy process in the log")
    return pid


def open_data(relay):
    """An SMTP session on the mx listener, bounce@sender.test to
    alice@example.com, left just after DATA (the message is the caller's)."""
    s = smtplib.SMTP("127.0.0.1", relay.ports["mx"], timeout=30)
    s.ehlo("client.sender.test")
    s.mail("bounce@sender.test")
    s.rcpt("alice@example.com")
    s.docmd("DATA")
    return s


def test_policy_killed(relay, sink):
    pid = running_policy(relay, "policy-killed")
    if pid is None:
        return
    tag = "killed-%f" % time.time()
    s = open_data(relay)
    s.send(message(tag, "news@sender.test"))
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)  # smtp sees the link close; the restart waits >= 1 s
    s.send(b".\r\n")
    code, text = s.getreply()
    s.quit()
    report("policy-killed-451", code == 451 and text.startswith(b"4.7.1"),
           "got %d %r" % (code, text))
    restarted = wait_for(lambda: (policy_pid(relay) or pid) != pid, 30)
    report("policy-restarted", bool(restarted), "no new policy process")
    tag = "recovered-%f" % time.time()
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      sign(relay, message(tag, "news@sender.test")))
    report("policy-recovered", code == 250 and at_sink(sink, tag) is not None,
           "got %d %r" % (code, text))


def test_policy_killed_in_flight(relay, sink):
    """the policy stops (SIGSTOP) with a check in flight, then dies: the
    waiting client gets 451 4.7.1 from smtp, not silence"""
    pid = running_policy(relay, "policy-killed-in-flight")
    if pid is None:
        return
    tag = "inflight-%f" % time.time()
    s = open_data(relay)
    os.kill(pid, signal.SIGSTOP)
    s.send(message(tag, "news@sender.test") + b".\r\n")
    time.sleep(0.3)  # smtp has sent P_CHECK and waits
    os.kill(pid, signal.SIGKILL)
    code, text = s.getreply()
    s.quit()
    report("policy-killed-in-flight-451",
           code == 451 and text.startswith(b"4.7.1"),
           "got %d %r" % (code, text))
    wait_for(lambda: (policy_pid(relay) or pid) != pid, 30)


def test_unavailable_accept(tmp, sink):
    """unavailable-action accept: with the policy away, mail goes through
    unchecked (and unsigned), with a warning"""
    relay = setup(os.path.join(tmp, "accept"), sink)
    relay.config["sekimori-auth:sender-authentication"][
        "unavailable-action"] = "accept"
    with open(relay.config_path, "w") as f:
        json.dump(relay.config, f, indent=1)
    try:
        if not relay.start() or not wait_for(lambda: policy_pid(relay), 20):
            report("policy-unavailable-accept", False, "no start")
            return
        os.kill(policy_pid(relay), signal.SIGKILL)
        time.sleep(0.2)
        tag = "unchecked-%f" % time.time()
        code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                          message(tag, "Bank <security@bank.test>"))
        got = at_sink(sink, tag) if code == 250 else None
        report("policy-unavailable-accept", got is not None and
               b"Authentication-Results" not in got and
               "accepted unchecked" in relay.log(),
               "got %d %r" % (code, text))
    finally:
        relay.stop()


def test_logs(relay):
    log = relay.log()
    report("policy-log-lines", re.search(
        r"sekimori/policy\[\d+\]: [0-9A-Z]+: policy: spf=pass dkim=pass "
        r"arc=none dmarc=pass action=accept", log) is not None and
        re.search(r"policy: outbound dkim=signed d=example.com s=out,oute",
                  log) is not None and
        re.search(r"policy-reject: END-OF-MESSAGE from .*550 5.7.1 DMARC",
                  log) is not None, "policy lines missing")


def main():
    for path in (relaylib.SEKIMORID, CHECK):
        if not os.path.exists(path):
            report("policy-setup", False, "no %s: run make host" % path)
            return 1
    tmp = tempfile.mkdtemp(prefix="sk-policy-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    sink = relaylib.Sink()
    relay = setup(os.path.join(tmp, "policy"), sink)
    try:
        if not relay.start() or not wait_for(lambda: policy_pid(relay), 20):
            report("policy-start", False, relay.log()[-3000:])
            return 1
        report("policy-start", True)
        tests = [
            (test_forged_from_rejected, (relay, sink)),
            (test_signed_inbound, (relay, sink)),
            (test_forged_authres, (relay, sink)),
            (test_quarantine_tagged, (relay, sink)),
            (test_outbound_signed, (relay, sink)),
            (test_policy_killed, (relay, sink)),
            (test_policy_killed_in_flight, (relay, sink)),
            (test_logs, (relay,)),
        ]
        relaylib.run_tests(tests, relay)
        relay.stop()
        relaylib.run_tests([(test_unavailable_accept, (tmp, sink))])
    finally:
        relay.stop()
        sink.stop()
        if relaylib.failures:
            print("log:\n" + relay.log()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print("policy-test: %d passed, %d failed" % (relaylib.passes,
                                                 relaylib.failures))
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
