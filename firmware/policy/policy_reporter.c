/*
 * policy_reporter.c - DMARC aggregate reports inside the policy process
 * (policy_reporter.h): recording, the period timer, one report mail per
 * policy domain, handed to the queue through the pickup folder.
 *
 * Untrusted input: the store (a file: read defensively by policy_report.c)
 * and DNS answers for the RFC 7489 7.1 checks. The pickup file is ours;
 * the queue parses it again as untrusted.
 *
 * Durability: a report's rows are deleted only after its pickup file is
 * on stable storage (fsync of the file, rename, fsync of the folder); the
 * queue removes that file only after its own commit is durable. A crash
 * in between sends a report twice, never loses one.
 *
 * Also here: the recent results (every inbound verdict, reports or not)
 * for `show mail authentication-results`, buffered and written a batch at
 * a time (POLICY_RECENT_BATCH rows, or POLICY_REPORTER_RECENT_FLUSH_MS after
 * the first buffered row), never an fsync per message: a crash loses at most
 * that last second of the view.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../queue/queue_pickup.h"
#include "base64.h"
#include "log.h"
#include "policy_report.h"
#include "policy_reporter.h"

enum policy_reporter_step {
	POLICY_REPORTER_SENT,    /* handed over (or nothing to send): rows
				  * gone */
	POLICY_REPORTER_LATER,   /* DNS failed: the next round tries again */
	POLICY_REPORTER_PENDING, /* waiting for DNS: the round stops */
};

/* The report of one domain and period while it is built. */
struct policy_reporter_job {
	struct policy_report_key key;
	struct policy_report_policy pol;
	struct dmarc_record rec;
	char ruatext[POLICY_REPORT_RUA_MAX + 32];
	struct dmarc_report_dest dest[DMARC_URI_MAX];
	const char *to[DMARC_URI_MAX];
	size_t ndest;
	char id[DMARC_REPORT_ID_MAX];
	uint8_t *xml, *gz, *mail;
	size_t xmllen, gzlen, maillen;
};

static struct {
	int on;
	struct event_loop *loop;
	const struct config *cfg;
	const struct dns_resolver *dns;
	const struct policy_conf *conf;
	struct policy_report_db db;
	unsigned hours;
	const char *org, *from, *submitter;
	uint64_t ahead;
	struct event_timer timer;
	struct dns_resolver wrap; /* counts what the round waits for */
	size_t inflight;
	struct dns_answer *pending[DMARC_URI_MAX];
	size_t npending;
	struct dns_answer ans[DMARC_URI_MAX];
	char pickup[CONFIG_PATH_SIZE + 32];
	struct policy_eval *ev; /* signing the mail (large: heap) */
	struct policy_verdict v;
} R;

/* The recent results: their store, its batch's timer, and whether the
 * last write failed (logged once until one works again). */
static struct {
	struct policy_recent_db *db; /* NULL: off */
	struct event_loop *loop;
	struct event_timer timer;
	int failing;
} RR;

static void policy_reporter_timer(struct event_loop *loop,
    struct event_timer *t);

/* ---- DNS for the RFC 7489 7.1 checks ------------------------------ */

static void
policy_reporter_dns_done(void *arg, struct dns_answer *ans)
{
	size_t i;

	(void)arg;
	for (i = 0; i < R.npending; i++) {
		if (R.pending[i] == ans) {
			R.pending[i] = R.pending[--R.npending];
			break;
		}
	}
	if (R.inflight > 0 && --R.inflight == 0) {
		/* the live resolver has them in its cache now */
		(void)event_timer_set(R.loop, &R.timer, 0,
		    policy_reporter_timer, NULL);
	}
}

static enum dns_status
policy_reporter_query(void *ctx, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	enum dns_status s;

	(void)ctx;
	(void)done;
	(void)arg;
	if (R.npending == DMARC_URI_MAX) {
		dns_answer_reset(ans);
		ans->status = DNS_SERVFAIL;
		return DNS_SERVFAIL;
	}
	s = dns_query(R.dns, name, type, ans, policy_reporter_dns_done, NULL);
	if (s == DNS_PENDING) {
		R.pending[R.npending++] = ans;
		R.inflight++;
	}
	return s;
}

static const struct dns_resolver_ops policy_reporter_ops = {
	.name = "dmarc-report",
	.query = policy_reporter_query,
	.cancel = NULL,
};

/* ---- the recent results -------------------------------------------- */

/* policy_reporter_recent_result - a failed write logged once, and the
 * recovery */
static void
policy_reporter_recent_result(enum sk_result r, const char *err)
{
	if (r != SK_OK && !RR.failing) {
		log_warn("authentication-results: not recorded: %s", err);
	} else if (r == SK_OK && RR.failing) {
		log_info("authentication-results: recorded again");
	}
	RR.failing = r != SK_OK;
}

/* policy_reporter_recent_flush - write the batch (its timer fired, or
 * the process stops) */
static void
policy_reporter_recent_flush(void)
{
	char err[256] = "";
	enum sk_result r;

	if (RR.db != NULL) {
		r = policy_report_recent_flush(RR.db, err, sizeof(err));
		policy_reporter_recent_result(r, err);
	}
}

static void
policy_reporter_recent_timer(struct event_loop *loop, struct event_timer *t)
{
	(void)loop;
	(void)t;
	policy_reporter_recent_flush();
}

/* policy_reporter_recent_start - open the recent results' store; off
 * (logged) when it cannot be opened: mail never waits for it */
static void
policy_reporter_recent_start(struct event_loop *loop, const struct config *cfg)
{
	char path[CONFIG_PATH_SIZE + 32] = "", err[512] = "";

	memset(&RR, 0, sizeof(RR));
	event_timer_init(&RR.timer);
	RR.loop = loop;
	if ((RR.db = calloc(1, sizeof(*RR.db))) == NULL) {
		log_warn("authentication-results: out of memory: not kept");
		return;
	}
	if (config_path(cfg, "/" POLICY_RECENT_DB, path, sizeof(path)) !=
		SK_OK ||
	    policy_report_recent_open(RR.db, path, 0, err, sizeof(err)) !=
		SK_OK) {
		log_warn("authentication-results: store %s: %s: not kept", path,
		    err);
		free(RR.db);
		RR.db = NULL;
	}
}

/* policy_reporter_recent_stop - write what is buffered, close */
static void
policy_reporter_recent_stop(void)
{
	if (RR.loop != NULL) {
		event_timer_del(RR.loop, &RR.timer);
	}
	policy_reporter_recent_flush();
	if (RR.db != NULL) {
		policy_report_recent_close(RR.db);
		free(RR.db);
		RR.db = NULL;
	}
}

/* policy_reporter_recent_record - one inbound verdict into the batch;
 * the first row of a batch arms the timer that writes it */
static void
policy_reporter_recent_record(const char *qid, const struct policy_eval *e,
    const struct policy_verdict *v)
{
	static struct policy_recent_row row;
	char err[256] = "";
	enum sk_result r;

	if (RR.db == NULL) {
		return;
	}
	policy_report_recent_from_eval(qid, e, v, &row);
	r = policy_report_recent_add(RR.db, &row, err, sizeof(err));
	if (RR.db->nbatch == 0) {
		/* a full batch was written (or dropped) */
		event_timer_del(RR.loop, &RR.timer);
		policy_reporter_recent_result(r, err);
	} else if (RR.db->nbatch == 1 &&
	    event_timer_set(RR.loop, &RR.timer, POLICY_REPORTER_RECENT_FLUSH_MS,
		policy_reporter_recent_timer, NULL) == -1) {
		policy_reporter_recent_flush(); /* no timer: now, then */
	}
}

/* ---- recording ----------------------------------------------------- */

void
policy_reporter_record(const char *qid, const struct policy_eval *e,
    const struct policy_verdict *v)
{
	static struct dmarc_report_row row;
	static struct policy_report_policy pol;
	char domain[DMARC_DOMAIN_MAX + 1], err[256];
	uint64_t now = (uint64_t)time(NULL);
	enum sk_result r;

	if (e->req.direction != POLICY_INBOUND) {
		return;
	}
	policy_reporter_recent_record(qid, e, v);
	if (!R.on) {
		return;
	}
	r = policy_report_from_eval(e, v, domain, &pol, &row);
	if (r == SK_END) {
		return;
	}
	if (r != SK_OK) {
		log_warn("dmarc-report: %s: rua too long to keep", domain);
		return;
	}
	r = policy_report_record(&R.db, policy_report_period(now, R.hours),
	    domain, &pol, &row, err, sizeof(err));
	if (r != SK_OK) {
		log_warn("dmarc-report: not recorded: %s", err);
	}
}

/* ---- one report ---------------------------------------------------- */

/* policy_reporter_dests - the verified destinations of the job */
static enum policy_reporter_step
policy_reporter_dests(struct policy_reporter_job *j)
{
	enum dmarc_report_verify v;
	int later = 0;
	size_t i;
	int n;

	n = snprintf(j->ruatext, sizeof(j->ruatext), "v=DMARC1; p=none; rua=%s",
	    j->pol.rua);
	(void)dmarc_record_parse((const uint8_t *)j->ruatext, (size_t)n,
	    &j->rec);
	for (i = 0; i < j->rec.nrua; i++) {
		struct dmarc_report_dest *d = &j->dest[j->ndest];

		if (dmarc_report_dest_parse(&j->rec.rua[i], d) != SK_OK) {
			log_info("dmarc-report: %s: rua %.*s: not a mailto: "
				 "address we send to",
			    j->key.domain, (int)j->rec.rua[i].uri_len,
			    j->rec.rua[i].uri);
			continue;
		}
		v = dmarc_report_dest_verify(&R.ans[i], &R.wrap, j->key.domain,
		    d);
		if (v == DMARC_VERIFY_PENDING) {
			return POLICY_REPORTER_PENDING;
		}
		if (v == DMARC_VERIFY_TEMPERROR) {
			later = 1;
		} else if (v == DMARC_VERIFY_REFUSED) {
			log_warn("dmarc-report: %s: %s is not authorized to "
				 "receive its reports (RFC 7489 7.1): dropped",
			    j->key.domain, d->addr);
		} else {
			j->to[j->ndest++] = d->addr;
		}
	}
	return later ? POLICY_REPORTER_LATER : POLICY_REPORTER_SENT;
}

/* policy_reporter_build - XML, gzip and mail of the job; 0 or -1 */
static int
policy_reporter_build(struct policy_reporter_job *j, uint64_t now)
{
	struct dmarc_report_out o;
	struct dmarc_report_mail m;
	char err[256];
	size_t nrows, cap;

	if ((j->xml = malloc(POLICY_REPORTER_XML_MAX)) == NULL) {
		log_warn("dmarc-report: out of memory");
		return -1;
	}
	dmarc_report_out_init(&o, j->xml, POLICY_REPORTER_XML_MAX);
	if (policy_report_xml(&R.db, &j->key, R.hours, R.org, R.from, &o,
		&nrows, err, sizeof(err)) != SK_OK) {
		log_warn("dmarc-report: %s", err);
		return -1;
	}
	j->xmllen = o.len;
	cap = j->xmllen + j->xmllen / 8 + 1024; /* deflate's worst case */
	if ((j->gz = malloc(cap)) == NULL ||
	    dmarc_report_gzip(j->xml, j->xmllen, j->key.period, j->gz, cap,
		&j->gzlen) != SK_OK) {
		log_warn("dmarc-report: %s: cannot compress", j->key.domain);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.from = R.from;
	m.to = j->to;
	m.nto = j->ndest;
	m.submitter = R.submitter;
	m.policy_domain = j->key.domain;
	m.report_id = j->id;
	m.begin = j->key.period;
	m.now = now;
	m.gz = j->gz;
	m.gzlen = j->gzlen;
	m.end = policy_report_period_end(j->key.period, R.hours);
	cap = BASE64_LEN(j->gzlen) * 78 / 76 + 8192;
	if ((j->mail = malloc(cap)) == NULL) {
		log_warn("dmarc-report: out of memory");
		return -1;
	}
	dmarc_report_out_init(&o, j->mail, cap);
	if (dmarc_report_mail_build(&m, &o) != SK_OK) {
		log_warn("dmarc-report: %s: cannot build the mail",
		    j->key.domain);
		return -1;
	}
	j->maillen = o.len;
	log_info("dmarc-report: %s: report %s, %zu record%s, %zu octets",
	    j->key.domain, j->id, nrows, nrows == 1 ? "" : "s", j->maillen);
	return 0;
}

/* policy_reporter_sizes - drop destinations whose "!size" is smaller
 * than the mail (RFC 7489 6.2); 0 when one is left */
static int
policy_reporter_sizes(struct policy_reporter_job *j, size_t total)
{
	size_t i, n = 0;

	for (i = 0; i < j->ndest; i++) {
		const struct dmarc_report_dest *d = NULL;
		size_t k;

		for (k = 0; k < DMARC_URI_MAX; k++) {
			if (j->dest[k].addr == j->to[i]) {
				d = &j->dest[k];
			}
		}
		if (d != NULL && d->max_size != 0 && total > d->max_size) {
			log_warn("dmarc-report: %s: report of %zu octets is "
				 "over the %" PRIu64 " of %s: not sent there",
			    j->key.domain, total, d->max_size, d->addr);
			continue;
		}
		j->to[n++] = j->to[i];
	}
	j->ndest = n;
	return n > 0 ? 0 : -1;
}

/* policy_reporter_sign - DKIM-Signature fields for the mail (R.v); the
 * policy core signs as for any outbound message of the from domain */
static void
policy_reporter_sign(struct policy_reporter_job *j, uint64_t now)
{
	struct policy_request req;

	memset(&R.v, 0, sizeof(R.v));
	if (R.ev == NULL && (R.ev = calloc(1, sizeof(*R.ev))) == NULL) {
		log_warn("dmarc-report: out of memory: sent unsigned");
		return;
	}
	memset(&req, 0, sizeof(req));
	req.client_ip = "127.0.0.1";
	req.helo = R.submitter;
	req.mail_from = R.from;
	req.auth_user = "";
	req.direction = POLICY_OUTBOUND;
	req.msg = j->mail;
	req.len = j->maillen;
	req.now = now;
	policy_eval_whole(R.ev, R.conf, &req);
	if (policy_eval_run(R.ev, &R.wrap, &R.v) != POLICY_DONE ||
	    R.v.action != POLICY_ACCEPT) {
		log_warn("dmarc-report: %s: not signed: %s", j->key.domain,
		    R.v.reply);
		memset(&R.v, 0, sizeof(R.v));
	}
}

/* policy_reporter_write_all - n octets to fd; 0 or -1 */
static int
policy_reporter_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t k;

	while (n > 0) {
		k = write(fd, b, n);
		if (k == -1 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* policy_reporter_hand_over - the pickup file, durable; 0 or -1 */
static int
policy_reporter_hand_over(struct policy_reporter_job *j)
{
	static char head[QUEUE_PICKUP_HEAD_MAX];
	char tmp[DMARC_REPORT_ID_MAX + 32], name[DMARC_REPORT_ID_MAX + 32];
	size_t used, total = R.v.prepend_len + j->maillen;
	int dir, fd = -1, ok;

	snprintf(name, sizeof(name), "dmarc-%s" QUEUE_PICKUP_SUFFIX, j->id);
	snprintf(tmp, sizeof(tmp), ".tmp-dmarc-%s", j->id);
	if (queue_pickup_head(R.from, j->to, j->ndest, total, head,
		sizeof(head), &used) != SK_OK) {
		log_warn("dmarc-report: %s: cannot address the mail",
		    j->key.domain);
		return -1;
	}
	dir = open(R.pickup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir != -1) {
		fd = openat(dir, tmp,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0640);
	}
	ok = fd != -1 && policy_reporter_write_all(fd, head, used) == 0 &&
	    policy_reporter_write_all(fd, R.v.prepend, R.v.prepend_len) == 0 &&
	    policy_reporter_write_all(fd, j->mail, j->maillen) == 0 &&
	    policy_reporter_write_all(fd, QUEUE_PICKUP_END,
		sizeof(QUEUE_PICKUP_END) - 1) == 0 &&
	    fsync(fd) == 0;
	if (fd != -1 && close(fd) != 0) {
		ok = 0;
	}
	ok = ok && renameat(dir, tmp, dir, name) == 0 && fsync(dir) == 0;
	if (!ok) {
		log_warn("dmarc-report: %s: cannot write %s/%s: %s",
		    j->key.domain, R.pickup, name, strerror(errno));
		if (dir != -1) {
			(void)unlinkat(dir, tmp, 0);
		}
	}
	if (dir != -1) {
		close(dir);
	}
	return ok ? 0 : -1;
}

/* policy_reporter_forget - the rows of a report that is done with */
static void
policy_reporter_forget(const struct policy_report_key *k)
{
	char err[256];

	if (policy_report_delete(&R.db, k, err, sizeof(err)) != SK_OK) {
		log_warn("dmarc-report: %s: %s", k->domain, err);
	}
}

/* policy_reporter_one - the report of key, as far as it goes now */
static enum policy_reporter_step
policy_reporter_one(const struct policy_report_key *key, uint64_t now)
{
	static struct policy_reporter_job j;
	enum policy_reporter_step s;
	char err[256];

	free(j.xml);
	free(j.gz);
	free(j.mail);
	memset(&j, 0, sizeof(j));
	j.key = *key;
	if (policy_report_policy_get(&R.db, &j.key, &j.pol, err, sizeof(err)) !=
	    SK_OK) {
		log_warn("dmarc-report: %s", err);
		policy_reporter_forget(&j.key);
		return POLICY_REPORTER_SENT;
	}
	policy_report_id(&j.key, R.hours, j.id);
	if ((s = policy_reporter_dests(&j)) == POLICY_REPORTER_PENDING) {
		return s;
	}
	if (j.ndest == 0) {
		if (s == POLICY_REPORTER_LATER) {
			return s; /* DNS failed: next round */
		}
		log_warn("dmarc-report: %s: no destination left: report %s "
			 "dropped",
		    j.key.domain, j.id);
		policy_reporter_forget(&j.key);
		return POLICY_REPORTER_SENT;
	}
	if (policy_reporter_build(&j, now) != 0) {
		return POLICY_REPORTER_LATER;
	}
	policy_reporter_sign(&j, now);
	if (policy_reporter_sizes(&j, R.v.prepend_len + j.maillen) != 0) {
		policy_reporter_forget(&j.key);
		return POLICY_REPORTER_SENT;
	}
	if (policy_reporter_hand_over(&j) != 0) {
		return POLICY_REPORTER_LATER;
	}
	log_info("dmarc-report: %s: report %s to %zu destination%s",
	    j.key.domain, j.id, j.ndest, j.ndest == 1 ? "" : "s");
	policy_reporter_forget(&j.key);
	return POLICY_REPORTER_SENT;
}

/* ---- the rounds ---------------------------------------------------- */

/* policy_reporter_next_ms - until the next round */
static uint64_t
policy_reporter_next_ms(uint64_t now)
{
	uint64_t len = (uint64_t)R.hours * 3600;
	uint64_t next = policy_report_period(now, R.hours) + len;
	uint64_t midnight = now - now % 86400 + 86400;

	if (R.ahead > 0) {
		return POLICY_REPORTER_RETRY_MS;
	}
	if (next > midnight) {
		next = midnight; /* the short last period of a day */
	}
	return (next - now + POLICY_REPORTER_DELAY_S) * 1000;
}

/* policy_reporter_round - send what is due, up to a batch */
static int
policy_reporter_round(uint64_t now)
{
	static struct policy_report_key keys[POLICY_REPORTER_BATCH];
	uint64_t cur = policy_report_period(now + R.ahead, R.hours);
	uint64_t real = policy_report_period(now, R.hours);
	uint64_t keep = (uint64_t)POLICY_REPORT_PERIODS_MAX * R.hours * 3600;
	char err[256];
	size_t n = 0, i;
	int again = 0;

	/* unsent reports of old periods go (by the real clock: the test
	 * clock must not prune what it is about to send) */
	if (real > keep &&
	    policy_report_prune(&R.db, real - keep, err, sizeof(err)) !=
		SK_OK) {
		log_warn("dmarc-report: prune: %s", err);
	}
	if (policy_report_due(&R.db, cur, keys, SK_NELEM(keys), &n, err,
		sizeof(err)) != SK_OK) {
		log_warn("dmarc-report: %s", err);
		return 0;
	}
	for (i = 0; i < n; i++) {
		enum policy_reporter_step s =
		    policy_reporter_one(&keys[i], now);

		if (s == POLICY_REPORTER_PENDING) {
			return 1;
		}
	}
	/* a full batch: more may be due */
	again = n == SK_NELEM(keys);
	return again;
}

static void
policy_reporter_timer(struct event_loop *loop, struct event_timer *t)
{
	uint64_t now = (uint64_t)time(NULL), ms;

	(void)loop;
	(void)t;
	if (!R.on) {
		return;
	}
	if (R.inflight > 0) {
		ms = POLICY_REPORTER_RETRY_MS; /* the answers re-arm us */
	} else {
		ms = policy_reporter_round(now) ? POLICY_REPORTER_RETRY_MS :
						  policy_reporter_next_ms(now);
	}
	if (event_timer_set(R.loop, &R.timer, ms, policy_reporter_timer,
		NULL) == -1) {
		log_warn("dmarc-report: no timer: reports stop");
	}
}

/* ---- start and stop ------------------------------------------------ */

/* policy_reporter_ahead - SEKIMORI_DMARC_REPORT_AHEAD, for tests */
static uint64_t
policy_reporter_ahead(void)
{
	const char *s = getenv("SEKIMORI_DMARC_REPORT_AHEAD");
	char *end;
	unsigned long long v;

	if (s == NULL || s[0] < '0' || s[0] > '9') {
		return 0;
	}
	v = strtoull(s, &end, 10);
	return *end == '\0' && v <= POLICY_REPORTER_AHEAD_MAX ? v : 0;
}

/* policy_reporter_settings - the config's reports, if any; 0 when off */
static int
policy_reporter_settings(const struct config *cfg)
{
	const struct config_sender_auth *sa = &cfg->sender_auth;
	const char *at = strrchr(sa->dmarc_report_from, '@');

	if (!sa->present || !sa->dmarc_enabled || !sa->dmarc_reports ||
	    at == NULL) {
		return 0;
	}
	R.org = sa->dmarc_report_org;
	R.from = sa->dmarc_report_from;
	R.submitter = at + 1;
	R.hours = sa->dmarc_report_interval;
	return 1;
}

void
policy_reporter_start(struct event_loop *loop, const struct config *cfg,
    const struct dns_resolver *dns, const struct policy_conf *conf)
{
	char path[CONFIG_PATH_SIZE + 32], err[512];

	memset(&R, 0, sizeof(R));
	event_timer_init(&R.timer);
	R.loop = loop;
	R.cfg = cfg;
	R.dns = dns;
	R.conf = conf;
	R.wrap.ops = &policy_reporter_ops;
	R.wrap.ctx = NULL;
	policy_reporter_recent_start(loop, cfg);
	if (!policy_reporter_settings(cfg)) {
		return;
	}
	if (R.hours == 0 || R.hours > 24) {
		R.hours = 24;
	}
	R.ahead = policy_reporter_ahead();
	if (config_path(cfg, "/" POLICY_REPORT_DB, path, sizeof(path)) !=
		SK_OK ||
	    config_path(cfg, "/" QUEUE_PICKUP_DIR, R.pickup,
		sizeof(R.pickup)) != SK_OK ||
	    policy_report_open(&R.db, path, 0, err, sizeof(err)) != SK_OK) {
		log_warn("dmarc-report: store %s: %s: aggregate reports are "
			 "off",
		    path, err);
		return;
	}
	R.on = 1;
	log_info("dmarc-report: aggregate reports every %u h from %s%s",
	    R.hours, R.from, R.ahead > 0 ? " (test clock ahead)" : "");
	policy_reporter_timer(loop, &R.timer);
}

void
policy_reporter_stop(void)
{
	size_t i;

	for (i = 0; i < R.npending; i++) {
		if (R.dns != NULL && R.dns->ops->cancel != NULL) {
			R.dns->ops->cancel(R.dns->ctx, R.pending[i]);
		}
	}
	R.npending = 0;
	R.inflight = 0;
	policy_reporter_recent_stop();
	if (R.loop != NULL) {
		event_timer_del(R.loop, &R.timer);
	}
	if (R.on) {
		policy_report_close(&R.db);
	}
	free(R.ev);
	R.ev = NULL;
	R.on = 0;
}
