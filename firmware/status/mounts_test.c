/*
 * mounts_test.c - tests of the /proc/mounts parser.
 */
#include <string.h>

#include "mounts.h"
#include "test.h"

struct mounts_case {
	const char *name;
	const char *in;
	enum sk_result want;
	size_t want_line;       /* bad line, for errors */
	const char *want_state; /* "/" "/config" "/data": r=ro w=rw -=absent */
};

#define ROOT_RO "/dev/root / squashfs ro,relatime 0 0\n"
#define CONFIG_RW "/dev/vda3 /config ext4 rw,nosuid,nodev 0 0\n"
#define DATA_RW "/dev/vda4 /data ext4 rw,noatime 0 0\n"

static const struct mounts_case mounts_cases[] = {
	{ "appliance", ROOT_RO CONFIG_RW DATA_RW, SK_OK, 0, "rww" },
	{ "empty file", "", SK_OK, 0, "---" },
	{ "no data", ROOT_RO CONFIG_RW, SK_OK, 0, "rw-" },
	{ "remounted rw", ROOT_RO "/dev/root / squashfs rw 0 0\n", SK_OK, 0,
	    "w--" },
	{ "prefix is not a match",
	    "/dev/x /configx ext4 rw 0 0\n"
	    "/dev/y /data/sub ext4 ro 0 0\n",
	    SK_OK, 0, "---" },
	{ "escaped space", "/dev/x /con\\040fig ext4 rw 0 0\n", SK_OK, 0,
	    "---" },
	{ "escaped match", "/dev/x /\\143onfig ext4 ro 0 0\n", SK_OK, 0,
	    "-r-" },
	{ "missing final LF", ROOT_RO "/dev/vda3 /config ext4 rw 0 0",
	    SK_E_SYNTAX, 2, "---" },
	{ "five fields", ROOT_RO "/dev/vda3 /config ext4 rw 0\n", SK_E_SYNTAX,
	    2, "---" },
	{ "seven fields", "/dev/root / squashfs ro 0 0 0\n", SK_E_SYNTAX, 1,
	    "---" },
	{ "double space", "/dev/root  / squashfs ro 0 0\n", SK_E_SYNTAX, 1,
	    "---" },
	{ "tab", "/dev/root\t/ squashfs ro 0 0\n", SK_E_SYNTAX, 1, "---" },
	{ "bad escape", "/dev/x /a\\9 ext4 ro 0 0\n", SK_E_SYNTAX, 1, "---" },
	{ "short escape", "/dev/x /a\\04 ext4 ro 0 0\n", SK_E_SYNTAX, 1,
	    "---" },
	{ "escape over 255", "/dev/x /a\\777 ext4 ro 0 0\n", SK_E_SYNTAX, 1,
	    "---" },
	{ "options not ro/rw", "/dev/x / ext4 relatime,ro 0 0\n", SK_E_SYNTAX,
	    1, "---" },
	{ "options rox", "/dev/x / ext4 rox 0 0\n", SK_E_SYNTAX, 1, "---" },
	{ "dump not a number", "/dev/x / ext4 ro x 0\n", SK_E_SYNTAX, 1,
	    "---" },
	{ "empty line", ROOT_RO "\n", SK_E_SYNTAX, 2, "---" },
};

/* state_of - the expected-state letters for the three queries */
static void
state_of(const struct mounts_query *q, char *s)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		s[i] = !q[i].found ? '-' : q[i].ro ? 'r' : 'w';
	}
	s[3] = '\0';
}

static void
check_mounts(const struct mounts_case *c)
{
	struct mounts_query q[] = { { "/", 0, 0 }, { "/config", 0, 0 },
		{ "/data", 0, 0 } };
	enum sk_result r;
	char state[4];
	size_t line;

	r = mounts_parse((const uint8_t *)c->in, strlen(c->in), q, 3, &line);
	state_of(q, state);
	if (r != c->want) {
		test_fail("%s: got %s, want %s", c->name, sk_result_str(r),
		    sk_result_str(c->want));
	} else if (r != SK_OK && line != c->want_line) {
		test_fail("%s: line: got %zu, want %zu", c->name, line,
		    c->want_line);
	} else if (strcmp(state, c->want_state) != 0) {
		test_fail("%s: state: got %s, want %s", c->name, state,
		    c->want_state);
	}
}

static void
test_mounts_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(mounts_cases); i++) {
		check_mounts(&mounts_cases[i]);
	}
}

/* A line with no LF within MOUNTS_LINE_MAX bytes is too long. */
static void
test_mounts_too_long(void)
{
	static uint8_t big[MOUNTS_LINE_MAX + 10];
	struct mounts_query q = { "/", 0, 0 };
	enum sk_result r;
	size_t line;

	memset(big, 'a', sizeof(big));
	r = mounts_parse(big, sizeof(big), &q, 1, &line);
	TEST_CHECK(r == SK_E_TOO_LONG, "got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_TOO_LONG));
}

const struct test_case test_cases[] = {
	{ "mounts_table", test_mounts_table },
	{ "mounts_too_long", test_mounts_too_long },
};
const size_t test_ncases = SK_NELEM(test_cases);
