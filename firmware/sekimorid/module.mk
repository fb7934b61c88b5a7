# sekimorid/module.mk - the mail daemon's root parent. Today only
# `sekimorid --check -c FILE.json` (config validation through config/).
PROGRAMS += sekimorid
sekimorid_MAIN := sekimorid/sekimorid_main.c
sekimorid_DIRS := config
sekimorid_DEST := /usr/sbin
