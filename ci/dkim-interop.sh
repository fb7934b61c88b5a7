#!/bin/sh
# ci/dkim-interop.sh - DKIM interop with real peers from Debian, both ways,
# for rsa-sha256 (2048 bits) and ed25519-sha256:
#   dkimpy (python3-dkim) signs    -> sekimori-check dkim-verify --zone: pass
#   sekimori-check signs -> dkimpy verifies (answering DNS from our zone)
#   opendkim (`opendkim -t`) signs, relaxed/relaxed and simple/simple
#                                  -> sekimori-check dkim-verify --zone: pass
#   sekimori-check signs -> `opendkim -t` verifies: pass
#   one changed header octet / body octet -> fail, in every direction;
#   a whitespace-only change -> pass under relaxed, fail under simple.
# Prints PASS:/FAIL:/INFO: lines; exits 1 if any failed, 2 when a tool is
# missing (the other peer still runs).  Runs in about 5 s.
# Needs: output/host/bin/sekimori-check (make host), /usr/bin/python3 with
# python3-dkim, the dkimpy test keys in ../shared/conformance, opendkim
# and opendkim-genkey (Debian opendkim, opendkim-tools), openssl.
#
# opendkim needs no DNS here: its test mode (`opendkim -t FILE`, a fake
# milter session from 127.0.0.1) signs when the config says Mode s, and
# verifies with TestPublicKeys, a file of "NAME TXT-VALUE" lines that
# libopendkim reads instead of querying DNS.  The signature comes out as
# "### INSHEADER: ... hname='DKIM-Signature' hvalue='...'" on standard
# output (with -vv), the verdict as the Authentication-Results field it
# would add ("dkim=pass" ...).  Nothing listens, nothing touches
# /etc/resolv.conf or /etc/opendkim.conf (every run has -x CONFIG).
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
CHECK=${CHECK:-$TOP/output/host/bin/sekimori-check}
CONF=${SK_CONFORMANCE:-$TOP/../shared/conformance}
DATA=$CONF/dkim/dkimpy-1.1.4
TESTDATA=$(cd "$(dirname "$0")" && pwd)/testdata
PY=/usr/bin/python3
OPENDKIM=${OPENDKIM:-/usr/sbin/opendkim}
GENKEY=${OPENDKIM_GENKEY:-/usr/sbin/opendkim-genkey}

if [ ! -x "$CHECK" ]; then
	echo "FAIL: dkim-interop: $CHECK missing (run make host)"; exit 2
fi
missing=0
have_dkimpy=1
if ! $PY -c 'import dkim' 2>/dev/null; then
	echo "FAIL: dkim-interop: python3-dkim missing (apt-get install python3-dkim)"
	have_dkimpy=0 missing=1
elif [ ! -f "$DATA/2048_testkey.key" ]; then
	echo "FAIL: dkim-interop: $DATA not found (set SK_CONFORMANCE)"
	have_dkimpy=0 missing=1
fi
have_opendkim=1
if [ ! -x "$OPENDKIM" ] || [ ! -x "$GENKEY" ] ||
   ! command -v openssl > /dev/null; then
	echo "FAIL: dkim-interop: opendkim, opendkim-genkey or openssl missing" \
		"(apt-get install opendkim opendkim-tools openssl)"
	have_opendkim=0 missing=1
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
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

# --- dkimpy ------------------------------------------------------------
if [ $have_dkimpy = 1 ]; then
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
fi

# --- opendkim -----------------------------------------------------------
# The message: ci/testdata/interop/canon.eml (LF line ends; folded header
# fields, runs of spaces and tabs, trailing whitespace, empty lines at the
# end of the body), so that simple and relaxed canonicalization differ.
# Its variants (od_mutate): .h one octet of Subject, .b one octet of the
# body, .hw whitespace inside Subject ("Quarterly   figures" -> one
# space), .bw the trailing whitespace of a body line removed.
OD=$T/od
mkdir -p "$OD"
TAB=$(printf '\t')

od_mutate() {
	sed '/^Subject:/s/Quarterly/Quarterlz/' "$1" > "$1.h"
	sed 's/numbers  are attached/numbers  are attachec/' "$1" > "$1.b"
	sed '/^Subject:/s/Quarterly   figures/Quarterly figures/' "$1" > "$1.hw"
	sed "s/are attached\\.$TAB /are attached./" "$1" > "$1.bw"
}

# od_signature OUT - the DKIM-Signature field from `opendkim -vv -t`'s
# "### INSHEADER" line(s) on standard input, written as a header field
# (the value's folding is opendkim's own: LF TAB). False if there is none.
od_signature() {
	awk '
	/^### INSHEADER: idx=[0-9]+ hname=.DKIM-Signature. hvalue=./ {
		on = 1
		sub(/^### INSHEADER: idx=[0-9]+ hname=.DKIM-Signature. hvalue=./,
		    "DKIM-Signature: ")
	}
	on {
		line = $0
		last = sub(/\047$/, "", line)
		print line
		if (last) {
			on = 0
		}
	}' > "$1"
	[ -s "$1" ]
}

# od_verify FILE - opendkim's verdicts for FILE: the dkim= words of the
# Authentication-Results field it would add, sorted, space separated;
# "none" when there is none.
od_verify() {
	"$OPENDKIM" -x "$OD/verify.conf" -vv -t "$1" 2> /dev/null |
		grep -o 'dkim=[a-z]*' | sed 's/^dkim=//' | sort -u |
		tr '\n' ' ' | sed 's/ $//; s/^$/none/'
}

# od_sign_conf SELECTOR ALGORITHM CANON > CONF - opendkim signing config.
# RequireSafeKeys no: the key is under /tmp, and opendkim refuses a key
# file below a world-writable directory by default.
od_sign_conf() {
	printf '%s\n' "Mode s" "Domain example.com" "Selector $1" \
		"KeyFile $OD/$1.private" "RequireSafeKeys no" \
		"Canonicalization $3/$3" "SignatureAlgorithm $2" "Syslog no"
}

# od_ed25519_simple - a known bug of opendkim 2.11.0~beta2, shown, not
# asserted: with ed25519-sha256 and simple header canonicalization it
# hashes its DKIM-Signature field folded as "h=...; b=" on one line but
# writes "h=...;" LF TAB "b=...", so no verifier can match it: its own -t
# verifier, dkimpy and we all say fail (with rsa-sha256 the two foldings
# happen to agree).  Checked: refolding the field that way makes it pass.
od_ed25519_simple() {
	m=$OD/o.oded.simple
	if "$OPENDKIM" -x "$OD/sign.conf" -vv -t "$OD/msg" 2> /dev/null |
	    od_signature "$m.sig"; then
		cat "$m.sig" "$OD/msg" > "$m"
		echo "INFO: dkim-interop: opendkim ed25519-sha256 simple/simple" \
			"(its signer folds the field unlike what it hashed):" \
			"opendkim -t says $(od_verify "$m")," \
			"sekimori $(verify_ours x "$OD/zone" "$m")"
	fi
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1 $3"
	else
		bad "$1: got '$2', want $3"
	fi
}

if [ $have_opendkim = 1 ]; then
	# opendkim's keys: RSA 2048 from opendkim-genkey (its zone stub, with
	# parentheses and a comment, goes into our zone as written), Ed25519
	# from openssl (opendkim-genkey makes RSA only): the public key is the
	# last 32 octets of the DER SubjectPublicKeyInfo (RFC 8410).
	od_keys=0
	if "$GENKEY" -b 2048 -d example.com -s odrsa -D "$OD" 2> "$T/err" &&
	    openssl genpkey -algorithm ed25519 -out "$OD/oded.private" \
	    2> "$T/err"; then
		edpub=$(openssl pkey -in "$OD/oded.private" -pubout \
			-outform DER | tail -c 32 | base64)
		{
			echo '$TTL 300'
			echo '$ORIGIN example.com.'
			cat "$OD/odrsa.txt"
			echo "oded._domainkey IN TXT \"v=DKIM1; k=ed25519; p=$edpub\""
		} > "$OD/zone"
		od_keys=1
	else
		bad "opendkim key generation: $(tail -n 1 "$T/err")"
	fi

	# sekimori's keys, shown to opendkim through TestPublicKeys:
	# "NAME IN TXT "s1" "s2"" becomes "NAME s1s2"
	if "$CHECK" dkim-keygen --domain example.org --selector skrsa \
	    --bits 2048 --out "$OD/sk.rsa" > "$OD/sk.rsa.txt" &&
	    "$CHECK" dkim-keygen --domain example.org --selector sked \
	    --algorithm ed25519-sha256 --out "$OD/sk.ed" > "$OD/sk.ed.txt"; then
		for f in "$OD/sk.rsa.txt" "$OD/sk.ed.txt"; do
			printf '%s ' "$(awk '{ print $1; exit }' "$f")"
			grep -o '"[^"]*"' "$f" | tr -d '"\n'
			echo
		done > "$OD/keys"
	else
		bad "sekimori-check dkim-keygen failed"
	fi
	if [ $od_keys = 1 ]; then # opendkim's own, for the quirk below
		printf 'odrsa._domainkey.example.com %s\n' \
			"$(grep -o '"[^"]*"' "$OD/odrsa.txt" | tr -d '"\n')"
		echo "oded._domainkey.example.com v=DKIM1; k=ed25519; p=$edpub"
	fi >> "$OD/keys"
	printf '%s\n' "Mode v" "TestPublicKeys $OD/keys" "Syslog no" \
		> "$OD/verify.conf"

	cp "$TESTDATA/interop/canon.eml" "$OD/msg"
	sed 's/$/\r/' "$OD/msg" > "$OD/msg.crlf"

	# opendkim -> sekimori: {rsa, ed25519} x {relaxed, simple}; the CRLF
	# form of the message only for pass
	for k in odrsa oded; do
		[ $od_keys = 1 ] || break
		alg=rsa-sha256
		[ $k = oded ] && alg=ed25519-sha256
		for c in relaxed simple; do
			od_sign_conf $k $alg $c > "$OD/sign.conf"
			what="opendkim $alg $c/$c -> sekimori"
			if [ $k = oded ] && [ $c = simple ]; then
				od_ed25519_simple
				continue
			fi
			for in in msg msg.crlf; do
				m=$OD/o.$k.$c.$in
				if ! "$OPENDKIM" -x "$OD/sign.conf" -vv -t "$OD/$in" \
				    2> "$T/err" | od_signature "$m.sig"; then
					bad "$what: opendkim did not sign: $(tail -n 1 "$T/err")"
					continue
				fi
				if [ $in = msg.crlf ]; then
					sed 's/$/\r/' "$m.sig" | cat - "$OD/$in" > "$m"
					expect_eq "$what (CRLF)" \
						"$(verify_ours x "$OD/zone" "$m")" pass
					continue
				fi
				cat "$m.sig" "$OD/$in" > "$m"
				od_mutate "$m"
				expect_eq "$what" "$(verify_ours x "$OD/zone" "$m")" pass
				expect_eq "$what header octet" \
					"$(verify_ours x "$OD/zone" "$m.h")" fail
				expect_eq "$what body octet" \
					"$(verify_ours x "$OD/zone" "$m.b")" fail
				ws=pass
				[ $c = simple ] && ws=fail
				expect_eq "$what header whitespace" \
					"$(verify_ours x "$OD/zone" "$m.hw")" $ws
				expect_eq "$what body whitespace" \
					"$(verify_ours x "$OD/zone" "$m.bw")" $ws
			done
		done
	done

	# sekimori -> opendkim: relaxed/relaxed (the default, so the
	# whitespace variants pass), then simple/simple (they fail)
	for k in rsa ed; do
		[ -s "$OD/keys" ] || break
		alg=rsa-sha256
		[ $k = ed ] && alg=ed25519-sha256
		what="sekimori $alg -> opendkim"
		for in in msg msg.crlf; do
			m=$OD/s.$k.$in
			if ! "$CHECK" dkim-sign --domain example.org --selector sk$k \
			    --key "$OD/sk.$k" --algorithm $alg < "$OD/$in" > "$m"; then
				bad "sekimori-check dkim-sign $alg failed"
				continue
			fi
			if [ $in = msg.crlf ]; then
				expect_eq "$what (CRLF)" "$(od_verify "$m")" pass
				continue
			fi
			od_mutate "$m"
			expect_eq "$what" "$(od_verify "$m")" pass
			expect_eq "$what header octet" "$(od_verify "$m.h")" fail
			expect_eq "$what body octet" "$(od_verify "$m.b")" fail
			expect_eq "$what header whitespace" "$(od_verify "$m.hw")" pass
			expect_eq "$what body whitespace" "$(od_verify "$m.bw")" pass
		done
		# simple/simple: now whitespace changes break it too
		m=$OD/s.$k.simple
		what="sekimori $alg simple/simple -> opendkim"
		if ! "$CHECK" dkim-sign --domain example.org --selector sk$k \
		    --key "$OD/sk.$k" --algorithm $alg \
		    --canonicalization simple/simple < "$OD/msg" > "$m"; then
			bad "sekimori-check dkim-sign $alg simple/simple failed"
			continue
		fi
		od_mutate "$m"
		expect_eq "$what c=" "$(grep -c 'c=simple/simple' "$m")" 1
		expect_eq "$what" "$(od_verify "$m")" pass
		expect_eq "$what header whitespace" "$(od_verify "$m.hw")" fail
		expect_eq "$what body whitespace" "$(od_verify "$m.bw")" fail
	done

	# A known quirk of opendkim's test mode, shown, not asserted: the
	# milter interface hands opendkim a header value without the
	# whitespace after the colon and opendkim puts back one space, so under
	# simple header canonicalization it signs "Subject: hi" for
	# "Subject:hi" (RFC 6376 3.4.1: simple changes nothing).  Its own -t
	# verifier does the same and agrees with itself; we, and dkimpy, say
	# fail.
	if [ $od_keys = 1 ]; then
		printf 'From: alice@example.com\nSubject:hi\n\nbody\n' > "$OD/q"
		od_sign_conf odrsa rsa-sha256 simple > "$OD/q.conf"
		if "$OPENDKIM" -x "$OD/q.conf" -vv -t "$OD/q" 2> /dev/null |
		    od_signature "$OD/q.sig"; then
			cat "$OD/q.sig" "$OD/q" > "$OD/q.signed"
			echo "INFO: dkim-interop: opendkim -t simple/simple of" \
				"'Subject:hi': opendkim says $(od_verify "$OD/q.signed")," \
				"sekimori $(verify_ours x "$OD/zone" "$OD/q.signed")" \
				"(opendkim -t hashes 'Subject: hi'; RFC 6376 3.4.1: fail)"
		fi
	fi
fi

[ $fail = 0 ] && [ $missing = 1 ] && exit 2
exit $fail
