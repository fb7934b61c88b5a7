/*
 * policy_conf.h - the policy's settings from the config: what to check,
 * what to do on failure, and the DKIM signing keys, read from the files
 * the config names (under its root-directory).
 *
 * Ownership: the caller owns struct policy_conf (about 150 KiB with the
 * keys: static or heap). Its sealer and over-signed names and its overrides
 * point into cfg, which must outlive it. The RSA keys point into their own
 * decoder context: never copy a loaded policy_conf, use it where it was loaded.
 * policy_conf_wipe forgets every key.
 */
#ifndef SK_POLICY_CONF_H
#define SK_POLICY_CONF_H

#include <stddef.h>

#include "../config/config.h"
#include "policy.h"
#include "sk.h"

#define POLICY_KEY_FILE_MAX 16384 /* local limit: one PEM key file */

/*
 * policy_conf_load - cfg's sender-authentication into pc, every enabled
 * selector's key read and checked against its algorithm. server_name is
 * the authserv-id when the config gives none. SK_OK, or an error with
 * err naming the domain, selector and file (nothing is kept then).
 */
enum sk_result policy_conf_load(const struct config *cfg,
    const char *server_name, struct policy_conf *pc, char *err, size_t errlen);

/* policy_conf_wipe - forget the private keys */
void policy_conf_wipe(struct policy_conf *pc);

#endif /* SK_POLICY_CONF_H */
