/*
 * tls_peer.c - X.509 engine: br_x509_minimal for the verdict, the leaf
 * decoded on the side for its key and names (see tls_peer.h for why).
 */
#include <stdio.h>
#include <string.h>

#include "tls_names.h"
#include "tls_peer.h"
#include "tls_x509.h"

/* BearSSL hands the engine a pointer to its vtable field, our first */
static struct tls_peer *
tls_peer_of(const br_x509_class **ctx)
{
	return (struct tls_peer *)(void *)ctx;
}

static const br_x509_class **
tls_peer_inner(struct tls_peer *p)
{
	return &p->minimal.vtable;
}

static void
tls_peer_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_peer *p = tls_peer_of(ctx);

	/* No name for br_x509_minimal: it can check only one, and we
	 * accept several (tls_peer_end_chain). */
	(void)server_name;
	p->minimal.vtable->start_chain(tls_peer_inner(p), NULL);
	p->certs = 0;
	p->chain_err = BR_ERR_X509_EMPTY_CHAIN;
	p->name_ok = 0;
	p->leaf_over = 0;
	p->leaf_len = 0;
	p->leaf_key = NULL;
}

static void
tls_peer_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_peer *p = tls_peer_of(ctx);

	p->minimal.vtable->start_cert(tls_peer_inner(p), length);
	if (p->certs++ == 0) {
		p->leaf_over = length > sizeof(p->leaf);
	}
}

static void
tls_peer_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_peer *p = tls_peer_of(ctx);

	p->minimal.vtable->append(tls_peer_inner(p), buf, len);
	if (p->certs != 1) {
		return;
	}
	if (p->leaf_over || len > sizeof(p->leaf) - p->leaf_len) {
		p->leaf_over = 1;
		return;
	}
	memcpy(p->leaf + p->leaf_len, buf, len);
	p->leaf_len += len;
}

static void
tls_peer_end_cert(const br_x509_class **ctx)
{
	struct tls_peer *p = tls_peer_of(ctx);

	p->minimal.vtable->end_cert(tls_peer_inner(p));
	/* The leaf is decoded whole, in one push: br_x509_decoder must not
	 * be pushed more once it has failed (its machine has stopped). */
	if (p->certs == 1 && !p->leaf_over) {
		br_x509_decoder_init(&p->leaf_dc, NULL, NULL);
		br_x509_decoder_push(&p->leaf_dc, p->leaf, p->leaf_len);
		p->leaf_key = br_x509_decoder_get_pkey(&p->leaf_dc);
	}
}

/* tls_peer_names_ok - the leaf names one of the accepted names */
static int
tls_peer_names_ok(const struct tls_peer *p)
{
	struct tls_x509_info info;
	size_t i;

	if (p->leaf_over ||
	    tls_x509_parse(p->leaf, p->leaf_len, &info) != SK_OK) {
		return 0;
	}
	for (i = 0; i < p->nnames; i++) {
		if (tls_x509_host_ok(&info, p->names[i])) {
			return 1;
		}
	}
	return 0;
}

static unsigned
tls_peer_end_chain(const br_x509_class **ctx)
{
	struct tls_peer *p = tls_peer_of(ctx);
	int err;

	p->chain_err = (int)p->minimal.vtable->end_chain(tls_peer_inner(p));
	if (p->certs == 0) {
		return BR_ERR_X509_EMPTY_CHAIN;
	}
	/* a leaf too large for our buffer: br_x509_minimal's key, which
	 * it hands out when the chain verified or only lacks an anchor */
	if (p->leaf_over) {
		p->leaf_key =
		    p->minimal.vtable->get_pkey((const br_x509_class *const *)
						    tls_peer_inner(p),
			NULL);
	}
	/* without the leaf's key no handshake can go on, in any mode */
	if (p->leaf_key == NULL) {
		err = p->leaf_over ? p->chain_err :
				     br_x509_decoder_last_error(&p->leaf_dc);
		return err != 0 ? (unsigned)err : BR_ERR_X509_TRUNCATED;
	}
	p->name_ok = tls_peer_names_ok(p);
	if (!p->enforce) {
		return 0;
	}
	if (p->chain_err != 0) {
		return (unsigned)p->chain_err;
	}
	return p->name_ok ? 0 : BR_ERR_X509_BAD_SERVER_NAME;
}

static const br_x509_pkey *
tls_peer_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct tls_peer *p = (const struct tls_peer *)(const void *)ctx;

	if (p->enforce) {
		return p->minimal.vtable->get_pkey(&p->minimal.vtable, usages);
	}
	/* opportunistic: whatever the certificate says about key usage */
	if (usages != NULL) {
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	}
	return p->leaf_key;
}

const br_x509_class tls_peer_vtable = {
	sizeof(struct tls_peer),
	tls_peer_start_chain,
	tls_peer_start_cert,
	tls_peer_append,
	tls_peer_end_cert,
	tls_peer_end_chain,
	tls_peer_get_pkey,
};

void
tls_peer_init(struct tls_peer *p, const struct tls_anchors *anchors,
    int enforce)
{
	memset(p, 0, sizeof(*p));
	p->vtable = &tls_peer_vtable;
	p->enforce = enforce;
	p->anchored = anchors != NULL && anchors->n > 0;
	br_x509_minimal_init_full(&p->minimal, p->anchored ? anchors->ta : NULL,
	    p->anchored ? anchors->n : 0);
	p->chain_err = BR_ERR_X509_EMPTY_CHAIN;
}

void
tls_peer_add_name(struct tls_peer *p, const char *name)
{
	if (p->nnames < TLS_PEER_NAMES_MAX && name != NULL && name[0] != '\0') {
		p->names[p->nnames++] = name;
	}
}

int
tls_peer_verified(const struct tls_peer *p)
{
	return p->anchored && p->certs > 0 && p->chain_err == 0 && p->name_ok;
}

void
tls_peer_reason(const struct tls_peer *p, char *out, size_t size)
{
	if (tls_peer_verified(p)) {
		snprintf(out, size, "verified");
	} else if (p->certs == 0) {
		snprintf(out, size, "no certificate");
	} else if (!p->anchored) {
		snprintf(out, size, "not checked (no CA bundle)");
	} else if (p->chain_err != 0) {
		tls_names_error(p->chain_err, out, size);
	} else if (p->leaf_over) {
		snprintf(out, size, "certificate too large to check its names");
	} else {
		snprintf(out, size, "certificate does not name %s%s",
		    p->nnames > 0 ? p->names[0] : "the server",
		    p->nnames > 1 ? " nor a match-name" : "");
	}
}
