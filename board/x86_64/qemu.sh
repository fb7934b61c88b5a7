# qemu.sh - QEMU machine of the x86_64 board, sourced by board/common/run-qemu.sh.
QEMU=qemu-system-x86_64
QEMU_FW_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd    # package ovmf
QEMU_FW_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd    # template; each run gets a copy
QEMU_HOST_ARCH=x86_64                           # KVM only when the host is this
QEMU_MACHINE="-M q35"
QEMU_TCG_CPU="-cpu max"
