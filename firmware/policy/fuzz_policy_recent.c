/*
 * fuzz_policy_recent.c - libFuzzer target for the reader of the recent
 * results' store (policy_report_recent_query and _summary): the input is
 * a database file, as a damaged disk or a crafted file could leave it.
 *
 * The first byte picks the filter (domain, failures only, since, count);
 * the rest is written to a private file that is opened read-only.
 * Invariants: no crash or leak; every row's strings end within their
 * fields; no more signatures than POLICY_RECENT_DKIM_MAX; no more rows
 * than the count asked for.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_recent_db db;
static char path[64];
static size_t rows, want;

/* fuzz_ends - s ends within its field of cap octets */
static void
fuzz_ends(const char *s, size_t cap)
{
	if (strnlen(s, cap) == cap) {
		abort();
	}
}

static int
fuzz_row(void *arg, const struct policy_recent_row *r)
{
	size_t i;

	(void)arg;
	fuzz_ends(r->qid, sizeof(r->qid));
	fuzz_ends(r->client_ip, sizeof(r->client_ip));
	fuzz_ends(r->envelope_domain, sizeof(r->envelope_domain));
	fuzz_ends(r->header_domain, sizeof(r->header_domain));
	fuzz_ends(r->spf, sizeof(r->spf));
	fuzz_ends(r->dkim, sizeof(r->dkim));
	fuzz_ends(r->dmarc, sizeof(r->dmarc));
	fuzz_ends(r->dmarc_policy, sizeof(r->dmarc_policy));
	fuzz_ends(r->arc, sizeof(r->arc));
	fuzz_ends(r->action, sizeof(r->action));
	fuzz_ends(r->reason, sizeof(r->reason));
	if (r->ndkim > POLICY_RECENT_DKIM_MAX) {
		abort();
	}
	for (i = 0; i < r->ndkim; i++) {
		fuzz_ends(r->sig[i].domain, sizeof(r->sig[i].domain));
		fuzz_ends(r->sig[i].result, sizeof(r->sig[i].result));
	}
	if (++rows > want) {
		abort();
	}
	return 0;
}

static void
fuzz_count(void *arg, const char *check, const char *result, uint64_t n)
{
	(void)arg;
	(void)n;
	fuzz_ends(check, 16);
	fuzz_ends(result, POLICY_RECENT_REASON_MAX + 1);
}

/* fuzz_cleanup - the private file and its sides go at exit */
static void
fuzz_cleanup(void)
{
	char side[80];

	snprintf(side, sizeof(side), "%s-wal", path);
	(void)unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	(void)unlink(side);
	(void)unlink(path);
}

/* fuzz_file - the store's file holds data[0..size); 0 or -1 */
static int
fuzz_file(const uint8_t *data, size_t size)
{
	char side[80];
	int fd;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/fuzz_policy_recent.%ld.db",
		    (long)getpid());
		(void)atexit(fuzz_cleanup);
	}
	snprintf(side, sizeof(side), "%s-wal", path);
	(void)unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	(void)unlink(side);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		return -1;
	}
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_recent_filter f;
	uint64_t total, oldest, newest;
	char err[256];

	if (size < 1 || fuzz_file(data + 1, size - 1) != 0) {
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.domain = (data[0] & 1) ? "example.org" : NULL;
	f.failed_only = (data[0] & 2) != 0;
	f.since = (data[0] & 4) ? 1764115200u : 0;
	f.count = (size_t)(data[0] >> 3) * 40; /* 0: the limit */
	want = f.count == 0 || f.count > POLICY_RECENT_QUERY_MAX ?
	    POLICY_RECENT_QUERY_MAX :
	    f.count;
	rows = 0;
	if (policy_report_recent_open(&db, path, 1, err, sizeof(err)) !=
	    SK_OK) {
		return 0;
	}
	(void)policy_report_recent_query(&db, &f, fuzz_row, NULL, err,
	    sizeof(err));
	(void)policy_report_recent_summary(&db, &total, &oldest, &newest,
	    fuzz_count, NULL, err, sizeof(err));
	policy_report_recent_close(&db);
	return 0;
}
