/*
 * lockout_test.c - counting, windows, locks, sources and eviction.
 *
 * The clock is a plain number: every case says exactly when each
 * attempt happens. Policy as the model's defaults unless a case says
 * otherwise: 5 per user, 10 per source, window 900 s, lock 900 s.
 */
#include <stdio.h>
#include <string.h>

#include "lockout.h"
#include "test.h"

static struct lockout table; /* 1.3 MiB: not on the stack */

static const struct lockout_policy defaults = { 5, 10, 900, 900 };

static const uint8_t src_a[4] = { 192, 0, 2, 1 };
static const uint8_t src_b[4] = { 192, 0, 2, 2 };
static const uint8_t v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 1 };
static const uint8_t v6_a2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xff,
	0xff, 0, 0, 0, 0, 0x12, 0x34 };
static const uint8_t v6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0,
	0, 0, 0, 0, 1 };
static const uint8_t mapped_a[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	192, 0, 2, 1 };

#define U(s) (const uint8_t *)(s), strlen(s)

/* fail - one failure of user from src at now */
static unsigned
fail(const char *user, const uint8_t *src, size_t srclen, uint64_t now)
{
	return lockout_failure(&table, U(user), src, srclen, now);
}

/* check - lockout_check without retry_after */
static unsigned
check(const char *user, const uint8_t *src, size_t srclen, uint64_t now)
{
	return lockout_check(&table, U(user), src, srclen, now, NULL);
}

/* test_user_limit - the 5th failure locks the user, from every source */
static void
test_user_limit(void)
{
	unsigned i, r;
	uint64_t wait;

	lockout_init(&table, &defaults);
	for (i = 0; i < 4; i++) {
		r = fail("alice", i % 2 ? src_a : src_b, 4, 100 + i);
		TEST_CHECK(r == LOCKOUT_OPEN, "failure %u: got %#x", i + 1, r);
	}
	TEST_CHECK(check("alice", src_a, 4, 104) == LOCKOUT_OPEN,
	    "4 failures lock nothing");
	r = fail("alice", src_a, 4, 104);
	TEST_CHECK(r == LOCKOUT_USER_LOCKED, "5th failure: got %#x", r);
	r = lockout_check(&table, U("alice"), v6_b, 16, 105, &wait);
	TEST_CHECK(r == LOCKOUT_USER_LOCKED, "other source: got %#x", r);
	TEST_CHECK(wait == 104 + 900 - 105, "retry_after %llu",
	    (unsigned long long)wait);
	TEST_CHECK(check("bob", src_a, 4, 105) == LOCKOUT_OPEN,
	    "another user is not locked");
	/* the lock ends exactly lockout-time after it began */
	TEST_CHECK(check("alice", src_a, 4, 104 + 899) == LOCKOUT_USER_LOCKED,
	    "one second before the end");
	TEST_CHECK(check("alice", src_a, 4, 104 + 900) == LOCKOUT_OPEN,
	    "at the end");
	/* and the count starts over */
	TEST_CHECK(fail("alice", src_a, 4, 1100) == LOCKOUT_OPEN,
	    "first failure after the lock");
}

/* test_no_extension - failures while locked do not extend the lock */
static void
test_no_extension(void)
{
	unsigned i;

	lockout_init(&table, &defaults);
	for (i = 0; i < 5; i++) {
		fail("alice", src_a, 4, 10);
	}
	for (i = 0; i < 50; i++) {
		TEST_CHECK(fail("alice", NULL, 0, 500 + i) ==
			LOCKOUT_USER_LOCKED,
		    "refused attempt %u", i);
	}
	TEST_CHECK(check("alice", src_b, 4, 910) == LOCKOUT_OPEN,
	    "lock ends 900 s after it began");
	/* a count that is not locked is counted: src_b locks itself */
	for (i = 0; i < 9; i++) {
		fail("alice", src_b, 4, 920);
	}
	TEST_CHECK(fail("alice", src_b, 4, 920) ==
		(LOCKOUT_USER_LOCKED | LOCKOUT_SOURCE_LOCKED),
	    "source counted while the user was locked");
}

/* test_window - failures older than the window are forgotten */
static void
test_window(void)
{
	unsigned i;

	lockout_init(&table, &defaults);
	for (i = 0; i < 4; i++) {
		fail("alice", src_a, 4, 1000 + i);
	}
	/* window began at 1000: at 1900 it is over and the count restarts */
	TEST_CHECK(fail("alice", src_a, 4, 1900) == LOCKOUT_OPEN,
	    "count restarted");
	for (i = 0; i < 3; i++) {
		fail("alice", src_a, 4, 1901 + i);
	}
	TEST_CHECK(fail("alice", src_a, 4, 1910) == LOCKOUT_USER_LOCKED,
	    "5 failures in the new window");
	/* a clock that goes backwards changes nothing */
	TEST_CHECK(check("alice", src_a, 4, 5) == LOCKOUT_USER_LOCKED,
	    "clock backwards");
}

/* test_success - clears the user's count, not the source's */
static void
test_success(void)
{
	unsigned i;

	lockout_init(&table, &defaults);
	for (i = 0; i < 4; i++) {
		fail("alice", src_a, 4, 10 + i);
	}
	lockout_success(&table, U("alice"), 20);
	for (i = 0; i < 4; i++) {
		TEST_CHECK(fail("alice", src_a, 4, 30 + i) == LOCKOUT_OPEN,
		    "after success, failure %u", i + 1);
	}
	/* the source has 8 failures: two more lock it */
	TEST_CHECK(fail("bob", src_a, 4, 40) == LOCKOUT_OPEN, "9th");
	TEST_CHECK(fail("carol", src_a, 4, 41) == LOCKOUT_SOURCE_LOCKED,
	    "10th from the source");
	TEST_CHECK(check("dave", src_a, 4, 42) == LOCKOUT_SOURCE_LOCKED,
	    "any user from a locked source");
	TEST_CHECK(check("dave", src_b, 4, 42) == LOCKOUT_OPEN,
	    "another source");
	lockout_success(&table, U("nobody"), 43);
}

/* test_sources - IPv6 /64, IPv4-mapped, no address */
static void
test_sources(void)
{
	char name[16];
	unsigned i;

	lockout_init(&table, &defaults);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "u%u", i);
		fail(name, i % 2 ? v6_a : v6_a2, 16, 10);
	}
	TEST_CHECK(check("z", v6_a2, 16, 11) == LOCKOUT_SOURCE_LOCKED,
	    "same /64 is one source");
	TEST_CHECK(check("z", v6_b, 16, 11) == LOCKOUT_OPEN, "another /64");

	lockout_init(&table, &defaults);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "u%u", i);
		fail(name, i % 2 ? src_a : mapped_a, i % 2 ? 4 : 16, 10);
	}
	TEST_CHECK(check("z", src_a, 4, 11) == LOCKOUT_SOURCE_LOCKED,
	    "IPv4-mapped counts as IPv4");
	TEST_CHECK(check("z", mapped_a, 16, 11) == LOCKOUT_SOURCE_LOCKED,
	    "and the reverse");

	lockout_init(&table, &defaults);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "u%u", i);
		TEST_CHECK(fail(name, NULL, 0, 10) == LOCKOUT_OPEN,
		    "no source address, failure %u", i);
		TEST_CHECK(fail(name, src_a, 3, 10) == LOCKOUT_OPEN,
		    "odd address length, failure %u", i);
	}
}

/* test_both - user and source locked at once; retry_after is the later */
static void
test_both(void)
{
	struct lockout_policy p = { 3, 3, 900, 600 };
	uint64_t wait;
	unsigned r;

	lockout_init(&table, &p);
	fail("alice", src_a, 4, 100);
	fail("alice", src_a, 4, 101);
	r = fail("alice", src_a, 4, 102);
	TEST_CHECK(r == (LOCKOUT_USER_LOCKED | LOCKOUT_SOURCE_LOCKED),
	    "both locked: got %#x", r);
	r = lockout_check(&table, U("alice"), src_a, 4, 200, &wait);
	TEST_CHECK(r == (LOCKOUT_USER_LOCKED | LOCKOUT_SOURCE_LOCKED),
	    "check: got %#x", r);
	TEST_CHECK(wait == 502, "retry_after %llu", (unsigned long long)wait);
}

/* test_disabled - a limit of 0 counts nothing */
static void
test_disabled(void)
{
	struct lockout_policy p = { 0, 2, 900, 900 };
	unsigned i;

	lockout_init(&table, &p);
	for (i = 0; i < 100; i++) {
		fail("alice", NULL, 0, 10);
	}
	TEST_CHECK(check("alice", NULL, 0, 11) == LOCKOUT_OPEN,
	    "per-user limit off");
	TEST_CHECK(table.users[0].c.used == 0, "an entry was made");
	fail("alice", src_a, 4, 12);
	TEST_CHECK(fail("alice", src_a, 4, 12) == LOCKOUT_SOURCE_LOCKED,
	    "per-source limit still on");
	/* a reload keeps the counts and applies new limits */
	p.max_failures_per_user = 1;
	lockout_set_policy(&table, &p);
	TEST_CHECK(fail("bob", NULL, 0, 13) == LOCKOUT_USER_LOCKED,
	    "new limit after reload");
	TEST_CHECK(check("x", src_a, 4, 13) == LOCKOUT_SOURCE_LOCKED,
	    "reload kept the source lock");
}

/* test_long_names - names are compared exactly, up to 254 octets */
static void
test_long_names(void)
{
	struct lockout_policy p = { 2, 0, 900, 900 };
	char a[400], b[400];

	lockout_init(&table, &p);
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[300] = 'b'; /* differs only after LOCKOUT_USER_MAX: same count */
	fail(a, NULL, 0, 1);
	TEST_CHECK(fail(b, NULL, 0, 2) == LOCKOUT_USER_LOCKED,
	    "names equal in their first 254 octets share a count");
	b[10] = 'b';
	TEST_CHECK(check(b, NULL, 0, 3) == LOCKOUT_OPEN, "different names");
	TEST_CHECK(check("ALICE", NULL, 0, 3) == LOCKOUT_OPEN, "case");
	fail("alice", NULL, 0, 4);
	TEST_CHECK(check("ALICE", NULL, 0, 5) == LOCKOUT_OPEN,
	    "names are compared exactly");
	fail("", NULL, 0, 6);
	TEST_CHECK(fail("", NULL, 0, 7) == LOCKOUT_USER_LOCKED,
	    "the empty name is a name");
}

/* fill_users - failures of n distinct names, one each, at time t0 + i */
static void
fill_users(unsigned n, uint64_t t0)
{
	char name[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "spray%u", i);
		fail(name, NULL, 0, t0 + i / 64);
	}
}

/* test_eviction - a full table keeps locks longest */
static void
test_eviction(void)
{
	struct lockout_policy p = { 2, 0, 86400, 3600 };
	char name[32];
	unsigned i, n;

	lockout_init(&table, &p);
	fail("victim", NULL, 0, 1);
	fail("victim", NULL, 0, 1);
	fail("counting", NULL, 0, 2);
	/* fill the rest, then twice as much again: older counts go first */
	fill_users(LOCKOUT_USERS_MAX - 2, 10);
	fill_users(2 * LOCKOUT_USERS_MAX, 1000);
	TEST_CHECK(check("victim", NULL, 0, 2000) == LOCKOUT_USER_LOCKED,
	    "a lock was evicted before unlocked counts");
	/* "counting" (1 failure) was the oldest unlocked count: gone */
	TEST_CHECK(fail("counting", NULL, 0, 2001) == LOCKOUT_OPEN,
	    "the oldest count survived");
	/* expired counts are reused before anything is evicted */
	lockout_init(&table, &p);
	fill_users(LOCKOUT_USERS_MAX, 0);
	fail("late", NULL, 0, 86400 + 100);
	for (n = 0, i = 0; i < LOCKOUT_USERS_MAX; i++) {
		n += table.users[i].c.used;
	}
	TEST_CHECK(n == 1, "%u entries used after all expired", n);
	/* a table full of locks: the one ending first goes */
	lockout_init(&table, &p);
	for (i = 0; i < LOCKOUT_USERS_MAX; i++) {
		snprintf(name, sizeof(name), "locked%u", i);
		fail(name, NULL, 0, 5 + i / 1024);
		fail(name, NULL, 0, 5 + i / 1024);
	}
	fail("new", NULL, 0, 20);
	TEST_CHECK(check("locked0", NULL, 0, 21) == LOCKOUT_OPEN,
	    "the earliest lock was not the one replaced");
	TEST_CHECK(check("locked4095", NULL, 0, 21) == LOCKOUT_USER_LOCKED,
	    "a later lock was replaced");
}

/* test_save - locks and counts survive the text round trip into a new
 * monotonic clock (a reboot: mono 100000 -> 50, wall +60 s) */
static void
test_save(void)
{
	static char text[LOCKOUT_TEXT_MAX];
	static const char *const bad[] = {
		"",
		"sekimori-lockout 2\n",
		"sekimori-lockout 1\nu 61 1 2 3 4",     /* no LF */
		"sekimori-lockout 1\nx 61 1 2 3 4\n",   /* kind */
		"sekimori-lockout 1\nu 6 1 2 3 4\n",    /* odd hex */
		"sekimori-lockout 1\nu 6A 1 2 3 4\n",   /* uppercase */
		"sekimori-lockout 1\ns 0102 1 2 3 4\n", /* key length */
		"sekimori-lockout 1\nu 61 1 2 3\n",     /* a number short */
		"sekimori-lockout 1\nu 61 1 2 3 4 5\n", /* one too many */
		"sekimori-lockout 1\nu 61 4294967296 2 3 4\n",
		"sekimori-lockout 1\nu 61 1 2 3 18446744073709551616\n",
		"sekimori-lockout 1\nu 61 1 2  3 4\n",
	};
	size_t len, i, line;
	uint64_t wait;
	char name[16];
	unsigned r = 0;

	lockout_init(&table, &defaults);
	for (i = 0; i < 5; i++) {
		fail("mallory", src_a, 4, 100000);
	}
	fail("alice", v6_a, 16, 100000);
	fail("gone", src_b, 4, 100000 - 2000); /* its window has passed */
	len = lockout_export(&table, 100000, 1764000000, text, sizeof(text));
	TEST_CHECK(len > 0 && strstr(text, "u 6d616c6c6f7279 5 ") != NULL &&
		strstr(text, "s 20010db800000001 1 ") != NULL &&
		strstr(text, "676f6e65") == NULL,
	    "export: %s", text);
	lockout_init(&table, &defaults);
	TEST_CHECK(lockout_import(&table, text, len, 50, 1764000060, &line) ==
		SK_OK,
	    "import: line %zu", line);
	TEST_CHECK(lockout_check(&table, U("mallory"), NULL, 0, 50, &wait) ==
		    LOCKOUT_USER_LOCKED &&
		wait == 840,
	    "mallory's lock after the restart: %llu s",
	    (unsigned long long)wait);
	for (i = 0; i < 9; i++) { /* the /64 had 1: its 10th locks it */
		snprintf(name, sizeof(name), "user%zu", i);
		r = fail(name, v6_a2, 16, 51);
	}
	TEST_CHECK(r == LOCKOUT_SOURCE_LOCKED,
	    "the /64's count did not go on from 1: %u", r);
	TEST_CHECK(check("mallory", NULL, 0, 50 + 840) == LOCKOUT_OPEN,
	    "the lock outlived its time");
	/* a forged lock cannot outlast the policy's lockout time */
	lockout_init(&table, &defaults);
	snprintf(text, sizeof(text),
	    "sekimori-lockout 1\nu 6576 5 1 99999999999 1\n");
	TEST_CHECK(lockout_import(&table, text, strlen(text), 10, 1764000000,
		       &line) == SK_OK &&
		lockout_check(&table, U("ev"), NULL, 0, 10, &wait) ==
		    LOCKOUT_USER_LOCKED &&
		wait == 900,
	    "forged lock: %llu s", (unsigned long long)wait);
	for (i = 0; i < SK_NELEM(bad); i++) {
		lockout_init(&table, &defaults);
		TEST_CHECK(lockout_import(&table, bad[i], strlen(bad[i]), 10,
			       1764000000, &line) == SK_E_SYNTAX &&
			line == (i < 2 ? 1u : 2u) && !table.users[0].c.used,
		    "bad text %zu taken (line %zu)", i, line);
	}
	/* every table full: the text still fits LOCKOUT_TEXT_MAX */
	lockout_init(&table, &defaults);
	for (i = 0; i < LOCKOUT_USERS_MAX; i++) {
		table.users[i].c.used = 1;
		table.users[i].c.failures = UINT32_MAX;
		table.users[i].c.window_start = 1000;
		table.users[i].c.locked_until = UINT64_MAX;
		table.users[i].c.last = 1000;
		table.users[i].len = LOCKOUT_USER_MAX;
		memset(table.users[i].name, 0xff, LOCKOUT_USER_MAX);
		table.sources[i].c = table.users[i].c;
		table.sources[i].len = 8;
	}
	len = lockout_export(&table, 1000, UINT64_MAX / 2, text, sizeof(text));
	TEST_CHECK(len > 0 &&
		lockout_export(&table, 1000, UINT64_MAX / 2, text, len) == 0,
	    "full tables: %zu octets, a smaller buffer refused", len);
}

const struct test_case test_cases[] = {
	{ "lockout_user_limit", test_user_limit },
	{ "lockout_no_extension", test_no_extension },
	{ "lockout_window", test_window },
	{ "lockout_success", test_success },
	{ "lockout_sources", test_sources },
	{ "lockout_both", test_both },
	{ "lockout_disabled", test_disabled },
	{ "lockout_long_names", test_long_names },
	{ "lockout_eviction", test_eviction },
	{ "lockout_save", test_save },
};
const size_t test_ncases = SK_NELEM(test_cases);
