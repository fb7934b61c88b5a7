/*
 * smtp_addr.h - RFC 5321 4.1.2 Reverse-path and Forward-path parser.
 *
 * Security-sensitive: this parses addresses straight from the network
 * (MAIL FROM, RCPT TO) and its answer decides where mail goes. It is the
 * opposite of the in-place parser behind CVE-2020-7247: it never
 * modifies its input, never allocates, and copies a canonical form of
 * the address into the caller's struct. Inputs it refuses never get
 * further than an SK_E_* result.
 *
 * Grammar (RFC 5321 4.1.2, RFC 6531 3.3 for SMTPUTF8):
 *   Path        = "<" [ A-d-l ":" ] Mailbox ">"
 *   A-d-l       = At-domain *( "," At-domain ), At-domain = "@" Domain
 *   Mailbox     = Local-part "@" ( Domain / address-literal )
 *   Local-part  = Dot-string / Quoted-string
 * plus "<>" (reverse-path only) and "<Postmaster>" (forward-path only,
 * RFC 5321 4.1.1.3; case-insensitive).
 *
 * Decisions:
 *   - Source routes (A-d-l) are accepted, each route domain is checked
 *     for syntax, and the route is dropped (RFC 5321 4.1.1.3 and
 *     appendix C: "SHOULD ignore"); SMTP_ADDR_F_ROUTE records that one
 *     was present. The address's real domain is the Mailbox's.
 *   - The local part is stored in canonical form: the quoted-string's
 *     content when it is a valid Dot-string is stored unquoted
 *     ("a.b"@x -> a.b@x); otherwise it stays quoted, with a backslash
 *     only before '"' and '\'. Thus local "@" domain is always a valid,
 *     unambiguous RFC 5321 Mailbox: a quoted '@' can never become a
 *     separator by being written out and read again.
 *   - Domains are lower-cased (ASCII only). Address literals are checked
 *     (RFC 5321 4.1.3) and written in canonical form: "[192.0.2.1]",
 *     "[IPv6:2001:db8::1]". General-address-literals (other tags) are
 *     refused: no such tag is in use.
 *   - Octets >= 0x80 are allowed only with SMTP_ADDR_OPT_UTF8 (the MAIL
 *     command carried SMTPUTF8, RFC 6531 3.4), and then only as strict
 *     UTF-8 (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF) in
 *     the local part and the domain. Without the option they give
 *     SK_E_RANGE, which the server answers 553 5.6.7; invalid UTF-8
 *     with it is a plain SK_E_SYNTAX.
 *   - "%" and "!" are legal atext, and "@" is legal in a quoted local
 *     part: the parser accepts them, reports the real domain, and sets
 *     SMTP_ADDR_F_PERCENT, F_BANG and F_QUOTED_AT so that relay control
 *     can refuse them (smtp_addr_is_relay_trick).
 *
 * Results: SK_OK; SK_E_SYNTAX; SK_E_TOO_LONG (a limit below);
 * SK_E_RANGE (an octet >= 0x80 without SMTPUTF8).
 */
#ifndef SK_SMTP_ADDR_H
#define SK_SMTP_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define SMTP_ADDR_LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define SMTP_ADDR_DOMAIN_MAX 255 /* RFC 5321 4.5.3.1.2 */
#define SMTP_ADDR_LABEL_MAX 63   /* RFC 1035 2.3.4, via RFC 5321 2.3.5 */
#define SMTP_ADDR_PATH_MAX 256   /* RFC 5321 4.5.3.1.3, "<" ">" counted */

/* options for smtp_addr_parse */
#define SMTP_ADDR_OPT_NULL_OK 0x1    /* reverse-path: "<>" allowed */
#define SMTP_ADDR_OPT_POSTMASTER 0x2 /* forward-path: "<Postmaster>" */
#define SMTP_ADDR_OPT_UTF8 0x4       /* SMTPUTF8 given: RFC 6531 */

/* what was found */
#define SMTP_ADDR_F_NULL 0x001       /* "<>" */
#define SMTP_ADDR_F_POSTMASTER 0x002 /* "<Postmaster>", no domain */
#define SMTP_ADDR_F_QUOTED 0x004     /* local part was a quoted-string */
#define SMTP_ADDR_F_LITERAL 0x008    /* domain is an address literal */
#define SMTP_ADDR_F_IPV6 0x010       /* ... an IPv6 one; ip[] has 16 */
#define SMTP_ADDR_F_UTF8 0x020       /* non-ASCII octets present */
#define SMTP_ADDR_F_ROUTE 0x040      /* a source route was dropped */
#define SMTP_ADDR_F_PERCENT 0x100    /* '%' in the local part */
#define SMTP_ADDR_F_BANG 0x200       /* '!' in the local part */
#define SMTP_ADDR_F_QUOTED_AT 0x400  /* '@' in a quoted local part */
#define SMTP_ADDR_F_TRICKS \
	(SMTP_ADDR_F_PERCENT | SMTP_ADDR_F_BANG | SMTP_ADDR_F_QUOTED_AT)

struct smtp_addr {
	char local[SMTP_ADDR_LOCAL_MAX + 1]; /* canonical, NUL-ended */
	size_t locallen;
	char domain[SMTP_ADDR_DOMAIN_MAX + 1]; /* canonical, NUL-ended */
	size_t domainlen;
	uint8_t ip[16]; /* literal: IPv4 in ip[0..3], or IPv6 */
	unsigned flags;
};

/*
 * smtp_addr_parse - parse one Path occupying exactly buf[0..len).
 * On error *a holds nothing useful (flags 0, empty strings).
 */
enum sk_result smtp_addr_parse(const uint8_t *buf, size_t len, unsigned opts,
    struct smtp_addr *a);

/*
 * smtp_addr_is_relay_trick - the relay-trick flags of a parsed address:
 * '%' (percent hack), '!' (bang path) or a quoted '@' in its local part.
 * Relay control refuses such recipients unless they are local.
 */
unsigned smtp_addr_is_relay_trick(const struct smtp_addr *a);

/* smtp_utf8_valid - whether buf[0..len) is strict UTF-8 (RFC 3629 4) */
int smtp_utf8_valid(const uint8_t *buf, size_t len);

/*
 * smtp_utf8_seq - length of the strict UTF-8 sequence at buf[0..len)
 * that starts with an octet >= 0x80, or 0 if it is not valid.
 */
size_t smtp_utf8_seq(const uint8_t *buf, size_t len);

#endif /* SK_SMTP_ADDR_H */
