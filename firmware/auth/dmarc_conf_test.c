/*
 * dmarc_conf_test.c - the public DMARC vectors, read at test time from
 * the conformance folder (never copied into the repository):
 *   dmarc/psl/test_psl.txt                   PSL algorithm, 82 checks
 *   dmarc/opendmarc/libopendmarc-unit-test-tables.txt
 *       record parse (19), alignment (10, run with both lists), TLD (4),
 *       From-domain extraction (15)
 *   dmarc/opendmarc/testfiles/effective_tld_names.dat  OpenDMARC's list
 *
 * The folder is found by test_conformance_dir (lib/test.h).  With
 * SK_DMARC_ROWS set, every row prints
 *   PASS: dmarc TABLE N
 *   FAIL: dmarc TABLE N: got X, want Y
 *   INFO: dmarc TABLE N: got X, want Y (deviation: why)
 * which ci/dmarc-tables.sh collects.  Rows whose expectation is specific
 * to OpenDMARC and contradicts the RFCs are listed in conf_deviations
 * below with the reason; they print INFO and do not fail the case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "test.h"

#define CONF_FILE_MAX (4u << 20)
#define CONF_STR_MAX 512

static const struct conf_deviation {
	const char *table;
	int row;
	const char *why;
} conf_deviations[] = {
	{ "record", 5,
	    "OpenDMARC accepts the abbreviation p=n; RFC 7489 6.4 allows "
	    "only none, quarantine, reject" },
	{ "align-debian", 5,
	    "OpenDMARC strips leading dots; \".mac.com.\" has an empty "
	    "label, no domain name (RFC 1035 2.3.1)" },
	{ "align-opendmarc", 5, "as align-debian 5" },
	{ "align-debian", 6,
	    "OpenDMARC strips leading and trailing dots; "
	    "\"....mac.com....\" has empty labels (RFC 1035 2.3.1)" },
	{ "align-opendmarc", 6, "as align-debian 6" },
	{ "tld", 4,
	    "OpenDMARC test bug: \\0xd8 is NUL then \"xd8\", so the C test "
	    "checks \"a.b.c.\" against \"c.\"; meant as UTF-8 a.b.c.<iran>.ar, "
	    "whose org domain is <iran>.ar in both lists (ar has no wildcard), "
	    "not c.<iran>.ar" },
	{ "from", 2,
	    "quoted string then a bare addr-spec is no RFC 5322 3.4 mailbox "
	    "(a display name needs <>); guessing invites From spoofing" },
	{ "from", 6, "\"<<<><joe@joe.com>>>\" is no RFC 5322 3.4 mailbox" },
	{ "from", 7,
	    "two mailboxes: by our documented rule (exactly one address, "
	    "RFC 7489 6.6.1 lets receivers reject) this is permerror" },
	{ "from", 8, "two mailboxes: permerror, as from 7" },
	{ "from", 9,
	    "\"Mail From:<joe@joe.com>\" is a group \"Mail From\" without "
	    "its closing \";\" (RFC 5322 3.4): syntax error" },
	{ "from", 12, "quoted string then a bare addr-spec, as from 2" },
};

static int conf_rows; /* print rows (SK_DMARC_ROWS) */

/* conf_read - a whole conformance file, NUL-terminated (caller frees) */
static char *
conf_read(const char *rel, size_t *len)
{
	const char *dir = test_conformance_dir("dmarc/psl/test_psl.txt");
	char path[1200], *buf;

	conf_rows = getenv("SK_DMARC_ROWS") != NULL;
	if (dir == NULL) {
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((buf = test_read_file(path, CONF_FILE_MAX, len)) == NULL) {
		test_fail("%s: cannot open", path);
	}
	return buf;
}

static const char *
conf_deviation(const char *table, int row)
{
	size_t i;

	for (i = 0; i < SK_NELEM(conf_deviations); i++) {
		if (strcmp(conf_deviations[i].table, table) == 0 &&
		    conf_deviations[i].row == row) {
			return conf_deviations[i].why;
		}
	}
	return NULL;
}

/* conf_row - report one row */
static void
conf_row(const char *table, int row, const char *got, const char *want)
{
	const char *dev;

	if (strcmp(got, want) == 0) {
		if (conf_rows) {
			printf("PASS: dmarc %s %d\n", table, row);
		}
		return;
	}
	if ((dev = conf_deviation(table, row)) != NULL) {
		if (conf_rows) {
			printf("INFO: dmarc %s %d: got %s, want %s "
			       "(deviation: %s)\n",
			    table, row, got, want, dev);
		}
		return;
	}
	if (conf_rows) {
		printf("FAIL: dmarc %s %d: got %s, want %s\n", table, row, got,
		    want);
	}
	test_fail("dmarc %s %d: got %s, want %s", table, row, got, want);
}

/*
 * conf_cstr - a C (quote '"') or JavaScript (quote '\'') string literal
 * at *p: escapes \\, \", \', \n, \t, octal \NNN and \xHH.  The bytes go
 * to out (n octets, NUL-terminated, NULs inside kept); *p moves past it.
 */
static int
conf_cstr(const char **p, char *out, size_t *n)
{
	const char *s = *p;
	char q = *s++;
	size_t k = 0;
	int v, d;

	while (*s != '\0' && *s != q && k < CONF_STR_MAX - 1) {
		if (*s != '\\') {
			out[k++] = *s++;
			continue;
		}
		s++;
		if (*s >= '0' && *s <= '7') {
			for (v = 0, d = 0; d < 3 && *s >= '0' && *s <= '7';
			     d++) {
				v = v * 8 + (*s++ - '0');
			}
			out[k++] = (char)v;
		} else if (*s == 'x') {
			for (s++, v = 0; (*s >= '0' && *s <= '9') ||
			     (*s >= 'a' && *s <= 'f') ||
			     (*s >= 'A' && *s <= 'F');
			     s++) {
				v = v * 16 +
				    (*s <= '9' ? *s - '0' :
						 (*s | 0x20) - 'a' + 10);
			}
			out[k++] = (char)v;
		} else {
			out[k++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
			s++;
		}
	}
	if (*s != q) {
		return -1;
	}
	out[k] = '\0';
	*n = k;
	*p = s + 1;
	return 0;
}

/* --- test_psl.txt ----------------------------------------------------- */

static const struct psl_table *
conf_load_opendmarc_psl(void)
{
	static struct psl_table t;
	static struct psl_rule *rules;
	static char *names;
	static int loaded;
	char *buf;
	size_t len, line;
	enum sk_result r;

	if (loaded) {
		return &t;
	}
	buf = conf_read("dmarc/opendmarc/testfiles/effective_tld_names.dat",
	    &len);
	if (buf == NULL) {
		return NULL;
	}
	rules = calloc(len / 2 + 1, sizeof(*rules));
	names = malloc(len * 4 + 1);
	r = psl_parse((const uint8_t *)buf, len, rules, len / 2 + 1, names,
	    len * 4 + 1, &t, &line);
	free(buf);
	if (r != SK_OK) {
		test_fail("OpenDMARC's list: line %zu: got %s, want ok", line,
		    sk_result_str(r));
		return NULL;
	}
	loaded = 1;
	return &t;
}

/* test_psl_vectors - every checkPublicSuffix() of test_psl.txt, against
 * the compiled-in list (Debian publicsuffix, the snapshot that ships
 * these vectors) */
static void
test_psl_vectors(void)
{
	char in[CONF_STR_MAX], want[CONF_STR_MAX], got[PSL_NAME_MAX + 1];
	const char *p, *q;
	char *buf;
	size_t len, n, inlen;
	int row = 0, null_in, null_want;
	enum sk_result r;

	if ((buf = conf_read("dmarc/psl/test_psl.txt", &len)) == NULL) {
		return;
	}
	for (p = buf; (p = strstr(p, "\ncheckPublicSuffix(")) != NULL;) {
		p += strlen("\ncheckPublicSuffix(");
		row++;
		null_in = strncmp(p, "null", 4) == 0;
		if (null_in) {
			p += 4, in[0] = '\0', inlen = 0;
		} else if (conf_cstr(&p, in, &inlen) != 0) {
			test_fail("test_psl.txt row %d: bad literal", row);
			break;
		}
		while (*p == ',' || *p == ' ') {
			p++;
		}
		null_want = strncmp(p, "null", 4) == 0;
		if (!null_want && conf_cstr(&p, want, &n) != 0) {
			test_fail("test_psl.txt row %d: bad literal", row);
			break;
		}
		r = psl_org_domain(in, inlen, got, sizeof(got));
		q = r == SK_OK ? got : "null";
		conf_row("psl", row, q, null_want ? "null" : want);
	}
	/* 82 calls, 4 of them commented out upstream (".local", whose
	 * expectations assume a rule the list does not have) */
	TEST_CHECK(row == 78, "got %d checkPublicSuffix rows, want 78", row);
	if (conf_rows) {
		printf("INFO: dmarc psl: 4 checks commented out in "
		       "test_psl.txt (\"local\") are not run\n");
	}
	free(buf);
}

/* --- OpenDMARC's tables ----------------------------------------------- */

/* conf_section - the body of "=== libopendmarc/tests/NAME" */
static const char *
conf_section(const char *buf, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "=== libopendmarc/tests/%s", name);
	p = strstr(buf, key);
	return p != NULL ? p + strlen(key) : NULL;
}

/*
 * conf_next_row - the next "/ * N * / {" row of a section: its number and
 * the position of the "{"; stops at the "{NULL" terminator.
 */
static const char *
conf_next_row(const char *p, int *row)
{
	const char *c, *end = strstr(p, "{NULL");

	while ((c = strstr(p, "/*")) != NULL && (end == NULL || c < end)) {
		const char *e = strstr(c, "*/");

		if (e == NULL) {
			return NULL;
		}
		*row = atoi(c + 2);
		p = e + 2;
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*row > 0 && *p == '{') {
			return p + 1;
		}
	}
	return NULL;
}

static void
conf_skip(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == ',') {
		(*p)++;
	}
}

/* conf_parse_status - our parse result in OpenDMARC's vocabulary */
static const char *
conf_parse_status(const char *rec, size_t len)
{
	struct dmarc_record r;
	enum sk_result res;

	res = dmarc_record_parse((const uint8_t *)rec, len, &r);
	if (res == SK_OK) {
		return "DMARC_PARSE_OKAY";
	}
	if (res == SK_E_UNKNOWN) {
		return len == 0 ? "DMARC_PARSE_ERROR_EMPTY" :
				  "DMARC_PARSE_ERROR_BAD_VERSION";
	}
	if (!(r.have & DMARC_TAG_P)) {
		return "DMARC_PARSE_ERROR_NO_REQUIRED_P";
	}
	return "DMARC_PARSE_ERROR_BAD_VALUE";
}

static void
test_record_table(void)
{
	char rec[CONF_STR_MAX], want[64];
	const char *p;
	char *buf;
	size_t len, n;
	int row, count = 0;

	if ((buf = conf_read("dmarc/opendmarc/"
			     "libopendmarc-unit-test-tables.txt",
		 &len)) == NULL) {
		return;
	}
	p = conf_section(buf, "test_dmarc_parse.c");
	while (p != NULL && (p = conf_next_row(p, &row)) != NULL) {
		conf_skip(&p);
		if (conf_cstr(&p, rec, &n) != 0) {
			break;
		}
		conf_skip(&p);
		for (n = 0; n < sizeof(want) - 1 &&
		     (p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z'));
		     n++) {
			want[n] = p[n];
		}
		want[n] = '\0';
		/* the C test passes a C string: it ends at a NUL */
		conf_row("record", row, conf_parse_status(rec, strlen(rec)),
		    want);
		count++;
	}
	TEST_CHECK(count == 19, "got %d record rows, want 19", count);
	free(buf);
}

static void
conf_align_rows(const char *buf, const struct psl_table *t, const char *tag)
{
	char a[CONF_STR_MAX], b[CONF_STR_MAX], got[8], want[8];
	const char *p;
	size_t n;
	int row, strict, count = 0;

	p = conf_section(buf, "test_alignment.c");
	while (p != NULL && (p = conf_next_row(p, &row)) != NULL) {
		conf_skip(&p);
		if (conf_cstr(&p, a, &n) != 0) {
			break;
		}
		conf_skip(&p);
		if (conf_cstr(&p, b, &n) != 0) {
			break;
		}
		conf_skip(&p);
		strict = strncmp(p, "DMARC_RECORD_A_STRICT", 21) == 0;
		p = strchr(p, ',');
		if (p == NULL) {
			break;
		}
		p++;
		conf_skip(&p);
		snprintf(want, sizeof(want), "%d", atoi(p));
		snprintf(got, sizeof(got), "%d",
		    dmarc_aligned(t, a, strlen(a), b, strlen(b), strict) ? 0 :
									   -1);
		conf_row(tag, row, got, want);
		count++;
	}
	TEST_CHECK(count == 10, "got %d alignment rows, want 10", count);
}

/* test_align_table - OpenDMARC runs it without a list and with its
 * own; we run it with the compiled-in list and with OpenDMARC's */
static void
test_align_table(void)
{
	const struct psl_table *od;
	char *buf;
	size_t len;

	if ((buf = conf_read("dmarc/opendmarc/"
			     "libopendmarc-unit-test-tables.txt",
		 &len)) == NULL) {
		return;
	}
	conf_align_rows(buf, NULL, "align-debian");
	if ((od = conf_load_opendmarc_psl()) != NULL) {
		conf_align_rows(buf, od, "align-opendmarc");
	}
	free(buf);
}

/* test_tld_table - organizational domains under OpenDMARC's own list,
 * compared as its test does (the expected text is a prefix) */
static void
test_tld_table(void)
{
	char d[CONF_STR_MAX], want[CONF_STR_MAX], got[PSL_NAME_MAX + 1];
	const struct psl_table *od;
	const char *p;
	char *buf;
	size_t len, n;
	int row, count = 0;
	enum sk_result r;

	if ((od = conf_load_opendmarc_psl()) == NULL ||
	    (buf = conf_read("dmarc/opendmarc/"
			     "libopendmarc-unit-test-tables.txt",
		 &len)) == NULL) {
		return;
	}
	p = conf_section(buf, "test_tld.c");
	while (p != NULL && (p = conf_next_row(p, &row)) != NULL) {
		conf_skip(&p);
		if (conf_cstr(&p, d, &n) != 0) {
			break;
		}
		conf_skip(&p);
		if (conf_cstr(&p, want, &n) != 0) {
			break;
		}
		r = psl_org_domain_table(od, d, strlen(d), 0, got, sizeof(got));
		if (r != SK_OK && r != SK_END) {
			snprintf(got, sizeof(got), "(%s)", sk_result_str(r));
		}
		conf_row("tld", row, got, want);
		count++;
	}
	TEST_CHECK(count == 4, "got %d TLD rows, want 4", count);
	free(buf);
}

/* test_from_table - From-domain extraction; a row that starts with
 * "From:" is a whole field, the others are field bodies */
static void
test_from_table(void)
{
	char raw[CONF_STR_MAX], want[CONF_STR_MAX], msg[CONF_STR_MAX + 32];
	struct dmarc_from f;
	const char *p;
	char *buf;
	size_t len, n;
	int row, count = 0;

	if ((buf = conf_read("dmarc/opendmarc/"
			     "libopendmarc-unit-test-tables.txt",
		 &len)) == NULL) {
		return;
	}
	p = conf_section(buf, "test_finddomain.c");
	while (p != NULL && (p = conf_next_row(p, &row)) != NULL) {
		conf_skip(&p);
		if (conf_cstr(&p, raw, &n) != 0) {
			break;
		}
		conf_skip(&p);
		if (conf_cstr(&p, want, &n) != 0) {
			break;
		}
		snprintf(msg, sizeof(msg), "%s%s\r\n\r\nbody\r\n",
		    strncmp(raw, "From:", 5) == 0 ? "" : "From: ", raw);
		dmarc_from_parse((const uint8_t *)msg, strlen(msg), &f);
		conf_row("from", row,
		    f.status == DMARC_FROM_OK ? f.domain :
						dmarc_from_status_str(f.status),
		    want);
		count++;
	}
	TEST_CHECK(count == 15, "got %d From rows, want 15", count);
	free(buf);
}

const struct test_case test_cases[] = {
	{ "dmarc_conf_psl", test_psl_vectors },
	{ "dmarc_conf_record", test_record_table },
	{ "dmarc_conf_align", test_align_table },
	{ "dmarc_conf_tld", test_tld_table },
	{ "dmarc_conf_from", test_from_table },
};
const size_t test_ncases = SK_NELEM(test_cases);
