# tls/module.mk - TLS with BearSSL (libtls.a): PEM certificates and keys,
# per-listener server contexts, per-policy client contexts, the connection
# pump over a non-blocking socket, self-signed certificates; its unit
# tests and fuzz targets, and tls-probe, the driver of ci/tls-interop.sh.
#
# No tls_DEPS: tls/ uses only the types of ../config/config.h (listener,
# certificate, policy), never a function of libconfig.a, so its tests do
# not link libyang (README.md, "May call").
tls_DEPS :=
tls_LIBS := -lbearssl
TEST_PROGRAMS += tls-probe
tls-probe_MAIN := tls/probe_main.c
tls-probe_DIRS := tls
