#!/bin/sh
# host-toolchain.sh - write output/host/toolchain.env for the host flavour:
# the third-party libraries built for this machine (glibc, dynamic programs),
# so that `make host`, the ASan unit tests and the fuzzers can link them.
#
# Inputs (environment): SK_TOP, O (normally output/host), SK_CACHE. Not a
# board: no Kconfig, no musl, nothing fetched. A script of its own rather than
# a case in toolchain.sh because none of that script's steps (musl-dev, specs
# file, static-PIE probe, Kconfig hardening) applies here.
#
# Compiler: clang-14, the compiler of the asan and fuzz flavours (and `clang`
# of the host flavour), so the libraries come from the same compiler and
# runtime as every binary that links them. -fPIC: the archives must also link
# into PIE programs. -O2 -g: debuggable, and readable sanitizer stacks.
set -eu
: "${SK_TOP:?}" "${O:?}" "${SK_CACHE:?}"
cc=clang-14

die() { echo "host-toolchain: $*" >&2; exit 1; }
# put FILE - move FILE.tmp over FILE only if it differs (keeps mtimes).
put() {
	if cmp -s "$1.tmp" "$1"; then rm -f "$1.tmp"; else mv -f "$1.tmp" "$1"; fi
}

command -v "$cc" >/dev/null || die "$cc not found (apt-get install clang-14)"
arch=$(uname -m)
triplet=$(gcc -dumpmachine)    # equal to configure's --build: a native build
tc=$O/toolchain
mkdir -p "$tc" "$O/sysroot/include" "$O/sysroot/lib"

# The same path mapping as the boards, so the cached archives do not depend
# on where the checkout, output and cache folders are.
cflags="-O2 -g -pipe -fPIC -ffile-prefix-map=$O/build=/build"
cflags="$cflags -ffile-prefix-map=$SK_TOP=. -ffile-prefix-map=$SK_CACHE=/cache"

# One quick check that the compiler makes a program that runs here.
printf 'int main(void) { return 0; }\n' > "$tc/check.c"
# shellcheck disable=SC2086 # a flag list is a word list on purpose
if ! $cc $cflags -o "$tc/check" "$tc/check.c" || ! "$tc/check"; then
	die "$cc cannot build a working program"
fi

# CMake: as for the boards, find libraries only in the sysroot (never the
# host's own libpcre2 or libsqlite3).
cat > "$tc/toolchain.cmake.tmp" <<EOF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $arch)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_C_FLAGS_INIT "$cflags")
set(CMAKE_FIND_ROOT_PATH $O/sysroot)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF
put "$tc/toolchain.cmake"

# The compiler and C library decide the output: a new one changes every key.
id=$( { $cc --version | head -n 1; getconf GNU_LIBC_VERSION; } | sha256sum | cut -c1-16)
cat > "$O/toolchain.env.tmp" <<EOF
# Written by board/common/host-toolchain.sh for the host flavour. Do not edit.
SK_ARCH='$arch'
SK_DEBARCH='$(dpkg --print-architecture)'
SK_CROSS=''
SK_TRIPLET='$triplet'
SK_CC='$cc'
SK_CFLAGS='$cflags'
SK_LDFLAGS=''
SK_PIE=''
SK_AR='ar'
SK_RANLIB='ranlib'
SK_STRIP='strip'
SK_CMAKE_TOOLCHAIN='$tc/toolchain.cmake'
SK_RUN=''
SK_SYSROOT='$O/sysroot'
SK_TOOLCHAIN_ID='$id'
SK_MUSL_VERSION=''
EOF
put "$O/toolchain.env"
