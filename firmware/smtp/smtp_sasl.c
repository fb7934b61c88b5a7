/*
 * smtp_sasl.c - AUTH PLAIN and LOGIN over strict base64 (lib/base64.h).
 */
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "smtp_addr.h"
#include "smtp_sasl.h"

#define SMTP_SASL_MECH_MAX 20 /* RFC 4422 3.1: 1*20 mech-char */
/* Room for any response of up to SMTP_SASL_B64_MAX characters. */
#define SMTP_SASL_DECODED_MAX (SMTP_SASL_B64_MAX / 4 * 3)

/* RFC 4954 4: challenges are base64; LOGIN's are these by custom. */
static const char smtp_sasl_username[] = "VXNlcm5hbWU6"; /* "Username:" */
static const char smtp_sasl_password[] = "UGFzc3dvcmQ6"; /* "Password:" */

/* smtp_sasl_wipe - forget the exchange and clear the credentials */
void
smtp_sasl_wipe(struct smtp_sasl *x)
{
	explicit_bzero(x, sizeof(*x));
	x->mech = SMTP_SASL_NONE;
	x->stage = SMTP_SASL_IDLE;
	x->challenge = NULL;
	x->reply = SMTP_R_NONE;
}

/* smtp_sasl_mech_name - "PLAIN", "LOGIN", or "" */
const char *
smtp_sasl_mech_name(enum smtp_sasl_mech m)
{
	switch (m) {
	case SMTP_SASL_PLAIN:
		return "PLAIN";
	case SMTP_SASL_LOGIN:
		return "LOGIN";
	case SMTP_SASL_NONE:
		break;
	}
	return "";
}

/* smtp_sasl_fail - end the exchange with reply; nothing is kept */
static enum smtp_sasl_step
smtp_sasl_fail(struct smtp_sasl *x, enum smtp_reply_id reply)
{
	enum smtp_sasl_mech mech = x->mech;

	smtp_sasl_wipe(x);
	x->mech = mech; /* for the caller's log line */
	x->stage = SMTP_SASL_DONE;
	x->reply = reply;
	return SMTP_SASL_ERROR;
}

/* smtp_sasl_challenge - ask for the next response with text c */
static enum smtp_sasl_step
smtp_sasl_challenge(struct smtp_sasl *x, enum smtp_sasl_stage next,
    const char *c)
{
	x->stage = next;
	x->challenge = c;
	return SMTP_SASL_CHALLENGE;
}

/*
 * smtp_sasl_user_ok - whether buf[0..len) can be a user name: 1 to
 * SMTP_SASL_FIELD_MAX octets of strict UTF-8 without control characters
 * (it is logged and looked up, never interpreted).
 */
static int
smtp_sasl_user_ok(const uint8_t *buf, size_t len)
{
	size_t i;

	if (len == 0 || len > SMTP_SASL_FIELD_MAX) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] < 0x20 || buf[i] == 0x7f) {
			return 0;
		}
	}
	return smtp_utf8_valid(buf, len);
}

/* smtp_sasl_pass_ok - 1 to SMTP_SASL_FIELD_MAX octets, no NUL */
static int
smtp_sasl_pass_ok(const uint8_t *buf, size_t len)
{
	return len > 0 && len <= SMTP_SASL_FIELD_MAX &&
	    memchr(buf, '\0', len) == NULL;
}

/* smtp_sasl_set - copy a checked field into dst[SMTP_SASL_FIELD_MAX + 1] */
static void
smtp_sasl_set(char *dst, size_t *dstlen, const uint8_t *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	*dstlen = len;
}

/*
 * smtp_sasl_plain - RFC 4616 2: message = [authzid] NUL authcid NUL
 * passwd, in msg[0..len).
 */
static enum smtp_sasl_step
smtp_sasl_plain(struct smtp_sasl *x, const uint8_t *msg, size_t len)
{
	const uint8_t *nul1, *nul2, *authcid, *passwd;
	size_t zlen, clen, plen;

	nul1 = memchr(msg, '\0', len);
	if (nul1 == NULL) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_MALFORMED);
	}
	zlen = (size_t)(nul1 - msg);
	authcid = nul1 + 1;
	nul2 = memchr(authcid, '\0', len - zlen - 1);
	if (nul2 == NULL) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_MALFORMED);
	}
	clen = (size_t)(nul2 - authcid);
	passwd = nul2 + 1;
	plen = len - zlen - clen - 2;
	if (!smtp_sasl_user_ok(authcid, clen) ||
	    (zlen > 0 && !smtp_sasl_user_ok(msg, zlen)) ||
	    !smtp_sasl_pass_ok(passwd, plen)) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_MALFORMED);
	}
	/* RFC 4616 2: the server decides; we never let one act as another. */
	if (zlen > 0 && (zlen != clen || memcmp(msg, authcid, clen) != 0)) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_FAILED);
	}
	smtp_sasl_set(x->user, &x->userlen, authcid, clen);
	smtp_sasl_set(x->pass, &x->passlen, passwd, plen);
	x->stage = SMTP_SASL_DONE;
	return SMTP_SASL_CHECK;
}

/* smtp_sasl_login_user - LOGIN's first answer: the user name */
static enum smtp_sasl_step
smtp_sasl_login_user(struct smtp_sasl *x, const uint8_t *buf, size_t len)
{
	if (!smtp_sasl_user_ok(buf, len)) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_MALFORMED);
	}
	smtp_sasl_set(x->user, &x->userlen, buf, len);
	return smtp_sasl_challenge(x, SMTP_SASL_LOGIN_PASS, smtp_sasl_password);
}

/* smtp_sasl_login_pass - LOGIN's second answer: the password */
static enum smtp_sasl_step
smtp_sasl_login_pass(struct smtp_sasl *x, const uint8_t *buf, size_t len)
{
	if (!smtp_sasl_pass_ok(buf, len)) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_MALFORMED);
	}
	smtp_sasl_set(x->pass, &x->passlen, buf, len);
	x->stage = SMTP_SASL_DONE;
	return SMTP_SASL_CHECK;
}

/* smtp_sasl_decoded - hand decoded octets to the current stage */
static enum smtp_sasl_step
smtp_sasl_decoded(struct smtp_sasl *x, const uint8_t *buf, size_t len)
{
	switch (x->stage) {
	case SMTP_SASL_PLAIN_WAIT:
		return smtp_sasl_plain(x, buf, len);
	case SMTP_SASL_LOGIN_USER:
		return smtp_sasl_login_user(x, buf, len);
	case SMTP_SASL_LOGIN_PASS:
		return smtp_sasl_login_pass(x, buf, len);
	case SMTP_SASL_IDLE:
	case SMTP_SASL_DONE:
		break;
	}
	return smtp_sasl_fail(x, SMTP_R_BAD_SEQUENCE);
}

/*
 * smtp_sasl_feed - decode one response (initial: "=" is empty) and
 * pass it on; the decoded copy is wiped whatever happens.
 */
static enum smtp_sasl_step
smtp_sasl_feed(struct smtp_sasl *x, const uint8_t *b64, size_t len, int initial)
{
	uint8_t buf[SMTP_SASL_DECODED_MAX];
	size_t n = 0;
	enum sk_result r;
	enum smtp_sasl_step step;

	if (len > SMTP_SASL_B64_MAX) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_TOO_LONG);
	}
	if (initial && len == 1 && b64[0] == '=') {
		len = 0; /* RFC 4954 4: "=" is an empty initial response */
	} else if (initial && len == 0) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_SYNTAX);
	}
	r = base64_decode(b64, len, BASE64_STRICT, buf, sizeof(buf), &n);
	if (r != SK_OK) {
		return smtp_sasl_fail(x,
		    r == SK_E_TOO_LONG ? SMTP_R_AUTH_TOO_LONG :
					 SMTP_R_AUTH_BASE64);
	}
	step = smtp_sasl_decoded(x, buf, n);
	explicit_bzero(buf, sizeof(buf));
	return step;
}

/* smtp_sasl_mech - the mechanism named by word[0..len), or NONE */
static enum smtp_sasl_mech
smtp_sasl_mech(const uint8_t *word, size_t len)
{
	if (len == 5 && strncasecmp((const char *)word, "PLAIN", 5) == 0) {
		return SMTP_SASL_PLAIN;
	}
	if (len == 5 && strncasecmp((const char *)word, "LOGIN", 5) == 0) {
		return SMTP_SASL_LOGIN;
	}
	return SMTP_SASL_NONE;
}

/* smtp_sasl_start - a new exchange from "MECH [initial-response]" */
enum smtp_sasl_step
smtp_sasl_start(struct smtp_sasl *x, const uint8_t *arg, size_t len)
{
	const uint8_t *sp, *ir = NULL;
	size_t mlen = len, irlen = 0;

	smtp_sasl_wipe(x);
	sp = len > 0 ? memchr(arg, ' ', len) : NULL;
	if (sp != NULL) {
		mlen = (size_t)(sp - arg);
		ir = sp + 1;
		irlen = len - mlen - 1;
	}
	/* RFC 4954 4: AUTH SP mechanism [SP initial-response] */
	if (mlen == 0 || mlen > SMTP_SASL_MECH_MAX ||
	    (ir != NULL && (irlen == 0 || memchr(ir, ' ', irlen) != NULL))) {
		return smtp_sasl_fail(x, SMTP_R_AUTH_SYNTAX);
	}
	x->mech = smtp_sasl_mech(arg, mlen);
	switch (x->mech) {
	case SMTP_SASL_PLAIN:
		x->stage = SMTP_SASL_PLAIN_WAIT;
		if (ir == NULL) {
			return smtp_sasl_challenge(x, SMTP_SASL_PLAIN_WAIT, "");
		}
		return smtp_sasl_feed(x, ir, irlen, 1);
	case SMTP_SASL_LOGIN:
		x->stage = SMTP_SASL_LOGIN_USER;
		if (ir == NULL) {
			return smtp_sasl_challenge(x, SMTP_SASL_LOGIN_USER,
			    smtp_sasl_username);
		}
		return smtp_sasl_feed(x, ir, irlen, 1);
	case SMTP_SASL_NONE:
		break;
	}
	return smtp_sasl_fail(x, SMTP_R_AUTH_MECH);
}

/* smtp_sasl_response - the client's answer to a challenge */
enum smtp_sasl_step
smtp_sasl_response(struct smtp_sasl *x, const uint8_t *line, size_t len)
{
	if (x->stage != SMTP_SASL_PLAIN_WAIT &&
	    x->stage != SMTP_SASL_LOGIN_USER &&
	    x->stage != SMTP_SASL_LOGIN_PASS) {
		return smtp_sasl_fail(x, SMTP_R_BAD_SEQUENCE);
	}
	x->challenge = NULL;
	return smtp_sasl_feed(x, line, len, 0);
}
