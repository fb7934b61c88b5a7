/*
 * smtp_reply.c - the reply table and the reply formatters.
 */
#include <stdio.h>
#include <string.h>

#include "smtp_reply.h"

static const struct smtp_reply smtp_replies[SMTP_R_COUNT] = {
#define SMTP_REPLY_ROW(id, code, enh, text) [id] = { code, enh, text },
	SMTP_REPLIES(SMTP_REPLY_ROW)
#undef SMTP_REPLY_ROW
};

static const char *const smtp_reply_names[SMTP_R_COUNT] = {
#define SMTP_REPLY_NAME(id, code, enh, text) [id] = #id,
	SMTP_REPLIES(SMTP_REPLY_NAME)
#undef SMTP_REPLY_NAME
};

/* smtp_reply_get - the row of id; the SMTP_R_NONE row when out of range */
const struct smtp_reply *
smtp_reply_get(enum smtp_reply_id id)
{
	if ((unsigned)id >= SMTP_R_COUNT) {
		id = SMTP_R_NONE;
	}
	return &smtp_replies[id];
}

/* smtp_reply_name - "SMTP_R_OK"... for tests and logs */
const char *
smtp_reply_name(enum smtp_reply_id id)
{
	if ((unsigned)id >= SMTP_R_COUNT) {
		return "SMTP_R_?";
	}
	return smtp_reply_names[id];
}

/* smtp_reply_line - append one line with separator sep (' ' or '-') */
static enum sk_result
smtp_reply_line(uint16_t code, char sep, const char *enh, const char *text,
    const char *detail, char *out, size_t cap, size_t *len)
{
	int n;

	if (*len > cap) {
		return SK_E_FULL;
	}
	n = snprintf(out + *len, cap - *len, "%03u%c%s%s%s%s%s\r\n",
	    (unsigned)code, sep, enh, enh[0] != '\0' ? " " : "", text,
	    detail != NULL && text[0] != '\0' ? " " : "",
	    detail != NULL ? detail : "");
	if (n < 0 || (size_t)n >= cap - *len) {
		if (*len < cap) {
			out[*len] = '\0';
		}
		return SK_E_FULL;
	}
	/* RFC 5321 4.5.3.1.5: 512 octets per reply line, CRLF included. */
	if ((size_t)n > SMTP_REPLY_LINE_MAX) {
		out[*len] = '\0';
		return SK_E_TOO_LONG;
	}
	*len += (size_t)n;
	return SK_OK;
}

/* smtp_reply_format - append one reply line for id, plus detail */
enum sk_result
smtp_reply_format(enum smtp_reply_id id, const char *detail, char *out,
    size_t cap, size_t *len)
{
	const struct smtp_reply *r = smtp_reply_get(id);

	return smtp_reply_line(r->code, ' ', r->enh, r->text, detail, out, cap,
	    len);
}

/* smtp_reply_format_lines - append a multi-line reply, RFC 5321 4.2.1 */
enum sk_result
smtp_reply_format_lines(uint16_t code, const char *enh,
    const char *const *lines, size_t nlines, char *out, size_t cap, size_t *len)
{
	size_t i, start = *len;
	enum sk_result r;

	if (nlines == 0) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < nlines; i++) {
		r = smtp_reply_line(code, i + 1 < nlines ? '-' : ' ', enh,
		    lines[i], NULL, out, cap, len);
		if (r != SK_OK) {
			*len = start;
			return r;
		}
	}
	return SK_OK;
}
