# status/module.mk - the boot status program, the admin's login shell.
PROGRAMS += sekimori-status
sekimori-status_MAIN := status/status_main.c
sekimori-status_DIRS := status
sekimori-status_DEST := /usr/bin
