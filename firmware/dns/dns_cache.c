/*
 * dns_cache.c - the answer cache of the live resolver (dns_cache.h).
 *
 * Untrusted input: names (from mail) and answers (from the network, already
 * parsed).  Memory is bounded by max_entries and max_bytes; each entry is
 * one allocation holding its records, data and key.
 */
#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"

struct dns_cache_entry {
	struct dns_cache_entry *chain;         /* next in the bucket */
	struct dns_cache_entry *newer, *older; /* the LRU list */
	uint64_t expires;                      /* ms on the caller's clock */
	size_t size;                           /* octets, for the byte limit */
	uint32_t hash;
	enum dns_type type;
	enum dns_status status;
	int truncated;
	size_t nrr, used, namelen;
	uint8_t *data; /* after rr[] in the same allocation */
	char *name;    /* after data */
	struct dns_rr rr[];
};

/* a key: the name folded to lower case, without its final dot */
struct cache_key {
	char name[DNS_TEXT_NAME_MAX + 1];
	size_t len;
	uint32_t hash;
	enum dns_type type;
};

/* cache_key_make - fold name and hash it with the type and the seed */
static int
cache_key_make(const struct dns_cache *c, const char *name, enum dns_type type,
    struct cache_key *k)
{
	size_t len = strlen(name), i;
	uint32_t h = 2166136261u ^ c->seed; /* FNV-1a */
	char ch;

	if (len > 0 && name[len - 1] == '.') {
		len--;
	}
	if (len > DNS_TEXT_NAME_MAX) {
		return -1;
	}
	for (i = 0; i < len; i++) {
		ch = name[i];
		if (ch >= 'A' && ch <= 'Z') {
			ch = (char)(ch - 'A' + 'a');
		}
		k->name[i] = ch;
		h = (h ^ (uint8_t)ch) * 16777619u;
	}
	k->name[len] = '\0';
	k->len = len;
	k->type = type;
	k->hash = (h ^ (uint32_t)type) * 16777619u;
	return 0;
}

static struct dns_cache_entry **
cache_bucket(struct dns_cache *c, uint32_t hash)
{
	return &c->bucket[hash & (DNS_CACHE_BUCKETS - 1)];
}

/* cache_find - the entry of key k, or NULL */
static struct dns_cache_entry *
cache_find(struct dns_cache *c, const struct cache_key *k)
{
	struct dns_cache_entry *e;

	for (e = *cache_bucket(c, k->hash); e != NULL; e = e->chain) {
		if (e->hash == k->hash && e->type == k->type &&
		    e->namelen == k->len &&
		    memcmp(e->name, k->name, k->len) == 0) {
			return e;
		}
	}
	return NULL;
}

/* cache_lru_unlink - take e out of the LRU list */
static void
cache_lru_unlink(struct dns_cache *c, struct dns_cache_entry *e)
{
	if (e->newer != NULL) {
		e->newer->older = e->older;
	} else {
		c->newest = e->older;
	}
	if (e->older != NULL) {
		e->older->newer = e->newer;
	} else {
		c->oldest = e->newer;
	}
	e->newer = e->older = NULL;
}

/* cache_lru_front - make e the most recently used */
static void
cache_lru_front(struct dns_cache *c, struct dns_cache_entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL) {
		c->newest->newer = e;
	} else {
		c->oldest = e;
	}
	c->newest = e;
}

/* cache_remove - unlink e from its bucket and the LRU list, and free it */
static void
cache_remove(struct dns_cache *c, struct dns_cache_entry *e)
{
	struct dns_cache_entry **p = cache_bucket(c, e->hash);

	while (*p != e) {
		p = &(*p)->chain;
	}
	*p = e->chain;
	cache_lru_unlink(c, e);
	c->entries--;
	c->bytes -= e->size;
	free(e);
}

/* dns_cache_init - an empty cache of at most max_entries and max_bytes */
void
dns_cache_init(struct dns_cache *c, size_t max_entries, size_t max_bytes,
    uint32_t seed)
{
	memset(c, 0, sizeof(*c));
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	c->seed = seed;
}

/* dns_cache_free - drop every entry */
void
dns_cache_free(struct dns_cache *c)
{
	while (c->oldest != NULL) {
		cache_remove(c, c->oldest);
	}
}

/* dns_cache_get - a live entry of (name, type) into ans */
int
dns_cache_get(struct dns_cache *c, const char *name, enum dns_type type,
    uint64_t now_ms, struct dns_answer *ans)
{
	struct dns_cache_entry *e;
	struct cache_key k;
	uint64_t left;
	size_t i;

	if (cache_key_make(c, name, type, &k) != 0 ||
	    (e = cache_find(c, &k)) == NULL) {
		return 0;
	}
	if (now_ms >= e->expires) {
		cache_remove(c, e);
		return 0;
	}
	cache_lru_unlink(c, e);
	cache_lru_front(c, e);
	ans->status = e->status;
	ans->truncated = e->truncated;
	ans->nrr = e->nrr;
	memcpy(ans->rr, e->rr, e->nrr * sizeof(e->rr[0]));
	ans->used = e->used;
	memcpy(ans->data, e->data, e->used);
	if (e->used == 0) {
		ans->data[0] = '\0';
	}
	/* what is left of the TTL, rounded up: never 0 while still kept */
	left = (e->expires - now_ms + 999) / 1000;
	for (i = 0; i < ans->nrr; i++) {
		if (ans->rr[i].ttl > left) {
			ans->rr[i].ttl = (uint32_t)left;
		}
	}
	return 1;
}

/* cache_make_room - evict the least recently used until size fits */
static void
cache_make_room(struct dns_cache *c, size_t size)
{
	while (c->oldest != NULL &&
	    (c->entries >= c->max_entries || c->bytes + size > c->max_bytes)) {
		cache_remove(c, c->oldest);
	}
}

/* dns_cache_put - keep ans for (name, type) for ttl seconds */
enum sk_result
dns_cache_put(struct dns_cache *c, const char *name, enum dns_type type,
    const struct dns_answer *ans, uint32_t ttl, uint64_t now_ms)
{
	struct dns_cache_entry *e;
	struct cache_key k;
	size_t size;

	if (cache_key_make(c, name, type, &k) != 0 || c->max_entries == 0) {
		return SK_E_FULL;
	}
	size = sizeof(*e) + ans->nrr * sizeof(e->rr[0]) + ans->used + k.len + 1;
	if (size > c->max_bytes) {
		return SK_E_FULL;
	}
	if ((e = cache_find(c, &k)) != NULL) {
		cache_remove(c, e);
	}
	cache_make_room(c, size);
	if ((e = malloc(size)) == NULL) {
		return SK_E_FULL;
	}
	memset(e, 0, sizeof(*e));
	e->size = size;
	e->hash = k.hash;
	e->type = type;
	e->status = ans->status;
	e->truncated = ans->truncated;
	e->expires = now_ms + (uint64_t)ttl * 1000;
	e->nrr = ans->nrr;
	e->used = ans->used;
	e->namelen = k.len;
	e->data = (uint8_t *)&e->rr[ans->nrr];
	e->name = (char *)e->data + ans->used;
	memcpy(e->rr, ans->rr, ans->nrr * sizeof(e->rr[0]));
	memcpy(e->data, ans->data, ans->used);
	memcpy(e->name, k.name, k.len + 1);
	e->chain = *cache_bucket(c, k.hash);
	*cache_bucket(c, k.hash) = e;
	cache_lru_front(c, e);
	c->entries++;
	c->bytes += size;
	return SK_OK;
}

static uint32_t
cache_clamp(uint32_t ttl, uint32_t max)
{
	if (ttl > max) {
		ttl = max;
	}
	return ttl < DNS_CACHE_TTL_MIN ? DNS_CACHE_TTL_MIN : ttl;
}

/* dns_cache_ttl - seconds to keep a result of status s */
uint32_t
dns_cache_ttl(enum dns_status s, const struct dns_reply *info)
{
	switch (s) {
	case DNS_ANSWER:
		return cache_clamp(info != NULL ? info->ttl : 0,
		    DNS_CACHE_TTL_MAX);
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		/* RFC 2308 5: without a SOA there is no negative TTL */
		return cache_clamp(info != NULL && info->ttl_known ? info->ttl :
								     0,
		    DNS_CACHE_NEG_TTL_MAX);
	default:
		/* RFC 2308 7.1: server failures, briefly */
		return DNS_CACHE_FAIL_TTL;
	}
}
