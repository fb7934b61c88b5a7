#!/bin/sh
# kernel.sh - fetch the board's Debian kernel and keep only what we need.
#
# Output in $O/build/kernel:
#   vmlinuz                      the kernel GRUB loads (arm64: decompressed
#                                Image, because GRUB's arm64 loader cannot
#                                inflate a gzip kernel)
#   release                      the kernel release (uname -r)
#   modules/lib/modules/REL/     the listed modules plus their dependencies,
#                                a trimmed modules.dep (for modprobe) and
#                                modules.load / modules.boot: the paths in
#                                load order, for plain insmod at boot.
# The host needs no depmod: dependencies come from each module's .modinfo.
. "$(dirname "$0")/lib.sh"

arch=$BOARD_DEB_ARCH
out=$B/kernel
meta=$(fetch_deb "$arch" "linux-image-$arch")
# The metapackage names the current ABI package, e.g. linux-image-6.1.0-56-amd64.
pkg=$(deb_field "$meta" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
[ -n "$pkg" ] || die "cannot read the kernel package from $meta"
deb=$(fetch_deb "$arch" "$pkg")
rel=${pkg#linux-image-}

# Skip the work when this exact kernel and module list were already done.
stamp="$deb $(cat "$SK_TOP/board/$BOARD/kernel-modules") $SK_KERNEL_MODULES_EXTRA"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ]; then
	log "kernel $rel up to date"; exit 0
fi

tmp=$B/kernel.tmp
rm -rf "$tmp" "$out"
mkdir -p "$tmp/deb"
log "extracting $pkg"
dpkg-deb -x "$deb" "$tmp/deb"
src=$tmp/deb/lib/modules/$rel
[ -d "$src" ] || die "$pkg has no lib/modules/$rel"

# arm64 kernels may come gzip-compressed; amd64 bzImage loads as is.
if [ "$(od -An -tx1 -N2 "$tmp/deb/boot/vmlinuz-$rel" | tr -d ' ')" = 1f8b ]; then
	gzip -dc "$tmp/deb/boot/vmlinuz-$rel" > "$tmp/vmlinuz"
else
	cp "$tmp/deb/boot/vmlinuz-$rel" "$tmp/vmlinuz"
fi

# Index every module once: "name path" (names use _ where files may use -).
find "$src/kernel" -name '*.ko' | sed "s|^$src/||" | sort |
	awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko$/, "", n); gsub(/-/, "_", n); print n, $0 }' \
	> "$tmp/index"
is_builtin() { sed 's|.*/||; s|\.ko$||; s|-|_|g' "$src/modules.builtin" | grep -qx "$1"; }
path_of() { awk -v n="$1" '$1 == n { print $2; exit }' "$tmp/index"; }
deps_of() { tr '\0' '\n' < "$src/$1" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '; }

# visit NAME: append NAME's dependencies, then NAME, to the file $order
# (names already in $seen are skipped). Shell variables are global, so the
# path is looked up again after the recursion instead of being kept.
visit() {
	grep -qx "$(echo "$1" | tr - _)" "$seen" && return 0
	echo "$1" | tr - _ >> "$seen"
	if [ -z "$(path_of "$(echo "$1" | tr - _)")" ]; then
		is_builtin "$(echo "$1" | tr - _)" && return 0
		die "module $1 is neither built into $rel nor shipped with it"
	fi
	for _d in $(deps_of "$(path_of "$(echo "$1" | tr - _)")"); do visit "$_d"; done
	path_of "$(echo "$1" | tr - _)" >> "$order"
}
seen=$tmp/seen order=$tmp/order
: > "$seen"
: > "$tmp/order"
: > "$tmp/boot"
list=$(sed 's/#.*//' "$SK_TOP/board/$BOARD/kernel-modules")
# Boot modules first, so modules.boot is a prefix of the full load order.
echo "$list" | while read -r m flag; do if [ "$flag" = boot ]; then visit "$m"; fi; done
cp "$tmp/order" "$tmp/boot"
echo "$list" | while read -r m flag; do if [ -n "$m" ]; then visit "$m"; fi; done
for m in $SK_KERNEL_MODULES_EXTRA; do visit "$m"; done

dst=$tmp/modules/lib/modules/$rel
mkdir -p "$dst"
while read -r p; do
	mkdir -p "$dst/${p%/*}"
	cp "$src/$p" "$dst/$p"
done < "$tmp/order"
cp "$tmp/order" "$dst/modules.load"
cp "$tmp/boot" "$dst/modules.boot"
cp "$src/modules.builtin" "$src/modules.order" "$dst/" 2>/dev/null || true
# modules.dep in depmod's format, "path: deps" with the dependency loaded
# last listed first, so busybox modprobe also works on the box.
seen=$tmp/seen2 order=$tmp/order2
while read -r p; do
	: > "$seen"; : > "$order"
	for d in $(deps_of "$p"); do visit "$d"; done
	echo "$p: $(tac "$order" | tr '\n' ' ' | sed 's/ $//')"
done < "$tmp/order" | sed 's/: $/:/' > "$dst/modules.dep"

echo "$rel" > "$tmp/release"
mkdir -p "$out"
mv "$tmp/vmlinuz" "$tmp/release" "$tmp/modules" "$out/"
rm -rf "$tmp"
echo "$stamp" > "$out/stamp"
log "kernel $rel: $(wc -l < "$out/modules/lib/modules/$rel/modules.load") modules"
