/*
 * config_test.c - the config loader over the model's own data files.
 *
 * cli/yang/factory.json and testdata/good-*.json load and give the
 * struct values written in the tables below; every testdata/bad-*.json
 * is rejected with a message that contains each line of its .expect (the
 * rule and the data path, as ci/yang-test.sh checks them for yanglint).
 * The files are read where they are: cli/yang is found from $SK_TOP,
 * else by looking upwards from the current directory.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "test.h"

#define PATH_LEN 1024

static struct config cfg; /* large: static, not on the stack */
static char err[CONFIG_ERR_MAX];

/* join - out = a b, or 0 if it does not fit */
static int
join(char *out, size_t cap, const char *a, const char *b)
{
	return (size_t)snprintf(out, cap, "%s%s", a, b) < cap;
}

/* yang_dir - the cli/yang folder, or NULL */
static const char *
yang_dir(void)
{
	static char path[PATH_LEN];
	const char *top = getenv("SK_TOP");
	char up[PATH_LEN] = ".";
	char probe[PATH_LEN];
	int i;

	if (top != NULL) {
		return join(path, sizeof(path), top, "/cli/yang") ? path : NULL;
	}
	for (i = 0; i < 6; i++) {
		if (join(path, sizeof(path), up, "/cli/yang") &&
		    join(probe, sizeof(probe), path, "/factory.json") &&
		    access(probe, R_OK) == 0) {
			return path;
		}
		strncat(up, "/..", sizeof(up) - strlen(up) - 1);
	}
	return NULL;
}

/* read_file - a whole file (caller frees), or NULL */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		if (f != NULL) {
			fclose(f);
		}
		return NULL;
	}
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct config_schema *schema;

/* get_schema - one schema for the whole run (as a daemon would) */
static struct config_schema *
get_schema(void)
{
	if (schema == NULL &&
	    config_schema_new(&schema, err, sizeof(err)) != SK_OK) {
		test_fail("config_schema_new: %s", err);
	}
	return schema;
}

/* load_str - config_load over a string */
static enum sk_result
load_str(const char *json)
{
	return config_load(get_schema(), (const uint8_t *)json, strlen(json),
	    &cfg, err, sizeof(err));
}

/* load_yang_file - config_load_file of cli/yang/name; SK_E_IO if none */
static enum sk_result
load_yang_file(const char *name)
{
	const char *dir = yang_dir();
	char path[PATH_LEN];

	if (dir == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		sizeof(path)) {
		test_fail("cli/yang not found: set SK_TOP");
		return SK_E_IO;
	}
	if (get_schema() == NULL) {
		return SK_E_IO;
	}
	return config_load_file(schema, path, &cfg, err, sizeof(err));
}

/* ip_is - whether ip holds text (an address, or ADDR/LEN) */
static int
ip_is(const struct config_ip *ip, const char *text)
{
	char buf[64];

	if (ip->family != AF_INET && ip->family != AF_INET6) {
		return 0;
	}
	inet_ntop(ip->family, ip->addr, buf, sizeof(buf));
	if (strchr(text, '/') != NULL) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%u",
		    ip->len);
	}
	return strcmp(buf, text) == 0;
}

/* An expected listener: the fields that the tests compare. */
struct want_listener {
	const char *name, *address, *cert;
	uint16_t port;
	enum config_mode mode;
	enum config_smtp_auth auth;
	enum config_tls_version min;
	enum config_ciphers ciphers;
	int auth_tls;
};

static void
check_listeners(const struct want_listener *w, size_t n)
{
	size_t i;

	TEST_CHECK(cfg.nlisteners == n, "listeners: got %zu, want %zu",
	    cfg.nlisteners, n);
	for (i = 0; i < n && i < cfg.nlisteners; i++) {
		const struct config_listener *l = &cfg.listeners[i];
		TEST_CHECK(strcmp(l->name, w[i].name) == 0,
		    "listener %zu: got name %s, want %s", i, l->name,
		    w[i].name);
		TEST_CHECK(l->enabled, "listener %s: not enabled", l->name);
		TEST_CHECK(strcmp(l->address_text, w[i].address) == 0 &&
			(w[i].address[0] == '\0' ?
				l->address.family == 0 :
				ip_is(&l->address, w[i].address)),
		    "listener %s: got address \"%s\", want \"%s\"", l->name,
		    l->address_text, w[i].address);
		TEST_CHECK(l->port == w[i].port,
		    "listener %s: got port %u, want %u", l->name, l->port,
		    w[i].port);
		TEST_CHECK(l->mode == w[i].mode,
		    "listener %s: got mode %s, want %s", l->name,
		    config_mode_str(l->mode), config_mode_str(w[i].mode));
		TEST_CHECK(l->smtp_auth == w[i].auth,
		    "listener %s: got smtp-auth %s, want %s", l->name,
		    config_smtp_auth_str(l->smtp_auth),
		    config_smtp_auth_str(w[i].auth));
		TEST_CHECK(strcmp(l->certificate, w[i].cert) == 0,
		    "listener %s: got certificate \"%s\", want \"%s\"", l->name,
		    l->certificate, w[i].cert);
		TEST_CHECK(l->tls_min_version == w[i].min &&
			l->tls_ciphers == w[i].ciphers &&
			l->tls_required_for_auth == w[i].auth_tls,
		    "listener %s: got tls %d/%d/%d, want %d/%d/%d", l->name,
		    l->tls_min_version, l->tls_ciphers,
		    l->tls_required_for_auth, w[i].min, w[i].ciphers,
		    w[i].auth_tls);
	}
}

static void
check_limits(const struct config_limits *w)
{
	const struct config_limits *g = &cfg.limits;

	TEST_CHECK(g->message_size == w->message_size &&
		g->recipients == w->recipients &&
		g->line_length == w->line_length && g->errors == w->errors,
	    "limits: got size %u rcpts %u line %u errors %u, "
	    "want %u %u %u %u",
	    g->message_size, g->recipients, g->line_length, g->errors,
	    w->message_size, w->recipients, w->line_length, w->errors);
	TEST_CHECK(g->connections_per_client == w->connections_per_client &&
		g->connections_total == w->connections_total &&
		g->received_headers == w->received_headers,
	    "limits: got conns %u/%u received %u, want %u/%u %u",
	    g->connections_per_client, g->connections_total,
	    g->received_headers, w->connections_per_client,
	    w->connections_total, w->received_headers);
	TEST_CHECK(g->timeout_command == w->timeout_command &&
		g->timeout_data == w->timeout_data,
	    "timeouts: got %u/%u, want %u/%u", g->timeout_command,
	    g->timeout_data, w->timeout_command, w->timeout_data);
}

static void
check_queue(const struct config_queue *w)
{
	const struct config_queue *g = &cfg.queue;

	TEST_CHECK(g->lifetime == w->lifetime &&
		g->minimum_backoff == w->minimum_backoff &&
		g->maximum_backoff == w->maximum_backoff &&
		g->delay_notice == w->delay_notice &&
		g->minimum_free_space == w->minimum_free_space,
	    "queue: got %u h, backoff %u..%u s, notice %u h, free %u%%; "
	    "want %u, %u..%u, %u, %u",
	    g->lifetime, g->minimum_backoff, g->maximum_backoff,
	    g->delay_notice, g->minimum_free_space, w->lifetime,
	    w->minimum_backoff, w->maximum_backoff, w->delay_notice,
	    w->minimum_free_space);
}

/* The model's defaults, as the factory config leaves most of them. */
static const struct config_limits default_limits = { 52428800, 1000, 2048, 20,
	50, 10000, 100, 300, 300 };
static const struct config_queue default_queue = { 120, 300, 3600, 4, 5 };

static void
test_factory(void)
{
	static const struct want_listener w[] = {
		{ "mx", "", "factory", 25, CONFIG_MODE_MX, CONFIG_AUTH_DISABLED,
		    CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN, 1 },
		{ "submission", "", "factory", 587, CONFIG_MODE_SUBMISSION,
		    CONFIG_AUTH_REQUIRED, CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN,
		    1 },
		{ "submissions", "", "factory", 465, CONFIG_MODE_SUBMISSIONS,
		    CONFIG_AUTH_REQUIRED, CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN,
		    1 },
	};
	enum sk_result r = load_yang_file("factory.json");

	if (r != SK_OK) {
		test_fail("factory.json: got %s (%s), want ok",
		    sk_result_str(r), err);
		return;
	}
	/* no server-name and no domain-name: the host name alone */
	TEST_CHECK(strcmp(cfg.server_name, "sekimori") == 0,
	    "server name: got \"%s\", want \"sekimori\"", cfg.server_name);
	check_listeners(w, SK_NELEM(w));
	TEST_CHECK(cfg.nrelay_domains == 0 && cfg.ninternal_networks == 0 &&
		cfg.nknown_recipients == 0,
	    "factory relays: got %zu domains, %zu networks, want none",
	    cfg.nrelay_domains, cfg.ninternal_networks);
	check_limits(&default_limits);
	check_queue(&default_queue);
	TEST_CHECK(cfg.logging.facility == 2 && cfg.logging.severity == 6 &&
		!cfg.logging.log_subject,
	    "logging: got %d/%d/%d, want mail(2)/info(6)/0",
	    cfg.logging.facility, cfg.logging.severity,
	    cfg.logging.log_subject);
}

/* good-full-relay.json: smtp-auth, tls, root-directory default */
static void
check_full_relay_auth_tls(void)
{
	const struct config_certificate *c;
	const struct config_tls_policy *p;
	char path[CONFIG_PATH_SIZE];

	TEST_CHECK(strcmp(cfg.root_directory, "/") == 0,
	    "root-directory: got \"%s\", want \"/\"", cfg.root_directory);
	TEST_CHECK(config_path(&cfg, "/data/spool", path, sizeof(path)) ==
		    SK_OK &&
		strcmp(path, "/data/spool") == 0,
	    "config_path: got \"%s\"", path);
	TEST_CHECK(cfg.nauth_users == 3 &&
		strcmp(cfg.auth_users[0].name, "alice@example.com") == 0 &&
		strncmp(cfg.auth_users[1].password_hash, "$5$k8Jw2Qp1$", 12) ==
		    0 &&
		cfg.auth_users[0].enabled && !cfg.auth_users[2].enabled,
	    "smtp-auth users: got %zu", cfg.nauth_users);
	TEST_CHECK(cfg.auth_lockout.max_failures_per_user == 5 &&
		cfg.auth_lockout.max_failures_per_source == 10 &&
		cfg.auth_lockout.failure_window == 900 &&
		cfg.auth_lockout.lockout_time == 900,
	    "smtp-auth lockout: got %u/%u/%u/%u",
	    cfg.auth_lockout.max_failures_per_user,
	    cfg.auth_lockout.max_failures_per_source,
	    cfg.auth_lockout.failure_window, cfg.auth_lockout.lockout_time);
	c = config_certificate_find(&cfg, "fallback");
	TEST_CHECK(c != NULL && c->self_signed &&
		strcmp(c->cert_file, "/config/tls/fallback.crt") == 0 &&
		strcmp(c->key_file, "/config/tls/fallback.key") == 0 &&
		c->key_type == CONFIG_KEY_ECDSA_P256 && c->validity == 365 &&
		strcmp(c->common_name, "mx1.example.com") == 0,
	    "certificate fallback: wrong");
	c = config_certificate_find(&cfg, "public");
	TEST_CHECK(c != NULL && !c->self_signed &&
		strcmp(c->key_file, "/config/tls/mx1.example.com.key") == 0,
	    "certificate public: wrong");
	p = config_tls_policy_find(&cfg, "internal");
	TEST_CHECK(p != NULL && p->mode == CONFIG_TLS_VERIFY &&
		p->nmatch_names == 1 &&
		strcmp(p->match_names[0], "exchange.corp.example.com") == 0 &&
		strcmp(p->ca_bundle, "/config/tls/internal-ca.pem") == 0,
	    "tls policy internal: wrong");
	p = config_tls_policy_find(&cfg, "opportunistic");
	TEST_CHECK(p != NULL && p->mode == CONFIG_TLS_MAY &&
		p->ciphers == CONFIG_CIPHERS_COMPATIBLE &&
		p->min_version == CONFIG_TLS_1_2,
	    "tls policy opportunistic: wrong");
	TEST_CHECK(config_tls_policy_find(&cfg, "nope") == NULL,
	    "tls policy nope: found");
}

/* good-full-relay.json: delivery and the system parts */
static void
check_full_relay_delivery(void)
{
	const struct config_delivery *d = &cfg.delivery;

	TEST_CHECK(strcmp(d->tls_policy, "opportunistic") == 0 &&
		d->connections_per_destination == 10 &&
		d->connections_total == 200,
	    "delivery: got %s %u %u", d->tls_policy,
	    d->connections_per_destination, d->connections_total);
	TEST_CHECK(d->smarthost_enabled &&
		strcmp(d->smarthost.host, "smtp.provider.example") == 0 &&
		d->smarthost.port == 587 && d->smarthost.auth &&
		strcmp(d->smarthost.username, "example-com") == 0 &&
		strcmp(d->smarthost.password, "s3cret!") == 0 &&
		!d->smarthost.mx_lookup,
	    "smarthost: wrong");
	TEST_CHECK(d->nroutes == 2 &&
		strcmp(d->routes[0].domain, "example.com") == 0 &&
		strcmp(d->routes[0].hop.tls_policy, "internal") == 0 &&
		d->routes[0].hop.port == 25 && !d->routes[0].hop.auth &&
		d->routes[1].include_subdomains &&
		d->routes[1].hop.port == 2525,
	    "routes: got %zu", d->nroutes);
	TEST_CHECK(cfg.ndns_servers == 2 &&
		ip_is(&cfg.dns_servers[0], "192.0.2.53") &&
		ip_is(&cfg.dns_servers[1], "2001:db8::53"),
	    "dns servers: got %zu", cfg.ndns_servers);
	TEST_CHECK(cfg.nsyslog_remotes == 2 &&
		strcmp(cfg.syslog_remotes[0].host, "siem.example.com") == 0 &&
		cfg.syslog_remotes[0].transport == CONFIG_TRANSPORT_TCP &&
		cfg.syslog_remotes[0].port == 6514 &&
		cfg.syslog_remotes[0].facility == 2 &&
		cfg.syslog_remotes[0].severity == 6 &&
		cfg.syslog_remotes[1].transport == CONFIG_TRANSPORT_UDP &&
		cfg.syslog_remotes[1].port == 514 &&
		cfg.syslog_remotes[1].facility == -1,
	    "syslog remotes: got %zu", cfg.nsyslog_remotes);
}

/* good-full-relay.json: sender-authentication */
static void
check_full_relay_senderauth(void)
{
	const struct config_sender_auth *sa = &cfg.sender_auth;
	const struct config_dkim_domain *d = &sa->dkim_domains[0];

	TEST_CHECK(sa->present &&
		strcmp(sa->authserv_id, "mx1.example.com") == 0 &&
		!sa->unavailable_accept && sa->spf_enabled &&
		sa->spf_fail_action == CONFIG_FAIL_TAG && sa->dkim_verify &&
		sa->dmarc_enabled &&
		sa->dmarc_reject_action == CONFIG_FAIL_REJECT &&
		sa->dmarc_quarantine_action == CONFIG_FAIL_TAG &&
		sa->arc_verify,
	    "sender-authentication: got %d %s %s", sa->present, sa->authserv_id,
	    config_fail_action_str(sa->spf_fail_action));
	TEST_CHECK(sa->noversigned == 6 &&
		strcmp(sa->oversigned[0], "from") == 0,
	    "over-signed headers: got %zu (the defaults)", sa->noversigned);
	/* the disabled selector 2025a is not copied */
	TEST_CHECK(sa->ndkim_domains == 1 &&
		strcmp(d->name, "example.com") == 0 && d->include_subdomains &&
		d->signature_lifetime == 168 && d->nselectors == 2 &&
		strcmp(d->selectors[0].name, "2026a") == 0 &&
		!d->selectors[0].ed25519 && d->selectors[1].ed25519 &&
		strcmp(d->selectors[1].key_file,
		    "/config/dkim/example.com.2026e.key") == 0,
	    "signing domains: got %zu, selectors %zu", sa->ndkim_domains,
	    d->nselectors);
	TEST_CHECK(sa->ntrusted_sealers == 2 &&
		strcmp(sa->trusted_sealers[1], "lists.example.org") == 0,
	    "trusted sealers: got %zu", sa->ntrusted_sealers);
	TEST_CHECK(!d->canon_header_simple && !d->canon_body_simple,
	    "canonicalization: got %d/%d, want the default relaxed/relaxed",
	    d->canon_header_simple, d->canon_body_simple);
	/* the overrides in order, each criterion's values */
	TEST_CHECK(sa->noverrides == 2 &&
		strcmp(sa->overrides[0].name, "univ-forwarder") == 0 &&
		sa->overrides[0].reason == CONFIG_OVERRIDE_FORWARDED &&
		sa->overrides[0].nnetworks == 1 &&
		ip_is(&sa->overrides[0].networks[0], "198.51.100.0/24") &&
		sa->overrides[0].nmail_from == 0 &&
		sa->overrides[0].nlist_id == 0 &&
		sa->overrides[1].reason == CONFIG_OVERRIDE_MAILING_LIST &&
		sa->overrides[1].nnetworks == 0 &&
		sa->overrides[1].nlist_id == 1 &&
		strcmp(sa->overrides[1].list_id[0],
		    "users.lists.example.org") == 0,
	    "dmarc overrides: got %zu", sa->noverrides);
	TEST_CHECK(strcmp(config_override_reason_str(
			      CONFIG_OVERRIDE_TRUSTED_FORWARDER),
		       "trusted-forwarder") == 0,
	    "override reason name");
	/* the seal's selector and its key file */
	TEST_CHECK(sa->arc_seal &&
		strcmp(sa->seal_domain, "example.com") == 0 &&
		strcmp(sa->seal_selector, "2026a") == 0 &&
		strcmp(sa->seal_key_file,
		    "/config/dkim/example.com.2026a.key") == 0,
	    "arc seal: got %d %s %s %s", sa->arc_seal, sa->seal_domain,
	    sa->seal_selector, sa->seal_key_file);
}

static void
test_full_relay(void)
{
	static const struct want_listener w[] = {
		{ "mx", "", "public", 25, CONFIG_MODE_MX, CONFIG_AUTH_DISABLED,
		    CONFIG_TLS_1_0, CONFIG_CIPHERS_COMPATIBLE, 1 },
		{ "submission", "10.1.0.25", "public", 587,
		    CONFIG_MODE_SUBMISSION, CONFIG_AUTH_REQUIRED,
		    CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN, 1 },
		{ "submissions", "", "public", 465, CONFIG_MODE_SUBMISSIONS,
		    CONFIG_AUTH_REQUIRED, CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN,
		    1 },
		{ "printers", "10.1.0.25", "", 2525, CONFIG_MODE_MX,
		    CONFIG_AUTH_OPTIONAL, CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN,
		    0 },
	};
	static const char *const known[] = { "alice", "bob", "postmaster",
		"abuse", "first.last" };
	static const struct config_limits lim = { 36700160, 500, 1000, 10, 20,
		10000, 100, 120, 180 };
	static const struct config_queue q = { 72, 120, 7200, 6, 5 };
	const struct config_relay_domain *d = cfg.relay_domains;
	enum sk_result r = load_yang_file("testdata/good-full-relay.json");
	size_t i;

	if (r != SK_OK) {
		test_fail("good-full-relay.json: got %s (%s), want ok",
		    sk_result_str(r), err);
		return;
	}
	TEST_CHECK(strcmp(cfg.server_name, "mx1.example.com") == 0,
	    "server name: got \"%s\"", cfg.server_name);
	check_listeners(w, SK_NELEM(w));
	check_full_relay_senderauth();
	TEST_CHECK(cfg.nrelay_domains == 2, "relay domains: got %zu, want 2",
	    cfg.nrelay_domains);
	TEST_CHECK(strcmp(d[0].name, "example.com") == 0 &&
		d[0].known_recipients_only &&
		d[0].recipients_count == SK_NELEM(known) &&
		strcmp(d[1].name, "example.net") == 0 &&
		!d[1].known_recipients_only && d[1].recipients_count == 0,
	    "relay domains: got %s (%d, %zu) %s (%d, %zu)", d[0].name,
	    d[0].known_recipients_only, d[0].recipients_count, d[1].name,
	    d[1].known_recipients_only, d[1].recipients_count);
	for (i = 0; i < SK_NELEM(known) && i < cfg.nknown_recipients; i++) {
		TEST_CHECK(strcmp(cfg.known_recipients[d[0].recipients_first +
				      i],
			       known[i]) == 0,
		    "known recipient %zu: got %s, want %s", i,
		    cfg.known_recipients[i], known[i]);
	}
	TEST_CHECK(cfg.ninternal_networks == 2 &&
		ip_is(&cfg.internal_networks[0], "10.1.0.0/16") &&
		ip_is(&cfg.internal_networks[1], "2001:db8:1::/48"),
	    "internal networks: got %zu, want 10.1.0.0/16 2001:db8:1::/48",
	    cfg.ninternal_networks);
	check_limits(&lim);
	check_queue(&q);
	TEST_CHECK(cfg.logging.log_subject, "log-subject: got 0, want 1");
	check_full_relay_auth_tls();
	check_full_relay_delivery();
}

static void
test_smarthost(void)
{
	static const struct want_listener w[] = {
		{ "internal", "192.168.0.25", "", 25, CONFIG_MODE_MX,
		    CONFIG_AUTH_DISABLED, CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN,
		    1 },
	};
	enum sk_result r =
	    load_yang_file("testdata/good-outbound-smarthost.json");

	if (r != SK_OK) {
		test_fail("good-outbound-smarthost.json: got %s (%s), want ok",
		    sk_result_str(r), err);
		return;
	}
	TEST_CHECK(strcmp(cfg.server_name, "relay.office.example") == 0,
	    "server name: got \"%s\"", cfg.server_name);
	check_listeners(w, SK_NELEM(w));
	TEST_CHECK(cfg.nrelay_domains == 0 && cfg.ninternal_networks == 1 &&
		ip_is(&cfg.internal_networks[0], "192.168.0.0/24"),
	    "relay: got %zu domains, %zu networks", cfg.nrelay_domains,
	    cfg.ninternal_networks);
	check_limits(&default_limits);
}

/* expect_contains - each line of the .expect file is in err */
static void
expect_contains(const char *name, char *want)
{
	char *line, *save = NULL;

	for (line = strtok_r(want, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '\0' && strstr(err, line) == NULL) {
			test_fail("%s: message lacks \"%s\"; got: %s", name,
			    line, err);
		}
	}
}

/* Every testdata/bad-*.json: rejected, naming the rule and the path. */
static void
test_bad_files(void)
{
	const char *dir = yang_dir();
	char tdir[PATH_LEN], path[PATH_LEN * 2], *want;
	struct dirent *e;
	enum sk_result r;
	size_t n = 0, len, nl;
	DIR *d;

	if (dir == NULL || !join(tdir, sizeof(tdir), dir, "/testdata") ||
	    (d = opendir(tdir)) == NULL || get_schema() == NULL) {
		test_fail("cli/yang/testdata not found: set SK_TOP");
		return;
	}
	while ((e = readdir(d)) != NULL) {
		nl = strlen(e->d_name);
		if (strncmp(e->d_name, "bad-", 4) != 0 || nl < 9 ||
		    strcmp(e->d_name + nl - 5, ".json") != 0) {
			continue;
		}
		n++;
		snprintf(path, sizeof(path), "%s/%s", tdir, e->d_name);
		r = config_load_file(schema, path, &cfg, err, sizeof(err));
		if (r == SK_OK) {
			test_fail("%s: accepted, want rejected", e->d_name);
			continue;
		}
		TEST_CHECK(strncmp(err, "config: /", 9) == 0,
		    "%s: message does not start with the data path: %s",
		    e->d_name, err);
		TEST_CHECK(cfg.nlisteners == 0 && cfg.server_name[0] == '\0',
		    "%s: struct not cleared after a failure", e->d_name);
		memcpy(path + strlen(path) - 5, ".expect", 8);
		if ((want = read_file(path, &len)) == NULL) {
			test_fail("%s: no .expect beside it", e->d_name);
			continue;
		}
		expect_contains(e->d_name, want);
		free(want);
	}
	closedir(d);
	TEST_CHECK(n >= 20, "bad configs: found %zu in %s, want many", n, tdir);
}

/* Inputs that are not configs at all, each with its result and message. */
struct bad_input {
	const char *name;
	const char *json;
	enum sk_result want;
	const char *msg;
};

static const struct bad_input bad_inputs[] = {
	{ "empty", "", SK_E_SYNTAX, "config: empty input" },
	{ "empty object", "{}", SK_E_SYNTAX,
	    "config: /sekimori-mail:mail: missing" },
	{ "unknown module", "{\"foo:bar\": {}}", SK_E_SYNTAX,
	    "config: No module named \"foo\" in the context." },
	{ "no module prefix", "{\"mail\": {}}", SK_E_SYNTAX, "config: " },
	{ "array", "[1, 2]", SK_E_SYNTAX, "config: " },
	{ "truncated", "{\"sekimori-mail:mail\": {", SK_E_SYNTAX, "config: " },
	{ "below range",
	    "{\"sekimori-mail:mail\": {\"limits\": "
	    "{\"line-length\": 999}}}",
	    SK_E_SYNTAX, "/sekimori-mail:mail/limits/line-length" },
	{ "unknown leaf", "{\"sekimori-mail:mail\": {\"open-relay\": true}}",
	    SK_E_SYNTAX,
	    "config: /sekimori-mail:mail: Node \"open-relay\" not found" },
	/* libyang quotes the input: control bytes must not reach a console */
	{ "escape sequence", "\x1b[2J\n\x80", SK_E_SYNTAX,
	    "config: Invalid character sequence \"?[2J??\"" },
	{ "string for number",
	    "{\"sekimori-mail:mail\": {\"queue\": {\"lifetime\": \"72\"}}}",
	    SK_E_SYNTAX, "/sekimori-mail:mail/queue/lifetime" },
};

static void
test_bad_inputs(void)
{
	size_t i;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(bad_inputs); i++) {
		const struct bad_input *b = &bad_inputs[i];
		r = load_str(b->json);
		TEST_CHECK(r == b->want && strstr(err, b->msg) != NULL,
		    "%s: got %s \"%s\", want %s \"%s\"", b->name,
		    sk_result_str(r), err, sk_result_str(b->want), b->msg);
	}
}

static void
test_nul_and_size(void)
{
	static const uint8_t nul[] = "{\"sekimori-mail:mail\": {}}\0junk";
	uint8_t *big;
	enum sk_result r;

	r = config_load(get_schema(), nul, sizeof(nul) - 1, &cfg, err,
	    sizeof(err));
	TEST_CHECK(r == SK_E_SYNTAX && strstr(err, "NUL byte at offset 26"),
	    "NUL: got %s \"%s\"", sk_result_str(r), err);
	if ((big = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		test_fail("out of memory");
		return;
	}
	memset(big, ' ', CONFIG_FILE_MAX + 1);
	r = config_load(schema, big, CONFIG_FILE_MAX + 1, &cfg, err,
	    sizeof(err));
	TEST_CHECK(r == SK_E_TOO_LONG && strstr(err, "CONFIG_FILE_MAX"),
	    "oversize: got %s \"%s\"", sk_result_str(r), err);
	/* exactly at the limit: parsed (whitespace only: no mail data) */
	r = config_load(schema, big, CONFIG_FILE_MAX, &cfg, err, sizeof(err));
	TEST_CHECK(r == SK_E_SYNTAX && strstr(err, "mail: missing"),
	    "at the limit: got %s \"%s\"", sk_result_str(r), err);
	free(big);
}

static void
test_files(void)
{
	char path[PATH_LEN];
	enum sk_result r;
	int fd;

	if (get_schema() == NULL) {
		return;
	}
	snprintf(path, sizeof(path), "%s/nonexistent.json", test_tmpdir());
	r = config_load_file(schema, path, &cfg, err, sizeof(err));
	TEST_CHECK(r == SK_E_IO && strstr(err, path) != NULL &&
		strstr(err, "No such file") != NULL,
	    "missing file: got %s \"%s\"", sk_result_str(r), err);
	r = config_load_file(schema, test_tmpdir(), &cfg, err, sizeof(err));
	TEST_CHECK(r == SK_E_IO && strstr(err, "not a regular file") != NULL,
	    "directory: got %s \"%s\"", sk_result_str(r), err);
	snprintf(path, sizeof(path), "%s/big.json", test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 10 << 20) != 0) {
		test_fail("cannot make %s", path);
	}
	if (fd >= 0) {
		close(fd);
	}
	r = config_load_file(schema, path, &cfg, err, sizeof(err));
	TEST_CHECK(r == SK_E_TOO_LONG && strstr(err, "10485760 octets"),
	    "10 MiB file: got %s \"%s\"", sk_result_str(r), err);
}

/* Mail-only files: defaults, and the server name from system names. */
static void
test_fragments(void)
{
	static const char named[] =
	    "{\"sekimori-system:system\": {\"host-name\": \"mx2\", "
	    "\"domain-name\": \"example.org\", \"user\": [{\"name\": "
	    "\"root2\", \"role\": \"admin\", \"authentication\": "
	    "{\"password-hash\": \"$6$sekimorifactory$RMaOHlxkOtJqHYT7PyBOT3"
	    "mpYmwOLR22HIsnAGEHaT2ie3nbmp697NgONucZVMnhPgdvcq6Jzvmoz2YuUOY6"
	    "u0\"}}]}, \"sekimori-mail:mail\": {}}";
	enum sk_result r;

	r = load_str("{\"sekimori-mail:mail\": {\"listener\": [{\"name\": "
		     "\"t\", \"address\": \"::1\", \"port\": 2525, \"mode\": "
		     "\"mx\", \"enabled\": false}]}}");
	TEST_CHECK(r == SK_OK, "mail only: got %s \"%s\"", sk_result_str(r),
	    err);
	TEST_CHECK(cfg.server_name[0] == '\0' && cfg.nlisteners == 1 &&
		!cfg.listeners[0].enabled &&
		ip_is(&cfg.listeners[0].address, "::1"),
	    "mail only: got server \"%s\", %zu listeners", cfg.server_name,
	    cfg.nlisteners);
	check_limits(&default_limits);
	check_queue(&default_queue);
	r = load_str(named);
	TEST_CHECK(r == SK_OK &&
		strcmp(cfg.server_name, "mx2.example.org") == 0,
	    "host and domain: got %s \"%s\" server \"%s\"", sk_result_str(r),
	    err, cfg.server_name);
}

/* big_entry - entry i of a list of kind k at p; its length */
static int
big_entry(char *p, size_t cap, int k, size_t i)
{
	switch (k) {
	case 0:
		return snprintf(p, cap,
		    "%s{\"name\": \"l%zu\", \"port\": %zu, \"mode\": \"mx\"}",
		    i ? "," : "", i, i + 1);
	case 1:
		return snprintf(p, cap, "%s{\"name\": \"d%zu.example\"}",
		    i ? "," : "", i);
	case 2:
		return snprintf(p, cap, "%s\"fd00:%zx::/32\"", i ? "," : "", i);
	default:
		return snprintf(p, cap, "%s\"u%zu\"", i ? "," : "", i);
	}
}

/* big_list - head, n entries of kind k, tail (caller frees) */
static char *
big_list(const char *head, int k, size_t n, const char *tail)
{
	size_t cap = strlen(head) + strlen(tail) + n * 64 + 1;
	char *s = malloc(cap), *p;
	size_t i;

	if (s == NULL) {
		return NULL;
	}
	p = s + snprintf(s, cap, "%s", head);
	for (i = 0; i < n; i++) {
		p += big_entry(p, cap - (size_t)(p - s), k, i);
	}
	snprintf(p, cap - (size_t)(p - s), "%s", tail);
	return s;
}

/* Lists beyond struct config's limits: refused, never truncated. */
static void
test_local_limits(void)
{
	static const struct {
		const char *head, *tail, *want;
		size_t n;
	} cases[] = {
		{ "{\"sekimori-mail:mail\": {\"listener\": [", "]}}",
		    "/sekimori-mail:mail/listener: 17 entries",
		    CONFIG_LISTENERS_MAX + 1 },
		{ "{\"sekimori-mail:mail\": {\"relay\": {\"domain\": [", "]}}}",
		    "/sekimori-mail:mail/relay/domain: 257 entries",
		    CONFIG_RELAY_DOMAINS_MAX + 1 },
		{ "{\"sekimori-mail:mail\": {\"relay\": "
		  "{\"internal-network\": [",
		    "]}}}",
		    "/sekimori-mail:mail/relay/internal-network: 257 entries",
		    CONFIG_NETWORKS_MAX + 1 },
		{ "{\"sekimori-mail:mail\": {\"relay\": {\"domain\": "
		  "[{\"name\": \"example.com\", \"known-recipient\": [",
		    "]}]}}}",
		    "domain[name='example.com']/known-recipient: 4097 entries",
		    CONFIG_KNOWN_RECIPIENTS_MAX + 1 },
	};
	char *json;
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		json =
		    big_list(cases[i].head, (int)i, cases[i].n, cases[i].tail);
		if (json == NULL) {
			test_fail("out of memory");
			return;
		}
		r = load_str(json);
		TEST_CHECK(r == SK_E_RANGE && strstr(err, cases[i].want),
		    "case %zu: got %s \"%s\", want \"%s\"", i, sk_result_str(r),
		    err, cases[i].want);
		free(json);
	}
	/* one schema serves load after load, good after bad */
	TEST_CHECK(load_yang_file("factory.json") == SK_OK &&
		cfg.nlisteners == 3,
	    "factory after failures: %s", err);
}

/* Content scanning: scanners, both chains and two rules, field by field
 * (the verdict and file-type bits are enum scan_verdict and enum
 * mime_ftype positions: infected 1, too-large 6; pe 1, zip 8, jar 14). */
/* The rewriting actions: strip, and tag with a subject prefix (only
 * with tag, printable). */
static void
test_content_rewrite(void)
{
	const struct config_content_rule *r = &cfg.content.rules[0];
	enum sk_result res;

	res = load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
		       " {\"rule\": [{\"name\": \"s\", \"action\": \"strip\","
		       " \"match\": {\"file-name\": [\"*.exe\"]}},"
		       " {\"name\": \"t\", \"action\": \"tag\","
		       " \"subject-prefix\": \"[SUSPICIOUS] \"}]}}}");
	TEST_CHECK(res == SK_OK && r[0].action == CONFIG_CONTENT_STRIP &&
		r[0].subject_prefix[0] == '\0' &&
		r[1].action == CONFIG_CONTENT_TAG &&
		strcmp(r[1].subject_prefix, "[SUSPICIOUS] ") == 0,
	    "strip and prefix: %s %s act %u %u \"%s\"", sk_result_str(res), err,
	    r[0].action, r[1].action, r[1].subject_prefix);
	TEST_CHECK(load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
			    " {\"rule\": [{\"name\": \"a\", \"action\": "
			    "\"reject\", \"subject-prefix\": \"x\"}]}}}") ==
		    SK_E_SYNTAX &&
		strstr(err, "only used with action tag") != NULL,
	    "subject-prefix with reject: %s", err);
	TEST_CHECK(load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
			    " {\"rule\": [{\"name\": \"a\", \"action\": "
			    "\"tag\", \"subject-prefix\": \"x\\u0001\"}]}}}") ==
		SK_E_SYNTAX,
	    "subject-prefix with a control character: %s", err);
}

/* The administrators' notices: notify-recipient, a rule's notify and
 * notify-on-virus, each of the latter two needing a recipient. */
static void
test_content_notify(void)
{
	const struct config_content *c = &cfg.content;
	enum sk_result res;

	res = load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
		       " {\"notify-recipient\": [\"postmaster@example.com\","
		       " \"sec@example.org\"], \"notify-on-virus\": true,"
		       " \"rule\": [{\"name\": \"p\", \"action\":"
		       " \"reject\", \"notify\": true},"
		       " {\"name\": \"q\", \"action\": \"discard\"}]}}}");
	TEST_CHECK(res == SK_OK && c->nnotify_rcpts == 2 &&
		strcmp(c->notify_rcpts[1], "sec@example.org") == 0 &&
		c->notify_on_virus && c->rules[0].notify && !c->rules[1].notify,
	    "notify: %s %s n %zu", sk_result_str(res), err, c->nnotify_rcpts);
	TEST_CHECK(load_str(
		       "{\"sekimori-mail:mail\": {\"content-scanning\":"
		       " {\"rule\": [{\"name\": \"a\", \"action\": "
		       "\"reject\", \"notify\": true}]}}}") == SK_E_SYNTAX &&
		strstr(err, "needs at least one notify-recipient") != NULL,
	    "notify without a recipient: %s", err);
	TEST_CHECK(load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
			    " {\"notify-on-virus\": true}}}") == SK_E_SYNTAX &&
		strstr(err, "needs at least one notify-recipient") != NULL,
	    "notify-on-virus without a recipient: %s", err);
	TEST_CHECK(load_str(
		       "{\"sekimori-mail:mail\": {\"content-scanning\":"
		       " {\"notify-recipient\": [\"Not An Address\"]}}}") ==
		SK_E_SYNTAX,
	    "notify-recipient not an address: %s", err);
}

static void
test_content(void)
{
	static const char json[] =
	    "{\"sekimori-mail:mail\": {\"content-scanning\": {"
	    "\"enabled\": true,"
	    "\"scanner\": ["
	    "{\"name\": \"clamav\", \"type\": \"clamd\","
	    " \"address\": \"/run/clamav/clamd.ctl\", \"timeout\": 30},"
	    "{\"name\": \"rspamd\", \"type\": \"milter\","
	    " \"address\": \"192.0.2.10:11332\", \"max-size\": 1048576,"
	    " \"on-failure\": \"accept-and-log\"},"
	    "{\"name\": \"nothing\", \"type\": \"null\"}],"
	    "\"inbound\": {\"scanner\": [\"rspamd\", \"clamav\"]},"
	    "\"outbound\": {\"scanner\": [\"nothing\"]},"
	    "\"rule\": ["
	    "{\"name\": \"ppap\", \"direction\": \"inbound\","
	    " \"match\": {\"encrypted-archive\": true,"
	    "  \"file-name\": [\"*.zip\", \"*.7z\"]},"
	    " \"action\": \"reject\","
	    " \"reject-text\": \"Encrypted archives are not accepted\"},"
	    "{\"name\": \"exe\", \"match\": {\"verdict\": [\"infected\","
	    " \"too-large\"], \"file-type\": [\"pe\", \"zip\", \"jar\"],"
	    " \"executable-in-archive\": true, \"office-macro\": true,"
	    " \"size-over\": \"5000000000\"},"
	    " \"action\": \"quarantine\"}]}}}";
	const struct config_content *c = &cfg.content;
	const struct config_content_rule *r = &c->rules[0];
	enum sk_result res = load_str(json);

	TEST_CHECK(res == SK_OK, "load: %s %s", sk_result_str(res), err);
	TEST_CHECK(c->enabled == 1 && c->nscanners == 3, "enabled %d n %zu",
	    c->enabled, c->nscanners);
	TEST_CHECK(strcmp(c->scanners[0].name, "clamav") == 0 &&
		c->scanners[0].type == CONFIG_SCANNER_CLAMD &&
		strcmp(c->scanners[0].address, "/run/clamav/clamd.ctl") == 0 &&
		c->scanners[0].timeout_ms == 30000 &&
		c->scanners[0].max_size == 26214400 &&
		!c->scanners[0].on_failure_accept,
	    "scanner 0: %s %u %s %u %llu %d", c->scanners[0].name,
	    c->scanners[0].type, c->scanners[0].address,
	    c->scanners[0].timeout_ms,
	    (unsigned long long)c->scanners[0].max_size,
	    c->scanners[0].on_failure_accept);
	TEST_CHECK(strcmp(c->scanners[1].name, "rspamd") == 0 &&
		c->scanners[1].type == CONFIG_SCANNER_MILTER &&
		strcmp(c->scanners[1].address, "192.0.2.10:11332") == 0 &&
		c->scanners[1].timeout_ms == 60000 &&
		c->scanners[1].max_size == 1048576 &&
		c->scanners[1].on_failure_accept,
	    "scanner 1: %s %u %u %d", c->scanners[1].name, c->scanners[1].type,
	    c->scanners[1].timeout_ms, c->scanners[1].on_failure_accept);
	TEST_CHECK(strcmp(c->scanners[2].name, "nothing") == 0 &&
		c->scanners[2].type == CONFIG_SCANNER_NULL &&
		c->scanners[2].address[0] == '\0',
	    "scanner 2: %s %u", c->scanners[2].name, c->scanners[2].type);
	TEST_CHECK(c->inbound.nscanners == 2 && c->inbound.scanner[0] == 1 &&
		c->inbound.scanner[1] == 0 && c->outbound.nscanners == 1 &&
		c->outbound.scanner[0] == 2,
	    "chains: in %zu [%u %u] out %zu [%u]", c->inbound.nscanners,
	    c->inbound.scanner[0], c->inbound.scanner[1], c->outbound.nscanners,
	    c->outbound.scanner[0]);
	TEST_CHECK(c->nrules == 2, "rules %zu", c->nrules);
	TEST_CHECK(strcmp(r->name, "ppap") == 0 &&
		r->direction == CONFIG_CONTENT_INBOUND && r->verdicts == 0 &&
		r->file_types == 0 && r->nfile_names == 2 &&
		strcmp(r->file_names[0], "*.zip") == 0 &&
		strcmp(r->file_names[1], "*.7z") == 0 &&
		!r->executable_in_archive && r->encrypted_archive &&
		!r->office_macro && r->size_over == 0 &&
		r->action == CONFIG_CONTENT_REJECT &&
		strcmp(r->reply, "Encrypted archives are not accepted") == 0,
	    "rule 0: %s dir %u v %x ft %llx n %zu enc %d act %u \"%s\"",
	    r->name, r->direction, r->verdicts,
	    (unsigned long long)r->file_types, r->nfile_names,
	    r->encrypted_archive, r->action, r->reply);
	r = &c->rules[1];
	TEST_CHECK(strcmp(r->name, "exe") == 0 &&
		r->direction == CONFIG_CONTENT_BOTH &&
		r->verdicts == ((1u << 1) | (1u << 6)) &&
		r->file_types == ((1ull << 1) | (1ull << 8) | (1ull << 14)) &&
		r->nfile_names == 0 && r->executable_in_archive &&
		!r->encrypted_archive && r->office_macro &&
		r->size_over == 5000000000ull &&
		r->action == CONFIG_CONTENT_QUARANTINE && r->reply[0] == '\0',
	    "rule 1: %s dir %u v %x ft %llx exe %d mac %d size %llu act %u",
	    r->name, r->direction, r->verdicts,
	    (unsigned long long)r->file_types, r->executable_in_archive,
	    r->office_macro, (unsigned long long)r->size_over, r->action);

	/* reject-text only with reject, and never starting with a digit */
	TEST_CHECK(load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
			    " {\"rule\": [{\"name\": \"a\", \"action\": "
			    "\"tag\", \"reject-text\": \"no\"}]}}}") ==
		    SK_E_SYNTAX &&
		strstr(err, "only used with action reject") != NULL,
	    "reject-text with tag: %s", err);
	TEST_CHECK(load_str("{\"sekimori-mail:mail\": {\"content-scanning\":"
			    " {\"rule\": [{\"name\": \"a\", \"action\": "
			    "\"reject\", \"reject-text\": \"554 no\"}]}}}") ==
		    SK_E_SYNTAX &&
		strstr(err, "not starting with a digit") != NULL,
	    "reject-text with a code: %s", err);
	test_content_rewrite();
	test_content_notify();
}

/* Quarantine retention: the model's defaults, set values, the range. */
static void
test_quarantine(void)
{
	const struct config_quarantine *qc = &cfg.content.quarantine;
	enum sk_result r;

	r = load_str("{\"sekimori-mail:mail\": {}}");
	TEST_CHECK(r == SK_OK && qc->max_age_s == 30ull * 86400 &&
		qc->max_bytes == 1024ull << 20,
	    "defaults: got %s \"%s\" age %llu size %llu", sk_result_str(r), err,
	    (unsigned long long)qc->max_age_s,
	    (unsigned long long)qc->max_bytes);
	r = load_str("{\"sekimori-mail:mail\": {\"content-scanning\": "
		     "{\"quarantine\": {\"max-age\": 3650, \"max-size\": "
		     "1048576}}}}");
	TEST_CHECK(r == SK_OK && qc->max_age_s == 3650ull * 86400 &&
		qc->max_bytes == 1048576ull << 20,
	    "largest: got %s \"%s\" age %llu size %llu", sk_result_str(r), err,
	    (unsigned long long)qc->max_age_s,
	    (unsigned long long)qc->max_bytes);
	r = load_str("{\"sekimori-mail:mail\": {\"content-scanning\": "
		     "{\"quarantine\": {\"max-age\": 1, \"max-size\": 1}}}}");
	TEST_CHECK(r == SK_OK && qc->max_age_s == 86400 &&
		qc->max_bytes == 1u << 20,
	    "smallest: got %s \"%s\"", sk_result_str(r), err);
	r = load_str("{\"sekimori-mail:mail\": {\"content-scanning\": "
		     "{\"quarantine\": {\"max-age\": 0}}}}");
	TEST_CHECK(r == SK_E_SYNTAX && strstr(err, "max-age") != NULL,
	    "max-age 0: got %s \"%s\"", sk_result_str(r), err);
	r = load_str("{\"sekimori-mail:mail\": {\"content-scanning\": "
		     "{\"quarantine\": {\"max-size\": 1048577}}}}");
	TEST_CHECK(r == SK_E_SYNTAX && strstr(err, "max-size") != NULL,
	    "max-size over the range: got %s \"%s\"", sk_result_str(r), err);
}

static void
test_teardown(void)
{
	config_schema_free(schema);
	schema = NULL;
	config_schema_free(NULL);
}

/* the sender-authentication settings the policy honours: a
 * canonicalization, overrides of each criterion, the seal on a selector
 * that does not sign DKIM (corpus/fuzz_config/senderauth.json) */
static void
test_senderauth(void)
{
	const struct config_sender_auth *sa = &cfg.sender_auth;
	const char *dir = yang_dir();
	char path[PATH_LEN];
	char *buf = NULL;
	size_t n = 0;
	enum sk_result r;

	/* the corpus file, from cli/yang: ../../firmware/config/corpus */
	if (dir == NULL ||
	    !join(path, sizeof(path), dir,
		"/../../firmware/config/corpus/fuzz_config/senderauth.json") ||
	    get_schema() == NULL || (buf = read_file(path, &n)) == NULL) {
		test_fail("senderauth.json not found: set SK_TOP");
		return;
	}
	r = config_load(schema, (const uint8_t *)buf, n, &cfg, err,
	    sizeof(err));
	free(buf);
	TEST_CHECK(r == SK_OK, "load: got %s (%s)", sk_result_str(r), err);
	if (r != SK_OK) {
		return;
	}
	TEST_CHECK(sa->ndkim_domains == 1 &&
		sa->dkim_domains[0].canon_header_simple &&
		!sa->dkim_domains[0].canon_body_simple &&
		sa->dkim_domains[0].nselectors == 1,
	    "canonicalization simple/relaxed: got %d/%d",
	    sa->dkim_domains[0].canon_header_simple,
	    sa->dkim_domains[0].canon_body_simple);
	TEST_CHECK(sa->noverrides == 2 && sa->overrides[0].nnetworks == 2 &&
		ip_is(&sa->overrides[0].networks[1], "2001:db8::/32") &&
		sa->overrides[0].nmail_from == 1 &&
		strcmp(sa->overrides[0].mail_from[0], "fwd.example") == 0 &&
		sa->overrides[1].reason == CONFIG_OVERRIDE_MAILING_LIST,
	    "overrides: got %zu", sa->noverrides);
	TEST_CHECK(sa->replay_max_rcpt == 3 &&
		sa->replay_action == CONFIG_REPLAY_QUARANTINE,
	    "dkim replay: got %u %s", sa->replay_max_rcpt,
	    config_replay_action_str(sa->replay_action));
	TEST_CHECK(sa->arc_seal && strcmp(sa->seal_selector, "old") == 0 &&
		strcmp(sa->seal_key_file, "/config/dkim/old.key") == 0,
	    "seal on a disabled selector: got %d %s", sa->arc_seal,
	    sa->seal_key_file);
}

/* dkim replay: the model's defaults without a dkim container, each
 * action's name, and the range of max-recipients */
/* the least mail part the loader takes, before another module */
#define MAIL "{\"sekimori-mail:mail\": {}, "

static void
test_senderauth_replay(void)
{
	static const char *const names[] = { "none", "tag", "quarantine",
		"reject" };
	const struct config_sender_auth *sa = &cfg.sender_auth;
	char doc[512];
	enum sk_result r;
	size_t i;

	r = load_str(MAIL "\"sekimori-auth:sender-authentication\": "
			  "{\"spf\": {\"enabled\": true}}}");
	TEST_CHECK(r == SK_OK && sa->replay_max_rcpt == 50 &&
		sa->replay_action == CONFIG_REPLAY_TAG,
	    "no dkim container: got %s \"%s\" %u %s", sk_result_str(r), err,
	    sa->replay_max_rcpt, config_replay_action_str(sa->replay_action));
	for (i = 0; i < SK_NELEM(names); i++) {
		snprintf(doc, sizeof(doc),
		    MAIL "\"sekimori-auth:sender-authentication\": {\"dkim\": "
			 "{\"replay\": {\"max-recipients\": 10000, \"action\": "
			 "\"%s\"}}}}",
		    names[i]);
		r = load_str(doc);
		TEST_CHECK(r == SK_OK && sa->replay_max_rcpt == 10000 &&
			(size_t)sa->replay_action == i &&
			strcmp(config_replay_action_str(sa->replay_action),
			    names[i]) == 0,
		    "action %s: got %s \"%s\" %u %s", names[i],
		    sk_result_str(r), err, sa->replay_max_rcpt,
		    config_replay_action_str(sa->replay_action));
	}
	r = load_str(MAIL "\"sekimori-auth:sender-authentication\": {\"dkim\": "
			  "{\"replay\": {\"max-recipients\": 0}}}}");
	TEST_CHECK(r != SK_OK && strstr(err, "max-recipients") != NULL,
	    "max-recipients 0: got %s \"%s\"", sk_result_str(r), err);
	r = load_str(MAIL "\"sekimori-auth:sender-authentication\": {\"dkim\": "
			  "{\"replay\": {\"action\": \"drop\"}}}}");
	TEST_CHECK(r != SK_OK, "action drop: got %s", sk_result_str(r));
}

const struct test_case test_cases[] = {
	{ "config_factory", test_factory },
	{ "config_good_full_relay", test_full_relay },
	{ "config_good_outbound_smarthost", test_smarthost },
	{ "config_bad_files", test_bad_files },
	{ "config_bad_inputs", test_bad_inputs },
	{ "config_nul_and_size", test_nul_and_size },
	{ "config_files", test_files },
	{ "config_fragments", test_fragments },
	{ "config_local_limits", test_local_limits },
	{ "config_content", test_content },
	{ "config_quarantine", test_quarantine },
	{ "config_senderauth", test_senderauth },
	{ "config_senderauth_replay", test_senderauth_replay },
	{ "config_teardown", test_teardown },
};
const size_t test_ncases = SK_NELEM(test_cases);
