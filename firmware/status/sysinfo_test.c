/*
 * sysinfo_test.c - tests of the uptime and boot counter parsers.
 */
#include <string.h>

#include "sysinfo.h"
#include "test.h"

struct num_case {
	const char *in;
	enum sk_result want;
	uint64_t want_n;
};

static const struct num_case count_cases[] = {
	{ "0", SK_OK, 0 },
	{ "3\n", SK_OK, 3 },
	{ "1234567890123456789\n", SK_OK, 1234567890123456789ull },
	{ "12345678901234567890\n", SK_E_RANGE, 0 },
	{ "", SK_E_SYNTAX, 0 },
	{ "\n", SK_E_SYNTAX, 0 },
	{ "03", SK_E_SYNTAX, 0 },
	{ "-1", SK_E_SYNTAX, 0 },
	{ "3\n\n", SK_E_SYNTAX, 0 },
	{ "3 ", SK_E_SYNTAX, 0 },
};

static const struct num_case uptime_cases[] = {
	{ "1052.54 1980.11\n", SK_OK, 1052 },
	{ "0.00 0.00\n", SK_OK, 0 },
	{ "1052.54 1980.11", SK_E_SYNTAX, 0 },
	{ "1052 1980\n", SK_E_SYNTAX, 0 },
	{ "1052.5 1980.11\n", SK_E_SYNTAX, 0 },
	{ "1052.54\n", SK_E_SYNTAX, 0 },
	{ "1052.54 1980.11\nx", SK_E_SYNTAX, 0 },
	{ "", SK_E_SYNTAX, 0 },
};

typedef enum sk_result num_fn(const uint8_t *, size_t, uint64_t *);

static void
check_table(const char *what, num_fn *fn, const struct num_case *c, size_t n)
{
	enum sk_result r;
	uint64_t got;
	size_t i;

	for (i = 0; i < n; i++) {
		r = fn((const uint8_t *)c[i].in, strlen(c[i].in), &got);
		if (r != c[i].want) {
			test_fail("%s \"%s\": got %s, want %s", what, c[i].in,
			    sk_result_str(r), sk_result_str(c[i].want));
		} else if (r == SK_OK && got != c[i].want_n) {
			test_fail("%s \"%s\": got %llu, want %llu", what,
			    c[i].in, (unsigned long long)got,
			    (unsigned long long)c[i].want_n);
		}
	}
}

static void
test_count(void)
{
	check_table("count", sysinfo_count_parse, count_cases,
	    SK_NELEM(count_cases));
}

static void
test_uptime(void)
{
	check_table("uptime", sysinfo_uptime_parse, uptime_cases,
	    SK_NELEM(uptime_cases));
}

const struct test_case test_cases[] = {
	{ "sysinfo_count", test_count },
	{ "sysinfo_uptime", test_uptime },
};
const size_t test_ncases = SK_NELEM(test_cases);
