/*
 * psl_org.c - the organizational domain over the list compiled in at
 * build time (psl_default_table, generated from Debian's publicsuffix
 * data by psl_gen).  Apart from psl.c so that the generator, which links
 * psl.c, needs no table.
 */
#include "psl.h"

/* psl_org_domain - RFC 7489 3.2 with the whole compiled-in list */
enum sk_result
psl_org_domain(const char *name, size_t len, char *out, size_t cap)
{
	return psl_org_domain_table(&psl_default_table, name, len, 0, out, cap);
}
