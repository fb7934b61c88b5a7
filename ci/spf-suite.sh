#!/bin/sh
# spf-suite.sh - the OpenSPF RFC 7208 test suite through sekimori-check.
#
#   ci/spf-suite.sh [SEKIMORI_CHECK]
#
# Each scenario's zonedata becomes an RFC 1035 zone file in a temporary
# directory, so the real zone-file backend answers every query; each test
# runs `sekimori-check spf --zone FILE`.  Prints one line per test,
#   PASS: spf rfc7208 <scenario>/<test>
#   FAIL: spf rfc7208 <scenario>/<test>: got X, want Y
# then `INFO: spf rfc7208 N/203 passed`.  The older RFC 4408 suite runs
# too, reported as INFO lines only.  Exit status 0 when every RFC 7208
# test passed.
#
# Driver conventions (../shared/conformance/README.md): an SPF record is
# also served as TXT unless the name has its own TXT (TXT: NONE = none);
# TIMEOUT makes queries of the name time out (served as the zone backend's
# SEKIMORI-TEMPFAIL marker, which fails the types the name has no records
# of, as the suite's own driver does); unknown names are NXDOMAIN, except
# names starting "error.": those the scenario spells out get the marker
# too (none of the suites has one; a name built by macros would not);
# labels over 63 octets never reach the zone (the resolver interface fails
# them, see dns_query()); the default explanation is "DEFAULT"; `result`
# may be a list of acceptable results.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
check=${1:-${SEKIMORI_CHECK:-$top/output/host/bin/sekimori-check}}
suite_dir=${SK_CONFORMANCE:-$top/../shared/conformance}/spf

if [ ! -x "$check" ]; then
	echo "FAIL: spf rfc7208: $check not found (run 'make host' first)"
	exit 1
fi
for f in rfc7208-tests.yml rfc4408-tests.yml; do
	if [ ! -f "$suite_dir/$f" ]; then
		echo "FAIL: spf rfc7208: $suite_dir/$f not found"
		exit 1
	fi
done
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "FAIL: spf rfc7208: python3-yaml is missing (apt-get install python3-yaml)"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spf-suite.XXXXXX")
[ -n "${SPF_SUITE_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/driver.py" <<'EOF'
import os, re, subprocess, sys
import yaml

check, tmp, path, tag, mode = sys.argv[1:6]

def zstring(s):
    """One TXT value as quoted character-strings of at most 255 octets."""
    if isinstance(s, str):
        s = s.encode("latin-1")
    out = []
    for i in range(0, max(len(s), 1), 255):
        chunk = s[i:i + 255]
        esc = "".join(
            "\\" + chr(b) if b in (0x22, 0x5c) else
            chr(b) if 0x20 <= b < 0x7f else "\\%03d" % b
            for b in chunk)
        out.append('"%s"' % esc)
    return " ".join(out)

def txt(value):
    if isinstance(value, list):
        # an empty list is a TXT record of one empty string
        return " ".join(zstring(v) for v in value) or '""'
    return zstring(value)

def zname(name):
    """An absolute owner or target name, odd octets as \\DDD escapes."""
    if name in ("", "."):
        return "."
    raw = name.rstrip(".").encode("latin-1")
    return "".join(chr(b) if 0x21 <= b < 0x7f and chr(b) not in '"();\\@$'
                   else "\\%03d" % b for b in raw) + "."

ERROR_NAME = re.compile(r"(?<![A-Za-z0-9_.-])error\.[A-Za-z0-9_.-]*[A-Za-z0-9]",
                        re.I)

def error_names(doc):
    """Names starting "error." that the scenario spells out: they time out."""
    text = repr(doc.get("zonedata")) + repr(doc.get("tests"))
    return {m.group(0).lower() for m in ERROR_NAME.finditer(text)}

def zone(zonedata, errors):
    """The scenario's zonedata as an RFC 1035 master file."""
    lines = ["$TTL 300"]
    known = {n.rstrip(".").lower() for n in (zonedata or {})}
    for name in sorted(errors - known):
        lines.append('%s TXT "SEKIMORI-TEMPFAIL"' % zname(name))
    for name, recs in (zonedata or {}).items():
        owner = zname(name)
        if name.lower().startswith("error.") and "TIMEOUT" not in recs:
            recs = list(recs) + ["TIMEOUT"]
        if "TIMEOUT" in recs:
            # queries of types the name has no records of time out
            lines.append('%s TXT "SEKIMORI-TEMPFAIL"' % owner)
            recs = [r for r in recs if r != "TIMEOUT"]
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in recs)
        for r in recs:
            (typ, value), = r.items()
            if typ == "TXT" and value == "NONE":
                continue
            if typ == "SPF":
                if has_txt:
                    continue
                typ = "TXT"
            if typ == "TXT":
                lines.append("%s TXT %s" % (owner, txt(value)))
            elif typ == "MX":
                lines.append("%s MX %d %s" % (owner, value[0],
                                              zname(value[1])))
            elif typ in ("PTR", "CNAME"):
                lines.append("%s %s %s" % (owner, typ, zname(value)))
            else:
                lines.append("%s %s %s" % (owner, typ, value))
    return "\n".join(lines) + "\n"

def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")

def arg(s):
    return (s or "").encode("latin-1")

docs = list(yaml.safe_load_all(open(path, encoding="latin-1")))
total = passed = 0
for n, doc in enumerate(docs):
    scen = slug(doc.get("description", "scenario-%d" % n))
    zfile = os.path.join(tmp, "%s-%02d.zone" % (tag, n))
    with open(zfile, "w", encoding="latin-1") as f:
        f.write(zone(doc.get("zonedata"), error_names(doc)))
    for name, t in doc["tests"].items():
        total += 1
        want = t["result"] if isinstance(t["result"], list) else [t["result"]]
        cmd = [arg(check), b"spf", b"--ip", arg(str(t["host"])),
               b"--helo", arg(t.get("helo")),
               b"--mail-from", arg(t.get("mailfrom")),
               b"--zone", arg(zfile), b"--default-exp", b"DEFAULT"]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            lines = p.stdout.decode("latin-1").split("\n")
            got = lines[0] if p.returncode in (0, 1) else \
                "exit %d: %s" % (p.returncode,
                                 p.stderr.decode("latin-1").strip())
            exp = lines[1] if len(lines) > 1 else ""
        except subprocess.TimeoutExpired:
            got, exp = "timeout", ""
        why = None
        if got not in want:
            why = "got %s, want %s" % (got, "|".join(want))
        elif "explanation" in t and got == "fail" and \
                exp != t["explanation"]:
            why = "got explanation %r, want %r" % (exp, t["explanation"])
        label = "spf %s %s/%s" % (tag, scen, name)
        if why is None:
            passed += 1
            if mode == "report":
                print("PASS: %s" % label)
        elif mode == "report":
            print("FAIL: %s: %s" % (label, why))
        else:
            print("INFO: %s: %s" % (label, why))
print("INFO: spf %s %d/%d passed" % (tag, passed, total))
sys.exit(0 if passed == total else 1)
EOF

status=0
/usr/bin/python3 "$tmp/driver.py" "$check" "$tmp" \
    "$suite_dir/rfc7208-tests.yml" rfc7208 report || status=1
# RFC 4408 (the older RFC, SPF RR type era): informational only.
/usr/bin/python3 "$tmp/driver.py" "$check" "$tmp" \
    "$suite_dir/rfc4408-tests.yml" rfc4408 info || true
exit $status
