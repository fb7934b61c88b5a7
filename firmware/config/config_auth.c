/*
 * config_auth.c - mail smtp-auth (accounts and lockout) into struct config.
 *
 * Password hashes are copied as the model validated them; they are
 * checked only by the supervisor (login/passwd.c), never by the process
 * that faces the internet.
 */
#include <string.h>

#include "config_int.h"

/* config_auth_lockout - sk-t:lockout-policy leaves (all have defaults) */
static enum sk_result
config_auth_lockout(const struct lyd_node *n, struct config_lockout *lo,
    char *err, size_t errlen)
{
	unsigned long v[4];
	enum sk_result r;

	if ((r = config_node_uint(n, "max-failures-per-user", UINT16_MAX, &v[0],
		 err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "max-failures-per-source", UINT16_MAX,
		 &v[1], err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "failure-window", UINT32_MAX, &v[2], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "lockout-time", UINT32_MAX, &v[3], err,
		 errlen)) != SK_OK) {
		return r;
	}
	lo->max_failures_per_user = (uint16_t)v[0];
	lo->max_failures_per_source = (uint16_t)v[1];
	lo->failure_window = (uint32_t)v[2];
	lo->lockout_time = (uint32_t)v[3];
	return SK_OK;
}

/* config_auth_copy - mail smtp-auth into cfg */
enum sk_result
config_auth_copy(const struct lyd_node *mail, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *sa = config_node_child(mail, "smtp-auth");
	const struct lyd_node *n;
	size_t have = config_node_count(sa, "user");
	struct config_auth_user *u;
	enum sk_result r;

	if ((r = config_auth_lockout(sa, &cfg->auth_lockout, err, errlen)) !=
	    SK_OK) {
		return r;
	}
	if (have > CONFIG_AUTH_USERS_MAX) {
		return config_node_too_many(sa, "user", have,
		    CONFIG_AUTH_USERS_MAX, "CONFIG_AUTH_USERS_MAX", err,
		    errlen);
	}
	for (n = config_node_child(sa, "user"); n != NULL;
	     n = config_node_next(n)) {
		u = &cfg->auth_users[cfg->nauth_users];
		if ((r = config_node_str(n, "name", u->name, sizeof(u->name),
			 err, errlen)) != SK_OK ||
		    (r = config_node_str(n, "password-hash", u->password_hash,
			 sizeof(u->password_hash), err, errlen)) != SK_OK) {
			return r;
		}
		u->enabled = config_node_bool(n, "enabled", 1);
		cfg->nauth_users++;
	}
	return SK_OK;
}
