/*
 * fuzz_config.c - libFuzzer target for the config loader (config import:
 * STYLE.md item 10).
 *
 * The input is a whole config file. The schema (the libyang context over
 * the compiled-in modules) is built once, outside the per-input path, as
 * a daemon builds it once. Invariants: the result is SK_OK exactly when
 * the message is empty; a failure leaves the struct zeroed and a message
 * starting with "config: "; a success keeps every count within its limit
 * and every string NUL-terminated inside its field; a DMARC override has
 * a criterion; a seal has its key file.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;

/* fuzz_terminated - whether field[cap] holds a NUL */
static int
fuzz_terminated(const char *field, size_t cap)
{
	return memchr(field, '\0', cap) != NULL;
}

/* fuzz_check_ok - the invariants of a loaded config */
static void
fuzz_check_ok(void)
{
	size_t i;

	if (cfg.nlisteners > CONFIG_LISTENERS_MAX ||
	    cfg.nrelay_domains > CONFIG_RELAY_DOMAINS_MAX ||
	    cfg.nknown_recipients > CONFIG_KNOWN_RECIPIENTS_MAX ||
	    cfg.ninternal_networks > CONFIG_NETWORKS_MAX ||
	    !fuzz_terminated(cfg.server_name, sizeof(cfg.server_name))) {
		abort();
	}
	for (i = 0; i < cfg.nlisteners; i++) {
		const struct config_listener *l = &cfg.listeners[i];
		if (!fuzz_terminated(l->name, sizeof(l->name)) ||
		    l->name[0] == '\0' || l->port == 0 ||
		    !fuzz_terminated(l->certificate, sizeof(l->certificate))) {
			abort();
		}
	}
	if (cfg.sender_auth.noverrides > CONFIG_OVERRIDES_MAX ||
	    !fuzz_terminated(cfg.sender_auth.seal_key_file,
		sizeof(cfg.sender_auth.seal_key_file)) ||
	    (cfg.sender_auth.arc_seal &&
		cfg.sender_auth.seal_key_file[0] == '\0')) {
		abort();
	}
	for (i = 0; i < cfg.sender_auth.noverrides; i++) {
		const struct config_dmarc_override *o =
		    &cfg.sender_auth.overrides[i];
		if (o->nnetworks > CONFIG_OVERRIDE_VALUES_MAX ||
		    o->nmail_from > CONFIG_OVERRIDE_VALUES_MAX ||
		    o->nlist_id > CONFIG_OVERRIDE_VALUES_MAX ||
		    o->nnetworks + o->nmail_from + o->nlist_id == 0) {
			abort();
		}
	}
	for (i = 0; i < cfg.nrelay_domains; i++) {
		const struct config_relay_domain *d = &cfg.relay_domains[i];
		if (d->recipients_first + d->recipients_count >
		    cfg.nknown_recipients) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config_schema *schema;
	char err[CONFIG_ERR_MAX];
	enum sk_result r;

	if (schema == NULL &&
	    config_schema_new(&schema, err, sizeof(err)) != SK_OK) {
		abort();
	}
	r = config_load(schema, data, size, &cfg, err, sizeof(err));
	if ((r == SK_OK) != (err[0] == '\0')) {
		abort();
	}
	if (r == SK_OK) {
		fuzz_check_ok();
	} else if (strncmp(err, "config: ", 8) != 0 || cfg.nlisteners != 0) {
		abort();
	}
	return 0;
}
