/*
 * tls_pem.c - PEM certificate chains, private keys and CA bundles.
 *
 * Untrusted input: the files are the operator's (or an upload's), so
 * every size is bounded before use and every decoder is BearSSL's.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls_names.h"
#include "tls_pem.h"

#define TLS_PEM_NAME_MAX 128 /* br_pem_decoder keeps 127 octets */

/* where errors go: the file's name and the caller's buffer */
struct tls_pem_ctx {
	const char *what;
	char *err;
	size_t errlen;
};

static enum sk_result tls_pem_fail(struct tls_pem_ctx *x, enum sk_result r,
    const char *fmt, ...) SK_PRINTF(3, 4);

/* tls_pem_fail - write "what: message" into err and return r */
static enum sk_result
tls_pem_fail(struct tls_pem_ctx *x, enum sk_result r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->errlen == 0) {
		return r;
	}
	n = snprintf(x->err, x->errlen, "%s: ", x->what);
	if (n >= 0 && (size_t)n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* ---- the PEM object iterator ------------------------------------- */

/* called for each complete object: name, its decoded octets */
typedef enum sk_result tls_pem_object_fn(void *arg, struct tls_pem_ctx *x,
    const char *name, const uint8_t *der, size_t len);

/* what tls_pem_each wants decoded: a name test and a bounded buffer */
struct tls_pem_walk {
	int (*wanted)(const char *name);
	tls_pem_object_fn *fn;
	void *arg;
	uint8_t *der;
	size_t cap;
	/* state */
	br_pem_decoder_context pc;
	char name[TLS_PEM_NAME_MAX];
	size_t len;
	int over, inside;
	size_t objects;
};

static void
tls_pem_append(void *ctx, const void *p, size_t n)
{
	struct tls_pem_walk *w = ctx;

	if (w->over || n > w->cap - w->len) {
		w->over = 1;
		return;
	}
	memcpy(w->der + w->len, p, n);
	w->len += n;
}

/* tls_pem_begin - an object starts: decode it only if it is wanted */
static void
tls_pem_begin(struct tls_pem_walk *w)
{
	snprintf(w->name, sizeof(w->name), "%s", br_pem_decoder_name(&w->pc));
	w->len = 0;
	w->over = 0;
	w->inside = 1;
	if (w->wanted(w->name)) {
		br_pem_decoder_setdest(&w->pc, tls_pem_append, w);
	} else {
		br_pem_decoder_setdest(&w->pc, NULL, NULL);
	}
}

/* tls_pem_end - an object ended: hand a wanted one to the callback */
static enum sk_result
tls_pem_end(struct tls_pem_walk *w, struct tls_pem_ctx *x)
{
	w->inside = 0;
	w->objects++;
	if (!w->wanted(w->name)) {
		return SK_OK;
	}
	if (w->over) {
		return tls_pem_fail(x, SK_E_TOO_LONG,
		    "PEM object %zu (%s) larger than %zu octets", w->objects,
		    w->name, w->cap);
	}
	return w->fn(w->arg, x, w->name, w->der, w->len);
}

/* tls_pem_push - feed text to the decoder, acting on each event */
static enum sk_result
tls_pem_push(struct tls_pem_walk *w, struct tls_pem_ctx *x, const uint8_t *p,
    size_t len)
{
	enum sk_result r;
	size_t used;

	while (len > 0) {
		used = br_pem_decoder_push(&w->pc, p, len);
		p += used;
		len -= used;
		switch (br_pem_decoder_event(&w->pc)) {
		case BR_PEM_BEGIN_OBJ:
			tls_pem_begin(w);
			break;
		case BR_PEM_END_OBJ:
			if ((r = tls_pem_end(w, x)) != SK_OK) {
				return r;
			}
			break;
		case BR_PEM_ERROR:
			return tls_pem_fail(x, SK_E_SYNTAX,
			    "PEM syntax error after %zu objects", w->objects);
		default:
			break;
		}
	}
	return SK_OK;
}

/* tls_pem_push_text - the text without its CRs: BearSSL reads only LF
 * line ends, and files edited elsewhere have CRLF */
static enum sk_result
tls_pem_push_text(struct tls_pem_walk *w, struct tls_pem_ctx *x,
    const uint8_t *p, size_t len)
{
	const uint8_t *cr;
	enum sk_result r;
	size_t span;

	while (len > 0) {
		cr = memchr(p, '\r', len);
		span = cr != NULL ? (size_t)(cr - p) : len;
		if ((r = tls_pem_push(w, x, p, span)) != SK_OK) {
			return r;
		}
		span += cr != NULL; /* skip the CR */
		p += span;
		len -= span;
	}
	return SK_OK;
}

/* tls_pem_each - every object of a PEM text, through w->fn */
static enum sk_result
tls_pem_each(struct tls_pem_walk *w, struct tls_pem_ctx *x, const uint8_t *pem,
    size_t len)
{
	static const uint8_t eol[1] = { '\n' };
	enum sk_result r;

	br_pem_decoder_init(&w->pc);
	w->inside = 0;
	w->objects = 0;
	r = tls_pem_push_text(w, x, pem, len);
	/* BearSSL sees an END line only once it is terminated */
	if (r == SK_OK) {
		r = tls_pem_push(w, x, eol, sizeof(eol));
	}
	explicit_bzero(&w->pc, sizeof(w->pc)); /* it buffered key text */
	if (r != SK_OK) {
		return r;
	}
	if (w->inside) {
		return tls_pem_fail(x, SK_E_SYNTAX,
		    "PEM object %s not terminated (no -----END line)", w->name);
	}
	if (w->objects == 0) {
		return tls_pem_fail(x, SK_E_SYNTAX,
		    "not PEM (no -----BEGIN line)");
	}
	return SK_OK;
}

static int
tls_pem_is_cert(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 ||
	    strcmp(name, "X509 CERTIFICATE") == 0;
}

/* ---- certificates ------------------------------------------------ */

/* tls_pem_bits - bit length of a big-endian unsigned integer */
static unsigned
tls_pem_bits(const uint8_t *p, size_t len)
{
	unsigned bits;
	uint8_t top;

	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	if (len == 0) {
		return 0;
	}
	bits = (unsigned)(len - 1) * 8;
	for (top = *p; top != 0; top >>= 1) {
		bits++;
	}
	return bits;
}

/* tls_pem_curve_bits - 256 or 384 for the curves we serve, else 0 */
static unsigned
tls_pem_curve_bits(int curve)
{
	switch (curve) {
	case BR_EC_secp256r1:
		return 256;
	case BR_EC_secp384r1:
		return 384;
	default:
		return 0;
	}
}

/* tls_pem_leaf_key - record and check the leaf's public key */
static enum sk_result
tls_pem_leaf_key(struct tls_chain *c, struct tls_pem_ctx *x,
    const br_x509_pkey *pk)
{
	c->key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		c->key_bits = tls_pem_bits(pk->key.rsa.n, pk->key.rsa.nlen);
		if (pk->key.rsa.nlen + pk->key.rsa.elen > sizeof(c->pub)) {
			return tls_pem_fail(x, SK_E_TOO_LONG,
			    "certificate key too large");
		}
		memcpy(c->pub, pk->key.rsa.n, pk->key.rsa.nlen);
		memcpy(c->pub + pk->key.rsa.nlen, pk->key.rsa.e,
		    pk->key.rsa.elen);
		c->pub_len = pk->key.rsa.nlen;
		c->e_len = pk->key.rsa.elen;
		if (c->key_bits < TLS_RSA_MIN_BITS ||
		    c->key_bits > TLS_RSA_MAX_BITS) {
			return tls_pem_fail(x, SK_E_RANGE,
			    "certificate has an RSA key of %u bits (%u to %u "
			    "supported)",
			    c->key_bits, TLS_RSA_MIN_BITS, TLS_RSA_MAX_BITS);
		}
		return SK_OK;
	}
	c->curve = pk->key.ec.curve;
	c->key_bits = tls_pem_curve_bits(c->curve);
	if (c->key_bits == 0 || pk->key.ec.qlen > sizeof(c->pub)) {
		return tls_pem_fail(x, SK_E_UNKNOWN,
		    "certificate has an EC key on an unsupported curve (%d); "
		    "use P-256 or P-384",
		    c->curve);
	}
	memcpy(c->pub, pk->key.ec.q, pk->key.ec.qlen);
	c->pub_len = pk->key.ec.qlen;
	c->e_len = 0;
	return SK_OK;
}

/* tls_pem_chain_add - one certificate object of a chain file */
static enum sk_result
tls_pem_chain_add(void *arg, struct tls_pem_ctx *x, const char *name,
    const uint8_t *der, size_t len)
{
	struct tls_chain *c = arg;
	char why[TLS_NAMES_ERR_MAX];
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;

	(void)name;
	if (c->n == TLS_CHAIN_MAX) {
		return tls_pem_fail(x, SK_E_TOO_LONG,
		    "more than %d certificates", TLS_CHAIN_MAX);
	}
	if (len > sizeof(c->der) - c->len) {
		return tls_pem_fail(x, SK_E_TOO_LONG,
		    "certificates larger than %zu octets together",
		    sizeof(c->der));
	}
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL) {
		tls_names_error(br_x509_decoder_last_error(&dc), why,
		    sizeof(why));
		return tls_pem_fail(x, SK_E_SYNTAX,
		    "certificate %zu is not usable: %s", c->n + 1, why);
	}
	memcpy(c->der + c->len, der, len);
	c->certs[c->n].data = c->der + c->len;
	c->certs[c->n].data_len = len;
	c->len += len;
	if (c->n++ > 0) {
		return SK_OK;
	}
	c->signer_key_type = br_x509_decoder_get_signer_key_type(&dc);
	return tls_pem_leaf_key(c, x, pk);
}

enum sk_result
tls_pem_chain(struct tls_chain *c, const uint8_t *pem, size_t len,
    const char *what, char *err, size_t errlen)
{
	struct tls_pem_ctx x = { what, err, errlen };
	uint8_t der[TLS_CERT_DER_MAX];
	struct tls_pem_walk w = { .wanted = tls_pem_is_cert,
		.fn = tls_pem_chain_add,
		.arg = c,
		.der = der,
		.cap = sizeof(der) };
	enum sk_result r;

	memset(c, 0, sizeof(*c));
	r = tls_pem_each(&w, &x, pem, len);
	if (r == SK_OK && c->n == 0) {
		r = tls_pem_fail(&x, SK_E_SYNTAX, "no certificate");
	}
	if (r != SK_OK) {
		memset(c, 0, sizeof(*c));
	}
	return r;
}

/* ---- private keys ------------------------------------------------ */

static int
tls_pem_is_key(const char *name)
{
	return strcmp(name, "PRIVATE KEY") == 0 ||
	    strcmp(name, "RSA PRIVATE KEY") == 0 ||
	    strcmp(name, "EC PRIVATE KEY") == 0 ||
	    strcmp(name, "ENCRYPTED PRIVATE KEY") == 0;
}

/* tls_pem_put - copy a key part into k->buf at *off; 0 if it does not fit */
static unsigned char *
tls_pem_put(struct tls_key *k, size_t *off, const void *p, size_t len)
{
	unsigned char *dst = k->buf + *off;

	if (len > sizeof(k->buf) - *off) {
		return NULL;
	}
	memcpy(dst, p, len);
	*off += len;
	return dst;
}

/* tls_pem_key_rsa - copy a decoded RSA key into k, checking its size */
static enum sk_result
tls_pem_key_rsa(struct tls_key *k, struct tls_pem_ctx *x,
    const br_rsa_private_key *sk)
{
	size_t off = 0;

	k->type = BR_KEYTYPE_RSA;
	k->bits = sk->n_bitlen;
	if (k->bits < TLS_RSA_MIN_BITS || k->bits > TLS_RSA_MAX_BITS) {
		return tls_pem_fail(x, SK_E_RANGE,
		    "RSA key of %u bits: %u to %u bits supported", k->bits,
		    TLS_RSA_MIN_BITS, TLS_RSA_MAX_BITS);
	}
	k->rsa.n_bitlen = sk->n_bitlen;
	k->rsa.p = tls_pem_put(k, &off, sk->p, sk->plen);
	k->rsa.q = tls_pem_put(k, &off, sk->q, sk->qlen);
	k->rsa.dp = tls_pem_put(k, &off, sk->dp, sk->dplen);
	k->rsa.dq = tls_pem_put(k, &off, sk->dq, sk->dqlen);
	k->rsa.iq = tls_pem_put(k, &off, sk->iq, sk->iqlen);
	if (k->rsa.p == NULL || k->rsa.q == NULL || k->rsa.dp == NULL ||
	    k->rsa.dq == NULL || k->rsa.iq == NULL) {
		return tls_pem_fail(x, SK_E_TOO_LONG, "RSA key too large");
	}
	k->rsa.plen = sk->plen;
	k->rsa.qlen = sk->qlen;
	k->rsa.dplen = sk->dplen;
	k->rsa.dqlen = sk->dqlen;
	k->rsa.iqlen = sk->iqlen;
	return SK_OK;
}

/* tls_pem_key_ec - copy a decoded EC key into k, checking its curve */
static enum sk_result
tls_pem_key_ec(struct tls_key *k, struct tls_pem_ctx *x,
    const br_ec_private_key *sk)
{
	size_t off = 0;

	k->type = BR_KEYTYPE_EC;
	k->bits = tls_pem_curve_bits(sk->curve);
	if (k->bits == 0) {
		return tls_pem_fail(x, SK_E_UNKNOWN,
		    "EC key on an unsupported curve (%d): use P-256 or P-384",
		    sk->curve);
	}
	k->ec.curve = sk->curve;
	k->ec.x = tls_pem_put(k, &off, sk->x, sk->xlen);
	if (k->ec.x == NULL) {
		return tls_pem_fail(x, SK_E_TOO_LONG, "EC key too large");
	}
	k->ec.xlen = sk->xlen;
	return SK_OK;
}

/* tls_pem_key_add - the first private key object; later ones ignored */
static enum sk_result
tls_pem_key_add(void *arg, struct tls_pem_ctx *x, const char *name,
    const uint8_t *der, size_t len)
{
	struct tls_key *k = arg;
	br_skey_decoder_context dc;
	enum sk_result r;
	int e;

	if (k->type != 0) {
		return SK_OK;
	}
	if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) {
		return tls_pem_fail(x, SK_E_UNKNOWN,
		    "encrypted private key: store it without a passphrase");
	}
	br_skey_decoder_init(&dc);
	br_skey_decoder_push(&dc, der, len);
	e = br_skey_decoder_last_error(&dc);
	if (e == BR_ERR_X509_UNSUPPORTED) {
		r = tls_pem_fail(x, SK_E_UNKNOWN,
		    "private key of an unsupported type (RSA or EC only)");
	} else if (e != 0 || br_skey_decoder_key_type(&dc) == 0) {
		r = tls_pem_fail(x, SK_E_SYNTAX,
		    "%s is not a valid RSA or EC key (BearSSL error %d)", name,
		    e);
	} else if (br_skey_decoder_key_type(&dc) == BR_KEYTYPE_RSA) {
		r = tls_pem_key_rsa(k, x, br_skey_decoder_get_rsa(&dc));
	} else {
		r = tls_pem_key_ec(k, x, br_skey_decoder_get_ec(&dc));
	}
	explicit_bzero(&dc, sizeof(dc));
	return r;
}

enum sk_result
tls_pem_key(struct tls_key *k, const uint8_t *pem, size_t len, const char *what,
    char *err, size_t errlen)
{
	static const char legacy_enc[] = "Proc-Type: 4,ENCRYPTED";
	struct tls_pem_ctx x = { what, err, errlen };
	uint8_t der[TLS_KEY_DER_MAX];
	struct tls_pem_walk w = { .wanted = tls_pem_is_key,
		.fn = tls_pem_key_add,
		.arg = k,
		.der = der,
		.cap = sizeof(der) };
	enum sk_result r;

	memset(k, 0, sizeof(*k));
	/* OpenSSL's old encrypted form has headers BearSSL cannot read */
	if (memmem(pem, len, legacy_enc, sizeof(legacy_enc) - 1) != NULL) {
		return tls_pem_fail(&x, SK_E_UNKNOWN,
		    "encrypted private key: store it without a passphrase");
	}
	r = tls_pem_each(&w, &x, pem, len);
	explicit_bzero(der, sizeof(der));
	if (r == SK_OK && k->type == 0) {
		r = tls_pem_fail(&x, SK_E_SYNTAX, "no private key");
	}
	if (r != SK_OK) {
		tls_key_wipe(k);
	}
	return r;
}

void
tls_key_wipe(struct tls_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

/* tls_pem_trim - skip leading zero octets of a big-endian integer */
static const uint8_t *
tls_pem_trim(const uint8_t *p, size_t *len)
{
	while (*len > 0 && *p == 0) {
		p++;
		(*len)--;
	}
	return p;
}

/*
 * tls_pem_rsa_matches - same modulus, and the certificate's exponent
 * undoes the private key: x^e^d = x for a fixed x < n. (BearSSL's
 * br_rsa_compute_pubexp would be shorter but only works for keys whose
 * primes are 3 mod 4, as BearSSL makes them; OpenSSL's need not be.)
 */
static int
tls_pem_rsa_matches(const struct tls_key *k, const struct tls_chain *c)
{
	uint8_t n[TLS_RSA_MAX_BITS / 8], x[TLS_RSA_MAX_BITS / 8];
	uint8_t want[TLS_RSA_MAX_BITS / 8], e[sizeof(c->pub)];
	br_rsa_public_key pk;
	const uint8_t *kn, *cn;
	size_t nlen, cnlen = c->pub_len, i;

	nlen = br_rsa_compute_modulus_get_default()(NULL, &k->rsa);
	if (nlen == 0 || nlen > sizeof(n)) {
		return 0;
	}
	br_rsa_compute_modulus_get_default()(n, &k->rsa);
	kn = tls_pem_trim(n, &nlen);
	cn = tls_pem_trim(c->pub, &cnlen);
	if (nlen != cnlen || memcmp(kn, cn, nlen) != 0) {
		return 0;
	}
	/* x = 00 01 02 ...: below n, as its first octet is 0 */
	for (i = 0; i < nlen; i++) {
		want[i] = (uint8_t)i;
	}
	memcpy(x, want, nlen);
	memcpy(e, c->pub + c->pub_len, c->e_len);
	pk.n = n + (kn - n);
	pk.nlen = nlen;
	pk.e = e;
	pk.elen = c->e_len;
	return br_rsa_public_get_default()(x, nlen, &pk) == 1 &&
	    br_rsa_private_get_default()(x, &k->rsa) == 1 &&
	    memcmp(x, want, nlen) == 0;
}

/* tls_pem_ec_matches - same curve and public point */
static int
tls_pem_ec_matches(const struct tls_key *k, const struct tls_chain *c)
{
	uint8_t kbuf[BR_EC_KBUF_PUB_MAX_SIZE];
	br_ec_public_key pk;
	size_t len;

	if (k->ec.curve != c->curve) {
		return 0;
	}
	len = br_ec_compute_pub(br_ec_get_default(), &pk, kbuf, &k->ec);
	return len != 0 && pk.qlen == c->pub_len &&
	    memcmp(pk.q, c->pub, pk.qlen) == 0;
}

enum sk_result
tls_pem_key_matches(const struct tls_key *k, const struct tls_chain *c,
    const char *key_what, const char *cert_what, char *err, size_t errlen)
{
	struct tls_pem_ctx x = { key_what, err, errlen };
	int ok;

	if (c->n == 0 || k->type != c->key_type) {
		ok = 0;
	} else if (k->type == BR_KEYTYPE_RSA) {
		ok = tls_pem_rsa_matches(k, c);
	} else {
		ok = tls_pem_ec_matches(k, c);
	}
	if (!ok) {
		return tls_pem_fail(&x, SK_E_RANGE,
		    "key does not match the public key of the certificate in "
		    "%s",
		    cert_what);
	}
	return SK_OK;
}

/* ---- trust anchors ----------------------------------------------- */

struct tls_pem_pool {
	struct tls_anchors *a;
	int over;
};

static void
tls_pem_pool_append(void *ctx, const void *p, size_t n)
{
	struct tls_pem_pool *s = ctx;

	if (s->over || n > s->a->cap - s->a->used) {
		s->over = 1;
		return;
	}
	memcpy(s->a->pool + s->a->used, p, n);
	s->a->used += n;
}

/* tls_pem_pool_copy - n octets into the pool; NULL if they do not fit */
static unsigned char *
tls_pem_pool_copy(struct tls_anchors *a, const void *p, size_t n)
{
	unsigned char *dst = a->pool + a->used;

	if (n > a->cap - a->used) {
		return NULL;
	}
	memcpy(dst, p, n);
	a->used += n;
	return dst;
}

/* tls_pem_anchor_key - copy the decoded key into the pool */
static int
tls_pem_anchor_key(struct tls_anchors *a, br_x509_pkey *dst,
    const br_x509_pkey *pk)
{
	*dst = *pk;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		dst->key.rsa.n =
		    tls_pem_pool_copy(a, pk->key.rsa.n, pk->key.rsa.nlen);
		dst->key.rsa.e =
		    tls_pem_pool_copy(a, pk->key.rsa.e, pk->key.rsa.elen);
		return dst->key.rsa.n != NULL && dst->key.rsa.e != NULL;
	}
	dst->key.ec.q = tls_pem_pool_copy(a, pk->key.ec.q, pk->key.ec.qlen);
	return dst->key.ec.q != NULL;
}

/* tls_pem_anchor_add - one certificate of a CA bundle */
static enum sk_result
tls_pem_anchor_add(void *arg, struct tls_pem_ctx *x, const char *name,
    const uint8_t *der, size_t len)
{
	struct tls_anchors *a = arg;
	struct tls_pem_pool sink = { a, 0 };
	br_x509_trust_anchor *ta;
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	size_t mark = a->used;

	(void)name;
	if (a->n + a->skipped == TLS_CA_MAX) {
		return tls_pem_fail(x, SK_E_TOO_LONG,
		    "more than %d certificates", TLS_CA_MAX);
	}
	ta = &a->ta[a->n];
	br_x509_decoder_init(&dc, tls_pem_pool_append, &sink);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	ta->dn.data = a->pool + mark;
	ta->dn.len = a->used - mark;
	if (pk == NULL || sink.over || !tls_pem_anchor_key(a, &ta->pkey, pk)) {
		a->used = mark; /* not usable by BearSSL: skip it */
		a->skipped++;
		return SK_OK;
	}
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	a->n++;
	return SK_OK;
}

enum sk_result
tls_pem_anchors(struct tls_anchors *a, const uint8_t *pem, size_t len,
    const char *what, char *err, size_t errlen)
{
	struct tls_pem_ctx x = { what, err, errlen };
	uint8_t der[TLS_CERT_DER_MAX];
	struct tls_pem_walk w = { .wanted = tls_pem_is_cert,
		.fn = tls_pem_anchor_add,
		.arg = a,
		.der = der,
		.cap = sizeof(der) };
	enum sk_result r;

	memset(a, 0, sizeof(*a));
	/* Names and keys are parts of the DER, which is shorter than its
	 * base64 text: len octets always hold them all. */
	a->cap = len > 0 ? len : 1;
	a->ta = calloc(TLS_CA_MAX, sizeof(*a->ta));
	a->pool = malloc(a->cap);
	if (a->ta == NULL || a->pool == NULL) {
		tls_anchors_free(a);
		return tls_pem_fail(&x, SK_E_FULL, "out of memory");
	}
	r = tls_pem_each(&w, &x, pem, len);
	if (r == SK_OK && a->n == 0) {
		r = tls_pem_fail(&x, SK_E_SYNTAX,
		    "no usable CA certificate (%zu skipped)", a->skipped);
	}
	if (r != SK_OK) {
		tls_anchors_free(a);
	}
	return r;
}

void
tls_anchors_free(struct tls_anchors *a)
{
	free(a->ta);
	free(a->pool);
	memset(a, 0, sizeof(*a));
}

/* ---- files ------------------------------------------------------- */

/* tls_pem_read_fd - read at most max octets of fd, whole, into *out */
static enum sk_result
tls_pem_read_fd(int fd, size_t max, uint8_t **out, size_t *len,
    struct tls_pem_ctx *x)
{
	struct stat st;
	uint8_t *buf;
	size_t size, got = 0;
	ssize_t n;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		return tls_pem_fail(x, SK_E_IO, "not a regular file");
	}
	if ((uint64_t)st.st_size > max) {
		return tls_pem_fail(x, SK_E_TOO_LONG, "larger than %zu octets",
		    max);
	}
	/* one spare octet tells us if the file grew while we read it */
	size = (size_t)st.st_size + 1;
	if ((buf = malloc(size)) == NULL) {
		return tls_pem_fail(x, SK_E_FULL, "out of memory");
	}
	while (got < size && (n = read(fd, buf + got, size - got)) != 0) {
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			free(buf);
			return tls_pem_fail(x, SK_E_IO, "read: %s",
			    strerror(errno));
		}
		got += (size_t)n;
	}
	if (got == size) {
		free(buf);
		return tls_pem_fail(x, SK_E_IO, "changed while being read");
	}
	*out = buf;
	*len = got;
	return SK_OK;
}

enum sk_result
tls_pem_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
    char *err, size_t errlen)
{
	struct tls_pem_ctx x = { path, err, errlen };
	enum sk_result r;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		return tls_pem_fail(&x, SK_E_IO, "cannot open: %s",
		    strerror(errno));
	}
	r = tls_pem_read_fd(fd, max, out, len, &x);
	close(fd);
	return r;
}

enum sk_result
tls_pem_chain_file(struct tls_chain *c, const char *path, char *err,
    size_t errlen)
{
	enum sk_result r;
	uint8_t *buf;
	size_t len;

	memset(c, 0, sizeof(*c));
	r = tls_pem_read_file(path, TLS_PEM_FILE_MAX, &buf, &len, err, errlen);
	if (r == SK_OK) {
		r = tls_pem_chain(c, buf, len, path, err, errlen);
		free(buf);
	}
	return r;
}

enum sk_result
tls_pem_key_file(struct tls_key *k, const char *path, char *err, size_t errlen)
{
	enum sk_result r;
	uint8_t *buf;
	size_t len;

	memset(k, 0, sizeof(*k));
	r = tls_pem_read_file(path, TLS_PEM_FILE_MAX, &buf, &len, err, errlen);
	if (r == SK_OK) {
		r = tls_pem_key(k, buf, len, path, err, errlen);
		explicit_bzero(buf, len);
		free(buf);
	}
	return r;
}

enum sk_result
tls_pem_anchors_file(struct tls_anchors *a, const char *path, char *err,
    size_t errlen)
{
	enum sk_result r;
	uint8_t *buf;
	size_t len;

	memset(a, 0, sizeof(*a));
	r = tls_pem_read_file(path, TLS_PEM_BUNDLE_MAX, &buf, &len, err,
	    errlen);
	if (r == SK_OK) {
		r = tls_pem_anchors(a, buf, len, path, err, errlen);
		free(buf);
	}
	return r;
}

enum sk_result
tls_pem_path(const char *root, const char *model_path, char *out, size_t size)
{
	size_t rlen = strlen(root);
	int n;

	if (rlen == 0) {
		n = snprintf(out, size, "%s", model_path);
		return n < 0 || (size_t)n >= size ? SK_E_TOO_LONG : SK_OK;
	}
	while (rlen > 0 && root[rlen - 1] == '/') {
		rlen--;
	}
	n = snprintf(out, size, "%.*s%s%s", (int)rlen, root,
	    model_path[0] == '/' ? "" : "/", model_path);
	if (n < 0 || (size_t)n >= size) {
		return SK_E_TOO_LONG;
	}
	return SK_OK;
}
