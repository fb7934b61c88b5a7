/*
 * clogin_store.h - what the login dialogue keeps between logins (each
 * login is a new process): the failure counts of the lockout and the last
 * TOTP step accepted per user, in a small SQLite database on the data
 * partition (dir/login.db, WAL). Two logins at once (the console and SSH)
 * serialize their updates with clogin_store_begin / _end (BEGIN
 * IMMEDIATE ... COMMIT).
 *
 * The shapes match clogin_ops, so the program plugs these in directly.
 * Store errors are not reported per call: a count that cannot be read
 * reads as zero and one that cannot be written is lost (the login goes
 * on). The price: a broken /data weakens the lockout to one process's
 * three attempts; it never locks anyone out by mistake.
 *
 * Ownership: struct clogin_store is opaque, from clogin_store_open, freed
 * by one clogin_store_close. Nothing here prints, logs or exits.
 */
#ifndef CLI_CLOGIN_STORE_H
#define CLI_CLOGIN_STORE_H

#include "clogin.h"

#define CLOGIN_STORE_FILE "login.db"
#define CLOGIN_STORE_ROWS_MAX 100000 /* counts kept at most */
#define CLOGIN_STORE_KEEP 86400      /* seconds: the longest window */

struct clogin_store;

/* clogin_store_open - open or create dir/CLOGIN_STORE_FILE, and forget
 * counts that ended before now (and the oldest past ROWS_MAX) */
enum sk_result clogin_store_open(struct clogin_store **out, const char *dir,
    uint64_t now, char *err, size_t errlen);
void clogin_store_close(struct clogin_store *s);

void clogin_store_begin(void *store);
void clogin_store_end(void *store);
void clogin_store_count_get(void *store, enum clogin_kind kind, const char *key,
    struct clogin_count *out);
void clogin_store_count_put(void *store, enum clogin_kind kind, const char *key,
    const struct clogin_count *c);
uint64_t clogin_store_totp_last(void *store, const char *user);
void clogin_store_totp_mark(void *store, const char *user, uint64_t step);

#endif /* CLI_CLOGIN_STORE_H */
