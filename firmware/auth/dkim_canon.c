/*
 * dkim_canon.c - simple and relaxed canonicalization (RFC 6376 3.4).
 */
#include <string.h>

#include "dkim_canon.h"

void
dkim_hash_init(struct dkim_hash *h)
{
	br_sha256_init(&h->sha);
	h->total = 0;
	h->limit = UINT64_MAX;
	h->n = 0;
}

static void
dkim_hash_flush(struct dkim_hash *h)
{
	br_sha256_update(&h->sha, h->buf, h->n);
	h->n = 0;
}

/* dkim_hash_byte - one canonical octet; beyond the limit only counted */
static void
dkim_hash_byte(struct dkim_hash *h, uint8_t c)
{
	if (h->total++ >= h->limit) {
		return;
	}
	h->buf[h->n++] = c;
	if (h->n == sizeof(h->buf)) {
		dkim_hash_flush(h);
	}
}

/* dkim_hash_update - len canonical octets at once: what dkim_hash_byte
 * does to each, without a call and a test per octet */
void
dkim_hash_update(struct dkim_hash *h, const uint8_t *p, size_t len)
{
	uint64_t room = h->total >= h->limit ? 0 : h->limit - h->total;
	size_t take = len < room ? len : (size_t)room, k;

	h->total += len;
	while (take > 0) {
		k = sizeof(h->buf) - h->n;
		k = take < k ? take : k;
		memcpy(h->buf + h->n, p, k);
		h->n += k;
		p += k;
		take -= k;
		if (h->n == sizeof(h->buf)) {
			dkim_hash_flush(h);
		}
	}
}

void
dkim_hash_final(struct dkim_hash *h, uint8_t out[32])
{
	dkim_hash_flush(h);
	br_sha256_out(&h->sha, out);
}

void
dkim_body_init(struct dkim_body *b, enum dkim_canon_alg c, uint64_t limit)
{
	memset(b, 0, sizeof(*b));
	dkim_hash_init(&b->h);
	b->h.limit = limit;
	b->canon = c;
}

/* dkim_body_content - a content octet: the held-back lines and white
 * space are not trailing after all */
static void
dkim_body_content(struct dkim_body *b, uint8_t c)
{
	for (; b->crlf > 0; b->crlf--) {
		dkim_hash_byte(&b->h, '\r');
		dkim_hash_byte(&b->h, '\n');
	}
	if (b->wsp) {
		dkim_hash_byte(&b->h, ' '); /* 3.4.4: a WSP run is one SP */
		b->wsp = 0;
	}
	dkim_hash_byte(&b->h, c);
	b->any = 1;
}

/* dkim_body_octet - one input octet after CRLF detection */
static void
dkim_body_octet(struct dkim_body *b, uint8_t c)
{
	if (b->canon == DKIM_CANON_RELAXED && (c == ' ' || c == '\t')) {
		b->wsp = 1;
		return;
	}
	dkim_body_content(b, c);
}

/* dkim_body_plain - how many octets from p on are hashed as they are
 * while nothing is held back: all but CR, and but SP and HTAB in relaxed */
static size_t
dkim_body_plain(const struct dkim_body *b, const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (b->canon == DKIM_CANON_RELAXED) {
		while (i < len && p[i] != '\r' && p[i] != ' ' && p[i] != '\t') {
			i++;
		}
	} else {
		while (i < len && p[i] != '\r') {
			i++;
		}
	}
	return i;
}

/* dkim_body_update - the octets of a line's text go to the hash in runs
 * (dkim_hash_update), the rest one at a time through the held-back state
 * (CR, CRLFs, white space): the per-octet path was most of the body's
 * cost in the policy process's profile (ci/bench/inbound.py) */
void
dkim_body_update(struct dkim_body *b, const uint8_t *p, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (!b->cr && b->crlf == 0 && !b->wsp &&
		    (n = dkim_body_plain(b, p + i, len - i)) > 0) {
			dkim_hash_update(&b->h, p + i, n);
			b->any = 1;
			i += n;
			continue;
		}
		if (b->cr) {
			b->cr = 0;
			if (p[i] == '\n') {
				/* 3.4.4: white space at the line end goes */
				b->wsp = 0;
				b->crlf++;
				i++;
				continue;
			}
			dkim_body_octet(b, '\r');
		}
		if (p[i] == '\r') {
			b->cr = 1;
		} else {
			dkim_body_octet(b, p[i]);
		}
		i++;
	}
}

void
dkim_body_final(struct dkim_body *b, uint8_t out[32], uint64_t *total)
{
	if (b->cr) {
		b->cr = 0;
		dkim_body_octet(b, '\r');
	}
	b->wsp = 0;
	/* 3.4.3: trailing empty lines go, a missing final CRLF is added,
	 * an empty body is one CRLF; 3.4.4: an empty body stays empty */
	if (b->any || b->canon == DKIM_CANON_SIMPLE) {
		dkim_hash_byte(&b->h, '\r');
		dkim_hash_byte(&b->h, '\n');
	}
	*total = b->h.total;
	dkim_hash_final(&b->h, out);
}

static int
dkim_canon_wsp(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* dkim_canon_header - 3.4.1 simple (unchanged) or 3.4.2 relaxed */
void
dkim_canon_header(struct dkim_hash *h, enum dkim_canon_alg c,
    const uint8_t *field, size_t len, size_t skip_off, size_t skip_len,
    int crlf)
{
	size_t i, end = len, colon;
	int wsp = 0, started = 0;
	uint8_t ch;

	/* the field's own final CRLF is added back below when asked */
	if (end >= 2 && field[end - 2] == '\r' && field[end - 1] == '\n') {
		end -= 2;
	}
	if (c == DKIM_CANON_SIMPLE) {
		for (i = 0; i < end; i++) {
			if (i < skip_off || i >= skip_off + skip_len) {
				dkim_hash_byte(h, field[i]);
			}
		}
	} else {
		colon = 0;
		while (colon < end && field[colon] != ':') {
			colon++;
		}
		/* the name in lower case, without the WSP before the colon */
		for (i = 0; i < colon; i++) {
			ch = field[i];
			if (dkim_canon_wsp(ch)) {
				continue;
			}
			if (ch >= 'A' && ch <= 'Z') {
				ch = (uint8_t)(ch - 'A' + 'a');
			}
			dkim_hash_byte(h, ch);
		}
		if (colon < end) {
			dkim_hash_byte(h, ':');
		}
		/* the value unfolded, WSP runs as one SP, none at the ends */
		for (i = colon + 1; i < end; i++) {
			if (i >= skip_off && i < skip_off + skip_len) {
				continue;
			}
			ch = field[i];
			if (dkim_canon_wsp(ch)) {
				wsp = started;
				continue;
			}
			if (wsp) {
				dkim_hash_byte(h, ' ');
				wsp = 0;
			}
			dkim_hash_byte(h, ch);
			started = 1;
		}
	}
	if (crlf) {
		dkim_hash_byte(h, '\r');
		dkim_hash_byte(h, '\n');
	}
}
