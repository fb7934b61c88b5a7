/*
 * content_process.c - the content process (content_process.h).
 *
 * Role: the scanner chains and content rules between smtp and the
 * queue. User sekimori-content, no_new_privs, no chroot (clamd's and
 * milters' unix sockets are opened by path for every message).
 * Untrusted input: messages (smtp's descriptor, read with pread in
 * CONTENT_CHUNK pieces, never whole in memory), their envelopes, and the
 * scanners' replies (parsed by firmware/scan).
 *
 * Threads. The event loop owns both channels, the job count and all
 * logging. A P_CHECK becomes a job, queued under Q.lock for
 * CONTENT_WORKERS workers; a worker runs the job to its decision with
 * the blocking scanner drivers (each scanner call returns by its
 * timeout) and puts it on the done list, then bumps an eventfd; the
 * loop takes the done list, logs and answers. A job is touched by one
 * thread at a time: the queue's lock hands it over. Workers never log
 * (log.h's sink is the loop's channel): they write their warnings into
 * the job.
 *
 * Per worker, allocated once at the start: the facts (the MIME walker
 * and its archive buffer, content_facts_size() octets), one scanner
 * context as large as the largest backend the chains use (the milter's
 * is about 830 KiB), the read buffer, the chain's results and the
 * recipient list a milter sees.
 */
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../policy/policy_msg.h"
#include "../scan/scan_milter.h"
#include "../scan/scan_milter_io.h"
#include "chan.h"
#include "content.h"
#include "content_envelope.h"
#include "content_process.h"
#include "content_rewrite.h"
#include "event.h"
#include "log.h"

#define CONTENT_WARN_MAX 4096     /* a job's warning lines, '\n' apart */
#define CONTENT_TIMERS 8          /* the loop arms none; a small heap */
#define CONTENT_DAEMON "sekimori" /* the milter's {daemon_name} */

struct content_job {
	struct content_job *next; /* in Q.todo or Q.done */
	uint32_t peer;            /* smtp's session */
	unsigned smtp_gen;        /* P.smtp.gen when the check came */
	int fd;                   /* the spool file, read-only for us */
	const char *failed;       /* not decided: why (451) */
	struct policy_check check;
	struct content_decision decision;
	int out_fd;      /* the rewritten message (memfd), or -1 */
	uint8_t rewrite; /* enum msg_rewrite */
	char warn[CONTENT_WARN_MAX];
	size_t warn_len;
	/* the milters' envelope changes, one line each ('\n' apart), and
	 * the last milter whose changes are kept */
	char envlog[CONTENT_WARN_MAX];
	size_t envlog_len;
	const char *env_by;
	int plain_copy; /* out_fd is the message unchanged (and the
			 * trailer): the whole prepend goes before it */
};

struct content_worker {
	pthread_t thread;
	int started;
	struct content_facts *facts;
	void *ctx; /* scanner context, ctx_size octets */
	size_t ctx_size;
	uint8_t *chunk; /* CONTENT_CHUNK */
	size_t held;    /* chunk holds the job's file from octet 0 to this */
	int unread;     /* a read of the job's file failed or came short */
	struct content_scan *scans; /* CONFIG_SCANNERS_MAX */
	const char **rcpt;          /* POLICY_MSG_RCPT_MAX */
	/* the rewrite (content_rewrite.h): the chain's header edits, a
	 * milter's new body (a memfd, -1 none), the parts to strip */
	struct content_edits *edits;
	struct content_rewrite_scratch *rw;
	struct content_strip *strip;
	int body_fd;
	uint64_t body_size;
	int body_bad; /* the new body could not be kept */
	int body_new; /* the running milter sent (part of) a new body */
	/* the chain's envelope changes (content_envelope.h) and their
	 * trailer, MSG_ENV_TRAILER_MAX octets */
	struct content_envelope *envc;
	uint8_t *trailer;
};

/* What the loop and the workers share, under lock. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or stop */
	struct content_job *todo, *todo_tail;
	struct content_job *done, *done_tail;
	int stop;
	int efd; /* the workers' "a job is done" to the loop */
} Q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, NULL,
	NULL, 0, -1 };

/* The loop's own state (workers read cfg, hostname, msg_max only). */
static struct {
	const struct config *cfg;
	struct event_loop loop;
	struct event_timer *heap[CONTENT_TIMERS];
	struct chan parent, smtp;
	struct event_io done_io;
	size_t njobs; /* checks taken and not yet answered */
	int stopping; /* SHUTDOWN came: finish the jobs, then exit */
	uint64_t msg_max;
	char hostname[CONFIG_DOMAIN_SIZE];
	struct content_worker workers[CONTENT_WORKERS];
} P;

/* ---- the workers: one message, start to decision ------------------- */

static void content_warn(struct content_job *j, const char *fmt, ...)
    SK_PRINTF(2, 3);

/* content_warn - one warning line for the loop to log */
static void
content_warn(struct content_job *j, const char *fmt, ...)
{
	size_t room = sizeof(j->warn) - j->warn_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(j->warn + j->warn_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 >= room) {
		j->warn[j->warn_len] = '\0'; /* no room: the line is lost */
		return;
	}
	j->warn_len += (size_t)n;
	j->warn[j->warn_len++] = '\n';
	j->warn[j->warn_len] = '\0';
}

/* content_pread - up to n octets at off, retrying EINTR */
static ssize_t
content_pread(int fd, uint8_t *p, size_t n, uint64_t off)
{
	ssize_t got;

	do {
		got = pread(fd, p, n, (off_t)off);
	} while (got < 0 && errno == EINTR);
	return got;
}

/* content_piece - the next piece of the file at off into w->chunk: its
 * length, or 0 when the file ends early or cannot be read. A message of
 * one piece is read once: the facts and each scanner get the same
 * octets from w->chunk (the spool file does not change meanwhile). */
static size_t
content_piece(struct content_worker *w, int fd, uint64_t off, uint64_t size)
{
	size_t want =
	    size - off < CONTENT_CHUNK ? (size_t)(size - off) : CONTENT_CHUNK;
	ssize_t n;

	if (off == 0 && w->held == want && want > 0) {
		return want;
	}
	n = content_pread(fd, w->chunk, want, off);
	w->held = off == 0 && n > 0 ? (size_t)n : 0;
	if (n <= 0) {
		w->unread = 1;
	}
	return n > 0 ? (size_t)n : 0;
}

/* content_rules_for - whether a rule looks at messages of direction:
 * without one the facts are never read, so the walk is skipped */
static int
content_rules_for(const struct config_content *conf, uint8_t direction)
{
	enum config_content_direction want = direction == MSG_POLICY_OUTBOUND ?
	    CONFIG_CONTENT_OUTBOUND :
	    CONFIG_CONTENT_INBOUND;
	size_t i;

	for (i = 0; i < conf->nrules; i++) {
		if (conf->rules[i].direction == CONFIG_CONTENT_BOTH ||
		    conf->rules[i].direction == want) {
			return 1;
		}
	}
	return 0;
}

/* content_read_facts - one pass over the file into the facts (none when
 * no rule would read them: the scanners read the file then, and a read
 * that fails there fails the job as it would here); its size in *size,
 * or -1 with j->failed set */
static int
content_read_facts(struct content_worker *w, struct content_job *j,
    uint64_t *size)
{
	struct stat st;
	uint64_t off;
	size_t n;

	if (fstat(j->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		j->failed = "the content is no regular file";
		return -1;
	}
	if ((uint64_t)st.st_size > P.msg_max) {
		j->failed = "the message is larger than the limit";
		return -1;
	}
	*size = (uint64_t)st.st_size;
	w->held = 0; /* what the chunk holds is the last job's */
	w->unread = 0;
	content_facts_init(w->facts);
	if (!content_rules_for(&P.cfg->content, j->check.direction)) {
		return 0;
	}
	for (off = 0; off < *size; off += n) {
		if ((n = content_piece(w, j->fd, off, *size)) == 0) {
			j->failed = "cannot read the content";
			return -1;
		}
		content_facts_feed(w->facts, w->chunk, n);
	}
	content_facts_finish(w->facts);
	return 0;
}

/* content_max_rcpts - the relay's recipient limit (smtp's default when
 * the config has none): a message may not have more after the milters */
static uint32_t
content_max_rcpts(void)
{
	return P.cfg->limits.recipients > 0 ? P.cfg->limits.recipients :
					      CONTENT_RCPTS_DEFAULT;
}

/* content_env - what a milter sees of the session, from the check */
static void
content_env(struct content_worker *w, const struct content_job *j,
    struct scan_env *env)
{
	const struct policy_check *c = &j->check;
	uint32_t i;

	for (i = 0; i < c->nrcpt; i++) {
		w->rcpt[i] = policy_check_rcpt(c, i);
	}
	memset(env, 0, sizeof(*env));
	env->myhostname = P.hostname;
	env->daemon_name = CONTENT_DAEMON;
	env->queue_id = c->qid;
	env->client_addr = c->client_ip;
	env->client_name = "unknown"; /* P_CHECK carries no reverse name */
	env->helo = c->helo;
	env->auth_user = c->auth_user;
	env->sender = c->mail_from;
	env->rcpt = w->rcpt;
	env->nrcpt = c->nrcpt;
	/* the rewrite's trailer takes them to the queue */
	env->envelope_ok = 1;
	env->max_rcpts = content_max_rcpts();
}

/* content_put - len octets at the end of s->add_headers; -1: no room */
static int
content_put(struct content_scan *s, size_t *len, const char *p, size_t n)
{
	if (n > MSG_PREPEND_MAX - *len) {
		return -1;
	}
	memcpy(s->add_headers + *len, p, n);
	*len += n;
	return 0;
}

/* content_name_ok - a field name the block check will take (RFC 5322
 * 2.2: ftext, printable but the colon) */
static int
content_name_ok(const char *name)
{
	if (*name == '\0') {
		return 0;
	}
	for (; *name != '\0'; name++) {
		if (*name < 33 || *name > 126 || *name == ':') {
			return 0;
		}
	}
	return 1;
}

/*
 * content_header_add - a milter's added field as CRLF lines at the end
 * of s->add_headers: "Name: value" (no space of ours when the milter
 * negotiated SMFIP_HDR_LEADSPC: its value brings its own). The milter
 * folds with "\n" (Sendmail's form): each becomes CRLF, with a tab
 * when the next line would not start with white space, so the field
 * cannot end early and start another; CR, empty lines and trailing line
 * ends are dropped. -1 (nothing added) when it does not fit.
 */
static int
content_header_add(struct content_scan *s, const char *name, const char *value,
    int leadspc)
{
	size_t len = s->add_headers_len;
	const char *v;
	int bad = !content_name_ok(name);

	bad = bad || content_put(s, &len, name, strlen(name)) != 0 ||
	    content_put(s, &len, leadspc ? ":" : ": ", leadspc ? 1 : 2) != 0;
	for (v = value; !bad && *v != '\0'; v++) {
		if (*v == '\r') {
			continue;
		}
		if (*v != '\n') {
			bad = content_put(s, &len, v, 1) != 0;
			continue;
		}
		while (v[1] == '\n' || v[1] == '\r') {
			v++;
		}
		if (v[1] == '\0') {
			break;
		}
		bad = content_put(s, &len, "\r\n", 2) != 0 ||
		    (v[1] != ' ' && v[1] != '\t' &&
			content_put(s, &len, "\t", 1) != 0);
	}
	if (bad || content_put(s, &len, "\r\n", 2) != 0) {
		s->add_headers[s->add_headers_len] = '\0';
		return -1;
	}
	s->add_headers_len = len;
	s->add_headers[len] = '\0';
	return 0;
}

/* content_milter_edits - the milter's modifications: added fields also
 * go to add_headers (the prepend of a quarantined message, which is
 * kept unchanged); header edits and a new body are applied by the
 * rewrite (content_rewrite.h); quarantine is in the verdict already;
 * the envelope changes go through content_envelope.h; a refused
 * recipient is counted, not applied */
static void
content_milter_edits(struct content_scan *s,
    const struct scan_milter_actions *a, int leadspc)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		switch (a->a[i].type) {
		case SCAN_MA_ADDHEADER:
		case SCAN_MA_INSHEADER:
			/* insheader's index: our block goes first anyway */
			(void)content_header_add(s, a->a[i].name, a->a[i].value,
			    leadspc);
			break;
		case SCAN_MA_QUARANTINE:
		case SCAN_MA_CHGHEADER:
		case SCAN_MA_REPLBODY:
		case SCAN_MA_ADDRCPT:
		case SCAN_MA_ADDRCPT_PAR:
		case SCAN_MA_DELRCPT:
		case SCAN_MA_CHGFROM:
			break;
		default:
			s->not_applied++;
			break;
		}
	}
}

/* content_replbody - a milter's new body, as it arrives, to a memfd */
static void
content_replbody(void *arg, const uint8_t *p, size_t n)
{
	struct content_worker *w = arg;
	ssize_t put;

	if (!w->body_new) {
		/* this milter's body replaces an earlier milter's */
		w->body_new = 1;
		w->body_size = 0;
		w->body_bad = 0;
	}
	if (w->body_bad) {
		return;
	}
	if (w->body_fd == -1 &&
	    (w->body_fd = memfd_create("sekimori-body", MFD_CLOEXEC)) == -1) {
		w->body_bad = 1;
		return;
	}
	while (n > 0) {
		put = pwrite(w->body_fd, p, n, (off_t)w->body_size);
		if (put < 0 && errno == EINTR) {
			continue;
		}
		if (put <= 0) {
			w->body_bad = 1;
			return;
		}
		w->body_size += (uint64_t)put;
		p += put;
		n -= (size_t)put;
	}
}

/* content_backend - the scan backend of a configured scanner */
static const struct scan_backend *
content_backend(const struct config_scanner *sc)
{
	switch (sc->type) {
	case CONFIG_SCANNER_CLAMD:
		return &scan_clamd_backend;
	case CONFIG_SCANNER_MILTER:
		return &scan_milter_backend;
	case CONFIG_SCANNER_NULL:
		return &scan_null_backend;
	}
	return NULL;
}

/* content_scan_feed - the file again from its start into the scanner;
 * SK_OK, or an error (*unread: we could not read the file) */
static enum sk_result
content_scan_feed(struct content_worker *w, const struct scan_backend *b,
    int fd, uint64_t size, int *unread)
{
	uint64_t off;
	size_t n;

	for (off = 0; off < size; off += n) {
		if ((n = content_piece(w, fd, off, size)) == 0) {
			*unread = 1;
			return SK_E_IO;
		}
		if (b->feed(w->ctx, w->chunk, n) != SK_OK) {
			return SK_E_IO;
		}
	}
	return SK_OK;
}

/* content_replbody_empty - a REPLBODY whose body had no octets (the
 * callback never ran): the new body is empty */
static void
content_replbody_empty(struct content_worker *w,
    const struct scan_milter_actions *a)
{
	size_t i;

	for (i = 0; i < a->n && !w->body_new; i++) {
		if (a->a[i].type == SCAN_MA_REPLBODY) {
			content_replbody(w, (const uint8_t *)"", 0);
		}
	}
}

/* content_milter_hook - the milter core keeps a new body through us
 * (scan_milter_io.c only counts it); 1, so it chains in a condition */
static int
content_milter_hook(struct content_worker *w, const struct scan_backend *b)
{
	struct scan_milter *core;

	if (b == &scan_milter_backend) {
		core = &((struct scan_milter_io *)w->ctx)->core;
		core->replbody = content_replbody;
		core->replbody_arg = w;
		core->replbody_max = P.msg_max;
	}
	return 1;
}

/* content_envlog - one line of envelope changes for the log */
static void
content_envlog(struct content_job *j, const char *line)
{
	size_t n = strlen(line);

	if (n == 0 || n + 2 > sizeof(j->envlog) - j->envlog_len) {
		return; /* no room: the warning budget is the bound */
	}
	memcpy(j->envlog + j->envlog_len, line, n);
	j->envlog_len += n;
	j->envlog[j->envlog_len++] = '\n';
	j->envlog[j->envlog_len] = '\0';
}

/*
 * content_envelope_take - a milter's envelope changes, when its session
 * ended well (clean or quarantine): applied to the chain's envelope so
 * far. Past the relay's recipient limit (or MSG_ENV_OPS_MAX changes) the
 * milter counts as failed: its on-failure decides (README "Envelope").
 */
static void
content_envelope_take(struct content_worker *w, struct content_job *j,
    const struct config_scanner *sc, const struct scan_milter_actions *a,
    struct content_scan *out)
{
	char line[1024], why[SCAN_TEXT_MAX];
	enum sk_result r;

	if (out->result.verdict != SCAN_CLEAN &&
	    out->result.verdict != SCAN_QUARANTINE) {
		return;
	}
	r = content_envelope_add(w->envc, a, content_max_rcpts());
	if (r != SK_OK) {
		snprintf(why, sizeof(why),
		    "milter: %s after its envelope changes",
		    r == SK_E_RANGE ?
			"too many recipients (the relay's limit)" :
			"too many envelope changes");
		scan_result_set(&out->result, SCAN_ERROR, why, strlen(why));
		return;
	}
	content_envelope_log(a, sc->name, line, sizeof(line));
	if (line[0] != '\0') {
		j->env_by = sc->name;
		content_envlog(j, line);
	}
}

/* content_scan_one - one scanner over the message into *out */
static void
content_scan_one(struct content_worker *w, struct content_job *j, uint64_t size,
    const struct config_scanner *sc, const struct scan_env *env,
    struct content_scan *out)
{
	int fd = j->fd;
	const struct scan_backend *b = content_backend(sc);
	const struct scan_milter_actions *a;
	struct scan_conf conf;
	int unread = 0, leadspc;

	out->scanner = sc;
	out->add_headers[0] = '\0';
	out->add_headers_len = 0;
	out->not_applied = 0;
	if (b == NULL || b->ctx_size > w->ctx_size) {
		scan_result_set(&out->result, SCAN_ERROR, "no such backend",
		    strlen("no such backend"));
		return;
	}
	conf.address = sc->address;
	conf.timeout_ms = sc->timeout_ms;
	conf.max_size = sc->max_size;
	w->body_new = 0;
	if (b->open(w->ctx, &conf, env) == SK_OK && content_milter_hook(w, b) &&
	    content_scan_feed(w, b, fd, size, &unread) == SK_OK) {
		(void)b->finish(w->ctx); /* the verdict says how it went */
	}
	b->verdict(w->ctx, &out->result);
	if (unread) {
		scan_result_set(&out->result, SCAN_ERROR,
		    "cannot read the message",
		    strlen("cannot read the message"));
	}
	if (b->actions != NULL && (a = b->actions(w->ctx)) != NULL) {
		/* only the milter has actions; whether its values bring
		 * their own leading space is in its negotiated flags */
		leadspc = b == &scan_milter_backend &&
		    (((const struct scan_milter_io *)w->ctx)->core.protocol &
			SMFIP_HDR_LEADSPC) != 0;
		content_milter_edits(out, a, leadspc);
		content_edits_add(w->edits, a, leadspc);
		content_replbody_empty(w, a);
		out->not_applied += w->edits->dropped;
		w->edits->dropped = 0;
		content_envelope_take(w, j, sc, a, out);
	}
	b->close(w->ctx);
}

/* content_scan_decides - whether this result settles the message, so
 * the rest of the chain need not run (README "Chains") */
static int
content_scan_decides(const struct content_scan *s)
{
	switch (s->result.verdict) {
	case SCAN_INFECTED:
	case SCAN_REJECT:
	case SCAN_TEMPFAIL:
	case SCAN_DISCARD:
	case SCAN_QUARANTINE:
		return 1;
	case SCAN_ERROR:
		return !s->scanner->on_failure_accept;
	default:
		return 0;
	}
}

/* content_job_warnings - the lines the decision leaves for the log */
static void
content_job_warnings(struct content_job *j, const struct content_scan *s,
    size_t n)
{
	const char *qid = j->check.qid;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].result.verdict == SCAN_ERROR &&
		    s[i].scanner->on_failure_accept) {
			content_warn(j,
			    "%s: content: scanner %s unavailable (%s): %s "
			    "(on-failure accept-and-log)",
			    qid, s[i].scanner->name, s[i].result.text,
			    j->decision.action == MSG_POLICY_ACCEPT ?
				"accepted unscanned" :
				"not scanned");
		}
		if (s[i].not_applied > 0) {
			content_warn(j,
			    "%s: content: milter %s: %u modification%s not "
			    "applied (envelope changes are not)",
			    qid, s[i].scanner->name, s[i].not_applied,
			    s[i].not_applied == 1 ? "" : "s");
		}
	}
	if (j->check.rcpt_omitted > 0 && n > 0) {
		content_warn(j,
		    "%s: content: %u recipient%s not shown to the scanners "
		    "(too many for one check)",
		    qid, j->check.rcpt_omitted,
		    j->check.rcpt_omitted == 1 ? "" : "s");
	}
}

/* content_has_replbody - whether a milter of the chain sent a new body
 * (the body file holds the last one) */
static int
content_has_replbody(const struct content_worker *w)
{
	return w->body_fd != -1 && !w->body_bad;
}

/* content_strip_reason - "rule NAME: stripped N part(s): WHAT" from the
 * quarantine reason "rule NAME: WHAT" */
static void
content_strip_reason(struct content_decision *d, size_t nparts)
{
	char what[MSG_POLICY_REPLY_MAX + 1];
	const char *colon = strstr(d->reply, ": ");

	snprintf(what, sizeof(what), "%s", colon != NULL ? colon + 2 : "");
	/* a long WHAT is cut: the reason has MSG_POLICY_REPLY_MAX octets */
	if (snprintf(d->reply, sizeof(d->reply),
		"rule %s: stripped %zu part%s: %s", d->strip->name, nparts,
		nparts == 1 ? "" : "s", what) >= (int)sizeof(d->reply)) {
		d->reply[sizeof(d->reply) - 1] = '\0';
	}
}

/* content_memfd - the rewritten message into a new memfd; SK_OK with
 * j->out_fd set */
static enum sk_result
content_memfd(struct content_worker *w, struct content_job *j,
    const struct content_rewrite_in *in)
{
	unsigned not_applied = 0;
	uint64_t out_size;
	enum sk_result r;
	int fd;

	if ((fd = memfd_create("sekimori-rewrite", MFD_CLOEXEC)) == -1) {
		return SK_E_IO;
	}
	r = content_rewrite(in, w->rw, fd, &out_size, &not_applied);
	if (r != SK_OK) {
		close(fd);
		return r;
	}
	if (not_applied > 0) {
		content_warn(j,
		    "%s: content: %u header edit%s not applied (not a valid "
		    "header field, or no room)",
		    j->check.qid, not_applied, not_applied == 1 ? "" : "s");
	}
	j->out_fd = fd;
	return SK_OK;
}

/*
 * content_job_rewrite - the delivered message, when it changes: a strip
 * rule's parts cut out (else the whole message stays in quarantine), a
 * milter's header edits and new body, a tag rule's subject prefix. A
 * change that cannot be made is a 451 (README "Rewriting").
 */
static void
content_job_rewrite(struct content_worker *w, struct content_job *j,
    uint64_t size)
{
	struct content_decision *d = &j->decision;
	struct content_rewrite_in in;
	enum sk_result r = SK_OK;

	memset(&in, 0, sizeof(in));
	in.fd = j->fd;
	in.size = size;
	in.edits = w->edits;
	in.body_fd = content_has_replbody(w) ? w->body_fd : -1;
	in.body_size = w->body_size;
	in.subject_prefix = d->subject_prefix;
	in.max = P.msg_max;
	if (d->action == MSG_POLICY_QUARANTINE && d->strip != NULL) {
		if (in.body_fd != -1 || w->body_bad ||
		    content_strip_pick(w->facts, d->strip, w->strip) != 0) {
			content_warn(j,
			    "%s: content: rule %s: nothing can be stripped "
			    "alone: the whole message is quarantined",
			    j->check.qid, d->strip->name);
			return;
		}
		in.strip = w->strip;
		if (content_memfd(w, j, &in) != SK_OK) {
			content_warn(j,
			    "%s: content: rule %s: the message cannot be "
			    "rewritten: the whole message is quarantined",
			    j->check.qid, d->strip->name);
			return;
		}
		content_strip_reason(d, w->strip->n);
		d->action = MSG_POLICY_ACCEPT;
		j->rewrite = MSG_REWRITE_STRIP;
		return;
	}
	if (d->action != MSG_POLICY_ACCEPT ||
	    (w->edits->n == 0 && in.body_fd == -1 && !w->body_bad &&
		d->subject_prefix == NULL)) {
		return;
	}
	if (w->body_bad || (r = content_memfd(w, j, &in)) != SK_OK) {
		content_warn(j,
		    "%s: content: the message cannot be rewritten "
		    "(%s): action=tempfail",
		    j->check.qid,
		    w->body_bad ? "the new body could not be kept" :
				  sk_result_str(r));
		d->action = MSG_POLICY_TEMPFAIL;
		snprintf(d->reply, sizeof(d->reply), "%s",
		    r == SK_E_TOO_LONG && !w->body_bad ? CONTENT_REPLY_TOO_BIG :
							 CONTENT_REPLY_REWRITE);
		return;
	}
	j->rewrite = MSG_REWRITE_REPLACE;
}

/* content_job_no_rcpt - the milters deleted every recipient: nobody
 * gets the message, so it is discarded (250, logged), quarantined or not */
static void
content_job_no_rcpt(struct content_worker *w, struct content_job *j)
{
	struct content_decision *d = &j->decision;

	if (!content_envelope_changed(w->envc) ||
	    content_envelope_count(w->envc) > 0 ||
	    (d->action != MSG_POLICY_ACCEPT &&
		d->action != MSG_POLICY_QUARANTINE)) {
		return;
	}
	d->action = MSG_POLICY_DISCARD;
	d->strip = NULL;
	d->subject_prefix = NULL;
	snprintf(d->reply, sizeof(d->reply),
	    "milter %s deleted every recipient", j->env_by);
	content_warn(j,
	    "%s: content: milter %s deleted every recipient: "
	    "action=discard",
	    j->check.qid, j->env_by);
}

/* content_copy - the message as it is into a new memfd (the envelope
 * changed, nothing else did); SK_OK with *out set */
static enum sk_result
content_copy(struct content_worker *w, struct content_job *j, uint64_t size,
    int *out)
{
	struct content_rewrite_in in;
	unsigned not_applied = 0;
	uint64_t out_size;
	int fd;

	memset(&in, 0, sizeof(in));
	in.fd = j->fd;
	in.size = size;
	in.body_fd = -1;
	in.max = P.msg_max;
	if ((fd = memfd_create("sekimori-rewrite", MFD_CLOEXEC)) == -1) {
		return SK_E_IO;
	}
	if (content_rewrite(&in, w->rw, fd, &out_size, &not_applied) != SK_OK) {
		close(fd);
		return SK_E_IO;
	}
	*out = fd;
	return SK_OK;
}

/* content_pwrite_all - n octets at off, retrying EINTR and short writes */
static int
content_pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	ssize_t put;

	while (n > 0) {
		put = pwrite(fd, p, n, (off_t)off);
		if (put < 0 && errno == EINTR) {
			continue;
		}
		if (put <= 0) {
			return -1;
		}
		p += put;
		n -= (size_t)put;
		off += (uint64_t)put;
	}
	return 0;
}

/* content_put_trailer - the envelope trailer after the rewritten
 * message, which ends in CRLF first (msg_types.h: that is what tells a
 * trailer from a message's end) */
static enum sk_result
content_put_trailer(struct content_worker *w, int fd)
{
	struct stat st;
	uint8_t end[2] = { 0, 0 };
	uint64_t size;
	size_t n;

	if (fstat(fd, &st) == -1) {
		return SK_E_IO;
	}
	size = (uint64_t)st.st_size;
	if (size >= 2 && content_pread(fd, end, 2, size - 2) != 2) {
		return SK_E_IO;
	}
	if (end[0] != '\r' || end[1] != '\n') {
		if (content_pwrite_all(fd, (const uint8_t *)"\r\n", 2, size) !=
		    0) {
			return SK_E_IO;
		}
		size += 2;
	}
	n = content_envelope_trailer(w->envc, w->trailer, MSG_ENV_TRAILER_MAX);
	if (n == 0 || content_pwrite_all(fd, w->trailer, n, size) != 0) {
		return SK_E_IO;
	}
	return SK_OK;
}

/*
 * content_job_envelope - the milters' envelope changes go to the queue
 * with the message (accepted, stripped or quarantined): as the trailer of
 * the rewritten message, made a copy of the stored one when nothing else
 * changed it. One that cannot be written is a 451, as a failed rewrite.
 */
static void
content_job_envelope(struct content_worker *w, struct content_job *j,
    uint64_t size)
{
	struct content_decision *d = &j->decision;
	int fd = j->out_fd;

	if (!content_envelope_changed(w->envc) ||
	    (d->action != MSG_POLICY_ACCEPT &&
		d->action != MSG_POLICY_QUARANTINE)) {
		return;
	}
	if ((fd != -1 || content_copy(w, j, size, &fd) == SK_OK) &&
	    content_put_trailer(w, fd) == SK_OK) {
		if (j->out_fd == -1) {
			j->out_fd = fd;
			j->rewrite = MSG_REWRITE_REPLACE;
			j->plain_copy = 1;
		}
		return;
	}
	if (fd != -1 && fd != j->out_fd) {
		close(fd);
	}
	content_warn(j,
	    "%s: content: the envelope changes cannot be passed on: "
	    "action=tempfail",
	    j->check.qid);
	if (j->out_fd != -1) {
		close(j->out_fd);
		j->out_fd = -1;
	}
	j->rewrite = MSG_REWRITE_NONE;
	d->action = MSG_POLICY_TEMPFAIL;
	snprintf(d->reply, sizeof(d->reply), "%s", CONTENT_REPLY_REWRITE);
}

/* content_job_notice - the administrators' notice of the decision (the
 * recipients are in w->rcpt since content_env) */
static void
content_job_notice(struct content_worker *w, struct content_job *j)
{
	struct content_notice_env env;

	memset(&env, 0, sizeof(env));
	env.qid = j->check.qid;
	env.sender = j->check.mail_from;
	env.client = j->check.client_ip;
	env.rcpts = w->rcpt;
	env.nrcpts = j->check.nrcpt;
	env.rcpts_omitted = j->check.rcpt_omitted;
	content_admin_notice(&j->decision, &env);
}

/* content_job_run - read, scan along the direction's chain, decide */
static void
content_job_run(struct content_worker *w, struct content_job *j)
{
	const struct config_content *conf = &P.cfg->content;
	const struct config_scan_chain *chain =
	    j->check.direction == MSG_POLICY_OUTBOUND ? &conf->outbound :
							&conf->inbound;
	struct scan_env env;
	uint64_t size;
	size_t i, n = 0;

	if (content_read_facts(w, j, &size) != 0) {
		return;
	}
	w->edits->n = w->edits->used = 0;
	w->edits->dropped = 0;
	w->body_size = 0;
	w->body_bad = 0;
	w->body_new = 0;
	content_env(w, j, &env);
	content_envelope_init(w->envc, w->rcpt, j->check.nrcpt,
	    j->check.rcpt_omitted);
	for (i = 0; i < chain->nscanners && i < CONFIG_SCANNERS_MAX; i++) {
		if (chain->scanner[i] >= conf->nscanners) {
			continue; /* the config's loader checks the indexes */
		}
		content_scan_one(w, j, size, &conf->scanners[chain->scanner[i]],
		    &env, &w->scans[n]);
		if (content_scan_decides(&w->scans[n++])) {
			break;
		}
	}
	if (w->unread) {
		/* as when the facts' pass cannot read it (451): never a
		 * scanner error that accept-and-log lets through unscanned */
		j->failed = "cannot read the content";
	} else {
		content_decide(conf, j->check.direction,
		    content_facts_view(w->facts), w->scans, n, &j->decision);
		content_job_warnings(j, w->scans, n);
		content_job_no_rcpt(w, j);
		content_job_rewrite(w, j, size);
		content_job_envelope(w, j, size);
		content_job_notice(w, j);
	}
	if (w->body_fd != -1) {
		close(w->body_fd);
		w->body_fd = -1;
	}
}

/* content_worker_main - take jobs until told to stop and none is left */
static void *
content_worker_main(void *arg)
{
	struct content_worker *w = arg;
	struct content_job *j;
	uint64_t one = 1;

	for (;;) {
		pthread_mutex_lock(&Q.lock);
		while (Q.todo == NULL && !Q.stop) {
			pthread_cond_wait(&Q.work, &Q.lock);
		}
		if ((j = Q.todo) == NULL) {
			pthread_mutex_unlock(&Q.lock);
			return NULL;
		}
		if ((Q.todo = j->next) == NULL) {
			Q.todo_tail = NULL;
		}
		pthread_mutex_unlock(&Q.lock);

		content_job_run(w, j);

		pthread_mutex_lock(&Q.lock);
		j->next = NULL;
		if (Q.done_tail != NULL) {
			Q.done_tail->next = j;
		} else {
			Q.done = j;
		}
		Q.done_tail = j;
		pthread_mutex_unlock(&Q.lock);
		/* an eventfd counter cannot overflow with CONTENT_JOBS_MAX
		 * jobs: a failed write has nothing to retry */
		if (write(Q.efd, &one, sizeof(one)) < 0) {
			continue;
		}
	}
}

/* ---- the loop: jobs in, verdicts out ------------------------------- */

/* content_queue - hand j to the workers */
static void
content_queue(struct content_job *j)
{
	pthread_mutex_lock(&Q.lock);
	j->next = NULL;
	if (Q.todo_tail != NULL) {
		Q.todo_tail->next = j;
	} else {
		Q.todo = j;
	}
	Q.todo_tail = j;
	pthread_cond_signal(&Q.work);
	pthread_mutex_unlock(&Q.lock);
}

static void
content_job_free(struct content_job *j)
{
	if (j->fd != -1) {
		close(j->fd);
	}
	if (j->out_fd != -1) {
		close(j->out_fd);
	}
	free(j);
}

/* content_encode - the verdict's body; SK_OK only if smtp's decoder
 * would take it (a decision we cannot send becomes a 451) */
static enum sk_result
content_encode(struct msg_body_writer *bw, uint8_t *body, const char *qid,
    uint8_t action, const char *reply, const char *prepend, size_t plen,
    uint8_t rewrite, const char *notice)
{
	static struct policy_wire_verdict v, back;

	if (plen > MSG_PREPEND_MAX) {
		return SK_E_TOO_LONG;
	}
	memset(&v, 0, sizeof(v));
	snprintf(v.qid, sizeof(v.qid), "%s", qid);
	v.action = action;
	snprintf(v.reply, sizeof(v.reply), "%s", reply);
	memcpy(v.prepend, prepend, plen);
	v.prepend_len = plen;
	v.rewrite = rewrite;
	snprintf(v.notice, sizeof(v.notice), "%s", notice);
	msg_body_writer_init(bw, body, MSG_BODY_MAX);
	policy_msg_verdict_put(bw, &v);
	if (bw->err) {
		return SK_E_TOO_LONG;
	}
	return policy_msg_verdict_get(body, bw->len, &back);
}

/* content_answer - P_VERDICT for session peer, if the smtp link that
 * asked is still there (else the answer has nobody to go to); *out_fd
 * (the rewritten message with rewrite, else -1) goes with it, and is -1
 * after (the channel or we closed it) */
static void
content_answer(uint32_t peer, unsigned gen, const char *qid, uint8_t action,
    const char *reply, const char *prepend, size_t plen, int *out_fd,
    uint8_t rewrite, const char *notice)
{
	static uint8_t body[MSG_BODY_MAX];
	struct msg_body_writer bw;
	int fd = *out_fd;

	*out_fd = -1;
	if (!P.smtp.open || P.smtp.gen != gen) {
		if (fd != -1) {
			close(fd);
		}
		return;
	}
	if (content_encode(&bw, body, qid, action, reply, prepend, plen,
		fd != -1 ? rewrite : MSG_REWRITE_NONE, notice) != SK_OK) {
		log_warn("%s: content: the decision cannot be sent "
			 "(action %u, reply \"%s\"): action=tempfail",
		    qid, action, reply);
		if (fd != -1) {
			close(fd);
			fd = -1;
		}
		if (content_encode(&bw, body, qid, MSG_POLICY_TEMPFAIL,
			CONTENT_REPLY_UNAVAILABLE, "", 0, MSG_REWRITE_NONE,
			"") != SK_OK) {
			panic("content: the tempfail verdict does not encode");
		}
	}
	if (chan_send_body(&P.smtp, MSG_P_VERDICT, peer, fd, &bw) != SK_OK) {
		if (fd != -1) {
			close(fd);
		}
		if (P.smtp.open) {
			fatal("content: cannot answer smtp");
		}
	}
}

/* content_log_warnings - the worker's lines, one log_warn each */
static void
content_log_warnings(struct content_job *j)
{
	char *line = j->warn, *end;

	while ((end = strchr(line, '\n')) != NULL) {
		*end = '\0';
		log_warn("%s", line);
		line = end + 1;
	}
}

/* content_log_envelope - what the milters changed in the envelope */
static void
content_log_envelope(struct content_job *j)
{
	char *line = j->envlog, *end;

	while ((end = strchr(line, '\n')) != NULL) {
		*end = '\0';
		log_info("%s: content: %s", j->check.qid, line);
		line = end + 1;
	}
}

/* content_job_answer - log j's outcome and send its verdict */
static void
content_job_answer(struct content_job *j)
{
	const struct content_decision *d = &j->decision;

	content_log_warnings(j);
	content_log_envelope(j);
	if (j->failed != NULL) {
		log_warn("%s: content: %s: action=tempfail", j->check.qid,
		    j->failed);
		content_answer(j->peer, j->smtp_gen, j->check.qid,
		    MSG_POLICY_TEMPFAIL, CONTENT_REPLY_UNAVAILABLE, "", 0,
		    &j->out_fd, MSG_REWRITE_NONE, "");
		return;
	}
	log_info("%s: content: %s%s", j->check.qid, d->log,
	    j->rewrite == MSG_REWRITE_STRIP       ? " rewrite=strip" :
		j->rewrite == MSG_REWRITE_REPLACE ? " rewrite=replace" :
						    "");
	/* a rewritten message has the milters' fields in it: only the
	 * tag header goes before it */
	content_answer(j->peer, j->smtp_gen, j->check.qid, d->action, d->reply,
	    d->prepend,
	    j->rewrite != MSG_REWRITE_NONE && !j->plain_copy ? d->tag_len :
							       d->prepend_len,
	    &j->out_fd, j->rewrite, d->notice);
	if (d->notice[0] != '\0') {
		log_info("%s: content: administrators' notice sent",
		    j->check.qid);
	}
}

/* content_done_ready - the eventfd: answer every finished job */
static void
content_done_ready(struct event_loop *loop, struct event_io *io,
    uint32_t revents)
{
	struct content_job *j, *next;
	uint64_t count;

	(void)io;
	(void)revents;
	if (read(Q.efd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
		fatal("content: eventfd: %s", strerror(errno));
	}
	pthread_mutex_lock(&Q.lock);
	j = Q.done;
	Q.done = Q.done_tail = NULL;
	pthread_mutex_unlock(&Q.lock);
	for (; j != NULL; j = next) {
		next = j->next;
		content_job_answer(j);
		content_job_free(j);
		P.njobs--;
	}
	if (P.stopping && P.njobs == 0) {
		event_break(loop);
	}
}

/* content_refuse - answer a check at once with a 451 */
static void
content_refuse(struct content_job *j, const char *reply, const char *why)
{
	log_warn("%s: content: %s: action=tempfail", j->check.qid, why);
	content_answer(j->peer, j->smtp_gen, j->check.qid, MSG_POLICY_TEMPFAIL,
	    reply, "", 0, &j->out_fd, MSG_REWRITE_NONE, "");
	content_job_free(j);
}

/* content_check - P_CHECK: a new job for the workers, or a 451 now */
static void
content_check(struct msg *m)
{
	struct content_job *j;

	if (m->fd < 0) {
		fatal("content: P_CHECK without the content");
	}
	if ((j = malloc(sizeof(*j))) == NULL) {
		fatal("content: out of memory");
	}
	memset(j, 0, offsetof(struct content_job, check));
	j->out_fd = -1;
	j->rewrite = MSG_REWRITE_NONE;
	j->warn[0] = '\0';
	j->warn_len = 0;
	j->envlog[0] = '\0';
	j->envlog_len = 0;
	j->env_by = NULL;
	j->plain_copy = 0;
	j->fd = m->fd;
	m->fd = -1;
	j->peer = m->hdr.peer;
	j->smtp_gen = P.smtp.gen;
	if (policy_msg_check_get(m->body, m->hdr.len, &j->check) != SK_OK) {
		fatal("content: malformed P_CHECK from smtp");
	}
	memset(&j->decision, 0, sizeof(j->decision));
	if (P.stopping) {
		content_refuse(j, CONTENT_REPLY_UNAVAILABLE, "shutting down");
	} else if (P.njobs == CONTENT_JOBS_MAX) {
		content_refuse(j, CONTENT_REPLY_BUSY,
		    "too many messages in progress");
	} else {
		P.njobs++;
		content_queue(j);
	}
}

/* content_drop_waiting - at SHUTDOWN, the jobs no worker has started
 * get their 451 now: only the running ones are waited for, so a stop
 * takes at most one chain's timeouts */
static void
content_drop_waiting(void)
{
	struct content_job *j, *next;

	pthread_mutex_lock(&Q.lock);
	j = Q.todo;
	Q.todo = Q.todo_tail = NULL;
	pthread_mutex_unlock(&Q.lock);
	for (; j != NULL; j = next) {
		next = j->next;
		content_refuse(j, CONTENT_REPLY_UNAVAILABLE, "shutting down");
		P.njobs--;
	}
}

/* ---- the channels ----------------------------------------------------- */

static void
content_smtp_msg(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	if (m->hdr.type == MSG_P_CHECK) {
		content_check(m);
	} else if (m->hdr.type != MSG_HELLO) {
		fatal("content: unexpected %s from smtp",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

/* content_smtp_closed - smtp is gone: the jobs run on, their verdicts
 * have nobody to go to (smtp's new link has a new generation) */
static void
content_smtp_closed(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)arg;
	log_warn("content: smtp link lost (%s), %zu message%s in progress",
	    sk_result_str(why), P.njobs, P.njobs == 1 ? "" : "s");
}

static void
content_parent_msg(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	switch (m->hdr.type) {
	case MSG_HELLO:
		break;
	case MSG_SHUTDOWN:
		P.stopping = 1;
		content_drop_waiting();
		if (P.njobs == 0) {
			event_break(&P.loop);
		}
		break;
	case MSG_PEER:
		if (m->fd < 0 || msg_get_u32(m->body) != MSG_ROLE_SMTP) {
			fatal("content: MSG_PEER for role %u",
			    msg_get_u32(m->body));
		}
		if (chan_reopen(&P.smtp, &P.loop, m->fd, content_smtp_msg,
			content_smtp_closed, NULL) == -1) {
			fatal("content: smtp link: %s", strerror(errno));
		}
		m->fd = -1;
		break;
	default:
		fatal("content: unexpected %s from the supervisor",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

static void
content_parent_closed(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)arg;
	log_set_sink(NULL, NULL);
	fatal("content: parent channel closed (%s)", sk_result_str(why));
}

/* ---- setup ------------------------------------------------------------ */

/* content_ctx_size - the largest context of a backend the chains use */
static size_t
content_ctx_size(const struct config_content *conf)
{
	const struct scan_backend *b;
	size_t i, max = scan_null_backend.ctx_size;

	for (i = 0; i < conf->nscanners && i < CONFIG_SCANNERS_MAX; i++) {
		b = content_backend(&conf->scanners[i]);
		if (b != NULL && b->ctx_size > max) {
			max = b->ctx_size;
		}
	}
	return max;
}

/* content_workers_start - the workers' storage, then their threads */
static void
content_workers_start(void)
{
	size_t ctx_size = content_ctx_size(&P.cfg->content), i;
	pthread_attr_t attr;
	int err;

	if ((err = pthread_attr_init(&attr)) != 0 ||
	    (err = pthread_attr_setstacksize(&attr, CONTENT_WORKER_STACK)) !=
		0) {
		fatal("content: thread attributes: %s", strerror(err));
	}
	for (i = 0; i < CONTENT_WORKERS; i++) {
		struct content_worker *w = &P.workers[i];

		w->facts = malloc(content_facts_size());
		w->ctx = calloc(1, ctx_size);
		w->ctx_size = ctx_size;
		w->chunk = malloc(CONTENT_CHUNK);
		w->scans = calloc(CONFIG_SCANNERS_MAX, sizeof(*w->scans));
		w->rcpt = calloc(POLICY_MSG_RCPT_MAX, sizeof(*w->rcpt));
		w->edits = malloc(sizeof(*w->edits));
		w->rw = malloc(content_rewrite_scratch_size());
		w->strip = malloc(sizeof(*w->strip));
		w->envc = malloc(sizeof(*w->envc));
		w->trailer = malloc(MSG_ENV_TRAILER_MAX);
		w->body_fd = -1;
		if (w->facts == NULL || w->ctx == NULL || w->chunk == NULL ||
		    w->scans == NULL || w->rcpt == NULL || w->edits == NULL ||
		    w->rw == NULL || w->strip == NULL || w->envc == NULL ||
		    w->trailer == NULL) {
			fatal("content: out of memory for worker %zu", i);
		}
		if ((err = pthread_create(&w->thread, &attr,
			 content_worker_main, w)) != 0) {
			fatal("content: worker %zu: %s", i, strerror(err));
		}
		w->started = 1;
	}
	pthread_attr_destroy(&attr);
}

/* content_workers_stop - let the workers finish and join them */
static void
content_workers_stop(void)
{
	size_t i;

	pthread_mutex_lock(&Q.lock);
	Q.stop = 1;
	pthread_cond_broadcast(&Q.work);
	pthread_mutex_unlock(&Q.lock);
	for (i = 0; i < CONTENT_WORKERS; i++) {
		struct content_worker *w = &P.workers[i];

		if (w->started) {
			pthread_join(w->thread, NULL);
			w->started = 0;
		}
		free(w->facts);
		free(w->ctx);
		free(w->chunk);
		free(w->scans);
		free(w->rcpt);
		free(w->edits);
		free(w->rw);
		free(w->strip);
		free(w->envc);
		free(w->trailer);
	}
}

/* content_hostname - our name for the milter's macro j */
static void
content_hostname(void)
{
	if (P.cfg->server_name[0] != '\0') {
		snprintf(P.hostname, sizeof(P.hostname), "%s",
		    P.cfg->server_name);
	} else if (gethostname(P.hostname, sizeof(P.hostname) - 1) == -1) {
		snprintf(P.hostname, sizeof(P.hostname), "localhost");
	}
	P.hostname[sizeof(P.hostname) - 1] = '\0';
}

/* content_open - loop, channels, HELLO, eventfd */
static void
content_open(int parent_sock, int smtp_sock)
{
	uint8_t hello[MSG_HELLO_LEN];

	if (event_init(&P.loop, P.heap, CONTENT_TIMERS) == -1) {
		fatal("content: event loop: %s", strerror(errno));
	}
	chan_init(&P.parent);
	chan_init(&P.smtp);
	if (chan_open(&P.parent, &P.loop, parent_sock, content_parent_msg,
		content_parent_closed, NULL) == -1 ||
	    (smtp_sock != -1 &&
		chan_open(&P.smtp, &P.loop, smtp_sock, content_smtp_msg,
		    content_smtp_closed, NULL) == -1)) {
		fatal("content: cannot watch the sockets: %s", strerror(errno));
	}
	log_set_sink(chan_log_sink, &P.parent);
	msg_put_u32(hello, MSG_PROTO_VERSION);
	msg_put_u32(hello + 4, MSG_ROLE_CONTENT);
	chan_send(&P.parent, MSG_HELLO, 0, -1, hello, sizeof(hello));
	if ((Q.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    event_io_add(&P.loop, &P.done_io, Q.efd, EVENT_READ,
		content_done_ready, NULL) == -1) {
		fatal("content: eventfd: %s", strerror(errno));
	}
}

_Noreturn void
content_process(const struct config *cfg, int parent_sock, int smtp_sock)
{
	const struct config_content *conf = &cfg->content;

	memset(&P, 0, sizeof(P));
	P.cfg = cfg;
	/* the message as smtp wrote it: the size limit, our Received
	 * header and some slack; never more than CONTENT_MSG_MAX */
	P.msg_max = cfg->limits.message_size > 0 ?
	    (uint64_t)cfg->limits.message_size + CONTENT_MSG_SLACK :
	    CONTENT_MSG_MAX;
	if (P.msg_max > CONTENT_MSG_MAX) {
		P.msg_max = CONTENT_MSG_MAX;
	}
	signal(SIGPIPE, SIG_IGN);
	content_hostname();
	content_open(parent_sock, smtp_sock);
	content_workers_start();
	log_info("content: %d workers, %zu scanner%s, inbound chain of %zu, "
		 "outbound chain of %zu, %zu rule%s",
	    CONTENT_WORKERS, conf->nscanners, conf->nscanners == 1 ? "" : "s",
	    conf->inbound.nscanners, conf->outbound.nscanners, conf->nrules,
	    conf->nrules == 1 ? "" : "s");
	if (event_run(&P.loop) == -1) {
		fatal("content: event loop: %s", strerror(errno));
	}
	/* SHUTDOWN and every job answered: the workers are idle */
	content_workers_stop();
	log_info("content: shut down");
	chan_drain(&P.smtp, 1000);
	chan_drain(&P.parent, 1000);
	log_set_sink(NULL, NULL);
	exit(0);
}
