# queue/module.mk - the queue process of sekimorid (libqueue.a): the spool
# (content files plus the SQLite index), group commit, scheduling of
# delivery jobs, DSN bounces and the control socket; and the operator
# program sekimori-queue, which talks to that socket. The MIME walker lists
# the parts of a quarantined message ("quarantine show").
queue_DEPS := config mime
queue_LIBS := -lsqlite3 -lpthread -lm

PROGRAMS += sekimori-queue
sekimori-queue_MAIN := queue/sekimori_queue_main.c
sekimori-queue_DIRS := queue
sekimori-queue_DEST := /usr/sbin
