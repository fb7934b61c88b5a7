#!/usr/bin/python3
"""content-test.py - sekimorid's content step end to end (issue 6): the
scanner chains, the content rules and the quarantine, with a real clamd
and a real clamav-milter that ci/scan-test.sh started and names in the
environment:

  SK_CLAMD_SOCK         clamd's unix socket (signatures made by scan-test)
  SK_MILTER_REJECT      clamav-milter with OnInfected Reject
  SK_MILTER_QUARANTINE  clamav-milter with OnInfected Quarantine
  SK_MILTER_REPLACE     clamav-milter with OnInfected Reject, AddHeader
                        Replace (header changes instead of insertions)
  SK_MILTER_ENVELOPE    ci/testdata/envelope_milter.py (libmilter): changes
                        the envelope, or replies on three lines

Three daemons in turn, each with a private root and a sink:

  clamd     inbound [clamd], outbound [clamd]: clean delivered; EICAR
            inline, in a base64 attachment, in a ZIP and in a nested
            message/rfc822 refused with 550 5.7.1 naming the virus; rules:
            an encrypted ZIP (PPAP) quarantined, a *.exe name refused with
            the rule's text, a PDF tagged; outbound EICAR quarantined by
            rule; the quarantine listed with filters, shown, downloaded,
            released (the sink gets the downloaded octets exactly),
            deleted; retention by size; the content process killed: 451
            4.7.1, restarted, recovered
  rewrite   inbound [clamd]; rules: a *.exe attachment stripped (the sink
            gets the message without it and with a notice naming the
            quarantine id, "quarantine list" shows the original, its
            release delivers it byte for byte as downloaded, the log has
            the strip line), a PDF tagged with a subject prefix
  milter    inbound [clamav-milter Reject]: clean delivered with the
            milter's X-Virus-Scanned header where it inserted it (AddHeader
            Add inserts at index 1: after our Received field, not above
            it), EICAR refused with the milter's reply; outbound
            [clamav-milter Quarantine]: EICAR quarantined by the milter
  mreplace  inbound [clamav-milter AddHeader Replace]: its header changes
            of missing fields land at the end of the header
  envelope  inbound [envelope_milter.py]: its sender change, two added
            recipients and the deleted one reach the sink's MAIL and RCPT
            (logged by content and queue); every recipient deleted: 250,
            discarded, logged; 10,000 added: past the relay's limit
            (1000 here), 451 4.7.1; its three-line 550 reply as one line
  failing   inbound [a clamd socket nobody listens on]: 451 4.7.1 and
            nothing delivered; outbound [a socket that never answers,
            timeout 2 s, on-failure accept-and-log]: delivered, logged

Prints PASS:/FAIL: lines; exits 1 if anything failed.
"""

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relaylib  # noqa: E402
from relaylib import report, wait_for  # noqa: E402

CLAMD = os.environ.get("SK_CLAMD_SOCK", "")
MILTER_REJECT = os.environ.get("SK_MILTER_REJECT", "")
MILTER_QUARANTINE = os.environ.get("SK_MILTER_QUARANTINE", "")
MILTER_REPLACE = os.environ.get("SK_MILTER_REPLACE", "")
MILTER_ENVELOPE = os.environ.get("SK_MILTER_ENVELOPE", "")
VIRUS = "Sekimori.Test.EICAR.UNOFFICIAL"
# EICAR, in two halves so that no scanner flags this script
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" +
         b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
INTERNAL = "127.0.0.2"  # relaylib's internal network: outbound mail


# ---- messages --------------------------------------------------------------

def head(tag, extra=b""):
    return (b"From: Alice <alice@sender.test>\r\nTo: bob@example.com\r\n"
            b"Subject: content " + tag.encode() + b"\r\n"
            b"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
            b"Message-ID: <" + tag.encode() + b"@sender.test>\r\n" + extra)


def plain(tag, text=b"Hello Bob,\r\nnothing to see.\r\n"):
    return head(tag) + b"\r\n" + text


def b64(data):
    import base64
    s = base64.b64encode(data)
    return b"\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def attach(tag, ctype, name, data):
    return (head(tag, b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed;"
                 b" boundary=\"b1\"\r\n") +
            b"\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n"
            b"--b1\r\nContent-Type: " + ctype.encode() + b"; name=\"" +
            name.encode() + b"\"\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"" + name.encode() +
            b"\"\r\n\r\n" + b64(data) + b"\r\n--b1--\r\n")


def zip_of(files, encrypted=False):
    """A ZIP of (name, data); encrypted: the 'encrypted' flag set on every
    member, local and central, as a PPAP archive has it (the content is
    not really enciphered: the rules look at the flag)."""
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    b = bytearray(z.getvalue())
    if encrypted:
        for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            i = b.find(sig)
            while i != -1:
                b[i + off] |= 1
                i = b.find(sig, i + 4)
    return bytes(b)


def rfc822(tag):
    inner = attach(tag + "-inner", "application/octet-stream", "eicar.com",
                   EICAR)
    return (head(tag, b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed;"
                 b" boundary=\"outer\"\r\n") +
            b"\r\n--outer\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n"
            b"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner +
            b"\r\n--outer--\r\n")


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 "
       b"0 R >>\n%%EOF\n")


# ---- the relay -------------------------------------------------------------

def send(relay, data, rcpt="bob@example.com", source=None,
         mail_from="alice@sender.test"):
    """One message (relaylib.send, with a scanner's time to answer)."""
    return relaylib.send(relay, mail_from, rcpt, data, source, timeout=60)


def data_reply_lines(relay, data, rcpt="bob@example.com",
                     mail_from="alice@sender.test"):
    """One message over a raw socket: the lines of the reply to the end
    of DATA as the client reads them, each without its CRLF (smtplib
    joins a multi-line reply's texts and drops the codes)."""
    s = socket.create_connection(("127.0.0.1", relay.ports["mx"]),
                                 timeout=60)
    f = s.makefile("rb")

    def reply():
        lines = []
        while True:
            line = f.readline()
            if not line.endswith(b"\r\n"):
                return lines + [line]
            lines.append(line[:-2])
            if len(line) < 6 or line[3:4] != b"-":
                return lines

    try:
        reply()
        for cmd in (b"EHLO client.sender.test", b"MAIL FROM:<%s>" %
                    mail_from.encode(), b"RCPT TO:<%s>" % rcpt.encode(),
                    b"DATA"):
            s.sendall(cmd + b"\r\n")
            reply()
        body = b"\r\n".join(b"." + line if line.startswith(b".") else line
                             for line in data.split(b"\r\n"))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        s.sendall(body + b".\r\n")
        lines = reply()
        s.sendall(b"QUIT\r\n")
        return lines
    finally:
        f.close()
        s.close()


def qid_of(text):
    m = re.search(rb"queued as ([0-9A-V]+)", text)
    return m.group(1).decode() if m else None


def at_sink(sink, tag, timeout=30):
    found = wait_for(lambda: sink.find(tag.encode()), timeout)
    return found[0][2] if found else None


def not_at_sink(sink, tag, wait=2.0):
    time.sleep(wait)
    return not sink.find(tag.encode())


def quarantine(relay, *args):
    """sekimori-queue quarantine ARGS: (exit status, stdout octets)."""
    p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                        "quarantine"] + list(args), capture_output=True,
                       timeout=30)
    return p.returncode, p.stdout + p.stderr


def make_relay(tmp, name, sink, content):
    relay = relaylib.Relay(os.path.join(tmp, name), sink.port,
                           extra={"content-scanning": content})
    return relay


def start(relay, name):
    ok = relay.start() and wait_for(lambda: content_pid(relay), 20)
    report(name + "-start", bool(ok), relay.log()[-3000:])
    return ok


def content_pid(relay):
    """The pid of the running content process, from its log lines."""
    pids = re.findall(r"sekimori/content\[(\d+)\]", relay.log())
    return int(pids[-1]) if pids else None


# ---- the clamd relay -------------------------------------------------------

def clamd_content():
    return {
        "enabled": True,
        "scanner": [{"name": "clamav", "type": "clamd", "address": CLAMD,
                     "timeout": 30}],
        "inbound": {"scanner": ["clamav"]},
        "outbound": {"scanner": ["clamav"]},
        "notify-recipient": ["postmaster@example.com"],
        "notify-on-virus": True,
        "rule": [
            {"name": "ppap", "match": {"encrypted-archive": True},
             "action": "quarantine", "notify": True},
            {"name": "no-exe", "match": {"file-name": ["*.exe", "*.scr"]},
             "action": "reject",
             "reject-text": "Executable attachments are not accepted"},
            {"name": "pdf", "match": {"file-type": ["pdf"]},
             "action": "tag"},
            {"name": "outbound-virus", "direction": "outbound",
             "match": {"verdict": ["infected"]}, "action": "quarantine"},
        ],
        "quarantine": {"max-size": 1},
    }


def test_clean(relay, sink):
    tag = "clean-%f" % time.time()
    code, text = send(relay, plain(tag))
    got = at_sink(sink, tag)
    report("clamd-clean-delivered", code == 250 and got is not None,
           "got %d %r" % (code, text))


def test_viruses_refused(relay, sink):
    for name, build in (
            ("inline", lambda t: plain(t, EICAR + b"\r\n")),
            ("base64", lambda t: attach(t, "application/octet-stream",
                                        "eicar.com", EICAR)),
            ("zip", lambda t: attach(t, "application/zip", "files.zip",
                                     zip_of([("readme.txt", b"hello\n"),
                                             ("eicar.com", EICAR)]))),
            ("rfc822", rfc822)):
        tag = "virus-%s-%f" % (name, time.time())
        code, text = send(relay, build(tag))
        want = ("5.7.1 Message rejected: virus found: " + VIRUS).encode()
        report("clamd-eicar-%s-550" % name,
               code == 550 and text.startswith(want),
               "got %d %r" % (code, text))
        report("clamd-eicar-%s-not-delivered" % name,
               not_at_sink(sink, tag, 0.5), "delivered")
    # notify-on-virus: each default 550 sends the administrators a notice
    want = ("(virus %s by clamav)" % VIRUS).encode()
    found = wait_for(lambda: len(sink.find(want)) >= 4 and sink.find(want))
    got = found[0][2] if found else b""
    report("clamd-eicar-notices", bool(found) and
           b"Subject: [Sekimori] reject: message " in got and
           b"Auto-Submitted: auto-generated" in got,
           "%d notices, %r" % (len(sink.find(want)), got[:600]))


def test_rules(relay, sink):
    tag = "ppap-%f" % time.time()
    code, text = send(relay, attach(tag, "application/zip", "invoice.zip",
                                    zip_of([("invoice.xlsx", b"x" * 300)],
                                           encrypted=True)))
    report("rule-ppap-quarantined-250", code == 250 and qid_of(text),
           "got %d %r" % (code, text))
    report("rule-ppap-not-delivered", not_at_sink(sink, tag), "delivered")
    status, out = quarantine(relay, "list", "reason=ppap")
    report("rule-ppap-listed", status == 0 and qid_of(text) is not None and
           qid_of(text).encode() in out, "got %d %r" % (status, out))
    # notify: the administrators get a notice naming the quarantine id
    qid = qid_of(text) or "none"
    got = at_sink(sink, "[Sekimori] quarantine: message %s from " % qid)
    report("rule-ppap-notice", got is not None and
           b"\r\nRule:       ppap\r\n" in got and
           b"\r\nAuto-Submitted: auto-generated\r\n" in got and
           b"From: \"Sekimori content filter\" <postmaster@" in got,
           "notice %r" % (got or b"")[:800])
    report("rule-ppap-notice-logged",
           re.search(qid + r": content notice sent as [0-9A-V]+ to 1 "
                     r"administrator\(s\)", relay.log()) is not None,
           relay.log()[-2000:])

    tag = "exe-%f" % time.time()
    code, text = send(relay, attach(tag, "application/octet-stream",
                                    "setup.exe", b"MZ" + b"\0" * 200))
    report("rule-exe-550", code == 550 and text.startswith(
        b"5.7.1 Executable attachments are not accepted"),
        "got %d %r" % (code, text))

    tag = "pdf-%f" % time.time()
    code, text = send(relay, attach(tag, "application/pdf", "report.pdf",
                                    PDF))
    got = at_sink(sink, tag)
    report("rule-pdf-tagged", code == 250 and got is not None and
           b"X-Sekimori-Content: rule=pdf" in got,
           "got %d %r, %r" % (code, text, (got or b"")[:600]))


def test_quarantine_ops(relay, sink):
    """Outbound EICAR quarantined by rule; list, show, download, release
    (byte for byte), delete."""
    tag = "outvirus-%f" % time.time()
    code, text = send(relay, plain(tag, EICAR + b"\r\n"), source=INTERNAL,
                      rcpt="carol@example.net")
    qid = qid_of(text)
    report("outbound-virus-quarantined-250", code == 250 and qid,
           "got %d %r" % (code, text))
    if not qid:
        return
    report("outbound-virus-not-delivered", not_at_sink(sink, tag),
           "delivered")
    status, out = quarantine(relay, "list", "to=carol")
    report("quarantine-list-filter-to", status == 0 and qid.encode() in out
           and b"outbound-virus" in out, "got %d %r" % (status, out))
    status, out = quarantine(relay, "list", "to=nobody-such")
    report("quarantine-list-filter-none", status == 0 and
           qid.encode() not in out, "got %d %r" % (status, out))
    status, out = quarantine(relay, "show", qid)
    report("quarantine-show", status == 0 and tag.encode() in out and
           VIRUS.encode() in out, "got %d %r" % (status, out[:800]))
    p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                        "quarantine", "download", qid], capture_output=True,
                       timeout=30)
    eml = p.stdout
    report("quarantine-download", p.returncode == 0 and
           tag.encode() in eml and EICAR in eml,
           "got %d %r" % (p.returncode, p.stderr))
    status, out = quarantine(relay, "release", qid)
    report("quarantine-release", status == 0, "got %d %r" % (status, out))
    got = at_sink(sink, tag)
    report("quarantine-release-delivered-exactly", got is not None and
           got == eml, "sink %r vs download %r" % ((got or b"")[:300],
                                                   eml[:300]))
    report("quarantine-release-logged", re.search(
        qid + r": released from quarantine", relay.log()) is not None,
        "no log line")
    # delete
    tag = "outvirus2-%f" % time.time()
    code, text = send(relay, plain(tag, EICAR + b"\r\n"), source=INTERNAL,
                      rcpt="carol@example.net")
    qid = qid_of(text)
    status, out = quarantine(relay, "delete", qid or "none")
    status2, out2 = quarantine(relay, "list")
    report("quarantine-delete", status == 0 and qid and
           qid.encode() not in out2, "got %d %r / %r" % (status, out, out2))


def test_retention(relay, sink):
    """max-size 1 MiB: three quarantined messages of 400 KB; the oldest
    goes."""
    qids = []
    for i in range(3):
        tag = "bulk%d-%f" % (i, time.time())
        data = attach(tag, "application/zip", "big.zip",
                      zip_of([("data.bin", os.urandom(300 * 1024))],
                             encrypted=True))
        code, text = send(relay, data)
        qids.append(qid_of(text))
    ok = all(qids)

    def gone():
        status, out = quarantine(relay, "list")
        return status == 0 and qids[0].encode() not in out and \
            qids[2].encode() in out
    report("quarantine-retention-size", ok and wait_for(gone, 75),
           "%r: %r" % (qids, quarantine(relay, "list")))


def test_content_killed(relay, sink):
    pid = content_pid(relay)
    if pid is None:
        report("content-killed", False, "no content process")
        return
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    tag = "killed-%f" % time.time()
    code, text = send(relay, plain(tag))
    # either the restart was quick and it was scanned, or 451 4.7.1
    report("content-killed-451-or-scanned",
           (code == 451 and text.startswith(b"4.7.1")) or
           (code == 250 and at_sink(sink, tag) is not None),
           "got %d %r" % (code, text))
    report("content-restarted", bool(wait_for(
        lambda: (content_pid(relay) or pid) != pid, 30)), "no restart")
    tag = "recovered-%f" % time.time()
    code, text = send(relay, plain(tag))
    report("content-recovered", code == 250 and at_sink(sink, tag),
           "got %d %r" % (code, text))


def test_logs(relay):
    log = relay.log()
    report("log-content-line", re.search(
        r"[0-9A-V]+: content: clamav=infected\(" + re.escape(VIRUS) +
        r"\).* action=reject", log) is not None, "no content log line")
    report("log-quarantined-line", re.search(
        r"[0-9A-V]+: quarantined: reason=", log) is not None,
        "no quarantined line")


# ---- the rewrite relay -----------------------------------------------------

def rewrite_content():
    return {
        "enabled": True,
        "scanner": [{"name": "clamav", "type": "clamd", "address": CLAMD,
                     "timeout": 30}],
        "inbound": {"scanner": ["clamav"]},
        "rule": [
            {"name": "strip-exe", "match": {"file-name": ["*.exe"]},
             "action": "strip"},
            {"name": "suspicious", "match": {"file-type": ["pdf"]},
             "action": "tag", "subject-prefix": "[SUSPICIOUS] "},
        ],
    }


def test_strip(relay, sink):
    """A *.exe stripped: delivered without it, with the notice naming the
    quarantined original, which is listed and released byte for byte."""
    tag = "strip-%f" % time.time()
    exe = b"MZ" + bytes(range(256)) * 2
    code, text = send(relay, attach(tag, "application/octet-stream",
                                    "setup.exe", exe))
    qid = qid_of(text)
    report("rule-strip-250", code == 250 and qid, "got %d %r" % (code, text))
    got = at_sink(sink, tag)
    m = re.search(rb"The attachment setup.exe was removed by the mail "
                  rb"gateway: file name setup.exe matches \*.exe.\r\n"
                  rb"The original message is kept in quarantine as "
                  rb"([0-9A-V]+);", got or b"")
    qid2 = m.group(1).decode() if m else None
    report("rule-strip-delivered-with-notice", got is not None and
           qid2 is not None and qid2 != qid and b64(exe)[:76] not in got and
           b"See the file." in got and b"--b1--" in got,
           "got %r" % (got or b"")[-1500:])
    if not qid2:
        return
    status, out = quarantine(relay, "list", "reason=stripped")
    report("rule-strip-original-listed", status == 0 and
           qid2.encode() in out and qid.encode() in out and
           (qid + " size=").encode() not in out,
           "got %d %r" % (status, out))
    p = subprocess.run([relaylib.QUEUE_TOOL, "-c", relay.config_path,
                        "quarantine", "download", qid2], capture_output=True,
                       timeout=30)
    eml = p.stdout
    report("rule-strip-original-kept", p.returncode == 0 and
           b64(exe)[:76] in eml and b"removed by the mail gateway"
           not in eml, "got %d %r" % (p.returncode, p.stderr))
    status, out = quarantine(relay, "release", qid2)
    report("rule-strip-release", status == 0, "got %d %r" % (status, out))
    both = wait_for(lambda: len(sink.find(tag.encode())) >= 2 and
                    sink.find(tag.encode()), 30)
    orig = [x[2] for x in (both or []) if b64(exe)[:76] in x[2]]
    report("rule-strip-release-delivered-exactly", len(orig) == 1 and
           orig[0] == eml, "sink %d messages" % len(both or []))
    report("rule-strip-logged", re.search(
        qid + r": stripped: 1 part removed, original kept in quarantine "
        r"as " + qid2, relay.log()) is not None, "no strip line")


def test_subject_prefix(relay, sink):
    tag = "prefix-%f" % time.time()
    code, text = send(relay, attach(tag, "application/pdf", "report.pdf",
                                    PDF))
    got = at_sink(sink, tag)
    report("rule-tag-subject-prefix", code == 250 and got is not None and
           (b"\r\nSubject: [SUSPICIOUS] content " + tag.encode() + b"\r\n")
           in got and b"X-Sekimori-Content: rule=suspicious" in got,
           "got %d %r, %r" % (code, text, (got or b"")[:800]))


# ---- the milter relay ------------------------------------------------------

def milter_content():
    return {
        "enabled": True,
        "scanner": [
            {"name": "mreject", "type": "milter", "address": MILTER_REJECT,
             "timeout": 30},
            {"name": "mquar", "type": "milter",
             "address": MILTER_QUARANTINE, "timeout": 30}],
        "inbound": {"scanner": ["mreject"]},
        "outbound": {"scanner": ["mquar"]},
    }


def test_milter(relay, sink):
    tag = "mclean-%f" % time.time()
    code, text = send(relay, plain(tag))
    got = at_sink(sink, tag)
    report("milter-clean-delivered-with-header", code == 250 and got and
           b"X-Virus-Scanned: clamav-milter" in got,
           "got %d %r %r" % (code, text, (got or b"")[:600]))
    # AddHeader Add is an insheader at index 1 (Sendmail's semantics:
    # after the first field, the MTA's own Received): right after ours,
    # not above it as a prepended block would be
    hdr = (got or b"").split(b"\r\n\r\n", 1)[0]
    at = hdr.find(b"X-Virus-Scanned:")
    rcvd = hdr.find(b"Received: from client.sender.test")
    report("milter-insheader-at-index", 0 <= rcvd < at < hdr.find(
        b"\r\nFrom: ") and hdr.find(b"\r\nReceived: ", rcvd + 1,
                                     at) == -1,
           "header %r" % hdr[:1200])
    tag = "mvirus-%f" % time.time()
    code, text = send(relay, attach(tag, "application/octet-stream",
                                    "eicar.com", EICAR))
    report("milter-eicar-550", code == 550 and text.startswith(b"5.7.1"),
           "got %d %r" % (code, text))
    tag = "mquar-%f" % time.time()
    code, text = send(relay, plain(tag, EICAR + b"\r\n"), source=INTERNAL,
                      rcpt="carol@example.net")
    qid = qid_of(text)
    report("milter-quarantine-250", code == 250 and qid,
           "got %d %r" % (code, text))
    status, out = quarantine(relay, "list")
    report("milter-quarantine-listed", status == 0 and qid and
           qid.encode() in out, "got %d %r" % (status, out))
    report("milter-quarantine-not-delivered", not_at_sink(sink, tag, 0.5),
           "delivered")


def mreplace_content():
    return {
        "enabled": True,
        "scanner": [{"name": "mreplace", "type": "milter",
                     "address": MILTER_REPLACE, "timeout": 30}],
        "inbound": {"scanner": ["mreplace"]},
    }


def test_milter_replace(relay, sink):
    """chgheader of a field the message lacks adds it at the end of the
    header (libmilter's smfi_chgheader), after the client's last field"""
    tag = "mrepl-%f" % time.time()
    code, text = send(relay, plain(tag))
    got = at_sink(sink, tag)
    hdr = (got or b"").split(b"\r\n\r\n", 1)[0]
    at = hdr.find(b"X-Virus-Scanned: clamav-milter")
    report("milter-chgheader-at-end", code == 250 and
           at > hdr.find(b"Message-ID: <" + tag.encode()) > 0 and
           hdr.count(b"X-Virus-Scanned:") == 1,
           "got %d %r, header %r" % (code, text, hdr[:1200]))


# ---- the envelope relay ----------------------------------------------------

def envelope_content():
    return {
        "enabled": True,
        "scanner": [{"name": "envm", "type": "milter",
                     "address": MILTER_ENVELOPE, "timeout": 30}],
        "inbound": {"scanner": ["envm"]},
    }


def test_envelope(relay, sink):
    """the milter's chgfrom, addrcpt, addrcpt_par and delrcpt reach the
    queue: the sink sees the new sender and recipients"""
    tag = "env-change-%f" % time.time()
    code, text = send(relay, plain(tag))
    found = wait_for(lambda: sink.find(tag.encode()), 30)
    got = found[0] if found else None
    report("envelope-change-250", code == 250, "got %d %r" % (code, text))
    report("envelope-change-delivered", got is not None and
           got[0] == "bounce@sender.test" and
           sorted(got[1]) == ["carol@example.net", "dave@example.net"],
           "sink got %r" % ((got[0], got[1]) if got else None,))
    log = relay.log()
    report("envelope-change-logged", re.search(
        r"content: milter=envm chgfrom=<bounce@sender.test> "
        r"addrcpt=<carol@example.net> addrcpt=<dave@example.net>"
        r"\(NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;dave@example.net\) "
        r"delrcpt=<bob@example.com>", log) is not None and re.search(
        r"envelope changed by the content step: "
        r"from=<bounce@sender.test> nrcpt=2", log) is not None,
        log[-2000:])
    report("envelope-message-unchanged", got is not None and
           got[2].rstrip(b"\r\n").endswith(b"nothing to see.") and
           b"SKENV" not in got[2], "got %r" % ((got or [b"", b"", b""])[2],))

    tag = "env-delall-%f" % time.time()
    code, text = send(relay, plain(tag))
    report("envelope-delall-250", code == 250, "got %d %r" % (code, text))
    report("envelope-delall-discarded", not_at_sink(sink, tag, 1.0),
           "delivered")
    report("envelope-delall-logged", re.search(
        r"content: milter envm deleted every recipient: action=discard",
        relay.log()) is not None, relay.log()[-2000:])

    tag = "env-many-%f" % time.time()
    code, text = send(relay, plain(tag))
    report("envelope-many-451", code == 451 and text.startswith(
        b"4.7.1 Content scanner envm unavailable"), "got %d %r" % (code,
                                                                  text))
    report("envelope-many-not-delivered", not_at_sink(sink, tag, 0.5),
           "delivered")

    # the milter's three lines reach the client as three 550 lines
    tag = "env-multiline-%f" % time.time()
    lines = data_reply_lines(relay, plain(tag))
    report("envelope-multiline-550", lines == [
        b"550-5.7.1 first line", b"550-5.7.1 second line",
        b"550 5.7.1 third line"], "got %r" % (lines,))


# ---- the failing relay -----------------------------------------------------

def dead_socket(path):
    """A unix socket file nobody listens on: as a killed clamd leaves it."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    os.chmod(path, 0o777)


def silent_socket(path):
    """A unix socket that accepts and never answers (a hung scanner)."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    os.chmod(path, 0o777)
    s.listen(16)
    held = []

    def serve():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            held.append(c)
    threading.Thread(target=serve, daemon=True).start()
    return s


def failing_content(dead, silent):
    return {
        "enabled": True,
        "scanner": [
            {"name": "down", "type": "clamd", "address": dead, "timeout": 5},
            {"name": "hung", "type": "clamd", "address": silent,
             "timeout": 2, "on-failure": "accept-and-log"}],
        "inbound": {"scanner": ["down"]},
        "outbound": {"scanner": ["hung"]},
    }


def test_failing(relay, sink):
    tag = "down-%f" % time.time()
    code, text = send(relay, plain(tag))
    report("clamd-down-451", code == 451 and text.startswith(
        b"4.7.1 Content scanner down unavailable"), "got %d %r" % (code, text))
    report("clamd-down-not-delivered", not_at_sink(sink, tag, 0.5),
           "delivered")
    tag = "hung-%f" % time.time()
    t0 = time.time()
    code, text = send(relay, plain(tag), source=INTERNAL,
                      rcpt="carol@example.net")
    took = time.time() - t0
    report("clamd-hung-accept-and-log", code == 250 and
           at_sink(sink, tag) is not None, "got %d %r" % (code, text))
    report("clamd-hung-within-timeout", took < 10, "took %.1f s" % took)
    report("clamd-hung-logged", re.search(
        r"content: scanner hung unavailable.*accepted unscanned",
        relay.log()) is not None, "no warning")


def run(tmp, name, sink, content, tests):
    relay = make_relay(tmp, name, sink, content)
    try:
        if start(relay, name):
            relaylib.run_tests([(f, (relay, sink)) if f is not test_logs
                                else (f, (relay,)) for f in tests], relay)
    finally:
        relay.stop()
        if relaylib.failures:
            relaylib.keep_log_on_failure(relay, "content-test-%s.log" % name)


def main():
    for need in (CLAMD, MILTER_REJECT, MILTER_QUARANTINE, MILTER_REPLACE,
                 MILTER_ENVELOPE):
        if not need or not os.path.exists(need):
            report("content-setup", False,
                   "run by ci/scan-test.sh, which starts clamd and milters")
            return 1
    tmp = tempfile.mkdtemp(prefix="sk-content-")
    os.chmod(tmp, 0o755)  # the daemon may run as nobody (relaylib)
    sink = relaylib.Sink()
    try:
        run(tmp, "clamd", sink, clamd_content(),
            [test_clean, test_viruses_refused, test_rules,
             test_quarantine_ops, test_retention, test_content_killed,
             test_logs])
        run(tmp, "rewrite", sink, rewrite_content(),
            [test_strip, test_subject_prefix])
        run(tmp, "milter", sink, milter_content(), [test_milter])
        run(tmp, "mreplace", sink, mreplace_content(),
            [test_milter_replace])
        run(tmp, "envelope", sink, envelope_content(), [test_envelope])
        dead = os.path.join(tmp, "dead.sock")
        dead_socket(dead)
        silent = silent_socket(os.path.join(tmp, "silent.sock"))
        run(tmp, "failing", sink, failing_content(
            dead, os.path.join(tmp, "silent.sock")), [test_failing])
        silent.close()
    finally:
        sink.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("content-test: %d passed, %d failed" % (relaylib.passes,
                                                  relaylib.failures))
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
