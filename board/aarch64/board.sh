# board.sh - facts about the aarch64 board, sourced by board/common/lib.sh.
BOARD_DEB_ARCH=arm64
BOARD_GRUB_TARGET=arm64-efi
# The host (amd64) has no arm64 GRUB modules: mkimage.sh extracts this
# package (fetched with apt-private) and passes its module folder with -d.
BOARD_GRUB_PKG=grub-efi-arm64-bin
BOARD_EFI_NAME=BOOTAA64.EFI
BOARD_CONSOLE=ttyAMA0
BOARD_CMDLINE=""
# "Root Partition (64-bit ARM)" of the Discoverable Partitions Specification.
BOARD_ROOT_TYPE=b921b045-1df0-41c3-af44-4c6f280d3fae
