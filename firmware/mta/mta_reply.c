/*
 * mta_reply.c - parse SMTP reply lines from a remote server (mta_reply.h).
 */
#include <string.h>

#include "mta_reply.h"

void
mta_reply_init(struct mta_reply *r)
{
	r->code = 0;
	r->enh[0] = '\0';
	r->nlines = 0;
	r->done = 0;
	r->cut = 0;
	r->textlen = 0;
	r->text[0] = '\0';
}

/* mta_digits - count of ASCII digits at p, at most max + 1 */
static size_t
mta_digits(const uint8_t *p, size_t len, size_t max)
{
	size_t n = 0;

	while (n < len && n <= max && p[n] >= '0' && p[n] <= '9') {
		n++;
	}
	return n;
}

size_t
mta_enh_parse(const uint8_t *p, size_t len, char cls, char out[MTA_ENH_MAX])
{
	size_t i, n;

	out[0] = '\0';
	/* RFC 3463 2: class "." subject "." detail, class 2, 4 or 5 */
	if (len < 5 || p[0] != (uint8_t)cls || p[1] != '.') {
		return 0;
	}
	if (cls != '2' && cls != '4' && cls != '5') {
		return 0;
	}
	i = 2;
	n = mta_digits(p + i, len - i, MTA_ENH_DIGITS_MAX);
	if (n == 0 || n > MTA_ENH_DIGITS_MAX || i + n >= len ||
	    p[i + n] != '.') {
		return 0;
	}
	i += n + 1;
	n = mta_digits(p + i, len - i, MTA_ENH_DIGITS_MAX);
	if (n == 0 || n > MTA_ENH_DIGITS_MAX) {
		return 0;
	}
	i += n;
	/* RFC 2034 4: the code is followed by SP, or ends the line */
	if (i < len && p[i] != ' ') {
		return 0;
	}
	memcpy(out, p, i);
	out[i] = '\0';
	return i < len ? i + 1 : i;
}

/* mta_reply_code - the three-digit code of RFC 5321 4.2, or 0 */
static uint16_t
mta_reply_code(const uint8_t *p)
{
	if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '5' ||
	    p[2] < '0' || p[2] > '9') {
		return 0;
	}
	return (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + p[2] - '0');
}

/* mta_reply_keep - append sanitized text, cutting at the limit */
static void
mta_reply_keep(struct mta_reply *r, const uint8_t *p, size_t n)
{
	size_t room, i;

	/* lines are joined by one SP */
	if (r->nlines > 1 && r->textlen > 0) {
		if (r->textlen + 1 < sizeof(r->text)) {
			r->text[r->textlen++] = ' ';
		} else {
			r->cut = 1;
		}
	}
	room = sizeof(r->text) - 1 - r->textlen;
	if (n > room) {
		n = room;
		r->cut = 1;
	}
	for (i = 0; i < n; i++) {
		/* a peer's bytes never become control characters in logs */
		r->text[r->textlen++] =
		    (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	}
	r->text[r->textlen] = '\0';
}

enum sk_result
mta_reply_line(struct mta_reply *r, const uint8_t *line, size_t len,
    const uint8_t **text, size_t *textlen)
{
	const uint8_t *t;
	char enh[MTA_ENH_MAX];
	uint16_t code;
	size_t n, skip;
	int last;

	if (r->done || len < 3) {
		return SK_E_SYNTAX;
	}
	code = mta_reply_code(line);
	if (code == 0 || (r->nlines > 0 && code != r->code)) {
		return SK_E_SYNTAX;
	}
	if (len == 3 || line[3] == ' ') {
		last = 1;
	} else if (line[3] == '-') {
		last = 0;
	} else {
		return SK_E_SYNTAX;
	}
	if (r->nlines >= MTA_REPLY_LINES_MAX) {
		return SK_E_TOO_LONG;
	}
	r->code = code;
	r->nlines++;
	t = len > 4 ? line + 4 : line + len;
	n = len > 4 ? len - 4 : 0;
	skip = mta_enh_parse(t, n, (char)line[0], enh);
	if (skip > 0 && r->nlines == 1) {
		memcpy(r->enh, enh, sizeof(enh));
	}
	t += skip;
	n -= skip;
	mta_reply_keep(r, t, n);
	if (text != NULL) {
		*text = t;
	}
	if (textlen != NULL) {
		*textlen = n;
	}
	r->done = last;
	return last ? SK_OK : SK_NEED_MORE;
}
