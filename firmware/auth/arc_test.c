/*
 * arc_test.c - ARC unit tests: seal then verify round trips with RSA and
 * Ed25519 keys over chains of 1, 2 and 3 sets (each sealer a different
 * domain, keys served by a zone), and every mutation the brief names
 * failing the chain: a changed body, a changed signed header, a missing
 * instance, a duplicated instance, cv=fail in the middle, a wrong i=;
 * also the structure rules, oldest-pass, trusted sealers, sealing over a
 * failed chain, and the tag rules of ARC-Seal and AMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/dns_zone.h"
#include "arc.h"
#include "test.h"

/* an RSA 1024 key made with `openssl genrsa 1024` for this test */
static const char t_rsa_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBANOWSPPwBznk/kuO\n"
    "6sZp6+vlBuBQjsxKUnHd25RP6OvzE4o576JLODTyI6gx/bnFoVKfbykJA3SNjC3S\n"
    "FDE+rdLDeYIS72giXeISunhoMvGZ7iagrsYWoXPpYtCnxwHw1vffLIRWmdULJh88\n"
    "e5XQwPJwiRExcSDmppft8/Oiqbk3AgMBAAECgYBvl/LQHYdiJIFuTmlKznCskLWI\n"
    "t1QpMQW8ont+BItfbmue2qGlojB51D+0JPGh+jb0gbw6E1PsM/975zHZKyq3aWLf\n"
    "dJyz2wuSuJ8KJDZh+tuhjeAl6NOGh8MJdvq2ecTE3kkLjVhvT43gEvg0aIOeenF2\n"
    "zJrasFMsAplfATfMYQJBAPmIi+TxTeSoMiTzuDGcXrsZP6pJo+Gvms3pKM7ru0+l\n"
    "ea+ZmFDj+MwYcwmoI2UCroBmSii0VRVuFL4Tt1x4bYcCQQDZEf6839vleZB3Gz57\n"
    "Y5/FPuJBdeGFIyY/5TdYQGnX3Xab1yKxZ3eBYhfDDCeLfnW5E9v8c/PiXCvly4Ap\n"
    "6MLRAkEAnAotIO9cfD5JjR3y8uMLwggZ7cy69Ggxb837vNlgen/JxmtP+lV0wXwQ\n"
    "g9tmtsWkhZpxiV6rTglWYz5FDUgphQJBAIoWi4HlusKZedB7UV03PB1DarWP4v5K\n"
    "JPwCuhl3KJ39MYXj7xsCIiD5oPogkkuIECXDv28y6FP4pKhTs911R/ECQERK8AJz\n"
    "Hb5kGHsE4PIStuiI0+MmM4BWKpSe4LoWNdzSUYMK5bdWORf32v/31bTc6gwwghbu\n"
    "uizbhUdPyKxd5tQ=\n"
    "-----END PRIVATE KEY-----\n";

#define T_MSG_MAX 65536

static struct arc_verify t_v;
static struct arc_seal t_s;
static struct dkim_signkey t_rsa, t_ed;
static struct dns_zone t_zone;
static struct dns_zone_rr t_rr[16];
static uint8_t t_data[16384];
static struct dns_resolver t_dns;

static const char t_base[] = "From: Alice <alice@example.org>\r\n"
			     "To: list@lists.example.net\r\n"
			     "Subject: hello\r\n"
			     "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
			     "Message-ID: <1@example.org>\r\n"
			     "\r\n"
			     "Hello  there\r\n"
			     "second line \r\n\r\n";

/* t_keys - both keys and a zone with their records under s1, s2, s3 of
 * sealer1..3.example (s1 and s3 RSA, s2 Ed25519) */
static int
t_keys(void)
{
	static char zone[8192];
	char rsa[1024], ed[256];
	uint8_t seed[32];
	size_t o, n, k;
	int i;

	if (dkim_signkey_pem(&t_rsa, (const uint8_t *)t_rsa_pem,
		sizeof(t_rsa_pem) - 1) != SK_OK) {
		test_fail("RSA key does not load");
		return -1;
	}
	memset(seed, 0x5a, sizeof(seed));
	if (dkim_signkey_ed25519(&t_ed, seed) != SK_OK ||
	    dkim_signkey_txt(&t_rsa, rsa, sizeof(rsa)) == 0 ||
	    dkim_signkey_txt(&t_ed, ed, sizeof(ed)) == 0) {
		test_fail("keys");
		return -1;
	}
	o = (size_t)snprintf(zone, sizeof(zone), "$TTL 300\n");
	for (i = 1; i <= 3; i++) {
		const char *txt = i == 2 ? ed : rsa;

		o += (size_t)snprintf(zone + o, sizeof(zone) - o,
		    "s%d._domainkey.sealer%d.example. IN TXT", i, i);
		n = strlen(txt);
		for (k = 0; k < n; k += 255) {
			o += (size_t)snprintf(zone + o, sizeof(zone) - o,
			    " \"%.255s\"", txt + k);
		}
		o += (size_t)snprintf(zone + o, sizeof(zone) - o, "\n");
	}
	o += (size_t)snprintf(zone + o, sizeof(zone) - o,
	    "s9._domainkey.sealer9.example. IN TXT \"SEKIMORI-TEMPFAIL\"\n");
	dns_zone_init(&t_zone, t_rr, SK_NELEM(t_rr), t_data, sizeof(t_data));
	if (dns_zone_parse(&t_zone, (const uint8_t *)zone, o) != SK_OK) {
		test_fail("zone: %s", t_zone.err);
		return -1;
	}
	dns_zone_resolver(&t_zone, &t_dns);
	return 0;
}

/* t_split - header section length and body offset of a CRLF message */
static size_t
t_split(const char *msg, size_t len, size_t *body)
{
	const char *sep = strstr(msg, "\r\n\r\n");
	size_t hlen = sep != NULL ? (size_t)(sep - msg) + 2 : len;

	*body = sep != NULL ? hlen + 2 : len;
	return hlen;
}

/* t_verify - verify msg into t_v; the result */
static enum arc_result
t_verify(const char *msg, size_t len)
{
	size_t body, hlen = t_split(msg, len, &body);

	arc_verify_init(&t_v, 1700000000);
	(void)arc_verify_headers(&t_v, (const uint8_t *)msg, hlen);
	(void)arc_verify_keys(&t_v, &t_dns);
	arc_verify_update(&t_v, (const uint8_t *)msg + body, len - body);
	arc_verify_final(&t_v);
	return t_v.result;
}

/* t_seal_as - prepend the next set by sealer n, with t_v as it is */
static int
t_seal_as(char *msg, size_t *len, int n)
{
	static char out[ARC_SEAL_MAX], tmp[T_MSG_MAX];
	struct authres_builder b;
	char ar[1024], d[64], sel[16];
	size_t body, hlen, alen, olen;
	enum sk_result r;

	snprintf(d, sizeof(d), "sealer%d.example", n);
	snprintf(sel, sizeof(sel), "s%d", n);
	authres_begin(&b, ar, sizeof(ar), "Authentication-Results", 0, d);
	authres_spf(&b, "pass", "alice@example.org", NULL);
	authres_arc(&b, arc_result_str(t_v.result), "192.0.2.1",
	    t_v.oldest_pass_known, t_v.oldest_pass);
	if (authres_end(&b, &alen) != SK_OK) {
		test_fail("A-R");
		return -1;
	}
	hlen = t_split(msg, *len, &body);
	arc_seal_init(&t_s, n == 2 ? &t_ed : &t_rsa, d, sel, 1700000000);
	arc_seal_update(&t_s, (const uint8_t *)msg + body, *len - body);
	r = arc_seal_final(&t_s, &t_v, (const uint8_t *)msg, hlen, ar, alen,
	    out, sizeof(out), &olen);
	if (r != SK_OK) {
		test_fail("seal %d: %s", n, sk_result_str(r));
		return -1;
	}
	if (olen + *len + 1 > T_MSG_MAX) {
		test_fail("message too long");
		return -1;
	}
	memcpy(tmp, out, olen);
	memcpy(tmp + olen, msg, *len);
	*len += olen;
	memcpy(msg, tmp, *len);
	msg[*len] = '\0';
	return 0;
}

/* t_seal - verify msg, then prepend the next set by sealer n */
static int
t_seal(char *msg, size_t *len, int n)
{
	(void)t_verify(msg, *len);
	return t_seal_as(msg, len, n);
}

/* t_chain - the keys loaded (t_keys), and the base message sealed by
 * sealers 1..n */
static int
t_chain(char *msg, size_t *len, int n)
{
	int i;

	if (t_keys() != 0) {
		return -1;
	}
	*len = strlen(t_base);
	memcpy(msg, t_base, *len + 1);
	for (i = 1; i <= n; i++) {
		if (t_seal(msg, len, i) != 0) {
			return -1;
		}
	}
	return 0;
}

static void
test_roundtrip(void)
{
	static char msg[T_MSG_MAX];
	size_t len;
	enum arc_result r;
	int n;

	if (t_keys() != 0) {
		return;
	}
	r = t_verify(t_base, strlen(t_base));
	TEST_CHECK(r == ARC_NONE, "no chain: got %s", arc_result_str(r));
	for (n = 1; n <= 3; n++) {
		if (t_chain(msg, &len, n) != 0) {
			return;
		}
		r = t_verify(msg, len);
		TEST_CHECK(r == ARC_PASS && t_v.nsets == (unsigned)n &&
			t_v.oldest_pass == 0,
		    "%d sets: got %s (%s), %u sets, oldest-pass %u\n%.3000s", n,
		    arc_result_str(r), t_v.reason, t_v.nsets, t_v.oldest_pass,
		    msg);
		TEST_CHECK(t_v.set[n - 1].aar_ok &&
			strcmp(t_v.set[n - 1].aar_id, t_s.sign.d) == 0,
		    "%d sets: AAR id %s", n, t_v.set[n - 1].aar_id);
	}
	/* the instance 2 seal is Ed25519, 1 and 3 RSA */
	TEST_CHECK(t_v.set[1].as.sig.alg == DKIM_ALG_ED25519_SHA256 &&
		t_v.set[0].as.sig.alg == DKIM_ALG_RSA_SHA256,
	    "algorithms");
	TEST_CHECK(strstr(msg, "cv=none") != NULL &&
		strstr(msg, "cv=pass") != NULL,
	    "cv= values");
}

/* t_mutate - a 3-set chain, old replaced by new (first match), must fail */
static void
t_mutate(const char *what, const char *old, const char *new, int from_body)
{
	static char msg[T_MSG_MAX], tmp[T_MSG_MAX];
	char *p, *start;
	size_t len;
	enum arc_result r;

	if (t_chain(msg, &len, 3) != 0) {
		return;
	}
	start = from_body ? strstr(msg, "\r\n\r\n") : msg;
	if ((p = strstr(start, old)) == NULL) {
		test_fail("%s: no '%s' in the message", what, old);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(p - msg), msg, new,
	    p + strlen(old));
	r = t_verify(tmp, strlen(tmp));
	TEST_CHECK(r == ARC_FAIL, "%s: got %s (%s)", what, arc_result_str(r),
	    t_v.reason);
}

static void
test_mutations(void)
{
	if (t_keys() != 0) {
		return;
	}
	t_mutate("body", "there", "thorn", 1);
	t_mutate("signed header", "Subject: hello", "Subject: hellO", 0);
	/* instance 2 gone: its three fields renamed */
	t_mutate("missing instance", "ARC-Seal: i=2", "X-Seal: i=2", 0);
	t_mutate("wrong i=", "ARC-Seal: i=2", "ARC-Seal: i=4", 0);
	t_mutate("cv=fail in the middle", "cv=pass", "cv=fail", 0);
	t_mutate("cv=none at i=2", "cv=pass", "cv=none", 0);
	t_mutate("cv=pass at i=1", "cv=none", "cv=pass", 0);
	t_mutate("AAR changed", "spf=pass", "spf=fail", 0);
	t_mutate("AAR i= changed", "ARC-Authentication-Results: i=1",
	    "ARC-Authentication-Results: i=3", 0);
	t_mutate("AS signed h=", "ARC-Seal: i=1;", "ARC-Seal: i=1; h=from;", 0);
	t_mutate("AS i=51", "ARC-Seal: i=1;", "ARC-Seal: i=51;", 0);
	t_mutate("no key", "d=sealer1.example", "d=sealer7.example", 0);
}

/* a duplicate: instance 1's fields once more at the top */
static void
test_duplicate(void)
{
	static char msg[T_MSG_MAX], tmp[T_MSG_MAX];
	const char *a, *b;
	size_t len;
	enum arc_result r;

	if (t_chain(msg, &len, 2) != 0) {
		return;
	}
	/* the set of instance 1 is the first three fields of the chain
	 * message of one set: find it as the text from "ARC-Seal: i=1" to
	 * the base headers */
	a = strstr(msg, "ARC-Seal: i=1");
	b = strstr(msg, "From: Alice");
	if (a == NULL || b == NULL || b < a) {
		test_fail("layout");
		return;
	}
	if ((size_t)(b - a) + len + 1 > sizeof(tmp)) {
		test_fail("too long");
		return;
	}
	memcpy(tmp, a, (size_t)(b - a));
	memcpy(tmp + (b - a), msg, len + 1);
	r = t_verify(tmp, strlen(tmp));
	TEST_CHECK(r == ARC_FAIL, "duplicate instance: got %s",
	    arc_result_str(r));
	r = t_verify(msg, len);
	TEST_CHECK(r == ARC_PASS, "the unchanged 2-set chain: %s (%s)",
	    arc_result_str(r), t_v.reason);
}

/* oldest-pass: a body change after sealer 1 with a new AMS by sealer 2 */
static void
test_oldest_pass(void)
{
	static char msg[T_MSG_MAX];
	char *p;
	size_t len;
	enum arc_result r;

	if (t_chain(msg, &len, 1) != 0) {
		return;
	}
	/* the forwarder verifies on arrival, changes the body, then seals */
	(void)t_verify(msg, len);
	p = strstr(strstr(msg, "\r\n\r\n"), "there");
	memcpy(p, "thorn", 5);
	if (t_seal_as(msg, &len, 2) != 0) {
		return;
	}
	r = t_verify(msg, len);
	TEST_CHECK(r == ARC_PASS && t_v.oldest_pass == 2,
	    "got %s, oldest-pass %u (%s)", arc_result_str(r), t_v.oldest_pass,
	    t_v.reason);
	TEST_CHECK(t_v.set[0].ams.result == DKIM_FAIL, "AMS 1: %s",
	    dkim_result_str(t_v.set[0].ams.result));
}

static void
test_trusted(void)
{
	static char msg[T_MSG_MAX];
	static const char *const list[] = { "other.example",
		"SEALER2.example" };
	size_t len;

	if (t_chain(msg, &len, 2) != 0) {
		return;
	}
	(void)t_verify(msg, len);
	TEST_CHECK(arc_trusted_pass(&t_v, list, 2), "sealer2 is trusted");
	TEST_CHECK(!arc_trusted_pass(&t_v, list, 1), "only other.example");
	memcpy(strstr(msg, "\r\n\r\nHello") + 4, "J", 1);
	(void)t_verify(msg, len);
	TEST_CHECK(!arc_trusted_pass(&t_v, list, 2), "a failed chain");
}

/* sealing over a failed chain: cv=fail, covering only the new set */
static void
test_seal_fail(void)
{
	static char msg[T_MSG_MAX];
	size_t len;
	enum arc_result r;

	if (t_chain(msg, &len, 1) != 0) {
		return;
	}
	memcpy(strstr(msg, "\r\n\r\nHello") + 4, "J", 1);
	if (t_seal(msg, &len, 2) != 0) {
		return;
	}
	TEST_CHECK(strstr(msg, "cv=fail") != NULL, "no cv=fail:\n%s", msg);
	r = t_verify(msg, len);
	TEST_CHECK(r == ARC_FAIL, "got %s", arc_result_str(r));
	TEST_CHECK(t_v.set[1].as.result == DKIM_NEUTRAL,
	    "the chain is not evaluated further: %s",
	    dkim_result_str(t_v.set[1].as.result));
}

static void
test_temperror(void)
{
	static char msg[T_MSG_MAX];
	char *p;
	size_t len;
	enum arc_result r;

	if (t_chain(msg, &len, 1) != 0) {
		return;
	}
	while ((p = strstr(msg, "d=sealer1.example; s=s1")) != NULL) {
		memcpy(p, "d=sealer9.example; s=s9", 23);
	}
	r = t_verify(msg, len);
	TEST_CHECK(r == ARC_FAIL && t_v.temperror, "got %s, temperror %d",
	    arc_result_str(r), t_v.temperror);
}

static void
test_tags(void)
{
	static const struct {
		const char *in;
		enum dkim_sig_kind kind;
		enum sk_result want;
	} rows[] = {
		{ "i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=YWJj",
		    DKIM_SIG_AS, SK_OK },
		{ "i=1; a=rsa-sha256; cv=NONE; d=example.org; s=s; t=12; "
		  "b=YWJj",
		    DKIM_SIG_AS, SK_OK },
		{ "i=1; a=rsa-sha256; cv=maybe; d=example.org; s=s; b=YWJj",
		    DKIM_SIG_AS, SK_E_UNKNOWN },
		{ "i=1; a=rsa-sha256; d=example.org; s=s; b=YWJj", DKIM_SIG_AS,
		    SK_E_SYNTAX }, /* no cv= */
		{ "i=1; a=rsa-sha256; cv=none; d=example.org; s=s; h=from; "
		  "b=YWJj",
		    DKIM_SIG_AS, SK_E_SYNTAX }, /* h= in a seal */
		{ "i=0; a=rsa-sha256; cv=none; d=example.org; s=s; b=YWJj",
		    DKIM_SIG_AS, SK_E_RANGE },
		{ "i=51; a=rsa-sha256; cv=none; d=example.org; s=s; b=YWJj",
		    DKIM_SIG_AS, SK_E_RANGE },
		{ "i=1; i=2; a=rsa-sha256; cv=none; d=example.org; s=s; "
		  "b=YWJj",
		    DKIM_SIG_AS, SK_E_SYNTAX },
		{ "i=2; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s; "
		  "h=from:to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
		  "b=YWJj",
		    DKIM_SIG_AMS, SK_OK },
		{ "v=9; i=2; a=rsa-sha256; d=example.org; s=s; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    DKIM_SIG_AMS, SK_OK }, /* v= is ignored */
		{ "a=rsa-sha256; d=example.org; s=s; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    DKIM_SIG_AMS, SK_E_SYNTAX }, /* no i= */
		{ "i=a@example.org; a=rsa-sha256; d=example.org; s=s; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    DKIM_SIG_AMS, SK_E_RANGE },
	};
	static struct dkim_sig sig;
	size_t i;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(rows); i++) {
		r = dkim_sig_parse_kind(&sig, (const uint8_t *)rows[i].in,
		    strlen(rows[i].in), rows[i].kind);
		TEST_CHECK(r == rows[i].want, "row %zu: got %s, want %s", i,
		    sk_result_str(r), sk_result_str(rows[i].want));
	}
}

const struct test_case test_cases[] = {
	{ "arc_roundtrip", test_roundtrip },
	{ "arc_mutations", test_mutations },
	{ "arc_duplicate", test_duplicate },
	{ "arc_oldest_pass", test_oldest_pass },
	{ "arc_trusted", test_trusted },
	{ "arc_seal_fail", test_seal_fail },
	{ "arc_temperror", test_temperror },
	{ "arc_tags", test_tags },
};
const size_t test_ncases = SK_NELEM(test_cases);
