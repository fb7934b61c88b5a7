/*
 * config_senderauth.c - sekimori-auth:sender-authentication into struct
 * config (what the policy process of sekimorid needs: the checks and
 * their actions, the signing domains and their enabled selectors with
 * their canonicalization, the DMARC overrides, the ARC trusted sealers
 * and the ARC seal).
 *
 * The tree has passed validation: every leaf with a default is present
 * when the container is. Checked here are only the local limits.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

static const char *const config_fail_actions[] = { "reject", "quarantine",
	"tag" };
static const char *const config_replay_actions[] = { "none", "tag",
	"quarantine", "reject" };
static const char *const config_unavailable_actions[] = { "tempfail",
	"accept" };
static const char *const config_override_reasons[] = { "forwarded",
	"mailing-list", "trusted-forwarder", "local-policy" };

/* config_override_reason_str - the model's name of an override reason */
const char *
config_override_reason_str(enum config_override_reason r)
{
	return (size_t)r < SK_NELEM(config_override_reasons) ?
	    config_override_reasons[r] :
	    "?";
}

/* config_fail_action_str - the model's name of a failure-action */
const char *
config_fail_action_str(enum config_fail_action a)
{
	return (size_t)a < SK_NELEM(config_fail_actions) ?
	    config_fail_actions[a] :
	    "?";
}

/* config_replay_action_str - the model's name of a replay action */
const char *
config_replay_action_str(enum config_replay_action a)
{
	return (size_t)a < SK_NELEM(config_replay_actions) ?
	    config_replay_actions[a] :
	    "?";
}

/* config_sa_replay - dkim replay: max-recipients and action, the
 * model's defaults when the container is absent (a file without dkim) */
static enum sk_result
config_sa_replay(const struct lyd_node *replay, struct config_sender_auth *sa,
    char *err, size_t errlen)
{
	unsigned long n = CONFIG_REPLAY_MAX_RCPT_DEFAULT;
	enum sk_result r;

	sa->replay_action = (enum config_replay_action)config_node_enum(replay,
	    "action", config_replay_actions, SK_NELEM(config_replay_actions),
	    CONFIG_REPLAY_TAG);
	if (config_node_value(replay, "max-recipients") != NULL &&
	    (r = config_node_uint(replay, "max-recipients", 10000, &n, err,
		 errlen)) != SK_OK) {
		return r;
	}
	sa->replay_max_rcpt = (unsigned)(n > 0 ? n : 1);
	return SK_OK;
}

/* config_sa_action - failure-action leaf name of n */
static enum config_fail_action
config_sa_action(const struct lyd_node *n, const char *name,
    enum config_fail_action dflt)
{
	return (enum config_fail_action)config_node_enum(n, name,
	    config_fail_actions, SK_NELEM(config_fail_actions), (int)dflt);
}

/* config_sa_selector - one enabled selector of a signing domain */
static enum sk_result
config_sa_selector(const struct lyd_node *n, struct config_dkim_domain *d,
    char *err, size_t errlen)
{
	struct config_dkim_selector *s;
	const char *alg = config_node_value(n, "algorithm");
	enum sk_result r;

	if (!config_node_bool(n, "enabled", 1)) {
		return SK_OK;
	}
	if (d->nselectors == CONFIG_DKIM_SELECTORS_MAX) {
		return config_node_too_many(lyd_parent(n), "selector",
		    d->nselectors + 1, CONFIG_DKIM_SELECTORS_MAX,
		    "CONFIG_DKIM_SELECTORS_MAX", err, errlen);
	}
	s = &d->selectors[d->nselectors];
	if ((r = config_node_str(n, "name", s->name, sizeof(s->name), err,
		 errlen)) != SK_OK ||
	    (r = config_node_str(n, "key-file", s->key_file,
		 sizeof(s->key_file), err, errlen)) != SK_OK) {
		return r;
	}
	s->ed25519 = alg != NULL && strcmp(alg, "ed25519-sha256") == 0;
	d->nselectors++;
	return SK_OK;
}

/* config_sa_canon - "header/body" (the model's enumeration; absent:
 * its default relaxed/relaxed) into d */
static void
config_sa_canon(const char *c, struct config_dkim_domain *d)
{
	d->canon_header_simple = c != NULL && strncmp(c, "simple/", 7) == 0;
	d->canon_body_simple = c != NULL && strlen(c) > 7 &&
	    strcmp(strchr(c, '/'), "/simple") == 0;
}

/* config_sa_domain - one signing domain, if enabled */
static enum sk_result
config_sa_domain(const struct lyd_node *n, struct config_sender_auth *sa,
    char *err, size_t errlen)
{
	struct config_dkim_domain *d = &sa->dkim_domains[sa->ndkim_domains];
	const struct lyd_node *s;
	unsigned long life;
	enum sk_result r;

	if (!config_node_bool(n, "enabled", 1)) {
		return SK_OK;
	}
	memset(d, 0, sizeof(*d));
	if ((r = config_node_str(n, "name", d->name, sizeof(d->name), err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "signature-lifetime", UINT16_MAX, &life,
		 err, errlen)) != SK_OK) {
		return r;
	}
	d->signature_lifetime = (uint16_t)life;
	d->include_subdomains = config_node_bool(n, "include-subdomains", 0);
	config_sa_canon(config_node_value(n, "canonicalization"), d);
	for (s = config_node_child(n, "selector"); s != NULL;
	     s = config_node_next(s)) {
		if ((r = config_sa_selector(s, d, err, errlen)) != SK_OK) {
			return r;
		}
	}
	sa->ndkim_domains++;
	return SK_OK;
}

/* config_sa_dkim - dkim: verify, over-signed headers, signing domains */
static enum sk_result
config_sa_dkim(const struct lyd_node *dkim, struct config_sender_auth *sa,
    char *err, size_t errlen)
{
	const struct lyd_node *sign = config_node_child(dkim, "signing");
	const struct lyd_node *n;
	size_t have;
	enum sk_result r;

	sa->dkim_verify = config_node_bool(dkim, "verify", 1);
	if ((r = config_sa_replay(config_node_child(dkim, "replay"), sa, err,
		 errlen)) != SK_OK) {
		return r;
	}
	have = config_node_count(sign, "over-signed-header");
	if (have > CONFIG_OVERSIGN_MAX) {
		return config_node_too_many(sign, "over-signed-header", have,
		    CONFIG_OVERSIGN_MAX, "CONFIG_OVERSIGN_MAX", err, errlen);
	}
	for (n = config_node_child(sign, "over-signed-header"); n != NULL;
	     n = config_node_next(n)) {
		/* pattern-checked, 1..64 characters: it fits */
		snprintf(sa->oversigned[sa->noversigned++],
		    CONFIG_HEADER_NAME_SIZE, "%s", lyd_get_value(n));
	}
	have = config_node_count(sign, "domain");
	if (have > CONFIG_DKIM_DOMAINS_MAX) {
		return config_node_too_many(sign, "domain", have,
		    CONFIG_DKIM_DOMAINS_MAX, "CONFIG_DKIM_DOMAINS_MAX", err,
		    errlen);
	}
	for (n = config_node_child(sign, "domain"); n != NULL;
	     n = config_node_next(n)) {
		if ((r = config_sa_domain(n, sa, err, errlen)) != SK_OK) {
			return r;
		}
	}
	return SK_OK;
}

/* config_sa_find - the child list entry of n called list whose key leaf
 * (name) is value, or NULL */
static const struct lyd_node *
config_sa_find(const struct lyd_node *n, const char *list, const char *key,
    const char *value)
{
	const struct lyd_node *c;
	const char *v;

	for (c = config_node_child(n, list); c != NULL;
	     c = config_node_next(c)) {
		v = config_node_value(c, key);
		if (v != NULL && strcmp(v, value) == 0) {
			return c;
		}
	}
	return NULL;
}

/* config_sa_seal - arc seal: the domain, the selector and its key-file
 * (the leafrefs of the model make both exist) */
static enum sk_result
config_sa_seal(const struct lyd_node *top, const struct lyd_node *seal,
    struct config_sender_auth *sa, char *err, size_t errlen)
{
	const struct lyd_node *sign, *dom, *sel;
	enum sk_result r;

	if (seal == NULL) {
		return SK_OK;
	}
	if ((r = config_node_str(seal, "domain", sa->seal_domain,
		 sizeof(sa->seal_domain), err, errlen)) != SK_OK ||
	    (r = config_node_str(seal, "selector", sa->seal_selector,
		 sizeof(sa->seal_selector), err, errlen)) != SK_OK) {
		return r;
	}
	sign = config_node_child(config_node_child(top, "dkim"), "signing");
	dom = config_sa_find(sign, "domain", "name", sa->seal_domain);
	sel = config_sa_find(dom, "selector", "name", sa->seal_selector);
	if (sel == NULL) {
		config_err(err, errlen,
		    "arc seal: no selector %s of signing domain %s",
		    sa->seal_selector, sa->seal_domain);
		return SK_E_SYNTAX;
	}
	if ((r = config_node_str(sel, "key-file", sa->seal_key_file,
		 sizeof(sa->seal_key_file), err, errlen)) != SK_OK) {
		return r;
	}
	sa->arc_seal = 1;
	return SK_OK;
}

/* config_sa_arc - arc: verify and the trusted sealers */
static enum sk_result
config_sa_arc(const struct lyd_node *arc, struct config_sender_auth *sa,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(arc, "trusted-sealer");
	enum sk_result r;

	sa->arc_verify = config_node_bool(arc, "verify", 1);
	if (have > CONFIG_TRUSTED_SEALERS_MAX) {
		return config_node_too_many(arc, "trusted-sealer", have,
		    CONFIG_TRUSTED_SEALERS_MAX, "CONFIG_TRUSTED_SEALERS_MAX",
		    err, errlen);
	}
	for (n = config_node_child(arc, "trusted-sealer"); n != NULL;
	     n = config_node_next(n)) {
		if ((r = config_node_str(n, "domain",
			 sa->trusted_sealers[sa->ntrusted_sealers],
			 CONFIG_DOMAIN_SIZE, err, errlen)) != SK_OK) {
			return r;
		}
		sa->ntrusted_sealers++;
	}
	return SK_OK;
}

/* config_sa_values - the values of leaf-list name of n; SK_OK, or
 * SK_E_TOO_LONG past CONFIG_OVERRIDE_VALUES_MAX */
static enum sk_result
config_sa_values(const struct lyd_node *n, const char *name, size_t *count,
    char *err, size_t errlen)
{
	size_t have = config_node_count(n, name);

	*count = 0;
	if (have > CONFIG_OVERRIDE_VALUES_MAX) {
		return config_node_too_many(n, name, have,
		    CONFIG_OVERRIDE_VALUES_MAX, "CONFIG_OVERRIDE_VALUES_MAX",
		    err, errlen);
	}
	return SK_OK;
}

/* config_sa_override - one dmarc override */
static enum sk_result
config_sa_override(const struct lyd_node *n, struct config_dmarc_override *o,
    char *err, size_t errlen)
{
	char path[256];
	const struct lyd_node *v;
	enum sk_result r;

	memset(o, 0, sizeof(*o));
	if ((r = config_node_str(n, "name", o->name, sizeof(o->name), err,
		 errlen)) != SK_OK ||
	    (r = config_sa_values(n, "source-network", &o->nnetworks, err,
		 errlen)) != SK_OK ||
	    (r = config_sa_values(n, "mail-from-domain", &o->nmail_from, err,
		 errlen)) != SK_OK ||
	    (r = config_sa_values(n, "list-id", &o->nlist_id, err, errlen)) !=
		SK_OK) {
		return r;
	}
	o->reason = (enum config_override_reason)config_node_enum(n, "reason",
	    config_override_reasons, SK_NELEM(config_override_reasons),
	    CONFIG_OVERRIDE_LOCAL_POLICY);
	for (v = config_node_child(n, "source-network"); v != NULL;
	     v = config_node_next(v)) {
		if (!config_node_ip(lyd_get_value(v), 1,
			&o->networks[o->nnetworks])) {
			config_err(err, errlen, "%s: cannot parse \"%s\"",
			    config_node_path(v, path, sizeof(path)),
			    lyd_get_value(v));
			return SK_E_SYNTAX;
		}
		o->nnetworks++;
	}
	/* the model's lengths (1..253, 1..255) fit the buffers */
	for (v = config_node_child(n, "mail-from-domain"); v != NULL;
	     v = config_node_next(v)) {
		snprintf(o->mail_from[o->nmail_from++], CONFIG_DOMAIN_SIZE,
		    "%s", lyd_get_value(v));
	}
	for (v = config_node_child(n, "list-id"); v != NULL;
	     v = config_node_next(v)) {
		snprintf(o->list_id[o->nlist_id++], CONFIG_LIST_ID_SIZE, "%s",
		    lyd_get_value(v));
	}
	return SK_OK;
}

/* config_sa_overrides - dmarc override, in the config's order */
static enum sk_result
config_sa_overrides(const struct lyd_node *dmarc, struct config_sender_auth *sa,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(dmarc, "override");
	enum sk_result r;

	if (have > CONFIG_OVERRIDES_MAX) {
		return config_node_too_many(dmarc, "override", have,
		    CONFIG_OVERRIDES_MAX, "CONFIG_OVERRIDES_MAX", err, errlen);
	}
	for (n = config_node_child(dmarc, "override"); n != NULL;
	     n = config_node_next(n)) {
		if ((r = config_sa_override(n, &sa->overrides[sa->noverrides],
			 err, errlen)) != SK_OK) {
			return r;
		}
		sa->noverrides++;
	}
	return SK_OK;
}

/* config_sa_reports - dmarc reports aggregate (RFC 7489 7.2) */
static enum sk_result
config_sa_reports(const struct lyd_node *dmarc, struct config_sender_auth *sa,
    char *err, size_t errlen)
{
	const struct lyd_node *agg =
	    config_node_child(config_node_child(dmarc, "reports"), "aggregate");
	unsigned long hours;
	enum sk_result r;

	sa->dmarc_reports = config_node_bool(agg, "enabled", 0);
	sa->dmarc_report_interval = 24;
	if (!sa->dmarc_reports) {
		return SK_OK;
	}
	if ((r = config_node_str(agg, "org-name", sa->dmarc_report_org,
		 sizeof(sa->dmarc_report_org), err, errlen)) != SK_OK ||
	    (r = config_node_str(agg, "from-address", sa->dmarc_report_from,
		 sizeof(sa->dmarc_report_from), err, errlen)) != SK_OK ||
	    (r = config_node_uint(agg, "interval", 24, &hours, err, errlen)) !=
		SK_OK) {
		return r;
	}
	sa->dmarc_report_interval = hours > 0 ? (unsigned)hours : 24;
	return SK_OK;
}

/* config_senderauth_copy - sekimori-auth:sender-authentication, if any */
enum sk_result
config_senderauth_copy(const struct lyd_node *tree, struct config *cfg,
    char *err, size_t errlen)
{
	struct config_sender_auth *sa = &cfg->sender_auth;
	const struct lyd_node *top, *spf, *dmarc;
	enum sk_result r;

	memset(sa, 0, sizeof(*sa));
	top =
	    config_node_top(tree, CONFIG_AUTH_MODULE, "sender-authentication");
	if (top == NULL) {
		return SK_OK;
	}
	sa->present = 1;
	if ((r = config_node_str(top, "authserv-id", sa->authserv_id,
		 sizeof(sa->authserv_id), err, errlen)) != SK_OK) {
		return r;
	}
	sa->unavailable_accept =
	    config_node_enum(top, "unavailable-action",
		config_unavailable_actions,
		SK_NELEM(config_unavailable_actions), 0) == 1;
	spf = config_node_child(top, "spf");
	sa->spf_enabled = config_node_bool(spf, "enabled", 1);
	sa->spf_fail_action =
	    config_sa_action(spf, "fail-action", CONFIG_FAIL_TAG);
	dmarc = config_node_child(top, "dmarc");
	sa->dmarc_enabled = config_node_bool(dmarc, "enabled", 1);
	sa->dmarc_reject_action =
	    config_sa_action(dmarc, "reject-action", CONFIG_FAIL_REJECT);
	sa->dmarc_quarantine_action = config_sa_action(dmarc,
	    "quarantine-action", CONFIG_FAIL_QUARANTINE);
	if ((r = config_sa_reports(dmarc, sa, err, errlen)) != SK_OK ||
	    (r = config_sa_overrides(dmarc, sa, err, errlen)) != SK_OK ||
	    (r = config_sa_dkim(config_node_child(top, "dkim"), sa, err,
		 errlen)) != SK_OK ||
	    (r = config_sa_arc(config_node_child(top, "arc"), sa, err,
		 errlen)) != SK_OK) {
		return r;
	}
	return config_sa_seal(top,
	    config_node_child(config_node_child(top, "arc"), "seal"), sa, err,
	    errlen);
}
