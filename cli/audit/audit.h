/*
 * audit.h - the audit log of administrator activity (libaudit.a): one
 * SQLite database (WAL) on the data partition, one row per event:
 * (time, user, source, event, detail). Written by sekimori-login (logins,
 * failed logins, the first-login password change) and sekimori-cli
 * (logouts, commits with their diff, rollbacks, state-changing
 * operational commands, refused commands); read by `show audit` and
 * exported as CSV.
 *
 * Kept within a size: after each row the database's used pages are
 * compared with the limit (system login audit-log-size, MiB) and the
 * oldest rows are deleted until it fits (the newest row always stays);
 * the file shrinks through SQLite's incremental vacuum.
 *
 * Every string is outside input (a user name typed at a prompt, a diff of
 * values typed by an administrator): each column is cut to its limit
 * below and every octet that is not printable ASCII, LF or TAB (in
 * detail) is stored as '?', so a row can be shown on a terminal as is.
 *
 * Ownership: struct audit is opaque, made by audit_open and freed by one
 * audit_close; it owns the SQLite handle. Rows given to a callback are
 * valid during the call only. Nothing here prints, logs or exits; every
 * call returns an enum sk_result (SK_E_IO: SQLite or the file system
 * failed, with a message in err where the call takes one). Not
 * thread-safe; several processes may use the same file at once (SQLite
 * locks it; a writer waits up to AUDIT_BUSY_MS).
 */
#ifndef CLI_AUDIT_H
#define CLI_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sk.h"

#define AUDIT_FILE "audit.db"          /* in the data folder (/data) */
#define AUDIT_USER_MAX 64              /* user column, NUL included */
#define AUDIT_SOURCE_MAX 64            /* "console" or an address */
#define AUDIT_EVENT_MAX 32             /* "login-failed" */
#define AUDIT_DETAIL_MAX 65536         /* a commit's diff, NUL included */
#define AUDIT_SIZE_DEFAULT (16u << 20) /* the model's default, 16 MiB */
#define AUDIT_SIZE_MIN (64u << 10)     /* below this the limit is raised */
#define AUDIT_BUSY_MS 5000             /* wait for another writer */
#define AUDIT_ERR_MAX 256

/* The events written today (the column is free text for later ones). */
#define AUDIT_LOGIN "login"
#define AUDIT_LOGIN_FAILED "login-failed" /* detail "reason password" ... */
#define AUDIT_LOGOUT "logout"
#define AUDIT_COMMIT "commit"     /* detail: comment line, then the diff */
#define AUDIT_ROLLBACK "rollback" /* a rollback loaded or done by itself */
#define AUDIT_REQUEST "request"   /* a state-changing operational command */
#define AUDIT_DENIED "denied"     /* a command the role does not allow */
#define AUDIT_EXPORT "export"     /* the audit log written to a file */

struct audit;

struct audit_row {
	int64_t id; /* increases with every row, never reused */
	time_t time;
	const char *user, *source, *event, *detail;
};

/* Which rows a query returns: NULL or 0 fields match everything. */
struct audit_filter {
	const char *user;  /* exactly this user */
	const char *event; /* exactly this event */
	time_t since;      /* rows at or after this time */
};

/* audit_row_fn - called per row, oldest first; non-zero stops */
typedef int (*audit_row_fn)(void *ctx, const struct audit_row *row);

/*
 * audit_open - open (creating when missing) dir/AUDIT_FILE, keeping it
 * within max_bytes of used pages (0: AUDIT_SIZE_DEFAULT; less than
 * AUDIT_SIZE_MIN is raised to it). *out is NULL on failure.
 */
enum sk_result audit_open(struct audit **out, const char *dir,
    uint64_t max_bytes, char *err, size_t errlen);

/* audit_close - close the database; NULL is ok */
void audit_close(struct audit *a);

/* audit_set_max - a new size limit (applied at the next audit_add) */
void audit_set_max(struct audit *a, uint64_t max_bytes);

/*
 * audit_add - one row. user, source and event are cut to their limits,
 * detail to AUDIT_DETAIL_MAX - 1 octets (ending in "...(cut)"); NULL
 * strings are stored as "". Then the oldest rows go until the database
 * fits its limit.
 */
enum sk_result audit_add(struct audit *a, time_t when, const char *user,
    const char *source, const char *event, const char *detail);

/* audit_query - the rows that pass f (NULL: all), oldest first */
enum sk_result audit_query(struct audit *a, const struct audit_filter *f,
    audit_row_fn fn, void *ctx);

/* audit_count - rows in the log (for tests and `show audit | count`) */
int64_t audit_count(struct audit *a);

/* audit_used_bytes - the used pages of the database, in octets */
uint64_t audit_used_bytes(struct audit *a);

/*
 * audit_export_csv - the rows that pass f as CSV (RFC 4180: a header
 * line, CRLF line ends, every field quoted; times in ISO 8601 UTC) into
 * path, written atomically (path.tmp, fsync, rename). A field that starts
 * with = + - @ gets a leading ' so that a spreadsheet does not run it as
 * a formula. The number of rows in *rows (may be NULL).
 */
enum sk_result audit_export_csv(struct audit *a, const struct audit_filter *f,
    const char *path, size_t *rows, char *err, size_t errlen);

/* audit_time_str - t as "2026-11-25 10:00:00" (UTC) into buf */
const char *audit_time_str(time_t t, char *buf, size_t len);

#endif /* CLI_AUDIT_H */
