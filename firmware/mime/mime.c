/*
 * mime.c - the MIME walker: lines, boundaries, the stack of open parts.
 *
 * Input: a whole message from the internet (hostile). The walker is a
 * line machine per "layer": layer 0 is the message as received; an
 * encoded container (base64 or quoted-printable message/rfc822 or
 * multipart) decodes its body into the next layer, which is walked the
 * same way. Each layer splits its octets into lines (LF ends a line, a
 * CR before it belongs to the line end) in a fixed buffer; a line longer
 * than the buffer is handled in pieces, and only its first piece is
 * examined for a boundary, which fits because MIME_LINE_BUF exceeds
 * MIME_BOUNDARY_MAX.
 *
 * The line end before a boundary delimiter belongs to the delimiter
 * (RFC 2046 5.1.1), so the line end of each content line is held back
 * until the next line shows it is no delimiter.
 *
 * Boundaries are compared from the outermost open multipart inwards, as
 * nested bounded streams would see them: an outer delimiter closes every
 * part inside it, whatever they were doing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime.h"

/* part states */
enum {
	E_HEADER = 0, /* reading the header section */
	E_BODY,       /* leaf or message body */
	E_PREAMBLE,   /* multipart before its first delimiter */
	E_PARTS,      /* multipart, inside a sub-part */
	E_EPILOGUE,   /* multipart after its close delimiter */
};

/* what the line being read is */
enum {
	LINE_CONTENT = 0, /* content of the current part */
	LINE_SKIP,        /* a delimiter or the empty line after a header */
	LINE_HEADER,      /* a header line of the current field */
	LINE_IGNORED,     /* a header line that is dropped */
};

/* struct mime_entity.seen */
#define SEEN_CTYPE 0x01
#define SEEN_CTE 0x02
#define SEEN_DISP 0x04

static void layer_feed(struct mime_walker *w, unsigned x, const uint8_t *p,
    size_t n);
static void layer_finish(struct mime_walker *w, unsigned x);
static void close_top(struct mime_walker *w);
static void close_above(struct mime_walker *w, size_t keep);

/* ---- events -------------------------------------------------------------- */

/* emit - one event about part e */
static void
emit(struct mime_walker *w, enum mime_event_type type,
    const struct mime_entity *e, const uint8_t *data, size_t len)
{
	struct mime_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.part = &e->p;
	ev.data = data;
	ev.len = len;
	w->fn(w->arg, &ev);
}

/* part_flag - set an anomaly on a part; the first time, tell the caller */
static void
part_flag(struct mime_walker *w, struct mime_entity *e, unsigned flag)
{
	struct mime_event ev;

	w->flags |= flag;
	if (e->p.flags & flag) {
		return;
	}
	e->p.flags |= flag;
	memset(&ev, 0, sizeof(ev));
	ev.type = MIME_EV_ANOMALY;
	ev.part = &e->p;
	ev.flag = flag;
	w->fn(w->arg, &ev);
}

static struct mime_entity *
top(struct mime_walker *w)
{
	return &w->ent[w->nent - 1];
}

/* ---- opening parts ---------------------------------------------------------
 */

/* entity_push - open a part inside the top one (or the message itself) */
static void
entity_push(struct mime_walker *w, unsigned layer, unsigned index,
    int as_message)
{
	struct mime_entity *e = &w->ent[w->nent];

	memset(e, 0, sizeof(*e));
	if (w->nent == 0) {
		snprintf(e->p.path, sizeof(e->p.path), "1");
	} else {
		/* depth and index are bounded: the path always fits */
		size_t pl = strlen(top(w)->p.path);

		memcpy(e->p.path, top(w)->p.path, pl);
		snprintf(e->p.path + pl, sizeof(e->p.path) - pl, ".%u", index);
	}
	e->p.depth = (unsigned)w->nent;
	/* RFC 2045 5.2 default, RFC 2046 5.1.5 in a digest */
	snprintf(e->p.type, sizeof(e->p.type), "%s",
	    as_message ? "message" : "text");
	snprintf(e->p.subtype, sizeof(e->p.subtype), "%s",
	    as_message ? "rfc822" : "plain");
	e->state = E_HEADER;
	e->layer = e->inner = (uint8_t)layer;
	/* its header begins with the next line of layer 0, if it is there */
	e->p.raw_start = e->p.raw_end = MIME_RAW_UNKNOWN;
	w->raw_pending = layer == 0 ? w->nent + 1 : 0;
	w->nent++;
	w->nparts++;
	w->field_open = 0;
	w->bnd_len = 0;
	w->bnd_bad = 0;
	w->has_filename = w->has_name = 0;
	mime_text_init(&w->filename);
	mime_text_init(&w->name);
}

/* layer_open - a fresh layer for an encoded container's body */
static unsigned
layer_open(struct mime_walker *w)
{
	struct mime_layer *l = &w->layer[w->nlayers];

	l->len = 0;
	l->mid = 0;
	l->cls = LINE_CONTENT;
	l->eol_len = 0;
	l->close_lf = 0;
	l->line_len = 0;
	return w->nlayers++;
}

/* ---- header fields ------------------------------------------------------- */

static void
field_append(struct mime_walker *w, const uint8_t *p, size_t n)
{
	size_t room = MIME_FIELD_MAX - w->field_len;

	if (n > room) {
		n = room;
		w->field_trunc = 1;
	}
	memcpy(w->field + w->field_len, p, n);
	w->field_len += n;
}

/* name_is - whether a field name is name (case-insensitive) */
static int
name_is(const uint8_t *p, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp((const char *)p, name, n) == 0;
}

/* note_name - a file name was decoded: flag what is odd about it */
static void
note_name(struct mime_walker *w, struct mime_entity *e,
    const struct mime_text *t)
{
	if (t->flags &
	    (MIME_TEXT_TRUNCATED | MIME_TEXT_MIXED | MIME_TEXT_BAD |
		MIME_TEXT_DUP)) {
		part_flag(w, e, MIME_F_NAME);
	}
}

/* store_boundary - the boundary parameter, unquoted, at the pool's top */
static void
store_boundary(struct mime_walker *w, const uint8_t *v, size_t len)
{
	const uint8_t *val;
	size_t vlen, i, room, n = 0;
	int quoted;

	w->bnd_len = 0;
	w->bnd_bad = 0;
	if (mime_param_raw(v, len, "boundary", &val, &vlen, &quoted) != SK_OK) {
		return;
	}
	room = MIME_BOUNDARY_POOL - w->pool_used;
	if (room > MIME_BOUNDARY_MAX) {
		room = MIME_BOUNDARY_MAX;
	}
	for (i = 0; i < vlen; i++) {
		if (val[i] == '\r' || val[i] == '\n') {
			continue; /* folding inside a quoted string */
		}
		if (quoted && val[i] == '\\' && i + 1 < vlen) {
			i++;
		}
		if (n == room) {
			w->bnd_bad = 1;
			return;
		}
		w->pool[w->pool_used + n++] = (char)val[i];
	}
	w->bnd_len = n;
	w->bnd_bad = n == 0;
}

/* apply_ctype - Content-Type: type, charset, name, boundary */
static void
apply_ctype(struct mime_walker *w, struct mime_entity *e, const uint8_t *v,
    size_t len)
{
	char type[MIME_TOKEN_MAX], sub[MIME_TOKEN_MAX];
	struct mime_text cs;
	size_t params;

	if (mime_ctype_parse(v, len, type, sub, &params) != SK_OK) {
		/* RFC 2045 5.2: unusable means text/plain; charset us-ascii */
		part_flag(w, e, MIME_F_BAD_CTYPE);
		snprintf(e->p.type, sizeof(e->p.type), "text");
		snprintf(e->p.subtype, sizeof(e->p.subtype), "plain");
	} else {
		memcpy(e->p.type, type, sizeof(type));
		memcpy(e->p.subtype, sub, sizeof(sub));
	}
	if (mime_param_get(v + params, len - params, "charset", &cs) == SK_OK) {
		snprintf(e->p.charset, sizeof(e->p.charset), "%.*s",
		    (int)(cs.len < MIME_CHARSET_MAX ? cs.len :
						      MIME_CHARSET_MAX - 1),
		    (const char *)cs.text);
		for (size_t i = 0; e->p.charset[i] != '\0'; i++) {
			if (e->p.charset[i] >= 'A' && e->p.charset[i] <= 'Z') {
				e->p.charset[i] = (char)(e->p.charset[i] + 32);
			}
		}
	}
	if (mime_param_get(v + params, len - params, "name", &w->name) ==
	    SK_OK) {
		w->has_name = 1;
		note_name(w, e, &w->name);
	}
	store_boundary(w, v + params, len - params);
}

/* apply_disp - Content-Disposition (RFC 2183): type and filename */
static void
apply_disp(struct mime_walker *w, struct mime_entity *e, const uint8_t *v,
    size_t len)
{
	char tok[MIME_TOKEN_MAX];
	size_t params;

	if (mime_token_parse(v, len, tok, &params) != SK_OK) {
		e->p.disposition = MIME_DISP_OTHER;
	} else if (strcmp(tok, "inline") == 0) {
		e->p.disposition = MIME_DISP_INLINE;
	} else if (strcmp(tok, "attachment") == 0) {
		e->p.disposition = MIME_DISP_ATTACHMENT;
	} else {
		e->p.disposition = MIME_DISP_OTHER;
	}
	if (mime_param_get(v + params, len - params, "filename",
		&w->filename) == SK_OK) {
		w->has_filename = 1;
		note_name(w, e, &w->filename);
	}
}

/* field_apply - the Content-* fields that shape the walk; first wins */
static void
field_apply(struct mime_walker *w, struct mime_entity *e, const uint8_t *name,
    size_t nlen, const uint8_t *v, size_t vlen)
{
	unsigned bit;

	if (name_is(name, nlen, "content-type")) {
		bit = SEEN_CTYPE;
	} else if (name_is(name, nlen, "content-transfer-encoding")) {
		bit = SEEN_CTE;
	} else if (name_is(name, nlen, "content-disposition")) {
		bit = SEEN_DISP;
	} else {
		return;
	}
	if (e->seen & bit) {
		part_flag(w, e, MIME_F_DUP_FIELD);
		return;
	}
	e->seen |= (uint8_t)bit;
	if (bit == SEEN_CTYPE) {
		apply_ctype(w, e, v, vlen);
	} else if (bit == SEEN_CTE) {
		e->p.cte = mime_cte_parse(v, vlen);
	} else {
		apply_disp(w, e, v, vlen);
	}
}

/* field_finish - the field being collected is complete: report, apply */
static void
field_finish(struct mime_walker *w, struct mime_entity *e)
{
	struct mime_event ev;
	size_t i = 0, nlen, colon;

	if (!w->field_open) {
		return;
	}
	w->field_open = 0;
	/* header_line checked "name [WSP] :" when the field began */
	while (w->field[i] != ':') {
		i++;
	}
	colon = i;
	nlen = i;
	while (nlen > 0 &&
	    (w->field[nlen - 1] == ' ' || w->field[nlen - 1] == '\t')) {
		nlen--;
	}
	if (w->field_trunc) {
		part_flag(w, e, MIME_F_FIELD_TRUNCATED);
	}
	e->p.nfields++;
	memset(&ev, 0, sizeof(ev));
	ev.type = MIME_EV_FIELD;
	ev.part = &e->p;
	ev.data = w->field;
	ev.len = w->field_len;
	ev.name = w->field;
	ev.name_len = nlen;
	ev.value = w->field + colon + 1;
	ev.value_len = w->field_len - colon - 1;
	w->fn(w->arg, &ev);
	field_apply(w, e, ev.name, nlen, ev.value, ev.value_len);
}

/* field_name_len - length of "name [WSP]" before ":", or 0: no field */
static size_t
field_name_len(const uint8_t *p, size_t n)
{
	size_t i = 0, j;

	/* RFC 5322 3.6.8 ftext; WSP before ":" is RFC 5322 4.5.8 obs */
	while (i < n && p[i] > 0x20 && p[i] < 0x7f && p[i] != ':') {
		i++;
	}
	j = i;
	while (j < n && (p[j] == ' ' || p[j] == '\t')) {
		j++;
	}
	return i > 0 && j < n && p[j] == ':' ? j : 0;
}

/* ---- the end of a header: decide the kind of part --------------------------
 */

/* container_ok - may part e hold parts (depth, layers, encoding)? */
static int
container_ok(struct mime_walker *w, struct mime_entity *e)
{
	if (e->p.depth + 1 >= w->opts.depth_max ||
	    w->nparts >= w->opts.parts_max) {
		part_flag(w, e,
		    e->p.depth + 1 >= w->opts.depth_max ? MIME_F_DEPTH :
							  MIME_F_PARTS_LIMIT);
		return 0;
	}
	if (e->p.cte == MIME_CTE_BASE64 || e->p.cte == MIME_CTE_QP) {
		part_flag(w, e, MIME_F_ENCODED_CONTAINER);
		if (w->nlayers >= MIME_LAYERS_MAX) {
			part_flag(w, e, MIME_F_DEPTH);
			return 0;
		}
		e->encoded = 1;
	} else if (e->p.cte == MIME_CTE_OTHER) {
		part_flag(w, e, MIME_F_UNKNOWN_CTE);
		return 0;
	}
	return 1;
}

/* kind_of - what part e is, now that its header is known */
static enum mime_kind
kind_of(struct mime_walker *w, struct mime_entity *e)
{
	if (strcmp(e->p.type, "multipart") == 0) {
		if (w->bnd_len == 0 || w->bnd_bad) {
			part_flag(w, e, MIME_F_NO_BOUNDARY);
			return MIME_KIND_LEAF;
		}
		return container_ok(w, e) ? MIME_KIND_MULTIPART :
					    MIME_KIND_LEAF;
	}
	if (strcmp(e->p.type, "message") == 0 &&
	    (strcmp(e->p.subtype, "rfc822") == 0 ||
		strcmp(e->p.subtype, "global") == 0)) {
		return container_ok(w, e) ? MIME_KIND_MESSAGE : MIME_KIND_LEAF;
	}
	return MIME_KIND_LEAF;
}

/* header_end - the header of the top part is complete */
static void
header_end(struct mime_walker *w, struct mime_entity *e)
{
	field_finish(w, e);
	e->encoded = 0;
	e->p.kind = kind_of(w, e);
	e->p.filename = w->has_filename ? &w->filename : NULL;
	e->p.name = w->has_name ? &w->name : NULL;
	if (e->p.kind == MIME_KIND_LEAF && e->p.cte == MIME_CTE_OTHER) {
		part_flag(w, e, MIME_F_UNKNOWN_CTE);
	}
	if (e->p.kind == MIME_KIND_MULTIPART) {
		e->bnd_off = w->pool_used;
		e->bnd_len = w->bnd_len;
		w->pool_used += w->bnd_len;
		e->digest = strcmp(e->p.subtype, "digest") == 0;
	}
	emit(w, MIME_EV_PART_START, e, NULL, 0);
	if (e->p.kind == MIME_KIND_LEAF) {
		e->state = E_BODY;
		mime_decoder_init(&e->dec,
		    w->opts.flags & MIME_OPT_RAW_BODIES ? MIME_CTE_BINARY :
							  e->p.cte);
		return;
	}
	if (e->encoded) {
		mime_decoder_init(&e->dec, e->p.cte);
		e->inner = (uint8_t)layer_open(w);
	}
	if (e->p.kind == MIME_KIND_MULTIPART) {
		e->state = E_PREAMBLE;
		return;
	}
	e->state = E_BODY;
	e->p.nparts = 1;
	entity_push(w, e->inner, 1, 0);
}

/* ---- header lines
 * ------------------------------------------------------------ */

/*
 * header_first - the first piece of a header line of part e. Returns
 * the line's class; LINE_CONTENT when the line ends the header and
 * begins the body (MIME_OPT_BAD_HEADER_STARTS_BODY).
 */
static int
header_first(struct mime_walker *w, struct mime_entity *e, const uint8_t *p,
    size_t n, int last)
{
	if (n == 0 && last) {
		header_end(w, e); /* the empty line */
		return LINE_SKIP;
	}
	if (e->p.header_size > MIME_HEADER_MAX) {
		part_flag(w, e, MIME_F_HEADER_TOO_BIG);
		field_finish(w, e);
		return LINE_IGNORED;
	}
	if (p[0] == ' ' || p[0] == '\t') {
		if (!w->field_open) {
			part_flag(w, e, MIME_F_BAD_HEADER);
			return LINE_IGNORED;
		}
		/* RFC 5322 2.2.3: folding; the raw field keeps it */
		field_append(w, w->field_eol, w->field_eol_len);
		field_append(w, p, n);
		return LINE_HEADER;
	}
	if (field_name_len(p, n) > 0) {
		field_finish(w, e);
		w->field_open = 1;
		w->field_trunc = 0;
		w->field_len = 0;
		field_append(w, p, n);
		return LINE_HEADER;
	}
	/* no field: mail readers drop the line, or take it as the body */
	part_flag(w, e, MIME_F_BAD_HEADER);
	field_finish(w, e);
	if (w->opts.flags & MIME_OPT_BAD_HEADER_STARTS_BODY) {
		part_flag(w, e, MIME_F_NO_HEADER_END);
		header_end(w, e);
		return LINE_CONTENT;
	}
	return LINE_IGNORED;
}

/* ---- content
 * ------------------------------------------------------------------- */

/* route - the part that owns lines of layer x: the innermost one whose
 * header or body is in that layer */
static struct mime_entity *
route(struct mime_walker *w, unsigned x)
{
	size_t i;

	for (i = w->nent; i > 0; i--) {
		if (w->ent[i - 1].layer == x || w->ent[i - 1].inner == x) {
			return &w->ent[i - 1];
		}
	}
	return NULL;
}

/* decoder_flags - carry the decoder's repairs to the part */
static void
decoder_flags(struct mime_walker *w, struct mime_entity *e)
{
	if (e->dec.flags &
	    (MIME_DEC_F_BAD_CHAR | MIME_DEC_F_TRUNCATED |
		MIME_DEC_F_AFTER_PAD)) {
		part_flag(w, e, MIME_F_BAD_BASE64);
	}
	if (e->dec.flags & MIME_DEC_F_BAD_QP) {
		part_flag(w, e, MIME_F_BAD_QP);
	}
}

/* deliver - decoded octets of part e: to the caller or the next layer */
static void
deliver(struct mime_walker *w, struct mime_entity *e, const uint8_t *p,
    size_t n)
{
	uint64_t room = w->opts.part_decoded_max - e->p.decoded_size;

	if (n == 0) {
		return;
	}
	if (n > room) {
		part_flag(w, e, MIME_F_DECODED_LIMIT);
		n = (size_t)room;
		if (n == 0) {
			return;
		}
	}
	e->p.decoded_size += n;
	if (e->p.kind == MIME_KIND_LEAF) {
		emit(w, MIME_EV_BODY, e, p, n);
	} else {
		layer_feed(w, e->inner, p, n);
	}
}

/* decode - raw body octets of a leaf or encoded container */
static void
decode(struct mime_walker *w, struct mime_entity *e, const uint8_t *p, size_t n)
{
	uint8_t out[MIME_DECODE_OUT(MIME_BODY_CHUNK)];
	size_t take;

	e->p.body_size += n;
	if (e->dec.cte != MIME_CTE_BASE64 && e->dec.cte != MIME_CTE_QP) {
		deliver(w, e, p, n);
		return;
	}
	while (n > 0) {
		take = n < MIME_BODY_CHUNK ? n : MIME_BODY_CHUNK;
		deliver(w, e, out, mime_decoder_update(&e->dec, p, take, out));
		p += take;
		n -= take;
	}
	decoder_flags(w, e);
}

/* content - octets of a content line of layer x (first: line start) */
static void
content(struct mime_walker *w, unsigned x, const uint8_t *p, size_t n,
    int first)
{
	struct mime_entity *e = route(w, x);

	if (e == NULL) {
		return;
	}
	if (e->inner != x || e->state == E_BODY) {
		if (e->p.kind != MIME_KIND_MESSAGE || e->inner != x) {
			decode(w, e, p, n);
		}
		return;
	}
	if (e->state == E_PREAMBLE || e->state == E_EPILOGUE) {
		if (n > 0 || first) {
			emit(w,
			    e->state == E_PREAMBLE ? MIME_EV_PREAMBLE :
						     MIME_EV_EPILOGUE,
			    e, p, n);
		}
		return;
	}
	part_flag(w, e, MIME_F_SKIPPED); /* E_PARTS without a part */
}

/* ---- boundaries
 * ---------------------------------------------------------------- */

/* delimiter_of - whether line p[0..n) is a delimiter of multipart e:
 * 0 no, 1 "--boundary", 2 "--boundary--" */
static int
delimiter_of(const struct mime_walker *w, const struct mime_entity *e,
    const uint8_t *p, size_t n)
{
	const uint8_t *rest;
	size_t bl = e->bnd_len, rl;

	if (n < 2 + bl || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, w->pool + e->bnd_off, bl) != 0) {
		return 0;
	}
	rest = p + 2 + bl;
	rl = n - 2 - bl;
	if (rl >= 2 && rest[0] == '-' && rest[1] == '-') {
		return 2;
	}
	/* RFC 2046 5.1.1: only transport padding may follow; readers
	 * ignore any text after white space. "--b-1" is not "--b". */
	if (rl == 0 || rest[0] == ' ' || rest[0] == '\t') {
		return 1;
	}
	return 0;
}

/* delimiter - handle line p[0..n) of layer x if it is a delimiter;
 * returns as delimiter_of */
static int
delimiter(struct mime_walker *w, unsigned x, const uint8_t *p, size_t n)
{
	struct mime_entity *e;
	size_t i;
	int d = 0;

	for (i = 0; i < w->nent; i++) {
		e = &w->ent[i];
		if (e->p.kind == MIME_KIND_MULTIPART && e->inner == x &&
		    (e->state == E_PREAMBLE || e->state == E_PARTS) &&
		    (d = delimiter_of(w, e, p, n)) != 0) {
			break;
		}
	}
	if (d == 0) {
		return 0;
	}
	/* the parts inside end before the held line end, which belongs to
	 * the delimiter (RFC 2046 5.1.1) */
	if (x == 0) {
		w->raw_close = w->raw_line - w->layer[0].eol_len;
	}
	w->layer[x].eol_len = 0; /* the line end before it is its own */
	close_above(w, i + 1);
	w->raw_close = MIME_RAW_UNKNOWN;
	e = &w->ent[i];
	if (d == 2) {
		e->state = E_EPILOGUE;
		return 2;
	}
	e->state = E_PARTS;
	if (w->nparts >= w->opts.parts_max) {
		part_flag(w, e, MIME_F_PARTS_LIMIT);
		return 1;
	}
	e->p.nparts++;
	entity_push(w, x, e->p.nparts, e->digest);
	return 1;
}

/* ---- lines
 * ------------------------------------------------------------------------ */

/*
 * layer_line - a piece of a line of layer x: p[0..n), first if it starts
 * the line, last if it ends it (eol: its line end, possibly empty).
 */
static void
layer_line(struct mime_walker *w, unsigned x, const uint8_t *p, size_t n,
    const uint8_t *eol, size_t eol_len, int first, int last)
{
	struct mime_layer *l = &w->layer[x];
	struct mime_entity *e;
	int d;

	if (first) {
		l->line_len = 0;
		l->close_lf = 0;
		if (x == 0 && w->raw_pending > 0) {
			w->ent[w->raw_pending - 1].p.raw_start = w->raw_line;
			w->raw_pending = 0;
		}
		e = route(w, x);
		if ((d = delimiter(w, x, p, n)) != 0) {
			l->cls = LINE_SKIP;
			l->close_lf = d == 2 && last && eol_len == 1;
		} else if (e != NULL && e->state == E_HEADER && e->layer == x) {
			l->cls = (uint8_t)header_first(w, e, p, n, last);
			if (l->cls == LINE_CONTENT) {
				content(w, x, p, n, 1);
			}
		} else {
			l->cls = LINE_CONTENT;
			if (l->eol_len > 0) {
				content(w, x, l->eol, l->eol_len, 0);
				l->eol_len = 0;
			}
			content(w, x, p, n, 1);
		}
	} else if (l->cls == LINE_CONTENT) {
		content(w, x, p, n, 0);
	} else if (l->cls == LINE_HEADER) {
		field_append(w, p, n);
	}
	l->line_len += n;
	if (l->cls == LINE_HEADER || l->cls == LINE_IGNORED) {
		e = top(w);
		e->p.header_size += n + (last ? eol_len : 0);
		if (memchr(p, '\0', n) != NULL) {
			part_flag(w, e, MIME_F_NUL);
		}
		if (l->line_len > MIME_HEADER_LINE_MAX) {
			part_flag(w, e, MIME_F_LONG_LINE);
		}
	}
	if (!last) {
		return;
	}
	if (l->cls == LINE_CONTENT) {
		memcpy(l->eol, eol, eol_len);
		l->eol_len = (uint8_t)eol_len;
	} else if (l->cls == LINE_HEADER) {
		memcpy(w->field_eol, eol, eol_len);
		w->field_eol_len = (uint8_t)eol_len;
	}
}

/* layer_feed - octets of layer x, split into lines and pieces */
static void
layer_feed(struct mime_walker *w, unsigned x, const uint8_t *p, size_t n)
{
	struct mime_layer *l = &w->layer[x];
	const uint8_t *lf;
	size_t room, take, len, keep;

	while (n > 0) {
		room = MIME_LINE_BUF - l->len;
		take = n < room ? n : room;
		lf = memchr(p, '\n', take);
		if (lf != NULL) {
			take = (size_t)(lf - p) + 1;
		}
		if (x == 0) {
			if (l->len == 0 && !l->mid) {
				w->raw_line = w->raw_fed;
			}
			w->raw_fed += take;
		}
		memcpy(l->line + l->len, p, take);
		l->len += take;
		p += take;
		n -= take;
		if (lf != NULL) {
			len = l->len - 1;
			keep = len > 0 && l->line[len - 1] == '\r';
			layer_line(w, x, l->line, len - keep,
			    (const uint8_t *)"\r\n" + (keep ? 0 : 1), keep + 1,
			    !l->mid, 1);
			l->len = 0;
			l->mid = 0;
		} else if (l->len == MIME_LINE_BUF) {
			/* a long line: pass a piece on, keeping a final CR
			 * that may start the line end */
			keep = l->line[l->len - 1] == '\r';
			layer_line(w, x, l->line, l->len - keep, NULL, 0,
			    !l->mid, 0);
			l->mid = 1;
			l->line[0] = '\r';
			l->len = keep;
		}
	}
}

/* layer_finish - layer x ends: its last line and held line end */
static void
layer_finish(struct mime_walker *w, unsigned x)
{
	struct mime_layer *l = &w->layer[x];

	if (l->len > 0 || l->mid) {
		layer_line(w, x, l->line, l->len, (const uint8_t *)"", 0,
		    !l->mid, 1);
	} else if (l->close_lf) {
		/* mime4j skips the line end after a close delimiter only if
		 * two octets are left; a lone LF at the very end becomes the
		 * epilogue. We do the same so the trees agree (README). */
		content(w, x, (const uint8_t *)"\n", 1, 1);
	}
	l->close_lf = 0;
	l->len = 0;
	l->mid = 0;
	if (l->eol_len > 0) {
		content(w, x, l->eol, l->eol_len, 0);
		l->eol_len = 0;
	}
}

/* ---- closing parts
 * ------------------------------------------------------------- */

/* flush_encoded - an encoded container ends: the rest of its decoded
 * text is walked before anything inside it is closed */
static void
flush_encoded(struct mime_walker *w, struct mime_entity *e)
{
	uint8_t out[MIME_DECODE_OUT(0)];

	if (!e->encoded || e->flushed) {
		return;
	}
	e->flushed = 1;
	deliver(w, e, out, mime_decoder_final(&e->dec, out));
	decoder_flags(w, e);
	layer_finish(w, e->inner);
}

/* close_above - end every part inside ent[i] (i = nent: none; -1: all).
 * Encoded containers are flushed outermost first, so their last decoded
 * line reaches the parts inside them while these are still open. */
static void
close_above(struct mime_walker *w, size_t keep)
{
	size_t j;

	for (j = keep; j < w->nent; j++) {
		flush_encoded(w, &w->ent[j]);
	}
	while (w->nent > keep) {
		close_top(w);
	}
}

/* close_top - end the innermost open part */
static void
close_top(struct mime_walker *w)
{
	struct mime_entity *e = top(w);
	uint8_t out[MIME_DECODE_OUT(0)];
	size_t n;

	if (e->state == E_HEADER) {
		part_flag(w, e, MIME_F_NO_HEADER_END);
		header_end(w, e);
		close_above(w, (size_t)(e - w->ent) + 1);
	}
	if (e->p.kind == MIME_KIND_LEAF) {
		n = mime_decoder_final(&e->dec, out);
		decoder_flags(w, e);
		deliver(w, e, out, n);
	}
	if (e->encoded) {
		flush_encoded(w, e);
		close_above(w, (size_t)(e - w->ent) + 1);
		w->nlayers--;
		e->encoded = 0;
	}
	if (e->p.kind == MIME_KIND_MULTIPART) {
		if (e->state == E_PREAMBLE) {
			part_flag(w, e, MIME_F_NO_PARTS);
		} else if (e->state != E_EPILOGUE) {
			part_flag(w, e, MIME_F_NO_CLOSE);
		}
		w->pool_used = e->bnd_off;
	}
	if (e->layer == 0) {
		if (w->raw_pending == (size_t)(e - w->ent) + 1) {
			/* its header never began: an empty part at the end */
			e->p.raw_start = w->raw_fed;
			w->raw_pending = 0;
		}
		e->p.raw_end = w->raw_close != MIME_RAW_UNKNOWN ? w->raw_close :
								  w->raw_fed;
		if (e->p.raw_end < e->p.raw_start) {
			e->p.raw_end = e->p.raw_start;
		}
	}
	emit(w, MIME_EV_PART_END, e, NULL, 0);
	w->nent--;
}

/* ---- the interface
 * ------------------------------------------------------------- */

void
mime_init(struct mime_walker *w, const struct mime_opts *opts,
    mime_event_fn *fn, void *arg)
{
	/* the big buffers need no clearing: lengths say what is valid */
	w->fn = fn;
	w->arg = arg;
	memset(&w->opts, 0, sizeof(w->opts));
	if (opts != NULL) {
		w->opts = *opts;
	}
	if (w->opts.depth_max == 0 || w->opts.depth_max > MIME_DEPTH_MAX) {
		w->opts.depth_max = MIME_DEPTH_MAX;
	}
	if (w->opts.parts_max == 0 || w->opts.parts_max > MIME_PARTS_MAX) {
		w->opts.parts_max = MIME_PARTS_MAX;
	}
	if (w->opts.part_decoded_max == 0 ||
	    w->opts.part_decoded_max > MIME_PART_DECODED_MAX) {
		w->opts.part_decoded_max = MIME_PART_DECODED_MAX;
	}
	w->flags = 0;
	w->nparts = 0;
	w->finished = 0;
	w->nent = 0;
	w->nlayers = 0;
	w->pool_used = 0;
	w->field_len = 0;
	w->field_open = 0;
	w->raw_fed = w->raw_line = 0;
	w->raw_close = MIME_RAW_UNKNOWN;
	w->raw_pending = 0;
	layer_open(w);
	entity_push(w, 0, 1, 0);
}

enum sk_result
mime_feed(struct mime_walker *w, const uint8_t *buf, size_t len)
{
	if (w->finished) {
		return SK_E_CLOSED;
	}
	layer_feed(w, 0, buf, len);
	return SK_OK;
}

unsigned
mime_finish(struct mime_walker *w)
{
	if (!w->finished) {
		layer_finish(w, 0);
		close_above(w, 0);
		w->finished = 1;
	}
	return w->flags;
}

unsigned
mime_flags(const struct mime_walker *w)
{
	return w->flags;
}

static const char *const mime_flag_names[] = {
	"bad-header",
	"no-header-end",
	"field-truncated",
	"header-too-big",
	"long-line",
	"nul",
	"dup-field",
	"bad-content-type",
	"no-boundary",
	"no-parts",
	"no-close",
	"bad-base64",
	"bad-qp",
	"unknown-cte",
	"encoded-container",
	"depth",
	"parts-limit",
	"decoded-limit",
	"name",
	"skipped",
};

const char *
mime_flag_name(unsigned flag)
{
	size_t i;

	for (i = 0; i < SK_NELEM(mime_flag_names); i++) {
		if (flag == 1u << i) {
			return mime_flag_names[i];
		}
	}
	return "unknown";
}
