/*
 * fuzz_smtp_sasl.c - libFuzzer target for AUTH PLAIN/LOGIN.
 *
 * The input is lines separated by LF: the first is the AUTH argument
 * ("MECH [ir]"), the others are responses, fed while the machine asks
 * for one. Invariants: a CHECK gives a user of 1..255 octets without
 * control characters and a password of 1..255 octets, both NUL-ended
 * at their lengths; an ERROR has a reply and keeps no credentials; a
 * challenge is one of the three we send. The base64 codec under it has
 * a target of its own (lib/fuzz_base64.c).
 */
#include <stdlib.h>
#include <string.h>

#include "smtp_sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_step - the invariants of one step's outcome */
static void
check_step(const struct smtp_sasl *x, enum smtp_sasl_step step)
{
	size_t i;

	switch (step) {
	case SMTP_SASL_CHECK:
		if (x->userlen == 0 || x->userlen > SMTP_SASL_FIELD_MAX ||
		    strlen(x->user) != x->userlen || x->passlen == 0 ||
		    x->passlen > SMTP_SASL_FIELD_MAX ||
		    strlen(x->pass) != x->passlen) {
			abort();
		}
		for (i = 0; i < x->userlen; i++) {
			if ((uint8_t)x->user[i] < 0x20 ||
			    (uint8_t)x->user[i] == 0x7f) {
				abort();
			}
		}
		break;
	case SMTP_SASL_ERROR:
		if (x->reply == SMTP_R_NONE || x->userlen != 0 ||
		    x->passlen != 0 || x->user[0] != '\0' ||
		    x->pass[0] != '\0') {
			abort();
		}
		break;
	case SMTP_SASL_CHALLENGE:
		if (x->challenge == NULL ||
		    (strcmp(x->challenge, "") != 0 &&
			strcmp(x->challenge, "VXNlcm5hbWU6") != 0 &&
			strcmp(x->challenge, "UGFzc3dvcmQ6") != 0)) {
			abort();
		}
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp_sasl x;
	enum smtp_sasl_step step = SMTP_SASL_CHALLENGE;
	const uint8_t *p = data, *nl;
	size_t left = size, len;
	int first = 1;

	while (step == SMTP_SASL_CHALLENGE) {
		nl = memchr(p, '\n', left);
		len = nl != NULL ? (size_t)(nl - p) : left;
		step = first ? smtp_sasl_start(&x, p, len) :
			       smtp_sasl_response(&x, p, len);
		check_step(&x, step);
		first = 0;
		if (nl == NULL) {
			break;
		}
		p = nl + 1;
		left -= len + 1;
	}
	/* one more response after the end must be refused */
	if (step != SMTP_SASL_CHALLENGE &&
	    (smtp_sasl_response(&x, data, size > 8 ? 8 : size) !=
		    SMTP_SASL_ERROR ||
		x.reply != SMTP_R_BAD_SEQUENCE)) {
		abort();
	}
	smtp_sasl_wipe(&x);
	return 0;
}
