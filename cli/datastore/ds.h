/*
 * ds.h - the configuration datastore: startup, running and one candidate
 * per session, validated by libyang against the YANG modules of cli/yang
 * (compiled into the binary), with commit, commit confirmed, rollback over
 * the last DS_ROLLBACK_MAX commits, an exclusive lock, load and save.
 *
 * Sans-UI: nothing here prints, logs or exits. Every call that can fail
 * returns an enum sk_result and writes one line of text into the caller's
 * err[errlen] (printable ASCII only: libyang quotes input in its messages).
 * All wall-clock time comes from the clock hook given to ds_open, and the
 * confirmed-commit deadline is checked only by ds_tick(now): the caller's
 * event loop drives it.
 *
 * Results (beyond SK_OK):
 *   SK_E_SYNTAX   a value, path or whole configuration breaks the model;
 *                 err names the data path and the rule
 *   SK_E_UNKNOWN  the node or rollback entry does not exist
 *   SK_E_RANGE    a number argument is outside its range (rollback N,
 *                 commit confirmed minutes)
 *   SK_E_FULL     refused because another session holds the lock (err
 *                 names it), or a fixed table is full, or out of memory
 *   SK_E_CLOSED   an applier refused the new configuration: the appliers
 *                 that had taken it were given the old one back, and
 *                 nothing changed (err: "APPLIER: its message")
 *   SK_E_TOO_LONG a file or argument exceeds its limit below
 *   SK_E_IO       a file could not be read or written (err: path, reason)
 *
 * Ownership:
 *   - struct ds is opaque, made by ds_open and freed by one ds_close. It
 *     owns the libyang context, the running tree, every session and the
 *     history index. Not thread-safe: one thread (the CLI's loop) calls it.
 *   - struct ds_session is opaque, made by ds_session_open, freed by one
 *     ds_session_close (which drops its candidate and releases its lock);
 *     ds_close frees sessions still open.
 *   - Text results (ds_show, ds_compare, ds_json) are malloc'd strings the
 *     caller frees with free().
 *   - Appliers are borrowed: the struct ds_applier and its arg must live
 *     until ds_close.
 *
 * Files in the config directory (see README.md for the protocol):
 *   startup.json            the committed configuration, RFC 7951 JSON
 *   startup.last-good.json  a copy written at each successful commit
 *   startup.json.bad.TIME   a damaged startup.json, kept for inspection
 *   rollback/SEQ.commit     one per commit: a short header and the JSON
 */
#ifndef DS_H
#define DS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sk.h"

#define DS_ROLLBACK_MAX 50     /* commits kept: rollback 0 .. 49 */
#define DS_FILE_MAX (1u << 20) /* a config file (as CONFIG_FILE_MAX) */
#define DS_SESSIONS_MAX 32     /* open sessions at once */
#define DS_APPLIERS_MAX 16     /* registered appliers */
#define DS_USER_MAX 64         /* a user name, NUL included */
#define DS_COMMENT_MAX 256     /* a commit comment, NUL included */
#define DS_PATH_MAX 1024       /* a data path or a file name */
#define DS_VALUE_MAX 4096      /* one leaf value */
#define DS_CONFIRM_MAX 65535   /* commit confirmed: minutes, as Junos */
#define DS_ERR_MAX 512         /* a comfortable size for err buffers */
#define DS_WHY_MAX 1024        /* the boot report of ds_open */

struct lyd_node; /* libyang's data tree (libyang/tree_data.h) */
struct ly_ctx;   /* libyang's context (libyang/context.h) */

struct ds;
struct ds_session;

/* The wall clock: seconds since the epoch, for history entries, names of
 * kept bad files and confirmed-commit deadlines. */
struct ds_clock {
	time_t (*now)(void *arg);
	void *arg;
};

/*
 * An applier pushes a validated configuration into one service (the mail
 * daemon, the system, the firewall). apply gets the whole tree (defaults
 * included) and its RFC 7951 JSON (json[len], NUL-terminated, explicit
 * values only, as startup.json). It returns SK_OK, or anything else with
 * a message in msg[msglen] to refuse. A revert is the same call with the
 * old configuration; a refused revert is reported in err of the commit.
 * An applier that returns SK_OK may still leave a message (a warning:
 * "the mail daemon is not running; ..."): ds_applied_note returns it.
 *
 * The appliers run after validation and before anything is written: a
 * refusal leaves running, startup.json and the history as they were.
 * So an applier that writes a file of its own (the mail daemon's
 * configuration) and is then refused by its service puts the old file
 * back itself before it returns.
 */
struct ds_applier {
	const char *name; /* for messages: "mail", "system" */
	enum sk_result (*apply)(void *arg, const struct lyd_node *tree,
	    const char *json, size_t len, char *msg, size_t msglen);
	void *arg;
};

/* Where ds_open found the configuration it booted with. */
enum ds_boot {
	DS_BOOT_STARTUP,   /* startup.json, valid */
	DS_BOOT_FIRST,     /* no startup.json yet: factory defaults */
	DS_BOOT_LAST_GOOD, /* startup.json bad: startup.last-good.json */
	DS_BOOT_FACTORY,   /* startup.json and last-good bad: factory */
};

/* How a history entry came to be. */
enum ds_how {
	DS_HOW_COMMIT,    /* commit */
	DS_HOW_CONFIRMED, /* commit confirmed, not yet confirmed then */
	DS_HOW_ROLLBACK,  /* the automatic rollback of commit confirmed */
	DS_HOW_BOOT,      /* the configuration a boot started with */
};

/* One commit of the history; rollback N is the Nth newest (0 = running). */
struct ds_commit_info {
	uint64_t seq; /* increases by one per entry, never reused */
	time_t time;  /* from the clock hook */
	enum ds_how how;
	char user[DS_USER_MAX];
	char comment[DS_COMMENT_MAX]; /* "" when none */
};

/* What ds_show and ds_compare render. */
#define DS_SHOW_SECRETS 0x1 /* print sk-t:secret values (admin only) */

/*
 * ds_open - open the datastore on the config directory dir (it must
 * exist) with the factory configuration at factory_path.
 *
 * Loads startup.json. A missing, unreadable, damaged or invalid startup
 * does not stop the box: the bad file is renamed startup.json.bad.TIME,
 * the last good copy or else the factory configuration is loaded and
 * written as the new startup.json, and why[whylen] says what happened
 * (one line for the console and the log). why is "" after a clean boot.
 * Fails only when not even the factory configuration loads (err says
 * why), or on a system error; *out is then NULL.
 */
enum sk_result ds_open(struct ds **out, const char *dir,
    const char *factory_path, const struct ds_clock *clock, char *why,
    size_t whylen, char *err, size_t errlen);

/* ds_close - free everything of ds_open; NULL is ok */
void ds_close(struct ds *ds);

/* ds_boot_source - where ds_open found the running configuration */
enum ds_boot ds_boot_source(const struct ds *ds);

/* ds_context - the libyang context (for the CLI's schema walk); owned
 * by ds */
const struct ly_ctx *ds_context(const struct ds *ds);

/* ds_running - the running tree (defaults included); owned by ds, valid
 * until the next commit, rollback or ds_tick */
const struct lyd_node *ds_running(const struct ds *ds);

/* ds_applier_add - register an applier; commit calls them in this order */
enum sk_result ds_applier_add(struct ds *ds, const struct ds_applier *a,
    char *err, size_t errlen);

/* ds_applied_note - what the appliers said while taking the configuration
 * of the last commit, rollback or ds_push ("MESSAGE[; MESSAGE]"), or ""
 * when they said nothing; owned by ds, valid until the next of those */
const char *ds_applied_note(const struct ds *ds);

/* ds_push - give the running configuration to every applier (at boot,
 * after registering them); SK_E_CLOSED names the first that refused */
enum sk_result ds_push(struct ds *ds, char *err, size_t errlen);

/* ds_session_open - a session for user (copied, cut to DS_USER_MAX) */
enum sk_result ds_session_open(struct ds *ds, const char *user,
    struct ds_session **out, char *err, size_t errlen);

/* ds_session_close - drop the candidate, release the lock; NULL is ok */
void ds_session_close(struct ds_session *s);

/* ds_candidate - the session's candidate, or NULL while it has none (it
 * has none until its first edit, load or rollback, and after a commit) */
const struct lyd_node *ds_candidate(const struct ds_session *s);

/*
 * Edits of the candidate. The first one copies running. path is a libyang
 * data path ("/sekimori-mail:mail/relay/domain[name='example.com']").
 * Types, patterns and ranges are checked at once; rules across nodes
 * (must, when, leafref, mandatory, unique) at commit.
 *   ds_set     set a leaf (or add a leaf-list value), creating parents
 *   ds_create  create a list entry or presence container (keys in path)
 *   ds_delete  delete a node and everything below it (SK_E_UNKNOWN if
 *              absent)
 */
enum sk_result ds_set(struct ds_session *s, const char *path, const char *value,
    char *err, size_t errlen);
enum sk_result ds_create(struct ds_session *s, const char *path, char *err,
    size_t errlen);
enum sk_result ds_delete(struct ds_session *s, const char *path, char *err,
    size_t errlen);

/* ds_discard - drop the candidate (Junos "rollback 0" with no changes) */
void ds_discard(struct ds_session *s);

/* ds_commit_check - validate the candidate (or running) as a commit
 * would, changing nothing */
enum sk_result ds_commit_check(struct ds_session *s, char *err, size_t errlen);

/*
 * ds_commit - validate the candidate, give it to every applier, then
 * make it running and persist it (startup.json, last good, history).
 * comment may be NULL. confirm_minutes 0 is a plain commit; 1 ..
 * DS_CONFIRM_MAX is commit confirmed: ds_tick rolls back unless a commit
 * or ds_confirm comes within that time, and startup.json keeps the old
 * configuration until then (a power cut also rolls back). A commit with
 * no candidate or no change commits nothing but confirms a pending one.
 */
enum sk_result ds_commit(struct ds_session *s, const char *comment,
    unsigned confirm_minutes, char *err, size_t errlen);

/* ds_confirm - confirm a pending commit confirmed (SK_E_UNKNOWN if none) */
enum sk_result ds_confirm(struct ds_session *s, char *err, size_t errlen);

/* ds_confirm_deadline - when the pending commit confirmed rolls back, or
 * 0 when none is pending */
time_t ds_confirm_deadline(const struct ds *ds);

/*
 * ds_tick - call with the clock's time now and then (once a second is
 * plenty). When a commit confirmed has expired it rolls back to the
 * configuration before it (through the appliers, recorded in the history
 * as DS_HOW_ROLLBACK) and returns 1 with what happened in msg; returns 0
 * when nothing was due.
 */
int ds_tick(struct ds *ds, time_t now, char *msg, size_t msglen);

/* ds_rollback - load commit n (0 = running .. DS_ROLLBACK_MAX - 1) of the
 * history into the candidate (commit to make it running) */
enum sk_result ds_rollback(struct ds_session *s, unsigned n, char *err,
    size_t errlen);

/* ds_history_count - entries in the history (at most DS_ROLLBACK_MAX) */
size_t ds_history_count(const struct ds *ds);

/* ds_history_get - entry n (0 = newest) into *out */
enum sk_result ds_history_get(const struct ds *ds, unsigned n,
    struct ds_commit_info *out);

/* ds_lock, ds_unlock - the exclusive lock: while a session holds it, no
 * other session, of this process or another on the folder, can lock or
 * commit (SK_E_FULL, err names the holder); a holder whose process is
 * gone holds nobody */
enum sk_result ds_lock(struct ds_session *s, char *err, size_t errlen);
enum sk_result ds_unlock(struct ds_session *s, char *err, size_t errlen);

/* Loading into the candidate: the file or buffer is RFC 7951 JSON of the
 * model, at most DS_FILE_MAX octets, parsed strictly (unknown nodes are
 * errors). Merge adds and overwrites; replace swaps the whole candidate.
 * On failure the candidate is unchanged. */
enum ds_load_mode {
	DS_LOAD_MERGE,
	DS_LOAD_REPLACE,
};
enum sk_result ds_load_file(struct ds_session *s, enum ds_load_mode mode,
    const char *path, char *err, size_t errlen);
enum sk_result ds_load_buf(struct ds_session *s, enum ds_load_mode mode,
    const uint8_t *buf, size_t len, char *err, size_t errlen);

/* ds_load_factory - the factory configuration into the candidate */
enum sk_result ds_load_factory(struct ds_session *s, char *err, size_t errlen);

/* ds_save - the candidate (or running) as RFC 7951 JSON into path,
 * written atomically (a file beside it, fsync, rename, fsync of the
 * folder) */
enum sk_result ds_save(struct ds_session *s, const char *path, char *err,
    size_t errlen);

/* ds_json - the candidate (or running) as RFC 7951 JSON, explicit values
 * only; *out is malloc'd */
enum sk_result ds_json(const struct ds_session *s, char **out, char *err,
    size_t errlen);

/*
 * ds_show - the candidate (or running, when s has no candidate or s is
 * NULL) as Junos-style curly-brace text ("show configuration"): explicit
 * values only, four spaces per level, list entries as "NAME KEY... {",
 * secrets masked unless flags has DS_SHOW_SECRETS. *out is malloc'd.
 */
enum sk_result ds_show(const struct ds *ds, const struct ds_session *s,
    unsigned flags, char **out, char *err, size_t errlen);

/*
 * ds_compare - the change from rollback n (0 = running) to the candidate
 * (or running) as Junos "show | compare" text: "[edit mail relay]"
 * headers, then "-" and "+" lines in the curly-brace syntax. "" when
 * nothing differs. *out is malloc'd.
 */
enum sk_result ds_compare(struct ds_session *s, unsigned n, unsigned flags,
    char **out, char *err, size_t errlen);

/*
 * ds_render - the tree as curly-brace text into *out (malloc'd), and
 * ds_diff - the change from old to new as ds_compare writes it. For
 * callers with their own trees (the CLI's show of running, the audit
 * log's diff of a commit).
 */
enum sk_result ds_render(const struct lyd_node *tree, unsigned flags,
    char **out);
enum sk_result ds_diff(const struct lyd_node *old, const struct lyd_node *new,
    unsigned flags, char **out);

#endif /* DS_H */
