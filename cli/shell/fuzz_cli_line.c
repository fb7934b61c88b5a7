/*
 * fuzz_cli_line.c - libFuzzer target for the CLI's input (STYLE.md item
 * 10). The first octet chooses:
 *   even  the rest is one line through the engine in configure mode: at
 *         once as cli_exec, then as "?" help and as tab completion
 *   odd   the rest is raw octets from a terminal through the line
 *         editor, each line it returns run through the engine
 * The datastore is opened once, in a private folder, over a small
 * factory configuration. Invariants: output is NUL-terminated and the
 * editor's line never exceeds CLI_LINE_MAX - 1.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_factory[] =
    "{\"sekimori-system:system\": {\"host-name\": \"fuzz\", \"user\": "
    "[{\"name\": \"admin\", \"role\": \"admin\", \"authentication\": "
    "{\"password-hash\": \"$6$sekimorifactory$RMaOHlxkOtJqHYT7PyBOT3mpYmwO"
    "LR22HIsnAGEHaT2ie3nbmp697NgONucZVMnhPgdvcq6Jzvmoz2YuUOY6u0\"}}]},"
    "\"sekimori-mail:mail\": {\"listener\": [{\"name\": \"mx\", \"port\": "
    "25, \"mode\": \"mx\"}]}}";

static char fuzz_dir[] = "/tmp/fuzz_cli.XXXXXX";
static struct ds *fuzz_ds;
static struct cli_edit fuzz_edit;

static time_t
fuzz_clock(void *arg)
{
	return 1700000000;
}
static const struct ds_clock fuzz_clk = { fuzz_clock, NULL };

static int
fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
fuzz_cleanup(void)
{
	ds_close(fuzz_ds);
	(void)nftw(fuzz_dir, fuzz_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* fuzz_open - the datastore, once */
static int
fuzz_open(void)
{
	char path[64], err[DS_ERR_MAX], why[DS_WHY_MAX];
	FILE *f;

	if (fuzz_ds != NULL) {
		return 1;
	}
	if (mkdtemp(fuzz_dir) == NULL) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/factory.json", fuzz_dir);
	if ((f = fopen(path, "w")) == NULL) {
		return 0;
	}
	fputs(fuzz_factory, f);
	fclose(f);
	if (ds_open(&fuzz_ds, fuzz_dir, path, &fuzz_clk, why, sizeof(why), err,
		sizeof(err)) != SK_OK) {
		return 0;
	}
	atexit(fuzz_cleanup);
	return 1;
}

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
	struct cli_text out = { 0 };
	char err[DS_ERR_MAX];
	struct cli *c;
	size_t i;

	if (size < 1 || !fuzz_open() ||
	    cli_new(&c, fuzz_ds, "fuzz", &fuzz_clk, NULL, err, sizeof(err)) !=
		SK_OK) {
		return 0;
	}
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
