/*
 * fuzz_spf_record.c - libFuzzer target for the SPF record parser, macro
 * expansion and check_host().
 *
 * The input is an SPF record (or any TXT text).  It is parsed; its terms
 * are walked; it is expanded as a macro string and as an explanation; and
 * it is served as the TXT record of every name by a resolver that also
 * answers A, AAAA, MX and PTR queries, so check_host() runs over it with
 * includes, redirects and exp= all pointing back at it.  The evaluation
 * must end within the lookup limits and never touch memory it does not own.
 */
#include <string.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fuzz_txt;
static size_t fuzz_txt_len;
static size_t fuzz_queries;
static struct spf_ctx ctx;
static struct spf_outcome out;
static char expand[1024];

/* fuzz_query - every name has the input as TXT and fixed other records */
static enum dns_status
fuzz_query(void *arg, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *cbarg)
{
	struct dns_rr rr;

	(void)arg;
	(void)done;
	(void)cbarg;
	fuzz_queries++;
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	switch (type) {
	case DNS_T_TXT:
		(void)dns_answer_add(ans, &rr, fuzz_txt, fuzz_txt_len);
		break;
	case DNS_T_A:
		memcpy(rr.addr, "\xc0\x00\x02\x01", 4);
		(void)dns_answer_add(ans, &rr, NULL, 0);
		break;
	case DNS_T_AAAA:
		rr.addr[0] = 0x20;
		rr.addr[15] = 1;
		(void)dns_answer_add(ans, &rr, NULL, 0);
		break;
	case DNS_T_MX:
	case DNS_T_PTR:
		(void)dns_answer_add(ans, &rr, (const uint8_t *)name,
		    strlen(name));
		break;
	default:
		return DNS_NODATA;
	}
	return DNS_ANSWER;
}

static const struct dns_resolver_ops fuzz_ops = {
	.name = "fuzz",
	.query = fuzz_query,
	.cancel = NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct spf_macro_vars mv = {
		.s = "user@example.com",
		.l = "user",
		.o = "example.com",
		.d = "example.com",
		.h = "helo.example.net",
		.r = "mx.example",
		.c = "192.0.2.1",
		.i = "192.0.2.1",
		.v = "in-addr",
		.t = "0",
	};
	struct dns_resolver res = { &fuzz_ops, NULL };
	struct spf_request req;
	struct spf_record rec;
	struct spf_term t;
	size_t pos = 0, n;

	if (spf_record_parse(data, size, &rec) == SK_OK) {
		while (spf_record_next(&rec, &pos, &t) == SK_OK) {
			if (t.spec != NULL &&
			    (t.spec < (const char *)data ||
				t.spec + t.spec_len >
				    (const char *)data + size)) {
				__builtin_trap();
			}
		}
	}
	(void)spf_macro_expand(&mv, (const char *)data, size, 0, expand,
	    sizeof(expand), &n);
	(void)spf_macro_expand(&mv, (const char *)data, size, 1, expand,
	    sizeof(expand), &n);

	fuzz_txt = data;
	fuzz_txt_len = size < 8192 ? size : 8192;
	fuzz_queries = 0;
	memset(&req, 0, sizeof(req));
	req.af = 4;
	memcpy(req.ip, "\xc0\x00\x02\x02", 4);
	req.helo = "helo.example.net";
	req.mail_from = "user@example.com";
	(void)spf_check(&ctx, &res, &req, &out);
	/* RFC 7208 4.6.4: 10 terms, 10 names each, plus record and exp */
	if (fuzz_queries > 1 + SPF_MAX_DNS_TERMS * (2 + SPF_MAX_NAMES) + 24) {
		__builtin_trap();
	}
	return 0;
}
