/*
 * dns_cache.h - the answer cache of the live resolver.
 *
 * Keys are (name, type), the name compared ASCII case-insensitively and
 * without its final dot.  An entry holds a whole struct dns_answer in
 * compact form (its records and data only) and an expiry time on the
 * caller's millisecond clock (the event loop's, so tests can move it).
 * The cache is bounded both in entries and in bytes; when full, the least
 * recently used entries go first.  Expired entries are dropped when they
 * are next looked up or when their room is needed.
 *
 * How long an answer is kept is decided here (dns_cache_ttl), once for
 * all callers:
 *   - an answer: its TTL (the minimum over the records and the CNAME
 *     chain), at most DNS_CACHE_TTL_MAX;
 *   - NXDOMAIN and NODATA: the SOA's min(TTL, MINIMUM) (RFC 2308 5), at
 *     most DNS_CACHE_NEG_TTL_MAX; without a SOA, DNS_CACHE_TTL_MIN;
 *   - SERVFAIL and timeouts: DNS_CACHE_FAIL_TTL (RFC 2308 7 allows up to
 *     five minutes);
 *   - never less than DNS_CACHE_TTL_MIN: evaluators are re-run from the
 *     start when an answer arrives (dns.h) and must find the answers of
 *     their earlier steps still there, TTL 0 and failures included.
 *
 * Ownership: the caller owns struct dns_cache; entries are allocated with
 * malloc, at most max_bytes in all, and freed by dns_cache_free.
 */
#ifndef SK_DNS_CACHE_H
#define SK_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "dns_reply.h"

#define DNS_CACHE_ENTRIES_MAX 4096     /* local limit: entries */
#define DNS_CACHE_BYTES_MAX (4u << 20) /* local limit: octets of entries */
#define DNS_CACHE_BUCKETS 1024         /* hash buckets, a power of two */
#define DNS_CACHE_TTL_MIN 30           /* seconds: see above */
#define DNS_CACHE_TTL_MAX 86400        /* seconds: a day, then ask again */
#define DNS_CACHE_NEG_TTL_MAX 900      /* seconds: 15 minutes */
#define DNS_CACHE_FAIL_TTL 30          /* seconds: SERVFAIL and timeouts */

struct dns_cache_entry;

struct dns_cache {
	struct dns_cache_entry *bucket[DNS_CACHE_BUCKETS];
	struct dns_cache_entry *newest, *oldest; /* the LRU list */
	size_t entries, bytes;
	size_t max_entries, max_bytes;
	uint32_t seed; /* of the hash, so names cannot be chosen to collide */
};

/* dns_cache_init - an empty cache of at most max_entries and max_bytes */
void dns_cache_init(struct dns_cache *c, size_t max_entries, size_t max_bytes,
    uint32_t seed);

/* dns_cache_free - drop every entry */
void dns_cache_free(struct dns_cache *c);

/*
 * dns_cache_get - the answer for (name, type) into ans if there is one that
 * has not expired at now_ms: returns 1, ans holds it, and each record's
 * ttl is cut to the seconds left.  Otherwise 0 and ans is untouched.
 */
int dns_cache_get(struct dns_cache *c, const char *name, enum dns_type type,
    uint64_t now_ms, struct dns_answer *ans);

/*
 * dns_cache_put - keep ans for (name, type) for ttl seconds from now_ms,
 * replacing an older entry.  SK_E_FULL when it cannot be kept (larger than
 * the whole cache, or no memory); the cache is unchanged then.
 */
enum sk_result dns_cache_put(struct dns_cache *c, const char *name,
    enum dns_type type, const struct dns_answer *ans, uint32_t ttl,
    uint64_t now_ms);

/* dns_cache_ttl - seconds to keep a result of status s (see the top);
 * info is the parser's for answers, NULL for timeouts and failures */
uint32_t dns_cache_ttl(enum dns_status s, const struct dns_reply *info);

#endif /* SK_DNS_CACHE_H */
