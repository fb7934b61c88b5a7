/*
 * audit_test.c - the audit log: rows in and out, filters, cleaning and
 * cutting of hostile strings, the size limit, reopening, CSV export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "test.h"

#define T0 1764064800 /* 2025-11-25 10:00:00 UTC */

struct collect {
	char text[8192];
	size_t n;
};

static int
collect_row(void *ctx, const struct audit_row *r)
{
	struct collect *c = ctx;
	size_t len = strlen(c->text);

	snprintf(c->text + len, sizeof(c->text) - len, "%lld|%s|%s|%s|%s\n",
	    (long long)(r->time - T0), r->user, r->source, r->event, r->detail);
	c->n++;
	return 0;
}

static struct audit *
open_log(uint64_t max)
{
	struct audit *a = NULL;
	char err[AUDIT_ERR_MAX] = "";

	if (audit_open(&a, test_tmpdir(), max, err, sizeof(err)) != SK_OK) {
		test_fail("audit_open: %s", err);
	}
	return a;
}

static void
test_add_query(void)
{
	struct audit *a = open_log(0);
	struct collect c = { "", 0 };
	const char *want = "0|admin|console|login|\n"
			   "5|bob|192.0.2.1|login-failed|reason password\n"
			   "9|admin|console|commit|first\n[edit]\n+ x\n";

	if (a == NULL) {
		return;
	}
	TEST_CHECK(audit_add(a, T0, "admin", "console", AUDIT_LOGIN, NULL) ==
		SK_OK,
	    "add 1");
	TEST_CHECK(audit_add(a, T0 + 5, "bob", "192.0.2.1", AUDIT_LOGIN_FAILED,
		       "reason password") == SK_OK,
	    "add 2");
	TEST_CHECK(audit_add(a, T0 + 9, "admin", "console", AUDIT_COMMIT,
		       "first\n[edit]\n+ x") == SK_OK,
	    "add 3");
	TEST_CHECK(audit_query(a, NULL, collect_row, &c) == SK_OK, "query");
	TEST_CHECK(strcmp(c.text, want) == 0, "got\n%s, want\n%s", c.text,
	    want);
	TEST_CHECK(audit_count(a) == 3, "count %lld, want 3",
	    (long long)audit_count(a));
	audit_close(a);
}

static void
test_filters(void)
{
	struct audit *a = open_log(0);
	struct audit_filter f = { NULL, NULL, 0 };
	struct collect c = { "", 0 };
	int i;

	if (a == NULL) {
		return;
	}
	for (i = 0; i < 10; i++) {
		(void)audit_add(a, T0 + i, i % 2 ? "op" : "admin", "console",
		    i % 3 ? AUDIT_REQUEST : AUDIT_LOGIN, "x");
	}
	f.user = "op";
	(void)audit_query(a, &f, collect_row, &c);
	TEST_CHECK(c.n == 5, "user op: %zu rows, want 5", c.n);
	f.event = AUDIT_LOGIN;
	c.n = 0;
	c.text[0] = '\0';
	(void)audit_query(a, &f, collect_row, &c);
	TEST_CHECK(c.n == 2, "user op, event login: %zu rows, want 2 (3, 9)",
	    c.n);
	f.user = NULL;
	f.event = NULL;
	f.since = T0 + 7;
	c.n = 0;
	c.text[0] = '\0';
	(void)audit_query(a, &f, collect_row, &c);
	TEST_CHECK(c.n == 3, "since +7: %zu rows, want 3", c.n);
	f.user = "nobody";
	f.since = 0;
	c.n = 0;
	(void)audit_query(a, &f, collect_row, &c);
	TEST_CHECK(c.n == 0, "unknown user: %zu rows", c.n);
	audit_close(a);
}

struct lengths {
	size_t user, detail;
	int mark;
};

static int
lengths_row(void *ctx, const struct audit_row *r)
{
	struct lengths *l = ctx;
	size_t n = strlen(r->detail);

	l->user = strlen(r->user);
	l->detail = n;
	l->mark = n >= 8 && strcmp(r->detail + n - 8, "...(cut)") == 0;
	return 1; /* the first row is enough */
}

/* test_hostile - control octets, high octets, overlong columns */
static void
test_hostile(void)
{
	struct audit *a = open_log(0);
	struct audit_filter f = { NULL, "e", 0 };
	struct collect c = { "", 0 };
	struct lengths l = { 0, 0, 0 };
	char *big = malloc(AUDIT_DETAIL_MAX * 2);
	char user[200];

	if (a == NULL || big == NULL) {
		free(big);
		audit_close(a);
		return;
	}
	memset(big, 'd', AUDIT_DETAIL_MAX * 2 - 1);
	big[AUDIT_DETAIL_MAX * 2 - 1] = '\0';
	memset(user, 'u', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	(void)audit_add(a, T0, "a\x1b[2Jb\xff", "con\nsole", "ev\tent",
	    "line1\nline2\r\x07");
	(void)audit_query(a, NULL, collect_row, &c);
	TEST_CHECK(strcmp(c.text,
		       "0|a?[2Jb?|con?sole|ev?ent|line1\nline2??\n") == 0,
	    "cleaned: got %s", c.text);
	TEST_CHECK(audit_add(a, T0, user, "s", "e", big) == SK_OK, "big");
	free(big);
	audit_close(a);
	/* read back through a second handle: reopening works too */
	if ((a = open_log(0)) == NULL) {
		return;
	}
	(void)audit_query(a, &f, lengths_row, &l);
	TEST_CHECK(l.user == AUDIT_USER_MAX - 1, "user length %zu", l.user);
	TEST_CHECK(l.detail == AUDIT_DETAIL_MAX - 1 && l.mark,
	    "detail length %zu, mark %d", l.detail, l.mark);
	audit_close(a);
}

/* test_size_limit - past the limit the oldest rows go, the newest stay,
 * and the used size stays within the limit */
static void
test_size_limit(void)
{
	struct audit *a = open_log(AUDIT_SIZE_MIN);
	struct collect c = { "", 0 };
	char detail[2048];
	int i, over = 0;

	if (a == NULL) {
		return;
	}
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	for (i = 0; i < 400; i++) {
		(void)audit_add(a, T0 + i, "admin", "console", "request",
		    detail);
		over |= audit_used_bytes(a) > AUDIT_SIZE_MIN;
	}
	TEST_CHECK(!over, "used size went past the limit");
	TEST_CHECK(audit_count(a) > 5 && audit_count(a) < 400,
	    "rows kept: %lld", (long long)audit_count(a));
	struct audit_filter f = { NULL, NULL, T0 + 399 };
	(void)audit_query(a, &f, collect_row, &c);
	TEST_CHECK(c.n == 1, "the newest row is gone");
	/* a limit below the minimum is raised to it */
	audit_set_max(a, 1);
	(void)audit_add(a, T0 + 400, "admin", "console", "request", detail);
	TEST_CHECK(audit_count(a) > 5, "limit 1 emptied the log: %lld rows",
	    (long long)audit_count(a));
	audit_close(a);
}

static void
test_csv(void)
{
	struct audit *a = open_log(0);
	char path[1200], err[AUDIT_ERR_MAX];
	size_t rows = 0, len;
	char *text;
	const char *want =
	    "\"time\",\"user\",\"source\",\"event\",\"detail\"\r\n"
	    "\"2025-11-25T10:00:00Z\",\"admin\",\"console\",\"commit\","
	    "\"say \"\"hi\"\"\n+x\"\r\n"
	    "\"2025-11-25T10:00:01Z\",\"'=cmd\",\"'-s\",\"'@e\",\"'+d\"\r\n";

	if (a == NULL) {
		return;
	}
	(void)audit_add(a, T0, "admin", "console", "commit", "say \"hi\"\n+x");
	(void)audit_add(a, T0 + 1, "=cmd", "-s", "@e", "+d");
	snprintf(path, sizeof(path), "%s/out.csv", test_tmpdir());
	TEST_CHECK(audit_export_csv(a, NULL, path, &rows, err, sizeof(err)) ==
		SK_OK,
	    "export: %s", err);
	TEST_CHECK(rows == 2, "rows %zu", rows);
	text = test_read_file(path, 4096, &len);
	TEST_CHECK(text != NULL && strcmp(text, want) == 0, "csv:\n%s",
	    text != NULL ? text : "(none)");
	free(text);
	snprintf(path, sizeof(path), "%s/no/such/dir.csv", test_tmpdir());
	TEST_CHECK(audit_export_csv(a, NULL, path, NULL, err, sizeof(err)) ==
		    SK_E_IO &&
		strstr(err, "no/such") != NULL,
	    "bad path: %s", err);
	audit_close(a);
}

static void
test_open_errors(void)
{
	struct audit *a = NULL;
	char err[AUDIT_ERR_MAX] = "";

	TEST_CHECK(audit_open(&a, "/nonexistent/dir", 0, err, sizeof(err)) ==
		    SK_E_IO &&
		a == NULL && err[0] != '\0',
	    "missing folder: %s", err);
	audit_close(NULL);
}

const struct test_case test_cases[] = {
	{ "audit_add_query", test_add_query },
	{ "audit_filters", test_filters },
	{ "audit_hostile", test_hostile },
	{ "audit_size_limit", test_size_limit },
	{ "audit_csv", test_csv },
	{ "audit_open_errors", test_open_errors },
};
const size_t test_ncases = SK_NELEM(test_cases);
