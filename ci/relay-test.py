#!/usr/bin/python3
"""relay-test.py - sekimorid end to end on loopback, as users and attackers
would talk to it: Python's smtplib, swaks, openssl s_client and raw sockets
against a private daemon (output/host/bin/sekimorid from `make host`),
delivering to a sink that records every message.

What it covers: the greeting and EHLO extensions per listener, inbound mail
for relay domains (known recipients), outbound mail from internal networks
and authenticated users, the open-relay battery and the SMTP smuggling
battery of ../shared/conformance/smtp (read where they are), PIPELINING,
BDAT, SIZE, SMTPUTF8, STARTTLS (CVE-2011-0411), implicit TLS, AUTH PLAIN and
LOGIN with lockout, early talkers, limits, clients that vanish, binary
garbage, a full disk (452 4.3.1), and the operator queue tool.

Prints PASS:/FAIL: lines; exits 1 if anything failed.
"""

import base64
import json
import os
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relaylib  # noqa: E402
from relaylib import report, wait_for  # noqa: E402

CONF = os.path.join(os.environ.get("SK_TOP", relaylib.TOP), "..", "shared",
                    "conformance", "smtp")
MSG = (b"From: a@example.org\r\nTo: alice@example.com\r\n"
       b"Subject: relay test %s\r\nMessage-ID: <%s@test>\r\n\r\nbody %s\r\n")


def message(tag):
    t = tag.encode()
    return MSG % (t, t, t)


def raw(port, chunks, timeout=5.0, read_first=True, source=None):
    """Talk to port with raw bytes; return everything the server said.

    chunks is a list of byte strings, each sent in one write after reading
    what is available; the socket is read until the server closes or falls
    silent for 0.5 s.
    """
    s = socket.socket()
    if source:
        s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    out = b""

    def drain(wait):
        nonlocal out
        s.settimeout(wait)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    return False
                out += b
        except socket.timeout:
            return True
        except OSError:
            return False

    if read_first:
        drain(1.0)
    for c in chunks:
        try:
            s.sendall(c)
        except OSError:
            break
        if not drain(0.5):
            break
    drain(0.5)
    s.close()
    return out


def smtp(port, source=None, timeout=10):
    kw = {"timeout": timeout}
    if source:
        kw["source_address"] = (source, 0)
    return smtplib.SMTP("127.0.0.1", port, **kw)


# ---- conversations ------------------------------------------------------


def test_greeting_and_ehlo(relay):
    banner = raw(relay.ports["mx"], [b"QUIT\r\n"])
    report("greeting-220", banner.startswith(b"220 mx.sekimori.test ESMTP"),
           "got %r" % banner[:100])
    s = smtp(relay.ports["mx"])
    code, text = s.ehlo("client.example.org")
    caps = text.decode().upper()
    want = ["PIPELINING", "SIZE 1048576", "8BITMIME", "ENHANCEDSTATUSCODES",
            "CHUNKING", "SMTPUTF8", "DSN", "STARTTLS"]
    missing = [w for w in want if w not in caps]
    report("ehlo-mx-extensions", code == 250 and not missing,
           "code %d, missing %s in %r" % (code, missing, caps))
    report("ehlo-mx-no-auth", "AUTH" not in caps, "AUTH offered on mx")
    s.quit()
    s = smtp(relay.ports["submission"])
    code, text = s.ehlo("client.example.org")
    caps = text.decode().upper()
    report("ehlo-submission-auth-after-tls-only",
           "STARTTLS" in caps and "AUTH" not in caps,
           "caps %r" % caps)
    code, text = s.docmd("AUTH", "PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHg=")
    report("auth-before-starttls-refused", code == 530,
           "got %d %r" % (code, text))
    s.quit()


def test_inbound(relay, sink):
    s = smtp(relay.ports["mx"])
    s.ehlo("client.example.org")
    tag = "inbound-%f" % time.time()
    try:
        r = s.sendmail("sender@example.org", ["alice@example.com"],
                       message(tag))
        code, text = s.noop()
        ok = r == {}
    except smtplib.SMTPException as e:
        ok, text = False, str(e).encode()
    s.quit()
    report("inbound-accepted", ok, "refused: %r" % text)
    got = wait_for(lambda: sink.find(tag.encode()), 30)
    report("inbound-delivered", bool(got), "not at the sink after 30 s")
    if got:
        mail, rcpts, data = got[0]
        report("inbound-envelope", mail == "sender@example.org" and
               rcpts == ["alice@example.com"],
               "from %r to %r" % (mail, rcpts))
        first = data.split(b"\r\n")[0]
        report("inbound-received-header", first.startswith(b"Received: from "
                                                           b"client.example.org"),
               "first line %r" % first)


def test_queue_id_in_reply(relay):
    s = smtp(relay.ports["mx"])
    s.ehlo("client.example.org")
    s.mail("sender@example.org")
    s.rcpt("bob@example.com")
    code, text = s.data(message("qid"))
    s.quit()
    text = text.decode()
    ok = code == 250 and text.startswith("2.0.0 Ok: queued as ")
    report("data-250-has-queue-id", ok, "got %d %r" % (code, text))
    if ok:
        qid = text.split()[-1]
        report("queue-id-in-log", wait_for(lambda: qid in relay.log(), 10)
               is True, "%s not in the log" % qid)


def test_recipients(relay):
    s = smtp(relay.ports["mx"])
    s.ehlo("client.example.org")
    s.mail("sender@example.org")
    code, text = s.rcpt("nobody@example.com")
    report("unknown-recipient-550-5.1.1", code == 550 and
           text.startswith(b"5.1.1"), "got %d %r" % (code, text))
    code, text = s.rcpt("anyone@example.net")
    report("relay-domain-without-list-accepts", code == 250,
           "got %d %r" % (code, text))
    code, text = s.rcpt("victim@elsewhere.example")
    report("external-relay-denied", code in (550, 554) and
           text.startswith(b"5.7.1"), "got %d %r" % (code, text))
    s.quit()


def test_internal_outbound(relay, sink):
    tag = "outbound-%f" % time.time()
    s = smtp(relay.ports["mx"], source="127.0.0.2")
    s.ehlo("app.internal")
    r = s.sendmail("app@example.com", ["someone@elsewhere.example"],
                   message(tag))
    s.quit()
    report("internal-network-relays", r == {}, "refused %r" % r)
    report("internal-network-delivered",
           bool(wait_for(lambda: sink.find(tag.encode()), 30)),
           "not at the sink")


def rcpt_reply(port, mail_from, rcpt):
    """The reply line to one RCPT TO, after EHLO and MAIL."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")

    def reply():
        line = f.readline()
        while line[3:4] == b"-":
            line = f.readline()
        return line.rstrip(b"\r\n")

    reply()
    for cmd in (b"EHLO attacker.example", b"MAIL FROM:" + mail_from):
        s.sendall(cmd + b"\r\n")
        reply()
    s.sendall(b"RCPT TO:" + rcpt + b"\r\n")
    line = reply()
    s.sendall(b"QUIT\r\n")
    s.close()
    return line


def test_open_relay_battery(relay):
    """nmap's 16 relay forms, from outside, with the server name and a
    relay domain as SRV: never accepted."""
    with open(os.path.join(CONF, "open-relay-and-command-cases.json")) as f:
        forms = json.load(f)["relay_tests"]
    bad = []
    for srv in ("mx.sekimori.test", "example.com"):
        sub = {"FROM": "antispam", "TO": "relaytest",
               "DOMAIN": "elsewhere.example", "IP": "127.0.0.1", "SRV": srv}
        for case in forms:
            mail, rcpt = case["mail_from"], case["rcpt_to"]
            for k in ("FROM", "TO", "DOMAIN", "IP", "SRV"):
                mail, rcpt = mail.replace(k, sub[k]), rcpt.replace(k, sub[k])
            if not mail.startswith("<"):
                mail = "<%s>" % mail
            line = rcpt_reply(relay.ports["mx"], mail.encode(),
                              ("<%s>" % rcpt).encode())
            if line[:1] == b"2":
                bad.append("%d/%s: %r" % (case["n"], srv, line))
    report("open-relay-battery-%d-forms" % (2 * len(forms)),
           len(forms) == 16 and not bad, "accepted: %s" % bad)


def test_smuggling(relay, sink):
    """Each end-of-data variant: at most one message, never the smuggled."""
    with open(os.path.join(CONF, "smtp-smuggling-cases.json")) as f:
        variants = json.load(f)["sequences"]
    for case in variants:
        seq = bytes.fromhex(case["bytes_hex"])
        case["tag"] = "smuggle-%s-%f" % (case["id"], time.time())
        smuggled = (b"MAIL FROM:<evil@example.org>\r\n"
                    b"RCPT TO:<bob@example.com>\r\nDATA\r\n"
                    b"Subject: SMUGGLED " + case["tag"].encode() +
                    b"\r\n\r\nsmuggled\r\n")
        raw(relay.ports["mx"], [b"EHLO c.example.org\r\n",
                                b"MAIL FROM:<a@example.org>\r\n",
                                b"RCPT TO:<alice@example.com>\r\n",
                                b"DATA\r\n",
                                b"Subject: " + case["tag"].encode() +
                                b"\r\n\r\nbody line" + seq + smuggled +
                                b"\r\n.\r\n",
                                b"QUIT\r\n"])
    time.sleep(3)
    bad = [c["id"] for c in variants
           if sink.find(b"SMUGGLED " + c["tag"].encode())]
    report("smuggling-battery-%d-variants" % len(variants),
           len(variants) == 12 and not bad,
           "smuggled message delivered for %r" % bad)


def test_pipelining_and_bdat(relay, sink):
    tag = b"pipe-%f" % time.time()
    out = raw(relay.ports["mx"], [
        b"EHLO c.example.org\r\n",
        b"MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\n"
        b"RCPT TO:<bob@example.com>\r\nDATA\r\n",
        b"Subject: " + tag + b"\r\n\r\nbody\r\n.\r\nQUIT\r\n"])
    report("pipelining-group", out.count(b"250 2.1.5") == 2 and
           b"354 " in out and b"250 2.0.0 Ok: queued as" in out,
           "got %r" % out[-300:])
    tag2 = b"bdat-%f" % time.time()
    body = b"Subject: " + tag2 + b"\r\n\r\nchunked\r\n"
    out = raw(relay.ports["mx"], [
        b"EHLO c.example.org\r\n",
        b"MAIL FROM:<a@example.org>\r\n",
        b"RCPT TO:<alice@example.com>\r\n",
        b"BDAT %d\r\n" % 10 + body[:10],
        b"BDAT %d LAST\r\n" % (len(body) - 10) + body[10:],
        b"QUIT\r\n"])
    report("bdat-chunks", b"250 2.0.0 Ok: queued as" in out,
           "got %r" % out[-300:])
    report("bdat-delivered", bool(wait_for(lambda: sink.find(tag2), 30)),
           "not at the sink")
    report("pipelined-delivered", bool(wait_for(lambda: sink.find(tag), 30)),
           "not at the sink")


def test_size_and_limits(relay):
    s = smtp(relay.ports["mx"])
    s.ehlo("c.example.org")
    code, text = s.docmd("MAIL FROM:<a@example.org> SIZE=99999999")
    report("size-over-limit-552", code == 552 and text.startswith(b"5.3.4"),
           "got %d %r" % (code, text))
    s.quit()
    out = raw(relay.ports["mx"], [b"EHLO " + b"x" * 2000 + b"\r\n",
                                  b"QUIT\r\n"])
    report("line-too-long-500", b"500 5.5.0" in out, "got %r" % out[-200:])
    out = raw(relay.ports["mx"], [b"\x00\xff\x10garbage\r\n" * 30],
              read_first=True)
    report("garbage-refused", b"421" in out or b"500" in out,
           "got %r" % out[-200:])


def test_smtputf8(relay, sink):
    tag = "utf8-%f" % time.time()
    s = smtp(relay.ports["mx"])
    s.ehlo("c.example.org")
    s.mail("送信者@example.org", ["SMTPUTF8"])
    code, text = s.rcpt("alice@example.com")
    code, text = s.data(("Subject: %s\r\n\r\n本文\r\n" % tag).encode())
    s.quit()
    report("smtputf8-accepted", code == 250, "got %d %r" % (code, text))


def test_early_talker(relay):
    s = socket.create_connection(("127.0.0.1", relay.ports["mx"]))
    s.sendall(b"EHLO impatient.example\r\n")
    s.settimeout(5)
    out = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except OSError:
        pass
    s.close()
    report("early-talker-554", out.startswith(b"554 5.5.0"),
           "got %r" % out)


def open_many(port, source, n):
    """n connections from source, each with what it got first (the MX
    greet pause runs for all of them at once)."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        socks.append(s)
    return [(s, s.recv(1024)) for s in socks]


def open_greeted(port, source):
    """A connection from source that got its 220 (or whatever came)."""
    return open_many(port, source, 1)[0]


def test_per_client_limit(relay):
    """connections-per-client (50 by default) holds for a stranger, is
    counted back down when one closes, and exempts internal networks."""
    port, held = relay.ports["mx"], []
    try:
        held = [c for c, _ in open_many(port, "127.0.0.3", 50)]
        extra, said = open_greeted(port, "127.0.0.3")
        extra.close()
        report("per-client-limit-421", said.startswith(b"421 4.7.0"),
               "connection 51 got %r" % said[:60])
        other, said = open_greeted(port, "127.0.0.4")
        other.close()
        report("per-client-limit-other-address", said.startswith(b"220"),
               "another address got %r" % said[:60])
        held.pop().close()
        time.sleep(0.3)
        again, said = open_greeted(port, "127.0.0.3")
        held.append(again)
        report("per-client-limit-counted-down", said.startswith(b"220"),
               "after one closed: %r" % said[:60])
        internal = open_many(port, "127.0.0.2", 55)
        ok = all(g.startswith(b"220") for _, g in internal)
        for s, _ in internal:
            s.close()
        report("per-client-limit-internal-exempt", ok,
               "an internal client was limited")
    finally:
        for s in held:
            s.close()


def test_vanishing_client(relay, sink):
    s = socket.create_connection(("127.0.0.1", relay.ports["mx"]))
    s.recv(1024)
    s.sendall(b"EHLO c.example.org\r\n")
    s.recv(1024)
    for line in (b"MAIL FROM:<a@example.org>\r\n",
                 b"RCPT TO:<alice@example.com>\r\n", b"DATA\r\n"):
        s.sendall(line)
        s.recv(1024)
    tag = b"half-%f" % time.time()
    s.sendall(b"Subject: " + tag + b"\r\n\r\nhalf a message")
    s.close()
    time.sleep(2)
    report("vanishing-client-nothing-delivered", not sink.find(tag),
           "a half message was delivered")
    s = smtp(relay.ports["mx"])
    code, _ = s.ehlo("c.example.org")
    s.quit()
    report("still-serving-after-vanishing-client", code == 250,
           "EHLO got %d" % code)


# ---- TLS and AUTH ---------------------------------------------------------


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def test_starttls_openssl(relay):
    p = subprocess.run(
        ["openssl", "s_client", "-starttls", "smtp", "-connect",
         "127.0.0.1:%d" % relay.ports["mx"], "-brief", "-ign_eof"],
        input=b"QUIT\r\n", capture_output=True, timeout=20)
    out = p.stdout + p.stderr
    report("starttls-openssl-s_client", b"Protocol version: TLSv1.2" in out
           and b"221 2.0.0" in p.stdout, "got %r" % out[-400:])
    p = subprocess.run(
        ["openssl", "s_client", "-starttls", "smtp", "-connect",
         "127.0.0.1:%d" % relay.ports["mx"], "-tls1_1", "-brief"],
        input=b"QUIT\r\n", capture_output=True, timeout=20)
    report("starttls-tls1.1-refused-by-default", p.returncode != 0 or
           b"Protocol version: TLSv1.1" not in p.stdout + p.stderr,
           "TLS 1.1 was accepted")


def test_starttls_injection(relay):
    """CVE-2011-0411: a command sent with STARTTLS is never executed."""
    ctx = tls_context()
    s = socket.create_connection(("127.0.0.1", relay.ports["mx"]))
    s.settimeout(5)
    s.recv(1024)
    s.sendall(b"EHLO c.example.org\r\n")
    time.sleep(0.3)
    s.recv(4096)
    s.sendall(b"STARTTLS\r\nRSET\r\n")
    out = b""
    try:
        out = s.recv(4096)
        out += s.recv(4096)
    except OSError:
        pass
    s.close()
    report("starttls-injection-refused", b"250 2.0.0" not in out,
           "RSET answered in plaintext: %r" % out)


def test_auth(relay):
    ctx = tls_context()
    s = smtp(relay.ports["submission"])
    s.ehlo("c.example.org")
    s.starttls(context=ctx)
    code, text = s.ehlo("c.example.org")
    report("auth-offered-after-starttls", b"AUTH PLAIN LOGIN" in text,
           "caps %r" % text)
    try:
        code, text = s.login("alice@example.com", "correct horse")
    except smtplib.SMTPException as e:
        code, text = -1, str(e).encode()
    report("auth-plain-success", code == 235, "got %d %r" % (code, text))
    tag = "authed-%f" % time.time()
    try:
        r = s.sendmail("alice@example.com", ["friend@elsewhere.example"],
                       message(tag))
    except smtplib.SMTPException as e:
        r = str(e)
    report("authenticated-user-relays", r == {}, "refused %r" % r)
    s.quit()
    # wrong password, three times, then locked: 454 even if right
    codes = [auth_plain_code(relay, pw)
             for pw in ("wrong1", "wrong2", "wrong3", "correct horse")]
    report("auth-failure-535", codes[:3] == [535, 535, 535],
           "got %r" % codes)
    report("auth-lockout-454", codes[3] == 454, "got %r" % codes)


def auth_plain_code(relay, password):
    """AUTH PLAIN as alice after STARTTLS on submission: the reply code."""
    s = smtp(relay.ports["submission"])
    s.ehlo("c.example.org")
    s.starttls(context=tls_context())
    s.ehlo("c.example.org")
    cred = base64.b64encode(b"\0alice@example.com\0" + password.encode())
    code = s.docmd("AUTH", "PLAIN " + cred.decode())[0]
    s.quit()
    return code


def test_auth_lockout_kept(relay):
    """test_auth's lock holds over a reload (SIGHUP) and over a restart
    of the daemon (the counts are saved under data/auth)."""
    relay.proc.send_signal(signal.SIGHUP)
    time.sleep(2)
    report("auth-lockout-kept-reload", auth_plain_code(relay, "correct horse") == 454,
           "a reload unlocked alice")
    relay.stop()
    saved = os.path.join(relay.root, "data/auth/smtp-lockout")
    ok = relay.start()
    code = auth_plain_code(relay, "correct horse") if ok else -1
    report("auth-lockout-kept-restart", code == 454 and os.path.exists(saved),
           "got %r after the restart (saved file: %s)" % (code, os.path.exists(saved)))


def test_auth_login_implicit_tls(relay):
    ctx = tls_context()
    try:
        s = smtplib.SMTP_SSL("127.0.0.1", relay.ports["submissions"],
                             context=ctx, timeout=10)
        code, text = s.ehlo("c.example.org")
        ok = code == 250 and b"AUTH" in text
        s.quit()
    except (OSError, smtplib.SMTPException) as e:
        ok, text = False, str(e).encode()
    report("implicit-tls-465", ok, "got %r" % text)


def test_swaks(relay, sink):
    tag = "swaks-%f" % time.time()
    p = subprocess.run(["swaks", "--server", "127.0.0.1",
                        "--port", str(relay.ports["mx"]),
                        "--from", "s@example.org", "--to",
                        "alice@example.com", "--header", "Subject: " + tag,
                        "--ehlo", "swaks.example.org"],
                       capture_output=True, timeout=30)
    report("swaks-plain", p.returncode == 0, (p.stdout + p.stderr)[-300:])
    p = subprocess.run(["swaks", "--server", "127.0.0.1",
                        "--port", str(relay.ports["mx"]), "-tls",
                        "--from", "s@example.org", "--to",
                        "bob@example.com", "--header", "Subject: " + tag],
                       capture_output=True, timeout=30)
    report("swaks-starttls", p.returncode == 0,
           (p.stdout + p.stderr)[-300:])


def test_outbound_tls(tmp):
    """Delivery with TLS: policy encrypt to a sink offering STARTTLS is
    sent encrypted; policy verify against its self-signed certificate is
    deferred, never sent in plaintext."""
    certdir = os.path.join(tmp, "sinkcert")
    crt, key = relaylib.make_cert(certdir, "sink", cn="sink.test")
    tls_sink = relaylib.Sink(tls=(os.path.join(certdir, crt.lstrip("/")),
                                  os.path.join(certdir, key.lstrip("/"))))
    hop = {"host": "127.0.0.1", "port": tls_sink.port}
    relay = relaylib.Relay(os.path.join(tmp, "tlsout"), tls_sink.port, extra={
        "tls": {"policy": [{"name": "plain", "mode": "none"},
                           {"name": "enc", "mode": "encrypt"},
                           {"name": "ver", "mode": "verify",
                            "ca-bundle": "/config/tls/rsa.crt"}]},
        "delivery": {"route": [
            dict(hop, domain="example.com", **{"tls-policy": "plain"}),
            dict(hop, domain="example.net", **{"tls-policy": "plain"}),
            dict(hop, domain="enc.example", **{"tls-policy": "enc"}),
            dict(hop, domain="ver.example", **{"tls-policy": "ver"})]}})
    try:
        if not relay.start():
            report("outbound-tls", False, relay.log()[-800:])
            return
        tag = "tls-out-%f" % time.time()
        s = smtp(relay.ports["mx"], source="127.0.0.2")
        s.ehlo("app.internal")
        s.sendmail("app@example.com", ["a@enc.example"],
                   message(tag + "-enc"))
        s.sendmail("app@example.com", ["a@ver.example"],
                   message(tag + "-ver"))
        s.quit()
        got = wait_for(lambda: [m for m in tls_sink.tls_messages
                                if (tag + "-enc").encode() in m], 30)
        report("outbound-tls-encrypt-delivered", bool(got),
               "not delivered over TLS; log: %s" % relay.log()[-600:])
        time.sleep(2)
        report("outbound-tls-verify-fails-closed",
               not tls_sink.find((tag + "-ver").encode()) and
               "status=deferred" in relay.log(),
               "delivered or not deferred: %s" % relay.log()[-600:])
    finally:
        relay.stop()
        tls_sink.stop()


def test_syslog_remote(tmp):
    """system syslog remote: RFC 5424 lines over UDP and over TCP with
    octet counting (RFC 6587), keyed by queue id like the local log."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(4)
    tcp.settimeout(0.2)
    with open(os.path.join(relaylib.TOP, "cli", "yang", "factory.json")) as f:
        system = json.load(f)["sekimori-system:system"]
    system["syslog"] = {"remote": [
        {"name": "siem-udp", "host": "127.0.0.1",
         "port": udp.getsockname()[1]},
        {"name": "siem-tcp", "host": "127.0.0.1", "transport": "tcp",
         "port": tcp.getsockname()[1], "facility": "mail"}]}
    sink = relaylib.Sink()
    relay = relaylib.Relay(os.path.join(tmp, "syslog"), sink.port)
    relay.config["sekimori-system:system"] = system
    with open(relay.config_path, "w") as f:
        json.dump(relay.config, f)
    got_udp, got_tcp, conns = [], b"", []
    try:
        if not relay.start():
            report("syslog-remote", False, relay.log()[-800:])
            return
        s = smtp(relay.ports["mx"])
        s.ehlo("c.example.org")
        s.sendmail("a@example.org", ["alice@example.com"], message("syslog"))
        s.quit()
        end = time.time() + 15
        while time.time() < end and not (
                any(b"status=sent" in d for d in got_udp) and
                b"status=sent" in got_tcp):
            try:
                got_udp.append(udp.recv(2048))
            except socket.timeout:
                pass
            try:
                conns.append(tcp.accept()[0])
            except socket.timeout:
                pass
            for c in conns:
                c.settimeout(0.05)
                try:
                    got_tcp += c.recv(65536)
                except socket.timeout:
                    pass
        sent = [d for d in got_udp if b"status=sent" in d]
        report("syslog-remote-udp-rfc5424",
               bool(sent) and sent[0].startswith(b"<22>1 ") and
               b" sekimori/queue " in sent[0],
               "got %r" % got_udp[-3:])
        frame = got_tcp.split(b" ", 1)
        report("syslog-remote-tcp-octet-counting",
               b"status=sent" in got_tcp and frame[0].isdigit() and
               frame[1].startswith(b"<22>1 "),
               "got %r" % got_tcp[:300])
    finally:
        relay.stop()
        sink.stop()
        for c in conns:
            c.close()
        udp.close()
        tcp.close()


def test_bad_certificate(tmp):
    """A certificate file that is not PEM: the daemon does not start, and
    says which listener and file are wrong."""
    sink = relaylib.Sink()
    relay = relaylib.Relay(os.path.join(tmp, "badcert"), sink.port)
    with open(relay.cert, "w") as f:
        f.write("this is not a certificate\n")
    try:
        ok = relay.start()
        code = relay.proc.wait(timeout=20) if relay.proc else None
        log = relay.log()
        report("bad-certificate-refused",
               not ok and code == 1 and "rsa" in log and
               "certificate" in log, "started=%r code=%r log=%s" %
               (ok, code, log[-400:]))
    finally:
        relay.stop()
        sink.stop()


def test_queue_tool(relay):
    if not os.path.exists(relaylib.QUEUE_TOOL):
        report("queue-tool", False, "no %s" % relaylib.QUEUE_TOOL)
        return
    p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                        "list"], capture_output=True, timeout=20)
    report("queue-tool-list", p.returncode == 0,
           (p.stdout + p.stderr)[-300:])


def test_disk_full(tmp):
    """/data nearly full: 452 4.3.1 to MAIL, and nothing accepted.

    The relay's root is a 4 MiB tmpfs, filled past the config's
    minimum-free-space (50 %): mounting needs root, as CI has.
    """
    root = os.path.join(tmp, "full")
    os.makedirs(root)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                       root], capture_output=True).returncode != 0:
        report("disk-full-452", False, "cannot mount a tmpfs (needs root)")
        return
    sink = relaylib.Sink()
    relay = relaylib.Relay(root, sink.port,
                           extra={"queue": {"minimum-free-space": 50}})
    filler = os.path.join(root, "filler")
    with open(filler, "wb") as f:
        f.write(b"\0" * (3 * 1024 * 1024))
    try:
        if not relay.start():
            report("disk-full-452", False, "daemon did not start: " +
                   relay.log()[-500:])
            return
        s = smtp(relay.ports["mx"])
        s.ehlo("c.example.org")
        code, text = s.docmd("MAIL FROM:<a@example.org>")
        s.quit()
        report("disk-full-452", code == 452 and text.startswith(b"4.3.1"),
               "got %d %r" % (code, text))
        os.unlink(filler)
        s = smtp(relay.ports["mx"])
        s.ehlo("c.example.org")
        code, text = s.docmd("MAIL FROM:<a@example.org>")
        s.quit()
        report("disk-space-back-250", code == 250,
               "got %d %r" % (code, text))
    finally:
        relay.stop()
        sink.stop()
        subprocess.run(["umount", "-l", root], capture_output=True)


def main():
    if not os.path.exists(relaylib.SEKIMORID):
        report("relay-setup", False, "no %s: run make host" %
               relaylib.SEKIMORID)
        return 1
    tmp = tempfile.mkdtemp(prefix="sk-relay-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    sink = relaylib.Sink()
    relay = relaylib.Relay(os.path.join(tmp, "main"), sink.port)
    try:
        if not relay.start():
            report("relay-start", False, relay.log()[-2000:])
            return 1
        report("relay-start", True)
        tests = [
            (test_greeting_and_ehlo, (relay,)),
            (test_inbound, (relay, sink)),
            (test_queue_id_in_reply, (relay,)),
            (test_recipients, (relay,)),
            (test_internal_outbound, (relay, sink)),
            (test_pipelining_and_bdat, (relay, sink)),
            (test_size_and_limits, (relay,)),
            (test_smtputf8, (relay, sink)),
            (test_early_talker, (relay,)),
            (test_per_client_limit, (relay,)),
            (test_vanishing_client, (relay, sink)),
            (test_open_relay_battery, (relay,)),
            (test_smuggling, (relay, sink)),
            (test_starttls_openssl, (relay,)),
            (test_starttls_injection, (relay,)),
            (test_auth, (relay,)),
            (test_auth_lockout_kept, (relay,)),
            (test_auth_login_implicit_tls, (relay,)),
            (test_swaks, (relay, sink)),
            (test_queue_tool, (relay,)),
        ]
        relaylib.run_tests(tests, relay)
        test_outbound_tls(tmp)
        test_syslog_remote(tmp)
        test_bad_certificate(tmp)
        test_disk_full(tmp)
    finally:
        relay.stop()
        sink.stop()
        relaylib.keep_log_on_failure(relay, "relay-test.log")
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
