/*
 * smtp_relay.c - relay control and message direction (see smtp_relay.h).
 */
#include <string.h>
#include <sys/socket.h>

#include "smtp_relay.h"

/* RFC 4291 2.5.5.2: ::ffff:0:0/96 holds IPv4 addresses. */
static const uint8_t smtp_relay_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff };

/*
 * smtp_relay_unmap - family, address and prefix length with an
 * IPv4-mapped IPv6 address (and a mapped prefix of /96 or more) turned
 * into IPv4. len may be NULL for a plain address.
 */
static int
smtp_relay_unmap(int family, const uint8_t in[16], unsigned *len,
    uint8_t out[16])
{
	memcpy(out, in, 16);
	if (family != AF_INET6 ||
	    memcmp(in, smtp_relay_v4mapped, sizeof(smtp_relay_v4mapped)) != 0 ||
	    (len != NULL && *len < 96)) {
		return family;
	}
	memset(out, 0, 16);
	memcpy(out, in + 12, 4);
	if (len != NULL) {
		*len -= 96;
	}
	return AF_INET;
}

/* smtp_relay_prefix - whether the first len bits of a and net agree */
static int
smtp_relay_prefix(const uint8_t *a, const uint8_t *net, unsigned len)
{
	unsigned bytes = len / 8, bits = len % 8;
	uint8_t mask;

	if (memcmp(a, net, bytes) != 0) {
		return 0;
	}
	if (bits == 0) {
		return 1;
	}
	mask = (uint8_t)(0xff << (8 - bits));
	return (a[bytes] & mask) == (net[bytes] & mask);
}

/* smtp_relay_in_net - whether client (already unmapped) is in n */
static int
smtp_relay_in_net(int family, const uint8_t *addr,
    const struct smtp_relay_net *n)
{
	uint8_t net[16];
	unsigned len = n->len;
	int nfamily = smtp_relay_unmap(n->family, n->addr, &len, net);

	if (nfamily != family) {
		return 0;
	}
	if (len > (family == AF_INET ? 32u : 128u)) {
		return 0;
	}
	return smtp_relay_prefix(addr, net, len);
}

/* smtp_relay_internal - whether client is in one of the internal nets */
int
smtp_relay_internal(const struct smtp_relay_conf *c,
    const struct smtp_ip *client)
{
	uint8_t addr[16];
	int family;
	size_t i;

	if (client == NULL ||
	    (client->family != AF_INET && client->family != AF_INET6)) {
		return 0;
	}
	family = smtp_relay_unmap(client->family, client->addr, NULL, addr);
	for (i = 0; i < c->nnets; i++) {
		if (smtp_relay_in_net(family, addr, &c->nets[i])) {
			return 1;
		}
	}
	return 0;
}

/* smtp_relay_direction - OUTBOUND if authenticated or internal */
enum smtp_relay_dir
smtp_relay_direction(const struct smtp_relay_conf *c,
    const struct smtp_ip *client, int authenticated)
{
	return authenticated || smtp_relay_internal(c, client) ?
	    SMTP_RELAY_OUTBOUND :
	    SMTP_RELAY_INBOUND;
}

/*
 * smtp_relay_ascii_eq - a and b equal over n octets, ASCII letters
 * compared without case and every other octet exactly (no locale).
 */
static int
smtp_relay_ascii_eq(const char *a, const char *b, size_t n)
{
	size_t i;
	unsigned char x, y;

	for (i = 0; i < n; i++) {
		x = (unsigned char)a[i];
		y = (unsigned char)b[i];
		x = x >= 'A' && x <= 'Z' ? (unsigned char)(x + 32) : x;
		y = y >= 'A' && y <= 'Z' ? (unsigned char)(y + 32) : y;
		if (x != y) {
			return 0;
		}
	}
	return 1;
}

/* smtp_relay_domain_eq - a[0..alen) and b name the same domain */
static int
smtp_relay_domain_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen > 0 && a[alen - 1] == '.') {
		alen--;
	}
	if (blen > 0 && b[blen - 1] == '.') {
		blen--;
	}
	return alen == blen && alen > 0 && smtp_relay_ascii_eq(a, b, alen);
}

/* smtp_relay_find - the relay domain called domain[0..len), or NULL */
const struct smtp_relay_domain *
smtp_relay_find(const struct smtp_relay_conf *c, const char *domain, size_t len)
{
	size_t i;

	for (i = 0; i < c->ndomains; i++) {
		if (c->domains[i].name != NULL &&
		    smtp_relay_domain_eq(domain, len, c->domains[i].name)) {
			return &c->domains[i];
		}
	}
	return NULL;
}

/* smtp_relay_local_eq - local parts equal, ASCII case-insensitively */
static int
smtp_relay_local_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strnlen(b, SMTP_RELAY_LOCAL_SIZE);

	return alen == blen && smtp_relay_ascii_eq(a, b, alen);
}

/* smtp_relay_known - whether rcpt's local part is known in d */
static int
smtp_relay_known(const struct smtp_relay_domain *d,
    const struct smtp_addr *rcpt)
{
	size_t i;

	/* RFC 5321 4.5.1: postmaster MUST be accepted. */
	if (smtp_relay_local_eq(rcpt->local, rcpt->locallen, "postmaster")) {
		return 1;
	}
	if (!d->known_recipients_only) {
		return 1;
	}
	for (i = 0; i < d->nknown; i++) {
		if (smtp_relay_local_eq(rcpt->local, rcpt->locallen,
			d->known[i])) {
			return 1;
		}
	}
	return 0;
}

/* smtp_relay_check - the decision on one parsed recipient */
void
smtp_relay_check(const struct smtp_relay_conf *c, const struct smtp_ip *client,
    int authenticated, const struct smtp_addr *rcpt,
    struct smtp_relay_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->reply = SMTP_R_NONE;
	v->dir = smtp_relay_direction(c, client, authenticated);
	v->tricks = smtp_addr_is_relay_trick(rcpt);
	/* RFC 5321 4.1.1.3: "<Postmaster>" MUST be accepted. */
	if (rcpt->flags & SMTP_ADDR_F_POSTMASTER) {
		return;
	}
	if (!(rcpt->flags & SMTP_ADDR_F_LITERAL)) {
		v->domain = smtp_relay_find(c, rcpt->domain, rcpt->domainlen);
	}
	if (v->dir == SMTP_RELAY_INBOUND) {
		if (v->tricks != 0) {
			v->reply = SMTP_R_ADDR_TRICK;
			return;
		}
		if (v->domain == NULL) {
			v->reply = SMTP_R_RELAY_DENIED;
			return;
		}
	}
	if (v->domain != NULL && !smtp_relay_known(v->domain, rcpt)) {
		v->reply = SMTP_R_USER_UNKNOWN;
	}
}

/* smtp_relay_dir_name - "inbound" or "outbound" */
const char *
smtp_relay_dir_name(enum smtp_relay_dir d)
{
	switch (d) {
	case SMTP_RELAY_INBOUND:
		return "inbound";
	case SMTP_RELAY_OUTBOUND:
		return "outbound";
	}
	return "?";
}

/* smtp_relay_rcpt_check - the session's rcpt_check hook */
enum smtp_reply_id
smtp_relay_rcpt_check(void *arg, const struct smtp_addr *rcpt,
    const struct smtp_rcpt_params *p, int authenticated)
{
	struct smtp_relay_hook *h = arg;

	(void)p;
	smtp_relay_check(h->conf, &h->client, authenticated, rcpt, &h->last);
	return h->last.reply;
}
