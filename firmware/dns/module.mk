# dns/module.mk - the DNS interface and its backends (libdns.a): the
# zone-file resolver, the reply parser and the live resolver over c-ares.
# Built by the conventions of firmware/Makefile: dns*.c go into libdns.a,
# *_test.c are unit tests, fuzz_*.c libFuzzer targets.
dns_DEPS :=
dns_LIBS := -lcares
