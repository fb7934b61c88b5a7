/*
 * cli_role_test.c - golden transcripts of roles and the audit log: each
 * testdata/roles/ROLE-NAME.in is replayed as cli_test replays
 * testdata/ NAME.in (fresh datastore over the model's factory.json, fake
 * clock, fake queue), in a session of role ROLE (admin, operator or
 * auditor) with an audit log in memory, and compared with its .ref.
 * CLI_UPDATE=1 rewrites the .ref files. Directives:
 *   @tick MINUTES   the fake clock moves on, then cli_tick runs
 *   @audit          the audit log so far, as rows
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../datastore/test_ds.h"
#include "cli.h"
#include "test.h"
#include "test_transcript.h"

#define T0 1764064800 /* 2025-11-25 10:00:00 UTC */
#define PATH_LEN 1200
#define ROWS_MAX 64
#define TEXT_MAX 2048

static time_t fake_now = T0;

struct fake_row {
	time_t time;
	char user[64], event[32], detail[TEXT_MAX];
};

static struct fake_row rows[ROWS_MAX];
static size_t nrows;

static time_t
fake_clock(void *arg)
{
	return fake_now;
}

static long
fake_uptime(void *arg)
{
	return 93784;
}

static int
fake_queue(void *arg, const char *request, struct cli_text *out)
{
	cli_text_add(out, "(queue asked: %s)\n", request);
	return 0;
}

static void
fake_record(void *arg, const char *user, const char *event, const char *detail)
{
	if (nrows < ROWS_MAX) {
		rows[nrows].time = fake_now;
		snprintf(rows[nrows].user, sizeof(rows[0].user), "%s", user);
		snprintf(rows[nrows].event, sizeof(rows[0].event), "%s", event);
		snprintf(rows[nrows].detail, sizeof(rows[0].detail), "%s",
		    detail);
		nrows++;
	}
}

static int
fake_query(void *arg, const struct cli_audit_filter *f, cli_audit_row_fn fn,
    void *ctx)
{
	struct cli_audit_row r;
	size_t i;

	for (i = 0; i < nrows; i++) {
		if ((f->user != NULL && strcmp(f->user, rows[i].user) != 0) ||
		    (f->event != NULL &&
			strcmp(f->event, rows[i].event) != 0) ||
		    rows[i].time < f->since) {
			continue;
		}
		r.time = rows[i].time;
		r.user = rows[i].user;
		r.source = "console";
		r.event = rows[i].event;
		r.detail = rows[i].detail;
		if (fn(ctx, &r) != 0) {
			break;
		}
	}
	return 0;
}

static int
fake_export(void *arg, const char *name, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "Wrote %zu entries to /data/audit-export/%s",
	    nrows, name);
	return 0;
}

static const struct ds_clock clk = { fake_clock, NULL };
static const struct cli_hooks hooks = { fake_uptime, fake_queue, NULL, NULL,
	NULL, NULL };
static const struct cli_audit audit = { fake_record, fake_query, fake_export,
	NULL };

/* dump - the audit rows into out */
static void
dump(struct cli_text *out)
{
	size_t i;

	cli_text_add(out, "[audit log: %zu rows]\n", nrows);
	for (i = 0; i < nrows; i++) {
		cli_text_add(out, "[%lld %s %s] %s\n",
		    (long long)(rows[i].time - T0), rows[i].user, rows[i].event,
		    rows[i].detail);
	}
}

/* role_of - the role named by the file name's prefix */
static enum nacm_role
role_of(const char *base)
{
	char role[16];
	enum nacm_role r = NACM_ROLES;

	snprintf(role, sizeof(role), "%.*s", (int)strcspn(base, "-"), base);
	if (nacm_role_parse(role, &r) != 0) {
		test_fail("%s: no role in the name", base);
	}
	return r;
}

static const char *
replay(const char *in_path)
{
	static struct cli_text out;
	static const char *fact;
	char dir[PATH_LEN], err[DS_ERR_MAX], why[DS_WHY_MAX], line[8192];
	uint8_t bytes[8192];
	const char *base = strrchr(in_path, '/');
	struct ds *ds;
	struct cli *c;
	int lineno = 0, home, ok = 0;
	long n;
	FILE *f;

	base = base != NULL ? base + 1 : in_path;
	fact = fact != NULL ? fact : test_ds_factory();
	cli_text_free(&out);
	fake_now = T0;
	nrows = 0;
	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), base);
	mkdir(dir, 0700);
	home = open(".", O_RDONLY | O_DIRECTORY);
	if ((f = fopen(in_path, "r")) == NULL || home < 0 || chdir(dir) != 0 ||
	    ds_open(&ds, dir, fact, &clk, why, sizeof(why), err, sizeof(err)) !=
		SK_OK) {
		test_fail("%s: cannot open the datastore: %s", in_path, err);
		goto out;
	}
	if (cli_new(&c, ds, "alice", &clk, &hooks, err, sizeof(err)) != SK_OK) {
		test_fail("%s: cli_new: %s", in_path, err);
		ds_close(ds);
		goto out;
	}
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/saved");
	if (cli_set_save_dir(c, dir) != SK_OK) {
		test_fail("%s: save dir too long", in_path);
	}
	cli_set_role(c, role_of(base));
	cli_set_audit(c, &audit);
	while (test_transcript_line(f, line, sizeof(line), &lineno)) {
		if (strncmp(line, "@tick ", 6) == 0) {
			fake_now += 60 * atol(line + 6);
			cli_text_add(&out, "[%s minutes later]\n", line + 6);
			(void)cli_tick(c, fake_now, &out);
			continue;
		}
		if (strcmp(line, "@audit") == 0) {
			dump(&out);
			continue;
		}
		n = test_transcript_unescape(line, bytes, sizeof(bytes), 0);
		if (n < 0) {
			test_fail("%s:%d: bad escape", in_path, lineno);
			continue;
		}
		fake_now += 1; /* each line a second later: rows in order */
		if (cli_script_line(c, (const char *)bytes, (size_t)n, 1,
			&out) &
		    CLI_EXIT) {
			cli_text_add(&out, "[the CLI exits]\n");
		}
	}
	cli_free(c);
	ds_close(ds);
	ok = 1;
out:
	if (f != NULL) {
		fclose(f);
	}
	if (home >= 0) {
		(void)fchdir(home);
		close(home);
	}
	return ok ? cli_text_str(&out) : NULL;
}

static void
test_role_transcripts(void)
{
	size_t n = test_transcript_run("../cli/shell/testdata/roles", replay,
	    "CLI_UPDATE");

	TEST_CHECK(n >= 3, "%zu transcripts ran, want 3 or more", n);
}

/* test_nacm_table - the rules, path by path */
static void
test_nacm_table(void)
{
	static const struct {
		enum nacm_role role;
		const char *path;
		unsigned op;
		enum nacm_action want;
	} v[] = {
		{ NACM_ADMIN, "/configure", NACM_WRITE, NACM_PERMIT },
		{ NACM_ADMIN, "/request/system/reboot", NACM_EXEC,
		    NACM_PERMIT },
		{ NACM_OPERATOR, "/configure", NACM_WRITE, NACM_DENY },
		{ NACM_OPERATOR, "/request/mail/queue/hold", NACM_EXEC,
		    NACM_PERMIT },
		{ NACM_OPERATOR, "/request/mail/quarantine/release", NACM_EXEC,
		    NACM_PERMIT },
		{ NACM_OPERATOR, "/request/mail/queuex", NACM_EXEC, NACM_DENY },
		{ NACM_OPERATOR, "/request/system/audit/export", NACM_EXEC,
		    NACM_DENY },
		{ NACM_OPERATOR, "/show/audit", NACM_READ, NACM_DENY },
		{ NACM_OPERATOR, "/show/configuration", NACM_READ,
		    NACM_PERMIT },
		{ NACM_AUDITOR, "/show/audit/user", NACM_READ, NACM_PERMIT },
		{ NACM_AUDITOR, "/request/mail/queue/flush", NACM_EXEC,
		    NACM_DENY },
		{ NACM_AUDITOR, "/request/system/audit/export", NACM_EXEC,
		    NACM_PERMIT },
		{ NACM_AUDITOR, "/configure", NACM_WRITE, NACM_DENY },
		{ NACM_ADMIN, "/file/list", NACM_READ, NACM_PERMIT },
		{ NACM_OPERATOR, "/file/list", NACM_READ, NACM_DENY },
		{ NACM_AUDITOR, "/file/list", NACM_READ, NACM_DENY },
		{ NACM_ROLES, "/show/system", NACM_READ, NACM_DENY },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(v); i++) {
		TEST_CHECK(nacm_check(v[i].role, v[i].path, v[i].op, NULL) ==
			v[i].want,
		    "%s %s op %u: got the other answer",
		    nacm_role_name(v[i].role), v[i].path, v[i].op);
	}
}

const struct test_case test_cases[] = {
	{ "cli_role_transcripts", test_role_transcripts },
	{ "cli_nacm_table", test_nacm_table },
};
const size_t test_ncases = SK_NELEM(test_cases);
