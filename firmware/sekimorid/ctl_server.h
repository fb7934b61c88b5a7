/*
 * ctl_server.h - the supervisor's side of the control socket (ctl.h):
 * a listening Unix socket in the supervisor's event loop, at most
 * CTL_CLIENTS_MAX clients at once, each with CTL_REQUEST_IDLE_MS to
 * send its request line. A client whose uid is neither root nor the
 * daemon's own is closed at once (the socket's mode 0600 already keeps
 * others out; this is the second lock).
 *
 * Ownership: the caller owns struct ctl_server (it is static in the
 * supervisor) and keeps it alive until ctl_server_close. A client handed
 * to the request callback stays the server's; the caller answers it
 * exactly once with ctl_server_answer or ctl_server_answer_data, which
 * close it, or leaves it to ctl_server_close.
 */
#ifndef SEKIMORID_CTL_SERVER_H
#define SEKIMORID_CTL_SERVER_H
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "event.h"

#define CTL_CLIENTS_MAX 4        /* connections at once; more wait */
#define CTL_REQUEST_IDLE_MS 5000 /* to send the request line */

struct ctl_server;

struct ctl_client {
	struct ctl_server *srv;
	int fd; /* -1: slot free */
	struct event_io io;
	struct event_timer idle;
	uint8_t buf[CTL_REQUEST_MAX];
	size_t len;
	int waiting; /* the request is with the callback */
};

/* ctl_request_fn - a parsed request from c: answer it, now or later */
typedef void ctl_request_fn(struct ctl_server *s, struct ctl_client *c,
    enum ctl_request req, void *arg);

struct ctl_server {
	struct event_loop *loop;
	int fd; /* -1: not open */
	struct event_io io;
	char path[108]; /* sizeof(sun_path) */
	ctl_request_fn *on_request;
	void *arg;
	struct ctl_client clients[CTL_CLIENTS_MAX];
};

/*
 * ctl_server_open - listen at path (mode 0600): a stale socket there is
 * replaced; a live one (another daemon serving the same root) is an
 * error. The loop's timer heap needs room for CTL_CLIENTS_MAX timers.
 * Returns SK_OK, or SK_E_TOO_LONG / SK_E_FULL / SK_E_IO with err set.
 */
enum sk_result ctl_server_open(struct ctl_server *s, struct event_loop *loop,
    const char *path, ctl_request_fn *on_request, void *arg, char *err,
    size_t errlen);

/* ctl_server_answer - send one answer line (text without LF, cut to
 * CTL_ANSWER_MAX) and close c */
void ctl_server_answer(struct ctl_client *c, const char *text);

/* ctl_server_answer_data - send lines (each ending in LF, none starting
 * with '.', printable ASCII: ctl.h) as a data block and close c; lines
 * past CTL_DATA_MAX are left out */
void ctl_server_answer_data(struct ctl_client *c, const char *lines);

/* ctl_server_close - close every client and the socket, remove path */
void ctl_server_close(struct ctl_server *s);

#endif /* SEKIMORID_CTL_SERVER_H */
