# lib.sh - shared helpers for the board/common build scripts (sourced, not run).
#
# Reads the contract variables set by the top-level Makefile (SK_TOP, BOARD, O,
# SK_CACHE, SOURCE_DATE_EPOCH, SK_CONFIG, JOBS), loads the Kconfig output and
# the board's board.sh, and fills in defaults so every script can also be run
# by hand with only BOARD set.
set -eu

die() { echo "${0##*/}: error: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }

SK_TOP=${SK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BOARD=${BOARD:-x86_64}
O=${O:-$SK_TOP/output/$BOARD}
SK_CACHE=${SK_CACHE:-$HOME/.cache/sekimori}
SK_CONFIG=${SK_CONFIG:-$O/.config}
JOBS=${JOBS:-$(nproc)}
# A fixed default keeps hand-run builds reproducible too; the Makefile sets
# the real value (normally the date of the last commit).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export SK_TOP BOARD O SK_CACHE SK_CONFIG JOBS SOURCE_DATE_EPOCH

[ -d "$SK_TOP/board/$BOARD" ] || die "unknown board '$BOARD'"
# shellcheck disable=SC1090
[ -f "$SK_CONFIG" ] && . "$SK_CONFIG"
SK_HOSTNAME=${SK_HOSTNAME:-sekimori}
SK_IMAGE_ESP_SIZE=${SK_IMAGE_ESP_SIZE:-32}
SK_IMAGE_ROOTFS_SLOT_SIZE=${SK_IMAGE_ROOTFS_SLOT_SIZE:-192}
SK_IMAGE_CONFIG_SIZE=${SK_IMAGE_CONFIG_SIZE:-16}
SK_IMAGE_DATA_SIZE=${SK_IMAGE_DATA_SIZE:-512}
SK_SQUASHFS_COMP=${SK_SQUASHFS_COMP:-xz}
SK_KERNEL_MODULES_EXTRA=${SK_KERNEL_MODULES_EXTRA:-}
SK_PACKAGE_DROPBEAR=${SK_PACKAGE_DROPBEAR:-}
# Board facts: Debian architecture, GRUB target, EFI file name, console ...
# shellcheck disable=SC1090
. "$SK_TOP/board/$BOARD/board.sh"
SK_SERIAL_CONSOLE=${SK_SERIAL_CONSOLE:-$BOARD_CONSOLE}

# Where intermediate results go; images end in $O/images.
B=$O/build
mkdir -p "$B" "$O/images" "$O/target"

# fetch_deb ARCH PKG - print the path of PKG's .deb in the download cache,
# downloading it through apt-private (which checks signatures and checksums)
# only when the cached copy is missing or does not match the index's SHA256.
fetch_deb() {
	_dir=$SK_CACHE/debs/$1
	mkdir -p "$_dir"
	_line=$("$SK_TOP/rootfs/scripts/apt-private" "$1" --print-uris download "$2" \
		2>/dev/null | grep "^'") || die "package $2 ($1): not in the index"
	# shellcheck disable=SC2086
	set -- "$1" "$2" $_line
	_file=$_dir/$4 _sum=${6#SHA256:}
	if ! echo "$_sum  $_file" | sha256sum -c --status 2>/dev/null; then
		(cd "$_dir" && "$SK_TOP/rootfs/scripts/apt-private" "$1" download "$2" >&2) ||
			die "package $2 ($1): download failed"
	fi
	echo "$_file"
}

# deb_field DEB FIELD - one control field of a .deb
deb_field() { dpkg-deb -f "$1" "$2"; }

# normalize_tree DIR - give every file a mode that does not depend on the
# builder's umask and an mtime of SOURCE_DATE_EPOCH (reproducible images).
normalize_tree() {
	find "$1" -type d -exec chmod 0755 {} +
	find "$1" -type f -perm /111 -exec chmod 0755 {} +
	find "$1" -type f ! -perm /111 -exec chmod 0644 {} +
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}
