#!/bin/sh
# config-test.sh - `sekimorid --check -c FILE` (built by `make host` into
# output/host/bin) over the model's own data and over bad input: the
# factory config and cli/yang/testdata/good-*.json are accepted, every
# testdata/bad-*.json is rejected with each fragment of its .expect in the
# message (rule and data path), and an empty file, binary garbage, a 10 MB
# file, a missing file, a directory and an unknown top-level module get a
# clear message and exit status 1; usage errors and the not-yet-written
# daemon exit 2. Prints `PASS: config ...` or `FAIL: config ...: got ...,
# want ...` per check; exits non-zero on any failure.
#
# SEKIMORID=PATH tests that binary instead and skips the build.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=$top/output/host
dir=$top/cli/yang
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skconfig.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

if [ -z "${SEKIMORID:-}" ]; then
	SEKIMORID=$O/bin/sekimorid
	if ! make -C "$top" --no-print-directory host >"$tmp/build.log" 2>&1; then
		echo "FAIL: config build: make host failed"
		tail -n 15 "$tmp/build.log" | sed 's/^/INFO: /'
		exit 1
	fi
fi
if [ ! -x "$SEKIMORID" ]; then
	echo "FAIL: config build: $SEKIMORID not found"
	exit 1
fi

# flat FILE - a file's text on one line, cut for a FAIL line
flat() {
	head -c 400 "$1" | tr '\n' ' '
}

# check NAME WANT_RC WANT_TEXT ARGS... - run sekimorid ARGS; the exit
# status must be WANT_RC and stdout+stderr must contain WANT_TEXT.
check() {
	name=$1 want_rc=$2 want=$3
	shift 3
	"$SEKIMORID" "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL: config $name: got exit $rc ($(flat "$tmp/out")), want $want_rc"
		fails=$((fails + 1))
	elif ! grep -qF -- "$want" "$tmp/out"; then
		echo "FAIL: config $name: got \"$(flat "$tmp/out")\", want \"$want\""
		fails=$((fails + 1))
	else
		echo "PASS: config $name"
	fi
}

# The model's own good data, with the counts that --check prints.
check "factory.json" 0 "config OK: 3 listeners, 0 relay domains" \
	--check -c "$dir/factory.json"
for f in "$dir"/testdata/good-*.json; do
	[ -e "$f" ] || continue
	case ${f##*/} in
	good-full-relay.json) want="config OK: 4 listeners, 2 relay domains, 2 internal networks" ;;
	good-outbound-smarthost.json) want="config OK: 1 listener, 0 relay domains, 1 internal network" ;;
	*) want="config OK: " ;;
	esac
	check "${f##*/}" 0 "$want" --check -c "$f"
done

# Every bad-*.json: exit 1 and each line of its .expect in the message.
nbad=0
for f in "$dir"/testdata/bad-*.json; do
	[ -e "$f" ] || continue
	nbad=$((nbad + 1))
	name=${f##*/}
	exp=${f%.json}.expect
	"$SEKIMORID" --check -c "$f" >"$tmp/out" 2>&1
	rc=$?
	missing=
	if [ -s "$exp" ]; then
		while IFS= read -r want; do
			[ -n "$want" ] || continue
			grep -qF -- "$want" "$tmp/out" || missing="$missing \"$want\""
		done <"$exp"
	else
		missing=" (no ${exp##*/})"
	fi
	if [ "$rc" -ne 1 ]; then
		echo "FAIL: config $name: got exit $rc ($(flat "$tmp/out")), want 1"
		fails=$((fails + 1))
	elif [ -n "$missing" ]; then
		echo "FAIL: config $name: got \"$(flat "$tmp/out")\", want$missing"
		fails=$((fails + 1))
	else
		echo "PASS: config $name rejected"
	fi
done
if [ "$nbad" -eq 0 ]; then
	echo "FAIL: config bad files: none found in $dir/testdata"
	fails=$((fails + 1))
fi

# Bad input that is not a config at all.
: >"$tmp/empty.json"
check "empty file" 1 "config: empty input" --check -c "$tmp/empty.json"
printf '\377\376\000\001\033[2Jgarbage\200\n' >"$tmp/nul.bin"
check "binary garbage with NUL" 1 "config: NUL byte at offset 2" \
	--check -c "$tmp/nul.bin"
printf '\377\376\375\033[2J{{{\200\201\n' >"$tmp/garbage.bin"
check "binary garbage" 1 "config: " --check -c "$tmp/garbage.bin"
# libyang quotes the input in its messages: no escape or control byte of
# the file may reach the terminal.
if LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177-\377]')" "$tmp/out"; then
	echo "FAIL: config garbage echoed: got control or non-ASCII bytes in \"$(flat "$tmp/out" | od -c | head -n 3 | tr '\n' ' ')\", want '?'"
	fails=$((fails + 1))
else
	echo "PASS: config garbage not echoed raw"
fi
dd if=/dev/zero bs=1048576 count=10 2>/dev/null | tr '\0' ' ' >"$tmp/big.json"
check "10 MB file" 1 "10485760 octets, more than the limit of 1048576 (CONFIG_FILE_MAX)" \
	--check -c "$tmp/big.json"
check "missing file" 1 "config: $tmp/none.json: No such file or directory" \
	--check -c "$tmp/none.json"
check "directory" 1 "config: $tmp: not a regular file" --check -c "$tmp"
printf '{"acme-mail:mail": {"listener": []}}\n' >"$tmp/unknown.json"
check "unknown top-level module" 1 'config: No module named "acme-mail" in the context.' \
	--check -c "$tmp/unknown.json"
printf '{"sekimori-interfaces:interfaces": {"interface": [{"name": "eth0"}]}}\n' \
	>"$tmp/nomail.json"
check "no mail data" 1 "config: /sekimori-mail:mail: missing" \
	--check -c "$tmp/nomail.json"

# Usage, and the daemon refusing to start on a config that does not
# validate (it serves nothing and says why; ci/relay-test.py runs it).
check "no arguments" 2 "usage: sekimorid"
check "check without -c" 2 "no configuration file" --check
check "stray argument" 2 "unexpected argument" --check -c "$dir/factory.json" extra
check "unknown option" 2 "usage: sekimorid" --frobnicate
check "daemon refuses a bad config" 1 "sekimorid: config: " \
	-c "$dir/testdata/bad-port-range.json" --log-stderr

[ "$fails" -eq 0 ]
