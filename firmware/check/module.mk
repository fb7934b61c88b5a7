# check/module.mk - the operator tool sekimori-check.
PROGRAMS += sekimori-check
sekimori-check_MAIN := check/check_main.c
sekimori-check_DIRS := check
sekimori-check_DEST := /usr/bin
check_DEPS := auth dns
