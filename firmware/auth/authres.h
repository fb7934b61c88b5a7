/*
 * authres.h - the Authentication-Results header field (RFC 8601): a
 * builder for the field the box adds, and a strict parser of existing ones
 * (to remove every incoming field that claims our authserv-id, RFC 8601 5,
 * and to read the payload of ARC-Authentication-Results, RFC 8617 4.1.1).
 *
 * Untrusted input: the value of any Authentication-Results or
 * ARC-Authentication-Results field of an incoming message.  The parser is
 * sans-I/O: it reads (buf, len), never modifies it, never allocates, and
 * copies what it keeps (bounded by the limits below) into the caller's
 * struct.
 *
 * Ownership: the caller owns every struct and output buffer.  struct
 * authres is about 40 KiB: make it static or heap.
 */
#ifndef SK_AUTHRES_H
#define SK_AUTHRES_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define AUTHRES_COLS 78         /* RFC 5322 2.1.1: lines of 78 */
#define AUTHRES_FIELD_MAX 16384 /* local limit: octets of a value parsed */
#define AUTHRES_ID_MAX 255      /* local limit: authserv-id octets */
#define AUTHRES_WORD_MAX 64     /* local limit: method, result, ptype... */
#define AUTHRES_VALUE_MAX 256   /* local limit: a property value, reason */
#define AUTHRES_RESULTS_MAX 16  /* local limit: resinfo kept (more: counted) */
#define AUTHRES_PROPS_MAX 6     /* local limit: properties kept per resinfo */
#define AUTHRES_COMMENT_DEPTH 8 /* local limit: nested comments */
#define AUTHRES_INSTANCE_MAX 50 /* RFC 8617 4.2.1: i= of an AAR */
#define AUTHRES_BPREFIX 8       /* RFC 6008: header.b prefix octets */

/* ---- builder ------------------------------------------------------- */

/* a header field under construction, folded at AUTHRES_COLS (also used
 * by arc.c and dkim_sign.c for their fields) */
struct authres_out {
	char *p;
	size_t max, len, col;
	int over; /* something did not fit: the output is unusable */
};

void authres_out_init(struct authres_out *o, char *buf, size_t max);
/* authres_out_put - append n octets of t; when fold is set and t would
 * pass the column limit, fold first (t's leading space becomes the fold) */
void authres_out_put(struct authres_out *o, const char *t, size_t n, int fold);
void authres_out_str(struct authres_out *o, const char *t, int fold);
/* authres_out_fill - append t over as many lines as it takes, as much as
 * fits before AUTHRES_COLS on each (for a b= value: base64 may be folded
 * anywhere, RFC 6376 3.5); used by the DKIM and ARC signers */
void authres_out_fill(struct authres_out *o, const char *t);

struct authres_builder {
	struct authres_out o;
	size_t nres;
	int bad; /* a method, ptype or property was no Keyword */
};

/*
 * authres_begin - start "FIELD: [i=N; ]AUTHSERV-ID" in buf[max].  field is
 * "Authentication-Results" or "ARC-Authentication-Results"; instance 0
 * writes no i= (only the AAR has one).  The authserv-id is quoted when it
 * is no token.
 */
void authres_begin(struct authres_builder *b, char *buf, size_t max,
    const char *field, unsigned instance, const char *authserv_id);
/* authres_result - "; METHOD=RESULT" (both RFC 5321 Keywords) */
void authres_result(struct authres_builder *b, const char *method,
    const char *result);
/* authres_reason - " reason=VALUE" for the last result (quoted as needed) */
void authres_reason(struct authres_builder *b, const char *text);
/* authres_prop - " PTYPE.PROPERTY=VALUE" for the last result; VALUE is
 * written bare when it is a token or [local-part]@domain, else quoted */
void authres_prop(struct authres_builder *b, const char *ptype,
    const char *property, const char *value);
/* authres_end - "; none" when no result was added, then CRLF; SK_OK and
 * the length, or SK_E_TOO_LONG (or SK_E_SYNTAX for a bad name) */
enum sk_result authres_end(struct authres_builder *b, size_t *len);

/* The methods of issue 4, with their RFC properties.  NULL or "" leaves a
 * property out. */
/* spf: smtp.mailfrom (or smtp.helo for the null sender) (RFC 7208 9.2) */
void authres_spf(struct authres_builder *b, const char *result,
    const char *mailfrom, const char *helo);
/* dkim: header.d, header.s, header.b (first AUTHRES_BPREFIX base64
 * characters of the signature, RFC 6008) */
void authres_dkim(struct authres_builder *b, const char *result, const char *d,
    const char *s, const uint8_t *sig, size_t siglen);
/* dmarc: header.from and policy.dmarc (the policy applied) */
void authres_dmarc(struct authres_builder *b, const char *result,
    const char *from, const char *policy);
/* arc: smtp.remote-ip and, when the chain passed, header.oldest-pass
 * (RFC 8617 10.1) */
void authres_arc(struct authres_builder *b, const char *result,
    const char *remote_ip, int has_oldest, unsigned oldest_pass);
/* iprev: policy.iprev (RFC 8601 3) */
void authres_iprev(struct authres_builder *b, const char *result,
    const char *ip);

/* ---- parser -------------------------------------------------------- */

struct authres_prop {
	char ptype[AUTHRES_WORD_MAX + 1];
	char property[AUTHRES_WORD_MAX + 1];
	char value[AUTHRES_VALUE_MAX + 1]; /* unquoted */
};

struct authres_res {
	char method[AUTHRES_WORD_MAX + 1]; /* lower case */
	unsigned method_version;           /* 0: none given */
	char result[AUTHRES_WORD_MAX + 1]; /* lower case */
	char reason[AUTHRES_VALUE_MAX + 1];
	size_t nprop;
	size_t nprop_skipped;
	struct authres_prop prop[AUTHRES_PROPS_MAX];
};

struct authres {
	char id[AUTHRES_ID_MAX + 1]; /* authserv-id, unquoted */
	int has_version;
	unsigned version;
	int none; /* "; none": no method was evaluated */
	size_t nres;
	size_t nskipped; /* resinfo beyond AUTHRES_RESULTS_MAX */
	struct authres_res res[AUTHRES_RESULTS_MAX];
	const char *err; /* why parsing failed, a static string */
};

/* authres_parse - a whole A-R value (after the colon; a final CRLF is
 * allowed): SK_OK, or SK_E_SYNTAX / SK_E_TOO_LONG with ar->err */
enum sk_result authres_parse(struct authres *ar, const uint8_t *val,
    size_t len);

/* authres_parse_aar - an ARC-Authentication-Results value: "i=N;" then
 * the A-R payload (RFC 8617 4.1.1); *instance is set whenever the i=
 * part parsed, even when the payload then fails */
enum sk_result authres_parse_aar(struct authres *ar, unsigned *instance,
    const uint8_t *val, size_t len);

/* authres_id - only the authserv-id at the start of an A-R value into
 * id[max] (unquoted): what RFC 8601 5 needs, whatever follows */
enum sk_result authres_id(const uint8_t *val, size_t len, char *id, size_t max);

/* authres_is_ours - the A-R value claims authserv-id ours (compared
 * ASCII case-insensitively): the relay must remove the field */
int authres_is_ours(const uint8_t *val, size_t len, const char *ours);

#endif /* SK_AUTHRES_H */
