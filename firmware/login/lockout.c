/*
 * lockout.c - failure counts per user name and per source, in two fixed
 * tables with eviction (see lockout.h for the decisions).
 */
#include <string.h>

#include "lockout.h"

/* The IPv4-mapped IPv6 prefix, RFC 4291 2.5.5.2. */
static const uint8_t lockout_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff };

/* lockout_init - an empty table with policy p */
void
lockout_init(struct lockout *t, const struct lockout_policy *p)
{
	memset(t, 0, sizeof(*t));
	t->policy = *p;
}

/* lockout_set_policy - a new policy; counts are kept */
void
lockout_set_policy(struct lockout *t, const struct lockout_policy *p)
{
	t->policy = *p;
}

/* lockout_age - forget c when its lock ended or its window passed */
static void
lockout_age(struct lockout_count *c, uint32_t window, uint64_t now)
{
	if (!c->used) {
		return;
	}
	if (c->locked_until != 0) {
		if (now >= c->locked_until) {
			memset(c, 0, sizeof(*c));
		}
		return;
	}
	/* A clock that went backwards counts as no time passed. */
	if (now > c->window_start && now - c->window_start >= window) {
		memset(c, 0, sizeof(*c));
	}
}

/* lockout_locked - whether c is locked at now */
static int
lockout_locked(const struct lockout_count *c, uint64_t now)
{
	return c->used && c->locked_until > now;
}

/*
 * lockout_better_victim - whether a should be replaced before b: an
 * unlocked count before a locked one; among unlocked ones the one that
 * failed least recently; among locked ones the one that ends first.
 */
static int
lockout_better_victim(const struct lockout_count *a,
    const struct lockout_count *b, uint64_t now)
{
	int al = lockout_locked(a, now), bl = lockout_locked(b, now);

	if (al != bl) {
		return !al;
	}
	if (al) {
		return a->locked_until < b->locked_until;
	}
	return a->last < b->last;
}

/*
 * lockout_pick - keep in *slot the best place for a new entry seen so
 * far: a free one, else the best victim. i is the index of c.
 */
static void
lockout_pick(const struct lockout_count *c, const struct lockout_count *best,
    size_t i, size_t *slot, uint64_t now)
{
	if (best == NULL) {
		*slot = i;
		return;
	}
	if (best->used && (!c->used || lockout_better_victim(c, best, now))) {
		*slot = i;
	}
}

/*
 * lockout_user_find - the count of user (first LOCKOUT_USER_MAX
 * octets), aged to now; NULL if none and !create. With create, a new
 * zero count, replacing a victim when the table is full.
 */
static struct lockout_count *
lockout_user_find(struct lockout *t, const uint8_t *user, size_t len,
    uint64_t now, int create)
{
	struct lockout_user *u;
	size_t i, slot = 0;
	int have_slot = 0;

	if (len > LOCKOUT_USER_MAX) {
		len = LOCKOUT_USER_MAX;
	}
	for (i = 0; i < LOCKOUT_USERS_MAX; i++) {
		u = &t->users[i];
		lockout_age(&u->c, t->policy.failure_window, now);
		if (u->c.used && u->len == len &&
		    (len == 0 || memcmp(u->name, user, len) == 0)) {
			return &u->c;
		}
		lockout_pick(&u->c, have_slot ? &t->users[slot].c : NULL, i,
		    &slot, now);
		have_slot = 1;
	}
	if (!create) {
		return NULL;
	}
	u = &t->users[slot];
	memset(u, 0, sizeof(*u));
	u->c.used = 1;
	u->len = (uint16_t)len;
	if (len > 0) {
		memcpy(u->name, user, len);
	}
	return &u->c;
}

/*
 * lockout_source_key - the counted part of an address: 4 octets of
 * IPv4 (also from an IPv4-mapped IPv6 address) or the /64 of an IPv6
 * address. 0 when addr is neither.
 */
static size_t
lockout_source_key(const uint8_t *addr, size_t addrlen, uint8_t key[8])
{
	if (addr == NULL) {
		return 0;
	}
	if (addrlen == 4) {
		memcpy(key, addr, 4);
		return 4;
	}
	if (addrlen != 16) {
		return 0;
	}
	if (memcmp(addr, lockout_v4mapped, sizeof(lockout_v4mapped)) == 0) {
		memcpy(key, addr + 12, 4);
		return 4;
	}
	memcpy(key, addr, 8);
	return 8;
}

/* lockout_source_find - as lockout_user_find, for a source key */
static struct lockout_count *
lockout_source_find(struct lockout *t, const uint8_t *key, size_t len,
    uint64_t now, int create)
{
	struct lockout_source *s;
	size_t i, slot = 0;
	int have_slot = 0;

	for (i = 0; i < LOCKOUT_SOURCES_MAX; i++) {
		s = &t->sources[i];
		lockout_age(&s->c, t->policy.failure_window, now);
		if (s->c.used && s->len == len &&
		    memcmp(s->addr, key, len) == 0) {
			return &s->c;
		}
		lockout_pick(&s->c, have_slot ? &t->sources[slot].c : NULL, i,
		    &slot, now);
		have_slot = 1;
	}
	if (!create) {
		return NULL;
	}
	s = &t->sources[slot];
	memset(s, 0, sizeof(*s));
	s->c.used = 1;
	s->len = (uint8_t)len;
	memcpy(s->addr, key, len);
	return &s->c;
}

/* lockout_remaining - seconds until c's lock ends (0 if not locked) */
static uint64_t
lockout_remaining(const struct lockout_count *c, uint64_t now)
{
	return lockout_locked(c, now) ? c->locked_until - now : 0;
}

/* lockout_check - whether the user or the source is locked now */
unsigned
lockout_check(struct lockout *t, const uint8_t *user, size_t userlen,
    const uint8_t *addr, size_t addrlen, uint64_t now, uint64_t *retry_after)
{
	const struct lockout_count *c;
	unsigned locked = LOCKOUT_OPEN;
	uint64_t wait = 0, w;
	uint8_t key[8];
	size_t keylen = lockout_source_key(addr, addrlen, key);

	c = lockout_user_find(t, user, userlen, now, 0);
	if (c != NULL && lockout_locked(c, now)) {
		locked |= LOCKOUT_USER_LOCKED;
		wait = lockout_remaining(c, now);
	}
	c = keylen > 0 ? lockout_source_find(t, key, keylen, now, 0) : NULL;
	if (c != NULL && lockout_locked(c, now)) {
		locked |= LOCKOUT_SOURCE_LOCKED;
		w = lockout_remaining(c, now);
		wait = w > wait ? w : wait;
	}
	if (retry_after != NULL) {
		*retry_after = wait;
	}
	return locked;
}

/*
 * lockout_count_fail - one failure on c (limit max, 0 = none); returns
 * whether c is locked afterwards. A locked count is left as it is.
 */
static int
lockout_count_fail(struct lockout_count *c, unsigned max, uint32_t lock_time,
    uint64_t now)
{
	if (lockout_locked(c, now)) {
		return 1;
	}
	if (c->failures == 0) {
		c->window_start = now;
	}
	if (c->failures < UINT32_MAX) {
		c->failures++;
	}
	c->last = now;
	if (max != 0 && c->failures >= max) {
		c->locked_until = now + lock_time;
	}
	return lockout_locked(c, now);
}

/* lockout_failure - count one failed check for the user and the source */
unsigned
lockout_failure(struct lockout *t, const uint8_t *user, size_t userlen,
    const uint8_t *addr, size_t addrlen, uint64_t now)
{
	const struct lockout_policy *p = &t->policy;
	struct lockout_count *c;
	unsigned locked = LOCKOUT_OPEN;
	uint8_t key[8];
	size_t keylen = lockout_source_key(addr, addrlen, key);

	if (p->max_failures_per_user != 0) {
		c = lockout_user_find(t, user, userlen, now, 1);
		if (lockout_count_fail(c, p->max_failures_per_user,
			p->lockout_time, now)) {
			locked |= LOCKOUT_USER_LOCKED;
		}
	}
	if (p->max_failures_per_source != 0 && keylen > 0) {
		c = lockout_source_find(t, key, keylen, now, 1);
		if (lockout_count_fail(c, p->max_failures_per_source,
			p->lockout_time, now)) {
			locked |= LOCKOUT_SOURCE_LOCKED;
		}
	}
	return locked;
}

/* lockout_success - a right password: forget the user's failures */
void
lockout_success(struct lockout *t, const uint8_t *user, size_t userlen,
    uint64_t now)
{
	struct lockout_count *c = lockout_user_find(t, user, userlen, now, 0);

	if (c != NULL) {
		memset(c, 0, sizeof(*c));
	}
}
