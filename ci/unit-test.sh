#!/bin/sh
# ci/unit-test.sh MODE - build and run the firmware unit tests.
#
#   host-asan  host compiler with AddressSanitizer and UBSan
#   x86_64     static musl build, from output/x86_64/toolchain.env if it
#              exists, else musl-gcc -static
#   aarch64    static musl build from output/aarch64/toolchain.env, run
#              under its SK_RUN (qemu-aarch64-static)
#
# Prints one line per test case, "PASS: name" or "FAIL: name: reason",
# and exits non-zero if any failed or the build failed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
MODE=${1:-host-asan}

case $MODE in
host-asan)
	O=$TOP/output/host
	flavor=asan
	;;
x86_64 | aarch64)
	O=$TOP/output/$MODE
	flavor=target
	if [ -f "$O/toolchain.env" ]; then
		# shellcheck disable=SC1091
		. "$O/toolchain.env"
		export SK_CC SK_CFLAGS SK_LDFLAGS SK_AR SK_STRIP SK_RUN
	elif [ "$MODE" = aarch64 ]; then
		echo "FAIL: unit-aarch64: $O/toolchain.env missing (build the toolchain first)"
		exit 1
	fi
	;;
*)
	echo "usage: $0 host-asan|x86_64|aarch64" >&2
	exit 2
	;;
esac

mkdir -p "$O"
log=$O/unit-test-$MODE.log
if ! make -C "$TOP/firmware" --no-print-directory O="$O" FLAVOR=$flavor \
	tests >"$log" 2>&1; then
	echo "FAIL: unit-build-$MODE: see $log"
	tail -n 20 "$log" | sed 's/^/INFO: /'
	exit 1
fi
echo "INFO: unit tests for $MODE built in $O/firmware/$flavor/test"
make -C "$TOP/firmware" -s --no-print-directory O="$O" FLAVOR=$flavor \
	run-tests
