/*
 * fuzz_smtp_cmd.c - libFuzzer target for the command line parser.
 *
 * The input is one line (CRLF removed). Invariants: every view lies
 * inside the line; a reply is set exactly when the result is an error;
 * a MAIL/RCPT path that parses also goes through the address and
 * parameter parsers without harm.
 */
#include <stdlib.h>

#include "smtp_addr.h"
#include "smtp_cmd.h"
#include "smtp_param.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* inside - whether the view [p, p + n) lies in [base, base + size) */
static int
inside(const uint8_t *p, size_t n, const uint8_t *base, size_t size)
{
	if (p == NULL) {
		return n == 0;
	}
	return p >= base && n <= size && (size_t)(p - base) <= size - n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_mail_params mp;
	struct smtp_rcpt_params rp;
	struct smtp_addr a;
	struct smtp_cmd cmd;
	enum sk_result r;

	r = smtp_cmd_parse(data, size, &cmd);
	if ((r == SK_OK) != (cmd.reply == SMTP_R_NONE)) {
		abort();
	}
	if (!inside(cmd.arg, cmd.arglen, data, size) ||
	    !inside(cmd.word, cmd.wordlen, data, size) ||
	    !inside(cmd.rest, cmd.restlen, data, size)) {
		abort();
	}
	if (r != SK_OK) {
		return 0;
	}
	if (cmd.verb == SMTP_VERB_MAIL) {
		smtp_param_mail(cmd.rest, cmd.restlen, ~0u, 1000, &mp);
		smtp_addr_parse(cmd.word, cmd.wordlen,
		    SMTP_ADDR_OPT_NULL_OK | SMTP_ADDR_OPT_UTF8, &a);
	} else if (cmd.verb == SMTP_VERB_RCPT) {
		smtp_param_rcpt(cmd.rest, cmd.restlen, ~0u, &rp);
		smtp_addr_parse(cmd.word, cmd.wordlen, SMTP_ADDR_OPT_POSTMASTER,
		    &a);
	}
	return 0;
}
