/*
 * sekimori_cli_main.c - sekimori-cli, the appliance CLI: the login shell
 * of administrators on the serial console and over SSH.
 *
 * Untrusted input: every octet typed (or sent by a broken serial line)
 * goes through the line editor (cli_edit) or the bounded line reader,
 * then the engine (cli), which refuses what does not parse. Runs as the
 * logged-in user; it opens the datastore on the config folder itself
 * (one process per session: see README.md, "Not yet"), and the audit
 * log in the data folder (cli/audit).
 *
 *   sekimori-cli [--config-dir DIR] [--factory FILE] [--data-dir DIR]
 *                [--user NAME] [--role ROLE] [--source SOURCE]
 *                [-c "COMMAND"] [--mail-config FILE]
 *                [--mail-daemon PROGRAM] [--save-dir DIR]
 *
 * sekimori-login execs it with the user, role and source of the login.
 * Without --role the user's role in the running configuration applies,
 * and admin for a user the configuration does not know: whoever can
 * start it directly already has a Unix shell (see README.md, "Roles").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "../../firmware/queue/queue_ctlcli.h"
#include "../accounts/accounts.h"
#include "../audit/audit.h"
#include "cli.h"
#include "cli_edit.h"
#include "io.h"
#include "version.h"

#define CLI_MAIN_CONFIG "/config"
#define CLI_MAIN_FACTORY "/etc/sekimori/factory.json"
#define CLI_MAIN_SOCKET "/data/spool/control" /* under mail root-directory */
#define CLI_MAIN_ROWS 24                      /* when the tty won't say */
#define CLI_MAIN_TICK_MS 1000
#define CLI_MAIN_DATA "/data"
#define CLI_MAIN_EXPORT "audit-export" /* in the data folder */
#define CLI_MAIN_SYS "/sekimori-system:system"
#define CLI_MAIN_MAIL_CONFIG "/run/sekimori/mail.json" /* sekimorid's */
#define CLI_MAIN_SEKIMORID "/usr/sbin/sekimorid"
#define CLI_MAIN_LOGREAD "/sbin/logread" /* busybox: syslogd's buffer */
#define CLI_MAIN_LOG_MAX (512u * 1024u)  /* twice the buffer */
#define CLI_MAIN_ARGS_MAX 8              /* words of a program the CLI runs */
#define CLI_MAIN_SAVED "/config/saved"   /* load and save (cli.h) */
#define CLI_MAIN_SESSIONS "/run/sekimori/sessions" /* show system users */

/* The audit log of this session: who, from where, into which file. */
struct cli_main_audit {
	struct audit *log; /* NULL: not available */
	const char *source;
	const char *data;
};

static time_t
cli_main_now(void *arg)
{
	return time(NULL);
}

static long
cli_main_uptime(void *arg)
{
	double up = -1;
	FILE *f = fopen("/proc/uptime", "r");

	if (f != NULL) {
		if (fscanf(f, "%lf", &up) != 1) {
			up = -1;
		}
		fclose(f);
	}
	return (long)up;
}

/* cli_main_queue - one request to the queue's control socket, which is
 * ROOT/data/spool/control (ROOT: mail root-directory of running) */
static int
cli_main_queue(void *arg, const char *request, struct cli_text *out)
{
	struct ds *ds = arg;
	struct lyd_node *n = NULL;
	const char *root = "";
	char path[DS_PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (lyd_find_path(ds_running(ds), "/sekimori-mail:mail/root-directory",
		0, &n) == LY_SUCCESS &&
	    lyd_get_value(n) != NULL && strcmp(lyd_get_value(n), "/") != 0) {
		root = lyd_get_value(n);
	}
	snprintf(path, sizeof(path), "%s%s", root, CLI_MAIN_SOCKET);
	if ((f = open_memstream(&text, &len)) == NULL) {
		cli_text_add(out, "error: out of memory\n");
		return 1;
	}
	rc = queue_ctlcli_run(path, request, f, f);
	fclose(f);
	cli_text_addn(out, text != NULL ? text : "", len);
	free(text);
	return rc;
}

/*
 * The "mail" applier. sekimorid serves one JSON file (on the appliance
 * /run/sekimori/mail.json, which the image's mail script fills from the
 * startup configuration at boot; --mail-config elsewhere). A commit
 * writes the new configuration there and asks the daemon to reload
 * (`sekimorid --reload -c FILE`): "ok" takes the commit; "refused" or
 * "failed" puts the old file back and refuses the commit with the
 * daemon's answer, so nothing changed ("failed" means the daemon had
 * taken the file: it is asked to reload the old one). No file, or no
 * daemon answering,
 * is not an error: the configuration applies when the daemon starts.
 */
struct cli_main_mail {
	const char *file;   /* the daemon's configuration file */
	const char *daemon; /* the sekimorid program */
};

#define CLI_MAIN_NOT_RUNNING                                         \
	"the mail daemon is not running; the configuration applies " \
	"when it starts"

/* cli_main_file_read - path whole (at most DS_FILE_MAX) into *out
 * (malloc'd) and *len; -1 when it cannot be read */
static int
cli_main_file_read(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	*out = NULL;
	if (f == NULL) {
		return -1;
	}
	if ((buf = malloc(DS_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, DS_FILE_MAX + 1, f);
	if (ferror(f) || n > DS_FILE_MAX) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

/* cli_main_file_write - data[len] into path atomically (FILE.new, fsync,
 * rename) with the owner and mode path had (the daemon may read it as
 * another user); -1 with msg set */
static int
cli_main_file_write(const char *path, const char *data, size_t len, char *msg,
    size_t msglen)
{
	char tmp[DS_PATH_MAX + 8];
	struct stat st;
	FILE *f;
	int ok;

	if (stat(path, &st) == -1 ||
	    snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp) ||
	    (f = fopen(tmp, "wb")) == NULL) {
		snprintf(msg, msglen, "cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len && fflush(f) == 0 &&
	    fchmod(fileno(f), st.st_mode & 07777) == 0 &&
	    (geteuid() != 0 || fchown(fileno(f), st.st_uid, st.st_gid) == 0) &&
	    fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) == -1) {
		snprintf(msg, msglen, "cannot write %s: %s", path,
		    strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* cli_main_exec - execv with argv (at most CLI_MAIN_ARGS_MAX words);
 * execv takes char *const[] for history's sake and writes nothing */
static void
cli_main_exec(const char *path, const char *const argv[])
{
	union {
		const char *in;
		char *out;
	} word;
	char *args[CLI_MAIN_ARGS_MAX + 1];
	size_t i;

	for (i = 0; i < CLI_MAIN_ARGS_MAX && argv[i] != NULL; i++) {
		word.in = argv[i];
		args[i] = word.out;
	}
	args[i] = NULL;
	execv(path, args);
}

/*
 * cli_main_run - path with argv, standard input /dev/null, its output
 * and errors into buf[cap] (more is read and dropped, so the program
 * never blocks on a full pipe); *got their length. The exit status (127:
 * it could not be run), or -1 with errno when no process started. No
 * shell: callers pass fixed programs and arguments.
 */
static int
cli_main_run(const char *path, const char *const argv[], char *buf, size_t cap,
    size_t *got)
{
	char sink[4096];
	int p[2], status, null;
	ssize_t n;
	pid_t pid;

	*got = 0;
	if (pipe(p) == -1) {
		return -1;
	}
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		null = open("/dev/null", O_RDONLY);
		dup2(null, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		cli_main_exec(path, argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], *got < cap ? buf + *got : sink,
		    *got < cap ? cap - *got : sizeof(sink))) != 0) {
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			break;
		}
		if (*got < cap) {
			*got += (size_t)n;
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR) {
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* cli_main_reload - `DAEMON --reload -c FILE`: its exit status (0 ok, 1
 * refused or failed, 2 no daemon answers, or the program is missing)
 * and the first line it printed in answer */
static int
cli_main_reload(const struct cli_main_mail *m, char *answer, size_t len)
{
	const char *const argv[] = { "sekimorid", "--reload", "-c", m->file,
		NULL };
	size_t got = 0;
	int status = cli_main_run(m->daemon, argv, answer, len - 1, &got);

	answer[got] = '\0';
	answer[strcspn(answer, "\n")] = '\0';
	if (status == -1) {
		snprintf(answer, len, "cannot run %s: %s", m->daemon,
		    strerror(errno));
		return 1;
	}
	return status == 127 ? 2 : status; /* no program: as good as no
					      daemon */
}

static enum sk_result
cli_main_apply_mail(void *arg, const struct lyd_node *tree, const char *json,
    size_t len, char *msg, size_t msglen)
{
	const struct cli_main_mail *m = arg;
	char answer[DS_ERR_MAX], *old;
	size_t oldlen;
	int rc, failed;

	(void)tree;
	if (cli_main_file_read(m->file, &old, &oldlen) == -1) {
		snprintf(msg, msglen, CLI_MAIN_NOT_RUNNING);
		return SK_OK; /* no daemon was started from a file here */
	}
	if (cli_main_file_write(m->file, json, len, msg, msglen) == -1) {
		free(old);
		return SK_E_IO;
	}
	rc = cli_main_reload(m, answer, sizeof(answer));
	if (rc == 0) {
		free(old);
		return SK_OK;
	}
	if (rc == 2) {
		free(old);
		snprintf(msg, msglen, CLI_MAIN_NOT_RUNNING);
		return SK_OK;
	}
	snprintf(msg, msglen, "%s", answer[0] != '\0' ? answer : "refused");
	failed = strncmp(answer, "failed:", 7) == 0;
	if (cli_main_file_write(m->file, old, oldlen, answer, sizeof(answer)) ==
	    -1) {
		snprintf(msg + strlen(msg), msglen - strlen(msg),
		    "; and the old file could not be put back: %s", answer);
	} else if (failed && cli_main_reload(m, answer, sizeof(answer)) != 0) {
		/* "failed" means the daemon took the new file but a process
		 * did not come up with it: it must go back to the old one */
		snprintf(msg + strlen(msg), msglen - strlen(msg),
		    "; going back to the old configuration: %s", answer);
	}
	free(old);
	return SK_E_CLOSED;
}

/*
 * The "accounts" applier: dropbear's view of the users (cli/accounts),
 * so that a user added, removed or given a key can log in over SSH (or
 * not) from the commit on. Only where the image's system accounts are
 * (ACCOUNTS_BASE): elsewhere (a development host) there is no dropbear
 * to tell. A revert writes the old users back the same way. The login
 * banner goes to dropbear too, which reads it only when it starts: a
 * changed banner stops the listener, and init starts it again.
 */
static enum sk_result
cli_main_apply_accounts(void *arg, const struct lyd_node *tree,
    const char *json, size_t len, char *msg, size_t msglen)
{
	(void)arg;
	(void)json;
	(void)len;
	if (access(ACCOUNTS_BASE, R_OK) != 0) {
		return SK_OK;
	}
	if (accounts_write(tree, ACCOUNTS_BASE, ACCOUNTS_DIR, msg, msglen) !=
	    SK_OK) {
		return SK_E_IO;
	}
	switch (accounts_write_banner(tree, ACCOUNTS_DIR, msg, msglen)) {
	case 1: /* dropbear reads it at start: init starts a new one */
		(void)accounts_restart_sshd(ACCOUNTS_SSHD_PIDFILE);
		return SK_OK;
	case 0:
		return SK_OK;
	default:
		return SK_E_IO;
	}
}

/*
 * The "show log" hook: busybox's logread prints syslogd's ring buffer
 * (256 KiB, the services file's -C256), at most CLI_MAIN_LOG_MAX of it
 * kept. No shell: the program and its one argument-less call are fixed.
 */
static int
cli_main_log(void *arg, struct cli_text *out)
{
	static char buf[CLI_MAIN_LOG_MAX];
	const char *const argv[] = { "logread", NULL };
	size_t got = 0;
	int status =
	    cli_main_run(CLI_MAIN_LOGREAD, argv, buf, sizeof(buf), &got);

	(void)arg;
	if (status == -1) {
		cli_text_add(out, "error: cannot run %s: %s\n",
		    CLI_MAIN_LOGREAD, strerror(errno));
		return 1;
	}
	if (status == 127 && got == 0) {
		cli_text_add(out, "error: no system log here (%s)\n",
		    CLI_MAIN_LOGREAD);
		return 1;
	}
	cli_text_addn(out, buf, got);
	return 0;
}

/* "show system users" and "show interfaces" (cli_sysinfo.c) */
static int
cli_main_users(void *arg, struct cli_text *out)
{
	(void)arg;
	return cli_sessions_list(CLI_MAIN_SESSIONS, time(NULL), out);
}

static int
cli_main_interfaces(void *arg, struct cli_text *out)
{
	(void)arg;
	return cli_interfaces_list(out);
}

/* ---- the audit hooks (cli.h) over cli/audit ---------------------------- */

static void
cli_main_record(void *arg, const char *user, const char *event,
    const char *detail)
{
	struct cli_main_audit *a = arg;

	if (a->log != NULL) {
		(void)audit_add(a->log, time(NULL), user, a->source, event,
		    detail);
	}
}

struct cli_main_rows {
	cli_audit_row_fn fn;
	void *ctx;
};

static int
cli_main_row(void *ctx, const struct audit_row *r)
{
	struct cli_main_rows *q = ctx;
	struct cli_audit_row row = { r->time, r->user, r->source, r->event,
		r->detail };

	return q->fn(q->ctx, &row);
}

static int
cli_main_query(void *arg, const struct cli_audit_filter *f, cli_audit_row_fn fn,
    void *ctx)
{
	struct cli_main_audit *a = arg;
	struct audit_filter af = { f->user, f->event, f->since };
	struct cli_main_rows q = { fn, ctx };

	if (a->log == NULL) {
		return -1;
	}
	return audit_query(a->log, &af, cli_main_row, &q) == SK_OK ? 0 : -1;
}

/* cli_main_export - the log as CSV into DATA/audit-export/NAME (the
 * engine has checked that name is a plain file name) */
static int
cli_main_export(void *arg, const char *name, char *msg, size_t msglen)
{
	struct cli_main_audit *a = arg;
	char path[DS_PATH_MAX], err[AUDIT_ERR_MAX];
	size_t rows = 0;

	if (a->log == NULL) {
		snprintf(msg, msglen, "the audit log is not available");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", a->data, CLI_MAIN_EXPORT);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s", a->data, CLI_MAIN_EXPORT,
	    name);
	if (audit_export_csv(a->log, NULL, path, &rows, err, sizeof(err)) !=
	    SK_OK) {
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	snprintf(msg, msglen, "Wrote %zu entries to %s", rows, path);
	return 0;
}

/* cli_main_leaf - a leaf of the running configuration, or NULL */
static const char *
cli_main_leaf(struct ds *ds, const char *path)
{
	struct lyd_node *n = NULL;

	if (lyd_find_path(ds_running(ds), path, 0, &n) != LY_SUCCESS) {
		return NULL;
	}
	return lyd_get_value(n);
}

/* cli_main_role - the role named, else the user's in the running
 * configuration, else admin (see the header); -1 for an unknown name */
static int
cli_main_role(struct ds *ds, const char *name, const char *user,
    enum nacm_role *out)
{
	char path[DS_PATH_MAX];
	const char *v;
	size_t i;

	*out = NACM_ADMIN;
	if (name != NULL) {
		return nacm_role_parse(name, out);
	}
	for (i = 0; user[i] != '\0'; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", user[i]) ==
		    NULL) {
			return 0; /* not a name the model allows */
		}
	}
	snprintf(path, sizeof(path), CLI_MAIN_SYS "/user[name='%s']/role",
	    user);
	if ((v = cli_main_leaf(ds, path)) != NULL) {
		return nacm_role_parse(v, out);
	}
	return 0;
}

static void
cli_main_usage(FILE *f)
{
	fprintf(f,
	    "usage: sekimori-cli [--config-dir DIR] [--factory FILE] "
	    "[--data-dir DIR]\n"
	    "                    [--user NAME] [--role ROLE] [--source "
	    "SOURCE] [-c COMMAND]\n"
	    "                    [--mail-config FILE] [--mail-daemon "
	    "PROGRAM] [--save-dir DIR]\n"
	    "       sekimori-cli --confirm-watch [--config-dir DIR] "
	    "[--factory FILE] [--data-dir DIR]\n");
}

/*
 * cli_main_watch - the watcher of commit confirmed (--confirm-watch, the
 * service confirm-watch): the datastore's tick once a second, so that a
 * commit confirmed rolls back at its deadline even when no CLI session
 * is left (the SSH connection the change cut). Whichever process ticks
 * first rolls back (cli/datastore, ds_share.c); this one makes sure
 * some process does. The rollback goes to syslog and the audit log.
 */
_Noreturn static void
cli_main_watch(struct ds *ds, struct cli_main_audit *log)
{
	char msg[DS_ERR_MAX], err[AUDIT_ERR_MAX];

	(void)prctl(PR_SET_NAME, "confirm-watch");
	openlog("sekimori-cli", LOG_PID, LOG_DAEMON);
	if (audit_open(&log->log, log->data, AUDIT_SIZE_DEFAULT, err,
		sizeof(err)) != SK_OK) {
		syslog(LOG_WARNING, "audit log: %s (rollbacks not audited)",
		    err);
	}
	for (;;) {
		if (ds_tick(ds, time(NULL), msg, sizeof(msg))) {
			syslog(LOG_WARNING, "%s", msg);
			if (log->log != NULL) {
				(void)audit_add(log->log, time(NULL), "system",
				    "confirm-watch", AUDIT_ROLLBACK, msg);
			}
		}
		sleep(1);
	}
}

/* cli_main_write - all of s[n] to fd; a terminal gone shows at the next
 * read */
static void
cli_main_write(int fd, const char *s, size_t n)
{
	(void)io_write_all(fd, s, n);
}

/* cli_main_key - one octet from the terminal, -1 at the end */
static int
cli_main_key(void)
{
	unsigned char b;
	ssize_t k;

	do {
		k = read(STDIN_FILENO, &b, 1);
	} while (k < 0 && errno == EINTR);
	return k == 1 ? b : -1;
}

/* cli_main_page - out on the terminal, a screen at a time: space for
 * the next screen, Enter for one more line, q to stop */
static void
cli_main_page(const struct cli_text *t, int page)
{
	const char *s = cli_text_str(t), *e;
	struct winsize ws;
	int rows = CLI_MAIN_ROWS, shown = 0, key;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1) {
		rows = ws.ws_row;
	}
	while (*s != '\0') {
		e = strchr(s, '\n');
		e = e != NULL ? e + 1 : s + strlen(s);
		if (page && shown >= rows - 1) {
			cli_main_write(STDOUT_FILENO, "---(more)---", 12);
			key = cli_main_key();
			cli_main_write(STDOUT_FILENO, "\r\x1b[K", 4);
			if (key == 'q' || key == 'Q' || key < 0 || key == 3) {
				return;
			}
			shown = key == ' ' ? 0 : rows - 2;
		}
		cli_main_write(STDOUT_FILENO, s, (size_t)(e - s));
		shown++;
		s = e;
	}
}

/* cli_main_script - stdin is not a terminal: plain lines */
static int
cli_main_script(struct cli *c)
{
	static char line[CLI_LINE_MAX + 1];
	struct cli_text out = { 0 };
	size_t n;
	int c2, skipping = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n') {
			line[--n] = '\0';
			if (skipping) {
				skipping = 0;
				continue;
			}
		} else if (!feof(stdin)) {
			printf("error: line too long (the limit is %d "
			       "characters)\n",
			    CLI_LINE_MAX - 1);
			while ((c2 = getchar()) != EOF && c2 != '\n') {
			}
			continue;
		}
		if (n > 0 && line[n - 1] == '\r') {
			line[--n] = '\0';
		}
		cli_text_reset(&out);
		if (cli_script_line(c, line, n, 1, &out) & CLI_EXIT) {
			fputs(cli_text_str(&out), stdout);
			break;
		}
		(void)cli_tick(c, time(NULL), &out);
		fputs(cli_text_str(&out), stdout);
	}
	cli_text_free(&out);
	return 0;
}

/* cli_main_event - act on one line editor event; 1 to leave */
static int
cli_main_event(struct cli *c, struct cli_edit *e, enum cli_edit_event ev,
    struct cli_text *out)
{
	unsigned flags;
	size_t n;

	switch (ev) {
	case CLI_EDIT_LINE:
		cli_text_add(out, "\n");
		cli_main_write(STDOUT_FILENO, out->p, out->len);
		cli_text_reset(out);
		cli_edit_remember(e, e->line, e->len);
		flags = cli_exec(c, e->line, e->len, out);
		cli_main_page(out, !(flags & CLI_NO_MORE));
		cli_text_reset(out);
		if (flags & CLI_EXIT) {
			return 1;
		}
		break;
	case CLI_EDIT_TOO_LONG:
		cli_text_add(out,
		    "\nerror: line too long (the limit is %d "
		    "characters)\n",
		    CLI_LINE_MAX - 1);
		break;
	case CLI_EDIT_CANCEL:
		cli_text_add(out, "^C\n");
		break;
	case CLI_EDIT_EOF:
		cli_text_add(out, "\n");
		return 1;
	case CLI_EDIT_HELP:
		cli_text_add(out, "?\n");
		cli_help(c, e->line, e->pos, out);
		cli_text_add(out, "%s", cli_prompt(c));
		cli_edit_redraw(e, out);
		return 0;
	case CLI_EDIT_TAB: {
		struct cli_text list = { 0 };

		e->pos = e->len; /* completion works at the end of the line */
		n = cli_complete(c, e->line, e->len, sizeof(e->line) - 1,
		    &list);
		if (list.len > 0) { /* candidates: under the line, then it */
			cli_text_add(out, "\n%s%s", cli_text_str(&list),
			    cli_prompt(c));
		}
		cli_text_free(&list);
		cli_edit_set(e, e->line, n);
		cli_edit_redraw(e, out);
		return 0;
	}
	case CLI_EDIT_NONE:
		return 0;
	}
	cli_text_add(out, "%s", cli_prompt(c));
	cli_edit_clear(e);
	e->prompt = strrchr(cli_prompt(c), '\n') != NULL ?
	    strrchr(cli_prompt(c), '\n') + 1 :
	    cli_prompt(c);
	return 0;
}

static int cli_main_idle; /* the session ended by the idle timeout */

/* cli_main_tty - the interactive loop on a terminal in raw mode; after
 * idle seconds without a key (0: never) the session ends */
static int
cli_main_tty(struct cli *c, unsigned idle)
{
	struct cli_edit *e = malloc(sizeof(*e));
	struct cli_text out = { 0 };
	struct termios saved, raw;
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
	time_t last = time(NULL);
	int key, done = 0;

	if (e == NULL || tcgetattr(STDIN_FILENO, &saved) != 0) {
		free(e);
		return cli_main_script(c);
	}
	raw = saved;
	/* no line discipline, no echo, no signals: the editor has the
	 * keys; output processing (\n to \r\n) stays on */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | ISTRIP);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	cli_edit_init(e, NULL);
	(void)cli_main_event(c, e, CLI_EDIT_CANCEL, &out);
	cli_text_reset(&out);
	cli_text_add(&out, "%s", cli_prompt(c));
	while (!done) {
		cli_main_write(STDOUT_FILENO, out.p, out.len);
		cli_text_reset(&out);
		if (poll(&p, 1, CLI_MAIN_TICK_MS) == 0) {
			if (idle > 0 && time(NULL) - last >= (time_t)idle) {
				cli_text_add(&out,
				    "\nidle timeout: logged out after %u "
				    "minutes\n",
				    idle / 60);
				cli_main_idle = 1;
				break;
			}
			if (cli_tick(c, time(NULL), &out)) {
				cli_text_add(&out, "%s", cli_prompt(c));
				cli_edit_redraw(e, &out);
			}
			continue;
		}
		if ((key = cli_main_key()) < 0) {
			break;
		}
		last = time(NULL);
		done = cli_main_event(c, e,
		    cli_edit_feed(e, (unsigned char)key, &out), &out);
	}
	cli_main_write(STDOUT_FILENO, out.p, out.len);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	cli_text_free(&out);
	free(e);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'd' },
		{ "factory", required_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'u' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "role", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 's' },
		{ "mail-config", required_argument, NULL, 'm' },
		{ "mail-daemon", required_argument, NULL, 'M' },
		{ "save-dir", required_argument, NULL, 'S' },
		{ "confirm-watch", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cli_main_mail mailfile = { CLI_MAIN_MAIL_CONFIG,
		CLI_MAIN_SEKIMORID };
	static struct ds_applier mail = { "mail", cli_main_apply_mail,
		&mailfile };
	static struct ds_applier accounts = { "accounts",
		cli_main_apply_accounts, NULL };
	const struct ds_clock clk = { cli_main_now, NULL };
	const char *dir = CLI_MAIN_CONFIG, *factory = CLI_MAIN_FACTORY;
	const char *user = getenv("USER"), *command = NULL, *role = NULL;
	const char *v, *savedir = CLI_MAIN_SAVED;
	char err[DS_ERR_MAX], why[DS_WHY_MAX];
	struct cli_hooks hooks = { cli_main_uptime, cli_main_queue, NULL,
		cli_main_log, cli_main_users, cli_main_interfaces };
	struct cli_main_audit log = { NULL, "console", CLI_MAIN_DATA };
	const struct cli_audit audit = { cli_main_record, cli_main_query,
		cli_main_export, &log };
	struct cli_text out = { 0 };
	enum nacm_role nrole;
	unsigned idle = 0;
	struct ds *ds;
	struct cli *c;
	int opt, rc = 0, watch = 0;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
			factory = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'D':
			log.data = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 's':
			log.source = optarg;
			break;
		case 'm':
			mailfile.file = optarg;
			break;
		case 'S':
			savedir = optarg;
			break;
		case 'M':
			mailfile.daemon = optarg;
			break;
		case 'W':
			watch = 1;
			break;
		case 'c':
			command = optarg;
			break;
		case 'h':
			cli_main_usage(stdout);
			return 0;
		case 'V':
			printf("sekimori-cli %s %s\n", SK_PRODUCT, SK_VERSION);
			return 0;
		default:
			cli_main_usage(stderr);
			return 1;
		}
	}
	user = user != NULL && user[0] != '\0' ? user : "unknown";
	if (ds_open(&ds, dir, factory, &clk, why, sizeof(why), err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-cli: %s\n", err);
		return 1;
	}
	if (why[0] != '\0') {
		fprintf(stderr, "sekimori-cli: %s\n", why);
	}
	hooks.arg = ds;
	if (watch) {
		if (ds_applier_add(ds, &mail, err, sizeof(err)) != SK_OK ||
		    ds_applier_add(ds, &accounts, err, sizeof(err)) != SK_OK) {
			fprintf(stderr, "sekimori-cli: %s\n", err);
			ds_close(ds);
			return 1;
		}
		cli_main_watch(ds, &log);
	}
	if (cli_main_role(ds, role, user, &nrole) != 0) {
		fprintf(stderr, "sekimori-cli: unknown role %s\n",
		    role != NULL ? role : "in the configuration");
		ds_close(ds);
		return 1;
	}
	if (ds_applier_add(ds, &mail, err, sizeof(err)) != SK_OK ||
	    ds_applier_add(ds, &accounts, err, sizeof(err)) != SK_OK ||
	    cli_new(&c, ds, user, &clk, &hooks, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-cli: %s\n", err);
		ds_close(ds);
		return 1;
	}
	cli_set_role(c, nrole);
	if (cli_set_save_dir(c, savedir) != SK_OK) {
		fprintf(stderr, "sekimori-cli: --save-dir: too long\n");
		cli_free(c);
		ds_close(ds);
		return 1;
	}
	v = cli_main_leaf(ds, CLI_MAIN_SYS "/login/audit-log-size");
	if (audit_open(&log.log, log.data,
		(uint64_t)(v != NULL ? strtoul(v, NULL, 10) : 16) << 20, err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-cli: %s (not audited)\n", err);
	}
	cli_set_audit(c, &audit);
	/* who is logged in: best effort (no /run/sekimori off the box) */
	(void)cli_session_register(CLI_MAIN_SESSIONS, user, log.source,
	    time(NULL));
	v = cli_main_leaf(ds, CLI_MAIN_SYS "/login/idle-timeout");
	idle = v != NULL ? (unsigned)strtoul(v, NULL, 10) * 60 : 0;
	if (command != NULL) {
		cli_set_batch(c, 1);
		(void)cli_exec(c, command, strlen(command), &out);
		if (strstr(cli_text_str(&out), "^\n") != NULL) {
			printf("%s\n",
			    command); /* what the caret points into */
		}
		fputs(cli_text_str(&out), stdout);
		rc = strncmp(cli_text_str(&out), "error", 5) == 0 ? 1 : 0;
	} else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		rc = cli_main_tty(c, idle);
	} else {
		rc = cli_main_script(c);
	}
	if (command == NULL) {
		cli_audit(c, AUDIT_LOGOUT, cli_main_idle ? "idle timeout" : "");
	}
	cli_session_unregister(CLI_MAIN_SESSIONS);
	cli_text_free(&out);
	cli_free(c);
	audit_close(log.log);
	ds_close(ds);
	return rc;
}
