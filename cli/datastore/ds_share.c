/*
 * ds_share.c - more than one process on one config folder. The serial
 * console's CLI, every SSH session, sekimori-login and the watcher of
 * commit confirmed (sekimori-cli --confirm-watch) each open the
 * datastore; the folder is what they share:
 *
 *   DIR/.lock            flock'd around every change (commit, confirm,
 *                        the rollback of an expired commit confirmed,
 *                        the boot record), so two processes never write
 *                        the same history number or apply at once
 *   DIR/rollback/SEQ.commit  the history: its newest entry is running
 *   DIR/confirm.pending  a commit confirmed waiting: its history number,
 *                        deadline, minutes, this boot's id, then the
 *                        configuration to roll back to (RFC 7951 JSON)
 *   DIR/exclusive.lock   `configure exclusive` of a session in some
 *                        process: who (user, session), and the process
 *                        (pid, its start time, this boot, a random token
 *                        of its datastore), so a holder that died without
 *                        unlocking is recognised and its lock dropped
 *
 * Before a change, and once a second from ds_tick when the folder's
 * mtimes moved, a process takes what the others did: running becomes
 * the newest history entry (without applying it: the process that
 * committed did), and the pending commit confirmed is read from its
 * file, so any process can roll it back when it expires, the session
 * that made it being gone (an SSH connection cut by the very change it
 * tried) or not.
 *
 * The pending file names the boot it belongs to: after a reboot the box
 * runs startup.json, which a commit confirmed never wrote, so the trial
 * is over and the file is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds_int.h"

#define DS_LOCK_FILE ".lock"
#define DS_PENDING_FILE "confirm.pending"
#define DS_PENDING_MAGIC "sekimori-confirm 1"
#define DS_EXCL_FILE "exclusive.lock"
#define DS_EXCL_MAGIC "sekimori-exclusive 1"
#define DS_PROC_STAT_MAX 1024 /* /proc/PID/stat: far less in practice */
#define DS_BOOT_ID "/proc/sys/kernel/random/boot_id"
#define DS_SHARE_PATH (DS_PATH_MAX + 32)

static void
ds_share_path(char *out, const struct ds *ds, const char *name)
{
	snprintf(out, DS_SHARE_PATH, "%s/%s", ds->dir, name);
}

/* ds_share_put - the text t (freed here) as DIR/name, atomically; an
 * incomplete text (out of memory) writes nothing */
static enum sk_result
ds_share_put(const struct ds *ds, const char *name, struct ds_text *t,
    char *err, size_t errlen)
{
	char path[DS_SHARE_PATH];
	enum sk_result r;

	if (t->failed) {
		free(t->p);
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	ds_share_path(path, ds, name);
	r = ds_write_atomic(path, t->p, t->len, err, errlen);
	free(t->p);
	return r;
}

/* ds_share_remove - DIR/name gone (or never there) */
static void
ds_share_remove(const struct ds *ds, const char *name)
{
	char path[DS_SHARE_PATH];

	ds_share_path(path, ds, name);
	(void)unlink(path);
}

/* ds_share_proc_start - the start time of process pid (field 22 of
 * /proc/PID/stat, after the command name in parentheses, which may hold
 * anything); -1 when there is no such process */
static int
ds_share_proc_start(uint64_t pid, uint64_t *start)
{
	char path[64], buf[DS_PROC_STAT_MAX], *p, *end;
	ssize_t n;
	int fd, field;

	*start = 0;
	snprintf(path, sizeof(path), "/proc/%" PRIu64 "/stat", pid);
	/* a /proc file says 0 octets to fstat: one read takes it whole */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return -1;
	}
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL) {
		return -1;
	}
	for (field = 2; p != NULL && field < 22; field++) {
		p = strchr(p + 1, ' ');
	}
	if (p == NULL) {
		return -1;
	}
	errno = 0;
	*start = strtoull(p + 1, &end, 10);
	return errno == 0 && end != p + 1 ? 0 : -1;
}

void
ds_share_open(struct ds *ds)
{
	char path[DS_SHARE_PATH], *id = NULL;
	size_t len;
	char err[DS_ERR_MAX];

	ds_share_path(path, ds, DS_LOCK_FILE);
	ds->lockfd =
	    open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	snprintf(ds->boot_id, sizeof(ds->boot_id), "unknown");
	if (ds_read_file(DS_BOOT_ID, 64, &id, &len, err, sizeof(err)) ==
		SK_OK &&
	    len > 0) {
		id[strcspn(id, "\n")] = '\0';
		snprintf(ds->boot_id, sizeof(ds->boot_id), "%s", id);
	}
	free(id);
	ds_share_proc_start((uint64_t)getpid(), &ds->self_start);
	if (getrandom(&ds->token, sizeof(ds->token), 0) !=
	    (ssize_t)sizeof(ds->token)) {
		ds->token = (uint64_t)(uintptr_t)ds ^ ds->self_start;
	}
	ds->token &= (UINT64_C(1) << 59) - 1; /* ds_parse_u64's 18 digits */
}

void
ds_share_close(struct ds *ds)
{
	if (ds->lockfd >= 0) {
		close(ds->lockfd);
	}
	ds->lockfd = -1;
}

void
ds_share_lock(struct ds *ds)
{
	if (ds->lockfd < 0) {
		return; /* a folder we cannot write: nothing to protect */
	}
	while (flock(ds->lockfd, LOCK_EX) == -1 && errno == EINTR) {
	}
}

void
ds_share_unlock(struct ds *ds)
{
	if (ds->lockfd >= 0) {
		(void)flock(ds->lockfd, LOCK_UN);
	}
}

/* ds_share_stamps - the mtimes of DIR and DIR/rollback now */
static void
ds_share_stamps(const struct ds *ds, struct timespec out[2])
{
	char path[DS_SHARE_PATH];
	struct stat st;

	memset(out, 0, 2 * sizeof(out[0]));
	if (stat(ds->dir, &st) == 0) {
		out[0] = st.st_mtim;
	}
	ds_share_path(path, ds, "rollback");
	if (stat(path, &st) == 0) {
		out[1] = st.st_mtim;
	}
}

/* ds_share_newest - running from the newest history entry, if another
 * process made it (unparsable: running stays as it is) */
static void
ds_share_newest(struct ds *ds)
{
	struct lyd_node *tree = NULL;
	char err[DS_ERR_MAX], *json = NULL;
	size_t len;

	if (ds->nhist == 0 || ds->hist[0].seq == ds->running_seq) {
		return;
	}
	if (ds_history_json(ds, 0, &json, &len, err, sizeof(err)) == SK_OK &&
	    ds_parse(ds->ctx, (const uint8_t *)json, len, 1, &tree, err,
		sizeof(err)) == SK_OK) {
		lyd_free_all(ds->running);
		ds->running = tree;
		ds->gen++;
	}
	ds->running_seq = ds->hist[0].seq;
	free(json);
}

/* The pending file, parsed. */
struct ds_pending_file {
	uint64_t seq, deadline, minutes;
	char boot[40];
	struct lyd_node *prev;
};

/* ds_share_pending_read - DIR/confirm.pending into *f: 1 when there is
 * one that parses, 0 when there is none, -1 when it is damaged */
static int
ds_share_pending_read(struct ds *ds, struct ds_pending_file *f)
{
	char path[DS_SHARE_PATH], v[64], err[DS_ERR_MAX], *buf = NULL;
	size_t len, pos = 0;
	enum sk_result r;
	int ok;

	memset(f, 0, sizeof(*f));
	ds_share_path(path, ds, DS_PENDING_FILE);
	r = ds_read_file(path, DS_FILE_MAX + DS_HEADER_MAX, &buf, &len, err,
	    sizeof(err));
	if (r != SK_OK) {
		return r == SK_E_UNKNOWN ? 0 : -1;
	}
	ok = ds_hdr_line(buf, len, &pos, DS_PENDING_MAGIC, NULL, 0) == 0 &&
	    ds_hdr_line(buf, len, &pos, "seq", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->seq) == 0 &&
	    ds_hdr_line(buf, len, &pos, "deadline", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->deadline) == 0 &&
	    ds_hdr_line(buf, len, &pos, "minutes", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->minutes) == 0 && f->minutes >= 1 &&
	    f->minutes <= DS_CONFIRM_MAX &&
	    ds_hdr_line(buf, len, &pos, "boot", f->boot, sizeof(f->boot)) ==
		0 &&
	    pos < len && buf[pos] == '\n' &&
	    ds_parse(ds->ctx, (const uint8_t *)buf + pos + 1, len - pos - 1, 1,
		&f->prev, err, sizeof(err)) == SK_OK;
	free(buf);
	return ok ? 1 : -1;
}

/* ds_share_pending_valid - whether a pending file read (got: what
 * ds_share_pending_read said) is this boot's trial of the commit that
 * running is */
static int
ds_share_pending_valid(const struct ds *ds, int got,
    const struct ds_pending_file *f)
{
	return got == 1 && strcmp(f->boot, ds->boot_id) == 0 && ds->nhist > 0 &&
	    f->seq == ds->hist[0].seq;
}

/* ds_share_pending - the pending commit confirmed as the file says:
 * taken when it is this boot's and running is its commit; a stale or
 * damaged file is removed; no file clears what this process kept */
static void
ds_share_pending(struct ds *ds)
{
	struct ds_pending_file f;
	int got = ds_share_pending_read(ds, &f);

	if (ds_share_pending_valid(ds, got, &f)) {
		lyd_free_all(ds->pending.prev);
		ds->pending.active = 1;
		ds->pending.deadline = (time_t)f.deadline;
		ds->pending.minutes = (unsigned)f.minutes;
		ds->pending.prev = f.prev;
		return;
	}
	lyd_free_all(f.prev);
	if (got != 0) {
		ds_share_pending_drop(ds);
	}
	lyd_free_all(ds->pending.prev);
	memset(&ds->pending, 0, sizeof(ds->pending));
}

void
ds_share_stamps_now(struct ds *ds)
{
	ds_share_stamps(ds, ds->seen);
}

void
ds_share_refresh(struct ds *ds, int force)
{
	struct timespec now[2];
	char err[DS_ERR_MAX];

	ds_share_stamps(ds, now);
	if (!force && memcmp(now, ds->seen, sizeof(now)) == 0) {
		return;
	}
	if (ds_history_scan(ds, err, sizeof(err)) == SK_OK) {
		ds_share_newest(ds);
		ds_share_pending(ds);
	}
	ds_share_stamps(ds, ds->seen);
}

int
ds_share_resume(struct ds *ds)
{
	struct ds_pending_file f;
	int got = ds_share_pending_read(ds, &f), resume;

	resume = ds_share_pending_valid(ds, got, &f);
	lyd_free_all(f.prev);
	if (!resume) {
		if (got != 0) {
			ds_share_pending_drop(ds); /* the reboot rolled back */
		}
		return 0;
	}
	ds->running_seq = 0; /* running is startup's: take the newest */
	ds_share_newest(ds);
	ds_share_pending(ds);
	return 1;
}

enum sk_result
ds_share_pending_save(struct ds *ds, char *err, size_t errlen)
{
	struct ds_text t = { 0 };
	char *json = NULL;

	if (ds_print(ds->pending.prev, &json) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	ds_text_add(&t,
	    DS_PENDING_MAGIC "\nseq %" PRIu64 "\ndeadline %jd\nminutes %u\n"
			     "boot %s\n\n%s",
	    ds->running_seq,
	    (intmax_t)(ds->pending.deadline < 0 ? 0 : ds->pending.deadline),
	    ds->pending.minutes, ds->boot_id, json);
	free(json);
	return ds_share_put(ds, DS_PENDING_FILE, &t, err, errlen);
}

void
ds_share_pending_drop(struct ds *ds)
{
	ds_share_remove(ds, DS_PENDING_FILE);
}

/* ---- the exclusive lock across processes ------------------------------ */

struct ds_excl_file {
	uint64_t pid, start, token, session;
	char boot[40];
	char user[DS_USER_MAX];
};

/* ds_share_excl_read - DIR/exclusive.lock into *f: 1 when it parses, 0
 * when there is none, -1 when it is damaged */
static int
ds_share_excl_read(const struct ds *ds, struct ds_excl_file *f)
{
	char path[DS_SHARE_PATH], v[64], err[DS_ERR_MAX], *buf = NULL;
	size_t len, pos = 0;
	enum sk_result r;
	int ok;

	memset(f, 0, sizeof(*f));
	ds_share_path(path, ds, DS_EXCL_FILE);
	r = ds_read_file(path, DS_HEADER_MAX, &buf, &len, err, sizeof(err));
	if (r != SK_OK) {
		return r == SK_E_UNKNOWN ? 0 : -1;
	}
	ok = ds_hdr_line(buf, len, &pos, DS_EXCL_MAGIC, NULL, 0) == 0 &&
	    ds_hdr_line(buf, len, &pos, "pid", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->pid) == 0 &&
	    ds_hdr_line(buf, len, &pos, "start", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->start) == 0 &&
	    ds_hdr_line(buf, len, &pos, "token", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->token) == 0 &&
	    ds_hdr_line(buf, len, &pos, "boot", f->boot, sizeof(f->boot)) ==
		0 &&
	    ds_hdr_line(buf, len, &pos, "user", f->user, sizeof(f->user)) ==
		0 &&
	    ds_hdr_line(buf, len, &pos, "session", v, sizeof(v)) == 0 &&
	    ds_parse_u64(v, &f->session) == 0 && pos == len;
	free(buf);
	return ok ? 1 : -1;
}

/* ds_share_excl_mine - whether f was written by this datastore */
static int
ds_share_excl_mine(const struct ds *ds, const struct ds_excl_file *f)
{
	return f->pid == (uint64_t)getpid() && f->token == ds->token &&
	    f->start == ds->self_start;
}

/* ds_share_excl_alive - whether f's process still runs: the same boot,
 * and a process of that pid that started when the holder did (a pid
 * used again by another program does not count) */
static int
ds_share_excl_alive(const struct ds *ds, const struct ds_excl_file *f)
{
	uint64_t start;

	return strcmp(f->boot, ds->boot_id) == 0 && f->pid > 0 &&
	    ds_share_proc_start(f->pid, &start) == 0 && start == f->start;
}

int
ds_share_excl_other(struct ds *ds, char *who, size_t cap)
{
	struct ds_excl_file f;
	int got = ds_share_excl_read(ds, &f);

	if (got == 0 || (got == 1 && ds_share_excl_mine(ds, &f))) {
		return 0;
	}
	if (got == 1 && ds_share_excl_alive(ds, &f)) {
		snprintf(who, cap,
		    "%s (session %" PRIu64 " of process %" PRIu64 ")", f.user,
		    f.session, f.pid);
		return 1;
	}
	/* damaged, or its holder died without unlocking */
	ds_share_remove(ds, DS_EXCL_FILE);
	return 0;
}

enum sk_result
ds_share_excl_take(struct ds *ds, const char *user, unsigned session, char *err,
    size_t errlen)
{
	struct ds_text t = { 0 };

	ds_text_add(&t,
	    DS_EXCL_MAGIC "\npid %ld\nstart %" PRIu64 "\ntoken %" PRIu64
			  "\nboot %s\nuser %s\nsession %u\n",
	    (long)getpid(), ds->self_start, ds->token, ds->boot_id, user,
	    session);
	return ds_share_put(ds, DS_EXCL_FILE, &t, err, errlen);
}

void
ds_share_excl_drop(struct ds *ds)
{
	struct ds_excl_file f;

	if (ds_share_excl_read(ds, &f) == 1 && ds_share_excl_mine(ds, &f)) {
		ds_share_remove(ds, DS_EXCL_FILE);
	}
}
