/*
 * dmarc_from.c - the RFC5322.From domain for DMARC (RFC 7489 3.1, 6.6.1):
 * header fields (RFC 5322 2.2, 3.6), the address list grammar (RFC 5322
 * 3.4 with its obsolete forms of 4.4, groups in From as RFC 6854 allows,
 * UTF-8 as RFC 6532 allows).
 *
 * Untrusted input: the message header section.  Sans-I/O over (buf, len);
 * the domain is copied into the caller's struct; no allocation.
 *
 * Strict on purpose: DMARC protects what the reader sees as the author,
 * and every lenient guess at a malformed From is a way to make the
 * checked domain differ from the displayed one.  So exactly one From
 * field holding exactly one mailbox gives a domain; anything else is a
 * defined status that dmarc_check's caller turns into permerror (and, by
 * the config, reject).
 */
#include <string.h>

#include "dmarc.h"

enum fp_tok {
	FP_END,
	FP_ATOM, /* 1*atext */
	FP_QSTR, /* quoted-string */
	FP_SPECIAL,
	FP_ERR,
};

struct fp {
	const uint8_t *s;
	size_t len;
	size_t pos;
	size_t err_pos;
	/* the token just read */
	enum fp_tok tok;
	int c; /* FP_SPECIAL: the character */
	size_t start, tlen;
};

static const char *const dmarc_from_names[DMARC_FROM_COUNT] = {
	[DMARC_FROM_OK] = "ok",
	[DMARC_FROM_NONE] = "no From field",
	[DMARC_FROM_FIELDS] = "more than one From field",
	[DMARC_FROM_NO_ADDRESS] = "no address in From",
	[DMARC_FROM_ADDRESSES] = "more than one address in From",
	[DMARC_FROM_SYNTAX] = "From is not an address list",
	[DMARC_FROM_DOMAIN] = "From domain is not a DNS name",
};

const char *
dmarc_from_status_str(enum dmarc_from_status s)
{
	if ((unsigned)s >= DMARC_FROM_COUNT) {
		return "?";
	}
	return dmarc_from_names[s];
}

/* fp_atext - RFC 5322 3.2.3 atext, and UTF8-non-ascii (RFC 6532 3.2) */
static int
fp_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80) {
		return 1;
	}
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/*
 * fp_fws - skip white space at pos: WSP, and CRLF or LF that fold a line
 * (inside a field they are always followed by WSP).  A CR that does not
 * start CRLF is an error.
 */
static int
fp_fws(struct fp *p)
{
	while (p->pos < p->len) {
		uint8_t c = p->s[p->pos];

		if (c == '\r') {
			if (p->pos + 1 >= p->len || p->s[p->pos + 1] != '\n') {
				return -1;
			}
			p->pos++;
		} else if (c != ' ' && c != '\t' && c != '\n') {
			break;
		}
		p->pos++;
	}
	return 0;
}

/* fp_comment - RFC 5322 3.2.2: a comment at pos, nested, quoted-pairs */
static int
fp_comment(struct fp *p)
{
	size_t depth = 0;

	while (p->pos < p->len) {
		uint8_t c = p->s[p->pos];

		if (c == '\\') {
			if (p->pos + 1 >= p->len || p->s[p->pos + 1] == '\0') {
				return -1;
			}
			p->pos += 2;
			continue;
		}
		if (c == '\0' ||
		    (c == '\r' &&
			(p->pos + 1 >= p->len || p->s[p->pos + 1] != '\n'))) {
			return -1;
		}
		p->pos++;
		if (c == '(') {
			if (++depth > DMARC_COMMENT_DEPTH_MAX) {
				return -1;
			}
		} else if (c == ')' && --depth == 0) {
			return 0;
		}
	}
	return -1; /* unterminated */
}

/* fp_cfws - RFC 5322 3.2.2 CFWS */
static int
fp_cfws(struct fp *p)
{
	for (;;) {
		if (fp_fws(p) != 0) {
			return -1;
		}
		if (p->pos >= p->len || p->s[p->pos] != '(') {
			return 0;
		}
		if (fp_comment(p) != 0) {
			return -1;
		}
	}
}

/* fp_qstring - RFC 5322 3.2.4 quoted-string at pos (the '"') */
static int
fp_qstring(struct fp *p)
{
	for (p->pos++; p->pos < p->len; p->pos++) {
		uint8_t c = p->s[p->pos];

		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c == '\\') {
			if (++p->pos >= p->len || p->s[p->pos] == '\0') {
				return -1;
			}
		} else if (c == '\0' ||
		    (c == '\r' &&
			(p->pos + 1 >= p->len || p->s[p->pos + 1] != '\n'))) {
			return -1;
		}
	}
	return -1;
}

/* fp_next - read the next token after CFWS */
static enum fp_tok
fp_next(struct fp *p)
{
	uint8_t c;

	p->tok = FP_ERR;
	if (fp_cfws(p) != 0) {
		p->err_pos = p->pos;
		return FP_ERR;
	}
	p->start = p->pos;
	p->tlen = 0;
	if (p->pos >= p->len) {
		return p->tok = FP_END;
	}
	c = p->s[p->pos];
	if (c == '"') {
		if (fp_qstring(p) != 0) {
			p->err_pos = p->start;
			return FP_ERR;
		}
		p->tlen = p->pos - p->start;
		return p->tok = FP_QSTR;
	}
	if (fp_atext(c)) {
		while (p->pos < p->len && fp_atext(p->s[p->pos])) {
			p->pos++;
		}
		p->tlen = p->pos - p->start;
		return p->tok = FP_ATOM;
	}
	if (c != '\0' && strchr("<>@,;:.[]", c) != NULL) {
		p->pos++;
		p->c = c;
		p->tlen = 1;
		return p->tok = FP_SPECIAL;
	}
	p->err_pos = p->pos;
	return FP_ERR; /* a control octet, ")" or "\\" out of place */
}

/* fp_peek - the next token without consuming it */
static enum fp_tok
fp_peek(struct fp *p, int *c)
{
	size_t save = p->pos;
	enum fp_tok t = fp_next(p);

	*c = t == FP_SPECIAL ? p->c : 0;
	p->pos = save;
	return t;
}

static int
fp_is(struct fp *p, int c)
{
	int got;

	return fp_peek(p, &got) == FP_SPECIAL && got == c;
}

/*
 * fp_domain - domain = dot-atom / obs-domain (atoms and "." with CFWS
 * between); the text goes to out (NULL: checked only).  A domain literal
 * is DMARC_FROM_DOMAIN.
 */
static enum dmarc_from_status
fp_domain(struct fp *p, char *out)
{
	size_t n = 0, i;
	int first = 1;

	for (;;) {
		if (fp_next(p) != FP_ATOM) {
			if (first && p->tok == FP_SPECIAL && p->c == '[') {
				p->err_pos = p->start;
				return DMARC_FROM_DOMAIN;
			}
			p->err_pos = p->start;
			return DMARC_FROM_SYNTAX;
		}
		if (n + p->tlen > DMARC_DOMAIN_MAX) {
			p->err_pos = p->start;
			return DMARC_FROM_DOMAIN;
		}
		for (i = 0; i < p->tlen; i++) {
			uint8_t c = p->s[p->start + i];

			/* a host name's octets: LDH, "_", UTF-8 */
			if (!(c >= 0x80 || (c >= '0' && c <= '9') ||
				(c >= 'a' && c <= 'z') || c == '-' ||
				c == '_' || (c >= 'A' && c <= 'Z'))) {
				p->err_pos = p->start + i;
				return DMARC_FROM_DOMAIN;
			}
			if (out != NULL) {
				out[n] = (char)(c >= 'A' && c <= 'Z' ?
					c + ('a' - 'A') :
					c);
			}
			n++;
		}
		first = 0;
		if (!fp_is(p, '.')) {
			break;
		}
		(void)fp_next(p);
		if (out != NULL) {
			out[n] = '.';
		}
		n++;
	}
	if (out != NULL) {
		out[n] = '\0';
	}
	return DMARC_FROM_OK;
}

/* fp_local - local-part = word *("." word) (dot-atom, quoted-string and
 * obs-local-part together) */
static enum dmarc_from_status
fp_local(struct fp *p)
{
	for (;;) {
		if (fp_next(p) != FP_ATOM && p->tok != FP_QSTR) {
			p->err_pos = p->start;
			return DMARC_FROM_SYNTAX;
		}
		if (!fp_is(p, '.')) {
			return DMARC_FROM_OK;
		}
		(void)fp_next(p);
	}
}

/* fp_addr_spec - local-part "@" domain */
static enum dmarc_from_status
fp_addr_spec(struct fp *p, char *out)
{
	enum dmarc_from_status s;

	if ((s = fp_local(p)) != DMARC_FROM_OK) {
		return s;
	}
	if (fp_next(p) != FP_SPECIAL || p->c != '@') {
		p->err_pos = p->start;
		return DMARC_FROM_SYNTAX;
	}
	return fp_domain(p, out);
}

/* fp_found - one more mailbox; the first one's domain is kept */
static char *
fp_found(struct dmarc_from *out, char *scratch)
{
	return out->naddrs++ == 0 ? out->domain : scratch;
}

/*
 * fp_mailbox - mailbox = name-addr / addr-spec (RFC 5322 3.4), or, when
 * group_ok, a group (RFC 5322 3.4, RFC 6854).  The phrase is scanned
 * first; what follows it says what it was.
 */
static enum dmarc_from_status
fp_mailbox(struct fp *p, struct dmarc_from *out, char *scratch, int group_ok)
{
	size_t save = p->pos, words = 0;
	int local_ok = 1, want_word = 1, c;
	enum fp_tok t;
	enum dmarc_from_status s;

	/* phrase / obs-phrase: word *(word / "." / CFWS) */
	for (;;) {
		t = fp_peek(p, &c);
		if (t == FP_ATOM || t == FP_QSTR) {
			local_ok &= want_word;
			want_word = 0;
			words++;
		} else if (t == FP_SPECIAL && c == '.' && words > 0) {
			local_ok &= !want_word;
			want_word = 1;
		} else {
			break;
		}
		(void)fp_next(p);
	}
	if (t == FP_ERR) {
		return DMARC_FROM_SYNTAX;
	}
	if (t == FP_SPECIAL && c == '<') {
		(void)fp_next(p);
		/* obs-angle-addr's route ("<@a,@b:u@d>") is refused */
		s = fp_addr_spec(p, fp_found(out, scratch));
		if (s != DMARC_FROM_OK) {
			return s;
		}
		if (fp_next(p) != FP_SPECIAL || p->c != '>') {
			p->err_pos = p->start;
			return DMARC_FROM_SYNTAX;
		}
		return DMARC_FROM_OK;
	}
	if (t == FP_SPECIAL && c == '@' && words > 0 && local_ok &&
	    !want_word) {
		p->pos = save;
		return fp_addr_spec(p, fp_found(out, scratch));
	}
	if (t == FP_SPECIAL && c == ':' && words > 0 && group_ok) {
		(void)fp_next(p);
		return DMARC_FROM_OK; /* the caller reads the group-list */
	}
	p->err_pos = p->pos;
	return DMARC_FROM_SYNTAX;
}

/*
 * fp_list - address-list (RFC 5322 3.4, with obs-addr-list's empty
 * members), each address a mailbox or a group of mailboxes.
 */
static enum dmarc_from_status
fp_list(struct fp *p, struct dmarc_from *out)
{
	char scratch[DMARC_DOMAIN_MAX + 1];
	int in_group = 0, c;
	enum fp_tok t;
	enum dmarc_from_status s;
	size_t before;

	for (;;) {
		t = fp_peek(p, &c);
		if (t == FP_ERR) {
			return DMARC_FROM_SYNTAX;
		}
		if (t == FP_END) {
			return in_group ? DMARC_FROM_SYNTAX : DMARC_FROM_OK;
		}
		if (t == FP_SPECIAL && c == ',') {
			(void)fp_next(p); /* obs: an empty member */
			continue;
		}
		if (t == FP_SPECIAL && c == ';' && in_group) {
			(void)fp_next(p);
			in_group = 0;
			t = fp_peek(p, &c);
			if (t != FP_END && !(t == FP_SPECIAL && c == ',')) {
				p->err_pos = p->pos;
				return DMARC_FROM_SYNTAX;
			}
			continue;
		}
		before = out->naddrs;
		s = fp_mailbox(p, out, scratch, !in_group);
		if (s != DMARC_FROM_OK) {
			return s;
		}
		if (out->naddrs == before) {
			in_group = 1; /* a group's display-name and ":" */
			continue;
		}
		t = fp_peek(p, &c);
		if (!(t == FP_END ||
			(t == FP_SPECIAL &&
			    (c == ',' || (c == ';' && in_group))))) {
			p->err_pos = p->pos;
			return DMARC_FROM_SYNTAX;
		}
	}
}

/* dmarc_from_value - one From field body; see dmarc.h */
enum dmarc_from_status
dmarc_from_value(const uint8_t *buf, size_t len, struct dmarc_from *out)
{
	struct fp p;
	enum dmarc_from_status s;

	memset(&p, 0, sizeof(p));
	p.s = buf;
	p.len = len;
	out->naddrs = 0;
	out->domain[0] = '\0';
	s = fp_list(&p, out);
	if (s == DMARC_FROM_OK && out->naddrs == 0) {
		s = DMARC_FROM_NO_ADDRESS;
	} else if (s == DMARC_FROM_OK && out->naddrs > 1) {
		s = DMARC_FROM_ADDRESSES;
	}
	if (s != DMARC_FROM_OK) {
		out->err_pos = p.err_pos;
		out->domain[0] = '\0';
	}
	return out->status = s;
}

/* dmarc_field - is line[0..n) a field named "From" (RFC 5322 3.6.2)?
 * *value gets the offset after the colon.  -1: not a field at all. */
static int
dmarc_field(const uint8_t *line, size_t n, size_t *value)
{
	size_t i = 0, end;

	while (i < n && line[i] > 0x20 && line[i] < 0x7f && line[i] != ':') {
		i++;
	}
	end = i;
	while (i < n && (line[i] == ' ' || line[i] == '\t')) {
		i++; /* RFC 5322 4.5: obs WSP before the colon */
	}
	if (end == 0 || i == n || line[i] != ':') {
		return -1;
	}
	*value = i + 1;
	return end == 4 && (line[0] | 0x20) == 'f' && (line[1] | 0x20) == 'r' &&
	    (line[2] | 0x20) == 'o' && (line[3] | 0x20) == 'm';
}

/* dmarc_from_parse - see dmarc.h */
enum dmarc_from_status
dmarc_from_parse(const uint8_t *buf, size_t len, struct dmarc_from *out)
{
	size_t pos = 0, eol, next, vstart = 0, vend = 0, value;
	int in_from = 0, is_from;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		for (eol = pos; eol < len && buf[eol] != '\n'; eol++) {
		}
		next = eol < len ? eol + 1 : eol;
		if (eol > pos && buf[eol - 1] == '\r') {
			eol--;
		}
		if (eol == pos) {
			break; /* the empty line ends the header section */
		}
		if (buf[pos] == ' ' || buf[pos] == '\t') {
			if (in_from) {
				vend = eol; /* RFC 5322 2.2.3: unfolding */
			}
			pos = next;
			continue;
		}
		is_from = dmarc_field(buf + pos, eol - pos, &value);
		in_from = is_from == 1 && ++out->nfields == 1;
		if (in_from) {
			vstart = pos + value;
			vend = eol;
		}
		pos = next;
	}
	if (out->nfields == 0) {
		return out->status = DMARC_FROM_NONE;
	}
	if (out->nfields > 1) {
		return out->status = DMARC_FROM_FIELDS;
	}
	(void)dmarc_from_value(buf + vstart, vend - vstart, out);
	out->err_pos += vstart;
	return out->status;
}
