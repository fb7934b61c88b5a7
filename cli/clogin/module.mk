# cli/clogin/module.mk - sekimori-login, what the serial console (and
# later dropbear's forced command) runs: the login dialogue (libclogin.a:
# the sans-I/O dialogue, TOTP, the lockout store), then exec sekimori-cli.
# Built from firmware/Makefile as one of its CLI_DIRS. login is
# firmware/login (passwd_verify, -lcrypt); audit the audit log; datastore
# (with config) the users of the running configuration.
clogin_DEPS := login audit datastore config accounts
clogin_LIBS := -lbearssl -lsqlite3 -lpthread -lm

PROGRAMS += sekimori-login
sekimori-login_MAIN := cli/clogin/sekimori_login_main.c
sekimori-login_DIRS := clogin
sekimori-login_DEST := /usr/bin
