# dns/module.mk - the DNS interface and its zone-file backend (libdns.a).
# Built by the conventions of firmware/Makefile: dns*.c go into libdns.a,
# zone_test.c is a unit test, fuzz_zone.c a libFuzzer target.
dns_DEPS :=
