# cli/accounts/module.mk - libaccounts.a: /run/sekimori/accounts (passwd,
# authorized_keys) from the model's users, for dropbear. Called by
# sekimori-cli (its "accounts" applier, after every commit) and
# sekimori-login --sync-accounts (at boot). Built from firmware/Makefile
# as one of its CLI_DIRS.
# datastore only for accounts_test (its trees come from a real datastore)
accounts_DEPS := datastore config
accounts_LIBS :=
accounts_TEST_DEPS := datastore
