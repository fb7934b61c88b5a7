/*
 * mime_param.c - Content-Type / Content-Disposition values, RFC 2231
 * parameters, RFC 2047 encoded words. Lenient where mail readers are:
 * a value may be unquoted with spaces, a quoted string may lack its end,
 * comments may appear between items (RFC 2045 5.1 allows them).
 */
#include <string.h>
#include <strings.h>

#include "mime_decode.h"
#include "mime_param.h"

#define WORD_CHUNK 256 /* encoded-word text decoded per step */
#define RING_AT (MIME_NAME_MAX - MIME_NAME_TAIL)

/* ---- struct mime_text -------------------------------------------------- */

void
mime_text_init(struct mime_text *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * mime_text_put - append. Once text[] is full, its last MIME_NAME_TAIL
 * octets become a ring that keeps the newest octets; finish puts them
 * back in order behind the head and "...".
 */
void
mime_text_put(struct mime_text *t, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t->total < MIME_NAME_MAX) {
			t->text[t->total] = p[i];
		} else {
			t->text[RING_AT + t->tail] = p[i];
			t->tail = (t->tail + 1) % MIME_NAME_TAIL;
		}
		t->total++;
	}
}

/* text_is_ascii - no octet above 0x7f */
static int
text_is_ascii(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] & 0x80) {
			return 0;
		}
	}
	return 1;
}

void
mime_text_finish(struct mime_text *t)
{
	uint8_t ring[MIME_NAME_TAIL];
	const char *cs = t->charset;

	if (t->total > MIME_NAME_MAX) {
		memcpy(ring, t->text + RING_AT + t->tail,
		    MIME_NAME_TAIL - t->tail);
		memcpy(ring + MIME_NAME_TAIL - t->tail, t->text + RING_AT,
		    t->tail);
		memcpy(t->text + RING_AT - 3, "...", 3);
		memcpy(t->text + RING_AT, ring, MIME_NAME_TAIL);
		t->len = MIME_NAME_MAX;
		t->flags |= MIME_TEXT_TRUNCATED;
	} else {
		t->len = (size_t)t->total;
	}
	t->text[t->len] = '\0';
	t->flags &= ~(unsigned)MIME_TEXT_UTF8;
	if (text_is_ascii(t->text, t->len) ||
	    ((cs[0] == '\0' || strcmp(cs, "utf-8") == 0 ||
		 strcmp(cs, "utf8") == 0 || strcmp(cs, "us-ascii") == 0) &&
		mime_utf8_valid(t->text, t->len))) {
		t->flags |= MIME_TEXT_UTF8;
	}
}

int
mime_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			need = 1, cp = p[i] & 0x1f, min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			need = 2, cp = p[i] & 0x0f, min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			need = 3, cp = p[i] & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i <= need) {
			return 0;
		}
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80) {
				return 0;
			}
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* RFC 3629 3: no overlongs, surrogates or values past 10FFFF */
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			return 0;
		}
		i += need + 1;
	}
	return 1;
}

/* ---- lexical helpers --------------------------------------------------- */

static int
is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* is_token - RFC 2045 5.1 token octet: CHAR but SPACE, CTLs, tspecials */
static int
is_token(uint8_t c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* skip_cfws - white space and (nested) comments from pos */
static size_t
skip_cfws(const uint8_t *v, size_t len, size_t pos)
{
	unsigned depth;

	for (;;) {
		while (pos < len && is_wsp(v[pos])) {
			pos++;
		}
		if (pos >= len || v[pos] != '(') {
			return pos;
		}
		depth = 0;
		for (; pos < len; pos++) {
			if (v[pos] == '\\' && pos + 1 < len) {
				pos++;
			} else if (v[pos] == '(') {
				if (depth < MIME_COMMENT_DEPTH_MAX) {
					depth++;
				}
			} else if (v[pos] == ')' && --depth == 0) {
				pos++;
				break;
			}
		}
	}
}

/* copy_lower - a token, lower-cased and NUL-ended, into out[cap] */
static void
copy_lower(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i;

	if (n >= cap) {
		n = cap - 1;
	}
	for (i = 0; i < n; i++) {
		out[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
	}
	out[n] = '\0';
}

/* token_at - length of the token starting at pos */
static size_t
token_at(const uint8_t *v, size_t len, size_t pos)
{
	size_t n = 0;

	while (pos + n < len && is_token(v[pos + n])) {
		n++;
	}
	return n;
}

/* ---- type and disposition ---------------------------------------------- */

/* params_start - where the parameters begin: the first ";" from pos */
static size_t
params_start(const uint8_t *v, size_t len, size_t pos)
{
	const uint8_t *semi;

	if (pos >= len) {
		return len;
	}
	semi = memchr(v + pos, ';', len - pos);
	return semi != NULL ? (size_t)(semi - v) : len;
}

enum sk_result
mime_ctype_parse(const uint8_t *v, size_t len, char *type, char *subtype,
    size_t *params)
{
	size_t pos, tn, sn, spos;

	type[0] = subtype[0] = '\0';
	pos = skip_cfws(v, len, 0);
	tn = token_at(v, len, pos);
	spos = skip_cfws(v, len, pos + tn);
	if (tn == 0 || spos >= len || v[spos] != '/') {
		*params = params_start(v, len, pos);
		return SK_E_SYNTAX;
	}
	spos = skip_cfws(v, len, spos + 1);
	sn = token_at(v, len, spos);
	if (sn == 0) {
		*params = params_start(v, len, spos);
		return SK_E_SYNTAX;
	}
	copy_lower(v + pos, tn, type, MIME_TOKEN_MAX);
	copy_lower(v + spos, sn, subtype, MIME_TOKEN_MAX);
	*params = params_start(v, len, spos + sn);
	return SK_OK;
}

enum sk_result
mime_token_parse(const uint8_t *v, size_t len, char *out, size_t *params)
{
	size_t pos, n;

	out[0] = '\0';
	pos = skip_cfws(v, len, 0);
	n = token_at(v, len, pos);
	*params = params_start(v, len, pos + n);
	if (n == 0) {
		return SK_E_SYNTAX;
	}
	copy_lower(v + pos, n, out, MIME_TOKEN_MAX);
	return SK_OK;
}

/* ---- parameters -------------------------------------------------------- */

struct param_view {
	const uint8_t *attr, *val;
	size_t alen, vlen;
	int quoted; /* val is the inside of a quoted string, escapes kept */
};

/* value_at - a parameter value at pos (quoted, or up to ";" or "(") */
static size_t
value_at(const uint8_t *v, size_t len, size_t pos, struct param_view *pv)
{
	size_t end;

	if (pos < len && v[pos] == '"') {
		pv->quoted = 1;
		pv->val = v + ++pos;
		while (pos < len && v[pos] != '"') {
			pos += v[pos] == '\\' && pos + 1 < len ? 2 : 1;
		}
		pv->vlen = (size_t)(v + pos - pv->val);
		return pos < len ? pos + 1 : len; /* unterminated: to the end */
	}
	pv->quoted = 0;
	pv->val = v + pos;
	/* unquoted values with spaces are common: up to ";" or a comment */
	end = pos;
	while (end < len && v[end] != ';' && v[end] != '(') {
		end++;
	}
	pv->vlen = end - pos;
	while (pv->vlen > 0 && is_wsp(pv->val[pv->vlen - 1])) {
		pv->vlen--;
	}
	return end;
}

/* param_next - the next attribute=value from *pos; 0 at the end */
static int
param_next(const uint8_t *v, size_t len, size_t *pos, struct param_view *pv)
{
	size_t p = *pos, n;

	for (;;) {
		while ((p = skip_cfws(v, len, p)) < len && v[p] == ';') {
			p++;
		}
		if (p >= len) {
			*pos = len;
			return 0;
		}
		n = 0;
		while (p + n < len && v[p + n] != '=' && v[p + n] != ';' &&
		    !is_wsp(v[p + n]) && v[p + n] != '(' && v[p + n] != '"') {
			n++;
		}
		pv->attr = v + p;
		pv->alen = n;
		p = skip_cfws(v, len, p + n);
		if (n > 0 && p < len && v[p] == '=') {
			p = skip_cfws(v, len, p + 1);
			*pos = value_at(v, len, p, pv);
			return 1;
		}
		/* no "=": not a parameter; skip to the next ";" */
		if (n == 0 && p < len && v[p] != ';') {
			p++;
		}
		while (p < len && v[p] != ';') {
			if (v[p] == '"') {
				struct param_view skip;

				p = value_at(v, len, p, &skip);
			} else {
				p++;
			}
		}
	}
}

/* attr_kind - how attr names parameter name: -1 not at all, -2 plain,
 * -3 "name*"; else the section number (with *ext set for "name*N*") */
static int
attr_kind(const struct param_view *pv, const char *name, int *ext)
{
	size_t nl = strlen(name), i;
	int sec = 0;

	*ext = 0;
	if (pv->alen < nl || strncasecmp((const char *)pv->attr, name, nl)) {
		return -1;
	}
	if (pv->alen == nl) {
		return -2;
	}
	if (pv->attr[nl] != '*') {
		return -1;
	}
	if (pv->alen == nl + 1) {
		*ext = 1;
		return -3;
	}
	for (i = nl + 1; i < pv->alen && pv->attr[i] >= '0' &&
	     pv->attr[i] <= '9' && i < nl + 4;
	     i++) {
		sec = sec * 10 + (pv->attr[i] - '0');
	}
	if (i == nl + 1 || (pv->attr[nl + 1] == '0' && i > nl + 2)) {
		return -1; /* RFC 2231 3: no leading zeros */
	}
	if (i + 1 == pv->alen && pv->attr[i] == '*') {
		*ext = 1;
		return sec;
	}
	return i == pv->alen ? sec : -1;
}

/* put_unquoted - a value's octets: escapes undone, folding removed */
static void
put_unquoted(const struct param_view *pv, struct mime_text *out)
{
	size_t i;

	for (i = 0; i < pv->vlen; i++) {
		if (pv->val[i] == '\r' || pv->val[i] == '\n') {
			continue;
		}
		if (pv->quoted && pv->val[i] == '\\' && i + 1 < pv->vlen) {
			i++;
		}
		mime_text_put(out, pv->val + i, 1);
	}
}

/* put_pct - RFC 2231 %XX octets; a bad escape is kept and flagged */
static void
put_pct(const uint8_t *p, size_t n, struct mime_text *out)
{
	size_t i;
	uint8_t o;

	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && sk_hexval(p[i + 1]) >= 0 &&
		    sk_hexval(p[i + 2]) >= 0) {
			o = (uint8_t)(sk_hexval(p[i + 1]) << 4 |
			    sk_hexval(p[i + 2]));
			mime_text_put(out, &o, 1);
			i += 2;
			continue;
		}
		if (p[i] == '%') {
			out->flags |= MIME_TEXT_BAD;
		}
		if (p[i] != '\r' && p[i] != '\n') {
			mime_text_put(out, p + i, 1);
		}
	}
}

/* set_charset - record a piece's charset ("*lang" dropped, RFC 2231 5) */
static void
set_charset(struct mime_text *out, const uint8_t *cs, size_t n)
{
	char c[MIME_CHARSET_MAX];
	const uint8_t *star = memchr(cs, '*', n);

	if (star != NULL) {
		n = (size_t)(star - cs);
	}
	copy_lower(cs, n, c, sizeof(c));
	if (out->charset[0] == '\0') {
		memcpy(out->charset, c, sizeof(c));
	} else if (strcmp(out->charset, c) != 0) {
		out->flags |= MIME_TEXT_MIXED;
	}
}

/* put_ext - an RFC 2231 extended value; first: it has charset'lang' */
static void
put_ext(const struct param_view *pv, int first, struct mime_text *out)
{
	const uint8_t *q1, *q2 = NULL, *p = pv->val;
	size_t n = pv->vlen;

	if (first) {
		q1 = memchr(p, '\'', n);
		if (q1 != NULL) {
			q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - p));
		}
		if (q2 == NULL) {
			out->flags |= MIME_TEXT_BAD; /* no charset'lang' */
		} else {
			if (q1 > p) {
				set_charset(out, p, (size_t)(q1 - p));
			}
			n -= (size_t)(q2 + 1 - p);
			p = q2 + 1;
		}
	}
	put_pct(p, n, out);
}

/* find_section - parameter name*sec in v; 1 if found (first one) */
static int
find_section(const uint8_t *v, size_t len, const char *name, int sec,
    struct param_view *pv, int *ext)
{
	size_t pos = 0;

	while (param_next(v, len, &pos, pv)) {
		if (attr_kind(pv, name, ext) == sec) {
			return 1;
		}
	}
	return 0;
}

enum sk_result
mime_param_get(const uint8_t *v, size_t len, const char *name,
    struct mime_text *out)
{
	struct param_view pv, plain, ext1;
	size_t pos = 0;
	int kind, ext, nplain = 0, next1 = 0, have0 = 0, sec;

	mime_text_init(out);
	memset(&plain, 0, sizeof(plain));
	memset(&ext1, 0, sizeof(ext1));
	while (param_next(v, len, &pos, &pv)) {
		kind = attr_kind(&pv, name, &ext);
		if (kind == -2 && nplain++ == 0) {
			plain = pv;
		} else if (kind == -3 && next1++ == 0) {
			ext1 = pv;
		} else if (kind == 0) {
			have0++;
		}
	}
	if (nplain > 1 || next1 > 1 || have0 > 1) {
		out->flags |= MIME_TEXT_DUP;
	}
	if (next1 > 0) {
		/* RFC 2231 4: name*=charset'lang'value */
		out->flags |= MIME_TEXT_ENCODED;
		put_ext(&ext1, 1, out);
	} else if (have0 > 0) {
		/* RFC 2231 3: name*0, name*1 ... in order, up to a gap */
		for (sec = 0; sec < MIME_PARAM_SECTIONS_MAX; sec++) {
			if (!find_section(v, len, name, sec, &pv, &ext)) {
				break;
			}
			if (ext) {
				out->flags |= MIME_TEXT_ENCODED;
				put_ext(&pv, sec == 0, out);
			} else {
				put_unquoted(&pv, out);
			}
		}
	} else if (nplain > 0) {
		if (memmem(plain.val, plain.vlen, "=?", 2) != NULL) {
			struct mime_text raw;

			/* RFC 2047 5 forbids words in quoted strings; mail
			 * programs send them anyway and readers decode them */
			mime_text_init(&raw);
			put_unquoted(&plain, &raw);
			mime_words_decode(raw.text,
			    raw.total < MIME_NAME_MAX ? (size_t)raw.total :
							MIME_NAME_MAX,
			    out);
		} else {
			put_unquoted(&plain, out);
		}
	} else {
		mime_text_finish(out);
		return SK_END;
	}
	mime_text_finish(out);
	return SK_OK;
}

enum sk_result
mime_param_raw(const uint8_t *v, size_t len, const char *name,
    const uint8_t **val, size_t *vlen, int *quoted)
{
	struct param_view pv;
	size_t pos = 0;
	int ext;

	while (param_next(v, len, &pos, &pv)) {
		if (attr_kind(&pv, name, &ext) == -2) {
			*val = pv.val;
			*vlen = pv.vlen;
			*quoted = pv.quoted;
			return SK_OK;
		}
	}
	*val = NULL;
	*vlen = 0;
	*quoted = 0;
	return SK_END;
}

/* ---- RFC 2047 encoded words -------------------------------------------- */

struct word {
	const uint8_t *cs, *text;
	size_t cslen, textlen, end; /* end: offset after "?=" */
	uint8_t enc;                /* 'B' or 'Q' */
};

/* word_at - an encoded word "=?cs?E?text?=" at in[pos]; 1 if one is */
static int
word_at(const uint8_t *in, size_t len, size_t pos, struct word *w)
{
	size_t p = pos + 2, q;

	if (pos + 1 >= len || in[pos] != '=' || in[pos + 1] != '?') {
		return 0;
	}
	w->cs = in + p;
	while (p < len && in[p] != '?' && is_token(in[p])) {
		p++;
	}
	w->cslen = (size_t)(in + p - w->cs);
	if (w->cslen == 0 || p + 2 >= len || in[p] != '?' || in[p + 2] != '?') {
		return 0;
	}
	w->enc = (uint8_t)(in[p + 1] & ~0x20);
	if (w->enc != 'B' && w->enc != 'Q') {
		return 0;
	}
	p += 3;
	w->text = in + p;
	for (q = p; q + 1 < len; q++) {
		if (in[q] == '?' && in[q + 1] == '=') {
			break;
		}
		if (in[q] == ' ' || in[q] == '\t' || in[q] == '\r' ||
		    in[q] == '\n') {
			return 0; /* RFC 2047 5: no white space inside */
		}
	}
	if (q + 1 >= len) {
		return 0;
	}
	w->textlen = q - p;
	w->end = q + 2;
	return 1;
}

/* word_put - decode one word's text into out */
static void
word_put(const struct word *w, struct mime_text *out)
{
	struct mime_decoder d;
	uint8_t buf[MIME_DECODE_OUT(WORD_CHUNK)], o;
	size_t i, n;

	set_charset(out, w->cs, w->cslen);
	out->flags |= MIME_TEXT_ENCODED;
	if (w->enc == 'B') {
		mime_decoder_init(&d, MIME_CTE_BASE64);
		for (i = 0; i < w->textlen; i += n) {
			n = w->textlen - i < WORD_CHUNK ? w->textlen - i :
							  WORD_CHUNK;
			mime_text_put(out, buf,
			    mime_decoder_update(&d, w->text + i, n, buf));
		}
		mime_text_put(out, buf, mime_decoder_final(&d, buf));
		if (d.flags & (MIME_DEC_F_BAD_CHAR | MIME_DEC_F_TRUNCATED)) {
			out->flags |= MIME_TEXT_BAD;
		}
		return;
	}
	for (i = 0; i < w->textlen; i++) {
		o = w->text[i];
		if (o == '_') {
			o = ' '; /* RFC 2047 4.2 (2) */
		} else if (o == '=' && i + 2 < w->textlen &&
		    sk_hexval(w->text[i + 1]) >= 0 &&
		    sk_hexval(w->text[i + 2]) >= 0) {
			o = (uint8_t)(sk_hexval(w->text[i + 1]) << 4 |
			    sk_hexval(w->text[i + 2]));
			i += 2;
		} else if (o == '=') {
			out->flags |= MIME_TEXT_BAD;
		}
		mime_text_put(out, &o, 1);
	}
}

void
mime_words_decode(const uint8_t *in, size_t len, struct mime_text *out)
{
	struct word w;
	size_t pos = 0, gap = 0, k;
	int after_word = 0;

	while (pos < len) {
		if (word_at(in, len, pos, &w)) {
			/* RFC 2047 6.2: white space between words is dropped */
			word_put(&w, out);
			pos = w.end;
			gap = pos;
			after_word = 1;
			continue;
		}
		if (after_word && is_wsp(in[pos])) {
			pos++; /* held: dropped if a word follows */
			continue;
		}
		if (after_word) {
			for (k = gap; k < pos; k++) {
				if (in[k] != '\r' && in[k] != '\n') {
					mime_text_put(out, in + k, 1);
				}
			}
			after_word = 0;
		}
		if (in[pos] != '\r' && in[pos] != '\n') {
			mime_text_put(out, in + pos, 1);
		}
		pos++;
	}
	if (after_word) {
		for (k = gap; k < len; k++) {
			if (in[k] != '\r' && in[k] != '\n') {
				mime_text_put(out, in + k, 1);
			}
		}
	}
}
