/*
 * login_test.c - the login dialogue without a terminal: every path of
 * clogin.c through fake ops (users, counts, TOTP steps, the password
 * change and the audit log in memory), with a fake clock; then the
 * SQLite store behind the same ops.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clogin.h"
#include "clogin_store.h"
#include "test.h"

#define T0 1764064800ull /* 2025-11-25 10:00:00 UTC */
#define FACTORY_HASH                                          \
	"$6$sekimorifactory$RMaOHlxkOtJqHYT7PyBOT3mpYmwOLR22" \
	"HIsnAGEHaT2ie3nbmp697NgONucZVMnhPgdvcq6Jzvmoz2YuUOY6u0"
#define TOTP_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" /* RFC 6238's */
#define COUNTS_MAX 32

/* ---- the fake box ------------------------------------------------------ */

struct fake_count {
	enum clogin_kind kind;
	char key[CLOGIN_SOURCE_MAX];
	struct clogin_count c;
};

struct fake {
	struct clogin_user users[4];
	size_t nusers;
	struct fake_count counts[COUNTS_MAX];
	uint64_t totp_step;
	char audit[4096];
	char new_hash[PASSWD_HASH_MAX + 1];
	int refuse_change;
	int begins, ends;
};

static struct fake box;

static int
fake_user(void *arg, const char *name, struct clogin_user *out)
{
	size_t i;

	for (i = 0; i < box.nusers; i++) {
		if (strcmp(box.users[i].name, name) == 0) {
			*out = box.users[i];
			return 1;
		}
	}
	snprintf(out->hash, sizeof(out->hash), "%s", box.users[0].hash);
	return 0;
}

static void
fake_begin(void *arg)
{
	box.begins++;
}

static void
fake_end(void *arg)
{
	box.ends++;
}

static struct fake_count *
fake_find(enum clogin_kind kind, const char *key)
{
	size_t i;

	for (i = 0; i < COUNTS_MAX; i++) {
		if (box.counts[i].key[0] != '\0' &&
		    box.counts[i].kind == kind &&
		    strcmp(box.counts[i].key, key) == 0) {
			return &box.counts[i];
		}
	}
	for (i = 0; i < COUNTS_MAX; i++) {
		if (box.counts[i].key[0] == '\0') {
			box.counts[i].kind = kind;
			snprintf(box.counts[i].key, sizeof(box.counts[i].key),
			    "%s", key);
			return &box.counts[i];
		}
	}
	abort();
}

static void
fake_count_get(void *arg, enum clogin_kind kind, const char *key,
    struct clogin_count *out)
{
	*out = fake_find(kind, key)->c;
}

static void
fake_count_put(void *arg, enum clogin_kind kind, const char *key,
    const struct clogin_count *c)
{
	fake_find(kind, key)->c = *c;
}

static uint64_t
fake_totp_last(void *arg, const char *user)
{
	return box.totp_step;
}

static void
fake_totp_mark(void *arg, const char *user, uint64_t step)
{
	box.totp_step = step;
}

static enum sk_result
fake_set_password(void *arg, const char *user, const char *hash, char *msg,
    size_t msglen)
{
	if (box.refuse_change) {
		snprintf(msg, msglen, "the datastore said no");
		return SK_E_IO;
	}
	snprintf(box.new_hash, sizeof(box.new_hash), "%s", hash);
	return SK_OK;
}

static void
fake_audit(void *arg, const char *user, const char *event, const char *detail)
{
	size_t n = strlen(box.audit);

	snprintf(box.audit + n, sizeof(box.audit) - n, "%s %s: %s\n", user,
	    event, detail);
}

static int
fake_random(void *arg, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf[i] = (uint8_t)(i * 7 + 3);
	}
	return 0;
}

static const struct clogin_ops fake_ops = { fake_user, fake_begin, fake_end,
	fake_count_get, fake_count_put, fake_totp_last, fake_totp_mark,
	fake_set_password, fake_audit, fake_random, NULL };

static const struct clogin_policy policy = { 3, 5, 900, 600, 15 };

/* box_reset - admin (factory, change required), op (operator, password
 * "operator-pw"), tim (admin with TOTP, password "tim-password") */
static void
box_reset(void)
{
	struct crypt_data cd;

	memset(&box, 0, sizeof(box));
	memset(&cd, 0, sizeof(cd));
	box.nusers = 3;
	snprintf(box.users[0].name, CLOGIN_NAME_MAX, "admin");
	snprintf(box.users[0].role, CLOGIN_ROLE_MAX, "admin");
	snprintf(box.users[0].hash, sizeof(box.users[0].hash), FACTORY_HASH);
	box.users[0].change_required = 1;
	snprintf(box.users[1].name, CLOGIN_NAME_MAX, "op");
	snprintf(box.users[1].role, CLOGIN_ROLE_MAX, "operator");
	snprintf(box.users[1].hash, sizeof(box.users[1].hash), "%s",
	    crypt_r("operator-pw", "$6$testsaltop$", &cd));
	snprintf(box.users[2].name, CLOGIN_NAME_MAX, "tim");
	snprintf(box.users[2].role, CLOGIN_ROLE_MAX, "admin");
	snprintf(box.users[2].hash, sizeof(box.users[2].hash), "%s",
	    crypt_r("tim-password", "$6$testsalttim$", &cd));
	snprintf(box.users[2].totp, sizeof(box.users[2].totp), TOTP_SECRET);
}

/* ---- driving the dialogue ---------------------------------------------- */

static struct clogin lg;
static char shown[16384];

/* start - a fresh dialogue from source */
static void
start(const char *banner, const char *source, uint64_t now)
{
	size_t n;

	clogin_start(&lg, banner, &policy, &fake_ops, source, now);
	snprintf(shown, sizeof(shown), "%s", clogin_output(&lg, &n));
	clogin_output_done(&lg);
}

/* type - octets typed (with their line end), the output they gave */
static const char *
type_n(const char *s, size_t len, uint64_t now)
{
	size_t n;

	clogin_feed(&lg, (const uint8_t *)s, len, now);
	snprintf(shown, sizeof(shown), "%s", clogin_output(&lg, &n));
	clogin_output_done(&lg);
	return shown;
}

static const char *
type(const char *s, uint64_t now)
{
	return type_n(s, strlen(s), now);
}

/* expect - the output of typing s must be want */
#define EXPECT(s, now, want)                                                \
	do {                                                                \
		const char *got_ = type((s), (now));                        \
		TEST_CHECK(strcmp(got_, (want)) == 0,                       \
		    "typed %s: got \"%s\", want \"%s\"", #s, got_, (want)); \
	} while (0)

static void
test_good_login(void)
{
	const struct clogin_user *u;

	box_reset();
	start("Authorized use only.", "console", T0);
	TEST_CHECK(strcmp(shown, "Authorized use only.\n\nlogin: ") == 0,
	    "banner: got %s", shown);
	TEST_CHECK(clogin_echo(&lg), "the name is not echoed");
	EXPECT("op\n", T0, "Password: ");
	TEST_CHECK(!clogin_echo(&lg), "the password is echoed");
	EXPECT("operator-pw\n", T0 + 1, "");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "state %d",
	    clogin_state(&lg));
	u = clogin_user(&lg);
	TEST_CHECK(u != NULL && strcmp(u->name, "op") == 0 &&
		strcmp(u->role, "operator") == 0,
	    "who");
	TEST_CHECK(strcmp(box.audit, "op login: password\n") == 0, "audit: %s",
	    box.audit);
	TEST_CHECK(box.begins == box.ends, "unbalanced transactions");
	/* no banner: only the prompt; an empty line asks again */
	start(NULL, "console", T0);
	TEST_CHECK(strcmp(shown, "login: ") == 0, "no banner: %s", shown);
	EXPECT("\n", T0, "login: ");
	EXPECT("\r\n", T0, "login: ");
}

static void
test_bad_password(void)
{
	box_reset();
	start(NULL, "console", T0);
	EXPECT("op\n", T0, "Password: ");
	EXPECT("wrong\n", T0, "Login incorrect\n\nlogin: ");
	TEST_CHECK(clogin_take_failure(&lg) && !clogin_take_failure(&lg),
	    "failure flag");
	EXPECT("op\n", T0, "Password: ");
	EXPECT("wrong again\n", T0, "Login incorrect\n\nlogin: ");
	EXPECT("op\n", T0, "Password: ");
	/* the third wrong login ends the dialogue */
	EXPECT("still wrong\n", T0, "Login incorrect\n");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL, "state %d",
	    clogin_state(&lg));
	TEST_CHECK(clogin_user(&lg) == NULL, "a user after failing");
	TEST_CHECK(strcmp(box.audit,
		       "op login-failed: reason password\n"
		       "op login-failed: reason password\n"
		       "op login-failed: reason password\n") == 0,
	    "audit: %s", box.audit);
	/* input after the end is ignored */
	EXPECT("op\n", T0, "");
}

static void
test_unknown_user(void)
{
	box_reset();
	start(NULL, "console", T0);
	EXPECT("mallory\n", T0, "Password: ");
	EXPECT("sekimori\n", T0, "Login incorrect\n\nlogin: ");
	/* a name outside the model's pattern is never looked up */
	EXPECT("Admin\n", T0, "Password: ");
	EXPECT("sekimori\n", T0, "Login incorrect\n\nlogin: ");
	TEST_CHECK(strcmp(box.audit,
		       "mallory login-failed: reason password\n"
		       "(invalid) login-failed: reason password\n") == 0,
	    "audit: %s", box.audit);
}

/* test_lockout - per user across dialogues, its expiry, no extension,
 * and per source */
static void
test_lockout(void)
{
	uint64_t t = T0;

	box_reset();
	start(NULL, "console", t);
	type("op\n", t);
	type("x\n", t);
	type("op\n", t);
	type("y\n", t);
	start(NULL, "console", t); /* a new process: the counts stay */
	type("op\n", t);
	EXPECT("z\n", t, "Login incorrect\n\nlogin: "); /* 3rd: now locked */
	type("op\n", t + 10);
	EXPECT("operator-pw\n", t + 10,
	    "Login locked: too many failures; try again later\n\nlogin: ");
	TEST_CHECK(strstr(box.audit, "op login-failed: reason locked\n") !=
		NULL,
	    "audit: %s", box.audit);
	/* refused attempts do not extend the lock: it ends at t + 600 */
	start(NULL, "console", t + 599);
	type("op\n", t + 599);
	EXPECT("operator-pw\n", t + 599,
	    "Login locked: too many failures; try again later\n\nlogin: ");
	type("op\n", t + 600);
	EXPECT("operator-pw\n", t + 600, "");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "after expiry: %d",
	    clogin_state(&lg));
	/* the source: 5 failures of any names from 192.0.2.7 */
	box_reset();
	t = T0 + 5000;
	start(NULL, "192.0.2.7", t);
	type("a1\n", t);
	type("x\n", t);
	type("a2\n", t);
	type("x\n", t);
	start(NULL, "192.0.2.7", t);
	type("a3\n", t);
	type("x\n", t);
	type("a4\n", t);
	type("x\n", t);
	type("a5\n", t);
	type("x\n", t);
	start(NULL, "192.0.2.7", t + 1);
	type("op\n", t + 1);
	EXPECT("operator-pw\n", t + 1,
	    "Login locked: too many failures; try again later\n\nlogin: ");
	start(NULL, "192.0.2.8", t + 1); /* another source is open */
	type("op\n", t + 1);
	EXPECT("operator-pw\n", t + 1, "");
	/* a success clears the user's count, not the source's */
	start(NULL, "console", t + 2);
	type("op\n", t + 2);
	type("bad\n", t + 2);
	type("op\n", t + 2);
	type("bad\n", t + 2);
	type("op\n", t + 2);
	type("operator-pw\n", t + 2);
	TEST_CHECK(fake_find(CLOGIN_KIND_USER, "op")->c.failures == 0,
	    "user count not cleared");
	TEST_CHECK(fake_find(CLOGIN_KIND_SOURCE, "console")->c.failures == 2,
	    "source count: %u",
	    fake_find(CLOGIN_KIND_SOURCE, "console")->c.failures);
}

static void
test_count_window(void)
{
	struct clogin_count c = { 0, 0, 0 };

	TEST_CHECK(!clogin_count_fail(&c, 3, 100, 50, 1000), "1");
	TEST_CHECK(!clogin_count_fail(&c, 3, 100, 50, 1050), "2");
	/* the window (from the first failure) is over: a fresh count */
	TEST_CHECK(!clogin_count_fail(&c, 3, 100, 50, 1100), "3");
	TEST_CHECK(c.failures == 1 && c.window_start == 1100, "restart");
	TEST_CHECK(!clogin_count_fail(&c, 3, 100, 50, 1101), "4");
	TEST_CHECK(clogin_count_fail(&c, 3, 100, 50, 1102), "5 locks");
	TEST_CHECK(c.locked_until == 1152, "until %llu",
	    (unsigned long long)c.locked_until);
	TEST_CHECK(clogin_count_fail(&c, 3, 100, 50, 1151) &&
		c.locked_until == 1152,
	    "extended");
	TEST_CHECK(!clogin_count_locked(&c, 1152), "still locked at the end");
	c = (struct clogin_count){ 0, 0, 0 };
	TEST_CHECK(!clogin_count_fail(&c, 0, 100, 50, 1000) &&
		!clogin_count_fail(&c, 0, 100, 50, 1000),
	    "0 is no limit");
}

/* code_at - the TOTP code of RFC 6238's secret at time t */
static void
code_at(uint64_t t, char out[16])
{
	static const uint8_t key[] = "12345678901234567890";

	snprintf(out, 16, "%06u\n", totp_hotp(key, 20, totp_step(t), 6));
}

static void
test_totp(void)
{
	uint64_t t = T0;
	char code[16];

	box_reset();
	start(NULL, "console", t);
	type("tim\n", t);
	EXPECT("tim-password\n", t, "Verification code: ");
	TEST_CHECK(!clogin_echo(&lg), "the code is echoed");
	code_at(t, code);
	EXPECT(code, t, "");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "good code refused");
	TEST_CHECK(strstr(box.audit, "tim login: password and totp\n") != NULL,
	    "audit: %s", box.audit);
	/* the same code again, within its window: replayed, refused */
	start(NULL, "console", t + 20);
	type("tim\n", t + 20);
	type("tim-password\n", t + 20);
	EXPECT(code, t + 20, "Login incorrect\n\nlogin: ");
	TEST_CHECK(strstr(box.audit, "tim login-failed: reason totp\n") != NULL,
	    "audit: %s", box.audit);
	/* a wrong code */
	type("tim\n", t + 40);
	type("tim-password\n", t + 40);
	EXPECT("000000\n", t + 40, "Login incorrect\n\nlogin: ");
	/* the next step's code, one step of drift: accepted */
	type("tim\n", t + 60);
	type("tim-password\n", t + 60);
	code_at(t + 90, code);
	EXPECT(code, t + 60, "");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "drift refused");
	/* a wrong password never asks for the code */
	start(NULL, "console", t + 200);
	type("tim\n", t + 200);
	EXPECT("nope\n", t + 200, "Login incorrect\n\nlogin: ");
}

static void
test_forced_change(void)
{
	const struct clogin_user *u;

	box_reset();
	start(NULL, "console", T0);
	type("admin\n", T0);
	EXPECT("sekimori\n", T0,
	    "You are required to change your password now.\nNew password: ");
	TEST_CHECK(!clogin_echo(&lg), "new password echoed");
	EXPECT("short\n", T0,
	    "Password too short: at least 8 characters\nNew password: ");
	EXPECT("sekimori\n", T0,
	    "Password must differ from the old one\nNew password: ");
	EXPECT("long enough 1\n", T0, "Retype new password: ");
	EXPECT("long enough 2\n", T0,
	    "Passwords do not match\nPassword not changed\n");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL,
	    "three refusals did not end it: %d", clogin_state(&lg));
	TEST_CHECK(box.new_hash[0] == '\0', "a hash was stored");
	TEST_CHECK(strstr(box.audit,
		       "admin login-failed: reason password-change\n") != NULL,
	    "audit: %s", box.audit);
	/* again, right */
	box_reset();
	start(NULL, "console", T0);
	type("admin\n", T0);
	type("sekimori\n", T0);
	EXPECT("admin\n", T0,
	    "Password too short: at least 8 characters\nNew password: ");
	EXPECT("correct horse\n", T0, "Retype new password: ");
	EXPECT("correct horse\n", T0, "Password changed\n");
	u = clogin_user(&lg);
	TEST_CHECK(u != NULL && !u->change_required, "not logged in");
	TEST_CHECK(strncmp(box.new_hash, "$6$", 3) == 0 &&
		strlen(box.new_hash) == 3 + 16 + 1 + 86 &&
		box.new_hash[19] == '$',
	    "hash %s", box.new_hash);
	TEST_CHECK(passwd_verify(box.new_hash, strlen(box.new_hash),
		       (const uint8_t *)"correct horse", 13) == PASSWD_MATCH,
	    "the new hash does not check");
	TEST_CHECK(strstr(box.audit,
		       "admin login: password, password changed\n") != NULL,
	    "audit: %s", box.audit);
	/* the store refuses: no login */
	box_reset();
	box.refuse_change = 1;
	start(NULL, "console", T0);
	type("admin\n", T0);
	type("sekimori\n", T0);
	type("correct horse\n", T0);
	EXPECT("correct horse\n", T0,
	    "Password not changed: the datastore said no\n");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL, "logged in anyway");
}

static void
test_password_policy(void)
{
	TEST_CHECK(clogin_password_policy("admin", "12345678", "x") == NULL,
	    "8 refused");
	TEST_CHECK(clogin_password_policy("admin", "1234567", "x") != NULL,
	    "7 accepted");
	TEST_CHECK(clogin_password_policy("operator1", "operator1", "x") !=
		NULL,
	    "user name accepted");
	TEST_CHECK(clogin_password_policy("admin", "abc\tdefgh", "x") != NULL,
	    "tab accepted");
	TEST_CHECK(clogin_password_policy("admin", "pässwörd", "x") == NULL,
	    "UTF-8 refused");
}

/* test_garbage - NUL, control and high octets, overlong lines, any
 * split of the input, CR alone */
static void
test_garbage(void)
{
	static const char nul_name[] = "op\0\n";
	static const char crs[] = "op\roperator-pw\r";
	char big[2000];
	size_t i;

	box_reset();
	start(NULL, "console", T0);
	type_n(nul_name, sizeof(nul_name) - 1, T0);
	EXPECT("operator-pw\n", T0, "Login incorrect\n\nlogin: ");
	memset(big, 'A', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	type_n(big, sizeof(big), T0);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_PASSWORD, "overlong name: %d",
	    clogin_state(&lg));
	type_n(big, sizeof(big), T0); /* an overlong password */
	TEST_CHECK(strcmp(shown, "Login incorrect\n\nlogin: ") == 0,
	    "overlong password: %s", shown);
	TEST_CHECK(strstr(box.audit, "(invalid) login-failed") != NULL,
	    "audit: %s", box.audit);
	/* octet by octet, CR line ends: the same dialogue */
	box_reset();
	start(NULL, "console", T0);
	for (i = 0; i < strlen(crs); i++) {
		type_n(&crs[i], 1, T0);
	}
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "byte by byte: %d",
	    clogin_state(&lg));
	/* binary noise never crashes and never logs in */
	box_reset();
	start(NULL, "console", T0);
	for (i = 0; i < sizeof(big); i++) {
		big[i] = (char)(i * 131 + 7);
	}
	type_n(big, sizeof(big), T0);
	TEST_CHECK(clogin_state(&lg) != CLOGIN_DONE_OK, "noise logged in");
}

static void
test_idle(void)
{
	box_reset();
	start(NULL, "console", T0);
	type("op\n", T0 + 100);
	clogin_tick(&lg, T0 + 100 + 15 * 60 - 1);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_PASSWORD, "timed out early");
	clogin_tick(&lg, T0 + 100 + 15 * 60);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL, "no timeout");
	TEST_CHECK(strcmp(type("", T0),
		       "\nLogin timed out after 15 minutes\n") == 0,
	    "message: %s", shown);
}

static void
test_source_key(void)
{
	static const struct {
		const char *in, *want;
	} v[] = {
		{ "console", "console" },
		{ "192.0.2.1", "192.0.2.1" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
		{ "::ffff:192.0.2.9", "192.0.2.9" },
	};
	char key[CLOGIN_SOURCE_MAX];
	size_t i;

	for (i = 0; i < SK_NELEM(v); i++) {
		clogin_source_key(v[i].in, key, sizeof(key));
		TEST_CHECK(strcmp(key, v[i].want) == 0, "%s: got %s", v[i].in,
		    key);
	}
}

/* test_store - the SQLite store: counts and steps survive a reopen,
 * zero counts go, old ones are pruned */
static void
test_store(void)
{
	struct clogin_store *s;
	struct clogin_count c = { T0, T0 + 600, 4 }, got;
	char err[256];

	if (clogin_store_open(&s, test_tmpdir(), T0, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open: %s", err);
		return;
	}
	clogin_store_begin(s);
	clogin_store_count_put(s, CLOGIN_KIND_USER, "op", &c);
	clogin_store_count_put(s, CLOGIN_KIND_SOURCE, "op", &c);
	clogin_store_end(s);
	clogin_store_totp_mark(s, "tim", 41152263);
	clogin_store_close(s);
	if (clogin_store_open(&s, test_tmpdir(), T0 + 10, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("reopen: %s", err);
		return;
	}
	clogin_store_count_get(s, CLOGIN_KIND_USER, "op", &got);
	TEST_CHECK(memcmp(&got, &c, sizeof(c)) == 0, "count lost");
	TEST_CHECK(clogin_store_totp_last(s, "tim") == 41152263, "step lost");
	TEST_CHECK(clogin_store_totp_last(s, "op") == 0, "step for op");
	c = (struct clogin_count){ 0, 0, 0 };
	clogin_store_count_put(s, CLOGIN_KIND_USER, "op", &c);
	clogin_store_count_get(s, CLOGIN_KIND_USER, "op", &got);
	TEST_CHECK(got.failures == 0 && got.locked_until == 0, "not zeroed");
	clogin_store_close(s);
	/* a day later the source's count is over and pruned */
	if (clogin_store_open(&s, test_tmpdir(), T0 + 90000, err,
		sizeof(err)) != SK_OK) {
		test_fail("reopen: %s", err);
		return;
	}
	clogin_store_count_get(s, CLOGIN_KIND_SOURCE, "op", &got);
	TEST_CHECK(got.failures == 0, "not pruned");
	clogin_store_close(s);
}

/* check - one SSH password attempt for name, as dropbear hands it over */
static int
check(const char *name, const char *pw, const char *source, uint64_t now)
{
	return clogin_check_password(&lg, &policy, &fake_ops, source, name,
	    (const uint8_t *)pw, strlen(pw), now);
}

/* session - an SSH session of name, authenticated by method */
static void
session(const char *name, const char *method, uint64_t now)
{
	size_t n;

	clogin_start_session(&lg, &policy, &fake_ops, "192.0.2.7", name, method,
	    now);
	snprintf(shown, sizeof(shown), "%s", clogin_output(&lg, &n));
	clogin_output_done(&lg);
}

static void
test_ssh_password(void)
{
	struct clogin_count c;

	box_reset();
	TEST_CHECK(check("op", "operator-pw", "192.0.2.7", T0),
	    "right password refused");
	TEST_CHECK(box.audit[0] == '\0', "audited before the session: %s",
	    box.audit);
	TEST_CHECK(!check("op", "wrong", "192.0.2.7", T0) && !lg.locked,
	    "wrong password taken");
	TEST_CHECK(strcmp(box.audit, "op login-failed: reason password\n") == 0,
	    "audit: %s", box.audit);
	/* unknown, invalid, empty and overlong names, NUL in the password */
	TEST_CHECK(!check("nobody", "operator-pw", "192.0.2.7", T0),
	    "unknown user taken");
	TEST_CHECK(!check("Op;rm", "operator-pw", "192.0.2.7", T0),
	    "invalid name taken");
	TEST_CHECK(!check("", "operator-pw", "192.0.2.7", T0),
	    "empty name taken");
	TEST_CHECK(!clogin_check_password(&lg, &policy, &fake_ops, "192.0.2.7",
		       "op", (const uint8_t *)"operator-pw\0", 12, T0),
	    "a NUL after the password taken");
	/* three failures lock the user: the right password is refused */
	box_reset();
	(void)check("op", "a", "192.0.2.7", T0);
	(void)check("op", "b", "192.0.2.8", T0);
	(void)check("op", "c", "192.0.2.9", T0);
	TEST_CHECK(!check("op", "operator-pw", "192.0.2.7", T0 + 1) &&
		lg.locked,
	    "locked user let in");
	TEST_CHECK(strstr(lg.out, "Login locked") != NULL, "message: %s",
	    lg.out);
	TEST_CHECK(check("op", "operator-pw", "192.0.2.7", T0 + 601),
	    "lock did not expire");
	fake_count_get(NULL, CLOGIN_KIND_USER, "op", &c);
	TEST_CHECK(c.failures == 0 && c.locked_until == 0,
	    "success kept the count");
	/* with a second factor the count stays until the session's code */
	(void)check("tim", "x", "192.0.2.7", T0 + 700);
	TEST_CHECK(check("tim", "tim-password", "192.0.2.7", T0 + 700),
	    "tim refused");
	fake_count_get(NULL, CLOGIN_KIND_USER, "tim", &c);
	TEST_CHECK(c.failures == 1, "count cleared before the code: %u",
	    c.failures);
	TEST_CHECK(box.begins == box.ends, "unbalanced transactions");
}

static void
test_ssh_session(void)
{
	char code[16];

	/* a key login of an operator: straight in, audited with the method */
	box_reset();
	session("op", "publickey", T0);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK && shown[0] == '\0',
	    "state %d, shown %s", clogin_state(&lg), shown);
	TEST_CHECK(strcmp(box.audit, "op login: ssh publickey\n") == 0,
	    "audit: %s", box.audit);
	/* TOTP: asked after dropbear's password; a wrong code ends it */
	session("tim", "password", T0);
	TEST_CHECK(strcmp(shown, "Verification code: ") == 0, "shown %s",
	    shown);
	EXPECT("000000\n", T0, "Login incorrect\n");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL, "not ended");
	session("tim", "password", T0 + 30);
	code_at(T0 + 30, code);
	EXPECT(code, T0 + 30, "");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "good code refused");
	TEST_CHECK(strstr(box.audit, "tim login: ssh password and totp\n") !=
		NULL,
	    "audit: %s", box.audit);
	/* the factory account: the change, the old password refused by
	 * its hash (it was typed to dropbear, not here) */
	session("admin", "password", T0);
	TEST_CHECK(strcmp(shown,
		       "You are required to change your password now.\n"
		       "New password: ") == 0,
	    "shown %s", shown);
	EXPECT("sekimori\n", T0,
	    "Password must differ from the old one\nNew password: ");
	EXPECT("correct horse\n", T0, "Retype new password: ");
	EXPECT("correct horse\n", T0, "Password changed\n");
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_OK, "not logged in");
	TEST_CHECK(strstr(box.audit,
		       "admin login: ssh password, password changed\n") != NULL,
	    "audit: %s", box.audit);
	/* a user deleted meanwhile, an invalid name, a locked user */
	session("gone", "publickey", T0);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL &&
		strcmp(shown, "Login incorrect\n") == 0,
	    "deleted user: %s", shown);
	session("../x", "publickey", T0);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL, "invalid name");
	(void)check("op", "a", "198.51.100.1", T0);
	(void)check("op", "b", "198.51.100.1", T0);
	(void)check("op", "c", "198.51.100.1", T0);
	session("op", "publickey", T0 + 1);
	TEST_CHECK(clogin_state(&lg) == CLOGIN_DONE_FAIL && lg.locked &&
		strstr(shown, "Login locked") != NULL,
	    "locked user's key let in: %s", shown);
}

const struct test_case test_cases[] = {
	{ "login_good", test_good_login },
	{ "login_bad_password", test_bad_password },
	{ "login_unknown_user", test_unknown_user },
	{ "login_lockout", test_lockout },
	{ "login_count_window", test_count_window },
	{ "login_totp", test_totp },
	{ "login_forced_change", test_forced_change },
	{ "login_password_policy", test_password_policy },
	{ "login_garbage", test_garbage },
	{ "login_idle_timeout", test_idle },
	{ "login_source_key", test_source_key },
	{ "login_store", test_store },
	{ "login_ssh_password", test_ssh_password },
	{ "login_ssh_session", test_ssh_session },
};
const size_t test_ncases = SK_NELEM(test_cases);
