/*
 * queue_quar.c - the quarantine (queue_int.h; README.md "Quarantine"):
 * the operator's "quarantine ..." commands and the retention timer.
 *
 * A quarantined message is a queue message with a reason in its record:
 * the same content file, the same group commit (it got its 250, so it
 * survives a crash exactly like queued mail), but never scheduled,
 * bounced or expired. Release clears the reason and the scheduler sends
 * the unchanged file and header block; delete and retention remove it
 * like a finished message: the record first (committed), then the file,
 * so no record ever points at a file removed on purpose.
 *
 * "quarantine show" lists the MIME parts with the walker of
 * firmware/mime, here in the queue (not in sekimori-queue) so that the
 * CLI, which only passes requests on, shows them too. The walk is
 * bounded (QUEUE_QUAR_WALK_MAX octets, QUEUE_QUAR_PARTS_MAX lines).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mime/mime.h"
#include "log.h"
#include "queue_int.h"

#define QUEUE_QUAR_LINE_MAX 4096
#define QUEUE_QUAR_PAGE 64        /* retention: messages per query */
#define QUEUE_QUAR_REMOVE_MAX 256 /* retention: removals per timer run */
#define QUEUE_QUAR_PARTS_MAX 100  /* parts listed by show */
#define QUEUE_QUAR_NAME_MAX 255   /* octets of a part's name shown */
#define QUEUE_QUAR_READ 65536     /* octets read per step of a walk */
/* show walks at most this much of a message: the queue's loop waits */
#define QUEUE_QUAR_WALK_MAX (64u << 20)
/* the model's defaults, for a struct config not made by config_load */
#define QUEUE_QUAR_AGE_DEFAULT (30u * 86400u)
#define QUEUE_QUAR_BYTES_DEFAULT (1024ull << 20)
#define QUEUE_QUAR_DAY 86400u
#define QUEUE_QUAR_MIB (1024u * 1024u)

/* ---- retention ----------------------------------------------------- */

/* queue_quar_limits - max-age (s) and max-size (octets); 0 (tests, a
 * config not from config_load) means the model's default */
static void
queue_quar_limits(const struct queue *q, uint64_t *age_s, uint64_t *bytes)
{
	const struct config_quarantine *c = &q->cfg->content.quarantine;

	*age_s = c->max_age_s != 0 ? c->max_age_s : QUEUE_QUAR_AGE_DEFAULT;
	*bytes = c->max_bytes != 0 ? c->max_bytes : QUEUE_QUAR_BYTES_DEFAULT;
}

/* queue_quar_remove - one message out, in the pass's transaction; its
 * file goes once the pass is committed (queue_after) */
static int
queue_quar_remove(struct queue *q, const struct queue_quar_entry *e,
    const char *why)
{
	enum sk_result r = SK_E_IO;

	if (queue_pass_begin(q) == 0) {
		r = queue_db_delete(&q->db, e->id);
	}
	if (r == SK_E_IO ||
	    (r == SK_OK &&
		queue_files_add(&q->removed, e->id, e->size) == -1)) {
		log_warn("%s: cannot remove from quarantine: %s", e->id,
		    queue_db_error(&q->db));
		return -1;
	}
	if (r == SK_END) {
		return 0; /* gone already */
	}
	log_info("%s: removed from quarantine: %s", e->id, why);
	return 0;
}

/*
 * queue_quar_retain - remove quarantined messages older than max-age,
 * then the oldest while the total is over max-size; *more when the run
 * stopped at QUEUE_QUAR_REMOVE_MAX with work left.
 */
static void
queue_quar_retain(struct queue *q, int *more)
{
	static struct queue_quar_entry v[QUEUE_QUAR_PAGE];
	uint64_t age_s, max, bytes;
	unsigned long count;
	size_t i, n, removed = 0;
	int64_t cutoff;
	char why[64];

	*more = 0;
	queue_quar_limits(q, &age_s, &max);
	cutoff = queue_now(q) / 1000 - (int64_t)age_s;
	if (queue_db_quar_stats(&q->db, &count, &bytes) != SK_OK) {
		log_warn("quarantine retention: %s", queue_db_error(&q->db));
		return;
	}
	do {
		if (queue_db_quar_oldest(&q->db, v, SK_NELEM(v), &n) != SK_OK) {
			log_warn("quarantine retention: %s",
			    queue_db_error(&q->db));
			return;
		}
		for (i = 0; i < n; i++) {
			if (v[i].quarantined < cutoff) {
				snprintf(why, sizeof(why),
				    "older than %llu days",
				    (unsigned long long)(age_s /
					QUEUE_QUAR_DAY));
			} else if (bytes > max) {
				snprintf(why, sizeof(why),
				    "quarantine over %llu MiB",
				    (unsigned long long)(max / QUEUE_QUAR_MIB));
			} else {
				return; /* oldest first: the rest may stay */
			}
			if (removed == QUEUE_QUAR_REMOVE_MAX) {
				*more = 1;
				return;
			}
			if (queue_quar_remove(q, &v[i], why) == -1) {
				return;
			}
			bytes = bytes > v[i].size ? bytes - v[i].size : 0;
			removed++;
		}
	} while (n == SK_NELEM(v));
}

void
queue_quar_timer(struct event_loop *loop, struct event_timer *t)
{
	struct queue *q = t->arg;
	int more = 0;

	(void)loop;
	if (q->stopping) {
		return;
	}
	queue_notice_tick(q, queue_now(q));
	queue_flush(q); /* a pass of its own */
	queue_quar_retain(q, &more);
	queue_flush(q);
	queue_arm(q, &q->quar_t, more ? 0 : QUEUE_QUAR_CHECK_MS,
	    queue_quar_timer);
}

/* ---- operator: one message ----------------------------------------- */

/* queue_quar_get - the quarantined message id into m: 0; else the
 * client has its error and -1 */
static int
queue_quar_get(struct queue_ctl_client *c, const char *id,
    struct queue_msg_row *m)
{
	enum sk_result r = queue_db_get(&c->q->db, id, m);
	char text[160];

	if (r == SK_OK && m->quarantine[0] != '\0') {
		return 0;
	}
	if (r == SK_OK) {
		snprintf(text, sizeof(text),
		    "%s is not in quarantine: it is queued (see \"show %s\")",
		    id, id);
	} else {
		snprintf(text, sizeof(text), "%s",
		    r == SK_END ? "no such message" :
				  queue_db_error(&c->q->db));
	}
	queue_ctl_end(c, 1, text);
	return -1;
}

/* queue_quar_reason - the "reason:" and "quarantined:" lines of show */
static void
queue_quar_reason(struct queue_ctl_client *c, const struct queue_msg_row *m)
{
	char buf[QUEUE_QUAR_LINE_MAX], when[32];
	struct queue_line l;

	queue_line_init(&l, buf, sizeof(buf));
	queue_line_add(&l, "reason: ");
	queue_line_quoted(&l, m->quarantine);
	queue_ctl_line(c, queue_line_end(&l));
	queue_ctl_iso(when, sizeof(when), m->quarantined * 1000);
	queue_line_init(&l, buf, sizeof(buf));
	queue_line_addf(&l, "quarantined: %s", when);
	queue_ctl_line(c, queue_line_end(&l));
}

/* One part of the message, as show lists it. */
struct queue_quar_part {
	char path[MIME_PATH_MAX];
	char type[2 * MIME_TOKEN_MAX + 2];
	char name[QUEUE_QUAR_NAME_MAX + 1]; /* "" = none */
	uint64_t size; /* decoded (leaf) or raw body (container) octets */
};

struct queue_quar_walk {
	struct mime_walker w;
	struct queue_quar_part part[QUEUE_QUAR_PARTS_MAX];
	size_t n;                        /* parts kept */
	unsigned long seen;              /* parts the walker found */
	size_t open[MIME_DEPTH_MAX + 1]; /* part[] index by depth */
	uint8_t buf[QUEUE_QUAR_READ];
};

/* queue_quar_name - a part's decoded name, cut, NULs shown as '?' */
static void
queue_quar_name(char *out, const struct mime_text *t)
{
	size_t i, n = t != NULL ? t->len : 0;

	if (n > QUEUE_QUAR_NAME_MAX) {
		n = QUEUE_QUAR_NAME_MAX;
	}
	for (i = 0; i < n; i++) {
		out[i] = t->text[i] != '\0' ? (char)t->text[i] : '?';
	}
	out[n] = '\0';
}

/* queue_quar_event - the walker's events: a part starts, a part ends */
static void
queue_quar_event(void *arg, const struct mime_event *ev)
{
	struct queue_quar_walk *k = arg;
	const struct mime_part *p = ev->part;
	struct queue_quar_part *e;

	if (p->depth > MIME_DEPTH_MAX) {
		return;
	}
	if (ev->type == MIME_EV_PART_START) {
		k->seen++;
		k->open[p->depth] = SIZE_MAX;
		if (k->n == QUEUE_QUAR_PARTS_MAX) {
			return;
		}
		e = &k->part[k->n];
		snprintf(e->path, sizeof(e->path), "%s", p->path);
		snprintf(e->type, sizeof(e->type), "%s/%s", p->type,
		    p->subtype);
		queue_quar_name(e->name,
		    p->filename != NULL ? p->filename : p->name);
		e->size = 0;
		k->open[p->depth] = k->n++;
	} else if (ev->type == MIME_EV_PART_END &&
	    k->open[p->depth] != SIZE_MAX) {
		e = &k->part[k->open[p->depth]];
		e->size =
		    p->kind == MIME_KIND_LEAF ? p->decoded_size : p->body_size;
		k->open[p->depth] = SIZE_MAX;
	}
}

/* queue_quar_walk - the message as it would be delivered through the
 * walker; NULL, or why the listing is incomplete */
static const char *
queue_quar_walk(struct queue *q, const struct queue_msg_row *m,
    struct queue_quar_walk *k)
{
	const char *why = NULL;
	uint64_t off = 0;
	size_t i, want;
	ssize_t n;
	int fd;

	for (i = 0; i < SK_NELEM(k->open); i++) {
		k->open[i] = SIZE_MAX;
	}
	mime_init(&k->w, NULL, queue_quar_event, k);
	(void)mime_feed(&k->w, (const uint8_t *)m->env.prepend,
	    strlen(m->env.prepend));
	if ((fd = queue_spool_open_read(&q->spool, m->env.id)) == -1) {
		why = errno == ENOENT ? "content file missing" :
					"content file unreadable";
	}
	while (fd != -1 && off < m->size && off < QUEUE_QUAR_WALK_MAX) {
		want = m->size - off < sizeof(k->buf) ?
		    (size_t)(m->size - off) :
		    sizeof(k->buf);
		if ((n = pread(fd, k->buf, want, (off_t)off)) <= 0) {
			why = "content file shorter than its record";
			break;
		}
		(void)mime_feed(&k->w, k->buf, (size_t)n);
		off += (uint64_t)n;
	}
	if (why == NULL && off < m->size) {
		why = "only the first 64 MiB walked";
	}
	if (fd != -1) {
		close(fd);
	}
	mime_finish(&k->w);
	return why;
}

/* queue_quar_parts - one line per MIME part */
static void
queue_quar_parts(struct queue_ctl_client *c, const struct queue_msg_row *m)
{
	struct queue_quar_walk *k = malloc(sizeof(*k));
	char buf[QUEUE_QUAR_LINE_MAX];
	struct queue_line l;
	const char *why;
	size_t i;

	if (k == NULL) {
		queue_ctl_line(c, "parts: (out of memory)");
		return;
	}
	k->n = 0;
	k->seen = 0;
	why = queue_quar_walk(c->q, m, k);
	for (i = 0; i < k->n; i++) {
		const struct queue_quar_part *e = &k->part[i];

		queue_line_init(&l, buf, sizeof(buf));
		queue_line_add(&l, "part ");
		queue_line_clean(&l, e->path);
		queue_line_add(&l, ": ");
		queue_line_clean(&l, e->type);
		if (e->name[0] != '\0') {
			queue_line_add(&l, " name=");
			queue_line_quoted(&l, e->name);
		}
		queue_line_addf(&l, " size=%llu", (unsigned long long)e->size);
		queue_ctl_line(c, queue_line_end(&l));
	}
	if (k->seen > k->n) {
		queue_line_init(&l, buf, sizeof(buf));
		queue_line_addf(&l, "parts: %lu more not listed",
		    k->seen - (unsigned long)k->n);
		queue_ctl_line(c, queue_line_end(&l));
	}
	if (why != NULL) {
		queue_line_init(&l, buf, sizeof(buf));
		queue_line_addf(&l, "parts: incomplete (%s)", why);
		queue_ctl_line(c, queue_line_end(&l));
	}
	free(k);
}

static void
queue_quar_show(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	static struct queue_msg_row m;
	static struct queue_rcpt_row r;
	struct queue *q = c->q;
	enum sk_result res;

	if (queue_quar_get(c, req->id, &m) == -1) {
		return;
	}
	queue_ctl_show_envelope(c, &m, "quarantined");
	queue_quar_reason(c, &m);
	queue_db_rcpts_begin(&q->db, req->id);
	while ((res = queue_db_rcpts_next(&q->db, &r)) == SK_OK) {
		queue_ctl_show_rcpt(c, &r);
	}
	queue_db_rcpts_end(&q->db);
	queue_ctl_show_header(c, &m);
	queue_quar_parts(c, &m);
	queue_ctl_end(c, res == SK_END ? 0 : 1,
	    res == SK_END ? "" : queue_db_error(&q->db));
}

/* queue_quar_change - release or delete, in a transaction of its own
 * after the pass (as queue_ctlsrv.c's changes) */
static void
queue_quar_change(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	static struct queue_msg_row m;
	struct queue *q = c->q;
	int release = req->cmd == QUEUE_CTL_QRELEASE;
	enum sk_result r = SK_E_IO;

	queue_flush(q);
	if (queue_quar_get(c, req->id, &m) == -1) {
		return;
	}
	if (queue_db_begin(&q->db) == SK_OK) {
		r = release ?
		    queue_db_quar_release(&q->db, req->id, queue_now(q)) :
		    queue_db_delete(&q->db, req->id);
	}
	if (r != SK_OK || queue_db_commit(&q->db) != SK_OK) {
		queue_db_rollback(&q->db);
		queue_ctl_end(c, 1, queue_db_error(&q->db));
		return;
	}
	if (release) {
		log_info("%s: released from quarantine by operator (reason "
			 "was \"%s\")",
		    req->id, m.quarantine);
		queue_arm(q, &q->sched_t, 0, queue_sched_timer);
		queue_ctl_end(c, 0, "released from quarantine by the operator");
		return;
	}
	log_info("%s: deleted from quarantine by operator (reason was \"%s\")",
	    req->id, m.quarantine);
	/* the record is gone for good: now the file (as queue_after) */
	if (queue_spool_remove(&q->spool, req->id) == -1 && errno != ENOENT) {
		log_warn("%s: cannot remove content file: %s", req->id,
		    strerror(errno));
	}
	log_info("%s: removed", req->id);
	queue_ctl_end(c, 0, "deleted from quarantine by the operator");
}

/* ---- operator: pages ----------------------------------------------- */

/* queue_quar_list_line - the one line of "quarantine list" for id */
static int
queue_quar_list_line(struct queue *q, const char *id, struct queue_line *l)
{
	static struct queue_msg_row m;
	static struct queue_rcpt_row r;
	static char tobuf[QUEUE_QUAR_LINE_MAX];
	struct queue_line to;
	char when[32];
	int first = 1;

	if (queue_db_get(&q->db, id, &m) != SK_OK) {
		return -1;
	}
	queue_line_init(&to, tobuf, sizeof(tobuf));
	queue_db_rcpts_begin(&q->db, id);
	while (queue_db_rcpts_next(&q->db, &r) == SK_OK) {
		queue_line_add(&to, first ? "<" : ",<");
		queue_line_clean(&to, r.address);
		queue_line_add(&to, ">");
		first = 0;
	}
	queue_db_rcpts_end(&q->db);
	queue_ctl_iso(when, sizeof(when), m.quarantined * 1000);
	/* the size download gives: the header block and the file */
	queue_line_addf(l, "%s size=%llu quarantined=%s from=<", id,
	    (unsigned long long)(m.size + strlen(m.env.prepend)), when);
	queue_line_clean(l, m.env.sender);
	queue_line_add(l, "> to=");
	queue_line_add(l, queue_line_end(&to));
	queue_line_add(l, " reason=");
	queue_line_quoted(l, m.quarantine);
	return 0;
}

/* queue_quar_list_more - a page of the listing, or its end */
static void
queue_quar_list_more(struct queue_ctl_client *c)
{
	char ids[QUEUE_CTL_LIST_PAGE][QUEUE_ID_SIZE];
	char buf[QUEUE_QUAR_LINE_MAX], text[64];
	struct queue_line l;
	size_t i, n;

	while (!c->dead && msg_pending(&c->ch.w) < MSG_WRITE_BUF / 2) {
		if (queue_db_quar_list(&c->q->db, &c->qf, &c->qcur, ids,
			SK_NELEM(ids), &n) != SK_OK) {
			c->listing = 0;
			queue_ctl_end(c, 1, queue_db_error(&c->q->db));
			return;
		}
		for (i = 0; i < n; i++) {
			queue_line_init(&l, buf, sizeof(buf));
			if (queue_quar_list_line(c->q, ids[i], &l) == 0) {
				queue_ctl_line(c, queue_line_end(&l));
				c->listed++;
			}
		}
		if (n < SK_NELEM(ids)) {
			c->listing = 0;
			snprintf(text, sizeof(text), "%lu message%s", c->listed,
			    c->listed == 1 ? "" : "s");
			queue_ctl_end(c, 0, text);
			return;
		}
	}
	queue_ctl_arm(c, QUEUE_CTL_RETRY_MS); /* a slow reader */
}

static void
queue_quar_list(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	struct queue_quar_filter *f = &c->qf;

	memset(f, 0, sizeof(*f));
	f->since = req->since;
	f->until = req->until;
	/* the parser's values are shorter than every field here */
	snprintf(f->from, sizeof(f->from), "%s", req->from);
	snprintf(f->to, sizeof(f->to), "%s", req->to);
	snprintf(f->reason, sizeof(f->reason), "%s", req->reason);
	c->qcur.quarantined = -1;
	c->qcur.id[0] = '\0';
	c->listing = 1;
	c->paging = QUEUE_PAGING_QLIST;
	c->listed = 0;
	queue_quar_list_more(c);
}

/* queue_quar_download_end - the download is over: status and text */
static void
queue_quar_download_end(struct queue_ctl_client *c, uint32_t status,
    const char *text)
{
	queue_quar_close(c);
	c->listing = 0;
	queue_ctl_end(c, status, text);
}

/* queue_quar_download_more - file pieces as CTL_DATA while the client
 * keeps up; the end has no text (it would land in the .eml) */
static void
queue_quar_download_more(struct queue_ctl_client *c)
{
	static uint8_t buf[MSG_BODY_MAX];
	size_t want;
	ssize_t n;

	while (!c->dead && msg_pending(&c->ch.w) < MSG_WRITE_BUF / 2) {
		if (c->dl_off == c->dl_size) {
			queue_quar_download_end(c, 0, "");
			return;
		}
		want = c->dl_size - c->dl_off < sizeof(buf) ?
		    (size_t)(c->dl_size - c->dl_off) :
		    sizeof(buf);
		n = pread(c->dl_fd, buf, want, (off_t)c->dl_off);
		if (n <= 0) {
			queue_quar_download_end(c, 1,
			    "content file shorter than its record");
			return;
		}
		c->dl_off += (uint64_t)n;
		(void)chan_send(&c->ch, MSG_CTL_DATA, 0, -1, buf, (size_t)n);
	}
	queue_ctl_arm(c, QUEUE_CTL_RETRY_MS);
}

static void
queue_quar_download(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	static struct queue_msg_row m;
	size_t plen;
	int fd;

	if (queue_quar_get(c, req->id, &m) == -1) {
		return;
	}
	if ((fd = queue_spool_open_read(&c->q->spool, req->id)) == -1) {
		queue_ctl_end(c, 1,
		    errno == ENOENT ? "content file missing" :
				      "content file unreadable");
		return;
	}
	c->dl_fd = fd;
	c->dl_off = 0;
	c->dl_size = m.size; /* what was committed, nothing after it */
	c->listing = 1;
	c->paging = QUEUE_PAGING_DOWNLOAD;
	/* delivered as the mta sends it: the header block, then the file */
	plen = strlen(m.env.prepend);
	if (plen > 0) {
		(void)chan_send(&c->ch, MSG_CTL_DATA, 0, -1,
		    (const uint8_t *)m.env.prepend, plen);
	}
	queue_quar_download_more(c);
}

/* ---- entry points -------------------------------------------------- */

void
queue_quar_ctl(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	switch (req->cmd) {
	case QUEUE_CTL_QLIST:
		queue_quar_list(c, req);
		break;
	case QUEUE_CTL_QSHOW:
		queue_quar_show(c, req);
		break;
	case QUEUE_CTL_QDOWNLOAD:
		queue_quar_download(c, req);
		break;
	case QUEUE_CTL_QRELEASE:
	case QUEUE_CTL_QDELETE:
		queue_quar_change(c, req);
		break;
	default:
		queue_ctl_end(c, 1, "not a quarantine command");
		break;
	}
}

void
queue_quar_more(struct queue_ctl_client *c)
{
	if (c->paging == QUEUE_PAGING_DOWNLOAD) {
		queue_quar_download_more(c);
	} else {
		queue_quar_list_more(c);
	}
}

void
queue_quar_close(struct queue_ctl_client *c)
{
	if (c->dl_fd >= 0) {
		close(c->dl_fd);
		c->dl_fd = -1;
	}
}
