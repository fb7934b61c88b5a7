/*
 * dns_zone.h - a resolver backend that answers from an RFC 1035 master file.
 *
 * Untrusted input: the zone file (an operator's or a test's).  The parser is
 * sans-I/O and strict: it takes the whole file as (buf, len), writes records
 * into storage that the caller owns and hands in with dns_zone_init(), never
 * allocates, and stops at the first error with its line number.
 *
 * Supported (RFC 1035 5.1): $ORIGIN, $TTL, owner names relative to the
 * origin, "@", a blank owner meaning the previous one, TTL and class IN in
 * either order, parentheses across lines, ";" comments, quoted strings,
 * escapes \X and \DDD (also in names, except an escaped "."); types A, AAAA,
 * MX, PTR, CNAME, TXT (several character-strings), and NS and SOA, which are
 * checked and ignored. $INCLUDE is refused (the parser does no I/O).
 *
 * Answers: names absent from the zone are NXDOMAIN; a present name without
 * records of the type is NODATA; CNAMEs are followed for up to
 * DNS_CNAME_MAX links (a loop is SERVFAIL); a name with a TXT record whose
 * text is exactly SEKIMORI-TEMPFAIL answers SERVFAIL to every query of a
 * type it has no other records of: with the marker alone, to every query.
 * The marker itself is never an answer.
 * Query names are matched ASCII case-insensitively.
 */
#ifndef SK_DNS_ZONE_H
#define SK_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define DNS_ZONE_ENTRY_MAX 8192      /* local limit: decoded octets per entry */
#define DNS_ZONE_TOKENS_MAX 256      /* local limit: tokens per entry */
#define DNS_ZONE_TTL_MAX 2147483647u /* RFC 2181 8: TTL is 31 bits */
#define DNS_ZONE_TEMPFAIL "SEKIMORI-TEMPFAIL"

struct dns_zone_rr {
	size_t owner_off; /* owner name (text, no final dot) in data */
	size_t owner_len;
	enum dns_type type;
	uint32_t ttl;
	uint16_t pref;     /* MX */
	uint16_t nstrings; /* TXT */
	size_t off;        /* name or text in data */
	size_t len;
	uint8_t addr[16];
};

struct dns_zone_tok {
	size_t off; /* in scratch */
	size_t len;
	int quoted;
	int esc_dot; /* an escape gave a "." (refused in names) */
	int escaped; /* some octet came from an escape */
};

struct dns_zone {
	/* storage, owned by the caller */
	struct dns_zone_rr *rr;
	size_t nrr;
	size_t rr_max;
	uint8_t *data;
	size_t used;
	size_t data_max;

	/* parser state */
	size_t line;     /* line of the error, 1-based */
	const char *err; /* what was wrong, a static string */
	char origin[DNS_TEXT_NAME_MAX + 2];
	char owner[DNS_TEXT_NAME_MAX + 2];
	uint32_t ttl;
	int have_ttl;
	struct dns_zone_tok tok[DNS_ZONE_TOKENS_MAX];
	size_t ntok;
	uint8_t scratch[DNS_ZONE_ENTRY_MAX];
	size_t scratch_used;
	struct dns_zone_tok *cur; /* token being read */
};

/* dns_zone_init - hand in storage for rr_max records and data_max octets */
void dns_zone_init(struct dns_zone *z, struct dns_zone_rr *rr, size_t rr_max,
    uint8_t *data, size_t data_max);

/*
 * dns_zone_parse - parse a whole master file into z.
 * Returns SK_OK, SK_E_SYNTAX, SK_E_TOO_LONG (a limit of RFC 1035 2.3.4 or a
 * local one), SK_E_UNKNOWN (a type or class not supported) or SK_E_FULL
 * (the caller's storage); z->line and z->err say where and what.
 */
enum sk_result dns_zone_parse(struct dns_zone *z, const uint8_t *buf,
    size_t len);

/* dns_zone_resolver - a resolver answering from the parsed zone z */
void dns_zone_resolver(struct dns_zone *z, struct dns_resolver *r);

#endif /* SK_DNS_ZONE_H */
