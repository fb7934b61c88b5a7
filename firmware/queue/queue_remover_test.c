/*
 * queue_remover_test.c - the remover thread removes what it is given,
 * reports what it could not remove, and the loop's fallbacks (no thread)
 * do the same work themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue_remover.h"
#include "test.h"

#define MANY 3000 /* close to the pipe's room, so some go the slow way */

/* open_spool - a fresh spool in the case's folder */
static int
open_spool(struct queue_spool *sp)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/spool", test_tmpdir());
	if (queue_spool_open(sp, path) != SK_OK) {
		test_fail("spool: cannot open %s", path);
		return -1;
	}
	return 0;
}

/* name_of - a queue-id-shaped name for file i */
static void
name_of(unsigned i, char id[QUEUE_ID_SIZE])
{
	snprintf(id, QUEUE_ID_SIZE, "0000000000%06u", i);
}

static void
put_files(const struct queue_spool *sp, unsigned n)
{
	char id[QUEUE_ID_SIZE];
	unsigned i;
	int fd;

	for (i = 0; i < n; i++) {
		name_of(i, id);
		fd = queue_spool_create(sp, id);
		TEST_CHECK(fd != -1 && write(fd, "x", 1) == 1, "create %s", id);
		if (fd != -1) {
			close(fd);
		}
	}
}

/* files_left - how many of files 0..n-1 are still there */
static unsigned
files_left(const struct queue_spool *sp, unsigned n)
{
	char id[QUEUE_ID_SIZE];
	uint64_t size;
	unsigned i, left = 0;

	for (i = 0; i < n; i++) {
		name_of(i, id);
		left += queue_spool_size(sp, id, &size) == 0;
	}
	return left;
}

static void
test_removes_all(void)
{
	struct queue_remover r;
	struct queue_spool sp;
	char id[QUEUE_ID_SIZE];
	unsigned i, failed = 0;
	int err;

	if (open_spool(&sp) == -1) {
		return;
	}
	put_files(&sp, MANY);
	queue_remover_init(&r);
	TEST_CHECK(queue_remover_start(&r, &sp) == 0, "start: %s",
	    strerror(errno));
	for (i = 0; i < MANY; i++) {
		name_of(i, id);
		failed += queue_remover_remove(&r, id) != 0;
	}
	/* already gone is no failure */
	TEST_CHECK(queue_remover_remove(&r, "00000000000NOPE") == 0,
	    "a missing file counted as a failure");
	queue_remover_flush(&r);
	TEST_CHECK(failed == 0 && files_left(&sp, MANY) == 0,
	    "%u files left, %u refused", files_left(&sp, MANY), failed);
	TEST_CHECK(!queue_remover_failure(&r, id, &err),
	    "a failure reported for %s", id);
	queue_remover_stop(&r);
	queue_spool_close(&sp);
}

/* start_with_dir - a spool with nfiles files and a folder named DIR_ID
 * (which cannot be unlinked), and a started remover; -1 if not */
#define DIR_ID "0000000000DIR00"
static int
start_with_dir(struct queue_remover *r, struct queue_spool *sp, unsigned nfiles)
{
	if (open_spool(sp) == -1) {
		return -1;
	}
	put_files(sp, nfiles);
	TEST_CHECK(mkdirat(sp->msgfd, DIR_ID, 0700) == 0, "mkdir");
	queue_remover_init(r);
	if (queue_remover_start(r, sp) == -1) {
		test_fail("start: %s", strerror(errno));
		queue_spool_close(sp);
		return -1;
	}
	return 0;
}

/* A folder where a file should be cannot be unlinked: the failure comes
 * back with its id and errno, and the worker goes on. */
static void
test_failure_reported(void)
{
	struct queue_remover r;
	struct queue_spool sp;
	char id[QUEUE_ID_SIZE];
	int err = 0;

	if (start_with_dir(&r, &sp, 2) == -1) {
		return;
	}
	name_of(0, id);
	TEST_CHECK(queue_remover_remove(&r, id) == 0, "hand %s", id);
	TEST_CHECK(queue_remover_remove(&r, DIR_ID) == 0, "hand dir");
	name_of(1, id);
	TEST_CHECK(queue_remover_remove(&r, id) == 0, "hand %s", id);
	queue_remover_flush(&r);
	TEST_CHECK(files_left(&sp, 2) == 0, "the worker stopped at a failure");
	TEST_CHECK(queue_remover_failure(&r, id, &err) == 1 &&
		strcmp(id, DIR_ID) == 0 && err == EISDIR,
	    "failure: id %s, %s", id, strerror(err));
	TEST_CHECK(!queue_remover_failure(&r, id, &err), "a second failure");
	queue_remover_stop(&r);
	queue_spool_close(&sp);
}

/* More failures than their pipe holds: each one is either reported or
 * counted as dropped, none is lost. */
static void
test_failures_counted(void)
{
	enum { FAILURES = 6000 };
	struct queue_remover r;
	struct queue_spool sp;
	char id[QUEUE_ID_SIZE];
	unsigned long reported = 0, dropped, here = 0;
	int err;
	unsigned i;

	if (start_with_dir(&r, &sp, 0) == -1) {
		return;
	}
	for (i = 0; i < FAILURES; i++) {
		/* -1: the request pipe was full and the removal done here */
		here += queue_remover_remove(&r, DIR_ID) == -1;
		if (i % 1000 == 999) {
			queue_remover_flush(&r);
		}
	}
	queue_remover_flush(&r);
	while (queue_remover_failure(&r, id, &err)) {
		reported++;
	}
	dropped = queue_remover_dropped(&r);
	TEST_CHECK(dropped > 0, "none dropped (%lu reported)", reported);
	TEST_CHECK(reported + dropped + here == FAILURES,
	    "%lu reported + %lu dropped + %lu here != %d", reported, dropped,
	    here, FAILURES);
	TEST_CHECK(queue_remover_dropped(&r) == 0, "count not reset");
	queue_remover_stop(&r);
	queue_spool_close(&sp);
}

/* Without a thread (never started, or stopped) the caller removes. */
static void
test_without_thread(void)
{
	struct queue_remover r;
	struct queue_spool sp;
	char id[QUEUE_ID_SIZE];

	if (open_spool(&sp) == -1) {
		return;
	}
	put_files(&sp, 2);
	queue_remover_init(&r);
	r.spool = &sp;
	name_of(0, id);
	TEST_CHECK(queue_remover_remove(&r, id) == 0 && files_left(&sp, 1) == 0,
	    "not removed in place");
	TEST_CHECK(queue_remover_start(&r, &sp) == 0, "start");
	queue_remover_stop(&r);
	name_of(1, id);
	TEST_CHECK(queue_remover_remove(&r, id) == 0 && files_left(&sp, 2) == 0,
	    "not removed after stop");
	TEST_CHECK(mkdirat(sp.msgfd, DIR_ID, 0700) == 0, "mkdir");
	TEST_CHECK(queue_remover_remove(&r, DIR_ID) == -1 && errno == EISDIR,
	    "a failure in place not returned");
	queue_spool_close(&sp);
}

/* stop lets the worker finish what it was given */
static void
test_stop_finishes(void)
{
	struct queue_remover r;
	struct queue_spool sp;
	char id[QUEUE_ID_SIZE];
	unsigned i;

	if (open_spool(&sp) == -1) {
		return;
	}
	put_files(&sp, 200);
	queue_remover_init(&r);
	TEST_CHECK(queue_remover_start(&r, &sp) == 0, "start");
	for (i = 0; i < 200; i++) {
		name_of(i, id);
		(void)queue_remover_remove(&r, id);
	}
	queue_remover_stop(&r);
	TEST_CHECK(files_left(&sp, 200) == 0, "%u files left after stop",
	    files_left(&sp, 200));
	queue_spool_close(&sp);
}

const struct test_case test_cases[] = {
	{ "queue_remover_removes_all", test_removes_all },
	{ "queue_remover_failure_reported", test_failure_reported },
	{ "queue_remover_failures_counted", test_failures_counted },
	{ "queue_remover_without_thread", test_without_thread },
	{ "queue_remover_stop_finishes", test_stop_finishes },
};
const size_t test_ncases = SK_NELEM(test_cases);
