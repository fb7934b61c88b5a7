/*
 * smtp_sasl.h - the SASL mechanisms of SMTP AUTH (RFC 4954): PLAIN
 * (RFC 4616) and LOGIN, as a small state machine without I/O.
 *
 * Security-sensitive: it decodes what an unauthenticated network peer
 * sends as credentials. Strict base64 (lib/base64.h, BASE64_STRICT: the
 * standard alphabet, padding required and correct, no whitespace, unused
 * bits zero), bounded fields, and nothing is kept from one exchange to the
 * next (CVE-2011-1720 class).
 *
 * Use, in the smtp process, on SMTP_A_AUTH from the session:
 *
 *	in_auth = (s->state == SMTP_S_AUTH);   // BEFORE smtp_session_line
 *	a = smtp_session_line(s, line, len, more, out);
 *	if (a == SMTP_A_AUTH) {
 *		step = in_auth ? smtp_sasl_response(&x, s->sasl, s->sasl_len)
 *			       : smtp_sasl_start(&x, s->sasl, s->sasl_len);
 *		SMTP_SASL_CHALLENGE: smtp_session_auth_reply(CONTINUE,
 *		                     x.challenge)
 *		SMTP_SASL_CHECK:     check x.user / x.pass (supervisor,
 *		                     AUTH_CHECK), answer OK or FAIL, then
 *		                     smtp_sasl_wipe(&x)
 *		SMTP_SASL_ERROR:     smtp_session_auth_refuse(s, x.reply),
 *		                     then smtp_sasl_wipe(&x)
 *	}
 *
 * The session itself answers "*" (abort) and never passes it here; a
 * new AUTH always goes to smtp_sasl_start, which forgets everything of
 * an earlier exchange. The caller wipes x when the session ends.
 *
 * Mechanisms:
 *   PLAIN  "AUTH PLAIN" then one response, or the response as initial
 *          response ("AUTH PLAIN <b64>"; "=" for an empty one). The
 *          message is authzid NUL authcid NUL passwd (RFC 4616 2). An
 *          authzid must be empty or equal to the authcid: acting for
 *          another user is never allowed (535 5.7.8).
 *   LOGIN  334 "VXNlcm5hbWU6" ("Username:"), then 334 "UGFzc3dvcmQ6"
 *          ("Password:"), one response each. An initial response is
 *          taken as the user name (clients such as Outlook send one).
 *
 * Fields: the user (authcid, authzid) at most SMTP_SASL_FIELD_MAX
 * octets, strict UTF-8 without control characters (it reaches logs
 * and the lockout table); the password at most SMTP_SASL_FIELD_MAX
 * octets, any octets but NUL (an empty password is never checked). The
 * empty response of a continuation is an empty line (RFC 4954 4); "="
 * means empty only as initial response.
 *
 * Errors (the reply ends the exchange):
 *   SMTP_R_AUTH_SYNTAX     501 5.5.2  "AUTH" without a mechanism, bad IR
 *   SMTP_R_AUTH_MECH       504 5.5.4  not PLAIN or LOGIN
 *   SMTP_R_AUTH_BASE64     501 5.5.2  not strict base64 (RFC 4954 4)
 *   SMTP_R_AUTH_TOO_LONG   500 5.5.6  a response over the bound (4954 4)
 *   SMTP_R_AUTH_MALFORMED  501 5.5.2  PLAIN without its two NULs, a NUL
 *                                     or control character in a field,
 *                                     an empty user name or password
 *   SMTP_R_AUTH_FAILED     535 5.7.8  authzid not the authcid
 *   SMTP_R_BAD_SEQUENCE    503 5.5.1  smtp_sasl_response with no
 *                                     challenge pending (a caller bug)
 * The caller should count every error after the mechanism was known as
 * a failure of the client's source address (login/lockout.h): they are
 * what a guessing tool produces, and they reach no password check.
 *
 * Ownership: struct smtp_sasl is the caller's; it holds the credentials
 * (user, pass) until smtp_sasl_wipe. No allocation; the decode buffer is
 * on the stack and wiped.
 */
#ifndef SK_SMTP_SASL_H
#define SK_SMTP_SASL_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"
#include "smtp_reply.h"

/* RFC 4616 2: authzid, authcid and passwd of up to 255 octets each. */
#define SMTP_SASL_FIELD_MAX 255
/* A whole PLAIN message: three fields and two NULs. */
#define SMTP_SASL_MSG_MAX (3 * SMTP_SASL_FIELD_MAX + 2)
/* Its base64 form, the longest response decoded (4 per 3, padded). */
#define SMTP_SASL_B64_MAX (4 * ((SMTP_SASL_MSG_MAX + 2) / 3))

enum smtp_sasl_mech {
	SMTP_SASL_NONE = 0,
	SMTP_SASL_PLAIN,
	SMTP_SASL_LOGIN,
};

enum smtp_sasl_step {
	SMTP_SASL_ERROR = 0, /* end the exchange with reply */
	SMTP_SASL_CHALLENGE, /* send 334 challenge, wait for a response */
	SMTP_SASL_CHECK,     /* user and pass are ready to be checked */
};

/* where the exchange is: internal */
enum smtp_sasl_stage {
	SMTP_SASL_IDLE = 0,
	SMTP_SASL_PLAIN_WAIT,
	SMTP_SASL_LOGIN_USER,
	SMTP_SASL_LOGIN_PASS,
	SMTP_SASL_DONE,
};

struct smtp_sasl {
	enum smtp_sasl_mech mech;
	enum smtp_sasl_stage stage;
	const char *challenge;    /* SMTP_SASL_CHALLENGE: base64, static */
	enum smtp_reply_id reply; /* SMTP_SASL_ERROR: the reply */
	char user[SMTP_SASL_FIELD_MAX + 1]; /* authcid, NUL-ended */
	size_t userlen;
	char pass[SMTP_SASL_FIELD_MAX + 1]; /* secret: NUL-ended */
	size_t passlen;
};

/*
 * smtp_sasl_start - a new exchange from the AUTH argument
 * "MECH [initial-response]" (s->sasl on the AUTH command). Everything
 * of an earlier exchange is wiped first.
 */
enum smtp_sasl_step smtp_sasl_start(struct smtp_sasl *x, const uint8_t *arg,
    size_t len);

/*
 * smtp_sasl_response - the client's response line to a challenge. A
 * response when no challenge is pending (a caller bug) ends the
 * exchange with SMTP_R_BAD_SEQUENCE.
 */
enum smtp_sasl_step smtp_sasl_response(struct smtp_sasl *x, const uint8_t *line,
    size_t len);

/* smtp_sasl_wipe - forget the exchange and clear the credentials */
void smtp_sasl_wipe(struct smtp_sasl *x);

/* smtp_sasl_mech_name - "PLAIN", "LOGIN", or "" (for logs) */
const char *smtp_sasl_mech_name(enum smtp_sasl_mech m);

#endif /* SK_SMTP_SASL_H */
