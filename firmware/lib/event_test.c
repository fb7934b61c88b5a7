/*
 * event_test.c - tests of the event loop: timers on a fake clock,
 * descriptor readiness, deletion during dispatch, signals.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "test.h"

#define HEAP_CAP 8

static struct event_loop loop;
static struct event_timer *heap[HEAP_CAP];
static uint64_t fake_now;
static char fired[32];
static size_t nfired;

/* Timer callbacks get a pointer to their letter in this array. */
static char letters[] = "abcdefghijklmnopqrstuvwxyz";

static void *
letter(char c)
{
	return &letters[c - 'a'];
}

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

/* record - timer callback: append the timer's letter to fired[] */
static void
record(struct event_loop *l, struct event_timer *t)
{
	(void)l;
	if (nfired < sizeof(fired) - 1) {
		fired[nfired++] = *(const char *)t->arg;
		fired[nfired] = '\0';
	}
}

static int
loop_open(void)
{
	fake_now = 1000;
	nfired = 0;
	fired[0] = '\0';
	if (event_init(&loop, heap, HEAP_CAP) == -1) {
		test_fail("event_init failed");
		return -1;
	}
	event_set_clock(&loop, fake_clock, NULL);
	return 0;
}

/* One schedule: timers with delays, clock steps, and what fires when. */
struct timer_case {
	const char *name;
	const char *letters; /* one timer per letter */
	uint64_t delay[8];   /* ms after start, per letter */
	const char *del;     /* letters disarmed before running */
	uint64_t step[4];    /* clock after start at each pass */
	const char *want[4]; /* fired[] after each pass */
};

static const struct timer_case timer_cases[] = {
	{ "order", "abc", { 30, 10, 20 }, "", { 5, 15, 25, 35 },
	    { "", "b", "bc", "bca" } },
	{ "same deadline", "ab", { 10, 10 }, "", { 10, 10, 10, 10 },
	    { "ab", "ab", "ab", "ab" } },
	{ "zero delay", "a", { 0 }, "", { 0, 0, 0, 0 },
	    { "a", "a", "a", "a" } },
	{ "deleted", "abcd", { 10, 20, 30, 40 }, "bd", { 50, 50, 50, 50 },
	    { "ac", "ac", "ac", "ac" } },
	{ "all at once", "dcba", { 4, 3, 2, 1 }, "", { 9, 9, 9, 9 },
	    { "abcd", "abcd", "abcd", "abcd" } },
};

/* check_timer_case - arm, step the fake clock, compare what fired */
static void
check_timer_case(const struct timer_case *c)
{
	struct event_timer t[8];
	size_t i, n = strlen(c->letters);

	if (loop_open() == -1) {
		return;
	}
	for (i = 0; i < n; i++) {
		event_timer_init(&t[i]);
		event_timer_set(&loop, &t[i], c->delay[i], record,
		    letter(c->letters[i]));
	}
	for (i = 0; i < n; i++) {
		if (strchr(c->del, c->letters[i]) != NULL) {
			event_timer_del(&loop, &t[i]);
		}
	}
	for (i = 0; i < 4; i++) {
		fake_now = 1000 + c->step[i];
		event_run_once(&loop, 0);
		if (strcmp(fired, c->want[i]) != 0) {
			test_fail("%s: pass %zu: got \"%s\", want \"%s\"",
			    c->name, i, fired, c->want[i]);
			break;
		}
	}
	event_close(&loop);
}

static void
test_timer_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(timer_cases); i++) {
		check_timer_case(&timer_cases[i]);
	}
}

static void
test_timer_full(void)
{
	struct event_timer t[HEAP_CAP + 1];
	size_t i;
	int rc = 0;

	if (loop_open() == -1) {
		return;
	}
	for (i = 0; i < HEAP_CAP + 1; i++) {
		event_timer_init(&t[i]);
		rc = event_timer_set(&loop, &t[i], i, record, letter('x'));
	}
	TEST_CHECK(rc == -1, "timer %d past capacity was accepted", HEAP_CAP);
	/* Re-arming an armed timer must not need a free slot. */
	rc = event_timer_set(&loop, &t[0], 100, record, letter('y'));
	TEST_CHECK(rc == 0, "re-arm with a full heap failed");
	event_close(&loop);
}

/* rearm - a timer that re-arms itself with no delay, every time */
static void
rearm(struct event_loop *l, struct event_timer *t)
{
	record(l, t);
	event_timer_set(l, t, 0, rearm, t->arg);
}

/* A timer re-armed with delay 0 fires once per pass, never in a loop. */
static void
test_timer_rearm(void)
{
	struct event_timer t;

	if (loop_open() == -1) {
		return;
	}
	event_timer_init(&t);
	event_timer_set(&loop, &t, 0, rearm, letter('r'));
	event_run_once(&loop, 0);
	event_run_once(&loop, 0);
	TEST_CHECK(strcmp(fired, "rr") == 0, "got \"%s\", want \"rr\"", fired);
	event_close(&loop);
}

struct io_pair {
	int p[2];
	struct event_io io;
	int calls;
	struct io_pair *victim; /* deleted by this one's callback */
};

static void
on_read(struct event_loop *l, struct event_io *io, uint32_t revents)
{
	struct io_pair *ip = io->arg;

	ip->calls++;
	if ((revents & EVENT_READ) == 0) {
		test_fail("revents: got %#x, want EVENT_READ", revents);
	}
	if (ip->victim != NULL) {
		event_io_del(l, &ip->victim->io);
	}
}

static void
test_io_ready(void)
{
	struct io_pair a = { { -1, -1 }, { 0 }, 0, NULL };

	if (loop_open() == -1 || pipe(a.p) == -1) {
		return;
	}
	event_io_add(&loop, &a.io, a.p[0], EVENT_READ, on_read, &a);
	event_run_once(&loop, 0);
	TEST_CHECK(a.calls == 0, "idle pipe: got %d calls, want 0", a.calls);
	TEST_CHECK(write(a.p[1], "x", 1) == 1, "write failed");
	event_run_once(&loop, 0);
	TEST_CHECK(a.calls == 1, "ready pipe: got %d calls, want 1", a.calls);
	close(a.p[0]);
	close(a.p[1]);
	event_close(&loop);
}

/* Whichever of two ready descriptors runs first deletes the other. */
static void
test_io_delete_in_batch(void)
{
	struct io_pair a = { { -1, -1 }, { 0 }, 0, NULL };
	struct io_pair b = { { -1, -1 }, { 0 }, 0, NULL };

	if (loop_open() == -1 || pipe(a.p) == -1 || pipe(b.p) == -1) {
		return;
	}
	a.victim = &b;
	b.victim = &a;
	event_io_add(&loop, &a.io, a.p[0], EVENT_READ, on_read, &a);
	event_io_add(&loop, &b.io, b.p[0], EVENT_READ, on_read, &b);
	TEST_CHECK(write(a.p[1], "x", 1) == 1 && write(b.p[1], "y", 1) == 1,
	    "write failed");
	event_run_once(&loop, 0);
	TEST_CHECK(a.calls + b.calls == 1, "got %d callbacks, want 1",
	    a.calls + b.calls);
	close(a.p[0]);
	close(a.p[1]);
	close(b.p[0]);
	close(b.p[1]);
	event_close(&loop);
}

static int signals_seen;

static void
on_signal(struct event_loop *l, struct event_signal *s)
{
	(void)l;
	signals_seen += s->signo == SIGUSR1;
}

static void
test_signal(void)
{
	struct event_signal s;

	if (loop_open() == -1) {
		return;
	}
	signals_seen = 0;
	TEST_CHECK(event_signal_add(&loop, &s, SIGUSR1, on_signal, NULL) == 0,
	    "event_signal_add failed");
	raise(SIGUSR1);
	event_run_once(&loop, 100);
	TEST_CHECK(signals_seen == 1, "got %d signals, want 1", signals_seen);
	TEST_CHECK(event_signal_add(&loop, &s, 0, on_signal, NULL) == -1,
	    "signal 0 accepted");
	TEST_CHECK(event_signal_del(&loop, &s) == 0, "del failed");
	event_close(&loop);
}

static void
on_break(struct event_loop *l, struct event_timer *t)
{
	(void)t;
	event_break(l);
}

/* With the real clock, event_run sleeps until the timer and returns. */
static void
test_run_real_clock(void)
{
	struct event_timer t;
	uint64_t start, took;

	if (loop_open() == -1) {
		return;
	}
	event_set_clock(&loop, NULL, NULL);
	event_timer_init(&t);
	start = event_now(&loop);
	event_timer_set(&loop, &t, 20, on_break, NULL);
	TEST_CHECK(event_run(&loop) == 0, "event_run failed");
	took = event_now(&loop) - start;
	TEST_CHECK(took >= 20 && took < 2000, "took %llu ms, want 20 or so",
	    (unsigned long long)took);
	event_close(&loop);
}

const struct test_case test_cases[] = {
	{ "event_timer_table", test_timer_table },
	{ "event_timer_full", test_timer_full },
	{ "event_timer_rearm", test_timer_rearm },
	{ "event_io_ready", test_io_ready },
	{ "event_io_delete_in_batch", test_io_delete_in_batch },
	{ "event_signal", test_signal },
	{ "event_run_real_clock", test_run_real_clock },
};
const size_t test_ncases = SK_NELEM(test_cases);
