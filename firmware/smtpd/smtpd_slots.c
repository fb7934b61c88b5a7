/*
 * smtpd_slots.c - the connection table's free slots and the count of
 * connections per client address (smtpd_int.h), both O(1) per accept
 * and per close: a flood of connections must not make each new accept
 * walk every connection the process holds.
 *
 * Free slots are a stack. The counts are an open-addressing hash table
 * (linear probing, deletion by backward shift, so no tombstones pile
 * up) of at least twice connections-total entries, keyed by the
 * address text; the hash is seeded at start, so that a client who picks
 * its addresses (an IPv6 /64 is plenty) cannot aim them at one chain.
 */
#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "smtpd_int.h"

struct smtpd_client_count {
	char ip[SMTPD_IP_TEXT]; /* "" = empty entry */
	uint32_t n;
};

static uint32_t *free_slots;
static size_t nfree;
static struct smtpd_client_count *counts;
static size_t counts_mask; /* table size - 1, a power of two - 1 */
static uint64_t seed;

void
smtpd_slots_free(void)
{
	free(free_slots);
	free(counts);
	free_slots = NULL;
	counts = NULL;
	nfree = 0;
}

void
smtpd_slots_init(size_t maxconns)
{
	size_t size = 2, i;

	smtpd_slots_free();

	while (size < 2 * maxconns) {
		size *= 2;
	}
	free_slots = calloc(maxconns, sizeof(*free_slots));
	counts = calloc(size, sizeof(*counts));
	if (free_slots == NULL || counts == NULL) {
		fatal("no memory for %zu connections", maxconns);
	}
	counts_mask = size - 1;
	for (i = maxconns; i-- > 0;) {
		free_slots[nfree++] = (uint32_t)i; /* slot 0 on top */
	}
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(seed)) {
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	}
}

long
smtpd_slot_take(void)
{
	return nfree > 0 ? (long)free_slots[--nfree] : -1;
}

void
smtpd_slot_put(size_t slot)
{
	free_slots[nfree++] = (uint32_t)slot;
}

/* client_hash - FNV-1a over the seeded state, then a final mix */
static size_t
client_hash(const char *ip)
{
	uint64_t h = 0xcbf29ce484222325u ^ seed;

	while (*ip != '\0') {
		h ^= (uint8_t)*ip++;
		h *= 0x100000001b3u;
	}
	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15u;
	return (size_t)(h ^ (h >> 29));
}

/* client_find - ip's entry, or the empty entry where it would go */
static size_t
client_find(const char *ip)
{
	size_t i = client_hash(ip) & counts_mask;

	while (counts[i].ip[0] != '\0' && strcmp(counts[i].ip, ip) != 0) {
		i = (i + 1) & counts_mask;
	}
	return i;
}

uint32_t
smtpd_client_count(const char *ip)
{
	return counts[client_find(ip)].n;
}

void
smtpd_client_add(const char *ip)
{
	size_t i = client_find(ip);

	/* at most connections-total entries in twice as many: never full */
	if (counts[i].ip[0] == '\0') {
		snprintf(counts[i].ip, sizeof(counts[i].ip), "%s", ip);
	}
	counts[i].n++;
}

void
smtpd_client_del(const char *ip)
{
	size_t i = client_find(ip), j, home;

	if (counts[i].ip[0] == '\0' || --counts[i].n > 0) {
		return;
	}
	/* backward shift: pull later entries of the run into the hole */
	for (j = (i + 1) & counts_mask; counts[j].ip[0] != '\0';
	     j = (j + 1) & counts_mask) {
		home = client_hash(counts[j].ip) & counts_mask;
		/* j's entry may move to i unless its home lies in (i, j] */
		if (((j - home) & counts_mask) >= ((j - i) & counts_mask)) {
			counts[i] = counts[j];
			i = j;
		}
	}
	counts[i].ip[0] = '\0';
	counts[i].n = 0;
}
