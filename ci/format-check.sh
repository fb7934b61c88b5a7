#!/bin/sh
# ci/format-check.sh [PATH...] - check that our C follows .clang-format and
# puts braces on every if/else/for/while (clang-format 14 cannot insert
# them, so clang-tidy's readability-braces-around-statements checks that).
#
# Checks the .c and .h files under firmware/ and cli/ (or the given paths).
# One line per check: PASS: format / FAIL: format: FILE, and the same for
# braces. Needs clang-format-14 and clang-tidy-14, and the third-party
# headers of `make host` (output/host/sysroot/include) for the brace check.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
FMT=${CLANG_FORMAT:-clang-format-14}
TIDY=${CLANG_TIDY:-clang-tidy-14}
[ $# -gt 0 ] || set -- firmware cli
files=$(find "$@" -name '*.[ch]' -not -path '*/corpus/*' 2>/dev/null | sort)
fail=0

bad=
for f in $files; do
	if ! "$FMT" --dry-run -Werror "$f" >/dev/null 2>&1; then
		bad="$bad $f"
	fi
done
if [ -z "$bad" ]; then
	echo "PASS: format"
else
	fail=1
	for f in $bad; do
		echo "FAIL: format: $f (fix with: $FMT -i $f)"
	done
fi

# Headers are checked through the .c files that include them. A stub
# version.h stands in for the generated one.
gen=$(mktemp -d "${TMPDIR:-/tmp}/skfmt.XXXXXX")
trap 'rm -rf "$gen"' EXIT INT TERM
printf '#define SK_PRODUCT "x"\n#define SK_VERSION "x"\n' >"$gen/version.h"
bad=
for f in $files; do
	case $f in *.c) ;; *) continue ;; esac
	if ! "$TIDY" --quiet -checks='-*,readability-braces-around-statements' \
		--warnings-as-errors='*' "$f" -- -std=c11 -D_GNU_SOURCE \
		-I"$(dirname "$f")" -Ifirmware/lib -I"$gen" \
		-isystem output/host/sysroot/include >"$gen/out" 2>&1; then
		bad="$bad $f"
	fi
done
if [ -z "$bad" ]; then
	echo "PASS: braces"
else
	fail=1
	for f in $bad; do
		echo "FAIL: braces: $f"
	done
fi
exit $fail
