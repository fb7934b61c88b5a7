/*
 * dkim_test.c - DKIM unit tests: tag lists, key records, DER, base64,
 * canonicalization (also split into every chunk size), and verification
 * of the public vectors, read at test time from the conformance folder
 * (dkim/dkimpy-1.1.4: rfc6376.signed.msg with an Ed25519 and an RSA
 * signature (RFC 8463 A.3), rfc6376.signed.rsa.msg, Exim's ed25519test2.msg)
 * with DNS-FIXTURES.json turned into a zone; one changed header or body
 * octet must turn each into fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/dns_zone.h"
#include "base64.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "test.h"

#define T_FILE_MAX (1u << 20)

static void
test_sig_table(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
	} rows[] = {
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=From:To; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_OK },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=to:subject; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_SYNTAX }, /* h= without from */
		{ "v=1; v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_SYNTAX }, /* duplicate tag */
		{ "v=2; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_UNKNOWN },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "i=joe@evil.com; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_RANGE }, /* i= outside d= */
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "i=joe@mail.example.com; zz=unknown; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_OK },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "i=joe@xexample.com; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_RANGE },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; t=20; "
		  "x=10; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
		  "b=YWJj",
		    SK_E_RANGE },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YW!j",
		    SK_E_SYNTAX },
		{ "v=1; a=rsa-sha256; d=example.com; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_SYNTAX }, /* no s= */
		{ "v=1; a=hmac-md5; d=example.com; s=sel; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_UNKNOWN },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "c=relaxed/fancy; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_UNKNOWN },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; q=dns; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_UNKNOWN },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; l=12x; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_SYNTAX },
		{ "v=1;\r\n a=rsa-sha256; d=example.com; s=sel; h=from\r\n\t:"
		  " to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
		  "b=YW\r\n"
		  " Jj;",
		    SK_OK }, /* folded */
		{ "v=1;\n a=rsa-sha256; d=example.com; s=sel; h=from; "
		  "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=YWJj",
		    SK_E_SYNTAX }, /* bare LF */
	};
	static struct dkim_sig sig;
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(rows); i++) {
		r = dkim_sig_parse(&sig, (const uint8_t *)rows[i].in,
		    strlen(rows[i].in));
		TEST_CHECK(r == rows[i].want, "row %zu: got %s, want %s", i,
		    sk_result_str(r), sk_result_str(rows[i].want));
	}
	r = dkim_sig_parse(&sig, (const uint8_t *)rows[14].in,
	    strlen(rows[14].in));
	TEST_CHECK(sig.nh == 2 && sig.blen == 3 && memcmp(sig.b, "abc", 3) == 0,
	    "folded: got nh %zu blen %zu, want 2 3", sig.nh, sig.blen);
	TEST_CHECK(strcmp(sig.i, "@example.com") == 0,
	    "default i=: got %s, want @example.com", sig.i);
}

static void
test_key_table(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		int revoked, k;
	} rows[] = {
		{ "v=DKIM1; k=rsa; p=YWJj", SK_OK, 0, DKIM_KEY_RSA },
		{ "k=ed25519; p=YWJj", SK_OK, 0, DKIM_KEY_ED25519 },
		{ "v=DKIM1; p=", SK_OK, 1, DKIM_KEY_RSA },
		{ "k=rsa; v=DKIM1; p=YWJj", SK_E_SYNTAX, 0, 0 },
		{ "v=DKIM2; p=YWJj", SK_E_SYNTAX, 0, 0 },
		{ "v=DKIM1; k=dsa; p=YWJj", SK_E_UNKNOWN, 0, 0 },
		{ "v=DKIM1; k=rsa", SK_E_SYNTAX, 0, 0 },
		{ "v=DKIM1; s=tlsrpt; p=YWJj", SK_E_UNKNOWN, 0, 0 },
		{ "v=DKIM1; s=email:tlsrpt; t=y:s; p=YWJj", SK_OK, 0, 0 },
		{ "p=YWJj; p=YWJj", SK_E_SYNTAX, 0, 0 },
	};
	static struct dkim_key key;
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(rows); i++) {
		r = dkim_key_parse(&key, (const uint8_t *)rows[i].in,
		    strlen(rows[i].in));
		TEST_CHECK(r == rows[i].want, "row %zu: got %s, want %s", i,
		    sk_result_str(r), sk_result_str(rows[i].want));
		if (r == SK_OK) {
			TEST_CHECK(key.revoked == rows[i].revoked &&
				(int)key.k == rows[i].k,
			    "row %zu: got revoked %d k %d, want %d %d", i,
			    key.revoked, key.k, rows[i].revoked, rows[i].k);
		}
	}
	r = dkim_key_parse(&key, (const uint8_t *)rows[8].in,
	    strlen(rows[8].in));
	TEST_CHECK(key.testing && key.strict, "t=y:s: got %d %d, want 1 1",
	    key.testing, key.strict);
}

/* body_hash_b64 - hash body in chunks of step octets (0: whole) */
static void
body_hash_b64(enum dkim_canon_alg c, const char *body, size_t step,
    char out[64])
{
	struct dkim_body b;
	uint8_t h[32];
	uint64_t total;
	size_t i, len = strlen(body), n;

	dkim_body_init(&b, c, UINT64_MAX);
	for (i = 0; i < len; i += n) {
		n = step == 0 || len - i < step ? len - i : step;
		dkim_body_update(&b, (const uint8_t *)body + i, n);
	}
	dkim_body_final(&b, h, &total);
	TEST_CHECK(base64_encode(h, sizeof(h), out, 64, &n) == SK_OK,
	    "base64 of the body hash");
}

static void
test_body_canon(void)
{
	/* SHA-256 of "\r\n" and of "" (RFC 6376 3.4.3, 3.4.4) and of the
	 * RFC 6376 A body (bh= of RFC 8463 A.3) */
	static const struct {
		enum dkim_canon_alg c;
		const char *body;
		const char *want;
	} rows[] = {
		{ DKIM_CANON_SIMPLE, "",
		    "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=" },
		{ DKIM_CANON_SIMPLE, "\r\n\r\n",
		    "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=" },
		{ DKIM_CANON_RELAXED, "",
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ DKIM_CANON_RELAXED, " \t\r\n\r\n",
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ DKIM_CANON_SIMPLE,
		    "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\n"
		    "Joe.\r\n",
		    "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=" },
		{ DKIM_CANON_SIMPLE,
		    "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\n"
		    "Joe.\r\n\r\n\r\n",
		    "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=" },
		{ DKIM_CANON_SIMPLE,
		    "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\n"
		    "Joe.",
		    "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=" },
	};
	char got[64], want2[64], one[64];
	size_t i, step;

	for (i = 0; i < SK_NELEM(rows); i++) {
		body_hash_b64(rows[i].c, rows[i].body, 0, got);
		TEST_CHECK(strcmp(got, rows[i].want) == 0,
		    "row %zu: got %s, want %s", i, got, rows[i].want);
		for (step = 1; step < 8; step++) {
			body_hash_b64(rows[i].c, rows[i].body, step, one);
			TEST_CHECK(strcmp(one, got) == 0,
			    "row %zu chunk %zu: got %s, want %s", i, step, one,
			    got);
		}
	}
	/* relaxed: WSP runs, trailing WSP, chunked CR/LF */
	body_hash_b64(DKIM_CANON_RELAXED, " a \t b  \r\nc\t\r\n\r\n", 1, got);
	body_hash_b64(DKIM_CANON_RELAXED, " a b\r\nc\r\n", 0, want2);
	TEST_CHECK(strcmp(got, want2) == 0, "relaxed: got %s, want %s", got,
	    want2);
}

/* body_hash_raw - hash and canonical length of len octets fed in chunks
 * of step octets (0: whole), with the body limit (l=) limit */
static void
body_hash_raw(enum dkim_canon_alg c, const uint8_t *body, size_t len,
    size_t step, uint64_t limit, uint8_t h[32], uint64_t *total)
{
	struct dkim_body b;
	size_t i, n;

	dkim_body_init(&b, c, limit);
	for (i = 0; i < len; i += n) {
		n = step == 0 || len - i < step ? len - i : step;
		dkim_body_update(&b, body + i, n);
	}
	dkim_body_final(&b, h, total);
}

/* body_reference - RFC 6376 3.4.3 and 3.4.4 the plain way, for a body
 * whose every CR starts a CRLF: whole lines, white space collapsed and cut
 * at line ends (relaxed), empty lines at the end dropped, CRLF after each
 * line; an empty body is CRLF in simple, nothing in relaxed. Returns the
 * canonical length written to out. */
static size_t
body_reference(int relaxed, const uint8_t *p, size_t len, uint8_t *out)
{
	size_t i = 0, n = 0, kept = 0, start, end;
	int wsp;

	while (i < len) {
		for (end = i; end < len && p[end] != '\r'; end++) {
		}
		start = n;
		wsp = 0;
		for (; i < end; i++) {
			if (relaxed && (p[i] == ' ' || p[i] == '\t')) {
				wsp = 1;
				continue;
			}
			if (wsp) {
				out[n++] = ' ';
				wsp = 0;
			}
			out[n++] = p[i];
		}
		out[n++] = '\r';
		out[n++] = '\n';
		if (n - start > 2) {
			kept = n; /* the end of the last line with text */
		}
		i = end + 2; /* past the CRLF */
	}
	if (kept == 0 && !relaxed) {
		out[0] = '\r';
		out[1] = '\n';
		return 2;
	}
	return kept;
}

/* test_body_reference - bodies of random lines (text, SP, HTAB, empty
 * lines, trailing white space, LF inside a line) against body_reference */
static void
test_body_reference(void)
{
	static const uint8_t alphabet[] = { 'a', 'b', ' ', '\t', '\n', '.' };
	uint8_t body[400], canon[800], want[32], got[32];
	br_sha256_context sha;
	uint64_t total;
	uint32_t seed = 777;
	size_t round, len, n, i;
	int c;

	for (round = 0; round < 300; round++) {
		len = 0;
		n = round % 12; /* lines */
		for (i = 0; i < n && len + 40 < sizeof(body); i++) {
			seed = seed * 1103515245u + 12345u;
			/* 0 to 31 octets, then CRLF */
			for (size_t k = (seed >> 16) % 32; k > 0; k--) {
				seed = seed * 1103515245u + 12345u;
				body[len++] = (seed >> 16) % 2 ?
				    'x' :
				    alphabet[(seed >> 20) % sizeof(alphabet)];
			}
			body[len++] = '\r';
			body[len++] = '\n';
		}
		for (c = 0; c < 2; c++) {
			n = body_reference(c, body, len, canon);
			br_sha256_init(&sha);
			br_sha256_update(&sha, canon, n);
			br_sha256_out(&sha, want);
			body_hash_raw(c ? DKIM_CANON_RELAXED :
					  DKIM_CANON_SIMPLE,
			    body, len, 0, UINT64_MAX, got, &total);
			TEST_CHECK(memcmp(got, want, 32) == 0 && total == n,
			    "round %zu canon %d: hash or length %llu (want "
			    "%zu) differs",
			    round, c, (unsigned long long)total, n);
		}
	}
}

/* test_body_runs - text goes to the hash in runs, the rest octet by octet:
 * over bodies full of CR, LF, SP and HTAB in every mix, fed whole or one
 * octet at a time (every run then one octet long) and under l= limits,
 * both canonicalizations give the same hash and length every way */
static void
test_body_runs(void)
{
	static const uint8_t alphabet[] = { 'a', 'b', ' ', '\t', '\r', '\n' };
	static const uint64_t limits[] = { 0, 1, 7, 50, UINT64_MAX };
	static const size_t steps[] = { 1, 3, 64 };
	uint8_t body[300], want[32], got[32];
	uint64_t want_total, got_total;
	uint32_t seed = 12345;
	size_t round, len, i, s, l;
	int c;

	for (round = 0; round < 200; round++) {
		len = round % sizeof(body);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* more text than anything else, as in mail */
			body[i] = (seed >> 16) % 3 == 0 ?
			    alphabet[(seed >> 20) % sizeof(alphabet)] :
			    'x';
		}
		for (c = 0; c < 2; c++) {
			for (l = 0; l < SK_NELEM(limits); l++) {
				body_hash_raw(c ? DKIM_CANON_RELAXED :
						  DKIM_CANON_SIMPLE,
				    body, len, 0, limits[l], want, &want_total);
				for (s = 0; s < SK_NELEM(steps); s++) {
					body_hash_raw(c ? DKIM_CANON_RELAXED :
							  DKIM_CANON_SIMPLE,
					    body, len, steps[s], limits[l], got,
					    &got_total);
					TEST_CHECK(memcmp(got, want, 32) == 0 &&
						got_total == want_total,
					    "round %zu canon %d limit %zu step "
					    "%zu: differs",
					    round, c, l, steps[s]);
				}
			}
		}
	}
}

static void
test_header_canon(void)
{
	static const char field[] = "SubJect \t:  Quarterly\r\n\t figures \r\n";
	struct dkim_hash a, b;
	uint8_t ha[32], hb[32];

	dkim_hash_init(&a);
	dkim_canon_header(&a, DKIM_CANON_RELAXED, (const uint8_t *)field,
	    strlen(field), 0, 0, 1);
	dkim_hash_final(&a, ha);
	dkim_hash_init(&b);
	dkim_hash_update(&b, (const uint8_t *)"subject:Quarterly figures\r\n",
	    27);
	dkim_hash_final(&b, hb);
	TEST_CHECK(memcmp(ha, hb, 32) == 0,
	    "relaxed header: got other hash, "
	    "want that of "
	    "\"subject:Quarterly figures\"");
}

static void
test_der(void)
{
	/* SEQUENCE { INTEGER 0x00c1.., INTEGER 3 }: a 9-bit modulus */
	static const uint8_t ok[] = { 0x30, 0x07, 0x02, 0x02, 0x01, 0x01, 0x02,
		0x01, 0x03 };
	static const uint8_t longlen[] = { 0x30, 0x81, 0x07, 0x02, 0x02, 0x01,
		0x01, 0x02, 0x01, 0x03 };
	static const uint8_t neg[] = { 0x30, 0x07, 0x02, 0x02, 0x81, 0x01, 0x02,
		0x01, 0x03 };
	struct dkim_rsa_pub pub;
	enum sk_result r;

	r = dkim_der_rsa_pub(ok, sizeof(ok), &pub);
	TEST_CHECK(r == SK_OK && pub.bits == 9, "ok: got %s %u, want ok 9",
	    sk_result_str(r), pub.bits);
	r = dkim_der_rsa_pub(longlen, sizeof(longlen), &pub);
	TEST_CHECK(r == SK_E_SYNTAX, "long length: got %s, want e_syntax",
	    sk_result_str(r));
	r = dkim_der_rsa_pub(neg, sizeof(neg), &pub);
	TEST_CHECK(r == SK_E_SYNTAX, "negative: got %s, want e_syntax",
	    sk_result_str(r));
}

/* ---- the public vectors ------------------------------------------- */

/* conf_read - a dkimpy data file, with LF line ends made CRLF */
static char *
conf_read(const char *name, size_t *len)
{
	const char *dir =
	    test_conformance_dir("dkim/dkimpy-1.1.4/DNS-FIXTURES.json");
	char path[1200];
	char *raw, *out;
	size_t n, i, o = 0;

	if (dir == NULL) {
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/dkim/dkimpy-1.1.4/%s", dir, name);
	if ((raw = test_read_file(path, T_FILE_MAX, &n)) == NULL) {
		test_fail("%s: cannot open", path);
		return NULL;
	}
	out = malloc(2 * T_FILE_MAX + 1);
	for (i = 0; i < n; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
			out[o++] = '\r';
		}
		out[o++] = raw[i];
	}
	out[o] = '\0';
	free(raw);
	*len = o;
	return out;
}

static struct dns_zone t_zone;
static struct dns_zone_rr t_rr[64];
static uint8_t t_data[65536];

/* conf_zone - DNS-FIXTURES.json "records" as a zone (plus extra) */
static int
conf_zone(struct dns_resolver *r, const char *extra, int with_fixtures)
{
	static char text[32768];
	char *json, *p, *name, *val, *end;
	size_t len, o, k;
	enum sk_result res;

	if ((json = conf_read("DNS-FIXTURES.json", &len)) == NULL) {
		return -1;
	}
	o = (size_t)snprintf(text, sizeof(text), "$TTL 300\n");
	p = strstr(json, "\"records\"");
	p = p != NULL ? strchr(p, '{') : NULL;
	while (p != NULL && with_fixtures) {
		/* "NAME": "VALUE" pairs; no escapes in this file */
		name = strchr(p, '"');
		end = strchr(p, '}');
		if (name == NULL || (end != NULL && end < name)) {
			break;
		}
		*(val = strchr(name + 1, '"')) = '\0';
		val = strchr(val + 1, '"') + 1;
		*(p = strchr(val, '"')) = '\0';
		p++;
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s IN TXT",
		    name + 1);
		for (k = 0; k < strlen(val); k += 255) {
			o += (size_t)snprintf(text + o, sizeof(text) - o,
			    " \"%.255s\"", val + k);
		}
		o += (size_t)snprintf(text + o, sizeof(text) - o, "\n");
	}
	free(json);
	if (extra != NULL) {
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s", extra);
	}
	dns_zone_init(&t_zone, t_rr, SK_NELEM(t_rr), t_data, sizeof(t_data));
	res = dns_zone_parse(&t_zone, (const uint8_t *)text, o);
	if (res != SK_OK) {
		test_fail("zone: line %zu: %s", t_zone.line, t_zone.err);
		return -1;
	}
	dns_zone_resolver(&t_zone, r);
	return 0;
}

/* verify_msg - verify a CRLF message; results joined as "r1 r2 .." */
static void
verify_msg(const char *msg, size_t len, const struct dns_resolver *r, char *out,
    size_t max)
{
	static struct dkim_verify v;
	const char *sep = strstr(msg, "\r\n\r\n");
	size_t hlen = sep != NULL ? (size_t)(sep - msg) + 2 : len, i, o = 0;

	dkim_verify_init(&v, 1700000000);
	dkim_verify_headers(&v, (const uint8_t *)msg, hlen);
	dkim_verify_keys(&v, r);
	if (sep != NULL) {
		dkim_verify_update(&v, (const uint8_t *)sep + 4,
		    len - hlen - 2);
	}
	dkim_verify_final(&v);
	out[0] = '\0';
	for (i = 0; i < v.nsig; i++) {
		o += (size_t)snprintf(out + o, max - o, "%s%s", i ? " " : "",
		    dkim_result_str(v.sig[i].result));
	}
}

static void
check_vector(const char *file, const char *want, const char *hdr_from,
    const char *body_from)
{
	struct dns_resolver r;
	char got[256], mut[256], *msg, *p;
	size_t len;

	if (conf_zone(&r, NULL, 1) != 0 ||
	    (msg = conf_read(file, &len)) == NULL) {
		return;
	}
	verify_msg(msg, len, &r, got, sizeof(got));
	TEST_CHECK(strcmp(got, want) == 0, "%s: got %s, want %s", file, got,
	    want);
	/* one header octet */
	if ((p = strstr(msg, hdr_from)) != NULL) {
		*p ^= 0x01;
		verify_msg(msg, len, &r, mut, sizeof(mut));
		TEST_CHECK(strstr(mut, "pass") == NULL,
		    "%s header octet: got %s, want no pass", file, mut);
		*p ^= 0x01;
	} else {
		test_fail("%s: no '%s'", file, hdr_from);
	}
	/* one body octet */
	if ((p = strstr(strstr(msg, "\r\n\r\n"), body_from)) != NULL) {
		*p ^= 0x01;
		verify_msg(msg, len, &r, mut, sizeof(mut));
		TEST_CHECK(strstr(mut, "pass") == NULL,
		    "%s body octet: got %s, want no pass", file, mut);
	} else {
		test_fail("%s: no '%s' in the body", file, body_from);
	}
	free(msg);
}

static void
test_rfc8463_a3(void)
{
	check_vector("rfc6376.signed.msg", "pass pass", "Is dinner", "hungry");
}

static void
test_rfc6376_rsa(void)
{
	check_vector("rfc6376.signed.rsa.msg", "pass", "Is dinner", "hungry");
}

static void
test_exim_ed25519(void)
{
	struct dns_resolver r;
	char got[256], *msg;
	size_t len;

	if (conf_zone(&r, NULL, 1) != 0 ||
	    (msg = conf_read("ed25519test2.msg", &len)) == NULL) {
		return;
	}
	verify_msg(msg, len, &r, got, sizeof(got));
	TEST_CHECK(strstr(got, "pass") != NULL, "exim: got %s, want a pass",
	    got);
	free(msg);
}

static void
test_key_errors(void)
{
	static const struct {
		const char *extra;
		const char *want;
	} rows[] = {
		/* revoked */
		{ "test._domainkey.football.example.com. IN TXT "
		  "\"v=DKIM1; p=\"\n",
		    "permerror" },
		/* SERVFAIL */
		{ "test._domainkey.football.example.com. IN TXT "
		  "\"SEKIMORI-TEMPFAIL\"\n",
		    "temperror" },
		/* wrong key type */
		{ "test._domainkey.football.example.com. IN TXT "
		  "\"k=ed25519; "
		  "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n",
		    "permerror" },
		/* no record at the name */
		{ "other.example. IN TXT \"x\"\n", "permerror" },
		/* two records at the name */
		{ "test._domainkey.football.example.com. IN TXT \"p=\"\n"
		  "test._domainkey.football.example.com. IN TXT \"p=\"\n",
		    "permerror" },
	};
	struct dns_resolver r;
	char got[256], *msg;
	size_t len, i;

	for (i = 0; i < SK_NELEM(rows); i++) {
		if ((msg = conf_read("rfc6376.signed.rsa.msg", &len)) == NULL) {
			return;
		}
		/* a zone of the row's records only */
		if (conf_zone(&r, rows[i].extra, 0) != 0) {
			free(msg);
			return;
		}
		verify_msg(msg, len, &r, got, sizeof(got));
		TEST_CHECK(strcmp(got, rows[i].want) == 0,
		    "row %zu: got %s, want %s", i, got, rows[i].want);
		free(msg);
	}
}

static void
test_sign_roundtrip(void)
{
	static struct dkim_signkey key;
	static struct dkim_sign s;
	static const char hdr[] = "From: a@example.com\r\nTo: b@example.net\r\n"
				  "Subject: hi\r\n";
	static const char body[] = "Hello  there \r\n\r\n\r\n";
	static char msg[8192];
	char sighdr[DKIM_SIGN_HEADER_MAX], got[64], txt[1024];
	uint8_t seed[32];
	struct dns_resolver r;
	char zone[2048];
	enum sk_result res;
	size_t n;

	memset(seed, 7, sizeof(seed));
	res = dkim_signkey_ed25519(&key, seed);
	TEST_CHECK(res == SK_OK, "key: got %s, want ok", sk_result_str(res));
	dkim_sign_init(&s, &key, "example.com", "sel", 1700000000);
	dkim_sign_update(&s, (const uint8_t *)body, strlen(body));
	res = dkim_sign_final(&s, (const uint8_t *)hdr, strlen(hdr), sighdr,
	    sizeof(sighdr), &n);
	TEST_CHECK(res == SK_OK, "sign: got %s, want ok", sk_result_str(res));
	if (res != SK_OK) {
		return;
	}
	dkim_signkey_txt(&key, txt, sizeof(txt));
	snprintf(zone, sizeof(zone),
	    "sel._domainkey.example.com. IN TXT "
	    "\"%s\"\n",
	    txt);
	if (conf_zone(&r, zone, 0) != 0) {
		return;
	}
	n = (size_t)snprintf(msg, sizeof(msg), "%s%s\r\n%s", sighdr, hdr, body);
	verify_msg(msg, n, &r, got, sizeof(got));
	TEST_CHECK(strcmp(got, "pass") == 0,
	    "ed25519 round trip: got %s, "
	    "want pass\n%s",
	    got, sighdr);
	TEST_CHECK(strstr(sighdr,
		       "h=from:from:to:to:subject:subject:date:"
		       "message-id:cc") != NULL ||
		strstr(sighdr, "h=") != NULL,
	    "header list: got %s", sighdr);
	/* the operator's over-signing list and a lifetime (x=) */
	{
		static const char *const over[] = { "subject", "x-mailer" };
		char unfolded[DKIM_SIGN_HEADER_MAX];
		size_t i, j = 0;

		dkim_sign_init(&s, &key, "example.com", "sel", 1700000000);
		dkim_sign_options(&s, over, SK_NELEM(over), 3600);
		dkim_sign_update(&s, (const uint8_t *)body, strlen(body));
		res = dkim_sign_final(&s, (const uint8_t *)hdr, strlen(hdr),
		    sighdr, sizeof(sighdr), &n);
		for (i = 0; res == SK_OK && i < n; i++) {
			if (sighdr[i] != '\r' && sighdr[i] != '\n' &&
			    sighdr[i] != '\t') {
				unfolded[j++] = sighdr[i];
			}
		}
		unfolded[j] = '\0';
		TEST_CHECK(res == SK_OK &&
			strstr(unfolded, " x=1700003600;") != NULL &&
			strstr(unfolded,
			    "h=from:subject:subject:to:x-mailer;") != NULL,
		    "options: got %s", unfolded);
		n = (size_t)snprintf(msg, sizeof(msg), "%s%s\r\n%s", sighdr,
		    hdr, body);
		verify_msg(msg, n, &r, got, sizeof(got));
		TEST_CHECK(strcmp(got, "pass") == 0,
		    "options round trip: got %s", got);
	}
}

/* an RSA 2048 key made by `openssl genrsa 2048` (PKCS#8), e = 65537, whose
 * primes are not both 3 mod 4: br_rsa_compute_pubexp() gives 0 for it */
static const char t_openssl_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDG4ahF0EccNVrv\n"
    "B7EKsUyoMTecO0UAsWQcs1lHdihWQMFY8lSPl8tR7wBjpfS5VmjXV7hxKfb0Tm9v\n"
    "79K3GLUqNOtpnSCngHxBxIRDessyWo+FSINQEHhY8dfe9KRn1DJY7vD/w3MbkfPA\n"
    "EihJ6ae1Tf7zf4EKdJEhxbdNPLv8vgTzGRYHifr3nJGWkLfhDl9XZERPeBA9sRGq\n"
    "jciiXeAl6xnCUjhaNPMokXv9ZT08L/oDmG0lZJWT1Q8R5PRzFeUxSnTq3iv1nUdW\n"
    "8iAHGiLHNJBO0JPsmtuxCV0DoDxH1qD/RMx/pN7thT6hWQrcfsmsP3BohSsxjl7/\n"
    "x/EgC9LTAgMBAAECggEABoE37zyeLsqB9GJ0hGyDHNcrQfVgTuL+ar/k8iTnsdaB\n"
    "XGbkpCOrVz0xbpDtfahZWn24fx8HwDrWgzs9UZbByiUb9ALbIA9gQQhr6QcZoUZ7\n"
    "/jh+bv5y6TnTvSuUOv8iPG1oPX1HhQXTipstbSlyvkfUSGOJtW1Vl9yvH5wWa/A+\n"
    "TtZ83zFtTj0HOwWyBDExa46CDjiL+52UbLcPpyZYYBWfYm8H0PWIf1eBpQiA5H5n\n"
    "y/BCeHsN279SX62GRIcabVjppuuTNnoKO+VCNFvUlmtIpV31tC2GFnnsuTsPBcdo\n"
    "fglJfRf7RFb8LoGk+dJIX6vPRKUp63RElYa26q6gGQKBgQDxioF/Cj/ILciVNmYk\n"
    "s9r21ocjyDJXDv7XHadLH+SYU2Fv2Kh3JxqNUnMTV58t/1NLJRncQZu1WRcSFxGy\n"
    "RjdRmnpWTuwkVG7qvhbAQbWV6kBvHx+HBzsiQGR3gt363bAl4WXOmllWBLSjlI1f\n"
    "G3PGmKWOAS/KJeBdFL8hEFW0+wKBgQDSyWpM67KkDH2FiTMcDsfY6u1L6geJCEqt\n"
    "aFswoXdd3aUi8v0ls7A6nguo5Yg0BdQb7Zh+SiJKAllpuLt/jnW4vO43We7KDoyv\n"
    "2RySRrtxTfNYdvqryEPsy5bW6fGUYPZgq1z9A6JRZTtQhrIOHAS39cf98BcHR339\n"
    "4c12YZOCCQKBgBcZ5CC+XjNLDbAXr9U6zmplQi+N6iKhcIYqc+Gff0GCWANWeWZL\n"
    "+yIhDJiA/NxtWw4I0lxaegXyK16zjiG6zXekiqbOjY879A/Hdm2U20UnTlpSY7WK\n"
    "X4F7HyC/B3QC1+IHmLEV2g18DbrHbm32NjB8UPkv694tmTPN1CnZYhkZAoGAIo1/\n"
    "zmIoo3mkrdoitau6mNVR1srjN1RToX9ky2D8hzeJFWSNmLuO3N0Bfks5+4UlEvrs\n"
    "r28JleYysADnQ26f34ug5RPp79dYuo61f0j2+wjTJiJCzxwB/nQVIt+wiSkn2grd\n"
    "MGCDICKfCYE6+NMg9uLkSL0tmTTf81krbAdsvbkCgYEAnVbpdfObpjpgXljW+OQx\n"
    "27DehGrDLyuNEtv+RQKUEzIfodUYUJMV9Mr0VVxlbNFfSc5wl1k/byDnEucWjrlZ\n"
    "PYxkLLIbNN8YwLOMwzlTACgU7SzhQVO08P3a1/X4RJgLq6g+QBnBhcRuOM9RK0VH\n"
    "Qxk5q/+jtmA3zqW1AerRVqI=\n"
    "-----END PRIVATE KEY-----\n";

/* the TXT record of an OpenSSL key must publish e = 65537 */
static void
test_openssl_key_txt(void)
{
	static struct dkim_signkey key;
	static struct dkim_key rec;
	struct dkim_rsa_pub pub;
	char txt[1024];
	size_t n;
	enum sk_result r;

	r = dkim_signkey_pem(&key, (const uint8_t *)t_openssl_key,
	    sizeof(t_openssl_key) - 1);
	TEST_CHECK(r == SK_OK && key.bits == 2048, "load: %s, %u bits",
	    sk_result_str(r), key.bits);
	if (r != SK_OK) {
		return;
	}
	n = dkim_signkey_txt(&key, txt, sizeof(txt));
	TEST_CHECK(n > 0, "no TXT record");
	if (n == 0) {
		return;
	}
	r = dkim_key_parse(&rec, (const uint8_t *)txt, n);
	TEST_CHECK(r == SK_OK, "record: %s", sk_result_str(r));
	r = dkim_der_rsa_pub(rec.p, rec.plen, &pub);
	TEST_CHECK(r == SK_OK && pub.bits == 2048, "p=: %s", sk_result_str(r));
	TEST_CHECK(r == SK_OK && pub.elen == 3 && pub.e[0] == 1 &&
		pub.e[1] == 0 && pub.e[2] == 1,
	    "e is not 65537 (%zu octets)", pub.elen);
	dkim_signkey_wipe(&key);
}

/* each c= the signer offers verifies, with a header whose white space
 * and case a relaxed canonicalization would change */
static void
test_sign_canon(void)
{
	static struct dkim_signkey key;
	static struct dkim_sign s;
	static const char hdr[] = "From: a@example.com\r\nTo:  b@example.net "
				  "\r\nSUBJECT: hi   there\r\n";
	static const char body[] = "Hello  there \t\r\n\r\n\r\n";
	static const struct {
		enum dkim_canon_alg h, b;
		const char *tag;
	} rows[] = {
		{ DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
		    "c=relaxed/relaxed;" },
		{ DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE, "c=relaxed/simple;" },
		{ DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED, "c=simple/relaxed;" },
		{ DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, "c=simple/simple;" },
	};
	static char msg[8192];
	char sighdr[DKIM_SIGN_HEADER_MAX], got[64], txt[1024], zone[2048];
	uint8_t seed[32];
	struct dns_resolver r;
	size_t i, n;
	enum sk_result res;

	memset(seed, 9, sizeof(seed));
	res = dkim_signkey_ed25519(&key, seed);
	TEST_CHECK(res == SK_OK, "key: got %s", sk_result_str(res));
	dkim_signkey_txt(&key, txt, sizeof(txt));
	snprintf(zone, sizeof(zone),
	    "sel._domainkey.example.com. IN TXT \"%s\"\n", txt);
	if (res != SK_OK || conf_zone(&r, zone, 0) != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(rows); i++) {
		dkim_sign_init(&s, &key, "example.com", "sel", 1700000000);
		dkim_sign_canon(&s, rows[i].h, rows[i].b);
		dkim_sign_update(&s, (const uint8_t *)body, strlen(body));
		res = dkim_sign_final(&s, (const uint8_t *)hdr, strlen(hdr),
		    sighdr, sizeof(sighdr), &n);
		TEST_CHECK(res == SK_OK && strstr(sighdr, rows[i].tag) != NULL,
		    "%s: got %s\n%s", rows[i].tag, sk_result_str(res), sighdr);
		if (res != SK_OK) {
			continue;
		}
		n = (size_t)snprintf(msg, sizeof(msg), "%s%s\r\n%s", sighdr,
		    hdr, body);
		verify_msg(msg, n, &r, got, sizeof(got));
		TEST_CHECK(strcmp(got, "pass") == 0, "%s: got %s\n%s",
		    rows[i].tag, got, sighdr);
		/* a change only the relaxed body forgives: simple fails */
		n = (size_t)snprintf(msg, sizeof(msg), "%s%s\r\n%s", sighdr,
		    hdr, "Hello there\r\n");
		verify_msg(msg, n, &r, got, sizeof(got));
		TEST_CHECK(strcmp(got,
			       rows[i].b == DKIM_CANON_SIMPLE ? "fail" :
								"pass") == 0,
		    "%s, white space changed: got %s", rows[i].tag, got);
	}
	dkim_signkey_wipe(&key);
}

const struct test_case test_cases[] = {
	{ "dkim_sig_table", test_sig_table },
	{ "dkim_key_table", test_key_table },
	{ "dkim_body_canon", test_body_canon },
	{ "dkim_body_runs", test_body_runs },
	{ "dkim_body_reference", test_body_reference },
	{ "dkim_header_canon", test_header_canon },
	{ "dkim_der", test_der },
	{ "dkim_rfc8463_a3", test_rfc8463_a3 },
	{ "dkim_rfc6376_rsa", test_rfc6376_rsa },
	{ "dkim_exim_ed25519", test_exim_ed25519 },
	{ "dkim_key_errors", test_key_errors },
	{ "dkim_sign_roundtrip", test_sign_roundtrip },
	{ "dkim_sign_canon", test_sign_canon },
	{ "dkim_openssl_key_txt", test_openssl_key_txt },
};
const size_t test_ncases = SK_NELEM(test_cases);
