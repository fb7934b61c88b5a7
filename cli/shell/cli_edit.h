/*
 * cli_edit.h - the line editor of the CLI on a terminal, sans-I/O: the
 * caller feeds it the octets read from the terminal one at a time and
 * writes out what it appends (echo and redraw sequences, VT100/ANSI).
 * Keys: printable ASCII and UTF-8 insert; backspace, delete (ESC [3~,
 * ctrl-D on a non-empty line), left/right (arrows, ctrl-B/F), home/end
 * (ctrl-A/E, ESC [H/F), ctrl-U/K kill to start/end, ctrl-W the word
 * before, up/down (ctrl-P/N) the history, ctrl-L redraw. TAB, '?' (not
 * inside quotes), Enter, ctrl-C and ctrl-D on an empty line are events
 * for the caller. Every other octet, broken UTF-8 and unknown escape
 * sequences are dropped: garbage on a serial line changes nothing.
 *
 * Ownership: struct cli_edit is a plain value owned by the caller (about
 * 270 KiB with its history: allocate it, do not put it on a stack).
 */
#ifndef CLI_EDIT_H
#define CLI_EDIT_H

#include <stddef.h>

#include "cli.h"

#define CLI_HISTORY_MAX 64 /* lines remembered */
#define CLI_ESC_MAX 16     /* octets of one escape sequence we keep */

enum cli_edit_event {
	CLI_EDIT_NONE,     /* keep reading */
	CLI_EDIT_LINE,     /* Enter: the line is in line[len] */
	CLI_EDIT_TOO_LONG, /* Enter after input beyond CLI_LINE_MAX - 1 */
	CLI_EDIT_TAB,      /* complete the line */
	CLI_EDIT_HELP,     /* '?': help for the line */
	CLI_EDIT_CANCEL,   /* ctrl-C: the line was dropped */
	CLI_EDIT_EOF,      /* ctrl-D on an empty line */
};

struct cli_edit {
	char line[CLI_LINE_MAX];
	size_t len, pos;
	const char *prompt; /* the prompt's last line, for redraws */
	int too_long;       /* input was refused since the last Enter */
	int last_cr;        /* the last octet was CR (CRLF is one Enter) */
	int esc;            /* 0, 1 after ESC, 2 in CSI, 3 after ESC O */
	char seq[CLI_ESC_MAX];
	size_t seqlen;
	unsigned char utf[4]; /* a UTF-8 sequence being collected */
	size_t utflen, utfneed;
	char hist[CLI_HISTORY_MAX][CLI_LINE_MAX];
	size_t nhist, hfirst, hpos; /* ring; hpos == nhist: the new line */
};

/* cli_edit_init - an empty editor and history; prompt is borrowed */
void cli_edit_init(struct cli_edit *e, const char *prompt);

/* cli_edit_clear - start a new, empty line */
void cli_edit_clear(struct cli_edit *e);

/* cli_edit_feed - one octet from the terminal; what happened */
enum cli_edit_event cli_edit_feed(struct cli_edit *e, unsigned char b,
    struct cli_text *out);

/* cli_edit_redraw - the prompt and the line again, cursor in place */
void cli_edit_redraw(const struct cli_edit *e, struct cli_text *out);

/* cli_edit_set - replace the line (after completion), cursor at end */
void cli_edit_set(struct cli_edit *e, const char *s, size_t n);

/* cli_edit_remember - add a line to the history (empty ones are not) */
void cli_edit_remember(struct cli_edit *e, const char *s, size_t n);

#endif /* CLI_EDIT_H */
