/*
 * authd.c - SMTP AUTH checks in the supervisor (authd.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../login/lockout.h"
#include "../login/passwd.h"
#include "authd.h"
#include "log.h"
#include "msg_body.h"

static const struct config *authd_cfg;
static struct lockout *authd_lockout; /* large: on the heap */
static char authd_lockout_path[CONFIG_PATH_SIZE];
static int authd_dirty;         /* counts changed since the last write */
static int authd_new_lock;      /* and a lock started among them */
static uint64_t authd_saved_at; /* monotonic seconds of that write */

/* any of the configured hashes, as the model of the dummy check */
static const char *authd_dummy_like = "$6$";

/* authd_load - the counts saved by the last run (none: a new table) */
static void
authd_load(uint64_t now)
{
	char *text = malloc(LOCKOUT_TEXT_MAX);
	size_t len = 0, line;
	ssize_t n;
	int fd;

	if (text == NULL) {
		return;
	}
	fd = open(authd_lockout_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	while (fd != -1 && len < LOCKOUT_TEXT_MAX &&
	    (n = read(fd, text + len, LOCKOUT_TEXT_MAX - len)) > 0) {
		len += (size_t)n;
	}
	if (fd == -1) {
		if (errno != ENOENT) {
			log_warn("%s: %s: SMTP AUTH lockout counts start "
				 "afresh",
			    authd_lockout_path, strerror(errno));
		}
	} else if (len == LOCKOUT_TEXT_MAX ||
	    lockout_import(authd_lockout, text, len, now, (uint64_t)time(NULL),
		&line) != SK_OK) {
		log_warn("%s: line %zu is damaged: SMTP AUTH lockout counts "
			 "start afresh",
		    authd_lockout_path, len == LOCKOUT_TEXT_MAX ? 0 : line);
	}
	if (fd != -1) {
		close(fd);
	}
	free(text);
}

/* authd_write - the counts to the file, through a new name and a rename
 * (no fsync: a power cut may lose the last seconds of counts, never the
 * file); a failure is logged and the next write tries again */
static void
authd_write(uint64_t now)
{
	char tmp[CONFIG_PATH_SIZE + 8], dir[CONFIG_PATH_SIZE], *slash;
	char *text = malloc(LOCKOUT_TEXT_MAX);
	size_t len;
	int fd, ok;

	if (text == NULL) {
		return;
	}
	len = lockout_export(authd_lockout, now, (uint64_t)time(NULL), text,
	    LOCKOUT_TEXT_MAX);
	snprintf(dir, sizeof(dir), "%s", authd_lockout_path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		(void)mkdir(dir, 0700);
	}
	snprintf(tmp, sizeof(tmp), "%s.new", authd_lockout_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	ok = fd != -1 && write(fd, text, len) == (ssize_t)len;
	ok = fd != -1 && close(fd) == 0 && ok;
	if (!ok || rename(tmp, authd_lockout_path) == -1) {
		log_warn("%s: %s: SMTP AUTH lockout counts not saved",
		    authd_lockout_path, strerror(errno));
		(void)unlink(tmp);
	} else {
		authd_dirty = authd_new_lock = 0;
	}
	authd_saved_at = now;
	free(text);
}

void
authd_save(uint64_t now)
{
	if (authd_lockout != NULL && authd_dirty) {
		authd_write(now);
	}
}

/* authd_maybe_save - after a check: write when a lock started or counts
 * waited long enough, at most once every AUTHD_SAVE_MIN_S */
static void
authd_maybe_save(uint64_t now)
{
	uint64_t since = now - authd_saved_at;

	if (authd_dirty && since >= AUTHD_SAVE_MIN_S &&
	    (authd_new_lock || since >= AUTHD_SAVE_COUNTS_S)) {
		authd_write(now);
	}
}

enum sk_result
authd_init(const struct config *cfg, uint64_t now, char *err, size_t errlen)
{
	struct lockout_policy p;
	size_t i;

	authd_cfg = cfg;
	p.max_failures_per_user = cfg->auth_lockout.max_failures_per_user;
	p.max_failures_per_source = cfg->auth_lockout.max_failures_per_source;
	p.failure_window = cfg->auth_lockout.failure_window;
	p.lockout_time = cfg->auth_lockout.lockout_time;
	if (authd_lockout != NULL) { /* a reload: the counts go on */
		lockout_set_policy(authd_lockout, &p);
	} else if ((authd_lockout = calloc(1, sizeof(*authd_lockout))) !=
	    NULL) {
		lockout_init(authd_lockout, &p);
		if (config_path(cfg, AUTHD_LOCKOUT_FILE, authd_lockout_path,
			sizeof(authd_lockout_path)) == SK_OK) {
			authd_load(now);
		}
		authd_saved_at = now;
	}
	if (authd_lockout == NULL) {
		snprintf(err, errlen, "no memory for the lockout table");
		return SK_E_FULL;
	}
	for (i = 0; i < cfg->nauth_users; i++) {
		const char *h = cfg->auth_users[i].password_hash;

		if (passwd_hash_supported(h, strlen(h)) != PASSWD_MATCH) {
			log_warn("smtp-auth user %s: password hash scheme not "
				 "supported by this build: the account cannot "
				 "log in",
			    cfg->auth_users[i].name);
		} else {
			authd_dummy_like = h;
		}
	}
	return SK_OK;
}

/* authd_user - the enabled account called name, or NULL */
static const struct config_auth_user *
authd_user(const char *name)
{
	size_t i;

	for (i = 0; i < authd_cfg->nauth_users; i++) {
		if (strcmp(authd_cfg->auth_users[i].name, name) == 0) {
			return &authd_cfg->auth_users[i];
		}
	}
	return NULL;
}

/* authd_addr - the client address as bytes for the lockout table */
static size_t
authd_addr(const char *text, uint8_t out[16])
{
	if (inet_pton(AF_INET, text, out) == 1) {
		return 4;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		return 16;
	}
	return 0;
}

/* authd_verify - the verdict for user/pass from addr */
static enum msg_auth_result
authd_verify(const char *user, const char *pass, size_t passlen,
    const uint8_t *addr, size_t addrlen, uint64_t now, const char *client)
{
	const struct config_auth_user *u = authd_user(user);
	size_t ulen = strlen(user);
	uint64_t retry = 0;
	enum passwd_result pr;

	if (lockout_check(authd_lockout, (const uint8_t *)user, ulen, addr,
		addrlen, now, &retry) != LOCKOUT_OPEN) {
		log_warn("unknown[%s]: SASL authentication refused for "
			 "%s: locked out for %llu more seconds",
		    client, user, (unsigned long long)retry);
		return MSG_AUTH_LOCKED;
	}
	if (u != NULL && u->enabled) {
		pr = passwd_verify(u->password_hash, strlen(u->password_hash),
		    (const uint8_t *)pass, passlen);
	} else {
		pr = passwd_verify_dummy(authd_dummy_like,
		    strlen(authd_dummy_like), (const uint8_t *)pass, passlen);
		pr = PASSWD_MISMATCH;
	}
	authd_dirty = 1;
	if (pr == PASSWD_MATCH) {
		lockout_success(authd_lockout, (const uint8_t *)user, ulen,
		    now);
		return MSG_AUTH_OK;
	}
	if (pr == PASSWD_UNSUPPORTED) {
		log_warn("smtp-auth user %s: password hash not supported here",
		    user);
	}
	if (lockout_failure(authd_lockout, (const uint8_t *)user, ulen, addr,
		addrlen, now) != LOCKOUT_OPEN) {
		authd_new_lock = 1;
	}
	log_warn("unknown[%s]: SASL authentication failed for %s", client,
	    user);
	return MSG_AUTH_FAIL;
}

void
authd_check(struct chan *c, const struct msg *m, uint64_t now)
{
	char user[CONFIG_USER_SIZE], pass[PASSWD_MAX + 1], client[64],
	    listener[CONFIG_NAME_SIZE];
	struct msg_body_reader r;
	uint8_t addr[16], body[4];
	size_t passlen, addrlen;
	enum msg_auth_result res;

	msg_body_reader_init(&r, m->body, m->hdr.len);
	msg_body_get_str(&r, user, sizeof(user));
	passlen = msg_body_get_str(&r, pass, sizeof(pass));
	msg_body_get_str(&r, client, sizeof(client));
	msg_body_get_str(&r, listener, sizeof(listener));
	addrlen = authd_addr(client, addr);
	if (msg_body_end(&r) != 0 || addrlen == 0) {
		/* a name or password over our limits is simply wrong */
		res = MSG_AUTH_FAIL;
	} else {
		res = authd_verify(user, pass, passlen, addr, addrlen, now,
		    client);
	}
	explicit_bzero(pass, sizeof(pass));
	msg_put_u32(body, res);
	chan_send(c, MSG_AUTH_RESULT, m->hdr.peer, -1, body, sizeof(body));
	authd_maybe_save(now); /* after the answer: the client waits less */
}
