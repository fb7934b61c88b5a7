/*
 * check_arc.c - "sekimori-check arc-verify" and "arc-seal" (RFC 8617).
 *
 * Untrusted input: the message on standard input and the zone file.  The
 * key file of arc-seal is a secret: read once, wiped after use.
 * Messages are read as dkim-verify reads them (bare LF taken as CRLF);
 * arc-seal writes its three fields with the input's line ends, then the
 * message unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "../auth/arc.h"
#include "../auth/authres.h"

static const char check_arc_verify_usage[] =
    "usage: sekimori-check arc-verify [--zone FILE] < MESSAGE\n";
static const char check_arc_seal_usage[] =
    "usage: sekimori-check arc-seal --domain D --selector S --key KEYFILE\n"
    "       --authserv-id ID [--zone FILE] < MESSAGE\n";

/* check_arc_run - verify m into v through dns */
static void
check_arc_run(struct arc_verify *v, const struct check_msg *m,
    const struct dns_resolver *dns)
{
	arc_verify_init(v, (uint64_t)time(NULL));
	(void)arc_verify_headers(v, m->crlf, m->hlen);
	(void)arc_verify_keys(v, dns); /* the zone answers at once */
	arc_verify_update(v, m->crlf + m->body, m->len - m->body);
	arc_verify_final(v);
}

int
check_arc_verify(int argc, char **argv)
{
	struct arc_verify *v;
	struct check_msg m;
	struct dns_resolver dns;
	const char *zone = NULL;
	const struct check_opt opts[] = {
		{ "--zone", &zone, 0 },
	};
	const struct arc_set *set;
	unsigned i;
	int rc;

	if (check_opts("arc-verify", argc, argv, opts, SK_NELEM(opts)) != 0) {
		fputs(check_arc_verify_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (check_resolver("arc-verify", zone, &dns) != 0 ||
	    check_msg_read("arc-verify", &m) != 0) {
		return CHECK_EXIT_USAGE;
	}
	if ((v = malloc(sizeof(*v))) == NULL) {
		fprintf(stderr, "sekimori-check arc-verify: out of memory\n");
		return CHECK_EXIT_USAGE;
	}
	check_arc_run(v, &m, &dns);
	printf("arc=%s\n", arc_result_str(v->result));
	for (i = v->nsets; i >= 1; i--) {
		set = &v->set[i - 1];
		printf("i=%u as=%s d=%s s=%s ams=%s d=%s s=%s\n", i,
		    dkim_result_str(set->as.result), set->as.sig.d,
		    set->as.sig.s, dkim_result_str(set->ams.result),
		    set->ams.sig.d, set->ams.sig.s);
	}
	if (v->oldest_pass_known) {
		printf("oldest-pass=%u\n", v->oldest_pass);
	}
	printf("reason=%s\n", v->reason != NULL ? v->reason : "");
	rc = v->result == ARC_PASS ? CHECK_EXIT_PASS : CHECK_EXIT_NOPASS;
	free(v);
	free(m.raw);
	free(m.crlf);
	return rc;
}

/* check_arc_ar - the A-R of this check: the ARC result only (the
 * operator tool has no SPF or DKIM context of a session) */
static int
check_arc_ar(const struct arc_verify *v, const char *id, char *out, size_t max,
    size_t *len)
{
	struct authres_builder b;

	authres_begin(&b, out, max, "Authentication-Results", 0, id);
	authres_arc(&b, arc_result_str(v->result), NULL, v->oldest_pass_known,
	    v->oldest_pass);
	return authres_end(&b, len) == SK_OK ? 0 : -1;
}

/* check_arc_key - the PEM key file into k (RSA of 1024 bits or more, or
 * Ed25519); 0, or -1 after saying why */
static int
check_arc_key(const char *path, struct dkim_signkey *k)
{
	uint8_t *pem;
	size_t n;
	enum sk_result r;

	if ((pem = check_file("arc-seal", path, &n)) == NULL) {
		return -1;
	}
	r = dkim_signkey_pem(k, pem, n);
	explicit_bzero(pem, n);
	free(pem);
	if (r == SK_OK && k->alg == DKIM_ALG_RSA_SHA256 &&
	    k->bits < DKIM_RSA_BITS_MIN) {
		dkim_signkey_wipe(k);
		r = SK_E_RANGE; /* RFC 8301 3.2 */
	}
	if (r != SK_OK) {
		fprintf(stderr,
		    "sekimori-check arc-seal: %s: no usable RSA (1024 bits "
		    "or more) or Ed25519 private key in PEM\n",
		    path);
		return -1;
	}
	return 0;
}

int
check_arc_seal(int argc, char **argv)
{
	static struct dkim_signkey key;
	static char out[ARC_SEAL_MAX], ar[1024];
	struct arc_verify *v;
	struct arc_seal *s;
	struct check_msg m;
	struct dns_resolver dns;
	const char *domain = NULL, *sel = NULL, *keyfile = NULL, *id = NULL;
	const char *zone = NULL;
	const struct check_opt opts[] = {
		{ "--domain", &domain, 0 },
		{ "--selector", &sel, 0 },
		{ "--key", &keyfile, 0 },
		{ "--authserv-id", &id, 0 },
		{ "--zone", &zone, 0 },
	};
	size_t arlen, olen;
	enum sk_result r;

	if (check_opts("arc-seal", argc, argv, opts, SK_NELEM(opts)) != 0 ||
	    domain == NULL || sel == NULL || keyfile == NULL || id == NULL ||
	    check_names("arc-seal", domain, sel) != 0) {
		fputs(check_arc_seal_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (check_arc_key(keyfile, &key) != 0) {
		return CHECK_EXIT_USAGE;
	}
	if (check_resolver("arc-seal", zone, &dns) != 0 ||
	    check_msg_read("arc-seal", &m) != 0 ||
	    (v = malloc(sizeof(*v))) == NULL ||
	    (s = malloc(sizeof(*s))) == NULL) {
		dkim_signkey_wipe(&key);
		return CHECK_EXIT_USAGE;
	}
	check_arc_run(v, &m, &dns);
	r = SK_E_SYNTAX;
	if (check_arc_ar(v, id, ar, sizeof(ar), &arlen) == 0) {
		arc_seal_init(s, &key, domain, sel, (uint64_t)time(NULL));
		arc_seal_update(s, m.crlf + m.body, m.len - m.body);
		r = arc_seal_final(s, v, m.crlf, m.hlen, ar, arlen, out,
		    sizeof(out), &olen);
	}
	dkim_signkey_wipe(&key);
	if (r != SK_OK) {
		fprintf(stderr, "sekimori-check arc-seal: cannot seal: %s\n",
		    r == SK_E_RANGE ? "the chain has 50 sets (or the key "
				      "cannot sign)" :
				      sk_result_str(r));
		return CHECK_EXIT_USAGE;
	}
	check_write_lf(out, olen, m.lf_only);
	fwrite(m.raw, 1, m.rawlen, stdout);
	free(v);
	free(s);
	free(m.raw);
	free(m.crlf);
	return fflush(stdout) == 0 ? CHECK_EXIT_PASS : CHECK_EXIT_USAGE;
}
