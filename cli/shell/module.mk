# cli/shell/module.mk - the appliance CLI (libshell.a: the command engine
# and the line editor) and sekimori-cli, the program on the serial
# console and over SSH. The queue dependency is for `show mail queue`
# (queue_ctlcli: the control socket's client); audit for the audit log
# (every login, commit and state-changing request; `show audit`); status
# (firmware/status's status_run) for `show system status`.
shell_DEPS := datastore config queue audit status accounts
shell_LIBS :=
# cli_test opens a datastore over the model's factory.json as ds_test
# does (cli/datastore/test_ds.c).
shell_TEST_DEPS := datastore

PROGRAMS += sekimori-cli
sekimori-cli_MAIN := cli/shell/sekimori_cli_main.c
sekimori-cli_DIRS := shell
sekimori-cli_DEST := /usr/bin
