/*
 * psl_test.c - tests of the Public Suffix List code: Punycode (RFC 3492
 * 7.1 samples), the matching algorithm over a small list written here,
 * list parsing errors and the compiled-in table.  The official vectors
 * (test_psl.txt) run in dmarc_conf_test.c.
 */
#include <string.h>

#include "psl.h"
#include "test.h"

static const struct alabel_case {
	const char *in;
	const char *want; /* NULL: an error */
} alabel_cases[] = {
	{ "Example.COM", "example.com" }, { "example.com.", "example.com" },
	{ "\xe4\xb8\xad\xe5\x9b\xbd", "xn--fiqs8s" }, /* zhongguo */
	{ "\xe5\x85\xac\xe5\x8f\xb8.cn", "xn--55qx5d.cn" },
	{ "\xe9\xa3\x9f\xe7\x8b\xae.com.cn", "xn--85x722f.com.cn" },
	/* RFC 3492 7.1 (B) Chinese (simplified) */
	{ "\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4"
	  "\xb8\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87",
	    "xn--ihqwcrb4cv8a8dqg056pqjye" },
	/* mixed ASCII and non-ASCII: basic code points first */
	{ "b\xc3\xbc"
	  "cher",
	    "xn--bcher-kva" },
	{ "", NULL }, { ".", NULL }, { ".com", NULL }, { "a..com", NULL },
	{ "a b.com", NULL }, { "\xc3\x28.com", NULL }, /* bad UTF-8 */
	{ "\xc0\xaf.com", NULL },                      /* overlong */
	{ "\xed\xa0\x80.com", NULL },                  /* surrogate */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  ".com",
	    NULL }, /* 64-octet label */
};

/* test_alabel - A-label conversion and name checks */
static void
test_alabel(void)
{
	char out[PSL_NAME_MAX + 1];
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(alabel_cases); i++) {
		const struct alabel_case *c = &alabel_cases[i];

		r = psl_alabel(c->in, strlen(c->in), out, sizeof(out), NULL);
		if (c->want == NULL) {
			TEST_CHECK(r != SK_OK,
			    "case %zu: got ok \"%s\", want "
			    "an error",
			    i, out);
			continue;
		}
		TEST_CHECK(r == SK_OK && strcmp(out, c->want) == 0,
		    "case %zu: got %s \"%s\", want \"%s\"", i, sk_result_str(r),
		    r == SK_OK ? out : "", c->want);
	}
	TEST_CHECK(psl_alabel("example.com", 11, out, 5, NULL) == SK_E_FULL,
	    "short buffer: want full");
}

static const char small_list[] =
    "// a list in the publicsuffix.org format\n"
    "// ===BEGIN ICANN DOMAINS===\n"
    "com\n"
    "uk\n"
    "co.uk\n"
    "jp\n"
    "*.kobe.jp\n"
    "!city.kobe.jp\n"
    "\xe4\xb8\xad\xe5\x9b\xbd  trailing text is ignored\n"
    "// ===END ICANN DOMAINS===\n"
    "// ===BEGIN PRIVATE DOMAINS===\n"
    "blogspot.com\n"
    "*.compute.example.com\n"
    "// ===END PRIVATE DOMAINS===\n";

static const struct org_case {
	const char *in;
	unsigned opts;
	const char *want; /* NULL: a public suffix itself */
} org_cases[] = {
	{ "www.example.com", 0, "example.com" },
	{ "WWW.Example.COM.", 0, "example.com" },
	{ "com", 0, NULL },
	{ "a.b.co.uk", 0, "b.co.uk" },
	{ "co.uk", 0, NULL },
	{ "x.y.kobe.jp", 0, "x.y.kobe.jp" },
	{ "y.kobe.jp", 0, NULL },
	{ "www.city.kobe.jp", 0, "city.kobe.jp" },
	{ "a.b.unlisted", 0, "b.unlisted" },
	{ "unlisted", 0, NULL },
	{ "me.blogspot.com", 0, "me.blogspot.com" },
	{ "me.blogspot.com", PSL_ICANN_ONLY, "blogspot.com" },
	{ "a.b.compute.example.com", 0, "a.b.compute.example.com" },
	{ "a.b.compute.example.com", PSL_ICANN_ONLY, "example.com" },
	{ "www.\xe4\xbe\x8b.\xe4\xb8\xad\xe5\x9b\xbd", 0,
	    "\xe4\xbe\x8b.\xe4\xb8\xad\xe5\x9b\xbd" },
	{ "www.example.xn--fiqs8s", 0, "example.xn--fiqs8s" },
};

/* test_small_list - the algorithm: normal, wildcard, exception rules,
 * sections, the implicit "*" rule, IDN in both forms */
static void
test_small_list(void)
{
	static struct psl_rule rules[32];
	static char names[512];
	struct psl_table t;
	char out[PSL_NAME_MAX + 1];
	size_t i, line;
	enum sk_result r;

	r = psl_parse((const uint8_t *)small_list, strlen(small_list), rules,
	    SK_NELEM(rules), names, sizeof(names), &t, &line);
	TEST_CHECK(r == SK_OK, "parse: got %s at line %zu, want ok",
	    sk_result_str(r), line);
	if (r != SK_OK) {
		return;
	}
	TEST_CHECK(t.nrules == 9, "got %zu keys, want 9", t.nrules);
	for (i = 0; i < SK_NELEM(org_cases); i++) {
		const struct org_case *c = &org_cases[i];

		r = psl_org_domain_table(&t, c->in, strlen(c->in), c->opts, out,
		    sizeof(out));
		if (c->want == NULL) {
			TEST_CHECK(r == SK_END, "%s: got %s \"%s\", want end",
			    c->in, sk_result_str(r), out);
		} else {
			TEST_CHECK(r == SK_OK && strcmp(out, c->want) == 0,
			    "%s: got %s \"%s\", want \"%s\"", c->in,
			    sk_result_str(r), r == SK_OK ? out : "", c->want);
		}
	}
}

/* test_parse_errors - malformed lists and full storage */
static void
test_parse_errors(void)
{
	static const char *const bad[] = { "a.*.com\n", "foo!.com\n",
		"..com\n" };
	struct psl_rule rules[4];
	char names[64];
	struct psl_table t;
	size_t i, line;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(bad); i++) {
		r = psl_parse((const uint8_t *)bad[i], strlen(bad[i]), rules,
		    SK_NELEM(rules), names, sizeof(names), &t, &line);
		TEST_CHECK(r == SK_E_SYNTAX, "\"%s\": got %s, want syntax",
		    bad[i], sk_result_str(r));
	}
	r = psl_parse((const uint8_t *)"a\nb\nc\nd\ne\n", 10, rules,
	    SK_NELEM(rules), names, sizeof(names), &t, &line);
	TEST_CHECK(r == SK_E_FULL, "5 rules in 4: got %s, want full",
	    sk_result_str(r));
}

/* test_default_table - the compiled-in list is sorted and answers */
static void
test_default_table(void)
{
	const struct psl_table *t = &psl_default_table;
	char out[PSL_NAME_MAX + 1];
	size_t i;
	enum sk_result r;

	TEST_CHECK(t->nrules > 5000, "got %zu keys, want > 5000", t->nrules);
	for (i = 1; i < t->nrules; i++) {
		const struct psl_rule *a = &t->rules[i - 1], *b = &t->rules[i];
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(t->names + a->off, t->names + b->off, n);

		if (c > 0 || (c == 0 && a->len >= b->len)) {
			test_fail("keys %zu and %zu out of order", i - 1, i);
			break;
		}
	}
	r = psl_org_domain("mail.example.co.uk", 18, out, sizeof(out));
	TEST_CHECK(r == SK_OK && strcmp(out, "example.co.uk") == 0,
	    "got %s \"%s\", want example.co.uk", sk_result_str(r), out);
}

const struct test_case test_cases[] = {
	{ "psl_alabel", test_alabel },
	{ "psl_small_list", test_small_list },
	{ "psl_parse_errors", test_parse_errors },
	{ "psl_default_table", test_default_table },
};
const size_t test_ncases = SK_NELEM(test_cases);
