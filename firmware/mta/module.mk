# mta/module.mk - outbound delivery (libmta.a): the sans-I/O SMTP client,
# routing and the mta process of sekimorid. Built by the conventions of
# firmware/Makefile: mta_*.c go into libmta.a, *_test.c are unit tests,
# fuzz_*.c libFuzzer targets. ../config/config.h is used for its structs
# only (no libconfig code is called, so no libyang is linked).
mta_DEPS := dns tls
