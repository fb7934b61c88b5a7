#!/bin/sh
# ci/smtp-proto-test.sh - the server-side cases of ../shared/conformance/smtp/
# (smuggling end-of-data variants, STARTTLS injection, open-relay forms,
# command regressions), read where they are, through the SMTP protocol core.
#
# The driver smtp-conformance (firmware/smtp/conformance_main.c) is built by
# firmware/Makefile with the ASan + UBSan unit tests; the core's own unit
# tests and transcripts run in ci/unit-test.sh. The JSON files are turned
# into tab-separated cases with jq; nothing is copied into the repository.
# Prints "PASS: name" / "FAIL: name: reason" lines; exits non-zero if
# anything failed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
SK_TOP=${SK_TOP:-$TOP}
export SK_TOP
O=$TOP/output/host
CONF=$SK_TOP/../shared/conformance/smtp
driver=$O/firmware/asan/test/smtp-conformance

log=$O/smtp-proto-build.log
mkdir -p "$O"
if ! make -C "$TOP/firmware" --no-print-directory O="$O" FLAVOR=asan \
	"$driver" >"$log" 2>&1; then
	echo "FAIL: smtp-conformance build: see $log"
	exit 1
fi

out=$(mktemp "${TMPDIR:-/tmp}/smtpproto.XXXXXX")
trap 'rm -f "$out" "$out.tsv"' EXIT INT TERM

cases() {
	jq -r '.sequences[] | ["smuggle", .id, .bytes_hex] | @tsv' \
		"$CONF/smtp-smuggling-cases.json" &&
		jq -r '"smuggle_extra\tpipelining_check",
			"smuggle_extra\texim_0900_variant",
			(["dkim_boundary", "dkim_boundary_smuggling",
			  .dkim_boundary_smuggling.bytes_hex_of_injected_line]
			 | @tsv)' "$CONF/smtp-smuggling-cases.json" &&
		jq -r '.server_cases[] | ["starttls", .id] | @tsv' \
			"$CONF/starttls-injection-cases.json" &&
		jq -r '(.relay_tests[] | ["relay", (.n | tostring), .mail_from,
				.rcpt_to] | @tsv),
			(.command_regressions[] | ["cmd", .id, (.send |
				if type == "array" then join("\n") else . end)]
				| @tsv)' \
			"$CONF/open-relay-and-command-cases.json"
}

if ! command -v jq >/dev/null 2>&1; then
	echo "FAIL: smtp-conformance: jq not installed" >>"$out"
elif [ ! -d "$CONF" ]; then
	echo "FAIL: smtp-conformance: $CONF not found" >>"$out"
elif ! cases >"$out.tsv"; then
	echo "FAIL: smtp-conformance: cannot read the JSON in $CONF" >>"$out"
else
	"$driver" <"$out.tsv" >>"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
		echo "FAIL: smtp-conformance: exited with status $rc" >>"$out"
	fi
fi

cat "$out"
! grep -q '^FAIL: ' "$out"
