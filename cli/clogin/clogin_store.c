/*
 * clogin_store.c - lockout counts and used TOTP steps in SQLite
 * (clogin_store.h has the contract).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "clogin_store.h"

#define CLOGIN_STORE_PATH_MAX 1024
#define CLOGIN_STORE_BUSY_MS 5000

static const char clogin_store_schema[] =
    "PRAGMA journal_mode = WAL;"
    "CREATE TABLE IF NOT EXISTS lockout ("
    " kind INTEGER NOT NULL, key TEXT NOT NULL,"
    " window_start INTEGER NOT NULL, locked_until INTEGER NOT NULL,"
    " failures INTEGER NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS totp ("
    " user TEXT PRIMARY KEY NOT NULL, step INTEGER NOT NULL) WITHOUT ROWID;";

struct clogin_store {
	sqlite3 *db;
};

/* clogin_store_prune - counts whose lock and window are over; then, if
 * still too many, the oldest (a flood of names must not fill /data) */
static void
clogin_store_prune(struct clogin_store *s, uint64_t now)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db,
		"DELETE FROM lockout WHERE locked_until <= ?1 AND "
		"window_start + ?2 <= ?1",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
		sqlite3_bind_int64(st, 2, CLOGIN_STORE_KEEP);
		(void)sqlite3_step(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db,
		"DELETE FROM lockout WHERE (kind, key) IN (SELECT kind, key "
		"FROM lockout"
		" ORDER BY max(window_start, locked_until) DESC LIMIT -1 "
		"OFFSET ?1)",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, CLOGIN_STORE_ROWS_MAX);
		(void)sqlite3_step(st);
	}
	sqlite3_finalize(st);
}

enum sk_result
clogin_store_open(struct clogin_store **out, const char *dir, uint64_t now,
    char *err, size_t errlen)
{
	char path[CLOGIN_STORE_PATH_MAX];
	struct clogin_store *s;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		CLOGIN_STORE_FILE) >= sizeof(path)) {
		snprintf(err, errlen, "login store: folder name too long");
		return SK_E_TOO_LONG;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "login store: out of memory");
		return SK_E_FULL;
	}
	if (sqlite3_open_v2(path, &s->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOFOLLOW,
		NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, CLOGIN_STORE_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(s->db, clogin_store_schema, NULL, NULL, NULL) !=
		SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		clogin_store_close(s);
		return SK_E_IO;
	}
	clogin_store_prune(s, now);
	*out = s;
	return SK_OK;
}

void
clogin_store_close(struct clogin_store *s)
{
	if (s != NULL) {
		sqlite3_close(s->db);
		free(s);
	}
}

void
clogin_store_begin(void *store)
{
	struct clogin_store *s = store;

	(void)sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}

void
clogin_store_end(void *store)
{
	struct clogin_store *s = store;

	(void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

void
clogin_store_count_get(void *store, enum clogin_kind kind, const char *key,
    struct clogin_count *out)
{
	struct clogin_store *s = store;
	sqlite3_stmt *st = NULL;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(s->db,
		"SELECT window_start, locked_until, failures FROM lockout "
		"WHERE kind = ?1 AND key = ?2",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, (int)kind);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			out->window_start =
			    (uint64_t)sqlite3_column_int64(st, 0);
			out->locked_until =
			    (uint64_t)sqlite3_column_int64(st, 1);
			out->failures = (uint32_t)sqlite3_column_int64(st, 2);
		}
	}
	sqlite3_finalize(st);
}

void
clogin_store_count_put(void *store, enum clogin_kind kind, const char *key,
    const struct clogin_count *c)
{
	struct clogin_store *s = store;
	sqlite3_stmt *st = NULL;
	int zero =
	    c->window_start == 0 && c->locked_until == 0 && c->failures == 0;

	if (sqlite3_prepare_v2(s->db,
		zero ? "DELETE FROM lockout WHERE kind = ?1 AND key = ?2" :
		       "INSERT OR REPLACE INTO lockout (kind, key, "
		       "window_start, locked_until, failures) VALUES "
		       "(?1, ?2, ?3, ?4, ?5)",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, (int)kind);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		if (!zero) {
			sqlite3_bind_int64(st, 3,
			    (sqlite3_int64)c->window_start);
			sqlite3_bind_int64(st, 4,
			    (sqlite3_int64)c->locked_until);
			sqlite3_bind_int64(st, 5, (sqlite3_int64)c->failures);
		}
		(void)sqlite3_step(st);
	}
	sqlite3_finalize(st);
}

uint64_t
clogin_store_totp_last(void *store, const char *user)
{
	struct clogin_store *s = store;
	sqlite3_stmt *st = NULL;
	uint64_t step = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT step FROM totp WHERE user = ?1",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			step = (uint64_t)sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_finalize(st);
	return step;
}

void
clogin_store_totp_mark(void *store, const char *user, uint64_t step)
{
	struct clogin_store *s = store;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db,
		"INSERT OR REPLACE INTO totp (user, step) VALUES (?1, ?2)", -1,
		&st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)step);
		(void)sqlite3_step(st);
	}
	sqlite3_finalize(st);
}
