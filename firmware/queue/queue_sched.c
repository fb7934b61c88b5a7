/*
 * queue_sched.c - retry policy as pure functions (queue_sched.h).
 */
#include <string.h>

#include "queue_sched.h"

/* The doubling stops here: 2^30 times any backoff exceeds any maximum. */
#define QUEUE_BACKOFF_SHIFT_MAX 30

int64_t
queue_backoff_ms(const struct queue_policy *p, uint32_t attempts, uint32_t rnd)
{
	int64_t min = (int64_t)p->minimum_backoff_s * QUEUE_MS_PER_S;
	int64_t max = (int64_t)p->maximum_backoff_s * QUEUE_MS_PER_S;
	uint32_t shift = attempts > 0 ? attempts - 1 : 0;
	int64_t wait;

	if (max < min) {
		max = min;
	}
	if (shift > QUEUE_BACKOFF_SHIFT_MAX) {
		shift = QUEUE_BACKOFF_SHIFT_MAX;
	}
	wait = min << shift;
	if (wait > max || wait < min) {
		wait = max;
	}
	wait += (int64_t)(rnd % (uint64_t)(wait / QUEUE_JITTER_DIV + 1));
	return wait > max ? max : wait;
}

int64_t
queue_expiry_ms(const struct queue_policy *p, int64_t arrival_ms)
{
	return arrival_ms + (int64_t)p->lifetime_h * QUEUE_MS_PER_HOUR;
}

int64_t
queue_retry_at(const struct queue_policy *p, int64_t arrival_ms, int64_t now_ms,
    uint32_t attempts, uint32_t rnd)
{
	int64_t expiry = queue_expiry_ms(p, arrival_ms);
	int64_t next;

	if (now_ms >= expiry) {
		return 0;
	}
	next = now_ms + queue_backoff_ms(p, attempts, rnd);
	return next > expiry ? expiry : next;
}

int
queue_delay_notice_due(const struct queue_policy *p, int64_t arrival_ms,
    int64_t now_ms, int already_sent)
{
	if (already_sent || p->delay_notice_h == 0) {
		return 0;
	}
	return now_ms - arrival_ms >=
	    (int64_t)p->delay_notice_h * QUEUE_MS_PER_HOUR;
}

int
queue_notify_wants(uint32_t notify, uint32_t what)
{
	if (notify == 0) {
		notify = MSG_NOTIFY_FAILURE | MSG_NOTIFY_DELAY;
	}
	if (notify & MSG_NOTIFY_NEVER) {
		return 0;
	}
	return (notify & what) != 0;
}

int
queue_notify_valid(uint32_t notify)
{
	uint32_t known = MSG_NOTIFY_NEVER | MSG_NOTIFY_SUCCESS |
	    MSG_NOTIFY_FAILURE | MSG_NOTIFY_DELAY;

	if ((notify & ~known) != 0) {
		return 0;
	}
	return !(notify & MSG_NOTIFY_NEVER) || notify == MSG_NOTIFY_NEVER;
}

int
queue_domain(const char *addr, char *out, size_t size)
{
	const char *at = strrchr(addr, '@');
	size_t i, n;

	if (at == NULL || at[1] == '\0') {
		return -1;
	}
	n = strlen(at + 1);
	if (n >= size) {
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = at[1 + i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return 0;
}

/* queue_digits - length of a run of 1 to 3 digits at s, or 0 */
static size_t
queue_digits(const char *s)
{
	size_t n = 0;

	while (n < 4 && s[n] >= '0' && s[n] <= '9') {
		n++;
	}
	return n >= 1 && n <= 3 ? n : 0;
}

int
queue_dsn_status_ok(const char *s, unsigned status)
{
	static const char class_of[] = { '2', '4', '5' };
	size_t n;

	if (status >= sizeof(class_of) || s[0] != class_of[status] ||
	    s[1] != '.') {
		return 0;
	}
	s += 2;
	if ((n = queue_digits(s)) == 0 || s[n] != '.') {
		return 0;
	}
	s += n + 1;
	return (n = queue_digits(s)) != 0 && s[n] == '\0';
}

const char *
queue_dsn_status_default(unsigned status)
{
	switch (status) {
	case MSG_DELIVERED:
		return "2.0.0";
	case MSG_TEMPFAIL:
		return "4.0.0";
	default:
		return "5.0.0";
	}
}
