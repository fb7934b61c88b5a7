/*
 * cli_test.c - golden transcripts of the command engine: each
 * testdata/NAME.in is replayed line by line through cli_script_line (as
 * sekimori-cli reads a script) on a fresh datastore over the model's
 * factory.json, and the transcript (prompts, echoed lines, output) is
 * compared with NAME.ref. CLI_UPDATE=1 rewrites the .ref files.
 *
 * Lines of a .in file are the administrator's lines, with the escapes of
 * test_transcript.h (\t is a TAB: completion). Directives:
 *   @tick MINUTES          the fake clock moves on, then cli_tick runs
 *   @symlink NAME TARGET   a symbolic link in the saved-files folder
 *                          (the case's saved/, made by the first use)
 *   @fifo NAME             a FIFO there
 *   @stat NAME             what NAME is there: type and mode
 * Each case's working folder is its own (test_tmpdir()/NAME.in), and
 * its saved files are in saved/ below it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "test.h"
#include "../datastore/test_ds.h"
#include "test_transcript.h"

#define T0 1764064800 /* 2025-11-25 10:00:00 UTC */
#define PATH_LEN 1200
#define SAVED_LEN (PATH_LEN + 8)

static time_t fake_now = T0;

static time_t
fake_clock(void *arg)
{
	return fake_now;
}

static long
fake_uptime(void *arg)
{
	return 93784; /* 1 day, 02:03:04 */
}

static int
fake_queue(void *arg, const char *request, struct cli_text *out)
{
	cli_text_add(out, "(queue asked: %s)\n", request);
	return 0;
}

static const struct ds_clock clk = { fake_clock, NULL };
static const struct cli_hooks hooks = { fake_uptime, fake_queue, NULL, NULL,
	NULL, NULL };

static char saved[SAVED_LEN]; /* the case's saved-files folder */

/* file_directive - @symlink, @fifo, @stat in the saved folder; 0 when
 * line is none of them */
static int
file_directive(const char *line, struct cli_text *out)
{
	char name[PATH_LEN], target[PATH_LEN], path[SAVED_LEN + PATH_LEN + 2];
	struct stat st;

	if (sscanf(line, "@symlink %1023s %1023s", name, target) == 2) {
		mkdir(saved, 0700);
		snprintf(path, sizeof(path), "%s/%s", saved, name);
		TEST_CHECK(symlink(target, path) == 0, "symlink %s", path);
		cli_text_add(out, "[%s -> %s]\n", name, target);
		return 1;
	}
	if (sscanf(line, "@fifo %1023s", name) == 1) {
		mkdir(saved, 0700);
		snprintf(path, sizeof(path), "%s/%s", saved, name);
		TEST_CHECK(mkfifo(path, 0600) == 0, "mkfifo %s", path);
		cli_text_add(out, "[%s: a FIFO]\n", name);
		return 1;
	}
	if (sscanf(line, "@stat %1023s", name) == 1) {
		snprintf(path, sizeof(path), "%s/%s", saved, name);
		if (lstat(path, &st) != 0) {
			cli_text_add(out, "[%s: missing]\n", name);
		} else {
			cli_text_add(out, "[%s: %s, mode %04o]\n", name,
			    S_ISREG(st.st_mode)     ? "regular file" :
				S_ISDIR(st.st_mode) ? "folder" :
				S_ISLNK(st.st_mode) ? "symbolic link" :
						      "other",
			    (unsigned)(st.st_mode & 07777));
		}
		return 1;
	}
	return 0;
}

/* replay - one .in file through a fresh datastore and engine */
static const char *
replay(const char *in_path)
{
	static struct cli_text out;
	static const char *fact;
	char dir[PATH_LEN], err[DS_ERR_MAX], why[DS_WHY_MAX], line[8192];
	uint8_t bytes[8192];
	const char *base = strrchr(in_path, '/');
	struct ds *ds;
	struct cli *c;
	int lineno = 0, home, ok = 0;
	long n;
	FILE *f;

	fact = fact != NULL ? fact : test_ds_factory();
	cli_text_free(&out);
	fake_now = T0;
	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(),
	    base != NULL ? base + 1 : in_path);
	mkdir(dir, 0700);
	/* load and save name files relative to the case's folder; the
	 * harness's paths are relative to where the test started */
	home = open(".", O_RDONLY | O_DIRECTORY);
	if ((f = fopen(in_path, "r")) == NULL || home < 0 || chdir(dir) != 0 ||
	    ds_open(&ds, dir, fact, &clk, why, sizeof(why), err, sizeof(err)) !=
		SK_OK) {
		test_fail("%s: cannot open the datastore: %s", in_path, err);
		goto out;
	}
	if (cli_new(&c, ds, "admin", &clk, &hooks, err, sizeof(err)) != SK_OK) {
		test_fail("%s: cli_new: %s", in_path, err);
		ds_close(ds);
		goto out;
	}
	snprintf(saved, sizeof(saved), "%s/saved", dir);
	TEST_CHECK(cli_set_save_dir(c, saved) == SK_OK, "save dir %s", saved);
	while (test_transcript_line(f, line, sizeof(line), &lineno)) {
		if (file_directive(line, &out)) {
			continue;
		}
		if (strncmp(line, "@tick ", 6) == 0) {
			fake_now += 60 * atol(line + 6);
			cli_text_add(&out, "[%s minutes later]\n", line + 6);
			(void)cli_tick(c, fake_now, &out);
			continue;
		}
		n = test_transcript_unescape(line, bytes, sizeof(bytes), 0);
		if (n < 0) {
			test_fail("%s:%d: bad escape", in_path, lineno);
			continue;
		}
		if (cli_script_line(c, (const char *)bytes, (size_t)n, 1,
			&out) &
		    CLI_EXIT) {
			cli_text_add(&out, "[the CLI exits]\n");
		}
	}
	cli_free(c);
	ds_close(ds);
	ok = 1;
out:
	if (f != NULL) {
		fclose(f);
	}
	if (home >= 0) {
		(void)fchdir(home);
		close(home);
	}
	return ok ? cli_text_str(&out) : NULL;
}

/* test_transcripts - every testdata/ *.in against its .ref */
static void
test_transcripts(void)
{
	size_t n =
	    test_transcript_run("../cli/shell/testdata", replay, "CLI_UPDATE");

	TEST_CHECK(n > 0, "no transcripts ran");
}

/* test_saved_names - the rule of saved files' names, case by case */
static void
test_saved_names(void)
{
	static const struct {
		const char *name;
		int ok;
	} v[] = {
		{ "backup.json", 1 },
		{ "a", 1 },
		{ "0-config_2.json", 1 },
		{ "a.b.c", 1 },
		{ "", 0 },
		{ ".", 0 },
		{ "..", 0 },
		{ ".hidden", 0 },
		{ "-rf", 0 },
		{ "_x", 0 },
		{ "a..b", 0 },
		{ "a/b", 0 },
		{ "/etc/passwd", 0 },
		{ "../startup.json", 0 },
		{ "a b", 0 },
		{ "a\\b", 0 },
		{ "caf\xc3\xa9", 0 },
		{ "a\tb", 0 },
		{ "x23456789012345678901234567890123456789012345678901234567890"
		  "1234",
		    1 },
		{ "x23456789012345678901234567890123456789012345678901234567890"
		  "12345",
		    0 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(v); i++) {
		TEST_CHECK(cli_saved_name_ok(v[i].name) == v[i].ok,
		    "\"%s\": got %d, want %d", v[i].name,
		    cli_saved_name_ok(v[i].name), v[i].ok);
	}
}

const struct test_case test_cases[] = {
	{ "cli_transcripts", test_transcripts },
	{ "cli_saved_names", test_saved_names },
};
const size_t test_ncases = SK_NELEM(test_cases);
