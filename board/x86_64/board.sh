# board.sh - facts about the x86_64 board, sourced by board/common/lib.sh.
BOARD_DEB_ARCH=amd64            # Debian architecture of kernel, busybox, grub
BOARD_GRUB_TARGET=x86_64-efi    # grub-mkstandalone -O
BOARD_GRUB_PKG=                 # host grub-efi-amd64-bin already has the modules
BOARD_EFI_NAME=BOOTX64.EFI      # removable-media path the firmware looks for
BOARD_CONSOLE=ttyS0             # default for SK_SERIAL_CONSOLE
BOARD_CMDLINE=""                # extra kernel arguments for this board
# GPT type of the root slots: "Root Partition (x86-64)" of the UAPI
# Discoverable Partitions Specification, so tools know what they hold.
BOARD_ROOT_TYPE=4f68bce3-e8cd-4db1-96e7-fbcaf984b709
