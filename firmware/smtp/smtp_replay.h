/*
 * smtp_replay.h - drive a session with a client's byte stream, exactly as
 * the smtp process's event loop will, and write a transcript.
 *
 * It is the reference for the event loop's use of the session machine
 * (line splitting with lib/buf.h, the "more" flag, content mode, the
 * STARTTLS discard) and the engine of the golden transcript tests, the
 * conformance driver and the session fuzz target. Pure: no I/O, no
 * allocation; the caller owns the struct and the transcript buffer.
 *
 * Transcript: the server's replies as sent (CRLF shown as a newline),
 * and events in brackets: "[message N: X octets, R rcpts]" when a message
 * is accepted (it is then answered "250 ... queued as QN"), "[starttls:
 * N buffered octets discarded]", "[close]", "[ignored N octets after
 * close]".
 */
#ifndef SK_SMTP_REPLAY_H
#define SK_SMTP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "smtp_session.h"

#define SMTP_REPLAY_IN_MAX 65536 /* client bytes held at once */

struct smtp_replay {
	struct smtp_session s;
	struct buf_line lines;
	uint8_t in[SMTP_REPLAY_IN_MAX];
	size_t inlen;
	int body; /* the next bytes are content */
	int closed;
	int tls_pending; /* STARTTLS answered, handshake not yet done */
	int sasl_step;   /* the stand-in SASL sent its challenge */
	unsigned messages;
	uint64_t octets; /* content octets of the current message */
	char *log;
	size_t logcap, loglen;
	struct smtp_out out;
};

/* smtp_replay_init - a fresh session; greets into the transcript */
void smtp_replay_init(struct smtp_replay *r,
    const struct smtp_session_conf *conf, char *log, size_t logcap);
/* smtp_replay_write - one client write (one TCP segment) */
void smtp_replay_write(struct smtp_replay *r, const uint8_t *p, size_t n);
/* smtp_replay_tls - the TLS handshake after STARTTLS completed */
void smtp_replay_tls(struct smtp_replay *r);

#endif /* SK_SMTP_REPLAY_H */
