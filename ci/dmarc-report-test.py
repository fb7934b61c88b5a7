#!/usr/bin/python3
"""dmarc-report-test.py - DMARC aggregate reports end to end (issue 4,
RFC 7489 7.2 and appendix C): a private sekimorid with reports enabled,
DNS from a zone file, delivering to a sink.

Phase 1 (the real clock: the period is not over): messages from a domain
whose DMARC record has rua= are recorded; `sekimori-check dmarc-report`
shows the report XML of the store as it would be sent (counts
aggregated, a DMARC failure with disposition reject, policy_published).
Phase 2 (the daemon restarted with SEKIMORI_DMARC_REPORT_AHEAD, the
test clock that ends the period now): the report mail reaches the sink
for the same-domain and the authorized external destination, not for
the unauthorized one (RFC 7489 7.1, logged); Subject and file name as
RFC 7489 7.2.1.1 says; the attachment is gzip whose XML parses (python3
xml) and has the structure of a real report (OpenDMARC's sample in
../shared/conformance/dmarc, when present); the mail is DKIM-signed by
the from-address's domain and verifies (sekimori-check dkim-verify); the
store and the pickup folder are empty afterwards.

Uses relaylib (SK_SEKIMORID, SK_QUEUE_TOOL) and SK_CHECK. Prints
PASS:/FAIL: lines; exits 1 if anything failed.
"""

import email
import email.policy
import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relaylib  # noqa: E402
from relaylib import report, wait_for  # noqa: E402

CHECK = os.environ.get("SK_CHECK", os.path.join(relaylib.TOP, "output", "host",
                                                "bin", "sekimori-check"))
FROM = "dmarc-reports@example.com"
ORG = "Sekimori Test & Co"


def keygen(root, domain, selector):
    d = os.path.join(root, "config", "dkim")
    os.makedirs(d, exist_ok=True)
    name = "%s.%s.key" % (domain, selector)
    out = subprocess.run([CHECK, "dkim-keygen", "--domain", domain,
                          "--selector", selector, "--out",
                          os.path.join(d, name)],
                         check=True, capture_output=True, text=True)
    return "/config/dkim/" + name, out.stdout.strip()


def setup(root, sink):
    tmp = os.path.dirname(root)
    relay = relaylib.Relay(root, sink.port)
    root = relay.root
    out_key, out_txt = keygen(root, "example.com", "rep")
    sender = os.path.join(tmp, "sender")
    in_key, in_txt = keygen(sender, "sender.test", "s1")
    relay.sender_key = os.path.join(sender, in_key.lstrip("/"))
    relay.config["sekimori-auth:sender-authentication"] = {
        "dkim": {"signing": {"domain": [{
            "name": "example.com",
            "selector": [{"name": "rep", "algorithm": "rsa-sha256",
                          "key-file": out_key}]}]}},
        "dmarc": {"reports": {"aggregate": {
            "enabled": True, "org-name": ORG, "from-address": FROM,
            "interval": 1}}},
    }
    with open(relay.config_path, "w") as f:
        json.dump(relay.config, f, indent=1)
    relay.zone_text = (
        "$TTL 300\n"
        "sink.test. IN A 127.0.0.1\n"
        "sender.test. IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n"
        "_dmarc.sender.test. IN TXT \"v=DMARC1; p=reject; aspf=s; "
        "rua=mailto:rua@sender.test,mailto:agg@thirdparty.test,"
        "mailto:nope@refuse.test!50k\"\n"
        "sender.test._report._dmarc.thirdparty.test. IN TXT \"v=DMARC1\"\n"
        "example.com. IN TXT \"v=spf1 ip4:127.0.0.2 -all\"\n"
        "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n" +
        in_txt.replace("._domainkey.sender.test ",
                       "._domainkey.sender.test. ") + "\n" +
        out_txt.replace("._domainkey.example.com ",
                        "._domainkey.example.com. ") + "\n")
    with open(relay.zone, "w") as f:
        f.write(relay.zone_text)
    return relay


def message(tag, sender):
    return (b"From: " + sender.encode() + b"\r\n"
            b"To: alice@example.com\r\nSubject: dmarc " + tag.encode() +
            b"\r\nDate: Wed, 26 Nov 2025 10:00:00 +0000\r\n"
            b"Message-ID: <" + tag.encode() + b"@test>\r\n\r\n"
            b"body " + tag.encode() + b"\r\n")


def sign(relay, data):
    return subprocess.run([CHECK, "dkim-sign", "--domain", "sender.test",
                           "--selector", "s1", "--key", relay.sender_key],
                          input=data, check=True,
                          capture_output=True).stdout


def db_path(relay):
    return os.path.join(relay.root, "data", "dmarc", "dmarc.db")


def phase1_record(relay, sink):
    """Two passing messages and a forged one, recorded; the store's XML."""
    codes = []
    for i in range(2):
        data = sign(relay, message("ok%d-%f" % (i, time.time()),
                                   "Sender <news@sender.test>"))
        codes.append(relaylib.send(relay, "news@sender.test",
                                   "alice@example.com", data)[0])
    codes.append(relaylib.send(relay, "x@elsewhere.example",
                               "alice@example.com",
                               message("forged", "Boss <ceo@sender.test>"))[0])
    report("dmarc-report-messages", codes == [250, 250, 550],
           "got %r" % codes)
    now = int(time.time())
    out = subprocess.run([CHECK, "dmarc-report", "--db", db_path(relay),
                          "--now", str(now + 7200), "--interval", "1",
                          "--org-name", ORG, "--email", FROM],
                         capture_output=True)
    report("dmarc-report-check-exit", out.returncode == 0,
           "exit %d: %s" % (out.returncode, out.stderr[-300:]))
    try:
        root = ET.fromstring(out.stdout)
    except ET.ParseError as e:
        report("dmarc-report-check-xml", False, "%s: %r" % (e, out.stdout[:300]))
        return
    counts = {}
    for rec in root.findall("record"):
        key = (rec.findtext("row/source_ip"),
               rec.findtext("row/policy_evaluated/disposition"),
               rec.findtext("row/policy_evaluated/dkim"),
               rec.findtext("row/policy_evaluated/spf"))
        counts[key] = counts.get(key, 0) + int(rec.findtext("row/count"))
    report("dmarc-report-check-xml", root.tag == "feedback" and
           root.findtext("report_metadata/org_name") == ORG and
           root.findtext("policy_published/domain") == "sender.test" and
           root.findtext("policy_published/p") == "reject" and
           root.findtext("policy_published/aspf") == "s" and
           counts.get(("127.0.0.1", "none", "pass", "pass")) == 2 and
           counts.get(("127.0.0.1", "reject", "fail", "fail")) == 1,
           "counts %r" % counts)


def reports_at_sink(sink):
    return [m for m in sink.messages if b"Report Domain: sender.test" in
            m[2].replace(b"\r\n ", b" ")]


def structure(elem, path=""):
    """The set of element paths of a report (records folded into one)."""
    here = path + "/" + elem.tag.split("}")[-1]
    out = {here}
    for c in elem:
        out |= structure(c, here)
    return out


def phase2_send(relay, sink, since):
    got = wait_for(lambda: len(reports_at_sink(sink)) >= 2, 60)
    mails = reports_at_sink(sink)
    rcpts = sorted(r for m in mails for r in m[1])
    report("dmarc-report-delivered", got and
           rcpts == ["agg@thirdparty.test", "rua@sender.test"],
           "rcpts %r" % rcpts)
    if not mails:
        return
    log = relay.log(since)
    report("dmarc-report-unauthorized-dropped",
           "nope@refuse.test is not authorized" in log and
           not any("nope@refuse.test" in r for m in mails for r in m[1]),
           "no log line")
    raw = mails[0][2]
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = re.sub(r"\s+", " ", msg["Subject"])
    report("dmarc-report-subject", re.fullmatch(
        r"Report Domain: sender\.test Submitter: example\.com "
        r"Report-ID: <\d+\.[0-9a-f]{16}>", subject) is not None, subject)
    report("dmarc-report-from", msg["From"] == "<%s>" % FROM and
           mails[0][0] == FROM, "%r %r" % (msg["From"], mails[0][0]))
    part = [p for p in msg.walk() if p.get_content_type() ==
            "application/gzip"]
    fname = part[0].get_filename() if part else None
    report("dmarc-report-filename", fname is not None and re.fullmatch(
        r"example\.com!sender\.test!\d+!\d+\.xml\.gz", fname) is not None,
        repr(fname))
    try:
        xml = gzip.decompress(part[0].get_payload(decode=True))
        root = ET.fromstring(xml)
    except Exception as e:  # any failure to decode is the test's failure
        report("dmarc-report-gzip-xml", False, "%s: %s" % (type(e).__name__, e))
        return
    total = sum(int(r.findtext("row/count")) for r in root.findall("record"))
    report("dmarc-report-gzip-xml", total == 3 and
           root.findtext("report_metadata/email") == FROM, "total %d" % total)
    samples = glob.glob(os.path.join(relaylib.TOP, "..", "shared",
                                     "conformance", "dmarc", "opendmarc",
                                     "testfiles", "good.com*.xml"))
    if samples:
        want = structure(ET.parse(samples[0]).getroot())
        mine = structure(root)
        report("dmarc-report-structure-like-opendmarc-sample",
               want - mine <= {"/feedback/record/auth_results/dkim/"
                               "human_result"},
               "missing %r" % sorted(want - mine))
    else:
        print("INFO: no OpenDMARC sample report: structure not compared")
    verify = subprocess.run([CHECK, "dkim-verify", "--zone", relay.zone],
                            input=raw, capture_output=True, text=False)
    report("dmarc-report-dkim-signed",
           verify.returncode == 0 and b"d=example.com s=rep pass" in
           verify.stdout, verify.stdout.decode("utf-8", "replace"))
    pickup = os.path.join(relay.root, "data", "pickup")
    left = wait_for(lambda: not [n for n in os.listdir(pickup)
                                 if not n.startswith(".")], 20)
    out = subprocess.run([CHECK, "dmarc-report", "--db", db_path(relay),
                          "--now", str(int(time.time()) + 86400 * 2),
                          "--interval", "1"], capture_output=True)
    report("dmarc-report-store-emptied", left and out.returncode == 1,
           "pickup %r, check exit %d" % (os.listdir(pickup),
                                         out.returncode))


def main():
    for path in (relaylib.SEKIMORID, CHECK):
        if not os.path.exists(path):
            report("dmarc-report-setup", False, "no %s: run make host" % path)
            return 1
    tmp = tempfile.mkdtemp(prefix="sk-dmarcrep-")
    os.chmod(tmp, 0o755)
    sink = relaylib.Sink()
    relay = setup(os.path.join(tmp, "relay"), sink)
    os.environ.pop("SEKIMORI_DMARC_REPORT_AHEAD", None)
    try:
        if not relay.start():
            report("dmarc-report-start", False, relay.log()[-3000:])
            return 1
        relaylib.run_tests([(phase1_record, (relay, sink))], relay)
        relay.stop()
        since = relay.log_size()
        os.environ["SEKIMORI_DMARC_REPORT_AHEAD"] = "86400"
        if not relay.start():
            report("dmarc-report-restart", False, relay.log()[-3000:])
            return 1
        relaylib.run_tests([(phase2_send, (relay, sink, since))], relay)
    finally:
        os.environ.pop("SEKIMORI_DMARC_REPORT_AHEAD", None)
        relay.stop()
        sink.stop()
        if relaylib.failures:
            print("log:\n" + relay.log()[-5000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print("dmarc-report-test: %d passed, %d failed" % (relaylib.passes,
                                                       relaylib.failures))
    return 1 if relaylib.failures else 0


if __name__ == "__main__":
    sys.exit(main())
