# auth/module.mk - sender authentication (libauth.a): SPF, DMARC, DKIM,
# ARC, Authentication-Results.  Built by the conventions of firmware/Makefile.
auth_DEPS := dns
# DKIM: SHA-256 and RSA from BearSSL, Ed25519 (RFC 8463) from libsodium;
# the gzip of DMARC aggregate reports from zlib.
auth_LIBS := -lbearssl -lsodium -lz

# dkim-bench: the in-process signing and verification rate that
# ci/bench/auth.py reports; a driver like smtp-conformance (test/, never
# in the image, not run by run-tests); `make host` copies it to O/bin.
TEST_PROGRAMS += dkim-bench
HOST_TOOLS += dkim-bench
dkim-bench_MAIN := auth/dkim_bench_main.c
dkim-bench_DIRS := auth

# The Public Suffix List is compiled in (psl.h): psl_gen, built for the
# build machine, turns Debian's publicsuffix data into psl_table.c in the
# build directory (never the source tree), which joins libauth.a.
PSL_DAT ?= /usr/share/publicsuffix/public_suffix_list.dat
PSL_GEN_SRC := $(SRC)/auth/psl_gen_main.c $(SRC)/auth/psl.c $(SRC)/lib/sk.c
$(B)/gen/psl_gen: $(PSL_GEN_SRC) $(SRC)/auth/psl.h
	@mkdir -p $(@D)
	@echo "  HOSTCC psl_gen"
	@$(HOSTCC) -std=c11 -O1 -I$(SRC)/lib -o $@ $(PSL_GEN_SRC)
$(B)/gen/psl_table.c: $(B)/gen/psl_gen \
		$(if $(wildcard $(PSL_DAT)),$(PSL_DAT),psl-dat-missing)
	@echo "  GEN psl_table.c"
	@$(B)/gen/psl_gen $(PSL_DAT) $@.tmp && mv $@.tmp $@
$(B)/obj/auth/psl_table.o: $(B)/gen/psl_table.c
	@mkdir -p $(@D)
	@echo "  CC [$(FLAVOR)] psl_table.c"
	@$(CC) $(ALL_CFLAGS) -I$(SRC)/auth -c $< -o $@
$(B)/libauth.a: $(B)/obj/auth/psl_table.o
.PHONY: psl-dat-missing
psl-dat-missing:
	@echo "$(PSL_DAT) not found: apt-get install publicsuffix" >&2; exit 1
