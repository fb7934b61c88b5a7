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
 *                [-c "COMMAND"]
 *
 * sekimori-login execs it with the user, role and source of the login.
 * Without --role the user's role in the running configuration applies,
 * and admin for a user the configuration does not know: whoever can
 * start it directly already has a Unix shell (see README.md, "Roles").
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "../../firmware/queue/queue_ctlcli.h"
#include "../audit/audit.h"
#include "cli.h"
#include "cli_edit.h"
#include "version.h"

#define CLI_MAIN_CONFIG "/config"
#define CLI_MAIN_FACTORY "/etc/sekimori/factory.json"
#define CLI_MAIN_SOCKET "/data/spool/control" /* under mail root-directory */
#define CLI_MAIN_ROWS 24                      /* when the tty won't say */
#define CLI_MAIN_TICK_MS 1000
#define CLI_MAIN_DATA "/data"
#define CLI_MAIN_EXPORT "audit-export" /* in the data folder */
#define CLI_MAIN_SYS "/sekimori-system:system"

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

/* The "mail" applier: the datastore itself writes the committed JSON to
 * DIR/startup.json, which sekimorid reads when it starts; telling the
 * running daemon to reload is the next step (README.md). */
static enum sk_result
cli_main_apply_mail(void *arg, const struct lyd_node *tree, const char *json,
    size_t len, char *msg, size_t msglen)
{
	return SK_OK;
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
	    "SOURCE] [-c COMMAND]\n");
}

/* cli_main_write - all of s[n] to fd */
static void
cli_main_write(int fd, const char *s, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, s, n);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return;
		}
		s += k;
		n -= (size_t)k;
	}
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ds_applier mail = { "mail", cli_main_apply_mail, NULL };
	const struct ds_clock clk = { cli_main_now, NULL };
	const char *dir = CLI_MAIN_CONFIG, *factory = CLI_MAIN_FACTORY;
	const char *user = getenv("USER"), *command = NULL, *role = NULL;
	const char *v;
	char err[DS_ERR_MAX], why[DS_WHY_MAX];
	struct cli_hooks hooks = { cli_main_uptime, cli_main_queue, NULL };
	struct cli_main_audit log = { NULL, "console", CLI_MAIN_DATA };
	const struct cli_audit audit = { cli_main_record, cli_main_query,
		cli_main_export, &log };
	struct cli_text out = { 0 };
	enum nacm_role nrole;
	unsigned idle = 0;
	struct ds *ds;
	struct cli *c;
	int opt, rc = 0;

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
	if (cli_main_role(ds, role, user, &nrole) != 0) {
		fprintf(stderr, "sekimori-cli: unknown role %s\n",
		    role != NULL ? role : "in the configuration");
		ds_close(ds);
		return 1;
	}
	if (ds_applier_add(ds, &mail, err, sizeof(err)) != SK_OK ||
	    cli_new(&c, ds, user, &clk, &hooks, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-cli: %s\n", err);
		ds_close(ds);
		return 1;
	}
	cli_set_role(c, nrole);
	v = cli_main_leaf(ds, CLI_MAIN_SYS "/login/audit-log-size");
	if (audit_open(&log.log, log.data,
		(uint64_t)(v != NULL ? strtoul(v, NULL, 10) : 16) << 20, err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-cli: %s (not audited)\n", err);
	}
	cli_set_audit(c, &audit);
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
	cli_text_free(&out);
	cli_free(c);
	audit_close(log.log);
	ds_close(ds);
	return rc;
}
