/*
 * dmarc_report.h - DMARC aggregate reports (RFC 7489 7.2 and appendix C):
 * the XML document, its gzip file, the report mail (7.2.1.1), the rua
 * destinations with their "!size" limits and the external-destination
 * verification of 7.1, and the compact text form in which the store keeps
 * a record's DKIM results.
 *
 * Untrusted input: every string of a row (domains, selectors and results
 * came from a message and from DNS; the store that hands them back is a
 * file), DMARC records from DNS (through dmarc_record_parse), the DKIM
 * result text read back from the store (dmarc_report_dkim_parse, fuzzed).
 *
 * Ownership: the caller owns every struct and buffer. Output goes into a
 * struct dmarc_report_out over caller storage whose error is sticky (the
 * BearSSL way): write everything, then ask dmarc_report_out_result once.
 * Nothing here logs or does I/O. dmarc_report_gzip calls zlib, which
 * allocates its deflate state (about 270 KiB) for the call and frees it.
 *
 * Determinism: given the same rows, metadata and clock values, the XML, the
 * gzip file and the mail are the same octets (tests compare them; the
 * gzip header carries the period's end as its time, no file name).
 */
#ifndef SK_DMARC_REPORT_H
#define SK_DMARC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../dns/dns.h"
#include "dmarc.h"
#include "dmarc_record.h"
#include "sk.h"

#define DMARC_REPORT_DKIM_MAX                                           \
	8                            /* DKIM results per record (as the \
				      * verifier's DKIM_VERIFY_SIGS_MAX) */
#define DMARC_REPORT_SELECTOR_MAX 64 /* RFC 6376 3.1: one label, 63 octets */
#define DMARC_REPORT_WORD_MAX 16     /* a result word: "temperror" */
#define DMARC_REPORT_IP_MAX 46       /* INET6_ADDRSTRLEN */
#define DMARC_REPORT_ORG_MAX 129     /* the model's org-name: 1..128 */
#define DMARC_REPORT_ADDR_MAX 255    /* RFC 5321 4.5.3.1.3 path, 254 + NUL */
#define DMARC_REPORT_ID_MAX 64       /* our report ids are shorter */
#define DMARC_REPORT_DKIM_TEXT_MAX                          \
	(DMARC_REPORT_DKIM_MAX *                            \
	    (DMARC_DOMAIN_MAX + DMARC_REPORT_SELECTOR_MAX + \
		DMARC_REPORT_WORD_MAX + 3))
#define DMARC_REPORT_LINE 76 /* RFC 2045 6.8: base64 line length */

/* PolicyOverrideType of appendix C, "" when no override applied */
enum dmarc_report_reason {
	DMARC_REASON_NONE = 0,
	DMARC_REASON_FORWARDED,
	DMARC_REASON_SAMPLED_OUT,
	DMARC_REASON_TRUSTED_FORWARDER,
	DMARC_REASON_MAILING_LIST,
	DMARC_REASON_LOCAL_POLICY,
	DMARC_REASON_OTHER,
	DMARC_REASON_COUNT,
};

/* One DKIM result of auth_results (appendix C DKIMAuthResultType). */
struct dmarc_report_dkim {
	char domain[DMARC_DOMAIN_MAX + 1];
	char selector[DMARC_REPORT_SELECTOR_MAX];
	char result[DMARC_REPORT_WORD_MAX]; /* none pass fail policy neutral
					     * temperror permerror */
};

/* One <record>: the aggregation key of the store, and its count. */
struct dmarc_report_row {
	char source_ip[DMARC_REPORT_IP_MAX];
	uint64_t count;
	enum dmarc_policy disposition; /* what we applied */
	int dkim_pass;                 /* policy_evaluated dkim: aligned pass */
	int spf_pass;                  /* policy_evaluated spf: aligned pass */
	enum dmarc_report_reason reason;
	char header_from[DMARC_DOMAIN_MAX + 1];
	char envelope_from[DMARC_DOMAIN_MAX + 1]; /* "": null sender */
	char spf_domain[DMARC_DOMAIN_MAX + 1];    /* "": no SPF result */
	int spf_helo;                             /* scope helo, not mfrom */
	char spf_result[DMARC_REPORT_WORD_MAX];
	struct dmarc_report_dkim dkim[DMARC_REPORT_DKIM_MAX];
	size_t ndkim;
};

/* report_metadata and policy_published of one report. */
struct dmarc_report_meta {
	const char *org_name;  /* the config's org-name */
	const char *email;     /* the config's from-address */
	const char *report_id; /* printable ASCII, no "<>" */
	uint64_t begin, end;   /* the period, seconds since the epoch */
	const char *domain;    /* the policy domain */
	int adkim_strict, aspf_strict;
	enum dmarc_policy p, sp;
	unsigned pct;
	unsigned fo; /* DMARC_FO_* bits; 0: the default "0" */
};

/* Bounded output with a sticky error. */
struct dmarc_report_out {
	uint8_t *buf;
	size_t cap, len;
	enum sk_result err; /* SK_OK, or the first error (SK_E_FULL...) */
};

void dmarc_report_out_init(struct dmarc_report_out *o, uint8_t *buf,
    size_t cap);
/* dmarc_report_out_put - append n octets (the error becomes SK_E_FULL
 * when they do not fit; nothing is appended after an error) */
void dmarc_report_out_put(struct dmarc_report_out *o, const void *p, size_t n);
void dmarc_report_out_puts(struct dmarc_report_out *o, const char *s);
/* dmarc_report_out_result - SK_OK or the first error since init */
enum sk_result dmarc_report_out_result(const struct dmarc_report_out *o);

/* --- the XML document (dmarc_report.c) ------------------------------ */

/* dmarc_report_xml_begin - the XML declaration, <feedback>, metadata
 * and policy_published */
void dmarc_report_xml_begin(struct dmarc_report_out *o,
    const struct dmarc_report_meta *m);
/* dmarc_report_xml_row - one <record> */
void dmarc_report_xml_row(struct dmarc_report_out *o,
    const struct dmarc_report_row *r);
/* dmarc_report_xml_end - </feedback> */
void dmarc_report_xml_end(struct dmarc_report_out *o);

/* dmarc_report_xml_text - s as XML character data: & < > " ' escaped,
 * invalid UTF-8 and control characters as '?' */
void dmarc_report_xml_text(struct dmarc_report_out *o, const char *s);

const char *dmarc_report_reason_str(enum dmarc_report_reason r);

/* --- gzip (dmarc_report_gz.c) --------------------------------------- */

/*
 * dmarc_report_gzip - in[0..len) as one gzip member (RFC 1952, deflate at
 * the best level, no name, mtime as given) in out[cap]. SK_OK with
 * *outlen; SK_E_FULL when it does not fit; SK_E_IO when zlib fails (out
 * of memory).
 */
enum sk_result dmarc_report_gzip(const uint8_t *in, size_t len, uint64_t mtime,
    uint8_t *out, size_t cap, size_t *outlen);

/* --- the mail (dmarc_report_mail.c) --------------------------------- */

struct dmarc_report_mail {
	const char *from;      /* the config's from-address */
	const char *const *to; /* the verified destinations */
	size_t nto;
	const char *submitter;     /* our domain: from's domain */
	const char *policy_domain; /* the report's domain */
	const char *report_id;
	uint64_t begin, end; /* the period */
	uint64_t now;        /* Date: */
	const uint8_t *gz;   /* the gzip file */
	size_t gzlen;
};

/*
 * dmarc_report_mail_build - the report mail of RFC 7489 7.2.1.1 in CRLF
 * lines: From, To, Date, Subject "Report Domain: D Submitter: S
 * Report-ID: <ID>", Message-ID, a multipart/mixed with a short text and
 * the gzip file as application/gzip, base64, named
 * "submitter!domain!begin!end.xml.gz". SK_E_SYNTAX when a field holds
 * something that cannot go into a header (CR, LF, non-ASCII, "<>" in
 * the id); else the out's result.
 */
enum sk_result dmarc_report_mail_build(const struct dmarc_report_mail *m,
    struct dmarc_report_out *o);

/* --- destinations (dmarc_report_dest.c) ----------------------------- */

/* One rua mailto: destination. */
struct dmarc_report_dest {
	char addr[DMARC_REPORT_ADDR_MAX]; /* percent-decoded local@domain */
	const char *domain;               /* into addr, after the '@' */
	uint64_t max_size;                /* "!size" in octets; 0: no limit */
};

/*
 * dmarc_report_dest_parse - a rua URI as a mail destination: SK_OK;
 * SK_E_UNKNOWN for another scheme than mailto (we send only mail);
 * SK_E_SYNTAX for an address that is not local@domain in printable ASCII
 * after percent-decoding (RFC 6068 2), or has hfields we would not honour
 * (only a "?" with nothing after it is accepted).
 */
enum sk_result dmarc_report_dest_parse(const struct dmarc_uri *u,
    struct dmarc_report_dest *d);

/* dmarc_report_dest_external - 1 when the destination's organizational
 * domain differs from the DMARC domain's (RFC 7489 7.1) */
int dmarc_report_dest_external(const char *dmarc_domain,
    const struct dmarc_report_dest *d);

/* dmarc_report_dest_qname - "<dmarc-domain>._report._dmarc.<dest-domain>"
 * (RFC 7489 7.1) in out: SK_OK, SK_E_TOO_LONG (no valid DNS name) */
enum sk_result dmarc_report_dest_qname(const char *dmarc_domain,
    const char *dest_domain, char *out, size_t cap);

enum dmarc_report_verify {
	DMARC_VERIFY_OK = 0,    /* same organization, or authorized */
	DMARC_VERIFY_REFUSED,   /* external and no v=DMARC1 record */
	DMARC_VERIFY_TEMPERROR, /* DNS failed: try at the next period */
	DMARC_VERIFY_PENDING,   /* asynchronous DNS: run again */
};

/*
 * dmarc_report_dest_verify - RFC 7489 7.1 for one destination: internal
 * destinations pass without DNS; an external one passes when the TXT
 * records at dmarc_report_dest_qname hold one that starts "v=DMARC1". The
 * answer goes into ans (the caller's, it may be reused afterwards). A rua=
 * in the authorizing record (7.1's redirection) is not followed: the
 * destination is used as published, or not at all.
 */
enum dmarc_report_verify dmarc_report_dest_verify(struct dns_answer *ans,
    const struct dns_resolver *dns, const char *dmarc_domain,
    const struct dmarc_report_dest *d);

const char *dmarc_report_verify_str(enum dmarc_report_verify v);

/* --- DKIM results as text, for the store (dmarc_report_dkim.c) ------ */

/*
 * dmarc_report_dkim_format - r's DKIM results as "d s result" triples
 * joined by ";", NUL-terminated: a canonical key (the order is the
 * signatures' order in the message). SK_OK, SK_E_FULL, SK_E_SYNTAX (a
 * field with a space, ';' or a control character).
 */
enum sk_result dmarc_report_dkim_format(const struct dmarc_report_row *r,
    char *out, size_t cap);

/*
 * dmarc_report_dkim_parse - the text of dmarc_report_dkim_format back into
 * r->dkim and r->ndkim (total: SK_OK, SK_E_SYNTAX, SK_E_TOO_LONG; r's DKIM
 * part is empty on an error).
 */
enum sk_result dmarc_report_dkim_parse(const uint8_t *buf, size_t len,
    struct dmarc_report_row *r);

#endif /* SK_DMARC_REPORT_H */
