/*
 * check_dmarc_report.c - "sekimori-check dmarc-report": the DMARC
 * aggregate reports that the store (firmware/policy/policy_report.h) holds
 * for periods that ended before --now, printed as their XML (RFC 7489
 * appendix C) on standard output, one document after the other; read
 * only, the store is not changed. For support and tests: it shows what
 * the box would send at the end of the period.
 *
 * Untrusted input: the command line and the database file (read through
 * the store's defensive reader).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../policy/policy_report.h"
#include "check.h"

#define CHECK_REPORT_XML_MAX (16u << 20) /* local limit: one report */
#define CHECK_REPORT_DUE_MAX 1000        /* local limit: reports listed */

static const char check_report_usage[] =
    "usage: sekimori-check dmarc-report --db FILE [--now SECONDS] "
    "[--interval HOURS]\n"
    "       [--domain D] [--org-name NAME] [--email ADDR]\n";

/* check_report_num - a decimal number in [lo, hi] */
static int
check_report_num(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9') {
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi) {
		return -1;
	}
	*out = v;
	return 0;
}

/* check_report_one - print the XML of k; 0, or -1 after saying why */
static int
check_report_one(struct policy_report_db *db, const struct policy_report_key *k,
    unsigned hours, const char *org, const char *email, uint8_t *buf)
{
	struct dmarc_report_out o;
	char err[512];
	size_t nrows;

	dmarc_report_out_init(&o, buf, CHECK_REPORT_XML_MAX);
	if (policy_report_xml(db, k, hours, org, email, &o, &nrows, err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-check dmarc-report: %s\n", err);
		return -1;
	}
	fwrite(buf, 1, o.len, stdout);
	return 0;
}

int
check_dmarc_report(int argc, char **argv)
{
	static struct policy_report_key keys[CHECK_REPORT_DUE_MAX];
	const char *path = NULL, *now_s = NULL, *hours_s = NULL;
	const char *domain = NULL, *org = "Sekimori", *email = "postmaster";
	const struct check_opt opts[] = {
		{ "--db", &path, 0 },
		{ "--now", &now_s, 0 },
		{ "--interval", &hours_s, 0 },
		{ "--domain", &domain, 0 },
		{ "--org-name", &org, 0 },
		{ "--email", &email, 0 },
	};
	struct policy_report_db db;
	uint64_t now = (uint64_t)time(NULL), hours = 24;
	uint8_t *buf;
	char err[512];
	size_t n = 0, i, shown = 0;
	int bad = 0;

	if (check_opts("dmarc-report", argc, argv, opts, SK_NELEM(opts)) != 0 ||
	    path == NULL ||
	    (now_s != NULL &&
		check_report_num(now_s, 0, UINT32_MAX * 4ull, &now) != 0) ||
	    (hours_s != NULL &&
		check_report_num(hours_s, 1, 24, &hours) != 0)) {
		fputs(check_report_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (policy_report_open(&db, path, 1, err, sizeof(err)) != SK_OK ||
	    policy_report_due(&db, policy_report_period(now, (unsigned)hours),
		keys, SK_NELEM(keys), &n, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-check dmarc-report: %s\n", err);
		policy_report_close(&db);
		return CHECK_EXIT_USAGE;
	}
	if ((buf = malloc(CHECK_REPORT_XML_MAX)) == NULL) {
		fprintf(stderr, "sekimori-check dmarc-report: out of memory\n");
		policy_report_close(&db);
		return CHECK_EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		if (domain != NULL && strcmp(domain, keys[i].domain) != 0) {
			continue;
		}
		if (check_report_one(&db, &keys[i], (unsigned)hours, org, email,
			buf) != 0) {
			bad = 1;
			continue;
		}
		shown++;
	}
	free(buf);
	policy_report_close(&db);
	if (bad) {
		return CHECK_EXIT_USAGE;
	}
	return shown > 0 ? CHECK_EXIT_PASS : CHECK_EXIT_NOPASS;
}
