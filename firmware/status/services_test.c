/*
 * services_test.c - tests of the services file parser and process match.
 */
#include <string.h>

#include "services.h"
#include "test.h"

#define SERVICES_TEST_MAX 4

struct services_case {
	const char *name;
	const char *in;
	enum sk_result want;                    /* after the listed services */
	size_t want_line;                       /* for errors */
	const char *entries[SERVICES_TEST_MAX]; /* "name=command" */
};

static const struct services_case services_cases[] = {
	{ "two", "syslogd /sbin/syslogd -n\nsshd /usr/sbin/dropbear -F\n",
	    SK_END, 0,
	    { "syslogd=/sbin/syslogd -n", "sshd=/usr/sbin/dropbear -F" } },
	{ "comments and blanks", "# core\n\nntpd /usr/sbin/ntpd -n\n", SK_END,
	    0, { "ntpd=/usr/sbin/ntpd -n" } },
	{ "no final LF", "a /bin/a", SK_END, 0, { "a=/bin/a" } },
	{ "empty", "", SK_END, 0, { NULL } },
	{ "no command", "syslogd\n", SK_E_SYNTAX, 1, { NULL } },
	{ "empty command", "syslogd \n", SK_E_SYNTAX, 1, { NULL } },
	{ "double space", "a  /bin/a\n", SK_E_SYNTAX, 1, { NULL } },
	{ "trailing space", "a /bin/a \n", SK_E_SYNTAX, 1, { NULL } },
	{ "upper-case name", "Syslogd /sbin/syslogd\n", SK_E_SYNTAX, 1,
	    { NULL } },
	{ "name starts with dash", "-x /bin/x\n", SK_E_SYNTAX, 1, { NULL } },
	{ "tab", "a\t/bin/a\n", SK_E_SYNTAX, 1, { NULL } },
	{ "error after good", "a /bin/a\nb\n", SK_E_SYNTAX, 2, { "a=/bin/a" } },
	{ "name too long", "abcdefghijabcdefghijabcdefghijabc /bin/x\n",
	    SK_E_SYNTAX, 1, { NULL } },
	{ "name at limit", "abcdefghijabcdefghijabcdefghijab /bin/x\n", SK_END,
	    0, { "abcdefghijabcdefghijabcdefghijab=/bin/x" } },
};

/* entry_is - whether e is "name=command" */
static int
entry_is(const struct services_entry *e, const char *want)
{
	size_t n = strlen(want);

	return e->namelen + 1 + e->cmdlen == n &&
	    memcmp(want, e->name, e->namelen) == 0 && want[e->namelen] == '=' &&
	    memcmp(want + e->namelen + 1, e->cmd, e->cmdlen) == 0;
}

static void
check_services(const struct services_case *c)
{
	const uint8_t *in = (const uint8_t *)c->in;
	struct services_entry e;
	size_t off = 0, line = 0, i;
	enum sk_result r;

	for (i = 0; i < SERVICES_TEST_MAX && c->entries[i] != NULL; i++) {
		r = services_next(in, strlen(c->in), &off, &line, &e);
		if (r != SK_OK || !entry_is(&e, c->entries[i])) {
			test_fail("%s: entry %zu: got %s, want %s", c->name, i,
			    sk_result_str(r), c->entries[i]);
			return;
		}
	}
	r = services_next(in, strlen(c->in), &off, &line, &e);
	if (r != c->want) {
		test_fail("%s: end: got %s, want %s", c->name, sk_result_str(r),
		    sk_result_str(c->want));
	} else if (r != SK_END && line != c->want_line) {
		test_fail("%s: line: got %zu, want %zu", c->name, line,
		    c->want_line);
	}
}

static void
test_services_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(services_cases); i++) {
		check_services(&services_cases[i]);
	}
}

struct match_case {
	const char *cmd;
	const char *proc; /* '|' stands for NUL */
	int want;
};

static const struct match_case match_cases[] = {
	{ "/sbin/syslogd -n", "/sbin/syslogd|-n|", 1 },
	{ "/sbin/syslogd -n", "/sbin/syslogd|-n|-O|/var/log|", 1 },
	{ "/sbin/syslogd", "/sbin/syslogd|-n|", 1 },
	{ "/sbin/syslogd", "/sbin/syslogd", 1 },
	{ "/sbin/syslogd -n", "/sbin/syslogd|", 0 },
	{ "/sbin/syslogd", "/sbin/syslogd2|", 0 },
	{ "/sbin/syslogd -n", "/sbin/syslogd|-nx|", 0 },
	{ "/sbin/syslogd -n", "/sbin/syslogd -n|", 0 },
	{ "/sbin/syslogd", "", 0 },
};

static void
test_services_match(void)
{
	const struct match_case *c;
	uint8_t proc[64];
	size_t i, j, n;
	int got;

	for (i = 0; i < SK_NELEM(match_cases); i++) {
		c = &match_cases[i];
		n = strlen(c->proc);
		for (j = 0; j < n; j++) {
			proc[j] = c->proc[j] == '|' ? 0 : (uint8_t)c->proc[j];
		}
		got = services_cmd_match((const uint8_t *)c->cmd,
		    strlen(c->cmd), proc, n);
		TEST_CHECK(got == c->want, "\"%s\" vs \"%s\": got %d, want %d",
		    c->cmd, c->proc, got, c->want);
	}
}

const struct test_case test_cases[] = {
	{ "services_table", test_services_table },
	{ "services_match", test_services_match },
};
const size_t test_ncases = SK_NELEM(test_cases);
