# Sekimori top-level Makefile, in the manner of Buildroot.
#
#   make run                  build the x86_64 image and boot it in QEMU
#   make test                 everything CI checks
#   make BOARD=aarch64 image  build the ARM64 image
#   make <board>_defconfig    start output/<board>/.config from board/<board>/defconfig
#   make menuconfig           edit output/$(BOARD)/.config
#   make host                 our programs and their libraries, natively, into output/host
#   make bench                relay benchmark against Postfix, as root (ci/bench/README.md)
#   make help                 the rest
#
# The work is done by small scripts; this file only orders them and hands
# them one environment (see docs/ARCHITECTURE.md, "Build").

SK_TOP := $(CURDIR)
BOARD ?= x86_64
BOARDS := $(patsubst board/%/defconfig,%,$(wildcard board/*/defconfig))
# O= on the command line moves the output; an O in the environment (exported
# by an outer make) must not, or one board would build into another's folder.
ifeq ($(origin O),command line)
override O := $(abspath $(O))
else
O := $(SK_TOP)/output/$(BOARD)
endif
SK_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/sekimori
SOURCE_DATE_EPOCH ?= $(shell git -C $(SK_TOP) log -1 --format=%ct 2>/dev/null || echo 1764000000)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SK_CONFIG := $(O)/.config
# kconfig writes a temporary file in its working folder and renames it over
# the .config, so it runs inside O (which may be on another filesystem).
KCONFIG := cd $(O) && CONFIG_= KCONFIG_CONFIG=.config

export SK_TOP BOARD O SK_CACHE SOURCE_DATE_EPOCH JOBS SK_CONFIG
# Variables given on our command line (O=, SK_MIN_FREE_MB=) must not reach
# the makefiles of third-party packages as overrides: BearSSL's uses O for
# its object suffix. Our scripts get them from the environment instead.
MAKEOVERRIDES :=

# Mistakes in the command line are reported before anything runs.
ifeq ($(filter $(BOARD),$(BOARDS)),)
$(error unknown BOARD '$(BOARD)': choose one of $(BOARDS))
endif

.PHONY: all image toolchain packages firmware host run test deps \
	check-host menuconfig savedefconfig olddefconfig clean distclean help

all: image

help:
	@sed -n '3,11p' Makefile | sed 's/^# \{0,1\}//'
	@echo "  boards: $(BOARDS); output in output/<board>, cache in \$$SK_CACHE ($(SK_CACHE))"

# --- configuration ---------------------------------------------------------

%_defconfig:
	@test -f board/$*/defconfig || { echo "no defconfig '$@': choose one of $(BOARDS:%=%_defconfig)" >&2; exit 2; }
	@mkdir -p $(SK_TOP)/output/$*
	@cd $(SK_TOP)/output/$* && CONFIG_= KCONFIG_CONFIG=.config \
		kconfig-conf --defconfig=$(SK_TOP)/board/$*/defconfig $(SK_TOP)/Kconfig >/dev/null
	@echo "output/$*/.config written from board/$*/defconfig"

# A board's first build starts from its defconfig; later Kconfig changes are
# merged in with their defaults.
$(SK_CONFIG): Kconfig board/$(BOARD)/defconfig
	@mkdir -p $(O)
	@if [ -f $@ ]; then $(KCONFIG) kconfig-conf --olddefconfig $(SK_TOP)/Kconfig >/dev/null; \
	else $(KCONFIG) kconfig-conf --defconfig=$(SK_TOP)/board/$(BOARD)/defconfig $(SK_TOP)/Kconfig >/dev/null; fi
	@grep -qx 'SK_BOARD="$(BOARD)"' $@ || { echo "$@ is for another board than BOARD=$(BOARD): run 'make $(BOARD)_defconfig'" >&2; exit 2; }
	@touch $@

menuconfig: check-host
	@mkdir -p $(O)
	@test -f $(SK_CONFIG) || $(MAKE) --no-print-directory $(BOARD)_defconfig
	$(KCONFIG) kconfig-mconf $(SK_TOP)/Kconfig

olddefconfig: $(SK_CONFIG)

savedefconfig: $(SK_CONFIG)
	$(KCONFIG) kconfig-conf --savedefconfig=$(SK_TOP)/board/$(BOARD)/defconfig $(SK_TOP)/Kconfig

# --- build -----------------------------------------------------------------

check-host:
	@ci/check-host build

toolchain: check-host $(SK_CONFIG)
	@board/common/toolchain.sh

packages: toolchain
	@rootfs/scripts/build-packages

# Our programs are built with the board's toolchain (toolchain.env).
firmware: packages
	@set -a && . $(O)/toolchain.env && set +a && \
		$(MAKE) --no-print-directory -C firmware O=$(O) all install DESTDIR=$(O)/target

# The kernel and busybox come from Debian's binary packages; the root
# filesystem is O/target plus the overlays; the disk holds it twice (A/B).
image: firmware
	@board/common/kernel.sh
	@board/common/mkrootfs.sh
	@board/common/mkimage.sh

# The host flavour: our programs for this machine, and first the libraries
# they link, built natively (glibc, clang-14) into output/host/sysroot. It is
# no board (no Kconfig, no image), so BOARD and O are set for its scripts only;
# HOST_PACKAGES (with their DEPENDS) replaces a board's SK_PACKAGE_* choice.
HOST_O := $(SK_TOP)/output/host
HOST_PACKAGES := bearssl sqlite pcre2 libyang libsodium c-ares zlib
HOST_ENV := BOARD=host O=$(HOST_O) SK_CONFIG=
host:
	@$(HOST_ENV) board/common/host-toolchain.sh
	@$(HOST_ENV) rootfs/scripts/build-packages $(HOST_PACKAGES)
	@$(MAKE) --no-print-directory -C firmware host O=$(HOST_O)

# --- use -------------------------------------------------------------------

deps:
	@ci/install-deps build

run: deps image
	@board/common/run-qemu.sh

test:
	@ci/install-deps test
	@ci/test.sh

# The relay benchmark against Postfix (ci/bench/README.md), as root: it
# installs Postfix and runs a private instance. Not part of `make test`: it
# reports numbers and never fails on one. If `make host` fails, Postfix and
# the ceiling are still measured and sekimorid's columns say why not.
.PHONY: bench
bench:
	@ci/install-deps bench
	@ci/check-host bench
	@mkdir -p output/bench && rm -f output/bench/host-build-failed
	@$(MAKE) --no-print-directory host || touch output/bench/host-build-failed
	@/usr/bin/python3 ci/bench/auth.py
	@/usr/bin/python3 ci/bench/relay.py
	@/usr/bin/python3 ci/bench/inbound.py
	@/usr/bin/python3 ci/bench/content.py

clean:
	rm -rf $(O)

distclean:
	rm -rf $(SK_TOP)/output
