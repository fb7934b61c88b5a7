/*
 * queue_db.c - the queue index in SQLite (queue_db.h).
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "queue_db.h"
#include "queue_sched.h"

/* Schema version 1. WITHOUT ROWID: every lookup is by primary key. */
static const char queue_db_schema_v1[] =
    "CREATE TABLE message ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " size INTEGER NOT NULL,"
    " arrival INTEGER NOT NULL,"
    " sender TEXT NOT NULL,"
    " envid TEXT NOT NULL,"
    " ret INTEGER NOT NULL,"
    " body INTEGER NOT NULL,"
    " smtputf8 INTEGER NOT NULL,"
    " auth_user TEXT NOT NULL,"
    " client_addr TEXT NOT NULL,"
    " client_name TEXT NOT NULL,"
    " helo TEXT NOT NULL,"
    " listener TEXT NOT NULL,"
    " protocol TEXT NOT NULL,"
    " tls TEXT NOT NULL,"
    " hold INTEGER NOT NULL DEFAULT 0,"
    " delay_sent INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE TABLE recipient ("
    " message TEXT NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
    " rcpt INTEGER NOT NULL,"
    " address TEXT NOT NULL,"
    " domain TEXT NOT NULL,"
    " notify INTEGER NOT NULL,"
    " orcpt TEXT NOT NULL,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt INTEGER NOT NULL,"
    " last_attempt INTEGER NOT NULL DEFAULT 0,"
    " dsn TEXT NOT NULL DEFAULT '',"
    " reply TEXT NOT NULL DEFAULT '',"
    " relay TEXT NOT NULL DEFAULT '',"
    " reported INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (message, rcpt)"
    ") WITHOUT ROWID;"
    "CREATE INDEX recipient_due ON recipient (status, next_attempt);"
    "PRAGMA user_version = 1;";

/* Version 2: the header block of the policy step (Q_COMMIT's prepend),
 * sent before the file's content. Old messages have none. */
static const char queue_db_upgrade_v2[] =
    "ALTER TABLE message ADD COLUMN prepend TEXT NOT NULL DEFAULT '';"
    "PRAGMA user_version = 2;";

/* Version 3: the quarantine (README.md "Quarantine"). A message with a
 * reason is kept, not delivered; quarantined is when it came in (unix
 * seconds). The partial index holds only quarantined messages, in the
 * order the listing and the retention walk them, with the size the
 * retention adds up: neither reads the rest of the queue. */
static const char queue_db_upgrade_v3[] =
    "ALTER TABLE message ADD COLUMN quarantine TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE message ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX message_quarantine ON message (quarantined, id, size) "
    "WHERE quarantine != '';"
    "PRAGMA user_version = 3;";

/* The scheduler's scratch tables: memory only, empty at every start. */
static const char queue_db_temp[] =
    "CREATE TEMP TABLE inflight ("
    " message TEXT NOT NULL, rcpt INTEGER NOT NULL, job INTEGER NOT NULL,"
    " PRIMARY KEY (message, rcpt)) WITHOUT ROWID;"
    "CREATE TEMP TABLE busy (domain TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;";

#define QUEUE_MSG_COLUMNS                                                   \
	"id, sender, envid, ret, body, smtputf8, auth_user, client_addr, "  \
	"client_name, helo, listener, protocol, tls, size, arrival, hold, " \
	"delay_sent, prepend, quarantine, quarantined"
/* a recipient r (or recipient) whose message is not in quarantine */
#define QUEUE_NOT_QUARANTINED                                                 \
	"NOT EXISTS (SELECT 1 FROM message q WHERE q.id = recipient.message " \
	"AND q.quarantine != '')"
#define QUEUE_NOT_INFLIGHT                                 \
	"NOT EXISTS (SELECT 1 FROM temp.inflight i WHERE " \
	"i.message = r.message AND i.rcpt = r.rcpt)"

static const char *const queue_db_sql[QDB_NSTMT] = {
	[QDB_MSG_INSERT] = "INSERT INTO message (" QUEUE_MSG_COLUMNS
			   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			   "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
			   "?20)",
	[QDB_RCPT_INSERT] = "INSERT INTO recipient (message, rcpt, address, "
			    "domain, notify, orcpt, next_attempt) VALUES "
			    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[QDB_MSG_GET] =
	    "SELECT " QUEUE_MSG_COLUMNS " FROM message WHERE id = ?1",
	[QDB_MSG_DELETE] = "DELETE FROM message WHERE id = ?1",
	[QDB_MSG_HOLD] = "UPDATE message SET hold = ?2 WHERE id = ?1",
	[QDB_MSG_DELAY_SENT] =
	    "UPDATE message SET delay_sent = 1 WHERE id = ?1",
	[QDB_MSG_LIST] = "SELECT id FROM message WHERE id > ?1 ORDER BY id "
			 "LIMIT ?2",
	[QDB_MSG_LIST_QUEUED] = "SELECT id FROM message WHERE id > ?1 AND "
				"quarantine = '' ORDER BY id LIMIT ?2",
	[QDB_MSG_ALL] = "SELECT id, size FROM message ORDER BY id",
	[QDB_MSG_EXISTS] = "SELECT 1 FROM message WHERE id = ?1",
	[QDB_MSG_NO_RCPT] =
	    "SELECT id FROM message m WHERE NOT EXISTS "
	    "(SELECT 1 FROM recipient r WHERE r.message = m.id) "
	    "LIMIT ?1",
	[QDB_RCPT_OF] = "SELECT rcpt, address, domain, notify, orcpt, status, "
			"attempts, next_attempt, last_attempt, dsn, reply, "
			"relay, reported FROM recipient WHERE message = ?1 "
			"ORDER BY rcpt",
	[QDB_RCPT_RESULT] = "UPDATE recipient SET status = ?3, attempts = ?4, "
			    "next_attempt = ?5, last_attempt = ?6, dsn = ?7, "
			    "reply = ?8, relay = ?9 WHERE message = ?1 AND "
			    "rcpt = ?2 AND status = 0",
	[QDB_RCPT_REPORTED] = "UPDATE recipient SET reported = 1 WHERE "
			      "message = ?1 AND rcpt = ?2",
	[QDB_RCPT_FLUSH] =
	    "UPDATE recipient SET next_attempt = ?2 WHERE "
	    "status = 0 AND next_attempt > ?2 AND "
	    "(?1 = '' OR message = ?1) AND " QUEUE_NOT_QUARANTINED,
	[QDB_DUE_PICK] =
	    "SELECT r.message, r.domain FROM recipient r "
	    "JOIN message m ON m.id = r.message "
	    "WHERE r.status = 0 AND r.next_attempt <= ?1 AND "
	    "m.hold = 0 AND m.quarantine = '' AND " QUEUE_NOT_INFLIGHT " AND "
	    "NOT EXISTS (SELECT 1 FROM temp.busy b WHERE "
	    "b.domain = r.domain) ORDER BY r.next_attempt LIMIT 1",
	[QDB_DUE_JOB] =
	    "SELECT r.rcpt, r.address, r.notify, r.orcpt, "
	    "r.attempts "
	    "FROM recipient r WHERE r.message = ?1 AND "
	    "r.domain = ?2 AND r.status = 0 AND "
	    "r.next_attempt <= ?3 AND " QUEUE_NOT_INFLIGHT " ORDER BY r.rcpt",
	[QDB_DUE_NEXT] =
	    "SELECT next_attempt FROM recipient WHERE status = 0 AND "
	    "next_attempt > ?1 AND " QUEUE_NOT_QUARANTINED
	    /* the first in index order: no walk over the rest, as min()
	     * with a condition it cannot use would do */
	    " ORDER BY next_attempt LIMIT 1",
	[QDB_INFLIGHT_ADD] = "INSERT INTO temp.inflight (message, rcpt, job) "
			     "VALUES (?1, ?2, ?3)",
	[QDB_INFLIGHT_DEL] = "DELETE FROM temp.inflight WHERE job = ?1",
	[QDB_BUSY_ADD] = "INSERT OR IGNORE INTO temp.busy (domain) VALUES (?1)",
	[QDB_BUSY_DEL] = "DELETE FROM temp.busy WHERE domain = ?1",
	[QDB_SWEEP] = "SELECT message FROM recipient WHERE status != 0 AND "
		      "reported = 0 UNION SELECT id FROM message m WHERE NOT "
		      "EXISTS (SELECT 1 FROM recipient r WHERE r.message = "
		      "m.id AND (r.status = 0 OR r.reported = 0)) LIMIT ?1",
	[QDB_MSG_COUNT] = "SELECT count(*) FROM message",
	/* Quarantine: every query below reads message_quarantine. */
	[QDB_QUAR_LIST] =
	    "SELECT id, quarantined FROM message WHERE quarantine != '' AND "
	    "(quarantined, id) > (?1, ?2) AND "
	    "(?3 = 0 OR quarantined >= ?3) AND (?4 = 0 OR quarantined <= ?4) "
	    "AND (?5 = '' OR instr(lower(sender), lower(?5)) > 0) "
	    "AND (?6 = '' OR EXISTS (SELECT 1 FROM recipient r WHERE "
	    "r.message = message.id AND instr(lower(r.address), lower(?6)) > "
	    "0)) "
	    "AND (?7 = '' OR instr(lower(quarantine), lower(?7)) > 0) "
	    "ORDER BY quarantined, id LIMIT ?8",
	[QDB_QUAR_RELEASE] = "UPDATE message SET quarantine = '', "
			     "quarantined = 0, arrival = ?2 WHERE id = ?1 AND "
			     "quarantine != ''",
	[QDB_QUAR_DUE] = "UPDATE recipient SET next_attempt = ?2 WHERE "
			 "message = ?1 AND status = 0",
	[QDB_QUAR_STATS] = "SELECT count(*), total(size) FROM message WHERE "
			   "quarantine != ''",
	[QDB_QUAR_OLDEST] =
	    "SELECT id, size, quarantined FROM message WHERE "
	    "quarantine != '' ORDER BY quarantined, id LIMIT ?1",
};

/* queue_db_seterr - "queue.db: WHAT: SQLite's message" into err */
static void
queue_db_seterr(sqlite3 *h, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what,
	    h != NULL ? sqlite3_errmsg(h) : "out of memory");
}

/* queue_db_exec - run SQL without results; -1 and err on failure */
static int
queue_db_exec(sqlite3 *h, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK) {
		queue_db_seterr(h, sql, err, errlen);
		return -1;
	}
	return 0;
}

/* queue_db_int - the integer of a one-value query, or -1 */
static long long
queue_db_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

/* queue_db_is_wal - whether the journal mode really is WAL */
static int
queue_db_is_wal(sqlite3 *h)
{
	sqlite3_stmt *st;
	int wal = 0;

	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) !=
	    SQLITE_OK) {
		return 0;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *mode = sqlite3_column_text(st, 0);

		wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	}
	sqlite3_finalize(st);
	return wal;
}

/* queue_db_upgrade - one schema step in its own transaction */
static int
queue_db_upgrade(sqlite3 *h, const char *sql, char *err, size_t errlen)
{
	if (queue_db_exec(h, "BEGIN IMMEDIATE;", err, errlen) != 0) {
		return -1;
	}
	if (queue_db_exec(h, sql, err, errlen) != 0) {
		(void)sqlite3_exec(h, "ROLLBACK;", NULL, NULL, NULL);
		return -1;
	}
	return queue_db_exec(h, "COMMIT;", err, errlen);
}

/* queue_db_schema - create or check the schema (user_version) */
static int
queue_db_schema(sqlite3 *h, char *err, size_t errlen)
{
	long long v = queue_db_int(h, "PRAGMA user_version");

	if (v < 0) {
		queue_db_seterr(h, "PRAGMA user_version", err, errlen);
		return -1;
	}
	/* A new spool is made as version 1, then upgraded like an old
	 * one: each upgrade in a transaction, one version at a time. */
	if (v == 0 &&
	    queue_db_upgrade(h, queue_db_schema_v1, err, errlen) != 0) {
		return -1;
	}
	if (v <= 1 &&
	    queue_db_upgrade(h, queue_db_upgrade_v2, err, errlen) != 0) {
		return -1;
	}
	if (v <= 2 &&
	    queue_db_upgrade(h, queue_db_upgrade_v3, err, errlen) != 0) {
		return -1;
	}
	if (v <= 2) {
		return 0;
	}
	if (v != QUEUE_DB_VERSION) {
		snprintf(err, errlen,
		    "schema version %lld is not %d: written by other firmware",
		    v, QUEUE_DB_VERSION);
		return -1;
	}
	return 0;
}

/* queue_db_prepare - every statement, once */
static int
queue_db_prepare(struct queue_db *db, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < QDB_NSTMT; i++) {
		if (sqlite3_prepare_v3(db->h, queue_db_sql[i], -1,
			SQLITE_PREPARE_PERSISTENT, &db->st[i],
			NULL) != SQLITE_OK) {
			queue_db_seterr(db->h, queue_db_sql[i], err, errlen);
			return -1;
		}
	}
	return 0;
}

enum sk_result
queue_db_open(struct queue_db *db, const char *path, char *err, size_t errlen)
{
	/* NOMUTEX: only the queue's loop uses the connection (its helper
	 * threads touch files, never the database), so SQLite need not
	 * lock the connection around each call */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;

	memset(db, 0, sizeof(*db));
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		queue_db_seterr(db->h, path, err, errlen);
		queue_db_close(db);
		return SK_E_IO;
	}
	/* EXCLUSIVE before WAL: one process owns the spool, and the WAL
	 * index lives in its memory (no -shm file to go stale). NORMAL:
	 * a commit does not wait for the disk; the queue's syncfs after
	 * each commit makes it durable (queue_int.h, "The pass"). */
	if (queue_db_exec(db->h,
		"PRAGMA locking_mode = EXCLUSIVE;"
		"PRAGMA journal_mode = WAL;"
		"PRAGMA synchronous = NORMAL;"
		"PRAGMA foreign_keys = ON;"
		"PRAGMA trusted_schema = OFF;",
		err, errlen) == -1 ||
	    queue_db_schema(db->h, err, errlen) == -1 ||
	    queue_db_exec(db->h, queue_db_temp, err, errlen) == -1 ||
	    queue_db_prepare(db, err, errlen) == -1) {
		queue_db_close(db);
		return SK_E_IO;
	}
	if (!queue_db_is_wal(db->h)) {
		snprintf(err, errlen, "%s: journal_mode is not WAL", path);
		queue_db_close(db);
		return SK_E_IO;
	}
	return SK_OK;
}

void
queue_db_close(struct queue_db *db)
{
	size_t i;

	for (i = 0; i < QDB_NSTMT; i++) {
		sqlite3_finalize(db->st[i]);
		db->st[i] = NULL;
	}
	sqlite3_close(db->h);
	db->h = NULL;
	db->in_tx = 0;
}

const char *
queue_db_error(const struct queue_db *db)
{
	return db->h != NULL ? sqlite3_errmsg(db->h) : "database not open";
}

enum sk_result
queue_db_begin(struct queue_db *db)
{
	if (db->in_tx) {
		return SK_OK;
	}
	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		return SK_E_IO;
	}
	db->in_tx = 1;
	return SK_OK;
}

enum sk_result
queue_db_commit(struct queue_db *db)
{
	if (!db->in_tx) {
		return SK_OK;
	}
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		return SK_E_IO;
	}
	db->in_tx = 0;
	db->commits++;
	return SK_OK;
}

void
queue_db_rollback(struct queue_db *db)
{
	if (db->in_tx) {
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		db->in_tx = 0;
	}
}

/* ---- small helpers over one statement ---------------------------- */

static sqlite3_stmt *
queue_db_st(struct queue_db *db, enum queue_db_stmt which)
{
	sqlite3_stmt *st = db->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void
queue_db_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* queue_db_st_id - statement which, ready, with ?1 bound to a message id */
static sqlite3_stmt *
queue_db_st_id(struct queue_db *db, enum queue_db_stmt which, const char *id)
{
	sqlite3_stmt *st = queue_db_st(db, which);

	queue_db_text(st, 1, id);
	return st;
}

/* queue_db_done - step a statement that returns no row */
static enum sk_result
queue_db_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SK_OK : SK_E_IO;
}

/* queue_db_changed - step a write; SK_END if it changed no row */
static enum sk_result
queue_db_changed(struct queue_db *db, sqlite3_stmt *st)
{
	enum sk_result r = queue_db_done(st);

	if (r == SK_OK && sqlite3_changes(db->h) == 0) {
		return SK_END;
	}
	return r;
}

/* queue_db_step - SK_OK for a row, SK_END when done, SK_E_IO */
static enum sk_result
queue_db_step(sqlite3_stmt *st)
{
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return SK_OK;
	case SQLITE_DONE:
		sqlite3_reset(st);
		return SK_END;
	default:
		sqlite3_reset(st);
		return SK_E_IO;
	}
}

/*
 * queue_db_copy - column i as a C string in out[size], cut to fit and at
 * any NUL: stored text is data, never trusted to fit.
 */
static void
queue_db_copy(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (s == NULL) {
		n = 0;
	}
	if (n >= size) {
		n = size - 1;
	}
	if (n > 0) {
		memcpy(out, s, n);
	}
	out[n] = '\0';
}

static uint32_t
queue_db_u32(sqlite3_stmt *st, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);

	return v < 0 || v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* queue_db_u8 - a small enum column; out of range reads as 0 */
static uint8_t
queue_db_u8(sqlite3_stmt *st, int i, uint8_t max)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);

	return v < 0 || v > max ? 0 : (uint8_t)v;
}

/* ---- messages ------------------------------------------------------ */

enum sk_result
queue_db_insert(struct queue_db *db, const struct queue_msg_row *m)
{
	const struct queue_envelope *e = &m->env;
	sqlite3_stmt *st = queue_db_st(db, QDB_MSG_INSERT);

	queue_db_text(st, 1, e->id);
	queue_db_text(st, 2, e->sender);
	queue_db_text(st, 3, e->envid);
	sqlite3_bind_int(st, 4, e->ret);
	sqlite3_bind_int(st, 5, e->body);
	sqlite3_bind_int(st, 6, e->smtputf8);
	queue_db_text(st, 7, e->auth_user);
	queue_db_text(st, 8, e->client_addr);
	queue_db_text(st, 9, e->client_name);
	queue_db_text(st, 10, e->helo);
	queue_db_text(st, 11, e->listener);
	queue_db_text(st, 12, e->protocol);
	queue_db_text(st, 13, e->tls);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)m->size);
	sqlite3_bind_int64(st, 15, m->arrival_ms);
	sqlite3_bind_int(st, 16, m->hold);
	sqlite3_bind_int(st, 17, m->delay_sent);
	queue_db_text(st, 18, e->prepend);
	queue_db_text(st, 19, m->quarantine);
	sqlite3_bind_int64(st, 20, m->quarantined);
	return queue_db_done(st);
}

enum sk_result
queue_db_insert_rcpt(struct queue_db *db, const char *id, uint32_t rcpt,
    const char *address, uint32_t notify, const char *orcpt, int64_t next_ms)
{
	char domain[QUEUE_DOMAIN_SIZE];
	sqlite3_stmt *st;

	if (queue_domain(address, domain, sizeof(domain)) == -1) {
		return SK_E_SYNTAX;
	}
	st = queue_db_st_id(db, QDB_RCPT_INSERT, id);
	sqlite3_bind_int64(st, 2, rcpt);
	queue_db_text(st, 3, address);
	queue_db_text(st, 4, domain);
	sqlite3_bind_int64(st, 5, notify);
	queue_db_text(st, 6, orcpt);
	sqlite3_bind_int64(st, 7, next_ms);
	return queue_db_done(st);
}

/* queue_db_msg_row - the current row of QDB_MSG_GET into m */
static void
queue_db_msg_row(sqlite3_stmt *st, struct queue_msg_row *m)
{
	struct queue_envelope *e = &m->env;

	queue_db_copy(st, 0, e->id, sizeof(e->id));
	queue_db_copy(st, 1, e->sender, sizeof(e->sender));
	queue_db_copy(st, 2, e->envid, sizeof(e->envid));
	e->ret = queue_db_u8(st, 3, MSG_RET_HDRS);
	e->body = queue_db_u8(st, 4, MSG_BODY_BINARYMIME);
	e->smtputf8 = queue_db_u8(st, 5, 1);
	queue_db_copy(st, 6, e->auth_user, sizeof(e->auth_user));
	queue_db_copy(st, 7, e->client_addr, sizeof(e->client_addr));
	queue_db_copy(st, 8, e->client_name, sizeof(e->client_name));
	queue_db_copy(st, 9, e->helo, sizeof(e->helo));
	queue_db_copy(st, 10, e->listener, sizeof(e->listener));
	queue_db_copy(st, 11, e->protocol, sizeof(e->protocol));
	queue_db_copy(st, 12, e->tls, sizeof(e->tls));
	m->size = (uint64_t)sqlite3_column_int64(st, 13);
	m->arrival_ms = sqlite3_column_int64(st, 14);
	m->hold = sqlite3_column_int(st, 15) != 0;
	m->delay_sent = sqlite3_column_int(st, 16) != 0;
	queue_db_copy(st, 17, e->prepend, sizeof(e->prepend));
	queue_db_copy(st, 18, m->quarantine, sizeof(m->quarantine));
	m->quarantined = sqlite3_column_int64(st, 19);
}

enum sk_result
queue_db_get(struct queue_db *db, const char *id, struct queue_msg_row *m)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_MSG_GET, id);
	enum sk_result r;

	if ((r = queue_db_step(st)) != SK_OK) {
		return r;
	}
	queue_db_msg_row(st, m);
	sqlite3_reset(st);
	return SK_OK;
}

enum sk_result
queue_db_delete(struct queue_db *db, const char *id)
{
	return queue_db_changed(db, queue_db_st_id(db, QDB_MSG_DELETE, id));
}

enum sk_result
queue_db_hold(struct queue_db *db, const char *id, int hold)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_MSG_HOLD, id);

	sqlite3_bind_int(st, 2, hold != 0);
	return queue_db_changed(db, st);
}

enum sk_result
queue_db_delay_sent(struct queue_db *db, const char *id)
{
	return queue_db_changed(db, queue_db_st_id(db, QDB_MSG_DELAY_SENT, id));
}

int
queue_db_exists(struct queue_db *db, const char *id)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_MSG_EXISTS, id);
	enum sk_result r;

	r = queue_db_step(st);
	sqlite3_reset(st);
	return r == SK_OK ? 1 : r == SK_END ? 0 : -1;
}

/* queue_db_ids - run a statement whose column 0 is an id and whose
 * parameter `limit` is its LIMIT, max, into ids[] */
static enum sk_result
queue_db_ids(sqlite3_stmt *st, int limit, char (*ids)[QUEUE_ID_SIZE],
    size_t max, size_t *n)
{
	enum sk_result r = SK_END;

	sqlite3_bind_int64(st, limit, (sqlite3_int64)max);
	*n = 0;
	while (*n < max && (r = queue_db_step(st)) == SK_OK) {
		queue_db_copy(st, 0, ids[*n], QUEUE_ID_SIZE);
		(*n)++;
	}
	sqlite3_reset(st);
	return *n < max && r != SK_END ? SK_E_IO : SK_OK;
}

enum sk_result
queue_db_list(struct queue_db *db, const char *after,
    char (*ids)[QUEUE_ID_SIZE], size_t max, size_t *n)
{
	return queue_db_ids(queue_db_st_id(db, QDB_MSG_LIST, after), 2, ids,
	    max, n);
}

enum sk_result
queue_db_list_queued(struct queue_db *db, const char *after,
    char (*ids)[QUEUE_ID_SIZE], size_t max, size_t *n)
{
	return queue_db_ids(queue_db_st_id(db, QDB_MSG_LIST_QUEUED, after), 2,
	    ids, max, n);
}

enum sk_result
queue_db_sweep(struct queue_db *db, char (*ids)[QUEUE_ID_SIZE], size_t max,
    size_t *n)
{
	return queue_db_ids(queue_db_st(db, QDB_SWEEP), 1, ids, max, n);
}

enum sk_result
queue_db_no_rcpt(struct queue_db *db, char (*ids)[QUEUE_ID_SIZE], size_t max,
    size_t *n)
{
	return queue_db_ids(queue_db_st(db, QDB_MSG_NO_RCPT), 1, ids, max, n);
}

enum sk_result
queue_db_count(struct queue_db *db, unsigned long *n)
{
	sqlite3_stmt *st = queue_db_st(db, QDB_MSG_COUNT);
	enum sk_result r = queue_db_step(st);

	*n = r == SK_OK ? (unsigned long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SK_OK ? SK_OK : SK_E_IO;
}

enum sk_result
queue_db_all_begin(struct queue_db *db)
{
	queue_db_st(db, QDB_MSG_ALL);
	return SK_OK;
}

enum sk_result
queue_db_all_next(struct queue_db *db, char id[QUEUE_ID_SIZE], uint64_t *size)
{
	sqlite3_stmt *st = db->st[QDB_MSG_ALL];
	enum sk_result r = queue_db_step(st);

	if (r == SK_OK) {
		queue_db_copy(st, 0, id, QUEUE_ID_SIZE);
		*size = (uint64_t)sqlite3_column_int64(st, 1);
	}
	return r;
}

void
queue_db_all_end(struct queue_db *db)
{
	sqlite3_reset(db->st[QDB_MSG_ALL]);
}

/* ---- recipients ---------------------------------------------------- */

enum sk_result
queue_db_rcpts_begin(struct queue_db *db, const char *id)
{
	(void)queue_db_st_id(db, QDB_RCPT_OF, id);
	return SK_OK;
}

enum sk_result
queue_db_rcpts_next(struct queue_db *db, struct queue_rcpt_row *r)
{
	sqlite3_stmt *st = db->st[QDB_RCPT_OF];
	enum sk_result res = queue_db_step(st);

	if (res != SK_OK) {
		return res;
	}
	r->rcpt = queue_db_u32(st, 0);
	queue_db_copy(st, 1, r->address, sizeof(r->address));
	queue_db_copy(st, 2, r->domain, sizeof(r->domain));
	r->notify = queue_db_u32(st, 3);
	queue_db_copy(st, 4, r->orcpt, sizeof(r->orcpt));
	r->status = queue_db_u8(st, 5, QUEUE_RCPT_FAILED);
	r->attempts = queue_db_u32(st, 6);
	r->next_ms = sqlite3_column_int64(st, 7);
	r->last_ms = sqlite3_column_int64(st, 8);
	queue_db_copy(st, 9, r->dsn, sizeof(r->dsn));
	queue_db_copy(st, 10, r->reply, sizeof(r->reply));
	queue_db_copy(st, 11, r->relay, sizeof(r->relay));
	r->reported = sqlite3_column_int(st, 12) != 0;
	return SK_OK;
}

void
queue_db_rcpts_end(struct queue_db *db)
{
	sqlite3_reset(db->st[QDB_RCPT_OF]);
}

enum sk_result
queue_db_result(struct queue_db *db, const char *id, uint32_t rcpt,
    const struct queue_rcpt_update *u)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_RCPT_RESULT, id);

	sqlite3_bind_int64(st, 2, rcpt);
	sqlite3_bind_int(st, 3, u->status);
	sqlite3_bind_int64(st, 4, u->attempts);
	sqlite3_bind_int64(st, 5, u->next_ms);
	sqlite3_bind_int64(st, 6, u->last_ms);
	queue_db_text(st, 7, u->dsn);
	queue_db_text(st, 8, u->reply);
	queue_db_text(st, 9, u->relay);
	return queue_db_changed(db, st);
}

enum sk_result
queue_db_reported(struct queue_db *db, const char *id, uint32_t rcpt)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_RCPT_REPORTED, id);

	sqlite3_bind_int64(st, 2, rcpt);
	return queue_db_done(st);
}

enum sk_result
queue_db_flush(struct queue_db *db, const char *id, int64_t now_ms,
    unsigned long *n)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_RCPT_FLUSH, id);
	enum sk_result r;

	sqlite3_bind_int64(st, 2, now_ms);
	r = queue_db_done(st);
	*n = r == SK_OK ? (unsigned long)sqlite3_changes(db->h) : 0;
	return r;
}

/* ---- scheduler ----------------------------------------------------- */

enum sk_result
queue_db_due_pick(struct queue_db *db, int64_t now_ms, char id[QUEUE_ID_SIZE],
    char domain[QUEUE_DOMAIN_SIZE])
{
	sqlite3_stmt *st = queue_db_st(db, QDB_DUE_PICK);
	enum sk_result r;

	sqlite3_bind_int64(st, 1, now_ms);
	if ((r = queue_db_step(st)) != SK_OK) {
		return r;
	}
	queue_db_copy(st, 0, id, QUEUE_ID_SIZE);
	queue_db_copy(st, 1, domain, QUEUE_DOMAIN_SIZE);
	sqlite3_reset(st);
	return SK_OK;
}

enum sk_result
queue_db_due_job_begin(struct queue_db *db, const char *id, const char *domain,
    int64_t now_ms)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_DUE_JOB, id);

	queue_db_text(st, 2, domain);
	sqlite3_bind_int64(st, 3, now_ms);
	return SK_OK;
}

enum sk_result
queue_db_due_job_next(struct queue_db *db, uint32_t *rcpt, struct queue_rcpt *r,
    uint32_t *attempts)
{
	sqlite3_stmt *st = db->st[QDB_DUE_JOB];
	enum sk_result res = queue_db_step(st);

	if (res != SK_OK) {
		return res;
	}
	*rcpt = queue_db_u32(st, 0);
	queue_db_copy(st, 1, r->address, sizeof(r->address));
	r->notify = queue_db_u32(st, 2);
	queue_db_copy(st, 3, r->orcpt, sizeof(r->orcpt));
	*attempts = queue_db_u32(st, 4);
	return SK_OK;
}

void
queue_db_due_job_end(struct queue_db *db)
{
	sqlite3_reset(db->st[QDB_DUE_JOB]);
}

enum sk_result
queue_db_due_next(struct queue_db *db, int64_t now_ms, int64_t *when)
{
	sqlite3_stmt *st = queue_db_st(db, QDB_DUE_NEXT);
	enum sk_result r;

	sqlite3_bind_int64(st, 1, now_ms);
	if ((r = queue_db_step(st)) != SK_OK) {
		return r;
	}
	r = sqlite3_column_type(st, 0) == SQLITE_NULL ? SK_END : SK_OK;
	*when = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r;
}

enum sk_result
queue_db_inflight_add(struct queue_db *db, const char *id, uint32_t rcpt,
    uint32_t job)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_INFLIGHT_ADD, id);

	sqlite3_bind_int64(st, 2, rcpt);
	sqlite3_bind_int64(st, 3, job);
	return queue_db_done(st);
}

enum sk_result
queue_db_inflight_del(struct queue_db *db, uint32_t job)
{
	sqlite3_stmt *st = queue_db_st(db, QDB_INFLIGHT_DEL);

	sqlite3_bind_int64(st, 1, job);
	return queue_db_done(st);
}

enum sk_result
queue_db_busy(struct queue_db *db, const char *domain, int busy)
{
	sqlite3_stmt *st = queue_db_st(db, busy ? QDB_BUSY_ADD : QDB_BUSY_DEL);

	queue_db_text(st, 1, domain);
	return queue_db_done(st);
}

/* ---- quarantine ---------------------------------------------------- */

enum sk_result
queue_db_quar_list(struct queue_db *db, const struct queue_quar_filter *f,
    struct queue_quar_cursor *cur, char (*ids)[QUEUE_ID_SIZE], size_t max,
    size_t *n)
{
	sqlite3_stmt *st = queue_db_st(db, QDB_QUAR_LIST);
	enum sk_result r = SK_END;

	/* parameters, never SQL built from the operator's text */
	sqlite3_bind_int64(st, 1, cur->quarantined);
	queue_db_text(st, 2, cur->id);
	sqlite3_bind_int64(st, 3, f->since);
	sqlite3_bind_int64(st, 4, f->until);
	queue_db_text(st, 5, f->from);
	queue_db_text(st, 6, f->to);
	queue_db_text(st, 7, f->reason);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)max);
	*n = 0;
	while (*n < max && (r = queue_db_step(st)) == SK_OK) {
		queue_db_copy(st, 0, ids[*n], QUEUE_ID_SIZE);
		queue_db_copy(st, 0, cur->id, sizeof(cur->id));
		cur->quarantined = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	return *n < max && r != SK_END ? SK_E_IO : SK_OK;
}

enum sk_result
queue_db_quar_release(struct queue_db *db, const char *id, int64_t now_ms)
{
	sqlite3_stmt *st = queue_db_st_id(db, QDB_QUAR_RELEASE, id);
	enum sk_result r;

	sqlite3_bind_int64(st, 2, now_ms);
	if ((r = queue_db_changed(db, st)) != SK_OK) {
		return r;
	}
	st = queue_db_st_id(db, QDB_QUAR_DUE, id);
	sqlite3_bind_int64(st, 2, now_ms);
	return queue_db_done(st);
}

enum sk_result
queue_db_quar_stats(struct queue_db *db, unsigned long *n, uint64_t *bytes)
{
	sqlite3_stmt *st = queue_db_st(db, QDB_QUAR_STATS);
	enum sk_result r = queue_db_step(st);
	double total;

	*n = 0;
	*bytes = 0;
	if (r == SK_OK) {
		*n = (unsigned long)sqlite3_column_int64(st, 0);
		/* total() is a float: exact far beyond any spool's size */
		total = sqlite3_column_double(st, 1);
		*bytes = total > 0 ? (uint64_t)total : 0;
	}
	sqlite3_reset(st);
	return r == SK_OK ? SK_OK : SK_E_IO;
}

enum sk_result
queue_db_quar_oldest(struct queue_db *db, struct queue_quar_entry *v,
    size_t max, size_t *n)
{
	sqlite3_stmt *st = queue_db_st(db, QDB_QUAR_OLDEST);
	enum sk_result r = SK_END;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	*n = 0;
	while (*n < max && (r = queue_db_step(st)) == SK_OK) {
		queue_db_copy(st, 0, v[*n].id, sizeof(v[*n].id));
		v[*n].size = (uint64_t)sqlite3_column_int64(st, 1);
		v[*n].quarantined = sqlite3_column_int64(st, 2);
		(*n)++;
	}
	sqlite3_reset(st);
	return *n < max && r != SK_END ? SK_E_IO : SK_OK;
}
