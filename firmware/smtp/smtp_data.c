/*
 * smtp_data.c - DATA de-stuffing, BDAT accounting and the content
 * checks they share; see smtp_data.h for the policy.
 */
#include <string.h>

#include "smtp_data.h"

/* DATA states; only D_BOL follows a CRLF, so only CRLF "." CRLF ends */
enum {
	D_BOL = 0, /* at a line start: after the DATA command or a CRLF */
	D_DOT,     /* "." at a line start, withheld */
	D_DOT_CR,  /* "." CR at a line start, both withheld */
	D_TEXT,    /* inside a line */
	D_CR,      /* a CR inside a line (already passed on) */
	D_DONE,    /* CRLF "." CRLF seen */
};

static const char smtp_body_received[] = "received";

/* smtp_body_init - reset the content checker */
static void
smtp_body_init(struct smtp_body *b, const struct smtp_data_opts *o,
    smtp_data_out_fn *out, void *arg)
{
	memset(b, 0, offsetof(struct smtp_body, stage));
	b->opts = *o;
	if (b->opts.max_received == 0) {
		b->opts.max_received = SMTP_DATA_RECEIVED_MAX;
	}
	b->out = out;
	b->arg = arg;
	b->bol = 1;
	b->in_header = 1;
}

/* smtp_body_flush - pass staged octets to the output */
static void
smtp_body_flush(struct smtp_body *b)
{
	if (b->staged > 0 && b->out != NULL) {
		b->out(b->arg, b->stage, b->staged);
	}
	b->staged = 0;
}

/*
 * smtp_body_header - header bookkeeping for octet c at a line start or
 * within the first word of a header line: the empty line ends the header
 * section; "Received" *WSP ":" is counted (RFC 5322 3.6.7, with the
 * obsolete WSP before the colon of RFC 5322 4.5).
 */
static void
smtp_body_header(struct smtp_body *b, uint8_t c)
{
	uint8_t lc = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);

	if (b->bol) {
		b->hmatch = 0;
	}
	if (b->hmatch == UINT32_MAX) {
		return;
	}
	if (b->hmatch < sizeof(smtp_body_received) - 1) {
		if (lc == (uint8_t)smtp_body_received[b->hmatch]) {
			b->hmatch++;
			return;
		}
	} else if (c == ' ' || c == '\t') {
		return;
	} else if (c == ':') {
		if (++b->received > b->opts.max_received) {
			b->problems |= SMTP_DATA_P_LOOP;
		}
	}
	b->hmatch = UINT32_MAX;
}

/* smtp_body_octet - check and pass on one content octet */
static void
smtp_body_octet(struct smtp_body *b, uint8_t c)
{
	int eol = 0;

	if (!b->opts.binary) {
		/* RFC 5321 2.3.8: CR and LF only as CRLF. */
		if (b->cr && c != '\n') {
			b->problems |= SMTP_DATA_P_BARE_CR;
		}
		if (c == '\n' && !b->cr) {
			b->problems |= SMTP_DATA_P_BARE_LF;
		}
		if (c == '\0') {
			b->problems |= SMTP_DATA_P_NUL;
		}
	}
	eol = c == '\n' && b->cr;
	if (b->in_header) {
		if (b->bol && c == '\r') {
			/* maybe the empty line; decided at its LF */
		} else if (eol && b->line == 1) {
			b->in_header = 0;
			b->header_len = b->size + 1;
		} else if (!eol && c != '\r') {
			smtp_body_header(b, c);
		}
	}
	/* RFC 5321 4.5.3.1.6: 1000 octets per line, CRLF included. */
	if (++b->line > SMTP_DATA_LINE_MAX && !b->opts.binary) {
		b->problems |= SMTP_DATA_P_LONG_LINE;
	}
	b->cr = c == '\r';
	b->bol = eol;
	if (eol || (c == '\n' && !b->opts.binary)) {
		b->line = 0;
	}
	/* RFC 1870 6.3: past the limit, stop storing, keep reading. */
	if (b->opts.max_size > 0 && b->size >= b->opts.max_size) {
		b->problems |= SMTP_DATA_P_TOO_BIG;
	} else {
		b->stage[b->staged++] = c;
		if (b->staged == sizeof(b->stage)) {
			smtp_body_flush(b);
		}
	}
	b->size++;
}

/* smtp_body_plain - a run of octets other than CR, LF and NUL, in the body */
static void
smtp_body_plain(struct smtp_body *b, const uint8_t *p, size_t n)
{
	size_t keep = n, k;

	/* RFC 5321 4.5.3.1.6, as in smtp_body_octet, for n octets at once */
	b->line += n;
	if (b->line > SMTP_DATA_LINE_MAX && !b->opts.binary) {
		b->problems |= SMTP_DATA_P_LONG_LINE;
	}
	b->bol = 0;
	/* RFC 1870 6.3: store up to the limit, count everything. */
	if (b->opts.max_size > 0) {
		if (b->size >= b->opts.max_size) {
			keep = 0;
		} else if (b->opts.max_size - b->size < n) {
			keep = (size_t)(b->opts.max_size - b->size);
		}
		if (keep < n) {
			b->problems |= SMTP_DATA_P_TOO_BIG;
		}
	}
	b->size += n;
	while (keep > 0) {
		k = sizeof(b->stage) - b->staged;
		k = k < keep ? k : keep;
		memcpy(b->stage + b->staged, p, k);
		b->staged += k;
		p += k;
		keep -= k;
		if (b->staged == sizeof(b->stage)) {
			smtp_body_flush(b);
		}
	}
}

/*
 * smtp_body_feed - check and pass on a run of content. Body text between
 * line ends goes through smtp_body_plain in bulk; everything else (the
 * header section, CR, LF, NUL and the octet after a CR) octet by octet.
 */
static void
smtp_body_feed(struct smtp_body *b, const uint8_t *p, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		if (!b->in_header && !b->cr) {
			for (j = i; j < n && p[j] != '\r' && p[j] != '\n' &&
			     p[j] != '\0';
			     j++) {
			}
			if (j > i) {
				smtp_body_plain(b, p + i, j - i);
				i = j;
				continue;
			}
		}
		smtp_body_octet(b, p[i++]);
	}
}

/* smtp_body_result - the verdict on the content, in priority order */
static enum sk_result
smtp_body_result(struct smtp_body *b, struct smtp_data_result *res)
{
	static const struct {
		unsigned bit;
		enum smtp_reply_id reply;
		enum sk_result r;
	} verdicts[] = {
		/* smuggling-class problems first: they name the attack */
		{ SMTP_DATA_P_BARE_LF, SMTP_R_DATA_BARE_LF, SK_E_SYNTAX },
		{ SMTP_DATA_P_BARE_CR, SMTP_R_DATA_BARE_CR, SK_E_SYNTAX },
		{ SMTP_DATA_P_NUL, SMTP_R_DATA_NUL, SK_E_SYNTAX },
		{ SMTP_DATA_P_LOOP, SMTP_R_LOOP, SK_E_RANGE },
		{ SMTP_DATA_P_TOO_BIG, SMTP_R_SIZE_TOO_BIG, SK_E_RANGE },
		{ SMTP_DATA_P_LONG_LINE, SMTP_R_DATA_LONG_LINE, SK_E_TOO_LONG },
	};
	size_t i;
	unsigned problems = b->problems;

	if (b->opts.allow_long_lines) {
		problems &= ~(unsigned)SMTP_DATA_P_LONG_LINE;
	}
	smtp_body_flush(b);
	res->problems = b->problems;
	res->size = b->size;
	res->header_len = b->in_header ? b->size : b->header_len;
	res->received = b->received;
	res->reply = SMTP_R_NONE;
	for (i = 0; i < SK_NELEM(verdicts); i++) {
		if (problems & verdicts[i].bit) {
			res->reply = verdicts[i].reply;
			return verdicts[i].r;
		}
	}
	return SK_OK;
}

/* smtp_data_init - start a DATA body */
void
smtp_data_init(struct smtp_data *d, const struct smtp_data_opts *o,
    smtp_data_out_fn *out, void *arg)
{
	smtp_body_init(&d->body, o, out, arg);
	d->state = D_BOL;
}

/* smtp_data_next - the state after passing on octet c inside a line */
static int
smtp_data_next(uint8_t c, int state)
{
	if (c == '\r') {
		return D_CR;
	}
	if (c == '\n' && state == D_CR) {
		return D_BOL; /* only CRLF starts a line */
	}
	return D_TEXT;
}

/* smtp_data_update - de-stuff buf and find CRLF "." CRLF */
enum sk_result
smtp_data_update(struct smtp_data *d, const uint8_t *buf, size_t len,
    size_t *used)
{
	const uint8_t *p;
	size_t i, run = 0;
	uint8_t c;

	*used = 0;
	if (d->state == D_DONE) {
		return SK_OK;
	}
	for (i = 0; i < len; i++) {
		c = buf[i];
		switch (d->state) {
		case D_TEXT:
			/* Inside a line only a CR matters: skip to it. */
			p = memchr(buf + i, '\r', len - i);
			if (p == NULL) {
				i = len - 1;
				continue;
			}
			i = (size_t)(p - buf);
			d->state = D_CR;
			continue;
		case D_BOL:
			if (c == '.') {
				/* RFC 5321 4.5.2: drop the leading dot. */
				smtp_body_feed(&d->body, buf + run, i - run);
				run = i + 1;
				d->state = D_DOT;
				continue;
			}
			break;
		case D_DOT:
			if (c == '\r') {
				run = i + 1; /* withhold the CR */
				d->state = D_DOT_CR;
				continue;
			}
			break;
		case D_DOT_CR:
			if (c == '\n') {
				/* RFC 5321 4.1.1.4: CRLF "." CRLF */
				d->state = D_DONE;
				*used = i + 1;
				smtp_body_flush(&d->body);
				return SK_OK;
			}
			/* Not the end: the withheld CR is content. */
			smtp_body_feed(&d->body, (const uint8_t *)"\r", 1);
			run = i;
			d->state = D_CR;
			break;
		default:
			break;
		}
		d->state = smtp_data_next(c, d->state);
	}
	smtp_body_feed(&d->body, buf + run, len - run);
	*used = len;
	return SK_NEED_MORE;
}

/* smtp_data_final - flush the output and judge the message */
enum sk_result
smtp_data_final(struct smtp_data *d, struct smtp_data_result *res)
{
	enum sk_result r;

	r = smtp_body_result(&d->body, res);
	if (d->state != D_DONE) {
		res->reply = SMTP_R_NONE;
		return SK_NEED_MORE;
	}
	return r;
}

/* smtp_bdat_init - start a BDAT transaction */
void
smtp_bdat_init(struct smtp_bdat *b, const struct smtp_data_opts *o,
    smtp_data_out_fn *out, void *arg)
{
	smtp_body_init(&b->body, o, out, arg);
	b->left = 0;
	b->total = 0;
	b->last = 0;
}

/* smtp_bdat_chunk - a BDAT command announced size octets */
enum sk_result
smtp_bdat_chunk(struct smtp_bdat *b, uint64_t size, int last)
{
	if (b->left > 0 || b->last) {
		return SK_E_SYNTAX;
	}
	b->left = size;
	b->last = last;
	/* Overflow-safe total; the size check itself is in the octets. */
	b->total = size > UINT64_MAX - b->total ? UINT64_MAX : b->total + size;
	return SK_OK;
}

/* smtp_bdat_update - take exactly the chunk's octets */
enum sk_result
smtp_bdat_update(struct smtp_bdat *b, const uint8_t *buf, size_t len,
    size_t *used)
{
	size_t n = len;

	if ((uint64_t)n > b->left) {
		n = (size_t)b->left;
	}
	smtp_body_feed(&b->body, buf, n);
	b->left -= n;
	*used = n;
	return b->left == 0 ? SK_OK : SK_NEED_MORE;
}

/* smtp_bdat_status - the reply the content so far already deserves */
enum smtp_reply_id
smtp_bdat_status(const struct smtp_bdat *b)
{
	struct smtp_bdat copy;
	struct smtp_data_result res;

	/* Judge without flushing: work on the flags alone. */
	memcpy(&copy.body, &b->body, offsetof(struct smtp_body, stage));
	copy.body.staged = 0;
	copy.body.out = NULL;
	smtp_body_result(&copy.body, &res);
	return res.reply;
}

/* smtp_bdat_final - after the LAST chunk: as smtp_data_final */
enum sk_result
smtp_bdat_final(struct smtp_bdat *b, struct smtp_data_result *res)
{
	/* A message may not end inside CRLF: a last CR is a bare CR. */
	if (b->body.cr && !b->body.opts.binary) {
		b->body.problems |= SMTP_DATA_P_BARE_CR;
	}
	if (!b->last || b->left > 0) {
		smtp_body_result(&b->body, res);
		res->reply = SMTP_R_NONE;
		return SK_NEED_MORE;
	}
	return smtp_body_result(&b->body, res);
}
