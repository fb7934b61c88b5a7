/*
 * check_dkim.c - "sekimori-check dkim-verify", "dkim-sign", "dkim-keygen".
 *
 * Untrusted input: the message on standard input and the zone file (in
 * dkim-verify).  The key file of dkim-sign and dkim-keygen is a secret:
 * it is read once, wiped after use, and written with mode 0600 and
 * O_EXCL (never over an existing file).
 *
 * Line ends: a message whose lines end in a bare LF (a file on disk) is
 * taken in RFC 5322 form, every LF as CRLF.  dkim-sign writes the message
 * back unchanged after the DKIM-Signature field, whose line ends follow
 * the input (LF when the input has no CR at all).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "check.h"
#include "../auth/dkim_sign.h"
#include "../auth/dkim_verify.h"

#define CHECK_TXT_STRING_MAX 255 /* RFC 1035 3.3: one character-string */
#define CHECK_RSA_BITS_DEFAULT 2048

static const char check_dkim_verify_usage[] =
    "usage: sekimori-check dkim-verify [--zone FILE] [--verbose] "
    "< MESSAGE\n";
static const char check_dkim_sign_usage[] =
    "usage: sekimori-check dkim-sign --domain D --selector S --key KEYFILE\n"
    "       [--algorithm rsa-sha256|ed25519-sha256]\n"
    "       [--canonicalization relaxed/relaxed|relaxed/simple|"
    "simple/relaxed|simple/simple] < MESSAGE\n";
static const char check_dkim_keygen_usage[] =
    "usage: sekimori-check dkim-keygen --domain D --selector S\n"
    "       [--algorithm rsa-sha256|ed25519-sha256] [--bits N] "
    "--out KEYFILE\n";

/* check_msg_read - standard input, whole, in both forms (also used by
 * check_dmarc.c) */
int
check_msg_read(const char *cmd, struct check_msg *m)
{
	size_t n, i, o = 0;
	const uint8_t *sep;

	memset(m, 0, sizeof(*m));
	m->raw = malloc(CHECK_MSG_MAX + 1);
	if (m->raw == NULL) {
		fprintf(stderr, "sekimori-check %s: out of memory\n", cmd);
		return -1;
	}
	n = fread(m->raw, 1, CHECK_MSG_MAX + 1, stdin);
	if (ferror(stdin) || n > CHECK_MSG_MAX) {
		fprintf(stderr, "sekimori-check %s: standard input: %s\n", cmd,
		    n > CHECK_MSG_MAX ? "larger than 64 MiB" : "read error");
		return -1;
	}
	m->rawlen = n;
	m->lf_only = memchr(m->raw, '\r', n) == NULL;
	if ((m->crlf = malloc(2 * n + 1)) == NULL) {
		fprintf(stderr, "sekimori-check %s: out of memory\n", cmd);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (m->raw[i] == '\n' && (i == 0 || m->raw[i - 1] != '\r')) {
			m->crlf[o++] = '\r';
		}
		m->crlf[o++] = m->raw[i];
	}
	m->len = o;
	/* the header section ends at the first empty line (RFC 5322 2.1) */
	if (o >= 2 && m->crlf[0] == '\r' && m->crlf[1] == '\n') {
		m->hlen = 0;
		m->body = 2;
		return 0;
	}
	sep = o >= 4 ? memmem(m->crlf, o, "\r\n\r\n", 4) : NULL;
	m->hlen = sep != NULL ? (size_t)(sep - m->crlf) + 2 : o;
	m->body = sep != NULL ? m->hlen + 2 : o;
	return 0;
}

int
check_dkim_verify(int argc, char **argv)
{
	static struct dkim_verify v;
	struct check_msg m;
	struct dns_resolver dns;
	const char *zone = NULL, *verbose = NULL;
	const struct check_opt opts[] = {
		{ "--zone", &zone, 0 },
		{ "--verbose", &verbose, 1 },
	};
	const struct dkim_vsig *s;
	size_t i;
	int pass = 0;

	if (check_opts("dkim-verify", argc, argv, opts, SK_NELEM(opts)) != 0) {
		fputs(check_dkim_verify_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (check_resolver("dkim-verify", zone, &dns) != 0 ||
	    check_msg_read("dkim-verify", &m) != 0) {
		return CHECK_EXIT_USAGE;
	}
	dkim_verify_init(&v, (uint64_t)time(NULL));
	if (dkim_verify_headers(&v, m.crlf, m.hlen) != SK_OK) {
		fprintf(stderr,
		    "sekimori-check dkim-verify: the header "
		    "section is malformed\n");
	}
	(void)dkim_verify_keys(&v, &dns); /* the zone answers at once */
	dkim_verify_update(&v, m.crlf + m.body, m.len - m.body);
	dkim_verify_final(&v);
	for (i = 0; i < v.nsig; i++) {
		s = &v.sig[i];
		printf("d=%s s=%s %s\n", s->sig.d, s->sig.s,
		    dkim_result_str(s->result));
		if (verbose != NULL) {
			fprintf(stderr, "d=%s s=%s: %s (%u-bit key%s)\n",
			    s->sig.d, s->sig.s,
			    s->reason != NULL ? s->reason : "", s->key_bits,
			    s->testing ? ", testing" : "");
		}
		pass |= s->result == DKIM_PASS;
	}
	if (v.nsig == 0) {
		fprintf(stderr,
		    "sekimori-check dkim-verify: no "
		    "DKIM-Signature\n");
	}
	if (v.nskipped > 0) {
		fprintf(stderr,
		    "sekimori-check dkim-verify: %zu signatures "
		    "beyond the first %d not evaluated\n",
		    v.nskipped, DKIM_VERIFY_SIGS_MAX);
	}
	free(m.raw);
	free(m.crlf);
	return pass ? CHECK_EXIT_PASS : CHECK_EXIT_NOPASS;
}

/* check_file - a small whole file (a key) or NULL (also check_arc.c) */
uint8_t *
check_file(const char *cmd, const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "sekimori-check %s: %s: %s\n", cmd, path,
		    strerror(errno));
		return NULL;
	}
	buf = malloc(CHECK_KEY_MAX + 1);
	*len = buf != NULL ? fread(buf, 1, CHECK_KEY_MAX + 1, f) : 0;
	fclose(f);
	if (buf == NULL || *len > CHECK_KEY_MAX) {
		fprintf(stderr, "sekimori-check %s: %s: too large\n", cmd,
		    path);
		if (buf != NULL) {
			explicit_bzero(buf, CHECK_KEY_MAX + 1);
		}
		free(buf);
		return NULL;
	}
	return buf;
}

/* check_alg - the --algorithm value; -1 when unknown */
static int
check_alg(const char *cmd, const char *alg, enum dkim_alg *out)
{
	if (alg == NULL || strcmp(alg, "rsa-sha256") == 0) {
		*out = DKIM_ALG_RSA_SHA256;
	} else if (strcmp(alg, "ed25519-sha256") == 0) {
		*out = DKIM_ALG_ED25519_SHA256;
	} else {
		fprintf(stderr, "sekimori-check %s: unknown algorithm '%s'\n",
		    cmd, alg);
		return -1;
	}
	return 0;
}

/* check_canon - the --canonicalization value, HEADER/BODY (relaxed
 * both without it); -1 when unknown */
static int
check_canon(const char *cmd, const char *c, enum dkim_canon_alg *header,
    enum dkim_canon_alg *body)
{
	static const struct {
		const char *name;
		enum dkim_canon_alg header, body;
	} canons[] = {
		{ "relaxed/relaxed", DKIM_CANON_RELAXED, DKIM_CANON_RELAXED },
		{ "relaxed/simple", DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE },
		{ "simple/relaxed", DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED },
		{ "simple/simple", DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(canons); i++) {
		if (c == NULL || strcmp(c, canons[i].name) == 0) {
			*header = canons[i].header;
			*body = canons[i].body;
			return 0;
		}
	}
	fprintf(stderr, "sekimori-check %s: unknown canonicalization '%s'\n",
	    cmd, c);
	return -1;
}

/* check_names - d= and s= must be domain names (RFC 6376 3.5) */
int
check_names(const char *cmd, const char *d, const char *s)
{
	char tag[2 * DKIM_DOMAIN_MAX + 64];
	static struct dkim_sig sig;

	snprintf(tag, sizeof(tag),
	    "v=1; a=rsa-sha256; d=%s; s=%s; h=from; b=AA==; "
	    "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    d, s);
	/* parsed back as given: "d; x=1" would parse, with a tag added */
	if (strlen(d) > DKIM_DOMAIN_MAX || strlen(s) > DKIM_DOMAIN_MAX ||
	    dkim_sig_parse(&sig, (const uint8_t *)tag, strlen(tag)) != SK_OK ||
	    strcmp(sig.d, d) != 0 || strcmp(sig.s, s) != 0) {
		fprintf(stderr,
		    "sekimori-check %s: --domain and --selector "
		    "must be domain names\n",
		    cmd);
		return -1;
	}
	return 0;
}

/* check_write_lf - write p, with CRLF as LF when lf is set */
void
check_write_lf(const char *p, size_t len, int lf)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (lf && p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			continue;
		}
		putchar(p[i]);
	}
}

int
check_dkim_sign(int argc, char **argv)
{
	static struct dkim_signkey key;
	static struct dkim_sign s;
	static char field[DKIM_SIGN_HEADER_MAX];
	struct check_msg m;
	const char *domain = NULL, *sel = NULL, *keyfile = NULL, *alg = NULL;
	const char *canon = NULL;
	const struct check_opt opts[] = {
		{ "--domain", &domain, 0 },
		{ "--selector", &sel, 0 },
		{ "--key", &keyfile, 0 },
		{ "--algorithm", &alg, 0 },
		{ "--canonicalization", &canon, 0 },
	};
	enum dkim_canon_alg ch, cb;
	enum dkim_alg want;
	uint8_t *pem;
	size_t plen, flen;
	enum sk_result r;

	if (check_opts("dkim-sign", argc, argv, opts, SK_NELEM(opts)) != 0 ||
	    domain == NULL || sel == NULL || keyfile == NULL ||
	    check_alg("dkim-sign", alg, &want) != 0 ||
	    check_canon("dkim-sign", canon, &ch, &cb) != 0 ||
	    check_names("dkim-sign", domain, sel) != 0) {
		fputs(check_dkim_sign_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if ((pem = check_file("dkim-sign", keyfile, &plen)) == NULL) {
		return CHECK_EXIT_USAGE;
	}
	r = dkim_signkey_pem(&key, pem, plen);
	explicit_bzero(pem, plen);
	free(pem);
	if (r != SK_OK) {
		fprintf(stderr,
		    "sekimori-check dkim-sign: %s: no RSA or "
		    "Ed25519 private key in PEM\n",
		    keyfile);
		return CHECK_EXIT_USAGE;
	}
	if (key.alg != want) {
		fprintf(stderr,
		    "sekimori-check dkim-sign: %s: the key does not "
		    "fit --algorithm %s\n",
		    keyfile, alg != NULL ? alg : "rsa-sha256");
		dkim_signkey_wipe(&key);
		return CHECK_EXIT_USAGE;
	}
	if (key.alg == DKIM_ALG_RSA_SHA256 && key.bits < DKIM_RSA_BITS_MIN) {
		fprintf(stderr,
		    "sekimori-check dkim-sign: RSA keys under 1024 "
		    "bits are not acceptable (RFC 8301 3.2)\n");
		dkim_signkey_wipe(&key);
		return CHECK_EXIT_USAGE;
	}
	if (check_msg_read("dkim-sign", &m) != 0) {
		return CHECK_EXIT_USAGE;
	}
	dkim_sign_init(&s, &key, domain, sel, (uint64_t)time(NULL));
	dkim_sign_canon(&s, ch, cb);
	dkim_sign_update(&s, m.crlf + m.body, m.len - m.body);
	r = dkim_sign_final(&s, m.crlf, m.hlen, field, sizeof(field), &flen);
	dkim_signkey_wipe(&key);
	if (r != SK_OK) {
		fprintf(stderr, "sekimori-check dkim-sign: cannot sign: %s\n",
		    sk_result_str(r));
		return CHECK_EXIT_USAGE;
	}
	check_write_lf(field, flen, m.lf_only);
	fwrite(m.raw, 1, m.rawlen, stdout);
	free(m.raw);
	free(m.crlf);
	return fflush(stdout) == 0 ? CHECK_EXIT_PASS : CHECK_EXIT_USAGE;
}

/* check_keygen_rsa - a new RSA key as PEM PKCS#8 into pem */
static size_t
check_keygen_rsa(unsigned bits, char *pem, size_t max)
{
	static uint8_t kpriv[BR_RSA_KBUF_PRIV_SIZE(4096)];
	static uint8_t kpub[BR_RSA_KBUF_PUB_SIZE(4096)];
	static uint8_t d[512], der[4096];
	br_hmac_drbg_context rng;
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	uint8_t seed[48];
	size_t dlen, derlen, n = 0;

	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
		return 0;
	}
	br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	if (br_rsa_keygen_get_default()(&rng.vtable, &sk, kpriv, &pk, kpub,
		bits, 65537) == 0) {
		goto out;
	}
	dlen = br_rsa_compute_privexp_get_default()(d, &sk, 65537);
	derlen =
	    dlen == 0 ? 0 : br_encode_rsa_pkcs8_der(NULL, &sk, &pk, d, dlen);
	if (derlen == 0 || derlen > sizeof(der)) {
		goto out;
	}
	br_encode_rsa_pkcs8_der(der, &sk, &pk, d, dlen);
	n = br_pem_encode(NULL, der, derlen, "PRIVATE KEY", 0);
	n = n < max ? br_pem_encode(pem, der, derlen, "PRIVATE KEY", 0) : 0;
out:
	explicit_bzero(&rng, sizeof(rng));
	explicit_bzero(kpriv, sizeof(kpriv));
	explicit_bzero(d, sizeof(d));
	explicit_bzero(der, sizeof(der));
	return n;
}

/* check_keygen_ed25519 - a new Ed25519 key as PEM PKCS#8 (RFC 8410) */
static size_t
check_keygen_ed25519(char *pem, size_t max)
{
	uint8_t seed[32], der[DKIM_ED25519_PKCS8_LEN];
	size_t n = 0;

	if (getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed)) {
		dkim_ed25519_pkcs8(seed, der);
		n = br_pem_encode(NULL, der, sizeof(der), "PRIVATE KEY", 0);
		n = n < max ?
		    br_pem_encode(pem, der, sizeof(der), "PRIVATE KEY", 0) :
		    0;
	}
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(der, sizeof(der));
	return n;
}

/* check_print_txt - the record, in character-strings of <= 255 octets */
static void
check_print_txt(const char *sel, const char *domain, const char *txt)
{
	size_t i, n = strlen(txt);

	printf("%s._domainkey.%s IN TXT", sel, domain);
	for (i = 0; i < n; i += CHECK_TXT_STRING_MAX) {
		printf(" \"%.*s\"", CHECK_TXT_STRING_MAX, txt + i);
	}
	printf("\n");
}

int
check_dkim_keygen(int argc, char **argv)
{
	static struct dkim_signkey key;
	static char pem[16384], txt[2048];
	const char *domain = NULL, *sel = NULL, *alg = NULL, *bits_s = NULL;
	const char *out = NULL;
	const struct check_opt opts[] = {
		{ "--domain", &domain, 0 },
		{ "--selector", &sel, 0 },
		{ "--algorithm", &alg, 0 },
		{ "--bits", &bits_s, 0 },
		{ "--out", &out, 0 },
	};
	enum dkim_alg want;
	unsigned long bits = CHECK_RSA_BITS_DEFAULT;
	char *end;
	size_t n;
	int fd;
	ssize_t w;

	if (check_opts("dkim-keygen", argc, argv, opts, SK_NELEM(opts)) != 0 ||
	    domain == NULL || sel == NULL || out == NULL ||
	    check_alg("dkim-keygen", alg, &want) != 0 ||
	    check_names("dkim-keygen", domain, sel) != 0) {
		fputs(check_dkim_keygen_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (bits_s != NULL) {
		errno = 0;
		bits = strtoul(bits_s, &end, 10);
		if (want != DKIM_ALG_RSA_SHA256 || *end != '\0' || errno != 0 ||
		    bits < DKIM_RSA_BITS_MIN || bits > DKIM_RSA_BITS_MAX) {
			fprintf(stderr,
			    "sekimori-check dkim-keygen: --bits is "
			    "for RSA, %d to %d (RFC 8301 3.2)\n",
			    DKIM_RSA_BITS_MIN, DKIM_RSA_BITS_MAX);
			return CHECK_EXIT_USAGE;
		}
	}
	/* refuse to overwrite: O_EXCL, and private from the start */
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "sekimori-check dkim-keygen: %s: %s\n", out,
		    strerror(errno));
		return CHECK_EXIT_USAGE;
	}
	n = want == DKIM_ALG_RSA_SHA256 ?
	    check_keygen_rsa((unsigned)bits, pem, sizeof(pem)) :
	    check_keygen_ed25519(pem, sizeof(pem));
	if (n == 0 ||
	    dkim_signkey_pem(&key, (const uint8_t *)pem, n) != SK_OK ||
	    dkim_signkey_txt(&key, txt, sizeof(txt)) == 0 ||
	    (w = write(fd, pem, n)) != (ssize_t)n || fsync(fd) != 0) {
		fprintf(stderr,
		    "sekimori-check dkim-keygen: %s: cannot make "
		    "or write the key\n",
		    out);
		explicit_bzero(pem, sizeof(pem));
		dkim_signkey_wipe(&key);
		close(fd);
		unlink(out);
		return CHECK_EXIT_USAGE;
	}
	explicit_bzero(pem, sizeof(pem));
	dkim_signkey_wipe(&key);
	if (close(fd) != 0) {
		fprintf(stderr, "sekimori-check dkim-keygen: %s: %s\n", out,
		    strerror(errno));
		unlink(out);
		return CHECK_EXIT_USAGE;
	}
	check_print_txt(sel, domain, txt);
	return CHECK_EXIT_PASS;
}
