# cli/shell/module.mk - the appliance CLI (libshell.a: the command engine
# and the line editor) and sekimori-cli, the program on the serial
# console and over SSH. The queue dependency is for `show mail queue`
# (queue_ctlcli: the control socket's client); audit for the audit log
# (every login, commit and state-changing request; `show audit`); status
# (firmware/status's status_run) for `show system status`.
# policy: the recent-results store's reader (policy_report_recent.c) for
# `show mail authentication-results`; it needs SQLite (policy_LIBS).
shell_DEPS := datastore config queue audit status accounts policy
# sekimorid: its control socket's client (ctl.c) for `show mail
# statistics` and `clear mail statistics`.
shell_DEPS += sekimorid
shell_LIBS :=
# cli_test opens a datastore over the model's factory.json as ds_test
# does (cli/datastore/test_ds.c).
shell_TEST_DEPS := datastore

PROGRAMS += sekimori-cli
sekimori-cli_MAIN := cli/shell/sekimori_cli_main.c
sekimori-cli_DIRS := shell
sekimori-cli_DEST := /usr/bin
