# qemu.sh - QEMU machine of the aarch64 board, sourced by board/common/run-qemu.sh.
QEMU=qemu-system-aarch64                        # package qemu-system-arm
QEMU_FW_CODE=/usr/share/AAVMF/AAVMF_CODE.fd     # package qemu-efi-aarch64
QEMU_FW_VARS=/usr/share/AAVMF/AAVMF_VARS.fd
QEMU_HOST_ARCH=aarch64
QEMU_MACHINE="-M virt"
QEMU_TCG_CPU="-cpu cortex-a57"
