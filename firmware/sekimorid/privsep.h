/*
 * privsep.h - how each child of sekimorid gives up what it does not need.
 *
 * Run as root (the appliance): each child switches to its own user and
 * group, drops supplementary groups, and the smtp process is locked into
 * an empty, root-owned directory (chroot) before it reads a byte from the
 * network. Run as any other user (a host, for tests and benchmarks):
 * users and chroot are impossible and skipped (logged once), everything
 * else (no_new_privs, the seccomp filter, non-dumpable) still applies.
 */
#ifndef SEKIMORID_PRIVSEP_H
#define SEKIMORID_PRIVSEP_H
#include <sys/types.h>

#define PRIVSEP_EMPTY_DIR "/run/sekimori/empty"

struct privsep_role {
	const char *user; /* account to become when root */
	int chroot_empty; /* lock into PRIVSEP_EMPTY_DIR */
	int seccomp;      /* install seccomp_smtp() */
};

/* privsep_lookup - uid/gid of user; 0, or -1 if unknown */
int privsep_lookup(const char *user, uid_t *uid, gid_t *gid);
/* privsep_prepare - as root: make the empty chroot directory; 0 or -1 */
int privsep_prepare(void);
/* privsep_drop - apply role to this process; 0, or -1 with a message */
int privsep_drop(const struct privsep_role *role, char *err, size_t errlen);

#endif /* SEKIMORID_PRIVSEP_H */
