/*
 * privsep.c - dropping privileges in a child (privsep.h).
 */
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privsep.h"
#include "seccomp.h"

int
privsep_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL) {
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
privsep_prepare(void)
{
	struct stat st;

	if (geteuid() != 0) {
		return 0;
	}
	(void)mkdir("/run/sekimori", 0755);
	if (mkdir(PRIVSEP_EMPTY_DIR, 0555) == -1 && errno != EEXIST) {
		return -1;
	}
	/* It must be root's and empty: a chroot the child could write to
	 * would give it a place to plant files. */
	if (stat(PRIVSEP_EMPTY_DIR, &st) == -1 || st.st_uid != 0 ||
	    (st.st_mode & 0222) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* privsep_become - as root: chroot if asked, then the role's user */
static int
privsep_become(const struct privsep_role *role, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (privsep_lookup(role->user, &uid, &gid) == -1) {
		snprintf(err, errlen, "no user %s in /etc/passwd", role->user);
		return -1;
	}
	if (role->chroot_empty &&
	    (chroot(PRIVSEP_EMPTY_DIR) == -1 || chdir("/") == -1)) {
		snprintf(err, errlen, "chroot %s: %s", PRIVSEP_EMPTY_DIR,
		    strerror(errno));
		return -1;
	}
	if (setgroups(0, NULL) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		snprintf(err, errlen, "becoming %s: %s", role->user,
		    strerror(errno));
		return -1;
	}
	/* Paranoia: the switch must be irreversible. */
	if (setuid(0) != -1) {
		snprintf(err, errlen, "could regain root after dropping it");
		return -1;
	}
	return 0;
}

int
privsep_drop(const struct privsep_role *role, char *err, size_t errlen)
{
	if (geteuid() == 0 && privsep_become(role, err, errlen) == -1) {
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (role->seccomp) {
		/* not dumpable: no core file or ptrace of the exposed process
		 */
		(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (seccomp_smtp() == -1) {
			snprintf(err, errlen, "seccomp: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}
