/*
 * event.c - epoll event loop: descriptors, timer heap, signalfd.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"

uint64_t
event_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* event_monotonic - default clock: CLOCK_MONOTONIC in milliseconds */
static uint64_t
event_monotonic(void *arg)
{
	(void)arg;
	return event_monotonic_us() / 1000;
}

/* event_init - an empty loop whose timer heap holds up to cap timers */
int
event_init(struct event_loop *loop, struct event_timer **heap, size_t cap)
{
	memset(loop, 0, sizeof(*loop));
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->heap = heap;
	loop->cap = cap;
	loop->clock = event_monotonic;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd == -1 ? -1 : 0;
}

/* event_close - close the loop's descriptors and unblock its signals */
void
event_close(struct event_loop *loop)
{
	if (loop->sigfd != -1) {
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
		close(loop->sigfd);
		loop->sigfd = -1;
	}
	if (loop->epfd != -1) {
		close(loop->epfd);
		loop->epfd = -1;
	}
}

/* event_set_clock - use fn(arg) as the clock; NULL restores the default */
void
event_set_clock(struct event_loop *loop, event_clock_fn *fn, void *arg)
{
	loop->clock = fn != NULL ? fn : event_monotonic;
	loop->clock_arg = arg;
}

/* event_now - the loop's clock, in milliseconds */
uint64_t
event_now(const struct event_loop *loop)
{
	return loop->clock(loop->clock_arg);
}

/* event_io_ctl - one epoll_ctl call for io */
static int
event_io_ctl(struct event_loop *loop, int op, struct event_io *io)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = io->events;
	ev.data.ptr = io;
	return epoll_ctl(loop->epfd, op, io->fd, &ev);
}

int
event_io_add(struct event_loop *loop, struct event_io *io, int fd,
    uint32_t events, event_io_cb *cb, void *arg)
{
	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
	return event_io_ctl(loop, EPOLL_CTL_ADD, io);
}

int
event_io_mod(struct event_loop *loop, struct event_io *io, uint32_t events)
{
	io->events = events;
	return event_io_ctl(loop, EPOLL_CTL_MOD, io);
}

/* event_io_del - stop watching io and forget its pending readiness */
int
event_io_del(struct event_loop *loop, struct event_io *io)
{
	int i;

	for (i = loop->cur + 1; i < loop->nready; i++) {
		if (loop->ready[i].data.ptr == io) {
			loop->ready[i].data.ptr = NULL;
		}
	}
	return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

/* event_heap_put - store t at slot i of the heap */
static void
event_heap_put(struct event_loop *loop, size_t i, struct event_timer *t)
{
	loop->heap[i] = t;
	t->slot = i;
}

/* event_heap_up - move the timer at slot i towards the root */
static void
event_heap_up(struct event_loop *loop, size_t i)
{
	struct event_timer *t = loop->heap[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (loop->heap[parent]->when <= t->when) {
			break;
		}
		event_heap_put(loop, i, loop->heap[parent]);
		i = parent;
	}
	event_heap_put(loop, i, t);
}

/* event_heap_down - move the timer at slot i towards the leaves */
static void
event_heap_down(struct event_loop *loop, size_t i)
{
	struct event_timer *t = loop->heap[i];
	size_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= loop->ntimers) {
			break;
		}
		if (child + 1 < loop->ntimers &&
		    loop->heap[child + 1]->when < loop->heap[child]->when) {
			child++;
		}
		if (t->when <= loop->heap[child]->when) {
			break;
		}
		event_heap_put(loop, i, loop->heap[child]);
		i = child;
	}
	event_heap_put(loop, i, t);
}

/* event_timer_init - mark t as not armed, before its first use */
void
event_timer_init(struct event_timer *t)
{
	t->slot = EVENT_TIMER_IDLE;
}

/* event_timer_del - disarm t; harmless if it is not armed */
void
event_timer_del(struct event_loop *loop, struct event_timer *t)
{
	struct event_timer *last;
	size_t i = t->slot;

	if (i == EVENT_TIMER_IDLE) {
		return;
	}
	t->slot = EVENT_TIMER_IDLE;
	last = loop->heap[--loop->ntimers];
	if (last == t) {
		return;
	}
	event_heap_put(loop, i, last);
	event_heap_up(loop, i);
	event_heap_down(loop, last->slot);
}

/* event_timer_set - (re)arm t to fire after ms; -1/ENOSPC if heap full */
int
event_timer_set(struct event_loop *loop, struct event_timer *t, uint64_t ms,
    event_timer_cb *cb, void *arg)
{
	uint64_t now = event_now(loop);

	event_timer_del(loop, t);
	if (loop->ntimers == loop->cap) {
		errno = ENOSPC;
		return -1;
	}
	t->when = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
	t->cb = cb;
	t->arg = arg;
	event_heap_put(loop, loop->ntimers++, t);
	event_heap_up(loop, t->slot);
	return 0;
}

/* event_timers_fire - run due timers; those armed meanwhile wait a pass */
static void
event_timers_fire(struct event_loop *loop)
{
	struct event_timer *t;
	uint64_t now = event_now(loop);
	size_t budget = loop->ntimers;

	while (budget-- > 0 && loop->ntimers > 0) {
		t = loop->heap[0];
		if (t->when > now) {
			break;
		}
		event_timer_del(loop, t);
		t->cb(loop, t);
	}
}

/* event_wait_ms - epoll_wait timeout: until the next timer, capped */
static int
event_wait_ms(const struct event_loop *loop, int max_ms)
{
	uint64_t now, when;
	int ms = -1;

	if (loop->ntimers > 0) {
		now = event_now(loop);
		when = loop->heap[0]->when;
		ms = when <= now         ? 0 :
		    when - now > INT_MAX ? INT_MAX :
					   (int)(when - now);
	}
	if (max_ms >= 0 && (ms < 0 || ms > max_ms)) {
		ms = max_ms;
	}
	return ms;
}

/* event_run_once - wait up to max_ms (-1: no cap), dispatch, fire timers */
int
event_run_once(struct event_loop *loop, int max_ms)
{
	struct event_io *io;
	int n;

	/* What was queued outside a pass (setup code) goes before we sleep. */
	event_run_deferred(loop);
	n = epoll_wait(loop->epfd, loop->ready, EVENT_BATCH_MAX,
	    event_wait_ms(loop, max_ms));
	if (n == -1 && errno != EINTR) {
		return -1;
	}
	loop->nready = n > 0 ? n : 0;
	for (loop->cur = 0; loop->cur < loop->nready; loop->cur++) {
		io = loop->ready[loop->cur].data.ptr;
		if (io != NULL) {
			io->cb(loop, io, loop->ready[loop->cur].events);
		}
	}
	loop->nready = 0;
	loop->cur = 0;
	event_timers_fire(loop);
	event_run_deferred(loop);
	return 0;
}

void
event_defer(struct event_loop *loop, struct event_defer *d, event_defer_cb *cb,
    void *arg)
{
	d->cb = cb;
	d->arg = arg;
	if (d->queued) {
		return;
	}
	if (loop->deferred == NULL) {
		loop->deferred_tail = &loop->deferred;
	}
	d->next = NULL;
	d->queued = 1;
	*loop->deferred_tail = d;
	loop->deferred_tail = &d->next;
}

void
event_defer_cancel(struct event_loop *loop, struct event_defer *d)
{
	struct event_defer **p;

	if (!d->queued) {
		return;
	}
	for (p = &loop->deferred; *p != NULL; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			if (loop->deferred_tail == &d->next) {
				loop->deferred_tail = p;
			}
			break;
		}
	}
	d->queued = 0;
	d->next = NULL;
}

/* event_run_deferred - in queue order; work queued by a callback runs in
 * the same call */
void
event_run_deferred(struct event_loop *loop)
{
	struct event_defer *d;

	while ((d = loop->deferred) != NULL) {
		loop->deferred = d->next;
		if (loop->deferred == NULL) {
			loop->deferred_tail = &loop->deferred;
		}
		d->next = NULL;
		d->queued = 0;
		d->cb(loop, d);
	}
}

/* event_run - run until event_break; -1 if epoll_wait fails */
int
event_run(struct event_loop *loop)
{
	loop->done = 0;
	while (!loop->done) {
		if (event_run_once(loop, -1) == -1) {
			return -1;
		}
	}
	return 0;
}

/* event_break - make event_run return after the current pass */
void
event_break(struct event_loop *loop)
{
	loop->done = 1;
}

/* event_signal_read - drain the signalfd and call each signal's handler */
static void
event_signal_read(struct event_loop *loop, struct event_io *io,
    uint32_t revents)
{
	struct signalfd_siginfo si;
	struct event_signal *s;

	(void)revents;
	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo >= EVENT_NSIG) {
			continue;
		}
		s = loop->sigs[si.ssi_signo];
		if (s != NULL) {
			s->cb(loop, s);
		}
	}
}

/* event_signal_update - point the signalfd at the current signal set */
static int
event_signal_update(struct event_loop *loop)
{
	int fd;

	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1) {
		return -1;
	}
	if (loop->sigfd == -1) {
		loop->sigfd = fd;
		if (event_io_add(loop, &loop->sigio, fd, EVENT_READ,
			event_signal_read, NULL) == -1) {
			return -1;
		}
	}
	return 0;
}

int
event_signal_add(struct event_loop *loop, struct event_signal *s, int signo,
    event_signal_cb *cb, void *arg)
{
	sigset_t one;

	if (signo <= 0 || signo >= EVENT_NSIG) {
		errno = EINVAL;
		return -1;
	}
	s->signo = signo;
	s->cb = cb;
	s->arg = arg;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) == -1) {
		return -1;
	}
	sigaddset(&loop->sigmask, signo);
	loop->sigs[signo] = s;
	return event_signal_update(loop);
}

int
event_signal_del(struct event_loop *loop, struct event_signal *s)
{
	sigset_t one;

	if (s->signo <= 0 || s->signo >= EVENT_NSIG ||
	    loop->sigs[s->signo] != s) {
		errno = EINVAL;
		return -1;
	}
	loop->sigs[s->signo] = NULL;
	sigdelset(&loop->sigmask, s->signo);
	sigemptyset(&one);
	sigaddset(&one, s->signo);
	if (event_signal_update(loop) == -1) {
		return -1;
	}
	return sigprocmask(SIG_UNBLOCK, &one, NULL);
}
