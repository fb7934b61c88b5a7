/*
 * fuzz_zone.c - libFuzzer target for the RFC 1035 master file parser and
 * the zone resolver.
 *
 * The input is a zone file.  It must parse or fail cleanly within the
 * storage given; when it parses, every record's owner is queried for every
 * type, and each answer must stay within its limits.
 */
#include <string.h>

#include "dns_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_RR_MAX 256
#define FUZZ_DATA_MAX 65536
#define FUZZ_QUERY_MAX 32 /* owners queried per input */

static struct dns_zone z;
static struct dns_zone_rr rr[FUZZ_RR_MAX];
static uint8_t zdata[FUZZ_DATA_MAX];
static struct dns_answer ans;

static const enum dns_type fuzz_types[] = {
	DNS_T_A,
	DNS_T_AAAA,
	DNS_T_MX,
	DNS_T_PTR,
	DNS_T_TXT,
	DNS_T_CNAME,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_resolver res;
	char name[DNS_TEXT_NAME_MAX + 2];
	size_t i, t, k;

	dns_zone_init(&z, rr, FUZZ_RR_MAX, zdata, sizeof(zdata));
	if (dns_zone_parse(&z, data, size) != SK_OK) {
		return 0;
	}
	dns_zone_resolver(&z, &res);
	for (i = 0; i < z.nrr && i < FUZZ_QUERY_MAX; i++) {
		if (z.rr[i].owner_len > DNS_TEXT_NAME_MAX) {
			__builtin_trap(); /* the parser let a long name in */
		}
		memcpy(name, z.data + z.rr[i].owner_off, z.rr[i].owner_len);
		name[z.rr[i].owner_len] = '\0';
		for (t = 0; t < sizeof(fuzz_types) / sizeof(fuzz_types[0]);
		     t++) {
			(void)dns_query(&res, name, fuzz_types[t], &ans, NULL,
			    NULL);
			if (ans.nrr > DNS_ANSWER_RR_MAX ||
			    ans.used > sizeof(ans.data)) {
				__builtin_trap();
			}
			for (k = 0; k < ans.nrr; k++) {
				if (ans.rr[k].off + ans.rr[k].len >= ans.used) {
					__builtin_trap();
				}
			}
		}
	}
	return 0;
}
