# smtp/module.mk - the SMTP protocol core: libsmtp.a (sans-I/O parsers and
# state machines), its unit tests and fuzz targets, and the driver that
# ci/smtp-proto-test.sh feeds with the conformance cases. Needs only lib/.
smtp_DEPS :=
TEST_PROGRAMS += smtp-conformance
smtp-conformance_MAIN := smtp/conformance_main.c
smtp-conformance_DIRS := smtp
