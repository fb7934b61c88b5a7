/*
 * cli_authres.c - `show mail authentication-results`: the sender
 * authentication of recent inbound mail, from the policy process's
 * recent-results store (firmware/policy/policy_report.h), opened
 * read-only (WAL: the daemon goes on writing meanwhile).
 *
 *   show mail authentication-results [count N] [domain D] [result fail]
 *                                    [since TIME]      (in any order)
 *   show mail authentication-results summary
 *
 * The store is ROOT/data/dmarc/recent.db, ROOT being the running
 * configuration's mail root-directory (as the queue's control socket is
 * found for `show mail queue`).
 *
 * Untrusted input: the store's strings come from messages (domains, d=)
 * and the file itself may be damaged: the query copies them with bounds,
 * and every octet that is not printable ASCII (and the backslash, and
 * the space, which separates the words of a line) is printed as \xNN, so
 * a domain cannot move the cursor, clear the screen or forge a line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../../firmware/policy/policy_report.h"
#include "cli_int.h"

#define CLI_AUTHRES_COUNT 20 /* rows shown without count */
#define CLI_AUTHRES_PATH_MAX 4096
#define CLI_AUTHRES_ROOT "/sekimori-mail:mail/root-directory"

/* the store while a command runs (large: its unused write batch) */
static struct policy_recent_db cli_authres_db;

#define END                                  \
	{                                    \
		NULL, 0, NULL, NULL, NULL, 0 \
	}

/* One escaped string: four octets out for each one in, at most. */
#define CLI_AUTHRES_ESC_MAX (4 * POLICY_RECENT_DOMAIN_MAX + 8)

/* cli_authres_esc - s with every octet outside 0x21..0x7e, and the
 * backslash, as \xNN ("" as "-" so that a word is never empty) */
static const char *
cli_authres_esc(const char *s, char *buf, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	if (*p == '\0') {
		snprintf(buf, cap, "-");
		return buf;
	}
	for (; *p != '\0' && n + 5 < cap; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '\\') {
			buf[n++] = (char)*p;
		} else {
			n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", *p);
		}
	}
	buf[n] = '\0';
	return buf;
}

/* cli_authres_put - s escaped */
static void
cli_authres_put(struct cli_text *out, const char *s)
{
	char buf[CLI_AUTHRES_ESC_MAX];

	cli_text_add(out, "%s", cli_authres_esc(s, buf, sizeof(buf)));
}

/* cli_authres_when - t as "2026-11-26 10:00:00" (UTC) */
static const char *
cli_authres_when(uint64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, cap, "%llu", (unsigned long long)t);
	}
	return buf;
}

/* cli_authres_word - " key=" and the escaped value */
static void
cli_authres_word(struct cli_text *out, const char *key, const char *value)
{
	cli_text_add(out, " %s=", key);
	cli_authres_put(out, value);
}

struct cli_authres_show {
	struct cli_text *out;
	size_t rows;
};

/* cli_authres_line - one message on one line (so "| match" keeps it
 * whole): time, queue id, client, then the results as key=value */
static int
cli_authres_line(void *arg, const struct policy_recent_row *r)
{
	struct cli_authres_show *sh = arg;
	char when[64];
	size_t i;

	char qid[CLI_AUTHRES_ESC_MAX], ip[CLI_AUTHRES_ESC_MAX];

	if (sh->rows++ == 0) {
		cli_text_add(sh->out, "%-19s %-16s %-15s %s\n", "Time (UTC)",
		    "Queue id", "Client", "Results");
	}
	cli_text_add(sh->out, "%-19s %-16s %-15s",
	    cli_authres_when(r->time, when, sizeof(when)),
	    cli_authres_esc(r->qid, qid, sizeof(qid)),
	    cli_authres_esc(r->client_ip, ip, sizeof(ip)));
	cli_authres_word(sh->out, "action", r->action);
	if (r->reason[0] != '\0') {
		cli_authres_word(sh->out, "override", r->reason);
	}
	cli_authres_word(sh->out, "spf", r->spf);
	cli_authres_word(sh->out, "dkim", r->dkim);
	for (i = 0; i < r->ndkim; i++) {
		cli_authres_word(sh->out, "d", r->sig[i].domain);
		cli_text_add(sh->out, ":");
		cli_authres_put(sh->out, r->sig[i].result);
	}
	cli_authres_word(sh->out, "dmarc", r->dmarc);
	if (r->dmarc_policy[0] != '\0') {
		cli_authres_word(sh->out, "policy", r->dmarc_policy);
	}
	cli_authres_word(sh->out, "arc", r->arc);
	if (r->envelope_domain[0] == '\0') {
		cli_text_add(sh->out, " envelope=<>");
	} else {
		cli_authres_word(sh->out, "envelope", r->envelope_domain);
	}
	cli_authres_word(sh->out, "from", r->header_domain);
	cli_text_add(sh->out, "\n");
	return 0;
}

struct cli_authres_sum {
	struct cli_text *out;
	const char *last; /* the check of the line before */
};

/* cli_authres_count - one (check, result, messages) line of summary */
static void
cli_authres_count(void *arg, const char *check, const char *result, uint64_t n)
{
	struct cli_authres_sum *s = arg;
	int same = s->last != NULL && strcmp(s->last, check) == 0;
	char buf[CLI_AUTHRES_ESC_MAX];

	cli_text_add(s->out, "%-8s %-12s %llu\n", same ? "" : check,
	    cli_authres_esc(result, buf, sizeof(buf)), (unsigned long long)n);
	s->last = check;
}

/* cli_authres_path - ROOT/data/dmarc/recent.db of running */
static void
cli_authres_path(const struct cli *c, char *path, size_t cap)
{
	struct lyd_node *n = NULL;
	const char *root = "";

	if (lyd_find_path(ds_running(c->ds), CLI_AUTHRES_ROOT, 0, &n) ==
		LY_SUCCESS &&
	    lyd_get_value(n) != NULL && strcmp(lyd_get_value(n), "/") != 0) {
		root = lyd_get_value(n);
	}
	snprintf(path, cap, "%s/%s", root, POLICY_RECENT_DB);
}

/* cli_authres_open - the store, read-only; 0, or -1 with the message */
static int
cli_authres_open(const struct cli *c, struct policy_recent_db *db,
    struct cli_text *out)
{
	char path[CLI_AUTHRES_PATH_MAX], err[CLI_MSG_MAX];
	struct stat st;

	cli_authres_path(c, path, sizeof(path));
	if (stat(path, &st) == -1 && errno == ENOENT) {
		cli_text_add(out, "No authentication results recorded\n");
		return -1;
	}
	if (policy_report_recent_open(db, path, 1, err, sizeof(err)) != SK_OK) {
		cli_text_add(out, "error: %s\n", err);
		return -1;
	}
	return 0;
}

/* cli_authres_since - "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" (UTC) */
static int
cli_authres_since(const char *s, uint64_t *out)
{
	struct tm tm;
	size_t len = strlen(s);
	int n = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((len != 10 && len != 16 && len != 19) ||
	    sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		&n) != 3 ||
	    n != 10) {
		return 0;
	}
	if (len >= 16 &&
	    (sscanf(s + 10, "T%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) != 2 ||
		n != 6)) {
		return 0;
	}
	if (len == 19 &&
	    (sscanf(s + 16, ":%2d%n", &tm.tm_sec, &n) != 1 || n != 3)) {
		return 0;
	}
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 59) {
		return 0;
	}
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if ((t = timegm(&tm)) == (time_t)-1) {
		return 0;
	}
	*out = (uint64_t)t;
	return 1;
}

/* cli_authres_count_arg - count N in 1..POLICY_RECENT_QUERY_MAX */
static int
cli_authres_count_arg(const char *s, size_t *out)
{
	size_t v = 0, i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && v <= POLICY_RECENT_QUERY_MAX;
	     i++) {
		v = v * 10 + (size_t)(s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v < 1 || v > POLICY_RECENT_QUERY_MAX) {
		return 0;
	}
	*out = v;
	return 1;
}

/* cli_authres_filter - the options into f; 0 and a caret if one is bad */
static int
cli_authres_filter(struct cli *c, const struct cli_call *call,
    struct policy_recent_filter *f, struct cli_text *out)
{
	const char *count = cli_call_arg(call, "<count>", NULL);
	const char *since = cli_call_arg(call, "<time>", NULL);
	char msg[CLI_MSG_MAX];
	size_t idx = 0;

	memset(f, 0, sizeof(*f));
	f->count = CLI_AUTHRES_COUNT;
	f->domain = cli_call_arg(call, "<domain>", NULL);
	f->failed_only = cli_call_kw(call, "fail");
	if (count != NULL && !cli_authres_count_arg(count, &f->count)) {
		(void)cli_call_arg(call, "<count>", &idx);
		snprintf(msg, sizeof(msg), "invalid value: out of range 1..%d",
		    POLICY_RECENT_QUERY_MAX);
		cli_caret(c, call->w, idx, msg, out);
		return 0;
	}
	if (since != NULL && !cli_authres_since(since, &f->since)) {
		(void)cli_call_arg(call, "<time>", &idx);
		cli_caret(c, call->w, idx,
		    "invalid value: a time is YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS] (UTC)",
		    out);
		return 0;
	}
	return 1;
}

/* cli_authres_summary - the counts per check over what the store keeps */
static void
cli_authres_summary(struct cli *c, struct cli_text *out)
{
	struct cli_text body = { NULL, 0, 0, 0 }; /* the lines, after the
						   * head that counts them */
	struct cli_authres_sum s = { &body, NULL };
	char err[CLI_MSG_MAX], from[64], to[64];
	uint64_t total, oldest, newest;

	if (cli_authres_open(c, &cli_authres_db, out) != 0) {
		return;
	}
	if (policy_report_recent_summary(&cli_authres_db, &total, &oldest,
		&newest, cli_authres_count, &s, err, sizeof(err)) != SK_OK) {
		cli_text_add(out, "error: %s\n", err);
	} else if (total == 0) {
		cli_text_add(out, "No authentication results recorded\n");
	} else {
		cli_text_add(out,
		    "%llu message%s from %s to %s UTC (the newest %d kept)\n"
		    "%-8s %s\n",
		    (unsigned long long)total, total == 1 ? "" : "s",
		    cli_authres_when(oldest, from, sizeof(from)),
		    cli_authres_when(newest, to, sizeof(to)),
		    POLICY_RECENT_ROWS_MAX, "Check", "Result       Messages");
		cli_text_addn(out, cli_text_str(&body), body.len);
	}
	cli_text_free(&body);
	policy_report_recent_close(&cli_authres_db);
}

void
cli_show_authres(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	struct cli_authres_show sh = { out, 0 };
	struct policy_recent_filter f;
	char err[CLI_MSG_MAX];

	if (cli_call_kw(call, "summary")) {
		cli_authres_summary(c, out);
		return;
	}
	if (!cli_authres_filter(c, call, &f, out) ||
	    cli_authres_open(c, &cli_authres_db, out) != 0) {
		return;
	}
	if (policy_report_recent_query(&cli_authres_db, &f, cli_authres_line,
		&sh, err, sizeof(err)) != SK_OK) {
		cli_text_add(out, "error: %s\n", err);
	} else if (sh.rows == 0) {
		cli_text_add(out, "No matching messages\n");
	}
	policy_report_recent_close(&cli_authres_db);
}

/* ---- the grammar: options in any order, or summary -------------------- */

static const struct cli_node cli_authres_opts[5];
static const struct cli_node cli_authres_count_node[] = {
	{ "<count>", CLI_ARG, "How many messages, newest first (1..1000)",
	    cli_authres_opts, cli_show_authres, 0 },
	END,
};
static const struct cli_node cli_authres_domain[] = {
	{ "<domain>", CLI_ARG, "A header From or envelope sender domain",
	    cli_authres_opts, cli_show_authres, 0 },
	END,
};
static const struct cli_node cli_authres_result[] = {
	{ "fail", CLI_KW, "A check failed or the message was not accepted",
	    cli_authres_opts, cli_show_authres, 0 },
	END,
};
static const struct cli_node cli_authres_since_node[] = {
	{ "<time>", CLI_ARG, "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)",
	    cli_authres_opts, cli_show_authres, 0 },
	END,
};
static const struct cli_node cli_authres_opts[5] = {
	{ "count", CLI_KW, "How many messages (default 20)",
	    cli_authres_count_node, NULL, 0 },
	{ "domain", CLI_KW, "Only mail of this domain", cli_authres_domain,
	    NULL, 0 },
	{ "result", CLI_KW, "Only mail with this result", cli_authres_result,
	    NULL, 0 },
	{ "since", CLI_KW, "Only mail from this time on",
	    cli_authres_since_node, NULL, 0 },
	END,
};
const struct cli_node cli_authres_next[] = {
	{ "count", CLI_KW, "How many messages (default 20)",
	    cli_authres_count_node, NULL, 0 },
	{ "domain", CLI_KW, "Only mail of this domain", cli_authres_domain,
	    NULL, 0 },
	{ "result", CLI_KW, "Only mail with this result", cli_authres_result,
	    NULL, 0 },
	{ "since", CLI_KW, "Only mail from this time on",
	    cli_authres_since_node, NULL, 0 },
	{ "summary", CLI_KW,
	    "Messages per result of each check, over what is kept", NULL,
	    cli_show_authres, 0 },
	END,
};
