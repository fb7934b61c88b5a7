/*
 * tls_x509_test.c - RFC 6125 name matching, the DER writer, and the
 * certificate reader over certificates we make ourselves.
 */
#include <string.h>

#include <bearssl.h>

#include "tls_der.h"
#include "tls_pem.h"
#include "tls_selfsigned.h"
#include "tls_x509.h"
#include "test.h"

struct match_case {
	const char *pattern, *host;
	int want;
};

static const struct match_case match_cases[] = {
	{ "mx.example.org", "mx.example.org", 1 },
	{ "MX.Example.ORG", "mx.example.org", 1 },  /* ASCII case */
	{ "mx.example.org.", "mx.example.org", 1 }, /* trailing dots */
	{ "mx.example.org", "mx.example.org.", 1 },
	{ "mx.example.org", "mx2.example.org", 0 },
	{ "mx.example.org", "example.org", 0 },
	{ "example.org", "mx.example.org", 0 },
	{ "*.example.org", "mx.example.org", 1 }, /* RFC 6125 6.4.3 */
	{ "*.example.org", "MX.EXAMPLE.ORG", 1 },
	{ "*.example.org", "example.org", 0 },     /* one whole label */
	{ "*.example.org", "a.b.example.org", 0 }, /* exactly one label */
	{ "*.example.org", ".example.org", 0 },
	{ "*.org", "example.org", 0 }, /* too wide */
	{ "*", "localhost", 0 },
	{ "mx*.example.org", "mx1.example.org", 0 }, /* partial: never */
	{ "*mx.example.org", "amx.example.org", 0 },
	{ "m*x.example.org", "max.example.org", 0 },
	{ "mx.*.org", "mx.example.org", 0 }, /* not left-most */
	{ "*.*.org", "a.b.org", 0 },
	{ "xn--bcher-kva.example", "xn--bcher-kva.example", 1 },
	{ "*.xn--bcher-kva.example", "mx.xn--bcher-kva.example", 1 },
	{ "", "mx.example.org", 0 }, { "mx.example.org", "", 0 },
	{ "mx..example.org", "mx..example.org", 0 },
	{ "mx_1.example.org", "mx_1.example.org", 0 }, /* not LDH */
	{ "a23456789012345678901234567890123456789012345678901234567890"
	  "1234.org",
	    "a23456789012345678901234567890123456789012345678901234567890"
	    "1234.org",
	    0 }, /* a 64-octet label */
};

static void
test_match(void)
{
	static const char nul[] = "mx.example.org\0.evil.test";
	size_t i;

	for (i = 0; i < SK_NELEM(match_cases); i++) {
		const struct match_case *mc = &match_cases[i];

		TEST_CHECK(tls_x509_match((const uint8_t *)mc->pattern,
			       strlen(mc->pattern), mc->host) == mc->want,
		    "\"%s\" vs %s: got %d, want %d", mc->pattern, mc->host,
		    !mc->want, mc->want);
	}
	/* a NUL inside a presented name (the 2009 "null prefix" trick) */
	TEST_CHECK(!tls_x509_match((const uint8_t *)nul, sizeof(nul) - 1,
		       "mx.example.org"),
	    "a name with a NUL matched");
}

static void
test_hostname(void)
{
	TEST_CHECK(tls_x509_is_hostname("mail.example.org"), "plain name");
	TEST_CHECK(tls_x509_is_hostname("localhost"), "one label");
	TEST_CHECK(!tls_x509_is_hostname(""), "empty");
	TEST_CHECK(!tls_x509_is_hostname("mail.example.org."), "final dot");
	TEST_CHECK(!tls_x509_is_hostname("a b.org"), "space");
	TEST_CHECK(!tls_x509_is_hostname("*.example.org"), "wildcard");
}

static void
test_der_lengths(void)
{
	static uint8_t big[70000], out[70010];
	struct tls_der w;
	size_t len, sizes[] = { 0, 127, 128, 255, 256, 65535, 65536 };
	size_t heads[] = { 2, 2, 3, 3, 4, 4, 5 }, i;

	for (i = 0; i < SK_NELEM(sizes); i++) {
		tls_der_init(&w, out, sizeof(out));
		tls_der_begin(&w, 0x30);
		tls_der_raw(&w, big, sizes[i]);
		tls_der_end(&w);
		TEST_CHECK(tls_der_done(&w, &len) == 0 &&
			len == sizes[i] + heads[i],
		    "content %zu: total %zu, want %zu", sizes[i], len,
		    sizes[i] + heads[i]);
	}
	tls_der_init(&w, out, sizeof(out));
	tls_der_begin(&w, 0x30);
	tls_der_raw(&w, big, 300);
	tls_der_end(&w);
	TEST_CHECK(out[1] == 0x82 && out[2] == 0x01 && out[3] == 0x2c,
	    "300 is 82 01 2c, got %02x %02x %02x", out[1], out[2], out[3]);
	/* overflow, unbalanced */
	tls_der_init(&w, out, 4);
	tls_der_put(&w, 0x04, big, 10);
	TEST_CHECK(tls_der_done(&w, &len) != 0, "overflow not reported");
	tls_der_init(&w, out, sizeof(out));
	tls_der_begin(&w, 0x30);
	TEST_CHECK(tls_der_done(&w, &len) != 0, "open element not reported");
	tls_der_end(&w);
	tls_der_end(&w);
	TEST_CHECK(tls_der_done(&w, &len) != 0, "extra end not reported");
}

static void
test_der_integers(void)
{
	static const struct {
		uint8_t in[3];
		size_t n;
		uint8_t want[5];
		size_t wlen;
	} cases[] = {
		{ { 0x00 }, 1, { 0x02, 0x01, 0x00 }, 3 },
		{ { 0x7f }, 1, { 0x02, 0x01, 0x7f }, 3 },
		{ { 0x80 }, 1, { 0x02, 0x02, 0x00, 0x80 }, 4 }, /* stays >0 */
		{ { 0x00, 0x00, 0x05 }, 3, { 0x02, 0x01, 0x05 }, 3 },
		{ { 0x00, 0xff, 0x01 }, 3, { 0x02, 0x03, 0x00, 0xff, 0x01 },
		    5 },
	};
	uint8_t out[16];
	struct tls_der w;
	size_t i, len;

	for (i = 0; i < SK_NELEM(cases); i++) {
		tls_der_init(&w, out, sizeof(out));
		tls_der_uint(&w, cases[i].in, cases[i].n);
		TEST_CHECK(tls_der_done(&w, &len) == 0 &&
			len == cases[i].wlen &&
			memcmp(out, cases[i].want, len) == 0,
		    "integer case %zu", i);
	}
}

/* pem_to_der - the certificate of one PEM text */
static size_t
pem_to_der(const char *pem, struct tls_chain *c)
{
	char err[TLS_PEM_ERR_MAX];

	if (tls_pem_chain(c, (const uint8_t *)pem, strlen(pem), "cert", err,
		sizeof(err)) != SK_OK) {
		test_fail("%s", err);
		return 0;
	}
	return c->certs[0].data_len;
}

static void
test_parse_ours(void)
{
	static char cert[TLS_SELFSIGNED_PEM_MAX], key[TLS_SELFSIGNED_PEM_MAX];
	static struct tls_chain c;
	struct tls_x509_info info;
	struct tls_x509_iter it;
	char err[256];
	const uint8_t *name;
	size_t len;
	/* 2030-01-02 03:04:05 UTC, and 2060 (GeneralizedTime) */
	int64_t times[] = { 1893553445, 2840000000 };
	size_t i;

	for (i = 0; i < SK_NELEM(times); i++) {
		if (tls_selfsigned_make(CONFIG_KEY_ECDSA_P256, "mx.example.org",
			10, times[i], cert, key, err, sizeof(err)) != SK_OK) {
			test_fail("make: %s", err);
			return;
		}
		if ((len = pem_to_der(cert, &c)) == 0) {
			return;
		}
		TEST_CHECK(tls_x509_parse(c.certs[0].data, len, &info) == SK_OK,
		    "our certificate does not parse");
		TEST_CHECK(info.not_before == times[i] &&
			info.not_after == times[i] + 10 * 86400,
		    "validity %lld..%lld, want %lld + 10 days",
		    (long long)info.not_before, (long long)info.not_after,
		    (long long)times[i]);
		TEST_CHECK(info.cn != NULL && info.cn_len == 14 &&
			memcmp(info.cn, "mx.example.org", 14) == 0,
		    "common name");
		TEST_CHECK(info.ndns == 1, "%zu DNS names", info.ndns);
		tls_x509_dns_first(&info, &it);
		TEST_CHECK(tls_x509_dns_next(&it, &name, &len) && len == 14 &&
			memcmp(name, "mx.example.org", 14) == 0,
		    "first DNS name");
		TEST_CHECK(!tls_x509_dns_next(&it, &name, &len), "a second");
		TEST_CHECK(tls_x509_host_ok(&info, "MX.example.org"), "host");
		TEST_CHECK(!tls_x509_host_ok(&info, "example.org"), "parent");
	}
}

static void
test_parse_refusals(void)
{
	static char cert[TLS_SELFSIGNED_PEM_MAX], key[TLS_SELFSIGNED_PEM_MAX];
	static struct tls_chain c;
	static uint8_t der[TLS_CERT_DER_MAX + 1];
	struct tls_x509_info info;
	char err[256];
	size_t len, cut;

	if (tls_selfsigned_make(CONFIG_KEY_ECDSA_P256, "a.example", 40,
		1893553445, cert, key, err, sizeof(err)) != SK_OK ||
	    (len = pem_to_der(cert, &c)) == 0) {
		return;
	}
	memcpy(der, c.certs[0].data, len);
	for (cut = 0; cut < len; cut++) {
		if (tls_x509_parse(der, cut, &info) != SK_E_SYNTAX) {
			test_fail("a certificate cut at %zu of %zu parsed", cut,
			    len);
			break;
		}
	}
	der[len] = 0;
	TEST_CHECK(tls_x509_parse(der, len + 1, &info) == SK_E_SYNTAX,
	    "trailing octet accepted");
	der[1] = 0x80; /* indefinite length is BER, not DER */
	TEST_CHECK(tls_x509_parse(der, len, &info) == SK_E_SYNTAX,
	    "indefinite length accepted");
}

const struct test_case test_cases[] = {
	{ "tls_x509_match", test_match },
	{ "tls_x509_hostname", test_hostname },
	{ "tls_der_lengths", test_der_lengths },
	{ "tls_der_integers", test_der_integers },
	{ "tls_x509_parse_ours", test_parse_ours },
	{ "tls_x509_parse_refusals", test_parse_refusals },
};
const size_t test_ncases = SK_NELEM(test_cases);
