#!/bin/sh
# toolchain.sh - set up the static musl C toolchain for $BOARD and write
# $O/toolchain.env (see board/common/README.md, section "Toolchain").
#
# Inputs (environment): SK_TOP, BOARD, O, SK_CACHE, SK_CONFIG, SOURCE_DATE_EPOCH.
# Both boards use the host's gcc (native or aarch64-linux-gnu-gcc) with our own
# specs file that points it at musl from Debian's musl-dev package, fetched for
# the board's architecture with apt-private and unpacked into a sysroot in
# $SK_CACHE keyed by the .deb's sha256, so a new musl-dev gives a new sysroot.
set -eu
: "${SK_TOP:?}" "${BOARD:?}" "${O:?}" "${SK_CACHE:?}"
SK_CONFIG=${SK_CONFIG:-$O/.config}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}

die() { echo "toolchain: $*" >&2; exit 1; }
# put FILE - move FILE.tmp over FILE, atomically, only if it differs (an
# unchanged toolchain keeps its files' mtimes, so make sees nothing new).
put() {
	if cmp -s "$1.tmp" "$1"; then rm -f "$1.tmp"; else mv -f "$1.tmp" "$1"; fi
}

[ -r "$SK_CONFIG" ] || die "no config at $SK_CONFIG; run make <board>_defconfig"
SK_HARDENING_PIE=
# shellcheck disable=SC1090 # Kconfig output: shell-sourceable lines
. "$SK_CONFIG"

case $BOARD in
x86_64)  debarch=amd64 cross='' run='' ;;
aarch64) debarch=arm64 cross=aarch64-linux-gnu- run=qemu-aarch64-static ;;
*) die "unknown BOARD '$BOARD' (x86_64 or aarch64)" ;;
esac
gcc=${cross}gcc
command -v "$gcc" >/dev/null || die "$gcc not found; install the host packages listed in board/common/README.md"
[ -z "$run" ] || command -v "$run" >/dev/null || die "$run not found (package qemu-user-static)"

tc=$O/toolchain
mkdir -p "$tc"
log=$tc/toolchain.log
: > "$log"

# 1. musl-dev for the board. --print-uris reads only the (signed) index and
# names the file and its sha256; download only when that file is not cached.
dl=$SK_CACHE/dl/toolchain
mkdir -p "$dl"
uri=$("$SK_TOP/rootfs/scripts/apt-private" "$debarch" download --print-uris musl-dev 2>>"$log" |
	grep "musl-dev_" | tail -n 1) ||
	die "cannot find musl-dev:$debarch in Debian's index (see $log)"
deb=$(echo "$uri" | awk '{print $2}')
sha=$(echo "$uri" | sed -n 's/.*SHA256:\([0-9a-f]*\).*/\1/p')
[ -n "$deb" ] && [ -n "$sha" ] || die "unexpected apt output: $uri"
if ! echo "$sha  $dl/$deb" | sha256sum -c --status 2>/dev/null; then
	tmp=$(mktemp -d "$dl/.get.XXXXXX")
	(cd "$tmp" && "$SK_TOP/rootfs/scripts/apt-private" "$debarch" download musl-dev) >>"$log" 2>&1 ||
		{ rm -rf "$tmp"; die "cannot fetch musl-dev:$debarch from Debian (see $log)"; }
	echo "$sha  $tmp/$deb" | sha256sum -c --status || { rm -rf "$tmp"; die "checksum mismatch for $deb"; }
	mv -f "$tmp/$deb" "$dl/$deb"
	rm -rf "$tmp"
fi

# 2. Unpack into a sysroot named by the .deb's hash (atomic: unpack, then mv).
musl=$SK_CACHE/toolchain/musl-$debarch-$sha
if [ ! -d "$musl" ]; then
	mkdir -p "$SK_CACHE/toolchain"
	tmp=$(mktemp -d "$SK_CACHE/toolchain/.unpack.XXXXXX")
	dpkg-deb -x "$dl/$deb" "$tmp"
	mv -T "$tmp" "$musl" 2>/dev/null || rm -rf "$tmp"   # lost a race: fine
fi
triplet=$BOARD-linux-musl
inc=$musl/usr/include/$triplet
lib=$musl/usr/lib/$triplet
[ -f "$lib/libc.a" ] && [ -f "$lib/rcrt1.o" ] || die "$musl looks incomplete; remove it and retry"

# 3. Our specs file, written for both boards. Unlike the one Debian ships, it
# handles -static-pie: rcrt1.o (the self-relocating start file) and a link
# without a program interpreter (*link replaces gcc's own, which did that).
specs=$tc/musl-gcc.specs
cat > "$specs.tmp" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $inc -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $inc -isystem include%s

*link_libgcc:
-L$lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{static-pie:$lib/rcrt1.o;shared:;:$lib/Scrt1.o} $lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $lib/crtn.o

*link:
-nostdlib %{shared:-shared} %{static:-static} %{static-pie:-static -pie --no-dynamic-linker -z text} %{!static:%{!static-pie:-dynamic-linker /lib/ld-musl-$BOARD.so.1}} %{rdynamic:-export-dynamic}

EOF
put "$specs"
cc="$gcc -specs=$specs"

# 4. Flags. -ffile-prefix-map keeps build paths out of the objects (and so the
# output independent of where the checkout and output folder are).
# _FORTIFY_SOURCE is left out: musl has no __*_chk functions.
cflags="-O2 -g0 -pipe -fstack-protector-strong -fstack-clash-protection"
cflags="$cflags -ffile-prefix-map=$O/build=/build -ffile-prefix-map=$SK_TOP=."
cflags="$cflags -ffile-prefix-map=$SK_CACHE=/cache"
ldflags="-static -Wl,-z,relro,-z,now -Wl,-z,noexecstack"

# 5. Check the toolchain with a small static epoll program, first as a static
# PIE. A static PIE keeps ASLR for the whole program; we use it only if the
# binary actually runs here (under qemu for aarch64), else fall back to -static.
t=$tc/check
rm -rf "$t"; mkdir -p "$t"
cat > "$t/check.c" <<'EOF'
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>
int
main(void)
{
	int ep, p[2];
	struct epoll_event ev = { .events = EPOLLIN }, out;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || pipe(p) < 0)
		return 1;
	ev.data.fd = p[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) < 0 || write(p[1], "x", 1) != 1)
		return 2;
	if (epoll_wait(ep, &out, 1, 1000) != 1 || out.data.fd != p[0])
		return 3;
	printf("epoll ok %p\n", (void *)&main);
	return 0;
}
EOF
# try_link FLAGS: build check.c with FLAGS and run it; 0 if it printed "epoll ok".
try_link() {
	# shellcheck disable=SC2086 # flag lists are word lists on purpose
	$cc $cflags $1 -o "$t/check" "$t/check.c" $2 >>"$log" 2>&1 &&
		$run "$t/check" 2>>"$log" | grep -q '^epoll ok' &&
		! "${cross}readelf" -l "$t/check" | grep -q INTERP
}
pie=
if [ "$SK_HARDENING_PIE" = y ]; then
	if try_link "-fPIE" "-static-pie ${ldflags#-static }"; then
		pie=y
		cflags="$cflags -fPIE"
		ldflags="-static-pie ${ldflags#-static }"
	else
		echo "toolchain: -static-pie does not work for $BOARD, using -static (see $log)" >&2
	fi
fi
if [ -z "$pie" ]; then
	cflags="$cflags -fno-PIE"
	ldflags="$ldflags -no-pie"
	try_link "" "$ldflags" || die "the musl toolchain for $BOARD cannot build a working static program (see $log)"
fi

# 6. CMake toolchain file. CMAKE_SYSTEM_NAME marks even x86_64 as a cross
# build, which keeps cmake from finding the host's glibc libraries.
cat > "$tc/toolchain.cmake.tmp" <<EOF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $BOARD)
set(CMAKE_C_COMPILER $gcc)
set(CMAKE_AR $(command -v "${cross}ar"))
set(CMAKE_RANLIB $(command -v "${cross}ranlib"))
set(CMAKE_STRIP $(command -v "${cross}strip"))
set(CMAKE_C_FLAGS_INIT "-specs=$specs $cflags")
set(CMAKE_EXE_LINKER_FLAGS_INIT "$ldflags")
set(CMAKE_FIND_ROOT_PATH $O/sysroot)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR $run)
EOF
put "$tc/toolchain.cmake"

# 7. toolchain.env, atomically. SK_TOOLCHAIN_ID names what decides the output
# (compiler version and musl-dev), so package caches follow a toolchain change.
id=$( { $gcc --version | head -n 1; echo "$sha"; } | sha256sum | cut -c1-16)
mkdir -p "$O/sysroot/include" "$O/sysroot/lib"
cat > "$O/toolchain.env.tmp" <<EOF
# Written by board/common/toolchain.sh for BOARD=$BOARD. Do not edit.
SK_ARCH='$BOARD'
SK_DEBARCH='$debarch'
SK_CROSS='$cross'
SK_TRIPLET='$triplet'
SK_CC='$cc'
SK_CFLAGS='$cflags'
SK_LDFLAGS='$ldflags'
SK_PIE='$pie'
SK_AR='${cross}ar'
SK_RANLIB='${cross}ranlib'
SK_STRIP='${cross}strip'
SK_CMAKE_TOOLCHAIN='$tc/toolchain.cmake'
SK_RUN='$run'
SK_SYSROOT='$O/sysroot'
SK_TOOLCHAIN_ID='$id'
SK_MUSL_VERSION='$(echo "$deb" | cut -d_ -f2)'
EOF
put "$O/toolchain.env"
