/*
 * smtp_param_test.c - table tests of the ESMTP MAIL/RCPT parameters.
 */
#include <string.h>

#include "smtp_param.h"
#include "test.h"

#define ALL                                                      \
	(SMTP_EXT_SIZE | SMTP_EXT_8BITMIME | SMTP_EXT_SMTPUTF8 | \
	    SMTP_EXT_DSN | SMTP_EXT_AUTH)

struct mail_case {
	const char *in;
	unsigned caps;
	enum sk_result want;
	enum smtp_reply_id reply; /* when not SK_OK */
	unsigned have;            /* when SK_OK */
};

static const struct mail_case mail_cases[] = {
	{ "", ALL, SK_OK, SMTP_R_NONE, 0 },
	{ "SIZE=1000", ALL, SK_OK, SMTP_R_NONE, SMTP_P_SIZE },
	{ "size=0", ALL, SK_OK, SMTP_R_NONE, SMTP_P_SIZE },
	{ "SIZE=10485760", ALL, SK_OK, SMTP_R_NONE, SMTP_P_SIZE },
	{ "SIZE=10485761", ALL, SK_E_RANGE, SMTP_R_SIZE_TOO_BIG, 0 },
	{ "SIZE=18446744073709551616", ALL, SK_E_RANGE, SMTP_R_SIZE_TOO_BIG,
	    0 },
	{ "SIZE=99999999999999999999999999", ALL, SK_E_RANGE,
	    SMTP_R_SIZE_TOO_BIG, 0 },
	{ "SIZE=1x", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE=", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE=1 SIZE=2", ALL, SK_E_SYNTAX, SMTP_R_PARAM_DUP, 0 },
	{ "SIZE=1", 0, SK_E_UNKNOWN, SMTP_R_PARAM_UNKNOWN, 0 },
	{ "BODY=8BITMIME", ALL, SK_OK, SMTP_R_NONE, SMTP_P_BODY },
	{ "BODY=7bit", ALL, SK_OK, SMTP_R_NONE, SMTP_P_BODY },
	{ "BODY=BINARYMIME", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "BODY=BINARYMIME", ALL | SMTP_EXT_BINARYMIME, SK_OK, SMTP_R_NONE,
	    SMTP_P_BODY },
	{ "BODY=9BIT", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SMTPUTF8", ALL, SK_OK, SMTP_R_NONE, SMTP_P_SMTPUTF8 },
	{ "SMTPUTF8=yes", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SMTPUTF8", SMTP_EXT_SIZE, SK_E_UNKNOWN, SMTP_R_PARAM_UNKNOWN, 0 },
	{ "RET=HDRS ENVID=QQ314159", ALL, SK_OK, SMTP_R_NONE,
	    SMTP_P_RET | SMTP_P_ENVID },
	{ "RET=ALL", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ENVID=a+2Bb", ALL, SK_OK, SMTP_R_NONE, SMTP_P_ENVID },
	{ "ENVID=a+2bb", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ENVID=a+2", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ENVID=a+b", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ENVID=a=b", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ENVID=12345678901234567890123456789012345678901234567890"
	  "12345678901234567890123456789012345678901234567890",
	    ALL, SK_OK, SMTP_R_NONE, SMTP_P_ENVID },
	{ "ENVID=12345678901234567890123456789012345678901234567890"
	  "123456789012345678901234567890123456789012345678901",
	    ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "AUTH=<>", ALL, SK_OK, SMTP_R_NONE, SMTP_P_AUTH },
	{ "AUTH=e+3Dmc2@example.com", ALL, SK_OK, SMTP_R_NONE, SMTP_P_AUTH },
	{ "AUTH=<>", SMTP_EXT_SIZE, SK_E_UNKNOWN, SMTP_R_PARAM_UNKNOWN, 0 },
	{ "NOTIFY=NEVER", ALL, SK_E_UNKNOWN, SMTP_R_PARAM_UNKNOWN, 0 },
	{ "X-FOO=1", ALL, SK_E_UNKNOWN, SMTP_R_PARAM_UNKNOWN, 0 },
	{ "-FOO=1", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE=1  BODY=7BIT", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE=1 ", ALL, SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE=1 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x AUTH=<>", ALL, SK_OK,
	    SMTP_R_NONE,
	    SMTP_P_SIZE | SMTP_P_BODY | SMTP_P_SMTPUTF8 | SMTP_P_RET |
		SMTP_P_ENVID | SMTP_P_AUTH },
};

/* test_param_mail - every row of mail_cases, SIZE limit 10 MiB */
static void
test_param_mail(void)
{
	struct smtp_mail_params p;
	enum sk_result r;
	size_t k;

	for (k = 0; k < SK_NELEM(mail_cases); k++) {
		const struct mail_case *c = &mail_cases[k];

		r = smtp_param_mail((const uint8_t *)c->in, strlen(c->in),
		    c->caps, 10485760, &p);
		if (r != c->want) {
			test_fail("\"%s\": got %s, want %s", c->in,
			    sk_result_str(r), sk_result_str(c->want));
		} else if (r != SK_OK && p.reply != c->reply) {
			test_fail("\"%s\": reply got %s, want %s", c->in,
			    smtp_reply_name(p.reply),
			    smtp_reply_name(c->reply));
		} else if (r == SK_OK && p.have != c->have) {
			test_fail("\"%s\": have got %#x, want %#x", c->in,
			    p.have, c->have);
		}
	}
}

/* test_param_values - what is stored */
static void
test_param_values(void)
{
	static const char in[] = "SIZE=12345 BODY=8BITMIME RET=HDRS "
				 "ENVID=QQ+2B1";
	struct smtp_mail_params p;

	if (smtp_param_mail((const uint8_t *)in, strlen(in), ALL, 0, &p) !=
	    SK_OK) {
		test_fail("\"%s\" does not parse", in);
		return;
	}
	if (p.size != 12345 || p.body != SMTP_BODY_8BITMIME ||
	    p.ret != SMTP_RET_HDRS || p.envidlen != 6 ||
	    memcmp(p.envid, "QQ+2B1", 6) != 0) {
		test_fail("got size %llu body %d ret %d envid %.*s",
		    (unsigned long long)p.size, p.body, p.ret, (int)p.envidlen,
		    (const char *)p.envid);
	}
}

struct rcpt_case {
	const char *in;
	enum sk_result want;
	enum smtp_reply_id reply;
	unsigned notify;
};

static const struct rcpt_case rcpt_cases[] = {
	{ "", SK_OK, SMTP_R_NONE, 0 },
	{ "NOTIFY=NEVER", SK_OK, SMTP_R_NONE, SMTP_NOTIFY_NEVER },
	{ "NOTIFY=SUCCESS,FAILURE", SK_OK, SMTP_R_NONE,
	    SMTP_NOTIFY_SUCCESS | SMTP_NOTIFY_FAILURE },
	{ "NOTIFY=delay,success,failure", SK_OK, SMTP_R_NONE,
	    SMTP_NOTIFY_SUCCESS | SMTP_NOTIFY_FAILURE | SMTP_NOTIFY_DELAY },
	{ "NOTIFY=NEVER,SUCCESS", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "NOTIFY=SUCCESS,SUCCESS", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "NOTIFY=SUCCESS,", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "NOTIFY=,SUCCESS", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "NOTIFY=SOMETIMES", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "NOTIFY=NEVER NOTIFY=NEVER", SK_E_SYNTAX, SMTP_R_PARAM_DUP,
	    SMTP_NOTIFY_NEVER },
	{ "ORCPT=rfc822;a@b.example", SK_OK, SMTP_R_NONE, 0 },
	{ "ORCPT=rfc822;a+2Bx@b.example NOTIFY=DELAY", SK_OK, SMTP_R_NONE,
	    SMTP_NOTIFY_DELAY },
	{ "ORCPT=rfc822", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ORCPT=;a@b", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ORCPT=rfc822;", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "ORCPT=rfc822;a+zz", SK_E_SYNTAX, SMTP_R_PARAM_BAD, 0 },
	{ "SIZE=10", SK_E_UNKNOWN, SMTP_R_PARAM_UNKNOWN, 0 },
};

/* test_param_rcpt - every row of rcpt_cases */
static void
test_param_rcpt(void)
{
	struct smtp_rcpt_params p;
	enum sk_result r;
	size_t k;

	for (k = 0; k < SK_NELEM(rcpt_cases); k++) {
		const struct rcpt_case *c = &rcpt_cases[k];

		r = smtp_param_rcpt((const uint8_t *)c->in, strlen(c->in), ALL,
		    &p);
		if (r != c->want) {
			test_fail("\"%s\": got %s, want %s", c->in,
			    sk_result_str(r), sk_result_str(c->want));
		} else if (r != SK_OK && p.reply != c->reply) {
			test_fail("\"%s\": reply got %s, want %s", c->in,
			    smtp_reply_name(p.reply),
			    smtp_reply_name(c->reply));
		} else if (r == SK_OK && p.notify != c->notify) {
			test_fail("\"%s\": notify got %#x, want %#x", c->in,
			    p.notify, c->notify);
		}
	}
	/* ORCPT over RFC 3461 4.2's 500 characters */
	{
		static char in[600];

		strcpy(in, "ORCPT=rfc822;");
		memset(in + 13, 'a', 488);
		in[501] = '\0';
		r = smtp_param_rcpt((const uint8_t *)in, 501, ALL, &p);
		if (r != SK_E_SYNTAX) {
			test_fail("ORCPT of 501: got %s, want %s",
			    sk_result_str(r), sk_result_str(SK_E_SYNTAX));
		}
		r = smtp_param_rcpt((const uint8_t *)in, 500, ALL, &p);
		if (r != SK_OK) {
			test_fail("ORCPT of 500: got %s, want %s",
			    sk_result_str(r), sk_result_str(SK_OK));
		}
	}
}

/* test_xtext_decode - RFC 3461 4 xtext */
static void
test_xtext_decode(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		const char *out;
	} cases[] = {
		{ "abc", SK_OK, "abc" },
		{ "a+2Bb", SK_OK, "a+b" },
		{ "+3D+20", SK_OK, "= " },
		{ "", SK_OK, "" },
		{ "a+2", SK_E_SYNTAX, NULL },
		{ "a+gg", SK_E_SYNTAX, NULL },
		{ "a b", SK_E_SYNTAX, NULL },
		{ "a=b", SK_E_SYNTAX, NULL },
	};
	uint8_t out[16];
	size_t k, n;
	enum sk_result r;

	for (k = 0; k < SK_NELEM(cases); k++) {
		r = smtp_xtext_decode((const uint8_t *)cases[k].in,
		    strlen(cases[k].in), out, sizeof(out), &n);
		if (r != cases[k].want) {
			test_fail("\"%s\": got %s, want %s", cases[k].in,
			    sk_result_str(r), sk_result_str(cases[k].want));
		} else if (r == SK_OK &&
		    (n != strlen(cases[k].out) ||
			memcmp(out, cases[k].out, n) != 0)) {
			test_fail("\"%s\": got \"%.*s\", want \"%s\"",
			    cases[k].in, (int)n, (const char *)out,
			    cases[k].out);
		}
	}
	if (smtp_xtext_decode((const uint8_t *)"abcdef", 6, out, 3, &n) !=
	    SK_E_FULL) {
		test_fail("short output: want SK_E_FULL");
	}
}

const struct test_case test_cases[] = {
	{ "smtp_param_mail", test_param_mail },
	{ "smtp_param_values", test_param_values },
	{ "smtp_param_rcpt", test_param_rcpt },
	{ "smtp_xtext_decode", test_xtext_decode },
};
const size_t test_ncases = SK_NELEM(test_cases);
