/*
 * config_system.c - the parts of the system module the mail daemon uses:
 * DNS resolvers and remote syslog collectors. A mail-only file (no
 * system data) leaves both lists empty: /etc/resolv.conf and local
 * syslog only.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config_int.h"

/* RFC 5424 6.2.1 facility names as sk-t:syslog-facility spells them. */
static const char *const config_facility_names[] = { "kern", "user", "mail",
	"daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
	"ftp", "ntp", "audit", "console", "cron2", "local0", "local1", "local2",
	"local3", "local4", "local5", "local6", "local7" };

/* config_system_dns - system dns server into cfg->dns_servers */
static enum sk_result
config_system_dns(const struct lyd_node *sys, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *dns = config_node_child(sys, "dns");
	const struct lyd_node *n;
	size_t have = config_node_count(dns, "server");
	char path[CONFIG_ERR_MAX];

	if (have > CONFIG_DNS_SERVERS_MAX) {
		return config_node_too_many(dns, "server", have,
		    CONFIG_DNS_SERVERS_MAX, "CONFIG_DNS_SERVERS_MAX", err,
		    errlen);
	}
	for (n = config_node_child(dns, "server"); n != NULL;
	     n = config_node_next(n)) {
		if (!config_node_ip(lyd_get_value(n), 0,
			&cfg->dns_servers[cfg->ndns_servers])) {
			config_err(err, errlen,
			    "%s: \"%s\": a resolver address with a zone "
			    "index is not supported",
			    config_node_path(n, path, sizeof(path)),
			    lyd_get_value(n));
			return SK_E_SYNTAX;
		}
		cfg->ndns_servers++;
	}
	return SK_OK;
}

/* config_system_remote - one syslog remote collector */
static enum sk_result
config_system_remote(const struct lyd_node *n, struct config_syslog_remote *s,
    char *err, size_t errlen)
{
	static const char *const transports[] = { "udp", "tcp" };
	unsigned long port;
	enum sk_result r;

	if ((r = config_node_str(n, "name", s->name, sizeof(s->name), err,
		 errlen)) != SK_OK ||
	    (r = config_node_str(n, "host", s->host, sizeof(s->host), err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "port", UINT16_MAX, &port, err, errlen)) !=
		SK_OK) {
		return r;
	}
	s->port = (uint16_t)port;
	s->transport = (enum config_transport)config_node_enum(n, "transport",
	    transports, SK_NELEM(transports), CONFIG_TRANSPORT_UDP);
	s->facility = config_node_enum(n, "facility", config_facility_names,
	    SK_NELEM(config_facility_names), -1);
	s->severity = config_node_enum_value(n, "severity", 6);
	return SK_OK;
}

/* config_system_copy - system dns and syslog remote into cfg */
enum sk_result
config_system_copy(const struct lyd_node *tree, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *sys =
	    config_node_top(tree, CONFIG_SYSTEM_MODULE, "system");
	const struct lyd_node *log = config_node_child(sys, "syslog");
	const struct lyd_node *n;
	size_t have = config_node_count(log, "remote");
	enum sk_result r;

	if (sys == NULL) {
		return SK_OK;
	}
	if ((r = config_system_dns(sys, cfg, err, errlen)) != SK_OK) {
		return r;
	}
	if (have > CONFIG_SYSLOG_REMOTES_MAX) {
		return config_node_too_many(log, "remote", have,
		    CONFIG_SYSLOG_REMOTES_MAX, "CONFIG_SYSLOG_REMOTES_MAX", err,
		    errlen);
	}
	for (n = config_node_child(log, "remote"); n != NULL;
	     n = config_node_next(n)) {
		r = config_system_remote(n,
		    &cfg->syslog_remotes[cfg->nsyslog_remotes], err, errlen);
		if (r != SK_OK) {
			return r;
		}
		cfg->nsyslog_remotes++;
	}
	return SK_OK;
}

/* config_path - a model path under cfg->root_directory */
enum sk_result
config_path(const struct config *cfg, const char *model_path, char *out,
    size_t size)
{
	const char *root = cfg->root_directory;
	size_t rl = strlen(root);
	int n;

	/* "/" (or "") as root: the model path as it is; else ROOT + path */
	if (rl == 0 || (rl == 1 && root[0] == '/')) {
		root = "";
	}
	n = snprintf(out, size, "%s%s", root, model_path);
	if (n < 0 || (size_t)n >= size) {
		return SK_E_TOO_LONG;
	}
	return SK_OK;
}
