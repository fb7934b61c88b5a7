/*
 * clogin.h - the login dialogue of the appliance's CLI, sans-I/O: octets
 * typed in, time in, text to show out, with calls to the caller's store
 * (users, lockout counts, used TOTP steps, the password change, the
 * audit log) through struct clogin_ops. sekimori_login_main.c is the
 * thin terminal side; login_test.c drives every path without one.
 *
 * The dialogue (prompts exactly as shown):
 *   [banner]  "login: "  "Password: "  [ "Verification code: " ]
 *   [ "New password: "  "Retype new password: " ]   -> CLOGIN_DONE_OK
 * A wrong password, an unknown user, a wrong or replayed code and a
 * locked user or source all answer "Login incorrect" (a lock answers
 * "Login locked: too many failures; try again later") and ask "login: "
 * again; after CLOGIN_TRIES of them, or after the idle timeout, the
 * dialogue ends with CLOGIN_DONE_FAIL (the console's init starts a fresh
 * one; SSH closes the connection).
 *
 * Untrusted input: every octet. Answers end at CR or LF (CR LF counts
 * once) and are at most CLOGIN_LINE_MAX - 1 octets: a longer answer is
 * discarded as a whole and counts as a wrong one. NUL and other control
 * octets are kept in the answer, so they can only make it wrong (a name
 * is looked up only when it matches the model's user-name pattern, and
 * passwd_verify refuses NULs).
 *
 * Lockout (the model's login lockout-policy): counts per user name and
 * per source ("console", or the SSH client's address, IPv6 per /64), a
 * fixed window from the first failure, a lock of lockout-time that
 * attempts during it do not extend; a success clears the user's count
 * only. Counts are the caller's (ops->count_get / count_put, between
 * ops->begin and ops->end so two logins at once do not lose a count).
 *
 * Ownership: struct clogin is the caller's (about 3 KiB plus the output
 * buffer); ops and their arg are borrowed. Passwords are wiped from it as
 * soon as they are used. Nothing here prints, logs or exits.
 */
#ifndef CLI_CLOGIN_H
#define CLI_CLOGIN_H

#include <stddef.h>
#include <stdint.h>

#include "../../firmware/login/passwd.h"
#include "sk.h"
#include "totp.h"

#define CLOGIN_LINE_MAX 257   /* an answer: 256 octets and a NUL */
#define CLOGIN_NAME_MAX 33    /* a user name: the model's 32 and a NUL */
#define CLOGIN_ROLE_MAX 16    /* "operator" */
#define CLOGIN_SOURCE_MAX 64  /* "console", an IPv6 address */
#define CLOGIN_OUT_MAX 4096   /* text waiting to be shown */
#define CLOGIN_TRIES 3        /* wrong logins before the dialogue ends */
#define CLOGIN_CHANGE_TRIES 3 /* refused new passwords before it ends */
#define CLOGIN_PASSWORD_MIN 8 /* new password: octets, at least */
#define CLOGIN_SALT_LEN 16    /* SHA-512-crypt salt characters */

enum clogin_state {
	CLOGIN_LOGIN,     /* "login: " asked */
	CLOGIN_PASSWORD,  /* "Password: " asked */
	CLOGIN_TOTP,      /* "Verification code: " asked */
	CLOGIN_NEW,       /* "New password: " asked */
	CLOGIN_RETYPE,    /* "Retype new password: " asked */
	CLOGIN_DONE_OK,   /* logged in: clogin_user() says who */
	CLOGIN_DONE_FAIL, /* the dialogue is over without a login */
};

/* A user of the running configuration, as ops->user finds it. */
struct clogin_user {
	char name[CLOGIN_NAME_MAX];
	char role[CLOGIN_ROLE_MAX];
	char hash[PASSWD_HASH_MAX + 1]; /* "" with SSH keys only */
	char totp[TOTP_BASE32_MAX + 1]; /* "" without a second factor */
	int change_required;
};

/* The model's login settings (system login). */
struct clogin_policy {
	unsigned max_failures_per_user;
	unsigned max_failures_per_source;
	uint32_t failure_window; /* seconds */
	uint32_t lockout_time;   /* seconds */
	unsigned idle_minutes;   /* 0: no timeout */
};

/* One failure count, as the caller stores it (all zero: none). */
struct clogin_count {
	uint64_t window_start; /* first failure counted; 0: none */
	uint64_t locked_until; /* 0: not locked */
	uint32_t failures;
};

enum clogin_kind {
	CLOGIN_KIND_USER,
	CLOGIN_KIND_SOURCE,
};

/*
 * What the dialogue asks of the box. Times are Unix seconds (counts
 * survive a reboot; a clock step moves a lock by as much).
 *   user          fill *out for name; 1 when the user exists. For an
 *                 unknown name return 0, leaving in out->hash any
 *                 configured user's hash (or "") for the dummy check.
 *   begin, end    bracket the reading and writing of counts (a
 *                 transaction); may be NULL
 *   count_get     the count of (kind, key), zeroed when none
 *   count_put     store it (all zero: forget it)
 *   totp_last     the last TOTP step accepted for user, 0 if none
 *   totp_mark     remember step as accepted for user
 *   set_password  store hash as user's password hash and clear
 *                 password-change-required (commit as that user); SK_OK,
 *                 or a message in msg
 *   audit         one audit row (user, event, detail: audit.h's events)
 *   random        n random octets into buf; 0 on success
 */
struct clogin_ops {
	int (*user)(void *arg, const char *name, struct clogin_user *out);
	void (*begin)(void *arg);
	void (*end)(void *arg);
	void (*count_get)(void *arg, enum clogin_kind kind, const char *key,
	    struct clogin_count *out);
	void (*count_put)(void *arg, enum clogin_kind kind, const char *key,
	    const struct clogin_count *c);
	uint64_t (*totp_last)(void *arg, const char *user);
	void (*totp_mark)(void *arg, const char *user, uint64_t step);
	enum sk_result (*set_password)(void *arg, const char *user,
	    const char *hash, char *msg, size_t msglen);
	void (*audit)(void *arg, const char *user, const char *event,
	    const char *detail);
	int (*random)(void *arg, uint8_t *buf, size_t n);
	void *arg;
};

/* Where a dialogue starts: the console asks everything; over SSH,
 * dropbear has asked the name and the password (CLOGIN_SSH_PASSWORD is
 * that one check, run for dropbear's PAM) or checked a public key, and
 * the session (CLOGIN_SSH_SESSION) asks only what is left. */
enum clogin_mode {
	CLOGIN_CONSOLE,
	CLOGIN_SSH_PASSWORD,
	CLOGIN_SSH_SESSION,
};

struct clogin {
	enum clogin_state state;
	enum clogin_mode mode;
	char method[16]; /* "password" or "publickey", for the audit */
	int locked;      /* the last failure was a lock */
	struct clogin_policy policy;
	const struct clogin_ops *ops;
	char source[CLOGIN_SOURCE_MAX];
	char source_key[CLOGIN_SOURCE_MAX]; /* the source as counted */
	char out[CLOGIN_OUT_MAX];
	size_t outlen;
	uint8_t line[CLOGIN_LINE_MAX];
	size_t linelen;
	int overlong, after_cr;
	char name[CLOGIN_NAME_MAX]; /* the name typed, if a valid one */
	int name_ok;                /* the name matched the pattern */
	struct clogin_user user;
	int known;
	char newpw[CLOGIN_LINE_MAX]; /* between the two new-password lines */
	char oldpw[CLOGIN_LINE_MAX]; /* kept for the change, then wiped */
	unsigned tries, change_tries;
	uint64_t last_input;
	int failed; /* a failure since clogin_take_failure */
};

/* clogin_source_key - the lockout key of a source: IPv6 addresses as
 * their /64 ("2001:db8:1:2::/64"), IPv4-mapped ones as IPv4, anything
 * else as given (cut to cap - 1) */
void clogin_source_key(const char *source, char *key, size_t cap);

/*
 * clogin_start - a new dialogue from source ("console" or an address) at
 * time now: the banner (NULL: none) and "login: " are the first output.
 */
void clogin_start(struct clogin *l, const char *banner,
    const struct clogin_policy *policy, const struct clogin_ops *ops,
    const char *source, uint64_t now);

/*
 * clogin_check_password - one SSH password attempt, as dropbear hands it
 * over (name and password as the client sent them, any octets): the same
 * checks as the console's "Password: " (lock first, the dummy hash for
 * unknown names, the failure counted and audited). Returns 1 when the
 * password is right; then the user's count is cleared only if the user
 * has no second factor (the session asks for the code). On 0,
 * l->locked says whether it was a lock, and clogin_output the message.
 */
int clogin_check_password(struct clogin *l, const struct clogin_policy *policy,
    const struct clogin_ops *ops, const char *source, const char *name,
    const uint8_t *pw, size_t pwlen, uint64_t now);

/*
 * clogin_start_session - the dialogue of an SSH session that dropbear has
 * authenticated (method "password" or "publickey") as name: the lock is
 * checked again, then "Verification code: " for a user with a TOTP
 * secret and the forced password change; the login is audited with the
 * method. Any failure ends the dialogue (CLOGIN_DONE_FAIL): the client
 * connects again. A name that is no longer a user fails.
 */
void clogin_start_session(struct clogin *l, const struct clogin_policy *policy,
    const struct clogin_ops *ops, const char *source, const char *name,
    const char *method, uint64_t now);

/* clogin_feed - octets typed, at time now (any octets, any split) */
void clogin_feed(struct clogin *l, const uint8_t *buf, size_t len,
    uint64_t now);

/* clogin_tick - the time now: ends the dialogue after the idle timeout */
void clogin_tick(struct clogin *l, uint64_t now);

/* clogin_output - the text to show (NUL-terminated, *len octets), then
 * clogin_output_done once it is shown */
const char *clogin_output(const struct clogin *l, size_t *len);
void clogin_output_done(struct clogin *l);

/* clogin_state - where the dialogue stands */
enum clogin_state clogin_state(const struct clogin *l);

/* clogin_echo - whether the terminal should echo the answer now */
int clogin_echo(const struct clogin *l);

/* clogin_take_failure - 1 once after each failed attempt (the terminal
 * side waits a little before showing the next prompt) */
int clogin_take_failure(struct clogin *l);

/* clogin_user - who logged in (CLOGIN_DONE_OK only; else NULL) */
const struct clogin_user *clogin_user(const struct clogin *l);

/* clogin_count_fail - count one failure in c under max (0: no limit);
 * returns 1 when c is locked afterwards. A locked count is left alone.
 * (Exposed for the tests.) */
int clogin_count_fail(struct clogin_count *c, unsigned max, uint32_t window,
    uint32_t lockout, uint64_t now);

/* clogin_count_locked - whether c is locked at now */
int clogin_count_locked(const struct clogin_count *c, uint64_t now);

/*
 * clogin_password_policy - why pw may not be user's new password (NULL:
 * it may): at least CLOGIN_PASSWORD_MIN octets, at most PASSWD_MAX,
 * printable ASCII or UTF-8 octets only (no control octets), not the user
 * name, not the old password.
 */
const char *clogin_password_policy(const char *user, const char *pw,
    const char *old);

#endif /* CLI_CLOGIN_H */
