#!/bin/sh
# build-errors.sh - bad input to the build stops it with one clear line and
# leaves nothing that looks complete (issue: foundation, "Bad input").
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'umount "$tmp/tiny" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0

# expect NAME PATTERN COMMAND... - COMMAND must fail and print PATTERN.
expect() {
	name=$1 pattern=$2
	shift 2
	if "$@" > "$tmp/out" 2>&1; then
		echo "FAIL: $name: the command succeeded"
		fails=$((fails + 1))
	elif grep -q -- "$pattern" "$tmp/out"; then
		echo "PASS: $name"
	else
		echo "FAIL: $name: got \"$(tail -n 3 "$tmp/out" | tr '\n' ' ')\", want \"$pattern\""
		fails=$((fails + 1))
	fi
}

expect "unknown BOARD" "unknown BOARD 'nosuch': choose one of" \
	make --no-print-directory BOARD=nosuch image
expect "missing defconfig" "no defconfig 'nosuch_defconfig'" \
	make --no-print-directory nosuch_defconfig

# A PATH that has every tool but mksquashfs.
mkdir "$tmp/bin"
for t in sh make grep sed awk cut sort tr rm id dirname df mktemp cat \
	$(grep -v '^#' ci/host-tools | awk '$1 !~ /^\// { print $1 }'); do
	[ "$t" = mksquashfs ] && continue
	p=$(command -v "$t" 2>/dev/null) || p=$(ls /usr/sbin/"$t" /sbin/"$t" 2>/dev/null | head -n 1)
	[ -n "$p" ] && ln -sf "$p" "$tmp/bin/$t"
done
expect "missing host tool" "missing host tool(s): mksquashfs: run 'make deps'" \
	env PATH="$tmp/bin" make --no-print-directory check-host

# A disk too small for the build is refused before anything is written.
mkdir "$tmp/tiny"
if mount -t tmpfs -o size=16m tmpfs "$tmp/tiny" 2>/dev/null; then
	expect "disk too small" "not enough disk space" \
		make --no-print-directory O="$tmp/tiny/x86_64" image
	# The disk fills in the middle of the build: an error, and no image.
	expect "disk full during build" "No space left on device" \
		make --no-print-directory O="$tmp/tiny/x86_64" SK_MIN_FREE_MB=0 image
	if [ -e "$tmp/tiny/x86_64/images/disk.img" ]; then
		echo "FAIL: disk full leaves no image: disk.img exists"
		fails=$((fails + 1))
	else
		echo "PASS: disk full leaves no image"
	fi
else
	echo "INFO: cannot mount a tmpfs here (not root?): disk-full tests skipped"
fi

# A package whose source cannot be fetched names the package.
mkdir -p "$tmp/recipes/nosuchpkg"
cat > "$tmp/recipes/nosuchpkg/recipe" <<'R'
DESCRIPTION="a package that Debian does not have (test)"
SOURCE=sekimori-no-such-package
VERSION=1.0-1
build() { :; }
install() { :; }
R
expect "unfetchable package" "cannot fetch source of sekimori-no-such-package" \
	env SK_PACKAGE_DIR="$tmp/recipes" SK_TOP="$top" BOARD=x86_64 O="$top/output/x86_64" \
		SK_CACHE="${SK_CACHE:-$HOME/.cache/sekimori}" rootfs/scripts/build-package nosuchpkg

[ "$fails" -eq 0 ]
