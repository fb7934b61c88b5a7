# check/module.mk - the operator tool sekimori-check.
PROGRAMS += sekimori-check
sekimori-check_MAIN := check/check_main.c
sekimori-check_DIRS := check
sekimori-check_DEST := /usr/bin
# dmarc-report reads the policy process's report store (policy_report.c,
# which needs only auth and SQLite of the policy folder).
check_DEPS := policy auth dns
