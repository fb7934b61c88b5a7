#!/bin/sh
# rootfs-repro.sh - the root squashfs must be the same, byte for byte, when
# built twice from the same inputs ($O/target, overlays, the same Debian
# packages) with the same SOURCE_DATE_EPOCH.
# Usage: ci/rootfs-repro.sh [BOARD]   Needs board/common/kernel.sh to have run
# (it does so itself if the kernel is missing).
set -u
BOARD=${1:-${BOARD:-x86_64}}
SK_TOP=${SK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
export BOARD SK_TOP
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
O=${O:-$SK_TOP/output/$BOARD}
export O
name=rootfs-repro-$BOARD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -f "$O/build/kernel/release" ] &&
	! sh "$SK_TOP/board/common/kernel.sh" > "$tmp/log" 2>&1; then
	echo "FAIL: $name: kernel.sh failed: $(tail -n1 "$tmp/log")"; exit 1
fi
for n in 1 2; do
	mkdir "$tmp/$n"
	# The second build runs with a different umask and a later clock, which
	# must not show in the result.
	if ! (umask $([ $n = 1 ] && echo 022 || echo 077)
		sh "$SK_TOP/board/common/mkrootfs.sh" "$tmp/$n/rootfs.squashfs") > "$tmp/log" 2>&1; then
		echo "FAIL: $name: build $n failed: $(tail -n1 "$tmp/log")"; exit 1
	fi
	[ $n = 1 ] && sleep 1
done
a=$(sha256sum < "$tmp/1/rootfs.squashfs" | cut -c1-64)
b=$(sha256sum < "$tmp/2/rootfs.squashfs" | cut -c1-64)
echo "INFO: $BOARD rootfs.squashfs $(stat -c %s "$tmp/1/rootfs.squashfs") bytes, sha256 $a"
if [ "$a" = "$b" ]; then
	echo "PASS: $name"
else
	echo "FAIL: $name: the two builds differ ($a vs $b)"
	exit 1
fi
