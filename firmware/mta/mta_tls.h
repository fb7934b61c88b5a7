/*
 * mta_tls.h - the TLS implementation behind the mta's transport hook
 * (mta_transport.h), over firmware/tls: one client context per TLS
 * policy, made at first use and kept, and a tls_conn per connection.
 *
 * The supervisor installs it before mta_process runs:
 *	mta_tls_init(cfg); mta_transport_set_tls(mta_tls_wrap);
 */
#ifndef SK_MTA_TLS_H
#define SK_MTA_TLS_H

#include "../config/config.h"
#include "mta_transport.h"

/* mta_tls_init - remember the config (policies, root-directory) */
void mta_tls_init(const struct config *cfg);
/* mta_tls_wrap - the mta_tls_wrap_fn: make t a TLS client transport */
int mta_tls_wrap(struct mta_transport *t, const struct mta_tls_params *p);

#endif /* SK_MTA_TLS_H */
