#!/bin/sh
# mkimage.sh - make the bootable GPT disk $O/images/disk.img.
#
# Needs $O/images/rootfs.squashfs (mkrootfs.sh). Partitions (genimage, layout
# in board/$BOARD/genimage.cfg.in): ESP (FAT: GRUB standalone EFI binary and
# grubenv), rootA and rootB (the same squashfs), config and data (empty ext4,
# labels "config" and "data"). Everything is built under $B/image.tmp and
# renamed into $O/images at the end, disk.img last: a failed build never
# leaves a complete-looking disk.img.
. "$(dirname "$0")/lib.sh"

sq=$O/images/rootfs.squashfs
[ -f "$sq" ] || die "$sq is missing: run mkrootfs.sh first"
slot_mib=$SK_IMAGE_ROOTFS_SLOT_SIZE
[ "$(stat -c %s "$sq")" -le $((slot_mib * 1048576)) ] ||
	die "rootfs.squashfs is larger than a slot (SK_IMAGE_ROOTFS_SLOT_SIZE=$slot_mib MiB)"

t=$B/image.tmp
rm -rf "$t" "$O/images/disk.img"
mkdir -p "$t/in" "$t/out" "$t/root" "$t/gtmp" "$t/esp/EFI/BOOT" "$t/esp/EFI/sekimori" "$t/empty"
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH   # fixed times inside the ext4 images

# 1. GRUB: one standalone EFI binary with grub.cfg and the modules in its
# memdisk. arm64 modules come from Debian's arm64 package (the host has none).
grubdir=/usr/lib/grub/$BOARD_GRUB_TARGET
if [ -n "$BOARD_GRUB_PKG" ]; then
	mkdir -p "$t/grubdeb"
	dpkg-deb -x "$(fetch_deb "$BOARD_DEB_ARCH" "$BOARD_GRUB_PKG")" "$t/grubdeb"
	grubdir=$t/grubdeb/usr/lib/grub/$BOARD_GRUB_TARGET
fi
[ -f "$grubdir/linux.mod" ] || die "no GRUB modules in $grubdir (install grub-efi-amd64-bin)"
sed -e "s|@CONSOLE@|$SK_SERIAL_CONSOLE|" -e "s|@CMDLINE@|$BOARD_CMDLINE|" \
	"$SK_TOP/board/common/grub.cfg.in" > "$t/grub.cfg"
touch -d "@$SOURCE_DATE_EPOCH" "$t/grub.cfg"
# (echo joins the two lines of $mods into one space-separated list)
mods="part_gpt part_msdos fat normal linux configfile loadenv test search
	search_fs_file squash4 xzio gzio regexp echo sleep reboot"
# shellcheck disable=SC2086
grub-mkstandalone -O "$BOARD_GRUB_TARGET" -d "$grubdir" -o "$t/esp/EFI/BOOT/$BOARD_EFI_NAME" \
	--modules="$(echo $mods)" --install-modules="$(echo $mods)" \
	--locales= --themes= --fonts= "boot/grub/grub.cfg=$t/grub.cfg"

# 2. grubenv: slot A first, both slots good (same image in both).
env=$t/esp/EFI/sekimori/grubenv
grub-editenv "$env" create
grub-editenv "$env" set SK_FIRST=A SK_A_GOOD=1 SK_A_TRIES=0 SK_B_GOOD=1 SK_B_TRIES=0

# 3. ESP as FAT with a fixed volume id and file times.
normalize_tree "$t/esp"
esp=$t/in/esp.vfat
mkfs.vfat -C -n ESP -i 5e4b0d1a "$esp" $((SK_IMAGE_ESP_SIZE * 1024)) >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$esp" "$t/esp/EFI" ::/

# 4. Empty persistent filesystems with fixed UUIDs and hash seeds.
mkext4() { # LABEL UUID MIB
	mkfs.ext4 -q -F -L "$1" -U "$2" -E "hash_seed=$2,root_owner=0:0" -d "$t/empty" \
		"$t/in/$1.ext4" "$3M" >/dev/null
}
mkext4 config 5e4b0d1a-1004-4000-8000-0000000000c0 "$SK_IMAGE_CONFIG_SIZE"
mkext4 data 5e4b0d1a-1005-4000-8000-0000000000da "$SK_IMAGE_DATA_SIZE"
ln "$sq" "$t/in/rootfs.squashfs" 2>/dev/null || cp "$sq" "$t/in/rootfs.squashfs"

# 5. The GPT disk.
sed -e "s|@DISK@|disk.img|" -e "s|@SLOT_SIZE@|$slot_mib|" -e "s|@ROOT_TYPE@|$BOARD_ROOT_TYPE|" \
	"$SK_TOP/board/$BOARD/genimage.cfg.in" > "$t/genimage.cfg"
genimage --config "$t/genimage.cfg" --rootpath "$t/root" --tmppath "$t/gtmp" \
	--inputpath "$t/in" --outputpath "$t/out" >"$t/genimage.log" 2>&1 ||
	{ cat "$t/genimage.log" >&2; die "genimage failed"; }

# 6. Publish: the ESP alone (for updates and tests), then the disk.
mv "$esp" "$O/images/esp.vfat"
mv "$t/out/disk.img" "$O/images/disk.img"
rm -rf "$t"
log "$O/images/disk.img: $(du -m --apparent-size "$O/images/disk.img" | cut -f1) MiB" \
	"($(du -m "$O/images/disk.img" | cut -f1) MiB allocated)"
