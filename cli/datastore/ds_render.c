/*
 * ds_render.c - configuration trees as Junos-style curly-brace text
 * ("show configuration") and the change between two trees as Junos
 * "show | compare" text. Only explicit values are shown (libyang's
 * default nodes are not), so what an administrator set is what he reads.
 *
 * Syntax: four spaces per level; a container "NAME {" ... "}", or
 * "NAME;" when it has nothing set (a presence container); a list entry
 * "NAME KEY... {" with its keys in the header and not repeated inside,
 * or "NAME KEY...;" with nothing else set; a leaf "NAME VALUE;", an
 * empty-type leaf "NAME;"; a leaf-list one line per value. Values with
 * white space or syntax characters are quoted, '"' and '\' escaped.
 * Node names carry no module prefix (the top-level names are unique).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"

#define DS_INDENT 4
#define DS_EDIT_MAX 2048 /* an "[edit ...]" header; longer ones are cut */
#define DS_SECRET_TEXT "<secret>" /* the model's sk-t:secret text */

/* ds_text_add - append formatted text; on failure mark the text failed */
void
ds_text_add(struct ds_text *t, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *p;
	int n;

	if (t->failed) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = 1;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		cap = t->cap > 0 ? t->cap : 256;
		while (cap < t->len + (size_t)n + 1) {
			cap *= 2;
		}
		if ((p = realloc(t->p, cap)) == NULL) {
			t->failed = 1;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* ds_text_done - hand the text over as a string (SK_E_FULL if it failed) */
static enum sk_result
ds_text_done(struct ds_text *t, char **out)
{
	*out = NULL;
	if (!t->failed && t->p == NULL) {
		ds_text_add(t, "%s", "");
	}
	if (t->failed) {
		free(t->p);
		return SK_E_FULL;
	}
	*out = t->p;
	return SK_OK;
}

/* ds_word - a name or value as a word of the syntax: quoted when it is
 * empty or holds white space or syntax characters; control characters
 * become '?' so that no value can drive a terminal */
static void
ds_word(struct ds_text *t, const char *v)
{
	int quote = v[0] == '\0' || strpbrk(v, " \t\"';{}[]#\\") != NULL;
	const char *p;

	ds_text_add(t, "%s", quote ? "\"" : "");
	for (p = v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			ds_text_add(t, "\\%c", *p);
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			ds_text_add(t, "?");
		} else {
			ds_text_add(t, "%c", *p);
		}
	}
	ds_text_add(t, "%s", quote ? "\"" : "");
}

/* ds_shown - whether a node is explicit configuration */
static int
ds_shown(const struct lyd_node *n)
{
	return n->schema != NULL && (n->flags & LYD_DEFAULT) == 0;
}

/* ds_is_key - whether a node is a list key (shown in its entry's line) */
static int
ds_is_key(const struct lyd_node *n)
{
	return n->schema != NULL && (n->schema->flags & LYS_KEY) != 0;
}

/* ds_has_shown - whether a node has explicit children beside its keys */
static int
ds_has_shown(const struct lyd_node *n)
{
	const struct lyd_node *c;

	for (c = lyd_child(n); c != NULL; c = c->next) {
		if (ds_shown(c) && !ds_is_key(c)) {
			return 1;
		}
	}
	return 0;
}

/* ds_is_empty_type - a leaf or leaf-list of type empty (no value) */
static int
ds_is_empty_type(const struct lysc_node *s)
{
	const struct lysc_type *type = NULL;

	if (s->nodetype == LYS_LEAF) {
		type = ((const struct lysc_node_leaf *)s)->type;
	} else if (s->nodetype == LYS_LEAFLIST) {
		type = ((const struct lysc_node_leaflist *)s)->type;
	}
	return type != NULL && type->basetype == LY_TYPE_EMPTY;
}

/* ds_line_start - the sign (diff lines) and the indentation */
static void
ds_line_start(struct ds_text *t, char sign, int depth)
{
	ds_text_add(t, "%s%*s", sign != 0 ? (sign == '+' ? "+" : "-") : "",
	    depth * DS_INDENT, "");
}

/* ds_head - a node's words: its name, and a list entry's keys */
static void
ds_head(struct ds_text *t, const struct lyd_node *n)
{
	const struct lyd_node *c;

	ds_text_add(t, "%s", n->schema->name);
	if (n->schema->nodetype != LYS_LIST) {
		return;
	}
	for (c = lyd_child(n); c != NULL && ds_is_key(c); c = c->next) {
		ds_text_add(t, " ");
		ds_word(t, lyd_get_value(c));
	}
}

/* ds_value - a terminal's value, or the secret mark */
static void
ds_value(struct ds_text *t, const struct lyd_node *n, unsigned flags)
{
	if (ds_is_empty_type(n->schema)) {
		return;
	}
	ds_text_add(t, " ");
	if (ds_is_secret(n->schema) && !(flags & DS_SHOW_SECRETS)) {
		ds_text_add(t, "%s", DS_SECRET_TEXT);
	} else {
		ds_word(t, lyd_get_value(n));
	}
}

static void ds_render_node(struct ds_text *t, const struct lyd_node *n,
    int depth, unsigned flags, char sign);

/* ds_render_children - a node's explicit children, keys left out */
static void
ds_render_children(struct ds_text *t, const struct lyd_node *first, int depth,
    unsigned flags, char sign)
{
	const struct lyd_node *c;

	for (c = first; c != NULL; c = c->next) {
		if (!ds_is_key(c)) {
			ds_render_node(t, c, depth, flags, sign);
		}
	}
}

/* ds_render_node - one node and what is below it */
static void
ds_render_node(struct ds_text *t, const struct lyd_node *n, int depth,
    unsigned flags, char sign)
{
	if (!ds_shown(n)) {
		return;
	}
	ds_line_start(t, sign, depth);
	ds_head(t, n);
	if (n->schema->nodetype & LYD_NODE_TERM) {
		ds_value(t, n, flags);
		ds_text_add(t, ";\n");
	} else if (!ds_has_shown(n)) {
		ds_text_add(t, ";\n");
	} else {
		ds_text_add(t, " {\n");
		ds_render_children(t, lyd_child(n), depth + 1, flags, sign);
		ds_line_start(t, sign, depth);
		ds_text_add(t, "}\n");
	}
}

/* ds_render - the tree as curly-brace text */
enum sk_result
ds_render(const struct lyd_node *tree, unsigned flags, char **out)
{
	struct ds_text t = { 0 };

	ds_render_children(&t, tree, 0, flags, 0);
	return ds_text_done(&t, out);
}

/* The state of one diff: the text, and the "[edit ...]" header of the
 * level being compared and of the last header written. */
struct ds_diff_state {
	struct ds_text t;
	unsigned flags;
	char edit[DS_EDIT_MAX];
	char last[DS_EDIT_MAX];
	int written; /* a header has been written */
};

/* ds_diff_header - write the level's header unless it is the last one */
static void
ds_diff_header(struct ds_diff_state *d)
{
	if (d->written && strcmp(d->edit, d->last) == 0) {
		return;
	}
	ds_text_add(&d->t, "[edit%s]\n", d->edit);
	memcpy(d->last, d->edit, sizeof(d->last));
	d->written = 1;
}

/* ds_diff_node - a whole node added ('+') or removed ('-') */
static void
ds_diff_node(struct ds_diff_state *d, const struct lyd_node *n, int depth,
    char sign)
{
	ds_diff_header(d);
	ds_render_node(&d->t, n, depth, d->flags, sign);
}

/* ds_match - the node of siblings that is the same entry as target
 * (same schema node; same keys for a list entry, same value for a
 * leaf-list), or NULL */
static const struct lyd_node *
ds_match(const struct lyd_node *siblings, const struct lyd_node *target)
{
	struct lyd_node *m = NULL;

	if (siblings == NULL ||
	    lyd_find_sibling_first(siblings, target, &m) != LY_SUCCESS) {
		return NULL;
	}
	return m;
}

/* ds_is_np - a container without presence: it exists implicitly */
static int
ds_is_np(const struct lyd_node *n)
{
	return n->schema->nodetype == LYS_CONTAINER &&
	    (n->schema->flags & LYS_PRESENCE) == 0;
}

static void ds_diff_level(struct ds_diff_state *d, const struct lyd_node *old,
    const struct lyd_node *new, int depth);

/* ds_diff_descend - compare the children of two matching nodes, under
 * the header extended with this node's words (lines stay at the depth
 * of the header's level: the header carries the context, as in Junos) */
static void
ds_diff_descend(struct ds_diff_state *d, const struct lyd_node *o,
    const struct lyd_node *n, int depth)
{
	size_t keep = strlen(d->edit);
	struct ds_text words = { 0 };

	ds_head(&words, n);
	if (!words.failed) {
		snprintf(d->edit + keep, sizeof(d->edit) - keep, " %s",
		    words.p);
	}
	free(words.p);
	ds_diff_level(d, lyd_child(o), lyd_child(n), depth);
	d->edit[keep] = '\0';
}

/* ds_diff_term - a leaf in both trees: its old and new lines if the
 * value changed (a changed secret shows as two masked lines) */
static void
ds_diff_term(struct ds_diff_state *d, const struct lyd_node *o,
    const struct lyd_node *n, int depth)
{
	if (strcmp(lyd_get_value(o), lyd_get_value(n)) != 0) {
		ds_diff_node(d, o, depth, '-');
		ds_diff_node(d, n, depth, '+');
	}
}

/* ds_diff_level - one level: what went (old only), then what came or
 * changed, in the new tree's order */
static void
ds_diff_level(struct ds_diff_state *d, const struct lyd_node *old,
    const struct lyd_node *new, int depth)
{
	const struct lyd_node *o, *n, *m;

	for (o = old; o != NULL; o = o->next) {
		if (!ds_shown(o) || ds_is_key(o)) {
			continue;
		}
		m = ds_match(new, o);
		if (m == NULL || (!ds_shown(m) && !ds_is_np(o))) {
			ds_diff_node(d, o, depth, '-');
		}
	}
	for (n = new; n != NULL; n = n->next) {
		if (n->schema == NULL || ds_is_key(n)) {
			continue;
		}
		m = ds_match(old, n);
		if (ds_is_np(n) && m != NULL) {
			ds_diff_descend(d, m, n, depth);
		} else if (!ds_shown(n)) {
			continue;
		} else if (m == NULL || !ds_shown(m)) {
			ds_diff_node(d, n, depth, '+');
		} else if (n->schema->nodetype == LYS_LEAF) {
			ds_diff_term(d, m, n, depth);
		} else if (!(n->schema->nodetype & LYD_NODE_TERM)) {
			ds_diff_descend(d, m, n, depth);
		}
	}
}

/* ds_diff - the change from old to new as "show | compare" text */
enum sk_result
ds_diff(const struct lyd_node *old, const struct lyd_node *new, unsigned flags,
    char **out)
{
	struct ds_diff_state *d;
	enum sk_result r;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		*out = NULL;
		return SK_E_FULL;
	}
	d->flags = flags;
	ds_diff_level(d, old, new, 1);
	r = ds_text_done(&d->t, out);
	free(d);
	return r;
}
