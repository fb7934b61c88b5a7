#!/bin/sh
# ci/fuzz.sh - build the libFuzzer targets, replay each saved corpus, then
# fuzz each target for FUZZ_SECONDS (default 15: with over 50 targets that
# keeps `make test` well inside its 45 minutes) starting from its corpus.
#
# Corpus folders (firmware/DIR/corpus/TARGET/) are only read: new inputs
# go to a temporary folder. A crash's input is kept under
# output/host/fuzz-artifacts/ and named in the FAIL line.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$TOP/output/host}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
ART=$O/fuzz-artifacts
fail=0

mkdir -p "$O" "$ART"
log=$O/fuzz-build.log
if ! make -C "$TOP/firmware" --no-print-directory O="$O" fuzz >"$log" 2>&1; then
	echo "FAIL: fuzz-build: see $log"
	tail -n 20 "$log" | sed 's/^/INFO: /'
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/skfuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# firmware/DIR's targets are in fuzz/DIR/, cli/DIR's in fuzz/cli/DIR/
# (firmware/Makefile, CLI_DIRS); each corpus is beside its source.
for bin in "$O"/firmware/fuzz/fuzz/*/fuzz_* "$O"/firmware/fuzz/fuzz/cli/*/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/}
	label=${name#fuzz_}
	dir=${bin#"$O"/firmware/fuzz/fuzz/}
	dir=${dir%/*}
	case $dir in
	cli/*) src=$dir ;;
	*) src=firmware/$dir ;;
	esac
	corpus=$TOP/$src/corpus/$name
	if [ ! -d "$corpus" ]; then
		echo "FAIL: fuzz-replay-$label: no corpus at $src/corpus/$name"
		fail=1
		continue
	fi
	# 1. Replay: every saved input once, nothing new.
	if "$bin" -runs=0 "$corpus" >"$work/$name.replay" 2>&1; then
		echo "PASS: fuzz-replay-$label"
	else
		echo "FAIL: fuzz-replay-$label: see output below"
		tail -n 20 "$work/$name.replay" | sed 's/^/INFO: /'
		fail=1
	fi
	# 2. Bounded run; the first folder receives new inputs.
	mkdir -p "$work/$name.new"
	if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$ART/$name-" "$work/$name.new" "$corpus" \
		>"$work/$name.run" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$work/$name.run")
		echo "PASS: fuzz-$label"
		echo "INFO: fuzz-$label: ${runs:-?} runs in ${FUZZ_SECONDS}s," \
			"$(ls "$work/$name.new" | wc -l) new inputs"
	else
		echo "FAIL: fuzz-$label: crash input in $ART (see below)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$work/$name.run" |
			head -n 5 | sed 's/^/INFO: /'
		fail=1
	fi
done
exit $fail
