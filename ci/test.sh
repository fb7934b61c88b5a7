#!/bin/sh
# test.sh - everything CI checks, in one run (`make test` calls it).
#
# Each stage is a driver in ci/ that prints `PASS: name` / `FAIL: name: why`
# per test and `INFO: ...` for figures. Its whole output goes to
# output/test-logs/STAGE.log; PASS, FAIL and INFO lines are echoed here. A
# stage that fails without a FAIL line counts as one failure. The last line is
# the total, `N passed, N failed`, and the exit status is non-zero on any
# failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Each driver derives its board's folders from its arguments; what an outer
# `make test` exported for the default board must not leak into them.
unset O BOARD SK_CONFIG
logs=$top/output/test-logs
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0

# stage NAME COMMAND... - run one driver and count its results.
stage() {
	name=$1
	shift
	log=$logs/$name.log
	start=$(date +%s)
	echo "== $name"
	"$@" > "$log" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|INFO):' "$log"
	p=$(grep -c '^PASS:' "$log")
	f=$(grep -c '^FAIL:' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name: exited $rc; last lines of $log:"
		tail -n 15 "$log" | sed 's/^/    /'
		f=1
	elif [ "$f" -ne 0 ]; then
		echo "    (full log: $log)"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "INFO: $name took $(($(date +%s) - start)) s"
}

# build BOARD - one image build counts as one test.
build() {
	start=$(date +%s)
	if make --no-print-directory BOARD="$1" image; then
		echo "PASS: build $1 image"
		echo "INFO: $1 image built in $(($(date +%s) - start)) s"
	else
		echo "FAIL: build $1 image"
		return 1
	fi
}

# host_build - `make host`, our programs for this machine (output/host/bin).
host_build() {
	if make --no-print-directory host; then
		echo "PASS: make host"
	else
		echo "FAIL: make host"
		return 1
	fi
}

# The host flavour's libraries come first: the sanitizer builds and the
# brace check of the format stage need them.
stage host host_build
stage packages-host ci/package-test.sh host
stage format ci/format-check.sh
stage unit-host-asan ci/unit-test.sh host-asan
stage yang ci/yang-test.sh
stage spf-suite ci/spf-suite.sh
stage dkim-interop ci/dkim-interop.sh
stage spf-interop ci/spf-interop.sh
stage dmarc-interop ci/dmarc-interop.sh
stage arc-interop ci/arc-interop.sh
stage dmarc-tables ci/dmarc-tables.sh
stage dmarc-check ci/dmarc-check.sh
stage smtp-conformance ci/smtp-proto-test.sh
stage tls-interop ci/tls-interop.sh
stage config ci/config-test.sh
stage login /usr/bin/python3 ci/login-test.py
stage scan ci/scan-test.sh
stage relay /usr/bin/python3 ci/relay-test.py
stage reload /usr/bin/python3 ci/reload-test.py
stage stats /usr/bin/python3 ci/stats-test.py
stage relay-crash /usr/bin/python3 ci/relay-crash-test.py
stage policy /usr/bin/python3 ci/policy-test.py
stage dmarc-report /usr/bin/python3 ci/dmarc-report-test.py
for b in x86_64 aarch64; do
	stage "build-$b" build "$b"
	stage "unit-$b" ci/unit-test.sh "$b"
	stage "packages-$b" ci/package-test.sh "$b"
done
stage build-errors ci/build-errors.sh
stage fuzz ci/fuzz.sh
stage rootfs-repro ci/rootfs-repro.sh x86_64
for b in x86_64 aarch64; do
	stage "boot-$b" /usr/bin/python3 ci/boot-test.py "$b"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
