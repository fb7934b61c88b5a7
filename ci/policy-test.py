#!/usr/bin/python3
"""policy-test.py - sekimorid's policy step end to end on loopback (issue
4): a private daemon with sender-authentication in its config, DNS
answered from a zone file (--zone), delivering to a sink.

What it covers: a forged From of a p=reject domain refused at the end of
DATA with 550 5.7.1; an SPF-pass, DKIM-signed message (signed by
sekimori-check dkim-sign) delivered with one Authentication-Results header
of ours showing spf=pass dkim=pass dmarc=pass, and Received-SPF; an
incoming Authentication-Results that claims our authserv-id renamed before
it reaches the sink; p=quarantine kept in the queue's quarantine; outbound mail from
an internal network DKIM-signed by the relay (RSA and Ed25519) and verified
by dkimpy with the keys of the test zone; the policy process killed: 451
4.7.1, then recovered; killed with a check in flight: 451 4.7.1; the
"QID: policy: ..." log lines; unavailable-action accept: mail goes through
unchecked while the policy is away; the DKIM replay rule (max-recipients
2, action tag): a message dkimpy signed without To in h= (include_headers)
sent from a client that is not the signer's, and a properly signed one to
3 recipients, delivered with X-Sekimori-Policy: dkim-replay and logged
with dkim-replay=suspect; the same signed message to 2 recipients, and one
from the signer's own SPF-authorized client, untouched.

A second relay with the remaining settings: each of the 4 canonicalization
values of a signing domain in the c= of outbound signatures that dkimpy and
`sekimori-check dkim-verify` verify; DMARC overrides (source-network with
mail-from-domain, list-id) delivering a forgery tagged, logged with
override=NAME reason=..., and its aggregate report row giving the reason;
the ARC seal: inbound mail delivered with the next ARC set, cv=none for a
message without ARC and cv=pass for one sealed before by sekimori-check,
both chains valid for dkimpy's arc_verify; refused mail not sealed; a
message that a content rule rewrites after the seal (a subject-prefix tag)
sealed again over the rewritten text, one ARC set of ours, valid for
dkimpy's arc_verify (cv=none without ARC, cv=pass with a valid chain);
a sealed message that a content rule strips (a *.sealstrip attachment,
after a text part of several read chunks) sealed again over the text as
delivered, with the quarantined original's id in place of the token
(valid for arc_verify), the original listed under that id by
sekimori-queue and both ids in the log;
`show mail authentication-results` (SK_CLI, sekimori-cli) after a passing,
a refused and an overridden message: their rows, newest first, the
filters, the summary, a hostile row printed escaped.

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
CLI = relaylib.CLI
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


def test_quarantine_kept(relay, sink):
    """p=quarantine with quarantine-action quarantine: 250, and the queue
    keeps the message in its quarantine (the reason: the DMARC failure),
    tagged for whoever releases it; nothing reaches the sink."""
    tag = "quarantine-%f" % time.time()
    code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                      message(tag, "shop@shop.test"))
    listed = b""
    for _ in range(40):
        p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                            "quarantine", "list"], capture_output=True,
                           timeout=30)
        listed = p.stdout + p.stderr
        if b"dmarc=fail header.from=shop.test" in listed:
            break
        time.sleep(0.25)
    time.sleep(1)
    report("policy-quarantine-kept", code == 250 and
           b"dmarc=fail header.from=shop.test policy=quarantine" in listed
           and not sink.find(tag.encode()),
           "got %d %r; quarantine list: %r" % (code, text, listed[-600:]))


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


# ---- DKIM replay -----------------------------------------------------

REPLAY_MAX = 2  # the main relay's dkim replay max-recipients


def with_replay(relay):
    """The main relay's config with a low max-recipients (action: the
    default, tag)."""
    relay.config["sekimori-auth:sender-authentication"]["dkim"]["replay"] = {
        "max-recipients": REPLAY_MAX}
    with open(relay.config_path, "w") as f:
        json.dump(relay.config, f, indent=1)
    return relay


def send_many(relay, mail_from, rcpts, data):
    """One message to several recipients; (code, text) of DATA."""
    s = smtplib.SMTP("127.0.0.1", relay.ports["mx"], timeout=30)
    try:
        s.ehlo("client.sender.test")
        s.mail(mail_from)
        for r in rcpts:
            s.rcpt(r)
        code, text = s.data(data)
        s.quit()
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error
    return code, text


def replay_tag(got):
    """The dkim-replay tag fields of a delivered message."""
    return [x for x in headers(got)
            if x.startswith("X-Sekimori-Policy: dkim-replay")]


def test_replay_uncovered_to(relay, sink):
    """signed by a signer that leaves To out of h=, then sent on by a
    client the signing domain does not authorize (SPF none)"""
    import dkim
    tag = "replay-to-%f" % time.time()
    data = message(tag, "News <news@sender.test>")
    with open(relay.sender_key, "rb") as f:
        key = f.read()
    sig = dkim.sign(data, b"s1", b"sender.test", key,
                    include_headers=[b"from", b"subject", b"date",
                                     b"message-id"])
    code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                      sig + data)
    got = at_sink(sink, tag) if code == 250 else None
    if got is None:
        report("policy-replay-uncovered-to", False,
               "got %d %r" % (code, text))
        return
    ours = [x for x in headers(got) if x.startswith(
        "Authentication-Results: " + AUTHSERV)]
    report("policy-replay-uncovered-to",
           replay_tag(got) == ["X-Sekimori-Policy: dkim-replay; "
                               "reason=uncovered-to header.d=sender.test"]
           and len(ours) == 1 and "dkim=pass" in ours[0] and
           "dmarc=pass" in ours[0], "headers %r" % headers(got))
    report("policy-replay-uncovered-to-log", wait_for(lambda: re.search(
        r"policy: spf=none dkim=pass arc=none dmarc=pass dkim-replay=suspect "
        r"reason=uncovered-to action=accept", relay.log()), 10) is not None,
        "no dkim-replay=suspect line")


def test_replay_recipients(relay, sink):
    """a properly signed message (To covered) from a client that is not
    the signer's: to REPLAY_MAX recipients untouched, to one more
    tagged; from the signer's own client untouched"""
    rcpts = ["alice@example.com", "bob@example.com", "postmaster@example.com"]
    results = []
    for n, source_from in ((REPLAY_MAX, "x@elsewhere.example"),
                           (REPLAY_MAX + 1, "x@elsewhere.example"),
                           (REPLAY_MAX + 1, "bounce@sender.test")):
        tag = "replay-rcpt-%d-%s-%f" % (n, source_from[0], time.time())
        data = sign(relay, message(tag, "News <news@sender.test>"))
        code, text = send_many(relay, source_from, rcpts[:n], data)
        got = at_sink(sink, tag) if code == 250 else None
        results.append(None if got is None else replay_tag(got))
    want = [[], ["X-Sekimori-Policy: dkim-replay; reason=recipients "
                 "recipients=3 header.d=sender.test"], []]
    report("policy-replay-recipients", results == want, "got %r" % results)
    report("policy-replay-recipients-log", wait_for(lambda: re.search(
        r"dmarc=pass dkim-replay=suspect reason=recipients recipients=3 "
        r"action=accept", relay.log()), 10) is not None,
        "no dkim-replay=suspect line")


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


# ---- canonicalization, overrides, ARC seal (a second relay) ----------

CANONS = ("relaxed/relaxed", "relaxed/simple", "simple/relaxed",
          "simple/simple")


def canon_domain(c):
    return c.replace("/", "-") + ".canon.test"


def setup_features(root, sink):
    """setup()'s relay plus: a signing domain per canonicalization, two
    DMARC overrides, aggregate reports (bank.test has rua=), the seal"""
    relay = setup(root, sink)
    sa = relay.config["sekimori-auth:sender-authentication"]
    zone = []
    for c in CANONS:
        d = canon_domain(c)
        key, txt = keygen(relay.root, d, "c", "ed25519-sha256")
        sa["dkim"]["signing"]["domain"].append({
            "name": d, "canonicalization": c,
            "selector": [{"name": "c", "algorithm": "ed25519-sha256",
                          "key-file": key}]})
        relay.zone_keys["c._domainkey." + d] = txt
        zone.append(txt.replace("._domainkey.%s " % d,
                                "._domainkey.%s. " % d))
    sa["dmarc"]["override"] = [
        {"name": "fwd", "reason": "forwarded",
         "source-network": ["127.0.0.0/8"], "mail-from-domain": ["fwd.test"]},
        {"name": "users-list", "reason": "mailing-list",
         "list-id": ["users.lists.example.org"]},
    ]
    sa["dmarc"]["reports"] = {"aggregate": {
        "enabled": True, "org-name": "Sekimori test",
        "from-address": "dmarc-reports@example.com"}}
    sa["arc"] = {"seal": {"domain": "example.com", "selector": "out"}}
    # content rules that rewrite sealed mail (the subject prefix; a
    # strip) for attachments no other test sends: test_arc_seal_rewritten,
    # test_arc_seal_stripped
    relay.config["sekimori-mail:mail"]["content-scanning"] = {
        "enabled": True,
        "rule": [{"name": "seal-tag", "match": {"file-name": ["*.sealtest"]},
                  "action": "tag", "subject-prefix": "[SEALTEST] "},
                 {"name": "seal-strip",
                  "match": {"file-name": ["*.sealstrip"]},
                  "action": "strip"}]}
    with open(relay.config_path, "w") as f:
        json.dump(relay.config, f, indent=1)
    with open(relay.zone) as f:
        text = f.read().replace(
            '_dmarc.bank.test. IN TXT "v=DMARC1; p=reject"',
            '_dmarc.bank.test. IN TXT "v=DMARC1; p=reject; '
            'rua=mailto:dmarc@bank.test"')
    with open(relay.zone, "w") as f:
        f.write(text + "\n".join(zone) + "\n")
    return relay


def zone_dns(relay):
    """A dnsfunc for dkimpy over the test zone's keys."""
    keys = {}
    for name, line in relay.zone_keys.items():
        keys[(name + ".").encode()] = "".join(
            re.findall(r'"([^"]*)"', line)).encode()
    with open(relay.zone) as f:
        for line in f:
            m = re.match(r'(\S+) IN TXT (.*)', line)
            if m and "._domainkey." in m.group(1):
                keys[(m.group(1).rstrip(".") + ".").encode()] = "".join(
                    re.findall(r'"([^"]*)"', m.group(2))).encode()

    def dns(name, timeout=5):
        return keys.get(name if name.endswith(b".") else name + b".")
    return dns


def test_canonicalization(relay, sink):
    import dkim
    for c in CANONS:
        d = canon_domain(c)
        tag = "canon-%s-%f" % (c.replace("/", "-"), time.time())
        code, text = send(relay, "app@" + d, "someone@elsewhere.example",
                          message(tag, "App <app@%s>" % d),
                          source="127.0.0.2")
        got = at_sink(sink, tag) if code == 250 else None
        if got is None:
            report("policy-canon-" + c, False, "got %d %r" % (code, text))
            continue
        sigs = [x for x in headers(got) if x.startswith("DKIM-Signature:")]
        ok = dkim.DKIM(got).verify(dnsfunc=zone_dns(relay))
        out = subprocess.run([CHECK, "dkim-verify", "--zone", relay.zone],
                             input=got, capture_output=True)
        report("policy-canon-" + c, len(sigs) == 1 and
               re.search(r"\bc=%s;" % re.escape(c), sigs[0]) is not None and
               ok and out.returncode == 0,
               "c= in %r, dkimpy %r, ours %d %s" % (
                   sigs, ok, out.returncode, out.stdout.decode()))


def test_overrides(relay, sink):
    tag = "override-fwd-%f" % time.time()
    code, text = send(relay, "x@fwd.test", "alice@example.com",
                      message(tag, "Bank <security@bank.test>"))
    got = at_sink(sink, tag) if code == 250 else None
    report("policy-override-network-mailfrom", got is not None and any(
        x.startswith("X-Sekimori-Policy: override; name=fwd "
                     "reason=forwarded; dmarc=fail header.from=bank.test")
        for x in headers(got)), "got %d %r" % (code, text))
    # a subdomain of mail-from-domain is not it; the 550 stays
    code, text = send(relay, "x@sub.fwd.test", "alice@example.com",
                      message(tag + "-sub", "Bank <security@bank.test>"))
    report("policy-override-subdomain-refused", code == 550,
           "got %d %r" % (code, text))
    tag = "override-list-%f" % time.time()
    code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                      message(tag, "Bank <security@bank.test>",
                              b"List-Id: Users <users.lists.example.org>\r\n"))
    got = at_sink(sink, tag) if code == 250 else None
    report("policy-override-list-id", got is not None,
           "got %d %r" % (code, text))
    code, text = send(relay, "x@elsewhere.example", "alice@example.com",
                      message(tag + "-bare", "Bank <security@bank.test>",
                              b"List-Id: users.lists.example.org\r\n"))
    report("policy-override-list-id-strict", code == 550,
           "got %d %r" % (code, text))
    log = relay.log()
    report("policy-override-log", re.search(
        r"dmarc=fail by=override override=fwd reason=forwarded "
        r"action=accept", log) is not None and re.search(
        r"override=users-list reason=mailing-list action=accept",
        log) is not None, "no override lines")
    db = os.path.join(relay.root, "data", "dmarc", "dmarc.db")
    xml = ""
    for _ in range(20):
        out = subprocess.run([CHECK, "dmarc-report", "--db", db, "--now",
                              str(int(time.time()) + 86400 * 2)],
                             capture_output=True)
        xml = out.stdout.decode("utf-8", "replace")
        if "mailing_list" in xml:
            break
        time.sleep(0.5)
    reasons = re.findall(r"<reason>\s*<type>(\w+)</type>", xml)
    report("policy-override-report-reason",
           "forwarded" in reasons and "mailing_list" in reasons,
           "reasons %r in %s" % (reasons, xml[-1500:]))


def arc_verify(data, relay):
    import dkim
    cv, results, why = dkim.arc_verify(data, dnsfunc=zone_dns(relay))
    return (cv or b"none").decode(), why


def test_arc_seal(relay, sink):
    # no chain yet: our set is i=1 cv=none
    tag = "seal-none-%f" % time.time()
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      sign(relay, message(tag, "news@sender.test")))
    got = at_sink(sink, tag) if code == 250 else None
    if got is None:
        report("policy-arc-seal-none", False, "got %d %r" % (code, text))
        return
    h = headers(got)
    cv, why = arc_verify(got, relay)
    report("policy-arc-seal-none", h[0].startswith(
        "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com; s=out;") and
        any(x.startswith("ARC-Authentication-Results: i=1; " + AUTHSERV +
                         ";") and "dkim=pass" in x for x in h) and
        cv == "pass", "dkimpy %s (%s), first %r" % (cv, why, h[0]))
    # a chain made by sekimori-check for sender.test: ours is i=2 cv=pass
    tag = "seal-pass-%f" % time.time()
    sealed = subprocess.run(
        [CHECK, "arc-seal", "--domain", "sender.test", "--selector", "s1",
         "--key", relay.sender_key, "--authserv-id", "sender.test",
         "--zone", relay.zone],
        input=sign(relay, message(tag, "news@sender.test")),
        capture_output=True)
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      sealed.stdout)
    got = at_sink(sink, tag) if code == 250 else None
    if got is None or sealed.returncode != 0:
        report("policy-arc-seal-pass", False, "got %d %r %s" % (
            code, text, sealed.stderr.decode()))
        return
    h = headers(got)
    cv, why = arc_verify(got, relay)
    report("policy-arc-seal-pass", h[0].startswith(
        "ARC-Seal: i=2; a=rsa-sha256; cv=pass;") and cv == "pass" and
        any("arc=pass" in x for x in h if x.startswith(
            "Authentication-Results: " + AUTHSERV)),
        "dkimpy %s (%s), first %r" % (cv, why, h[0]))
    out = subprocess.run([CHECK, "arc-verify", "--zone", relay.zone],
                         input=got, capture_output=True)
    report("policy-arc-seal-ours-verifies",
           out.stdout.decode().startswith("arc=pass"),
           out.stdout.decode())
    # a chain made by dkimpy (arc_sign, the sender's RSA key)
    import dkim
    tag = "seal-dkimpy-%f" % time.time()
    data = sign(relay, message(tag, "news@sender.test"))
    data = (b"Authentication-Results: sender.test; arc=none\r\n" + data)
    with open(relay.sender_key, "rb") as f:
        sets = dkim.arc_sign(data, b"s1", b"sender.test", f.read(),
                             b"sender.test")
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      b"".join(sets) + data)
    got = at_sink(sink, tag) if code == 250 and sets else None
    cv, why = arc_verify(got, relay) if got else ("none", "not delivered")
    report("policy-arc-seal-over-dkimpy", got is not None and
           headers(got)[0].startswith("ARC-Seal: i=2; a=rsa-sha256; "
                                      "cv=pass;") and cv == "pass",
           "got %d %r, dkimpy %s (%s)" % (code, text, cv, why))
    log = relay.log()
    report("policy-arc-seal-log", re.search(
        r"action=accept renamed=0 arc-seal=i1 cv=none", log) is not None and
        re.search(r"action=accept renamed=0 arc-seal=i2 cv=pass", log)
        is not None and re.search(
            r"dmarc=fail by=dmarc action=reject renamed=0\n", log)
        is not None, "no seal lines")


def with_attachment(tag, sender, name="a.sealtest", text=b"See the file."):
    """message() with a *.sealtest attachment: the content rule tags it
    (a *.sealstrip one: the rule strips it)"""
    return (b"From: " + sender.encode() + b"\r\nTo: alice@example.com\r\n"
            b"Subject: policy " + tag.encode() + b"\r\n"
            b"Date: Wed, 26 Nov 2025 10:00:00 +0000\r\n"
            b"Message-ID: <" + tag.encode() + b"@test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain\r\n\r\n" + text +
            b"\r\n--b1\r\nContent-Type: text/plain; name=\"" +
            name.encode() + b"\"\r\nContent-Disposition: attachment; "
            b"filename=\"" + name.encode() + b"\"\r\n"
            b"\r\nbody " + tag.encode() + b"\r\n--b1--\r\n")


def test_arc_seal_rewritten(relay, sink):
    """The content step rewrites a sealed message: the policy seals it
    again (P_SEAL), and the set that leaves verifies over it."""
    def check(name, tag, data, first):
        code, text = send(relay, "bounce@sender.test", "alice@example.com",
                          data)
        got = at_sink(sink, tag) if code == 250 else None
        if got is None:
            report(name, False, "got %d %r" % (code, text))
            return
        h = headers(got)
        cv, why = arc_verify(got, relay)
        ours = [x for x in h if x.startswith("ARC-Seal:") and
                "d=example.com;" in x]
        report(name, h[0].startswith(first) and len(ours) == 1 and
               ("Subject: [SEALTEST] policy " + tag) in h and cv == "pass",
               "dkimpy %s (%s), first %r, %d sets of ours" % (
                   cv, why, h[0], len(ours)))
    tag = "seal-rw-none-%f" % time.time()
    check("policy-arc-seal-rewritten-none", tag,
          sign(relay, with_attachment(tag, "news@sender.test")),
          "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com;")
    tag = "seal-rw-pass-%f" % time.time()
    sealed = subprocess.run(
        [CHECK, "arc-seal", "--domain", "sender.test", "--selector", "s1",
         "--key", relay.sender_key, "--authserv-id", "sender.test",
         "--zone", relay.zone],
        input=sign(relay, with_attachment(tag, "news@sender.test")),
        capture_output=True)
    check("policy-arc-seal-rewritten-pass", tag, sealed.stdout,
          "ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=example.com;")
    log = relay.log()
    report("policy-arc-seal-rewritten-log", re.search(
        r"policy: sealed again after the content step: arc-seal=i1 cv=none",
        log) is not None and re.search(
        r"policy: sealed again after the content step: arc-seal=i2 cv=pass",
        log) is not None, "no second-seal lines")


def test_arc_seal_stripped(relay, sink):
    """The content step strips a sealed message: the policy seals the
    stripped text with the id of the quarantined original in place of the
    token (P_SEAL with Q_OPENED's spare id), so the set that leaves
    verifies over what is delivered, which names that id."""
    tag = "seal-strip-%f" % time.time()
    # a first part of several policy read chunks (64 KiB): the notice
    # with the id comes in a later one
    part = b"\r\n".join(b"See the file, line %06d of the text part." % i
                         for i in range(4000))
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      sign(relay, with_attachment(
                          tag, "news@sender.test", "a.sealstrip", part)))
    qid = text.decode(errors="replace").split()[-1] if code == 250 else "?"
    got = at_sink(sink, tag) if code == 250 else None
    if got is None:
        report("policy-arc-seal-stripped", False, "got %d %r" % (code, text))
        return
    h = headers(got)
    cv, why = arc_verify(got, relay)
    ours = [x for x in h if x.startswith("ARC-Seal:") and
            "d=example.com;" in x]
    m = re.search(rb"kept in quarantine as ([0-9A-V]{16});", got)
    qid2 = m.group(1).decode() if m else None
    report("policy-arc-seal-stripped", h[0].startswith(
        "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com;") and
        len(ours) == 1 and cv == "pass" and qid2 is not None and
        b"[[SK-QID-TOKEN]]" not in got and b"body " + tag.encode() not in got,
        "dkimpy %s (%s), first %r, %d sets of ours, original %s" % (
            cv, why, h[0], len(ours), qid2))
    if qid2 is None:
        return
    out = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                          "quarantine", "list"], capture_output=True,
                         timeout=30)
    report("policy-arc-seal-stripped-original-listed",
           out.returncode == 0 and re.search(
               r"^" + qid2 + r"\b.*delivered without them as " + qid,
               out.stdout.decode(errors="replace"), re.M) is not None,
           out.stdout.decode(errors="replace")[-1500:] +
           out.stderr.decode(errors="replace"))
    log = relay.log()
    report("policy-arc-seal-stripped-log", re.search(
        qid + r": policy: sealed again after the content step: "
        r"arc-seal=i1 cv=none stripped, original=" + qid2, log) is not None
        and re.search(qid + r": stripped: 1 part removed, original kept in "
                      r"quarantine as " + qid2, log) is not None and
        "ARC set removed" not in log, "no seal or strip line")


# ---- show mail authentication-results (the recent results) ----------


def authres_cli(relay, lines):
    """sekimori-cli over a running configuration whose mail root-directory
    is the relay's (as on the box), one command per line; its output"""
    confdir, data, _ = relaylib.cli_folders(relay, os.path.dirname(relay.root),
                                            "authres")
    return relaylib.run_cli(confdir, data, lines)


def authres_row(out, *words):
    """the lines of out that hold every word"""
    return [x for x in out.splitlines() if all(w in x.split() for w in words)]


def test_authres(relay, sink):
    """a passing, a failing and an overridden message, then `show mail
    authentication-results` (the rows are written a second after)"""
    if not os.path.exists(CLI):
        report("policy-authres", False, "no %s: run make host" % CLI)
        return
    tag = "authres-pass-%f" % time.time()
    code, text = send(relay, "bounce@sender.test", "alice@example.com",
                      sign(relay, message(tag, "news@sender.test")))
    qid = text.decode(errors="replace").split()[-1] if code == 250 else "?"
    code2, _ = send(relay, "x@authres.example", "alice@example.com",
                    message(tag + "-fail", "Bank <security@bank.test>"))
    code3, _ = send(relay, "x@fwd.test", "alice@example.com",
                    message(tag + "-override", "Bank <security@bank.test>"))
    report("policy-authres-sent", (code, code2, code3) == (250, 550, 250),
           "got %d %d %d" % (code, code2, code3))
    out = ""
    for _ in range(40):  # the batch is written within a second
        out = authres_cli(relay, ["show mail authentication-results"])
        lines = out.splitlines()  # the three rows may come in two batches
        if qid in out and "envelope=authres.example" in out and \
                len(lines) > 2 and "envelope=fwd.test" in lines[2]:
            break
        time.sleep(0.25)
    report("policy-authres-pass", len(authres_row(
        out, qid, "127.0.0.1", "action=accept", "spf=pass", "dkim=pass",
        "d=sender.test:pass", "dmarc=pass", "policy=reject",
        "envelope=sender.test", "from=sender.test")) == 1, out[-2000:])
    report("policy-authres-fail", len(authres_row(
        out, "action=reject", "spf=none", "dmarc=fail", "policy=reject",
        "envelope=authres.example", "from=bank.test")) == 1, out[-2000:])
    report("policy-authres-override", len(authres_row(
        out, "action=accept", "override=fwd/forwarded", "dmarc=fail",
        "envelope=fwd.test", "from=bank.test")) >= 1, out[-2000:])
    lines = out.splitlines()
    report("policy-authres-newest-first", lines[1].startswith("Time (UTC)")
           and "envelope=fwd.test" in lines[2], out[-2000:])
    # filters: the domain (envelope or header From), failures, count
    out = authres_cli(relay, [
        "show mail authentication-results domain AUTHRES.example",
        "show mail authentication-results result fail count 1",
        "show mail authentication-results domain sender.test result fail",
        "show mail authentication-results count 0",
        "show mail authentication-results since 2000-01-01T00:00 count 2",
        "show mail authentication-results since 2099-01-01",
        "show mail authentication-results summary"])
    blocks = re.split(r"^sekimori> .*$", out, flags=re.M)
    if len(blocks) < 8:
        report("policy-authres-filters", False, out[-2000:])
        return
    report("policy-authres-filter-domain", len(authres_row(
        blocks[1], "action=reject")) == 1 and
        len(blocks[1].strip().splitlines()) == 2, blocks[1])
    report("policy-authres-filter-fail-count",
           len(blocks[2].strip().splitlines()) == 2 and
           "envelope=fwd.test" in blocks[2], blocks[2])
    report("policy-authres-filter-none", "No matching messages" in blocks[3],
           blocks[3])
    report("policy-authres-count-range",
           "out of range 1..1000" in blocks[4], blocks[4])
    report("policy-authres-since", len(blocks[5].strip().splitlines()) == 3
           and "No matching messages" in blocks[6], blocks[5] + blocks[6])
    report("policy-authres-summary", re.search(
        r"^action +accept +\d+$", blocks[7], re.M) is not None and re.search(
        r"^ +reject +\d+$", blocks[7], re.M) is not None and re.search(
        r"^dmarc +(pass|fail) +\d+$", blocks[7], re.M) is not None,
        blocks[7])
    test_authres_hostile(relay)


def test_authres_hostile(relay):
    """a row with hostile strings (as a forged From could bring, and a
    crafted store) is printed with its octets escaped, on one line"""
    import sqlite3
    db = sqlite3.connect(os.path.join(relay.root, "data", "dmarc",
                                      "recent.db"), timeout=5)
    evil = "ev\x1b[2J\r\nil\\ .test\u00e9"
    with db:
        db.execute("INSERT INTO recent VALUES (NULL, ?, 'Q1', '192.0.2.9', "
                   "?, ?, 'pass', 'none', 'none', '', 'none', 'accept', '',"
                   " 0)", (int(time.time()), evil, evil))
    db.close()
    out = authres_cli(relay, ["show mail authentication-results count 1"])
    report("policy-authres-escaped", "\x1b" not in out and "\r" not in out
           and "from=ev\\x1b[2J\\x0d\\x0ail\\x5c\\x20.test\\xc3\\xa9" in out,
           repr(out))


def test_features(tmp, sink):
    relay = setup_features(os.path.join(tmp, "features"), sink)
    try:
        if not relay.start() or not wait_for(lambda: policy_pid(relay), 20):
            report("policy-features-start", False, relay.log()[-3000:])
            return
        relaylib.run_tests([
            (test_canonicalization, (relay, sink)),
            (test_overrides, (relay, sink)),
            (test_arc_seal, (relay, sink)),
            (test_arc_seal_rewritten, (relay, sink)),
            (test_arc_seal_stripped, (relay, sink)),
            (test_authres, (relay, sink)),
        ], relay)
    finally:
        if relaylib.failures:
            print("features log:\n" + relay.log()[-4000:])
        relay.stop()


def main():
    for path in (relaylib.SEKIMORID, CHECK):
        if not os.path.exists(path):
            report("policy-setup", False, "no %s: run make host" % path)
            return 1
    tmp = tempfile.mkdtemp(prefix="sk-policy-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    sink = relaylib.Sink()
    relay = with_replay(setup(os.path.join(tmp, "policy"), sink))
    try:
        if not relay.start() or not wait_for(lambda: policy_pid(relay), 20):
            report("policy-start", False, relay.log()[-3000:])
            return 1
        report("policy-start", True)
        tests = [
            (test_forged_from_rejected, (relay, sink)),
            (test_signed_inbound, (relay, sink)),
            (test_forged_authres, (relay, sink)),
            (test_quarantine_kept, (relay, sink)),
            (test_outbound_signed, (relay, sink)),
            (test_replay_uncovered_to, (relay, sink)),
            (test_replay_recipients, (relay, sink)),
            (test_policy_killed, (relay, sink)),
            (test_policy_killed_in_flight, (relay, sink)),
            (test_logs, (relay,)),
        ]
        relaylib.run_tests(tests, relay)
        relay.stop()
        relaylib.run_tests([(test_unavailable_accept, (tmp, sink))])
        relaylib.run_tests([(test_features, (tmp, sink))])
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
