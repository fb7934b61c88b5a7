/*
 * config_mail.c - copy the mail settings out of a validated libyang tree
 * into struct config: listeners, relay domains and their known
 * recipients, internal networks, limits, queue, logging, server name;
 * the other parts through config_auth_copy, config_tls_copy,
 * config_delivery_copy and config_system_copy.
 *
 * The tree has passed validation, so every value has its model type and
 * every leaf with a default is present. What is checked here are only
 * the local limits of struct config (list sizes, field sizes), each
 * reported with the data path.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static const char *const config_mail_modes[] = { "mx", "submission",
	"submissions" };
static const char *const config_mail_auths[] = { "disabled", "optional",
	"required" };
const char *const config_tls_version_names[3] = { "tls1.0", "tls1.1",
	"tls1.2" };
const char *const config_cipher_names[3] = { "modern", "compatible", "legacy" };

/* config_mode_str - the model's name of a listener mode */
const char *
config_mode_str(enum config_mode m)
{
	return (size_t)m < SK_NELEM(config_mail_modes) ? config_mail_modes[m] :
							 "?";
}

/* config_smtp_auth_str - the model's name of an smtp-auth setting */
const char *
config_smtp_auth_str(enum config_smtp_auth a)
{
	return (size_t)a < SK_NELEM(config_mail_auths) ? config_mail_auths[a] :
							 "?";
}

/* config_mail_listener - one listener entry into l */
static enum sk_result
config_mail_listener(const struct lyd_node *n, struct config_listener *l,
    char *err, size_t errlen)
{
	const struct lyd_node *tls = config_node_child(n, "tls");
	char path[CONFIG_ERR_MAX];
	unsigned long port;
	enum sk_result r;

	if ((r = config_node_str(n, "name", l->name, sizeof(l->name), err,
		 errlen)) != SK_OK ||
	    (r = config_node_str(n, "address", l->address_text,
		 sizeof(l->address_text), err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "port", 65535, &port, err, errlen)) !=
		SK_OK ||
	    (r = config_node_str(tls, "certificate", l->certificate,
		 sizeof(l->certificate), err, errlen)) != SK_OK) {
		return r;
	}
	if (l->address_text[0] != '\0' &&
	    !config_node_ip(l->address_text, 0, &l->address)) {
		config_err(err, errlen, "%s/address: cannot parse \"%s\"",
		    config_node_path(n, path, sizeof(path)), l->address_text);
		return SK_E_SYNTAX;
	}
	l->port = (uint16_t)port;
	l->enabled = config_node_bool(n, "enabled", 1);
	l->mode = (enum config_mode)config_node_enum(n, "mode",
	    config_mail_modes, SK_NELEM(config_mail_modes), CONFIG_MODE_MX);
	l->smtp_auth = (enum config_smtp_auth)config_node_enum(n, "smtp-auth",
	    config_mail_auths, SK_NELEM(config_mail_auths),
	    CONFIG_AUTH_DISABLED);
	l->tls_min_version = (enum config_tls_version)config_node_enum(tls,
	    "minimum-version", config_tls_version_names,
	    SK_NELEM(config_tls_version_names), CONFIG_TLS_1_2);
	l->tls_ciphers = (enum config_ciphers)config_node_enum(tls, "ciphers",
	    config_cipher_names, SK_NELEM(config_cipher_names),
	    CONFIG_CIPHERS_MODERN);
	l->tls_required_for_auth = config_node_bool(tls, "require-for-auth", 1);
	return SK_OK;
}

/* config_mail_listeners - every listener of mail into cfg */
static enum sk_result
config_mail_listeners(const struct lyd_node *mail, struct config *cfg,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(mail, "listener");
	enum sk_result r;

	if (have > CONFIG_LISTENERS_MAX) {
		return config_node_too_many(mail, "listener", have,
		    CONFIG_LISTENERS_MAX, "CONFIG_LISTENERS_MAX", err, errlen);
	}
	for (n = config_node_child(mail, "listener"); n != NULL;
	     n = config_node_next(n)) {
		r = config_mail_listener(n, &cfg->listeners[cfg->nlisteners],
		    err, errlen);
		if (r != SK_OK) {
			return r;
		}
		cfg->nlisteners++;
	}
	return SK_OK;
}

/* config_mail_domain - one relay domain and its known recipients */
static enum sk_result
config_mail_domain(const struct lyd_node *n, struct config *cfg, char *err,
    size_t errlen)
{
	struct config_relay_domain *d =
	    &cfg->relay_domains[cfg->nrelay_domains];
	const struct lyd_node *c;
	enum sk_result r;

	if ((r = config_node_str(n, "name", d->name, sizeof(d->name), err,
		 errlen)) != SK_OK) {
		return r;
	}
	d->known_recipients_only =
	    config_node_bool(n, "known-recipients-only", 0);
	d->recipients_first = cfg->nknown_recipients;
	for (c = config_node_child(n, "known-recipient"); c != NULL;
	     c = config_node_next(c)) {
		if (cfg->nknown_recipients >= CONFIG_KNOWN_RECIPIENTS_MAX) {
			return config_node_too_many(n, "known-recipient",
			    cfg->nknown_recipients + 1,
			    CONFIG_KNOWN_RECIPIENTS_MAX,
			    "CONFIG_KNOWN_RECIPIENTS_MAX, all domains together",
			    err, errlen);
		}
		if (strlen(lyd_get_value(c)) >= CONFIG_LOCAL_SIZE) {
			return config_node_too_many(n, "known-recipient",
			    strlen(lyd_get_value(c)), CONFIG_LOCAL_SIZE - 1,
			    "characters, CONFIG_LOCAL_SIZE", err, errlen);
		}
		strcpy(cfg->known_recipients[cfg->nknown_recipients++],
		    lyd_get_value(c));
		d->recipients_count++;
	}
	cfg->nrelay_domains++;
	return SK_OK;
}

/* config_mail_relay - relay domains and internal networks into cfg */
static enum sk_result
config_mail_relay(const struct lyd_node *mail, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *relay = config_node_child(mail, "relay");
	const struct lyd_node *n;
	char path[CONFIG_ERR_MAX];
	size_t have = config_node_count(relay, "domain");
	enum sk_result r;

	if (have > CONFIG_RELAY_DOMAINS_MAX) {
		return config_node_too_many(relay, "domain", have,
		    CONFIG_RELAY_DOMAINS_MAX, "CONFIG_RELAY_DOMAINS_MAX", err,
		    errlen);
	}
	for (n = config_node_child(relay, "domain"); n != NULL;
	     n = config_node_next(n)) {
		if ((r = config_mail_domain(n, cfg, err, errlen)) != SK_OK) {
			return r;
		}
	}
	have = config_node_count(relay, "internal-network");
	if (have > CONFIG_NETWORKS_MAX) {
		return config_node_too_many(relay, "internal-network", have,
		    CONFIG_NETWORKS_MAX, "CONFIG_NETWORKS_MAX", err, errlen);
	}
	for (n = config_node_child(relay, "internal-network"); n != NULL;
	     n = config_node_next(n)) {
		if (!config_node_ip(lyd_get_value(n), 1,
			&cfg->internal_networks[cfg->ninternal_networks])) {
			config_err(err, errlen, "%s: cannot parse \"%s\"",
			    config_node_path(n, path, sizeof(path)),
			    lyd_get_value(n));
			return SK_E_SYNTAX;
		}
		cfg->ninternal_networks++;
	}
	return SK_OK;
}

/* config_mail_limits - mail limits (all have defaults in the model) */
static enum sk_result
config_mail_limits(const struct lyd_node *mail, struct config_limits *lim,
    char *err, size_t errlen)
{
	const struct lyd_node *n = config_node_child(mail, "limits");
	const struct lyd_node *t = config_node_child(n, "timeouts");
	unsigned long v[9];
	enum sk_result r;

	if ((r = config_node_uint(n, "message-size", UINT32_MAX, &v[0], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "recipients-per-message", UINT32_MAX,
		 &v[1], err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "line-length", UINT32_MAX, &v[2], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "errors-per-session", UINT16_MAX, &v[3],
		 err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "connections-per-client", UINT32_MAX,
		 &v[4], err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "connections-total", UINT32_MAX, &v[5],
		 err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "received-headers", UINT16_MAX, &v[6], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(t, "command", UINT16_MAX, &v[7], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(t, "data", UINT16_MAX, &v[8], err, errlen)) !=
		SK_OK) {
		return r;
	}
	lim->message_size = (uint32_t)v[0];
	lim->recipients = (uint32_t)v[1];
	lim->line_length = (uint32_t)v[2];
	lim->errors = (uint16_t)v[3];
	lim->connections_per_client = (uint32_t)v[4];
	lim->connections_total = (uint32_t)v[5];
	lim->received_headers = (uint16_t)v[6];
	lim->timeout_command = (uint16_t)v[7];
	lim->timeout_data = (uint16_t)v[8];
	return SK_OK;
}

/* config_mail_queue - queue lifetime and retry settings */
static enum sk_result
config_mail_queue(const struct lyd_node *mail, struct config_queue *q,
    char *err, size_t errlen)
{
	const struct lyd_node *n = config_node_child(mail, "queue");
	unsigned long v[5];
	enum sk_result r;

	if ((r = config_node_uint(n, "lifetime", UINT16_MAX, &v[0], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "minimum-backoff", UINT32_MAX, &v[1], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "maximum-backoff", UINT32_MAX, &v[2], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "delay-notice", UINT16_MAX, &v[3], err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "minimum-free-space", UINT8_MAX, &v[4],
		 err, errlen)) != SK_OK) {
		return r;
	}
	q->lifetime = (uint16_t)v[0];
	q->minimum_backoff = (uint32_t)v[1];
	q->maximum_backoff = (uint32_t)v[2];
	q->delay_notice = (uint16_t)v[3];
	q->minimum_free_space = (uint8_t)v[4];
	return SK_OK;
}

/* config_mail_server_name - mail server-name, else system host names */
static enum sk_result
config_mail_server_name(const struct lyd_node *tree,
    const struct lyd_node *mail, struct config *cfg, char *err, size_t errlen)
{
	const struct lyd_node *sys;
	const char *host, *domain;
	char path[CONFIG_ERR_MAX];
	int n;

	if (config_node_value(mail, "server-name") != NULL) {
		return config_node_str(mail, "server-name", cfg->server_name,
		    sizeof(cfg->server_name), err, errlen);
	}
	sys = config_node_top(tree, CONFIG_SYSTEM_MODULE, "system");
	if ((host = config_node_value(sys, "host-name")) == NULL) {
		return SK_OK; /* "": the daemon asks the kernel */
	}
	domain = config_node_value(sys, "domain-name");
	n = snprintf(cfg->server_name, sizeof(cfg->server_name), "%s%s%s", host,
	    domain != NULL ? "." : "", domain != NULL ? domain : "");
	if (n < 0 || (size_t)n >= sizeof(cfg->server_name)) {
		cfg->server_name[0] = '\0';
		config_err(err, errlen,
		    "%s: host-name.domain-name is longer than %zu characters; "
		    "set mail server-name",
		    config_node_path(sys, path, sizeof(path)),
		    sizeof(cfg->server_name) - 1);
		return SK_E_RANGE;
	}
	return SK_OK;
}

/* config_mail_copy - the validated tree's mail settings into *cfg */
enum sk_result
config_mail_copy(const struct lyd_node *tree, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *mail, *log;
	enum sk_result r;

	mail = config_node_top(tree, CONFIG_MAIL_MODULE, "mail");
	if (mail == NULL) {
		config_err(err, errlen,
		    "/sekimori-mail:mail: missing; the mail daemon needs its "
		    "settings (listeners, relay) in the file");
		return SK_E_SYNTAX;
	}
	if ((r = config_mail_server_name(tree, mail, cfg, err, errlen)) !=
		SK_OK ||
	    (r = config_mail_listeners(mail, cfg, err, errlen)) != SK_OK ||
	    (r = config_mail_relay(mail, cfg, err, errlen)) != SK_OK ||
	    (r = config_mail_limits(mail, &cfg->limits, err, errlen)) !=
		SK_OK ||
	    (r = config_mail_queue(mail, &cfg->queue, err, errlen)) != SK_OK) {
		return r;
	}
	if ((r = config_node_str(mail, "root-directory", cfg->root_directory,
		 sizeof(cfg->root_directory), err, errlen)) != SK_OK ||
	    (r = config_auth_copy(mail, cfg, err, errlen)) != SK_OK ||
	    (r = config_tls_copy(mail, cfg, err, errlen)) != SK_OK ||
	    (r = config_delivery_copy(mail, cfg, err, errlen)) != SK_OK ||
	    (r = config_system_copy(tree, cfg, err, errlen)) != SK_OK ||
	    (r = config_senderauth_copy(tree, cfg, err, errlen)) != SK_OK ||
	    (r = config_content_copy(mail, cfg, err, errlen)) != SK_OK ||
	    (r = config_quarantine_copy(mail, cfg, err, errlen)) != SK_OK) {
		return r;
	}
	log = config_node_child(mail, "logging");
	cfg->logging.facility = config_node_enum_value(log, "facility", 2);
	cfg->logging.severity = config_node_enum_value(log, "severity", 6);
	cfg->logging.log_subject = config_node_bool(log, "log-subject", 0);
	return SK_OK;
}
