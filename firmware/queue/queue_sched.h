/*
 * queue_sched.h - the retry policy as pure functions: backoff, expiry,
 * which DSNs a recipient asked for, the domain a job is grouped by.
 *
 * Times are wall-clock milliseconds since 1970 (they are stored in the
 * spool and must mean the same after a restart). Nothing here reads a
 * clock or a random source: callers pass them in, so tests are exact.
 */
#ifndef QUEUE_SCHED_H
#define QUEUE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "msg_types.h"

#define QUEUE_MS_PER_S INT64_C(1000)
#define QUEUE_MS_PER_HOUR (3600 * QUEUE_MS_PER_S)
/* The jitter spreads retries of a burst: up to 1/QUEUE_JITTER_DIV of the
 * backoff is added, so a destination that comes back is not hit by every
 * deferred message in the same second. */
#define QUEUE_JITTER_DIV 8

struct queue_policy {
	uint32_t minimum_backoff_s; /* config queue minimum-backoff */
	uint32_t maximum_backoff_s; /* config queue maximum-backoff */
	uint32_t lifetime_h;        /* config queue lifetime */
	uint32_t delay_notice_h;    /* config queue delay-notice; 0 = never */
};

/*
 * queue_backoff_ms - the wait after the attempts-th failed attempt
 * (attempts >= 1): minimum * 2^(attempts-1), at most maximum, plus a
 * jitter of rnd modulo (wait / QUEUE_JITTER_DIV + 1) ms, never above
 * maximum.
 */
int64_t queue_backoff_ms(const struct queue_policy *p, uint32_t attempts,
    uint32_t rnd);

/* queue_expiry_ms - when a message that arrived at arrival_ms expires */
int64_t queue_expiry_ms(const struct queue_policy *p, int64_t arrival_ms);

/*
 * queue_retry_at - when to try again after the attempts-th temporary
 * failure at now_ms; 0 means give up: the message has expired. The last
 * retry is moved back to the expiry time, so a message gets one attempt
 * at the end of its lifetime instead of expiring while it waits.
 */
int64_t queue_retry_at(const struct queue_policy *p, int64_t arrival_ms,
    int64_t now_ms, uint32_t attempts, uint32_t rnd);

/* queue_delay_notice_due - 1 when a delay DSN is due for this message */
int queue_delay_notice_due(const struct queue_policy *p, int64_t arrival_ms,
    int64_t now_ms, int already_sent);

/*
 * queue_notify_wants - whether a recipient's NOTIFY (MSG_NOTIFY_* bits,
 * 0 = not given) asks for a DSN of kind what (one MSG_NOTIFY_* bit).
 * RFC 3461 4.1: without NOTIFY we act as for NOTIFY=FAILURE,DELAY (the
 * RFC allows FAILURE or FAILURE,DELAY; delay notices are only sent when
 * the operator configured delay-notice, and then they are wanted).
 */
int queue_notify_wants(uint32_t notify, uint32_t what);

/* queue_notify_valid - known bits only, NEVER alone (RFC 3461 4.1) */
int queue_notify_valid(uint32_t notify);

/*
 * queue_domain - the domain of a canonical address (after its last '@'),
 * lower-cased into out[size]; 0, or -1 if there is no '@', the domain
 * is empty or does not fit.
 */
int queue_domain(const char *addr, char *out, size_t size);

/*
 * queue_dsn_status_ok - 1 if s is an RFC 3463 status code "c.s.d" whose
 * class (2, 4 or 5) matches a delivery status (MSG_DELIVERED: 2,
 * MSG_TEMPFAIL: 4, MSG_PERMFAIL: 5), subject and detail 1 to 3 digits.
 */
int queue_dsn_status_ok(const char *s, unsigned status);
/* queue_dsn_status_default - "2.0.0", "4.0.0" or "5.0.0" */
const char *queue_dsn_status_default(unsigned status);

#endif /* QUEUE_SCHED_H */
