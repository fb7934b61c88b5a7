# sekimorid/module.mk - the mail daemon: the supervisor (this folder's
# libsekimorid.a) and the three children it forks, each a folder of its
# own: smtpd (receives), queue (spool), mta (delivers).
sekimorid_DEPS := config login
PROGRAMS += sekimorid
sekimorid_MAIN := sekimorid/sekimorid_main.c
sekimorid_DIRS := sekimorid smtpd content mime scan policy auth queue mta tls smtp dns login config
sekimorid_DEST := /usr/sbin
