/*
 * test.c - main() of every unit test binary: run cases, print PASS/FAIL.
 */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static const char *test_current;
static int test_failures;
static char test_reason[TEST_REASON_MAX];
static char test_dir[64];

/* test_vfail - keep the first reason, print the others as they come */
static void test_vfail(const char *, const char *, va_list) SK_PRINTF(2, 0);

static void
test_vfail(const char *prefix, const char *fmt, va_list ap)
{
	char msg[TEST_REASON_MAX];
	size_t n;

	n = (size_t)snprintf(msg, sizeof(msg), "%s", prefix);
	if (n < sizeof(msg)) {
		vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	}
	if (test_failures++ == 0) {
		memcpy(test_reason, msg, sizeof(msg));
		return;
	}
	printf("INFO: %s: also: %s\n", test_current, msg);
}

/* test_fail - record a failure of the running case; the case goes on */
void
test_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_vfail("", fmt, ap);
	va_end(ap);
}

/* test_fail_at - as test_fail, prefixed with the source position */
void
test_fail_at(const char *file, int line, const char *fmt, ...)
{
	char prefix[128];
	const char *base;
	va_list ap;

	base = strrchr(file, '/');
	snprintf(prefix, sizeof(prefix), "%s:%d: ", base ? base + 1 : file,
	    line);
	va_start(ap, fmt);
	test_vfail(prefix, fmt, ap);
	va_end(ap);
}

/* test_tmpdir - a fresh private directory for the running case */
const char *
test_tmpdir(void)
{
	const char *base;

	if (test_dir[0] != '\0') {
		return test_dir;
	}
	base = getenv("TMPDIR");
	snprintf(test_dir, sizeof(test_dir), "%s/sktest.XXXXXX",
	    base != NULL && strlen(base) < 32 ? base : "/tmp");
	if (mkdtemp(test_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return test_dir;
}

/* test_conformance_dir - the conformance folder that holds probe */
const char *
test_conformance_dir(const char *probe)
{
	static const char shared[] = "shared/conformance";
	static char dir[1024];
	char path[1200], up[64] = "";
	const char *e;
	int i;

	if ((e = getenv("SK_CONFORMANCE")) != NULL) {
		snprintf(dir, sizeof(dir), "%s", e);
		return dir;
	}
	if ((e = getenv("SK_TOP")) != NULL) {
		snprintf(dir, sizeof(dir), "%s/../%s", e, shared);
		snprintf(path, sizeof(path), "%s/%s", dir, probe);
		if (access(path, R_OK) == 0) {
			return dir;
		}
	}
	for (i = 0; i < TEST_CONFORMANCE_UP; i++) {
		snprintf(dir, sizeof(dir), "%s%s", up, shared);
		snprintf(path, sizeof(path), "%s/%s", dir, probe);
		if (access(path, R_OK) == 0) {
			return dir;
		}
		strncat(up, "../", sizeof(up) - strlen(up) - 1);
	}
	test_fail("conformance data not found: set SK_CONFORMANCE or SK_TOP");
	return NULL;
}

/* test_read_file - up to max octets of a file, NUL-terminated */
char *
test_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL) {
		return NULL;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		perror("malloc");
		abort();
	}
	*len = fread(buf, 1, max, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* test_rm - nftw callback removing one entry of the temporary tree */
static int
test_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* test_cleanup - remove the running case's temporary directory */
static void
test_cleanup(void)
{
	if (test_dir[0] != '\0' &&
	    nftw(test_dir, test_rm, 16, FTW_DEPTH | FTW_PHYS) == -1) {
		printf("INFO: %s: cannot remove %s\n", test_current, test_dir);
	}
	test_dir[0] = '\0';
}

/* test_selected - whether a case was asked for on the command line */
static int
test_selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2) {
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], name) == 0) {
			return 1;
		}
	}
	return 0;
}

/* test_run - run one case and print its verdict */
static int
test_run(const struct test_case *tc)
{
	test_current = tc->name;
	test_failures = 0;
	test_dir[0] = '\0';
	tc->fn();
	test_cleanup();
	if (test_failures == 0) {
		printf("PASS: %s\n", tc->name);
	} else {
		printf("FAIL: %s: %s\n", tc->name, test_reason);
	}
	fflush(stdout);
	return test_failures == 0;
}

int
main(int argc, char **argv)
{
	size_t i;
	int failed = 0;

	/* Failures are reported through stdout; keep lines in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < test_ncases; i++) {
		if (test_selected(test_cases[i].name, argc, argv) &&
		    !test_run(&test_cases[i])) {
			failed++;
		}
	}
	return failed == 0 ? 0 : TEST_EXIT_FAILED;
}
