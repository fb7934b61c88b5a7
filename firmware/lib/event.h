/*
 * event.h - the epoll event loop every Sekimori process runs.
 *
 * One loop per process, one thread. It dispatches
 *   - descriptor readiness (struct event_io, level-triggered),
 *   - timers on a monotonic millisecond clock (struct event_timer, kept
 *     in a binary heap over an array the caller provides),
 *   - signals, read from one signalfd (struct event_signal).
 *
 * Ownership: the caller owns the loop struct, the timer heap array and
 * every event_io/event_timer/event_signal, and keeps each alive while it
 * is registered. The loop allocates nothing. An event_io may be deleted,
 * and any watcher freed after deletion, from inside any callback: the
 * loop forgets pending readiness of a deleted event_io.
 *
 * Signals given to event_signal_add are blocked with sigprocmask for the
 * whole process (that is how signalfd works); a process that forks must
 * restore its mask in the child before exec.
 *
 * Deferred work (struct event_defer) runs once at the end of the pass,
 * after the timers: a channel queues its output during the pass and
 * sends it there in one system call (chan.c).
 *
 * The clock can be replaced (event_set_clock) so tests drive timers with
 * a fake time. Functions that wrap system calls return 0, or -1 with
 * errno set.
 */
#ifndef SK_EVENT_H
#define SK_EVENT_H

#include <sys/epoll.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_READ EPOLLIN
#define EVENT_WRITE EPOLLOUT
#define EVENT_BATCH_MAX 64 /* readiness events taken per epoll_wait */
#define EVENT_NSIG 65      /* Linux signals are 1..64 */
#define EVENT_TIMER_IDLE SIZE_MAX

struct event_loop;
struct event_io;
struct event_timer;
struct event_signal;
struct event_defer;

typedef void event_io_cb(struct event_loop *, struct event_io *,
    uint32_t revents);
typedef void event_timer_cb(struct event_loop *, struct event_timer *);
typedef void event_signal_cb(struct event_loop *, struct event_signal *);
typedef void event_defer_cb(struct event_loop *, struct event_defer *);
typedef uint64_t event_clock_fn(void *arg); /* milliseconds, monotonic */

struct event_io {
	int fd;
	uint32_t events;
	event_io_cb *cb;
	void *arg;
};

struct event_timer {
	uint64_t when; /* deadline on the loop's clock */
	size_t slot;   /* heap index, or EVENT_TIMER_IDLE */
	event_timer_cb *cb;
	void *arg;
};

struct event_signal {
	int signo;
	event_signal_cb *cb;
	void *arg;
};

struct event_defer {
	struct event_defer *next;
	int queued;
	event_defer_cb *cb;
	void *arg;
};

struct event_loop {
	int epfd;
	int sigfd;
	sigset_t sigmask;
	struct event_io sigio;
	struct event_signal *sigs[EVENT_NSIG];
	struct event_timer **heap;
	size_t ntimers, cap;
	event_clock_fn *clock;
	void *clock_arg;
	struct epoll_event ready[EVENT_BATCH_MAX];
	int nready, cur;
	int done;
	struct event_defer *deferred; /* for the end of this pass, in order */
	struct event_defer **deferred_tail;
};

/* event_init - an empty loop whose timer heap holds up to cap timers */
int event_init(struct event_loop *loop, struct event_timer **heap, size_t cap);
/* event_close - close the loop's descriptors and unblock its signals */
void event_close(struct event_loop *loop);
/* event_set_clock - use fn(arg) as the clock; NULL restores the default */
void event_set_clock(struct event_loop *loop, event_clock_fn *fn, void *arg);
/* event_now - the loop's clock, in milliseconds */
uint64_t event_now(const struct event_loop *loop);
/* event_monotonic_us - CLOCK_MONOTONIC in microseconds, the default
 * clock's source: for timing outside a loop, from any thread */
uint64_t event_monotonic_us(void);

int event_io_add(struct event_loop *loop, struct event_io *io, int fd,
    uint32_t events, event_io_cb *cb, void *arg);
int event_io_mod(struct event_loop *loop, struct event_io *io, uint32_t events);
int event_io_del(struct event_loop *loop, struct event_io *io);

/* event_timer_set - (re)arm t to fire after ms; -1/ENOSPC if heap full */
int event_timer_set(struct event_loop *loop, struct event_timer *t, uint64_t ms,
    event_timer_cb *cb, void *arg);
/* event_timer_del - disarm t; harmless if it is not armed */
void event_timer_del(struct event_loop *loop, struct event_timer *t);
/* event_timer_init - mark t as not armed, before its first use */
void event_timer_init(struct event_timer *t);

int event_signal_add(struct event_loop *loop, struct event_signal *s, int signo,
    event_signal_cb *cb, void *arg);
int event_signal_del(struct event_loop *loop, struct event_signal *s);

/* event_defer - run cb(loop, d) once at the end of this pass (after the
 * timers); harmless if d is queued already. d must stay alive until it
 * ran or event_defer_cancel took it back. */
void event_defer(struct event_loop *loop, struct event_defer *d,
    event_defer_cb *cb, void *arg);
/* event_defer_cancel - take d back; harmless if it is not queued */
void event_defer_cancel(struct event_loop *loop, struct event_defer *d);
/* event_run_deferred - run what is queued now (event_run_once does) */
void event_run_deferred(struct event_loop *loop);

/* event_run_once - wait up to max_ms (-1: no cap), dispatch, fire timers */
int event_run_once(struct event_loop *loop, int max_ms);
/* event_run - run until event_break; -1 if epoll_wait fails */
int event_run(struct event_loop *loop);
/* event_break - make event_run return after the current pass */
void event_break(struct event_loop *loop);

#endif /* SK_EVENT_H */
