# cli/datastore/module.mk - the configuration datastore (libdatastore.a):
# startup, running and candidates over libyang, commit and rollback.
# Built from firmware/Makefile as one of its CLI_DIRS (objects under
# obj/cli/datastore). The YANG modules come from firmware/config's
# generated table (config_yang.h, in libconfig.a), so config is a
# dependency and its libraries (libyang, PCRE2) come with it.
datastore_DEPS := config
datastore_LIBS :=
