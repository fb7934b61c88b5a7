/*
 * fuzz_cli_line.c - libFuzzer target for the CLI's input (STYLE.md item
 * 10). The first octet chooses:
 *   even  the rest is one line through the engine in configure mode: at
 *         once as cli_exec, then as "?" help and as tab completion
 *   odd   the rest is raw octets from a terminal through the line
 *         editor, each line it returns run through the engine
 * and its bits 1-2 the role (0 and 3 admin, 1 operator, 2 auditor: an
 * operator's "configure" is refused, so its line runs in operational
 * mode, through the help filter of its role).
 * The datastore is opened once, in a private folder, over a small
 * factory configuration (../datastore/fuzz_ds.h); saved files (load,
 * save, file list) go to saved/ in that folder. Invariants: output is
 * NUL-terminated and the editor's line never exceeds CLI_LINE_MAX - 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../datastore/fuzz_ds.h"
#include "cli.h"
#include "cli_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cli_edit fuzz_edit;

/* fuzz_line - one line in configure mode: run, help, complete */
static void
fuzz_line(struct cli *c, const char *s, size_t n, struct cli_text *out)
{
	char line[CLI_LINE_MAX];
	size_t k;

	(void)cli_exec(c, "configure", 9, out);
	(void)cli_exec(c, s, n, out);
	if (n < sizeof(line)) {
		memcpy(line, s, n);
		line[n] = '\0';
		cli_help(c, line, n, out);
		k = cli_complete(c, line, n, sizeof(line), out);
		if (k >= sizeof(line)) {
			abort();
		}
	}
	if (out->p != NULL && out->p[out->len] != '\0') {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum nacm_role roles[] = { NACM_ADMIN, NACM_OPERATOR,
		NACM_AUDITOR, NACM_ADMIN };
	char err[DS_ERR_MAX], saved[sizeof(fuzz_ds_dir) + 8];
	struct cli_text out = { 0 };
	struct cli *c;
	size_t i;

	if (size < 1 || fuzz_ds_open() == NULL ||
	    cli_new(&c, fuzz_ds, "fuzz", &fuzz_ds_clk, NULL, err,
		sizeof(err)) != SK_OK) {
		return 0;
	}
	snprintf(saved, sizeof(saved), "%s/saved", fuzz_ds_dir);
	if (cli_set_save_dir(c, saved) != SK_OK) {
		abort();
	}
	cli_set_role(c, roles[(data[0] >> 1) & 3]);
	if ((data[0] & 1) == 0) {
		fuzz_line(c, (const char *)data + 1, size - 1, &out);
	} else {
		cli_edit_init(&fuzz_edit, "fuzz# ");
		for (i = 1; i < size; i++) {
			if (cli_edit_feed(&fuzz_edit, data[i], &out) ==
			    CLI_EDIT_LINE) {
				(void)cli_exec(c, fuzz_edit.line, fuzz_edit.len,
				    &out);
				cli_edit_clear(&fuzz_edit);
			}
			if (fuzz_edit.len >= CLI_LINE_MAX ||
			    fuzz_edit.pos > fuzz_edit.len) {
				abort();
			}
			cli_text_reset(&out);
		}
	}
	cli_text_free(&out);
	cli_free(c); /* drops the candidate: each input starts clean */
	return 0;
}
