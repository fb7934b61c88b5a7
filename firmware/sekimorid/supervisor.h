/*
 * supervisor.h - the root parent of sekimorid.
 *
 * It binds the listening sockets, then starts and watches the three
 * children: queue (owns the spool), smtp (receives mail) and mta
 * (delivers). Each child is connected to the supervisor by a socketpair
 * and to its peers (smtp <-> queue, queue <-> mta) by socketpairs that
 * the supervisor makes and hands out: when a child starts, every running
 * peer receives the other end in a MSG_PEER message, so a child that
 * died and restarts is reconnected without disturbing the others, and
 * queued mail stays where it was (on disk, owned by queue).
 *
 * The supervisor writes every child's log lines (logd.h), checks SMTP
 * AUTH passwords for the smtp process (passwords never enter the
 * internet-facing process), restarts a dead child after a delay that
 * grows while it keeps dying young, and on SIGTERM/SIGINT asks every
 * child to finish (MSG_SHUTDOWN), then exits. A reload validates the
 * config file again and, when it is good, restarts every child with it
 * (README.md, "Reload").
 */
#ifndef SEKIMORID_SUPERVISOR_H
#define SEKIMORID_SUPERVISOR_H
#include <stddef.h>

#include "../config/config.h"
#include "msg_types.h"

struct supervisor_opts {
	const char *config_path; /* for messages, and read again by reload */
	const char *zone_file;   /* mta answers DNS from it (tests); NULL */
	int log_stderr;          /* log lines to stderr, not /dev/log */
};

/*
 * supervisor_run - serve cfg until told to stop; the exit status. cfg
 * is the supervisor's until it returns: a reload (SIGHUP, or "reload"
 * on the control socket ROOT/run/sekimorid.ctl, ctl.h) loads
 * opts->config_path into a second buffer and swaps the two when the new
 * configuration is valid and applied.
 */
int supervisor_run(struct config *cfg, const struct supervisor_opts *opts);

/*
 * What a child gets. peer[role] is a socket to that peer, or -1 when the
 * peer is not running yet (it then arrives later in a MSG_PEER).
 * listen_fds has one entry per config listener (-1 when disabled).
 */
struct child_args {
	const struct config *cfg;
	int parent_sock;
	int peer[MSG_ROLES]; /* indexed by enum msg_role */
	const int *listen_fds;
	size_t nlisten;
	const char *zone_file;
};

#endif /* SEKIMORID_SUPERVISOR_H */
