/*
 * tls_selfsigned_test.c - our own certificates: openssl reads them as we
 * meant them, our server serves them, our client verifies them when
 * told to trust them, and tls_selfsigned_ensure makes files only when
 * needed.
 */
#include <sys/stat.h>

#include <string.h>
#include <time.h>

#include "tls_conn.h"
#include "tls_selfsigned.h"
#include "tls_testkit.h"

#define DAY 86400

/* entry - a self-signed certificate entry "box" of a key type */
static struct config_certificate *
entry(enum config_key_type type, const char *cn, unsigned days)
{
	static struct config_certificate c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "box");
	c.self_signed = 1;
	snprintf(c.cert_file, sizeof(c.cert_file), "/config/tls/box.crt");
	snprintf(c.key_file, sizeof(c.key_file), "/config/tls/box.key");
	c.key_type = type;
	snprintf(c.common_name, sizeof(c.common_name), "%s", cn);
	c.validity = (uint16_t)days;
	return &c;
}

/* ensure - tls_selfsigned_ensure under the case's folder; made or -1 */
static int
ensure(const struct config_certificate *c, int64_t now)
{
	char err[TLS_PEM_ERR_MAX] = "";
	int made = -1;

	if (tls_selfsigned_ensure(c, "server.example.test", test_tmpdir(), now,
		&made, err, sizeof(err)) != SK_OK) {
		test_fail("ensure: %s", err);
		return -1;
	}
	return made;
}

/* mode_of - permission bits of a file under the case's folder */
static unsigned
mode_of(const char *name)
{
	struct stat st;

	return stat(testkit_path(name), &st) == 0 ? st.st_mode & 07777 : 0;
}

/* openssl_reads - what `openssl x509 -noout -text` must show */
static void
openssl_reads(const char *alg, const char *keyinfo, const char *usage)
{
	static const char *const always[] = { "Version: 3 (0x2)",
		"Issuer: CN = mail.example.test",
		"Subject: CN = mail.example.test", "CA:FALSE",
		"TLS Web Server Authentication", "DNS:mail.example.test" };
	size_t i;

	testkit_sh("openssl x509 -noout -text -in config/tls/box.crt "
		   ">text");
	for (i = 0; i < SK_NELEM(always); i++) {
		testkit_sh("grep -q '%s' text", always[i]);
	}
	testkit_sh("grep -q 'Signature Algorithm: %s' text", alg);
	testkit_sh("grep -q '%s' text", keyinfo);
	testkit_sh("grep -q '%s' text", usage);
	/* X509v3 Basic Constraints and Key Usage are critical */
	testkit_sh("grep -q 'Basic Constraints: critical' text && "
		   "grep -q 'Key Usage: critical' text");
	/* serial: 16 octets */
	testkit_sh("openssl x509 -noout -serial -in config/tls/box.crt | "
		   "grep -qE '^serial=[0-9A-F]{32}$'");
	/* the key is the certificate's, as openssl sees it */
	testkit_sh("openssl pkey -in config/tls/box.key -pubout >k.pub && "
		   "openssl x509 -in config/tls/box.crt -noout -pubkey >c.pub "
		   "&& cmp k.pub c.pub");
	testkit_sh("openssl x509 -in config/tls/box.crt -noout -checkend "
		   "86400");
	testkit_sh("head -n 1 config/tls/box.key | grep -q "
		   "'BEGIN PRIVATE KEY'");
}

/* served - our server presents the files; our client, trusting the
 * certificate itself, verifies it */
static void
served(void)
{
	static struct config_listener l;
	static struct config_tls_policy pol;
	struct tls_server *s = NULL;
	struct tls_client *c = NULL;
	struct tls_conn *sc = NULL, *cc = NULL;
	enum tls_status ss = TLS_WANT_READ, cs = TLS_WANT_READ;
	char err[TLS_PEM_ERR_MAX];
	int fd[2], i;

	l.tls_min_version = CONFIG_TLS_1_2;
	l.tls_ciphers = CONFIG_CIPHERS_MODERN;
	pol.mode = CONFIG_TLS_VERIFY;
	snprintf(pol.ca_bundle, sizeof(pol.ca_bundle), "/config/tls/box.crt");
	if (tls_server_new(&s, entry(0, "", 0), &l, test_tmpdir(), err,
		sizeof(err)) != SK_OK ||
	    tls_client_new(&c, &pol, test_tmpdir(), err, sizeof(err)) !=
		SK_OK ||
	    testkit_socketpair(fd) != 0) {
		test_fail("set-up: %s", err);
	} else if (tls_conn_server(&sc, s, fd[0]) == SK_OK &&
	    tls_conn_client(&cc, c, fd[1], "mail.example.test") == SK_OK) {
		for (i = 0; i < 1000 && (ss != TLS_OK || cs != TLS_OK) &&
		     ss != TLS_ERROR && cs != TLS_ERROR;
		     i++) {
			ss = ss == TLS_OK ? ss : tls_conn_handshake(sc);
			cs = cs == TLS_OK ? cs : tls_conn_handshake(cc);
		}
		TEST_CHECK(ss == TLS_OK && cs == TLS_OK &&
			tls_conn_verified(cc),
		    "handshake: server \"%s\", client \"%s\"",
		    tls_conn_error(sc), tls_conn_error(cc));
		close(fd[0]);
		close(fd[1]);
	}
	tls_conn_free(sc);
	tls_conn_free(cc);
	tls_server_free(s);
	tls_client_free(c);
}

static void
made_and_served(enum config_key_type type, const char *alg, const char *keyinfo,
    const char *usage)
{
	if (ensure(entry(type, "mail.example.test", 90), time(NULL)) != 1) {
		test_fail("no files made");
		return;
	}
	TEST_CHECK(mode_of("config/tls/box.key") == 0600, "key mode %o",
	    mode_of("config/tls/box.key"));
	TEST_CHECK(mode_of("config/tls/box.crt") == 0644, "cert mode %o",
	    mode_of("config/tls/box.crt"));
	TEST_CHECK(mode_of("config/tls") == 0700, "folder mode %o",
	    mode_of("config/tls"));
	openssl_reads(alg, keyinfo, usage);
	served();
}

static void
test_rsa2048(void)
{
	made_and_served(CONFIG_KEY_RSA_2048, "sha256WithRSAEncryption",
	    "Public-Key: (2048 bit)", "Digital Signature, Key Encipherment");
}

static void
test_rsa3072(void)
{
	made_and_served(CONFIG_KEY_RSA_3072, "sha256WithRSAEncryption",
	    "Public-Key: (3072 bit)", "Digital Signature, Key Encipherment");
}

static void
test_ecdsa(void)
{
	made_and_served(CONFIG_KEY_ECDSA_P256, "ecdsa-with-SHA256",
	    "NIST CURVE: P-256", "Digital Signature");
}

/* same_files - the cert file still holds before */
static int
same_cert(const char *before)
{
	size_t len;
	char *now = testkit_read(testkit_path("config/tls/box.crt"), &len);
	int same = now != NULL && strcmp(now, before) == 0;

	free(now);
	return same;
}

static void
test_ensure_lifecycle(void)
{
	const int64_t t0 = time(NULL);
	struct config_certificate *c = entry(CONFIG_KEY_ECDSA_P256, "", 365);
	char *first;
	size_t len;

	TEST_CHECK(ensure(c, t0) == 1, "first call made nothing");
	first = testkit_read(testkit_path("config/tls/box.crt"), &len);
	if (first == NULL) {
		test_fail("no certificate file");
		return;
	}
	/* the server's name was used, as common-name is empty */
	testkit_sh("openssl x509 -noout -subject -in config/tls/box.crt | "
		   "grep -q 'CN = server.example.test'");
	TEST_CHECK(ensure(c, t0) == 0 && same_cert(first),
	    "current files were replaced");
	TEST_CHECK(ensure(c, t0 + 334 * (int64_t)DAY) == 0,
	    "replaced 31 days before expiry");
	TEST_CHECK(ensure(c, t0 + 336 * (int64_t)DAY) == 1,
	    "kept 29 days before expiry");
	free(first);
	first = testkit_read(testkit_path("config/tls/box.crt"), &len);
	/* another key type, another name: new files */
	c->key_type = CONFIG_KEY_RSA_2048;
	TEST_CHECK(ensure(c, t0) == 1, "kept after the key type changed");
	TEST_CHECK(ensure(c, t0) == 0, "not stable after the change");
	snprintf(c->common_name, sizeof(c->common_name), "new.example.test");
	TEST_CHECK(ensure(c, t0) == 1, "kept after the name changed");
	/* a lost or damaged key is remade */
	testkit_sh("rm config/tls/box.key");
	TEST_CHECK(ensure(c, t0) == 1, "kept without a key");
	testkit_sh("echo garbage >config/tls/box.crt");
	TEST_CHECK(ensure(c, t0) == 1, "kept a damaged certificate");
	/* a crash between the two renames: new key, old certificate */
	testkit_sh("cp config/tls/box.crt old.crt");
	testkit_sh("rm config/tls/box.key");
	ensure(c, t0);
	testkit_sh("cp old.crt config/tls/box.crt");
	TEST_CHECK(ensure(c, t0) == 1, "kept a key that does not match");
	testkit_sh("test \"$(ls config/tls)\" = \"$(printf "
		   "'box.crt\\nbox.key')\"");
	free(first);
}

static void
test_ensure_refusals(void)
{
	struct config_certificate *c = entry(CONFIG_KEY_ECDSA_P256, "", 30);
	char err[TLS_PEM_ERR_MAX] = "";
	int made = -1;

	/* not ours to make */
	c->self_signed = 0;
	TEST_CHECK(tls_selfsigned_ensure(c, "a.test", test_tmpdir(), 0, &made,
		       err, sizeof(err)) == SK_OK &&
		made == 0,
	    "a files entry was touched");
	c->self_signed = 1;
	TEST_CHECK(tls_selfsigned_ensure(c, "", test_tmpdir(), 0, &made, err,
		       sizeof(err)) == SK_E_RANGE &&
		strstr(err, "not a host name") != NULL,
	    "no name: \"%s\"", err);
	snprintf(c->common_name, sizeof(c->common_name), "bad name");
	TEST_CHECK(tls_selfsigned_ensure(c, "a.test", test_tmpdir(), 0, &made,
		       err, sizeof(err)) == SK_E_RANGE,
	    "a name with a space");
	testkit_sh("test ! -e config/tls/box.crt");
}

const struct test_case test_cases[] = {
	{ "tls_selfsigned_rsa2048", test_rsa2048 },
	{ "tls_selfsigned_rsa3072", test_rsa3072 },
	{ "tls_selfsigned_ecdsa", test_ecdsa },
	{ "tls_selfsigned_lifecycle", test_ensure_lifecycle },
	{ "tls_selfsigned_refusals", test_ensure_refusals },
};
const size_t test_ncases = SK_NELEM(test_cases);
