/*
 * smtp_data.h - the message content state machines: DATA (RFC 5321
 * 4.1.1.4, 4.5.2) and BDAT chunks (RFC 3030).
 *
 * Security-sensitive: the bytes are the client's message, and the one
 * question "where does this message end?" decides whether a client can
 * smuggle a second message inside the first (SMTP smuggling,
 * CVE-2023-51764/51765/51766). Both machines are sans-I/O and streaming,
 * in the shape of BearSSL's hashes: init, then update with whatever
 * bytes arrived (any split gives the same result), then final.
 *
 * Policy (README.md "Message content"):
 *   - DATA ends ONLY at CRLF "." CRLF (RFC 5321 4.1.1.4); the CRLF of the
 *     DATA command counts as the first CRLF, so "." CRLF right away is
 *     an empty message. No other byte sequence ends it: LF.LF, CR.CR,
 *     LF.CRLF, CRLF.LF, CR.CRLF, NUL-dotted forms... are content.
 *   - Any bare CR or bare LF (RFC 5321 2.3.8) and any NUL in the
 *     content make the whole message rejected at its real end (554
 *     5.6.0, naming the problem), like Postfix's
 *     smtpd_forbid_bare_newline = reject: the bytes after a fake
 *     terminator are never commands and never a second message.
 *     BDAT applies the same rule unless BODY=BINARYMIME (RFC 3030 3),
 *     whose content is binary by definition.
 *   - Dot-stuffing is undone (RFC 5321 4.5.2); BDAT has none.
 *   - Size: de-stuffed octets are counted; past max_size nothing more is
 *     passed to the output, parsing goes on to the real end, and final
 *     answers 552 5.3.4 (RFC 1870 6.3).
 *   - Lines: more than 1000 octets with CRLF (RFC 5321 4.5.3.1.6) make
 *     the message rejected (554 5.6.0) unless allow_long_lines is set;
 *     we never split or rewrite a line, which would break signatures.
 *   - Loops: "Received:" header fields (RFC 5321 4.4) in the header
 *     section are counted; more than max_received (default 100, RFC
 *     5321 6.3 asks for a threshold of at least 100; Postfix's 50 is
 *     below that) is refused with 554 5.4.6.
 *   - The header/body boundary (first empty line) is reported as
 *     header_len, in de-stuffed octets, for DKIM and the Received
 *     header the caller adds.
 *
 * Ownership: the caller owns the struct and the output callback; the
 * machine stages at most SMTP_DATA_STAGE octets and passes them to the
 * callback, never allocating. Input is never modified.
 */
#ifndef SK_SMTP_DATA_H
#define SK_SMTP_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"
#include "smtp_reply.h"

#define SMTP_DATA_LINE_MAX 1000    /* RFC 5321 4.5.3.1.6, CRLF included */
#define SMTP_DATA_RECEIVED_MAX 100 /* RFC 5321 6.3 loop threshold */
#define SMTP_DATA_STAGE 4096       /* octets staged per output call */

/* problems found in the content, reported by final */
#define SMTP_DATA_P_BARE_LF 0x01
#define SMTP_DATA_P_BARE_CR 0x02
#define SMTP_DATA_P_NUL 0x04
#define SMTP_DATA_P_LONG_LINE 0x08
#define SMTP_DATA_P_TOO_BIG 0x10
#define SMTP_DATA_P_LOOP 0x20

/* output of de-stuffed content: called with 1..SMTP_DATA_STAGE octets */
typedef void smtp_data_out_fn(void *arg, const uint8_t *buf, size_t len);

struct smtp_data_opts {
	uint64_t max_size;     /* 0: no limit */
	unsigned max_received; /* 0: SMTP_DATA_RECEIVED_MAX */
	int allow_long_lines;  /* accept lines over SMTP_DATA_LINE_MAX */
	int binary;            /* BDAT with BODY=BINARYMIME */
};

/* the content checker shared by DATA and BDAT */
struct smtp_body {
	struct smtp_data_opts opts;
	smtp_data_out_fn *out;
	void *arg;
	uint64_t size;       /* de-stuffed octets seen */
	uint64_t header_len; /* octets up to and with the empty line */
	size_t line;         /* octets of the current line so far */
	unsigned received;
	unsigned problems; /* SMTP_DATA_P_* */
	unsigned hmatch;   /* progress in "received" at a header line start */
	int cr;            /* the last octet was a CR */
	int bol;           /* at the start of a line */
	int in_header;
	size_t staged;
	uint8_t stage[SMTP_DATA_STAGE];
};

struct smtp_data {
	struct smtp_body body;
	int state; /* internal */
};

struct smtp_data_result {
	enum smtp_reply_id reply; /* SMTP_R_NONE when acceptable */
	unsigned problems;
	uint64_t size;
	uint64_t header_len;
	unsigned received;
};

/* smtp_data_init - start a DATA body; out may be NULL (count only) */
void smtp_data_init(struct smtp_data *d, const struct smtp_data_opts *o,
    smtp_data_out_fn *out, void *arg);

/*
 * smtp_data_update - take buf[0..len). SK_NEED_MORE: all consumed, the
 * message goes on. SK_OK: the end CRLF "." CRLF was found; *used bytes
 * (through the terminator) were consumed and the rest belongs to
 * whatever follows. After SK_OK, further calls consume nothing.
 */
enum sk_result smtp_data_update(struct smtp_data *d, const uint8_t *buf,
    size_t len, size_t *used);

/*
 * smtp_data_final - flush the output and judge the message: SK_OK
 * (acceptable), SK_NEED_MORE (the end was not seen: discard it), or an
 * error with res->reply set: SK_E_SYNTAX (bare CR/LF, NUL),
 * SK_E_RANGE (size, loop), SK_E_TOO_LONG (line).
 */
enum sk_result smtp_data_final(struct smtp_data *d,
    struct smtp_data_result *res);

struct smtp_bdat {
	struct smtp_body body;
	uint64_t left;  /* octets still expected in this chunk */
	uint64_t total; /* octets of all chunks */
	int last;       /* the LAST chunk was announced */
};

/* smtp_bdat_init - start a BDAT transaction */
void smtp_bdat_init(struct smtp_bdat *b, const struct smtp_data_opts *o,
    smtp_data_out_fn *out, void *arg);

/*
 * smtp_bdat_chunk - a BDAT command announced size octets; SK_E_SYNTAX if
 * a chunk is still open or LAST was already seen.
 */
enum sk_result smtp_bdat_chunk(struct smtp_bdat *b, uint64_t size, int last);

/*
 * smtp_bdat_update - take chunk octets from buf[0..len): exactly as many
 * as the chunk has left (RFC 3030 2: no dot-stuffing, no terminator).
 * SK_OK when the chunk is complete, SK_NEED_MORE otherwise.
 */
enum sk_result smtp_bdat_update(struct smtp_bdat *b, const uint8_t *buf,
    size_t len, size_t *used);

/* smtp_bdat_status - the reply the content so far already deserves */
enum smtp_reply_id smtp_bdat_status(const struct smtp_bdat *b);

/* smtp_bdat_final - after the LAST chunk: as smtp_data_final */
enum sk_result smtp_bdat_final(struct smtp_bdat *b,
    struct smtp_data_result *res);

#endif /* SK_SMTP_DATA_H */
