/*
 * mta_tls.c - TLS under the mta's SMTP client (mta_tls.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../tls/tls_conn.h"
#include "mta_tls.h"

/* one client context per policy: the config's, plus the built-in one */
#define MTA_TLS_CLIENTS (CONFIG_TLS_POLICIES_MAX + 1)

static const struct config *mta_tls_cfg;
static struct tls_client *mta_tls_clients[MTA_TLS_CLIENTS];

void
mta_tls_init(const struct config *cfg)
{
	mta_tls_cfg = cfg;
}

/* mta_tls_client - the context of policy p, made at first use */
static struct tls_client *
mta_tls_client(const struct mta_tls_policy *p, char *err, size_t errlen)
{
	struct config_tls_policy builtin;
	const struct config_tls_policy *cp = NULL;
	size_t slot = CONFIG_TLS_POLICIES_MAX;

	if (p->source == MTA_POLICY_CONFIG) {
		cp = config_tls_policy_find(mta_tls_cfg, p->name);
		if (cp != NULL) {
			slot = (size_t)(cp - mta_tls_cfg->tls_policies);
		}
	}
	if (mta_tls_clients[slot] != NULL) {
		return mta_tls_clients[slot];
	}
	if (cp == NULL) {
		tls_client_default_policy(&builtin);
		cp = &builtin;
	}
	if (tls_client_new(&mta_tls_clients[slot], cp,
		mta_tls_cfg->root_directory, err, errlen) != SK_OK) {
		mta_tls_clients[slot] = NULL;
	}
	return mta_tls_clients[slot];
}

/* mta_tls_io - a tls_status as an mta_io, with the reason on failure */
static enum mta_io
mta_tls_io(struct mta_transport *t, enum tls_status s)
{
	switch (s) {
	case TLS_OK:
		return MTA_IO_OK;
	case TLS_WANT_READ:
		return MTA_IO_WANT_READ;
	case TLS_WANT_WRITE:
		return MTA_IO_WANT_WRITE;
	case TLS_CLOSED:
		return MTA_IO_EOF;
	case TLS_ERROR:
		break;
	}
	t->err = 0;
	snprintf(t->why, sizeof(t->why), "TLS: %s", tls_conn_error(t->ctx));
	return MTA_IO_ERROR;
}

static enum mta_io
mta_tls_read(struct mta_transport *t, uint8_t *buf, size_t cap, size_t *got)
{
	*got = 0;
	return mta_tls_io(t, tls_conn_read(t->ctx, buf, cap, got));
}

static enum mta_io
mta_tls_write(struct mta_transport *t, const uint8_t *buf, size_t len,
    size_t *put)
{
	*put = 0;
	return mta_tls_io(t, tls_conn_write(t->ctx, buf, len, put));
}

static enum mta_io
mta_tls_start(struct mta_transport *t)
{
	enum mta_io r = mta_tls_io(t, tls_conn_handshake(t->ctx));

	if (r == MTA_IO_OK) {
		tls_conn_summary(t->ctx, t->tls_info, sizeof(t->tls_info));
	}
	return r;
}

static void
mta_tls_close(struct mta_transport *t)
{
	if (t->ctx != NULL) {
		(void)tls_conn_close(t->ctx); /* close_notify, best effort */
		tls_conn_free(t->ctx);
		t->ctx = NULL;
	}
	if (t->fd >= 0) {
		close(t->fd);
	}
	t->fd = -1;
}

static const struct mta_transport_ops mta_tls_ops = {
	.name = "tls",
	.read = mta_tls_read,
	.write = mta_tls_write,
	.start_tls = mta_tls_start,
	.close = mta_tls_close,
};

int
mta_tls_wrap(struct mta_transport *t, const struct mta_tls_params *p)
{
	char err[MTA_WHY_MAX / 2];
	struct tls_client *cli = mta_tls_client(p->policy, err, sizeof(err));
	struct tls_conn *c;

	if (cli == NULL) {
		t->err = 0;
		snprintf(t->why, sizeof(t->why), "TLS policy %.40s: %s",
		    p->policy->name, err);
		return -1;
	}
	if (tls_conn_client(&c, cli, t->fd, p->server_name) != SK_OK) {
		t->err = ENOMEM;
		snprintf(t->why, sizeof(t->why), "cannot start TLS");
		return -1;
	}
	t->ops = &mta_tls_ops;
	t->ctx = c;
	return 0;
}
