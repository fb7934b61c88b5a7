/*
 * smtp_received.h - the Received header field the relay prepends to
 * each message (RFC 5321 4.4, RFC 5322 3.6.7).
 *
 *   Received: from HELO (NAME [ADDR])
 *   <TAB>by SERVER (Sekimori) with PROTOCOL
 *   <TAB>(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256
 *   <TAB>(128/128 bits)) id QUEUEID for <rcpt@example.com>;
 *   <TAB>Tue, 25 Nov 2026 10:00:00 +0100
 *
 * Clauses in the order of RFC 5321 4.4's Stamp; the TLS comment sits
 * where a CFWS may. Where the lines break depends on the lengths.
 *
 * Security-sensitive: most values came from the network (HELO, the
 * reverse DNS name, the recipient). They were validated by their
 * parsers; this formatter still refuses or neutralizes anything that
 * would change the header's structure:
 *   - HELO: used as the from-domain only when it is a valid Domain or
 *     address literal (RFC 5321 4.1.2/4.1.3). Anything else (Windows'
 *     "WIN_PC", a word with parentheses) becomes
 *     "from unknown (NAME [ADDR] helo=TEXT)": inside a comment, '(' ')'
 *     and '\' are escaped with '\' (RFC 5322 3.2.2 quoted-pair), and
 *     every octet that is not printable ASCII (or, in an SMTPUTF8
 *     transaction, part of valid UTF-8) is written as '?'.
 *   - NAME (reverse DNS) must be an ASCII host name, else "unknown".
 *   - SERVER, QUEUEID, the TLS version and cipher names are ours: if one
 *     is not of its expected form the result is SK_E_SYNTAX, not a
 *     header with something broken in it.
 *   - The recipient must be free of CR, LF and other controls, and
 *     ASCII unless the transaction used SMTPUTF8 (RFC 6532 3.2), else
 *     SK_E_SYNTAX.
 *
 * Decisions:
 *   - "for <rcpt>" only when the message has exactly one recipient: with
 *     more, naming one would tell each the others' addresses (RFC 5321
 *     7.6).
 *   - The AUTH user name is never written (unlike Postfix's
 *     smtpd_sasl_authenticated_header, off by default too): it is an
 *     account name and a target for password guessing, and the header
 *     travels to every recipient. The protocol's "A" says that the
 *     client authenticated; the log has the name.
 *   - PROTOCOL (RFC 3848, RFC 6531 3.7.3): SMTP after HELO; after EHLO
 *     ESMTP, +S with TLS, +A authenticated (ESMTPS, ESMTPA, ESMTPSA);
 *     UTF8SMTP, UTF8SMTPS, UTF8SMTPA, UTF8SMTPSA when the transaction
 *     used SMTPUTF8. HELO over implicit TLS stays "SMTP" (no registered
 *     name); the TLS comment still says it.
 *   - IPv6 addresses are written "[IPv6:...]" (RFC 5321 4.1.3) in the
 *     RFC 5952 form, formatted here (not by inet_ntop, whose output
 *     differs between C libraries); IPv4-mapped addresses as IPv4.
 *   - Folding: between clauses where possible, else between words,
 *     lines at most SMTP_RECEIVED_LINE_MAX octets (RFC 5322 2.1.1
 *     SHOULD). A word is never split, so a line holding a single word
 *     longer than that (a 255-octet HELO) is longer; every word is
 *     bounded, far below the 998 of the MUST.
 *   - The date is RFC 5322 3.3 with a numeric zone, from the time and
 *     offset the caller passes: the output depends on the inputs only.
 */
#ifndef SK_SMTP_RECEIVED_H
#define SK_SMTP_RECEIVED_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"
#include "smtp_addr.h"
#include "smtp_relay.h"

#define SMTP_RECEIVED_LINE_MAX 78 /* RFC 5322 2.1.1, CRLF not counted */
#define SMTP_RECEIVED_MAX 2048    /* the whole field: holds the longest */
#define SMTP_RECEIVED_QID_MAX 64  /* queue id: 1..64 letters and digits */
#define SMTP_RECEIVED_TLS_MAX 64  /* TLS version and cipher names */

struct smtp_received {
	const char *helo;        /* EHLO/HELO argument, NUL-ended */
	const char *client_name; /* verified reverse name; NULL: unknown */
	struct smtp_ip client;   /* the peer's address */
	const char *server;      /* our host name */
	int esmtp;               /* EHLO (1) or HELO (0) */
	int tls;                 /* the session is under TLS */
	int authenticated;       /* AUTH succeeded (the user is not shown) */
	int utf8;                /* the transaction used SMTPUTF8 */
	const char *tls_version; /* "TLSv1.2" (tls only) */
	const char *tls_cipher;  /* "ECDHE-RSA-AES128-GCM-SHA256" */
	unsigned tls_bits;       /* effective bits, 128 */
	unsigned tls_alg_bits;   /* the algorithm's bits, 128 */
	const char *queue_id;    /* NULL: no id clause */
	const struct smtp_addr *rcpt; /* the only recipient, or NULL */
	int64_t time;                 /* seconds since 1970-01-01 UTC */
	int tz_minutes; /* local offset east of UTC, -1439..1439 */
};

/*
 * smtp_received_format - the whole field, "Received: ...\r\n" folded,
 * NUL-ended, into out[cap]; *len is its length without the NUL.
 * SK_E_SYNTAX (a value that cannot go into the header, see above),
 * SK_E_RANGE (time or offset out of range), SK_E_FULL (cap too small).
 * On error out is "" and *len 0.
 */
enum sk_result smtp_received_format(const struct smtp_received *r, char *out,
    size_t cap, size_t *len);

/* smtp_received_protocol - "SMTP", "ESMTPSA", "UTF8SMTPS"... */
const char *smtp_received_protocol(int esmtp, int tls, int authenticated,
    int utf8);

/*
 * smtp_received_ip - "192.0.2.1" or the RFC 5952 text of an IPv6 address
 * (an IPv4-mapped one as IPv4) into out[cap]; SK_E_SYNTAX for family 0,
 * SK_E_FULL if it does not fit. *v6 (may be NULL) says which it was.
 */
enum sk_result smtp_received_ip(const struct smtp_ip *ip, char *out, size_t cap,
    int *v6);

#endif /* SK_SMTP_RECEIVED_H */
