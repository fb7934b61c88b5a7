/*
 * config_mail.c - copy the mail settings out of a validated libyang tree
 * into struct config: listeners, relay domains and their known
 * recipients, internal networks, limits, queue, logging, server name.
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

#define CONFIG_MAIL_MODULE "sekimori-mail"
#define CONFIG_SYSTEM_MODULE "sekimori-system"

/* config_mail_top - the top-level container name of module, or NULL */
static const struct lyd_node *
config_mail_top(const struct lyd_node *tree, const char *module,
    const char *name)
{
	const struct lyd_node *n;

	for (n = tree != NULL ? lyd_first_sibling(tree) : NULL; n != NULL;
	     n = n->next) {
		if (n->schema != NULL &&
		    strcmp(n->schema->module->name, module) == 0 &&
		    strcmp(n->schema->name, name) == 0) {
			return n;
		}
	}
	return NULL;
}

/* config_mail_child - the first child of node called name, or NULL */
static const struct lyd_node *
config_mail_child(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c;

	for (c = node != NULL ? lyd_child(node) : NULL; c != NULL;
	     c = c->next) {
		if (c->schema != NULL && strcmp(c->schema->name, name) == 0) {
			return c;
		}
	}
	return NULL;
}

/* config_mail_next - the next sibling after node with node's name */
static const struct lyd_node *
config_mail_next(const struct lyd_node *node)
{
	const struct lyd_node *c;

	for (c = node->next; c != NULL; c = c->next) {
		if (c->schema == node->schema) {
			return c;
		}
	}
	return NULL;
}

/* config_mail_count - how many children of node are called name */
static size_t
config_mail_count(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c = config_mail_child(node, name);
	size_t n = 0;

	for (; c != NULL; c = config_mail_next(c)) {
		n++;
	}
	return n;
}

/* config_mail_value - canonical value of leaf name under node, or NULL */
static const char *
config_mail_value(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c = config_mail_child(node, name);

	return c != NULL ? lyd_get_value(c) : NULL;
}

/* config_mail_path - the data path of node, for a message */
static const char *
config_mail_path(const struct lyd_node *node, char *buf, size_t cap)
{
	if (lyd_path(node, LYD_PATH_STD, buf, cap) == NULL) {
		snprintf(buf, cap, "(path too long)");
	}
	return buf;
}

/* config_mail_too_many - the message for a list beyond its local limit */
static enum sk_result
config_mail_too_many(const struct lyd_node *parent, const char *name,
    size_t have, size_t max, const char *limit, char *err, size_t errlen)
{
	char path[CONFIG_ERR_MAX];

	config_err(err, errlen,
	    "%s/%s: %zu entries, more than this firmware's limit of %zu (%s)",
	    config_mail_path(parent, path, sizeof(path)), name, have, max,
	    limit);
	return SK_E_RANGE;
}

/* config_mail_str - leaf name of node into out[cap]; "" when absent */
static enum sk_result
config_mail_str(const struct lyd_node *node, const char *name, char *out,
    size_t cap, char *err, size_t errlen)
{
	const char *v = config_mail_value(node, name);
	char path[CONFIG_ERR_MAX];
	size_t n;

	out[0] = '\0';
	if (v == NULL) {
		return SK_OK;
	}
	if ((n = strlen(v)) >= cap) {
		config_err(err, errlen, "%s/%s: %zu characters, more than %zu",
		    config_mail_path(node, path, sizeof(path)), name, n,
		    cap - 1);
		return SK_E_RANGE;
	}
	memcpy(out, v, n + 1);
	return SK_OK;
}

/* config_mail_uint - numeric leaf name of node; max bounds the type */
static enum sk_result
config_mail_uint(const struct lyd_node *node, const char *name,
    unsigned long max, unsigned long *out, char *err, size_t errlen)
{
	const char *v = config_mail_value(node, name);
	char path[CONFIG_ERR_MAX], *end;
	unsigned long n;

	*out = 0;
	if (v == NULL || v[0] < '0' || v[0] > '9') {
		config_err(err, errlen, "%s/%s: missing or not a number",
		    node != NULL ? config_mail_path(node, path, sizeof(path)) :
				   "(absent)",
		    name);
		return SK_E_SYNTAX;
	}
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n > max) {
		config_err(err, errlen,
		    "%s/%s: value \"%s\" out of range 0..%lu",
		    config_mail_path(node, path, sizeof(path)), name, v, max);
		return SK_E_RANGE;
	}
	*out = n;
	return SK_OK;
}

/* config_mail_bool - boolean leaf name of node (absent: dflt) */
static int
config_mail_bool(const struct lyd_node *node, const char *name, int dflt)
{
	const char *v = config_mail_value(node, name);

	return v == NULL ? dflt : strcmp(v, "true") == 0;
}

/* config_mail_enum - index of leaf name's value in names[], or dflt */
static int
config_mail_enum(const struct lyd_node *node, const char *name,
    const char *const *names, size_t n, int dflt)
{
	const char *v = config_mail_value(node, name);
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			return (int)i;
		}
	}
	return dflt;
}

/* config_mail_enum_value - the YANG "value" of enumeration leaf name */
static int
config_mail_enum_value(const struct lyd_node *node, const char *name, int dflt)
{
	const struct lyd_node *c = config_mail_child(node, name);
	const struct lyd_node_term *t = (const struct lyd_node_term *)c;

	if (c == NULL || !(c->schema->nodetype & LYD_NODE_TERM) ||
	    t->value.realtype->basetype != LY_TYPE_ENUM) {
		return dflt;
	}
	return (int)t->value.enum_item->value;
}

/* config_mail_ip - text "ADDR" or "ADDR/LEN" into ip; 0 if unparsable */
static int
config_mail_ip(const char *text, int prefix, struct config_ip *ip)
{
	char addr[CONFIG_ADDR_TEXT_SIZE], *end;
	const char *slash = strchr(text, '/');
	size_t n = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long len;

	memset(ip, 0, sizeof(*ip));
	if (n >= sizeof(addr) || (prefix != (slash != NULL))) {
		return 0;
	}
	memcpy(addr, text, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, ip->addr) == 1) {
		ip->family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, ip->addr) == 1) {
		ip->family = AF_INET6;
	} else {
		return 0;
	}
	if (prefix) {
		len = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
		    len > (ip->family == AF_INET ? 32u : 128u)) {
			return 0;
		}
		ip->len = (uint8_t)len;
	}
	return 1;
}

static const char *const config_mail_modes[] = { "mx", "submission",
	"submissions" };
static const char *const config_mail_auths[] = { "disabled", "optional",
	"required" };
static const char *const config_mail_tls_versions[] = { "tls1.0", "tls1.1",
	"tls1.2" };
static const char *const config_mail_ciphers[] = { "modern", "compatible",
	"legacy" };

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
	const struct lyd_node *tls = config_mail_child(n, "tls");
	char path[CONFIG_ERR_MAX];
	unsigned long port;
	enum sk_result r;

	if ((r = config_mail_str(n, "name", l->name, sizeof(l->name), err,
		 errlen)) != SK_OK ||
	    (r = config_mail_str(n, "address", l->address_text,
		 sizeof(l->address_text), err, errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "port", 65535, &port, err, errlen)) !=
		SK_OK ||
	    (r = config_mail_str(tls, "certificate", l->certificate,
		 sizeof(l->certificate), err, errlen)) != SK_OK) {
		return r;
	}
	if (l->address_text[0] != '\0' &&
	    !config_mail_ip(l->address_text, 0, &l->address)) {
		config_err(err, errlen, "%s/address: cannot parse \"%s\"",
		    config_mail_path(n, path, sizeof(path)), l->address_text);
		return SK_E_SYNTAX;
	}
	l->port = (uint16_t)port;
	l->enabled = config_mail_bool(n, "enabled", 1);
	l->mode = (enum config_mode)config_mail_enum(n, "mode",
	    config_mail_modes, SK_NELEM(config_mail_modes), CONFIG_MODE_MX);
	l->smtp_auth = (enum config_smtp_auth)config_mail_enum(n, "smtp-auth",
	    config_mail_auths, SK_NELEM(config_mail_auths),
	    CONFIG_AUTH_DISABLED);
	l->tls_min_version = (enum config_tls_version)config_mail_enum(tls,
	    "minimum-version", config_mail_tls_versions,
	    SK_NELEM(config_mail_tls_versions), CONFIG_TLS_1_2);
	l->tls_ciphers = (enum config_ciphers)config_mail_enum(tls, "ciphers",
	    config_mail_ciphers, SK_NELEM(config_mail_ciphers),
	    CONFIG_CIPHERS_MODERN);
	l->tls_required_for_auth = config_mail_bool(tls, "require-for-auth", 1);
	return SK_OK;
}

/* config_mail_listeners - every listener of mail into cfg */
static enum sk_result
config_mail_listeners(const struct lyd_node *mail, struct config *cfg,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_mail_count(mail, "listener");
	enum sk_result r;

	if (have > CONFIG_LISTENERS_MAX) {
		return config_mail_too_many(mail, "listener", have,
		    CONFIG_LISTENERS_MAX, "CONFIG_LISTENERS_MAX", err, errlen);
	}
	for (n = config_mail_child(mail, "listener"); n != NULL;
	     n = config_mail_next(n)) {
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

	if ((r = config_mail_str(n, "name", d->name, sizeof(d->name), err,
		 errlen)) != SK_OK) {
		return r;
	}
	d->known_recipients_only =
	    config_mail_bool(n, "known-recipients-only", 0);
	d->recipients_first = cfg->nknown_recipients;
	for (c = config_mail_child(n, "known-recipient"); c != NULL;
	     c = config_mail_next(c)) {
		if (cfg->nknown_recipients >= CONFIG_KNOWN_RECIPIENTS_MAX) {
			return config_mail_too_many(n, "known-recipient",
			    cfg->nknown_recipients + 1,
			    CONFIG_KNOWN_RECIPIENTS_MAX,
			    "CONFIG_KNOWN_RECIPIENTS_MAX, all domains together",
			    err, errlen);
		}
		if (strlen(lyd_get_value(c)) >= CONFIG_LOCAL_SIZE) {
			return config_mail_too_many(n, "known-recipient",
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
	const struct lyd_node *relay = config_mail_child(mail, "relay");
	const struct lyd_node *n;
	char path[CONFIG_ERR_MAX];
	size_t have = config_mail_count(relay, "domain");
	enum sk_result r;

	if (have > CONFIG_RELAY_DOMAINS_MAX) {
		return config_mail_too_many(relay, "domain", have,
		    CONFIG_RELAY_DOMAINS_MAX, "CONFIG_RELAY_DOMAINS_MAX", err,
		    errlen);
	}
	for (n = config_mail_child(relay, "domain"); n != NULL;
	     n = config_mail_next(n)) {
		if ((r = config_mail_domain(n, cfg, err, errlen)) != SK_OK) {
			return r;
		}
	}
	have = config_mail_count(relay, "internal-network");
	if (have > CONFIG_NETWORKS_MAX) {
		return config_mail_too_many(relay, "internal-network", have,
		    CONFIG_NETWORKS_MAX, "CONFIG_NETWORKS_MAX", err, errlen);
	}
	for (n = config_mail_child(relay, "internal-network"); n != NULL;
	     n = config_mail_next(n)) {
		if (!config_mail_ip(lyd_get_value(n), 1,
			&cfg->internal_networks[cfg->ninternal_networks])) {
			config_err(err, errlen, "%s: cannot parse \"%s\"",
			    config_mail_path(n, path, sizeof(path)),
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
	const struct lyd_node *n = config_mail_child(mail, "limits");
	const struct lyd_node *t = config_mail_child(n, "timeouts");
	unsigned long v[9];
	enum sk_result r;

	if ((r = config_mail_uint(n, "message-size", UINT32_MAX, &v[0], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "recipients-per-message", UINT32_MAX,
		 &v[1], err, errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "line-length", UINT32_MAX, &v[2], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "errors-per-session", UINT16_MAX, &v[3],
		 err, errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "connections-per-client", UINT32_MAX,
		 &v[4], err, errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "connections-total", UINT32_MAX, &v[5],
		 err, errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "received-headers", UINT16_MAX, &v[6], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(t, "command", UINT16_MAX, &v[7], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(t, "data", UINT16_MAX, &v[8], err, errlen)) !=
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
	const struct lyd_node *n = config_mail_child(mail, "queue");
	unsigned long v[5];
	enum sk_result r;

	if ((r = config_mail_uint(n, "lifetime", UINT16_MAX, &v[0], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "minimum-backoff", UINT32_MAX, &v[1], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "maximum-backoff", UINT32_MAX, &v[2], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "delay-notice", UINT16_MAX, &v[3], err,
		 errlen)) != SK_OK ||
	    (r = config_mail_uint(n, "minimum-free-space", UINT8_MAX, &v[4],
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

	if (config_mail_value(mail, "server-name") != NULL) {
		return config_mail_str(mail, "server-name", cfg->server_name,
		    sizeof(cfg->server_name), err, errlen);
	}
	sys = config_mail_top(tree, CONFIG_SYSTEM_MODULE, "system");
	if ((host = config_mail_value(sys, "host-name")) == NULL) {
		return SK_OK; /* "": the daemon asks the kernel */
	}
	domain = config_mail_value(sys, "domain-name");
	n = snprintf(cfg->server_name, sizeof(cfg->server_name), "%s%s%s", host,
	    domain != NULL ? "." : "", domain != NULL ? domain : "");
	if (n < 0 || (size_t)n >= sizeof(cfg->server_name)) {
		cfg->server_name[0] = '\0';
		config_err(err, errlen,
		    "%s: host-name.domain-name is longer than %zu characters; "
		    "set mail server-name",
		    config_mail_path(sys, path, sizeof(path)),
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

	mail = config_mail_top(tree, CONFIG_MAIL_MODULE, "mail");
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
	log = config_mail_child(mail, "logging");
	cfg->logging.facility = config_mail_enum_value(log, "facility", 2);
	cfg->logging.severity = config_mail_enum_value(log, "severity", 6);
	cfg->logging.log_subject = config_mail_bool(log, "log-subject", 0);
	return SK_OK;
}
