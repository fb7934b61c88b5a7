#!/bin/sh
# dmarc-tables.sh - the public DMARC vectors against our code: OpenDMARC's
# extracted tables (record parse, alignment, PSL/TLD, From-domain
# extraction) and the PSL algorithm vectors test_psl.txt.
#
#   ci/dmarc-tables.sh
#
# Builds the unit test firmware/auth/dmarc_conf_test.c (host, ASan+UBSan),
# which reads the tables at run time from $SK_CONFORMANCE (default
# ../shared/conformance beside the repository) and, with SK_DMARC_ROWS
# set, prints one line per row:
#   PASS: dmarc TABLE N
#   FAIL: dmarc TABLE N: got X, want Y
#   INFO: dmarc TABLE N: got X, want Y (deviation: why)
# INFO rows are expectations specific to OpenDMARC that contradict the
# RFCs (or a bug in its test); each one's reason is written next to it in
# dmarc_conf_test.c (conf_deviations).  Ends with
# `INFO: dmarc tables N/M passed`; exit status non-zero on any FAIL.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/output/host}
SK_CONFORMANCE=${SK_CONFORMANCE:-$top/../shared/conformance}
export SK_CONFORMANCE
bin=$O/firmware/asan/test/auth/dmarc_conf_test

if [ ! -d "$SK_CONFORMANCE/dmarc" ]; then
	echo "FAIL: dmarc tables: $SK_CONFORMANCE/dmarc not found"
	exit 1
fi
log=$O/dmarc-tables-build.log
mkdir -p "$O"
if ! make -C "$top/firmware" --no-print-directory O="$O" FLAVOR=asan \
	"$bin" >"$log" 2>&1; then
	echo "FAIL: dmarc tables: build failed, see $log"
	tail -n 20 "$log" | sed 's/^/INFO: /'
	exit 1
fi
out=$(SK_DMARC_ROWS=1 "$bin")
rc=$?
printf '%s\n' "$out" | grep -E '^(PASS|FAIL|INFO): dmarc '
pass=$(printf '%s\n' "$out" | grep -c '^PASS: dmarc ')
fail=$(printf '%s\n' "$out" | grep -c '^FAIL: dmarc ')
info=$(printf '%s\n' "$out" | grep -c '^INFO: dmarc [a-z-]* [0-9]')
echo "INFO: dmarc tables $pass/$((pass + fail + info)) passed ($info deviations reported as INFO)"
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	printf '%s\n' "$out" | grep '^FAIL:' | sed 's/^FAIL: /FAIL: dmarc tables: /'
	echo "FAIL: dmarc tables: test exited $rc"
	exit 1
fi
[ "$fail" -eq 0 ]
