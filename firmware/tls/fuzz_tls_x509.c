/*
 * fuzz_tls_x509.c - libFuzzer target for what reads a peer's
 * certificate: the DER reader and RFC 6125 matching (tls_x509.h), and
 * the X.509 engine our client gives BearSSL (tls_peer.h), fed the input
 * as a one-certificate chain in chunks.
 *
 * The first octet: bit 0 enforce (policy verify), bits 1-7 the chunk
 * size. Invariants: views stay inside the input, the iterator finds as
 * many DNS names as the parser counted, a name that matches a host is
 * that host or a wildcard over its parent, the engine never verifies
 * without anchors and never refuses a decodable leaf when not enforcing.
 */
#include <stdlib.h>
#include <string.h>

#include "tls_peer.h"
#include "tls_x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const hosts[] = { "mx.example.org", "example.org",
	"a.b.example.org" };

static void
check_inside(const uint8_t *p, size_t len, const uint8_t *base, size_t size)
{
	if (p != NULL &&
	    (p < base || len > size || p - base > (long)(size - len))) {
		abort();
	}
}

/* check_names - parse, walk and match */
static void
check_names(const uint8_t *der, size_t len)
{
	struct tls_x509_info info;
	struct tls_x509_iter it;
	const uint8_t *name;
	size_t n, count = 0, i;

	if (tls_x509_parse(der, len, &info) != SK_OK) {
		return;
	}
	check_inside(info.cn, info.cn_len, der, len);
	check_inside(info.san, info.san_len, der, len);
	tls_x509_dns_first(&info, &it);
	while (tls_x509_dns_next(&it, &name, &n)) {
		check_inside(name, n, der, len);
		count++;
	}
	if (count != info.ndns || info.not_before < -62135596800LL) {
		abort();
	}
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		(void)tls_x509_host_ok(&info, hosts[i]);
	}
}

/* check_match - the input as a presented name */
static void
check_match(const uint8_t *p, size_t len)
{
	if (!tls_x509_match(p, len, "mx.example.org")) {
		return;
	}
	while (len > 0 && p[len - 1] == '.') {
		len--;
	}
	/* "mx.example.org" (any case) or "*.example.org" */
	if (len != 14 && !(len == 13 && p[0] == '*')) {
		abort();
	}
}

/* check_engine - the input as the server's chain */
static void
check_engine(const uint8_t *der, size_t len, int enforce, size_t chunk)
{
	static struct tls_peer p;
	const br_x509_class **ctx = &p.vtable;
	const br_x509_pkey *pk;
	unsigned err, usages;
	size_t off;

	tls_peer_init(&p, NULL, enforce);
	tls_peer_add_name(&p, "mx.example.org");
	p.vtable->start_chain(ctx, "mx.example.org");
	p.vtable->start_cert(ctx, (uint32_t)len);
	for (off = 0; off < len; off += chunk) {
		p.vtable->append(ctx, der + off,
		    len - off < chunk ? len - off : chunk);
	}
	p.vtable->end_cert(ctx);
	err = p.vtable->end_chain(ctx);
	pk = p.vtable->get_pkey(ctx, &usages);
	if (tls_peer_verified(&p) || (enforce && err == 0) ||
	    (err == 0 && pk == NULL)) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk;

	if (size < 1) {
		return 0;
	}
	chunk = (size_t)(data[0] >> 1) + 1;
	check_names(data + 1, size - 1);
	check_match(data + 1, size - 1);
	check_engine(data + 1, size - 1, data[0] & 1, chunk);
	return 0;
}
