/*
 * test_transcript.h - golden transcripts for unit tests (test-only: like
 * test.c it is linked into every *_test program, never into libsk.a).
 *
 * A folder keeps scripts testdata/.../NAME.in and the transcripts they
 * must give, NAME.ref. The test replays each script through its own
 * machine (what a line means is the test's business) into a text
 * transcript; this file finds the folder, reads the escapes of the .in
 * lines, and compares the transcript with NAME.ref, or rewrites NAME.ref
 * when the test's update variable is "1" in the environment (review the
 * diff before committing).
 *
 * Escapes in a .in line (test_transcript_unescape):
 *   \r \n \t \0 \\ \xHH  the octet;
 *   \c                   at the end of the line only: no CRLF appended.
 */
#ifndef SK_TEST_TRANSCRIPT_H
#define SK_TEST_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TEST_TRANSCRIPT_MAX 65536 /* a .ref file, NUL included */
#define TEST_TRANSCRIPT_FILES 256 /* .in files per folder */
#define TEST_TRANSCRIPT_PATH 1024 /* a path */
#define TEST_TRANSCRIPT_UP 6      /* folders looked up from the cwd */

/*
 * test_transcript_unescape - the octets of one .in line into out[cap],
 * CRLF appended when crlf is set and the line does not end in \c; the
 * count, or -1 on a bad escape. A line longer than cap is cut (cap must
 * be at least 3).
 */
long test_transcript_unescape(const char *in, uint8_t *out, size_t cap,
    int crlf);

/*
 * test_transcript_dir - the folder rel under firmware/ (for example
 * "mta/testdata/client"): $SK_TOP/firmware/rel when SK_TOP is set, else
 * looked for upwards from the current directory, as firmware/rel or rel.
 * A static buffer; NULL if not found.
 */
const char *test_transcript_dir(const char *rel);

/*
 * test_transcript_diff - test_fail with the first line where the
 * transcripts got and want differ ("NAME.ref line N: got .., want ..")
 */
void test_transcript_diff(const char *name, const char *got, const char *want);

/*
 * test_transcript_replay - run the script at in_path; the transcript
 * (NUL-ended), or NULL when the script could not be run (the replay has
 * then called test_fail).
 */
typedef const char *(*test_transcript_replay)(const char *in_path);

/*
 * test_transcript_line - the next line of a .in file worth replaying
 * into line[cap], its newline removed: empty lines and "# ..." comments
 * are skipped; *lineno counts every line read (for messages). 0 at the
 * end of the file.
 */
int test_transcript_line(FILE *f, char *line, size_t cap, int *lineno);

/*
 * test_transcript_run - replay every *.in of the folder rel (found by
 * test_transcript_dir), in name order, and compare each transcript with
 * its .ref (or write it, see above). The number of .in files; a missing
 * folder or one without .in files is a failure.
 */
size_t test_transcript_run(const char *rel, test_transcript_replay replay,
    const char *update_var);

#endif /* SK_TEST_TRANSCRIPT_H */
