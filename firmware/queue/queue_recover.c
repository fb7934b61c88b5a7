/*
 * queue_recover.c - startup consistency of the spool (queue_recover.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "queue_recover.h"

#define QUEUE_RECOVER_PAGE 256 /* records read per query */

struct queue_recover {
	const struct queue_spool *s;
	struct queue_db *db;
	struct queue_id_gen *gen;
	queue_recover_fn *fn;
	void *arg;
	struct queue_recover_stats *stats;
};

static void
queue_recover_event(struct queue_recover *rc, enum queue_recover_event ev,
    const char *name, uint64_t want, uint64_t got)
{
	rc->stats->events[ev]++;
	rc->fn(rc->arg, ev, name, want, got);
}

/* queue_recover_one - check the content file of one record */
static enum sk_result
queue_recover_one(struct queue_recover *rc, const char *id, uint64_t want)
{
	uint64_t got = 0;

	queue_id_gen_floor(rc->gen, id);
	if (queue_spool_size(rc->s, id, &got) == -1) {
		if (errno != ENOENT && errno != EINVAL) {
			return SK_E_IO;
		}
		queue_recover_event(rc, QUEUE_RECOVER_NO_FILE, id, want, 0);
		return queue_db_delete(rc->db, id) == SK_E_IO ? SK_E_IO : SK_OK;
	}
	if (got < want) {
		queue_recover_event(rc, QUEUE_RECOVER_SHORT_FILE, id, want,
		    got);
		if (queue_db_delete(rc->db, id) == SK_E_IO ||
		    queue_spool_remove(rc->s, id) == -1) {
			return SK_E_IO;
		}
		return SK_OK;
	}
	if (got > want) {
		queue_recover_event(rc, QUEUE_RECOVER_LONG_FILE, id, want, got);
		if (queue_spool_truncate(rc->s, id, want) == -1) {
			return SK_E_IO;
		}
	}
	rc->stats->messages++;
	return SK_OK;
}

/* queue_recover_records - every record, a page at a time */
static enum sk_result
queue_recover_records(struct queue_recover *rc)
{
	static char ids[QUEUE_RECOVER_PAGE][QUEUE_ID_SIZE];
	static struct queue_msg_row m;
	char after[QUEUE_ID_SIZE] = "";
	size_t i, n;

	do {
		if (queue_db_list(rc->db, after, ids, QUEUE_RECOVER_PAGE, &n) !=
		    SK_OK) {
			return SK_E_IO;
		}
		for (i = 0; i < n; i++) {
			if (queue_db_get(rc->db, ids[i], &m) != SK_OK ||
			    queue_recover_one(rc, ids[i], m.size) != SK_OK) {
				return SK_E_IO;
			}
		}
		if (n > 0) {
			memcpy(after, ids[n - 1], sizeof(after));
		}
	} while (n == QUEUE_RECOVER_PAGE);
	return SK_OK;
}

/* queue_recover_file - one name found in SPOOL/msg */
static enum sk_result
queue_recover_file(struct queue_recover *rc, const char *name)
{
	int known;

	if (!queue_id_valid(name, strlen(name))) {
		queue_recover_event(rc, QUEUE_RECOVER_STRAY, name, 0, 0);
		return SK_OK;
	}
	queue_id_gen_floor(rc->gen, name);
	if ((known = queue_db_exists(rc->db, name)) == -1) {
		return SK_E_IO;
	}
	if (!known) {
		queue_recover_event(rc, QUEUE_RECOVER_NO_RECORD, name, 0, 0);
		if (queue_spool_remove(rc->s, name) == -1) {
			return SK_E_IO;
		}
	}
	return SK_OK;
}

/* queue_recover_files - every content file */
static enum sk_result
queue_recover_files(struct queue_recover *rc)
{
	enum sk_result r = SK_OK;
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = dup(rc->s->msgfd)) == -1) {
		return SK_E_IO;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return SK_E_IO;
	}
	rewinddir(d);
	while (r == SK_OK && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			r = queue_recover_file(rc, de->d_name);
		}
	}
	if (r == SK_OK && errno != 0) {
		r = SK_E_IO;
	}
	closedir(d);
	return r;
}

/* queue_recover_no_rcpt - records without recipients */
static enum sk_result
queue_recover_no_rcpt(struct queue_recover *rc)
{
	char ids[QUEUE_RECOVER_PAGE / 4][QUEUE_ID_SIZE];
	size_t i, n;

	do {
		if (queue_db_no_rcpt(rc->db, ids, SK_NELEM(ids), &n) != SK_OK) {
			return SK_E_IO;
		}
		for (i = 0; i < n; i++) {
			queue_recover_event(rc, QUEUE_RECOVER_NO_RCPT, ids[i],
			    0, 0);
			rc->stats->messages--;
			if (queue_db_delete(rc->db, ids[i]) == SK_E_IO ||
			    queue_spool_remove(rc->s, ids[i]) == -1) {
				return SK_E_IO;
			}
		}
	} while (n == SK_NELEM(ids));
	return SK_OK;
}

enum sk_result
queue_recover(const struct queue_spool *s, struct queue_db *db,
    struct queue_id_gen *gen, queue_recover_fn *fn, void *arg,
    struct queue_recover_stats *stats)
{
	struct queue_recover rc = { s, db, gen, fn, arg, stats };
	enum sk_result r;

	memset(stats, 0, sizeof(*stats));
	if (queue_db_begin(db) != SK_OK) {
		return SK_E_IO;
	}
	r = queue_recover_records(&rc);
	if (r == SK_OK) {
		r = queue_recover_no_rcpt(&rc);
	}
	if (r == SK_OK) {
		r = queue_recover_files(&rc);
	}
	if (r != SK_OK) {
		queue_db_rollback(db);
		return r;
	}
	return queue_db_commit(db);
}
