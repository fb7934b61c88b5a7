/*
 * authd.c - SMTP AUTH checks in the supervisor (authd.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../login/lockout.h"
#include "../login/passwd.h"
#include "authd.h"
#include "log.h"
#include "msg_body.h"

static const struct config *authd_cfg;
static struct lockout *authd_lockout; /* large: on the heap */

/* any of the configured hashes, as the model of the dummy check */
static const char *authd_dummy_like = "$6$";

enum sk_result
authd_init(const struct config *cfg, char *err, size_t errlen)
{
	struct lockout_policy p;
	size_t i;

	authd_cfg = cfg;
	/* a reload starts the lockout table afresh under the new policy */
	if (authd_lockout == NULL) {
		authd_lockout = calloc(1, sizeof(*authd_lockout));
	}
	if (authd_lockout == NULL) {
		snprintf(err, errlen, "no memory for the lockout table");
		return SK_E_FULL;
	}
	p.max_failures_per_user = cfg->auth_lockout.max_failures_per_user;
	p.max_failures_per_source = cfg->auth_lockout.max_failures_per_source;
	p.failure_window = cfg->auth_lockout.failure_window;
	p.lockout_time = cfg->auth_lockout.lockout_time;
	lockout_init(authd_lockout, &p);
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
	if (pr == PASSWD_MATCH) {
		lockout_success(authd_lockout, (const uint8_t *)user, ulen,
		    now);
		return MSG_AUTH_OK;
	}
	if (pr == PASSWD_UNSUPPORTED) {
		log_warn("smtp-auth user %s: password hash not supported here",
		    user);
	}
	lockout_failure(authd_lockout, (const uint8_t *)user, ulen, addr,
	    addrlen, now);
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
}
