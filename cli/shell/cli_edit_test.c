/*
 * cli_edit_test.c - the line editor fed keys, escape sequences and
 * garbage: the line, the cursor and the event it ends with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_edit.h"
#include "test.h"

static struct cli_edit ed;

struct edit_case {
	const char *name;
	const char *keys; /* octets fed in order */
	size_t nkeys;     /* 0: strlen(keys) */
	const char *line; /* the line after them */
	size_t pos;
	enum cli_edit_event last; /* the event of the last octet */
};

#define K(s) s, sizeof(s) - 1

static const struct edit_case cases[] = {
	{ "insert", K("show"), "show", 4, CLI_EDIT_NONE },
	{ "enter", K("show\r"), "show", 4, CLI_EDIT_LINE },
	{ "backspace",
	    K("shoxw\x7f\x7f"
	      "w"),
	    "show", 4, CLI_EDIT_NONE },
	{ "left_insert", K("sow\x1b[D\x1b[Dh"), "show", 2, CLI_EDIT_NONE },
	{ "home_end", K("how\x01s\x05!"), "show!", 5, CLI_EDIT_NONE },
	{ "ctrl_u", K("garbage\x15ok"), "ok", 2, CLI_EDIT_NONE },
	{ "ctrl_k", K("show me\x01\x06\x06\x06\x06\x0b"), "show", 4,
	    CLI_EDIT_NONE },
	{ "ctrl_w", K("set system host\x17"), "set system ", 11,
	    CLI_EDIT_NONE },
	{ "delete_key", K("sxhow\x01\x1b[C\x1b[3~"), "show", 1, CLI_EDIT_NONE },
	{ "tab", K("sh\t"), "sh", 2, CLI_EDIT_TAB },
	{ "help", K("show ?"), "show ", 5, CLI_EDIT_HELP },
	{ "quoted_question", K("set x \"a?"), "set x \"a?", 9, CLI_EDIT_NONE },
	{ "ctrl_c", K("show\x03"), "show", 4, CLI_EDIT_CANCEL },
	{ "ctrl_d_empty", K("\x04"), "", 0, CLI_EDIT_EOF },
	{ "ctrl_d_deletes", K("ab\x01\x04"), "b", 0, CLI_EDIT_NONE },
	{ "utf8", K("\xc3\xa9t\xc3\xa9\x1b[D\x1b[D"), "\xc3\xa9t\xc3\xa9", 2,
	    CLI_EDIT_NONE },
	{ "utf8_backspace", K("\xe2\x82\xac\x7f"), "", 0, CLI_EDIT_NONE },
	{ "bad_utf8",
	    K("a\xff\xc0\xaf\xed\xa0\x80\xc3"
	      "b"),
	    "ab", 2, CLI_EDIT_NONE },
	{ "controls_ignored",
	    K("a\x00\x07\x0f\x1c"
	      "b"),
	    "ab", 2, CLI_EDIT_NONE },
	{ "unknown_csi", K("a\x1b[99;99;99Zb\x1b[5~c"), "abc", 3,
	    CLI_EDIT_NONE },
	{ "long_csi", K("a\x1b[1111111111111111111111111111111111Zb"), "ab", 2,
	    CLI_EDIT_NONE },
	{ "crlf_one_enter", K("x\r\n"), "x", 1, CLI_EDIT_NONE },
};

static void
test_keys(void)
{
	struct cli_text out = { 0 };
	enum cli_edit_event ev = CLI_EDIT_NONE;
	size_t i, k, n;

	for (i = 0; i < SK_NELEM(cases); i++) {
		cli_edit_init(&ed, "box# ");
		n = cases[i].nkeys;
		for (k = 0; k < n; k++) {
			ev = cli_edit_feed(&ed, (unsigned char)cases[i].keys[k],
			    &out);
		}
		TEST_CHECK(strcmp(ed.line, cases[i].line) == 0 &&
			ed.len == strlen(cases[i].line),
		    "%s: got line \"%s\", want \"%s\"", cases[i].name, ed.line,
		    cases[i].line);
		TEST_CHECK(ed.pos == cases[i].pos, "%s: got pos %zu, want %zu",
		    cases[i].name, ed.pos, cases[i].pos);
		TEST_CHECK(ev == cases[i].last, "%s: got event %d, want %d",
		    cases[i].name, (int)ev, (int)cases[i].last);
	}
	cli_text_free(&out);
}

/* test_history - up and down walk the remembered lines, bounded */
static void
test_history(void)
{
	struct cli_text out = { 0 };
	char buf[16];
	int i;

	cli_edit_init(&ed, "> ");
	for (i = 0; i < CLI_HISTORY_MAX + 5; i++) {
		snprintf(buf, sizeof(buf), "cmd%d", i);
		cli_edit_remember(&ed, buf, strlen(buf));
	}
	cli_edit_clear(&ed);
	(void)cli_edit_feed(&ed, 0x1b, &out);
	(void)cli_edit_feed(&ed, '[', &out);
	(void)cli_edit_feed(&ed, 'A', &out);
	snprintf(buf, sizeof(buf), "cmd%d", CLI_HISTORY_MAX + 4);
	TEST_CHECK(strcmp(ed.line, buf) == 0, "up: got %s, want %s", ed.line,
	    buf);
	for (i = 0; i < CLI_HISTORY_MAX + 10; i++) {
		(void)cli_edit_feed(&ed, 0x10, &out); /* ctrl-P */
	}
	TEST_CHECK(strcmp(ed.line, "cmd5") == 0, "oldest: got %s, want cmd5",
	    ed.line);
	for (i = 0; i < CLI_HISTORY_MAX + 10; i++) {
		(void)cli_edit_feed(&ed, 0x0e, &out); /* ctrl-N */
	}
	TEST_CHECK(ed.len == 0, "down past the newest: got \"%s\"", ed.line);
	cli_text_free(&out);
}

/* test_too_long - input past the limit is refused, Enter says so */
static void
test_too_long(void)
{
	struct cli_text out = { 0 };
	enum cli_edit_event ev;
	size_t i;

	cli_edit_init(&ed, "> ");
	for (i = 0; i < CLI_LINE_MAX + 100; i++) {
		(void)cli_edit_feed(&ed, 'a', &out);
		cli_text_reset(&out);
	}
	TEST_CHECK(ed.len == CLI_LINE_MAX - 1, "got len %zu", ed.len);
	ev = cli_edit_feed(&ed, '\r', &out);
	TEST_CHECK(ev == CLI_EDIT_TOO_LONG, "got event %d", (int)ev);
	cli_text_free(&out);
}

/* test_garbage - random octets never break the invariants */
static void
test_garbage(void)
{
	struct cli_text out = { 0 };
	unsigned seed = 12345;
	int i;

	cli_edit_init(&ed, "> ");
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		if (cli_edit_feed(&ed, (unsigned char)(seed >> 16), &out) !=
		    CLI_EDIT_NONE) {
			cli_edit_clear(&ed);
		}
		cli_text_reset(&out);
		if (ed.pos > ed.len || ed.len >= CLI_LINE_MAX ||
		    ed.line[ed.len] != '\0') {
			test_fail("invariant broken after %d octets", i);
			break;
		}
	}
	cli_text_free(&out);
}

const struct test_case test_cases[] = {
	{ "cli_edit_keys", test_keys },
	{ "cli_edit_history", test_history },
	{ "cli_edit_too_long", test_too_long },
	{ "cli_edit_garbage", test_garbage },
};
const size_t test_ncases = SK_NELEM(test_cases);
