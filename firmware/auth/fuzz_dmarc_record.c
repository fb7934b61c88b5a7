/*
 * fuzz_dmarc_record.c - libFuzzer target for the DMARC record parser and
 * dmarc_check().
 *
 * The input is parsed as a record (every URI must point inside it), then
 * served as the TXT record of every name by a resolver that answers
 * NXDOMAIN for address and MX queries, and dmarc_check() runs over it.
 */
#include <string.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fuzz_txt;
static size_t fuzz_txt_len;
static struct dmarc_ctx ctx;
static struct dmarc_outcome out;

static enum dns_status
fuzz_query(void *arg, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *cbarg)
{
	struct dns_rr rr;

	(void)arg;
	(void)name;
	(void)done;
	(void)cbarg;
	if (type != DNS_T_TXT) {
		return DNS_NXDOMAIN;
	}
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	(void)dns_answer_add(ans, &rr, fuzz_txt, fuzz_txt_len);
	return DNS_ANSWER;
}

static const struct dns_resolver_ops fuzz_ops = {
	.name = "fuzz",
	.query = fuzz_query,
	.cancel = NULL,
};

static uint32_t
fuzz_random(void *arg)
{
	(void)arg;
	return 0x9e3779b9u; /* seeded: runs are reproducible */
}

static void
fuzz_uris(const struct dmarc_uri *u, size_t n, const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((const uint8_t *)u[i].uri < data ||
		    (const uint8_t *)u[i].uri + u[i].uri_len > data + size) {
			__builtin_trap();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dmarc_dkim sig = { "sub.example.com",
		DMARC_DKIM_PASS };
	struct dns_resolver res = { &fuzz_ops, NULL };
	struct dmarc_record rec;
	struct dmarc_request req;

	if (dmarc_record_parse(data, size, &rec) != SK_E_UNKNOWN) {
		if (rec.nrua > DMARC_URI_MAX || rec.nruf > DMARC_URI_MAX ||
		    rec.pct > DMARC_PCT_MAX) {
			__builtin_trap();
		}
		fuzz_uris(rec.rua, rec.nrua, data, size);
		fuzz_uris(rec.ruf, rec.nruf, data, size);
	}
	fuzz_txt = data;
	fuzz_txt_len = size < 8192 ? size : 8192;
	memset(&req, 0, sizeof(req));
	req.from_domain = "a.b.example.com";
	req.spf = SPF_PASS;
	req.spf_domain = "other.example.net";
	req.dkim = &sig;
	req.ndkim = 1;
	req.random = fuzz_random;
	(void)dmarc_check(&ctx, &res, &req, &out);
	return 0;
}
