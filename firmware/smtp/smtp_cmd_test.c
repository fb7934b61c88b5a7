/*
 * smtp_cmd_test.c - table tests of the command line parser.
 */
#include <stdio.h>
#include <string.h>

#include "smtp_cmd.h"
#include "test.h"

struct cmd_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum sk_result want;
	enum smtp_verb verb;           /* for SK_OK and SK_E_SYNTAX */
	enum smtp_reply_id reply;      /* when not SK_OK */
	const char *word, *rest, *arg; /* for SK_OK; NULL: absent */
};

#define OK(in, v, w, r, a)                            \
	{                                             \
		in, 0, SK_OK, v, SMTP_R_NONE, w, r, a \
	}
#define BAD(in, res, v, rep)                         \
	{                                            \
		in, 0, res, v, rep, NULL, NULL, NULL \
	}

static const struct cmd_case cmd_cases[] = {
	OK("EHLO client.example", SMTP_VERB_EHLO, NULL, NULL, "client.example"),
	OK("ehlo client.example", SMTP_VERB_EHLO, NULL, NULL, "client.example"),
	OK("HeLo WIN_PC", SMTP_VERB_HELO, NULL, NULL, "WIN_PC"),
	OK("EHLO [192.0.2.1]", SMTP_VERB_EHLO, NULL, NULL, "[192.0.2.1]"),
	OK("EHLO client.example  ", SMTP_VERB_EHLO, NULL, NULL,
	    "client.example"),
	BAD("EHLO", SK_E_SYNTAX, SMTP_VERB_EHLO, SMTP_R_HELO_SYNTAX),
	BAD("EHLO a b", SK_E_SYNTAX, SMTP_VERB_EHLO, SMTP_R_HELO_SYNTAX),
	BAD("EHLO  a", SK_E_SYNTAX, SMTP_VERB_EHLO, SMTP_R_SYNTAX),
	BAD("EHLO \xc3\xa9", SK_E_SYNTAX, SMTP_VERB_EHLO, SMTP_R_HELO_SYNTAX),
	OK("MAIL FROM:<a@b.example>", SMTP_VERB_MAIL, "<a@b.example>", NULL,
	    "FROM:<a@b.example>"),
	OK("mail from:<>", SMTP_VERB_MAIL, "<>", NULL, "from:<>"),
	OK("MAIL FROM: <a@b.example>", SMTP_VERB_MAIL, "<a@b.example>", NULL,
	    "FROM: <a@b.example>"),
	OK("MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME", SMTP_VERB_MAIL,
	    "<a@b.example>", "SIZE=100 BODY=8BITMIME",
	    "FROM:<a@b.example> SIZE=100 BODY=8BITMIME"),
	OK("MAIL FROM:<\"a>b\"@c.example> SIZE=1", SMTP_VERB_MAIL,
	    "<\"a>b\"@c.example>", "SIZE=1", "FROM:<\"a>b\"@c.example> SIZE=1"),
	OK("MAIL FROM:<a@b.example> ", SMTP_VERB_MAIL, "<a@b.example>", NULL,
	    "FROM:<a@b.example>"),
	BAD("MAIL FROM:<a@b.example>  SIZE=1", SK_E_SYNTAX, SMTP_VERB_MAIL,
	    SMTP_R_MAIL_SYNTAX),
	BAD("MAIL FROM:<a@b.example>SIZE=1", SK_E_SYNTAX, SMTP_VERB_MAIL,
	    SMTP_R_MAIL_SYNTAX),
	BAD("MAIL FROM:a@b.example", SK_E_SYNTAX, SMTP_VERB_MAIL,
	    SMTP_R_MAIL_SYNTAX),
	BAD("MAIL FROM <a@b.example>", SK_E_SYNTAX, SMTP_VERB_MAIL,
	    SMTP_R_MAIL_SYNTAX),
	BAD("MAIL TO:<a@b.example>", SK_E_SYNTAX, SMTP_VERB_MAIL,
	    SMTP_R_MAIL_SYNTAX),
	BAD("MAIL FROM:<a@b.example", SK_E_SYNTAX, SMTP_VERB_MAIL,
	    SMTP_R_MAIL_SYNTAX),
	BAD("MAIL", SK_E_SYNTAX, SMTP_VERB_MAIL, SMTP_R_MAIL_SYNTAX),
	/* CVE-2020-7247: the command parses; the address parser refuses */
	OK("MAIL FROM:<;sleep 66;>", SMTP_VERB_MAIL, "<;sleep 66;>", NULL,
	    "FROM:<;sleep 66;>"),
	OK("RCPT TO:<a@b.example>", SMTP_VERB_RCPT, "<a@b.example>", NULL,
	    "TO:<a@b.example>"),
	OK("RCPT TO:<a@b.example> NOTIFY=NEVER", SMTP_VERB_RCPT,
	    "<a@b.example>", "NOTIFY=NEVER", "TO:<a@b.example> NOTIFY=NEVER"),
	BAD("RCPT FROM:<a@b.example>", SK_E_SYNTAX, SMTP_VERB_RCPT,
	    SMTP_R_RCPT_SYNTAX),
	OK("DATA", SMTP_VERB_DATA, NULL, NULL, NULL),
	OK("data ", SMTP_VERB_DATA, NULL, NULL, NULL),
	BAD("DATA x", SK_E_SYNTAX, SMTP_VERB_DATA, SMTP_R_NO_ARGS),
	BAD("DATAX", SK_E_UNKNOWN, SMTP_VERB_NONE, SMTP_R_CMD_UNKNOWN),
	OK("RSET", SMTP_VERB_RSET, NULL, NULL, NULL),
	OK("QUIT", SMTP_VERB_QUIT, NULL, NULL, NULL),
	OK("STARTTLS", SMTP_VERB_STARTTLS, NULL, NULL, NULL),
	BAD("STARTTLS now", SK_E_SYNTAX, SMTP_VERB_STARTTLS, SMTP_R_NO_ARGS),
	OK("NOOP", SMTP_VERB_NOOP, NULL, NULL, NULL),
	OK("NOOP hello there", SMTP_VERB_NOOP, NULL, NULL, "hello there"),
	OK("HELP", SMTP_VERB_HELP, NULL, NULL, NULL),
	OK("VRFY user", SMTP_VERB_VRFY, NULL, NULL, "user"),
	BAD("VRFY", SK_E_SYNTAX, SMTP_VERB_VRFY, SMTP_R_SYNTAX),
	OK("EXPN list", SMTP_VERB_EXPN, NULL, NULL, "list"),
	OK("AUTH PLAIN", SMTP_VERB_AUTH, "PLAIN", NULL, "PLAIN"),
	OK("AUTH PLAIN AGFsaWNlAHNlY3JldA==", SMTP_VERB_AUTH, "PLAIN",
	    "AGFsaWNlAHNlY3JldA==", "PLAIN AGFsaWNlAHNlY3JldA=="),
	OK("AUTH CRAM-MD5", SMTP_VERB_AUTH, "CRAM-MD5", NULL, "CRAM-MD5"),
	BAD("AUTH", SK_E_SYNTAX, SMTP_VERB_AUTH, SMTP_R_SYNTAX),
	BAD("AUTH PL@IN", SK_E_SYNTAX, SMTP_VERB_AUTH, SMTP_R_SYNTAX),
	BAD("AUTH PLAIN a b", SK_E_SYNTAX, SMTP_VERB_AUTH, SMTP_R_SYNTAX),
	BAD("AUTH ABCDEFGHIJKLMNOPQRSTU", SK_E_SYNTAX, SMTP_VERB_AUTH,
	    SMTP_R_SYNTAX),
	OK("BDAT 0 LAST", SMTP_VERB_BDAT, NULL, NULL, "0 LAST"),
	OK("BDAT 100", SMTP_VERB_BDAT, NULL, NULL, "100"),
	OK("bdat 86 last", SMTP_VERB_BDAT, NULL, NULL, "86 last"),
	BAD("BDAT", SK_E_SYNTAX, SMTP_VERB_BDAT, SMTP_R_BDAT_SYNTAX),
	BAD("BDAT x", SK_E_SYNTAX, SMTP_VERB_BDAT, SMTP_R_BDAT_SYNTAX),
	BAD("BDAT 10 FIRST", SK_E_SYNTAX, SMTP_VERB_BDAT, SMTP_R_BDAT_SYNTAX),
	BAD("BDAT 10  LAST", SK_E_SYNTAX, SMTP_VERB_BDAT, SMTP_R_BDAT_SYNTAX),
	BAD("BDAT -1", SK_E_SYNTAX, SMTP_VERB_BDAT, SMTP_R_BDAT_SYNTAX),
	BAD("BDAT 18446744073709551616", SK_E_RANGE, SMTP_VERB_BDAT,
	    SMTP_R_BDAT_SYNTAX),
	OK("BDAT 18446744073709551615", SMTP_VERB_BDAT, NULL, NULL,
	    "18446744073709551615"),
	BAD("", SK_E_UNKNOWN, SMTP_VERB_NONE, SMTP_R_CMD_UNKNOWN),
	BAD(" EHLO a", SK_E_UNKNOWN, SMTP_VERB_NONE, SMTP_R_CMD_UNKNOWN),
	BAD("TURN", SK_E_UNKNOWN, SMTP_VERB_NONE, SMTP_R_CMD_UNKNOWN),
	BAD("EHLO\ta", SK_E_SYNTAX, SMTP_VERB_NONE, SMTP_R_CMD_CTL),
	BAD("QUIT\r", SK_E_SYNTAX, SMTP_VERB_NONE, SMTP_R_CMD_BARE_NL),
	BAD("QUIT\nRSET", SK_E_SYNTAX, SMTP_VERB_NONE, SMTP_R_CMD_BARE_NL),
	BAD("NOOP \x7f", SK_E_SYNTAX, SMTP_VERB_NONE, SMTP_R_CMD_CTL),
	/* conformance nul_in_command: never truncated at the NUL */
	{ "RCPT TO:<a@example.org>\0<b@evil.example>", 41, SK_E_SYNTAX,
	    SMTP_VERB_NONE, SMTP_R_CMD_CTL, NULL, NULL, NULL },
	{ "QUIT\0", 5, SK_E_SYNTAX, SMTP_VERB_NONE, SMTP_R_CMD_CTL, NULL, NULL,
	    NULL },
};

/* same_view - whether a (pointer, length) view equals s (NULL: absent) */
static int
same_view(const uint8_t *p, size_t n, const char *s)
{
	if (s == NULL) {
		return p == NULL && n == 0;
	}
	return p != NULL && n == strlen(s) && memcmp(p, s, n) == 0;
}

/* check_cmd_case - parse one case and compare */
static void
check_cmd_case(size_t k, const struct cmd_case *c)
{
	size_t len = c->len > 0 ? c->len : strlen(c->in);
	struct smtp_cmd cmd;
	enum sk_result r;

	r = smtp_cmd_parse((const uint8_t *)c->in, len, &cmd);
	if (r != c->want) {
		test_fail("case %zu \"%s\": got %s, want %s", k, c->in,
		    sk_result_str(r), sk_result_str(c->want));
		return;
	}
	if (cmd.verb != c->verb) {
		test_fail("case %zu \"%s\": verb got %s, want %s", k, c->in,
		    smtp_verb_name(cmd.verb), smtp_verb_name(c->verb));
	}
	if (r != SK_OK) {
		if (cmd.reply != c->reply) {
			test_fail("case %zu \"%s\": reply got %s, want %s", k,
			    c->in, smtp_reply_name(cmd.reply),
			    smtp_reply_name(c->reply));
		}
		return;
	}
	if (!same_view(cmd.word, cmd.wordlen, c->word) ||
	    !same_view(cmd.rest, cmd.restlen, c->rest) ||
	    !same_view(cmd.arg, cmd.arglen, c->arg)) {
		test_fail("case %zu \"%s\": got word \"%.*s\" rest \"%.*s\" "
			  "arg \"%.*s\", want \"%s\" \"%s\" \"%s\"",
		    k, c->in, (int)cmd.wordlen, (const char *)cmd.word,
		    (int)cmd.restlen, (const char *)cmd.rest, (int)cmd.arglen,
		    (const char *)cmd.arg, c->word ? c->word : "(none)",
		    c->rest ? c->rest : "(none)", c->arg ? c->arg : "(none)");
	}
}

/* test_cmd_table - every row of cmd_cases */
static void
test_cmd_table(void)
{
	size_t k;

	for (k = 0; k < SK_NELEM(cmd_cases); k++) {
		check_cmd_case(k, &cmd_cases[k]);
	}
}

/* test_cmd_bdat_values - BDAT numbers and LAST */
static void
test_cmd_bdat_values(void)
{
	struct smtp_cmd cmd;

	if (smtp_cmd_parse((const uint8_t *)"BDAT 86 LAST", 12, &cmd) !=
	    SK_OK) {
		test_fail("BDAT 86 LAST does not parse");
		return;
	}
	if (cmd.bdat_size != 86 || cmd.bdat_last != 1) {
		test_fail("got size %llu last %d, want 86 1",
		    (unsigned long long)cmd.bdat_size, cmd.bdat_last);
	}
}

/* line_of - "VERB " followed by filler up to n octets in buf */
static size_t
line_of(char *buf, const char *head, const char *tail, size_t n)
{
	size_t h = strlen(head), t = strlen(tail);

	memcpy(buf, head, h);
	memset(buf + h, 'a', n - h - t);
	memcpy(buf + n - t, tail, t);
	return n;
}

/* test_cmd_limits - RFC 5321 4.5.3.1.4 and the extension allowances */
static void
test_cmd_limits(void)
{
	static const struct {
		const char *head, *tail;
		size_t len; /* without CRLF */
		enum sk_result want;
	} cases[] = {
		{ "NOOP ", "", SMTP_CMD_LINE_MAX - 2, SK_OK },
		{ "NOOP ", "", SMTP_CMD_LINE_MAX - 1, SK_E_TOO_LONG },
		{ "MAIL FROM:<", "@example.org>", SMTP_CMD_LINE_MAX - 1,
		    SK_OK },
		{ "MAIL FROM:<", "@example.org>", SMTP_CMD_MAIL_LINE_MAX - 2,
		    SK_OK },
		{ "MAIL FROM:<", "@example.org>", SMTP_CMD_MAIL_LINE_MAX - 1,
		    SK_E_TOO_LONG },
		{ "RCPT TO:<", "@example.org>", SMTP_CMD_RCPT_LINE_MAX - 2,
		    SK_OK },
		{ "RCPT TO:<", "@example.org>", SMTP_CMD_RCPT_LINE_MAX - 1,
		    SK_E_TOO_LONG },
		{ "MAIL FROM:<", "@example.org>", 100000, SK_E_TOO_LONG },
	};
	static char buf[100001];
	struct smtp_cmd cmd;
	enum sk_result r;
	size_t k, n;

	for (k = 0; k < SK_NELEM(cases); k++) {
		n = line_of(buf, cases[k].head, cases[k].tail, cases[k].len);
		r = smtp_cmd_parse((const uint8_t *)buf, n, &cmd);
		if (r != cases[k].want) {
			test_fail("%s... of %zu: got %s, want %s",
			    cases[k].head, n, sk_result_str(r),
			    sk_result_str(cases[k].want));
		}
		if (r == SK_E_TOO_LONG && cmd.reply != SMTP_R_LINE_TOO_LONG) {
			test_fail("%s... of %zu: reply got %s", cases[k].head,
			    n, smtp_reply_name(cmd.reply));
		}
	}
}

/* test_reply_format - single and multi-line replies, RFC 5321 4.2.1 */
static void
test_reply_format(void)
{
	static const char *const ehlo[] = { "mx.example", "PIPELINING",
		"SIZE 1000" };
	char out[256];
	size_t len = 0;
	const char *want;

	smtp_reply_format(SMTP_R_BAD_SEQUENCE, NULL, out, sizeof(out), &len);
	smtp_reply_format(SMTP_R_QUEUED, "as ABC123", out, sizeof(out), &len);
	smtp_reply_format(SMTP_R_DATA_GO, NULL, out, sizeof(out), &len);
	smtp_reply_format_lines(250, "", ehlo, 3, out, sizeof(out), &len);
	want = "503 5.5.1 Error: bad sequence of commands\r\n"
	       "250 2.0.0 Ok: queued as ABC123\r\n"
	       "354 End data with <CR><LF>.<CR><LF>\r\n"
	       "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n";
	if (len != strlen(want) || memcmp(out, want, len) != 0) {
		test_fail("got \"%.*s\", want \"%s\"", (int)len, out, want);
	}
	len = 0;
	if (smtp_reply_format(SMTP_R_BAD_SEQUENCE, NULL, out, 10, &len) !=
		SK_E_FULL ||
	    len != 0) {
		test_fail("short buffer: got len %zu, want SK_E_FULL and 0",
		    len);
	}
}

/* test_reply_table - every reply: 2yz-5yz codes, enhanced class matches */
static void
test_reply_table(void)
{
	const struct smtp_reply *r;
	int id;

	for (id = 1; id < SMTP_R_COUNT; id++) {
		r = smtp_reply_get((enum smtp_reply_id)id);
		if (r->code < 200 || r->code > 559) {
			test_fail("%s: code %u",
			    smtp_reply_name((enum smtp_reply_id)id), r->code);
		}
		/* RFC 3463 2: the class digit equals the reply's first. */
		if (r->enh[0] != '\0' && r->enh[0] != '0' + r->code / 100) {
			test_fail("%s: got %u %s, want same class",
			    smtp_reply_name((enum smtp_reply_id)id), r->code,
			    r->enh);
		}
	}
}

const struct test_case test_cases[] = {
	{ "smtp_cmd_table", test_cmd_table },
	{ "smtp_cmd_bdat_values", test_cmd_bdat_values },
	{ "smtp_cmd_limits", test_cmd_limits },
	{ "smtp_reply_format", test_reply_format },
	{ "smtp_reply_table", test_reply_table },
};
const size_t test_ncases = SK_NELEM(test_cases);
