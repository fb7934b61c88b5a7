/*
 * ds_store.c - the datastore's files on /config: bounded reading, atomic
 * writing, the rollback history (one file per commit, the newest
 * DS_ROLLBACK_MAX kept) and the boot chain startup -> last good ->
 * factory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds_int.h"
#include "io.h"

#define DS_STARTUP "startup.json"
#define DS_LAST_GOOD "startup.last-good.json"
#define DS_ROLLBACK_DIR "rollback"
#define DS_COMMIT_EXT ".commit"
#define DS_SEQ_DIGITS 19 /* below UINT64_MAX: a sequence number in a name */
#define DS_BAD_TRIES 100 /* startup.json.bad.TIME.N: N below this */
#define DS_NAME_MAX (DS_PATH_MAX + 64) /* dir + "/rollback/SEQ.commit" */

static const char *const ds_how_names[] = { "commit", "confirmed", "rollback",
	"boot" };

/* ds_path - dir/name into out[DS_NAME_MAX] (ds_open bounds dir) */
static void
ds_path(char *out, const struct ds *ds, const char *name)
{
	snprintf(out, DS_NAME_MAX, "%s/%s", ds->dir, name);
}

/* ds_read_file - at most max octets of a regular file into *out (malloc'd,
 * NUL after them); SK_E_UNKNOWN when it does not exist */
enum sk_result
ds_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	size_t have = 0;
	ssize_t n;
	char *buf;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		ds_err(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? SK_E_UNKNOWN : SK_E_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ds_err(err, errlen, "%s: not a regular file", path);
		close(fd);
		return SK_E_IO;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > max) {
		ds_err(err, errlen,
		    "%s: %jd octets, more than the limit of %zu", path,
		    (intmax_t)st.st_size, max);
		close(fd);
		return SK_E_TOO_LONG;
	}
	/* one octet more than the limit: a file that grows while it is read
	 * is refused, not cut short */
	if ((buf = malloc(max + 2)) == NULL) {
		ds_err(err, errlen, "out of memory");
		close(fd);
		return SK_E_FULL;
	}
	while (
	    have < max + 1 && (n = read(fd, buf + have, max + 1 - have)) != 0) {
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			ds_err(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return SK_E_IO;
		}
		have += (size_t)n;
	}
	close(fd);
	if (have > max) {
		ds_err(err, errlen, "%s: grew beyond the limit of %zu octets",
		    path, max);
		free(buf);
		return SK_E_TOO_LONG;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return SK_OK;
}

/* ds_fsync_dir - fsync the folder that holds path, so a rename lasts */
static int
ds_fsync_dir(const char *path)
{
	char dir[DS_NAME_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		snprintf(dir, sizeof(dir), "%.*s",
		    (int)(slash == path ? 1 : slash - path), path);
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		return -1;
	}
	r = io_sync(fd);
	close(fd);
	return r;
}

/* ds_write_atomic - path holds data[len] or what it held before, never a
 * mix: write PATH.tmp, fsync, rename over path, fsync the folder */
enum sk_result
ds_write_atomic(const char *path, const char *data, size_t len, char *err,
    size_t errlen)
{
	char tmp[DS_NAME_MAX + 8];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		ds_err(err, errlen, "%s: name too long", path);
		return SK_E_TOO_LONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd < 0) {
		ds_err(err, errlen, "%s: %s", tmp, strerror(errno));
		return SK_E_IO;
	}
	if (io_write_all(fd, data, len) != 0 || io_sync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		ds_err(err, errlen, "%s: %s", tmp, strerror(saved));
		return SK_E_IO;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		ds_err(err, errlen, "%s: %s", path, strerror(saved));
		return SK_E_IO;
	}
	if (ds_fsync_dir(path) != 0) {
		ds_err(err, errlen, "%s: fsync of its folder: %s", path,
		    strerror(errno));
		return SK_E_IO;
	}
	return SK_OK;
}

/* ds_hdr_line - the header line at *pos must be "KEY VALUE" (or just
 * KEY when value is NULL): its printable value into value[cap] */
int
ds_hdr_line(const char *buf, size_t len, size_t *pos, const char *key,
    char *value, size_t cap)
{
	const char *nl, *line = buf + *pos;
	size_t klen = strlen(key), n, i;

	if ((nl = memchr(line, '\n', len - *pos)) == NULL) {
		return -1;
	}
	n = (size_t)(nl - line);
	if (n < klen || memcmp(line, key, klen) != 0) {
		return -1;
	}
	if (value == NULL) {
		if (n != klen) {
			return -1;
		}
	} else {
		if (n == klen || line[klen] != ' ' || n - klen - 1 >= cap) {
			return -1;
		}
		for (i = klen + 1; i < n; i++) {
			if ((unsigned char)line[i] < 0x20 ||
			    (unsigned char)line[i] > 0x7e) {
				return -1;
			}
		}
		memcpy(value, line + klen + 1, n - klen - 1);
		value[n - klen - 1] = '\0';
	}
	*pos += n + 1;
	return 0;
}

/* ds_parse_u64 - a decimal number of at most DS_SEQ_DIGITS digits */
int
ds_parse_u64(const char *s, uint64_t *out)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > DS_SEQ_DIGITS || s[n] != '\0') {
		return -1;
	}
	for (i = 0; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * ds_history_parse - the header of a history file: its fields into
 * *info, the offset of the JSON after the empty line into *json_off.
 * The header is outside input too (a file on /config): fixed keys in a
 * fixed order, printable values within their fields, at most
 * DS_HEADER_MAX octets.
 */
enum sk_result
ds_history_parse(const char *buf, size_t len, struct ds_commit_info *info,
    size_t *json_off)
{
	char v[DS_COMMENT_MAX];
	size_t pos = 0, i;
	uint64_t n;

	memset(info, 0, sizeof(*info));
	len = len < DS_HEADER_MAX ? len : DS_HEADER_MAX;
	if (ds_hdr_line(buf, len, &pos, DS_HISTORY_MAGIC, NULL, 0) != 0 ||
	    ds_hdr_line(buf, len, &pos, "seq", v, sizeof(v)) != 0 ||
	    ds_parse_u64(v, &info->seq) != 0 ||
	    ds_hdr_line(buf, len, &pos, "time", v, sizeof(v)) != 0 ||
	    ds_parse_u64(v, &n) != 0 || n > INT32_MAX * 4ull) {
		return SK_E_SYNTAX;
	}
	info->time = (time_t)n;
	if (ds_hdr_line(buf, len, &pos, "how", v, sizeof(v)) != 0) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < SK_NELEM(ds_how_names); i++) {
		if (strcmp(v, ds_how_names[i]) == 0) {
			break;
		}
	}
	if (i == SK_NELEM(ds_how_names)) {
		return SK_E_SYNTAX;
	}
	info->how = (enum ds_how)i;
	if (ds_hdr_line(buf, len, &pos, "user", info->user,
		sizeof(info->user)) != 0 ||
	    ds_hdr_line(buf, len, &pos, "comment", info->comment,
		sizeof(info->comment)) != 0) {
		/* "comment" with nothing after it: an empty comment */
		if (ds_hdr_line(buf, len, &pos, "comment", NULL, 0) != 0) {
			return SK_E_SYNTAX;
		}
		info->comment[0] = '\0';
	}
	if (pos >= len || buf[pos] != '\n') {
		return SK_E_SYNTAX;
	}
	*json_off = pos + 1;
	return SK_OK;
}

/* ds_commit_name - "SEQ.commit": its sequence number, or -1 */
static int
ds_commit_name(const char *name, uint64_t *seq)
{
	char digits[DS_SEQ_DIGITS + 1];
	size_t n = strspn(name, "0123456789");

	if (n == 0 || n > DS_SEQ_DIGITS || strcmp(name + n, DS_COMMIT_EXT)) {
		return -1;
	}
	memcpy(digits, name, n);
	digits[n] = '\0';
	return ds_parse_u64(digits, seq);
}

/* ds_commit_path - the file of commit seq */
static void
ds_commit_path(char *out, const struct ds *ds, uint64_t seq)
{
	snprintf(out, DS_NAME_MAX, "%s/" DS_ROLLBACK_DIR "/%" PRIu64 "%s",
	    ds->dir, seq, DS_COMMIT_EXT);
}

/* ds_top_insert - keep the DS_ROLLBACK_MAX largest seqs, largest first */
static void
ds_top_insert(uint64_t *top, size_t *n, uint64_t seq)
{
	size_t i;

	if (*n == DS_ROLLBACK_MAX && seq <= top[*n - 1]) {
		return;
	}
	i = *n < DS_ROLLBACK_MAX ? (*n)++ : *n - 1;
	for (; i > 0 && top[i - 1] < seq; i--) {
		top[i] = top[i - 1];
	}
	top[i] = seq;
}

/* ds_history_entry - read the header of commit seq into *info */
static int
ds_history_entry(const struct ds *ds, uint64_t seq, struct ds_commit_info *info)
{
	char path[DS_NAME_MAX], err[DS_ERR_MAX];
	size_t len, off;
	char *buf;
	int ok;

	ds_commit_path(path, ds, seq);
	if (ds_read_file(path, DS_FILE_MAX + DS_HEADER_MAX, &buf, &len, err,
		sizeof(err)) != SK_OK) {
		return -1;
	}
	ok =
	    ds_history_parse(buf, len, info, &off) == SK_OK && info->seq == seq;
	free(buf);
	return ok ? 0 : -1;
}

/*
 * ds_history_scan - index the rollback folder (made if missing): the
 * newest DS_ROLLBACK_MAX commit files whose header reads, newest first.
 * Older files are removed (what rotation left behind after a crash);
 * unreadable ones are skipped, never fatal.
 */
enum sk_result
ds_history_scan(struct ds *ds, char *err, size_t errlen)
{
	uint64_t top[DS_ROLLBACK_MAX], seq;
	char path[DS_NAME_MAX];
	struct dirent *de;
	size_t ntop = 0, i;
	DIR *d;

	ds_path(path, ds, DS_ROLLBACK_DIR);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		ds_err(err, errlen, "%s: %s", path, strerror(errno));
		return SK_E_IO;
	}
	if ((d = opendir(path)) == NULL) {
		ds_err(err, errlen, "%s: %s", path, strerror(errno));
		return SK_E_IO;
	}
	while ((de = readdir(d)) != NULL) {
		if (ds_commit_name(de->d_name, &seq) == 0) {
			ds->last_seq = seq > ds->last_seq ? seq : ds->last_seq;
			ds_top_insert(top, &ntop, seq);
		}
	}
	rewinddir(d);
	while (ntop == DS_ROLLBACK_MAX && (de = readdir(d)) != NULL) {
		if (ds_commit_name(de->d_name, &seq) == 0 &&
		    seq < top[ntop - 1]) {
			ds_commit_path(path, ds, seq);
			unlink(path);
		}
	}
	closedir(d);
	ds->nhist = 0;
	for (i = 0; i < ntop; i++) {
		if (ds_history_entry(ds, top[i], &ds->hist[ds->nhist]) == 0) {
			ds->nhist++;
		}
	}
	return SK_OK;
}

/* ds_clean_copy - src into dst[cap] as printable ASCII, cut to fit */
static void
ds_clean_copy(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < cap; i++) {
		dst[i] = (unsigned char)src[i] < 0x20 ||
			(unsigned char)src[i] > 0x7e ?
		    '?' :
		    src[i];
	}
	dst[i] = '\0';
}

/*
 * ds_history_add - write the next commit file and put it first in the
 * index. The index may hold one entry beyond DS_ROLLBACK_MAX until
 * ds_history_trim: undoing a failed commit (ds_history_undo) must not
 * have lost the oldest entry already.
 */
enum sk_result
ds_history_add(struct ds *ds, enum ds_how how, const char *user,
    const char *comment, const char *json, char *err, size_t errlen)
{
	struct ds_commit_info info;
	struct ds_text t = { 0 };
	char path[DS_NAME_MAX];
	enum sk_result r;

	memset(&info, 0, sizeof(info));
	info.seq = ds->last_seq + 1;
	info.time = ds->clock.now(ds->clock.arg);
	info.how = how;
	ds_clean_copy(info.user, sizeof(info.user), user);
	ds_clean_copy(info.comment, sizeof(info.comment), comment);
	ds_text_add(&t,
	    DS_HISTORY_MAGIC "\nseq %" PRIu64 "\ntime %jd\nhow %s\nuser %s\n"
			     "comment%s%s\n\n%s",
	    info.seq, (intmax_t)(info.time < 0 ? 0 : info.time),
	    ds_how_names[how], info.user, info.comment[0] != '\0' ? " " : "",
	    info.comment, json);
	if (t.failed) {
		free(t.p);
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	ds_commit_path(path, ds, info.seq);
	r = ds_write_atomic(path, t.p, t.len, err, errlen);
	free(t.p);
	if (r != SK_OK) {
		return r;
	}
	if (ds->nhist > DS_ROLLBACK_MAX) {
		ds->nhist = DS_ROLLBACK_MAX; /* an untrimmed one: drop it */
	}
	memmove(&ds->hist[1], &ds->hist[0], ds->nhist * sizeof(ds->hist[0]));
	ds->hist[0] = info;
	ds->nhist++;
	ds->last_seq = info.seq;
	return SK_OK;
}

/* ds_history_undo - remove the entry ds_history_add just wrote */
void
ds_history_undo(struct ds *ds)
{
	char path[DS_NAME_MAX];

	if (ds->nhist == 0) {
		return;
	}
	ds_commit_path(path, ds, ds->hist[0].seq);
	unlink(path);
	ds->nhist--;
	memmove(&ds->hist[0], &ds->hist[1], ds->nhist * sizeof(ds->hist[0]));
}

/* ds_history_trim - rotation: the entry beyond DS_ROLLBACK_MAX goes */
void
ds_history_trim(struct ds *ds)
{
	char path[DS_NAME_MAX];

	while (ds->nhist > DS_ROLLBACK_MAX) {
		ds->nhist--;
		ds_commit_path(path, ds, ds->hist[ds->nhist].seq);
		unlink(path);
	}
}

/* ds_history_json - the JSON of entry n (malloc'd, NUL-terminated) */
enum sk_result
ds_history_json(const struct ds *ds, unsigned n, char **json, size_t *len,
    char *err, size_t errlen)
{
	struct ds_commit_info info;
	char path[DS_NAME_MAX];
	size_t off, total;
	enum sk_result r;
	char *buf;

	*json = NULL;
	if (n >= ds->nhist || n >= DS_ROLLBACK_MAX) {
		ds_err(err, errlen, "rollback %u: no such commit (%zu kept)", n,
		    ds->nhist < DS_ROLLBACK_MAX ? ds->nhist : DS_ROLLBACK_MAX);
		return SK_E_UNKNOWN;
	}
	ds_commit_path(path, ds, ds->hist[n].seq);
	r = ds_read_file(path, DS_FILE_MAX + DS_HEADER_MAX, &buf, &total, err,
	    errlen);
	if (r != SK_OK) {
		return r == SK_E_UNKNOWN ? SK_E_IO : r;
	}
	if (ds_history_parse(buf, total, &info, &off) != SK_OK) {
		free(buf);
		ds_err(err, errlen, "%s: damaged header", path);
		return SK_E_SYNTAX;
	}
	memmove(buf, buf + off, total - off + 1);
	*json = buf;
	*len = total - off;
	return SK_OK;
}

/* ds_persist_startup - json as startup.json and startup.last-good.json */
enum sk_result
ds_persist_startup(struct ds *ds, const char *json, char *err, size_t errlen)
{
	char path[DS_NAME_MAX];
	enum sk_result r;

	/* The last good copy first: if startup.json then fails, the box
	 * boots the old startup.json, which is what stays running. */
	ds_path(path, ds, DS_LAST_GOOD);
	if ((r = ds_write_atomic(path, json, strlen(json), err, errlen)) !=
	    SK_OK) {
		return r;
	}
	ds_path(path, ds, DS_STARTUP);
	return ds_write_atomic(path, json, strlen(json), err, errlen);
}

/* ds_boot_try - read and validate the file at path into *tree */
static enum sk_result
ds_boot_try(struct ds *ds, const char *path, struct lyd_node **tree, char *err,
    size_t errlen)
{
	char msg[DS_ERR_MAX];
	enum sk_result r;
	size_t len;
	char *buf;

	*tree = NULL;
	if ((r = ds_read_file(path, DS_FILE_MAX, &buf, &len, err, errlen)) !=
	    SK_OK) {
		return r;
	}
	r = ds_parse(ds->ctx, (const uint8_t *)buf, len, 1, tree, msg,
	    sizeof(msg));
	free(buf);
	if (r != SK_OK) {
		ds_err(err, errlen, "%s: %s", path, msg);
	}
	return r;
}

/* ds_keep_bad - rename startup.json to startup.json.bad.TIME[.N]; the
 * new name into kept[cap], or why not */
static void
ds_keep_bad(struct ds *ds, char *kept, size_t cap)
{
	char from[DS_NAME_MAX], to[DS_NAME_MAX + 48];
	intmax_t now = (intmax_t)ds->clock.now(ds->clock.arg);
	struct stat st;
	int i;

	ds_path(from, ds, DS_STARTUP);
	for (i = 0; i < DS_BAD_TRIES; i++) {
		if (i == 0) {
			snprintf(to, sizeof(to), "%s.bad.%jd", from, now);
		} else {
			snprintf(to, sizeof(to), "%s.bad.%jd.%d", from, now, i);
		}
		if (lstat(to, &st) != 0 && errno == ENOENT) {
			break;
		}
	}
	if (i == DS_BAD_TRIES || rename(from, to) != 0) {
		ds_err(kept, cap, "could not be kept (%s)",
		    i == DS_BAD_TRIES ? "too many bad files" : strerror(errno));
		return;
	}
	ds_fsync_dir(to);
	ds_err(kept, cap, "kept as %s", strrchr(to, '/') + 1);
}

/*
 * ds_boot_load - the running configuration at boot: startup.json, else
 * the last good copy, else the factory configuration; a bad startup.json
 * is kept under a new name and the one booted is written in its place.
 * why says what happened ("" when startup.json was good).
 */
enum sk_result
ds_boot_load(struct ds *ds, char *why, size_t whylen, char *err, size_t errlen)
{
	char path[DS_NAME_MAX], bad[DS_ERR_MAX] = "", kept[DS_ERR_MAX] = "";
	char lg[DS_ERR_MAX] = "", msg[DS_ERR_MAX] = "";
	struct lyd_node *tree;
	enum sk_result r, rl;
	char *json;

	ds_path(path, ds, DS_STARTUP);
	if ((r = ds_boot_try(ds, path, &tree, bad, sizeof(bad))) == SK_OK) {
		ds->running = tree;
		ds->boot = DS_BOOT_STARTUP;
		ds_err(why, whylen, "%s", "");
		return SK_OK;
	}
	if (r != SK_E_UNKNOWN) {
		ds_keep_bad(ds, kept, sizeof(kept));
	}
	ds_path(path, ds, DS_LAST_GOOD);
	if ((rl = ds_boot_try(ds, path, &tree, lg, sizeof(lg))) == SK_OK) {
		ds->boot = DS_BOOT_LAST_GOOD;
	} else if (ds_boot_try(ds, ds->factory, &tree, err, errlen) != SK_OK) {
		return SK_E_SYNTAX;
	} else {
		ds->boot = r == SK_E_UNKNOWN && rl == SK_E_UNKNOWN ?
		    DS_BOOT_FIRST :
		    DS_BOOT_FACTORY;
	}
	ds->running = tree;
	if (ds_print(tree, &json) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	if (ds_persist_startup(ds, json, msg, sizeof(msg)) != SK_OK) {
		/* the box still boots: the next commit tries again */
		memmove(msg + 2, msg,
		    strlen(msg) + 1 < sizeof(msg) - 2 ? strlen(msg) + 1 :
							sizeof(msg) - 2);
		msg[0] = ';';
		msg[1] = ' ';
		msg[sizeof(msg) - 1] = '\0';
	}
	free(json);
	if (ds->boot == DS_BOOT_FIRST) {
		ds_err(why, whylen,
		    "no " DS_STARTUP ": started with the factory "
		    "configuration%s",
		    msg);
	} else if (ds->boot == DS_BOOT_LAST_GOOD) {
		ds_err(why, whylen,
		    "%s; %s; started with the last good configuration "
		    "(" DS_LAST_GOOD ")%s",
		    bad, kept[0] != '\0' ? kept : "missing", msg);
	} else {
		ds_err(why, whylen,
		    "%s; %s; %s; started with the factory configuration%s", bad,
		    kept[0] != '\0' ? kept : "missing", lg, msg);
	}
	return SK_OK;
}
