#!/bin/sh
# ci/arc-interop.sh - ARC (RFC 8617) interop with dkimpy (Debian
# python3-dkim, its arc_sign/arc_verify), both ways, rsa-sha256 (2048) and
# ed25519-sha256:
#   dkimpy seals i=1          -> sekimori-check arc-verify --zone: pass
#   sekimori-check seals i=2 over it -> dkimpy arc_verify: pass
#   sekimori-check seals i=1  -> dkimpy arc_verify: pass
#   dkimpy seals i=2 over it  -> sekimori-check arc-verify: pass
#   one changed body octet    -> fail, both verifiers
# dkimpy 1.1.4's ARC knows rsa-sha256 only (its arc_verify says "unknown
# signature algorithm" for ed25519-sha256, arc_sign reads only PEM RSA
# keys): our Ed25519 seals are checked by arc_test.c, and here by our own
# verifier only (an INFO line per check).
# The relay's own seal (sekimorid with `arc seal`: i=1 cv=none, and i=2
# cv=pass over chains made by sekimori-check and by dkimpy, checked by
# dkimpy's arc_verify) is tested end to end by ci/policy-test.py.
# Prints PASS:/FAIL: lines; exits 1 if any failed, 2 when a tool is
# missing.  Needs output/host/bin/sekimori-check (make host) and
# /usr/bin/python3 with python3-dkim and python3-authres (dkimpy's
# arc_sign reads the Authentication-Results it seals).
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
CHECK=${CHECK:-$TOP/output/host/bin/sekimori-check}
PY=/usr/bin/python3

if [ ! -x "$CHECK" ]; then
	echo "FAIL: arc-interop: $CHECK missing (run make host)"; exit 2
fi
if ! $PY -c 'import dkim, authres; dkim.arc_sign' 2>/dev/null; then
	echo "FAIL: arc-interop: python3-dkim or python3-authres missing"
	exit 2
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0
pass() { echo "PASS: arc-interop: $1"; }
fail() { echo "FAIL: arc-interop: $1"; fails=$((fails + 1)); }

# keys: ours made by dkim-keygen; dkimpy takes the same RSA PEM and, for
# Ed25519, the base64 of the 32-octet seed (the PKCS#8 tail)
: > "$T/zone"
echo '$TTL 300' >> "$T/zone"
for alg in rsa-sha256 ed25519-sha256; do
	for n in 1 2; do
		"$CHECK" dkim-keygen --domain "s$n.example" --selector "$alg" \
		    --algorithm "$alg" --out "$T/$alg-$n.pem" \
		    > "$T/txt" || { fail "dkim-keygen $alg"; exit 1; }
		sed 's/^\([^ ]*\) IN/\1. IN/' "$T/txt" >> "$T/zone" # absolute
	done
done

# dkimpy, as a small driver: seal or verify, DNS from our zone file
cat > "$T/py" <<'PYEOF'
import base64, re, sys, dkim
mode, zone, alg = sys.argv[1], sys.argv[2], sys.argv[3]
txt = {}
for line in open(zone):
    m = re.match(r'(\S+) IN TXT (.*)', line)
    if m:
        txt[m.group(1).rstrip('.') + '.'] = ''.join(
            re.findall(r'"([^"]*)"', m.group(2))).encode()
def dns(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return txt.get(n.rstrip('.') + '.')
msg = sys.stdin.buffer.read()
if mode == 'verify':
    cv, res, why = dkim.arc_verify(msg, dnsfunc=dns)
    print((cv or b'none').decode(), why)
    sys.exit(0 if cv == b'pass' else 1)
domain, keyfile, cv = sys.argv[4], sys.argv[5], sys.argv[6]
key = open(keyfile, 'rb').read()
if alg == 'ed25519-sha256':
    der = base64.b64decode(b''.join(key.split(b'\n')[1:-2]))
    key = base64.b64encode(der[-32:])
msg = (b'Authentication-Results: ' + domain.encode() + b'; arc=' +
       cv.encode() + b'\r\n') + msg
sets = dkim.arc_sign(msg, alg.encode(), domain.encode(), key,
                     domain.encode(), signature_algorithm=alg.encode())
if not sets:
    sys.exit(1)
sys.stdout.buffer.write(b''.join(sets) + msg)
PYEOF

printf 'From: Alice <alice@example.org>\r\nTo: list@lists.example.net\r\nSubject: hello\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nHello there\r\n' > "$T/msg"

ours_verify() { "$CHECK" arc-verify --zone "$T/zone" < "$1" > "$T/out" 2>&1; head -1 "$T/out"; }
py_verify() { $PY "$T/py" verify "$T/zone" x < "$1" 2>/dev/null | cut -d' ' -f1; }
# ours_seal N IN OUT / py_seal N CV IN OUT: sealer N (sN.example, key
# $alg-N.pem) adds a set to IN
ours_seal() {
	"$CHECK" arc-seal --domain "s$1.example" --selector $alg \
	    --key "$T/$alg-$1.pem" --authserv-id "s$1.example" \
	    --zone "$T/zone" < "$2" > "$3"
}
py_seal() {
	$PY "$T/py" seal "$T/zone" $alg "s$1.example" "$T/$alg-$1.pem" "$2" \
	    < "$3" > "$4" 2>"$T/err"
}
# expect WHAT GOT WANT [MORE]: PASS when GOT is WANT, else FAIL with GOT
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: $2${4:+ $4}"; fi
}
# ours_expect WHAT FILE: our verifier passes FILE
ours_expect() { expect "$1" "$(ours_verify "$2")" arc=pass "$(tail -1 "$T/out")"; }
# body_fails WHAT FILE: one changed body octet fails in both verifiers
body_fails() {
	sed 's/Hello there/Hello thorn/' "$2" > "$2x"
	got=$(ours_verify "$2x"); got2=$(py_verify "$2x")
	expect "$1" "ours $got, dkimpy $got2" "ours arc=fail, dkimpy fail"
}

for alg in rsa-sha256; do
	# dkimpy first, then ours
	if py_seal 1 none "$T/msg" "$T/a1"; then
		ours_expect "$alg: dkimpy seals, ours verifies" "$T/a1"
		ours_seal 2 "$T/a1" "$T/a2"
		expect "$alg: ours seals i=2 over dkimpy, dkimpy verifies" \
		    "$(py_verify "$T/a2")" pass
		ours_expect "$alg: 2-set mixed chain, ours verifies" "$T/a2"
		body_fails "$alg: changed body fails in both" "$T/a2"
	else
		fail "$alg: dkimpy cannot seal: $(tail -1 "$T/err")"
	fi
	# ours first, then dkimpy
	ours_seal 1 "$T/msg" "$T/b1"
	expect "$alg: ours seals, dkimpy verifies" "$(py_verify "$T/b1")" pass
	if py_seal 2 pass "$T/b1" "$T/b2"; then
		ours_expect "$alg: dkimpy seals i=2 over ours, ours verifies" \
		    "$T/b2"
		body_fails "$alg: changed body fails in both (2)" "$T/b2"
	else
		fail "$alg: dkimpy cannot seal over ours: $(tail -1 "$T/err")"
	fi
done
alg=ed25519-sha256
ours_seal 1 "$T/msg" "$T/e1"
ours_seal 2 "$T/e1" "$T/e2"
got=$(ours_verify "$T/e2")
[ "$got" = arc=pass ] && echo "INFO: arc-interop: $alg: 2 sets sealed and verified by ours (dkimpy has no Ed25519 ARC)" ||
    fail "$alg: ours seals and verifies: $got"
[ $fails -eq 0 ] || exit 1
exit 0
