/*
 * tls_pem_test.c - certificate chains, keys and CA bundles, made with
 * openssl at test time; every refusal names the file and the problem.
 */
#include <string.h>

#include "tls_pem.h"
#include "tls_testkit.h"

/* check_err - r is want and err mentions the file and the words */
static void
check_err(enum sk_result r, enum sk_result want, const char *err,
    const char *file, const char *words)
{
	TEST_CHECK(r == want, "got %s, want %s (%s)", sk_result_str(r),
	    sk_result_str(want), err);
	TEST_CHECK(strstr(err, file) == err,
	    "error does not start with the "
	    "file name: %s",
	    err);
	TEST_CHECK(strstr(err, words) != NULL, "error \"%s\" lacks \"%s\"", err,
	    words);
}

static void
test_chain_rsa(void)
{
	static struct tls_chain c;
	char err[TLS_PEM_ERR_MAX] = "";
	enum sk_result r;

	if (testkit_ca("ca") != 0 ||
	    testkit_leaf("mx", "rsa:2048", "ca", "mx.example.test",
		"DNS:mx.example.test") != 0) {
		return;
	}
	r = tls_pem_chain_file(&c, testkit_path("mx.pem"), err, sizeof(err));
	TEST_CHECK(r == SK_OK, "chain: %s", err);
	TEST_CHECK(c.n == 2, "got %zu certificates, want 2", c.n);
	TEST_CHECK(c.key_type == BR_KEYTYPE_RSA && c.key_bits == 2048,
	    "leaf key type %d bits %u", c.key_type, c.key_bits);
	TEST_CHECK(c.signer_key_type == BR_KEYTYPE_RSA, "signer %d",
	    c.signer_key_type);
}

static void
test_chain_ec(void)
{
	static struct tls_chain c;
	char err[TLS_PEM_ERR_MAX] = "";

	if (testkit_leaf("p384", "ec:P-384", NULL, "mx.example.test", NULL) !=
	    0) {
		return;
	}
	TEST_CHECK(tls_pem_chain_file(&c, testkit_path("p384.pem"), err,
		       sizeof(err)) == SK_OK,
	    "chain: %s", err);
	TEST_CHECK(c.n == 1 && c.key_type == BR_KEYTYPE_EC &&
		c.key_bits == 384 && c.curve == BR_EC_secp384r1,
	    "n %zu type %d bits %u", c.n, c.key_type, c.key_bits);
}

/* load_pair - key file and chain file, which must match */
static void
load_pair(const char *key, const char *chain, int type, unsigned bits)
{
	static struct tls_chain c;
	static struct tls_key k;
	char err[TLS_PEM_ERR_MAX] = "";

	if (tls_pem_chain_file(&c, testkit_path(chain), err, sizeof(err)) !=
	    SK_OK) {
		test_fail("%s", err);
		return;
	}
	if (tls_pem_key_file(&k, testkit_path(key), err, sizeof(err)) !=
	    SK_OK) {
		test_fail("%s", err);
		return;
	}
	TEST_CHECK(k.type == type && k.bits == bits, "%s: type %d bits %u", key,
	    k.type, k.bits);
	TEST_CHECK(tls_pem_key_matches(&k, &c, key, chain, err, sizeof(err)) ==
		SK_OK,
	    "%s", err);
	tls_key_wipe(&k);
}

static void
test_key_forms(void)
{
	if (testkit_leaf("rsa", "rsa:2048", NULL, "a.example", NULL) != 0 ||
	    testkit_leaf("ec", "ec:P-256", NULL, "a.example", NULL) != 0 ||
	    testkit_sh("openssl rsa -in rsa.key -traditional -out "
		       "rsa1.key") != 0 ||
	    testkit_sh("openssl ec -in ec.key -out sec1.key && "
		       "openssl ecparam -name prime256v1 >params.key && "
		       "cat sec1.key >>params.key") != 0 ||
	    testkit_sh("sed 's/$/\\r/' rsa.key >crlf.key") != 0) {
		return;
	}
	load_pair("rsa.key", "rsa.pem", BR_KEYTYPE_RSA, 2048);  /* PKCS#8 */
	load_pair("rsa1.key", "rsa.pem", BR_KEYTYPE_RSA, 2048); /* PKCS#1 */
	load_pair("crlf.key", "rsa.pem", BR_KEYTYPE_RSA, 2048);
	load_pair("ec.key", "ec.pem", BR_KEYTYPE_EC, 256);   /* PKCS#8 */
	load_pair("sec1.key", "ec.pem", BR_KEYTYPE_EC, 256); /* SEC 1 */
	/* EC PARAMETERS before the key, as openssl ecparam writes it */
	load_pair("params.key", "ec.pem", BR_KEYTYPE_EC, 256);
}

static void
test_key_mismatch(void)
{
	static struct tls_chain c;
	static struct tls_key k;
	char err[TLS_PEM_ERR_MAX] = "";
	enum sk_result r;

	if (testkit_leaf("a", "rsa:2048", NULL, "a.example", NULL) != 0 ||
	    testkit_leaf("b", "rsa:2048", NULL, "b.example", NULL) != 0 ||
	    testkit_leaf("e", "ec:P-256", NULL, "e.example", NULL) != 0) {
		return;
	}
	tls_pem_chain_file(&c, testkit_path("a.pem"), err, sizeof(err));
	tls_pem_key_file(&k, testkit_path("b.key"), err, sizeof(err));
	r = tls_pem_key_matches(&k, &c, "b.key", "a.pem", err, sizeof(err));
	check_err(r, SK_E_RANGE, err, "b.key", "does not match");
	TEST_CHECK(strstr(err, "a.pem") != NULL, "names the cert: %s", err);
	tls_pem_key_file(&k, testkit_path("e.key"), err, sizeof(err));
	r = tls_pem_key_matches(&k, &c, "e.key", "a.pem", err, sizeof(err));
	check_err(r, SK_E_RANGE, err, "e.key", "does not match");
	tls_key_wipe(&k);
}

/* one refused input: which parser, the file's text or a command making
 * it, and the words the error must hold */
struct bad_case {
	const char *label;
	int key; /* 1: tls_pem_key_file, 0: tls_pem_chain_file */
	const char *make;
	enum sk_result want;
	const char *words;
};

static const struct bad_case bad_cases[] = {
	{ "not-pem", 0, "echo hello >f", SK_E_SYNTAX, "not PEM" },
	{ "empty", 1, ": >f", SK_E_SYNTAX, "not PEM" },
	{ "no-end", 0, "head -n 5 c.crt >f", SK_E_SYNTAX, "not terminated" },
	{ "bad-base64", 0,
	    "printf -- '-----BEGIN CERTIFICATE-----\\n!!!!\\n"
	    "-----END CERTIFICATE-----\\n' >f",
	    SK_E_SYNTAX, "PEM syntax" },
	{ "key-as-cert", 0, "cp c.key f", SK_E_SYNTAX, "no certificate" },
	{ "cert-as-key", 1, "cp c.crt f", SK_E_SYNTAX, "no private key" },
	{ "garbage-cert", 0,
	    "printf -- '-----BEGIN CERTIFICATE-----\\nAAAA\\n"
	    "-----END CERTIFICATE-----\\n' >f",
	    SK_E_SYNTAX, "not usable" },
	{ "garbage-key", 1,
	    "printf -- '-----BEGIN PRIVATE KEY-----\\nAAAA\\n"
	    "-----END PRIVATE KEY-----\\n' >f",
	    SK_E_SYNTAX, "not a valid" },
	{ "rsa-1024-key", 1,
	    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 "
	    "-out f",
	    SK_E_RANGE, "1024 bits" },
	{ "rsa-1024-cert", 0,
	    "openssl req -x509 -newkey rsa:1024 -nodes -keyout k1 -subj "
	    "/CN=x -days 2 -out f",
	    SK_E_RANGE, "1024 bits" },
	{ "encrypted-pkcs8", 1,
	    "openssl pkcs8 -topk8 -in c.key -passout pass:x -out f",
	    SK_E_UNKNOWN, "encrypted" },
	{ "encrypted-legacy", 1,
	    "openssl rsa -in c.key -traditional -aes128 -passout pass:x "
	    "-out f",
	    SK_E_UNKNOWN, "encrypted" },
	{ "ed25519-key", 1, "openssl genpkey -algorithm ED25519 -out f",
	    SK_E_UNKNOWN, "unsupported" },
	{ "p521-key", 1,
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 "
	    "-out f",
	    SK_E_UNKNOWN, "unsupported curve" },
	{ "p521-cert", 0,
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 "
	    "-nodes -keyout k2 -subj /CN=x -days 2 -out f",
	    SK_E_UNKNOWN, "unsupported curve" },
	{ "too-large", 0, "for i in $(seq 70); do cat c.crt; done >f",
	    SK_E_TOO_LONG, "larger than" },
	{ "too-many", 0, "for i in $(seq 9); do cat c.crt; done >f",
	    SK_E_TOO_LONG, "more than 8" },
	{ "missing", 0, "rm -f f", SK_E_IO, "cannot open" },
	{ "folder", 1, "rm -f f && mkdir f", SK_E_IO, "not a regular file" },
};

static void
test_refusals(void)
{
	static struct tls_chain c;
	static struct tls_key k;
	char err[TLS_PEM_ERR_MAX];
	const char *f = testkit_path("f");
	enum sk_result r;
	size_t i;

	if (testkit_leaf("c", "rsa:2048", NULL, "c.example", NULL) != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];

		err[0] = '\0';
		testkit_sh("rm -rf f && %s", bc->make);
		r = bc->key ? tls_pem_key_file(&k, f, err, sizeof(err)) :
			      tls_pem_chain_file(&c, f, err, sizeof(err));
		if (r != bc->want || strstr(err, bc->words) == NULL ||
		    strncmp(err, f, strlen(f)) != 0) {
			test_fail("%s: got %s \"%s\", want %s with \"%s\"",
			    bc->label, sk_result_str(r), err,
			    sk_result_str(bc->want), bc->words);
		}
		TEST_CHECK(!bc->key || r == SK_OK || k.type == 0,
		    "%s: key left behind", bc->label);
	}
}

static void
test_anchors(void)
{
	struct tls_anchors a;
	char err[TLS_PEM_ERR_MAX] = "";
	enum sk_result r;

	if (testkit_ca("one") != 0 || testkit_ca("two") != 0 ||
	    testkit_sh("openssl req -x509 -newkey ed25519 -nodes -keyout "
		       "ed.key -subj /CN=ed -days 2 -out ed.crt") != 0 ||
	    testkit_sh("cat one.crt ed.crt two.crt >bundle.pem") != 0) {
		return;
	}
	r = tls_pem_anchors_file(&a, testkit_path("bundle.pem"), err,
	    sizeof(err));
	TEST_CHECK(r == SK_OK, "bundle: %s", err);
	TEST_CHECK(a.n == 2 && a.skipped == 1, "got %zu anchors, %zu skipped",
	    a.n, a.skipped);
	TEST_CHECK(a.n == 2 && (a.ta[0].flags & BR_X509_TA_CA) &&
		a.ta[0].pkey.key_type == BR_KEYTYPE_RSA,
	    "first anchor is not an RSA CA");
	tls_anchors_free(&a);
	r = tls_pem_anchors_file(&a, testkit_path("ed.crt"), err, sizeof(err));
	check_err(r, SK_E_SYNTAX, err, testkit_path("ed.crt"), "no usable CA");
	TEST_CHECK(a.ta == NULL && a.pool == NULL, "left allocated on error");
}

static void
test_system_bundle(void)
{
	const char *path = "/etc/ssl/certs/ca-certificates.crt";
	struct tls_anchors a;
	char err[TLS_PEM_ERR_MAX] = "";

	if (access(path, R_OK) != 0) {
		printf("INFO: tls_pem_system_bundle: %s absent, skipped\n",
		    path);
		return;
	}
	TEST_CHECK(tls_pem_anchors_file(&a, path, err, sizeof(err)) == SK_OK,
	    "%s", err);
	TEST_CHECK(a.n > 50, "only %zu anchors", a.n);
	printf("INFO: tls_pem_system_bundle: %zu anchors, %zu skipped, "
	       "%zu octets of names and keys\n",
	    a.n, a.skipped, a.used);
	tls_anchors_free(&a);
}

static void
test_path(void)
{
	static const struct {
		const char *root, *path, *want;
	} cases[] = {
		{ "/", "/config/tls/a.crt", "/config/tls/a.crt" },
		{ "", "/config/tls/a.crt", "/config/tls/a.crt" },
		{ "", "a.crt", "a.crt" },
		{ "/tmp/box", "/config/a.crt", "/tmp/box/config/a.crt" },
		{ "/tmp/box//", "/config/a.crt", "/tmp/box/config/a.crt" },
		{ "/tmp/box", "config/a.crt", "/tmp/box/config/a.crt" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		TEST_CHECK(tls_pem_path(cases[i].root, cases[i].path, out,
			       sizeof(out)) == SK_OK &&
			strcmp(out, cases[i].want) == 0,
		    "root %s path %s: got %s, want %s", cases[i].root,
		    cases[i].path, out, cases[i].want);
	}
	TEST_CHECK(tls_pem_path("/a/very/long/root/folder/name",
		       "/config/tls/certificate.crt", out, 32) == SK_E_TOO_LONG,
	    "a path over the buffer was accepted");
}

const struct test_case test_cases[] = {
	{ "tls_pem_chain_rsa", test_chain_rsa },
	{ "tls_pem_chain_ec", test_chain_ec },
	{ "tls_pem_key_forms", test_key_forms },
	{ "tls_pem_key_mismatch", test_key_mismatch },
	{ "tls_pem_refusals", test_refusals },
	{ "tls_pem_anchors", test_anchors },
	{ "tls_pem_system_bundle", test_system_bundle },
	{ "tls_pem_path", test_path },
};
const size_t test_ncases = SK_NELEM(test_cases);
