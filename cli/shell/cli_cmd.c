/*
 * cli_cmd.c - the commands: the grammar tables of operational and
 * configure mode (STYLE.md item 8: tables, not switch ladders) and one
 * handler per command. Handlers only call the datastore (cli/datastore)
 * and the hooks; the model's rules live in the YANG modules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/status/status.h"
#include "cli_int.h"
#include "version.h"

#define CLI_CONFIRM_DEFAULT 10 /* commit confirmed: minutes, as Junos */
#define CLI_QUEUE_REQ_MAX 64   /* "release 0123456789ABCDEF" */

/* cli_number - word as an unsigned in lo..hi; 0 and a caret if not */
static int
cli_number(struct cli *c, const struct cli_call *call, size_t idx, unsigned lo,
    unsigned hi, unsigned *out, struct cli_text *o)
{
	const char *s = call->w->w[idx];
	char msg[CLI_MSG_MAX];
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && v <= hi; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v < lo || v > hi) {
		snprintf(msg, sizeof(msg), "invalid value: out of range %u..%u",
		    lo, hi);
		cli_caret(c, call->w, idx, msg, o);
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

/* cli_time - t as "2026-11-25 10:00:00 UTC" */
static const char *
cli_time(time_t t)
{
	static char buf[64];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	}
	return buf;
}

/* cli_advanced - whether the walk went below the edit level */
static int
cli_advanced(const struct cli *c, const struct cli_walk *wk)
{
	return wk->datalen > c->edit.datalen;
}

/* cli_ds_result - "error: MSG" for a failed datastore call */
static int
cli_ds_ok(enum sk_result r, const char *err, struct cli_text *out)
{
	if (r != SK_OK) {
		cli_text_add(out, "error: %s\n", err);
		return 0;
	}
	return 1;
}

/* ---- showing configuration --------------------------------------------- */

/* cli_show_one - node alone (no siblings) as curly-brace text */
static void
cli_show_one(const struct lyd_node *node, struct cli_text *out)
{
	struct lyd_node *dup = NULL;
	char *text = NULL;

	if (lyd_dup_single(node, NULL, LYD_DUP_RECURSIVE, &dup) == LY_SUCCESS &&
	    ds_render(dup, 0, &text) == SK_OK) {
		cli_text_add(out, "%s", text);
	}
	free(text);
	lyd_free_tree(dup);
}

/* cli_show_tree - what the walk names in tree: everything, the inside
 * of a container or list entry, or the entries and leaves it names */
static void
cli_show_tree(const struct lyd_node *tree, const struct cli_walk *wk,
    struct cli_text *out)
{
	struct lyd_node *node = NULL;
	struct ly_set *set = NULL;
	char *text = NULL;
	uint32_t i;

	if (tree == NULL) {
		return;
	}
	if (wk->want == CLI_WANT_CHILD) {
		if (wk->datalen == 0) {
			(void)ds_render(tree, 0, &text);
		} else if (lyd_find_path(tree, wk->data, 0, &node) ==
		    LY_SUCCESS) {
			(void)ds_render(lyd_child(node), 0, &text);
		}
		cli_text_add(out, "%s", text != NULL ? text : "");
		free(text);
		return;
	}
	if (lyd_find_xpath(tree, wk->data, &set) != LY_SUCCESS) {
		return;
	}
	for (i = 0; i < set->count; i++) {
		cli_show_one(set->dnodes[i], out);
	}
	ly_set_free(set, NULL);
}

/* ---- operational mode -------------------------------------------------- */

static void
cli_show_configuration(struct cli *c, struct cli_call *call,
    struct cli_text *out)
{
	cli_show_tree(ds_running(c->ds), &call->walk, out);
}

static void
cli_show_system(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	struct ds_commit_info ci;
	long up = c->hooks.uptime != NULL ? c->hooks.uptime(c->hooks.arg) : -1;

	cli_text_add(out, "Hostname: %s\n", cli_host(c));
	cli_text_add(out, "Version: %s %s\n", SK_PRODUCT, SK_VERSION);
	cli_text_add(out, "Current time: %s\n",
	    cli_time(c->clock.now(c->clock.arg)));
	if (up >= 0) {
		cli_text_add(out, "Uptime: %ld days, %02ld:%02ld:%02ld\n",
		    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	} else {
		cli_text_add(out, "Uptime: unknown\n");
	}
	if (ds_history_get(c->ds, 0, &ci) == SK_OK) {
		cli_text_add(out, "Last configured: %s by %s\n",
		    cli_time(ci.time), ci.user);
	}
}

static void
cli_show_commit(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	static const char *const how[] = { "commit", "commit confirmed",
		"rollback", "boot" };
	struct ds_commit_info ci;
	unsigned i;

	for (i = 0; ds_history_get(c->ds, i, &ci) == SK_OK; i++) {
		cli_text_add(out, "%-3u %s by %s via %s%s%s\n", i,
		    cli_time(ci.time), ci.user,
		    (unsigned)ci.how < SK_NELEM(how) ? how[ci.how] : "?",
		    ci.comment[0] != '\0' ? "\n    " : "", ci.comment);
	}
}

/*
 * cli_show_status - what sekimori-status prints (firmware/status's
 * status_run: the same lines, so the QEMU boot test parses either),
 * read from the running system's /proc, /etc and /data.
 */
static void
cli_show_status(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		cli_text_add(out, "error: out of memory\n");
		return;
	}
	(void)status_run("", f);
	if (fclose(f) == 0 && buf != NULL) {
		cli_text_addn(out, buf, len);
	} else {
		cli_text_add(out, "error: out of memory\n");
	}
	free(buf);
}

/* cli_show_log - the system log: syslogd's ring buffer in memory (the
 * mail log lines keyed by queue id, logins, the daemons' messages);
 * "| match QUEUEID" finds one message's lines */
static void
cli_show_log(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	(void)call;
	if (c->hooks.log == NULL) {
		cli_text_add(out, "error: no system log here\n");
		return;
	}
	(void)c->hooks.log(c->hooks.arg, out);
}

/* cli_show_users - the CLI sessions logged in now (console and SSH) */
static void
cli_show_users(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	(void)call;
	if (c->hooks.users == NULL) {
		cli_text_add(out, "error: no session list here\n");
		return;
	}
	(void)c->hooks.users(c->hooks.arg, out);
}

/* cli_show_interfaces - the network interfaces, their state and addresses */
static void
cli_show_interfaces(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	(void)call;
	if (c->hooks.interfaces == NULL) {
		cli_text_add(out, "error: no interfaces here\n");
		return;
	}
	(void)c->hooks.interfaces(c->hooks.arg, out);
}

/* cli_queue - one request to the queue's control socket */
static void
cli_queue(struct cli *c, const char *request, struct cli_text *out)
{
	if (c->hooks.mail_queue == NULL) {
		cli_text_add(out, "error: the mail queue is not available\n");
		return;
	}
	(void)c->hooks.mail_queue(c->hooks.arg, request, out);
}

static void
cli_show_queue(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	cli_queue(c, "list", out);
}

static void
cli_request_queue(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	static const char *const verbs[] = { "flush", "hold", "release",
		"delete" };
	const char *id = cli_call_arg(call, "<id>", NULL);
	char req[CLI_QUEUE_REQ_MAX];
	size_t i;

	for (i = 0; i < SK_NELEM(verbs); i++) {
		if (cli_call_kw(call, verbs[i])) {
			snprintf(req, sizeof(req), "%s%s%.20s", verbs[i],
			    id != NULL ? " " : "", id != NULL ? id : "");
			cli_queue(c, req, out);
			return;
		}
	}
}

/* cli_show_quarantine - the quarantine, or one message of it */
static void
cli_show_quarantine(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const char *id = cli_call_arg(call, "<id>", NULL);
	char req[CLI_QUEUE_REQ_MAX];

	if (id == NULL) {
		cli_queue(c, "quarantine list", out);
		return;
	}
	snprintf(req, sizeof(req), "quarantine show %.20s", id);
	cli_queue(c, req, out);
}

/* cli_request_quarantine - release or delete a quarantined message */
static void
cli_request_quarantine(struct cli *c, struct cli_call *call,
    struct cli_text *out)
{
	static const char *const verbs[] = { "release", "delete" };
	const char *id = cli_call_arg(call, "<id>", NULL);
	char req[CLI_QUEUE_REQ_MAX];
	size_t i;

	for (i = 0; id != NULL && i < SK_NELEM(verbs); i++) {
		if (cli_call_kw(call, verbs[i])) {
			snprintf(req, sizeof(req), "quarantine %s %.20s",
			    verbs[i], id);
			cli_queue(c, req, out);
			return;
		}
	}
}

static void
cli_configure(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	char err[DS_ERR_MAX];

	if (cli_call_kw(call, "exclusive")) {
		if (!cli_ds_ok(ds_lock(c->s, err, sizeof(err)), err, out)) {
			return;
		}
		c->exclusive = 1;
		cli_text_add(out,
		    "warning: uncommitted changes will be discarded on "
		    "exit\n");
	}
	c->mode = CLI_MODE_CONFIGURE;
	cli_walk_start(c, &c->edit, CLI_FOR_EDIT, 1);
	cli_text_add(out, "Entering configuration mode\n");
	if (cli_uncommitted(c)) {
		cli_text_add(out,
		    "The configuration has been changed but not "
		    "committed\n");
	}
}

static void
cli_quit(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	call->flags |= CLI_EXIT;
}

/* The lines of "help", each shown when the role may run a command that
 * starts with its words (two at most: the first of cli_op_root, then
 * one of what follows it). */
static const struct {
	const char *word, *word2; /* word2 NULL: any that follows */
	const char *line;
} cli_help_topics[] = {
	{ "configure", NULL,
	    "  configure        edit the configuration (commit to apply)\n" },
	{ "show", NULL,
	    "  show ...         show the configuration and the system\n" },
	{ "request", "mail", "  request ...      act on the mail queue\n" },
	{ "request", "system",
	    "  request system audit export NAME\n"
	    "                   write the audit log as CSV\n" },
	{ "clear", NULL,
	    "  clear mail statistics\n"
	    "                   count the mail statistics from zero\n" },
	{ "file", NULL, "  file list        the saved configurations\n" },
	{ "exit", NULL, "  exit             leave the CLI\n" },
};

/* cli_node_named - the node of list with keyword word, or NULL */
static const struct cli_node *
cli_node_named(const struct cli_node *list, const char *word)
{
	for (; list != NULL && list->word != NULL; list++) {
		if (strcmp(list->word, word) == 0) {
			return list;
		}
	}
	return NULL;
}

static void
cli_help_cmd(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const struct cli_node *stack[CLI_WORDS_MAX], *n, *n2;
	size_t i, k = call->n - 1; /* the words before "help": "run" */

	cli_text_add(out,
	    "Type ? at any point to list what may follow, TAB to complete "
	    "a word.\n"
	    "Words may be shortened while they stay unique: \"sh conf\".\n");
	memcpy(stack, call->node, k * sizeof(stack[0]));
	for (i = 0; i < SK_NELEM(cli_help_topics); i++) {
		n = cli_node_named(cli_op_root, cli_help_topics[i].word);
		n2 = n != NULL && cli_help_topics[i].word2 != NULL ?
		    cli_node_named(n->next, cli_help_topics[i].word2) :
		    NULL;
		stack[k] = n;
		if (n != NULL && k + 1 < CLI_WORDS_MAX &&
		    (n2 != NULL ? cli_visible(c, stack, k + 1, n2) :
				  cli_visible(c, stack, k, n))) {
			cli_text_add(out, "%s", cli_help_topics[i].line);
		}
	}
	cli_text_add(out,
	    "Output of show can be filtered: show configuration | match "
	    "port\n");
}

/* ---- the audit log (cli.h: roles and the audit log) -------------------- */

#define CLI_EXPORT_NAME_MAX 64 /* request system audit export NAME */

struct cli_audit_show {
	struct cli_text *out;
	size_t rows;
};

/* cli_audit_line - one row: time, user, source, event and the first
 * line of the detail; its other lines (a commit's diff) indented */
static int
cli_audit_line(void *ctx, const struct cli_audit_row *r)
{
	struct cli_audit_show *sh = ctx;
	const char *d = r->detail, *e;

	if (sh->rows++ == 0) {
		cli_text_add(sh->out, "%-23s %-12s %-16s %-13s %s\n", "Time",
		    "User", "Source", "Event", "Detail");
	}
	e = strchr(d, '\n');
	cli_text_add(sh->out, "%-23s %-12s %-16s %-13s %.*s\n",
	    cli_time(r->time), r->user, r->source, r->event,
	    (int)(e != NULL ? (size_t)(e - d) : strlen(d)), d);
	while (e != NULL && e[1] != '\0') {
		d = e + 1;
		e = strchr(d, '\n');
		cli_text_add(sh->out, "    %.*s\n",
		    (int)(e != NULL ? (size_t)(e - d) : strlen(d)), d);
	}
	return 0;
}

/* cli_since - "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" (UTC) as time */
static int
cli_since(const char *s, time_t *out)
{
	struct tm tm;
	char tail;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 && strlen(s) != 16 && strlen(s) != 19) {
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		&n) != 3 ||
	    n != 10) {
		return 0;
	}
	if (s[10] != '\0' &&
	    (sscanf(s + 10, "T%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) != 2 ||
		n != 6 ||
		(s[16] != '\0' &&
		    sscanf(s + 16, ":%2d%c", &tm.tm_sec, &tail) != 1))) {
		return 0;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59 || tm.tm_year < 1970) {
		return 0;
	}
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

static void
cli_show_audit(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const struct cli_audit *a = cli_audit_hooks(c);
	struct cli_audit_filter f = { NULL, NULL, 0 };
	struct cli_audit_show sh = { out, 0 };
	const char *since = cli_call_arg(call, "<time>", NULL);
	size_t idx;

	if (a->query == NULL) {
		cli_text_add(out, "error: the audit log is not available\n");
		return;
	}
	f.user = cli_call_arg(call, "<user>", NULL);
	f.event = cli_call_arg(call, "<event>", NULL);
	if (since != NULL && !cli_since(since, &f.since)) {
		(void)cli_call_arg(call, "<time>", &idx);
		cli_caret(c, call->w, idx,
		    "invalid value: a time is YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS] (UTC)",
		    out);
		return;
	}
	if (a->query(a->arg, &f, cli_audit_line, &sh) != 0) {
		cli_text_add(out, "error: cannot read the audit log\n");
	} else if (sh.rows == 0) {
		cli_text_add(out, "No audit entries\n");
	}
}

static void
cli_request_audit_export(struct cli *c, struct cli_call *call,
    struct cli_text *out)
{
	const struct cli_audit *a = cli_audit_hooks(c);
	size_t idx, n;
	const char *name = cli_call_arg(call, "<file>", &idx);
	char msg[DS_ERR_MAX];

	n = name != NULL ? strlen(name) : 0;
	/* a plain name: the program decides the folder (README.md) */
	if (n == 0 || n > CLI_EXPORT_NAME_MAX || name[0] == '.' ||
	    strspn(name,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789._-") != n) {
		cli_caret(c, call->w, idx,
		    "invalid value: a file name of letters, digits, '.', '_' "
		    "and '-' (no folder)",
		    out);
		return;
	}
	if (a->export == NULL) {
		cli_text_add(out, "error: the audit log is not available\n");
		return;
	}
	if (a->export(a->arg, name, msg, sizeof(msg)) != 0) {
		cli_text_add(out, "error: %s\n", msg);
		return;
	}
	cli_text_add(out, "%s\n", msg);
}

/* ---- configure mode ---------------------------------------------------- */

static void
cli_set(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const struct cli_walk *wk = &call->walk;
	const struct lysc_node *n = wk->node;
	char err[DS_ERR_MAX], msg[CLI_MSG_MAX];
	enum sk_result r;

	if (wk->want == CLI_WANT_DONE && wk->value != NULL) {
		r = ds_set(c->s, wk->data, wk->value, err, sizeof(err));
	} else if (wk->want == CLI_WANT_DONE ||
	    (wk->want == CLI_WANT_CHILD && cli_advanced(c, wk) &&
		(n->nodetype == LYS_LIST || (n->flags & LYS_PRESENCE)))) {
		r = ds_create(c->s, wk->data, err, sizeof(err));
	} else {
		cli_walk_expect(wk, msg, sizeof(msg));
		cli_caret(c, call->w, call->n, msg, out);
		return;
	}
	(void)cli_ds_ok(r, err, out);
}

static void
cli_delete(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const struct cli_walk *wk = &call->walk;
	char err[DS_ERR_MAX], msg[CLI_MSG_MAX];
	enum sk_result r;

	if (!cli_advanced(c, wk) || wk->want == CLI_WANT_KEY ||
	    (wk->want == CLI_WANT_VALUE &&
		wk->node->nodetype == LYS_LEAFLIST)) {
		cli_walk_expect(wk, msg, sizeof(msg));
		cli_caret(c, call->w, call->n,
		    cli_advanced(c, wk) ? msg :
					  "syntax error, expecting what "
					  "to delete",
		    out);
		return;
	}
	r = ds_delete(c->s, wk->data, err, sizeof(err));
	if (r == SK_E_UNKNOWN) {
		cli_text_add(out, "warning: statement not found\n");
		return;
	}
	(void)cli_ds_ok(r, err, out);
}

static void
cli_edit(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	if (call->walk.want != CLI_WANT_CHILD) {
		cli_caret(c, call->w, call->n,
		    "syntax error, edit goes to a container or list entry",
		    out);
		return;
	}
	c->edit = call->walk;
	c->edit.purpose = CLI_FOR_EDIT;
}

/* cli_up_one - the edit level one up; 0 when at the top already */
static int
cli_up_one(struct cli *c)
{
	struct cli_walk *e = &c->edit;

	if (e->nlv == 0) {
		return 0;
	}
	e->nlv--;
	if (e->nlv == 0) {
		cli_walk_start(c, e, CLI_FOR_EDIT, 1);
		return 1;
	}
	e->datalen = e->lv[e->nlv - 1].datalen;
	e->wordslen = e->lv[e->nlv - 1].wordslen;
	e->node = e->lv[e->nlv - 1].node;
	e->data[e->datalen] = '\0';
	e->words[e->wordslen] = '\0';
	e->want = CLI_WANT_CHILD;
	return 1;
}

static void
cli_up(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	if (!cli_up_one(c)) {
		cli_text_add(out,
		    "warning: already at the top of the configuration\n");
	}
}

static void
cli_top(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	cli_walk_start(c, &c->edit, CLI_FOR_EDIT, 1);
}

static void
cli_exit(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	if (!cli_call_kw(call, "configuration-mode") && cli_up_one(c)) {
		return;
	}
	if (cli_uncommitted(c)) {
		cli_text_add(out,
		    "The configuration has been changed but not "
		    "committed\n");
		c->asking = 1;
		return;
	}
	cli_leave_configure(c, out);
}

static void
cli_show(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	char *text = NULL, err[DS_ERR_MAX];

	if (call->compare) {
		if (cli_ds_ok(ds_compare(c->s, call->compare_n, 0, &text, err,
				  sizeof(err)),
			err, out)) {
			cli_text_add(out, "%s", text);
		}
		free(text);
		return;
	}
	cli_show_tree(cli_tree(c), &call->walk, out);
}

static void
cli_commit(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const char *comment = cli_call_arg(call, "<comment>", NULL);
	unsigned minutes = 0;
	char err[DS_ERR_MAX];
	enum sk_result r;
	size_t idx;

	if (cli_call_kw(call, "check")) {
		if (ds_commit_check(c->s, err, sizeof(err)) != SK_OK) {
			cli_text_add(out,
			    "error: %s\nerror: configuration check-out "
			    "failed\n",
			    err);
		} else {
			cli_text_add(out, "configuration check succeeds\n");
		}
		return;
	}
	if (cli_call_kw(call, "confirmed")) {
		minutes = CLI_CONFIRM_DEFAULT;
		if (cli_call_arg(call, "<minutes>", &idx) != NULL &&
		    !cli_number(c, call, idx, 1, DS_CONFIRM_MAX, &minutes,
			out)) {
			return;
		}
	}
	if ((r = ds_commit(c->s, comment, minutes, err, sizeof(err))) !=
	    SK_OK) {
		/* a service refused (ds.h SK_E_CLOSED): its answer is the
		 * reason; anything else is the model's error as before */
		if (r == SK_E_CLOSED) {
			cli_text_add(out, "error: commit failed: %s\n", err);
		} else {
			cli_text_add(out, "error: %s\nerror: commit failed\n",
			    err);
		}
		return;
	}
	if (ds_applied_note(c->ds)[0] != '\0') {
		cli_text_add(out, "warning: %s\n", ds_applied_note(c->ds));
	}
	if (minutes > 0) {
		cli_text_add(out,
		    "commit confirmed will be automatically rolled back in "
		    "%u minutes unless confirmed\n",
		    minutes);
	}
	cli_text_add(out, "commit complete\n");
	if (cli_call_kw(call, "and-quit")) {
		cli_leave_configure(c, out);
	}
}

static void
cli_rollback(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	unsigned n = 0;
	char err[DS_ERR_MAX];
	size_t idx;

	if (cli_call_arg(call, "<number>", &idx) != NULL &&
	    !cli_number(c, call, idx, 0, DS_ROLLBACK_MAX - 1, &n, out)) {
		return;
	}
	if (cli_ds_ok(ds_rollback(c->s, n, err, sizeof(err)), err, out)) {
		cli_text_add(out, "load complete\n");
	}
}

/* cli_file_name - the <file> argument if it names a saved file
 * (cli_saved_name_ok), else NULL and a caret naming the rule */
static const char *
cli_file_name(struct cli *c, const struct cli_call *call, struct cli_text *out)
{
	size_t idx = 0;
	const char *name = cli_call_arg(call, "<file>", &idx);

	if (name != NULL && cli_saved_name_ok(name)) {
		return name;
	}
	cli_caret(c, call->w, idx,
	    "invalid value: a saved file's name is 1 to 64 letters, digits, "
	    "'.', '_' or '-', starting with a letter or digit, without "
	    "\"..\"; no folder (file list shows the saved files)",
	    out);
	return NULL;
}

static void
cli_load(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const char *file = NULL;
	char err[DS_ERR_MAX];
	enum sk_result r;

	if (cli_call_kw(call, "factory-default")) {
		r = ds_load_factory(c->s, err, sizeof(err));
	} else if ((file = cli_file_name(c, call, out)) == NULL) {
		return;
	} else {
		r = cli_saved_load(c,
		    cli_call_kw(call, "replace") ? DS_LOAD_REPLACE :
						   DS_LOAD_MERGE,
		    file, err, sizeof(err));
	}
	if (cli_ds_ok(r, err, out)) {
		cli_text_add(out, "load complete\n");
	}
}

static void
cli_save(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	const char *file = cli_file_name(c, call, out);
	char err[DS_ERR_MAX];

	if (file != NULL &&
	    cli_ds_ok(cli_saved_save(c, file, err, sizeof(err)), err, out)) {
		cli_text_add(out, "Wrote %s\n", file);
	}
}

/* cli_file_list - "file list": the saved files, for load */
static void
cli_file_list(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	cli_saved_list(c, out);
}

static void
cli_status(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	time_t deadline = ds_confirm_deadline(c->ds);

	cli_text_add(out, "Users currently editing the configuration:\n");
	cli_text_add(out, "  this session [edit%.*s]%s%s\n",
	    (int)c->edit.wordslen, c->edit.words,
	    c->exclusive ? ", exclusive" : "",
	    cli_uncommitted(c) ? ", uncommitted changes" : "");
	if (deadline != 0) {
		cli_text_add(out,
		    "A commit confirmed rolls back at %s unless confirmed\n",
		    cli_time(deadline));
	}
}

/* ---- the grammar ----------------------------------------------------- */

#define END                                  \
	{                                    \
		NULL, 0, NULL, NULL, NULL, 0 \
	}

static const struct cli_node cli_show_conf_path[] = {
	{ "<path>", CLI_PATH, "A configuration path", NULL,
	    cli_show_configuration, CLI_FOR_EDIT },
	END,
};
static const struct cli_node cli_show_sys_next[] = {
	{ "commit", CLI_KW, "The commit history (for rollback)", NULL,
	    cli_show_commit, 0 },
	{ "status", CLI_KW, "Boot slot, mounts, boot count, services", NULL,
	    cli_show_status, 0 },
	{ "users", CLI_KW, "Who is logged in to the CLI (console and SSH)",
	    NULL, cli_show_users, 0 },
	END,
};
static const struct cli_node cli_show_quar_id[] = {
	{ "<id>", CLI_ARG, "A queue id (16 characters of 0-9 and A-V)", NULL,
	    cli_show_quarantine, 0 },
	END,
};
static const struct cli_node cli_show_mail_next[] = {
	{ "authentication-results", CLI_KW,
	    "Sender authentication of recent inbound mail", cli_authres_next,
	    cli_show_authres, 0 },
	{ "quarantine", CLI_KW,
	    "Messages kept in quarantine, or one of them in full",
	    cli_show_quar_id, cli_show_quarantine, 0 },
	{ "queue", CLI_KW, "The messages in the mail queue", NULL,
	    cli_show_queue, 0 },
	{ "statistics", CLI_KW,
	    "Counters of the mail service since start and since clear", NULL,
	    cli_show_stats, 0 },
	END,
};
/* show audit [user NAME] [event WORD] [since TIME], in any order */
static const struct cli_node cli_audit_opts[4];
static const struct cli_node cli_audit_user[] = {
	{ "<user>", CLI_ARG, "A user name", cli_audit_opts, cli_show_audit, 0 },
	END,
};
static const struct cli_node cli_audit_event[] = {
	{ "<event>", CLI_ARG,
	    "login, login-failed, logout, commit, rollback, request, denied",
	    cli_audit_opts, cli_show_audit, 0 },
	END,
};
static const struct cli_node cli_audit_since[] = {
	{ "<time>", CLI_ARG, "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)",
	    cli_audit_opts, cli_show_audit, 0 },
	END,
};
static const struct cli_node cli_audit_opts[4] = {
	{ "event", CLI_KW, "Only this event", cli_audit_event, NULL, 0 },
	{ "since", CLI_KW, "Only entries from this time on", cli_audit_since,
	    NULL, 0 },
	{ "user", CLI_KW, "Only this user's entries", cli_audit_user, NULL, 0 },
	END,
};
static const struct cli_node cli_audit_file[] = {
	{ "<file>", CLI_ARG, "A file name for the CSV (no folder)", NULL,
	    cli_request_audit_export, 0 },
	END,
};
static const struct cli_node cli_audit_verbs[] = {
	{ "export", CLI_KW, "Write the audit log as CSV", cli_audit_file, NULL,
	    0 },
	END,
};
static const struct cli_node cli_req_system_next[] = {
	{ "audit", CLI_KW, "Act on the audit log", cli_audit_verbs, NULL, 0 },
	END,
};
static const struct cli_node cli_show_next[] = {
	{ "audit", CLI_KW, "The audit log of administrator activity",
	    cli_audit_opts, cli_show_audit, 0 },
	{ "configuration", CLI_KW, "The running configuration",
	    cli_show_conf_path, cli_show_configuration, 0 },
	{ "interfaces", CLI_KW, "Network interfaces: state, MTU, addresses",
	    NULL, cli_show_interfaces, 0 },
	{ "log", CLI_KW, "The system log (newest last; | match to filter)",
	    NULL, cli_show_log, 0 },
	{ "mail", CLI_KW, "The mail service", cli_show_mail_next, NULL, 0 },
	{ "system", CLI_KW, "Host name, version, uptime", cli_show_sys_next,
	    cli_show_system, 0 },
	END,
};
static const struct cli_node cli_queue_id[] = {
	{ "<id>", CLI_ARG, "A queue id (16 characters of 0-9 and A-V)", NULL,
	    cli_request_queue, 0 },
	END,
};
static const struct cli_node cli_queue_verbs[] = {
	{ "delete", CLI_KW, "Remove a message without a bounce", cli_queue_id,
	    NULL, 0 },
	{ "flush", CLI_KW, "Make deferred mail due now", cli_queue_id,
	    cli_request_queue, 0 },
	{ "hold", CLI_KW, "Hold a message", cli_queue_id, NULL, 0 },
	{ "release", CLI_KW, "Release a held message", cli_queue_id, NULL, 0 },
	END,
};
static const struct cli_node cli_quar_id[] = {
	{ "<id>", CLI_ARG, "A queue id (16 characters of 0-9 and A-V)", NULL,
	    cli_request_quarantine, 0 },
	END,
};
static const struct cli_node cli_quar_verbs[] = {
	{ "delete", CLI_KW, "Remove a quarantined message", cli_quar_id, NULL,
	    0 },
	{ "release", CLI_KW,
	    "Deliver a quarantined message, unchanged, to its recipients",
	    cli_quar_id, NULL, 0 },
	END,
};
static const struct cli_node cli_req_mail_next[] = {
	{ "quarantine", CLI_KW, "Act on the quarantine", cli_quar_verbs, NULL,
	    0 },
	{ "queue", CLI_KW, "Act on the mail queue", cli_queue_verbs, NULL, 0 },
	END,
};
static const struct cli_node cli_clear_mail_next[] = {
	{ "statistics", CLI_KW, "Count the mail statistics from zero again",
	    NULL, cli_clear_stats, 0 },
	END,
};
static const struct cli_node cli_clear_next[] = {
	{ "mail", CLI_KW, "The mail service", cli_clear_mail_next, NULL, 0 },
	END,
};
static const struct cli_node cli_request_next[] = {
	{ "mail", CLI_KW, "The mail service", cli_req_mail_next, NULL, 0 },
	{ "system", CLI_KW, "The system", cli_req_system_next, NULL, 0 },
	END,
};
static const struct cli_node cli_file_next[] = {
	{ "list", CLI_KW, "The saved files (load and save name them)", NULL,
	    cli_file_list, 0 },
	END,
};
static const struct cli_node cli_configure_next[] = {
	{ "exclusive", CLI_KW, "Lock the configuration while editing", NULL,
	    cli_configure, 0 },
	END,
};

const struct cli_node cli_op_root[] = {
	{ "clear", CLI_KW, "Reset counters", cli_clear_next, NULL, 0 },
	{ "configure", CLI_KW, "Enter configuration mode", cli_configure_next,
	    cli_configure, 0 },
	{ "exit", CLI_KW, "Leave the CLI", NULL, cli_quit, 0 },
	{ "file", CLI_KW, "Saved configuration files", cli_file_next, NULL, 0 },
	{ "help", CLI_KW, "How to use the CLI", NULL, cli_help_cmd, 0 },
	{ "quit", CLI_KW, "Leave the CLI", NULL, cli_quit, 0 },
	{ "request", CLI_KW, "Act on a service", cli_request_next, NULL, 0 },
	{ "show", CLI_KW, "Show information", cli_show_next, NULL, 0 },
	END,
};

static const struct cli_node cli_set_path[] = {
	{ "<path>", CLI_PATH, "A configuration path", NULL, cli_set,
	    CLI_FOR_SET },
	END,
};
static const struct cli_node cli_delete_path[] = {
	{ "<path>", CLI_PATH, "A configuration path", NULL, cli_delete,
	    CLI_FOR_DELETE },
	END,
};
static const struct cli_node cli_edit_path[] = {
	{ "<path>", CLI_PATH, "A configuration path", NULL, cli_edit,
	    CLI_FOR_EDIT },
	END,
};
static const struct cli_node cli_show_path[] = {
	{ "<path>", CLI_PATH, "A configuration path", NULL, cli_show,
	    CLI_FOR_EDIT },
	END,
};
static const struct cli_node cli_minutes[] = {
	{ "<minutes>", CLI_ARG, "Minutes until the rollback (1..65535)", NULL,
	    cli_commit, 0 },
	END,
};
static const struct cli_node cli_comment[] = {
	{ "<comment>", CLI_ARG, "A comment for the history (quote spaces)",
	    NULL, cli_commit, 0 },
	END,
};
static const struct cli_node cli_commit_next[] = {
	{ "and-quit", CLI_KW, "Commit, then leave configuration mode", NULL,
	    cli_commit, 0 },
	{ "check", CLI_KW, "Validate only, change nothing", NULL, cli_commit,
	    0 },
	{ "comment", CLI_KW, "Commit with a comment", cli_comment, NULL, 0 },
	{ "confirmed", CLI_KW,
	    "Roll back by itself unless confirmed (default 10 minutes)",
	    cli_minutes, cli_commit, 0 },
	END,
};
static const struct cli_node cli_rollback_next[] = {
	{ "<number>", CLI_ARG, "Which commit: 0 is running, up to 49", NULL,
	    cli_rollback, 0 },
	END,
};
static const struct cli_node cli_load_file[] = {
	{ "<file>", CLI_ARG, "A saved file (run file list shows them)", NULL,
	    cli_load, 0 },
	END,
};
static const struct cli_node cli_save_file[] = {
	{ "<file>", CLI_ARG,
	    "A name for the saved file (letters, digits, . _ -)", NULL,
	    cli_save, 0 },
	END,
};
static const struct cli_node cli_load_next[] = {
	{ "factory-default", CLI_KW, "The factory configuration", NULL,
	    cli_load, 0 },
	{ "merge", CLI_KW, "Merge a file into the configuration", cli_load_file,
	    NULL, 0 },
	{ "replace", CLI_KW, "Replace the configuration with a file",
	    cli_load_file, NULL, 0 },
	END,
};
static const struct cli_node cli_exit_next[] = {
	{ "configuration-mode", CLI_KW, "Leave configuration mode", NULL,
	    cli_exit, 0 },
	END,
};

const struct cli_node cli_conf_root[] = {
	{ "commit", CLI_KW, "Apply the changes", cli_commit_next, cli_commit,
	    0 },
	{ "delete", CLI_KW, "Delete a statement", cli_delete_path, NULL, 0 },
	{ "edit", CLI_KW, "Go to a level of the configuration", cli_edit_path,
	    NULL, 0 },
	{ "exit", CLI_KW, "Go up a level, or leave configuration mode",
	    cli_exit_next, cli_exit, 0 },
	{ "load", CLI_KW, "Load a configuration", cli_load_next, NULL, 0 },
	{ "quit", CLI_KW, "Go up a level, or leave configuration mode",
	    cli_exit_next, cli_exit, 0 },
	{ "rollback", CLI_KW, "Load a previous commit (default 0)",
	    cli_rollback_next, cli_rollback, 0 },
	{ "run", CLI_KW, "Run an operational command", cli_op_root, NULL, 0 },
	{ "save", CLI_KW, "Save the configuration to a file", cli_save_file,
	    NULL, 0 },
	{ "set", CLI_KW, "Set a value or create an entry", cli_set_path, NULL,
	    0 },
	{ "show", CLI_KW, "Show the configuration being edited", cli_show_path,
	    cli_show, 0 },
	{ "status", CLI_KW, "Who is editing the configuration", NULL,
	    cli_status, 0 },
	{ "top", CLI_KW, "Go to the top level", NULL, cli_top, 0 },
	{ "up", CLI_KW, "Go up one level", NULL, cli_up, 0 },
	END,
};
