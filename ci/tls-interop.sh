#!/bin/sh
# ci/tls-interop.sh - our TLS (firmware/tls) against a real peer, OpenSSL,
# both ways, through tls-probe (firmware/tls/probe_main.c):
#   openssl s_client -> our server: TLS 1.2 with RSA and ECDSA certificates
#     (the suite agreed is one of the policy's), STARTTLS (RFC 3207), TLS
#     1.1 refused by default and accepted when the minimum says so, static
#     RSA refused by modern and accepted by legacy, CBC by compatible, and
#     our own self-signed certificates checked by openssl against
#     themselves (chain and host name)
#   our client -> openssl s_server: may, encrypt, verify (a CA made here),
#     verify by match-name, verify refusing a wrong name and an unknown CA,
#     a TLS 1.1-only server refused by default and accepted when asked
# Keys and certificates are made here with openssl, in a temporary folder.
# Builds tls-probe itself (FLAVOR=host, into O, default output/host).
# Prints PASS:/FAIL: lines; exits 1 if any failed, 2 when a tool is
# missing or the build fails.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$TOP/output/host}
PROBE=$O/firmware/host/test/tls-probe
WAIT=10 # seconds any one peer may take

if ! command -v openssl >/dev/null 2>&1; then
	echo "FAIL: tls-interop: openssl missing (apt-get install openssl)"
	exit 2
fi
mkdir -p "$O"
log=$O/tls-interop-build.log
if ! make -C "$TOP/firmware" --no-print-directory O="$O" FLAVOR=host \
	"$PROBE" >"$log" 2>&1; then
	echo "FAIL: tls-interop: building tls-probe failed, see $log"
	tail -n 20 "$log" | sed 's/^/INFO: /'
	exit 2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/sktls.XXXXXX")
pids=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$T" || exit 2
fail=0
pass() { echo "PASS: tls-interop: $1"; }
bad() {
	echo "FAIL: tls-interop: $1"
	fail=1
}

# ---- keys and certificates ------------------------------------------
mk() { openssl "$@" >>"$T/openssl.log" 2>&1; }
if ! { mk genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key &&
	mk req -x509 -new -key ca.key -subj '/CN=Interop Test CA' -days 2 \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign -out ca.crt &&
	mk req -x509 -newkey rsa:2048 -nodes -keyout other.key \
		-subj '/CN=Other CA' -days 2 -out other.crt; }; then
	echo "FAIL: tls-interop: cannot make the test CA"
	exit 2
fi
# leaf NAME KEYOPTS... - NAME.key, NAME.crt (by ca) and NAME.pem (chain)
leaf() {
	name=$1
	shift
	mk req -x509 -new -newkey "$@" -nodes -keyout "$name.key" \
		-CA ca.crt -CAkey ca.key -subj '/CN=mx.example.test' -days 2 \
		-addext subjectAltName=DNS:mx.example.test \
		-addext basicConstraints=CA:FALSE \
		-addext extendedKeyUsage=serverAuth -out "$name.crt" &&
		cat "$name.crt" ca.crt >"$name.pem"
}
if ! { leaf rsa rsa:2048 && leaf ec ec -pkeyopt ec_paramgen_curve:P-256; }; then
	echo "FAIL: tls-interop: cannot make the test certificates"
	exit 2
fi

# listen OUT PREFIX COMMAND... - start a server in the background, its
# output in OUT, and wait until it prints its port after PREFIX (a sed
# pattern); sets SRV (OUT), SRV_PID and PORT
listen() {
	SRV=$1
	prefix=$2
	shift 2
	: >"$SRV" # before the child opens it: the loop below reads it
	"$@" >"$SRV" 2>&1 &
	SRV_PID=$!
	pids="$pids $SRV_PID"
	PORT=
	for _ in $(seq 50); do
		PORT=$(sed -n "s/^$prefix//p" "$SRV")
		[ -n "$PORT" ] && return 0
		sleep 0.1
	done
	return 1
}

# server_said - wait for the server; its OK or FAIL line
server_said() {
	wait "$SRV_PID" 2>/dev/null
	grep -E '^(OK|FAIL) ' "$SRV"
}

# ---- our server, openssl s_client -----------------------------------
# serve NAME PROBE-ARGS... - start tls-probe server for one connection;
# sets PORT and SRV (its output file)
serve() {
	CLI=$T/cli.out
	: >"$CLI"
	name=$1
	shift
	listen "$T/srv.$name" 'PORT ' "$PROBE" server -n 1 "$@"
}

# client_of ARGS... - openssl s_client to PORT, output in CLI
client_of() {
	CLI=$T/cli.out
	printf 'QUIT\r\n' | timeout $WAIT openssl s_client \
		-connect "127.0.0.1:$PORT" -brief "$@" >"$CLI" 2>&1
}

# in_policy SUITE POLICY - whether SUITE is one of POLICY's
in_policy() { "$PROBE" suites "$2" | grep -qx "$1"; }

# expect_ok LABEL POLICY VERSION - s_client and tls-probe agree on VERSION
# and a suite of POLICY
expect_ok() {
	ours=$(server_said)
	got_v=$(sed -n 's/^Protocol version: //p' "$CLI")
	got_c=$(sed -n 's/^Ciphersuite: //p' "$CLI")
	case $ours in
	"OK $3 with cipher $got_c ("*) same=1 ;;
	*) same=0 ;;
	esac
	if [ "$got_v" = "$3" ] && in_policy "$got_c" "$2" && [ $same = 1 ]; then
		pass "$1 ($got_v, $got_c)"
	else
		bad "$1: openssl says '$got_v' '$got_c', we say '$ours'"
		sed 's/^/INFO:   /' "$CLI" | head -n 5
	fi
}

# expect_refused LABEL - no session, and our side says why
expect_refused() {
	ours=$(server_said)
	if ! grep -q '^Protocol version: ' "$CLI" &&
		echo "$ours" | grep -q '^FAIL '; then
		pass "$1 (${ours#FAIL })"
	else
		bad "$1: accepted; we say '$ours'"
	fi
}

seclevel0=DEFAULT@SECLEVEL=0 # OpenSSL 3 needs it for TLS < 1.2

serve rsa rsa.pem rsa.key && client_of -tls1_2
expect_ok "s_client TLS 1.2, RSA certificate" modern TLSv1.2

serve ec ec.pem ec.key && client_of -tls1_2
expect_ok "s_client TLS 1.2, ECDSA P-256 certificate" modern TLSv1.2

serve starttls -s rsa.pem rsa.key && client_of -starttls smtp -crlf
expect_ok "s_client STARTTLS (RFC 3207)" modern TLSv1.2

serve tls11 rsa.pem rsa.key && client_of -tls1_1 -cipher "$seclevel0"
expect_refused "TLS 1.1 refused by default"

serve tls11ok -m tls1.1 -c compatible rsa.pem rsa.key &&
	client_of -tls1_1 -cipher "$seclevel0"
expect_ok "TLS 1.1 accepted with minimum tls1.1" compatible TLSv1.1

serve modern_rsakx rsa.pem rsa.key &&
	client_of -tls1_2 -cipher AES128-GCM-SHA256
expect_refused "modern refuses static RSA key exchange"

serve legacy_rsakx -c legacy rsa.pem rsa.key &&
	client_of -tls1_2 -cipher AES128-GCM-SHA256
expect_ok "legacy accepts static RSA key exchange" legacy TLSv1.2

serve compat_cbc -c compatible rsa.pem rsa.key &&
	client_of -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
expect_ok "compatible accepts ECDHE with CBC" compatible TLSv1.2

serve modern_cbc rsa.pem rsa.key &&
	client_of -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
expect_refused "modern refuses ECDHE with CBC"

# our self-signed certificates, as openssl sees them
for type in rsa-2048 ecdsa-p256; do
	root=$T/box-$type
	if [ "$("$PROBE" selfsigned "$root" mail.example.test $type 30)" \
		!= MADE ]; then
		bad "self-signed $type: not made"
		continue
	fi
	crt=$root/config/tls/probe.crt
	serve "ss-$type" "$crt" "$root/config/tls/probe.key" &&
		client_of -CAfile "$crt" -verify_return_error \
			-verify_hostname mail.example.test
	wait "$SRV_PID" 2>/dev/null
	if grep -q '^Verification: OK' "$CLI" &&
		grep -q '^OK ' "$SRV"; then
		pass "self-signed $type verified by openssl"
	else
		bad "self-signed $type: $(grep -i -m1 'verif\|error' "$CLI")"
	fi
done

# ---- our client, openssl s_server -----------------------------------
# peer NAME S_SERVER-ARGS... - openssl s_server for one connection
peer() {
	name=$1
	shift
	listen "$T/peer.$name" 'ACCEPT 127.0.0.1:' timeout $WAIT \
		openssl s_server -accept 127.0.0.1:0 -rev -naccept 1 "$@"
}

# probe_to LABEL WANT PROBE-ARGS... - our client; its first line must
# start with WANT; a session must also carry a line each way
probe_to() {
	label=$1
	want=$2
	shift 2
	out=$("$PROBE" client "$@" 2>&1)
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	first=$(echo "$out" | head -n 1)
	case $first in
	"$want"*)
		if [ "${want%% *}" = OK ] &&
			! echo "$out" | grep -qx 'READ gnip'; then
			bad "$label: no data back: $out"
		else
			pass "$label (${first#* })"
		fi
		;;
	*) bad "$label: got '$first', want '$want...'" ;;
	esac
}

okv='OK TLSv1.2 with cipher ECDHE-ECDSA-'
peer may -cert ec.crt -key ec.key &&
	probe_to "our client, may" "$okv" mx.example.test "$PORT" may
peer encrypt -cert ec.crt -key ec.key &&
	probe_to "our client, encrypt" "$okv" mx.example.test "$PORT" encrypt
peer verify -cert ec.crt -key ec.key &&
	probe_to "our client, verify" "$okv" -b ca.crt \
		mx.example.test "$PORT" verify
peer rsa -cert rsa.crt -key rsa.key &&
	probe_to "our client, verify, RSA certificate" \
		'OK TLSv1.2 with cipher ECDHE-RSA-' -b ca.crt \
		mx.example.test "$PORT" verify
peer match -cert ec.crt -key ec.key &&
	probe_to "our client, verify by match-name" "$okv" -b ca.crt \
		-M mx.example.test relay.other.test "$PORT" verify
peer wrongname -cert ec.crt -key ec.key &&
	probe_to "our client, verify refuses a wrong name" \
		'FAIL handshake: X509_BAD_SERVER_NAME' -b ca.crt \
		other.example.test "$PORT" verify
peer unknownca -cert ec.crt -key ec.key &&
	probe_to "our client, verify refuses an unknown CA" \
		'FAIL handshake: X509_NOT_TRUSTED' -b other.crt \
		mx.example.test "$PORT" verify
peer tls11 -cert rsa.crt -key rsa.key -tls1_1 -cipher "$seclevel0" &&
	probe_to "our client refuses a TLS 1.1-only server" 'FAIL handshake:' \
		mx.example.test "$PORT" may
peer tls11ok -cert rsa.crt -key rsa.key -tls1_1 -cipher "$seclevel0" &&
	probe_to "our client, minimum tls1.1, compatible" \
		'OK TLSv1.1 with cipher ECDHE-RSA-' -m tls1.1 -c compatible \
		mx.example.test "$PORT" may

exit $fail
