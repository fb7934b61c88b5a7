/*
 * policy_report_recent.c - the bounded store of recent inbound results
 * (policy_report.h, "recent results"): a sibling SQLite database of the
 * DMARC report store, written in batches by the policy process, read
 * (read-only, WAL: never blocking the writer) by the CLI's `show mail
 * authentication-results` and by anyone else with the path.
 *
 * Why a database of its own and not a table in dmarc.db: this view is
 * written for every inbound message whether or not aggregate reports are
 * on (the report store is opened only when they are), its write rate and
 * pruning should never hold the report store's lock while a report is
 * built, and a reader running as root (the CLI) touches only this file.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "policy_report.h"

#define POLICY_RECENT_BUSY_MS 100       /* the writer: never stall the loop */
#define POLICY_RECENT_READ_BUSY_MS 2000 /* a reader may wait */

/* One row per message; its DKIM signatures in a table of their own, so
 * that a hostile d= (any octets) needs no quoting to be stored. The
 * rowid grows with every insert: pruning keeps the newest rows_max. */
static const char policy_recent_schema[] =
    "CREATE TABLE IF NOT EXISTS recent ("
    " id INTEGER PRIMARY KEY, time INTEGER NOT NULL, qid TEXT NOT NULL,"
    " client_ip TEXT NOT NULL, envelope_domain TEXT NOT NULL,"
    " header_domain TEXT NOT NULL, spf TEXT NOT NULL, dkim TEXT NOT NULL,"
    " dmarc TEXT NOT NULL, dmarc_policy TEXT NOT NULL, arc TEXT NOT NULL,"
    " action TEXT NOT NULL, reason TEXT NOT NULL,"
    " failed INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS recent_dkim ("
    " msg INTEGER NOT NULL, n INTEGER NOT NULL, domain TEXT NOT NULL,"
    " result TEXT NOT NULL, PRIMARY KEY (msg, n)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

/* the columns of a row, in the order policy_recent_read_row reads them */
#define POLICY_RECENT_COLUMNS                                             \
	"id, time, qid, client_ip, envelope_domain, header_domain, spf, " \
	"dkim, dmarc, dmarc_policy, arc, action, reason, failed"

enum sk_result
policy_report_recent_open(struct policy_recent_db *db, const char *path,
    int readonly, char *err, size_t errlen)
{
	db->rows_max = POLICY_RECENT_ROWS_MAX;
	db->nbatch = 0;
	return policy_sqlite_open(&db->h, path, readonly,
	    readonly ? POLICY_RECENT_READ_BUSY_MS : POLICY_RECENT_BUSY_MS,
	    policy_recent_schema, err, errlen);
}

void
policy_report_recent_close(struct policy_recent_db *db)
{
	if (db->h != NULL) {
		(void)sqlite3_close(db->h);
		db->h = NULL;
	}
	db->nbatch = 0;
}

enum sk_result
policy_report_recent_add(struct policy_recent_db *db,
    const struct policy_recent_row *row, char *err, size_t errlen)
{
	if (db->nbatch == POLICY_RECENT_BATCH) {
		/* cannot happen: a full batch is written below */
		db->nbatch = 0;
	}
	db->batch[db->nbatch++] = *row;
	if (db->nbatch == POLICY_RECENT_BATCH) {
		return policy_report_recent_flush(db, err, errlen);
	}
	return SK_OK;
}

/* policy_recent_bind - text s, at most max octets of it (a C string
 * cannot hold a NUL, and the bound was applied when the row was made:
 * this is the second fence) */
static void
policy_recent_bind(sqlite3_stmt *st, int i, const char *s, size_t max)
{
	(void)sqlite3_bind_text(st, i, s, (int)strnlen(s, max), SQLITE_STATIC);
}

/* policy_recent_insert - one row and its signatures; 0 or -1 */
static int
policy_recent_insert(struct policy_recent_db *db, sqlite3_stmt *row,
    sqlite3_stmt *sig, const struct policy_recent_row *r)
{
	sqlite3_int64 id;
	size_t i;

	(void)sqlite3_reset(row);
	(void)sqlite3_bind_int64(row, 1, (sqlite3_int64)r->time);
	policy_recent_bind(row, 2, r->qid, POLICY_RECENT_QID_MAX);
	policy_recent_bind(row, 3, r->client_ip, POLICY_RECENT_IP_MAX);
	policy_recent_bind(row, 4, r->envelope_domain,
	    POLICY_RECENT_DOMAIN_MAX);
	policy_recent_bind(row, 5, r->header_domain, POLICY_RECENT_DOMAIN_MAX);
	policy_recent_bind(row, 6, r->spf, POLICY_RECENT_WORD_MAX);
	policy_recent_bind(row, 7, r->dkim, POLICY_RECENT_WORD_MAX);
	policy_recent_bind(row, 8, r->dmarc, POLICY_RECENT_WORD_MAX);
	policy_recent_bind(row, 9, r->dmarc_policy, POLICY_RECENT_WORD_MAX);
	policy_recent_bind(row, 10, r->arc, POLICY_RECENT_WORD_MAX);
	policy_recent_bind(row, 11, r->action, POLICY_RECENT_WORD_MAX);
	policy_recent_bind(row, 12, r->reason, POLICY_RECENT_REASON_MAX);
	(void)sqlite3_bind_int(row, 13, r->failed != 0);
	if (sqlite3_step(row) != SQLITE_DONE) {
		return -1;
	}
	id = sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < r->ndkim && i < POLICY_RECENT_DKIM_MAX; i++) {
		(void)sqlite3_reset(sig);
		(void)sqlite3_bind_int64(sig, 1, id);
		(void)sqlite3_bind_int(sig, 2, (int)i);
		policy_recent_bind(sig, 3, r->sig[i].domain,
		    POLICY_RECENT_DOMAIN_MAX);
		policy_recent_bind(sig, 4, r->sig[i].result,
		    POLICY_RECENT_WORD_MAX);
		if (sqlite3_step(sig) != SQLITE_DONE) {
			return -1;
		}
	}
	return 0;
}

/* policy_recent_prune - keep the newest rows_max rows; 0 or -1 */
static int
policy_recent_prune(struct policy_recent_db *db, char *err, size_t errlen)
{
	static const char *const sql[] = {
		"DELETE FROM recent_dkim WHERE msg <= "
		"(SELECT max(id) FROM recent) - ?1",
		"DELETE FROM recent WHERE id <= "
		"(SELECT max(id) FROM recent) - ?1",
	};
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < SK_NELEM(sql); i++) {
		if ((st = policy_sqlite_prepare(db->h, sql[i], err, errlen)) ==
		    NULL) {
			return -1;
		}
		(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)db->rows_max);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			policy_sqlite_seterr(db->h, "prune", err, errlen);
			return -1;
		}
	}
	return 0;
}

/* policy_recent_write - the batch inside an open transaction; 0 or -1 */
static int
policy_recent_write(struct policy_recent_db *db, char *err, size_t errlen)
{
	sqlite3_stmt *row, *sig;
	size_t i;
	int ok = 1;

	row = policy_sqlite_prepare(db->h,
	    "INSERT INTO recent VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11, ?12, ?13)",
	    err, errlen);
	sig = policy_sqlite_prepare(db->h,
	    "INSERT OR REPLACE INTO recent_dkim VALUES (?1, ?2, ?3, ?4)", err,
	    errlen);
	if (row == NULL || sig == NULL) {
		ok = 0;
	}
	for (i = 0; ok && i < db->nbatch; i++) {
		if (policy_recent_insert(db, row, sig, &db->batch[i]) != 0) {
			policy_sqlite_seterr(db->h, "insert", err, errlen);
			ok = 0;
		}
	}
	sqlite3_finalize(row);
	sqlite3_finalize(sig);
	return ok && policy_recent_prune(db, err, errlen) == 0 ? 0 : -1;
}

enum sk_result
policy_report_recent_flush(struct policy_recent_db *db, char *err,
    size_t errlen)
{
	enum sk_result r = SK_OK;

	if (db->nbatch == 0) {
		return SK_OK;
	}
	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		policy_sqlite_seterr(db->h, "begin", err, errlen);
		r = SK_E_IO;
	} else if (policy_recent_write(db, err, errlen) != 0) {
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		r = SK_E_IO;
	} else if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		policy_sqlite_seterr(db->h, "commit", err, errlen);
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		r = SK_E_IO;
	}
	/* a view: a batch that could not be written is dropped, never
	 * kept growing */
	db->nbatch = 0;
	return r;
}

/* ---- reading back ------------------------------------------------------ */

/* policy_recent_text - column i into out[cap], cut to fit and at the
 * first NUL: a damaged or crafted file prints oddly, never overflows */
static void
policy_recent_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	size_t len = 0;

	if (s != NULL && n > 0) {
		len = strnlen((const char *)s, (size_t)n);
	}
	if (len >= cap) {
		len = cap - 1;
	}
	if (len > 0) {
		memcpy(out, s, len);
	}
	out[len] = '\0';
}

/* policy_recent_read_row - the columns of POLICY_RECENT_COLUMNS */
static void
policy_recent_read_row(sqlite3_stmt *st, struct policy_recent_row *r)
{
	sqlite3_int64 t = sqlite3_column_int64(st, 1);

	memset(r, 0, sizeof(*r));
	r->time = t > 0 ? (uint64_t)t : 0;
	policy_recent_text(st, 2, r->qid, sizeof(r->qid));
	policy_recent_text(st, 3, r->client_ip, sizeof(r->client_ip));
	policy_recent_text(st, 4, r->envelope_domain,
	    sizeof(r->envelope_domain));
	policy_recent_text(st, 5, r->header_domain, sizeof(r->header_domain));
	policy_recent_text(st, 6, r->spf, sizeof(r->spf));
	policy_recent_text(st, 7, r->dkim, sizeof(r->dkim));
	policy_recent_text(st, 8, r->dmarc, sizeof(r->dmarc));
	policy_recent_text(st, 9, r->dmarc_policy, sizeof(r->dmarc_policy));
	policy_recent_text(st, 10, r->arc, sizeof(r->arc));
	policy_recent_text(st, 11, r->action, sizeof(r->action));
	policy_recent_text(st, 12, r->reason, sizeof(r->reason));
	r->failed = sqlite3_column_int(st, 13) != 0;
}

/* policy_recent_read_sigs - the signatures of message id, in order, at
 * most POLICY_RECENT_DKIM_MAX; 0 or -1 */
static int
policy_recent_read_sigs(sqlite3_stmt *sig, sqlite3_int64 id,
    struct policy_recent_row *r)
{
	int rc;

	(void)sqlite3_reset(sig);
	(void)sqlite3_bind_int64(sig, 1, id);
	while ((rc = sqlite3_step(sig)) == SQLITE_ROW &&
	    r->ndkim < POLICY_RECENT_DKIM_MAX) {
		struct policy_recent_dkim *d = &r->sig[r->ndkim++];

		policy_recent_text(sig, 0, d->domain, sizeof(d->domain));
		policy_recent_text(sig, 1, d->result, sizeof(d->result));
	}
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* policy_recent_limit - the filter's count within the bound */
static size_t
policy_recent_limit(const struct policy_recent_filter *f)
{
	if (f->count == 0 || f->count > POLICY_RECENT_QUERY_MAX) {
		return POLICY_RECENT_QUERY_MAX;
	}
	return f->count;
}

enum sk_result
policy_report_recent_query(struct policy_recent_db *db,
    const struct policy_recent_filter *f, policy_recent_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	struct policy_recent_row row;
	sqlite3_stmt *st, *sig;
	enum sk_result r = SK_OK;
	int rc;

	/* NOCASE folds ASCII only: a hostile U-label is compared as is */
	st = policy_sqlite_prepare(db->h,
	    "SELECT " POLICY_RECENT_COLUMNS " FROM recent WHERE"
	    " (?1 IS NULL OR header_domain = ?1 COLLATE NOCASE OR"
	    "  envelope_domain = ?1 COLLATE NOCASE)"
	    " AND (?2 = 0 OR failed != 0) AND time >= ?3"
	    " ORDER BY id DESC LIMIT ?4",
	    err, errlen);
	sig = policy_sqlite_prepare(db->h,
	    "SELECT domain, result FROM recent_dkim WHERE msg = ?1 ORDER BY n",
	    err, errlen);
	if (st == NULL || sig == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(sig);
		return SK_E_IO;
	}
	if (f->domain != NULL) {
		(void)sqlite3_bind_text(st, 1, f->domain, -1, SQLITE_STATIC);
	}
	(void)sqlite3_bind_int(st, 2, f->failed_only != 0);
	(void)sqlite3_bind_int64(st, 3,
	    f->since > INT64_MAX ? INT64_MAX : (sqlite3_int64)f->since);
	(void)sqlite3_bind_int64(st, 4, (sqlite3_int64)policy_recent_limit(f));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		policy_recent_read_row(st, &row);
		if (policy_recent_read_sigs(sig, sqlite3_column_int64(st, 0),
			&row) != 0) {
			break;
		}
		if (fn(arg, &row) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		policy_sqlite_seterr(db->h, "query", err, errlen);
		r = SK_E_IO;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(sig);
	return r;
}

/* policy_recent_count - the results of one check with their counts */
static enum sk_result
policy_recent_count(struct policy_recent_db *db, const char *check,
    policy_recent_count_fn fn, void *arg, char *err, size_t errlen)
{
	char sql[160], value[POLICY_RECENT_REASON_MAX + 1];
	sqlite3_stmt *st;
	int rc;

	/* check is one of our column names, never input */
	(void)snprintf(sql, sizeof(sql),
	    "SELECT %s, count(*) FROM recent GROUP BY %s "
	    "ORDER BY count(*) DESC, %s LIMIT %d",
	    check, check, check, POLICY_RECENT_VALUES_MAX);
	if ((st = policy_sqlite_prepare(db->h, sql, err, errlen)) == NULL) {
		return SK_E_IO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		policy_recent_text(st, 0, value, sizeof(value));
		fn(arg, check, value, (uint64_t)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		policy_sqlite_seterr(db->h, "summary", err, errlen);
		return SK_E_IO;
	}
	return SK_OK;
}

enum sk_result
policy_report_recent_summary(struct policy_recent_db *db, uint64_t *total,
    uint64_t *oldest, uint64_t *newest, policy_recent_count_fn fn, void *arg,
    char *err, size_t errlen)
{
	static const char *const checks[] = { "spf", "dkim", "dmarc", "arc",
		"action" };
	sqlite3_stmt *st = policy_sqlite_prepare(db->h,
	    "SELECT count(*), min(time), max(time) FROM recent", err, errlen);
	size_t i;

	*total = *oldest = *newest = 0;
	if (st == NULL) {
		return SK_E_IO;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		policy_sqlite_seterr(db->h, "summary", err, errlen);
		sqlite3_finalize(st);
		return SK_E_IO;
	}
	*total = (uint64_t)sqlite3_column_int64(st, 0);
	*oldest = (uint64_t)sqlite3_column_int64(st, 1);
	*newest = (uint64_t)sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	for (i = 0; i < SK_NELEM(checks); i++) {
		if (policy_recent_count(db, checks[i], fn, arg, err, errlen) !=
		    SK_OK) {
			return SK_E_IO;
		}
	}
	return SK_OK;
}
