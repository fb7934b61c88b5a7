#!/bin/sh
# mkrootfs.sh - assemble the root filesystem and pack it as a squashfs.
#
# Usage: mkrootfs.sh [OUTPUT]   (default $O/images/rootfs.squashfs)
# Needs kernel.sh to have run. Layers, later ones win:
#   $O/target (programs of the other build steps), busybox and e2fsck from
#   Debian, kernel modules, rootfs/overlay, board/$BOARD/overlay, then files
#   generated here (inittab, hostname, shadow, filtered services list).
# The kernel and initramfs go to /boot, so a slot holds a whole system and GRUB
# loads the kernel from the slot it boots.
# Reproducible: fixed modes and mtimes, all files root-owned, mksquashfs sorts
# directories itself, no xattrs, and the filesystem time is SOURCE_DATE_EPOCH.
. "$(dirname "$0")/lib.sh"

out=${1:-$O/images/rootfs.squashfs}
case $out in /*) ;; *) out=$PWD/$out ;; esac
k=$B/kernel
[ -f "$k/release" ] || die "run kernel.sh first ($k/release is missing)"
rel=$(cat "$k/release")
arch=$BOARD_DEB_ARCH
# Work beside the output, so two builds into different places never collide.
w=$out.work
rm -rf "$w"
mkdir -p "$w/deb" "$w/root" "$w/initramfs"
r=$w/root

# 1. What the other build steps installed.
mkdir -p "$O/target"
cp -a "$O/target/." "$r/"

# 2. Busybox and e2fsck: Debian's static builds of the board's architecture.
dpkg-deb -x "$(fetch_deb "$arch" busybox-static)" "$w/deb"
dpkg-deb -x "$(fetch_deb "$arch" e2fsck-static)" "$w/deb"
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin"
cp "$w/deb/bin/busybox" "$r/bin/busybox"
cp "$w/deb/sbin/e2fsck.static" "$r/sbin/e2fsck"
applets=$(sed 's/#.*//' "$SK_TOP/board/common/busybox-applets")
for a in $applets; do
	[ -e "$r$a" ] || [ -L "$r$a" ] || ln -s /bin/busybox "$r$a"
done

# 3. Kernel, its modules, and the initramfs (busybox + boot modules + init).
mkdir -p "$r/boot" "$r/lib/modules"
cp "$k/vmlinuz" "$r/boot/vmlinuz"
cp -a "$k/modules/lib/modules/$rel" "$r/lib/modules/"
i=$w/initramfs
mkdir -p "$i/bin" "$i/sbin" "$i/proc" "$i/sys" "$i/dev" "$i/newroot" "$i/lib/modules/$rel"
cp "$w/deb/bin/busybox" "$i/bin/busybox"
for a in sh cat grep sed head sleep mount umount mkdir insmod switch_root reboot uname; do
	ln -s busybox "$i/bin/$a"
done
cp "$SK_TOP/board/common/initramfs/init" "$i/init"
while read -r m; do
	mkdir -p "$i/lib/modules/$rel/${m%/*}"
	cp "$k/modules/lib/modules/$rel/$m" "$i/lib/modules/$rel/$m"
done < "$k/modules/lib/modules/$rel/modules.boot"
cp "$k/modules/lib/modules/$rel/modules.boot" "$i/lib/modules/$rel/"
normalize_tree "$i"
# newc cpio, sorted, owned by root, gzip without name or time: reproducible.
(cd "$i" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) |
	gzip -9 -n > "$r/boot/initrd.img"

# 4. Overlays: common first, then the board's.
for ov in "$SK_TOP/rootfs/overlay" "$SK_TOP/board/$BOARD/overlay"; do
	[ -d "$ov" ] && cp -a "$ov/." "$r/"
done
# The CA certificates that outbound TLS policies of mode verify trust when
# they name no ca-bundle (firmware/tls: TLS_CA_BUNDLE_DEFAULT): Debian's
# ca-certificates (the Mozilla set), joined into one PEM file in name order
# as update-ca-certificates would, at build time; nothing is committed.
dpkg-deb -x "$(fetch_deb "$arch" ca-certificates)" "$w/deb-ca"
mkdir -p "$r/etc/ssl/certs"
find "$w/deb-ca/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort |
	xargs cat > "$r/etc/ssl/certs/ca-certificates.crt"
[ -s "$r/etc/ssl/certs/ca-certificates.crt" ] ||
	{ echo "mkrootfs: no CA certificates in ca-certificates" >&2; exit 1; }
# The factory configuration (the YANG model's data) that the mail daemon
# uses until an operator saves /config/startup.json.
mkdir -p "$r/etc/sekimori"
cp "$SK_TOP/cli/yang/factory.json" "$r/etc/sekimori/factory.json"

# 5. Generated files.
# Mount points and the read-only root's links into tmpfs (/run, /tmp).
mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/run" "$r/tmp" "$r/config" "$r/data" \
	"$r/var" "$r/root" "$r/etc/sekimori"
for l in var/log:/run/log var/run:/run var/tmp:/tmp etc/resolv.conf:/run/resolv.conf \
	etc/mtab:/proc/self/mounts; do
	rm -rf "${r:?}/${l%%:*}"
	ln -s "${l#*:}" "$r/${l%%:*}"
done
echo "$SK_HOSTNAME" > "$r/etc/hostname"
printf 'board=%s\nsource_date_epoch=%s\nkernel=%s\n' "$BOARD" "$SOURCE_DATE_EPOCH" "$rel" \
	> "$r/etc/sekimori/build"

# The serial console runs sekimori-login (through rootfs/overlay's
# /usr/libexec/sekimori/console), which execs sekimori-cli: without them the
# console would have no login at all, so their absence stops the build.
for p in /usr/bin/sekimori-login /usr/bin/sekimori-cli /usr/libexec/sekimori/console; do
	[ -x "$r$p" ] || die "no $p in the root filesystem: build firmware first (make firmware)"
done

# Services: keep only those whose program is in the image (dropbear is
# optional), and make one busybox init "respawn" entry for each. The status
# program reads the same filtered list.
svc=$r/etc/sekimori/services
if [ -f "$svc" ]; then
	grep -v '^[[:space:]]*\(#\|$\)' "$svc" | while read -r name cmd args; do
		if [ -x "$r$cmd" ] || [ -L "$r$cmd" ]; then
			echo "$name $cmd${args:+ $args}"
		else
			log "service $name: $cmd is not in the image, left out"
		fi
	done > "$w/services"
	mv "$w/services" "$svc"
fi
{
	echo "# inittab - generated by board/common/mkrootfs.sh from /etc/sekimori/services"
	echo "::sysinit:/etc/init.d/rcS"
	[ -f "$svc" ] && while read -r name cmd args; do
		echo "# service $name"
		echo "::respawn:/usr/libexec/sekimori/service $cmd${args:+ $args}"
	done < "$svc"
	# getty sets up the line; -n: it asks no name and execs the console
	# program (sekimori-login, then the CLI; never a Unix shell), which
	# init starts again whenever it ends.
	echo "# the login on the serial console: sekimori-login, then sekimori-cli"
	echo "$SK_SERIAL_CONSOLE::respawn:/sbin/getty -L -n -i -l /usr/libexec/sekimori/console 115200 $SK_SERIAL_CONSOLE vt100"
	echo "::ctrlaltdel:/sbin/reboot"
	echo "::shutdown:/etc/init.d/rcK"
} > "$r/etc/inittab"

# The users dropbear sees: the system accounts (passwd.system) and the
# CLI users of the configuration, written to /run by rcS and the CLI
# (cli/accounts); the root filesystem is read-only.
ln -sfn /run/sekimori/accounts/passwd "$r/etc/passwd"

# No Unix account has a password: root is locked, and the administrators
# are the users of the YANG configuration (sekimori-login checks them).
day=$((SOURCE_DATE_EPOCH / 86400))
printf 'root:!:%s:0:99999:7:::\n' "$day" > "$r/etc/shadow"
# The mail daemon's process users never log in: locked.
for u in sekimori-smtp sekimori-queue sekimori-mta sekimori-policy sekimori-content; do
	printf '%s:!:%s:0:99999:7:::\n' "$u" "$day" >> "$r/etc/shadow"
done

# 6. Normalize and pack.
normalize_tree "$r"
chmod 0600 "$r/etc/shadow"
chmod 0700 "$r/root"
chmod 1777 "$r/tmp"
touch -h -d "@$SOURCE_DATE_EPOCH" "$r/etc/shadow" "$r/root" "$r/tmp"
rm -f "$out.tmp"
# mksquashfs takes SOURCE_DATE_EPOCH (exported) for the filesystem and file
# times; it refuses -mkfs-time/-all-time alongside it.
mksquashfs "$r" "$out.tmp" -noappend -all-root -no-xattrs -comp "$SK_SQUASHFS_COMP" \
	-processors "$JOBS" -quiet -no-progress >/dev/null
mv "$out.tmp" "$out"
rm -rf "$w"
log "$out: $(du -k "$out" | cut -f1) KiB"
