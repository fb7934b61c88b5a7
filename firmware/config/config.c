/*
 * config.c - the schema (a libyang context over the compiled-in YANG
 * modules), strict parsing and validation of one config, and error
 * messages that name the data path and the rule. Copying the validated
 * tree into struct config is config_mail.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "config.h"
#include "config_int.h"
#include "config_yang.h"

/* The ietf-inet-types revision the sekimori modules are written against
 * (RFC 6991); libyang 2.1 builds it into every context. */
#define CONFIG_INET_TYPES "ietf-inet-types"
#define CONFIG_INET_REV "2013-07-15"

struct config_schema {
	struct ly_ctx *ctx;
};

/* config_err_v - fmt into err, printable ASCII only (config.h) */
void
config_err_v(char *err, size_t errlen, const char *fmt, va_list ap)
{
	char *p;

	if (err == NULL || errlen == 0) {
		return;
	}
	vsnprintf(err, errlen, fmt, ap);
	for (p = err; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			*p = '?';
		}
	}
}

/* config_err - format "config: ..." into err (config_err_v's rules) */
void
config_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0) {
		return;
	}
	n = snprintf(err, errlen, "config: ");
	if (n < 0 || (size_t)n >= errlen) {
		return;
	}
	va_start(ap, fmt);
	config_err_v(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* config_lyerr_put - config_err_v with its arguments inline */
static void config_lyerr_put(char *err, size_t errlen, const char *fmt, ...)
    SK_PRINTF(3, 4);
static void
config_lyerr_put(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_err_v(err, errlen, fmt, ap);
	va_end(ap);
}

/* config_schema_import - libyang's import callback: the embedded modules */
static LY_ERR
config_schema_import(const char *mod_name, const char *mod_rev,
    const char *submod_name, const char *submod_rev, void *user_data,
    LYS_INFORMAT *format, const char **module_data,
    ly_module_imp_data_free_clb *free_module_data)
{
	size_t i;

	if (submod_name != NULL) {
		return LY_ENOTFOUND; /* our modules have no submodules */
	}
	for (i = 0; i < config_yang_nmodules; i++) {
		if (strcmp(config_yang_modules[i].name, mod_name) == 0) {
			*format = LYS_IN_YANG;
			*module_data = config_yang_modules[i].text;
			*free_module_data = NULL;
			return LY_SUCCESS;
		}
	}
	return LY_ENOTFOUND;
}

/* config_schema_lyerr - the libyang error of ctx into err, after what */
static void
config_schema_lyerr(struct ly_ctx *ctx, const char *what, char *err,
    size_t errlen)
{
	const struct ly_err_item *e = ctx != NULL ? ly_err_last(ctx) : NULL;

	config_err(err, errlen, "%s: %s", what,
	    e != NULL && e->msg != NULL ? e->msg : "libyang failed");
}

struct ly_ctx *
config_schema_ctx(const struct config_schema *s)
{
	return s->ctx;
}

/* config_schema_new - a libyang context holding the compiled-in modules */
enum sk_result
config_schema_new(struct config_schema **out, char *err, size_t errlen)
{
	struct config_schema *s;
	struct lys_module *mod;
	size_t i;

	*out = NULL;
	/* libyang's logger is process-wide: keep the last error for
	 * ly_err_last and print nothing (libraries never log). */
	ly_log_options(LY_LOSTORE_LAST);
	ly_log_level(LY_LLERR);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		config_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	/* No search directories, not even the working directory: every
	 * module comes from the binary, so what validates is what was
	 * built, whatever lies around on the box. */
	if (ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY | LY_CTX_DISABLE_SEARCHDIRS,
		&s->ctx) != LY_SUCCESS) {
		config_err(err, errlen, "cannot create a libyang context");
		free(s);
		return SK_E_FULL;
	}
	ly_ctx_set_module_imp_clb(s->ctx, config_schema_import, NULL);
	if (ly_ctx_get_module(s->ctx, CONFIG_INET_TYPES, CONFIG_INET_REV) ==
	    NULL) {
		config_err(err, errlen,
		    "libyang lacks its built-in " CONFIG_INET_TYPES
		    "@" CONFIG_INET_REV);
		config_schema_free(s);
		return SK_E_UNKNOWN;
	}
	for (i = 0; i < config_yang_nmodules; i++) {
		mod = NULL;
		if (lys_parse_mem(s->ctx, config_yang_modules[i].text,
			LYS_IN_YANG, &mod) != LY_SUCCESS) {
			config_schema_lyerr(s->ctx, config_yang_modules[i].name,
			    err, errlen);
			config_schema_free(s);
			return SK_E_SYNTAX;
		}
	}
	*out = s;
	return SK_OK;
}

/* config_schema_free - free a schema from config_schema_new; NULL is ok */
void
config_schema_free(struct config_schema *s)
{
	if (s == NULL) {
		return;
	}
	ly_ctx_destroy(s->ctx);
	free(s);
}

/* config_lyerr - the last libyang error of ctx, path and line taken out */
void
config_lyerr(const struct ly_ctx *ctx, const char *what, char *err,
    size_t errlen)
{
	const struct ly_err_item *e = ly_err_last(ctx);
	const char *msg = "invalid data", *p, *q, *ln;
	char path[CONFIG_ERR_MAX] = "", line[32] = "";
	size_t n;

	if (e != NULL && e->msg != NULL) {
		msg = e->msg;
	}
	if (e != NULL && e->path != NULL) {
		p = e->path;
		if (strncmp(p, "Data location \"", 15) == 0 &&
		    (q = strchr(p + 15, '"')) != NULL) {
			n = (size_t)(q - (p + 15));
			n = n < sizeof(path) - 3 ? n : sizeof(path) - 3;
			memcpy(path, p + 15, n);
			memcpy(path + n, ": ", 3);
		} else if (strncmp(p, "Line number ", 12) != 0) {
			snprintf(path, sizeof(path), "%s: ", p);
		}
		if ((ln = strstr(p, "ine number ")) != NULL &&
		    (n = strspn(ln + 11, "0123456789")) > 0 && n < 12) {
			snprintf(line, sizeof(line), " (line %.*s)", (int)n,
			    ln + 11);
		}
	}
	config_lyerr_put(err, errlen, "%s%s%s%s%s", what != NULL ? what : "",
	    what != NULL ? ": " : "", path, msg, line);
}

/* config_parse - strict parse and validation into *tree (NULL if empty) */
static enum sk_result
config_parse(const struct config_schema *s, const uint8_t *buf, size_t len,
    struct lyd_node **tree, char *err, size_t errlen)
{
	const uint8_t *nul;
	char *text;
	LY_ERR r;

	if ((nul = memchr(buf, '\0', len)) != NULL) {
		config_err(err, errlen,
		    "NUL byte at offset %zu: a config is JSON text (RFC 7951)",
		    (size_t)(nul - buf));
		return SK_E_SYNTAX;
	}
	/* libyang wants a C string: one copy with a NUL appended */
	if ((text = malloc(len + 1)) == NULL) {
		config_err(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	ly_err_clean(s->ctx, NULL);
	/* As configuration data (yanglint -t config): no state data;
	 * strict: an unknown module or node is an error, never ignored;
	 * LYD_VALIDATE_PRESENT: only the modules with data in the file are
	 * validated (yanglint -e), so a mail-only file needs no system
	 * data, while a full startup config is checked as a whole. */
	r = lyd_parse_data_mem(s->ctx, text, LYD_JSON,
	    LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
	    LYD_VALIDATE_PRESENT | LYD_VALIDATE_NO_STATE, tree);
	free(text);
	if (r != LY_SUCCESS) {
		config_lyerr(s->ctx, "config", err, errlen);
		lyd_free_all(*tree);
		*tree = NULL;
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* config_load - validate one config and copy it into *cfg */
enum sk_result
config_load(const struct config_schema *s, const uint8_t *buf, size_t len,
    struct config *cfg, char *err, size_t errlen)
{
	struct lyd_node *tree = NULL;
	enum sk_result r;

	memset(cfg, 0, sizeof(*cfg));
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if (len > CONFIG_FILE_MAX) {
		config_err(err, errlen,
		    "%zu octets, more than the limit of %u (CONFIG_FILE_MAX)",
		    len, CONFIG_FILE_MAX);
		return SK_E_TOO_LONG;
	}
	if (len == 0) {
		config_err(err, errlen,
		    "empty input: a config is a JSON "
		    "object with sekimori-mail:mail data");
		return SK_E_SYNTAX;
	}
	if ((r = config_parse(s, buf, len, &tree, err, errlen)) != SK_OK) {
		return r;
	}
	r = config_mail_copy(tree, cfg, err, errlen);
	lyd_free_all(tree);
	if (r != SK_OK) {
		memset(cfg, 0, sizeof(*cfg));
	}
	return r;
}

/* config_read - the whole file at path into a new buffer (caller frees) */
static enum sk_result
config_read(const char *path, uint8_t **out, size_t *outlen, char *err,
    size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		config_err(err, errlen, "%s: %s", path, strerror(errno));
		return SK_E_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		config_err(err, errlen, "%s: not a regular file", path);
		close(fd);
		return SK_E_IO;
	}
	if (st.st_size > (off_t)CONFIG_FILE_MAX) {
		config_err(err, errlen,
		    "%s: %lld octets, more than the limit of %u "
		    "(CONFIG_FILE_MAX)",
		    path, (long long)st.st_size, CONFIG_FILE_MAX);
		close(fd);
		return SK_E_TOO_LONG;
	}
	/* One octet more than the limit: a file that grows while it is
	 * read is caught by config_load's size check, not cut short. */
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		config_err(err, errlen, "out of memory");
		close(fd);
		return SK_E_FULL;
	}
	while (len < CONFIG_FILE_MAX + 1 &&
	    (n = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			config_err(err, errlen, "%s: %s", path,
			    strerror(errno));
			free(buf);
			close(fd);
			return SK_E_IO;
		}
		len += (size_t)n;
	}
	close(fd);
	*out = buf;
	*outlen = len;
	return SK_OK;
}

/* config_load_file - config_load over the file at path */
enum sk_result
config_load_file(const struct config_schema *s, const char *path,
    struct config *cfg, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	enum sk_result r;

	memset(cfg, 0, sizeof(*cfg));
	if ((r = config_read(path, &buf, &len, err, errlen)) != SK_OK) {
		return r;
	}
	r = config_load(s, buf, len, cfg, err, errlen);
	free(buf);
	return r;
}
