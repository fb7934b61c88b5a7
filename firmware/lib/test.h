/*
 * test.h - the unit test harness every *_test.c links against.
 *
 * A test file defines a table of cases and its size:
 *
 *	const struct test_case test_cases[] = {
 *		{ "buf_line_crlf", test_line_crlf },
 *	};
 *	const size_t test_ncases = SK_NELEM(test_cases);
 *
 * test.c provides main(): it runs every case (or only those named on the
 * command line) and prints one line per case, "PASS: name" or
 * "FAIL: name: reason", where reason is the first failure the case
 * reported; later failures of the same case are printed as INFO lines.
 * The exit status is 0 when all cases passed and TEST_EXIT_FAILED when
 * some failed, so that a runner can tell reported failures from a crash.
 */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <stddef.h>

#include "sk.h"

#define TEST_EXIT_FAILED 2
#define TEST_REASON_MAX 512 /* one reason on one terminal-friendly line */

struct test_case {
	const char *name;
	void (*fn)(void);
};

extern const struct test_case test_cases[];
extern const size_t test_ncases;

/* test_fail - record a failure of the running case; the case goes on */
void test_fail(const char *fmt, ...) SK_PRINTF(1, 2);

/* test_tmpdir - a fresh private directory for the running case */
const char *test_tmpdir(void);

/* TEST_CHECK - record "file:line: message" when cond is false */
#define TEST_CHECK(cond, ...)                                          \
	do {                                                           \
		if (!(cond)) {                                         \
			test_fail_at(__FILE__, __LINE__, __VA_ARGS__); \
		}                                                      \
	} while (0)

void test_fail_at(const char *file, int line, const char *fmt, ...)
    SK_PRINTF(3, 4);

#define TEST_CONFORMANCE_UP 6 /* folders looked up from the cwd */

/*
 * test_conformance_dir - the folder of public conformance vectors (kept
 * beside the tree in shared/conformance, never copied into it) that holds
 * probe, a file path under it: $SK_CONFORMANCE as given when set, else
 * $SK_TOP/../shared/conformance, else shared/conformance looked for
 * upwards from the working directory (the tree, firmware/ or the build
 * directory). A static buffer; NULL, after test_fail, when not found.
 */
const char *test_conformance_dir(const char *probe);

/*
 * test_read_file - the first max octets of the file at path in a buffer
 * of max + 1 with a NUL after them (the caller frees it), their count in
 * *len; NULL when the file cannot be opened. Aborts when out of memory.
 */
char *test_read_file(const char *path, size_t max, size_t *len);

#endif /* SK_TEST_H */
