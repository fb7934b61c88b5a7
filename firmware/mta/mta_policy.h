/*
 * mta_policy.h - which TLS policy applies to a delivery, and what it asks
 * of the SMTP client.
 *
 * Today a policy comes from the config: the next hop's tls-policy, else
 * 'mail delivery tls-policy', else the built-in opportunistic default
 * (mode may, TLS 1.2 or newer, compatible ciphers; the YANG model's
 * description of 'delivery tls-policy'). The resolved policy is a plain
 * struct with its source recorded, so that MTA-STS (RFC 8461) and DANE
 * (RFC 7672) can later raise it per destination before the connection is
 * made (see README.md, "TLS policy").
 *
 * Ownership: pure functions; a struct mta_tls_policy points into the
 * struct config it was made from, which must outlive it.
 */
#ifndef SK_MTA_POLICY_H
#define SK_MTA_POLICY_H

#include <stddef.h>

#include "../config/config.h"

enum mta_tls_mode {
	MTA_TLS_NONE,    /* never STARTTLS, even when offered */
	MTA_TLS_MAY,     /* STARTTLS when offered, else plaintext */
	MTA_TLS_ENCRYPT, /* TLS or no delivery; certificate not checked */
	MTA_TLS_VERIFY,  /* TLS with a certificate that names the server */
};

/* Where a policy came from; MTA-STS and DANE are the next sources. */
enum mta_policy_source {
	MTA_POLICY_BUILTIN, /* no policy named anywhere: opportunistic */
	MTA_POLICY_CONFIG,  /* a 'mail tls policy' entry */
};

struct mta_tls_policy {
	enum mta_tls_mode mode;
	enum mta_policy_source source;
	const char *name; /* the config entry's name, or "built-in" */
	enum config_tls_version min_version;
	enum config_ciphers ciphers;
	const char *ca_bundle; /* "" = the firmware's bundle */
	const char (*match_names)[CONFIG_DOMAIN_SIZE];
	size_t nmatch_names;
};

/*
 * mta_policy_for_hop - the policy for a next hop: hop's tls-policy, else
 * the delivery default, else built-in. hop may be NULL (plain MX
 * delivery). A name that the config does not have (the model's leafref
 * forbids it) falls back to TLS required ("encrypt"): a dangling name
 * must never silently weaken TLS.
 */
void mta_policy_for_hop(const struct config *cfg,
    const struct config_next_hop *hop, struct mta_tls_policy *out);

/* mta_policy_requires_tls - encrypt or verify: no plaintext delivery */
int mta_policy_requires_tls(const struct mta_tls_policy *p);

/* mta_tls_mode_str - "none", "may", "encrypt", "verify" */
const char *mta_tls_mode_str(enum mta_tls_mode m);

#endif /* SK_MTA_POLICY_H */
