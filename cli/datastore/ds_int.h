/*
 * ds_int.h - what the datastore's files share; internal to cli/datastore
 * (the public API is ds.h).
 */
#ifndef DS_INT_H
#define DS_INT_H

#include <libyang/libyang.h>

#include "../../firmware/config/config.h"
#include "ds.h"

/* A history file's header: "sekimori-commit 1", then one "KEY VALUE" line
 * per field, then an empty line and the JSON. */
#define DS_HISTORY_MAGIC "sekimori-commit 1"
#define DS_HEADER_MAX 1024 /* the whole header, its empty line included */

struct ds_session {
	struct ds *ds;
	unsigned id;
	char user[DS_USER_MAX];
	int editing;           /* has a candidate (cand may be NULL: empty) */
	struct lyd_node *cand; /* the candidate */
	struct lyd_node *base; /* running when the candidate was made */
	uint64_t base_gen;     /* ds->gen then */
};

/* A commit confirmed waiting for its confirmation. */
struct ds_pending {
	int active;
	time_t deadline;
	unsigned minutes;
	struct lyd_node *prev; /* the configuration to roll back to */
};

struct ds {
	struct config_schema *schema; /* firmware/config's: owns ctx */
	struct ly_ctx *ctx;
	struct ds_clock clock;
	char dir[DS_PATH_MAX];
	char factory[DS_PATH_MAX];
	struct lyd_node *running; /* validated, defaults included */
	uint64_t gen;             /* + 1 at every change of running */
	enum ds_boot boot;
	struct ds_session *sessions[DS_SESSIONS_MAX];
	unsigned next_id;
	struct ds_session *locker; /* holder of the exclusive lock */
	const struct ds_applier *appliers[DS_APPLIERS_MAX];
	size_t nappliers;
	/* [0] newest; one more than kept while a commit is unfinished */
	struct ds_commit_info hist[DS_ROLLBACK_MAX + 1];
	size_t nhist;
	uint64_t last_seq; /* highest sequence number seen or written */
	struct ds_pending pending;
	/* sharing DIR with other processes (ds_share.c) */
	int lockfd;              /* DIR/.lock, flock'd around changes; -1 */
	uint64_t running_seq;    /* the history entry running is; 0: none */
	struct timespec seen[2]; /* mtimes of DIR and DIR/rollback */
	char boot_id[40];        /* this boot of the machine */
	uint64_t self_start;     /* this process's start time (/proc) */
	uint64_t token;          /* random: this datastore among processes */
	/* what appliers said while taking the last configuration they
	 * accepted (ds_applied_note) */
	char note[DS_ERR_MAX];
};

/* ds_schema.c: the context, parsing, validation, messages */
void ds_err(char *err, size_t errlen, const char *fmt, ...) SK_PRINTF(3, 4);
/* (libyang's errors go through config_lyerr of firmware/config) */
enum sk_result ds_parse(struct ly_ctx *ctx, const uint8_t *buf, size_t len,
    int validate, struct lyd_node **tree, char *err, size_t errlen);
enum sk_result ds_validate(struct ly_ctx *ctx, const struct lyd_node *tree,
    struct lyd_node **out, char *err, size_t errlen);
enum sk_result ds_print(const struct lyd_node *tree, char **out);
enum sk_result ds_dup(const struct lyd_node *tree, struct lyd_node **out);
int ds_is_secret(const struct lysc_node *schema);

/* ds_store.c: files */
enum sk_result ds_read_file(const char *path, size_t max, char **out,
    size_t *len, char *err, size_t errlen);
enum sk_result ds_write_atomic(const char *path, const char *data, size_t len,
    char *err, size_t errlen);
int ds_hdr_line(const char *buf, size_t len, size_t *pos, const char *key,
    char *value, size_t cap);
int ds_parse_u64(const char *s, uint64_t *out);
enum sk_result ds_history_parse(const char *buf, size_t len,
    struct ds_commit_info *info, size_t *json_off);
enum sk_result ds_history_scan(struct ds *ds, char *err, size_t errlen);
enum sk_result ds_history_add(struct ds *ds, enum ds_how how, const char *user,
    const char *comment, const char *json, char *err, size_t errlen);
void ds_history_undo(struct ds *ds);
void ds_history_trim(struct ds *ds);
enum sk_result ds_history_json(const struct ds *ds, unsigned n, char **json,
    size_t *len, char *err, size_t errlen);
enum sk_result ds_boot_load(struct ds *ds, char *why, size_t whylen, char *err,
    size_t errlen);
enum sk_result ds_persist_startup(struct ds *ds, const char *json, char *err,
    size_t errlen);

/* ds_render.c: text buffers */
struct ds_text {
	char *p;
	size_t len, cap;
	int failed; /* out of memory: the text is incomplete */
};
void ds_text_add(struct ds_text *t, const char *fmt, ...) SK_PRINTF(2, 3);

/* ds_share.c: more than one process on one config folder */
void ds_share_open(struct ds *ds);
void ds_share_close(struct ds *ds);
void ds_share_lock(struct ds *ds);
void ds_share_unlock(struct ds *ds);
void ds_share_refresh(struct ds *ds, int force);
void ds_share_stamps_now(struct ds *ds);
int ds_share_resume(struct ds *ds);
enum sk_result ds_share_pending_save(struct ds *ds, char *err, size_t errlen);
void ds_share_pending_drop(struct ds *ds);
/* the exclusive lock across processes (DIR/exclusive.lock), under
 * ds_share_lock: whether a live session of another process (or another
 * datastore of this one) holds it, who in who[cap] (a dead holder's or
 * damaged file is removed); take it for user's session; drop it when
 * this datastore holds it */
int ds_share_excl_other(struct ds *ds, char *who, size_t cap);
enum sk_result ds_share_excl_take(struct ds *ds, const char *user,
    unsigned session, char *err, size_t errlen);
void ds_share_excl_drop(struct ds *ds);

#endif /* DS_INT_H */
