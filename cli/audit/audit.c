/*
 * audit.c - the audit log over SQLite: schema, adding rows with the size
 * limit, queries and the CSV export (audit.h has the contract).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit.h"

#define AUDIT_PATH_MAX 1024
#define AUDIT_TRIM_PART 8 /* delete 1/8 of the rows per trimming step */
#define AUDIT_CUT_MARK "...(cut)"

/* auto_vacuum must be chosen before the first table exists: that is why
 * it comes first. WAL: readers (show audit) never block the writer. */
static const char audit_schema[] =
    "PRAGMA auto_vacuum = INCREMENTAL;"
    "PRAGMA journal_mode = WAL;"
    "PRAGMA journal_size_limit = 1048576;"
    "CREATE TABLE IF NOT EXISTS audit ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time INTEGER NOT NULL, user TEXT NOT NULL, source TEXT NOT NULL,"
    " event TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_time ON audit (time);";

struct audit {
	sqlite3 *db;
	uint64_t max;
};

/* audit_err - "what: SQLite's message" into err */
static enum sk_result
audit_err(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s: %s", what,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	}
	return SK_E_IO;
}

static uint64_t
audit_limit(uint64_t max)
{
	if (max == 0) {
		return AUDIT_SIZE_DEFAULT;
	}
	return max < AUDIT_SIZE_MIN ? AUDIT_SIZE_MIN : max;
}

enum sk_result
audit_open(struct audit **out, const char *dir, uint64_t max_bytes, char *err,
    size_t errlen)
{
	char path[AUDIT_PATH_MAX];
	struct audit *a;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_FILE) >=
	    sizeof(path)) {
		snprintf(err, errlen, "audit log: folder name too long");
		return SK_E_TOO_LONG;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "audit log: out of memory");
		return SK_E_FULL;
	}
	a->max = audit_limit(max_bytes);
	if (sqlite3_open_v2(path, &a->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOFOLLOW,
		NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(a->db, AUDIT_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(a->db, audit_schema, NULL, NULL, NULL) != SQLITE_OK) {
		(void)audit_err(a->db, path, err, errlen);
		audit_close(a);
		return SK_E_IO;
	}
	*out = a;
	return SK_OK;
}

void
audit_close(struct audit *a)
{
	if (a != NULL) {
		sqlite3_close(a->db);
		free(a);
	}
}

void
audit_set_max(struct audit *a, uint64_t max_bytes)
{
	a->max = audit_limit(max_bytes);
}

/* audit_int - the integer of a one-value statement, -1 on error */
static int64_t
audit_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

int64_t
audit_count(struct audit *a)
{
	return audit_int(a->db, "SELECT count(*) FROM audit");
}

uint64_t
audit_used_bytes(struct audit *a)
{
	int64_t pages = audit_int(a->db, "PRAGMA page_count");
	int64_t free_pages = audit_int(a->db, "PRAGMA freelist_count");
	int64_t size = audit_int(a->db, "PRAGMA page_size");

	if (pages < 0 || free_pages < 0 || size < 0 || free_pages > pages) {
		return 0;
	}
	return (uint64_t)(pages - free_pages) * (uint64_t)size;
}

/* audit_clean - s cut to cap - 1 octets into buf, every octet that is
 * not printable ASCII (or LF, TAB when multiline) as '?'; a cut text
 * ends in AUDIT_CUT_MARK when mark is set */
static const char *
audit_clean(const char *s, char *buf, size_t cap, int multiline, int mark)
{
	size_t i, n = s != NULL ? strlen(s) : 0, keep = n;
	unsigned char ch;

	if (n >= cap) {
		keep = cap - 1 - (mark ? strlen(AUDIT_CUT_MARK) : 0);
	}
	for (i = 0; i < keep; i++) {
		ch = (unsigned char)s[i];
		buf[i] = (ch >= 0x20 && ch < 0x7f) ||
			(multiline && (ch == '\n' || ch == '\t')) ?
		    (char)ch :
		    '?';
	}
	buf[keep] = '\0';
	if (keep < n && mark) {
		memcpy(buf + keep, AUDIT_CUT_MARK, strlen(AUDIT_CUT_MARK) + 1);
	}
	return buf;
}

/* audit_trim - delete the oldest rows until the used pages fit the
 * limit; the newest row always stays */
static enum sk_result
audit_trim(struct audit *a)
{
	sqlite3_stmt *st = NULL;
	int64_t rows;
	int rc;

	while (audit_used_bytes(a) > a->max && (rows = audit_count(a)) > 1) {
		rows = rows / AUDIT_TRIM_PART > 0 ? rows / AUDIT_TRIM_PART : 1;
		if (sqlite3_prepare_v2(a->db,
			"DELETE FROM audit WHERE id IN (SELECT id FROM audit "
			"ORDER BY id LIMIT ?1)",
			-1, &st, NULL) != SQLITE_OK) {
			return SK_E_IO;
		}
		sqlite3_bind_int64(st, 1, rows);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE ||
		    sqlite3_exec(a->db, "PRAGMA incremental_vacuum", NULL, NULL,
			NULL) != SQLITE_OK) {
			return SK_E_IO;
		}
	}
	return SK_OK;
}

enum sk_result
audit_add(struct audit *a, time_t when, const char *user, const char *source,
    const char *event, const char *detail)
{
	char u[AUDIT_USER_MAX], s[AUDIT_SOURCE_MAX], e[AUDIT_EVENT_MAX];
	char *d = malloc(AUDIT_DETAIL_MAX);
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_ERROR;

	if (d == NULL) {
		return SK_E_FULL;
	}
	if (sqlite3_prepare_v2(a->db,
		"INSERT INTO audit (time, user, source, event, detail) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)when);
		sqlite3_bind_text(st, 2, audit_clean(user, u, sizeof(u), 0, 0),
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3,
		    audit_clean(source, s, sizeof(s), 0, 0), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, audit_clean(event, e, sizeof(e), 0, 0),
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5,
		    audit_clean(detail, d, AUDIT_DETAIL_MAX, 1, 1), -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	free(d);
	if (rc != SQLITE_DONE) {
		return SK_E_IO;
	}
	return audit_trim(a);
}

/* audit_text - column i as a string, "" for NULL */
static const char *
audit_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

enum sk_result
audit_query(struct audit *a, const struct audit_filter *f, audit_row_fn fn,
    void *ctx)
{
	static const struct audit_filter all = { NULL, NULL, 0 };
	struct audit_row row;
	sqlite3_stmt *st = NULL;
	int rc;

	f = f != NULL ? f : &all;
	if (sqlite3_prepare_v2(a->db,
		"SELECT id, time, user, source, event, detail FROM audit "
		"WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR event = ?2)"
		" AND time >= ?3 ORDER BY id",
		-1, &st, NULL) != SQLITE_OK) {
		return SK_E_IO;
	}
	if (f->user != NULL) {
		sqlite3_bind_text(st, 1, f->user, -1, SQLITE_STATIC);
	}
	if (f->event != NULL) {
		sqlite3_bind_text(st, 2, f->event, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 3, (sqlite3_int64)f->since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.time = (time_t)sqlite3_column_int64(st, 1);
		row.user = audit_text(st, 2);
		row.source = audit_text(st, 3);
		row.event = audit_text(st, 4);
		row.detail = audit_text(st, 5);
		if (fn(ctx, &row) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SK_OK : SK_E_IO;
}

const char *
audit_time_str(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "%lld", (long long)t);
	}
	return buf;
}

/* ---- CSV ------------------------------------------------------------- */

struct audit_csv {
	FILE *f;
	size_t rows;
};

/* audit_csv_field - one RFC 4180 field: quoted, quotes doubled */
static void
audit_csv_field(FILE *f, const char *s, int last)
{
	fputc('"', f);
	if (strchr("=+-@", s[0]) != NULL && s[0] != '\0') {
		fputc('\'', f); /* not a formula in a spreadsheet */
	}
	for (; *s != '\0'; s++) {
		if (*s == '"') {
			fputc('"', f);
		}
		fputc(*s, f);
	}
	fputs(last ? "\"\r\n" : "\",", f);
}

static int
audit_csv_row(void *ctx, const struct audit_row *r)
{
	struct audit_csv *c = ctx;
	char t[32], iso[40];

	(void)audit_time_str(r->time, t, sizeof(t));
	snprintf(iso, sizeof(iso), "%.10sT%sZ", t, t + 11);
	audit_csv_field(c->f, iso, 0);
	audit_csv_field(c->f, r->user, 0);
	audit_csv_field(c->f, r->source, 0);
	audit_csv_field(c->f, r->event, 0);
	audit_csv_field(c->f, r->detail, 1);
	c->rows++;
	return 0;
}

enum sk_result
audit_export_csv(struct audit *a, const struct audit_filter *f,
    const char *path, size_t *rows, char *err, size_t errlen)
{
	char tmp[AUDIT_PATH_MAX];
	struct audit_csv c = { NULL, 0 };
	enum sk_result r;
	int fd, bad;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return SK_E_TOO_LONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 || (c.f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return SK_E_IO;
	}
	fputs("\"time\",\"user\",\"source\",\"event\",\"detail\"\r\n", c.f);
	r = audit_query(a, f, audit_csv_row, &c);
	bad = fflush(c.f) != 0 || fsync(fileno(c.f)) != 0;
	bad |= fclose(c.f) != 0;
	if (r != SK_OK || bad || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path,
		    r != SK_OK ? "cannot read the audit log" : strerror(errno));
		(void)unlink(tmp);
		return SK_E_IO;
	}
	if (rows != NULL) {
		*rows = c.rows;
	}
	return SK_OK;
}
