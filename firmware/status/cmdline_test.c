/*
 * cmdline_test.c - tests of the kernel command line reader.
 */
#include <string.h>

#include "cmdline.h"
#include "test.h"

struct cmdline_case {
	const char *name;
	const char *in;
	enum sk_result want;
	const char *want_val;
};

static const struct cmdline_case cmdline_cases[] = {
	{ "slot A", "console=ttyS0 sk.slot=A quiet\n", SK_OK, "A" },
	{ "at start", "sk.slot=B\n", SK_OK, "B" },
	{ "no newline", "ro sk.slot=B", SK_OK, "B" },
	{ "absent", "console=ttyS0 quiet\n", SK_END, NULL },
	{ "empty", "", SK_END, NULL },
	{ "last wins", "sk.slot=A sk.slot=B\n", SK_OK, "B" },
	{ "key prefix", "sk.slotx=A xsk.slot=B\n", SK_END, NULL },
	{ "flag only", "sk.slot\n", SK_END, NULL },
	{ "empty value", "sk.slot=\n", SK_OK, "" },
	{ "quoted value", "sk.slot=\"A\"\n", SK_OK, "A" },
	{ "quoted spaces", "x=\"a sk.slot=B\" sk.slot=A\n", SK_OK, "A" },
	{ "quote hides", "x=\"a sk.slot=B\"\n", SK_END, NULL },
	{ "unbalanced", "sk.slot=A x=\"oops\n", SK_E_SYNTAX, NULL },
	{ "control byte", "sk.slot=A\tquiet\n", SK_E_SYNTAX, NULL },
	{ "many spaces", "   sk.slot=A   \n", SK_OK, "A" },
};

static void
check_cmdline(const struct cmdline_case *c)
{
	const uint8_t *val;
	enum sk_result r;
	size_t vlen;

	r = cmdline_get((const uint8_t *)c->in, strlen(c->in), "sk.slot", &val,
	    &vlen);
	if (r != c->want) {
		test_fail("%s: got %s, want %s", c->name, sk_result_str(r),
		    sk_result_str(c->want));
		return;
	}
	if (r == SK_OK &&
	    (vlen != strlen(c->want_val) ||
		memcmp(val, c->want_val, vlen) != 0)) {
		test_fail("%s: value: got \"%.*s\", want \"%s\"", c->name,
		    (int)vlen, (const char *)val, c->want_val);
	}
}

static void
test_cmdline_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(cmdline_cases); i++) {
		check_cmdline(&cmdline_cases[i]);
	}
}

static void
test_cmdline_too_long(void)
{
	static uint8_t big[CMDLINE_MAX + 1];
	const uint8_t *val;
	enum sk_result r;
	size_t vlen;

	memset(big, 'a', sizeof(big));
	r = cmdline_get(big, sizeof(big), "sk.slot", &val, &vlen);
	TEST_CHECK(r == SK_E_TOO_LONG, "got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_TOO_LONG));
}

const struct test_case test_cases[] = {
	{ "cmdline_table", test_cmdline_table },
	{ "cmdline_too_long", test_cmdline_too_long },
};
const size_t test_ncases = SK_NELEM(test_cases);
