/*
 * config_tls.c - mail tls (certificates and outbound policies) into
 * struct config, and the lookups by name that listeners and routes use.
 *
 * A self-signed certificate gets the file names the model promises
 * (/config/tls/NAME.crt and NAME.key), so that every user of a
 * config_certificate opens files the same way whatever their source.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

static const char *const config_key_type_names[] = { "rsa-2048", "rsa-3072",
	"ecdsa-p256" };
static const char *const config_tls_mode_names[] = { "none", "may", "encrypt",
	"verify" };

/* config_tls_self_signed - the generated files' names and parameters */
static enum sk_result
config_tls_self_signed(const struct lyd_node *ss, struct config_certificate *c,
    char *err, size_t errlen)
{
	char name[CONFIG_CERT_NAME_SIZE];
	unsigned long days;
	enum sk_result r;

	c->self_signed = 1;
	/* name is at most 64 characters: both paths fit CONFIG_PATH_SIZE.
	 * A copy, so the compiler sees that source and target differ. */
	memcpy(name, c->name, sizeof(name));
	snprintf(c->cert_file, sizeof(c->cert_file), "/config/tls/%s.crt",
	    name);
	snprintf(c->key_file, sizeof(c->key_file), "/config/tls/%s.key", name);
	c->key_type = (enum config_key_type)config_node_enum(ss, "key-type",
	    config_key_type_names, SK_NELEM(config_key_type_names),
	    CONFIG_KEY_RSA_2048);
	if ((r = config_node_str(ss, "common-name", c->common_name,
		 sizeof(c->common_name), err, errlen)) != SK_OK ||
	    (r = config_node_uint(ss, "validity", UINT16_MAX, &days, err,
		 errlen)) != SK_OK) {
		return r;
	}
	c->validity = (uint16_t)days;
	return SK_OK;
}

/* config_tls_certificate - one certificate entry */
static enum sk_result
config_tls_certificate(const struct lyd_node *n, struct config_certificate *c,
    char *err, size_t errlen)
{
	const struct lyd_node *ss = config_node_child(n, "self-signed");
	enum sk_result r;

	if ((r = config_node_str(n, "name", c->name, sizeof(c->name), err,
		 errlen)) != SK_OK) {
		return r;
	}
	if (ss != NULL) {
		return config_tls_self_signed(ss, c, err, errlen);
	}
	if ((r = config_node_str(n, "certificate-file", c->cert_file,
		 sizeof(c->cert_file), err, errlen)) != SK_OK) {
		return r;
	}
	return config_node_str(n, "key-file", c->key_file, sizeof(c->key_file),
	    err, errlen);
}

/* config_tls_policy - one outbound TLS policy */
static enum sk_result
config_tls_policy(const struct lyd_node *n, struct config_tls_policy *p,
    char *err, size_t errlen)
{
	const struct lyd_node *m;
	size_t have = config_node_count(n, "match-name");
	enum sk_result r;

	if ((r = config_node_str(n, "name", p->name, sizeof(p->name), err,
		 errlen)) != SK_OK ||
	    (r = config_node_str(n, "ca-bundle", p->ca_bundle,
		 sizeof(p->ca_bundle), err, errlen)) != SK_OK) {
		return r;
	}
	p->mode = (enum config_tls_mode)config_node_enum(n, "mode",
	    config_tls_mode_names, SK_NELEM(config_tls_mode_names),
	    CONFIG_TLS_MAY);
	p->min_version = (enum config_tls_version)config_node_enum(n,
	    "minimum-version", config_tls_version_names,
	    SK_NELEM(config_tls_version_names), CONFIG_TLS_1_2);
	p->ciphers = (enum config_ciphers)config_node_enum(n, "ciphers",
	    config_cipher_names, SK_NELEM(config_cipher_names),
	    CONFIG_CIPHERS_MODERN);
	if (have > CONFIG_MATCH_NAMES_MAX) {
		return config_node_too_many(n, "match-name", have,
		    CONFIG_MATCH_NAMES_MAX, "CONFIG_MATCH_NAMES_MAX", err,
		    errlen);
	}
	for (m = config_node_child(n, "match-name"); m != NULL;
	     m = config_node_next(m)) {
		/* sk-t:mail-domain is at most 253 characters: it fits */
		snprintf(p->match_names[p->nmatch_names++],
		    sizeof(p->match_names[0]), "%s", lyd_get_value(m));
	}
	return SK_OK;
}

/* config_tls_copy - mail tls into cfg */
enum sk_result
config_tls_copy(const struct lyd_node *mail, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *tls = config_node_child(mail, "tls");
	const struct lyd_node *n;
	size_t have;
	enum sk_result r;

	have = config_node_count(tls, "certificate");
	if (have > CONFIG_CERTIFICATES_MAX) {
		return config_node_too_many(tls, "certificate", have,
		    CONFIG_CERTIFICATES_MAX, "CONFIG_CERTIFICATES_MAX", err,
		    errlen);
	}
	for (n = config_node_child(tls, "certificate"); n != NULL;
	     n = config_node_next(n)) {
		r = config_tls_certificate(n,
		    &cfg->certificates[cfg->ncertificates], err, errlen);
		if (r != SK_OK) {
			return r;
		}
		cfg->ncertificates++;
	}
	have = config_node_count(tls, "policy");
	if (have > CONFIG_TLS_POLICIES_MAX) {
		return config_node_too_many(tls, "policy", have,
		    CONFIG_TLS_POLICIES_MAX, "CONFIG_TLS_POLICIES_MAX", err,
		    errlen);
	}
	for (n = config_node_child(tls, "policy"); n != NULL;
	     n = config_node_next(n)) {
		r = config_tls_policy(n, &cfg->tls_policies[cfg->ntls_policies],
		    err, errlen);
		if (r != SK_OK) {
			return r;
		}
		cfg->ntls_policies++;
	}
	return SK_OK;
}

const struct config_tls_policy *
config_tls_policy_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ntls_policies; i++) {
		if (strcmp(cfg->tls_policies[i].name, name) == 0) {
			return &cfg->tls_policies[i];
		}
	}
	return NULL;
}

const struct config_certificate *
config_certificate_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ncertificates; i++) {
		if (strcmp(cfg->certificates[i].name, name) == 0) {
			return &cfg->certificates[i];
		}
	}
	return NULL;
}
