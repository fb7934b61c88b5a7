/*
 * config_content.c - mail content-scanning into struct config_content:
 * enabled, the scanners, the inbound and outbound chains (as indexes
 * into scanners[]) and the content rules, in the model's order.
 *
 * The quarantine settings (cfg->content.quarantine) are copied by
 * config_quarantine.c; nothing here touches them.
 *
 * The enumerations of a rule's match (verdict, file-type) carry YANG
 * "value" statements equal to enum scan_verdict (scan/scan.h) and enum
 * mime_ftype (mime/mime_magic.h), so their bits are taken from the
 * values and this folder needs neither library; content_test checks
 * that every name of the model gives the bit of the same name there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static const char *const config_scanner_types[] = { "clamd", "milter", "null" };
static const char *const config_scanner_failures[] = { "tempfail",
	"accept-and-log" };
static const char *const config_content_directions[] = { "both", "inbound",
	"outbound" };
static const char *const config_content_actions[] = { "accept", "reject",
	"quarantine", "tag", "discard", "strip" };

/* config_content_scanner - one scanner entry into s */
static enum sk_result
config_content_scanner(const struct lyd_node *n, struct config_scanner *s,
    char *err, size_t errlen)
{
	unsigned long timeout, max_size;
	enum sk_result r;

	if ((r = config_node_str(n, "name", s->name, sizeof(s->name), err,
		 errlen)) != SK_OK ||
	    (r = config_node_str(n, "address", s->address, sizeof(s->address),
		 err, errlen)) != SK_OK ||
	    (r = config_node_uint(n, "timeout", 3600, &timeout, err, errlen)) !=
		SK_OK ||
	    (r = config_node_uint(n, "max-size", UINT32_MAX, &max_size, err,
		 errlen)) != SK_OK) {
		return r;
	}
	s->type = (enum config_scanner_type)config_node_enum(n, "type",
	    config_scanner_types, SK_NELEM(config_scanner_types),
	    CONFIG_SCANNER_NULL);
	s->timeout_ms = (uint32_t)timeout * 1000u;
	s->max_size = max_size;
	s->on_failure_accept = config_node_enum(n, "on-failure",
	    config_scanner_failures, SK_NELEM(config_scanner_failures), 0);
	return SK_OK;
}

/* config_content_scanners - every scanner of content-scanning */
static enum sk_result
config_content_scanners(const struct lyd_node *cs, struct config_content *c,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(cs, "scanner");
	enum sk_result r;

	if (have > CONFIG_SCANNERS_MAX) {
		return config_node_too_many(cs, "scanner", have,
		    CONFIG_SCANNERS_MAX, "CONFIG_SCANNERS_MAX", err, errlen);
	}
	for (n = config_node_child(cs, "scanner"); n != NULL;
	     n = config_node_next(n)) {
		r = config_content_scanner(n, &c->scanners[c->nscanners], err,
		    errlen);
		if (r != SK_OK) {
			return r;
		}
		c->nscanners++;
	}
	return SK_OK;
}

/* config_content_chain - the scanner leaf-list of container name as
 * indexes into c->scanners (the leafref guarantees each exists) */
static enum sk_result
config_content_chain(const struct lyd_node *cs, const char *name,
    const struct config_content *c, struct config_scan_chain *chain, char *err,
    size_t errlen)
{
	const struct lyd_node *box = config_node_child(cs, name);
	const struct lyd_node *n;
	char path[CONFIG_ERR_MAX];
	size_t have = config_node_count(box, "scanner"), i;

	if (have > CONFIG_SCANNERS_MAX) {
		return config_node_too_many(box, "scanner", have,
		    CONFIG_SCANNERS_MAX, "CONFIG_SCANNERS_MAX", err, errlen);
	}
	for (n = config_node_child(box, "scanner"); n != NULL;
	     n = config_node_next(n)) {
		for (i = 0; i < c->nscanners; i++) {
			if (strcmp(c->scanners[i].name, lyd_get_value(n)) ==
			    0) {
				break;
			}
		}
		if (i == c->nscanners) {
			config_err(err, errlen, "%s: no scanner \"%s\"",
			    config_node_path(n, path, sizeof(path)),
			    lyd_get_value(n));
			return SK_E_SYNTAX;
		}
		chain->scanner[chain->nscanners++] = (uint8_t)i;
	}
	return SK_OK;
}

/* config_content_bits - the enumeration leaf-list name of node as bits
 * (1 << value); a value that does not fit in max_bit is an error */
static enum sk_result
config_content_bits(const struct lyd_node *node, const char *name,
    unsigned max_bit, uint64_t *bits, char *err, size_t errlen)
{
	const struct lyd_node *n;
	const struct lyd_node_term *t;
	char path[CONFIG_ERR_MAX];
	int32_t v;

	*bits = 0;
	for (n = config_node_child(node, name); n != NULL;
	     n = config_node_next(n)) {
		t = (const struct lyd_node_term *)n;
		if (t->value.realtype->basetype != LY_TYPE_ENUM ||
		    (v = t->value.enum_item->value) < 0 ||
		    (unsigned)v > max_bit) {
			config_err(err, errlen,
			    "%s: value out of this firmware's range",
			    config_node_path(n, path, sizeof(path)));
			return SK_E_RANGE;
		}
		*bits |= 1ull << v;
	}
	return SK_OK;
}

/* config_content_names - the file-name patterns of match into r */
static enum sk_result
config_content_names(const struct lyd_node *match,
    struct config_content_rule *r, char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(match, "file-name"), len;

	if (have > CONFIG_RULE_NAMES_MAX) {
		return config_node_too_many(match, "file-name", have,
		    CONFIG_RULE_NAMES_MAX, "CONFIG_RULE_NAMES_MAX", err,
		    errlen);
	}
	for (n = config_node_child(match, "file-name"); n != NULL;
	     n = config_node_next(n)) {
		if ((len = strlen(lyd_get_value(n))) >= CONFIG_RULE_NAME_SIZE) {
			return config_node_too_many(match, "file-name", len,
			    CONFIG_RULE_NAME_SIZE - 1,
			    "characters, CONFIG_RULE_NAME_SIZE", err, errlen);
		}
		memcpy(r->file_names[r->nfile_names++], lyd_get_value(n),
		    len + 1);
	}
	return SK_OK;
}

/* config_content_match - the match container of a rule into r */
static enum sk_result
config_content_match(const struct lyd_node *match,
    struct config_content_rule *r, char *err, size_t errlen)
{
	const char *size = config_node_value(match, "size-over");
	uint64_t verdicts;
	enum sk_result res;

	if ((res = config_content_bits(match, "verdict", 31, &verdicts, err,
		 errlen)) != SK_OK ||
	    (res = config_content_bits(match, "file-type", 63, &r->file_types,
		 err, errlen)) != SK_OK ||
	    (res = config_content_names(match, r, err, errlen)) != SK_OK) {
		return res;
	}
	r->verdicts = (uint32_t)verdicts;
	/* true: the condition must hold; false (the default): no condition */
	r->executable_in_archive =
	    config_node_bool(match, "executable-in-archive", 0);
	r->encrypted_archive = config_node_bool(match, "encrypted-archive", 0);
	r->office_macro = config_node_bool(match, "office-macro", 0);
	/* uint64 in the model: config_node_uint's unsigned long may be 32
	 * bits on some target, so read it as unsigned long long */
	r->size_over = size != NULL ? strtoull(size, NULL, 10) : 0;
	return SK_OK;
}

/* config_content_rule - one rule entry into r */
static enum sk_result
config_content_rule(const struct lyd_node *n, struct config_content_rule *r,
    char *err, size_t errlen)
{
	enum sk_result res;

	if ((res = config_node_str(n, "name", r->name, sizeof(r->name), err,
		 errlen)) != SK_OK ||
	    (res = config_node_str(n, "reject-text", r->reply, sizeof(r->reply),
		 err, errlen)) != SK_OK ||
	    (res = config_node_str(n, "subject-prefix", r->subject_prefix,
		 sizeof(r->subject_prefix), err, errlen)) != SK_OK ||
	    (res = config_content_match(config_node_child(n, "match"), r, err,
		 errlen)) != SK_OK) {
		return res;
	}
	r->direction = (enum config_content_direction)config_node_enum(n,
	    "direction", config_content_directions,
	    SK_NELEM(config_content_directions), CONFIG_CONTENT_BOTH);
	r->action = (enum config_content_action)config_node_enum(n, "action",
	    config_content_actions, SK_NELEM(config_content_actions),
	    CONFIG_CONTENT_ACCEPT);
	r->notify = config_node_bool(n, "notify", 0);
	return SK_OK;
}

/* config_content_rules - every rule, in the configured order */
static enum sk_result
config_content_rules(const struct lyd_node *cs, struct config_content *c,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(cs, "rule");
	enum sk_result r;

	if (have > CONFIG_CONTENT_RULES_MAX) {
		return config_node_too_many(cs, "rule", have,
		    CONFIG_CONTENT_RULES_MAX, "CONFIG_CONTENT_RULES_MAX", err,
		    errlen);
	}
	for (n = config_node_child(cs, "rule"); n != NULL;
	     n = config_node_next(n)) {
		r = config_content_rule(n, &c->rules[c->nrules], err, errlen);
		if (r != SK_OK) {
			return r;
		}
		c->nrules++;
	}
	return SK_OK;
}

/* config_content_notify - the notify-recipient addresses and
 * notify-on-virus */
static enum sk_result
config_content_notify(const struct lyd_node *cs, struct config_content *c,
    char *err, size_t errlen)
{
	const struct lyd_node *n;
	size_t have = config_node_count(cs, "notify-recipient"), len;

	if (have > CONFIG_NOTIFY_RCPTS_MAX) {
		return config_node_too_many(cs, "notify-recipient", have,
		    CONFIG_NOTIFY_RCPTS_MAX, "CONFIG_NOTIFY_RCPTS_MAX", err,
		    errlen);
	}
	for (n = config_node_child(cs, "notify-recipient"); n != NULL;
	     n = config_node_next(n)) {
		if ((len = strlen(lyd_get_value(n))) >=
		    CONFIG_NOTIFY_RCPT_SIZE) {
			return config_node_too_many(cs, "notify-recipient", len,
			    CONFIG_NOTIFY_RCPT_SIZE - 1,
			    "characters, CONFIG_NOTIFY_RCPT_SIZE", err, errlen);
		}
		memcpy(c->notify_rcpts[c->nnotify_rcpts++], lyd_get_value(n),
		    len + 1);
	}
	c->notify_on_virus = config_node_bool(cs, "notify-on-virus", 0);
	return SK_OK;
}

/* config_content_copy - mail content-scanning into cfg->content */
enum sk_result
config_content_copy(const struct lyd_node *mail, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *cs = config_node_child(mail, "content-scanning");
	struct config_content *c = &cfg->content;
	enum sk_result r;

	c->enabled = config_node_bool(cs, "enabled", 0);
	if ((r = config_content_scanners(cs, c, err, errlen)) != SK_OK ||
	    (r = config_content_chain(cs, "inbound", c, &c->inbound, err,
		 errlen)) != SK_OK ||
	    (r = config_content_chain(cs, "outbound", c, &c->outbound, err,
		 errlen)) != SK_OK ||
	    (r = config_content_notify(cs, c, err, errlen)) != SK_OK) {
		return r;
	}
	return config_content_rules(cs, c, err, errlen);
}
