/*
 * scan.h - content scanners: the verdict, and one small backend table.
 *
 * A scanner looks at one message and gives a verdict (struct
 * scan_result). Each backend is a sans-I/O protocol core (scan_clamd.h,
 * scan_milter.h) plus a thin blocking driver over a socket
 * (scan_clamd_io.c, scan_milter_io.c); scan_null.c is the test double. A
 * chain per direction is a list of backends from the config, each run as
 *
 *	ctx = storage of b->ctx_size octets (the caller's)
 *	b->open(ctx, &conf, &env)             connect, negotiate
 *	b->feed(ctx, buf, len) ...            the message, CRLF line ends
 *	b->finish(ctx)                        end of message, read replies
 *	b->verdict(ctx, &result)              then b->close(ctx)
 *
 * open, feed and finish return SK_OK or an error; after an error the
 * verdict is SCAN_ERROR with the reason in its text (still call verdict
 * and close). A backend never logs and never exits; each call returns by
 * conf.timeout_ms after open started (one deadline for the whole scan:
 * what matters is how long the SMTP client waits).
 *
 * Ownership: the caller owns ctx, conf, env and every string in them;
 * they must outlive close. Backends allocate nothing (libc's getaddrinfo
 * does, for a host name in the address).
 */
#ifndef SK_SCAN_H
#define SK_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define SCAN_TEXT_MAX 1024 /* a verdict's text, NUL included */
#define SCAN_ADDR_MAX 256  /* "/path/to/socket" or "host:port" */
#define SCAN_TIMEOUT_DEFAULT_MS (60u * 1000)

enum scan_verdict {
	SCAN_CLEAN,      /* nothing found; a milter accepted */
	SCAN_INFECTED,   /* clamd found NAME (text) */
	SCAN_REJECT,     /* a milter rejected: text is the SMTP reply
			  * (lines joined by CRLF when multi-line) */
	SCAN_TEMPFAIL,   /* a milter asked to try later: text as above */
	SCAN_DISCARD,    /* a milter asked to accept and drop the message */
	SCAN_QUARANTINE, /* a milter accepted into quarantine: text why */
	SCAN_TOO_LARGE,  /* the message is past the scanner's size limit */
	SCAN_ERROR,      /* not scanned: down, timeout, protocol error */
	SCAN_VERDICT_COUNT,
};

struct scan_result {
	enum scan_verdict verdict;
	/* printable ASCII, NUL-terminated; a milter's multi-line reply
	 * has CRLF between its lines (none at the end) */
	char text[SCAN_TEXT_MAX];
};

/* scan_verdict_name - "clean", "infected", ..., "too-large", "error" */
const char *scan_verdict_name(enum scan_verdict v);
/* scan_result_set - verdict and text (cut at SCAN_TEXT_MAX - 1) */
void scan_result_set(struct scan_result *r, enum scan_verdict v,
    const char *text, size_t len);

struct scan_conf {
	const char *address; /* "/unix/path" or "host:port", "[v6]:port" */
	uint32_t timeout_ms; /* 0: SCAN_TIMEOUT_DEFAULT_MS */
	uint64_t max_size;   /* octets scanned at most; 0: the backend's */
};

/* The SMTP envelope and session, as a milter sees it. */
struct scan_env {
	const char *myhostname;  /* macro j */
	const char *daemon_name; /* {daemon_name} */
	const char *queue_id;    /* macro i */
	const char *client_addr; /* "192.0.2.1", "2001:db8::1" or "" */
	uint16_t client_port;
	const char *client_name; /* reverse name, or "unknown" */
	const char *helo;
	const char *auth_user; /* "" when not authenticated */
	const char *sender;    /* "" for the null sender */
	const char *const *rcpt;
	size_t nrcpt;
	/* The caller applies a milter's envelope changes (addrcpt,
	 * addrcpt_par, delrcpt, chgfrom): only then are their SMFIF_ flags
	 * offered. */
	int envelope_ok;
	/* Recipients one milter may add: the relay's recipient limit
	 * (config limits.recipients); 0: SCAN_MILTER_RCPTS_DEFAULT. */
	uint32_t max_rcpts;
};

struct scan_milter_actions;

struct scan_backend {
	const char *name; /* "clamd", "milter", "null" */
	size_t ctx_size;  /* storage the caller provides */
	enum sk_result (*open)(void *ctx, const struct scan_conf *conf,
	    const struct scan_env *env);
	enum sk_result (*feed)(void *ctx, const uint8_t *buf, size_t len);
	enum sk_result (*finish)(void *ctx);
	void (*verdict)(void *ctx, struct scan_result *out);
	/* the milter's modifications, or NULL (other backends) */
	const struct scan_milter_actions *(*actions)(void *ctx);
	void (*close)(void *ctx);
};

extern const struct scan_backend scan_clamd_backend;
extern const struct scan_backend scan_milter_backend;
extern const struct scan_backend scan_null_backend;

/* scan_backend_find - the backend called name, or NULL */
const struct scan_backend *scan_backend_find(const char *name);

#endif /* SK_SCAN_H */
