/*
 * clogin.c - the login dialogue (clogin.h has the contract): a state
 * machine over answer lines, with lockout, TOTP and the forced password
 * change of the factory account.
 */
#include <arpa/inet.h>
#include <crypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../audit/audit.h"
#include "clogin.h"

#define CLOGIN_SALT_CHARS \
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define CLOGIN_MSG_MAX 256

static const char *const clogin_prompts[] = {
	[CLOGIN_LOGIN] = "login: ",
	[CLOGIN_PASSWORD] = "Password: ",
	[CLOGIN_TOTP] = "Verification code: ",
	[CLOGIN_NEW] = "New password: ",
	[CLOGIN_RETYPE] = "Retype new password: ",
	[CLOGIN_DONE_OK] = "",
	[CLOGIN_DONE_FAIL] = "",
};

/* clogin_say - append text to the output (cut when full: the buffer
 * holds far more than one banner and one round of prompts) */
static void SK_PRINTF(2, 3) clogin_say(struct clogin *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->out + l->outlen, sizeof(l->out) - l->outlen, fmt, ap);
	va_end(ap);
	if (n > 0) {
		l->outlen += (size_t)n < sizeof(l->out) - l->outlen ?
		    (size_t)n :
		    sizeof(l->out) - l->outlen - 1;
	}
}

/* clogin_ask - move to state s and show its prompt */
static void
clogin_ask(struct clogin *l, enum clogin_state s)
{
	l->state = s;
	clogin_say(l, "%s", clogin_prompts[s]);
}

static void
clogin_wipe(struct clogin *l)
{
	explicit_bzero(l->line, sizeof(l->line));
	explicit_bzero(l->newpw, sizeof(l->newpw));
	explicit_bzero(l->oldpw, sizeof(l->oldpw));
}

static void
clogin_audit(struct clogin *l, const char *event, const char *detail)
{
	char d[CLOGIN_MSG_MAX];

	snprintf(d, sizeof(d), "%s", detail);
	l->ops->audit(l->ops->arg, l->name_ok ? l->name : "(invalid)", event,
	    d);
}

void
clogin_source_key(const char *source, char *key, size_t cap)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, source, a) == 1) {
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			inet_ntop(AF_INET, a + 12, text, sizeof(text));
			snprintf(key, cap, "%s", text);
			return;
		}
		memset(a + 8, 0, 8); /* one end site holds a whole /64 */
		inet_ntop(AF_INET6, a, text, sizeof(text));
		snprintf(key, cap, "%s/64", text);
		return;
	}
	snprintf(key, cap, "%s", source);
}

/* clogin_init - a dialogue of mode from source at time now, no output */
static void
clogin_init(struct clogin *l, enum clogin_mode mode,
    const struct clogin_policy *policy, const struct clogin_ops *ops,
    const char *source, uint64_t now)
{
	memset(l, 0, sizeof(*l));
	l->mode = mode;
	snprintf(l->method, sizeof(l->method), "password");
	l->policy = *policy;
	l->ops = ops;
	snprintf(l->source, sizeof(l->source), "%s", source);
	clogin_source_key(l->source, l->source_key, sizeof(l->source_key));
	l->last_input = now;
}

void
clogin_start(struct clogin *l, const char *banner,
    const struct clogin_policy *policy, const struct clogin_ops *ops,
    const char *source, uint64_t now)
{
	clogin_init(l, CLOGIN_CONSOLE, policy, ops, source, now);
	if (banner != NULL && banner[0] != '\0') {
		clogin_say(l, "%s\n\n", banner);
	}
	clogin_ask(l, CLOGIN_LOGIN);
}

int
clogin_count_locked(const struct clogin_count *c, uint64_t now)
{
	return c->locked_until > now;
}

int
clogin_count_fail(struct clogin_count *c, unsigned max, uint32_t window,
    uint32_t lockout, uint64_t now)
{
	if (clogin_count_locked(c, now)) {
		return 1; /* sk-t:lockout-policy: a lock is not extended */
	}
	c->locked_until = 0;
	if (c->window_start == 0 || now >= c->window_start + window) {
		c->window_start = now;
		c->failures = 0;
	}
	c->failures++;
	if (max > 0 && c->failures >= max) {
		c->locked_until = now + lockout;
		c->window_start = 0;
		c->failures = 0;
		return 1;
	}
	return 0;
}

/* clogin_locked - whether the user name or the source is locked now */
static int
clogin_locked(struct clogin *l, uint64_t now)
{
	struct clogin_count u, s;

	l->ops->count_get(l->ops->arg, CLOGIN_KIND_USER, l->name, &u);
	l->ops->count_get(l->ops->arg, CLOGIN_KIND_SOURCE, l->source_key, &s);
	return clogin_count_locked(&u, now) || clogin_count_locked(&s, now);
}

/* clogin_count - count one failure for the name and the source */
static void
clogin_count(struct clogin *l, uint64_t now)
{
	const struct clogin_policy *p = &l->policy;
	struct clogin_count u, s;

	if (l->ops->begin != NULL) {
		l->ops->begin(l->ops->arg);
	}
	l->ops->count_get(l->ops->arg, CLOGIN_KIND_USER, l->name, &u);
	l->ops->count_get(l->ops->arg, CLOGIN_KIND_SOURCE, l->source_key, &s);
	(void)clogin_count_fail(&u, p->max_failures_per_user, p->failure_window,
	    p->lockout_time, now);
	(void)clogin_count_fail(&s, p->max_failures_per_source,
	    p->failure_window, p->lockout_time, now);
	l->ops->count_put(l->ops->arg, CLOGIN_KIND_USER, l->name, &u);
	l->ops->count_put(l->ops->arg, CLOGIN_KIND_SOURCE, l->source_key, &s);
	if (l->ops->end != NULL) {
		l->ops->end(l->ops->arg);
	}
}

/* clogin_fail - a failed attempt: say so, and ask again or give up */
static void
clogin_fail(struct clogin *l, const char *reason, const char *msg)
{
	char detail[CLOGIN_MSG_MAX];

	snprintf(detail, sizeof(detail), "reason %s", reason);
	clogin_audit(l, AUDIT_LOGIN_FAILED, detail);
	clogin_wipe(l);
	explicit_bzero(&l->user, sizeof(l->user));
	l->failed = 1;
	clogin_say(l, "%s\n", msg);
	/* over SSH the client asks again, on a new connection if need be */
	if (++l->tries >= CLOGIN_TRIES || l->mode != CLOGIN_CONSOLE) {
		l->state = CLOGIN_DONE_FAIL;
		return;
	}
	clogin_say(l, "\n");
	clogin_ask(l, CLOGIN_LOGIN);
}

/* clogin_name_valid - the model's user-name pattern [a-z_][a-z0-9_-]*
 * and length 1..32, so that only such names reach a data path */
static int
clogin_name_valid(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= CLOGIN_NAME_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
			s[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

static void
clogin_on_name(struct clogin *l)
{
	if (l->linelen == 0 && !l->overlong) {
		clogin_ask(l, CLOGIN_LOGIN); /* an empty line asks again */
		return;
	}
	l->name_ok = !l->overlong && clogin_name_valid(l->line, l->linelen);
	memset(l->name, 0, sizeof(l->name));
	if (l->name_ok) {
		memcpy(l->name, l->line, l->linelen);
	} else {
		snprintf(l->name, sizeof(l->name), "(invalid)");
	}
	memset(&l->user, 0, sizeof(l->user));
	l->known =
	    l->name_ok && l->ops->user(l->ops->arg, l->name, &l->user) == 1;
	clogin_ask(l, CLOGIN_PASSWORD);
}

/* clogin_audit_login - the login row: "password", "ssh publickey and
 * totp", ..., then more (", password changed") */
static void
clogin_audit_login(struct clogin *l, const char *more)
{
	char detail[CLOGIN_MSG_MAX];

	snprintf(detail, sizeof(detail), "%s%s%s%s",
	    l->mode == CLOGIN_CONSOLE ? "" : "ssh ", l->method,
	    l->user.totp[0] != '\0' ? " and totp" : "", more);
	clogin_audit(l, AUDIT_LOGIN, detail);
}

/* clogin_accepted - every factor passed: forget the user's failures,
 * then the password change or the end */
static void
clogin_accepted(struct clogin *l, uint64_t now)
{
	struct clogin_count zero = { 0, 0, 0 };

	if (l->ops->begin != NULL) {
		l->ops->begin(l->ops->arg);
	}
	l->ops->count_put(l->ops->arg, CLOGIN_KIND_USER, l->name, &zero);
	if (l->ops->end != NULL) {
		l->ops->end(l->ops->arg);
	}
	if (l->user.change_required) {
		clogin_say(l,
		    "You are required to change your password now.\n");
		clogin_ask(l, CLOGIN_NEW);
		return;
	}
	explicit_bzero(l->oldpw, sizeof(l->oldpw));
	clogin_audit_login(l, "");
	l->state = CLOGIN_DONE_OK;
}

/* clogin_password_passed - dropbear's password check passed: the
 * user's count is cleared now only if nothing is left to ask (the
 * session asks the code and audits the login) */
static void
clogin_password_passed(struct clogin *l)
{
	struct clogin_count zero = { 0, 0, 0 };

	if (l->user.totp[0] == '\0') {
		if (l->ops->begin != NULL) {
			l->ops->begin(l->ops->arg);
		}
		l->ops->count_put(l->ops->arg, CLOGIN_KIND_USER, l->name,
		    &zero);
		if (l->ops->end != NULL) {
			l->ops->end(l->ops->arg);
		}
	}
	clogin_wipe(l);
	l->state = CLOGIN_DONE_OK;
}

static void
clogin_on_password(struct clogin *l, uint64_t now)
{
	enum passwd_result r;
	const char *h = l->user.hash;

	if (clogin_locked(l, now)) {
		l->locked = 1;
		clogin_fail(l, "locked",
		    "Login locked: too many failures; try again later");
		return;
	}
	if (l->known && h[0] != '\0' && !l->overlong) {
		r = passwd_verify(h, strlen(h), l->line, l->linelen);
	} else { /* the same work for a name that does not exist */
		r = passwd_verify_dummy(h[0] != '\0' ? h : NULL, strlen(h),
		    l->line, l->linelen);
	}
	if (r != PASSWD_MATCH) {
		clogin_count(l, now);
		clogin_fail(l, "password", "Login incorrect");
		return;
	}
	if (l->mode == CLOGIN_SSH_PASSWORD) {
		clogin_password_passed(l);
		return;
	}
	/* kept for the change's "not the old one" rule, wiped after it */
	memcpy(l->oldpw, l->line, l->linelen);
	if (l->user.totp[0] != '\0') {
		clogin_ask(l, CLOGIN_TOTP);
		return;
	}
	clogin_accepted(l, now);
}

static void
clogin_on_totp(struct clogin *l, uint64_t now)
{
	uint8_t key[TOTP_KEY_MAX];
	size_t keylen = 0;
	uint64_t step = 0, last;
	size_t n = l->linelen;
	int ok = 0;

	while (n > 0 && l->line[n - 1] == ' ') { /* "123456 " from a paste */
		n--;
	}
	if (l->ops->begin != NULL) {
		l->ops->begin(l->ops->arg);
	}
	last = l->ops->totp_last(l->ops->arg, l->name);
	if (!l->overlong &&
	    totp_base32_decode(l->user.totp, strlen(l->user.totp), key,
		sizeof(key), &keylen) == SK_OK &&
	    totp_verify(key, keylen, (const char *)l->line, n, now, last,
		&step)) {
		l->ops->totp_mark(l->ops->arg, l->name, step);
		ok = 1;
	}
	if (l->ops->end != NULL) {
		l->ops->end(l->ops->arg);
	}
	explicit_bzero(key, sizeof(key));
	if (!ok) {
		clogin_count(l, now);
		clogin_fail(l, "totp", "Login incorrect");
		return;
	}
	clogin_accepted(l, now);
}

const char *
clogin_password_policy(const char *user, const char *pw, const char *old)
{
	size_t i, n = strlen(pw);

	if (n < CLOGIN_PASSWORD_MIN) {
		return "Password too short: at least 8 characters";
	}
	if (n > PASSWD_MAX) {
		return "Password too long: at most 256 characters";
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f) {
			return "Password has a control character";
		}
	}
	if (strcmp(pw, user) == 0) {
		return "Password must not be the user name";
	}
	if (old != NULL && strcmp(pw, old) == 0) {
		return "Password must differ from the old one";
	}
	return NULL;
}

/* clogin_refuse_change - a refused new password: ask again or give up */
static void
clogin_refuse_change(struct clogin *l, const char *why)
{
	explicit_bzero(l->newpw, sizeof(l->newpw));
	clogin_say(l, "%s\n", why);
	if (++l->change_tries >= CLOGIN_CHANGE_TRIES) {
		clogin_say(l, "Password not changed\n");
		clogin_audit(l, AUDIT_LOGIN_FAILED, "reason password-change");
		clogin_wipe(l);
		l->state = CLOGIN_DONE_FAIL;
		return;
	}
	clogin_ask(l, CLOGIN_NEW);
}

static void
clogin_on_new(struct clogin *l)
{
	const char *why;

	if (l->overlong || memchr(l->line, '\0', l->linelen) != NULL) {
		clogin_refuse_change(l,
		    l->overlong ? "Password too long: at most 256 characters" :
				  "Password has a control character");
		return;
	}
	memcpy(l->newpw, l->line, l->linelen);
	l->newpw[l->linelen] = '\0';
	if ((why = clogin_password_policy(l->name, l->newpw, l->oldpw)) !=
	    NULL) {
		clogin_refuse_change(l, why);
		return;
	}
	/* over SSH the old password went to dropbear, not here: the
	 * "not the old one" rule checks the new one against its hash */
	if (l->oldpw[0] == '\0' && l->user.hash[0] != '\0' &&
	    passwd_verify(l->user.hash, strlen(l->user.hash), l->line,
		l->linelen) == PASSWD_MATCH) {
		clogin_refuse_change(l,
		    "Password must differ from the old one");
		return;
	}
	clogin_ask(l, CLOGIN_RETYPE);
}

/* clogin_hash - SHA-512-crypt of pw with a fresh 16-character salt */
static int
clogin_hash(struct clogin *l, const char *pw, char *out, size_t cap)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	uint8_t rnd[CLOGIN_SALT_LEN];
	char setting[4 + CLOGIN_SALT_LEN + 2];
	const char *h = NULL;
	size_t i;
	int ok = 0;

	if (cd != NULL && l->ops->random(l->ops->arg, rnd, sizeof(rnd)) == 0) {
		memcpy(setting, "$6$", 3);
		for (i = 0; i < CLOGIN_SALT_LEN; i++) { /* 64 | 256: unbiased */
			setting[3 + i] = CLOGIN_SALT_CHARS[rnd[i] & 63];
		}
		setting[3 + CLOGIN_SALT_LEN] = '$';
		setting[4 + CLOGIN_SALT_LEN] = '\0';
		h = crypt_r(pw, setting, cd);
		/* what was made must also check: catches a crypt that
		 * answers a setting it does not know with another scheme */
		ok = h != NULL && strncmp(h, setting, strlen(setting)) == 0 &&
		    strlen(h) < cap &&
		    passwd_verify(h, strlen(h), (const uint8_t *)pw,
			strlen(pw)) == PASSWD_MATCH;
		if (ok) {
			snprintf(out, cap, "%s", h);
		}
	}
	if (cd != NULL) {
		explicit_bzero(cd, sizeof(*cd));
	}
	free(cd);
	return ok;
}

static void
clogin_on_retype(struct clogin *l)
{
	char hash[PASSWD_HASH_MAX + 1], msg[CLOGIN_MSG_MAX] = "";

	if (l->overlong || l->linelen != strlen(l->newpw) ||
	    memcmp(l->line, l->newpw, l->linelen) != 0) {
		clogin_refuse_change(l, "Passwords do not match");
		return;
	}
	if (!clogin_hash(l, l->newpw, hash, sizeof(hash)) ||
	    l->ops->set_password(l->ops->arg, l->name, hash, msg,
		sizeof(msg)) != SK_OK) {
		clogin_say(l, "Password not changed: %s\n",
		    msg[0] != '\0' ? msg : "cannot compute the hash");
		clogin_audit(l, AUDIT_LOGIN_FAILED, "reason password-change");
		clogin_wipe(l);
		l->state = CLOGIN_DONE_FAIL;
		return;
	}
	clogin_wipe(l);
	clogin_say(l, "Password changed\n");
	l->user.change_required = 0;
	snprintf(l->user.hash, sizeof(l->user.hash), "%s", hash);
	clogin_audit_login(l, ", password changed");
	l->state = CLOGIN_DONE_OK;
}

/* clogin_line - one whole answer in l->line */
static void
clogin_line(struct clogin *l, uint64_t now)
{
	switch (l->state) {
	case CLOGIN_LOGIN:
		clogin_on_name(l);
		break;
	case CLOGIN_PASSWORD:
		clogin_on_password(l, now);
		break;
	case CLOGIN_TOTP:
		clogin_on_totp(l, now);
		break;
	case CLOGIN_NEW:
		clogin_on_new(l);
		break;
	case CLOGIN_RETYPE:
		clogin_on_retype(l);
		break;
	case CLOGIN_DONE_OK:
	case CLOGIN_DONE_FAIL:
		break;
	}
	explicit_bzero(l->line, sizeof(l->line));
	l->linelen = 0;
	l->overlong = 0;
}

/* clogin_take_line - s[n] as the answer being typed (cut: overlong) */
static void
clogin_take_line(struct clogin *l, const uint8_t *s, size_t n)
{
	explicit_bzero(l->line, sizeof(l->line));
	l->overlong = n > CLOGIN_LINE_MAX - 1;
	l->linelen = l->overlong ? 0 : n;
	memcpy(l->line, s, l->linelen);
}

int
clogin_check_password(struct clogin *l, const struct clogin_policy *policy,
    const struct clogin_ops *ops, const char *source, const char *name,
    const uint8_t *pw, size_t pwlen, uint64_t now)
{
	clogin_init(l, CLOGIN_SSH_PASSWORD, policy, ops, source, now);
	clogin_take_line(l, (const uint8_t *)name, strlen(name));
	clogin_line(l, now); /* the name: asks "Password: " */
	clogin_output_done(l);
	if (l->state != CLOGIN_PASSWORD) { /* an empty name */
		clogin_fail(l, "password", "Login incorrect");
		return 0;
	}
	clogin_take_line(l, pw, pwlen);
	clogin_line(l, now);
	return l->state == CLOGIN_DONE_OK;
}

void
clogin_start_session(struct clogin *l, const struct clogin_policy *policy,
    const struct clogin_ops *ops, const char *source, const char *name,
    const char *method, uint64_t now)
{
	clogin_init(l, CLOGIN_SSH_SESSION, policy, ops, source, now);
	snprintf(l->method, sizeof(l->method), "%s", method);
	l->name_ok = clogin_name_valid((const uint8_t *)name, strlen(name));
	snprintf(l->name, sizeof(l->name), "%s",
	    l->name_ok ? name : "(invalid)");
	l->known =
	    l->name_ok && l->ops->user(l->ops->arg, l->name, &l->user) == 1;
	if (!l->known) { /* deleted since dropbear looked it up */
		clogin_fail(l, "unknown", "Login incorrect");
		return;
	}
	if (clogin_locked(l, now)) {
		l->locked = 1;
		clogin_fail(l, "locked",
		    "Login locked: too many failures; try again later");
		return;
	}
	if (l->user.totp[0] != '\0') {
		clogin_ask(l, CLOGIN_TOTP);
		return;
	}
	clogin_accepted(l, now);
}

void
clogin_feed(struct clogin *l, const uint8_t *buf, size_t len, uint64_t now)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < len && l->state < CLOGIN_DONE_OK; i++) {
		c = buf[i];
		l->last_input = now;
		if (c == '\n' && l->after_cr) { /* CR LF ends one line */
			l->after_cr = 0;
			continue;
		}
		l->after_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			clogin_line(l, now);
			continue;
		}
		if (l->linelen < CLOGIN_LINE_MAX - 1) {
			l->line[l->linelen++] = c;
		} else {
			l->overlong = 1;
		}
	}
}

void
clogin_tick(struct clogin *l, uint64_t now)
{
	uint64_t idle = (uint64_t)l->policy.idle_minutes * 60;

	if (idle > 0 && l->state < CLOGIN_DONE_OK &&
	    now >= l->last_input + idle) {
		clogin_wipe(l);
		clogin_say(l, "\nLogin timed out after %u minutes\n",
		    l->policy.idle_minutes);
		l->state = CLOGIN_DONE_FAIL;
	}
}

const char *
clogin_output(const struct clogin *l, size_t *len)
{
	*len = l->outlen;
	return l->out;
}

void
clogin_output_done(struct clogin *l)
{
	l->outlen = 0;
	l->out[0] = '\0';
}

enum clogin_state
clogin_state(const struct clogin *l)
{
	return l->state;
}

int
clogin_echo(const struct clogin *l)
{
	return l->state == CLOGIN_LOGIN;
}

int
clogin_take_failure(struct clogin *l)
{
	int f = l->failed;

	l->failed = 0;
	return f;
}

const struct clogin_user *
clogin_user(const struct clogin *l)
{
	return l->state == CLOGIN_DONE_OK ? &l->user : NULL;
}
