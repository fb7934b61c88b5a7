/*
 * mime_decode.c - streaming base64 and quoted-printable (RFC 2045 6.7,
 * 6.8), lenient where mail readers are, with every repair flagged.
 */
#include <string.h>

#include "base64.h"
#include "mime_decode.h"
#include "sk.h"

/* quoted-printable states */
enum {
	QP_TEXT = 0, /* ordinary text; white space may be held */
	QP_EQ,       /* after "=" */
	QP_EQ_HEX,   /* after "=" and one hex digit */
	QP_EQ_WS,    /* after "=" and white space (held) */
	QP_EQ_CR,    /* after "=" [white space] CR */
	QP_CR,       /* after a CR in text */
};

void
mime_decoder_init(struct mime_decoder *d, enum mime_cte cte)
{
	memset(d, 0, sizeof(*d));
	d->cte = cte;
}

/* b64_value - the sextet of a base64 character, -1 for padding, -2 other */
static inline int
b64_value(uint8_t c)
{
	int v = (int)base64_sextets[c] - 1;

	if (v >= 0) {
		return v;
	}
	return c == '=' ? -1 : -2;
}

/* b64_flush - the octets of a partial group (2 or 3 sextets) */
static size_t
b64_flush(struct mime_decoder *d, uint8_t *out)
{
	size_t n = 0;

	if (d->nsext == 2) {
		out[n++] = (uint8_t)(d->bits >> 4);
	} else if (d->nsext == 3) {
		out[n++] = (uint8_t)(d->bits >> 10);
		out[n++] = (uint8_t)(d->bits >> 2);
	} else if (d->nsext == 1) {
		d->flags |= MIME_DEC_F_TRUNCATED; /* 6 bits make no octet */
	}
	d->nsext = 0;
	d->bits = 0;
	return n;
}

/* b64_update - decode; padding ends a group, a later group starts anew */
static size_t
b64_update(struct mime_decoder *d, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t i, n = 0;
	int v;

	for (i = 0; i < len; i++) {
		v = b64_value(in[i]);
		if (v == -1) {
			n += b64_flush(d, out + n);
			d->padded = 1;
			continue;
		}
		if (v == -2) {
			if (!base64_is_space(in[i])) {
				d->flags |= MIME_DEC_F_BAD_CHAR;
			}
			continue;
		}
		if (d->padded) {
			/* RFC 2045 6.8: "=" ends the data; readers go on */
			d->flags |= MIME_DEC_F_AFTER_PAD;
			d->padded = 0;
		}
		d->bits = d->bits << 6 | (uint32_t)v;
		if (++d->nsext == 4) {
			out[n++] = (uint8_t)(d->bits >> 16);
			out[n++] = (uint8_t)(d->bits >> 8);
			out[n++] = (uint8_t)d->bits;
			d->nsext = 0;
			d->bits = 0;
		}
	}
	return n;
}

/* qp_emit_hold - the held white space is content after all */
static size_t
qp_emit_hold(struct mime_decoder *d, uint8_t *out)
{
	size_t n = d->nhold;

	memcpy(out, d->hold, n);
	d->nhold = 0;
	return n;
}

/* qp_bad - "=" began no valid sequence: keep what was read, as text */
static size_t
qp_bad(struct mime_decoder *d, uint8_t *out)
{
	size_t n = 0;

	d->flags |= MIME_DEC_F_BAD_QP;
	out[n++] = '=';
	if (d->qp == QP_EQ_HEX) {
		out[n++] = d->qp_hex;
	} else if (d->qp == QP_EQ_WS || d->qp == QP_EQ_CR) {
		n += qp_emit_hold(d, out + n);
	}
	d->qp = QP_TEXT;
	return n;
}

/*
 * qp_text - one octet in ordinary text. RFC 2045 6.7 (4): a line break
 * in the encoded text stands for CRLF, so a bare LF decodes as CRLF too
 * (as mail readers do); a bare CR is kept as it is.
 */
static size_t
qp_text(struct mime_decoder *d, uint8_t c, uint8_t *out)
{
	size_t n = 0;

	if (d->qp == QP_CR) {
		d->qp = QP_TEXT;
		out[n++] = '\r';
		if (c == '\n') {
			out[n++] = '\n';
			return n;
		}
	}
	if (c == ' ' || c == '\t') {
		if (d->nhold == MIME_QP_HOLD_MAX) {
			n += qp_emit_hold(d, out + n);
		}
		d->hold[d->nhold++] = c;
		return n;
	}
	if (c == '\r' || c == '\n') {
		d->nhold = 0; /* RFC 2045 6.7 (3): trailing white space goes */
	} else {
		n += qp_emit_hold(d, out + n);
	}
	if (c == '=') {
		d->qp = QP_EQ;
	} else if (c == '\r') {
		d->qp = QP_CR;
	} else if (c == '\n') {
		out[n++] = '\r';
		out[n++] = '\n';
	} else {
		out[n++] = c;
	}
	return n;
}

/* qp_octet - one octet of quoted-printable */
static size_t
qp_octet(struct mime_decoder *d, uint8_t c, uint8_t *out)
{
	size_t n = 0;

	switch (d->qp) {
	case QP_EQ:
		if (sk_hexval(c) >= 0) {
			d->qp_hex = c;
			d->qp = QP_EQ_HEX;
			return 0;
		}
		if (c == ' ' || c == '\t') {
			d->hold[d->nhold++] = c;
			d->qp = QP_EQ_WS;
			return 0;
		}
		break;
	case QP_EQ_HEX:
		if (sk_hexval(c) >= 0) {
			out[0] =
			    (uint8_t)(sk_hexval(d->qp_hex) << 4 | sk_hexval(c));
			d->qp = QP_TEXT;
			return 1;
		}
		break;
	case QP_EQ_WS:
		if ((c == ' ' || c == '\t') && d->nhold < MIME_QP_HOLD_MAX) {
			d->hold[d->nhold++] = c;
			return 0;
		}
		break;
	case QP_EQ_CR:
		/* "=" CR LF is a soft line break; "=" CR alone counts too */
		d->nhold = 0;
		d->qp = QP_TEXT;
		if (c == '\n') {
			return 0;
		}
		return qp_text(d, c, out);
	default:
		return qp_text(d, c, out);
	}
	/* after "=" [white space]: a line break makes it a soft one */
	if (c == '\r') {
		d->qp = QP_EQ_CR;
		return 0;
	}
	if (c == '\n') {
		d->nhold = 0;
		d->qp = QP_TEXT;
		return 0;
	}
	n = qp_bad(d, out);
	return n + qp_text(d, c, out + n);
}

size_t
mime_decoder_update(struct mime_decoder *d, const uint8_t *in, size_t len,
    uint8_t *out)
{
	size_t i, n = 0;

	switch (d->cte) {
	case MIME_CTE_BASE64:
		return b64_update(d, in, len, out);
	case MIME_CTE_QP:
		for (i = 0; i < len; i++) {
			n += qp_octet(d, in[i], out + n);
		}
		return n;
	default:
		memcpy(out, in, len);
		return len;
	}
}

size_t
mime_decoder_final(struct mime_decoder *d, uint8_t *out)
{
	size_t n = 0;

	if (d->cte == MIME_CTE_BASE64) {
		/* a group cut short without "=" padding is dropped, as
		 * mime4j does: its octets were never completely sent */
		if (d->nsext > 0) {
			d->flags |= MIME_DEC_F_TRUNCATED;
		}
		d->nsext = 0;
		d->bits = 0;
		return 0;
	}
	if (d->cte != MIME_CTE_QP) {
		return 0;
	}
	/* a body that ends in "=" (its last CRLF went to the boundary) is a
	 * soft break; held white space at the very end is trailing */
	if (d->qp == QP_EQ_HEX) {
		n = qp_bad(d, out);
	} else if (d->qp == QP_CR) {
		out[n++] = '\r';
	}
	d->qp = QP_TEXT;
	d->nhold = 0;
	return n;
}

static const struct {
	const char *name;
	enum mime_cte cte;
} mime_ctes[] = {
	{ "7bit", MIME_CTE_7BIT },
	{ "8bit", MIME_CTE_8BIT },
	{ "binary", MIME_CTE_BINARY },
	{ "base64", MIME_CTE_BASE64 },
	{ "quoted-printable", MIME_CTE_QP },
};

enum mime_cte
mime_cte_parse(const uint8_t *v, size_t len)
{
	size_t i = 0, j, k;

	while (i < len &&
	    (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')) {
		i++;
	}
	j = i;
	while (j < len && v[j] != ' ' && v[j] != '\t' && v[j] != '\r' &&
	    v[j] != '\n' && v[j] != '(' && v[j] != ';') {
		j++;
	}
	for (k = 0; k < SK_NELEM(mime_ctes); k++) {
		if (strlen(mime_ctes[k].name) == j - i &&
		    strncasecmp((const char *)v + i, mime_ctes[k].name,
			j - i) == 0) {
			return mime_ctes[k].cte;
		}
	}
	/* RFC 2045 6.4: unknown means "treat as application/octet-stream";
	 * an empty value is as if the field were absent */
	return j == i ? MIME_CTE_7BIT : MIME_CTE_OTHER;
}

const char *
mime_cte_name(enum mime_cte cte)
{
	size_t k;

	for (k = 0; k < SK_NELEM(mime_ctes); k++) {
		if (mime_ctes[k].cte == cte) {
			return mime_ctes[k].name;
		}
	}
	return "other";
}
