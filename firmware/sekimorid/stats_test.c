/*
 * stats_test.c - the statistics slots (shared across fork, private after
 * stats_child_enter), clear, the smtp reply classes and the answer text.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"
#include "test.h"

#define T0 1764158400 /* 2025-11-26T12:00:00Z */

/* stats_value - the "since-clear" (col 0) or "since-start" (col 1)
 * value of name in section's block of text; -1 when it is not there */
static long long
stats_value(const char *text, const char *heading, const char *name, int col)
{
	const char *p = strstr(text, heading), *end;
	char want[64];
	long long a = -1, b = -1;

	if (p == NULL) {
		return -1;
	}
	end = strstr(p, "\n\n");
	snprintf(want, sizeof(want), "\n  %s ", name);
	p = strstr(p, want);
	if (p == NULL || (end != NULL && p > end)) {
		return -1;
	}
	if (sscanf(p + strlen(want), "%lld %lld", &a, &b) < 1) {
		return -1;
	}
	return col == 0 ? a : b;
}

/* a child counts into its slot; the parent sees it after the exit */
static void
test_shared_across_fork(void)
{
	struct stats_view sv;
	uint64_t total[STATS_N];
	pid_t pid;
	int status = -1;

	TEST_CHECK(stats_open(&sv, T0) == 0, "stats_open failed");
	pid = fork();
	if (pid == 0) {
		stats_child_enter(&sv, MSG_ROLE_SMTP);
		stats_add(STATS_SMTP_CONNECTIONS, 3);
		stats_add(STATS_SMTP_MESSAGES, 1);
		/* the queue's slot is gone in this child */
		_exit(sv.slot[MSG_ROLE_QUEUE] == NULL ? 0 : 1);
	}
	TEST_CHECK(pid > 0, "fork failed");
	waitpid(pid, &status, 0);
	TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child kept another role's slot");
	stats_totals(&sv, total);
	TEST_CHECK(total[STATS_SMTP_CONNECTIONS] == 3, "got %llu, want 3",
	    (unsigned long long)total[STATS_SMTP_CONNECTIONS]);
	TEST_CHECK(total[STATS_SMTP_MESSAGES] == 1, "got %llu, want 1",
	    (unsigned long long)total[STATS_SMTP_MESSAGES]);
	TEST_CHECK(total[STATS_QUEUE_ENQUEUED] == 0, "got %llu, want 0",
	    (unsigned long long)total[STATS_QUEUE_ENQUEUED]);
}

/* outside a child of sekimorid counting does nothing and does not crash */
static void
test_no_slot(void)
{
	struct stats_slot *saved = stats_self;

	stats_self = NULL;
	stats_add(STATS_SMTP_CONNECTIONS, 1);
	stats_set(STATS_QUEUE_NOW_MESSAGES, 5);
	stats_smtp_replies("554 5.5.0 no\r\n", 14);
	stats_self = saved;
}

/* clear shows differences; gauges are shown as they are */
static void
test_clear(void)
{
	struct stats_view sv;
	uint64_t total[STATS_N];
	char text[STATS_TEXT_MAX];

	TEST_CHECK(stats_open(&sv, T0) == 0, "stats_open failed");
	stats_self = sv.slot[MSG_ROLE_QUEUE];
	stats_add(STATS_QUEUE_ENQUEUED, 5);
	stats_set(STATS_QUEUE_NOW_MESSAGES, 2);
	stats_clear(&sv, T0 + 60);
	stats_add(STATS_QUEUE_ENQUEUED, 2);
	stats_set(STATS_QUEUE_NOW_MESSAGES, 4);
	stats_self = NULL;
	stats_totals(&sv, total);
	stats_format(total, sv.base, sv.started, sv.cleared, T0 + 90, text,
	    sizeof(text));
	TEST_CHECK(stats_value(text, "\nqueue ", "enqueued", 0) == 2,
	    "since clear: %lld\n%s",
	    stats_value(text, "\nqueue ", "enqueued", 0), text);
	TEST_CHECK(stats_value(text, "\nqueue ", "enqueued", 1) == 7,
	    "since start: %lld", stats_value(text, "\nqueue ", "enqueued", 1));
	TEST_CHECK(stats_value(text, "\nqueue now", "messages", 0) == 4,
	    "gauge: %lld", stats_value(text, "\nqueue now", "messages", 0));
	TEST_CHECK(strstr(text,
		       "started                     "
		       "2025-11-26T12:00:00Z (90 s ago)\n") != NULL,
	    "started line:\n%s", text);
	TEST_CHECK(strstr(text,
		       "cleared                     "
		       "2025-11-26T12:01:00Z (30 s ago)\n") != NULL,
	    "cleared line:\n%s", text);
}

/* the reply classes counted from the smtp process's output */
static void
test_smtp_replies(void)
{
	static const struct {
		const char *out;
		enum stats_id id;
		uint64_t want;
	} cases[] = {
		{ "451 4.3.0 Try again\r\n", STATS_SMTP_TEMPFAIL, 1 },
		{ "421 4.7.0 Too many errors\r\n", STATS_SMTP_REJ_LIMITS, 1 },
		{ "452 4.5.3 Too many recipients\r\n", STATS_SMTP_REJ_LIMITS,
		    1 },
		{ "552 5.3.4 Message too big\r\n", STATS_SMTP_REJ_SIZE, 1 },
		{ "500 5.5.1 Unknown\r\n503 5.5.1 Bad sequence\r\n",
		    STATS_SMTP_REJ_PROTOCOL, 2 },
		{ "554 5.6.0 Bare LF\r\n", STATS_SMTP_REJ_PROTOCOL, 1 },
		/* decided (and counted) elsewhere */
		{ "554 5.7.1 Relay access denied\r\n", STATS_SMTP_REJ_PROTOCOL,
		    0 },
		{ "550 5.1.1 User unknown\r\n", STATS_SMTP_REJ_PROTOCOL, 0 },
		/* one reply of several lines counts once */
		{ "451-4.3.0 a\r\n451-4.3.0 b\r\n451 4.3.0 c\r\n",
		    STATS_SMTP_TEMPFAIL, 1 },
		{ "250-x\r\n250 2.0.0 Ok\r\n", STATS_SMTP_TEMPFAIL, 0 },
		{ "4", STATS_SMTP_TEMPFAIL, 0 }, /* too short to be a reply */
	};
	struct stats_slot slot;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		memset(&slot, 0, sizeof(slot));
		stats_self = &slot;
		stats_smtp_replies(cases[i].out, strlen(cases[i].out));
		stats_self = NULL;
		TEST_CHECK(slot.v[cases[i].id] == cases[i].want,
		    "%zu: got %llu, want %llu", i,
		    (unsigned long long)slot.v[cases[i].id],
		    (unsigned long long)cases[i].want);
	}
}

/* every name of the table is in the text once, lines are well formed */
static void
test_format(void)
{
	uint64_t total[STATS_N], base[STATS_N];
	char text[STATS_TEXT_MAX], small[200];
	size_t n, i;
	const char *p;

	for (i = 0; i < STATS_N; i++) {
		total[i] = 1000000 + i;
		base[i] = i;
	}
	n = stats_format(total, base, T0, T0, T0, text, sizeof(text));
	TEST_CHECK(n == strlen(text) && n > 0 && text[n - 1] == '\n',
	    "length %zu", n);
	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		TEST_CHECK(*p != '.', "a line starts with '.'");
		TEST_CHECK(strchr(p, '\n') - p < 80, "a line is too long");
	}
	for (p = text; *p != '\0'; p++) {
		TEST_CHECK(*p == '\n' || (*p >= 0x20 && *p < 0x7f),
		    "octet %02x", (unsigned char)*p);
	}
	TEST_CHECK(stats_value(text, "smtp server", "reject-size", 0) ==
		1000000,
	    "reject-size %lld",
	    stats_value(text, "smtp server", "reject-size", 0));
	TEST_CHECK(stats_value(text, "\ndelivery", "attempts-permanent", 1) ==
		1000000 + STATS_MTA_PERM,
	    "attempts-permanent");
	/* a buffer too small gets whole lines only */
	n = stats_format(total, base, T0, T0, T0, small, sizeof(small));
	TEST_CHECK(n > 0 && n < sizeof(small) && small[n - 1] == '\n' &&
		small[n] == '\0',
	    "cut: %zu", n);
	TEST_CHECK(stats_format(total, base, T0, T0, T0, small, 0) == 0,
	    "size 0");
}

const struct test_case test_cases[] = {
	{ "stats_shared_across_fork", test_shared_across_fork },
	{ "stats_no_slot", test_no_slot },
	{ "stats_clear", test_clear },
	{ "stats_smtp_replies", test_smtp_replies },
	{ "stats_format", test_format },
};
const size_t test_ncases = SK_NELEM(test_cases);
