/*
 * smtp_relay.h - relay control: whether a recipient is accepted, and
 * the direction of the message (the rcpt_check hook of the session).
 *
 * Security-sensitive: this is what keeps the box from being an open
 * relay. It decides from the parsed recipient (smtp_addr.h, with its
 * relay-trick flags), whether the session authenticated, the client's
 * address and the relay part of the config. Pure: no I/O, no
 * allocation; the config arrays are the caller's and are only read.
 *
 * The rules, in order (first match wins):
 *   1. "<Postmaster>" without a domain is accepted from anyone
 *      (RFC 5321 4.1.1.3: MUST). So is postmaster@ a relay domain,
 *      whatever its known-recipient list says (RFC 5321 4.5.1).
 *   2. From outside (not authenticated, not from an internal network):
 *      a. a relay trick ('%', '!' or a quoted '@' in the local part) is
 *         refused, 553 5.7.1, even for a relay domain: the next hop may
 *         read "user%other@relay-domain" as a route and relay it on;
 *      b. a domain that is not a relay domain is refused, 554 5.7.1
 *         "Relay access denied": the code and text of Postfix's
 *         reject_unauth_destination (relay_domains_reject_code = 554).
 *         Address literals are never relay domains.
 *   3. A relay domain with known-recipients-only accepts only its known
 *      local parts (ASCII case-insensitive; other octets exact), else
 *      550 5.1.1 "User unknown" (Postfix's
 *      unknown_relay_recipient_reject_code). This applies to
 *      authenticated and internal clients too: the mail would bounce.
 *   4. Everything else is accepted: a relay domain from anyone; any
 *      domain, literal included, from an authenticated or internal
 *      client (outbound).
 *
 * Relay tricks from an authenticated or internal client are accepted
 * and delivered as written: to the real domain the parser found (the
 * one after the last '@' outside quotes), with the local part, '%',
 * '!' and quotes included, unchanged. Whatever the receiving server
 * makes of it is its business, as for any outbound mail; it never makes
 * us relay for someone who is not allowed to. Source routes are never
 * tricks here: smtp_addr drops the route (RFC 5321 4.1.1.3, appendix
 * C), so only the real domain is looked at and used.
 *
 * Domains match exactly: case-insensitive, a trailing dot ignored, never
 * as a suffix (sub.example.com is not example.com: the model has no
 * subdomain option for relay domains). Relay domains are A-labels (the
 * model's sk-t:mail-domain); an SMTPUTF8 recipient with a U-label domain
 * does not match its A-label form (no IDNA conversion here yet).
 *
 * Direction: a property of the client, not of one recipient. OUTBOUND
 * when the session authenticated or the client is in an internal
 * network (the organization sending: DKIM signing, no SPF/DMARC
 * verdicts), else INBOUND (only relay domains are accepted). The
 * verdict also says whether the recipient is in a relay domain.
 *
 * Client addresses: an IPv4-mapped IPv6 address (::ffff:a.b.c.d, from
 * a dual-stack socket) is treated as the IPv4 address; so is an
 * internal network written as a mapped prefix (::ffff:10.0.0.0/104).
 */
#ifndef SK_SMTP_RELAY_H
#define SK_SMTP_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "smtp_addr.h"
#include "smtp_param.h"
#include "smtp_reply.h"

/* One known local part, as config.h stores them (CONFIG_LOCAL_SIZE). */
#define SMTP_RELAY_LOCAL_SIZE (SMTP_ADDR_LOCAL_MAX + 1)

/* An IP address: AF_INET (addr[0..3]) or AF_INET6; family 0 is none
 * (a local socket), which is never internal. */
struct smtp_ip {
	int family;
	uint8_t addr[16]; /* network byte order */
};

/* A relay domain: config's relay_domains[i] with its known recipients. */
struct smtp_relay_domain {
	const char *name; /* lower case, no trailing dot, A-labels */
	int known_recipients_only;
	const char (*known)[SMTP_RELAY_LOCAL_SIZE]; /* dot-atoms */
	size_t nknown;
};

/* An internal network: address and prefix length (config_ip). */
struct smtp_relay_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned len;
};

struct smtp_relay_conf {
	const struct smtp_relay_domain *domains;
	size_t ndomains;
	const struct smtp_relay_net *nets;
	size_t nnets;
};

enum smtp_relay_dir {
	SMTP_RELAY_INBOUND = 1, /* from outside: to relay domains only */
	SMTP_RELAY_OUTBOUND,    /* authenticated or internal client */
};

struct smtp_relay_verdict {
	enum smtp_reply_id reply;               /* SMTP_R_NONE: accepted */
	enum smtp_relay_dir dir;                /* the message's direction */
	const struct smtp_relay_domain *domain; /* the rcpt's, or NULL */
	unsigned tricks; /* smtp_addr_is_relay_trick of the rcpt */
};

/* smtp_relay_internal - whether client is in one of the internal nets */
int smtp_relay_internal(const struct smtp_relay_conf *c,
    const struct smtp_ip *client);

/* smtp_relay_direction - OUTBOUND if authenticated or internal */
enum smtp_relay_dir smtp_relay_direction(const struct smtp_relay_conf *c,
    const struct smtp_ip *client, int authenticated);

/* smtp_relay_find - the relay domain called domain[0..len), or NULL */
const struct smtp_relay_domain *smtp_relay_find(const struct smtp_relay_conf *c,
    const char *domain, size_t len);

/* smtp_relay_check - the decision on one parsed recipient, into *v */
void smtp_relay_check(const struct smtp_relay_conf *c,
    const struct smtp_ip *client, int authenticated,
    const struct smtp_addr *rcpt, struct smtp_relay_verdict *v);

/* smtp_relay_dir_name - "inbound" or "outbound", for logs */
const char *smtp_relay_dir_name(enum smtp_relay_dir d);

/*
 * The session's rcpt_check hook (smtp_session_conf.rcpt_check, with
 * rcpt_arg pointing at a struct smtp_relay_hook the caller owns per
 * connection). After each call, last holds the full verdict for the
 * log line.
 */
struct smtp_relay_hook {
	const struct smtp_relay_conf *conf;
	struct smtp_ip client;
	struct smtp_relay_verdict last;
};

enum smtp_reply_id smtp_relay_rcpt_check(void *arg,
    const struct smtp_addr *rcpt, const struct smtp_rcpt_params *p,
    int authenticated);

#endif /* SK_SMTP_RELAY_H */
