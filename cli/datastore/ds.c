/*
 * ds.c - the datastore: open and boot, sessions and their candidates,
 * edits, commit (validate, apply through the appliers, revert on
 * refusal, persist), commit confirmed and its expiry, rollback, lock,
 * load and save. Files are ds_store.c; text is ds_render.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"

#define DS_SYSTEM_USER "system" /* the user of automatic history entries */

static const char *const ds_boot_comments[] = {
	[DS_BOOT_STARTUP] = "boot: startup.json",
	[DS_BOOT_FIRST] = "boot: factory configuration (first boot)",
	[DS_BOOT_LAST_GOOD] = "boot: last good configuration "
			      "(startup.json was bad)",
	[DS_BOOT_FACTORY] = "boot: factory configuration (startup.json and "
			    "the last good copy were bad)",
};

/* ds_boot_record - a history entry for the booted configuration, unless
 * the newest entry already is it (rollback 0 is always running) */
static void
ds_boot_record(struct ds *ds, char *why, size_t whylen)
{
	char *json = NULL, *head = NULL, err[DS_ERR_MAX];
	size_t len, n;
	int same = 0;

	if (ds_print(ds->running, &json) != SK_OK) {
		return;
	}
	if (ds->nhist > 0 &&
	    ds_history_json(ds, 0, &head, &len, err, sizeof(err)) == SK_OK) {
		same = strcmp(head, json) == 0;
	}
	if (!same) {
		if (ds_history_add(ds, DS_HOW_BOOT, DS_SYSTEM_USER,
			ds_boot_comments[ds->boot], json, err,
			sizeof(err)) == SK_OK) {
			ds_history_trim(ds);
		} else if ((n = strlen(why)) + 2 < whylen) {
			/* not fatal: the box runs, the log says why */
			ds_err(why + n, whylen - n, "%shistory: %s",
			    n > 0 ? "; " : "", err);
		}
	}
	free(head);
	free(json);
}

/* ds_open - open the datastore on dir, booting as ds.h describes */
enum sk_result
ds_open(struct ds **out, const char *dir, const char *factory_path,
    const struct ds_clock *clock, char *why, size_t whylen, char *err,
    size_t errlen)
{
	char herr[DS_ERR_MAX];
	enum sk_result r, hist;
	struct ds *ds;
	size_t n;

	*out = NULL;
	ds_err(why, whylen, "%s", "");
	if (strlen(dir) >= DS_PATH_MAX || strlen(factory_path) >= DS_PATH_MAX) {
		ds_err(err, errlen,
		    "config folder or factory path longer than "
		    "DS_PATH_MAX");
		return SK_E_TOO_LONG;
	}
	if (clock == NULL || clock->now == NULL) {
		ds_err(err, errlen, "no clock");
		return SK_E_UNKNOWN;
	}
	if ((ds = calloc(1, sizeof(*ds))) == NULL) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	ds->clock = *clock;
	ds->lockfd = -1;
	snprintf(ds->dir, sizeof(ds->dir), "%s", dir);
	snprintf(ds->factory, sizeof(ds->factory), "%s", factory_path);
	ds_share_open(ds);
	ds_share_lock(ds); /* another process may be committing */
	/* a history that cannot be read does not stop the box either */
	hist = ds_history_scan(ds, herr, sizeof(herr));
	if ((r = config_schema_new(&ds->schema, err, errlen)) == SK_OK) {
		ds->ctx = config_schema_ctx(ds->schema);
	}
	if (r != SK_OK ||
	    (r = ds_boot_load(ds, why, whylen, err, errlen)) != SK_OK) {
		ds_share_unlock(ds);
		ds_close(ds);
		return r;
	}
	if (hist != SK_OK && (n = strlen(why)) + 2 < whylen) {
		ds_err(why + n, whylen - n, "%shistory: %s", n > 0 ? "; " : "",
		    herr);
	} else if (hist == SK_OK && !ds_share_resume(ds)) {
		/* not a process started during a commit confirmed's trial
		 * (that one runs the trial's configuration, not startup's) */
		ds_boot_record(ds, why, whylen);
	}
	if (ds->running_seq == 0 && ds->nhist > 0) {
		ds->running_seq = ds->hist[0].seq;
	}
	ds_share_stamps_now(ds);
	ds_share_unlock(ds);
	*out = ds;
	return SK_OK;
}

/* ds_close - free everything of ds_open; NULL is ok */
void
ds_close(struct ds *ds)
{
	size_t i;

	if (ds == NULL) {
		return;
	}
	for (i = 0; i < DS_SESSIONS_MAX; i++) {
		ds_session_close(ds->sessions[i]);
	}
	lyd_free_all(ds->pending.prev);
	lyd_free_all(ds->running);
	config_schema_free(ds->schema);
	ds_share_close(ds);
	free(ds);
}

/* ds_boot_source - where ds_open found the running configuration */
enum ds_boot
ds_boot_source(const struct ds *ds)
{
	return ds->boot;
}

/* ds_context - the libyang context */
const struct ly_ctx *
ds_context(const struct ds *ds)
{
	return ds->ctx;
}

/* ds_running - the running tree */
const struct lyd_node *
ds_running(const struct ds *ds)
{
	return ds->running;
}

/* ds_applier_add - register an applier */
enum sk_result
ds_applier_add(struct ds *ds, const struct ds_applier *a, char *err,
    size_t errlen)
{
	if (ds->nappliers == DS_APPLIERS_MAX) {
		ds_err(err, errlen, "more than %d appliers (DS_APPLIERS_MAX)",
		    DS_APPLIERS_MAX);
		return SK_E_FULL;
	}
	ds->appliers[ds->nappliers++] = a;
	return SK_OK;
}

/* ds_call - give tree (json) to applier i; its message into msg */
static enum sk_result
ds_call(struct ds *ds, size_t i, const struct lyd_node *tree, const char *json,
    char *msg, size_t msglen)
{
	const struct ds_applier *a = ds->appliers[i];
	enum sk_result r;
	size_t n;

	msg[0] = '\0';
	r = a->apply(a->arg, tree, json, strlen(json), msg, msglen);
	/* an applier that took the configuration may still say something
	 * ("the mail daemon is not running"): keep it for the caller */
	if (r == SK_OK && msg[0] != '\0' &&
	    (n = strlen(ds->note)) + 3 < sizeof(ds->note)) {
		ds_err(ds->note + n, sizeof(ds->note) - n, "%s%s",
		    n > 0 ? "; " : "", msg);
	}
	return r;
}

/* ds_applied_note - what the appliers said at the last install */
const char *
ds_applied_note(const struct ds *ds)
{
	return ds->note;
}

/*
 * ds_apply_all - give the new configuration to every applier in order.
 * When one refuses, those before it get the old one back (last first)
 * and err says who refused and why, and any revert that failed too.
 */
static enum sk_result
ds_apply_all(struct ds *ds, const struct lyd_node *next, const char *json,
    const char *old_json, char *err, size_t errlen)
{
	char msg[DS_ERR_MAX];
	size_t i, j, n;

	for (i = 0; i < ds->nappliers; i++) {
		if (ds_call(ds, i, next, json, msg, sizeof(msg)) == SK_OK) {
			continue;
		}
		ds_err(err, errlen, "%s: %s; nothing changed",
		    ds->appliers[i]->name, msg[0] != '\0' ? msg : "refused");
		for (j = i; j-- > 0;) {
			if (ds_call(ds, j, ds->running, old_json, msg,
				sizeof(msg)) != SK_OK &&
			    (n = strlen(err)) + 2 < errlen) {
				ds_err(err + n, errlen - n,
				    "; revert of %s refused: %s",
				    ds->appliers[j]->name, msg);
			}
		}
		return SK_E_CLOSED;
	}
	return SK_OK;
}

/* ds_revert_all - every applier back to running (a later step failed) */
static void
ds_revert_all(struct ds *ds, const char *old_json)
{
	char msg[DS_ERR_MAX];
	size_t j;

	for (j = ds->nappliers; j-- > 0;) {
		ds_call(ds, j, ds->running, old_json, msg, sizeof(msg));
	}
}

/*
 * ds_install - make the validated tree next running: appliers, history,
 * startup (when persist), in that order, each undone when a later one
 * fails, so that the result is all or nothing. Takes next (freed on
 * failure).
 */
static enum sk_result
ds_install(struct ds *ds, struct lyd_node *next, enum ds_how how,
    const char *user, const char *comment, int persist, char *err,
    size_t errlen)
{
	char *json = NULL, *old_json = NULL;
	enum sk_result r;

	ds->note[0] = '\0';
	if (ds_print(next, &json) != SK_OK ||
	    ds_print(ds->running, &old_json) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		r = SK_E_FULL;
		goto out;
	}
	if ((r = ds_apply_all(ds, next, json, old_json, err, errlen)) !=
	    SK_OK) {
		goto out;
	}
	if ((r = ds_history_add(ds, how, user, comment, json, err, errlen)) !=
	    SK_OK) {
		ds_revert_all(ds, old_json);
		goto out;
	}
	if (persist &&
	    (r = ds_persist_startup(ds, json, err, errlen)) != SK_OK) {
		ds_history_undo(ds);
		ds_revert_all(ds, old_json);
		goto out;
	}
	ds_history_trim(ds);
	lyd_free_all(ds->running);
	ds->running = next;
	next = NULL;
	ds->gen++;
	ds->running_seq = ds->hist[0].seq;
out:
	lyd_free_all(next);
	free(json);
	free(old_json);
	return r;
}

/* ds_push - give the running configuration to every applier */
enum sk_result
ds_push(struct ds *ds, char *err, size_t errlen)
{
	char msg[DS_ERR_MAX], *json;
	enum sk_result r = SK_OK;
	size_t i;

	if (ds_print(ds->running, &json) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	ds->note[0] = '\0';
	for (i = 0; i < ds->nappliers && r == SK_OK; i++) {
		if (ds_call(ds, i, ds->running, json, msg, sizeof(msg)) !=
		    SK_OK) {
			ds_err(err, errlen, "%s: %s", ds->appliers[i]->name,
			    msg[0] != '\0' ? msg : "refused");
			r = SK_E_CLOSED;
		}
	}
	free(json);
	return r;
}

/* ds_session_open - a session for user */
enum sk_result
ds_session_open(struct ds *ds, const char *user, struct ds_session **out,
    char *err, size_t errlen)
{
	struct ds_session *s;
	size_t i;

	*out = NULL;
	ds_share_refresh(ds, 0);
	for (i = 0; i < DS_SESSIONS_MAX && ds->sessions[i] != NULL; i++) {
	}
	if (i == DS_SESSIONS_MAX) {
		ds_err(err, errlen, "more than %d sessions (DS_SESSIONS_MAX)",
		    DS_SESSIONS_MAX);
		return SK_E_FULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	s->ds = ds;
	s->id = ++ds->next_id;
	ds_err(s->user, sizeof(s->user), "%s", user != NULL ? user : "");
	ds->sessions[i] = s;
	*out = s;
	return SK_OK;
}

/* ds_discard - drop the candidate */
void
ds_discard(struct ds_session *s)
{
	lyd_free_all(s->cand);
	lyd_free_all(s->base);
	s->cand = NULL;
	s->base = NULL;
	s->editing = 0;
}

/* ds_release - s no longer holds the exclusive lock */
static void
ds_release(struct ds_session *s)
{
	ds_share_lock(s->ds);
	ds_share_excl_drop(s->ds);
	ds_share_unlock(s->ds);
	s->ds->locker = NULL;
}

/* ds_session_close - drop the candidate, release the lock */
void
ds_session_close(struct ds_session *s)
{
	size_t i;

	if (s == NULL) {
		return;
	}
	for (i = 0; i < DS_SESSIONS_MAX; i++) {
		if (s->ds->sessions[i] == s) {
			s->ds->sessions[i] = NULL;
		}
	}
	if (s->ds->locker == s) {
		ds_release(s);
	}
	ds_discard(s);
	free(s);
}

/* ds_candidate - the session's candidate, or NULL */
const struct lyd_node *
ds_candidate(const struct ds_session *s)
{
	return s->editing ? s->cand : NULL;
}

/* ds_cand_begin - the candidate, made from running if there is none; the
 * base remembers running for the rebase at commit */
static enum sk_result
ds_cand_begin(struct ds_session *s, char *err, size_t errlen)
{
	if (s->editing) {
		return SK_OK;
	}
	ds_share_refresh(s->ds, 0); /* start from the newest running */
	if (ds_dup(s->ds->running, &s->cand) != SK_OK ||
	    ds_dup(s->ds->running, &s->base) != SK_OK) {
		ds_discard(s);
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	s->base_gen = s->ds->gen;
	s->editing = 1;
	return SK_OK;
}

/* ds_top - the first top-level sibling of the tree node is in */
static struct lyd_node *
ds_top(struct lyd_node *node)
{
	while (node != NULL && lyd_parent(node) != NULL) {
		node = lyd_parent(node);
	}
	return node != NULL ? lyd_first_sibling(node) : NULL;
}

/* ds_find_edited - the node an edit of path made; a leaf-list value is
 * found by its value (a path without a predicate names no instance) */
static struct lyd_node *
ds_find_edited(struct lyd_node *tree, const char *path, const char *value)
{
	char with[DS_PATH_MAX + DS_VALUE_MAX + 8];
	struct lyd_node *node = NULL;
	char q;

	if (lyd_find_path(tree, path, 0, &node) == LY_SUCCESS) {
		return node;
	}
	if (value == NULL) {
		return NULL;
	}
	q = strchr(value, '\'') != NULL ? '"' : '\'';
	snprintf(with, sizeof(with), "%s[.=%c%s%c]", path, q, value, q);
	node = NULL;
	return lyd_find_path(tree, with, 0, &node) == LY_SUCCESS ? node : NULL;
}

/* ds_edit_new - set (value, a terminal) or create (a list entry or a
 * container) path in *tree */
static enum sk_result
ds_edit_new(struct ds *ds, struct lyd_node **tree, const char *path,
    const char *value, int set, char *err, size_t errlen)
{
	struct lyd_node *node = NULL;
	uint16_t want = set ? LYD_NODE_TERM : (LYS_LIST | LYS_CONTAINER);
	LY_ERR e;

	ly_err_clean(ds->ctx, NULL);
	e = lyd_new_path(*tree, ds->ctx, path, value, LYD_NEW_PATH_UPDATE,
	    &node);
	if (e != LY_SUCCESS && e != LY_EEXIST) {
		config_lyerr(ds->ctx, path, err, errlen);
		return SK_E_SYNTAX;
	}
	*tree = ds_top(*tree != NULL ? *tree : node);
	node = ds_find_edited(*tree, path, value);
	if (node == NULL || (node->schema->nodetype & want) == 0) {
		ds_err(err, errlen, "%s: %s", path,
		    set ? "not a leaf: only a leaf or leaf-list takes a value" :
			  "not a list entry or container");
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* ds_edit_delete - remove path from *tree */
static enum sk_result
ds_edit_delete(struct ds *ds, struct lyd_node **tree, const char *path,
    char *err, size_t errlen)
{
	struct lyd_node *node = NULL;
	LY_ERR e;

	ly_err_clean(ds->ctx, NULL);
	e = *tree != NULL ? lyd_find_path(*tree, path, 0, &node) : LY_ENOTFOUND;
	/* LY_EINCOMPLETE: a node on the way is missing */
	if (e == LY_ENOTFOUND || e == LY_EINCOMPLETE ||
	    (e == LY_SUCCESS &&
		(node == NULL || (node->flags & LYD_DEFAULT)))) {
		ds_err(err, errlen, "%s: not in the configuration", path);
		return SK_E_UNKNOWN;
	}
	if (e != LY_SUCCESS) {
		config_lyerr(ds->ctx, path, err, errlen);
		return SK_E_SYNTAX;
	}
	if (node->schema->flags & LYS_KEY) {
		ds_err(err, errlen, "%s: a list key: delete the list entry",
		    path);
		return SK_E_SYNTAX;
	}
	if (node == *tree) {
		*tree = node->next;
	}
	lyd_free_tree(node);
	return SK_OK;
}

enum ds_op { DS_OP_SET, DS_OP_CREATE, DS_OP_DELETE };

/* ds_edit - one edit on a copy of the candidate, swapped in on success,
 * so that a failed edit leaves the candidate as it was */
static enum sk_result
ds_edit(struct ds_session *s, enum ds_op op, const char *path,
    const char *value, char *err, size_t errlen)
{
	struct lyd_node *copy;
	enum sk_result r;

	if (path == NULL || strlen(path) >= DS_PATH_MAX ||
	    (value != NULL && strlen(value) >= DS_VALUE_MAX)) {
		ds_err(err, errlen,
		    "path or value too long (DS_PATH_MAX %d, "
		    "DS_VALUE_MAX %d)",
		    DS_PATH_MAX, DS_VALUE_MAX);
		return SK_E_TOO_LONG;
	}
	if ((r = ds_cand_begin(s, err, errlen)) != SK_OK) {
		return r;
	}
	if (ds_dup(s->cand, &copy) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	if (op == DS_OP_DELETE) {
		r = ds_edit_delete(s->ds, &copy, path, err, errlen);
	} else {
		r = ds_edit_new(s->ds, &copy, path, value, op == DS_OP_SET, err,
		    errlen);
	}
	if (r != SK_OK) {
		lyd_free_all(copy);
		return r;
	}
	lyd_free_all(s->cand);
	s->cand = copy;
	return SK_OK;
}

/* ds_set - set a leaf */
enum sk_result
ds_set(struct ds_session *s, const char *path, const char *value, char *err,
    size_t errlen)
{
	return ds_edit(s, DS_OP_SET, path, value, err, errlen);
}

/* ds_create - create a list entry or presence container */
enum sk_result
ds_create(struct ds_session *s, const char *path, char *err, size_t errlen)
{
	return ds_edit(s, DS_OP_CREATE, path, NULL, err, errlen);
}

/* ds_delete - delete a node and its subtree */
enum sk_result
ds_delete(struct ds_session *s, const char *path, char *err, size_t errlen)
{
	return ds_edit(s, DS_OP_DELETE, path, NULL, err, errlen);
}

/*
 * ds_merged - what a commit of s would make running, before validation:
 * the candidate, or, when running changed since the candidate was made
 * (another session's commit, a rollback by ds_tick), the session's
 * changes replayed on the new running (libyang's diff), so that one
 * session never silently undoes another's commit.
 */
static enum sk_result
ds_merged(struct ds_session *s, struct lyd_node **out, char *err, size_t errlen)
{
	struct lyd_node *diff = NULL;
	LY_ERR e;

	*out = NULL;
	if (!s->editing || s->base_gen == s->ds->gen) {
		if (ds_dup(s->editing ? s->cand : s->ds->running, out) !=
		    SK_OK) {
			ds_err(err, errlen, "out of memory");
			return SK_E_FULL;
		}
		return SK_OK;
	}
	ly_err_clean(s->ds->ctx, NULL);
	e = lyd_diff_siblings(s->base, s->cand, 0, &diff);
	if (e == LY_SUCCESS && ds_dup(s->ds->running, out) == SK_OK) {
		e = lyd_diff_apply_all(out, diff);
	}
	lyd_free_all(diff);
	if (e != LY_SUCCESS) {
		lyd_free_all(*out);
		*out = NULL;
		ds_err(err, errlen,
		    "the configuration was committed by another session "
		    "since this one began editing, and the changes conflict: "
		    "compare, discard and edit again");
		return SK_E_FULL;
	}
	return SK_OK;
}

/* ds_checked - the validated configuration a commit of s would install */
static enum sk_result
ds_checked(struct ds_session *s, struct lyd_node **out, char *err,
    size_t errlen)
{
	struct lyd_node *merged;
	enum sk_result r;

	*out = NULL;
	if ((r = ds_merged(s, &merged, err, errlen)) != SK_OK) {
		return r;
	}
	r = ds_validate(s->ds->ctx, merged, out, err, errlen);
	lyd_free_all(merged);
	return r;
}

/* ds_commit_check - validate as a commit would */
enum sk_result
ds_commit_check(struct ds_session *s, char *err, size_t errlen)
{
	struct lyd_node *checked;
	enum sk_result r;

	r = ds_checked(s, &checked, err, errlen);
	lyd_free_all(checked);
	return r;
}

/* ds_locked_out - SK_E_FULL when another session holds the lock, in
 * this process or another (call under ds_share_lock) */
static enum sk_result
ds_locked_out(const struct ds_session *s, char *err, size_t errlen)
{
	const struct ds_session *l = s->ds->locker;
	char who[DS_USER_MAX + 64];

	if (l != NULL && l != s) {
		ds_err(err, errlen,
		    "configuration locked by %s (session %u): "
		    "it must unlock or log out first",
		    l->user, l->id);
		return SK_E_FULL;
	}
	if (ds_share_excl_other(s->ds, who, sizeof(who))) {
		ds_err(err, errlen,
		    "configuration locked by %s: it must unlock or log out "
		    "first",
		    who);
		return SK_E_FULL;
	}
	return SK_OK;
}

/* ds_same - whether two trees have the same explicit configuration */
static int
ds_same(const struct lyd_node *a, const struct lyd_node *b)
{
	char *ja = NULL, *jb = NULL;
	int same;

	same = ds_print(a, &ja) == SK_OK && ds_print(b, &jb) == SK_OK &&
	    strcmp(ja, jb) == 0;
	free(ja);
	free(jb);
	return same;
}

/* ds_pending_clear - forget a pending commit confirmed */
static void
ds_pending_clear(struct ds *ds)
{
	lyd_free_all(ds->pending.prev);
	memset(&ds->pending, 0, sizeof(ds->pending));
}

/* ds_confirm_now - the pending commit confirmed becomes startup */
static enum sk_result
ds_confirm_now(struct ds *ds, char *err, size_t errlen)
{
	enum sk_result r;
	char *json;

	ds_pending_clear(ds);
	ds_share_pending_drop(ds);
	if (ds_print(ds->running, &json) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	r = ds_persist_startup(ds, json, err, errlen);
	free(json);
	return r;
}

/* ds_commit_confirmed - install next, keeping what to roll back to */
static enum sk_result
ds_commit_confirmed(struct ds_session *s, struct lyd_node *next,
    const char *comment, unsigned minutes, char *err, size_t errlen)
{
	struct ds *ds = s->ds;
	struct lyd_node *prev = ds->pending.prev;
	char msg[DS_ERR_MAX];
	enum sk_result r;

	/* a second commit confirmed keeps the first one's fallback: the
	 * configuration that was last known to work */
	if (!ds->pending.active && ds_dup(ds->running, &prev) != SK_OK) {
		lyd_free_all(next);
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	r = ds_install(ds, next, DS_HOW_CONFIRMED, s->user, comment, 0, err,
	    errlen);
	if (r != SK_OK) {
		if (!ds->pending.active) {
			lyd_free_all(prev);
		}
		return r;
	}
	ds->pending.active = 1;
	ds->pending.prev = prev;
	ds->pending.minutes = minutes;
	ds->pending.deadline =
	    ds->clock.now(ds->clock.arg) + (time_t)minutes * 60;
	/* for the other processes: any of them rolls it back in time; if
	 * the file cannot be written, only this one can (said as a note) */
	if (ds_share_pending_save(ds, msg, sizeof(msg)) != SK_OK) {
		ds_err(ds->note, sizeof(ds->note),
		    "only this session can roll the commit back: %s", msg);
	}
	return SK_OK;
}

/* ds_commit_locked - ds_commit with DIR locked and taken in */
static enum sk_result
ds_commit_locked(struct ds_session *s, const char *comment,
    unsigned confirm_minutes, char *err, size_t errlen)
{
	struct ds *ds = s->ds;
	struct lyd_node *next;
	enum sk_result r;

	if (confirm_minutes > DS_CONFIRM_MAX) {
		ds_err(err, errlen, "commit confirmed %u: minutes are 1..%d",
		    confirm_minutes, DS_CONFIRM_MAX);
		return SK_E_RANGE;
	}
	if ((r = ds_locked_out(s, err, errlen)) != SK_OK ||
	    (r = ds_checked(s, &next, err, errlen)) != SK_OK) {
		return r;
	}
	if (ds_same(next, ds->running)) {
		lyd_free_all(next);
		ds_discard(s);
		if (ds->pending.active && confirm_minutes > 0) {
			ds->pending.minutes = confirm_minutes;
			ds->pending.deadline = ds->clock.now(ds->clock.arg) +
			    (time_t)confirm_minutes * 60;
			return ds_share_pending_save(ds, err, errlen);
		} else if (ds->pending.active) {
			return ds_confirm_now(ds, err, errlen);
		}
		return SK_OK;
	}
	if (confirm_minutes > 0) {
		r = ds_commit_confirmed(s, next, comment, confirm_minutes, err,
		    errlen);
	} else if ((r = ds_install(ds, next, DS_HOW_COMMIT, s->user, comment, 1,
			err, errlen)) == SK_OK) {
		ds_pending_clear(ds); /* a plain commit confirms */
		ds_share_pending_drop(ds);
	}
	if (r == SK_OK) {
		ds_discard(s);
	}
	return r;
}

/* ds_commit - validate, apply, persist (see ds.h), after what other
 * processes did, with none of them committing meanwhile */
enum sk_result
ds_commit(struct ds_session *s, const char *comment, unsigned confirm_minutes,
    char *err, size_t errlen)
{
	enum sk_result r;

	ds_share_lock(s->ds);
	ds_share_refresh(s->ds, 1);
	r = ds_commit_locked(s, comment, confirm_minutes, err, errlen);
	ds_share_stamps_now(s->ds);
	ds_share_unlock(s->ds);
	return r;
}

/* ds_confirm - confirm a pending commit confirmed */
enum sk_result
ds_confirm(struct ds_session *s, char *err, size_t errlen)
{
	enum sk_result r;

	ds_share_lock(s->ds);
	ds_share_refresh(s->ds, 1);
	if (!s->ds->pending.active) {
		ds_err(err, errlen, "no commit confirmed is waiting");
		r = SK_E_UNKNOWN;
	} else {
		r = ds_confirm_now(s->ds, err, errlen);
	}
	ds_share_stamps_now(s->ds);
	ds_share_unlock(s->ds);
	return r;
}

/* ds_confirm_deadline - when the pending commit confirmed rolls back */
time_t
ds_confirm_deadline(const struct ds *ds)
{
	return ds->pending.active ? ds->pending.deadline : 0;
}

/* ds_tick_locked - ds_tick with DIR locked and taken in */
static int
ds_tick_locked(struct ds *ds, time_t now, char *msg, size_t msglen)
{
	char comment[DS_COMMENT_MAX], err[DS_ERR_MAX];
	struct lyd_node *prev = ds->pending.prev;
	unsigned minutes = ds->pending.minutes;

	if (!ds->pending.active || now < ds->pending.deadline) {
		return 0;
	}
	ds->pending.prev = NULL;
	ds_pending_clear(ds);
	ds_share_pending_drop(ds);
	snprintf(comment, sizeof(comment),
	    "commit confirmed not confirmed within %u minutes", minutes);
	if (ds_install(ds, prev, DS_HOW_ROLLBACK, DS_SYSTEM_USER, comment, 1,
		err, sizeof(err)) == SK_OK) {
		ds_err(msg, msglen,
		    "%s: rolled back to the configuration before it", comment);
	} else {
		ds_err(msg, msglen, "%s: the rollback failed: %s", comment,
		    err);
	}
	return 1;
}

/* ds_tick - what other processes did (when the folder changed); then
 * the automatic rollback of an expired commit confirmed, by whichever
 * process gets there first */
int
ds_tick(struct ds *ds, time_t now, char *msg, size_t msglen)
{
	int rolled;

	ds_share_refresh(ds, 0);
	if (!ds->pending.active || now < ds->pending.deadline) {
		return 0;
	}
	ds_share_lock(ds);
	ds_share_refresh(ds, 1);
	rolled = ds_tick_locked(ds, now, msg, msglen);
	ds_share_stamps_now(ds);
	ds_share_unlock(ds);
	return rolled;
}

/* ds_take - make tree (parsed, unvalidated) the candidate or merge it in */
static enum sk_result
ds_take(struct ds_session *s, enum ds_load_mode mode, struct lyd_node *tree,
    char *err, size_t errlen)
{
	struct lyd_node *copy;
	enum sk_result r;

	if ((r = ds_cand_begin(s, err, errlen)) != SK_OK) {
		lyd_free_all(tree);
		return r;
	}
	if (mode == DS_LOAD_REPLACE || s->cand == NULL) {
		lyd_free_all(s->cand);
		s->cand = tree;
		return SK_OK;
	}
	if (ds_dup(s->cand, &copy) != SK_OK ||
	    (tree != NULL &&
		lyd_merge_siblings(&copy, tree, 0) != LY_SUCCESS)) {
		lyd_free_all(copy);
		lyd_free_all(tree);
		ds_err(err, errlen, "merge failed: out of memory");
		return SK_E_FULL;
	}
	lyd_free_all(tree);
	lyd_free_all(s->cand);
	s->cand = copy;
	return SK_OK;
}

/* ds_rollback - commit n of the history into the candidate */
enum sk_result
ds_rollback(struct ds_session *s, unsigned n, char *err, size_t errlen)
{
	struct lyd_node *tree;
	enum sk_result r;
	size_t len;
	char *json;

	if (n >= DS_ROLLBACK_MAX) {
		ds_err(err, errlen, "rollback %u: the history keeps 0..%d", n,
		    DS_ROLLBACK_MAX - 1);
		return SK_E_RANGE;
	}
	ds_share_lock(s->ds); /* the history as it is now */
	ds_share_refresh(s->ds, 1);
	r = ds_history_json(s->ds, n, &json, &len, err, errlen);
	ds_share_unlock(s->ds);
	if (r != SK_OK) {
		return r;
	}
	r = ds_parse(s->ds->ctx, (const uint8_t *)json, len, 0, &tree, err,
	    errlen);
	free(json);
	if (r != SK_OK) {
		return r;
	}
	return ds_take(s, DS_LOAD_REPLACE, tree, err, errlen);
}

/* ds_history_count - entries in the history */
size_t
ds_history_count(const struct ds *ds)
{
	return ds->nhist < DS_ROLLBACK_MAX ? ds->nhist : DS_ROLLBACK_MAX;
}

/* ds_history_get - entry n (0 = newest) */
enum sk_result
ds_history_get(const struct ds *ds, unsigned n, struct ds_commit_info *out)
{
	if (n >= ds_history_count(ds)) {
		return SK_E_UNKNOWN;
	}
	*out = ds->hist[n];
	return SK_OK;
}

/* ds_lock - take the exclusive lock, for every process on the folder */
enum sk_result
ds_lock(struct ds_session *s, char *err, size_t errlen)
{
	enum sk_result r;

	ds_share_lock(s->ds);
	if ((r = ds_locked_out(s, err, errlen)) == SK_OK &&
	    (r = ds_share_excl_take(s->ds, s->user, s->id, err, errlen)) ==
		SK_OK) {
		s->ds->locker = s;
	}
	ds_share_unlock(s->ds);
	return r;
}

/* ds_unlock - release the exclusive lock */
enum sk_result
ds_unlock(struct ds_session *s, char *err, size_t errlen)
{
	if (s->ds->locker != s) {
		ds_err(err, errlen, "this session holds no lock");
		return SK_E_UNKNOWN;
	}
	ds_release(s);
	return SK_OK;
}

/* ds_load_buf - JSON text into the candidate */
enum sk_result
ds_load_buf(struct ds_session *s, enum ds_load_mode mode, const uint8_t *buf,
    size_t len, char *err, size_t errlen)
{
	struct lyd_node *tree;
	enum sk_result r;

	r = ds_parse(s->ds->ctx, buf, len, 0, &tree, err, errlen);
	if (r != SK_OK) {
		return r;
	}
	return ds_take(s, mode, tree, err, errlen);
}

/* ds_load_file - a JSON file into the candidate */
enum sk_result
ds_load_file(struct ds_session *s, enum ds_load_mode mode, const char *path,
    char *err, size_t errlen)
{
	char msg[DS_ERR_MAX];
	enum sk_result r;
	size_t len;
	char *buf;

	r = ds_read_file(path, DS_FILE_MAX, &buf, &len, err, errlen);
	if (r != SK_OK) {
		return r == SK_E_UNKNOWN ? SK_E_IO : r;
	}
	r = ds_load_buf(s, mode, (const uint8_t *)buf, len, msg, sizeof(msg));
	free(buf);
	if (r != SK_OK) {
		ds_err(err, errlen, "%s: %s", path, msg);
	}
	return r;
}

/* ds_load_factory - the factory configuration into the candidate */
enum sk_result
ds_load_factory(struct ds_session *s, char *err, size_t errlen)
{
	return ds_load_file(s, DS_LOAD_REPLACE, s->ds->factory, err, errlen);
}

/* ds_json - the candidate (or running) as JSON */
enum sk_result
ds_json(const struct ds_session *s, char **out, char *err, size_t errlen)
{
	if (ds_print(s->editing ? s->cand : s->ds->running, out) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	return SK_OK;
}

/* ds_save - the candidate (or running) into a file, atomically */
enum sk_result
ds_save(struct ds_session *s, const char *path, char *err, size_t errlen)
{
	enum sk_result r;
	char *json;

	if (strlen(path) >= DS_PATH_MAX) {
		ds_err(err, errlen, "file name longer than DS_PATH_MAX");
		return SK_E_TOO_LONG;
	}
	if ((r = ds_json(s, &json, err, errlen)) != SK_OK) {
		return r;
	}
	r = ds_write_atomic(path, json, strlen(json), err, errlen);
	free(json);
	return r;
}

/* ds_show - the candidate (or running) as curly-brace text */
enum sk_result
ds_show(const struct ds *ds, const struct ds_session *s, unsigned flags,
    char **out, char *err, size_t errlen)
{
	const struct lyd_node *tree =
	    s != NULL && s->editing ? s->cand : ds->running;

	if (ds_render(tree, flags, out) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	return SK_OK;
}

/* ds_compare - rollback n against the candidate (or running) */
enum sk_result
ds_compare(struct ds_session *s, unsigned n, unsigned flags, char **out,
    char *err, size_t errlen)
{
	struct lyd_node *old = NULL;
	enum sk_result r;
	size_t len;
	char *json;

	*out = NULL;
	if (n >= DS_ROLLBACK_MAX) {
		ds_err(err, errlen, "rollback %u: the history keeps 0..%d", n,
		    DS_ROLLBACK_MAX - 1);
		return SK_E_RANGE;
	}
	if (n > 0) {
		r = ds_history_json(s->ds, n, &json, &len, err, errlen);
		if (r != SK_OK) {
			return r;
		}
		r = ds_parse(s->ds->ctx, (const uint8_t *)json, len, 0, &old,
		    err, errlen);
		free(json);
		if (r != SK_OK) {
			return r;
		}
	}
	r = ds_diff(n > 0 ? old : s->ds->running,
	    s->editing ? s->cand : s->ds->running, flags, out);
	lyd_free_all(old);
	if (r != SK_OK) {
		ds_err(err, errlen, "out of memory");
	}
	return r;
}
