/*
 * queue_pickup_in.c - the queue's side of the pickup folder
 * (queue_pickup.h): every QUEUE_PICKUP_MS, each complete ".msg" file
 * becomes a queued message in the current pass, and the file goes once
 * that pass is durable (queue_pickup_after, called by queue_after).
 *
 * Untrusted input: the files (written by the policy process, another
 * user): read whole within QUEUE_PICKUP_MAX, parsed by the total
 * queue_pickup_parse; a file that does not parse is renamed ".bad-NAME"
 * and left for inspection, never retried.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sekimorid/stats.h"
#include "log.h"
#include "queue_int.h"
#include "queue_pickup.h"

#define QUEUE_PICKUP_FILE_MAX \
	(QUEUE_PICKUP_HEAD_MAX + QUEUE_PICKUP_MAX + sizeof(QUEUE_PICKUP_END))

/* queue_pickup_dir - the folder, opened; -1 when there is none */
static int
queue_pickup_dir(struct queue *q)
{
	char path[QUEUE_SPOOL_PATH_MAX];
	int fd;

	if (config_path(q->cfg, "/" QUEUE_PICKUP_DIR, path, sizeof(path)) !=
	    SK_OK) {
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1 && errno != ENOENT) {
		log_warn("pickup %s: %s", path, strerror(errno));
	}
	return fd;
}

/* queue_pickup_read - the whole file name in dir: a buffer the caller
 * frees, *len octets; NULL after a log line */
static uint8_t *
queue_pickup_read(int dir, const char *name, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	ssize_t n;
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > QUEUE_PICKUP_FILE_MAX ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_warn("pickup %s: cannot read: %s", name,
		    fd == -1 ? strerror(errno) : "no small regular file");
		if (fd != -1) {
			close(fd);
		}
		return NULL;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		log_warn("pickup %s: short read", name);
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* queue_pickup_write - the content as spool file id; 0 or -1 (errno) */
static int
queue_pickup_write(struct queue *q, const char *id, const uint8_t *p, size_t n)
{
	int fd = queue_spool_create(&q->spool, id);
	ssize_t k;

	if (fd == -1) {
		return -1;
	}
	while (n > 0) {
		k = write(fd, p, n);
		if (k == -1 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			close(fd);
			(void)queue_spool_remove(&q->spool, id);
			errno = k == 0 ? ENOSPC : errno;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	if (close(fd) == -1) {
		(void)queue_spool_remove(&q->spool, id);
		return -1;
	}
	return 0;
}

/* queue_pickup_record - the records of the new message, in this pass */
static int
queue_pickup_record(struct queue *q, const char *id,
    const struct queue_pickup *p, int64_t now)
{
	static struct queue_msg_row m;
	size_t i;

	memset(&m, 0, sizeof(m));
	memcpy(m.env.id, id, QUEUE_ID_SIZE);
	snprintf(m.env.sender, sizeof(m.env.sender), "%s", p->sender);
	m.env.body = MSG_BODY_7BIT;
	for (i = 0; i < p->len; i++) {
		if (p->content[i] >= 0x80) {
			m.env.body = MSG_BODY_8BITMIME;
			break;
		}
	}
	snprintf(m.env.protocol, sizeof(m.env.protocol), "PICKUP");
	m.size = p->len;
	m.arrival_ms = now;
	if (queue_pass_begin(q) == -1 || queue_db_insert(&q->db, &m) != SK_OK) {
		return -1;
	}
	for (i = 0; i < p->nrcpts; i++) {
		/* NOTIFY not given: a failure comes back to the sender,
		 * which asked for it (the report's from-address) */
		if (queue_db_insert_rcpt(&q->db, id, (uint32_t)i, p->rcpts[i],
			0, "", now) != SK_OK) {
			return -1;
		}
	}
	return queue_files_add(&q->created, id, p->len);
}

/* queue_pickup_bad - a file that will never parse: kept aside */
static void
queue_pickup_bad(int dir, const char *name, enum sk_result why)
{
	char bad[QUEUE_PICKUP_NAME_MAX + 8];

	log_warn("pickup %s: not a pickup file (%s): kept as .bad-%s", name,
	    sk_result_str(why), name);
	snprintf(bad, sizeof(bad), ".bad-%s", name);
	if (renameat(dir, name, dir, bad) == -1) {
		log_warn("pickup %s: cannot rename: %s", name, strerror(errno));
	}
}

/* queue_pickup_one - import one file as message id; 1 when it joined
 * the pass */
static int
queue_pickup_one(struct queue *q, int dir, const char *name, char *id)
{
	static struct queue_pickup p;
	int64_t now = queue_now(q);
	uint8_t *buf;
	size_t len = 0;
	enum sk_result r;

	if ((buf = queue_pickup_read(dir, name, &len)) == NULL) {
		return 0;
	}
	if ((r = queue_pickup_parse(buf, len, &p)) != SK_OK) {
		queue_pickup_bad(dir, name, r);
		free(buf);
		return 0;
	}
	queue_id_next(&q->ids, (uint64_t)now * 1000, id);
	if (queue_pickup_write(q, id, p.content, p.len) == -1) {
		log_warn("pickup %s: cannot write %s: %s", name, id,
		    strerror(errno));
		free(buf);
		return 0;
	}
	if (queue_pickup_record(q, id, &p, now) == -1) {
		log_warn("pickup %s: cannot record %s: %s", name, id,
		    queue_db_error(&q->db));
		(void)queue_spool_remove(&q->spool, id);
		free(buf);
		return 0;
	}
	log_info("%s: from=<%s>, size=%zu, nrcpt=%zu (picked up %s)", id,
	    p.sender, p.len, p.nrcpts, name);
	free(buf);
	return 1;
}

/* queue_pickup_wanted - a complete file not yet in this pass */
static int
queue_pickup_wanted(const struct queue *q, const char *name)
{
	size_t n = strlen(name), s = sizeof(QUEUE_PICKUP_SUFFIX) - 1, i;

	if (name[0] == '.' || n <= s || n >= QUEUE_PICKUP_NAME_MAX ||
	    strcmp(name + n - s, QUEUE_PICKUP_SUFFIX) != 0) {
		return 0;
	}
	for (i = 0; i < q->npicked; i++) {
		if (strcmp(q->picked[i], name) == 0) {
			return 0;
		}
	}
	return 1;
}

void
queue_pickup_scan(struct queue *q)
{
	struct dirent *e;
	DIR *d;
	int dir, added = 0;

	if (q->stopping || (dir = queue_pickup_dir(q)) == -1) {
		return;
	}
	if ((d = fdopendir(dir)) == NULL) {
		close(dir);
		return;
	}
	while (q->npicked < QUEUE_PICKUP_BATCH && (e = readdir(d)) != NULL) {
		if (!queue_pickup_wanted(q, e->d_name) ||
		    !queue_pickup_one(q, dirfd(d), e->d_name,
			q->picked_id[q->npicked])) {
			continue;
		}
		snprintf(q->picked[q->npicked++], QUEUE_PICKUP_NAME_MAX, "%s",
		    e->d_name);
		added = 1;
	}
	closedir(d);
	if (added) {
		queue_arm(q, &q->flush_t, 0, queue_flush_timer);
	}
}

int
queue_pickup_made(const struct queue *q, const char *id)
{
	size_t i;

	for (i = 0; i < q->npicked; i++) {
		if (strcmp(q->picked_id[i], id) == 0) {
			return 1;
		}
	}
	return 0;
}

void
queue_pickup_after(struct queue *q, int durable)
{
	size_t i;
	int dir;

	if (q->npicked == 0) {
		return;
	}
	/* not durable: the files stay and are read again (at least once) */
	if (durable && (dir = queue_pickup_dir(q)) != -1) {
		for (i = 0; i < q->npicked; i++) {
			if (unlinkat(dir, q->picked[i], 0) == -1) {
				log_warn("pickup %s: cannot remove: %s",
				    q->picked[i], strerror(errno));
			}
		}
		(void)fsync(dir);
		close(dir);
	}
	q->npicked = 0;
}

void
queue_pickup_timer(struct event_loop *loop, struct event_timer *t)
{
	struct queue *q = t->arg;
	unsigned long all = 0, quar = 0;
	uint64_t bytes;

	(void)loop;
	queue_pickup_scan(q);
	/* the queue now, for show mail statistics (sekimorid/stats.h):
	 * this timer's period is fresh enough, and costs no query per
	 * message */
	(void)queue_db_count(&q->db, &all);
	(void)queue_db_quar_stats(&q->db, &quar, &bytes);
	stats_set(STATS_QUEUE_NOW_MESSAGES, all > quar ? all - quar : 0);
	stats_set(STATS_QUEUE_NOW_QUARANTINED, quar);
	stats_set(STATS_QUEUE_NOW_ACTIVE, q->njobs);
	if (!q->stopping) {
		queue_arm(q, &q->pickup_t, QUEUE_PICKUP_MS, queue_pickup_timer);
	}
}
