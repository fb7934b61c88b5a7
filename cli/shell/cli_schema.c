/*
 * cli_schema.c - the words of configuration paths, taken from the
 * compiled YANG schema (libyang): containers and lists by name, a list's
 * keys as the words after it, leaves and leaf-lists followed by a value;
 * choice and case are transparent (lys_getnext skips them). Keywords may
 * be abbreviated to a unique prefix; values never are. A walk turns words
 * into a libyang data path for the datastore, or says what it expected.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

#define CLI_PATTERN_SHOWN 48 /* longer patterns are not printed */

/* cli_config - whether n is configuration the CLI may name */
static int
cli_config(const struct lysc_node *n)
{
	return (n->flags & LYS_CONFIG_W) != 0 &&
	    (n->nodetype &
		(LYS_CONTAINER | LYS_LIST | LYS_LEAF | LYS_LEAFLIST)) != 0;
}

/* cli_children - the configuration children of parent (NULL: the
 * top-level nodes of every implemented module) into out; their number */
static size_t
cli_children(const struct ly_ctx *ctx, const struct lysc_node *parent,
    const struct lysc_node **out, size_t max)
{
	const struct lysc_node *n = NULL;
	const struct lys_module *mod;
	uint32_t idx = 0;
	size_t k = 0;

	if (parent != NULL) {
		while (
		    (n = lys_getnext(n, parent, NULL, 0)) != NULL && k < max) {
			if (cli_config(n)) {
				out[k++] = n;
			}
		}
		return k;
	}
	while ((mod = ly_ctx_get_module_iter(ctx, &idx)) != NULL) {
		if (!mod->implemented || mod->compiled == NULL) {
			continue;
		}
		n = NULL;
		while ((n = lys_getnext(n, NULL, mod->compiled, 0)) != NULL &&
		    k < max) {
			if (cli_config(n)) {
				out[k++] = n;
			}
		}
	}
	return k;
}

void
cli_walk_start(const struct cli *c, struct cli_walk *wk,
    enum cli_purpose purpose, int from_top)
{
	if (from_top) {
		memset(wk, 0, sizeof(*wk));
		wk->want = CLI_WANT_CHILD;
	} else {
		*wk = c->edit;
	}
	wk->purpose = purpose;
	wk->value = NULL;
}

/* cli_add - append text to a path buffer; 0 when it does not fit */
static int
cli_add(char *buf, size_t *len, const char *a, const char *b)
{
	int n = snprintf(buf + *len, DS_PATH_MAX - *len, "%s%s", a, b);

	if (n < 0 || (size_t)n >= DS_PATH_MAX - *len) {
		buf[*len] = '\0';
		return 0;
	}
	*len += (size_t)n;
	return 1;
}

/* cli_push - the walk reached a container or list entry: a level */
static void
cli_push(struct cli_walk *wk, const struct lysc_node *n)
{
	if (wk->nlv < CLI_DEPTH_MAX) {
		wk->lv[wk->nlv].node = n;
		wk->lv[wk->nlv].datalen = wk->datalen;
		wk->lv[wk->nlv].wordslen = wk->wordslen;
		wk->nlv++;
	}
	wk->want = CLI_WANT_CHILD;
	wk->node = n;
}

/* cli_first_key - the first key of a list */
static const struct lysc_node *
cli_next_key(const struct lysc_node *list, const struct lysc_node *after)
{
	const struct lysc_node *k =
	    after != NULL ? after->next : lysc_node_child(list);

	return k != NULL && (k->flags & LYS_KEY) ? k : NULL;
}

/* cli_match - the child named word or the only one it abbreviates;
 * NULL with a message when none or several */
static const struct lysc_node *
cli_match(const struct cli *c, const struct lysc_node *parent, const char *word,
    char *msg, size_t msglen)
{
	const struct lysc_node *ch[CLI_CANDIDATES_MAX], *found = NULL;
	size_t n = cli_children(c->ctx, parent, ch, CLI_CANDIDATES_MAX), i;
	size_t wl = strlen(word), hits = 0, len;

	for (i = 0; i < n; i++) {
		if (strcmp(ch[i]->name, word) == 0) {
			return ch[i];
		}
		if (strncmp(ch[i]->name, word, wl) == 0) {
			hits++;
			found = ch[i];
		}
	}
	if (hits == 1) {
		return found;
	}
	if (hits == 0) {
		snprintf(msg, msglen,
		    "syntax error, unknown word (type ? for what may "
		    "follow)");
		return NULL;
	}
	len = (size_t)snprintf(msg, msglen, "syntax error, ambiguous:");
	for (i = 0; i < n && len < msglen; i++) {
		if (strncmp(ch[i]->name, word, wl) == 0) {
			len += (size_t)snprintf(msg + len, msglen - len, " %s",
			    ch[i]->name);
		}
	}
	return NULL;
}

/* cli_type - the type of a leaf or leaf-list */
static const struct lysc_type *
cli_type(const struct lysc_node *n)
{
	if (n->nodetype == LYS_LEAF) {
		return ((const struct lysc_node_leaf *)n)->type;
	}
	return ((const struct lysc_node_leaflist *)n)->type;
}

/* cli_signed - whether numbers of this type are signed */
static int
cli_signed(LY_DATA_TYPE t)
{
	return t == LY_TYPE_INT8 || t == LY_TYPE_INT16 || t == LY_TYPE_INT32 ||
	    t == LY_TYPE_INT64 || t == LY_TYPE_DEC64;
}

/* cli_int_bounds - the built-in bounds of an integer type */
static void
cli_int_bounds(LY_DATA_TYPE t, int64_t *lo, uint64_t *hi)
{
	static const struct {
		LY_DATA_TYPE t;
		int64_t lo;
		uint64_t hi;
	} b[] = {
		{ LY_TYPE_INT8, INT8_MIN, INT8_MAX },
		{ LY_TYPE_INT16, INT16_MIN, INT16_MAX },
		{ LY_TYPE_INT32, INT32_MIN, INT32_MAX },
		{ LY_TYPE_INT64, INT64_MIN, INT64_MAX },
		{ LY_TYPE_UINT8, 0, UINT8_MAX },
		{ LY_TYPE_UINT16, 0, UINT16_MAX },
		{ LY_TYPE_UINT32, 0, UINT32_MAX },
		{ LY_TYPE_UINT64, 0, UINT64_MAX },
	};
	size_t i;

	*lo = 0;
	*hi = UINT64_MAX;
	for (i = 0; i < SK_NELEM(b); i++) {
		if (b[i].t == t) {
			*lo = b[i].lo;
			*hi = b[i].hi;
		}
	}
}

/* cli_range - "1..65535" (or "1..10, 20..30") for a range of type t */
static void
cli_range(const struct lysc_range *r, LY_DATA_TYPE t, char *out, size_t cap)
{
	LY_ARRAY_COUNT_TYPE i;
	size_t len = 0;
	int64_t lo;
	uint64_t hi;
	int n;

	out[0] = '\0';
	if (r == NULL) {
		cli_int_bounds(t, &lo, &hi);
		if (cli_signed(t)) {
			snprintf(out, cap, "%" PRId64 "..%" PRId64, lo,
			    (int64_t)hi);
		} else {
			snprintf(out, cap, "0..%" PRIu64, hi);
		}
		return;
	}
	LY_ARRAY_FOR(r->parts, i)
	{
		if (cli_signed(t)) {
			n = snprintf(out + len, cap - len,
			    "%s%" PRId64 "..%" PRId64, i > 0 ? ", " : "",
			    r->parts[i].min_64, r->parts[i].max_64);
		} else {
			n = snprintf(out + len, cap - len,
			    "%s%" PRIu64 "..%" PRIu64, i > 0 ? ", " : "",
			    r->parts[i].min_u64, r->parts[i].max_u64);
		}
		if (n < 0 || (size_t)n >= cap - len) {
			return;
		}
		len += (size_t)n;
	}
}

/* cli_integer - whether the type is an integer type */
static int
cli_integer(LY_DATA_TYPE t)
{
	return t == LY_TYPE_UINT8 || t == LY_TYPE_UINT16 ||
	    t == LY_TYPE_UINT32 || t == LY_TYPE_UINT64 || t == LY_TYPE_INT8 ||
	    t == LY_TYPE_INT16 || t == LY_TYPE_INT32 || t == LY_TYPE_INT64;
}

/* cli_describe - the type in words: "integer 1..65535", "string, length
 * 1..253, pattern '...'", "one of: a b c", for help and errors */
static void
cli_describe(const struct lysc_type *t, char *out, size_t cap)
{
	char r[128];
	size_t len;
	LY_ARRAY_COUNT_TYPE i;

	out[0] = '\0';
	if (cli_integer(t->basetype)) {
		cli_range(((const struct lysc_type_num *)t)->range, t->basetype,
		    r, sizeof(r));
		snprintf(out, cap, "integer %s", r);
	} else if (t->basetype == LY_TYPE_STRING) {
		const struct lysc_type_str *s = (const void *)t;
		len = (size_t)snprintf(out, cap, "string");
		if (s->length != NULL && len < cap) {
			cli_range(s->length, LY_TYPE_UINT64, r, sizeof(r));
			len += (size_t)snprintf(out + len, cap - len,
			    ", length %s", r);
		}
		LY_ARRAY_FOR(s->patterns, i)
		{
			if (len < cap &&
			    strlen(s->patterns[i]->expr) <= CLI_PATTERN_SHOWN) {
				len += (size_t)snprintf(out + len, cap - len,
				    ", %spattern '%s'",
				    s->patterns[i]->inverted ? "not " : "",
				    s->patterns[i]->expr);
			}
		}
	} else if (t->basetype == LY_TYPE_ENUM) {
		const struct lysc_type_enum *e = (const void *)t;
		len = (size_t)snprintf(out, cap, "one of:");
		LY_ARRAY_FOR(e->enums, i)
		{
			if (len < cap) {
				len += (size_t)snprintf(out + len, cap - len,
				    " %s", e->enums[i].name);
			}
		}
	} else if (t->basetype == LY_TYPE_BOOL) {
		snprintf(out, cap, "true or false");
	} else if (t->basetype == LY_TYPE_LEAFREF) {
		const struct lysc_type_leafref *l = (const void *)t;
		len = (size_t)snprintf(out, cap, "a reference: ");
		if (len < cap) {
			cli_describe(l->realtype, out + len, cap - len);
		}
	} else if (t->basetype == LY_TYPE_UNION) {
		snprintf(out, cap, "%s", "an address, name or number (see ?)");
	} else if (t->basetype == LY_TYPE_DEC64) {
		snprintf(out, cap, "decimal number");
	} else if (t->basetype == LY_TYPE_EMPTY) {
		snprintf(out, cap, "no value");
	} else {
		snprintf(out, cap, "%s", "value");
	}
}

/* cli_bad_string - which rule of a string type value breaks: its length,
 * or a pattern (with the model's error-message when it has one) */
static void
cli_bad_string(const struct lysc_type_str *t, const char *value, char *msg,
    size_t msglen)
{
	uint64_t len = strlen(value);
	LY_ARRAY_COUNT_TYPE i;
	int fits = t->length == NULL;
	char r[128];

	for (i = 0; t->length != NULL && i < LY_ARRAY_COUNT(t->length->parts);
	     i++) {
		fits |= len >= t->length->parts[i].min_u64 &&
		    len <= t->length->parts[i].max_u64;
	}
	if (!fits) {
		cli_range(t->length, LY_TYPE_UINT64, r, sizeof(r));
		snprintf(msg, msglen, "invalid value: length out of range %s",
		    r);
		return;
	}
	LY_ARRAY_FOR(t->patterns, i)
	{
		if (t->patterns[i]->emsg != NULL) {
			snprintf(msg, msglen, "invalid value: %s",
			    t->patterns[i]->emsg);
			return;
		}
	}
	if (LY_ARRAY_COUNT(t->patterns) > 0 &&
	    strlen(t->patterns[0]->expr) <= CLI_PATTERN_SHOWN) {
		snprintf(msg, msglen,
		    "invalid value: does not match the pattern '%s'",
		    t->patterns[0]->expr);
		return;
	}
	snprintf(msg, msglen,
	    "invalid value: does not match the pattern of "
	    "the type");
}

/* cli_bad_value - why value breaks the type of n, as "invalid value: .." */
static void
cli_bad_value(const struct cli *c, const struct lysc_node *n, const char *value,
    char *msg, size_t msglen)
{
	const struct lysc_type *t = cli_type(n);
	const struct ly_err_item *e;
	char d[256], *end;
	int64_t lo;
	uint64_t hi;

	if (t->basetype == LY_TYPE_LEAFREF) {
		t = ((const struct lysc_type_leafref *)t)->realtype;
	}
	cli_describe(t, d, sizeof(d));
	if (cli_integer(t->basetype)) {
		cli_int_bounds(t->basetype, &lo, &hi);
		(void)strtoll(value, &end, 10);
		if (*value != '\0' && *end == '\0') {
			cli_range(((const struct lysc_type_num *)t)->range,
			    t->basetype, d, sizeof(d));
			snprintf(msg, msglen, "invalid value: out of range %s",
			    d);
			return;
		}
		snprintf(msg, msglen, "invalid value: not a number (%s)", d);
		return;
	}
	if (t->basetype == LY_TYPE_ENUM || t->basetype == LY_TYPE_BOOL) {
		snprintf(msg, msglen, "invalid value, expecting %s", d);
		return;
	}
	if (t->basetype == LY_TYPE_STRING) {
		cli_bad_string((const struct lysc_type_str *)t, value, msg,
		    msglen);
		return;
	}
	e = ly_err_last(c->ctx);
	snprintf(msg, msglen, "invalid value: %s",
	    e != NULL && e->msg != NULL ? e->msg : d);
}

/* cli_value_ok - whether value is valid for leaf, leaf-list or key n */
static int
cli_value_ok(const struct cli *c, const struct lysc_node *n, const char *value,
    char *msg, size_t msglen)
{
	LY_ERR r;

	ly_err_clean((struct ly_ctx *)(uintptr_t)c->ctx, NULL);
	r = lyd_value_validate(c->ctx, n, value, strlen(value), NULL, NULL,
	    NULL);
	/* a leafref's target is checked at commit (LY_EINCOMPLETE here) */
	if (r == LY_SUCCESS || r == LY_EINCOMPLETE) {
		return 1;
	}
	cli_bad_value(c, n, value, msg, msglen);
	return 0;
}

/* cli_quote_pred - "[name='v']" (or "..." when v has a ') */
static int
cli_pred(struct cli_walk *wk, const char *name, const char *v, char *msg,
    size_t msglen)
{
	char q = strchr(v, '\'') != NULL ? '"' : '\'';
	int n;

	if (q == '"' && strchr(v, '"') != NULL) {
		snprintf(msg, msglen,
		    "invalid value: it cannot hold both kinds of quotes");
		return 0;
	}
	n = snprintf(wk->data + wk->datalen, DS_PATH_MAX - wk->datalen,
	    "[%s=%c%s%c]", name, q, v, q);
	if (n < 0 || (size_t)n >= DS_PATH_MAX - wk->datalen) {
		wk->data[wk->datalen] = '\0';
		snprintf(msg, msglen, "path too long");
		return 0;
	}
	wk->datalen += (size_t)n;
	return 1;
}

/* cli_word_add - the word to the word path, quoted if it has spaces */
static int
cli_word_add(struct cli_walk *wk, const char *word)
{
	if (strpbrk(word, " \t{};\"") != NULL || word[0] == '\0') {
		return cli_add(wk->words, &wk->wordslen, " \"", word) &&
		    cli_add(wk->words, &wk->wordslen, "\"", "");
	}
	return cli_add(wk->words, &wk->wordslen, " ", word);
}

/* cli_walk_child - step onto a child node */
static enum sk_result
cli_walk_child(const struct cli *c, struct cli_walk *wk,
    const struct lysc_node *ch, char *msg, size_t msglen)
{
	const struct lysc_node *parent = wk->node;
	int ok;

	if (parent == NULL || parent->module != ch->module) {
		ok = cli_add(wk->data, &wk->datalen, "/", ch->module->name) &&
		    cli_add(wk->data, &wk->datalen, ":", ch->name);
	} else {
		ok = cli_add(wk->data, &wk->datalen, "/", ch->name);
	}
	if (!ok || !cli_word_add(wk, ch->name)) {
		snprintf(msg, msglen, "path too long");
		return SK_E_TOO_LONG;
	}
	wk->node = ch;
	if (ch->nodetype == LYS_CONTAINER) {
		cli_push(wk, ch);
	} else if (ch->nodetype == LYS_LIST) {
		wk->want = CLI_WANT_KEY;
		wk->key = cli_next_key(ch, NULL);
		if (wk->key == NULL) { /* a keyless list is state only */
			cli_push(wk, ch);
		}
	} else if (ch->nodetype == LYS_LEAF &&
	    cli_type(ch)->basetype == LY_TYPE_EMPTY) {
		wk->want = CLI_WANT_DONE;
	} else {
		wk->want = CLI_WANT_VALUE;
	}
	return SK_OK;
}

enum sk_result
cli_walk_word(const struct cli *c, struct cli_walk *wk, const char *word,
    char *msg, size_t msglen)
{
	const struct lysc_node *ch;

	switch (wk->want) {
	case CLI_WANT_CHILD:
		ch = cli_match(c, wk->node, word, msg, msglen);
		if (ch == NULL) {
			return SK_E_SYNTAX;
		}
		return cli_walk_child(c, wk, ch, msg, msglen);
	case CLI_WANT_KEY:
		if (!cli_value_ok(c, wk->key, word, msg, msglen) ||
		    !cli_pred(wk, wk->key->name, word, msg, msglen) ||
		    !cli_word_add(wk, word)) {
			return SK_E_SYNTAX;
		}
		wk->key = cli_next_key(wk->node, wk->key);
		if (wk->key == NULL) {
			cli_push(wk, wk->node);
		}
		return SK_OK;
	case CLI_WANT_VALUE:
		if (!cli_value_ok(c, wk->node, word, msg, msglen)) {
			return SK_E_SYNTAX;
		}
		wk->value = word;
		wk->want = CLI_WANT_DONE;
		if (wk->node->nodetype == LYS_LEAFLIST &&
		    wk->purpose != CLI_FOR_SET &&
		    !cli_pred(wk, ".", word, msg, msglen)) {
			return SK_E_SYNTAX;
		}
		return SK_OK;
	case CLI_WANT_DONE:
		break;
	}
	snprintf(msg, msglen, "syntax error, nothing may follow here");
	return SK_E_SYNTAX;
}

void
cli_walk_expect(const struct cli_walk *wk, char *msg, size_t msglen)
{
	switch (wk->want) {
	case CLI_WANT_KEY:
		snprintf(msg, msglen, "syntax error, expecting <%s>",
		    wk->key->name);
		break;
	case CLI_WANT_VALUE:
		snprintf(msg, msglen, "syntax error, expecting <%s>",
		    wk->node->name);
		break;
	case CLI_WANT_CHILD:
		snprintf(msg, msglen,
		    "syntax error, expecting a statement (type ? for them)");
		break;
	case CLI_WANT_DONE:
		msg[0] = '\0';
		break;
	}
}

int
cli_first_line(const char *s, int max)
{
	size_t n;

	if (s == NULL) {
		return 0;
	}
	n = strcspn(s, "\n");
	return n > (size_t)max ? max : (int)n;
}

const struct lyd_node *
cli_tree(const struct cli *c)
{
	const struct lyd_node *t = ds_candidate(c->s);

	return t != NULL ? t : ds_running(c->ds);
}

/* cli_cmp_cand - qsort order of candidates: by word */
static int
cli_cmp_cand(const void *a, const void *b)
{
	return strcmp(((const struct cli_cand *)a)->word,
	    ((const struct cli_cand *)b)->word);
}

/* cli_keys - the values of the first key of the list entries that exist
 * under the walk's path, as literal candidates */
static size_t
cli_keys(const struct cli *c, const struct cli_walk *wk, const char *prefix,
    struct cli_cand *out, size_t max, char *buf, size_t cap)
{
	const struct lyd_node *tree = cli_tree(c), *n;
	struct ly_set *set = NULL;
	size_t k = 0, used = 0, len;
	uint32_t i;
	const char *v;

	if (tree == NULL || wk->key != cli_next_key(wk->node, NULL) ||
	    lyd_find_xpath(tree, wk->data, &set) != LY_SUCCESS) {
		return 0;
	}
	for (i = 0; i < set->count && k < max; i++) {
		n = lyd_child(set->dnodes[i]);
		v = n != NULL ? lyd_get_value(n) : NULL;
		if (v == NULL || strncmp(v, prefix, strlen(prefix)) != 0 ||
		    (len = strlen(v) + 1) > cap - used) {
			continue;
		}
		memcpy(buf + used, v, len);
		out[k].word = buf + used;
		out[k].help = "";
		out[k].extra = NULL;
		out[k].literal = 1;
		used += len;
		k++;
	}
	ly_set_free(set, NULL);
	return k;
}

/* cli_values - candidates for a value of leaf n: enums, booleans (each
 * a literal), and always the <n> placeholder with the type */
static size_t
cli_values(const struct lysc_node *n, const char *prefix, struct cli_cand *out,
    size_t max, char *buf, size_t cap)
{
	const struct lysc_type *t = cli_type(n);
	size_t k = 0, plen = strlen(prefix), used;
	LY_ARRAY_COUNT_TYPE i;
	int len;

	if (t->basetype == LY_TYPE_LEAFREF) {
		t = ((const struct lysc_type_leafref *)t)->realtype;
	}
	if (t->basetype == LY_TYPE_ENUM) {
		const struct lysc_type_enum *e = (const void *)t;
		LY_ARRAY_FOR(e->enums, i)
		{
			if (k < max &&
			    strncmp(e->enums[i].name, prefix, plen) == 0) {
				out[k].word = e->enums[i].name;
				out[k].help = e->enums[i].dsc;
				out[k].extra = NULL;
				out[k++].literal = 1;
			}
		}
		return k;
	}
	if (t->basetype == LY_TYPE_BOOL) {
		static const char *const b[] = { "false", "true" };
		for (i = 0; i < 2; i++) {
			if (k < max && strncmp(b[i], prefix, plen) == 0) {
				out[k].word = b[i];
				out[k].help = "";
				out[k].extra = NULL;
				out[k++].literal = 1;
			}
		}
		return k;
	}
	len = snprintf(buf, cap, "<%s>", n->name);
	used = len > 0 && (size_t)len < cap ? (size_t)len + 1 : cap;
	if (used < cap && k < max) {
		cli_describe(t, buf + used, cap - used);
		out[k].word = buf;
		out[k].help = n->dsc;
		out[k].extra = buf + used;
		out[k++].literal = 0;
	}
	return k;
}

size_t
cli_walk_cands(const struct cli *c, const struct cli_walk *wk,
    const char *prefix, struct cli_cand *out, size_t max, char *buf,
    size_t bufcap)
{
	const struct lysc_node *ch[CLI_CANDIDATES_MAX];
	size_t n, i, k = 0, plen = strlen(prefix);

	switch (wk->want) {
	case CLI_WANT_CHILD:
		n = cli_children(c->ctx, wk->node, ch, CLI_CANDIDATES_MAX);
		for (i = 0; i < n && k < max; i++) {
			if (strncmp(ch[i]->name, prefix, plen) == 0) {
				out[k].word = ch[i]->name;
				out[k].help = ch[i]->dsc;
				out[k].extra = NULL;
				out[k++].literal = 1;
			}
		}
		qsort(out, k, sizeof(out[0]), cli_cmp_cand);
		return k;
	case CLI_WANT_KEY:
		/* enums and booleans are listed; a free value gets its
		 * placeholder and the entries that exist */
		k = cli_values(wk->key, prefix, out, max, buf, bufcap / 2);
		if (k == 1 && !out[0].literal) {
			k += cli_keys(c, wk, prefix, out + 1, max - 1,
			    buf + bufcap / 2, bufcap / 2);
		}
		return k;
	case CLI_WANT_VALUE:
		return cli_values(wk->node, prefix, out, max, buf, bufcap);
	case CLI_WANT_DONE:
		break;
	}
	return 0;
}

void
cli_help_lines(struct cli_text *out, const struct cli_cand *cand, size_t n)
{
	size_t i;

	cli_text_add(out, "Possible completions:\n");
	for (i = 0; i < n; i++) {
		cli_text_add(out, "  %-24s %.*s\n", cand[i].word,
		    cli_first_line(cand[i].help, CLI_HELP_COLS),
		    cand[i].help != NULL ? cand[i].help : "");
		if (cand[i].extra != NULL) {
			cli_text_add(out, "  %-24s (%s)\n", "", cand[i].extra);
		}
	}
}

size_t
cli_walk_help(const struct cli *c, const struct cli_walk *wk,
    const char *prefix, struct cli_text *out)
{
	struct cli_cand cand[CLI_CANDIDATES_MAX];
	char buf[2048];
	size_t n = cli_walk_cands(c, wk, prefix, cand, CLI_CANDIDATES_MAX, buf,
	    sizeof(buf));

	if (n > 0) {
		cli_help_lines(out, cand, n);
	}
	return n;
}
