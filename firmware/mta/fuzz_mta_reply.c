/*
 * fuzz_mta_reply.c - libFuzzer target for the reply parser.
 *
 * The input is a server's byte stream: lib's line splitter cuts it into
 * lines as the client does, each line goes to mta_reply_line. Invariants:
 * text views lie inside their line; the kept text is NUL-terminated,
 * within its limit and printable; a code is a valid RFC 5321 code; an
 * enhanced code has the form and class of RFC 3463.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mta_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_enh - "c.sss.ddd" whose class is the code's first digit */
static void
check_enh(const struct mta_reply *r)
{
	char out[MTA_ENH_MAX];
	size_t n = strlen(r->enh);

	if (n == 0) {
		return;
	}
	if (r->enh[0] != (char)('0' + r->code / 100) ||
	    mta_enh_parse((const uint8_t *)r->enh, n, r->enh[0], out) != n ||
	    strcmp(out, r->enh) != 0) {
		abort();
	}
}

static void
check_reply(const struct mta_reply *r)
{
	size_t i;

	if (r->code < 200 || r->code > 559 || r->code % 100 > 59) {
		abort();
	}
	if (r->textlen >= MTA_REPLY_TEXT_MAX || r->text[r->textlen] != '\0' ||
	    strlen(r->text) != r->textlen) {
		abort();
	}
	for (i = 0; i < r->textlen; i++) {
		if (r->text[i] < 0x20 || r->text[i] > 0x7e) {
			abort();
		}
	}
	check_enh(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mta_reply r;
	struct buf_line lines;
	const uint8_t *text;
	size_t linelen, used, textlen;
	enum sk_result res;

	buf_line_init(&lines, MTA_REPLY_LINE_MAX);
	mta_reply_init(&r);
	while (size > 0) {
		res = buf_line_next(&lines, data, size, &linelen, &used);
		if (used > size || (used == 0 && res != SK_NEED_MORE)) {
			abort(); /* the splitter's contract */
		}
		if (used == 0) {
			break; /* an unfinished last line */
		}
		if (res == SK_OK) {
			text = NULL;
			textlen = 0;
			res =
			    mta_reply_line(&r, data, linelen, &text, &textlen);
			if (res == SK_OK || res == SK_NEED_MORE) {
				if (text < data ||
				    text + textlen > data + linelen) {
					abort();
				}
				check_reply(&r);
			}
			if (res != SK_NEED_MORE) {
				mta_reply_init(&r);
			}
		}
		data += used;
		size -= used;
	}
	return 0;
}
