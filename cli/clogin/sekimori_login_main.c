/*
 * sekimori_login_main.c - sekimori-login, what the serial console runs
 * instead of a Unix login (and, later, dropbear's forced command): the
 * login dialogue of clogin.c on the terminal, against the users of the
 * running configuration, then exec of sekimori-cli as the user with
 * their role.
 *
 * Untrusted input: every octet on the terminal (a serial line carries
 * garbage; over SSH, anyone who can connect). It reaches only the
 * bounded line reader of clogin.c. Runs as the console's user (root on
 * the console, before privileges are split per admin user: see
 * README.md); reads /config through the datastore and writes
 * /data/login.db and /data/audit.db.
 *
 *   sekimori-login [--config-dir DIR] [--factory FILE] [--data-dir DIR]
 *                  [--cli PATH] [--fail-delay SECONDS]
 *                  [--ssh [-c COMMAND] | --ssh-password --user NAME
 *                   --source ADDR | --sync-accounts]
 * The source is the first word of $SSH_CLIENT when it is an address,
 * else "console".
 *
 * Over SSH dropbear does the asking. --ssh-password is its password
 * check (cli/sshpam runs it for dropbear's PAM): the password on standard
 * input up to its end, exit 0 when it is right, a lock's message on
 * standard output. --ssh is the login shell of every CLI user (through
 * /usr/libexec/sekimori/ssh-session): the user is $USER as dropbear set
 * it, the method "publickey" when dropbear set $SSH_PUBKEYINFO (the
 * authorized_keys comment it matched), else "password"; it asks the
 * TOTP code and the forced password change, then execs the CLI (with -c
 * COMMAND for `ssh box COMMAND`). --sync-accounts, run at boot, makes
 * dropbear's view of the users (cli/accounts) from the configuration the
 * box boots with; after that every commit of the CLI does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "../accounts/accounts.h"
#include "../audit/audit.h"
#include "../datastore/ds.h"
#include "clogin.h"
#include "clogin_store.h"
#include "io.h"
#include "version.h"

#define LOGIN_CONFIG "/config"
#define LOGIN_FACTORY "/etc/sekimori/factory.json"
#define LOGIN_DATA "/data"
#define LOGIN_CLI "/usr/bin/sekimori-cli"
#define LOGIN_FAIL_DELAY 2 /* seconds after a failure, as login(1) */
#define LOGIN_TICK_MS 1000
#define LOGIN_READ 512
#define LOGIN_SYS "/sekimori-system:system"
#define LOGIN_COMMENT "password changed at first login"
#define LOGIN_PW_READ (CLOGIN_LINE_MAX + 1) /* more is overlong anyway */

/* Everything the ops need. */
struct login_box {
	struct ds *ds;
	struct clogin_store *store; /* NULL: counts are not kept */
	struct audit *audit;        /* NULL: no audit log */
	char source[CLOGIN_SOURCE_MAX];
};

static time_t
login_now(void *arg)
{
	return time(NULL);
}

/* login_value - the value of the leaf at path in tree, or NULL */
static const char *
login_value(const struct lyd_node *tree, const char *path)
{
	struct lyd_node *n = NULL;

	if (tree == NULL || lyd_find_path(tree, path, 0, &n) != LY_SUCCESS ||
	    n == NULL) {
		return NULL;
	}
	return lyd_get_value(n);
}

static unsigned
login_number(const struct lyd_node *tree, const char *leaf, unsigned dflt)
{
	char path[256];
	const char *v;

	snprintf(path, sizeof(path), LOGIN_SYS "/login/%s", leaf);
	v = login_value(tree, path);
	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : dflt;
}

/* login_user_field - a leaf of user name's entry (name is valid: the
 * dialogue looks up only names of the model's pattern) */
static const char *
login_user_field(const struct lyd_node *tree, const char *name,
    const char *leaf)
{
	char path[256];

	snprintf(path, sizeof(path), LOGIN_SYS "/user[name='%s']/%s", name,
	    leaf);
	return login_value(tree, path);
}

static int
login_op_user(void *arg, const char *name, struct clogin_user *out)
{
	struct login_box *b = arg;
	const struct lyd_node *tree = ds_running(b->ds);
	const char *role = login_user_field(tree, name, "role");
	const char *v;
	struct ly_set *set = NULL;

	if (role == NULL) { /* unknown: any user's hash, for the dummy */
		if (lyd_find_xpath(tree,
			LOGIN_SYS "/user/authentication/password-hash",
			&set) == LY_SUCCESS &&
		    set->count > 0) {
			snprintf(out->hash, sizeof(out->hash), "%s",
			    lyd_get_value(set->dnodes[0]));
		}
		ly_set_free(set, NULL);
		return 0;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->role, sizeof(out->role), "%s", role);
	v = login_user_field(tree, name, "authentication/password-hash");
	snprintf(out->hash, sizeof(out->hash), "%s", v != NULL ? v : "");
	v = login_user_field(tree, name, "authentication/totp-secret");
	snprintf(out->totp, sizeof(out->totp), "%s", v != NULL ? v : "");
	v = login_user_field(tree, name,
	    "authentication/password-change-required");
	out->change_required = v != NULL && strcmp(v, "true") == 0;
	return 1;
}

static void
login_op_audit(void *arg, const char *user, const char *event,
    const char *detail)
{
	struct login_box *b = arg;

	if (b->audit != NULL) {
		(void)audit_add(b->audit, time(NULL), user, b->source, event,
		    detail);
	}
}

/* login_op_set_password - commit the new hash as the user, clear
 * password-change-required, and audit the commit with its diff */
static enum sk_result
login_op_set_password(void *arg, const char *user, const char *hash, char *msg,
    size_t msglen)
{
	struct login_box *b = arg;
	struct ds_session *s = NULL;
	char path[256], *diff = NULL, *detail = NULL;
	enum sk_result r;

	snprintf(path, sizeof(path),
	    LOGIN_SYS "/user[name='%s']/authentication", user);
	if ((r = ds_session_open(b->ds, user, &s, msg, msglen)) != SK_OK) {
		return r;
	}
	strncat(path, "/password-hash", sizeof(path) - strlen(path) - 1);
	r = ds_set(s, path, hash, msg, msglen);
	if (r == SK_OK) {
		*strrchr(path, '/') = '\0';
		strncat(path, "/password-change-required",
		    sizeof(path) - strlen(path) - 1);
		r = ds_delete(s, path, msg, msglen);
		r = r == SK_E_UNKNOWN ? SK_OK : r;
	}
	if (r == SK_OK) {
		(void)ds_compare(s, 0, 0, &diff, msg, msglen);
		r = ds_commit(s, LOGIN_COMMENT, 0, msg, msglen);
	}
	if (r == SK_OK && b->audit != NULL &&
	    asprintf(&detail, "%s\n%s", LOGIN_COMMENT,
		diff != NULL ? diff : "") >= 0) {
		(void)audit_add(b->audit, time(NULL), user, b->source,
		    AUDIT_COMMIT, detail);
		free(detail);
	}
	free(diff);
	ds_session_close(s);
	return r;
}

static int
login_op_random(void *arg, uint8_t *buf, size_t n)
{
	ssize_t k;
	size_t got = 0;

	while (got < n) {
		k = getrandom(buf + got, n - got, 0);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

/* The store's calls, on the store of the box. Without one (a broken
 * /data) counts read as zero: see clogin_store.h for the trade-off. */
static void
login_op_begin(void *arg)
{
	struct login_box *b = arg;

	if (b->store != NULL) {
		clogin_store_begin(b->store);
	}
}

static void
login_op_end(void *arg)
{
	struct login_box *b = arg;

	if (b->store != NULL) {
		clogin_store_end(b->store);
	}
}

static void
login_op_count_get(void *arg, enum clogin_kind kind, const char *key,
    struct clogin_count *out)
{
	struct login_box *b = arg;

	memset(out, 0, sizeof(*out));
	if (b->store != NULL) {
		clogin_store_count_get(b->store, kind, key, out);
	}
}

static void
login_op_count_put(void *arg, enum clogin_kind kind, const char *key,
    const struct clogin_count *c)
{
	struct login_box *b = arg;

	if (b->store != NULL) {
		clogin_store_count_put(b->store, kind, key, c);
	}
}

static uint64_t
login_op_totp_last(void *arg, const char *user)
{
	struct login_box *b = arg;

	return b->store != NULL ? clogin_store_totp_last(b->store, user) : 0;
}

static void
login_op_totp_mark(void *arg, const char *user, uint64_t step)
{
	struct login_box *b = arg;

	if (b->store != NULL) {
		clogin_store_totp_mark(b->store, user, step);
	}
}

static const struct clogin_ops login_ops = { login_op_user, login_op_begin,
	login_op_end, login_op_count_get, login_op_count_put,
	login_op_totp_last, login_op_totp_mark, login_op_set_password,
	login_op_audit, login_op_random, NULL };

/* login_source - the SSH client's address from $SSH_CLIENT ("ADDR PORT
 * PORT"), else "console" */
static void
login_source(char *out, size_t cap)
{
	const char *env = getenv("SSH_CLIENT");
	char addr[CLOGIN_SOURCE_MAX];
	uint8_t bin[16];
	size_t n;

	snprintf(out, cap, "console");
	if (env == NULL) {
		return;
	}
	n = strcspn(env, " ");
	if (n == 0 || n >= sizeof(addr)) {
		return;
	}
	memcpy(addr, env, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, bin) == 1 ||
	    inet_pton(AF_INET6, addr, bin) == 1) {
		snprintf(out, cap, "%s", addr);
	}
}

/* login_read_password - standard input to its end into pw (at most
 * cap octets kept; *len says how many came, so more than cap is
 * overlong); -1 when it cannot be read */
static int
login_read_password(uint8_t *pw, size_t cap, size_t *len)
{
	uint8_t sink[64];
	ssize_t k;

	*len = 0;
	for (;;) {
		k = read(STDIN_FILENO, *len < cap ? pw + *len : sink,
		    *len < cap ? cap - *len : sizeof(sink));
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k < 0) {
			return -1;
		}
		if (k == 0) {
			return 0;
		}
		*len += (size_t)k;
		if (*len > cap + 4096) {
			return 0; /* overlong already: stop reading */
		}
	}
}

/* login_write - to the terminal; a terminal gone shows at the next read */
static void
login_write(const char *s, size_t n)
{
	(void)io_write_all(STDOUT_FILENO, s, n);
}

/* login_echo - terminal echo on or off (nothing when not a terminal) */
static void
login_echo(int on)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &t) != 0) {
		return;
	}
	if (on) {
		t.c_lflag |= ECHO;
	} else {
		t.c_lflag &= ~(tcflag_t)ECHO;
	}
	(void)tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* login_flush - show what the dialogue has to say */
static void
login_flush(struct clogin *l)
{
	size_t n;
	const char *s = clogin_output(l, &n);

	login_write(s, n);
	clogin_output_done(l);
}

/* login_run - the dialogue on the terminal until it ends */
static enum clogin_state
login_run(struct clogin *l, unsigned fail_delay)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
	uint8_t buf[LOGIN_READ];
	int tty = isatty(STDIN_FILENO), echo;
	ssize_t k;

	for (;;) {
		echo = clogin_echo(l);
		login_echo(echo);
		login_flush(l);
		if (clogin_state(l) >= CLOGIN_DONE_OK) {
			return clogin_state(l);
		}
		if (poll(&p, 1, LOGIN_TICK_MS) <= 0) {
			clogin_tick(l, (uint64_t)time(NULL));
			continue;
		}
		/* not a terminal (a pipe, ssh without a pty): one octet at
		 * a time, so that what follows the login stays for the CLI */
		k = read(STDIN_FILENO, buf, tty ? sizeof(buf) : 1);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return CLOGIN_DONE_FAIL; /* hang-up, end of input */
		}
		if (tty && !echo &&
		    (memchr(buf, '\n', (size_t)k) != NULL ||
			memchr(buf, '\r', (size_t)k) != NULL)) {
			login_write("\n", 1); /* the Enter not echoed */
		}
		clogin_feed(l, buf, (size_t)k, (uint64_t)time(NULL));
		if (clogin_take_failure(l) && fail_delay > 0) {
			sleep(fail_delay);
		}
	}
}

static void
login_usage(FILE *f)
{
	fprintf(f,
	    "usage: sekimori-login [--config-dir DIR] [--factory FILE] "
	    "[--data-dir DIR]\n"
	    "                      [--cli PATH] [--fail-delay "
	    "SECONDS]\n"
	    "                      [--ssh [-c COMMAND] | --ssh-password "
	    "--user NAME --source ADDR |\n"
	    "                       --sync-accounts]\n");
}

/* login_exec_cli - become the CLI of the user who logged in (execv
 * wants char *: the strings are copied, and kept, as the exec replaces
 * the process) */
static void
login_exec_cli(const char *cli, const char *dir, const char *factory,
    const char *data, const struct clogin_user *u, const char *source,
    const char *command)
{
	const char *args[] = { "sekimori-cli", "--config-dir", dir, "--factory",
		factory, "--data-dir", data, "--user", u->name, "--role",
		u->role, "--source", source, "-c", command };
	char *argv[SK_NELEM(args) + 1];
	size_t i, n = SK_NELEM(args) - (command != NULL ? 0 : 2);

	for (i = 0; i < n; i++) {
		if ((argv[i] = strdup(args[i])) == NULL) {
			fprintf(stderr, "sekimori-login: out of memory\n");
			return;
		}
	}
	argv[n] = NULL;
	execv(cli, argv);
	fprintf(stderr, "sekimori-login: %s: %s\n", cli, strerror(errno));
}

/* How this run was asked to log in. */
struct login_args {
	const char *dir, *factory, *data, *cli;
	unsigned delay;
	int ssh, ssh_password, sync_accounts;
	const char *user, *source, *command;
};

/* login_policy - the model's login settings, with its defaults */
static void
login_policy(const struct lyd_node *tree, struct clogin_policy *pol)
{
	pol->max_failures_per_user =
	    login_number(tree, "max-failures-per-user", 5);
	pol->max_failures_per_source =
	    login_number(tree, "max-failures-per-source", 10);
	pol->failure_window = login_number(tree, "failure-window", 900);
	pol->lockout_time = login_number(tree, "lockout-time", 900);
	pol->idle_minutes = login_number(tree, "idle-timeout", 15);
}

/* login_box_open - the datastore, the lockout store and the audit log;
 * -1 without the datastore */
static int
login_box_open(struct login_box *box, const struct login_args *a)
{
	const struct ds_clock clk = { login_now, NULL };
	char err[DS_ERR_MAX], why[DS_WHY_MAX];

	if (ds_open(&box->ds, a->dir, a->factory, &clk, why, sizeof(why), err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-login: %s\n", err);
		return -1;
	}
	if (why[0] != '\0') {
		fprintf(stderr, "sekimori-login: %s\n", why);
	}
	if (clogin_store_open(&box->store, a->data, (uint64_t)time(NULL), err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-login: %s (failures not kept)\n",
		    err);
	}
	if (audit_open(&box->audit, a->data,
		(uint64_t)login_number(ds_running(box->ds), "audit-log-size",
		    16)
		    << 20,
		err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-login: %s (not audited)\n", err);
	}
	return 0;
}

static void
login_box_close(struct login_box *box)
{
	clogin_store_close(box->store);
	audit_close(box->audit);
	ds_close(box->ds);
}

/* login_ssh_password - dropbear's password check (see the top): exit
 * status 0 when right */
static int
login_ssh_password(struct login_box *box, const struct login_args *a,
    const struct clogin_ops *ops)
{
	static struct clogin l;
	static uint8_t pw[LOGIN_PW_READ];
	struct clogin_policy pol;
	const char *msg;
	size_t len, n;
	int ok;

	if (login_read_password(pw, sizeof(pw), &len) == -1) {
		return 1;
	}
	login_policy(ds_running(box->ds), &pol);
	ok = clogin_check_password(&l, &pol, ops, box->source, a->user, pw, len,
	    (uint64_t)time(NULL));
	explicit_bzero(pw, sizeof(pw));
	if (ok) {
		return 0;
	}
	if (l.locked) { /* the client shows it (an SSH banner) */
		msg = clogin_output(&l, &n);
		login_write(msg, n);
	}
	if (a->delay > 0) {
		sleep(a->delay);
	}
	return 1;
}

/* login_sync_accounts - cli/accounts from the running configuration */
static int
login_sync_accounts(struct login_box *box)
{
	char err[DS_ERR_MAX];

	/* at boot, before dropbear starts: no restart for the banner */
	if (accounts_write(ds_running(box->ds), ACCOUNTS_BASE, ACCOUNTS_DIR,
		err, sizeof(err)) != SK_OK ||
	    accounts_write_banner(ds_running(box->ds), ACCOUNTS_DIR, err,
		sizeof(err)) == -1) {
		fprintf(stderr, "sekimori-login: accounts: %s\n", err);
		return 1;
	}
	return 0;
}

/* login_dialogue - the console's whole dialogue or an SSH session's
 * rest; the user who logged in into *user, or -1 */
static int
login_dialogue(struct login_box *box, const struct login_args *a,
    const struct clogin_ops *ops, struct clogin_user *user)
{
	static struct clogin l;
	const struct lyd_node *tree = ds_running(box->ds);
	const char *who = getenv("USER");
	struct clogin_policy pol;

	login_policy(tree, &pol);
	if (a->ssh) {
		clogin_start_session(&l, &pol, ops, box->source,
		    who != NULL ? who : "",
		    getenv("SSH_PUBKEYINFO") != NULL ? "publickey" : "password",
		    (uint64_t)time(NULL));
	} else {
		clogin_start(&l, login_value(tree, LOGIN_SYS "/login/banner"),
		    &pol, ops, box->source, (uint64_t)time(NULL));
	}
	if (login_run(&l, a->delay) != CLOGIN_DONE_OK) {
		login_echo(1);
		return -1;
	}
	*user = *clogin_user(&l);
	login_echo(1);
	return 0;
}

/* login_args_parse - the options into a; -1 (with the usage shown) when
 * they are wrong, 1 when the run is over (--help, --version) */
static int
login_args_parse(int argc, char **argv, struct login_args *a)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'd' },
		{ "factory", required_argument, NULL, 'f' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "cli", required_argument, NULL, 'C' },
		{ "fail-delay", required_argument, NULL, 'w' },
		{ "ssh", no_argument, NULL, 's' },
		{ "ssh-password", no_argument, NULL, 'p' },
		{ "sync-accounts", no_argument, NULL, 'A' },
		{ "user", required_argument, NULL, 'u' },
		{ "source", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			a->dir = optarg;
			break;
		case 'f':
			a->factory = optarg;
			break;
		case 'D':
			a->data = optarg;
			break;
		case 'C':
			a->cli = optarg;
			break;
		case 'w':
			a->delay = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			a->ssh = 1;
			break;
		case 'p':
			a->ssh_password = 1;
			break;
		case 'A':
			a->sync_accounts = 1;
			break;
		case 'u':
			a->user = optarg;
			break;
		case 'S':
			a->source = optarg;
			break;
		case 'c':
			a->command = optarg;
			break;
		case 'h':
			login_usage(stdout);
			return 1;
		case 'V':
			printf("sekimori-login %s %s\n", SK_PRODUCT,
			    SK_VERSION);
			return 1;
		default:
			login_usage(stderr);
			return -1;
		}
	}
	if (optind != argc || a->ssh + a->ssh_password + a->sync_accounts > 1 ||
	    (a->ssh_password && (a->user == NULL || a->source == NULL)) ||
	    (a->command != NULL && !a->ssh)) {
		login_usage(stderr);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct login_box box;
	struct login_args a = { LOGIN_CONFIG, LOGIN_FACTORY, LOGIN_DATA,
		LOGIN_CLI, LOGIN_FAIL_DELAY, 0, 0, 0, NULL, NULL, NULL };
	struct clogin_ops ops = login_ops;
	struct clogin_user user;
	uint8_t bin[16];
	int rc;

	if ((rc = login_args_parse(argc, argv, &a)) != 0) {
		return rc < 0 ? 2 : 0;
	}
	/* ^C and ^Z at the prompt must not leave a half-done login */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	if (a.ssh_password) { /* dropbear's word: an address or not one */
		snprintf(box.source, sizeof(box.source), "%s",
		    inet_pton(AF_INET, a.source, bin) == 1 ||
			    inet_pton(AF_INET6, a.source, bin) == 1 ?
			a.source :
			"unknown");
	} else {
		login_source(box.source, sizeof(box.source));
	}
	if (login_box_open(&box, &a) == -1) {
		sleep(LOGIN_FAIL_DELAY); /* init respawns: not a busy loop */
		return 1;
	}
	ops.arg = &box;
	if (a.sync_accounts) {
		rc = login_sync_accounts(&box);
		login_box_close(&box);
		return rc;
	}
	if (a.ssh_password) {
		rc = login_ssh_password(&box, &a, &ops);
		login_box_close(&box);
		return rc;
	}
	rc = login_dialogue(&box, &a, &ops, &user);
	login_box_close(&box);
	if (rc == -1) {
		return 1;
	}
	login_exec_cli(a.cli, a.dir, a.factory, a.data, &user, box.source,
	    a.command);
	return 1;
}
