/*
 * psl.h - the Public Suffix List algorithm (publicsuffix.org) and the
 * organizational domain of RFC 7489 3.2.
 *
 * Untrusted input: domain names (From domains, DKIM d=, MAIL FROM
 * domains) and, at build or test time, a list file in the format of
 * public_suffix_list.dat.  Both are parsed within the named limits.
 *
 * The list: psl_default_table is compiled in at build time from Debian's
 * publicsuffix package (/usr/share/publicsuffix/public_suffix_list.dat,
 * PSL_DAT in module.mk) by psl_gen_main.c, which uses psl_parse() below;
 * the generated table lives in the build output only.  Both sections
 * (ICANN and PRIVATE) are used, as the list's own test vectors and most
 * DMARC implementations do; PSL_ICANN_ONLY restricts a lookup to ICANN.
 *
 * Names: ASCII is compared case-insensitively (RFC 4343).  A label with
 * octets >= 0x80 is taken as a UTF-8 U-label and converted to its A-label
 * by RFC 3492 Punycode ("xn--" prefix) before matching: the list's
 * U-labels are converted the same way when the table is built, so both
 * forms of a name give the same answer.  No IDNA2008 mapping (case folding
 * of non-ASCII, NFC) is applied: a name in a non-canonical Unicode form
 * simply matches no IDN rule.  Only "." (U+002E) separates labels.
 *
 * Ownership: a table points at arrays its builder owns (static for the
 * default table; the caller's for psl_parse).  Nothing here allocates.
 * Lookups take O(labels * log rules) time.
 */
#ifndef SK_PSL_H
#define SK_PSL_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define PSL_NAME_MAX 253   /* RFC 1035 2.3.4: text form without final dot */
#define PSL_LABEL_MAX 63   /* RFC 1035 2.3.4: octets of one label */
#define PSL_LABELS_MAX 127 /* RFC 1035 2.3.4: labels of a 253-octet name */
#define PSL_LINE_MAX 1024  /* local limit: one line of the list file */

/* flags of one rule key: which kinds of rule name it, in which section */
#define PSL_F_NORMAL 0x01     /* "example.com" */
#define PSL_F_WILD 0x02       /* "*.example.com" (key example.com) */
#define PSL_F_EXCEPT 0x04     /* "!www.example.com" */
#define PSL_F_PRIVATE_SHIFT 3 /* the same three bits, PRIVATE section */
#define PSL_F_ICANN_MASK 0x07
#define PSL_F_ALL_MASK 0x3f

/* lookup options */
#define PSL_ICANN_ONLY 0x01 /* ignore rules of the PRIVATE section */

struct psl_rule {
	uint32_t off; /* the key (lower case, A-labels) in names */
	uint16_t len;
	uint16_t flags; /* PSL_F_* */
};

/* A sorted rule set: keys ordered by octets, a shorter prefix first. */
struct psl_table {
	const struct psl_rule *rules;
	size_t nrules;
	const char *names;
	size_t names_len;
};

/* the list compiled in at build time (generated psl_table.c) */
extern const struct psl_table psl_default_table;

/* What a lookup found. */
struct psl_match {
	size_t labels;    /* labels of the name */
	size_t ps_labels; /* labels of its public suffix */
	int implicit;     /* no rule matched: the implicit "*" rule */
	int exception;    /* an exception rule prevailed */
	int private_rule; /* the prevailing rule is in the PRIVATE section */
};

/*
 * psl_parse - build a table from a list file (buf, len) into the caller's
 * storage: at most rmax rules and nmax octets of names.  Sorts it and
 * merges the flags of equal keys.  SK_OK; SK_E_SYNTAX (a malformed rule,
 * *line says where); SK_E_TOO_LONG (a line or name over its limit);
 * SK_E_FULL (the storage).
 */
enum sk_result psl_parse(const uint8_t *buf, size_t len, struct psl_rule *rules,
    size_t rmax, char *names, size_t nmax, struct psl_table *t, size_t *line);

/*
 * psl_lookup - the public suffix of name (len octets, an optional final
 * dot) under table t.  SK_OK with *m filled; SK_E_SYNTAX for an empty
 * name or label, a control octet or bad UTF-8; SK_E_TOO_LONG.
 */
enum sk_result psl_lookup(const struct psl_table *t, const char *name,
    size_t len, unsigned opts, struct psl_match *m);

/*
 * psl_org_domain_table - the organizational domain of name (RFC 7489 3.2:
 * its public suffix plus one label), in the name's own form with ASCII
 * lowered, NUL-terminated in out.  SK_OK; SK_END when the name is itself
 * a public suffix (out then holds the name: RFC 7489 3.2 has no x+1'th
 * label, and DMARC callers use the name itself); SK_E_SYNTAX,
 * SK_E_TOO_LONG as psl_lookup; SK_E_FULL when cap is too small.
 */
enum sk_result psl_org_domain_table(const struct psl_table *t, const char *name,
    size_t len, unsigned opts, char *out, size_t cap);

/* psl_org_domain - psl_org_domain_table() over psl_default_table */
enum sk_result psl_org_domain(const char *name, size_t len, char *out,
    size_t cap);

/*
 * psl_alabel - name in lower-case A-label form (each UTF-8 label turned
 * into "xn--" Punycode, RFC 3492 and RFC 5890 2.3.2.1), NUL-terminated,
 * without a final dot.  SK_OK, SK_E_SYNTAX, SK_E_TOO_LONG, SK_E_FULL;
 * *labels (may be NULL) gets the label count.
 */
enum sk_result psl_alabel(const char *name, size_t len, char *out, size_t cap,
    size_t *labels);

#endif /* SK_PSL_H */
