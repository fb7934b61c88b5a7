#!/bin/sh
# ci/dkim-interop.sh - DKIM interop with a real peer, dkimpy (Debian
# python3-dkim), both ways, for rsa-sha256 (2048) and ed25519-sha256:
#   dkimpy signs        -> sekimori-check dkim-verify --zone says pass
#   sekimori-check signs -> dkimpy verifies (answering DNS from our zone)
#   one changed header octet / body octet -> fail, in both directions
# Prints PASS:/FAIL: lines; exits 1 if any failed, 2 when a tool is missing.
# Needs: output/host/bin/sekimori-check (make host), /usr/bin/python3 with
# python3-dkim, and the dkimpy test keys in ../shared/conformance.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
CHECK=${CHECK:-$TOP/output/host/bin/sekimori-check}
CONF=${SK_CONFORMANCE:-$TOP/../shared/conformance}
DATA=$CONF/dkim/dkimpy-1.1.4
PY=/usr/bin/python3

if [ ! -x "$CHECK" ]; then
	echo "FAIL: dkim-interop: $CHECK missing (run make host)"; exit 2
fi
if ! $PY -c 'import dkim' 2>/dev/null; then
	echo "FAIL: dkim-interop: python3-dkim missing (apt-get install python3-dkim)"
	exit 2
fi
if [ ! -f "$DATA/2048_testkey.key" ]; then
	echo "FAIL: dkim-interop: $DATA not found (set SK_CONFORMANCE)"; exit 2
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
pass() { echo "PASS: dkim-interop: $1"; }
bad() { echo "FAIL: dkim-interop: $1"; fail=1; }

# A plain message of our own (ci/testdata/message.eml, LF line ends).
cp "$(dirname "$0")/testdata/message.eml" "$T/msg"

# The peer's side: dkimpy signs with the dkimpy test keys, and verifies
# with dnsfunc answering from a zone file (TXT strings concatenated).
cat > "$T/peer.py" <<'PY'
import re, sys, dkim
def zone(path):
    recs = {}
    for line in open(path):
        m = re.match(r'^(\S+)\s+(?:\d+\s+)?IN\s+TXT\s+(.*)$', line)
        if m:
            name = m.group(1).rstrip('.').lower() + '.'
            recs[name] = ''.join(re.findall(r'"([^"]*)"', m.group(2)))
    return recs
def crlf(b):
    return re.sub(rb'\r?\n', b'\r\n', b)
cmd = sys.argv[1]
if cmd == 'sign':
    alg, sel, dom, keyfile, msgfile = sys.argv[2:7]
    key = open(keyfile, 'rb').read().strip()
    msg = crlf(open(msgfile, 'rb').read())
    sig = dkim.sign(msg, sel.encode(), dom.encode(), key,
        canonicalize=(b'relaxed', b'relaxed'),
        signature_algorithm=alg.encode())
    sys.stdout.buffer.write(sig + msg)
elif cmd == 'verify':
    recs = zone(sys.argv[2])
    msg = crlf(open(sys.argv[3], 'rb').read())
    def dnsfunc(name, timeout=5):
        n = name.decode() if isinstance(name, bytes) else name
        v = recs.get(n.rstrip('.').lower() + '.')
        return v.encode() if v is not None else None
    d = dkim.DKIM(msg)
    n = len([1 for h in d.headers if h[0].lower() == b'dkim-signature'])
    try:
        ok = n > 0 and all(d.verify(idx=i, dnsfunc=dnsfunc)
            for i in range(n))
    except dkim.ValidationError:
        ok = False  # dkimpy raises on a body hash mismatch
    print('pass' if ok else 'fail')
PY

# zone for the dkimpy keys: RSA 2048 (PKCS#1 PEM), Ed25519 (seed base64)
{
	echo '$TTL 300'
	printf 'rsa._domainkey.example.com. IN TXT'
	fold -w 250 "$DATA/2048_testkey_wo_markers.pub.txt" | tr -d '\n' |
		sed 's/.\{1,250\}/ "&"/g'
	echo
	printf 'ed._domainkey.example.com. IN TXT "%s"\n' \
		"$(cat "$DATA/ed25519test.dns")"
} > "$T/peer.zone"

# expect WHAT WANT FILE ZONE: sekimori-check dkim-verify on FILE
verify_ours() {
	got=$("$CHECK" dkim-verify --zone "$2" < "$3" 2>/dev/null |
		awk '{print $3}' | sort -u | tr '\n' ' ')
	echo "${got% }"
}

mutate() { # header octet (Subject) and body octet (figures)
	sed 's/^Subject: Quarterly/Subject: Quarterlz/' "$1" > "$1.h"
	sed 's/quarterly figures/quarterly figurez/' "$1" > "$1.b"
}

for a in rsa ed; do
	if [ $a = rsa ]; then
		alg=rsa-sha256; key=$DATA/2048_testkey.key
	else
		alg=ed25519-sha256; key=$DATA/ed25519test.key
	fi
	# dkimpy -> sekimori
	if $PY "$T/peer.py" sign $alg $a example.com "$key" "$T/msg" \
	    > "$T/p.$a" 2> "$T/err"; then
		mutate "$T/p.$a"
		r=$(verify_ours x "$T/peer.zone" "$T/p.$a")
		[ "$r" = pass ] && pass "dkimpy $alg -> sekimori pass" ||
			bad "dkimpy $alg -> sekimori: got $r, want pass"
		r=$(verify_ours x "$T/peer.zone" "$T/p.$a.h")
		[ "$r" = fail ] && pass "dkimpy $alg header octet -> sekimori fail" ||
			bad "dkimpy $alg header octet -> sekimori: got $r, want fail"
		r=$(verify_ours x "$T/peer.zone" "$T/p.$a.b")
		[ "$r" = fail ] && pass "dkimpy $alg body octet -> sekimori fail" ||
			bad "dkimpy $alg body octet -> sekimori: got $r, want fail"
	else
		bad "dkimpy $alg sign: $(tail -n 1 "$T/err")"
	fi

	# sekimori -> dkimpy, with keys from sekimori-check dkim-keygen
	if [ $a = rsa ]; then
		"$CHECK" dkim-keygen --domain example.org --selector $a \
		    --bits 2048 --out "$T/k.$a" > "$T/txt.$a"
	else
		"$CHECK" dkim-keygen --domain example.org --selector $a \
		    --algorithm $alg --out "$T/k.$a" > "$T/txt.$a"
	fi
	sed 's/^\([^ ]*\) IN/\1. IN/' "$T/txt.$a" > "$T/our.zone.$a"
	if "$CHECK" dkim-sign --domain example.org --selector $a \
	    --key "$T/k.$a" --algorithm $alg < "$T/msg" > "$T/o.$a"; then
		mutate "$T/o.$a"
		for v in "" .h .b; do
			want=pass; what="sekimori $alg -> dkimpy"
			[ "$v" = .h ] && want=fail && what="$what header octet"
			[ "$v" = .b ] && want=fail && what="$what body octet"
			r=$($PY "$T/peer.py" verify "$T/our.zone.$a" \
			    "$T/o.$a$v" 2>&1 | tail -n 1)
			[ "$r" = $want ] && pass "$what $want" ||
				bad "$what: got $r, want $want"
		done
		# and our own verifier agrees
		echo '$TTL 300' | cat - "$T/our.zone.$a" > "$T/z.$a"
		r=$(verify_ours x "$T/z.$a" "$T/o.$a")
		[ "$r" = pass ] && pass "sekimori $alg -> sekimori pass" ||
			bad "sekimori $alg -> sekimori: got $r, want pass"
	else
		bad "sekimori-check dkim-sign $alg failed"
	fi
done
exit $fail
