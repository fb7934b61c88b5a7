/*
 * queue_spool.c - the spool folder and content files (queue_spool.h).
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../sekimorid/stats.h"
#include "event.h"
#include "qid_token.h"
#include "queue_spool.h"

#define QUEUE_SPOOL_MODE 0700
#define QUEUE_FILE_MODE 0600
#define QUEUE_SPOOL_COPY 65536 /* octets copied at a time */

static int
queue_spool_syncfs(int fd)
{
	return syncfs(fd);
}

static queue_sync_fn *queue_sync = queue_spool_syncfs;

void
queue_spool_set_sync(queue_sync_fn *fn)
{
	queue_sync = fn != NULL ? fn : queue_spool_syncfs;
}

/* queue_spool_mkdir - open folder name under at, creating it 0700 */
static int
queue_spool_mkdir(int at, const char *name)
{
	struct stat st;
	int fd;

	if (mkdirat(at, name, QUEUE_SPOOL_MODE) == -1 && errno != EEXIST) {
		return -1;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		return -1;
	}
	/* An existing folder keeps its owner; tighten a loose mode. */
	if (fstat(fd, &st) == -1 ||
	    ((st.st_mode & 077) != 0 && fchmod(fd, QUEUE_SPOOL_MODE) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* queue_spool_parents - create the missing folders above path (0755:
 * on a host run ROOT/data may not exist yet; on the box it does) */
static int
queue_spool_parents(const char *path)
{
	char tmp[QUEUE_SPOOL_PATH_MAX];
	size_t i;

	memcpy(tmp, path, strlen(path) + 1);
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/') {
			continue;
		}
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST) {
			return -1;
		}
		tmp[i] = '/';
	}
	return 0;
}

enum sk_result
queue_spool_open(struct queue_spool *s, const char *path)
{
	size_t n = strlen(path);

	s->dirfd = -1;
	s->msgfd = -1;
	if (n == 0 || n >= sizeof(s->path)) {
		errno = ENAMETOOLONG;
		return SK_E_TOO_LONG;
	}
	memcpy(s->path, path, n + 1);
	if (queue_spool_parents(path) == -1) {
		return SK_E_IO;
	}
	s->dirfd = queue_spool_mkdir(AT_FDCWD, path);
	if (s->dirfd == -1) {
		return SK_E_IO;
	}
	s->msgfd = queue_spool_mkdir(s->dirfd, QUEUE_SPOOL_MSG);
	if (s->msgfd == -1) {
		int e = errno;

		queue_spool_close(s);
		errno = e;
		return SK_E_IO;
	}
	return SK_OK;
}

void
queue_spool_close(struct queue_spool *s)
{
	if (s->msgfd >= 0) {
		close(s->msgfd);
	}
	if (s->dirfd >= 0) {
		close(s->dirfd);
	}
	s->msgfd = -1;
	s->dirfd = -1;
}

int
queue_spool_create(const struct queue_spool *s, const char *id)
{
	return openat(s->msgfd, id,
	    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    QUEUE_FILE_MODE);
}

int
queue_spool_open_read(const struct queue_spool *s, const char *id)
{
	return openat(s->msgfd, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

int
queue_spool_remove(const struct queue_spool *s, const char *id)
{
	if (unlinkat(s->msgfd, id, 0) == -1 && errno != ENOENT) {
		return -1;
	}
	return 0;
}

int
queue_spool_size(const struct queue_spool *s, const char *id, uint64_t *size)
{
	struct stat st;

	if (fstatat(s->msgfd, id, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int
queue_spool_truncate(const struct queue_spool *s, const char *id, uint64_t size)
{
	int fd = openat(s->msgfd, id, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	int r;

	if (fd == -1) {
		return -1;
	}
	r = ftruncate(fd, (off_t)size);
	close(fd);
	return r;
}

int
queue_spool_rename(const struct queue_spool *s, const char *from,
    const char *to)
{
	return renameat(s->msgfd, from, s->msgfd, to);
}

/* queue_spool_put - n octets at the end of fd */
static int
queue_spool_put(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* queue_spool_copy - src from offset 0 to dst; see queue_spool_fill */
static int
queue_spool_copy(int dst, int src, uint64_t max, const char *value,
    uint64_t *size, unsigned *replaced)
{
	static uint8_t buf[QUEUE_SPOOL_COPY + QID_TOKEN_LEN];
	size_t have = 0, out;
	uint64_t off = 0;
	ssize_t n;

	for (;;) {
		n = pread(src, buf + have, QUEUE_SPOOL_COPY, (off_t)off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -1;
		}
		off += (uint64_t)n;
		have += (size_t)n;
		if (off > max) {
			errno = EFBIG;
			return -1;
		}
		/* the one replacement the policy's seal also makes
		 * (qid_token.h): a token cut by the read waits for the next
		 * round, in front of it (at the end, all go) */
		out = value != NULL ?
		    qid_token_replace(buf, have, n == 0, value, replaced) :
		    have;
		if (queue_spool_put(dst, buf, out) != 0) {
			return -1;
		}
		memmove(buf, buf + out, have - out);
		have -= out;
		if (n == 0) {
			*size = off;
			return 0;
		}
	}
}

int
queue_spool_fill(const struct queue_spool *s, const char *id, int create,
    int src, uint64_t max, const char *qid, uint64_t *size, unsigned *replaced)
{
	int fd, r, err;

	*size = 0;
	*replaced = 0;
	/* checked before the file is touched: a bad call changes nothing */
	if (qid != NULL && strlen(qid) != QID_TOKEN_LEN) {
		errno = EINVAL;
		return -1;
	}
	fd = openat(s->msgfd, id,
	    O_WRONLY | O_CLOEXEC | O_NOFOLLOW |
		(create ? O_CREAT | O_EXCL : O_TRUNC),
	    QUEUE_FILE_MODE);
	if (fd == -1) {
		return -1;
	}
	r = queue_spool_copy(fd, src, max, qid, size, replaced);
	err = errno;
	close(fd);
	errno = err;
	return r;
}

/* Each sync is counted and timed for `show mail statistics`: its time is
 * what every acknowledgement waits for, so a slow or failing disk shows
 * there first (README.md, "Durability"). */
int
queue_spool_sync(const struct queue_spool *s)
{
	uint64_t start = event_monotonic_us(), took;
	int r = queue_sync(s->dirfd), err = errno;

	took = event_monotonic_us() - start;
	stats_add(STATS_QUEUE_SYNCS, 1);
	stats_add(STATS_QUEUE_SYNC_US, took);
	stats_add(STATS_QUEUE_SYNC_SLOW, took >= QUEUE_SYNC_SLOW_MS * 1000u);
	errno = err;
	return r;
}

int
queue_spool_space_ok(const struct queue_spool *s, unsigned min_percent,
    uint64_t min_bytes)
{
	struct statvfs v;
	uint64_t avail, total;

	if (fstatvfs(s->dirfd, &v) == -1) {
		return -1;
	}
	avail = (uint64_t)v.f_bavail * v.f_frsize;
	total = (uint64_t)v.f_blocks * v.f_frsize;
	if (avail < min_bytes) {
		return 0;
	}
	/* avail / total >= percent / 100, without dividing */
	return total == 0 || avail * 100 >= total * min_percent;
}

int
queue_spool_file(const struct queue_spool *s, const char *name, char *out,
    size_t size)
{
	int n = snprintf(out, size, "%s/%s", s->path, name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}
