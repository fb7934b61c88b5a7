/*
 * sshpam_test.c - pam_authenticate as dropbear calls it, against a
 * helper script that stands for sekimori-login --ssh-password: the yes,
 * the no, a lock's message back through the conversation, a helper
 * that is missing or stops reading, a failing conversation, and a
 * SIGCHLD handler that reaps every child as dropbear's does.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "security/pam_appl.h"
#include "sshpam.h"
#include "test.h"

/* The helper: checks its arguments, reads the password to its end
 * (except for "quitter"), and answers by the name. */
static const char helper_text[] =
    "#!/bin/sh\n"
    "[ \"$1 $2 $4\" = '--ssh-password --user --source' ] || exit 3\n"
    "[ -z \"$HOME$USER\" ] || exit 4\n"
    "[ \"$3\" = quitter ] && exit 1\n"
    "pw=$(/bin/cat)\n"
    "case \"$3:$5:$pw\" in\n"
    "alice:192.0.2.1:right) exit 0 ;;\n"
    "locked:*) echo 'Login locked: try again later'; exit 1 ;;\n"
    "esac\n"
    "exit 1\n";

struct talk {
	const char *user, *password;
	int fail; /* the conversation refuses */
	char error[256];
};

static char *
dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		abort();
	}
	return d;
}

/* conv - dropbear's conversation, as far as it matters here */
static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct talk *t = arg;
	struct pam_response *r;

	if (n != 1 || t->fail) {
		return PAM_CONV_ERR;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		abort();
	}
	switch (msg[0]->msg_style) {
	case PAM_PROMPT_ECHO_ON:
		r->resp = dup_or_die(t->user);
		break;
	case PAM_PROMPT_ECHO_OFF:
		r->resp = dup_or_die(t->password);
		break;
	default:
		snprintf(t->error, sizeof(t->error), "%s", msg[0]->msg);
		break;
	}
	*resp = r;
	return PAM_SUCCESS;
}

static volatile sig_atomic_t chld_seen;

/* reap_all - dropbear's SIGCHLD handler, as far as it matters here: it
 * must never run for the helper (sshpam.c, sshpam_drop_pending) */
static void
reap_all(int sig)
{
	(void)sig;
	chld_seen++;
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

/* login - one pam_start .. pam_end as dropbear runs it */
static int
login(struct talk *t, const char *rhost)
{
	struct pam_conv c = { conv, t };
	pam_handle_t *h = NULL;
	int rc;

	if (pam_start("sshd", NULL, &c, &h) != PAM_SUCCESS) {
		return -1;
	}
	TEST_CHECK(pam_set_item(h, PAM_TTY, "ssh") == PAM_SUCCESS, "tty");
	TEST_CHECK(pam_set_item(h, PAM_RHOST, rhost) == PAM_SUCCESS, "rhost");
	rc = pam_authenticate(h, 0);
	if (rc == PAM_SUCCESS) {
		rc = pam_acct_mgmt(h, 0);
	}
	pam_end(h, rc);
	return rc;
}

static void
test_answers(void)
{
	static char path[512], big[200000];
	struct talk t = { "alice", "right", 0, "" };
	FILE *f;

	snprintf(path, sizeof(path), "%s/helper", test_tmpdir());
	if ((f = fopen(path, "w")) == NULL) {
		test_fail("cannot write %s", path);
		return;
	}
	fputs(helper_text, f);
	fclose(f);
	chmod(path, 0755);
	sshpam_helper = path;
	signal(SIGCHLD, reap_all);

	TEST_CHECK(login(&t, "192.0.2.1") == PAM_SUCCESS, "right refused");
	TEST_CHECK(t.error[0] == '\0', "message on success: %s", t.error);
	TEST_CHECK(login(&t, "192.0.2.2") == PAM_AUTH_ERR,
	    "the address did not reach the helper");
	t.password = "wrong";
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_AUTH_ERR, "wrong taken");
	TEST_CHECK(t.error[0] == '\0', "message for a wrong one: %s", t.error);
	t.user = "locked";
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_AUTH_ERR, "locked taken");
	TEST_CHECK(strcmp(t.error, "Login locked: try again later") == 0,
	    "lock message: '%s'", t.error);
	/* a helper that reads nothing of a long password: no SIGPIPE death */
	memset(big, 'x', sizeof(big) - 1);
	t.user = "quitter";
	t.password = big;
	t.error[0] = '\0';
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_AUTH_ERR, "quitter taken");
	t.user = "alice";
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_AUTH_ERR, "long one taken");
	/* names that look like options stay arguments */
	t.user = "--help";
	t.password = "right";
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_AUTH_ERR, "option name");
	/* the conversation fails; the helper is missing */
	t.user = "alice";
	t.fail = 1;
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_CONV_ERR, "conv failure");
	t.fail = 0;
	sshpam_helper = "/nonexistent/sekimori-login";
	TEST_CHECK(login(&t, "192.0.2.1") == PAM_AUTH_ERR, "no helper");
	TEST_CHECK(chld_seen == 0,
	    "the SIGCHLD handler ran %d times for the helper", (int)chld_seen);
	signal(SIGCHLD, SIG_DFL);
}

static void
test_items(void)
{
	struct talk t = { "alice", "right", 0, "" };
	struct pam_conv c = { conv, &t }, none = { NULL, NULL };
	pam_handle_t *h = NULL;

	TEST_CHECK(pam_start("sshd", NULL, &none, &h) == PAM_CONV_ERR &&
		h == NULL,
	    "no conversation accepted");
	TEST_CHECK(pam_start("sshd", NULL, &c, &h) == PAM_SUCCESS, "start");
	TEST_CHECK(pam_set_item(h, PAM_USER, "x") == PAM_BAD_ITEM, "user");
	TEST_CHECK(strcmp(pam_strerror(h, PAM_AUTH_ERR),
		       "authentication failure") == 0,
	    "strerror");
	pam_end(h, PAM_SUCCESS);
}

const struct test_case test_cases[] = {
	{ "sshpam_answers", test_answers },
	{ "sshpam_items", test_items },
};
const size_t test_ncases = SK_NELEM(test_cases);
