/*
 * tls_selfsigned.c - key generation, our X.509 v3 certificate (RFC 5280
 * 4.1), PEM output and atomic files.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "tls_der.h"
#include "tls_pem.h"
#include "tls_policy.h"
#include "tls_selfsigned.h"
#include "tls_x509.h"

#define TLS_SS_RSA_MAX 3072 /* the largest key we generate */
#define TLS_SS_DER_MAX 2048 /* our certificate: RSA-3072 is ~1,000 */
#define TLS_SS_SIG_MAX (TLS_SS_RSA_MAX / 8)

/* object identifiers (content octets) */
static const uint8_t oid_sha256_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x0b }; /* 1.2.840.113549.1.1.11, RFC 4055 5 */
static const uint8_t oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x01 }; /* 1.2.840.113549.1.1.1, RFC 3279 2.3.1 */
static const uint8_t oid_ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
	0x03, 0x02 }; /* 1.2.840.10045.4.3.2, RFC 5758 3.2 */
static const uint8_t oid_ec_public[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01 }; /* 1.2.840.10045.2.1, RFC 5480 2.1.1 */
static const uint8_t oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
	0x07 }; /* secp256r1, RFC 5480 2.1.1.1 */
static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };
static const uint8_t oid_basic[] = { 0x55, 0x1d, 0x13 };
static const uint8_t oid_key_usage[] = { 0x55, 0x1d, 0x0f };
static const uint8_t oid_ext_key_usage[] = { 0x55, 0x1d, 0x25 };
static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };
static const uint8_t oid_server_auth[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
	0x03, 0x01 }; /* id-kp-serverAuth, RFC 5280 4.2.1.12 */

/* a generated key pair, either kind, with its storage */
struct tls_ss_key {
	int rsa;
	br_rsa_private_key rsa_sk;
	br_rsa_public_key rsa_pk;
	br_ec_private_key ec_sk;
	br_ec_public_key ec_pk;
	unsigned char priv[BR_RSA_KBUF_PRIV_SIZE(TLS_SS_RSA_MAX)];
	unsigned char pub[BR_RSA_KBUF_PUB_SIZE(TLS_SS_RSA_MAX)];
	unsigned char d[TLS_SS_RSA_MAX / 8];
	size_t dlen;
};

/* ---- keys ---------------------------------------------------------- */

/* tls_ss_keygen - a new key pair of the configured type */
static enum sk_result
tls_ss_keygen(enum config_key_type type, struct tls_ss_key *k)
{
	const br_ec_impl *ec = br_ec_get_default();
	br_hmac_drbg_context rng;
	uint8_t seed[48];
	unsigned bits;
	int ok;

	if (tls_policy_random(seed, sizeof(seed)) != SK_OK) {
		return SK_E_IO;
	}
	br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	if (type == CONFIG_KEY_ECDSA_P256) {
		k->rsa = 0;
		ok = br_ec_keygen(&rng.vtable, ec, &k->ec_sk, k->priv,
			 BR_EC_secp256r1) != 0 &&
		    br_ec_compute_pub(ec, &k->ec_pk, k->pub, &k->ec_sk) != 0;
	} else {
		k->rsa = 1;
		bits = type == CONFIG_KEY_RSA_3072 ? 3072 : 2048;
		/* e = 65537: what every peer expects */
		ok = br_rsa_keygen_get_default()(&rng.vtable, &k->rsa_sk,
			 k->priv, &k->rsa_pk, k->pub, bits, 65537) != 0;
		if (ok) {
			k->dlen = br_rsa_compute_privexp_get_default()(k->d,
			    &k->rsa_sk, 65537);
			ok = k->dlen != 0;
		}
	}
	explicit_bzero(&rng, sizeof(rng));
	return ok ? SK_OK : SK_E_IO;
}

/* tls_ss_key_der - the private key as PKCS#8 DER into out[cap] */
static size_t
tls_ss_key_der(const struct tls_ss_key *k, uint8_t *out, size_t cap)
{
	size_t n;

	if (k->rsa) {
		n = br_encode_rsa_pkcs8_der(NULL, &k->rsa_sk, &k->rsa_pk, k->d,
		    k->dlen);
		return n != 0 && n <= cap ?
		    br_encode_rsa_pkcs8_der(out, &k->rsa_sk, &k->rsa_pk, k->d,
			k->dlen) :
		    0;
	}
	n = br_encode_ec_pkcs8_der(NULL, &k->ec_sk, &k->ec_pk);
	return n != 0 && n <= cap ?
	    br_encode_ec_pkcs8_der(out, &k->ec_sk, &k->ec_pk) :
	    0;
}

/* ---- the certificate ---------------------------------------------- */

/* tls_ss_alg - AlgorithmIdentifier of our signature (RFC 4055 5: RSA
 * has NULL parameters, RFC 5758 3.2: ECDSA has none) */
static void
tls_ss_alg(struct tls_der *w, const struct tls_ss_key *k)
{
	tls_der_begin(w, TLS_DER_SEQUENCE);
	if (k->rsa) {
		tls_der_put(w, TLS_DER_OID, oid_sha256_rsa,
		    sizeof(oid_sha256_rsa));
		tls_der_put(w, TLS_DER_NULL, NULL, 0);
	} else {
		tls_der_put(w, TLS_DER_OID, oid_ecdsa_sha256,
		    sizeof(oid_ecdsa_sha256));
	}
	tls_der_end(w);
}

/* tls_ss_name - Name with one RDN, CN=name */
static void
tls_ss_name(struct tls_der *w, const char *name)
{
	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_begin(w, TLS_DER_SET);
	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_put(w, TLS_DER_OID, oid_cn, sizeof(oid_cn));
	tls_der_put(w, TLS_DER_UTF8_STRING, name, strlen(name));
	tls_der_end(w);
	tls_der_end(w);
	tls_der_end(w);
}

/* tls_ss_time - UTCTime through 2049, GeneralizedTime after (RFC 5280
 * 4.1.2.5) */
static void
tls_ss_time(struct tls_der *w, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[72]; /* what %d could print, though years stay 4 digits */
	int utc;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999) {
		w->err = 1;
		return;
	}
	utc = tm.tm_year + 1900 >= 1950 && tm.tm_year + 1900 <= 2049;
	snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (utc) {
		tls_der_put(w, TLS_DER_UTC_TIME, s + 2, 13);
	} else {
		tls_der_put(w, TLS_DER_GENERALIZED_TIME, s, 15);
	}
}

/* tls_ss_spki - SubjectPublicKeyInfo (RFC 3279 2.3.1, RFC 5480 2) */
static void
tls_ss_spki(struct tls_der *w, const struct tls_ss_key *k)
{
	static const uint8_t unused_bits = 0;

	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_begin(w, TLS_DER_SEQUENCE);
	if (k->rsa) {
		tls_der_put(w, TLS_DER_OID, oid_rsa, sizeof(oid_rsa));
		tls_der_put(w, TLS_DER_NULL, NULL, 0);
		tls_der_end(w);
		/* BIT STRING { RSAPublicKey ::= SEQUENCE { n, e } } */
		tls_der_begin(w, TLS_DER_BIT_STRING);
		tls_der_raw(w, &unused_bits, 1);
		tls_der_begin(w, TLS_DER_SEQUENCE);
		tls_der_uint(w, k->rsa_pk.n, k->rsa_pk.nlen);
		tls_der_uint(w, k->rsa_pk.e, k->rsa_pk.elen);
		tls_der_end(w);
		tls_der_end(w);
	} else {
		tls_der_put(w, TLS_DER_OID, oid_ec_public,
		    sizeof(oid_ec_public));
		tls_der_put(w, TLS_DER_OID, oid_p256, sizeof(oid_p256));
		tls_der_end(w);
		tls_der_bits(w, k->ec_pk.q, k->ec_pk.qlen);
	}
	tls_der_end(w);
}

/* tls_ss_ext_begin - Extension ::= SEQUENCE { OID, [critical], OCTET
 * STRING { value } }: open up to the value */
static void
tls_ss_ext_begin(struct tls_der *w, const uint8_t *oid, size_t n, int critical)
{
	static const uint8_t yes = 0xff;

	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_put(w, TLS_DER_OID, oid, n);
	if (critical) {
		tls_der_put(w, 0x01, &yes, 1); /* BOOLEAN TRUE (X.690 11.1) */
	}
	tls_der_begin(w, TLS_DER_OCTET_STRING);
}

static void
tls_ss_ext_end(struct tls_der *w)
{
	tls_der_end(w);
	tls_der_end(w);
}

/* tls_ss_extensions - [3] { the four extensions of tls_selfsigned.h } */
static void
tls_ss_extensions(struct tls_der *w, const struct tls_ss_key *k,
    const char *name)
{
	/* named bits, trailing zero bits dropped (X.690 11.2.2):
	 * digitalSignature (0), keyEncipherment (2) */
	static const uint8_t ku_rsa[] = { 0x05, 0xa0 };
	static const uint8_t ku_ec[] = { 0x07, 0x80 };

	tls_der_begin(w, 0xa3);
	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_ss_ext_begin(w, oid_basic, sizeof(oid_basic), 1);
	tls_der_begin(w, TLS_DER_SEQUENCE); /* cA FALSE is the default */
	tls_der_end(w);
	tls_ss_ext_end(w);
	tls_ss_ext_begin(w, oid_key_usage, sizeof(oid_key_usage), 1);
	tls_der_put(w, TLS_DER_BIT_STRING, k->rsa ? ku_rsa : ku_ec, 2);
	tls_ss_ext_end(w);
	tls_ss_ext_begin(w, oid_ext_key_usage, sizeof(oid_ext_key_usage), 0);
	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_put(w, TLS_DER_OID, oid_server_auth, sizeof(oid_server_auth));
	tls_der_end(w);
	tls_ss_ext_end(w);
	tls_ss_ext_begin(w, oid_san, sizeof(oid_san), 0);
	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_put(w, 0x82, name, strlen(name)); /* dNSName [2] IA5String */
	tls_der_end(w);
	tls_ss_ext_end(w);
	tls_der_end(w);
	tls_der_end(w);
}

/* tls_ss_tbs - TBSCertificate (RFC 5280 4.1.2) */
static void
tls_ss_tbs(struct tls_der *w, const struct tls_ss_key *k, const char *name,
    const uint8_t serial[TLS_SELFSIGNED_SERIAL_LEN], int64_t now, unsigned days)
{
	static const uint8_t v3 = 2;

	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_der_begin(w, 0xa0); /* [0] EXPLICIT Version v3 */
	tls_der_uint(w, &v3, 1);
	tls_der_end(w);
	tls_der_uint(w, serial, TLS_SELFSIGNED_SERIAL_LEN);
	tls_ss_alg(w, k);
	tls_ss_name(w, name); /* issuer */
	tls_der_begin(w, TLS_DER_SEQUENCE);
	tls_ss_time(w, now);
	tls_ss_time(w, now + (int64_t)days * 86400);
	tls_der_end(w);
	tls_ss_name(w, name); /* subject */
	tls_ss_spki(w, k);
	tls_ss_extensions(w, k, name);
	tls_der_end(w);
}

/* tls_ss_sign - the signature of tbs; its length, 0 on failure */
static size_t
tls_ss_sign(const struct tls_ss_key *k, const uint8_t *tbs, size_t len,
    uint8_t sig[TLS_SS_SIG_MAX])
{
	br_sha256_context h;
	uint8_t hash[br_sha256_SIZE];

	br_sha256_init(&h);
	br_sha256_update(&h, tbs, len);
	br_sha256_out(&h, hash);
	if (k->rsa) {
		/* RFC 8017 8.2: PKCS #1 v1.5 with the SHA-256 DigestInfo */
		if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash,
			sizeof(hash), &k->rsa_sk, sig)) {
			return 0;
		}
		return (k->rsa_sk.n_bitlen + 7) / 8;
	}
	/* RFC 5480 / X9.62: an Ecdsa-Sig-Value SEQUENCE { r, s } */
	return br_ecdsa_sign_asn1_get_default()(br_ec_get_default(),
	    &br_sha256_vtable, hash, &k->ec_sk, sig);
}

/* tls_ss_cert - the whole certificate DER into out[cap]; its length */
static size_t
tls_ss_cert(const struct tls_ss_key *k, const char *name, int64_t now,
    unsigned days, uint8_t *out, size_t cap)
{
	uint8_t serial[TLS_SELFSIGNED_SERIAL_LEN], tbs[TLS_SS_DER_MAX];
	uint8_t sig[TLS_SS_SIG_MAX];
	size_t tlen, slen, len;
	struct tls_der w;

	if (tls_policy_random(serial, sizeof(serial)) != SK_OK) {
		return 0;
	}
	/* positive, and 16 octets long: top bit clear, next one set */
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40);
	tls_der_init(&w, tbs, sizeof(tbs));
	tls_ss_tbs(&w, k, name, serial, now, days);
	if (tls_der_done(&w, &tlen) != 0 ||
	    (slen = tls_ss_sign(k, tbs, tlen, sig)) == 0) {
		return 0;
	}
	tls_der_init(&w, out, cap);
	tls_der_begin(&w, TLS_DER_SEQUENCE);
	tls_der_raw(&w, tbs, tlen);
	tls_ss_alg(&w, k);
	tls_der_bits(&w, sig, slen);
	tls_der_end(&w);
	return tls_der_done(&w, &len) == 0 ? len : 0;
}

/* tls_ss_pem - DER as PEM text with a NUL; 0 if it does not fit */
static size_t
tls_ss_pem(const uint8_t *der, size_t len, const char *banner, char *out,
    size_t size)
{
	size_t need = br_pem_encode(NULL, der, len, banner, BR_PEM_LINE64);

	if (need == 0 || need + 1 > size) {
		return 0;
	}
	return br_pem_encode(out, der, len, banner, BR_PEM_LINE64);
}

enum sk_result
tls_selfsigned_make(enum config_key_type type, const char *name, unsigned days,
    int64_t now, char cert_pem[TLS_SELFSIGNED_PEM_MAX],
    char key_pem[TLS_SELFSIGNED_PEM_MAX], char *err, size_t errlen)
{
	uint8_t der[TLS_SS_DER_MAX];
	struct tls_ss_key *k;
	enum sk_result r = SK_E_IO;
	size_t len;

	if (!tls_x509_is_hostname(name)) {
		snprintf(err, errlen,
		    "self-signed certificate: \"%s\" is not "
		    "a host name",
		    name);
		return SK_E_RANGE;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "self-signed certificate: out of memory");
		return SK_E_FULL;
	}
	if (tls_ss_keygen(type, k) != SK_OK) {
		snprintf(err, errlen,
		    "self-signed certificate: key generation "
		    "failed");
	} else if ((len = tls_ss_cert(k, name, now, days, der, sizeof(der))) ==
		0 ||
	    tls_ss_pem(der, len, "CERTIFICATE", cert_pem,
		TLS_SELFSIGNED_PEM_MAX) == 0 ||
	    (len = tls_ss_key_der(k, der, sizeof(der))) == 0 ||
	    tls_ss_pem(der, len, "PRIVATE KEY", key_pem,
		TLS_SELFSIGNED_PEM_MAX) == 0) {
		snprintf(err, errlen,
		    "self-signed certificate: encoding "
		    "failed");
	} else {
		r = SK_OK;
	}
	explicit_bzero(der, sizeof(der));
	explicit_bzero(k, sizeof(*k));
	free(k);
	return r;
}

/* ---- files ---------------------------------------------------------- */

/* tls_ss_mkdirs - make the missing folders above path, mode 0700 */
static int
tls_ss_mkdirs(const char *path)
{
	char dir[CONFIG_PATH_SIZE * 2];
	size_t i;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; dir[i] != '\0'; i++) {
		if (dir[i] != '/') {
			continue;
		}
		dir[i] = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			return -1;
		}
		dir[i] = '/';
	}
	return 0;
}

/* tls_ss_sync_dir - fsync the folder holding path, so a rename lasts */
static int
tls_ss_sync_dir(const char *path)
{
	char dir[CONFIG_PATH_SIZE * 2];
	char *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		slash[slash == dir ? 1 : 0] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		return -1;
	}
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* tls_ss_write_all - write len octets to fd */
static int
tls_ss_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* tls_ss_replace - put text at path atomically with the given mode */
static enum sk_result
tls_ss_replace(const char *path, const char *text, mode_t mode, char *err,
    size_t errlen)
{
	char tmp[CONFIG_PATH_SIZE * 2 + 8];
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return SK_E_TOO_LONG;
	}
	if (tls_ss_mkdirs(path) != 0 || (fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
		    strerror(errno));
		return SK_E_IO;
	}
	ok = fchmod(fd, mode) == 0 &&
	    tls_ss_write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0 || tls_ss_sync_dir(path) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path,
		    strerror(errno));
		unlink(tmp);
		return SK_E_IO;
	}
	return SK_OK;
}

/* tls_ss_same_type - the certificate's key is of the configured type */
static int
tls_ss_same_type(const struct config_certificate *cert,
    const struct tls_chain *c)
{
	switch (cert->key_type) {
	case CONFIG_KEY_ECDSA_P256:
		return c->key_type == BR_KEYTYPE_EC &&
		    c->curve == BR_EC_secp256r1;
	case CONFIG_KEY_RSA_3072:
		return c->key_type == BR_KEYTYPE_RSA && c->key_bits == 3072;
	case CONFIG_KEY_RSA_2048:
	default:
		return c->key_type == BR_KEYTYPE_RSA && c->key_bits == 2048;
	}
}

/* tls_ss_fits - the files hold a matching pair that suits the entry */
static int
tls_ss_fits(const struct config_certificate *cert, const char *name,
    const char *crt, const char *key, int64_t now)
{
	struct tls_chain *c = malloc(sizeof(*c));
	struct tls_key *k = malloc(sizeof(*k));
	struct tls_x509_info info;
	char err[TLS_PEM_ERR_MAX];
	int ok = 0;

	if (c != NULL && k != NULL &&
	    tls_pem_chain_file(c, crt, err, sizeof(err)) == SK_OK &&
	    tls_pem_key_file(k, key, err, sizeof(err)) == SK_OK &&
	    tls_pem_key_matches(k, c, key, crt, err, sizeof(err)) == SK_OK &&
	    tls_x509_parse(c->certs[0].data, c->certs[0].data_len, &info) ==
		SK_OK) {
		ok = info.not_after - now >=
			(int64_t)TLS_SELFSIGNED_RENEW_DAYS * 86400 &&
		    tls_x509_host_ok(&info, name) && tls_ss_same_type(cert, c);
	}
	if (k != NULL) {
		tls_key_wipe(k);
	}
	free(k);
	free(c);
	return ok;
}

enum sk_result
tls_selfsigned_ensure(const struct config_certificate *cert,
    const char *server_name, const char *root_dir, int64_t now, int *made,
    char *err, size_t errlen)
{
	char crt[CONFIG_PATH_SIZE * 2], key[CONFIG_PATH_SIZE * 2];
	char *cert_pem, *key_pem;
	const char *name;
	enum sk_result r;

	*made = 0;
	if (!cert->self_signed) {
		return SK_OK;
	}
	name = cert->common_name[0] != '\0' ? cert->common_name : server_name;
	if (tls_pem_path(root_dir, cert->cert_file, crt, sizeof(crt)) !=
		SK_OK ||
	    tls_pem_path(root_dir, cert->key_file, key, sizeof(key)) != SK_OK) {
		snprintf(err, errlen, "certificate %s: path too long",
		    cert->name);
		return SK_E_TOO_LONG;
	}
	if (tls_ss_fits(cert, name, crt, key, now)) {
		return SK_OK;
	}
	cert_pem = malloc(TLS_SELFSIGNED_PEM_MAX);
	key_pem = malloc(TLS_SELFSIGNED_PEM_MAX);
	if (cert_pem == NULL || key_pem == NULL) {
		snprintf(err, errlen, "certificate %s: out of memory",
		    cert->name);
		r = SK_E_FULL;
	} else if ((r = tls_selfsigned_make(cert->key_type, name,
			cert->validity, now, cert_pem, key_pem, err, errlen)) ==
		SK_OK &&
	    (r = tls_ss_replace(key, key_pem, 0600, err, errlen)) == SK_OK &&
	    (r = tls_ss_replace(crt, cert_pem, 0644, err, errlen)) == SK_OK) {
		*made = 1;
	}
	if (key_pem != NULL) {
		explicit_bzero(key_pem, TLS_SELFSIGNED_PEM_MAX);
	}
	free(key_pem);
	free(cert_pem);
	return r;
}
