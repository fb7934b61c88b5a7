#!/bin/sh
# ci/dmarc-check.sh - `sekimori-check dmarc` end to end (issue 4 interface):
# SPF, DKIM (keys from dkim-keygen, messages signed by dkim-sign), the From
# domain and DMARC policy discovery, all answered from one zone file.
#
# Prints one line per case:
#   PASS: dmarc-check NAME
#   FAIL: dmarc-check NAME: got X, want Y
# and checks line 1 (the result), line 2 (policy=), the exit status (0 for
# pass, 1 otherwise, 2 for usage errors) and, where given, one more line
# of the output.  Then the DMARC test messages of Debian python3-authheaders
# 0.15.2 (read in place from ../shared/conformance/dmarc/authheaders-0.15.2;
# their DNS data, a Python dict in authheaders' test_authentication.py, is
# written out below as a zone).  Exit 0 when every case passed, 1 when one
# failed, 2 when the tool or the data is missing.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
CHECK=${CHECK:-$TOP/output/host/bin/sekimori-check}
CONF=${SK_CONFORMANCE:-$TOP/../shared/conformance}
AH=$CONF/dmarc/authheaders-0.15.2

if [ ! -x "$CHECK" ]; then
	echo "FAIL: dmarc-check: $CHECK missing (run make host)"; exit 2
fi
if [ ! -f "$AH/test.message_signed" ]; then
	echo "FAIL: dmarc-check: $AH not found (set SK_CONFORMANCE)"; exit 2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/skdmarc.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
ZONE=$T/zone
fail=0
npass=0
ok() { echo "PASS: dmarc-check $1"; npass=$((npass + 1)); }
bad() { echo "FAIL: dmarc-check $1: got $2, want $3"; fail=1; }

# --- keys and zone --------------------------------------------------------

# dkim-keygen prints "sel._domainkey.D IN TXT ...": a zone line once the
# name is made absolute (a final dot).
if ! "$CHECK" dkim-keygen --domain example.com --selector sel \
	--out "$T/rsa.key" > "$T/rsa.txt" ||
   ! "$CHECK" dkim-keygen --domain example.com --selector ed \
	--algorithm ed25519-sha256 --out "$T/ed.key" > "$T/ed.txt"; then
	echo "FAIL: dmarc-check: dkim-keygen failed"; exit 2
fi

{
	echo '$TTL 300'
	sed 's/^\([^ ]*\) IN /\1. IN /' "$T/rsa.txt" "$T/ed.txt"
	# the same RSA key for a second, unaligned signing domain
	sed 's/^[^ ]* IN /sel._domainkey.example.net. IN /' "$T/rsa.txt"
	cat <<'ZONE'
$ORIGIN example.com.
@		IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
@		IN A 192.0.2.1
mail		IN TXT "v=spf1 ip4:192.0.2.10 -all"
mail		IN A 192.0.2.10
news		IN A 192.0.2.11
_dmarc		IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
; a record at the From domain itself wins over the org domain's (6.6.3)
monitor		IN A 192.0.2.12
_dmarc.monitor	IN TXT "v=DMARC1; p=none"
_dmarc.q0	IN TXT "v=DMARC1; p=quarantine; pct=0"
_dmarc.r0	IN TXT "v=DMARC1; p=reject; pct=0"
_dmarc.q100	IN TXT "v=DMARC1; p=quarantine; pct=100"
_dmarc.tempfail	IN TXT "SEKIMORI-TEMPFAIL"
_dmarc.two	IN TXT "v=DMARC1; p=reject"
_dmarc.two	IN TXT "v=DMARC1; p=none"
_dmarc.notdmarc	IN TXT "v=spf1 -all"

$ORIGIN example.org.
@		IN A 192.0.2.20
news		IN A 192.0.2.21
_dmarc		IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject"

$ORIGIN example.net.
@		IN A 192.0.2.30
_dmarc.strict	IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
strict		IN TXT "v=spf1 ip4:192.0.2.31 -all"
bounce.strict	IN TXT "v=spf1 ip4:192.0.2.32 -all"
ZONE
} > "$ZONE"

# --- messages -------------------------------------------------------------

# msg FILE FROM-VALUE - ci/testdata/message.eml with that From (LF ends)
msg() {
	sed "s|^From: .*|From: $2|" "$(dirname "$0")/testdata/message.eml" > "$1"
}

# sign IN OUT DOMAIN SELECTOR KEY [ALGORITHM]
sign() {
	"$CHECK" dkim-sign --domain "$3" --selector "$4" --key "$5" \
		--algorithm "${6:-rsa-sha256}" < "$1" > "$2" || {
		echo "FAIL: dmarc-check: dkim-sign $3 failed"; exit 2; }
}

msg "$T/com" 'Alice Tanaka <joe@example.com>'
msg "$T/news" 'Alice Tanaka <joe@news.example.com>'
msg "$T/org-news" 'Org News <news@news.example.org>'
msg "$T/org-ghost" 'Ghost <boo@ghost.example.org>'
msg "$T/monitor" 'Mon <mon@monitor.example.com>'
msg "$T/q0" 'Q <q@q0.example.com>'
msg "$T/r0" 'R <r@r0.example.com>'
msg "$T/q100" 'Q <q@q100.example.com>'
msg "$T/info" 'Info <info@example.info>'
msg "$T/tempfail" 'T <t@tempfail.example.com>'
msg "$T/two" 'T <t@two.example.com>'
msg "$T/notdmarc" 'N <n@notdmarc.example.com>'
msg "$T/strict" 'S <s@strict.example.net>'
msg "$T/addrs" 'Joe <joe@example.com>, Eve <eve@example.org>'
msg "$T/empty-from" ''
sed '1i\
From: Eve <eve@example.org>' "$T/com" > "$T/fields"
sed '/^From:/d' "$T/com" > "$T/nofrom"
tr -d '\r' < "$T/com" | sed 's/$/\r/' > "$T/com-crlf"

sign "$T/com" "$T/com.rsa" example.com sel "$T/rsa.key"
sign "$T/com" "$T/com.ed" example.com ed "$T/ed.key" ed25519-sha256
sign "$T/com-crlf" "$T/com-crlf.rsa" example.com sel "$T/rsa.key"
sign "$T/news" "$T/news.rsa" example.com sel "$T/rsa.key"
sign "$T/com" "$T/com.net" example.net sel "$T/rsa.key"
sign "$T/strict" "$T/strict.net" example.net sel "$T/rsa.key"
sign "$T/fields" "$T/fields.rsa" example.com sel "$T/rsa.key"
sed 's/quarterly figures/quarterly figurez/' "$T/com.rsa" > "$T/com.rsa-body"
# two signatures: the unaligned one first, the aligned one below it
sign "$T/com.rsa" "$T/com.both" example.net sel "$T/rsa.key"

# --- the driver -----------------------------------------------------------

# case NAME FILE IP HELO MAIL-FROM RESULT POLICY [LINE]
# runs sekimori-check dmarc and compares line 1, line 2, the exit status
# and, if given, that LINE is one of the output's lines.
case_() {
	name=$1 file=$2 ip=$3 helo=$4 mf=$5 want=$6 wantp=$7 line=${8:-}
	"$CHECK" dmarc --ip "$ip" --helo "$helo" --mail-from "$mf" \
		--zone "$ZONE" < "$file" > "$T/out" 2> "$T/err"
	rc=$?
	got=$(sed -n 1p "$T/out")
	gotp=$(sed -n 2p "$T/out")
	wantrc=1
	[ "$want" = pass ] && wantrc=0
	if [ "$got" != "$want" ]; then
		bad "$name" "'$got'" "'$want'"
	elif [ "$gotp" != "policy=$wantp" ]; then
		bad "$name" "'$gotp'" "'policy=$wantp'"
	elif [ "$rc" -ne "$wantrc" ]; then
		bad "$name" "exit $rc" "exit $wantrc"
	elif [ -n "$line" ] && ! grep -qxF "$line" "$T/out"; then
		bad "$name" "$(tr '\n' '|' < "$T/out")" "a line '$line'"
	else
		ok "$name"
		return 0
	fi
	sed 's/^/    /' "$T/out" "$T/err"
	return 1
}

OUT=198.51.100.9	# authorized by no SPF record here
GOOD=192.0.2.5		# in example.com's SPF

# aligned DKIM
case_ dkim-aligned-rsa "$T/com.rsa" $OUT mx.example.net joe@example.net \
	pass none 'dkim=pass d=example.com s=sel'
case_ dkim-aligned-ed25519 "$T/com.ed" $OUT mx.example.net joe@example.net \
	pass none 'dkim=pass d=example.com s=ed'
case_ dkim-aligned-crlf "$T/com-crlf.rsa" $OUT mx.example.net "" \
	pass none 'from=example.com'
case_ dkim-relaxed-subdomain "$T/news.rsa" $OUT mx.example.net "" \
	pass none 'org=example.com'
case_ dkim-second-signature "$T/com.both" $OUT mx.example.net "" \
	pass none 'dkim=pass d=example.net s=sel'
case_ dkim-unaligned "$T/com.net" $OUT mx.example.net joe@example.net \
	fail reject 'dkim=pass d=example.net s=sel'
case_ dkim-strict "$T/strict.net" $OUT mx.example.net "" \
	fail reject 'dkim=pass d=example.net s=sel'
case_ dkim-body-changed "$T/com.rsa-body" $OUT mx.example.net "" \
	fail reject 'dkim=fail d=example.com s=sel'

# aligned SPF
case_ spf-aligned "$T/com" $GOOD mx.example.com joe@example.com \
	pass none 'spf=pass domain=example.com'
case_ spf-relaxed "$T/com" 192.0.2.10 mx.example.com bounce@mail.example.com \
	pass none 'spf=pass domain=mail.example.com'
case_ spf-null-sender-helo "$T/com" 192.0.2.10 mail.example.com "" \
	pass none 'spf=pass domain=mail.example.com'
case_ spf-strict-exact "$T/strict" 192.0.2.31 mx strict@strict.example.net \
	pass none 'spf=pass domain=strict.example.net'
case_ spf-strict-subdomain "$T/strict" 192.0.2.32 mx b@bounce.strict.example.net \
	fail reject 'spf=pass domain=bounce.strict.example.net'
case_ spf-pass-unaligned "$T/com" 192.0.2.10 mx.example.com "" \
	fail reject 'dkim=none'

# forgery of a p=reject domain
case_ forged-spf-fail "$T/com" $OUT mx.example.net ceo@example.com \
	fail reject 'spf=fail domain=example.com'
case_ forged-no-spf "$T/com" $OUT mx.example.net ceo@elsewhere.example \
	fail reject 'spf=none domain=elsewhere.example'

# sp, np, p=none, pct
case_ subdomain-sp-quarantine "$T/org-news" $OUT mx "" fail quarantine \
	'org=example.org'
case_ nonexistent-np-reject "$T/org-ghost" $OUT mx "" fail reject \
	'from=ghost.example.org'
case_ p-none "$T/monitor" $OUT mx "" fail none
case_ pct0-quarantine "$T/q0" $OUT mx "" fail none
case_ pct0-reject "$T/r0" $OUT mx "" fail quarantine
case_ pct100-quarantine "$T/q100" $OUT mx "" fail quarantine

# no policy, errors
case_ no-record "$T/info" $OUT mx "" none none 'from=example.info'
case_ two-records "$T/two" $OUT mx "" none none
# RFC 7489 6.6.3: a TXT that is no DMARC record is discarded, so the
# org domain's record applies (its sp)
case_ not-dmarc-txt-org-record "$T/notdmarc" $OUT mx "" fail reject \
	'org=example.com'
case_ tempfail "$T/tempfail" $OUT mx "" temperror none
case_ multiple-from-fields "$T/fields.rsa" $OUT mx "" permerror none \
	'dkim=pass d=example.com s=sel'
case_ multiple-from-addresses "$T/addrs" $OUT mx "" permerror none
case_ empty-from "$T/empty-from" $OUT mx "" permerror none
case_ no-from "$T/nofrom" $OUT mx "" permerror none 'from='

# usage: exit 2, the message on standard error, nothing made up
# usage NAME STDERR-TEXT ARG...
usage() {
	name=$1 text=$2
	shift 2
	"$CHECK" dmarc "$@" < "$T/com" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" -ne 2 ]; then
		bad "$name" "exit $rc" "exit 2"
	elif [ -s "$T/out" ]; then
		bad "$name" "output '$(head -n 1 "$T/out")'" "none"
	elif ! grep -qF "$text" "$T/err"; then
		bad "$name" "'$(head -n 1 "$T/err")'" "'$text'"
	else
		ok "$name"
	fi
}
usage usage-no-zone "live DNS is not available yet" \
	--ip $OUT --helo mx --mail-from ""
usage usage-no-ip "are required" --helo mx --mail-from "" --zone "$ZONE"
usage usage-bad-ip "not an IPv4 or IPv6 address" \
	--ip 300.1.2.3 --helo mx --mail-from "" --zone "$ZONE"
usage usage-unknown-option "unknown option" \
	--ip $OUT --helo mx --mail-from "" --zone "$ZONE" --bogus
usage usage-missing-zone "nonexistent.zone" \
	--ip $OUT --helo mx --mail-from "" --zone "$T/nonexistent.zone"

# --- python3-authheaders 0.15.2 test messages ----------------------------
# The DNS data of its test_authentication.py as a zone.  "" there is an
# empty TXT (no DMARC record); sub.example.biz (None) is absent, so it
# does not exist (np); sub2.example.biz answers "host.example.biz", here a
# CNAME to a name with an address, so it exists (sp).
AZ=$T/authheaders.zone
{
	echo '$TTL 300'
	printf 'test._domainkey.example.com. IN TXT "%s"\n' \
		"$(tr -d '\r\n' < "$AH/test.txt")"
	cat <<'ZONE'
_dmarc.example.com. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"
_dmarc.example.org. IN TXT "v=DMARC1; p=none"
_dmarc.example.net. IN TXT "v=DMARC1; p=none; sp=reject"
_dmarc.sub.example.net. IN TXT ""
_dmarc.example.biz. IN TXT "v=DMARC1; p=none; sp=quarantine; np=reject"
_dmarc.nop.example.org. IN TXT "v=DMARC1; sp=quarantine; np=reject"
_dmarc.sub.example.biz. IN TXT ""
_dmarc.sub2.example.biz. IN TXT ""
sub2.example.biz. IN CNAME host.example.biz.
host.example.biz. IN A 192.0.2.40
_dmarc.bad.example.com. IN TXT "v=DMARC1; p=none; reject"
ZONE
} > "$AZ"
ZONE=$AZ

# authheaders runs with spf=False (its tests); here SPF is none (d1.example
# has no record), so DKIM alone decides, as there.  Its expected words:
# test_authenticate_dmarc, _comma: pass; _sub, _np1: fail, policy reject;
# _np2: fail, quarantine; _no_p: none.  Our line 2 is the disposition: none
# on pass.
A() { case_ "authheaders-$1" "$AH/$2" 192.0.2.99 lists.example.org \
	jqd@d1.example "$3" "$4" "${5:-}"; }
A signed test.message_signed pass none 'dkim=pass d=example.com s=test'
A comma testcomma.message pass none 'from=example.com'
A sub test.message_sub fail reject 'org=example.net'
A np1 test.message_np1 fail reject 'from=sub.example.biz'
A np2 test.message_np2 fail quarantine 'from=sub2.example.biz'
A no-p test_nop.message none none
# not one of its DMARC tests (unsigned; p=reject): a plain failure
A unsigned test.message fail reject 'dkim=none'
# Deviation, on purpose: authheaders takes the last address of a From
# with two mailboxes (example.com) and says fail; we give permerror for
# any From with more than one mailbox (firmware/auth/README.md: a guess
# that differs from what a reader shows is a DMARC bypass).
A multi test.message_multi permerror none
A multi2 test.message_multi2 permerror none
echo "INFO: dmarc-check authheaders multi, multi2: authheaders says fail" \
	"(policy reject), we say permerror (several mailboxes in From)"

echo "INFO: dmarc-check $npass passed"
exit $fail
