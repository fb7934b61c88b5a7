#!/bin/sh
# run-qemu.sh - boot a Sekimori disk in QEMU through UEFI firmware and GRUB.
#
# Usage: run-qemu.sh [DISK]          (default $O/images/disk.img)
# Environment (all optional):
#   SK_QEMU_SERIAL   "stdio" (default: serial console and QEMU monitor on the
#                    terminal; Ctrl-A X quits) or "unix:PATH" (tests: console
#                    on a unix socket, QEMU waits for nobody)
#   SK_PORT_SMTP, SK_PORT_SUBMISSION, SK_PORT_SMTPS, SK_PORT_SSH
#                    host ports on 127.0.0.1 forwarded to 25, 587, 465, 22
#                    (defaults 2525, 5587, 4465, 2222)
#   SK_PORT_EXTRA    a host port forwarded to 2526 (none by default)
#   SK_QEMU_VARS     the writable copy of the firmware variables (default
#                    beside DISK); made from the firmware's template if absent
#   SK_QEMU_ACCEL    "kvm" or "tcg" to override the automatic choice
#   SK_QEMU_MEM      MiB of memory (default 512)
# The disk is used in place: give a copy to keep the build output pristine.
. "$(dirname "$0")/lib.sh"
. "$SK_TOP/board/$BOARD/qemu.sh"

disk=${1:-$O/images/disk.img}
[ -f "$disk" ] || die "$disk not found: build the image first"
[ -f "$QEMU_FW_CODE" ] || die "$QEMU_FW_CODE missing (install ovmf / qemu-efi-aarch64)"
vars=${SK_QEMU_VARS:-$disk.vars}
[ -f "$vars" ] || cp "$QEMU_FW_VARS" "$vars"

# KVM only for the host's own architecture, when /dev/kvm can be opened and
# the host is not itself a virtual machine: nested KVM on the build machines
# aborts in OVMF ("KVM internal error ... emulation failure"), so there it
# takes SK_QEMU_ACCEL=kvm to try it.
accel=${SK_QEMU_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ "$(uname -m)" = "$QEMU_HOST_ARCH" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		! grep -qw hypervisor /proc/cpuinfo; then
		accel=kvm
	fi
fi
if [ "$accel" = kvm ]; then
	# Without -arch-capabilities, KVM inside some hypervisors (this build
	# machine's) aborts setting MSR 0x10a; the guest does not need it.
	cpu="-accel kvm -cpu host,-arch-capabilities"
else
	cpu="-accel tcg,thread=multi $QEMU_TCG_CPU"
fi

fwd=hostfwd=tcp:127.0.0.1:${SK_PORT_SMTP:-2525}-:25
fwd=$fwd,hostfwd=tcp:127.0.0.1:${SK_PORT_SUBMISSION:-5587}-:587
fwd=$fwd,hostfwd=tcp:127.0.0.1:${SK_PORT_SMTPS:-4465}-:465
fwd=$fwd,hostfwd=tcp:127.0.0.1:${SK_PORT_SSH:-2222}-:22
# one more, for a listener made in the CLI on 2526 (ci/boot-test.py)
[ -n "${SK_PORT_EXTRA:-}" ] && fwd=$fwd,hostfwd=tcp:127.0.0.1:$SK_PORT_EXTRA-:2526

serial=${SK_QEMU_SERIAL:-stdio}
case $serial in
stdio) console="-nographic -serial mon:stdio" ;;
unix:*) console="-display none -monitor none -serial unix:${serial#unix:},server=on,wait=off" ;;
*) die "SK_QEMU_SERIAL must be stdio or unix:PATH" ;;
esac

# shellcheck disable=SC2086 # the option lists split into words on purpose
exec $QEMU $QEMU_MACHINE $cpu -smp 2 -m "${SK_QEMU_MEM:-512}" -no-user-config -nodefaults \
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$QEMU_FW_CODE" \
	-drive "if=pflash,format=raw,unit=1,file=$vars" \
	-drive "if=none,id=disk0,format=raw,file=$disk" -device virtio-blk-pci,drive=disk0 \
	-netdev "user,id=net0,$fwd" -device virtio-net-pci,netdev=net0 \
	-device virtio-rng-pci \
	$console
