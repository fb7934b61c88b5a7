/*
 * dmarc_record.h - the DMARC policy record (RFC 7489 6.3, 6.4; the np tag
 * of RFC 9091 3.1): a strict parser that says exactly which tags were
 * malformed, and the defaults of RFC 7489 6.3.
 *
 * Untrusted input: TXT text from DNS, parsed within DMARC_RECORD_MAX.
 *
 * Ownership: the caller owns struct dmarc_record; URIs point into the
 * buffer given to dmarc_record_parse, which must outlive the record.
 * Nothing here allocates.
 *
 * What a malformed tag means is the evaluator's business (dmarc.c,
 * following RFC 7489 6.3 and 6.6.3): the parser fills every tag it could
 * read, puts defaults in the others and sets the bit of each bad tag.
 */
#ifndef SK_DMARC_RECORD_H
#define SK_DMARC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define DMARC_RECORD_MAX 4096 /* local limit: one record, in octets */
#define DMARC_URI_MAX                                                        \
	8                 /* local limit: URIs kept per rua or ruf (RFC 7489 \
			   * 6.2: at least two must be supported) */
#define DMARC_PCT_MAX 100 /* RFC 7489 6.3 pct */
#define DMARC_RI_DEFAULT 86400   /* RFC 7489 6.3 ri */
#define DMARC_RI_MAX 0xffffffffu /* RFC 7489 6.3: 32-bit unsigned */
#define DMARC_VERSION "DMARC1"   /* RFC 7489 6.4: %x44 %x4d ... */

/* tags, as bits of have and bad */
#define DMARC_TAG_V 0x0001
#define DMARC_TAG_P 0x0002
#define DMARC_TAG_SP 0x0004
#define DMARC_TAG_NP 0x0008
#define DMARC_TAG_ADKIM 0x0010
#define DMARC_TAG_ASPF 0x0020
#define DMARC_TAG_PCT 0x0040
#define DMARC_TAG_FO 0x0080
#define DMARC_TAG_RF 0x0100
#define DMARC_TAG_RI 0x0200
#define DMARC_TAG_RUA 0x0400
#define DMARC_TAG_RUF 0x0800
#define DMARC_TAG_OTHER 0x1000 /* a malformed unknown tag or separator */

/* fo= options (RFC 7489 6.3) */
#define DMARC_FO_0 0x01
#define DMARC_FO_1 0x02
#define DMARC_FO_D 0x04
#define DMARC_FO_S 0x08

/* rf= formats (RFC 7489 6.3, the IANA registry of RFC 7489 11.6) */
#define DMARC_RF_AFRF 0x01

enum dmarc_policy {
	DMARC_P_NONE = 0,
	DMARC_P_QUARANTINE,
	DMARC_P_REJECT,
	DMARC_P_COUNT,
};

/* One reporting URI (RFC 7489 6.4 dmarc-uri). */
struct dmarc_uri {
	const char *uri; /* the URI without its "!size" */
	size_t uri_len;
	int mailto;       /* scheme "mailto" (RFC 6068) */
	const char *addr; /* mailto: the address, up to "?" (still encoded) */
	size_t addr_len;
	uint64_t max_size; /* "!size" in octets; 0 = no limit given */
};

struct dmarc_record {
	unsigned have; /* DMARC_TAG_* present */
	unsigned bad;  /* DMARC_TAG_* present more than once or malformed */
	enum dmarc_policy p;
	enum dmarc_policy sp; /* default p (RFC 7489 6.3) */
	enum dmarc_policy np; /* default sp (RFC 9091 4.1) */
	int adkim_strict;     /* default relaxed */
	int aspf_strict;
	unsigned pct; /* default 100 */
	unsigned fo;  /* DMARC_FO_*, default 0 */
	unsigned rf;  /* DMARC_RF_*, default afrf */
	uint32_t ri;  /* default 86400 */
	size_t nrua, nruf;
	size_t rua_total, ruf_total; /* URIs given, beyond DMARC_URI_MAX too */
	struct dmarc_uri rua[DMARC_URI_MAX];
	struct dmarc_uri ruf[DMARC_URI_MAX];
	int p_late;      /* p was not the tag after v (see dmarc_record.c) */
	const char *err; /* the first problem, a static string */
	size_t err_pos;  /* its offset */
};

/*
 * dmarc_record_parse - parse one TXT record.
 *   SK_OK          well-formed, p present: every field is set
 *   SK_E_UNKNOWN   not a DMARC record: it does not start with
 *                  "v=DMARC1" (RFC 7489 6.6.3 step 4 discards it)
 *   SK_E_SYNTAX    a DMARC record with malformed tags or without p: the
 *                  bad (or, for p, absent) tags are in rec->bad and
 *                  rec->have, the others are set
 *   SK_E_TOO_LONG  over DMARC_RECORD_MAX
 */
enum sk_result dmarc_record_parse(const uint8_t *buf, size_t len,
    struct dmarc_record *rec);

/* dmarc_record_is_dmarc - does the text start with "v=DMARC1" and a
 * separator or its end (the RFC 7489 6.6.3 selection)? */
int dmarc_record_is_dmarc(const uint8_t *buf, size_t len);

/* dmarc_policy_str - "none", "quarantine", "reject" */
const char *dmarc_policy_str(enum dmarc_policy p);

#endif /* SK_DMARC_RECORD_H */
