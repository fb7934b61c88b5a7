/*
 * cli_edit.c - the terminal line editor (see cli_edit.h). Redraw is
 * simple and robust: carriage return, prompt, line, erase to the end of
 * the screen line, then the cursor back to its place. Lines longer than
 * the terminal wrap and redraw less neatly; they still edit correctly.
 */
#include <string.h>

#include "cli_edit.h"

#define CTRL(c) ((c)&0x1f)
#define DEL 0x7f
#define ESC 0x1b

void
cli_edit_clear(struct cli_edit *e)
{
	e->len = e->pos = 0;
	e->line[0] = '\0';
	e->too_long = 0;
	e->esc = 0;
	e->utflen = e->utfneed = 0;
	e->hpos = e->nhist;
}

void
cli_edit_init(struct cli_edit *e, const char *prompt)
{
	memset(e, 0, sizeof(*e));
	e->prompt = prompt;
	cli_edit_clear(e);
}

/* cli_cols - terminal columns of s[n]: one per character, not octet */
static size_t
cli_cols(const char *s, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n; i++) {
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return cols;
}

void
cli_edit_redraw(const struct cli_edit *e, struct cli_text *out)
{
	size_t back = cli_cols(e->line + e->pos, e->len - e->pos);

	cli_text_add(out, "\r%s", e->prompt != NULL ? e->prompt : "");
	cli_text_addn(out, e->line, e->len);
	cli_text_add(out, "\x1b[K");
	if (back > 0) {
		cli_text_add(out, "\x1b[%zuD", back);
	}
}

void
cli_edit_set(struct cli_edit *e, const char *s, size_t n)
{
	n = n < CLI_LINE_MAX - 1 ? n : CLI_LINE_MAX - 1;
	memmove(e->line, s, n);
	e->line[n] = '\0';
	e->len = e->pos = n;
}

void
cli_edit_remember(struct cli_edit *e, const char *s, size_t n)
{
	size_t slot;

	if (n == 0) {
		return;
	}
	n = n < CLI_LINE_MAX - 1 ? n : CLI_LINE_MAX - 1;
	if (e->nhist == CLI_HISTORY_MAX) { /* the oldest goes */
		e->hfirst = (e->hfirst + 1) % CLI_HISTORY_MAX;
		e->nhist--;
	}
	slot = (e->hfirst + e->nhist) % CLI_HISTORY_MAX;
	memcpy(e->hist[slot], s, n);
	e->hist[slot][n] = '\0';
	e->nhist++;
	e->hpos = e->nhist;
}

/* cli_insert - n octets (one character) at the cursor */
static void
cli_insert(struct cli_edit *e, const char *s, size_t n)
{
	if (e->len + n > CLI_LINE_MAX - 1) {
		e->too_long = 1;
		return;
	}
	memmove(e->line + e->pos + n, e->line + e->pos, e->len - e->pos);
	memcpy(e->line + e->pos, s, n);
	e->len += n;
	e->pos += n;
	e->line[e->len] = '\0';
}

/* cli_char_start - the start of the character before (dir < 0) or after
 * the cursor */
static size_t
cli_step(const struct cli_edit *e, size_t pos, int dir)
{
	if (dir < 0) {
		while (
		    pos > 0 && ((unsigned char)e->line[--pos] & 0xc0) == 0x80) {
		}
		return pos;
	}
	while (pos < e->len && ((unsigned char)e->line[++pos] & 0xc0) == 0x80) {
	}
	return pos;
}

/* cli_cut - remove [from, to) */
static void
cli_cut(struct cli_edit *e, size_t from, size_t to)
{
	memmove(e->line + from, e->line + to, e->len - to);
	e->len -= to - from;
	e->line[e->len] = '\0';
	e->pos = from;
}

/* cli_history - show the entry dir steps away */
static void
cli_history(struct cli_edit *e, int dir)
{
	size_t slot;

	if ((dir < 0 && e->hpos == 0) || (dir > 0 && e->hpos >= e->nhist)) {
		return;
	}
	e->hpos = dir < 0 ? e->hpos - 1 : e->hpos + 1;
	if (e->hpos == e->nhist) {
		cli_edit_set(e, "", 0);
		return;
	}
	slot = (e->hfirst + e->hpos) % CLI_HISTORY_MAX;
	cli_edit_set(e, e->hist[slot], strlen(e->hist[slot]));
}

/* cli_in_quotes - whether the cursor is inside a quoted word */
static int
cli_in_quotes(const struct cli_edit *e)
{
	size_t i;
	int in = 0;

	for (i = 0; i < e->pos; i++) {
		if (e->line[i] == '\\' && in && i + 1 < e->pos) {
			i++;
		} else if (e->line[i] == '"') {
			in = !in;
		}
	}
	return in;
}

/* cli_word_back - ctrl-W: the word before the cursor and its spaces */
static void
cli_word_back(struct cli_edit *e)
{
	size_t p = e->pos;

	while (p > 0 && e->line[p - 1] == ' ') {
		p--;
	}
	while (p > 0 && e->line[p - 1] != ' ') {
		p--;
	}
	cli_cut(e, p, e->pos);
}

/* cli_sequence - the final octet of an escape sequence: the key */
static void
cli_sequence(struct cli_edit *e, unsigned char fin)
{
	switch (fin) {
	case 'A':
		cli_history(e, -1);
		break;
	case 'B':
		cli_history(e, 1);
		break;
	case 'C':
		e->pos = cli_step(e, e->pos, 1);
		break;
	case 'D':
		e->pos = cli_step(e, e->pos, -1);
		break;
	case 'H':
		e->pos = 0;
		break;
	case 'F':
		e->pos = e->len;
		break;
	case '~': /* ESC [ 3 ~ is delete; 1~/7~ home, 4~/8~ end */
		if (e->seqlen == 1 && e->seq[0] == '3' && e->pos < e->len) {
			cli_cut(e, e->pos, cli_step(e, e->pos, 1));
		} else if (e->seqlen == 1 &&
		    (e->seq[0] == '1' || e->seq[0] == '7')) {
			e->pos = 0;
		} else if (e->seqlen == 1 &&
		    (e->seq[0] == '4' || e->seq[0] == '8')) {
			e->pos = e->len;
		}
		break;
	default:
		break; /* unknown keys do nothing */
	}
}

/* cli_escape - one octet inside an escape sequence; 1 when consumed */
static int
cli_escape(struct cli_edit *e, unsigned char b, struct cli_text *out)
{
	if (e->esc == 1) {
		e->esc = b == '[' ? 2 : b == 'O' ? 3 : 0;
		e->seqlen = 0;
		return 1;
	}
	if (e->esc == 3 || (b >= 0x40 && b <= 0x7e)) {
		if (b >= 0x40 && b <= 0x7e) {
			cli_sequence(e, b);
			cli_edit_redraw(e, out);
		}
		e->esc = 0;
		return 1;
	}
	if (b < 0x20 || b > 0x3f) { /* not a parameter: a broken one */
		e->esc = 0;
		return 0;
	}
	if (e->seqlen < CLI_ESC_MAX) {
		e->seq[e->seqlen++] = (char)b;
	}
	return 1;
}

/* cli_utf8 - one octet >= 0x80: collect a character, insert it whole
 * (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF) */
static void
cli_utf8(struct cli_edit *e, unsigned char b, struct cli_text *out)
{
	if (e->utfneed == 0) {
		e->utfneed = b >= 0xc2 && b <= 0xdf ? 2 :
		    b >= 0xe0 && b <= 0xef          ? 3 :
		    b >= 0xf0 && b <= 0xf4          ? 4 :
						      0;
		e->utflen = 0;
		if (e->utfneed == 0) {
			return;
		}
	} else if ((b & 0xc0) != 0x80 ||
	    (e->utflen == 1 &&
		((e->utf[0] == 0xe0 && b < 0xa0) ||
		    (e->utf[0] == 0xed && b > 0x9f) ||
		    (e->utf[0] == 0xf0 && b < 0x90) ||
		    (e->utf[0] == 0xf4 && b > 0x8f)))) {
		e->utfneed = 0; /* broken: dropped */
		return;
	}
	e->utf[e->utflen++] = b;
	if (e->utflen == e->utfneed) {
		cli_insert(e, (const char *)e->utf, e->utflen);
		e->utfneed = 0;
		cli_edit_redraw(e, out);
	}
}

/* cli_control - a control octet; the event */
static enum cli_edit_event
cli_control(struct cli_edit *e, unsigned char b, struct cli_text *out)
{
	switch (b) {
	case '\r':
	case '\n':
		return e->too_long ? CLI_EDIT_TOO_LONG : CLI_EDIT_LINE;
	case '\t':
		return CLI_EDIT_TAB;
	case CTRL('C'):
		return CLI_EDIT_CANCEL;
	case CTRL('D'):
		if (e->len == 0) {
			return CLI_EDIT_EOF;
		}
		if (e->pos < e->len) {
			cli_cut(e, e->pos, cli_step(e, e->pos, 1));
		}
		break;
	case CTRL('H'):
	case DEL:
		if (e->pos > 0) {
			cli_cut(e, cli_step(e, e->pos, -1), e->pos);
		}
		break;
	case CTRL('A'):
		e->pos = 0;
		break;
	case CTRL('E'):
		e->pos = e->len;
		break;
	case CTRL('B'):
		e->pos = cli_step(e, e->pos, -1);
		break;
	case CTRL('F'):
		e->pos = cli_step(e, e->pos, 1);
		break;
	case CTRL('U'):
		cli_cut(e, 0, e->pos);
		break;
	case CTRL('K'):
		cli_cut(e, e->pos, e->len);
		break;
	case CTRL('W'):
		cli_word_back(e);
		break;
	case CTRL('P'):
		cli_history(e, -1);
		break;
	case CTRL('N'):
		cli_history(e, 1);
		break;
	case CTRL('L'):
		cli_text_add(out, "\x1b[H\x1b[2J");
		break;
	case ESC:
		e->esc = 1;
		return CLI_EDIT_NONE;
	default:
		return CLI_EDIT_NONE; /* other control octets: ignored */
	}
	cli_edit_redraw(e, out);
	return CLI_EDIT_NONE;
}

enum cli_edit_event
cli_edit_feed(struct cli_edit *e, unsigned char b, struct cli_text *out)
{
	int cr = e->last_cr;
	char ch = (char)b;

	e->last_cr = b == '\r';
	if (b == '\n' && cr) {
		return CLI_EDIT_NONE; /* CRLF: the CR was the Enter */
	}
	if (e->esc != 0 && cli_escape(e, b, out)) {
		return CLI_EDIT_NONE;
	}
	if (b >= 0x80) {
		cli_utf8(e, b, out);
		return CLI_EDIT_NONE;
	}
	e->utfneed = 0; /* ASCII ends a broken UTF-8 sequence */
	if (b < 0x20 || b == DEL) {
		return cli_control(e, b, out);
	}
	if (b == '?' && !cli_in_quotes(e)) {
		return CLI_EDIT_HELP;
	}
	cli_insert(e, &ch, 1);
	cli_edit_redraw(e, out);
	return CLI_EDIT_NONE;
}
