#!/bin/sh
# ci/dmarc-interop.sh - DMARC results of `sekimori-check dmarc --zone`
# compared with two other implementations over one zone,
# ci/testdata/interop/dmarc.zone: python3-authheaders (with python3-dkim
# and python3-spf below it) and opendmarc.  74 cases: relaxed and strict
# SPF and DKIM alignment, p/sp/np, pct, policy discovery at the From and
# the organizational domain (public suffix list rules), records with
# errors, several records, several or no From domains, third-party
# signatures, DNS failures.
#
# authheaders runs as a mail server would call it (authenticate_message
# with spf, dkim and dmarc, no dnsfunc); the driver
# ci/testdata/interop/dmarc_authheaders.py replaces only the functions
# where dnspython, dkimpy and pyspf ask DNS by readers of the same zone,
# so nothing leaves the machine.  Its organizational domain comes from
# Debian's /usr/share/publicsuffix list, the one ours is compiled from.
# opendmarc runs in its test mode; see "opendmarc" below for how it gets
# the zone and our SPF and DKIM results.  Messages are signed at run time
# by `sekimori-check dkim-sign` with keys from `dkim-keygen`, whose key
# records are appended to a copy of the zone.
#
# Compared per case: the result word and the disposition.  Our second
# line is the disposition (none for pass and none, else p, sp or np after
# pct); authheaders' policy.dmarc is the policy that applied, also on
# pass, so its disposition here is none for pass and none, else that
# policy; opendmarc's is its dis= (or a 550 reply: reject).
#
# Prints one line per case and tool:
#   PASS: dmarc-interop NAME TOOL RESULT/POLICY       both say so
#   FAIL: dmarc-interop NAME: ours X, TOOL Y          an unexplained difference
# A known disagreement (the tables KNOWN below, each with the section of
# RFC 7489 or RFC 9091 that says who is right) is PASS while both answer
# as recorded, with an INFO line; FAIL when either answer changes.
# Exit 0 when all passed, 1 when one failed, 2 when a tool is missing
# (opendmarc alone missing, or no root for its namespaces: an INFO line,
# the authheaders comparison still runs).  KEEP=1 keeps the directory.
# Runs in about 10 s.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
CHECK=${CHECK:-$TOP/output/host/bin/sekimori-check}
ZONE_IN=$TOP/ci/testdata/interop/dmarc.zone
DRIVER=$TOP/ci/testdata/interop/dmarc_authheaders.py
PY="/usr/bin/python3 -B" # -B: no __pycache__ under ci/testdata

if [ ! -x "$CHECK" ]; then
	echo "FAIL: dmarc-interop: $CHECK missing (run make host)"; exit 2
fi
if ! $PY -c 'import authheaders, spf, dkim' 2>/dev/null; then
	echo "FAIL: dmarc-interop: python3-authheaders missing" \
		"(apt-get install python3-authheaders python3-spf)"
	exit 2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/dmarc-interop.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
ZONE=$T/dmarc.zone

# --- keys: one RSA key for every signing domain, one Ed25519 key ---------

if ! "$CHECK" dkim-keygen --domain example.com --selector sel \
	--out "$T/rsa.key" > "$T/rsa.txt" ||
   ! "$CHECK" dkim-keygen --domain example.com --selector ed \
	--algorithm ed25519-sha256 --out "$T/ed.key" > "$T/ed.txt"; then
	echo "FAIL: dmarc-interop: dkim-keygen failed"; exit 2
fi
{
	cat "$ZONE_IN"
	for d in example.com news.example.com example.net news.example.net \
		example.org bob.github.io; do
		sed "s/^[^ ]* IN /sel._domainkey.$d. IN /" "$T/rsa.txt"
	done
	sed 's/^\([^ ]*\) IN /\1. IN /' "$T/ed.txt"
} > "$ZONE"

# --- the cases -----------------------------------------------------------
# NAME IP HELO MAIL-FROM FROM SIGNERS, then after # what RFC 7489 gives.
# MAIL-FROM "<>" is the null sender (SPF then checks postmaster@HELO).
# FROM: an address (the field is "From: Joe <ADDR>"); A,B one field with
# two mailboxes; A+B two From fields; "-" no From field; raw:TEXT the
# field's value as it is, with "_" for a space.
# SIGNERS: "-" unsigned, or signing domains applied left to right (each
# signature is put on top, so the last is the first field); D/ed signs
# with the Ed25519 key; a final "!" changes the body after signing.
# 2001:db8:ff::9 is authorized by no SPF record of the zone.
cat > "$T/cases" <<'CASES'
spf-aligned		192.0.2.5	mx.example.com	b@example.com		joe@example.com		-	# pass
spf-relaxed-sub		192.0.2.10	mx.example.com	b@mail.example.com	joe@example.com		-	# pass
spf-relaxed-parent	192.0.2.5	mx.example.com	b@example.com		joe@news.example.com	-	# pass
spf-fail		2001:db8:ff::9	mx.example.com	ceo@example.com		ceo@example.com		-	# fail reject
spf-unaligned		198.51.100.5	mx.example.net	b@example.net		joe@example.com		-	# fail reject
spf-null-helo		192.0.2.10	mail.example.com <>			joe@example.com		-	# pass
spf-null-helo-fail	2001:db8:ff::9	mail.example.com <>			joe@example.com		-	# fail reject
spf-strict		198.51.100.5	mx.example.net	b@example.net		joe@example.net		-	# pass
spf-strict-mfrom-sub	198.51.100.20	mx.example.net	b@bounce.example.net	joe@example.net		-	# fail quarantine
spf-strict-from-sub	198.51.100.5	mx.example.net	b@example.net		joe@news.example.net	-	# fail quarantine
dkim-aligned		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		example.com	# pass
dkim-ed25519		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		example.com/ed	# pass
dkim-from-upper		2001:db8:ff::9	mx.example.info	b@example.info		joe@EXAMPLE.COM		example.com	# pass
dkim-relaxed-from-sub	2001:db8:ff::9	mx.example.info	b@example.info		joe@news.example.com	example.com	# pass
dkim-relaxed-d-sub	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		news.example.com # pass
dkim-third-party	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		example.org	# fail reject
dkim-body-changed	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		example.com!	# fail reject
dkim-strict		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.net		example.net	# pass
dkim-strict-d-sub	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.net		news.example.net # fail quarantine
dkim-strict-from-sub	2001:db8:ff::9	mx.example.info	b@example.info		joe@news.example.net	example.net	# fail quarantine
dkim-aligned-on-top	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		example.org,example.com # pass
dkim-aligned-below	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com		example.com,example.org # pass
dkim-spf-fail		2001:db8:ff::9	mx.example.com	ceo@example.com		joe@example.com		example.com	# pass
spf-dkim-third-party	192.0.2.5	mx.example.com	b@example.com		joe@example.com		example.org	# pass
p-none			2001:db8:ff::9	mx.example.info	b@example.info		joe@monitor.example.com	-	# fail none
sub-no-sp		2001:db8:ff::9	mx.example.info	b@example.info		joe@news.example.com	-	# fail reject
deep-sub		2001:db8:ff::9	mx.example.info	b@example.info		joe@a.b.news.example.com -	# fail reject
org-own-record-sp	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.org		-	# fail reject
sub-sp			2001:db8:ff::9	mx.example.info	b@example.info		joe@news.example.org	-	# fail quarantine
np-nxdomain		2001:db8:ff::9	mx.example.info	b@example.info		joe@ghost.example.org	-	# fail none
np-mx-exists		2001:db8:ff::9	mx.example.info	b@example.info		joe@mxonly.example.org	-	# fail quarantine
np-aaaa-exists		2001:db8:ff::9	mx.example.info	b@example.info		joe@v6only.example.org	-	# fail quarantine
np-txt-only		2001:db8:ff::9	mx.example.info	b@example.info		joe@txtonly.example.org	-	# fail none
pct0-reject		2001:db8:ff::9	mx.example.info	b@example.info		joe@pct0r.example.com	-	# fail quarantine
pct0-quarantine		2001:db8:ff::9	mx.example.info	b@example.info		joe@pct0q.example.com	-	# fail none
pct100			2001:db8:ff::9	mx.example.info	b@example.info		joe@pct100.example.com	-	# fail quarantine
psl-two-labels-sub	2001:db8:ff::9	mx.example.info	b@example.info		joe@b.a.example.co.uk	-	# fail quarantine
psl-two-labels		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.co.uk	-	# fail quarantine
psl-private-sub		2001:db8:ff::9	mx.example.info	b@example.info		joe@www.alice.github.io	-	# fail quarantine
psl-private-dkim	2001:db8:ff::9	mx.example.info	b@example.info		joe@alice.github.io	bob.github.io	# fail quarantine
psl-wildcard		2001:db8:ff::9	mx.example.info	b@example.info		joe@a.b.foo.ck		-	# fail quarantine
psl-exception		2001:db8:ff::9	mx.example.info	b@example.info		joe@a.www.ck		-	# fail reject
no-spaces		2001:db8:ff::9	mx.example.info	b@example.info		joe@nospace.example.com	-	# fail quarantine
no-record		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.info	-	# none
no-record-spf-pass	192.0.2.60	mx.example.info	b@example.info		joe@example.info	-	# none
two-records		2001:db8:ff::9	mx.example.info	b@example.info		joe@two.example.com	-	# none
two-records-org		2001:db8:ff::9	mx.example.info	b@example.info		joe@news.example.edu	-	# none
two-records-own		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.edu		-	# none
other-txt-beside	2001:db8:ff::9	mx.example.info	b@example.info		joe@mixed.example.com	-	# fail quarantine
bad-p			2001:db8:ff::9	mx.example.info	b@example.info		joe@badp.example.com	-	# none
bad-p-rua		2001:db8:ff::9	mx.example.info	b@example.info		joe@badprua.example.com	-	# fail none
no-p-rua		2001:db8:ff::9	mx.example.info	b@example.info		joe@nop.example.com	-	# fail none
bad-pct			2001:db8:ff::9	mx.example.info	b@example.info		joe@badpct.example.com	-	# fail quarantine
upper-case-tag		2001:db8:ff::9	mx.example.info	b@example.info		joe@upper.example.com	-	# fail quarantine
spaces			2001:db8:ff::9	mx.example.info	b@example.info		joe@spaces.example.com	-	# fail quarantine
v-not-first		2001:db8:ff::9	mx.example.info	b@example.info		joe@vlate.example.com	-	# fail reject
v-not-first-org-sp	2001:db8:ff::9	mx.example.info	b@example.info		joe@vlate.example.org	-	# fail quarantine
v-lower-case		2001:db8:ff::9	mx.example.info	b@example.info		joe@vlower.example.com	-	# fail reject
tag-without-value	2001:db8:ff::9	mx.example.info	b@example.info		joe@novalue.example.com	-	# fail quarantine
split-strings		2001:db8:ff::9	mx.example.info	b@example.info		joe@split.example.com	-	# fail quarantine
tempfail		2001:db8:ff::9	mx.example.info	b@example.info		joe@tempfail.example.com -	# temperror
from-two-fields		2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com+eve@example.org example.com # permerror
from-two-mailboxes	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com,eve@example.org example.com # permerror
from-two-same-domain	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com,ann@example.com example.com # permerror
from-two-fields-unsigned 2001:db8:ff::9	mx.example.info	b@example.info		joe@example.com+eve@example.org - # permerror
from-display-name-at	2001:db8:ff::9	mx.example.info	b@example.info		raw:"eve@example.org"_<joe@example.com> example.com # pass
from-comment		2001:db8:ff::9	mx.example.info	b@example.info		raw:joe@example.com_(Joe_Tanaka) example.com # pass
from-bare		2001:db8:ff::9	mx.example.info	b@example.info		raw:joe@example.com	example.com	# pass
from-group		2001:db8:ff::9	mx.example.info	b@example.info		raw:Team:_joe@example.com;	example.com	# pass
from-hyphen		2001:db8:ff::9	mx.example.info	b@example.info		joe@my-news.example.com	-	# fail reject
from-no-domain		2001:db8:ff::9	mx.example.info	b@example.info		raw:joe			example.com	# permerror
np-servfail		2001:db8:ff::9	mx.example.info	b@example.info		joe@tfexist.example.org	-	# fail quarantine
dkim-strict-d-upper	2001:db8:ff::9	mx.example.info	b@example.info		joe@example.net		EXAMPLE.NET	# pass
from-missing		2001:db8:ff::9	mx.example.info	b@example.info		-			example.com	# permerror
CASES

# Known disagreements: NAME OURS AUTHHEADERS (result/disposition), then
# who is right and why.
cat > "$T/known" <<'KNOWN'
dkim-aligned-below	pass/none	fail/reject	authheaders verifies only the first DKIM-Signature (here example.org's); RFC 7489 4.2 and 6.6.2: any one aligned signature that verifies gives pass (we check all)
org-own-record-sp	fail/reject	fail/quarantine	authheaders applies sp to the org domain itself; RFC 7489 6.3 and 6.6.3: sp is for subdomains, a record found at the From domain gives p (we)
pct0-reject	fail/quarantine	fail/reject	authheaders ignores pct; RFC 7489 6.6.4: a message left out of the pct sample gets the next milder policy (we)
pct0-quarantine	fail/none	fail/quarantine	authheaders ignores pct; RFC 7489 6.6.4: left out of the sample, quarantine becomes none (we)
two-records	none/none	fail/reject	authheaders falls back to the org domain when the From domain has two records; RFC 7489 6.6.3 step 5: several records end policy discovery, no fallback (we)
bad-p	none/none	fail/bogus	authheaders applies an invalid p as it is written; RFC 7489 6.6.3 step 6: an invalid p and no valid rua means no DMARC processing (we)
bad-p-rua	fail/none	fail/bogus	authheaders applies an invalid p as it is written; RFC 7489 6.6.3 step 6: an invalid p with a valid rua acts as p=none (we)
no-p-rua	fail/none	none/none	authheaders treats a record without p as no record; RFC 7489 6.6.3 step 6: a missing p with a valid rua acts as p=none, the result is still evaluated (we)
tag-without-value	fail/quarantine	error:IndexError/-	authheaders raises on a tag without =; RFC 7489 6.3: syntax errors in the rest of the record are discarded in favour of defaults (we)
split-strings	fail/quarantine	none/none	authheaders parses dnspython's quoted text of a TXT with two strings ("a" "b") and loses p; RFC 7489 6.1 publishes the policy as a TXT record, not as one of its strings; RFC 7489 does not spell out the joining, RFC 7208 3.3 and RFC 6376 3.6.2.2 do for SPF and DKIM: the strings are concatenated (we)
tempfail	temperror/none	fail/reject	authheaders takes SERVFAIL at _dmarc.FROM as no record and falls back to the org domain; RFC 7489 6.6.3 starts from the set of records the query returns, a failed query has none, and 11.2's temperror is for exactly this (we)
from-two-fields	permerror/none	pass/none	deliberate deviation (firmware/auth/README.md: RFC 5322 3.6 allows one From field); RFC 7489 6.6.1 lets a receiver check every From domain and apply the strictest policy among those that fail; authheaders instead picks the domain with the strictest published policy even when it passes, so the signed joe@example.com (p=reject) hides the failing eve@example.org: pass
from-two-mailboxes	permerror/none	pass/none	deliberate deviation (permerror for any From with more than one mailbox); authheaders: the pass of the p=reject domain hides the failing example.org as above, against RFC 7489 6.6.1
from-two-same-domain	permerror/none	pass/none	deliberate deviation: RFC 7489 6.6.1 allows checking each From domain (authheaders: both aligned, pass); we give permerror for any From with more than one mailbox
from-two-fields-unsigned	permerror/none	fail/reject	deliberate deviation: both fail, authheaders applies the strictest policy as RFC 7489 6.6.1 allows; we give permerror for any From with more than one mailbox
from-hyphen	fail/reject	none/none	authheaders takes the From domain with the pattern [a-z0-9.]+, so my-news.example.com becomes "my", which has no record; RFC 7489 6.6.1: the domain of the From address, which may hold hyphens (RFC 1035 2.3.1) (we)
from-no-domain	permerror/none	error:IndexError/-	authheaders raises on a From without a domain; RFC 7489 6.6.1: no usable From domain, the message is invalid (we: permerror)
np-servfail	fail/quarantine	fail/none	authheaders takes SERVFAIL for the A, AAAA and MX lookups as non-existence and applies np; RFC 9091 2.1: only NXDOMAIN or NODATA make a domain non-existent, so sp applies (we: the stricter of sp and np, here sp)
dkim-strict-d-upper	pass/none	fail/quarantine	authheaders compares d=EXAMPLE.NET with example.net case-sensitively under adkim=s; RFC 7489 3.1.1 asks for an exact match of the FQDNs, and domain names compare without case (RFC 4343) (we)
from-missing	permerror/none	error:UnboundLocalError/-	authheaders raises on a message without From; RFC 7489 6.6.1: the From domain is required, such a message is invalid (we: permerror)
KNOWN

# Known disagreements with opendmarc, as above.  "unchecked" is opendmarc
# accepting the message without any DMARC verdict (no field, no reply).
cat > "$T/known-od" <<'KNOWN'
spf-null-helo	pass/none	fail/reject	opendmarc 1.4.2 takes the SPF domain from the envelope, and a null sender has none; RFC 7489 4.1 with RFC 7208 2.4: the MAIL FROM identity of <> is postmaster@HELO, here aligned (we)
spf-strict-mfrom-sub	fail/quarantine	pass/none	opendmarc passes aspf=s when the MAIL FROM domain is a subdomain of the From domain; RFC 7489 3.1.2: strict needs the exact same domain (we)
dkim-strict-d-sub	fail/quarantine	pass/none	opendmarc passes adkim=s when d= is a subdomain of the From domain; RFC 7489 3.1.1: strict needs an exact match of the FQDNs (we)
np-nxdomain	fail/none	fail/quarantine	opendmarc 1.4.2 has no np and applies sp; RFC 9091 4: np applies to a non-existent subdomain (we)
np-txt-only	fail/none	fail/quarantine	opendmarc 1.4.2 has no np; RFC 9091 2.1: NODATA for A, AAAA and MX makes a domain non-existent, so np applies (we)
pct0-reject	fail/quarantine	fail/none	opendmarc applies no policy to a message left out of the pct sample; RFC 7489 6.6.4: it gets the next milder policy, reject becomes quarantine (we)
bad-pct	fail/quarantine	fail/none	opendmarc reads pct=lots as 0; RFC 7489 6.3: syntax errors in the rest of the record give way to defaults, pct=100 (we)
psl-wildcard	fail/quarantine	none/none	opendmarc does not apply the list's wildcard rule *.ck, so it asks no org record at b.foo.ck; RFC 7489 3.2 uses the Public Suffix List algorithm: the org domain of a.b.foo.ck is b.foo.ck (we, as authheaders)
two-records	none/none	fail/none|fail/reject	opendmarc uses one of the two DMARC records (which one varies from run to run with the same DNS answer); RFC 7489 6.6.3 step 5: several records end policy discovery (we)
two-records-org	none/none	fail/quarantine|fail/reject	as two-records, at the org domain (RFC 7489 6.6.3 step 5)
two-records-own	none/none	fail/quarantine|fail/reject	as two-records (RFC 7489 6.6.3 step 5)
other-txt-beside	fail/quarantine	fail/quarantine|fail/reject	opendmarc reads one TXT record of _dmarc (which one varies from run to run); when it is the v=spf1 one it falls back to the org domain (p=reject); RFC 7489 6.6.3 step 2 discards the non-DMARC record and keeps the other (we)
bad-p	none/none	permerror/none	opendmarc gives permerror for an invalid p; RFC 7489 6.6.3 step 6: with no valid rua no DMARC processing applies, result none (we)
bad-p-rua	fail/none	permerror/none	opendmarc gives permerror for an invalid p; RFC 7489 6.6.3 step 6: with a valid rua the record acts as p=none and the message is evaluated (we)
no-p-rua	fail/none	permerror/none	opendmarc gives permerror for a missing p; RFC 7489 6.6.3 step 6: with a valid rua the record acts as p=none (we)
v-not-first	fail/reject	fail/quarantine	opendmarc accepts a record whose first tag is not v; RFC 7489 6.6.3 step 2 (and 6.4: v MUST be first) discards it, so the org domain's p=reject applies (we, as authheaders)
v-not-first-org-sp	fail/quarantine	fail/reject	as v-not-first: opendmarc uses "p=reject; v=DMARC1"; discarded, the org domain's sp=quarantine applies (we)
tempfail	temperror/none	fail/reject	opendmarc takes SERVFAIL at _dmarc.FROM as no record and falls back to the org domain; RFC 7489 6.6.3 starts from the records the query returns, and 11.2's temperror is for a DNS failure (we)
from-two-fields	permerror/none	pass/none	deliberate deviation: opendmarc (RejectMultiValueFrom off) checks the first From field only, its pass hides the second; RFC 7489 6.6.1 asks for every domain to be checked, or such mail rejected; we give permerror
from-two-mailboxes	permerror/none	unchecked/none	deliberate deviation on our side (permerror); opendmarc accepts a From with two mailboxes of different domains with no DMARC check at all, against RFC 7489 6.6.1
from-two-same-domain	permerror/none	pass/none	deliberate deviation: one domain, opendmarc checks it (RFC 7489 6.6.1 allows it); we give permerror for any From with more than one mailbox
from-two-fields-unsigned	permerror/none	fail/reject	deliberate deviation: opendmarc checks the first From field (fail, p=reject); we give permerror
from-no-domain	permerror/none	unchecked/none	opendmarc accepts a From without a domain unchecked; RFC 7489 6.6.1: no usable From domain, the message is invalid (we: permerror, which the policy step can reject)
from-missing	permerror/none	unchecked/none	opendmarc accepts a message without From unchecked; RFC 7489 6.6.1 and RFC 5322 3.6: From is required (we: permerror)
KNOWN

# --- the messages --------------------------------------------------------

# header_from FROM - the From field(s) of the case
header_from() {
	case $1 in
	-) ;;
	raw:*) printf 'From: %s\n' "${1#raw:}" | tr _ ' ' ;;
	*+*) printf 'From: Joe <%s>\nFrom: Eve <%s>\n' "${1%%+*}" "${1#*+}" ;;
	*,*) printf 'From: Joe <%s>, Eve <%s>\n' "${1%%,*}" "${1#*,}" ;;
	*) printf 'From: Joe <%s>\n' "$1" ;;
	esac
}

# sign FILE SIGNERS - FILE signed in place
sign() {
	file=$1 list=${2%!}
	[ "$list" = - ] && return 0
	for s in $(echo "$list" | tr ',' ' '); do
		case $s in
		*/ed) set -- --domain "${s%/ed}" --selector ed --key "$T/ed.key" \
			--algorithm ed25519-sha256 ;;
		*) set -- --domain "$s" --selector sel --key "$T/rsa.key" ;;
		esac
		if ! "$CHECK" dkim-sign "$@" < "$file" > "$file.s"; then
			echo "FAIL: dmarc-interop: dkim-sign $s failed"; exit 2
		fi
		mv "$file.s" "$file"
	done
}

mkdir "$T/msg"
while read -r name ip helo mfrom from signers rest; do
	case $name in "" | "#"*) continue ;; esac
	m=$T/msg/$name.eml
	{
		header_from "$from"
		printf 'To: Mary <mary@example.info>\n'
		printf 'Subject: quarterly figures\n'
		printf 'Date: Thu, 26 Nov 2026 10:00:00 +0000\n'
		printf 'Message-ID: <%s@example.info>\n\n' "$name"
		printf 'Hello Mary,\nthe quarterly figures are attached.\n'
	} > "$m"
	sign "$m" "$signers"
	case $signers in *!) sed -i 's/quarterly figures are/quarterly figurez are/' "$m" ;; esac
done < "$T/cases"

# --- ours ----------------------------------------------------------------

mkdir "$T/ours"
while read -r name ip helo mfrom from signers rest; do
	case $name in "" | "#"*) continue ;; esac
	[ "$mfrom" = "<>" ] && mfrom=
	"$CHECK" dmarc --ip "$ip" --helo "$helo" --mail-from "$mfrom" \
		--zone "$ZONE" < "$T/msg/$name.eml" > "$T/ours/$name" \
		2> "$T/ours/$name.err"
done < "$T/cases"

# --- authheaders ---------------------------------------------------------

if ! $PY "$DRIVER" "$ZONE" "$T/cases" "$T/msg" > "$T/ah.out" 2> "$T/err"; then
	echo "FAIL: dmarc-interop: the authheaders driver failed: $(tail -n 1 "$T/err")"
	exit 1
fi

# --- opendmarc -----------------------------------------------------------
# opendmarc -t FILE (test mode: no MTA, the actions printed) verifies
# neither SPF nor DKIM here: it gets our SPF and DKIM results in an
# Authentication-Results field of a trusted authserv-id, so it compares
# the DMARC step alone.  Its resolver reads /etc/resolv.conf, so it runs
# in private mount and network namespaces (unshare -mn, root only) with
# that file bind-mounted to "nameserver 127.0.0.1" and dmarc_dnsd.py
# answering from the zone there.  Skipped with an INFO line when
# opendmarc, unshare or root is missing.
od=0
if ! command -v opendmarc > /dev/null 2>&1; then
	echo "INFO: dmarc-interop opendmarc skipped: not installed"
elif [ "$(id -u)" != 0 ] || ! unshare -mn true 2> /dev/null; then
	echo "INFO: dmarc-interop opendmarc skipped: needs root for unshare -mn"
else
	od=1
fi

# ar_field NAME - our SPF and DKIM results as an Authentication-Results
# field for opendmarc
ar_field() {
	awk 'BEGIN { printf "Authentication-Results: sekimori.test" }
	/^spf=/ { split($2, a, "="); printf "; %s smtp.mailfrom=%s", $1, a[2] }
	/^dkim=/ && NF == 1 { printf "; %s", $1 }
	/^dkim=/ && NF == 3 { split($2, a, "="); printf "; %s header.d=%s", $1, a[2] }
	END { print "" }' "$T/ours/$1"
}

if [ $od = 1 ]; then
	mkdir "$T/od"
	cat > "$T/od/opendmarc.conf" <<'CONF'
AuthservID opendmarc.test
TrustedAuthservIDs sekimori.test
PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat
SPFIgnoreResults false
SPFSelfValidate false
RejectFailures true
HoldQuarantinedMessages true
Syslog false
CONF
	echo "nameserver 127.0.0.1" > "$T/od/resolv.conf"
	while read -r name rest; do
		case $name in "" | "#"*) continue ;; esac
		{ ar_field "$name"; cat "$T/msg/$name.eml"; } > "$T/od/$name.eml"
	done < "$T/cases"
	# the run inside the namespaces: $1 is T, $2 the python, $3 the
	# responder, $4 the zone
	cat > "$T/od/run.sh" <<'RUN'
set -u
ip link set lo up || exit 1
mount --bind "$1/od/resolv.conf" /etc/resolv.conf || exit 1
$2 "$3" "$4" "$1/od/ready" 2> "$1/od/dnsd.err" &
dnsd=$!
trap 'kill $dnsd' EXIT
i=0
while [ ! -e "$1/od/ready" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$1/od/ready" ] || exit 1
while read -r name ip helo mfrom rest; do
	case $name in "" | "#"*) continue ;; esac
	[ "$mfrom" = "<>" ] && mfrom=
	OPENDMARC_TEST_CLIENTIP=$ip OPENDMARC_TEST_HELOHOST=$helo \
	OPENDMARC_TEST_ENVFROM="<$mfrom>" \
	opendmarc -c "$1/od/opendmarc.conf" -v -v -v -t "$1/od/$name.eml" \
		> "$1/od/$name.out" 2>&1
done < "$1/cases"
RUN
	if ! unshare -mn sh "$T/od/run.sh" "$T" "$PY" \
		"$(dirname "$DRIVER")/dmarc_dnsd.py" "$ZONE"; then
		echo "FAIL: dmarc-interop: the opendmarc run failed:" \
			"$(tail -n 1 "$T/od/dnsd.err")"
		exit 1
	fi
fi

# od_answer NAME - opendmarc's RESULT/DISPOSITION: from the field it adds
# (dmarc=RESULT (p=P dis=D)); a rejected message gets no field, only a
# 550 reply: fail/reject; a 4xx reply: temperror; accepted with no field:
# unchecked; nothing at all: "-"
od_answer() {
	out=$T/od/$1.out
	res=$(sed -n "s/.*INSHEADER.* dmarc=\([a-z]*\).*/\1/p" "$out" | head -n 1)
	dis=$(sed -n "s/.*INSHEADER.* dmarc=.*dis=\([a-z]*\).*/\1/p" "$out" |
		head -n 1)
	if grep -q "SETREPLY: rcode='5" "$out"; then
		echo fail/reject
	elif grep -q "SETREPLY: rcode='4\|returned SMFIS_TEMPFAIL" "$out"; then
		echo "temperror/${dis:-none}"
	elif [ -z "$res" ] && grep -q 'eom() returned SMFIS_ACCEPT' "$out"; then
		echo unchecked/none
	else
		echo "${res:--}/${dis:-none}"
	fi
}

# --- compare -------------------------------------------------------------

fail=0
n=0
nknown=0
tab=$(printf '\t')

# compare TOOL NAME OURS THEIRS KNOWN-FILE
compare() {
	tool=$1 name=$2 ours=$3 theirs=$4 kfile=$5
	known=$(awk -F '\t' -v n="$name" '$1 == n { print $2 " " $3 }' "$kfile")
	n=$((n + 1))
	if [ -n "$known" ]; then
		nknown=$((nknown + 1))
		# THEIRS may list the answers of a tool that varies: A|B
		if [ "${known%% *}" = "$ours" ] &&
		    echo "|${known#* }|" | grep -qF "|$theirs|"; then
			echo "PASS: dmarc-interop $name $tool (known difference)"
			echo "INFO: dmarc-interop $name: ours $ours, $tool $theirs:" \
				"$(awk -F '\t' -v n="$name" '$1 == n { print $4 }' "$kfile")"
		else
			echo "FAIL: dmarc-interop $name: ours $ours, $tool $theirs" \
				"(recorded: $known)"
			fail=$((fail + 1))
		fi
	elif [ "$ours" != "$theirs" ]; then
		echo "FAIL: dmarc-interop $name: ours $ours, $tool $theirs"
		sed 's/^/    ours: /' "$T/ours/$name" "$T/ours/$name.err"
		[ "$tool" = opendmarc ] &&
			grep -v 'mlfi_' "$T/od/$name.out" | sed 's/^/    opendmarc: /'
		fail=$((fail + 1))
	else
		echo "PASS: dmarc-interop $name $tool $ours"
	fi
}

while read -r name rest; do
	case $name in "" | "#"*) continue ;; esac
	ours="$(sed -n 1p "$T/ours/$name")/$(sed -n 2p "$T/ours/$name" | sed 's/^policy=//')"
	line=$(grep "^$name$tab" "$T/ah.out")
	res=$(echo "$line" | cut -f 2)
	pol=$(echo "$line" | cut -f 3)
	case $res in pass | none) pol=none ;; esac
	compare authheaders "$name" "$ours" "$res/$pol" "$T/known"
	if [ $od = 1 ]; then
		compare opendmarc "$name" "$ours" "$(od_answer "$name")" "$T/known-od"
	fi
done < "$T/cases"
echo "INFO: dmarc-interop $n comparisons: $((n - fail)) passed ($nknown known" \
	"differences), $fail failed; authheaders" \
	"$(dpkg-query -W -f '${Version}' python3-authheaders 2>/dev/null)$(
	[ $od = 1 ] && echo ", opendmarc $(dpkg-query -W -f '${Version}' \
		opendmarc 2>/dev/null)")"
[ "$fail" -eq 0 ]
