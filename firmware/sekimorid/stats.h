/*
 * stats.h - the mail statistics: counters in memory shared between the
 * supervisor and its children, for `show mail statistics`.
 *
 * The supervisor maps one slot per process role (MAP_SHARED |
 * MAP_ANONYMOUS, one page each) before it forks the first child; sekimorid
 * forks without exec, so every child inherits the mappings. A new child
 * unmaps every slot but its own (stats_child_enter), so the smtp process,
 * which talks to the internet, cannot write the queue's or the mta's
 * numbers, and it keeps only its own slot through chroot and seccomp:
 * counting is a relaxed atomic add into memory, no system call.
 *
 * The slots belong to the supervisor: a child that dies and is started
 * again (or a reload) goes on counting where the old one stopped. The
 * supervisor only reads them. "clear" does not write the slots either:
 * it remembers the totals at that moment (struct stats_view's base) and
 * shows the differences, so a clear never races a child's add.
 *
 * Counters (STATS_COUNTER) only grow; gauges (STATS_GAUGE: the queue as
 * it is now) are set by their owner and shown as they are, not since a
 * clear. The supervisor sums a counter over all slots, so a counter may
 * be counted by whichever process sees the event (the queue counts the
 * mta's per-recipient results, which it records anyway).
 *
 * Ownership: the caller owns struct stats_view (static in the
 * supervisor). In a process that is not a child of sekimorid (unit tests,
 * sekimori-queue) stats_self is NULL and stats_add does nothing.
 */
#ifndef SEKIMORID_STATS_H
#define SEKIMORID_STATS_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msg_types.h"
#include "sk.h"

enum stats_kind {
	STATS_COUNTER, /* grows; shown since the clear and since the start */
	STATS_GAUGE,   /* a level, set by its owner; shown as it is */
};

/*
 * X(ID, SECTION, NAME, KIND): every number shown, in the order shown.
 * SECTION and NAME are the output's words: lower case, no spaces, stable
 * (tests and scripts parse them). Rejections count each refused command
 * or message once, by class; a temporary failure is any 4xx reply, so a
 * 4xx rejection (limits) also counts there.
 */
#define STATS_TABLE(X)                                                         \
	X(SMTP_CONNECTIONS, "smtp", "connections", STATS_COUNTER)              \
	X(SMTP_TLS, "smtp", "tls-sessions", STATS_COUNTER)                     \
	X(SMTP_AUTH_OK, "smtp", "auth-success", STATS_COUNTER)                 \
	X(SMTP_AUTH_FAIL, "smtp", "auth-failure", STATS_COUNTER)               \
	X(SMTP_MESSAGES, "smtp", "messages-accepted", STATS_COUNTER)           \
	X(SMTP_RCPTS, "smtp", "recipients-accepted", STATS_COUNTER)            \
	X(SMTP_REJ_RELAY, "smtp", "reject-relay-denied", STATS_COUNTER)        \
	X(SMTP_REJ_UNKNOWN, "smtp", "reject-unknown-recipient", STATS_COUNTER) \
	X(SMTP_REJ_POLICY, "smtp", "reject-policy", STATS_COUNTER)             \
	X(SMTP_REJ_CONTENT, "smtp", "reject-content", STATS_COUNTER)           \
	X(SMTP_REJ_SIZE, "smtp", "reject-size", STATS_COUNTER)                 \
	X(SMTP_REJ_LIMITS, "smtp", "reject-limits", STATS_COUNTER)             \
	X(SMTP_REJ_PROTOCOL, "smtp", "reject-protocol", STATS_COUNTER)         \
	X(SMTP_TEMPFAIL, "smtp", "temporary-failures", STATS_COUNTER)          \
	X(QUEUE_ENQUEUED, "queue", "enqueued", STATS_COUNTER)                  \
	X(QUEUE_DELIVERED, "queue", "delivered", STATS_COUNTER)                \
	X(QUEUE_DEFERRED, "queue", "deferred", STATS_COUNTER)                  \
	X(QUEUE_FAILED, "queue", "failed", STATS_COUNTER)                      \
	X(QUEUE_EXPIRED, "queue", "expired", STATS_COUNTER)                    \
	X(QUEUE_DSN, "queue", "dsns-generated", STATS_COUNTER)                 \
	X(QUEUE_QUARANTINED, "queue", "quarantined", STATS_COUNTER)            \
	X(QUEUE_SYNCS, "queue", "spool-syncs", STATS_COUNTER)                  \
	X(QUEUE_SYNC_US, "queue", "spool-sync-microseconds", STATS_COUNTER)    \
	X(QUEUE_SYNC_SLOW, "queue", "spool-syncs-slow", STATS_COUNTER)         \
	X(QUEUE_NOW_MESSAGES, "queue-now", "messages", STATS_GAUGE)            \
	X(QUEUE_NOW_ACTIVE, "queue-now", "active-jobs", STATS_GAUGE)           \
	X(QUEUE_NOW_QUARANTINED, "queue-now", "quarantined", STATS_GAUGE)      \
	X(MTA_CONNECTIONS, "delivery", "connections", STATS_COUNTER)           \
	X(MTA_TLS, "delivery", "tls-connections", STATS_COUNTER)               \
	X(MTA_OK, "delivery", "attempts-ok", STATS_COUNTER)                    \
	X(MTA_TEMP, "delivery", "attempts-temporary", STATS_COUNTER)           \
	X(MTA_PERM, "delivery", "attempts-permanent", STATS_COUNTER)

#define STATS_ENUM(id, section, name, kind) STATS_##id,
enum stats_id { STATS_TABLE(STATS_ENUM) STATS_N };
#undef STATS_ENUM

/* One process role's numbers; a slot is mapped on a page of its own. */
struct stats_slot {
	uint64_t v[STATS_N];
};

/*
 * stats_self - this process's slot: set in a child by stats_child_enter,
 * NULL in every other process. Defined weak here, in the header, on
 * purpose: the smtp, queue and mta folders count through stats_add
 * without linking this folder's library (their unit tests and
 * sekimori-queue do not), and the linker makes the weak definitions of
 * all files one variable.
 */
__attribute__((weak)) struct stats_slot *stats_self;

/* stats_add - count n events of counter id (the owner's one add) */
static inline void
stats_add(enum stats_id id, uint64_t n)
{
	if (stats_self != NULL && (unsigned)id < STATS_N) {
		__atomic_fetch_add(&stats_self->v[id], n, __ATOMIC_RELAXED);
	}
}

/* stats_set - gauge id is v now */
static inline void
stats_set(enum stats_id id, uint64_t v)
{
	if (stats_self != NULL && (unsigned)id < STATS_N) {
		__atomic_store_n(&stats_self->v[id], v, __ATOMIC_RELAXED);
	}
}

/*
 * stats_smtp_reply - count one reply of the smtp process by its code:
 * line is our own text (smtp_reply_format: "DDD X.Y.Z text"), at least 4
 * octets. Classes decided elsewhere are left out here: relay denied and
 * unknown recipient (smtpd_txn_rcpt) and the policy and content checks'
 * rejections (smtpd_check) count where they are decided, since their
 * codes (5.7.1) say too little.
 */
static inline void
stats_smtp_reply(const char *line)
{
	if (line[0] == '4') {
		stats_add(STATS_SMTP_TEMPFAIL, 1);
		/* 421 4.7.0 too many connections, errors or commands; 452
		 * 4.5.3 too many recipients */
		if (memcmp(line, "421 4.7.0", 9) == 0 ||
		    memcmp(line, "452 4.5.3", 9) == 0) {
			stats_add(STATS_SMTP_REJ_LIMITS, 1);
		}
	} else if (memcmp(line, "552", 3) == 0) {
		stats_add(STATS_SMTP_REJ_SIZE, 1); /* 5.3.4 */
	} else if ((line[0] == '5' && line[1] == '0') ||
	    memcmp(line, "555", 3) == 0 || memcmp(line + 4, "5.5.", 4) == 0 ||
	    memcmp(line + 4, "5.6.", 4) == 0) {
		/* syntax, sequence, unknown commands and parameters, bare
		 * CR or LF, NUL, early talkers */
		stats_add(STATS_SMTP_REJ_PROTOCOL, 1);
	}
}

/*
 * stats_smtp_replies - count the replies in out[len], what the smtp
 * process sends in one go (a pipelined group holds several): each
 * reply's last line ("DDD SP", continuations are "DDD-") once. Lines
 * shorter than a code and an enhanced code are not ours to count.
 */
static inline void
stats_smtp_replies(const char *out, size_t len)
{
	const char *p = out, *end = out + len, *lf;

	while (stats_self != NULL && end - p >= 10) {
		if (p[3] == ' ') {
			stats_smtp_reply(p);
		}
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			break;
		}
		p = lf + 1;
	}
}

/* ---- the supervisor's side ------------------------------------------ */

#define STATS_TEXT_MAX 4096 /* the formatted answer, all lines */

struct stats_view {
	struct stats_slot *slot[MSG_ROLES]; /* by enum msg_role; NULL: none */
	uint64_t base[STATS_N];             /* the totals at the last clear */
	int64_t started; /* unix seconds: the mapping was made */
	int64_t cleared; /* unix seconds: the last clear, or started */
};

/*
 * stats_open - map one zeroed shared slot per role (the parent's slot is
 * made too, unused) before the first fork; now is the start time. -1
 * with errno when the kernel refuses a mapping (the others are unmapped).
 */
int stats_open(struct stats_view *sv, int64_t now);

/*
 * stats_child_enter - in a new child of role: unmap the other roles'
 * slots and count into its own. Call before privileges are dropped.
 */
void stats_child_enter(struct stats_view *sv, enum msg_role role);

/* stats_totals - every counter summed over the slots, read atomically */
void stats_totals(const struct stats_view *sv, uint64_t out[STATS_N]);

/* stats_clear - the counters start again from zero at now */
void stats_clear(struct stats_view *sv, int64_t now);

/*
 * stats_format - the answer text (README.md, "Statistics"): LF-ended
 * lines of printable ASCII, none starting with '.', into buf[size]
 * (NUL-terminated; cut at a line boundary if it does not fit). total and
 * base as stats_totals and stats_view.base; started, cleared and now are
 * unix seconds. Returns the length written.
 */
size_t stats_format(const uint64_t total[STATS_N], const uint64_t base[STATS_N],
    int64_t started, int64_t cleared, int64_t now, char *buf, size_t size);

#endif /* SEKIMORID_STATS_H */
