/*
 * smtp_param.c - ESMTP parameters; see smtp_param.h.
 *
 * One table row per keyword: the extension that must have been offered,
 * the SMTP_P_ bit that catches duplicates, whether it takes a value, and
 * the function that checks and stores the value.
 */
#include <string.h>
#include <strings.h>

#include "smtp_param.h"

struct smtp_param_kv {
	const uint8_t *key, *val; /* val NULL when there is no "=" */
	size_t keylen, vallen;
};

/* what a value check may need: the offered extensions, the SIZE limit */
struct smtp_param_ctx {
	unsigned caps;
	uint64_t max_size;
};

typedef enum sk_result smtp_param_fn(const struct smtp_param_kv *, void *,
    const struct smtp_param_ctx *, enum smtp_reply_id *);

struct smtp_param_row {
	const char *name;
	unsigned ext;  /* SMTP_EXT_* that must be on */
	unsigned bit;  /* SMTP_P_* */
	int has_value; /* 1: "=value" required, 0: forbidden */
	smtp_param_fn *fn;
};

/* smtp_param_is - whether the value equals word, case-insensitively */
static int
smtp_param_is(const uint8_t *v, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp((const char *)v, word, n) == 0;
}

/* smtp_xtext_valid - RFC 3461 4: xchar = %d33-42 / %d44-60 / %d62-126 */
int
smtp_xtext_valid(const uint8_t *buf, size_t len)
{
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		if (buf[i] == '+') {
			for (k = 1; k <= 2; k++) {
				uint8_t h =
				    i + (size_t)k < len ? buf[i + k] : 0;

				if (!((h >= '0' && h <= '9') ||
					(h >= 'A' && h <= 'F'))) {
					return 0;
				}
			}
			i += 2;
		} else if (buf[i] < 33 || buf[i] > 126 || buf[i] == '=') {
			return 0;
		}
	}
	return 1;
}

/* smtp_xtext_decode - decode valid xtext into out[cap] */
enum sk_result
smtp_xtext_decode(const uint8_t *buf, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t i, n = 0;
	uint8_t hi, lo;

	*outlen = 0;
	if (!smtp_xtext_valid(buf, len)) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < len; i++) {
		if (n >= cap) {
			return SK_E_FULL;
		}
		if (buf[i] == '+') {
			hi = buf[i + 1];
			lo = buf[i + 2];
			hi = (uint8_t)(hi <= '9' ? hi - '0' : hi - 'A' + 10);
			lo = (uint8_t)(lo <= '9' ? lo - '0' : lo - 'A' + 10);
			out[n++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else {
			out[n++] = buf[i];
		}
	}
	*outlen = n;
	return SK_OK;
}

/* smtp_param_size - RFC 1870 6: SIZE=1*20DIGIT, overflow-safe */
static enum sk_result
smtp_param_size(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	struct smtp_mail_params *p = out;
	uint64_t v = 0;
	size_t i;
	unsigned d;

	for (i = 0; i < kv->vallen; i++) {
		if (kv->val[i] < '0' || kv->val[i] > '9') {
			*why = SMTP_R_PARAM_BAD;
			return SK_E_SYNTAX;
		}
		d = (unsigned)(kv->val[i] - '0');
		/* Beyond 64 bits: bigger than any limit we could have. */
		if (v > (UINT64_MAX - d) / 10) {
			*why = SMTP_R_SIZE_TOO_BIG;
			return SK_E_RANGE;
		}
		v = v * 10 + d;
	}
	p->size = v;
	/* RFC 1870 6.1: a declared size over our limit is refused now. */
	if (ctx->max_size > 0 && v > ctx->max_size) {
		*why = SMTP_R_SIZE_TOO_BIG;
		return SK_E_RANGE;
	}
	return SK_OK;
}

/* smtp_param_body - RFC 6152 2 / RFC 3030 3: BODY=7BIT|8BITMIME|... */
static enum sk_result
smtp_param_body(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	struct smtp_mail_params *p = out;

	if (smtp_param_is(kv->val, kv->vallen, "7BIT")) {
		p->body = SMTP_BODY_7BIT;
	} else if (smtp_param_is(kv->val, kv->vallen, "8BITMIME")) {
		p->body = SMTP_BODY_8BITMIME;
	} else if (smtp_param_is(kv->val, kv->vallen, "BINARYMIME") &&
	    (ctx->caps & SMTP_EXT_BINARYMIME)) {
		p->body = SMTP_BODY_BINARYMIME;
	} else {
		*why = SMTP_R_PARAM_BAD;
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* smtp_param_flag - SMTPUTF8 (RFC 6531 3.4): no value, nothing to store */
static enum sk_result
smtp_param_flag(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	(void)kv;
	(void)out;
	(void)ctx;
	(void)why;
	return SK_OK;
}

/* smtp_param_ret - RFC 3461 4.3: RET=FULL|HDRS */
static enum sk_result
smtp_param_ret(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	struct smtp_mail_params *p = out;

	(void)ctx;
	if (smtp_param_is(kv->val, kv->vallen, "FULL")) {
		p->ret = SMTP_RET_FULL;
	} else if (smtp_param_is(kv->val, kv->vallen, "HDRS")) {
		p->ret = SMTP_RET_HDRS;
	} else {
		*why = SMTP_R_PARAM_BAD;
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* smtp_param_envid - RFC 3461 4.4: ENVID=xtext, at most 100 characters */
static enum sk_result
smtp_param_envid(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	struct smtp_mail_params *p = out;

	(void)ctx;
	if (kv->vallen > SMTP_ENVID_MAX ||
	    !smtp_xtext_valid(kv->val, kv->vallen)) {
		*why = SMTP_R_PARAM_BAD;
		return SK_E_SYNTAX;
	}
	p->envid = kv->val;
	p->envidlen = kv->vallen;
	return SK_OK;
}

/* smtp_param_auth - RFC 4954 5: AUTH=<> or AUTH=xtext(addr-spec) */
static enum sk_result
smtp_param_auth(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	struct smtp_mail_params *p = out;

	(void)ctx;
	if (!(kv->vallen == 2 && kv->val[0] == '<' && kv->val[1] == '>') &&
	    (kv->vallen > SMTP_XTEXT_AUTH_MAX ||
		!smtp_xtext_valid(kv->val, kv->vallen))) {
		*why = SMTP_R_PARAM_BAD;
		return SK_E_SYNTAX;
	}
	p->auth = kv->val;
	p->authlen = kv->vallen;
	return SK_OK;
}

/* smtp_param_notify - RFC 3461 4.1: NEVER, or a list of the other three */
static enum sk_result
smtp_param_notify(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	static const struct {
		const char *name;
		unsigned bit;
	} words[] = {
		{ "NEVER", SMTP_NOTIFY_NEVER },
		{ "SUCCESS", SMTP_NOTIFY_SUCCESS },
		{ "FAILURE", SMTP_NOTIFY_FAILURE },
		{ "DELAY", SMTP_NOTIFY_DELAY },
	};
	struct smtp_rcpt_params *p = out;
	size_t i = 0, j, n, k;
	unsigned bit;

	(void)ctx;
	*why = SMTP_R_PARAM_BAD;
	while (i <= kv->vallen) {
		const uint8_t *w = kv->val + i, *comma;

		comma = memchr(w, ',', kv->vallen - i);
		n = comma != NULL ? (size_t)(comma - w) : kv->vallen - i;
		bit = 0;
		for (k = 0; k < SK_NELEM(words); k++) {
			if (smtp_param_is(w, n, words[k].name)) {
				bit = words[k].bit;
			}
		}
		if (bit == 0 || (p->notify & bit)) {
			return SK_E_SYNTAX;
		}
		p->notify |= bit;
		j = i + n;
		if (j == kv->vallen) {
			break;
		}
		i = j + 1;
	}
	/* NEVER stands alone. */
	if ((p->notify & SMTP_NOTIFY_NEVER) && p->notify != SMTP_NOTIFY_NEVER) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* smtp_param_orcpt - RFC 3461 4.2: ORCPT=addr-type ";" xtext */
static enum sk_result
smtp_param_orcpt(const struct smtp_param_kv *kv, void *out,
    const struct smtp_param_ctx *ctx, enum smtp_reply_id *why)
{
	struct smtp_rcpt_params *p = out;
	const uint8_t *semi;
	size_t n, i;

	(void)ctx;
	*why = SMTP_R_PARAM_BAD;
	if (kv->keylen + 1 + kv->vallen > SMTP_ORCPT_MAX) {
		return SK_E_SYNTAX;
	}
	semi = memchr(kv->val, ';', kv->vallen);
	if (semi == NULL || semi == kv->val) {
		return SK_E_SYNTAX;
	}
	n = (size_t)(semi - kv->val);
	/* addr-type = atom: here letters, digits and '-' (rfc822, utf-8). */
	for (i = 0; i < n; i++) {
		uint8_t c = kv->val[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-')) {
			return SK_E_SYNTAX;
		}
	}
	if (n + 1 == kv->vallen ||
	    !smtp_xtext_valid(semi + 1, kv->vallen - n - 1)) {
		return SK_E_SYNTAX;
	}
	p->orcpt_type = kv->val;
	p->orcpt_typelen = n;
	p->orcpt = semi + 1;
	p->orcptlen = kv->vallen - n - 1;
	return SK_OK;
}

static const struct smtp_param_row smtp_mail_rows[] = {
	{ "SIZE", SMTP_EXT_SIZE, SMTP_P_SIZE, 1, smtp_param_size },
	{ "BODY", SMTP_EXT_8BITMIME | SMTP_EXT_BINARYMIME, SMTP_P_BODY, 1,
	    smtp_param_body },
	{ "SMTPUTF8", SMTP_EXT_SMTPUTF8, SMTP_P_SMTPUTF8, 0, smtp_param_flag },
	{ "RET", SMTP_EXT_DSN, SMTP_P_RET, 1, smtp_param_ret },
	{ "ENVID", SMTP_EXT_DSN, SMTP_P_ENVID, 1, smtp_param_envid },
	{ "AUTH", SMTP_EXT_AUTH, SMTP_P_AUTH, 1, smtp_param_auth },
};

static const struct smtp_param_row smtp_rcpt_rows[] = {
	{ "NOTIFY", SMTP_EXT_DSN, SMTP_P_NOTIFY, 1, smtp_param_notify },
	{ "ORCPT", SMTP_EXT_DSN, SMTP_P_ORCPT, 1, smtp_param_orcpt },
};

/* smtp_param_split - one esmtp-param at buf[0..n) into kv */
static enum sk_result
smtp_param_split(const uint8_t *buf, size_t n, struct smtp_param_kv *kv)
{
	const uint8_t *eq = memchr(buf, '=', n);
	size_t i;

	kv->key = buf;
	kv->keylen = eq != NULL ? (size_t)(eq - buf) : n;
	kv->val = eq != NULL ? eq + 1 : NULL;
	kv->vallen = eq != NULL ? n - kv->keylen - 1 : 0;
	/* esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
	if (kv->keylen == 0 || buf[0] == '-') {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < kv->keylen; i++) {
		uint8_t c = buf[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-')) {
			return SK_E_SYNTAX;
		}
	}
	/* esmtp-value = 1*(%d33-60 / %d62-126) */
	if (eq != NULL && kv->vallen == 0) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < kv->vallen; i++) {
		if (kv->val[i] < 33 || kv->val[i] > 126 || kv->val[i] == '=') {
			return SK_E_SYNTAX;
		}
	}
	return SK_OK;
}

/* smtp_param_one - look up and apply one parameter */
static enum sk_result
smtp_param_one(const struct smtp_param_row *rows, size_t nrows,
    const struct smtp_param_kv *kv, const struct smtp_param_ctx *ctx,
    unsigned *have, void *out, enum smtp_reply_id *why)
{
	const struct smtp_param_row *row = NULL;
	size_t i;

	for (i = 0; i < nrows; i++) {
		if (smtp_param_is(kv->key, kv->keylen, rows[i].name) &&
		    (ctx->caps & rows[i].ext)) {
			row = &rows[i];
		}
	}
	if (row == NULL) {
		*why = SMTP_R_PARAM_UNKNOWN; /* RFC 5321 4.1.1.11: 555 */
		return SK_E_UNKNOWN;
	}
	if (*have & row->bit) {
		*why = SMTP_R_PARAM_DUP;
		return SK_E_SYNTAX;
	}
	if ((kv->val != NULL) != row->has_value) {
		*why = SMTP_R_PARAM_BAD;
		return SK_E_SYNTAX;
	}
	*have |= row->bit;
	return row->fn(kv, out, ctx, why);
}

/* smtp_param_walk - split buf at single SPs and apply each parameter */
static enum sk_result
smtp_param_walk(const uint8_t *buf, size_t len,
    const struct smtp_param_row *rows, size_t nrows,
    const struct smtp_param_ctx *ctx, unsigned *have, void *out,
    enum smtp_reply_id *why)
{
	struct smtp_param_kv kv;
	const uint8_t *sp;
	size_t i = 0, n;
	enum sk_result r;

	while (i < len) {
		sp = memchr(buf + i, ' ', len - i);
		n = sp != NULL ? (size_t)(sp - (buf + i)) : len - i;
		if (smtp_param_split(buf + i, n, &kv) != SK_OK) {
			*why = SMTP_R_PARAM_BAD;
			return SK_E_SYNTAX;
		}
		r = smtp_param_one(rows, nrows, &kv, ctx, have, out, why);
		if (r != SK_OK) {
			return r;
		}
		i += n;
		if (i < len) {
			i++; /* the SP */
			if (i == len) {
				*why = SMTP_R_PARAM_BAD;
				return SK_E_SYNTAX;
			}
		}
	}
	return SK_OK;
}

/* smtp_param_mail - parse MAIL parameters */
enum sk_result
smtp_param_mail(const uint8_t *buf, size_t len, unsigned caps,
    uint64_t max_size, struct smtp_mail_params *p)
{
	struct smtp_param_ctx ctx = { caps, max_size };

	memset(p, 0, sizeof(*p));
	return smtp_param_walk(buf, len, smtp_mail_rows,
	    SK_NELEM(smtp_mail_rows), &ctx, &p->have, p, &p->reply);
}

/* smtp_param_rcpt - parse RCPT parameters */
enum sk_result
smtp_param_rcpt(const uint8_t *buf, size_t len, unsigned caps,
    struct smtp_rcpt_params *p)
{
	struct smtp_param_ctx ctx = { caps, 0 };

	memset(p, 0, sizeof(*p));
	return smtp_param_walk(buf, len, smtp_rcpt_rows,
	    SK_NELEM(smtp_rcpt_rows), &ctx, &p->have, p, &p->reply);
}
