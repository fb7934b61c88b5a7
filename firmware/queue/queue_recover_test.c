/*
 * queue_recover_test.c - startup recovery over a spool holding every
 * broken state a crash (or damage) can leave.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "queue_recover.h"
#include "test.h"

struct seen {
	unsigned long n[QUEUE_RECOVER_NEVENTS];
	char last[QUEUE_RECOVER_NEVENTS][64];
};

static void
record(void *arg, enum queue_recover_event ev, const char *name, uint64_t want,
    uint64_t got)
{
	struct seen *s = arg;

	(void)want;
	(void)got;
	s->n[ev]++;
	snprintf(s->last[ev], sizeof(s->last[ev]), "%s", name);
}

/* put_file - SPOOL/msg/name with n octets */
static void
put_file(const struct queue_spool *sp, const char *name, size_t n)
{
	char buf[256];
	int fd = openat(sp->msgfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	memset(buf, 'm', sizeof(buf));
	TEST_CHECK(fd != -1 && n <= sizeof(buf) &&
		write(fd, buf, n) == (ssize_t)n,
	    "cannot write %s", name);
	if (fd != -1) {
		close(fd);
	}
}

static const char *put_reason = ""; /* quarantine of the next put_record */

/* put_record - a message record of size octets, with nrcpt recipients */
static void
put_record(struct queue_db *db, const char *id, uint64_t size, int nrcpt)
{
	static struct queue_msg_row m;
	int i;

	memset(&m, 0, sizeof(m));
	snprintf(m.env.id, sizeof(m.env.id), "%s", id);
	snprintf(m.env.sender, sizeof(m.env.sender), "a@example.org");
	m.size = size;
	m.arrival_ms = 1000;
	snprintf(m.quarantine, sizeof(m.quarantine), "%s", put_reason);
	m.quarantined = put_reason[0] != '\0' ? 1 : 0;
	TEST_CHECK(queue_db_insert(db, &m) == SK_OK, "insert %s: %s", id,
	    queue_db_error(db));
	for (i = 0; i < nrcpt; i++) {
		TEST_CHECK(queue_db_insert_rcpt(db, id, (uint32_t)i,
			       "b@example.net", 0, "", 1000) == SK_OK,
		    "rcpt %s: %s", id, queue_db_error(db));
	}
}

#define GOOD "00000000000A0000"
#define ORPHAN "00000000000B0000"
#define NOFILE "00000000000C0000"
#define SHORT "00000000000D0000"
#define LONG "00000000000E0000"
#define NORCPT "00000000000F0000"
#define NEWEST "0000000VVVVV0000" /* a file only: raises the generator */

static void
test_recover_every_state(void)
{
	char path[256], dbp[300], id[QUEUE_ID_SIZE];
	struct queue_recover_stats st;
	struct queue_spool sp;
	struct queue_db db;
	struct queue_id_gen gen;
	struct seen seen;
	uint64_t size;
	char err[256];

	snprintf(path, sizeof(path), "%s/spool", test_tmpdir());
	if (queue_spool_open(&sp, path) != SK_OK) {
		test_fail("spool: cannot open %s", path);
		return;
	}
	snprintf(dbp, sizeof(dbp), "%s/queue.db", path);
	if (queue_db_open(&db, dbp, err, sizeof(err)) != SK_OK) {
		test_fail("db: %s", err);
		queue_spool_close(&sp);
		return;
	}
	TEST_CHECK(queue_db_begin(&db) == SK_OK, "begin");
	put_record(&db, GOOD, 10, 2);
	put_record(&db, NOFILE, 10, 1);
	put_record(&db, SHORT, 100, 1);
	put_record(&db, LONG, 10, 1);
	put_record(&db, NORCPT, 10, 0);
	TEST_CHECK(queue_db_commit(&db) == SK_OK, "commit");
	put_file(&sp, GOOD, 10);
	put_file(&sp, ORPHAN, 10);
	put_file(&sp, SHORT, 50);
	put_file(&sp, LONG, 20);
	put_file(&sp, NORCPT, 10);
	put_file(&sp, NEWEST, 1);
	put_file(&sp, "junk.tmp", 1);

	memset(&seen, 0, sizeof(seen));
	queue_id_gen_init(&gen, 0);
	TEST_CHECK(queue_recover(&sp, &db, &gen, record, &seen, &st) == SK_OK,
	    "recovery failed: %s", queue_db_error(&db));

	TEST_CHECK(seen.n[QUEUE_RECOVER_NO_RECORD] == 2,
	    "no-record: got %lu, want 2 (orphan, newest)",
	    seen.n[QUEUE_RECOVER_NO_RECORD]);
	TEST_CHECK(seen.n[QUEUE_RECOVER_NO_FILE] == 1 &&
		strcmp(seen.last[QUEUE_RECOVER_NO_FILE], NOFILE) == 0,
	    "no-file: %lu", seen.n[QUEUE_RECOVER_NO_FILE]);
	TEST_CHECK(seen.n[QUEUE_RECOVER_SHORT_FILE] == 1 &&
		strcmp(seen.last[QUEUE_RECOVER_SHORT_FILE], SHORT) == 0,
	    "short: %lu", seen.n[QUEUE_RECOVER_SHORT_FILE]);
	TEST_CHECK(seen.n[QUEUE_RECOVER_LONG_FILE] == 1, "long: %lu",
	    seen.n[QUEUE_RECOVER_LONG_FILE]);
	TEST_CHECK(seen.n[QUEUE_RECOVER_NO_RCPT] == 1 &&
		strcmp(seen.last[QUEUE_RECOVER_NO_RCPT], NORCPT) == 0,
	    "no-rcpt: %lu", seen.n[QUEUE_RECOVER_NO_RCPT]);
	TEST_CHECK(seen.n[QUEUE_RECOVER_STRAY] == 1 &&
		strcmp(seen.last[QUEUE_RECOVER_STRAY], "junk.tmp") == 0,
	    "stray: %lu", seen.n[QUEUE_RECOVER_STRAY]);
	TEST_CHECK(st.messages == 2, "kept %lu messages, want 2 (good, long)",
	    st.messages);

	/* what is left on disk and on record */
	TEST_CHECK(queue_db_exists(&db, GOOD) == 1, "good record lost");
	TEST_CHECK(queue_db_exists(&db, LONG) == 1, "long record lost");
	TEST_CHECK(queue_db_exists(&db, NOFILE) == 0, "no-file record kept");
	TEST_CHECK(queue_db_exists(&db, SHORT) == 0, "short record kept");
	TEST_CHECK(queue_db_exists(&db, NORCPT) == 0, "no-rcpt record kept");
	TEST_CHECK(queue_spool_size(&sp, GOOD, &size) == 0 && size == 10,
	    "good file changed");
	TEST_CHECK(queue_spool_size(&sp, LONG, &size) == 0 && size == 10,
	    "long file not cut back: %llu", (unsigned long long)size);
	TEST_CHECK(queue_spool_size(&sp, ORPHAN, &size) == -1,
	    "orphan file kept");
	TEST_CHECK(queue_spool_size(&sp, SHORT, &size) == -1,
	    "short file kept");
	TEST_CHECK(queue_spool_size(&sp, NORCPT, &size) == -1,
	    "no-rcpt file kept");
	TEST_CHECK(faccessat(sp.msgfd, "junk.tmp", F_OK, 0) == 0,
	    "a stray file was removed");

	/* new ids sort after every id that was in the spool */
	queue_id_next(&gen, 5, id);
	TEST_CHECK(strcmp(id, NEWEST) > 0, "got %s, want after %s", id, NEWEST);

	/* a second run finds nothing more to do */
	memset(&seen, 0, sizeof(seen));
	TEST_CHECK(queue_recover(&sp, &db, &gen, record, &seen, &st) == SK_OK &&
		seen.n[QUEUE_RECOVER_NO_RECORD] == 0 &&
		seen.n[QUEUE_RECOVER_LONG_FILE] == 0 && st.messages == 2,
	    "recovery is not idempotent");
	queue_db_close(&db);
	queue_spool_close(&sp);
}

static void
test_recover_locked(void)
{
	char path[256], dbp[300], err[256];
	struct queue_spool sp;
	struct queue_db a, b;

	snprintf(path, sizeof(path), "%s/spool", test_tmpdir());
	if (queue_spool_open(&sp, path) != SK_OK) {
		test_fail("spool");
		return;
	}
	snprintf(dbp, sizeof(dbp), "%s/queue.db", path);
	TEST_CHECK(queue_db_open(&a, dbp, err, sizeof(err)) == SK_OK, "%s",
	    err);
	TEST_CHECK(queue_db_open(&b, dbp, err, sizeof(err)) != SK_OK,
	    "a second queue opened the same spool");
	queue_db_close(&a);
	TEST_CHECK(queue_db_open(&b, dbp, err, sizeof(err)) == SK_OK,
	    "reopen after close: %s", err);
	queue_db_close(&b);
	queue_spool_close(&sp);
}

static void
test_recover_schema_version(void)
{
	char path[256], dbp[300], err[256];
	struct queue_spool sp;
	struct queue_db db;

	snprintf(path, sizeof(path), "%s/spool", test_tmpdir());
	if (queue_spool_open(&sp, path) != SK_OK) {
		test_fail("spool");
		return;
	}
	snprintf(dbp, sizeof(dbp), "%s/queue.db", path);
	TEST_CHECK(queue_db_open(&db, dbp, err, sizeof(err)) == SK_OK, "%s",
	    err);
	/* pretend newer firmware wrote it */
	TEST_CHECK(queue_db_begin(&db) == SK_OK, "begin");
	queue_db_commit(&db);
	queue_db_close(&db);
	{
		sqlite3 *h = NULL;

		TEST_CHECK(sqlite3_open(dbp, &h) == SQLITE_OK &&
			sqlite3_exec(h, "PRAGMA user_version = 7", NULL, NULL,
			    NULL) == SQLITE_OK,
		    "cannot set user_version");
		sqlite3_close(h);
	}
	TEST_CHECK(queue_db_open(&db, dbp, err, sizeof(err)) != SK_OK &&
		strstr(err, "version 7") != NULL,
	    "a newer schema was accepted: %s", err);
	queue_spool_close(&sp);
}

/* test_recover_quarantine - quarantined messages are settled like any
 * other (a short file goes, a long one is cut back) and the ones kept
 * stay quarantined, with their reason */
static void
test_recover_quarantine(void)
{
	char path[256], dbp[300], err[256];
	static struct queue_msg_row m;
	struct queue_recover_stats st;
	struct queue_spool sp;
	struct queue_db db;
	struct queue_id_gen gen;
	struct seen seen;
	uint64_t size;

	snprintf(path, sizeof(path), "%s/spool", test_tmpdir());
	snprintf(dbp, sizeof(dbp), "%s/queue.db", path);
	if (queue_spool_open(&sp, path) != SK_OK) {
		test_fail("spool: cannot open %s", path);
		return;
	}
	if (queue_db_open(&db, dbp, err, sizeof(err)) != SK_OK) {
		test_fail("db: %s", err);
		queue_spool_close(&sp);
		return;
	}
	TEST_CHECK(queue_db_begin(&db) == SK_OK, "begin");
	put_reason = "infected: Eicar-Signature";
	put_record(&db, GOOD, 10, 1);
	put_record(&db, SHORT, 100, 1);
	put_record(&db, LONG, 10, 1);
	put_reason = "";
	TEST_CHECK(queue_db_commit(&db) == SK_OK, "commit");
	put_file(&sp, GOOD, 10);
	put_file(&sp, SHORT, 50);
	put_file(&sp, LONG, 20);
	memset(&seen, 0, sizeof(seen));
	queue_id_gen_init(&gen, 0);
	TEST_CHECK(queue_recover(&sp, &db, &gen, record, &seen, &st) == SK_OK &&
		st.messages == 2 && seen.n[QUEUE_RECOVER_SHORT_FILE] == 1 &&
		seen.n[QUEUE_RECOVER_LONG_FILE] == 1,
	    "recovery: kept %lu", st.messages);
	TEST_CHECK(queue_db_get(&db, GOOD, &m) == SK_OK &&
		strcmp(m.quarantine, "infected: Eicar-Signature") == 0 &&
		m.quarantined == 1,
	    "the quarantined message lost its reason: \"%s\"", m.quarantine);
	TEST_CHECK(queue_db_get(&db, LONG, &m) == SK_OK &&
		m.quarantine[0] != '\0' &&
		queue_spool_size(&sp, LONG, &size) == 0 && size == 10,
	    "the long quarantined file");
	TEST_CHECK(queue_db_exists(&db, SHORT) == 0 &&
		queue_spool_size(&sp, SHORT, &size) == -1,
	    "the short quarantined message was kept");
	queue_db_close(&db);
	queue_spool_close(&sp);
}

const struct test_case test_cases[] = {
	{ "queue_recover_every_state", test_recover_every_state },
	{ "queue_recover_locked", test_recover_locked },
	{ "queue_recover_schema_version", test_recover_schema_version },
	{ "queue_recover_quarantine", test_recover_quarantine },
};
const size_t test_ncases = SK_NELEM(test_cases);
