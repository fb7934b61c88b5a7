/*
 * lockout_save.c - the lockout table as text and back, so that a daemon
 * restart does not hand an attacker fresh counts (lockout.h has the
 * form). The text is read back from a file: outside input, parsed
 * strictly, every number and length bounded.
 */
#include <stdio.h>
#include <string.h>

#include "lockout.h"

#define LOCKOUT_MAGIC "sekimori-lockout 1\n"

/* lockout_to_wall - monotonic x (0: none) as wall-clock seconds */
static uint64_t
lockout_to_wall(uint64_t x, uint64_t now, uint64_t wall)
{
	if (x == 0) {
		return 0;
	}
	if (x > now) {
		return wall + (x - now);
	}
	return now - x < wall ? wall - (now - x) : 1;
}

/* lockout_to_mono - wall-clock w (0: none) as monotonic seconds; a time
 * before the monotonic clock began counts from its start, one after the
 * wall clock's now as now (never longer than it was) */
static uint64_t
lockout_to_mono(uint64_t w, uint64_t now, uint64_t wall)
{
	if (w == 0) {
		return 0;
	}
	if (w >= wall) {
		return now;
	}
	return wall - w < now ? now - (wall - w) : 0;
}

/* lockout_put_count - " FAILURES WINDOW LOCKED LAST\n" */
static int
lockout_put_count(const struct lockout_count *c, uint64_t now, uint64_t wall,
    char *out, size_t cap)
{
	return snprintf(out, cap, " %u %llu %llu %llu\n", (unsigned)c->failures,
	    (unsigned long long)lockout_to_wall(c->window_start, now, wall),
	    (unsigned long long)lockout_to_wall(c->locked_until, now, wall),
	    (unsigned long long)lockout_to_wall(c->last, now, wall));
}

/* lockout_put_line - one "K HEX counts" line at out+*at; 0 if no room */
static int
lockout_put_line(char kind, const uint8_t *key, size_t keylen,
    const struct lockout_count *c, uint64_t now, uint64_t wall, char *out,
    size_t cap, size_t *at)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	int n;

	if (cap - *at < 2 + 2 * keylen + 1) {
		return 0;
	}
	out[(*at)++] = kind;
	out[(*at)++] = ' ';
	for (i = 0; i < keylen; i++) {
		out[(*at)++] = hex[key[i] >> 4];
		out[(*at)++] = hex[key[i] & 0xf];
	}
	n = lockout_put_count(c, now, wall, out + *at, cap - *at);
	if (n < 0 || (size_t)n >= cap - *at) {
		return 0;
	}
	*at += (size_t)n;
	return 1;
}

/* lockout_in_force - whether c still counts at now under policy p */
static int
lockout_in_force(const struct lockout_count *c, const struct lockout_policy *p,
    uint64_t now)
{
	if (!c->used) {
		return 0;
	}
	if (c->locked_until != 0) {
		return c->locked_until > now;
	}
	return now <= c->window_start ||
	    now - c->window_start < p->failure_window;
}

size_t
lockout_export(struct lockout *t, uint64_t now, uint64_t wall, char *out,
    size_t cap)
{
	size_t at = strlen(LOCKOUT_MAGIC), i;

	if (cap <= at) {
		return 0;
	}
	memcpy(out, LOCKOUT_MAGIC, at);
	for (i = 0; i < LOCKOUT_USERS_MAX; i++) {
		const struct lockout_user *u = &t->users[i];

		if (lockout_in_force(&u->c, &t->policy, now) &&
		    !lockout_put_line('u', u->name, u->len, &u->c, now, wall,
			out, cap, &at)) {
			return 0;
		}
	}
	for (i = 0; i < LOCKOUT_SOURCES_MAX; i++) {
		const struct lockout_source *s = &t->sources[i];

		if (lockout_in_force(&s->c, &t->policy, now) &&
		    !lockout_put_line('s', s->addr, s->len, &s->c, now, wall,
			out, cap, &at)) {
			return 0;
		}
	}
	if (at >= cap) {
		return 0;
	}
	out[at] = '\0';
	return at;
}

/* One parsed line. */
struct lockout_line {
	char kind;
	uint8_t key[LOCKOUT_USER_MAX];
	size_t keylen;
	uint64_t n[4]; /* failures, window start, locked until, last */
};

static int
lockout_hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

/* lockout_parse_hex - lowercase hex up to a space into key; its octets,
 * or -1 */
static long
lockout_parse_hex(const char *s, size_t len, size_t *used, uint8_t *key,
    size_t max)
{
	size_t i = 0;
	int hi, lo;

	while (i < len && s[i] != ' ') {
		if (i + 1 >= len || i / 2 >= max ||
		    (hi = lockout_hexval(s[i])) < 0 ||
		    (lo = lockout_hexval(s[i + 1])) < 0) {
			return -1;
		}
		key[i / 2] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*used = i;
	return (long)(i / 2);
}

/* lockout_parse_u64 - " DIGITS" (1 to 20 digits, no overflow) */
static int
lockout_parse_u64(const char *s, size_t len, size_t *used, uint64_t *out)
{
	size_t i = 1;
	uint64_t v = 0;

	if (len < 2 || s[0] != ' ' || s[1] < '0' || s[1] > '9') {
		return -1;
	}
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10) {
			return -1;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	*used = i;
	*out = v;
	return 0;
}

/* lockout_parse_line - s[len] (no LF) as one line, or -1 */
static int
lockout_parse_line(const char *s, size_t len, struct lockout_line *l)
{
	size_t at = 2, used, k;
	long keylen;

	if (len < 2 || (s[0] != 'u' && s[0] != 's') || s[1] != ' ') {
		return -1;
	}
	l->kind = s[0];
	keylen = lockout_parse_hex(s + at, len - at, &used, l->key,
	    l->kind == 'u' ? LOCKOUT_USER_MAX : 8);
	if (keylen < 0 || (l->kind == 's' && keylen != 4 && keylen != 8)) {
		return -1;
	}
	l->keylen = (size_t)keylen;
	at += used;
	for (k = 0; k < 4; k++) {
		if (lockout_parse_u64(s + at, len - at, &used, &l->n[k]) ==
		    -1) {
			return -1;
		}
		at += used;
	}
	return at == len && l->n[0] <= UINT32_MAX ? 0 : -1;
}

/* lockout_add_line - l's count into t (times made monotonic, a lock
 * never longer than the policy's lockout time from now) */
static void
lockout_add_line(struct lockout *t, const struct lockout_line *l, uint64_t now,
    uint64_t wall)
{
	struct lockout_count c = { 0 };
	size_t i, n = l->kind == 'u' ? LOCKOUT_USERS_MAX : LOCKOUT_SOURCES_MAX;
	uint64_t until;

	c.used = 1;
	c.failures = (uint32_t)l->n[0];
	c.window_start = lockout_to_mono(l->n[1], now, wall);
	c.last = lockout_to_mono(l->n[3], now, wall);
	if (l->n[2] != 0) {
		until = l->n[2] > wall ? l->n[2] - wall : 0;
		if (until > t->policy.lockout_time) {
			until = t->policy.lockout_time;
		}
		c.locked_until = until == 0 ? 0 : now + until;
		if (c.locked_until == 0) {
			return; /* the lock ended while we were down */
		}
	}
	if (!lockout_in_force(&c, &t->policy, now)) {
		return;
	}
	for (i = 0; i < n; i++) { /* a key seen before keeps its count */
		if (l->kind == 'u' && t->users[i].c.used &&
		    t->users[i].len == l->keylen &&
		    memcmp(t->users[i].name, l->key, l->keylen) == 0) {
			return;
		}
		if (l->kind == 's' && t->sources[i].c.used &&
		    t->sources[i].len == l->keylen &&
		    memcmp(t->sources[i].addr, l->key, l->keylen) == 0) {
			return;
		}
	}
	for (i = 0; i < n; i++) { /* the first free slot; full: dropped */
		if (l->kind == 'u' && !t->users[i].c.used) {
			t->users[i].c = c;
			t->users[i].len = (uint16_t)l->keylen;
			memcpy(t->users[i].name, l->key, l->keylen);
			return;
		}
		if (l->kind == 's' && !t->sources[i].c.used) {
			t->sources[i].c = c;
			t->sources[i].len = (uint8_t)l->keylen;
			memcpy(t->sources[i].addr, l->key, l->keylen);
			return;
		}
	}
}

/* lockout_check_text - every line of text well-formed; 0, or the first
 * bad line's number */
static size_t
lockout_check_text(const char *text, size_t len)
{
	struct lockout_line l;
	size_t at = strlen(LOCKOUT_MAGIC), line = 1, end;

	if (len < at || memcmp(text, LOCKOUT_MAGIC, at) != 0) {
		return 1;
	}
	while (at < len) {
		line++;
		end = at;
		while (end < len && text[end] != '\n') {
			end++;
		}
		if (end == len || end - at > LOCKOUT_TEXT_LINE_MAX ||
		    lockout_parse_line(text + at, end - at, &l) == -1) {
			return line;
		}
		at = end + 1;
	}
	return 0;
}

enum sk_result
lockout_import(struct lockout *t, const char *text, size_t len, uint64_t now,
    uint64_t wall, size_t *bad_line)
{
	struct lockout_line l;
	size_t at = strlen(LOCKOUT_MAGIC), end;

	*bad_line = lockout_check_text(text, len);
	if (*bad_line != 0) {
		return SK_E_SYNTAX;
	}
	while (at < len) {
		end = at;
		while (text[end] != '\n') {
			end++;
		}
		(void)lockout_parse_line(text + at, end - at, &l);
		lockout_add_line(t, &l, now, wall);
		at = end + 1;
	}
	return SK_OK;
}
