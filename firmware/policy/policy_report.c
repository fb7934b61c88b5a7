/*
 * policy_report.c - the SQLite store of DMARC aggregate report data (see
 * policy_report.h): schema, aggregation with its bounds, the reports due,
 * the XML of one report read back defensively, deletion and pruning.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "policy_report.h"

#define POLICY_REPORT_BUSY_MS 2000 /* sekimori-check may read meanwhile */

/* One table of policies (per period and domain) and one of records; a
 * record's key is every column but count (appendix C's <record>). */
static const char policy_report_schema[] =
    "CREATE TABLE IF NOT EXISTS policy ("
    " period INTEGER NOT NULL, domain TEXT NOT NULL,"
    " adkim INTEGER NOT NULL, aspf INTEGER NOT NULL, p INTEGER NOT NULL,"
    " sp INTEGER NOT NULL, pct INTEGER NOT NULL, fo INTEGER NOT NULL,"
    " rua TEXT NOT NULL, PRIMARY KEY (period, domain));"
    "CREATE TABLE IF NOT EXISTS record ("
    " period INTEGER NOT NULL, domain TEXT NOT NULL,"
    " source_ip TEXT NOT NULL, header_from TEXT NOT NULL,"
    " envelope_from TEXT NOT NULL, spf_domain TEXT NOT NULL,"
    " spf_helo INTEGER NOT NULL, spf_result TEXT NOT NULL,"
    " dkim TEXT NOT NULL, dkim_pass INTEGER NOT NULL,"
    " spf_pass INTEGER NOT NULL, disposition INTEGER NOT NULL,"
    " reason INTEGER NOT NULL, count INTEGER NOT NULL,"
    " UNIQUE (period, domain, source_ip, header_from, envelope_from,"
    "  spf_domain, spf_helo, spf_result, dkim, dkim_pass, spf_pass,"
    "  disposition, reason));"
    "PRAGMA user_version = 1;";

enum sk_result
policy_report_open(struct policy_report_db *db, const char *path, int readonly,
    char *err, size_t errlen)
{
	memset(db, 0, sizeof(*db));
	db->rows_max = POLICY_REPORT_ROWS_MAX;
	db->domains_max = POLICY_REPORT_DOMAINS_MAX;
	return policy_sqlite_open(&db->h, path, readonly, POLICY_REPORT_BUSY_MS,
	    policy_report_schema, err, errlen);
}

void
policy_report_close(struct policy_report_db *db)
{
	if (db->h != NULL) {
		(void)sqlite3_close(db->h);
		db->h = NULL;
	}
}

uint64_t
policy_report_period(uint64_t now, unsigned hours)
{
	uint64_t day = now - now % 86400;
	uint64_t len;

	if (hours == 0 || hours > 24) {
		hours = 24;
	}
	len = (uint64_t)hours * 3600;
	/* aligned to the UTC day, so 7 h periods restart at midnight (the
	 * last one of a day is shorter) */
	return day + (now - day) / len * len;
}

uint64_t
policy_report_period_end(uint64_t p, unsigned hours)
{
	uint64_t next = policy_report_period(p, hours) +
	    (uint64_t)(hours == 0 || hours > 24 ? 24 : hours) * 3600;
	uint64_t midnight = p - p % 86400 + 86400;

	return (next < midnight ? next : midnight) - 1;
}

/* policy_report_count - the single integer of sql with (period, domain) */
static long long
policy_report_count(struct policy_report_db *db, const char *sql,
    uint64_t period, const char *domain, char *err, size_t errlen)
{
	sqlite3_stmt *st = policy_sqlite_prepare(db->h, sql, err, errlen);
	long long n = -1;

	if (st == NULL) {
		return -1;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)period);
	if (domain != NULL) {
		(void)sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
	} else {
		policy_sqlite_seterr(db->h, "count", err, errlen);
	}
	sqlite3_finalize(st);
	return n;
}

/* policy_report_bind_row - the key columns, from ?3 on */
static void
policy_report_bind_row(sqlite3_stmt *st, const struct dmarc_report_row *r,
    const char *dkim)
{
	(void)sqlite3_bind_text(st, 3, r->source_ip, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 4, r->header_from, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 5, r->envelope_from, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 6, r->spf_domain, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(st, 7, r->spf_helo != 0);
	(void)sqlite3_bind_text(st, 8, r->spf_result, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(st, 9, dkim, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(st, 10, r->dkim_pass != 0);
	(void)sqlite3_bind_int(st, 11, r->spf_pass != 0);
	(void)sqlite3_bind_int(st, 12, (int)r->disposition);
	(void)sqlite3_bind_int(st, 13, (int)r->reason);
}

/* policy_report_step - run st once to its end; SK_OK or SK_E_IO */
static enum sk_result
policy_report_step(struct policy_report_db *db, sqlite3_stmt *st,
    const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		policy_sqlite_seterr(db->h, what, err, errlen);
		return SK_E_IO;
	}
	return SK_OK;
}

/* policy_report_add_row - count one more of an existing row, else insert
 * a new one when the bounds allow */
static enum sk_result
policy_report_add_row(struct policy_report_db *db, uint64_t period,
    const char *domain, const struct dmarc_report_row *r, const char *dkim,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	long long n;

	st = policy_sqlite_prepare(db->h,
	    "UPDATE record SET count = count + 1 WHERE period = ?1 AND "
	    "domain = ?2 AND source_ip = ?3 AND header_from = ?4 AND "
	    "envelope_from = ?5 AND spf_domain = ?6 AND spf_helo = ?7 AND "
	    "spf_result = ?8 AND dkim = ?9 AND dkim_pass = ?10 AND "
	    "spf_pass = ?11 AND disposition = ?12 AND reason = ?13",
	    err, errlen);
	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)period);
	(void)sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	policy_report_bind_row(st, r, dkim);
	if (policy_report_step(db, st, "update", err, errlen) != SK_OK) {
		return SK_E_IO;
	}
	if (sqlite3_changes(db->h) > 0) {
		return SK_OK;
	}
	n = policy_report_count(db,
	    "SELECT count(*) FROM record WHERE period = ?1 AND domain = ?2",
	    period, domain, err, errlen);
	if (n < 0) {
		return SK_E_IO;
	}
	if ((size_t)n >= db->rows_max) {
		(void)snprintf(err, errlen, "%s: %zu records in this period",
		    domain, db->rows_max);
		return SK_E_FULL;
	}
	st = policy_sqlite_prepare(db->h,
	    "INSERT INTO record VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13, 1)",
	    err, errlen);
	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)period);
	(void)sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	policy_report_bind_row(st, r, dkim);
	return policy_report_step(db, st, "insert", err, errlen);
}

/* policy_report_set_policy - the domain's policy row (the last seen),
 * new domains within POLICY_REPORT_DOMAINS_MAX */
static enum sk_result
policy_report_set_policy(struct policy_report_db *db, uint64_t period,
    const char *domain, const struct policy_report_policy *pol, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	long long have, n;

	have = policy_report_count(db,
	    "SELECT count(*) FROM policy WHERE period = ?1 AND domain = ?2",
	    period, domain, err, errlen);
	n = policy_report_count(db,
	    "SELECT count(*) FROM policy WHERE period = ?1", period, NULL, err,
	    errlen);
	if (have < 0 || n < 0) {
		return SK_E_IO;
	}
	if (have == 0 && (size_t)n >= db->domains_max) {
		(void)snprintf(err, errlen, "%zu domains in this period",
		    db->domains_max);
		return SK_E_FULL;
	}
	st = policy_sqlite_prepare(db->h,
	    "INSERT OR REPLACE INTO policy VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9)",
	    err, errlen);
	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)period);
	(void)sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(st, 3, pol->adkim_strict != 0);
	(void)sqlite3_bind_int(st, 4, pol->aspf_strict != 0);
	(void)sqlite3_bind_int(st, 5, (int)pol->p);
	(void)sqlite3_bind_int(st, 6, (int)pol->sp);
	(void)sqlite3_bind_int(st, 7, (int)pol->pct);
	(void)sqlite3_bind_int(st, 8, (int)pol->fo);
	(void)sqlite3_bind_text(st, 9, pol->rua, -1, SQLITE_STATIC);
	return policy_report_step(db, st, "policy", err, errlen);
}

enum sk_result
policy_report_record(struct policy_report_db *db, uint64_t period,
    const char *domain, const struct policy_report_policy *pol,
    const struct dmarc_report_row *row, char *err, size_t errlen)
{
	char dkim[DMARC_REPORT_DKIM_TEXT_MAX + 1];
	enum sk_result r;

	if ((r = dmarc_report_dkim_format(row, dkim, sizeof(dkim))) != SK_OK) {
		(void)snprintf(err, errlen, "%s: DKIM results: %s", domain,
		    sk_result_str(r));
		return SK_E_SYNTAX;
	}
	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		policy_sqlite_seterr(db->h, "begin", err, errlen);
		return SK_E_IO;
	}
	r = policy_report_set_policy(db, period, domain, pol, err, errlen);
	if (r == SK_OK) {
		r = policy_report_add_row(db, period, domain, row, dkim, err,
		    errlen);
	}
	if (r != SK_OK) {
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		policy_sqlite_seterr(db->h, "commit", err, errlen);
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return SK_E_IO;
	}
	return SK_OK;
}

/* policy_report_text - column i as text into out[cap]: SK_E_SYNTAX when
 * it is no text, holds a NUL or does not fit (a damaged store) */
static enum sk_result
policy_report_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);

	if (s == NULL || n < 0 || (size_t)n >= cap ||
	    memchr(s, '\0', (size_t)n) != NULL) {
		out[0] = '\0';
		return SK_E_SYNTAX;
	}
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
	return SK_OK;
}

/* policy_report_enum - column i as an int in [0, count) */
static int
policy_report_enum(sqlite3_stmt *st, int i, int count, int *out)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);

	if (v < 0 || v >= count) {
		return -1;
	}
	*out = (int)v;
	return 0;
}

enum sk_result
policy_report_due(struct policy_report_db *db, uint64_t before,
    struct policy_report_key *keys, size_t max, size_t *n, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = policy_sqlite_prepare(db->h,
	    "SELECT period, domain FROM policy WHERE period < ?1 "
	    "ORDER BY period, domain LIMIT ?2",
	    err, errlen);
	int rc;

	*n = 0;
	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	(void)sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct policy_report_key *k = &keys[*n];

		k->period = (uint64_t)sqlite3_column_int64(st, 0);
		if (policy_report_text(st, 1, k->domain, sizeof(k->domain)) ==
		    SK_OK) {
			(*n)++;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		policy_sqlite_seterr(db->h, "due", err, errlen);
		return SK_E_IO;
	}
	return SK_OK;
}

enum sk_result
policy_report_policy_get(struct policy_report_db *db,
    const struct policy_report_key *k, struct policy_report_policy *pol,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = policy_sqlite_prepare(db->h,
	    "SELECT adkim, aspf, p, sp, pct, fo, rua FROM policy "
	    "WHERE period = ?1 AND domain = ?2",
	    err, errlen);
	enum sk_result r = SK_E_SYNTAX;
	int p, sp, pct, fo;

	memset(pol, 0, sizeof(*pol));
	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)k->period);
	(void)sqlite3_bind_text(st, 2, k->domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		(void)snprintf(err, errlen, "%s: no policy kept", k->domain);
		r = SK_E_UNKNOWN;
	} else if (policy_report_enum(st, 2, DMARC_P_COUNT, &p) == 0 &&
	    policy_report_enum(st, 3, DMARC_P_COUNT, &sp) == 0 &&
	    policy_report_enum(st, 4, DMARC_PCT_MAX + 1, &pct) == 0 &&
	    policy_report_enum(st, 5, 16, &fo) == 0 &&
	    policy_report_text(st, 6, pol->rua, sizeof(pol->rua)) == SK_OK) {
		pol->adkim_strict = sqlite3_column_int(st, 0) != 0;
		pol->aspf_strict = sqlite3_column_int(st, 1) != 0;
		pol->p = (enum dmarc_policy)p;
		pol->sp = (enum dmarc_policy)sp;
		pol->pct = (unsigned)pct;
		pol->fo = (unsigned)fo;
		r = SK_OK;
	} else {
		(void)snprintf(err, errlen, "%s: damaged policy row",
		    k->domain);
	}
	sqlite3_finalize(st);
	return r;
}

void
policy_report_id(const struct policy_report_key *k, unsigned hours,
    char out[DMARC_REPORT_ID_MAX])
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 */
	const unsigned char *p;

	for (p = (const unsigned char *)k->domain; *p != '\0'; p++) {
		h = (h ^ *p) * 0x100000001b3u;
	}
	(void)snprintf(out, DMARC_REPORT_ID_MAX, "%" PRIu64 ".%016" PRIx64,
	    policy_report_period_end(k->period, hours) + 1, h);
}

/* policy_report_read_row - one record row (columns from 0) into r */
static enum sk_result
policy_report_read_row(sqlite3_stmt *st, struct dmarc_report_row *r)
{
	const unsigned char *dkim;
	int disp, reason;
	sqlite3_int64 count;

	memset(r, 0, sizeof(*r));
	count = sqlite3_column_int64(st, 11);
	if (policy_report_text(st, 0, r->source_ip, sizeof(r->source_ip)) ||
	    policy_report_text(st, 1, r->header_from, sizeof(r->header_from)) ||
	    policy_report_text(st, 2, r->envelope_from,
		sizeof(r->envelope_from)) ||
	    policy_report_text(st, 3, r->spf_domain, sizeof(r->spf_domain)) ||
	    policy_report_text(st, 5, r->spf_result, sizeof(r->spf_result)) ||
	    policy_report_enum(st, 9, DMARC_P_COUNT, &disp) != 0 ||
	    policy_report_enum(st, 10, DMARC_REASON_COUNT, &reason) != 0 ||
	    count < 1) {
		return SK_E_SYNTAX;
	}
	dkim = sqlite3_column_text(st, 6);
	if (dkim == NULL ||
	    dmarc_report_dkim_parse(dkim, (size_t)sqlite3_column_bytes(st, 6),
		r) != SK_OK) {
		return SK_E_SYNTAX;
	}
	r->spf_helo = sqlite3_column_int(st, 4) != 0;
	r->dkim_pass = sqlite3_column_int(st, 7) != 0;
	r->spf_pass = sqlite3_column_int(st, 8) != 0;
	r->disposition = (enum dmarc_policy)disp;
	r->reason = (enum dmarc_report_reason)reason;
	r->count = (uint64_t)count;
	return SK_OK;
}

/* policy_report_rows - every record of k into o, at most the bound */
static enum sk_result
policy_report_rows(struct policy_report_db *db,
    const struct policy_report_key *k, struct dmarc_report_out *o,
    size_t *nrows, char *err, size_t errlen)
{
	struct dmarc_report_row row;
	sqlite3_stmt *st = policy_sqlite_prepare(db->h,
	    "SELECT source_ip, header_from, envelope_from, spf_domain, "
	    "spf_helo, spf_result, dkim, dkim_pass, spf_pass, "
	    "disposition, reason, count FROM record "
	    "WHERE period = ?1 AND domain = ?2 ORDER BY rowid LIMIT ?3",
	    err, errlen);
	enum sk_result r = SK_OK;
	int rc;

	*nrows = 0;
	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)k->period);
	(void)sqlite3_bind_text(st, 2, k->domain, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int64(st, 3, (sqlite3_int64)db->rows_max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = policy_report_read_row(st, &row)) != SK_OK) {
			(void)snprintf(err, errlen, "%s: damaged record row",
			    k->domain);
			break;
		}
		dmarc_report_xml_row(o, &row);
		(*nrows)++;
	}
	if (r == SK_OK && rc != SQLITE_DONE) {
		policy_sqlite_seterr(db->h, "records", err, errlen);
		r = SK_E_IO;
	}
	sqlite3_finalize(st);
	return r;
}

enum sk_result
policy_report_xml(struct policy_report_db *db,
    const struct policy_report_key *k, unsigned hours, const char *org_name,
    const char *email, struct dmarc_report_out *o, size_t *nrows, char *err,
    size_t errlen)
{
	struct policy_report_policy pol;
	struct dmarc_report_meta m;
	char id[DMARC_REPORT_ID_MAX];
	enum sk_result r;

	*nrows = 0;
	if ((r = policy_report_policy_get(db, k, &pol, err, errlen)) != SK_OK) {
		return r;
	}
	policy_report_id(k, hours, id);
	memset(&m, 0, sizeof(m));
	m.org_name = org_name;
	m.email = email;
	m.report_id = id;
	m.begin = k->period;
	m.end = policy_report_period_end(k->period, hours);
	m.domain = k->domain;
	m.adkim_strict = pol.adkim_strict;
	m.aspf_strict = pol.aspf_strict;
	m.p = pol.p;
	m.sp = pol.sp;
	m.pct = pol.pct;
	m.fo = pol.fo;
	dmarc_report_xml_begin(o, &m);
	if ((r = policy_report_rows(db, k, o, nrows, err, errlen)) != SK_OK) {
		return r;
	}
	dmarc_report_xml_end(o);
	if ((r = dmarc_report_out_result(o)) != SK_OK) {
		(void)snprintf(err, errlen, "%s: report: %s", k->domain,
		    sk_result_str(r));
	}
	return r;
}

/* policy_report_exec2 - run sql with ?1 period and ?2 domain (or none) */
static enum sk_result
policy_report_exec2(struct policy_report_db *db, const char *sql,
    uint64_t period, const char *domain, char *err, size_t errlen)
{
	sqlite3_stmt *st = policy_sqlite_prepare(db->h, sql, err, errlen);

	if (st == NULL) {
		return SK_E_IO;
	}
	(void)sqlite3_bind_int64(st, 1, (sqlite3_int64)period);
	if (domain != NULL) {
		(void)sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	}
	return policy_report_step(db, st, "delete", err, errlen);
}

enum sk_result
policy_report_delete(struct policy_report_db *db,
    const struct policy_report_key *k, char *err, size_t errlen)
{
	enum sk_result r;

	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		policy_sqlite_seterr(db->h, "begin", err, errlen);
		return SK_E_IO;
	}
	r = policy_report_exec2(db,
	    "DELETE FROM record WHERE period = ?1 AND domain = ?2", k->period,
	    k->domain, err, errlen);
	if (r == SK_OK) {
		r = policy_report_exec2(db,
		    "DELETE FROM policy WHERE period = ?1 AND domain = ?2",
		    k->period, k->domain, err, errlen);
	}
	if (r != SK_OK ||
	    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		if (r == SK_OK) {
			policy_sqlite_seterr(db->h, "commit", err, errlen);
		}
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return SK_E_IO;
	}
	return SK_OK;
}

enum sk_result
policy_report_prune(struct policy_report_db *db, uint64_t oldest, char *err,
    size_t errlen)
{
	if (policy_report_exec2(db, "DELETE FROM record WHERE period < ?1",
		oldest, NULL, err, errlen) != SK_OK ||
	    policy_report_exec2(db, "DELETE FROM policy WHERE period < ?1",
		oldest, NULL, err, errlen) != SK_OK) {
		return SK_E_IO;
	}
	return SK_OK;
}
