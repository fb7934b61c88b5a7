/*
 * queue_sched_test.c - the retry policy: backoff schedule, expiry,
 * delay notices, NOTIFY, domains and status codes.
 */
#include <string.h>

#include "queue_sched.h"
#include "test.h"

#define S QUEUE_MS_PER_S
#define H QUEUE_MS_PER_HOUR

/* the defaults of the YANG model: 5 min .. 4000 s, 5 days, 4 hours */
static const struct queue_policy policy = { 300, 4000, 120, 4 };

static void
test_backoff_schedule(void)
{
	static const int64_t want[] = { 300 * S, 600 * S, 1200 * S, 2400 * S,
		4000 * S, 4000 * S, 4000 * S };
	size_t i;
	int64_t got;

	for (i = 0; i < SK_NELEM(want); i++) {
		got = queue_backoff_ms(&policy, (uint32_t)i + 1, 0);
		TEST_CHECK(got == want[i], "attempt %zu: got %lld, want %lld",
		    i + 1, (long long)got, (long long)want[i]);
	}
	got = queue_backoff_ms(&policy, 4000000000u, 0);
	TEST_CHECK(got == 4000 * S, "huge attempt count: got %lld",
	    (long long)got);
}

static void
test_backoff_jitter(void)
{
	int64_t got;
	uint32_t r;

	for (r = 0; r < 100000; r += 997) {
		got = queue_backoff_ms(&policy, 1, r * 7919u);
		TEST_CHECK(got >= 300 * S && got <= 300 * S + 300 * S / 8,
		    "jitter %u: got %lld outside [300 s, 337.5 s]", r,
		    (long long)got);
		got = queue_backoff_ms(&policy, 9, r * 7919u);
		TEST_CHECK(got == 4000 * S, "jitter above the maximum: %lld",
		    (long long)got);
	}
}

static void
test_backoff_bad_config(void)
{
	static const struct queue_policy p = { 600, 60, 1, 0 };

	TEST_CHECK(queue_backoff_ms(&p, 3, 0) == 600 * S,
	    "maximum below minimum: the minimum wins");
}

static void
test_retry_expiry(void)
{
	int64_t arrival = 1000 * H, now, next;

	now = arrival + 10 * S;
	next = queue_retry_at(&policy, arrival, now, 1, 0);
	TEST_CHECK(next == now + 300 * S, "first retry: got %lld",
	    (long long)(next - now));
	/* near the end of the lifetime the last retry is the expiry */
	now = arrival + 120 * H - 100 * S;
	next = queue_retry_at(&policy, arrival, now, 30, 0);
	TEST_CHECK(next == arrival + 120 * H, "last retry: got %lld",
	    (long long)(next - arrival));
	/* at and after the expiry: give up */
	TEST_CHECK(queue_retry_at(&policy, arrival, arrival + 120 * H, 31, 0) ==
		0,
	    "expired message retried");
	TEST_CHECK(queue_retry_at(&policy, arrival, arrival + 200 * H, 31, 0) ==
		0,
	    "long expired message retried");
}

static void
test_delay_notice(void)
{
	static const struct queue_policy none = { 300, 4000, 120, 0 };
	int64_t a = 5 * H;

	TEST_CHECK(!queue_delay_notice_due(&policy, a, a + 4 * H - 1, 0),
	    "due early");
	TEST_CHECK(queue_delay_notice_due(&policy, a, a + 4 * H, 0),
	    "not due after 4 hours");
	TEST_CHECK(!queue_delay_notice_due(&policy, a, a + 9 * H, 1),
	    "sent twice");
	TEST_CHECK(!queue_delay_notice_due(&none, a, a + 90 * H, 0),
	    "sent with delay-notice 0");
}

static void
test_notify(void)
{
	static const struct {
		uint32_t notify, what;
		int want;
	} cases[] = {
		{ 0, MSG_NOTIFY_FAILURE, 1 },
		{ 0, MSG_NOTIFY_DELAY, 1 },
		{ 0, MSG_NOTIFY_SUCCESS, 0 },
		{ MSG_NOTIFY_NEVER, MSG_NOTIFY_FAILURE, 0 },
		{ MSG_NOTIFY_SUCCESS, MSG_NOTIFY_FAILURE, 0 },
		{ MSG_NOTIFY_SUCCESS, MSG_NOTIFY_SUCCESS, 1 },
		{ MSG_NOTIFY_FAILURE, MSG_NOTIFY_DELAY, 0 },
		{ MSG_NOTIFY_FAILURE | MSG_NOTIFY_DELAY, MSG_NOTIFY_DELAY, 1 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		TEST_CHECK(queue_notify_wants(cases[i].notify, cases[i].what) ==
			cases[i].want,
		    "case %zu: notify %#x what %#x: got %d", i, cases[i].notify,
		    cases[i].what, !cases[i].want);
	}
	TEST_CHECK(queue_notify_valid(0), "absent NOTIFY refused");
	TEST_CHECK(queue_notify_valid(MSG_NOTIFY_NEVER), "NEVER refused");
	TEST_CHECK(!queue_notify_valid(MSG_NOTIFY_NEVER | MSG_NOTIFY_DELAY),
	    "NEVER with DELAY accepted (RFC 3461 4.1)");
	TEST_CHECK(!queue_notify_valid(0x10), "unknown bit accepted");
}

static void
test_domain(void)
{
	char d[16];

	TEST_CHECK(queue_domain("user@Example.ORG", d, sizeof(d)) == 0 &&
		strcmp(d, "example.org") == 0,
	    "got %s", d);
	TEST_CHECK(queue_domain("\"a@b\"@c.example", d, sizeof(d)) == 0 &&
		strcmp(d, "c.example") == 0,
	    "quoted @: got %s", d);
	TEST_CHECK(queue_domain("user", d, sizeof(d)) == -1, "no @ accepted");
	TEST_CHECK(queue_domain("user@", d, sizeof(d)) == -1,
	    "empty domain accepted");
	TEST_CHECK(queue_domain("u@a-very-long-domain.example", d, sizeof(d)) ==
		-1,
	    "overflow accepted");
}

static void
test_dsn_status(void)
{
	TEST_CHECK(queue_dsn_status_ok("2.0.0", MSG_DELIVERED), "2.0.0");
	TEST_CHECK(queue_dsn_status_ok("5.123.456", MSG_PERMFAIL), "5.123.456");
	TEST_CHECK(!queue_dsn_status_ok("5.1.1", MSG_TEMPFAIL),
	    "class 5 for a temporary failure");
	TEST_CHECK(!queue_dsn_status_ok("4.1234.1", MSG_TEMPFAIL),
	    "four digits");
	TEST_CHECK(!queue_dsn_status_ok("4.1.", MSG_TEMPFAIL), "no detail");
	TEST_CHECK(!queue_dsn_status_ok("4.1.1 ", MSG_TEMPFAIL), "trailing");
	TEST_CHECK(strcmp(queue_dsn_status_default(MSG_TEMPFAIL), "4.0.0") == 0,
	    "default");
}

const struct test_case test_cases[] = {
	{ "queue_backoff_schedule", test_backoff_schedule },
	{ "queue_backoff_jitter", test_backoff_jitter },
	{ "queue_backoff_bad_config", test_backoff_bad_config },
	{ "queue_retry_expiry", test_retry_expiry },
	{ "queue_delay_notice", test_delay_notice },
	{ "queue_notify", test_notify },
	{ "queue_domain", test_domain },
	{ "queue_dsn_status", test_dsn_status },
};
const size_t test_ncases = SK_NELEM(test_cases);
