/*
 * smtpd_check.c - the checks a message passes between the end of its
 * data and the commit: the policy process (sender authentication, issue
 * 4), then the content process (scanners and content rules, issue 6).
 *
 * Each check gets P_CHECK with a descriptor of the spool file and
 * answers P_VERDICT (policy/policy_msg.h). In order, for each check that
 * is on for this message:
 *
 *   reject, tempfail  the reply; the file goes (Q_ABORT)
 *   discard           250 to the client, the file goes, logged
 *   quarantine        the reason is kept; the message is committed into
 *                     quarantine with the header blocks gathered so far
 *   accept            forged A-R names overwritten (policy), its header
 *                     block appended; on to the next check
 *
 * The content process may send the message rewritten (P_VERDICT's
 * descriptor and rewrite mode, msg_types.h): replace (deliver this
 * instead) or strip (deliver this, keep the original in quarantine with
 * the reply as its reason). smtp keeps the descriptor without reading
 * it (chroot and seccomp: it only passes it on) and gives it to the
 * queue with Q_COMMIT (smtpd_check_rewrite). A message that an earlier
 * check sent to quarantine stays as it is: the rewrite is dropped.
 *
 * The ARC seal (issue 4): a policy verdict's header block may open with
 * the policy's ARC set (RFC 8617 5.1), made over the message as smtp
 * wrote it. When the content step then rewrote the message (replace or
 * strip), that set would no longer verify, so before the commit smtp
 * sends the policy process P_SEAL with the rewritten message's
 * descriptor and waits for P_SEALED (the same wait as for a verdict):
 * its set takes the old one's place, or, when it has none, the old set
 * goes and the message leaves without ours. For a strip, P_SEAL also
 * carries Q_OPENED's spare id: the queue will keep the original under
 * that id and write it over each MSG_QID_TOKEN of the stripped text, and
 * the policy seals the text with the id already in place, so the set
 * covers exactly the octets delivered. A policy process that is away or
 * dies meanwhile: as for a verdict, 451, or with unavailable-action
 * accept the message without our set. Never a set that no longer
 * verifies.
 *
 * then the commit (smtpd_txn_commit). A check whose process is away (not
 * started yet, dead, restarting) answers for itself: 451 4.7.1, or, for
 * the policy with unavailable-action accept, a pass that is logged.
 * Messages are never accepted unchecked by accident.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../policy/policy_msg.h"
#include "../sekimorid/stats.h"
#include "log.h"
#include "msg_body.h"
#include "smtpd_int.h"

#define SMTPD_POLICY_AWAY \
	"451 4.7.1 Sender authentication unavailable, try again later"
#define SMTPD_CONTENT_AWAY \
	"451 4.7.1 Content scanning unavailable, try again later"

/* check_on - whether check i looks at c's message */
static int
check_on(size_t i, const struct smtpd_conn *c)
{
	const struct config_content *cc = &smtpd.cfg->content;
	const struct config_scan_chain *chain;
	size_t r;

	if (i == SMTPD_CHECK_POLICY) {
		return smtpd.cfg->sender_auth.present;
	}
	if (!cc->enabled) {
		return 0;
	}
	/* no scanner and no rule for this direction: nothing to ask */
	chain = smtpd_outbound(c) ? &cc->outbound : &cc->inbound;
	if (chain->nscanners > 0) {
		return 1;
	}
	for (r = 0; r < cc->nrules; r++) {
		enum config_content_direction d = cc->rules[r].direction;

		if (d == CONFIG_CONTENT_BOTH ||
		    d ==
			(smtpd_outbound(c) ? CONFIG_CONTENT_OUTBOUND :
					     CONFIG_CONTENT_INBOUND)) {
			return 1;
		}
	}
	return 0;
}

int
smtpd_outbound(const struct smtpd_conn *c)
{
	/* inbound: what the world sends us; outbound: what our users and
	 * internal hosts send (signed, scanned by the outbound chain) */
	return c->s.authed || c->internal;
}

/* send_check - P_CHECK with a descriptor of the spool file to check i;
 * -1 if its process is away */
static int
send_check(size_t i, struct smtpd_conn *c)
{
	static struct policy_check pc;
	static uint8_t body[MSG_BODY_MAX];
	struct chan *ch = &smtpd.checks[i].chan;
	struct msg_body_writer w;
	size_t r;
	int fd;

	if (!ch->open) {
		return -1;
	}
	memset(&pc, 0, sizeof(pc));
	snprintf(pc.qid, sizeof(pc.qid), "%s", c->qid);
	snprintf(pc.client_ip, sizeof(pc.client_ip), "%s", c->ip);
	snprintf(pc.helo, sizeof(pc.helo), "%s", c->helo);
	smtpd_txn_sender(c, pc.mail_from, sizeof(pc.mail_from));
	snprintf(pc.auth_user, sizeof(pc.auth_user), "%s",
	    c->s.authed ? c->auth_user : "");
	pc.direction =
	    smtpd_outbound(c) ? MSG_POLICY_OUTBOUND : MSG_POLICY_INBOUND;
	/* for a milter's RCPT stages; past the room, only counted */
	for (r = 0; r < c->nrcpts; r++) {
		(void)policy_check_add_rcpt(&pc, c->rcpts[r].addr);
	}
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_check_put(&w, &pc);
	if ((fd = fcntl(c->spool_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		return -1;
	}
	if (chan_send_body(ch, MSG_P_CHECK, c->id, fd, &w) != SK_OK) {
		close(fd);
		return -1;
	}
	return 0;
}

/* check_away - check i cannot answer for c's message: 451 4.7.1, or on
 * without it where the config says so (the policy's unavailable-action
 * accept) */
static void
check_away(size_t i, struct smtpd_conn *c, struct smtp_out *out)
{
	if (i == SMTPD_CHECK_POLICY &&
	    smtpd.cfg->sender_auth.unavailable_accept) {
		log_warn("%s: policy unavailable: message from %s accepted "
			 "unchecked (unavailable-action accept)",
		    c->qid, c->ip);
		smtpd_check_next(c, i + 1, out);
		return;
	}
	log_warn("%s: %s unavailable: message from %s refused with 451", c->qid,
	    smtpd.checks[i].name, c->ip);
	smtpd_txn_abort(c);
	smtp_session_message_refused(&c->s, smtpd.checks[i].away, out);
}

/* drop_seal - the policy's ARC set out of the header block: it would
 * not verify over the message as delivered */
static void
drop_seal(struct smtpd_conn *c, const char *why)
{
	log_info("%s: policy: ARC set removed: %s", c->qid, why);
	memmove(c->prepend, c->prepend + c->seal_len,
	    c->prepend_len - c->seal_len);
	c->prepend_len -= c->seal_len;
	c->seal_len = 0;
}

/* replace_seal - set[0..len) instead of the policy's ARC set; -1 when
 * memory ran out. A set that would overfill the header block is left
 * out, and the old one with it */
static int
replace_seal(struct smtpd_conn *c, const char *set, size_t len)
{
	size_t rest = c->prepend_len - c->seal_len;
	char *p;

	if (len == 0 || len + rest > MSG_PREPEND_MAX) {
		drop_seal(c,
		    len == 0 ? "the policy could not seal the "
			       "rewritten message" :
			       "the new set does not fit");
		return 0;
	}
	if ((p = malloc(len + rest)) == NULL) {
		return -1;
	}
	memcpy(p, set, len);
	memcpy(p + len, c->prepend + c->seal_len, rest);
	free(c->prepend);
	c->prepend = p;
	c->prepend_len = len + rest;
	c->seal_len = len;
	return 0;
}

/* send_seal - P_SEAL with a descriptor of the rewritten message (and,
 * for a strip, the id its original will have); -1 if the policy process
 * is away */
static int
send_seal(struct smtpd_conn *c)
{
	static uint8_t body[2 * (2 + MSG_QUEUE_ID_MAX)];
	struct chan *ch = &smtpd.checks[SMTPD_CHECK_POLICY].chan;
	struct msg_body_writer w;
	int fd;

	if (!ch->open) {
		return -1;
	}
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_seal_put(&w, c->qid,
	    c->rewrite == MSG_REWRITE_STRIP ? c->spare_qid : "");
	if (w.err || (fd = fcntl(c->rewrite_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		return -1;
	}
	if (chan_send_body(ch, MSG_P_SEAL, c->id, fd, &w) != SK_OK) {
		close(fd);
		return -1;
	}
	return 0;
}

/* seal_away - the policy cannot seal c's rewritten message: as for a
 * verdict, 451, or with unavailable-action accept on without our set */
static void
seal_away(struct smtpd_conn *c, struct smtp_out *out)
{
	c->sealing = 0;
	if (smtpd.cfg->sender_auth.unavailable_accept) {
		log_warn("%s: policy unavailable: message from %s accepted "
			 "without our ARC set (unavailable-action accept)",
		    c->qid, c->ip);
		drop_seal(c, "the policy is unavailable");
		smtpd_txn_commit(c, out);
		return;
	}
	log_warn("%s: policy unavailable: message from %s refused with 451",
	    c->qid, c->ip);
	smtpd_txn_abort(c);
	smtp_session_message_refused(&c->s, SMTPD_POLICY_AWAY, out);
}

/* checks_done - every check passed: the second seal when the content
 * step rewrote (replaced or stripped) a message the policy sealed, then
 * the commit */
static void
checks_done(struct smtpd_conn *c, struct smtp_out *out)
{
	if (c->seal_len > 0 && c->rewrite != MSG_REWRITE_NONE) {
		if (send_seal(c) == 0) {
			c->wait = SMTPD_W_CHECK;
			c->check = SMTPD_CHECK_POLICY;
			c->sealing = 1;
			return;
		}
		seal_away(c, out);
		return;
	}
	smtpd_txn_commit(c, out);
}

void
smtpd_check_next(struct smtpd_conn *c, size_t from, struct smtp_out *out)
{
	size_t i;

	for (i = from; i < SMTPD_CHECKS; i++) {
		if (!check_on(i, c)) {
			continue;
		}
		if (send_check(i, c) == 0) {
			c->wait = SMTPD_W_CHECK;
			c->check = (uint8_t)i;
			return;
		}
		check_away(i, c, out);
		return;
	}
	checks_done(c, out);
}

/* rename_forged - overwrite the names of forged Authentication-Results
 * fields (RFC 8601 5) with a name of the same length; each offset is
 * checked to hold the name first */
static void
rename_forged(struct smtpd_conn *c, const struct policy_wire_verdict *v)
{
	static const char from[] = "Authentication-Results";
	static const char to[] = "X-Sekimori-Removed-A-R";
	char have[sizeof(from)];
	uint32_t i;

	_Static_assert(sizeof(from) == sizeof(to), "same length");
	for (i = 0; i < v->nrenames; i++) {
		uint64_t off = v->renames[i];

		if (off > c->written || c->written - off < sizeof(from) ||
		    pread(c->spool_fd, have, sizeof(from) - 1, (off_t)off) !=
			(ssize_t)sizeof(from) - 1 ||
		    strncasecmp(have, from, sizeof(from) - 1) != 0) {
			log_warn("%s: policy: no Authentication-Results at "
				 "%llu",
			    c->qid, (unsigned long long)off);
			continue;
		}
		if (pwrite(c->spool_fd, to, sizeof(to) - 1, (off_t)off) !=
		    (ssize_t)sizeof(to) - 1) {
			c->write_error = errno != 0 ? errno : EIO;
		}
	}
}

/* add_prepend - v's header block after what earlier checks gave; 0, or
 * -1 when memory ran out (the block never passes MSG_PREPEND_MAX: a
 * check's block that would is left out, and said) */
static int
add_prepend(struct smtpd_conn *c, size_t i, const struct policy_wire_verdict *v)
{
	char *p;

	if (v->prepend_len == 0) {
		return 0;
	}
	if (c->prepend_len + v->prepend_len > MSG_PREPEND_MAX) {
		log_warn("%s: %s: header block left out: the header blocks "
			 "would pass %u octets",
		    c->qid, smtpd.checks[i].name, MSG_PREPEND_MAX);
		return 0;
	}
	if ((p = realloc(c->prepend, c->prepend_len + v->prepend_len)) ==
	    NULL) {
		return -1;
	}
	memcpy(p + c->prepend_len, v->prepend, v->prepend_len);
	c->prepend = p;
	c->prepend_len += v->prepend_len;
	return 0;
}

/* refused - a reject or tempfail from check i */
static void
refused(struct smtpd_conn *c, size_t i, const struct policy_wire_verdict *v,
    struct smtp_out *out)
{
	char client[SMTPD_IP_TEXT + 16];

	smtpd_conn_client(c, client, sizeof(client));
	log_info("%s: %s-reject: END-OF-MESSAGE from %s: %s; helo=<%s>", c->qid,
	    smtpd.checks[i].name, client, v->reply, c->helo);
	if (v->action == MSG_POLICY_REJECT) {
		stats_add(i == SMTPD_CHECK_CONTENT ? STATS_SMTP_REJ_CONTENT :
						     STATS_SMTP_REJ_POLICY,
		    1);
	}
	smtpd_txn_abort(c);
	smtp_session_message_refused(&c->s, v->reply, out);
}

/* discarded - 250 for a message that is dropped (a milter's DISCARD):
 * the client must not send it again */
static void
discarded(struct smtpd_conn *c, size_t i, const struct policy_wire_verdict *v,
    struct smtp_out *out)
{
	char qid[MSG_QUEUE_ID_MAX + 1];

	snprintf(qid, sizeof(qid), "%s", c->qid);
	log_info("%s: %s-discard: END-OF-MESSAGE from %s: %s", c->qid,
	    smtpd.checks[i].name, c->ip, v->reply);
	smtpd_txn_abort(c);
	smtp_session_message_done(&c->s, 1, qid, out);
}

/* verdict - check i's answer for c's message */
static void
verdict(struct smtpd_conn *c, size_t i, const struct policy_wire_verdict *v,
    struct smtp_out *out)
{
	c->wait = SMTPD_W_NONE;
	switch (v->action) {
	case MSG_POLICY_REJECT:
	case MSG_POLICY_TEMPFAIL:
		refused(c, i, v, out);
		return;
	case MSG_POLICY_DISCARD:
		discarded(c, i, v, out);
		return;
	default:
		break;
	}
	rename_forged(c, v);
	if (i == SMTPD_CHECK_POLICY && c->prepend_len == 0) {
		/* the policy's block comes first: its ARC set, if any, opens
		 * the header block (add_prepend never leaves the first out) */
		c->seal_len =
		    policy_msg_arc_set_len(v->prepend, v->prepend_len);
	}
	if (add_prepend(c, i, v) == -1 ||
	    (v->action == MSG_POLICY_QUARANTINE && c->quarantine == NULL &&
		(c->quarantine = strdup(v->reply)) == NULL) ||
	    c->write_error) {
		log_warn("%s: message from %s not stored: %s", c->qid, c->ip,
		    c->write_error ? strerror(c->write_error) :
				     "out of memory");
		smtpd_txn_abort(c);
		smtp_session_message_done(&c->s, 0, NULL, out);
		return;
	}
	smtpd_check_next(c, i + 1, out);
}

/* keep_rewrite - the content process's rewritten message for the
 * commit (fd is ours now); a strip's reason becomes the quarantine
 * reason of the original. -1: out of memory (fd closed) */
static int
keep_rewrite(struct smtpd_conn *c, const struct policy_wire_verdict *v, int fd)
{
	if (c->quarantine != NULL) {
		log_info("%s: content: rewrite dropped: the message is in "
			 "quarantine already",
		    c->qid);
		close(fd);
		return 0;
	}
	if (v->rewrite == MSG_REWRITE_STRIP &&
	    (c->quarantine = strdup(v->reply)) == NULL) {
		close(fd);
		return -1;
	}
	if (c->rewrite != MSG_REWRITE_NONE) {
		close(c->rewrite_fd); /* one content check per message */
	}
	c->rewrite = v->rewrite;
	c->rewrite_fd = fd;
	return 0;
}

/* forward_notice - the content process's notice for the administrators
 * to the queue (Q_NOTICE), whatever the action, before the reply goes
 * out; the queue makes the mail. Lost with a lost queue link: the
 * message's own fate does not depend on it. */
static void
forward_notice(struct smtpd_conn *c, const struct policy_wire_verdict *v)
{
	static uint8_t body[2 + MSG_NOTICE_MAX];
	struct msg_body_writer w;

	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_cstr(&w, v->notice);
	if (w.err ||
	    chan_send_body(&smtpd.queue, MSG_Q_NOTICE, c->id, -1, &w) !=
		SK_OK) {
		log_warn("%s: content: the administrators' notice was not "
			 "sent to the queue",
		    c->qid);
	}
}

/* check_msg - P_VERDICT from check i; only the content process sends a
 * descriptor, and only with a rewrite mode */
static void
check_msg(size_t i, struct msg *m)
{
	static struct policy_wire_verdict v;
	struct smtpd_conn *c = smtpd_conn_find(m->hdr.peer);
	struct smtp_out out;
	int fd = m->fd;

	m->fd = -1;
	if (m->hdr.type != MSG_P_VERDICT ||
	    policy_msg_verdict_get(m->body, m->hdr.len, &v) != SK_OK ||
	    (i == SMTPD_CHECK_CONTENT && v.nrenames > 0) ||
	    (i == SMTPD_CHECK_POLICY &&
		(v.rewrite != MSG_REWRITE_NONE || v.notice[0] != '\0')) ||
	    (fd != -1) != (v.rewrite != MSG_REWRITE_NONE)) {
		if (fd != -1) {
			close(fd);
		}
		fatal("bad %s from the %s process", msg_type_name(m->hdr.type),
		    smtpd.checks[i].name);
	}
	/* the client may have left meanwhile: nobody waits */
	if (c == NULL || c->wait != SMTPD_W_CHECK || c->check != i ||
	    c->sealing || strcmp(c->qid, v.qid) != 0) {
		if (fd != -1) {
			close(fd);
		}
		return;
	}
	out.len = 0;
	if (v.notice[0] != '\0') {
		forward_notice(c, &v);
	}
	if (fd != -1 &&
	    (v.action == MSG_POLICY_ACCEPT ||
		v.action == MSG_POLICY_QUARANTINE)) {
		if (keep_rewrite(c, &v, fd) == -1) {
			c->write_error = ENOMEM;
		}
	} else if (fd != -1) {
		close(fd);
	}
	verdict(c, i, &v, &out);
	smtpd_conn_send_out(c, &out);
	smtpd_conn_resume(c);
}

/* sealed_msg - P_SEALED: the set for c's rewritten message, then the
 * commit */
static void
sealed_msg(struct msg *m)
{
	static struct policy_wire_sealed s;
	struct smtpd_conn *c = smtpd_conn_find(m->hdr.peer);
	struct smtp_out out;

	if (m->fd != -1 ||
	    policy_msg_sealed_get(m->body, m->hdr.len, &s) != SK_OK) {
		fatal("bad P_SEALED from the policy process");
	}
	if (c == NULL || c->wait != SMTPD_W_CHECK || !c->sealing ||
	    strcmp(c->qid, s.qid) != 0) {
		return; /* the client left meanwhile */
	}
	c->wait = SMTPD_W_NONE;
	c->sealing = 0;
	out.len = 0;
	if (replace_seal(c, s.set, s.set_len) == -1) {
		log_warn("%s: message from %s not stored: out of memory",
		    c->qid, c->ip);
		smtpd_txn_abort(c);
		smtp_session_message_done(&c->s, 0, NULL, &out);
	} else {
		smtpd_txn_commit(c, &out);
	}
	smtpd_conn_send_out(c, &out);
	smtpd_conn_resume(c);
}

/* check_closed - check i's process died: whoever waits for its verdict
 * is answered as if it were away */
static void
check_closed(size_t i, enum sk_result why)
{
	struct smtp_out out;
	size_t k;

	log_warn("%s link lost (%s): messages waiting for a verdict fail "
		 "with 451",
	    smtpd.checks[i].name, sk_result_str(why));
	for (k = 0; k < smtpd.maxconns; k++) {
		struct smtpd_conn *c = smtpd.conns[k];

		if (c == NULL || c->wait != SMTPD_W_CHECK || c->check != i) {
			continue;
		}
		c->wait = SMTPD_W_NONE;
		out.len = 0;
		if (c->sealing) {
			seal_away(c, &out);
		} else {
			check_away(i, c, &out);
		}
		smtpd_conn_send_out(c, &out);
		smtpd_conn_resume(c);
	}
}

static void
policy_msg(struct chan *ch, struct msg *m, void *arg)
{
	(void)ch;
	(void)arg;
	if (m->hdr.type == MSG_P_SEALED) {
		sealed_msg(m);
		return;
	}
	check_msg(SMTPD_CHECK_POLICY, m);
}

static void
policy_closed(struct chan *ch, enum sk_result why, void *arg)
{
	(void)ch;
	(void)arg;
	check_closed(SMTPD_CHECK_POLICY, why);
}

static void
content_msg(struct chan *ch, struct msg *m, void *arg)
{
	(void)ch;
	(void)arg;
	check_msg(SMTPD_CHECK_CONTENT, m);
}

static void
content_closed(struct chan *ch, enum sk_result why, void *arg)
{
	(void)ch;
	(void)arg;
	check_closed(SMTPD_CHECK_CONTENT, why);
}

void
smtpd_check_init(void)
{
	static const struct {
		const char *name, *away;
		chan_msg_fn *msg;
		chan_close_fn *closed;
	} rows[SMTPD_CHECKS] = {
		[SMTPD_CHECK_POLICY] = { "policy", SMTPD_POLICY_AWAY,
		    policy_msg, policy_closed },
		[SMTPD_CHECK_CONTENT] = { "content", SMTPD_CONTENT_AWAY,
		    content_msg, content_closed },
	};
	size_t i;

	for (i = 0; i < SMTPD_CHECKS; i++) {
		smtpd.checks[i].name = rows[i].name;
		smtpd.checks[i].away = rows[i].away;
		smtpd.checks[i].msg = rows[i].msg;
		smtpd.checks[i].closed = rows[i].closed;
		chan_init(&smtpd.checks[i].chan);
	}
}

void
smtpd_check_link(size_t i, int fd)
{
	struct smtpd_check *k = &smtpd.checks[i];

	if (chan_reopen(&k->chan, &smtpd.loop, fd, k->msg, k->closed, NULL) ==
	    -1) {
		fatal("%s link: %s", k->name, strerror(errno));
	}
}

int
smtpd_check_rewrite(struct smtpd_conn *c, uint8_t *mode)
{
	int fd = c->rewrite != MSG_REWRITE_NONE ? c->rewrite_fd : -1;

	*mode = c->rewrite;
	c->rewrite = MSG_REWRITE_NONE;
	c->rewrite_fd = -1;
	return fd;
}

void
smtpd_check_forget(struct smtpd_conn *c)
{
	if (c->rewrite != MSG_REWRITE_NONE) {
		close(c->rewrite_fd);
		c->rewrite = MSG_REWRITE_NONE;
	}
	free(c->prepend);
	c->prepend = NULL;
	c->prepend_len = 0;
	c->seal_len = 0;
	c->sealing = 0;
	free(c->quarantine);
	c->quarantine = NULL;
}
