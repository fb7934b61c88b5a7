/*
 * log_test.c - tests of the error verbs: line format, sanitising,
 * truncation, and fatal() caught by a hook.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "test.h"

#define CAPTURE_MAX (2 * LOG_LINE_MAX)

static FILE *out;
static char captured[CAPTURE_MAX];

static int
capture_open(void)
{
	out = tmpfile();
	if (out == NULL) {
		test_fail("tmpfile failed");
		return -1;
	}
	log_init("sk-test", LOG_DAEMON, out);
	return 0;
}

/* capture_read - everything logged since capture_open, NUL-terminated */
static const char *
capture_read(void)
{
	size_t n;

	rewind(out);
	n = fread(captured, 1, sizeof(captured) - 1, out);
	captured[n] = '\0';
	fclose(out);
	return captured;
}

struct line_case {
	const char *name;
	int warn; /* log_warn, else log_info */
	const char *arg;
	const char *want;
};

static const struct line_case line_cases[] = {
	{ "info", 0, "started", "sk-test: started\n" },
	{ "warn", 1, "disk 91% full", "sk-test: warning: disk 91% full\n" },
	{ "newline", 1, "a\nsk-test: fatal: forged",
	    "sk-test: warning: a?sk-test: fatal: forged\n" },
	{ "controls", 0, "\033[2Jx\x7f\xc3\xa9", "sk-test: ?[2Jx???\n" },
};

static void
test_log_lines(void)
{
	const struct line_case *c;
	const char *got;
	size_t i;

	for (i = 0; i < SK_NELEM(line_cases); i++) {
		c = &line_cases[i];
		if (capture_open() == -1) {
			return;
		}
		if (c->warn) {
			log_warn("%s", c->arg);
		} else {
			log_info("%s", c->arg);
		}
		got = capture_read();
		TEST_CHECK(strcmp(got, c->want) == 0,
		    "%s: got \"%s\", want \"%s\"", c->name, got, c->want);
	}
}

static void
test_log_truncate(void)
{
	char big[LOG_LINE_MAX + 100];
	const char *got;
	size_t want;

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	if (capture_open() == -1) {
		return;
	}
	log_info("%s", big);
	got = capture_read();
	want = strlen("sk-test: ") + LOG_LINE_MAX - 1 + 1;
	TEST_CHECK(strlen(got) == want, "length: got %zu, want %zu",
	    strlen(got), want);
}

static jmp_buf fatal_jmp;
static char fatal_line[LOG_LINE_MAX];

static void
catch_fatal(const char *line)
{
	snprintf(fatal_line, sizeof(fatal_line), "%s", line);
	longjmp(fatal_jmp, 1);
}

/* Under a fuzzer, fatal() must come back to the harness, not exit. */
static void
test_fatal_hook(void)
{
	volatile int caught = 0;

	if (capture_open() == -1) {
		return;
	}
	log_set_fatal_hook(catch_fatal);
	if (setjmp(fatal_jmp) == 0) {
		fatal("peer %d broke protocol", 3);
	} else {
		caught = 1;
	}
	log_set_fatal_hook(NULL);
	capture_read();
	TEST_CHECK(caught, "fatal() did not reach the hook");
	TEST_CHECK(strcmp(fatal_line, "peer 3 broke protocol") == 0,
	    "hook line: got \"%s\"", fatal_line);
	TEST_CHECK(strcmp(captured,
		       "sk-test: fatal: peer 3 broke protocol\n") == 0,
	    "logged: got \"%s\"", captured);
}

const struct test_case test_cases[] = {
	{ "log_lines", test_log_lines },
	{ "log_truncate", test_log_truncate },
	{ "log_fatal_hook", test_fatal_hook },
};
const size_t test_ncases = SK_NELEM(test_cases);
