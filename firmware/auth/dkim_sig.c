/*
 * dkim_sig.c - DKIM-Signature and key record tag lists (RFC 6376 3.2, 3.5,
 * 3.6.1), base64 with FWS (lib/base64.h), strict DER for RSA public keys.
 */
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "dkim_sig.h"
#include "dkim_verify.h"

struct dkim_tag {
	const uint8_t *name;
	size_t nlen;
	const uint8_t *val; /* FWS trimmed at both ends */
	size_t vlen;
	size_t val_off; /* offset of val in the list */
};

static int
dkim_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* dkim_fws - skip FWS at *pos (RFC 5322 3.2.2: CRLF only before WSP);
 * -1 on a CR or LF that is no fold */
static int
dkim_fws(const uint8_t *b, size_t len, size_t *pos)
{
	size_t i = *pos;

	for (;;) {
		if (i < len && dkim_wsp(b[i])) {
			i++;
		} else if (i + 2 < len && b[i] == '\r' && b[i + 1] == '\n' &&
		    dkim_wsp(b[i + 2])) {
			i += 3;
		} else if (i < len && (b[i] == '\r' || b[i] == '\n')) {
			return -1;
		} else {
			break;
		}
	}
	*pos = i;
	return 0;
}

static int
dkim_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
dkim_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* dkim_tag_next - the next tag-spec of a tag-list (RFC 6376 3.2);
 * SK_END after the last */
static enum sk_result
dkim_tag_next(const uint8_t *b, size_t len, size_t *pos, struct dkim_tag *t)
{
	size_t i = *pos, end;

	if (dkim_fws(b, len, &i) != 0) {
		return SK_E_SYNTAX;
	}
	if (i == len) {
		return SK_END;
	}
	/* tag-name = ALPHA *ALNUMPUNC */
	if (!dkim_alpha(b[i])) {
		return SK_E_SYNTAX;
	}
	t->name = b + i;
	while (
	    i < len && (dkim_alpha(b[i]) || dkim_digit(b[i]) || b[i] == '_')) {
		i++;
	}
	t->nlen = (size_t)(b + i - t->name);
	if (dkim_fws(b, len, &i) != 0 || i == len || b[i] != '=') {
		return SK_E_SYNTAX;
	}
	i++;
	if (dkim_fws(b, len, &i) != 0) {
		return SK_E_SYNTAX;
	}
	/* tag-value = [ tval *( 1*(WSP / FWS) tval ) ], VALCHAR %x21-3A /
	 * %x3C-7E */
	t->val = b + i;
	t->val_off = i;
	end = i;
	while (i < len && b[i] != ';') {
		if (b[i] >= 0x21 && b[i] <= 0x7e) {
			i++;
			end = i;
		} else {
			size_t before = i;

			/* FWS between tvals; anything else (a control or
			 * 8-bit octet) is a syntax error */
			if (dkim_fws(b, len, &i) != 0 || i == before) {
				return SK_E_SYNTAX;
			}
		}
	}
	t->vlen = end - t->val_off;
	if (i < len) {
		i++; /* the ";" */
	}
	*pos = i;
	return SK_OK;
}

static int
dkim_tag_is(const struct dkim_tag *t, const char *name)
{
	return t->nlen == strlen(name) && memcmp(t->name, name, t->nlen) == 0;
}

static int
dkim_val_is(const struct dkim_tag *t, const char *v)
{
	return t->vlen == strlen(v) && memcmp(t->val, v, t->vlen) == 0;
}

static int
dkim_ieq(const uint8_t *a, size_t alen, const char *b)
{
	size_t i;

	if (alen != strlen(b)) {
		return 0;
	}
	for (i = 0; i < alen; i++) {
		uint8_t c = a[i];

		if (c >= 'A' && c <= 'Z') {
			c = (uint8_t)(c - 'A' + 'a');
		}
		if (c != (uint8_t)b[i]) {
			return 0;
		}
	}
	return 1;
}

/* dkim_number - 1*maxdigits DIGIT into *out */
static enum sk_result
dkim_number(const struct dkim_tag *t, size_t maxdigits, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (t->vlen == 0 || t->vlen > maxdigits) {
		return t->vlen == 0 ? SK_E_SYNTAX : SK_E_RANGE;
	}
	for (i = 0; i < t->vlen; i++) {
		if (!dkim_digit(t->val[i])) {
			return SK_E_SYNTAX;
		}
		if (v > (UINT64_MAX - 9) / 10) {
			return SK_E_RANGE;
		}
		v = v * 10 + (uint64_t)(t->val[i] - '0');
	}
	*out = v;
	return SK_OK;
}

/* dkim_domain - a domain name of LDH labels (RFC 6376 3.5 d=, s=), copied */
static enum sk_result
dkim_domain(const uint8_t *v, size_t len, char *out, int underscore)
{
	size_t i, label = 0;

	if (len == 0 || len > DKIM_DOMAIN_MAX) {
		return len == 0 ? SK_E_SYNTAX : SK_E_TOO_LONG;
	}
	for (i = 0; i < len; i++) {
		uint8_t c = v[i];

		if (c == '.') {
			if (label == 0 || v[i - 1] == '-') {
				return SK_E_SYNTAX;
			}
			label = 0;
			continue;
		}
		if (!dkim_alpha(c) && !dkim_digit(c) && c != '-' &&
		    !(underscore && c == '_')) {
			return SK_E_SYNTAX;
		}
		if ((c == '-' && label == 0) || ++label > 63) {
			return SK_E_SYNTAX;
		}
	}
	if (label == 0 || v[len - 1] == '-') {
		return SK_E_SYNTAX;
	}
	memcpy(out, v, len); /* only a valid name is kept */
	out[len] = '\0';
	return SK_OK;
}

/* dkim_hlist - h= (RFC 6376 3.5): hdr-name *( *FWS ":" *FWS hdr-name ) */
static enum sk_result
dkim_hlist(struct dkim_sig *sig, const struct dkim_tag *t)
{
	size_t i = 0, start, used = 0;
	int have_from = 0;

	sig->nh = 0;
	for (;;) {
		if (dkim_fws(t->val, t->vlen, &i) != 0) {
			return SK_E_SYNTAX;
		}
		start = i;
		/* RFC 5322 ftext: printable except ":" */
		while (i < t->vlen && t->val[i] >= 0x21 && t->val[i] <= 0x7e &&
		    t->val[i] != ':') {
			i++;
		}
		if (i == start) {
			return SK_E_SYNTAX;
		}
		if (sig->nh == DKIM_H_NAMES_MAX ||
		    used + (i - start) > DKIM_H_TEXT_MAX) {
			return SK_E_TOO_LONG;
		}
		memcpy(sig->h_text + used, t->val + start, i - start);
		sig->h_off[sig->nh] = (uint16_t)used;
		sig->h_len[sig->nh] = (uint16_t)(i - start);
		have_from |= dkim_ieq(t->val + start, i - start, "from");
		used += i - start;
		sig->nh++;
		if (dkim_fws(t->val, t->vlen, &i) != 0) {
			return SK_E_SYNTAX;
		}
		if (i == t->vlen) {
			break;
		}
		if (t->val[i] != ':') {
			return SK_E_SYNTAX;
		}
		i++;
	}
	/* RFC 6376 5.4: "The From header field MUST be signed" */
	return have_from ? SK_OK : SK_E_SYNTAX;
}

/* dkim_auid - i= (RFC 6376 3.5): [local-part] "@" domain, within d= */
static enum sk_result
dkim_auid(struct dkim_sig *sig, const struct dkim_tag *t)
{
	const uint8_t *at = NULL;
	char dom[DKIM_DOMAIN_MAX + 1];
	size_t i, dlen, n = strlen(sig->d);

	for (i = 0; i < t->vlen; i++) {
		if (t->val[i] == '@') {
			at = t->val + i;
		}
	}
	if (at == NULL || t->vlen > DKIM_AUID_MAX) {
		return at == NULL ? SK_E_SYNTAX : SK_E_TOO_LONG;
	}
	dlen = (size_t)(t->val + t->vlen - at - 1);
	if (dkim_domain(at + 1, dlen, dom, 0) != SK_OK) {
		return SK_E_SYNTAX;
	}
	/* RFC 6376 3.5: the domain of i= MUST be d= or a subdomain of it */
	if (dlen < n || strncasecmp(dom + dlen - n, sig->d, n) != 0 ||
	    (dlen > n && dom[dlen - n - 1] != '.')) {
		return SK_E_RANGE;
	}
	memcpy(sig->i, t->val, t->vlen);
	sig->i[t->vlen] = '\0';
	return SK_OK;
}

/* dkim_canon_tag - c= (RFC 6376 3.5): header[/body], default simple */
static enum sk_result
dkim_canon_tag(struct dkim_sig *sig, const struct dkim_tag *t)
{
	const uint8_t *slash = memchr(t->val, '/', t->vlen);
	size_t hl = slash != NULL ? (size_t)(slash - t->val) : t->vlen;
	struct dkim_tag h = *t, b = *t;

	h.vlen = hl;
	if (dkim_val_is(&h, "simple")) {
		sig->hcanon = DKIM_CANON_SIMPLE;
	} else if (dkim_val_is(&h, "relaxed")) {
		sig->hcanon = DKIM_CANON_RELAXED;
	} else {
		return SK_E_UNKNOWN;
	}
	sig->bcanon = DKIM_CANON_SIMPLE;
	if (slash == NULL) {
		return SK_OK;
	}
	b.val = slash + 1;
	b.vlen = t->vlen - hl - 1;
	if (dkim_val_is(&b, "simple")) {
		sig->bcanon = DKIM_CANON_SIMPLE;
	} else if (dkim_val_is(&b, "relaxed")) {
		sig->bcanon = DKIM_CANON_RELAXED;
	} else {
		return SK_E_UNKNOWN;
	}
	return SK_OK;
}

/* dkim_qlist - q= (RFC 6376 3.5): a colon list that must hold dns/txt */
static enum sk_result
dkim_qlist(const struct dkim_tag *t)
{
	size_t i = 0, start;

	while (i <= t->vlen) {
		start = i;
		while (i < t->vlen && t->val[i] != ':') {
			i++;
		}
		if (i - start == 7 &&
		    memcmp(t->val + start, "dns/txt", 7) == 0) {
			return SK_OK;
		}
		i++;
	}
	return SK_E_UNKNOWN;
}

/* the tags of a signature, for the duplicate check (RFC 6376 3.2); cv= is
 * ARC's (RFC 8617 4.1.3) */
static const char *const dkim_sig_tags[] = { "v", "a", "b", "bh", "c", "d", "h",
	"i", "l", "q", "s", "t", "x", "z", "cv" };

#define DKIM_T(k) (1u << (k))
#define DKIM_T_V DKIM_T(0)
#define DKIM_T_A DKIM_T(1)
#define DKIM_T_B DKIM_T(2)
#define DKIM_T_BH DKIM_T(3)
#define DKIM_T_D DKIM_T(5)
#define DKIM_T_H DKIM_T(6)
#define DKIM_T_I DKIM_T(7)
#define DKIM_T_S DKIM_T(10)
#define DKIM_T_T DKIM_T(11)
#define DKIM_T_CV DKIM_T(14)
#define DKIM_T_ALL 0x7fffu

/* per kind: the tags it uses (others are ignored as unknown, RFC 6376
 * 3.2) and those it requires (RFC 6376 6.1.1, RFC 8617 4.1.2, 4.1.3) */
static const struct {
	uint32_t used, required;
} dkim_kinds[] = {
	[DKIM_SIG_DKIM] = { DKIM_T_ALL & ~DKIM_T_CV,
	    DKIM_T_V | DKIM_T_A | DKIM_T_B | DKIM_T_BH | DKIM_T_D | DKIM_T_H |
		DKIM_T_S },
	/* RFC 8617 4.1.2: no v= (ignored if seen), i= is the instance */
	[DKIM_SIG_AMS] = { DKIM_T_ALL & ~DKIM_T_CV & ~DKIM_T_V,
	    DKIM_T_A | DKIM_T_B | DKIM_T_BH | DKIM_T_D | DKIM_T_H | DKIM_T_S |
		DKIM_T_I },
	/* RFC 8617 4.1.3: h= is looked at only to refuse it */
	[DKIM_SIG_AS] = { DKIM_T_I | DKIM_T_CV | DKIM_T_A | DKIM_T_B |
		DKIM_T_D | DKIM_T_S | DKIM_T_T | DKIM_T_H,
	    DKIM_T_I | DKIM_T_CV | DKIM_T_A | DKIM_T_B | DKIM_T_D | DKIM_T_S },
};

static enum sk_result
dkim_sig_fail(struct dkim_sig *sig, enum sk_result r, const char *why)
{
	sig->err = why;
	return r;
}

/* dkim_sig_tag - store one known tag; i= is checked after d= is known */
static enum sk_result
dkim_sig_tag(struct dkim_sig *sig, const struct dkim_tag *t, size_t base)
{
	enum sk_result r = SK_OK;

	if (dkim_tag_is(t, "v")) {
		/* RFC 6376 3.5: v=1; other versions are not DKIM-Signatures
		 * we can verify */
		return dkim_val_is(t, "1") ?
		    SK_OK :
		    dkim_sig_fail(sig, SK_E_UNKNOWN, "v= is not 1");
	} else if (dkim_tag_is(t, "a")) {
		if (dkim_val_is(t, "rsa-sha256")) {
			sig->alg = DKIM_ALG_RSA_SHA256;
		} else if (dkim_val_is(t, "ed25519-sha256")) {
			sig->alg = DKIM_ALG_ED25519_SHA256;
		} else if (dkim_val_is(t, "rsa-sha1")) {
			sig->alg = DKIM_ALG_RSA_SHA1;
		} else {
			return dkim_sig_fail(sig, SK_E_UNKNOWN,
			    "unknown algorithm a=");
		}
	} else if (dkim_tag_is(t, "b")) {
		r = base64_decode(t->val, t->vlen, BASE64_SKIP_WHITESPACE,
		    sig->b, sizeof(sig->b), &sig->blen);
		sig->b_val_off = base + t->val_off;
		sig->b_val_len = t->vlen;
		if (r == SK_OK && sig->blen == 0) {
			r = SK_E_SYNTAX;
		}
	} else if (dkim_tag_is(t, "bh")) {
		r = base64_decode(t->val, t->vlen, BASE64_SKIP_WHITESPACE,
		    sig->bh, sizeof(sig->bh), &sig->bhlen);
	} else if (dkim_tag_is(t, "c")) {
		r = dkim_canon_tag(sig, t);
	} else if (dkim_tag_is(t, "d")) {
		r = dkim_domain(t->val, t->vlen, sig->d, 0);
	} else if (dkim_tag_is(t, "h")) {
		r = dkim_hlist(sig, t);
	} else if (dkim_tag_is(t, "l")) {
		r = dkim_number(t, DKIM_L_DIGITS_MAX, &sig->l);
		sig->has_l = 1;
	} else if (dkim_tag_is(t, "q")) {
		r = dkim_qlist(t);
	} else if (dkim_tag_is(t, "s")) {
		/* selectors may hold "_" labels in practice; DNS allows it */
		r = dkim_domain(t->val, t->vlen, sig->s, 1);
	} else if (dkim_tag_is(t, "t")) {
		r = dkim_number(t, DKIM_TIME_DIGITS_MAX, &sig->t);
		sig->has_t = 1;
	} else if (dkim_tag_is(t, "x")) {
		r = dkim_number(t, DKIM_TIME_DIGITS_MAX, &sig->x);
		sig->has_x = 1;
	}
	if (r != SK_OK) {
		return dkim_sig_fail(sig, r, "bad tag value");
	}
	return SK_OK;
}

/* dkim_arc_tag - i= (the instance) and cv= of ARC fields (RFC 8617 4.2.1,
 * 4.1.3) */
static enum sk_result
dkim_arc_tag(struct dkim_sig *sig, const struct dkim_tag *t)
{
	uint64_t v;

	if (dkim_tag_is(t, "i")) {
		if (dkim_number(t, 2, &v) != SK_OK || v < 1 ||
		    v > DKIM_ARC_INSTANCE_MAX) {
			return dkim_sig_fail(sig, SK_E_RANGE,
			    "i= is no instance 1 to 50");
		}
		sig->instance = (unsigned)v;
	} else if (dkim_tag_is(t, "h")) {
		return dkim_sig_fail(sig, SK_E_SYNTAX, "h= in an ARC-Seal");
	} else if (dkim_ieq(t->val, t->vlen, "none")) {
		sig->cv = DKIM_ARC_CV_NONE;
	} else if (dkim_ieq(t->val, t->vlen, "pass")) {
		sig->cv = DKIM_ARC_CV_PASS;
	} else if (dkim_ieq(t->val, t->vlen, "fail")) {
		sig->cv = DKIM_ARC_CV_FAIL;
	} else {
		return dkim_sig_fail(sig, SK_E_UNKNOWN, "unknown cv=");
	}
	return SK_OK;
}

/* dkim_sig_parse - a DKIM-Signature field value (RFC 6376 3.5) */
enum sk_result
dkim_sig_parse(struct dkim_sig *sig, const uint8_t *buf, size_t len)
{
	return dkim_sig_parse_kind(sig, buf, len, DKIM_SIG_DKIM);
}

/* dkim_sig_parse_kind - the tag list of a DKIM-Signature, an
 * ARC-Message-Signature or an ARC-Seal */
enum sk_result
dkim_sig_parse_kind(struct dkim_sig *sig, const uint8_t *buf, size_t len,
    enum dkim_sig_kind kind)
{
	struct dkim_tag t, itag;
	uint32_t seen = 0, used = dkim_kinds[kind].used;
	size_t pos = 0, k;
	enum sk_result r;
	int have_i = 0;

	memset(sig, 0, sizeof(*sig));
	memset(&itag, 0, sizeof(itag));
	if (len > DKIM_SIG_FIELD_MAX) {
		return dkim_sig_fail(sig, SK_E_TOO_LONG, "field too long");
	}
	while ((r = dkim_tag_next(buf, len, &pos, &t)) == SK_OK) {
		for (k = 0; k < SK_NELEM(dkim_sig_tags); k++) {
			if (dkim_tag_is(&t, dkim_sig_tags[k])) {
				break;
			}
		}
		if (k == SK_NELEM(dkim_sig_tags) || !(used & DKIM_T(k))) {
			continue; /* RFC 6376 3.2: unknown tags are ignored */
		}
		if (seen & DKIM_T(k)) {
			return dkim_sig_fail(sig, SK_E_SYNTAX, "duplicate tag");
		}
		seen |= DKIM_T(k);
		if (kind != DKIM_SIG_DKIM &&
		    (dkim_tag_is(&t, "i") || dkim_tag_is(&t, "cv") ||
			(kind == DKIM_SIG_AS && dkim_tag_is(&t, "h")))) {
			if ((r = dkim_arc_tag(sig, &t)) != SK_OK) {
				return r;
			}
			continue;
		}
		if (dkim_tag_is(&t, "i")) {
			itag = t;
			have_i = 1;
			continue;
		}
		if ((r = dkim_sig_tag(sig, &t, 0)) != SK_OK) {
			return r;
		}
	}
	if (r != SK_END) {
		return dkim_sig_fail(sig, SK_E_SYNTAX, "tag-list syntax");
	}
	if ((seen & dkim_kinds[kind].required) != dkim_kinds[kind].required) {
		return dkim_sig_fail(sig, SK_E_SYNTAX, "required tag missing");
	}
	if (kind != DKIM_SIG_AS && sig->alg != DKIM_ALG_RSA_SHA1 &&
	    sig->bhlen != DKIM_BH_MAX) {
		return dkim_sig_fail(sig, SK_E_SYNTAX, "bh= is no SHA-256");
	}
	if (have_i) {
		if ((r = dkim_auid(sig, &itag)) != SK_OK) {
			return dkim_sig_fail(sig, r, "i= not within d=");
		}
	} else {
		sig->i[0] = '@';
		memcpy(sig->i + 1, sig->d, strlen(sig->d) + 1);
	}
	/* RFC 6376 3.5 x=: MUST be greater than t= (equal is tolerated) */
	if (sig->has_t && sig->has_x && sig->x < sig->t) {
		return dkim_sig_fail(sig, SK_E_RANGE, "x= before t=");
	}
	return SK_OK;
}

/* dkim_flag_in - a colon-separated list (RFC 6376 3.6.1) holds word */
static int
dkim_flag_in(const struct dkim_tag *t, const char *word)
{
	size_t i = 0, start, end, wl = strlen(word);

	while (i <= t->vlen) {
		if (dkim_fws(t->val, t->vlen, &i) != 0) {
			return 0;
		}
		start = i;
		while (i < t->vlen && t->val[i] != ':') {
			i++;
		}
		end = i;
		while (end > start && dkim_wsp(t->val[end - 1])) {
			end--;
		}
		if (end - start == wl &&
		    memcmp(t->val + start, word, wl) == 0) {
			return 1;
		}
		i++;
	}
	return 0;
}

static enum sk_result
dkim_key_fail(struct dkim_key *key, enum sk_result r, const char *why)
{
	key->err = why;
	return r;
}

static const char *const dkim_key_tags[] = { "v", "h", "k", "n", "p", "s",
	"t" };

/* dkim_key_parse - a key record (RFC 6376 3.6.1, RFC 8463 4) */
enum sk_result
dkim_key_parse(struct dkim_key *key, const uint8_t *buf, size_t len)
{
	struct dkim_tag t;
	uint32_t seen = 0;
	size_t pos = 0, k, ntag = 0;
	enum sk_result r;

	memset(key, 0, sizeof(*key));
	key->sha256_ok = 1;
	while ((r = dkim_tag_next(buf, len, &pos, &t)) == SK_OK) {
		ntag++;
		for (k = 0; k < SK_NELEM(dkim_key_tags); k++) {
			if (dkim_tag_is(&t, dkim_key_tags[k])) {
				break;
			}
		}
		if (k == SK_NELEM(dkim_key_tags)) {
			continue;
		}
		if (seen & (1u << k)) {
			return dkim_key_fail(key, SK_E_SYNTAX, "duplicate tag");
		}
		seen |= 1u << k;
		if (dkim_tag_is(&t, "v")) {
			/* RFC 6376 3.6.1: if present, first, and DKIM1 */
			if (ntag != 1 || !dkim_val_is(&t, "DKIM1")) {
				return dkim_key_fail(key, SK_E_SYNTAX,
				    "v= is not DKIM1 first");
			}
		} else if (dkim_tag_is(&t, "h")) {
			key->sha256_ok = dkim_flag_in(&t, "sha256");
		} else if (dkim_tag_is(&t, "k")) {
			if (dkim_val_is(&t, "rsa")) {
				key->k = DKIM_KEY_RSA;
			} else if (dkim_val_is(&t, "ed25519")) {
				key->k = DKIM_KEY_ED25519;
			} else {
				return dkim_key_fail(key, SK_E_UNKNOWN,
				    "unknown key type k=");
			}
		} else if (dkim_tag_is(&t, "p")) {
			r = base64_decode(t.val, t.vlen, BASE64_SKIP_WHITESPACE,
			    key->p, sizeof(key->p), &key->plen);
			if (r != SK_OK) {
				return dkim_key_fail(key, r, "bad p=");
			}
			key->revoked = key->plen == 0;
		} else if (dkim_tag_is(&t, "s")) {
			if (!dkim_flag_in(&t, "*") &&
			    !dkim_flag_in(&t, "email")) {
				return dkim_key_fail(key, SK_E_UNKNOWN,
				    "key not for email (s=)");
			}
		} else if (dkim_tag_is(&t, "t")) {
			key->testing = dkim_flag_in(&t, "y");
			key->strict = dkim_flag_in(&t, "s");
		}
	}
	if (r != SK_END) {
		return dkim_key_fail(key, SK_E_SYNTAX, "tag-list syntax");
	}
	if (!(seen & (1u << 4))) {
		return dkim_key_fail(key, SK_E_SYNTAX, "no p= tag");
	}
	return SK_OK;
}

/* dkim_der_get - one DER TLV of the given tag (X.690 8.1, 10.1: definite,
 * minimal lengths) */
enum sk_result
dkim_der_get(struct dkim_der *d, uint8_t tag, struct dkim_der *out)
{
	size_t n, i = 2, nl;

	if (d->len < 2 || d->p[0] != tag) {
		return SK_E_SYNTAX;
	}
	n = d->p[1];
	if (n & 0x80) {
		nl = n & 0x7f;
		if (nl == 0 || nl > 2 || d->len < 2 + nl) {
			return SK_E_SYNTAX; /* indefinite or huge */
		}
		n = 0;
		for (; i < 2 + nl; i++) {
			n = (n << 8) | d->p[i];
		}
		if (n < 0x80 || (nl == 2 && n < 0x100)) {
			return SK_E_SYNTAX; /* not minimal */
		}
	}
	if (n > d->len - i) {
		return SK_E_SYNTAX;
	}
	out->p = d->p + i;
	out->len = n;
	d->p += i + n;
	d->len -= i + n;
	return SK_OK;
}

/* dkim_der_uint - a positive INTEGER, minimal, leading zero removed */
static enum sk_result
dkim_der_uint(struct dkim_der *d, const uint8_t **p, size_t *len)
{
	struct dkim_der v;

	if (dkim_der_get(d, 0x02, &v) != SK_OK || v.len == 0 ||
	    (v.p[0] & 0x80)) {
		return SK_E_SYNTAX;
	}
	if (v.len > 1 && v.p[0] == 0) {
		if (!(v.p[1] & 0x80)) {
			return SK_E_SYNTAX; /* not minimal */
		}
		v.p++;
		v.len--;
	}
	*p = v.p;
	*len = v.len;
	return SK_OK;
}

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 3279 2.3.1) */
static const uint8_t dkim_oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x01 };

/* dkim_der_rsa_pub - SPKI or RSAPublicKey; nothing may follow */
enum sk_result
dkim_der_rsa_pub(const uint8_t *der, size_t len, struct dkim_rsa_pub *pub)
{
	struct dkim_der all = { der, len }, seq, alg, oid, nul, bits, rsa;
	unsigned top;

	if (dkim_der_get(&all, 0x30, &seq) != SK_OK || all.len != 0) {
		return SK_E_SYNTAX;
	}
	if (seq.len > 0 && seq.p[0] == 0x30) {
		/* SubjectPublicKeyInfo: AlgorithmIdentifier, BIT STRING */
		if (dkim_der_get(&seq, 0x30, &alg) != SK_OK ||
		    dkim_der_get(&alg, 0x06, &oid) != SK_OK ||
		    oid.len != sizeof(dkim_oid_rsa) ||
		    memcmp(oid.p, dkim_oid_rsa, oid.len) != 0 ||
		    dkim_der_get(&alg, 0x05, &nul) != SK_OK || nul.len != 0 ||
		    alg.len != 0 || dkim_der_get(&seq, 0x03, &bits) != SK_OK ||
		    seq.len != 0 || bits.len < 1 || bits.p[0] != 0) {
			return SK_E_SYNTAX;
		}
		bits.p++;
		bits.len--;
		if (dkim_der_get(&bits, 0x30, &rsa) != SK_OK || bits.len != 0) {
			return SK_E_SYNTAX;
		}
	} else {
		rsa = seq;
	}
	if (dkim_der_uint(&rsa, &pub->n, &pub->nlen) != SK_OK ||
	    dkim_der_uint(&rsa, &pub->e, &pub->elen) != SK_OK || rsa.len != 0) {
		return SK_E_SYNTAX;
	}
	if (pub->nlen == 0 || pub->n[0] == 0 || pub->elen > 8) {
		return SK_E_RANGE;
	}
	pub->bits = (unsigned)pub->nlen * 8;
	for (top = pub->n[0]; !(top & 0x80); top <<= 1) {
		pub->bits--;
	}
	return SK_OK;
}

/* RFC 6376 5.4.1 recommended fields; the first six are over-signed */
static const char *const dkim_sign_fields[] = { "from", "subject", "to", "cc",
	"date", "message-id", "reply-to", "sender", "in-reply-to", "references",
	"mime-version", "content-type", "content-transfer-encoding",
	"content-id", "content-description", "resent-date", "resent-from",
	"resent-sender", "resent-to", "resent-cc", "resent-message-id",
	"list-id", "list-help", "list-unsubscribe", "list-subscribe",
	"list-post", "list-owner", "list-archive" };
#define DKIM_SIGN_OVERSIGNED 6

/* dkim_sig_in - name is one of list[0..n) (ASCII case-insensitive) */
static int
dkim_sig_in(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(name, list[i]) == 0) {
			return 1;
		}
	}
	return 0;
}

/* dkim_sig_name_ok - a field name for h= (RFC 5322 2.2 ftext, and no
 * ';' that would end the tag) */
static int
dkim_sig_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++) {
		if (*p < 33 || *p > 126 || *p == ':' || *p == ';') {
			return 0;
		}
	}
	return p != name;
}

/* dkim_sig_hlist_add - name, as often as hdr has it (plus one when
 * over-signed), at the end of sig's h= list; *used: octets of h_text */
static enum sk_result
dkim_sig_hlist_add(struct dkim_sig *sig, const uint8_t *hdr, size_t hlen,
    const char *name, int over, size_t *used)
{
	const uint8_t *f;
	size_t pos = 0, flen, n = over ? 1 : 0, nl = strlen(name);

	while (dkim_header_next(hdr, hlen, &pos, &f, &flen) == SK_OK) {
		n += dkim_header_is(f, flen, name, nl);
	}
	for (; n > 0; n--) {
		if (sig->nh == DKIM_H_NAMES_MAX ||
		    *used + nl > DKIM_H_TEXT_MAX) {
			return SK_E_TOO_LONG;
		}
		memcpy(sig->h_text + *used, name, nl);
		sig->h_off[sig->nh] = (uint16_t)*used;
		sig->h_len[sig->nh++] = (uint16_t)nl;
		*used += nl;
	}
	return SK_OK;
}

/* dkim_sig_sign_hlist - the h= names into sig (counted in hdr) */
enum sk_result
dkim_sig_sign_hlist(struct dkim_sig *sig, const uint8_t *hdr, size_t hlen,
    const char *const *over, size_t nover)
{
	size_t k, used = 0;
	enum sk_result r;

	if (over == NULL) {
		over = dkim_sign_fields;
		nover = DKIM_SIGN_OVERSIGNED;
	}
	for (k = 0; k < SK_NELEM(dkim_sign_fields); k++) {
		r = dkim_sig_hlist_add(sig, hdr, hlen, dkim_sign_fields[k],
		    dkim_sig_in(dkim_sign_fields[k], over, nover), &used);
		if (r != SK_OK) {
			return r;
		}
	}
	/* over-signed names outside RFC 6376 5.4.1 (an operator's list) */
	for (k = 0; k < nover; k++) {
		if (dkim_sig_in(over[k], dkim_sign_fields,
			SK_NELEM(dkim_sign_fields)) ||
		    dkim_sig_in(over[k], over, k) ||
		    !dkim_sig_name_ok(over[k])) {
			continue;
		}
		r = dkim_sig_hlist_add(sig, hdr, hlen, over[k], 1, &used);
		if (r != SK_OK) {
			return r;
		}
	}
	return SK_OK;
}
