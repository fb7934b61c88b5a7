/*
 * ctl.h - the supervisor's control socket: one request line in, one
 * answer out (a line, or a block of lines).
 *
 * The socket is ROOT/run/sekimorid.ctl (ROOT: the config's mail
 * root-directory, "/" on the appliance, so /run/sekimorid.ctl there), a
 * Unix stream socket of mode 0600 owned by the daemon's user; the
 * supervisor also checks the peer's uid (root or its own). Protocol:
 *
 *   client: "reload\n"
 *   daemon: "ok\n" | "refused: WHY\n" | "failed: WHY\n"
 *
 *   client: "statistics\n"
 *   daemon: "data\n" LINE* ".\n" | "refused: WHY\n"
 *
 *   client: "statistics clear\n"
 *   daemon: "ok\n" | "refused: WHY\n"
 *
 * then the daemon closes the connection. A request is at most
 * CTL_REQUEST_MAX octets with its LF, an answer line at most
 * CTL_ANSWER_MAX. A data block ("data" ... ".") is at most CTL_DATA_MAX
 * octets in all; each LINE is at most CTL_DATA_LINE_MAX octets with its
 * LF, printable ASCII (one CR before the LF is allowed and dropped), and
 * does not start with '.' (so that "." alone can end the block; unlike
 * SMTP there is no dot-stuffing: the daemon never sends such a line).
 *
 * This file holds the sans-I/O parsers of both directions (every octet
 * from the socket is outside input) and the blocking client that
 * `sekimorid --reload` and the CLI use. The server is ctl_server.h.
 */
#ifndef SEKIMORID_CTL_H
#define SEKIMORID_CTL_H
#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define CTL_SOCKET "/run/sekimorid.ctl" /* a model path: under the root */
#define CTL_REQUEST_MAX 64              /* a request line, LF included */
#define CTL_ANSWER_MAX 1024             /* an answer line, LF included */
#define CTL_DATA_MAX 8192     /* a data block, "data" to "." included */
#define CTL_DATA_LINE_MAX 256 /* one line of it, LF included */
/* a reload waits for the children to finish (SUP_SHUTDOWN_GRACE_MS) and
 * to come up again (SUP_RELOAD_UP_MS): the client waits longer */
#define CTL_CLIENT_TIMEOUT_MS 90000

enum ctl_request {
	CTL_REQ_RELOAD,           /* read the config file again and apply it */
	CTL_REQ_STATISTICS,       /* the mail statistics (a data block) */
	CTL_REQ_STATISTICS_CLEAR, /* start the statistics again from zero */
};

enum ctl_answer {
	CTL_ANS_OK,      /* "ok": applied */
	CTL_ANS_REFUSED, /* "refused: WHY": nothing changed */
	CTL_ANS_FAILED,  /* "failed: WHY": applied, a child did not come up */
	CTL_ANS_DATA,    /* "data" ... ".": the lines in between */
};

/*
 * ctl_request_parse - the first line of buf[len]: SK_OK with *req and
 * *used (octets up to and including the LF); SK_NEED_MORE when no LF
 * yet and fewer than CTL_REQUEST_MAX octets; SK_E_TOO_LONG when no LF
 * within CTL_REQUEST_MAX; SK_E_SYNTAX for any line but a known request
 * (one CR before the LF is allowed).
 */
enum sk_result ctl_request_parse(const uint8_t *buf, size_t len,
    enum ctl_request *req, size_t *used);

/*
 * ctl_answer_parse - the answer in buf[len]: SK_OK with *kind and the
 * text after "ok", "refused: " or "failed: " copied into text[textlen]
 * (cut to fit, octets outside printable ASCII as '?'); SK_NEED_MORE,
 * SK_E_TOO_LONG and SK_E_SYNTAX as above. A data block (CTL_ANS_DATA)
 * is complete at its "." line: text gets its lines, each ending in LF
 * (whole lines only, as many as fit); SK_NEED_MORE before that line,
 * SK_E_TOO_LONG past CTL_DATA_MAX or a line past CTL_DATA_LINE_MAX,
 * SK_E_SYNTAX for an octet outside printable ASCII or a line starting
 * with '.' other than the end.
 */
enum sk_result ctl_answer_parse(const uint8_t *buf, size_t len,
    enum ctl_answer *kind, char *text, size_t textlen);

/*
 * ctl_call - connect to the socket at path, send request (one line
 * without its LF), wait up to timeout_ms for the answer. SK_OK with
 * *kind and the whole answer line (without LF, made printable) in
 * answer[answerlen], or for CTL_ANS_DATA the block's lines (each with its
 * LF, whole lines as many as fit); SK_E_CLOSED when the socket could not be
 * reached (err says why; errno is ENOENT or ECONNREFUSED when no daemon listens
 * there, EACCES when the caller may not use it); SK_E_IO when the daemon did
 * not answer in time or closed without an answer; SK_E_SYNTAX for a malformed
 * answer.
 */
enum sk_result ctl_call(const char *path, const char *request, int timeout_ms,
    enum ctl_answer *kind, char *answer, size_t answerlen, char *err,
    size_t errlen);

#endif /* SEKIMORID_CTL_H */
