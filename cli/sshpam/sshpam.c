/*
 * sshpam.c - libpam.a for dropbear: its "PAM" password check runs
 * `sekimori-login --ssh-password`, so that SSH passwords meet the same
 * users, hashes, lockout counts and audit log as the serial console
 * (README.md has why this and not dropbear's own /etc/shadow check).
 *
 * pam_authenticate asks dropbear's conversation for the name ("login:")
 * and the password ("Password:"), both as the client sent them, and
 * hands them to the helper: the name and dropbear's PAM_RHOST (the
 * client's address) as arguments, the password on a pipe, which is then
 * closed. Exit status 0 is the only yes. A line the helper prints (a
 * lock) goes back through the conversation as PAM_ERROR_MSG, which
 * dropbear sends as an SSH banner. Everything else of PAM is a no-op or
 * PAM_BAD_ITEM.
 *
 * It runs inside dropbear's connection process (root, before
 * authentication): no output, no globals but the helper's path, nothing
 * left behind (the password is wiped, the child reaped).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "security/pam_appl.h"
#include "sshpam.h"

#define SSHPAM_ARG_MAX 256   /* name and address: longer ones are cut */
#define SSHPAM_MSG_MAX 256   /* the helper's message */
#define SSHPAM_FD_LIMIT 4096 /* descriptors closed in the child */

const char *sshpam_helper = SSHPAM_HELPER;

struct pam_handle {
	struct pam_conv conv;
	char rhost[SSHPAM_ARG_MAX];
};

int
pam_start(const char *service_name, const char *user,
    const struct pam_conv *pam_conversation, pam_handle_t **pamh)
{
	struct pam_handle *h;

	(void)service_name;
	(void)user; /* dropbear passes none: the conversation asks it */
	*pamh = NULL;
	if (pam_conversation == NULL || pam_conversation->conv == NULL) {
		return PAM_CONV_ERR;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		return PAM_BUF_ERR;
	}
	h->conv = *pam_conversation;
	memcpy(h->rhost, "unknown", sizeof("unknown"));
	*pamh = h;
	return PAM_SUCCESS;
}

int
pam_end(pam_handle_t *pamh, int pam_status)
{
	(void)pam_status;
	free(pamh);
	return PAM_SUCCESS;
}

int
pam_set_item(pam_handle_t *pamh, int item_type, const void *item)
{
	const char *s = item;

	if (pamh == NULL) {
		return PAM_SYSTEM_ERR;
	}
	switch (item_type) {
	case PAM_RHOST:
		if (s != NULL && s[0] != '\0') {
			strncpy(pamh->rhost, s, sizeof(pamh->rhost) - 1);
			pamh->rhost[sizeof(pamh->rhost) - 1] = '\0';
		}
		return PAM_SUCCESS;
	case PAM_TTY:
	case PAM_SERVICE:
		return PAM_SUCCESS; /* nothing here depends on them */
	default:
		return PAM_BAD_ITEM;
	}
}

/* sshpam_free_response - what the conversation allocated, wiped */
static void
sshpam_free_response(struct pam_response *r)
{
	if (r == NULL) {
		return;
	}
	if (r->resp != NULL) {
		explicit_bzero(r->resp, strlen(r->resp));
		free(r->resp);
	}
	free(r);
}

/* sshpam_ask - one message through the conversation; its answer (the
 * caller frees it with sshpam_free_response), or NULL */
static struct pam_response *
sshpam_ask(pam_handle_t *h, int style, const char *text)
{
	struct pam_message m = { style, text };
	const struct pam_message *mp = &m;
	struct pam_response *r = NULL;

	if (h->conv.conv(1, &mp, &r, h->conv.appdata_ptr) != PAM_SUCCESS) {
		sshpam_free_response(r);
		return NULL;
	}
	return r;
}

/* sshpam_child - in the forked child: stdin from in, stdout to out, the
 * other descriptors closed (dropbear's socket among them), then the
 * helper with an empty environment */
static void
sshpam_child(int in, int out, const char *user, const char *rhost)
{
	static char name[] = "sekimori-login", mode[] = "--ssh-password",
		    uopt[] = "--user", sopt[] = "--source";
	static char u[SSHPAM_ARG_MAX], r[SSHPAM_ARG_MAX];
	char *argv[] = { name, mode, uopt, u, sopt, r, NULL };
	char *envp[] = { NULL };
	struct rlimit rl;
	int fd, null, limit = SSHPAM_FD_LIMIT;
	sigset_t none;

	/* a name longer than the copy is no user's name either way */
	snprintf(u, sizeof(u), "%s", user);
	snprintf(r, sizeof(r), "%s", rhost);
	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1) {
		_exit(127);
	}
	if ((null = open("/dev/null", O_WRONLY)) != -1) {
		(void)dup2(null, STDERR_FILENO);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < SSHPAM_FD_LIMIT) {
		limit = (int)rl.rlim_cur;
	}
	for (fd = STDERR_FILENO + 1; fd < limit; fd++) {
		(void)close(fd);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execve(sshpam_helper, argv, envp);
	_exit(127);
}

/* sshpam_feed - the password into fd, then fd closed; a helper that
 * stopped reading early is no error here (its exit status says) */
static void
sshpam_feed(int fd, const char *pw, size_t len)
{
	ssize_t k;
	size_t done = 0;

	while (done < len) {
		k = write(fd, pw + done, len - done);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			break;
		}
		done += (size_t)k;
	}
	close(fd);
}

/* sshpam_collect - the helper's output, at most cap - 1 octets kept,
 * its first line only; fd closed */
static void
sshpam_collect(int fd, char *msg, size_t cap)
{
	char sink[64];
	size_t got = 0;
	ssize_t k;

	for (;;) {
		k = read(fd, got + 1 < cap ? msg + got : sink,
		    got + 1 < cap ? cap - 1 - got : sizeof(sink));
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			break;
		}
		if (got + 1 < cap) {
			got += (size_t)k;
		}
	}
	close(fd);
	msg[got] = '\0';
	msg[strcspn(msg, "\r\n")] = '\0';
}

/*
 * sshpam_drop_pending - take the helper's SIGCHLD (and a SIGPIPE of the
 * write, if it quit early) off the pending set before the mask comes
 * back. Dropbear must never see them: its SIGCHLD handler makes the main
 * loop check every channel for closing, and a session channel whose
 * shell has not started yet (pid 0) then counts as closable, so the
 * pty it has just allocated can be closed under the shell that is about
 * to use it (seen as "/dev/pts/0: I/O error" and a session that ends at
 * once). At authentication the connection process has no other child
 * whose SIGCHLD this could take.
 */
static void
sshpam_drop_pending(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t ours;

	sigemptyset(&ours);
	sigaddset(&ours, SIGPIPE);
	sigaddset(&ours, SIGCHLD);
	while (sigtimedwait(&ours, NULL, &zero) > 0) {
	}
}

/* sshpam_run - the helper on (user, rhost, pw); its exit status (-1:
 * it could not run) and its message in msg */
static int
sshpam_run(const char *user, const char *rhost, const char *pw, char *msg,
    size_t cap)
{
	int in[2], out[2], status = 0, rc = -1;
	sigset_t chld, old;
	pid_t pid;

	msg[0] = '\0';
	if (pipe2(in, O_CLOEXEC) == -1) {
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	/* blocked, dropbear's SIGCHLD handler never runs for the helper
	 * (sshpam_drop_pending says why that matters) */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaddset(&chld, SIGPIPE);
	(void)sigprocmask(SIG_BLOCK, &chld, &old);
	if ((pid = fork()) == 0) {
		sshpam_child(in[0], out[1], user, rhost);
	}
	close(in[0]);
	close(out[1]);
	if (pid > 0) {
		sshpam_feed(in[1], pw, strlen(pw));
		sshpam_collect(out[0], msg, cap);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR) {
		}
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	} else {
		close(in[1]);
		close(out[0]);
	}
	sshpam_drop_pending();
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
pam_authenticate(pam_handle_t *pamh, int flags)
{
	struct pam_response *name, *pw;
	char msg[SSHPAM_MSG_MAX];
	int rc;

	(void)flags;
	if (pamh == NULL) {
		return PAM_SYSTEM_ERR;
	}
	if ((name = sshpam_ask(pamh, PAM_PROMPT_ECHO_ON, "login:")) == NULL) {
		return PAM_CONV_ERR;
	}
	if ((pw = sshpam_ask(pamh, PAM_PROMPT_ECHO_OFF, "Password:")) == NULL) {
		sshpam_free_response(name);
		return PAM_CONV_ERR;
	}
	rc = name->resp != NULL && pw->resp != NULL ?
	    sshpam_run(name->resp, pamh->rhost, pw->resp, msg, sizeof(msg)) :
	    -1;
	sshpam_free_response(name);
	sshpam_free_response(pw);
	if (rc != 0 && msg[0] != '\0') {
		sshpam_free_response(sshpam_ask(pamh, PAM_ERROR_MSG, msg));
	}
	return rc == 0 ? PAM_SUCCESS : PAM_AUTH_ERR;
}

int
pam_acct_mgmt(pam_handle_t *pamh, int flags)
{
	(void)flags;
	/* locks and deleted users were the helper's to check */
	return pamh != NULL ? PAM_SUCCESS : PAM_SYSTEM_ERR;
}

const char *
pam_strerror(pam_handle_t *pamh, int errnum)
{
	(void)pamh;
	switch (errnum) {
	case PAM_SUCCESS:
		return "success";
	case PAM_AUTH_ERR:
		return "authentication failure";
	case PAM_CONV_ERR:
		return "conversation failure";
	case PAM_BUF_ERR:
		return "out of memory";
	case PAM_BAD_ITEM:
		return "bad item";
	default:
		return "system error";
	}
}
