/*
 * policy_process.c - the policy process (policy_process.h).
 *
 * Role: sender authentication between smtp and the queue. User
 * sekimori-policy, no_new_privs, no chroot (DNS only after the start).
 * Untrusted input: messages (read through smtp's descriptor with pread:
 * the header section kept, at most POLICY_HEADER_MAX, the body streamed
 * through the verifiers or signers in chunks), their envelopes, DNS
 * answers.
 *
 * One job per P_CHECK: the message in memory, a struct policy_eval, a
 * timer. The evaluation runs until it waits for DNS; the job's resolver
 * (a thin wrapper over the process's resolver) counts the queries that
 * answered DNS_PENDING and runs the evaluation again when the last of
 * them has answered (the live resolver then serves all of them from its
 * cache). The wrapper remembers each pending answer buffer so that a job
 * that ends early (timeout, smtp gone) cancels them: no answer is ever
 * written into a freed job.
 *
 * The second seal (policy.h, lib/msg_types.h P_SEAL): when a run sealed
 * an inbound message, a memo (the chain result and our A-R) is kept in
 * a ring of POLICY_MEMOS_MAX, keyed by smtp's session and the queue id.
 * P_SEAL (the content step rewrote that message) takes the memo, reads
 * the rewritten message through its descriptor (the envelope trailer cut
 * off; for a strip, with the original's spare id written over each
 * MSG_QID_TOKEN as the queue will, qid_token.h), seals it and answers
 * P_SEALED; without a memo (it was pushed out of the ring by newer ones,
 * or the process restarted) or on an error, P_SEALED carries no set and
 * smtp delivers the message without ours.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../dns/dns_live.h"
#include "../dns/dns_zone.h"
#include "chan.h"
#include "event.h"
#include "log.h"
#include "policy.h"
#include "policy_conf.h"
#include "policy_msg.h"
#include "policy_process.h"
#include "policy_reporter.h"
#include "qid_token.h"

#define POLICY_PENDING_MAX 32 /* answer buffers one job waits on */
#define POLICY_CHUNK 65536    /* octets read at a time */
#define POLICY_ZONE_RR_MAX 4096
#define POLICY_ZONE_DATA_MAX (1u << 20)
/* memos of sealed messages kept for a second seal: more than the
 * messages that can be between the policy and the commit at once (a
 * message waits for the content step for at most its timeout) */
#define POLICY_MEMOS_MAX (8 * POLICY_JOBS_MAX)

struct policy_job {
	struct policy_job *prev, *next;
	uint32_t peer; /* smtp's session */
	struct policy_check check;
	uint8_t *msg; /* the header section (and what came with it) */
	size_t len;   /* octets in msg */
	struct event_timer timer;
	struct dns_resolver dns; /* the wrapper: ctx is the job */
	size_t inflight;
	struct dns_answer *pending[POLICY_PENDING_MAX];
	size_t npending;
	int running; /* inside policy_job_run: answers wait for its end */
	struct policy_eval ev;
	struct policy_verdict v;
};

static struct {
	const struct config *cfg;
	struct event_loop loop;
	struct event_timer **heap;
	struct chan parent, smtp;
	struct dns_resolver dns;
	struct dns_live *live;
	struct dns_zone *zone;
	struct policy_job *jobs;
	size_t njobs;
	size_t msg_max;
} P;

/* what a second seal of a message needs (policy_seal_memo, copied) */
struct policy_memo {
	uint32_t peer; /* smtp's session; with qid the key */
	char qid[MSG_QUEUE_ID_MAX + 1];
	enum arc_result result;
	unsigned nsets;
	char *ar; /* our A-R field; NULL: the slot is free */
	size_t arlen;
};

static struct policy_memo policy_memos[POLICY_MEMOS_MAX];
static size_t policy_memo_next; /* the slot the next memo takes */

/* the keys, loaded before privileges drop (static: never copied) */
static struct policy_conf policy_conf;

static void policy_job_run(struct policy_job *j);

/* ---- the job's resolver ----------------------------------------------- */

/* policy_job_forget - drop one pending entry for ans */
static void
policy_job_forget(struct policy_job *j, const struct dns_answer *ans)
{
	size_t i;

	for (i = 0; i < j->npending; i++) {
		if (j->pending[i] == ans) {
			j->pending[i] = j->pending[--j->npending];
			return;
		}
	}
}

/* policy_job_done - a pending query answered; the last one re-runs */
static void
policy_job_done(void *arg, struct dns_answer *ans)
{
	struct policy_job *j = arg;

	policy_job_forget(j, ans);
	if (j->inflight > 0) {
		j->inflight--;
	}
	if (j->inflight == 0 && !j->running) {
		policy_job_run(j);
	}
}

/* policy_job_query - dns_resolver_ops.query of the wrapper */
static enum dns_status
policy_job_query(void *ctx, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	struct policy_job *j = ctx;
	enum dns_status s;

	(void)done;
	(void)arg;
	if (j->npending == POLICY_PENDING_MAX) {
		/* cannot be cancelled if we had to: do not ask */
		dns_answer_reset(ans);
		ans->status = DNS_SERVFAIL;
		return DNS_SERVFAIL;
	}
	s = dns_query(&P.dns, name, type, ans, policy_job_done, j);
	if (s == DNS_PENDING) {
		j->pending[j->npending++] = ans;
		j->inflight++;
	}
	return s;
}

static const struct dns_resolver_ops policy_job_ops = {
	.name = "policy-job",
	.query = policy_job_query,
	.cancel = NULL,
};

/* policy_job_cancel - forget every query the job waits for */
static void
policy_job_cancel(struct policy_job *j)
{
	size_t i;

	for (i = 0; i < j->npending; i++) {
		if (P.dns.ops->cancel != NULL) {
			P.dns.ops->cancel(P.dns.ctx, j->pending[i]);
		}
	}
	j->npending = 0;
	j->inflight = 0;
}

/* ---- jobs ------------------------------------------------------------- */

static void
policy_job_free(struct policy_job *j)
{
	policy_job_cancel(j);
	event_timer_del(&P.loop, &j->timer);
	if (j->prev != NULL) {
		j->prev->next = j->next;
	} else {
		P.jobs = j->next;
	}
	if (j->next != NULL) {
		j->next->prev = j->prev;
	}
	P.njobs--;
	free(j->msg);
	free(j);
}

/* policy_answer - P_VERDICT for session peer */
static void
policy_answer(uint32_t peer, const char *qid, const struct policy_verdict *v)
{
	static struct policy_wire_verdict w;
	static uint8_t body[MSG_BODY_MAX];
	struct msg_body_writer bw;
	size_t i;

	memset(&w, 0, sizeof(w));
	snprintf(w.qid, sizeof(w.qid), "%s", qid);
	w.action = (uint8_t)v->action;
	snprintf(w.reply, sizeof(w.reply), "%s", v->reply);
	w.nrenames = (uint32_t)v->nrenames;
	for (i = 0; i < v->nrenames; i++) {
		w.renames[i] = v->renames[i];
	}
	memcpy(w.prepend, v->prepend, v->prepend_len);
	w.prepend_len = v->prepend_len;
	msg_body_writer_init(&bw, body, sizeof(body));
	policy_msg_verdict_put(&bw, &w);
	if (chan_send_body(&P.smtp, MSG_P_VERDICT, peer, -1, &bw) != SK_OK &&
	    P.smtp.open) {
		fatal("policy: cannot answer smtp");
	}
}

/* policy_tempfail - answer 451 for a message we could not check */
static void
policy_tempfail(uint32_t peer, const char *qid, const char *why)
{
	static struct policy_verdict v;

	memset(&v, 0, sizeof(v));
	v.action = POLICY_TEMPFAIL;
	snprintf(v.reply, sizeof(v.reply),
	    "451 4.7.1 Sender authentication unavailable, try again later");
	log_warn("%s: policy: %s: action=tempfail", qid, why);
	policy_answer(peer, qid, &v);
}

/* ---- memos for the second seal ---------------------------------------- */

/* policy_memo_drop - free a memo's slot */
static void
policy_memo_drop(struct policy_memo *m)
{
	free(m->ar);
	memset(m, 0, sizeof(*m));
}

/* policy_memo_keep - j's memo, when its run sealed the message; the
 * oldest memo makes room */
static void
policy_memo_keep(const struct policy_job *j)
{
	struct policy_seal_memo sm;
	struct policy_memo *m;

	if (!policy_seal_memo(&j->ev, &j->v, &sm)) {
		return;
	}
	m = &policy_memos[policy_memo_next];
	policy_memo_next = (policy_memo_next + 1) % POLICY_MEMOS_MAX;
	policy_memo_drop(m);
	if ((m->ar = malloc(sm.arlen)) == NULL) {
		/* no second seal then: smtp delivers without our set */
		log_warn("%s: policy: no memory to keep the seal",
		    j->check.qid);
		return;
	}
	memcpy(m->ar, sm.ar, sm.arlen);
	m->arlen = sm.arlen;
	m->peer = j->peer;
	snprintf(m->qid, sizeof(m->qid), "%s", j->check.qid);
	m->result = sm.result;
	m->nsets = sm.nsets;
}

/* policy_memo_find - the memo of peer's message qid, or NULL */
static struct policy_memo *
policy_memo_find(uint32_t peer, const char *qid)
{
	size_t i;

	for (i = 0; i < POLICY_MEMOS_MAX; i++) {
		struct policy_memo *m = &policy_memos[i];

		if (m->ar != NULL && m->peer == peer &&
		    strcmp(m->qid, qid) == 0) {
			return m;
		}
	}
	return NULL;
}

/* policy_memo_clear - forget every memo (smtp is gone) */
static void
policy_memo_clear(void)
{
	size_t i;

	for (i = 0; i < POLICY_MEMOS_MAX; i++) {
		policy_memo_drop(&policy_memos[i]);
	}
}

/* policy_job_run - go on with j; answer and free it when decided */
static void
policy_job_run(struct policy_job *j)
{
	enum policy_status s;

	j->running = 1;
	s = policy_eval_run(&j->ev, &j->dns, &j->v);
	j->running = 0;
	if (s == POLICY_PENDING && j->inflight > 0) {
		return; /* policy_job_done calls again */
	}
	if (s == POLICY_PENDING) {
		/* every query answered during the run: go again at once */
		policy_job_run(j);
		return;
	}
	log_info("%s: policy: %s", j->check.qid, j->v.log);
	policy_reporter_record(j->check.qid, &j->ev, &j->v);
	policy_memo_keep(j);
	policy_answer(j->peer, j->check.qid, &j->v);
	policy_job_free(j);
}

static void
policy_job_timeout(struct event_loop *loop, struct event_timer *t)
{
	struct policy_job *j = t->arg;

	(void)loop;
	policy_tempfail(j->peer, j->check.qid, "timed out waiting for DNS");
	policy_job_free(j);
}

/* policy_pread - pread that retries EINTR */
static ssize_t
policy_pread(int fd, uint8_t *p, size_t n, uint64_t off)
{
	ssize_t got;

	do {
		got = pread(fd, p, n, (off_t)off);
	} while (got < 0 && errno == EINTR);
	return got;
}

/* policy_read_header - the header section of the first size octets of
 * the file into *msg (the caller frees it), growing to POLICY_HEADER_MAX:
 * *len octets read, *hlen of them the header, the body from *body; -1
 * and why (*reject: a permanent reason) */
static int
policy_read_header(int fd, uint64_t size, uint8_t **msg, size_t *len,
    size_t *hlen, size_t *body, const char **why, int *reject)
{
	size_t cap = 0, want;
	uint8_t *grown;
	ssize_t n;

	for (;;) {
		if (*len == cap) {
			if (cap == POLICY_HEADER_MAX) {
				*why = "the header section is too large";
				*reject = 1;
				return -1;
			}
			cap = cap == 0 ? POLICY_CHUNK : 2 * cap;
			cap = cap < POLICY_HEADER_MAX ? cap : POLICY_HEADER_MAX;
			if ((grown = realloc(*msg, cap)) == NULL) {
				*why = "out of memory";
				return -1;
			}
			*msg = grown;
		}
		want = cap - *len;
		if (size - *len < want) {
			want = (size_t)(size - *len);
		}
		n = want > 0 ? policy_pread(fd, *msg + *len, want, *len) : 0;
		if (n < 0) {
			*why = "cannot read the content";
			return -1;
		}
		if (n == 0) { /* no empty line: all header, no body */
			*hlen = *body = *len;
			return 0;
		}
		*len += (size_t)n;
		if (policy_header_end(*msg, *len, hlen, body) == SK_OK) {
			return 0;
		}
	}
}

/* policy_read - the header section kept, the body streamed into the
 * evaluation (never the whole message in memory); -1 and why */
static int
policy_read(int fd, struct policy_job *j, const struct policy_request *req,
    const char **why, int *reject)
{
	static uint8_t chunk[POLICY_CHUNK];
	struct policy_request hr = *req;
	struct stat st;
	size_t hlen, body;
	uint64_t off;
	ssize_t n;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = "the content is no regular file";
		return -1;
	}
	if ((uint64_t)st.st_size > P.msg_max) {
		*why = "the message is larger than the limit";
		return -1;
	}
	if (policy_read_header(fd, (uint64_t)st.st_size, &j->msg, &j->len,
		&hlen, &body, why, reject) != 0) {
		return -1;
	}
	hr.msg = j->msg;
	hr.len = hlen;
	policy_eval_init(&j->ev, &policy_conf, &hr);
	if (body < j->len) {
		policy_eval_body(&j->ev, j->msg + body, j->len - body);
	}
	for (off = j->len; off < (uint64_t)st.st_size; off += (uint64_t)n) {
		n = policy_pread(fd, chunk, sizeof(chunk), off);
		if (n <= 0) {
			*why = "cannot read the content";
			return -1;
		}
		policy_eval_body(&j->ev, chunk, (size_t)n);
	}
	return 0;
}

/* ---- the second seal (P_SEAL) ----------------------------------------- */

/* policy_content_size - the octets of a rewritten content of size
 * octets without its envelope trailer (lib/msg_types.h); -1 when the
 * trailer cannot be read */
static int
policy_content_size(int fd, uint64_t size, uint64_t *content)
{
	uint8_t tail[4 + MSG_ENV_MAGIC_LEN];
	uint32_t blen;

	*content = size;
	if (size < sizeof(tail)) {
		return 0;
	}
	if (policy_pread(fd, tail, sizeof(tail), size - sizeof(tail)) !=
	    (ssize_t)sizeof(tail)) {
		return -1;
	}
	if (memcmp(tail + 4, MSG_ENV_MAGIC, MSG_ENV_MAGIC_LEN) != 0) {
		return 0; /* no trailer */
	}
	blen = msg_get_u32(tail);
	if (blen > MSG_ENV_BLOCK_MAX || blen > size - sizeof(tail)) {
		return -1;
	}
	*content = size - sizeof(tail) - blen;
	return 0;
}

/* policy_reseal_ids - of p[0..n) of the rewritten message, the octets
 * that are as the queue will store them: all without a spare id; with
 * one (a strip), the spare id written over each MSG_QID_TOKEN, less a
 * token's start cut by the read (qid_token.h: kept for the next) */
static size_t
policy_reseal_ids(const char *spare, uint8_t *p, size_t n, int last)
{
	unsigned count = 0;

	return spare == NULL ? n : qid_token_replace(p, n, last, spare, &count);
}

/* policy_reseal_read - the rewritten message through r: its header
 * section into *msg (the caller frees it), the body streamed; with a
 * spare id, as the queue will store it. -1 and why */
static int
policy_reseal_read(int fd, const char *spare, struct policy_reseal *r,
    uint8_t **msg, size_t *hlen, const char **why)
{
	static uint8_t chunk[QID_TOKEN_LEN + POLICY_CHUNK];
	struct stat st;
	uint64_t size, off;
	size_t len = 0, body, done, held;
	ssize_t n;
	int reject = 0;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = "the rewritten content is no regular file";
		return -1;
	}
	if ((uint64_t)st.st_size > P.msg_max + MSG_ENV_TRAILER_MAX ||
	    policy_content_size(fd, (uint64_t)st.st_size, &size) != 0) {
		*why = "the rewritten content is too large or its trailer bad";
		return -1;
	}
	if (policy_read_header(fd, size, msg, &len, hlen, &body, why,
		&reject) != 0) {
		return -1;
	}
	/* The ids change no line ends (the token has no CR or LF, and a
	 * start kept back has none either), so the header section ends
	 * where it did and is final: done >= body. */
	done = policy_reseal_ids(spare, *msg, len, len == size);
	if (body < done) {
		policy_reseal_body(r, *msg + body, done - body);
	}
	held = len - done;
	memcpy(chunk, *msg + done, held);
	for (off = len; off < size; off += (uint64_t)n) {
		size_t want = size - off < POLICY_CHUNK ? (size_t)(size - off) :
							  POLICY_CHUNK;

		if ((n = policy_pread(fd, chunk + held, want, off)) <= 0) {
			*why = "cannot read the rewritten content";
			return -1;
		}
		held += (size_t)n;
		done = policy_reseal_ids(spare, chunk, held,
		    off + (uint64_t)n == size);
		policy_reseal_body(r, chunk, done);
		held -= done;
		memmove(chunk, chunk + done, held);
	}
	return 0;
}

/* policy_reseal - the new ARC set of the rewritten message in fd (with
 * the spare id in place of the tokens, for a strip) into w's set, per
 * the memo; -1 and why */
static int
policy_reseal(int fd, const char *spare, const struct policy_memo *m,
    struct policy_wire_sealed *w, const char **why)
{
	struct policy_seal_memo sm = { m->result, m->nsets, m->ar, m->arlen };
	struct policy_reseal *r;
	uint8_t *msg = NULL;
	size_t hlen, n;
	enum sk_result res;
	int rc = -1;

	if ((r = malloc(sizeof(*r))) == NULL) {
		*why = "out of memory";
		return -1;
	}
	policy_reseal_init(r, &policy_conf, &sm, (uint64_t)time(NULL));
	if (policy_reseal_read(fd, spare, r, &msg, &hlen, why) == 0) {
		res = policy_reseal_final(r, &sm, msg, hlen, w->set,
		    sizeof(w->set) - 1, &n);
		if (res == SK_OK) {
			w->set[n] = '\0';
			w->set_len = n;
			rc = 0;
		} else {
			*why = sk_result_str(res);
		}
	}
	free(msg);
	free(r);
	return rc;
}

/* policy_seal_again - P_SEAL: the content step rewrote a message we
 * sealed (a strip: with the original's id, spare) */
static void
policy_seal_again(const struct msg *m)
{
	static struct policy_wire_sealed w;
	static uint8_t body[MSG_BODY_MAX];
	char spare[MSG_QUEUE_ID_MAX + 1];
	struct msg_body_writer bw;
	struct policy_memo *memo;
	const char *why = "no record of its first seal";

	memset(&w, 0, sizeof(w));
	if (m->fd < 0 ||
	    policy_msg_seal_get(m->body, m->hdr.len, w.qid, spare) != SK_OK) {
		fatal("policy: malformed P_SEAL from smtp");
	}
	memo = policy_memo_find(m->hdr.peer, w.qid);
	if (memo != NULL &&
	    policy_reseal(m->fd, spare[0] != '\0' ? spare : NULL, memo, &w,
		&why) == 0) {
		log_info("%s: policy: sealed again after the content step: "
			 "arc-seal=i%u cv=%s%s%s",
		    w.qid, memo->result == ARC_NONE ? 1u : memo->nsets + 1,
		    arc_result_str(memo->result),
		    spare[0] != '\0' ? " stripped, original=" : "", spare);
	} else {
		w.set_len = 0;
		log_warn("%s: policy: cannot seal the rewritten message (%s): "
			 "delivered without our ARC set",
		    w.qid, why);
	}
	if (memo != NULL) {
		policy_memo_drop(memo);
	}
	msg_body_writer_init(&bw, body, sizeof(body));
	policy_msg_sealed_put(&bw, &w);
	if (chan_send_body(&P.smtp, MSG_P_SEALED, m->hdr.peer, -1, &bw) !=
		SK_OK &&
	    P.smtp.open) {
		fatal("policy: cannot answer smtp");
	}
}

/* policy_refuse - answer a message we will not check: 451, or 554 for
 * a reason that will not go away */
static void
policy_refuse(uint32_t peer, const char *qid, const char *why, int reject)
{
	static struct policy_verdict v;

	if (!reject) {
		policy_tempfail(peer, qid, why);
		return;
	}
	memset(&v, 0, sizeof(v));
	v.action = POLICY_REJECT;
	snprintf(v.reply, sizeof(v.reply), "554 5.6.0 Message refused: %s",
	    why);
	log_info("%s: policy: %s: action=reject", qid, why);
	policy_answer(peer, qid, &v);
}

/* policy_check - P_CHECK: a new job */
static void
policy_check(const struct msg *m)
{
	struct policy_job *j;
	struct policy_request req;
	const char *why = NULL;
	int reject = 0;

	if (m->fd < 0) {
		fatal("policy: P_CHECK without the content");
	}
	/* not calloc: the evaluation is most of a job's 900 KB and
	 * policy_eval_init clears it anyway; clearing it twice per message
	 * showed in the profile (ci/bench/inbound.py) */
	if ((j = malloc(sizeof(*j))) == NULL) {
		fatal("policy: out of memory");
	}
	sk_zero_except(j, sizeof(*j), offsetof(struct policy_job, ev),
	    sizeof(j->ev));
	event_timer_init(&j->timer);
	if (policy_msg_check_get(m->body, m->hdr.len, &j->check) != SK_OK) {
		fatal("policy: malformed P_CHECK from smtp");
	}
	j->peer = m->hdr.peer;
	memset(&req, 0, sizeof(req));
	req.client_ip = j->check.client_ip;
	req.helo = j->check.helo;
	req.mail_from = j->check.mail_from;
	req.auth_user = j->check.auth_user;
	req.direction = j->check.direction == MSG_POLICY_OUTBOUND ?
	    POLICY_OUTBOUND :
	    POLICY_INBOUND;
	req.now = (uint64_t)time(NULL);
	/* every recipient counts for the replay rule, carried or not */
	req.nrcpt = j->check.rcpt_omitted > UINT32_MAX - j->check.nrcpt ?
	    UINT32_MAX :
	    j->check.nrcpt + j->check.rcpt_omitted;
	if (P.njobs == POLICY_JOBS_MAX) {
		why = "too many messages in progress";
	} else if (policy_read(m->fd, j, &req, &why, &reject) == 0 &&
	    event_timer_set(&P.loop, &j->timer, POLICY_JOB_TIMEOUT_MS,
		policy_job_timeout, j) == -1) {
		why = "no timer";
	}
	if (why != NULL) {
		policy_refuse(j->peer, j->check.qid, why, reject);
		free(j->msg);
		free(j);
		return;
	}
	j->dns.ops = &policy_job_ops;
	j->dns.ctx = j;
	j->next = P.jobs;
	if (P.jobs != NULL) {
		P.jobs->prev = j;
	}
	P.jobs = j;
	P.njobs++;
	policy_job_run(j);
}

/* ---- the channels ----------------------------------------------------- */

static void
policy_smtp_msg(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	if (m->hdr.type == MSG_P_CHECK) {
		policy_check(m);
	} else if (m->hdr.type == MSG_P_SEAL) {
		policy_seal_again(m);
	} else if (m->hdr.type != MSG_HELLO) {
		fatal("policy: unexpected %s from smtp",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

/* policy_smtp_closed - smtp is gone: nobody waits for the jobs */
static void
policy_smtp_closed(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)arg;
	log_warn("policy: smtp link lost (%s)", sk_result_str(why));
	while (P.jobs != NULL) {
		policy_job_free(P.jobs);
	}
	policy_memo_clear(); /* the sessions they name are gone */
}

static void
policy_parent_msg(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	switch (m->hdr.type) {
	case MSG_HELLO:
		break;
	case MSG_SHUTDOWN:
		event_break(&P.loop);
		break;
	case MSG_PEER:
		if (m->fd < 0 || msg_get_u32(m->body) != MSG_ROLE_SMTP) {
			fatal("policy: MSG_PEER for role %u",
			    msg_get_u32(m->body));
		}
		if (chan_reopen(&P.smtp, &P.loop, m->fd, policy_smtp_msg,
			policy_smtp_closed, NULL) == -1) {
			fatal("policy: smtp link: %s", strerror(errno));
		}
		m->fd = -1;
		break;
	default:
		fatal("policy: unexpected %s from the supervisor",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

static void
policy_parent_closed(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)arg;
	log_set_sink(NULL, NULL);
	fatal("policy: parent channel closed (%s)", sk_result_str(why));
}

/* ---- setup ------------------------------------------------------------ */

/* policy_dns_live - the config's DNS servers, else /etc/resolv.conf */
static void
policy_dns_live(void)
{
	static char text[CONFIG_DNS_SERVERS_MAX][CONFIG_ADDR_TEXT_SIZE];
	struct dns_live_conf conf;
	char err[256];
	size_t i;

	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < P.cfg->ndns_servers && i < DNS_LIVE_SERVERS_MAX; i++) {
		const struct config_ip *ip = &P.cfg->dns_servers[i];

		if (inet_ntop(ip->family, ip->addr, text[i], sizeof(text[i])) !=
		    NULL) {
			conf.servers[conf.nservers++] = text[i];
		}
	}
	if ((P.live = dns_live_new(&P.loop, &conf, err, sizeof(err))) == NULL) {
		fatal("policy: DNS resolver: %s", err);
	}
	dns_live_resolver(P.live, &P.dns);
}

/* policy_dns_zone - answers from the zone file at path (tests) */
static void
policy_dns_zone(const char *path)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > POLICY_ZONE_FILE_MAX) {
		fatal("policy: zone file %s: %s", path,
		    fd == -1 ? strerror(errno) : "not a small regular file");
	}
	buf = malloc((size_t)st.st_size + 1);
	P.zone = calloc(1, sizeof(*P.zone));
	if (buf == NULL || P.zone == NULL) {
		fatal("policy: out of memory");
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		fatal("policy: zone file %s: short read", path);
	}
	dns_zone_init(P.zone,
	    calloc(POLICY_ZONE_RR_MAX, sizeof(struct dns_zone_rr)),
	    POLICY_ZONE_RR_MAX, calloc(1, POLICY_ZONE_DATA_MAX),
	    POLICY_ZONE_DATA_MAX);
	if (P.zone->rr == NULL || P.zone->data == NULL ||
	    dns_zone_parse(P.zone, buf, (size_t)n) != SK_OK) {
		fatal("policy: zone file %s line %zu: %s", path, P.zone->line,
		    P.zone->err != NULL ? P.zone->err : "out of memory");
	}
	free(buf);
	dns_zone_resolver(P.zone, &P.dns);
}

/* policy_prepare - load the keys (as root); err names the file */
enum sk_result
policy_prepare(const struct config *cfg, char *err, size_t errlen)
{
	char host[CONFIG_DOMAIN_SIZE];

	if (cfg->server_name[0] != '\0') {
		snprintf(host, sizeof(host), "%s", cfg->server_name);
	} else if (gethostname(host, sizeof(host) - 1) == -1) {
		snprintf(host, sizeof(host), "localhost");
	}
	host[sizeof(host) - 1] = '\0';
	return policy_conf_load(cfg, host, &policy_conf, err, errlen);
}

/* policy_forget - wipe what policy_prepare loaded */
void
policy_forget(void)
{
	policy_conf_wipe(&policy_conf);
}

_Noreturn void
policy_process(const struct config *cfg, int parent_sock, int smtp_sock,
    const char *zone_file)
{
	uint8_t hello[MSG_HELLO_LEN];
	size_t cap = POLICY_JOBS_MAX + 64;

	memset(&P, 0, sizeof(P));
	P.cfg = cfg;
	/* the message as smtp wrote it: the size limit, our Received
	 * header and some slack; never more than POLICY_MSG_MAX */
	P.msg_max = cfg->limits.message_size > 0 ?
	    (size_t)cfg->limits.message_size + 65536 :
	    POLICY_MSG_MAX;
	if (P.msg_max > POLICY_MSG_MAX) {
		P.msg_max = POLICY_MSG_MAX;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((P.heap = calloc(cap, sizeof(*P.heap))) == NULL ||
	    event_init(&P.loop, P.heap, cap) == -1) {
		fatal("policy: event loop: %s", strerror(errno));
	}
	chan_init(&P.parent);
	chan_init(&P.smtp);
	if (chan_open(&P.parent, &P.loop, parent_sock, policy_parent_msg,
		policy_parent_closed, NULL) == -1 ||
	    (smtp_sock != -1 &&
		chan_open(&P.smtp, &P.loop, smtp_sock, policy_smtp_msg,
		    policy_smtp_closed, NULL) == -1)) {
		fatal("policy: cannot watch the sockets: %s", strerror(errno));
	}
	log_set_sink(chan_log_sink, &P.parent);
	msg_put_u32(hello, MSG_PROTO_VERSION);
	msg_put_u32(hello + 4, MSG_ROLE_POLICY);
	chan_send(&P.parent, MSG_HELLO, 0, -1, hello, sizeof(hello));
	if (zone_file != NULL) {
		policy_dns_zone(zone_file);
	} else {
		policy_dns_live();
	}
	log_info("policy: authserv-id %s, %zu signing domain%s, %zu DMARC "
		 "override%s, ARC seal %s%s%s",
	    policy_conf.authserv_id, policy_conf.nsigners,
	    policy_conf.nsigners == 1 ? "" : "s", policy_conf.noverrides,
	    policy_conf.noverrides == 1 ? "" : "s",
	    policy_conf.seal ? policy_conf.seal_domain : "off",
	    policy_conf.seal ? " s=" : "",
	    policy_conf.seal ? policy_conf.seal_selector : "");
	policy_reporter_start(&P.loop, cfg, &P.dns, &policy_conf);
	if (event_run(&P.loop) == -1) {
		fatal("policy: event loop: %s", strerror(errno));
	}
	while (P.jobs != NULL) {
		policy_job_free(P.jobs);
	}
	policy_memo_clear();
	policy_reporter_stop();
	chan_drain(&P.smtp, 1000);
	chan_drain(&P.parent, 1000);
	log_set_sink(NULL, NULL);
	policy_conf_wipe(&policy_conf);
	exit(0);
}
