/*
 * smtp_sasl_test.c - AUTH PLAIN and LOGIN, and the SASL machine driven
 * through the session exactly as smtp_sasl.h says (base64 itself:
 * lib/base64_test.c).
 */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "smtp_sasl.h"
#include "smtp_session.h"
#include "test.h"

/* ---- PLAIN and LOGIN ----------------------------------------------- */

static struct smtp_sasl sasl;

/* b64 - base64 of n octets of s, in a static buffer */
static const char *
b64(const char *s, size_t n)
{
	static char out[2048];
	size_t len;

	if (base64_encode((const uint8_t *)s, n, out, sizeof(out), &len) !=
	    SK_OK) {
		return "";
	}
	return out;
}

/* start - smtp_sasl_start over a C string */
static enum smtp_sasl_step
start(const char *arg)
{
	return smtp_sasl_start(&sasl, (const uint8_t *)arg, strlen(arg));
}

/* respond - smtp_sasl_response over a C string */
static enum smtp_sasl_step
respond(const char *line)
{
	return smtp_sasl_response(&sasl, (const uint8_t *)line, strlen(line));
}

/* start_plain - "PLAIN <b64 of msg[0..n)>" */
static enum smtp_sasl_step
start_plain(const char *msg, size_t n)
{
	char arg[2100];

	snprintf(arg, sizeof(arg), "PLAIN %s", b64(msg, n));
	return start(arg);
}

/* want_check - the step is CHECK with this user and password */
static void
want_check(enum smtp_sasl_step step, const char *user, const char *pass,
    const char *what)
{
	TEST_CHECK(step == SMTP_SASL_CHECK, "%s: step %d, reply %s", what,
	    (int)step, smtp_reply_name(sasl.reply));
	TEST_CHECK(sasl.userlen == strlen(user) && strcmp(sasl.user, user) == 0,
	    "%s: user \"%s\"", what, sasl.user);
	TEST_CHECK(sasl.passlen == strlen(pass) && strcmp(sasl.pass, pass) == 0,
	    "%s: password", what);
}

/* want_error - the step is ERROR with reply, and nothing is kept */
static void
want_error(enum smtp_sasl_step step, enum smtp_reply_id reply, const char *what)
{
	TEST_CHECK(step == SMTP_SASL_ERROR && sasl.reply == reply,
	    "%s: step %d, reply %s, want %s", what, (int)step,
	    smtp_reply_name(sasl.reply), smtp_reply_name(reply));
	TEST_CHECK(sasl.userlen == 0 && sasl.user[0] == '\0' &&
		sasl.passlen == 0 && sasl.pass[0] == '\0',
	    "%s: credentials kept after an error", what);
}

#define PLAIN(lit) start_plain(lit, sizeof(lit) - 1)

/* test_plain - RFC 4616 messages as initial response */
static void
test_plain(void)
{
	char big[600];

	want_check(PLAIN("\0alice\0secret"), "alice", "secret", "no authzid");
	want_check(PLAIN("alice\0alice\0s e c r e t"), "alice", "s e c r e t",
	    "authzid = authcid");
	want_check(PLAIN("\0j\xc3\xbcrg\0p\xff\x01w"), "j\xc3\xbcrg",
	    "p\xff\x01w", "UTF-8 user, any password octets");
	want_error(PLAIN("bob\0alice\0secret"), SMTP_R_AUTH_FAILED,
	    "authzid of another user");
	want_error(PLAIN("Alice\0alice\0secret"), SMTP_R_AUTH_FAILED,
	    "authzid differs in case");
	want_error(PLAIN("alice secret"), SMTP_R_AUTH_MALFORMED, "no NUL");
	want_error(PLAIN("alice\0secret"), SMTP_R_AUTH_MALFORMED, "one NUL");
	want_error(PLAIN("\0alice\0sec\0ret"), SMTP_R_AUTH_MALFORMED,
	    "NUL in the password");
	want_error(PLAIN("\0\0secret"), SMTP_R_AUTH_MALFORMED, "empty user");
	want_error(PLAIN("\0alice\0"), SMTP_R_AUTH_MALFORMED, "empty password");
	want_error(PLAIN("\0al\rice\0secret"), SMTP_R_AUTH_MALFORMED,
	    "CR in the user");
	want_error(PLAIN("\0al\x7f"
			 "ice\0secret"),
	    SMTP_R_AUTH_MALFORMED, "DEL in the user");
	want_error(PLAIN("\0al\xc3ice\0secret"), SMTP_R_AUTH_MALFORMED,
	    "bad UTF-8 in the user");
	want_error(PLAIN("al\nice\0al\nice\0secret"), SMTP_R_AUTH_MALFORMED,
	    "LF in the authzid");
	/* field limits: 255 octets each; "\0" N*u "\0" "pw" */
	memset(big, 'u', sizeof(big));
	big[0] = '\0';
	big[256] = '\0';
	memcpy(big + 257, "pw", 2);
	TEST_CHECK(start_plain(big, 259) == SMTP_SASL_CHECK &&
		sasl.userlen == 255,
	    "a user of 255 octets");
	big[256] = 'u';
	big[257] = '\0';
	memcpy(big + 258, "pw", 2);
	TEST_CHECK(start_plain(big, 260) == SMTP_SASL_ERROR &&
		sasl.reply == SMTP_R_AUTH_MALFORMED,
	    "a user of 256 octets");
	memset(big, 'p', sizeof(big));
	memcpy(big, "\0u\0", 3);
	TEST_CHECK(start_plain(big, 3 + 255) == SMTP_SASL_CHECK &&
		sasl.passlen == 255,
	    "a password of 255 octets");
	TEST_CHECK(start_plain(big, 3 + 256) == SMTP_SASL_ERROR,
	    "a password of 256 octets");
	smtp_sasl_wipe(&sasl);
}

/* test_plain_challenge - PLAIN without initial response */
static void
test_plain_challenge(void)
{
	enum smtp_sasl_step step = start("PLAIN");

	TEST_CHECK(step == SMTP_SASL_CHALLENGE && sasl.challenge != NULL &&
		sasl.challenge[0] == '\0',
	    "PLAIN: empty challenge");
	want_check(respond(b64("\0alice\0secret", 13)), "alice", "secret",
	    "response");
	want_error(respond("AGFsaWNlAHNlY3JldA=="), SMTP_R_BAD_SEQUENCE,
	    "a response after the exchange");
	start("plain");
	want_check(respond("AGFsaWNlAHNlY3JldA=="), "alice", "secret",
	    "mechanism in lower case");
	start("PLAIN");
	want_error(respond(""), SMTP_R_AUTH_MALFORMED, "empty response");
	start("PLAIN");
	want_error(respond("="), SMTP_R_AUTH_BASE64,
	    "\"=\" is not a continuation response");
	start("PLAIN");
	want_error(respond("AGFsaWNlAHNlY3JldA"), SMTP_R_AUTH_BASE64,
	    "unpadded");
	start("PLAIN");
	want_error(respond("AGFsaWNlAHNlY3JldA== "), SMTP_R_AUTH_BASE64,
	    "trailing space");
	smtp_sasl_wipe(&sasl);
}

/* test_login - the two 334 steps, and an initial response */
static void
test_login(void)
{
	enum smtp_sasl_step step = start("LOGIN");

	TEST_CHECK(step == SMTP_SASL_CHALLENGE && sasl.challenge != NULL &&
		strcmp(sasl.challenge, "VXNlcm5hbWU6") == 0,
	    "LOGIN: Username: challenge");
	step = respond(b64("alice", 5));
	TEST_CHECK(step == SMTP_SASL_CHALLENGE &&
		strcmp(sasl.challenge, "UGFzc3dvcmQ6") == 0,
	    "Password: challenge");
	want_check(respond(b64("secret", 6)), "alice", "secret", "LOGIN");
	TEST_CHECK(sasl.mech == SMTP_SASL_LOGIN &&
		strcmp(smtp_sasl_mech_name(sasl.mech), "LOGIN") == 0,
	    "mechanism name");

	step = start("LOGIN YWxpY2U=");
	TEST_CHECK(step == SMTP_SASL_CHALLENGE &&
		strcmp(sasl.challenge, "UGFzc3dvcmQ6") == 0,
	    "initial response is the user name");
	want_check(respond("c2VjcmV0"), "alice", "secret", "LOGIN with IR");

	start("LOGIN");
	want_error(respond(""), SMTP_R_AUTH_MALFORMED, "empty user");
	start("LOGIN");
	respond(b64("alice", 5));
	want_error(respond(b64("se\0cret", 7)), SMTP_R_AUTH_MALFORMED,
	    "NUL in the password");
	start("LOGIN");
	respond(b64("alice", 5));
	want_error(respond("c2VjcmV0\r"), SMTP_R_AUTH_BASE64,
	    "a bad password line forgets the user");
	want_error(start("LOGIN ="), SMTP_R_AUTH_MALFORMED,
	    "LOGIN with an empty IR");
	smtp_sasl_wipe(&sasl);
}

/* test_start_errors - the AUTH argument itself */
static void
test_start_errors(void)
{
	char longline[SMTP_SASL_B64_MAX + 16];

	want_error(start(""), SMTP_R_AUTH_SYNTAX, "no mechanism");
	want_error(start("PLAIN "), SMTP_R_AUTH_SYNTAX, "SP without IR");
	want_error(start("PLAIN  AGFsaWNlAHNlY3JldA=="), SMTP_R_AUTH_SYNTAX,
	    "two spaces");
	want_error(start("PLAIN AGFs aWNlAHNlY3JldA=="), SMTP_R_AUTH_SYNTAX,
	    "space in the IR");
	want_error(start(" PLAIN"), SMTP_R_AUTH_SYNTAX, "leading space");
	want_error(start("ABCDEFGHIJKLMNOPQRSTU"), SMTP_R_AUTH_SYNTAX,
	    "mechanism of 21 characters");
	want_error(start("CRAM-MD5"), SMTP_R_AUTH_MECH, "CRAM-MD5");
	want_error(start("DIGEST-MD5"), SMTP_R_AUTH_MECH, "DIGEST-MD5");
	want_error(start("PLAINX"), SMTP_R_AUTH_MECH, "PLAINX");
	want_error(start("PLAI"), SMTP_R_AUTH_MECH, "PLAI");
	want_error(start("PLAIN ="), SMTP_R_AUTH_MALFORMED,
	    "\"=\": an empty PLAIN message");
	want_error(start("PLAIN AGFsaWNlAHNlY3JldA"), SMTP_R_AUTH_BASE64,
	    "bad IR");
	/* responses over the bound */
	memset(longline, 'A', sizeof(longline));
	start("PLAIN");
	want_error(smtp_sasl_response(&sasl, (const uint8_t *)longline,
		       SMTP_SASL_B64_MAX + 4),
	    SMTP_R_AUTH_TOO_LONG, "response over SMTP_SASL_B64_MAX");
	start("PLAIN");
	want_error(smtp_sasl_response(&sasl, (const uint8_t *)longline,
		       SMTP_SASL_B64_MAX),
	    SMTP_R_AUTH_MALFORMED, "response of SMTP_SASL_B64_MAX zeros");
	want_error(smtp_sasl_response(&sasl, (const uint8_t *)"x", 1),
	    SMTP_R_BAD_SEQUENCE, "no exchange");
	smtp_sasl_wipe(&sasl);
}

/* test_restart - a new AUTH forgets everything (CVE-2011-1720 class) */
static void
test_restart(void)
{
	start("LOGIN");
	respond(b64("mallory", 7));
	TEST_CHECK(sasl.userlen == 7, "LOGIN kept the user for its step");
	TEST_CHECK(start("PLAIN") == SMTP_SASL_CHALLENGE && sasl.userlen == 0 &&
		sasl.user[0] == '\0' && sasl.mech == SMTP_SASL_PLAIN,
	    "PLAIN after LOGIN starts clean");
	want_check(respond(b64("\0alice\0secret", 13)), "alice", "secret",
	    "PLAIN after an abandoned LOGIN");
	smtp_sasl_wipe(&sasl);
	TEST_CHECK(sasl.passlen == 0 && sasl.pass[0] == '\0' &&
		sasl.pass[5] == '\0' && sasl.stage == SMTP_SASL_IDLE,
	    "wipe clears the password");
}

/* ---- through the session -------------------------------------------- */

static struct smtp_session sess;
static struct smtp_out out;

/*
 * drive - one client line through the session and, on SMTP_A_AUTH,
 * through smtp_sasl as smtp_sasl.h says. A CHECK accepts alice/secret
 * only. The last reply line is left in out.
 */
static void
drive(const char *line)
{
	int in_auth = sess.state == SMTP_S_AUTH;
	enum smtp_action a;
	enum smtp_sasl_step step;

	out.len = 0;
	a = smtp_session_line(&sess, (const uint8_t *)line, strlen(line), 0,
	    &out);
	if (a != SMTP_A_AUTH) {
		return;
	}
	step = in_auth ? smtp_sasl_response(&sasl, sess.sasl, sess.sasl_len) :
			 smtp_sasl_start(&sasl, sess.sasl, sess.sasl_len);
	switch (step) {
	case SMTP_SASL_CHALLENGE:
		smtp_session_auth_reply(&sess, SMTP_AUTH_CONTINUE,
		    sasl.challenge, &out);
		return;
	case SMTP_SASL_CHECK:
		smtp_session_auth_reply(&sess,
		    strcmp(sasl.user, "alice") == 0 &&
			    strcmp(sasl.pass, "secret") == 0 ?
			SMTP_AUTH_OK :
			SMTP_AUTH_FAIL,
		    NULL, &out);
		break;
	case SMTP_SASL_ERROR:
		smtp_session_auth_refuse(&sess, sasl.reply, &out);
		break;
	}
	smtp_sasl_wipe(&sasl);
}

/* reply_is - out holds one reply starting with prefix */
static void
reply_is(const char *prefix, const char *what)
{
	TEST_CHECK(out.len >= strlen(prefix) &&
		memcmp(out.buf, prefix, strlen(prefix)) == 0,
	    "%s: got \"%.*s\", want \"%s...\"", what, (int)out.len, out.buf,
	    prefix);
}

/* test_session - LOGIN, abort, PLAIN: the pattern of smtp_sasl.h */
static void
test_session(void)
{
	struct smtp_session_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.hostname = "mx.example.com";
	conf.caps = SMTP_EXT_AUTH | SMTP_EXT_PIPELINING | SMTP_EXT_ENHANCED;
	smtp_session_init(&sess, &conf);
	smtp_session_greet(&sess, &out);
	drive("EHLO client.example");
	reply_is("250", "EHLO");
	drive("AUTH LOGIN");
	reply_is("334 VXNlcm5hbWU6", "LOGIN step 1");
	drive("bWFsbG9yeQ==");
	reply_is("334 UGFzc3dvcmQ6", "LOGIN step 2");
	drive("*");
	reply_is("501 5.7.0", "abort");
	/* CVE-2011-1720: the next AUTH is a new start, not LOGIN's step 3 */
	drive("AUTH PLAIN");
	reply_is("334 ", "PLAIN after abort");
	drive("AGFsaWNlAHdyb25n");
	reply_is("535 5.7.8", "wrong password");
	drive("AUTH CRAM-MD5");
	reply_is("504 5.5.4", "unknown mechanism");
	drive("AUTH LOGIN");
	drive("not base64!");
	reply_is("501 5.5.2", "a response that is not base64");
	drive("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
	reply_is("235 2.7.0", "right password");
	TEST_CHECK(sess.authed, "session not authenticated");
	TEST_CHECK(sasl.passlen == 0 && sasl.pass[0] == '\0',
	    "credentials left after the check");
}

const struct test_case test_cases[] = {
	{ "smtp_sasl_plain", test_plain },
	{ "smtp_sasl_plain_challenge", test_plain_challenge },
	{ "smtp_sasl_login", test_login },
	{ "smtp_sasl_start_errors", test_start_errors },
	{ "smtp_sasl_restart", test_restart },
	{ "smtp_sasl_session", test_session },
};
const size_t test_ncases = SK_NELEM(test_cases);
