/*
 * cli_test.c - golden transcripts of the command engine: each
 * testdata/NAME.in is replayed line by line through cli_script_line (as
 * sekimori-cli reads a script) on a fresh datastore over the model's
 * factory.json, and the transcript (prompts, echoed lines, output) is
 * compared with NAME.ref. CLI_UPDATE=1 rewrites the .ref files.
 *
 * Lines of a .in file are the administrator's lines, with the escapes of
 * test_transcript.h (\t is a TAB: completion). One directive:
 *   @tick MINUTES   the fake clock moves on, then cli_tick runs
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
static const struct cli_hooks hooks = { fake_uptime, fake_queue, NULL };

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
	while (test_transcript_line(f, line, sizeof(line), &lineno)) {
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

const struct test_case test_cases[] = {
	{ "cli_transcripts", test_transcripts },
};
const size_t test_ncases = SK_NELEM(test_cases);
