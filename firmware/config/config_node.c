/*
 * config_node.c - small readers over a validated libyang data tree, shared
 * by the files that copy one part of the model into struct config.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* config_node_top - the top-level container name of module, or NULL */
const struct lyd_node *
config_node_top(const struct lyd_node *tree, const char *module,
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

/* config_node_child - the first child of node called name, or NULL */
const struct lyd_node *
config_node_child(const struct lyd_node *node, const char *name)
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

/* config_node_next - the next sibling after node with node's name */
const struct lyd_node *
config_node_next(const struct lyd_node *node)
{
	const struct lyd_node *c;

	for (c = node->next; c != NULL; c = c->next) {
		if (c->schema == node->schema) {
			return c;
		}
	}
	return NULL;
}

/* config_node_count - how many children of node are called name */
size_t
config_node_count(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c = config_node_child(node, name);
	size_t n = 0;

	for (; c != NULL; c = config_node_next(c)) {
		n++;
	}
	return n;
}

/* config_node_value - canonical value of leaf name under node, or NULL */
const char *
config_node_value(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c = config_node_child(node, name);

	return c != NULL ? lyd_get_value(c) : NULL;
}

/* config_node_path - the data path of node, for a message */
const char *
config_node_path(const struct lyd_node *node, char *buf, size_t cap)
{
	if (lyd_path(node, LYD_PATH_STD, buf, cap) == NULL) {
		snprintf(buf, cap, "(path too long)");
	}
	return buf;
}

/* config_node_too_many - the message for a list beyond its local limit */
enum sk_result
config_node_too_many(const struct lyd_node *parent, const char *name,
    size_t have, size_t max, const char *limit, char *err, size_t errlen)
{
	char path[CONFIG_ERR_MAX];

	config_err(err, errlen,
	    "%s/%s: %zu entries, more than this firmware's limit of %zu (%s)",
	    config_node_path(parent, path, sizeof(path)), name, have, max,
	    limit);
	return SK_E_RANGE;
}

/* config_node_str - leaf name of node into out[cap]; "" when absent */
enum sk_result
config_node_str(const struct lyd_node *node, const char *name, char *out,
    size_t cap, char *err, size_t errlen)
{
	const char *v = config_node_value(node, name);
	char path[CONFIG_ERR_MAX];
	size_t n;

	out[0] = '\0';
	if (v == NULL) {
		return SK_OK;
	}
	if ((n = strlen(v)) >= cap) {
		config_err(err, errlen, "%s/%s: %zu characters, more than %zu",
		    config_node_path(node, path, sizeof(path)), name, n,
		    cap - 1);
		return SK_E_RANGE;
	}
	memcpy(out, v, n + 1);
	return SK_OK;
}

/* config_node_uint - numeric leaf name of node; max bounds the type */
enum sk_result
config_node_uint(const struct lyd_node *node, const char *name,
    unsigned long max, unsigned long *out, char *err, size_t errlen)
{
	const char *v = config_node_value(node, name);
	char path[CONFIG_ERR_MAX], *end;
	unsigned long n;

	*out = 0;
	if (v == NULL || v[0] < '0' || v[0] > '9') {
		config_err(err, errlen, "%s/%s: missing or not a number",
		    node != NULL ? config_node_path(node, path, sizeof(path)) :
				   "(absent)",
		    name);
		return SK_E_SYNTAX;
	}
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n > max) {
		config_err(err, errlen,
		    "%s/%s: value \"%s\" out of range 0..%lu",
		    config_node_path(node, path, sizeof(path)), name, v, max);
		return SK_E_RANGE;
	}
	*out = n;
	return SK_OK;
}

/* config_node_bool - boolean leaf name of node (absent: dflt) */
int
config_node_bool(const struct lyd_node *node, const char *name, int dflt)
{
	const char *v = config_node_value(node, name);

	return v == NULL ? dflt : strcmp(v, "true") == 0;
}

/* config_node_enum - index of leaf name's value in names[], or dflt */
int
config_node_enum(const struct lyd_node *node, const char *name,
    const char *const *names, size_t n, int dflt)
{
	const char *v = config_node_value(node, name);
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			return (int)i;
		}
	}
	return dflt;
}

/* config_node_enum_value - the YANG "value" of enumeration leaf name */
int
config_node_enum_value(const struct lyd_node *node, const char *name, int dflt)
{
	const struct lyd_node *c = config_node_child(node, name);
	const struct lyd_node_term *t = (const struct lyd_node_term *)c;

	if (c == NULL || !(c->schema->nodetype & LYD_NODE_TERM) ||
	    t->value.realtype->basetype != LY_TYPE_ENUM) {
		return dflt;
	}
	return (int)t->value.enum_item->value;
}

/* config_node_ip - text "ADDR" or "ADDR/LEN" into ip; 0 if unparsable */
int
config_node_ip(const char *text, int prefix, struct config_ip *ip)
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
