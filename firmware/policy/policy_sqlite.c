/*
 * policy_sqlite.c - opening the policy process's SQLite stores (the
 * DMARC report store, the recent results) the same way (policy_report.h).
 * A file of its own so that the CLI, which reads only the recent
 * results, links no more than it needs.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "policy_report.h"

void
policy_sqlite_seterr(struct sqlite3 *h, const char *what, char *err,
    size_t errlen)
{
	(void)snprintf(err, errlen, "%s: %s", what,
	    h != NULL ? sqlite3_errmsg(h) : "out of memory");
}

enum sk_result
policy_sqlite_open(struct sqlite3 **h, const char *path, int readonly,
    int busy_ms, const char *schema, char *err, size_t errlen)
{
	int flags = SQLITE_OPEN_NOFOLLOW |
	    (readonly ? SQLITE_OPEN_READONLY :
			SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

	*h = NULL;
	if (sqlite3_open_v2(path, h, flags, NULL) != SQLITE_OK) {
		policy_sqlite_seterr(*h, path, err, errlen);
		(void)sqlite3_close(*h);
		*h = NULL;
		return SK_E_IO;
	}
	(void)sqlite3_busy_timeout(*h, busy_ms);
	/* WAL, not exclusive: readers (the operator tool, the CLI) read
	 * while the policy process writes. NORMAL: a commit is not synced
	 * (a checkpoint is): a power cut may lose the last rows, a count in
	 * a report or a line of a view, never a message. */
	if (sqlite3_exec(*h,
		"PRAGMA trusted_schema = OFF;"
		"PRAGMA cell_size_check = ON;",
		NULL, NULL, NULL) != SQLITE_OK ||
	    (!readonly &&
		sqlite3_exec(*h,
		    "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = NORMAL;",
		    NULL, NULL, NULL) != SQLITE_OK) ||
	    (!readonly &&
		sqlite3_exec(*h, schema, NULL, NULL, NULL) != SQLITE_OK)) {
		policy_sqlite_seterr(*h, path, err, errlen);
		(void)sqlite3_close(*h);
		*h = NULL;
		return SK_E_IO;
	}
	return SK_OK;
}

struct sqlite3_stmt *
policy_sqlite_prepare(struct sqlite3 *h, const char *sql, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		policy_sqlite_seterr(h, "prepare", err, errlen);
		return NULL;
	}
	return st;
}
