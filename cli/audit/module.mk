# cli/audit/module.mk - the audit log (libaudit.a): SQLite on /data, read
# and written by sekimori-login and sekimori-cli. Built from
# firmware/Makefile as one of its CLI_DIRS (objects under obj/cli/audit).
audit_DEPS :=
audit_LIBS := -lsqlite3 -lpthread -lm
