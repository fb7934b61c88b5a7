# scan/module.mk - content scanners (libscan.a): the clamd INSTREAM and
# milter (protocol 6, MTA side) clients as sans-I/O cores, their blocking
# drivers, the null test double, and the operator tool sekimori-scan.
# Needs lib/ and smtp/ (its RFC 5321 address and parameter parsers).
scan_DEPS := smtp
PROGRAMS += sekimori-scan
sekimori-scan_MAIN := scan/scan_main.c
sekimori-scan_DIRS := scan
sekimori-scan_DEST := /usr/bin
