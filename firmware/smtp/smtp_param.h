/*
 * smtp_param.h - ESMTP MAIL and RCPT parameters (RFC 5321 4.1.2).
 *
 *   Mail-parameters = esmtp-param *(SP esmtp-param)
 *   esmtp-param     = esmtp-keyword ["=" esmtp-value]
 *   esmtp-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   esmtp-value     = 1*(%d33-60 / %d62-126)
 *
 * MAIL: SIZE=n (RFC 1870), BODY=7BIT|8BITMIME|BINARYMIME (RFC 6152,
 * RFC 3030), SMTPUTF8 (RFC 6531), RET=FULL|HDRS and ENVID=xtext
 * (RFC 3461), AUTH=<>|xtext (RFC 4954 5). RCPT: NOTIFY and ORCPT
 * (RFC 3461). Keywords and the enumerated values are case-insensitive.
 * A keyword is known only if the extension that defines it was offered
 * (caps, SMTP_EXT_*); otherwise, and for keywords we do not know, the
 * answer is 555 5.5.4 (RFC 5321 4.1.1.11). A keyword given twice is
 * refused with 501 5.5.4; a bad value with 501 5.5.4; a SIZE above the
 * caller's limit, or one that does not fit in 64 bits, with 552 5.3.4.
 *
 * ENVID, ORCPT and AUTH values are kept in their xtext form (validated),
 * views into the caller's line: they are carried to delivery as they
 * came. smtp_xtext_decode gives the decoded octets when needed.
 *
 * Ownership: views into the caller's line; no allocation.
 */
#ifndef SK_SMTP_PARAM_H
#define SK_SMTP_PARAM_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"
#include "smtp_reply.h"

/* Extensions offered in the EHLO reply, as a bit set. */
#define SMTP_EXT_SIZE 0x001       /* RFC 1870 */
#define SMTP_EXT_8BITMIME 0x002   /* RFC 6152 */
#define SMTP_EXT_BINARYMIME 0x004 /* RFC 3030 */
#define SMTP_EXT_SMTPUTF8 0x008   /* RFC 6531 */
#define SMTP_EXT_DSN 0x010        /* RFC 3461 */
#define SMTP_EXT_AUTH 0x020       /* RFC 4954 */
#define SMTP_EXT_PIPELINING 0x040 /* RFC 2920 */
#define SMTP_EXT_CHUNKING 0x080   /* RFC 3030 */
#define SMTP_EXT_STARTTLS 0x100   /* RFC 3207 */
#define SMTP_EXT_ENHANCED 0x200   /* RFC 2034 */

#define SMTP_ENVID_MAX 100      /* RFC 3461 4.4: ENVID value */
#define SMTP_ORCPT_MAX 500      /* RFC 3461 4.2: "ORCPT=" and value */
#define SMTP_SIZE_DIGITS_MAX 20 /* a 64-bit number */
#define SMTP_XTEXT_AUTH_MAX 500 /* RFC 4954 5: what AUTH= adds */

enum smtp_body_type {
	SMTP_BODY_NONE = 0, /* not given: 7BIT by default */
	SMTP_BODY_7BIT,
	SMTP_BODY_8BITMIME,
	SMTP_BODY_BINARYMIME,
};

enum smtp_ret { SMTP_RET_NONE = 0, SMTP_RET_FULL, SMTP_RET_HDRS };

#define SMTP_NOTIFY_NEVER 0x1
#define SMTP_NOTIFY_SUCCESS 0x2
#define SMTP_NOTIFY_FAILURE 0x4
#define SMTP_NOTIFY_DELAY 0x8

/* which parameters were present, to refuse duplicates */
#define SMTP_P_SIZE 0x01
#define SMTP_P_BODY 0x02
#define SMTP_P_SMTPUTF8 0x04
#define SMTP_P_RET 0x08
#define SMTP_P_ENVID 0x10
#define SMTP_P_AUTH 0x20
#define SMTP_P_NOTIFY 0x40
#define SMTP_P_ORCPT 0x80

struct smtp_mail_params {
	unsigned have; /* SMTP_P_* */
	uint64_t size; /* SIZE=, when have & SMTP_P_SIZE */
	enum smtp_body_type body;
	enum smtp_ret ret;
	const uint8_t *envid; /* xtext, as sent */
	size_t envidlen;
	const uint8_t *auth; /* xtext or "<>", as sent */
	size_t authlen;
	enum smtp_reply_id reply; /* when not SK_OK */
};

struct smtp_rcpt_params {
	unsigned have;
	unsigned notify;           /* SMTP_NOTIFY_* */
	const uint8_t *orcpt_type; /* addr-type (atom), e.g. "rfc822" */
	size_t orcpt_typelen;
	const uint8_t *orcpt; /* xtext, as sent */
	size_t orcptlen;
	enum smtp_reply_id reply;
};

/*
 * smtp_param_mail - parse MAIL parameters buf[0..len) (may be empty).
 * caps: the SMTP_EXT_* offered; max_size: the SIZE limit (0: none).
 */
enum sk_result smtp_param_mail(const uint8_t *buf, size_t len, unsigned caps,
    uint64_t max_size, struct smtp_mail_params *p);

/* smtp_param_rcpt - parse RCPT parameters buf[0..len) (may be empty) */
enum sk_result smtp_param_rcpt(const uint8_t *buf, size_t len, unsigned caps,
    struct smtp_rcpt_params *p);

/* smtp_xtext_valid - RFC 3461 4: xtext, with "+" and two upper hex digits */
int smtp_xtext_valid(const uint8_t *buf, size_t len);

/*
 * smtp_xtext_decode - decode valid xtext into out[cap]; SK_E_SYNTAX if
 * not xtext, SK_E_FULL if out is too small.
 */
enum sk_result smtp_xtext_decode(const uint8_t *buf, size_t len, uint8_t *out,
    size_t cap, size_t *outlen);

#endif /* SK_SMTP_PARAM_H */
