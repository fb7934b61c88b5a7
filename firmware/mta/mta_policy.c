/*
 * mta_policy.c - resolve the TLS policy of a delivery (mta_policy.h).
 */
#include <string.h>

#include "mta_policy.h"

/* mta_policy_find - the config's policy called name, or NULL */
static const struct config_tls_policy *
mta_policy_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ntls_policies && i < CONFIG_TLS_POLICIES_MAX;
	     i++) {
		if (strcmp(cfg->tls_policies[i].name, name) == 0) {
			return &cfg->tls_policies[i];
		}
	}
	return NULL;
}

/* mta_policy_builtin - the model's default: opportunistic TLS 1.2+ */
static void
mta_policy_builtin(struct mta_tls_policy *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = MTA_TLS_MAY;
	out->source = MTA_POLICY_BUILTIN;
	out->name = "built-in";
	out->min_version = CONFIG_TLS_1_2;
	out->ciphers = CONFIG_CIPHERS_COMPATIBLE;
	out->ca_bundle = "";
}

/* mta_policy_mode - the config's mode as ours */
static enum mta_tls_mode
mta_policy_mode(enum config_tls_mode m)
{
	switch (m) {
	case CONFIG_TLS_NONE:
		return MTA_TLS_NONE;
	case CONFIG_TLS_MAY:
		return MTA_TLS_MAY;
	case CONFIG_TLS_ENCRYPT:
		return MTA_TLS_ENCRYPT;
	case CONFIG_TLS_VERIFY:
		return MTA_TLS_VERIFY;
	}
	return MTA_TLS_ENCRYPT; /* unknown: never weaker than asked */
}

void
mta_policy_for_hop(const struct config *cfg, const struct config_next_hop *hop,
    struct mta_tls_policy *out)
{
	const struct config_tls_policy *p;
	const char *name = "";

	mta_policy_builtin(out);
	if (hop != NULL && hop->tls_policy[0] != '\0') {
		name = hop->tls_policy;
	} else if (cfg->delivery.tls_policy[0] != '\0') {
		name = cfg->delivery.tls_policy;
	}
	if (name[0] == '\0') {
		return;
	}
	out->source = MTA_POLICY_CONFIG;
	out->name = name;
	p = mta_policy_find(cfg, name);
	if (p == NULL) {
		out->mode = MTA_TLS_ENCRYPT;
		return;
	}
	out->mode = mta_policy_mode(p->mode);
	out->min_version = p->min_version;
	out->ciphers = p->ciphers;
	out->ca_bundle = p->ca_bundle;
	out->match_names = p->match_names;
	out->nmatch_names = p->nmatch_names < CONFIG_MATCH_NAMES_MAX ?
	    p->nmatch_names :
	    CONFIG_MATCH_NAMES_MAX;
}

int
mta_policy_requires_tls(const struct mta_tls_policy *p)
{
	return p->mode == MTA_TLS_ENCRYPT || p->mode == MTA_TLS_VERIFY;
}

const char *
mta_tls_mode_str(enum mta_tls_mode m)
{
	switch (m) {
	case MTA_TLS_NONE:
		return "none";
	case MTA_TLS_MAY:
		return "may";
	case MTA_TLS_ENCRYPT:
		return "encrypt";
	case MTA_TLS_VERIFY:
		return "verify";
	}
	return "?";
}
