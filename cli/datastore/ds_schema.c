/*
 * ds_schema.c - the libyang context over the compiled-in modules of
 * cli/yang, strict parsing, whole-tree validation, JSON printing and
 * messages that name the data path and the rule.
 *
 * The context is firmware/config's (config_schema_new: the compiled-in
 * modules, no search directories), so the datastore and the daemons'
 * loader validate with exactly the same schema.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"

#define DS_TYPES_MODULE "sekimori-types"
#define DS_SECRET_EXT "secret"

/* ds_err - format a message into err: firmware/config's formatter (cut to
 * fit, printable ASCII only: libyang quotes input, which must not put
 * escapes on a console) */
void
ds_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_err_v(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * ds_parse - RFC 7951 JSON text buf[len] into *tree (NULL when empty).
 * Always strict (an unknown module or node is an error) and configuration
 * only. validate: the whole tree as a startup must be (every module, all
 * rules, defaults added); otherwise types, patterns and ranges only, as
 * for a load into the candidate (the rest waits for commit).
 */
enum sk_result
ds_parse(struct ly_ctx *ctx, const uint8_t *buf, size_t len, int validate,
    struct lyd_node **tree, char *err, size_t errlen)
{
	const uint8_t *nul;
	char *text;
	LY_ERR r;

	*tree = NULL;
	if (len > DS_FILE_MAX) {
		ds_err(err, errlen,
		    "%zu octets, more than the limit of %u (DS_FILE_MAX)", len,
		    DS_FILE_MAX);
		return SK_E_TOO_LONG;
	}
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		ds_err(err, errlen,
		    "NUL byte at offset %zu: a configuration is JSON text",
		    (size_t)(nul - buf));
		return SK_E_SYNTAX;
	}
	if (len == 0) {
		ds_err(err, errlen,
		    "empty file: a configuration is a JSON "
		    "object (RFC 7951)");
		return SK_E_SYNTAX;
	}
	/* libyang reads C strings: one copy with a NUL after it */
	if ((text = malloc(len + 1)) == NULL) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	ly_err_clean(ctx, NULL);
	r = lyd_parse_data_mem(ctx, text, LYD_JSON,
	    LYD_PARSE_STRICT | LYD_PARSE_NO_STATE |
		(validate ? 0 : LYD_PARSE_ONLY),
	    validate ? LYD_VALIDATE_NO_STATE : 0, tree);
	free(text);
	if (r != LY_SUCCESS) {
		config_lyerr(ctx, NULL, err, errlen);
		lyd_free_all(*tree);
		*tree = NULL;
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* ds_dup - a deep copy of a tree and its siblings (NULL stays NULL) */
enum sk_result
ds_dup(const struct lyd_node *tree, struct lyd_node **out)
{
	*out = NULL;
	if (tree == NULL) {
		return SK_OK;
	}
	if (lyd_dup_siblings(tree, NULL, LYD_DUP_RECURSIVE, out) !=
	    LY_SUCCESS) {
		return SK_E_FULL;
	}
	return SK_OK;
}

/* ds_validate - a validated copy of tree (defaults added) into *out, as
 * commit checks it: every module, every rule */
enum sk_result
ds_validate(struct ly_ctx *ctx, const struct lyd_node *tree,
    struct lyd_node **out, char *err, size_t errlen)
{
	struct lyd_node *copy;

	*out = NULL;
	if (ds_dup(tree, &copy) != SK_OK) {
		ds_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	ly_err_clean(ctx, NULL);
	if (lyd_validate_all(&copy, ctx, LYD_VALIDATE_NO_STATE, NULL) !=
	    LY_SUCCESS) {
		config_lyerr(ctx, NULL, err, errlen);
		lyd_free_all(copy);
		return SK_E_SYNTAX;
	}
	*out = copy;
	return SK_OK;
}

/* ds_print - tree as RFC 7951 JSON, explicit values only (*out malloc'd);
 * an empty tree is "{}" */
enum sk_result
ds_print(const struct lyd_node *tree, char **out)
{
	*out = NULL;
	if (tree == NULL) {
		*out = strdup("{}\n");
	} else if (lyd_print_mem(out, tree, LYD_JSON,
		       LYD_PRINT_WITHSIBLINGS | LYD_PRINT_WD_EXPLICIT) !=
	    LY_SUCCESS) {
		*out = NULL;
	} else if (*out == NULL || (*out)[0] == '\0') {
		free(*out); /* only defaults: nothing explicit */
		*out = strdup("{}\n");
	}
	return *out != NULL ? SK_OK : SK_E_FULL;
}

/* ds_is_secret - whether the schema node carries sk-t:secret */
int
ds_is_secret(const struct lysc_node *schema)
{
	LY_ARRAY_COUNT_TYPE i;

	if (schema == NULL) {
		return 0;
	}
	LY_ARRAY_FOR(schema->exts, i)
	{
		const struct lysc_ext *def = schema->exts[i].def;
		if (def != NULL && def->name != NULL &&
		    strcmp(def->name, DS_SECRET_EXT) == 0 &&
		    def->module != NULL &&
		    strcmp(def->module->name, DS_TYPES_MODULE) == 0) {
			return 1;
		}
	}
	return 0;
}
