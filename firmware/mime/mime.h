/*
 * mime.h - the MIME walker: a streaming, sans-I/O parse of an RFC 5322
 * message and its MIME structure (RFC 2045-2049), for scanners and
 * content rules.
 *
 * Security level: high. The input is a message from the internet. The
 * walker has to see the same parts a mail reader shows, so it is lenient
 * where readers are (missing final boundary, junk after a boundary, bad
 * base64, bare LF line ends) and reports each repair as a flag instead
 * of failing: a policy decides what a flag means.
 *
 * Shape (STYLE.md item 4): mime_init, then mime_feed with the message in
 * pieces of any size (the result does not depend on the cut), then
 * mime_finish. Everything found is reported through one callback as it
 * is found; nothing is kept after it is reported.
 *
 * Events, in order, for each part (the top-level message is a part):
 *   MIME_EV_FIELD       one header field of the part (raw, folding kept)
 *   MIME_EV_PART_START  the header is complete: type, parameters,
 *                       disposition, names, encoding are known
 *   then, by kind:
 *     leaf       MIME_EV_BODY, the body transfer-decoded, in pieces
 *     multipart  MIME_EV_PREAMBLE (raw), the sub-parts, MIME_EV_EPILOGUE
 *     message    (message/rfc822) one sub-part: the enclosed message
 *   MIME_EV_PART_END    sizes and flags final
 * MIME_EV_ANOMALY comes whenever a flag is first set on a part.
 *
 * Paths: the top-level message is "1"; the k-th part of a multipart
 * whose path is P is "P.k"; the message inside a message/rfc822 part P
 * is "P.1". depth is the number of dots.
 *
 * Encoded containers: a message/rfc822 or multipart whose body is
 * base64 or quoted-printable (not allowed by RFC 2045 6.4, sent anyway)
 * is decoded and walked like a plain one, up to MIME_LAYERS_MAX levels.
 *
 * Limits (README.md "Limits"): past one, the walker sets a flag and
 * stops descending (the part becomes a leaf, or further parts are
 * skipped); it never fails and never grows. Memory: sizeof(struct
 * mime_walker), about 80 KiB, nothing else; the caller owns it.
 */
#ifndef SK_MIME_H
#define SK_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "mime_decode.h"
#include "mime_param.h"
#include "sk.h"

#define MIME_DEPTH_MAX 32        /* nested parts (multipart or message) */
#define MIME_PARTS_MAX 1000      /* parts in one message, the top included */
#define MIME_LAYERS_MAX 3        /* the raw text + 2 encoded containers */
#define MIME_FIELD_MAX 16384     /* one header field with its folding */
#define MIME_HEADER_MAX 262144   /* one header section */
#define MIME_HEADER_LINE_MAX 998 /* RFC 5322 2.1.1; longer is flagged */
#define MIME_BOUNDARY_MAX 8192   /* one boundary (RFC 2046 5.1.1 says 70) */
#define MIME_BOUNDARY_POOL 16384 /* all open boundaries together */
#define MIME_PART_DECODED_MAX (256ull << 20) /* decoded octets per part */
#define MIME_PATH_MAX 200 /* "1.2.3": MIME_DEPTH_MAX levels of 4 digits */
#define MIME_LINE_BUF (MIME_BOUNDARY_MAX + 16) /* line piece examined */
#define MIME_BODY_CHUNK 1024 /* encoded octets decoded per step */

/* anomalies, in struct mime_part.flags and mime_flags() */
#define MIME_F_BAD_HEADER 0x00000001      /* header line dropped: no name: */
#define MIME_F_NO_HEADER_END 0x00000002   /* header ended without empty line */
#define MIME_F_FIELD_TRUNCATED 0x00000004 /* field over MIME_FIELD_MAX */
#define MIME_F_HEADER_TOO_BIG 0x00000008  /* rest of header ignored */
#define MIME_F_LONG_LINE 0x00000010       /* header line over 998 octets */
#define MIME_F_NUL 0x00000020             /* NUL octet in a header */
#define MIME_F_DUP_FIELD                                                 \
	0x00000040                  /* second Content-Type/-Disposition/ \
				     * -Transfer-Encoding (first wins) */
#define MIME_F_BAD_CTYPE 0x00000080 /* Content-Type unusable: default */
#define MIME_F_NO_BOUNDARY                                       \
	0x00000100                 /* multipart without a usable \
				    * boundary: walked as a leaf */
#define MIME_F_NO_PARTS 0x00000200 /* multipart without any delimiter */
#define MIME_F_NO_CLOSE                                              \
	0x00000400                    /* multipart without its close \
				       * delimiter (ended by outer or EOF) */
#define MIME_F_BAD_BASE64 0x00000800  /* base64 repaired (mime_decode.h) */
#define MIME_F_BAD_QP 0x00001000      /* quoted-printable kept as written */
#define MIME_F_UNKNOWN_CTE 0x00002000 /* x-uuencode etc: raw octets */
#define MIME_F_ENCODED_CONTAINER 0x00004000 /* multipart/message encoded */
#define MIME_F_DEPTH                                                        \
	0x00008000                    /* MIME_DEPTH_MAX or MIME_LAYERS_MAX: \
				       * walked as a leaf */
#define MIME_F_PARTS_LIMIT 0x00010000 /* MIME_PARTS_MAX: parts skipped */
#define MIME_F_DECODED_LIMIT                      \
	0x00020000 /* MIME_PART_DECODED_MAX: rest \
		    * of the body not delivered */
#define MIME_F_NAME                                                    \
	0x00040000                /* file name malformed, overlong, in \
				   * duplicate or mixed charsets */
#define MIME_F_SKIPPED 0x00080000 /* content skipped (see PARTS_LIMIT) */

enum mime_kind {
	MIME_KIND_LEAF = 0,
	MIME_KIND_MULTIPART,
	MIME_KIND_MESSAGE, /* message/rfc822 or message/global */
};

enum mime_disp {
	MIME_DISP_NONE = 0, /* no Content-Disposition */
	MIME_DISP_INLINE,
	MIME_DISP_ATTACHMENT,
	MIME_DISP_OTHER, /* RFC 2183 2.8: unknown means attachment */
};

/* What the events tell about a part. */
struct mime_part {
	char path[MIME_PATH_MAX];
	unsigned depth;
	enum mime_kind kind;
	char type[MIME_TOKEN_MAX];      /* lower case; "text" if absent */
	char subtype[MIME_TOKEN_MAX];   /* lower case; "plain" if absent */
	char charset[MIME_CHARSET_MAX]; /* lower case; "" if none */
	enum mime_cte cte;
	enum mime_disp disposition;
	unsigned flags;        /* MIME_F_* of this part */
	unsigned nfields;      /* header fields */
	unsigned nparts;       /* direct sub-parts */
	uint64_t header_size;  /* raw octets of the header section */
	uint64_t body_size;    /* raw octets of the body */
	uint64_t decoded_size; /* octets delivered in MIME_EV_BODY */
	/*
	 * Content-Disposition filename= and Content-Type name=, decoded
	 * (NULL if absent). Valid from MIME_EV_PART_START until the next
	 * part's first event: for a leaf, through its body and PART_END.
	 */
	const struct mime_text *filename, *name;
	/*
	 * Where the part is in the message as fed (for a rewriter that
	 * cuts parts out): raw_start is the octet offset of its header's
	 * first line, raw_end the offset just past its body (a multipart's
	 * part ends before the line end that precedes its delimiter: RFC
	 * 2046 5.1.1 gives that line end to the delimiter). raw_start is
	 * valid from MIME_EV_PART_START, raw_end at MIME_EV_PART_END. Both
	 * are MIME_RAW_UNKNOWN for a part inside an encoded container (its
	 * octets are decoded ones, not the message's).
	 */
	uint64_t raw_start, raw_end;
};
#define MIME_RAW_UNKNOWN UINT64_MAX

enum mime_event_type {
	MIME_EV_FIELD = 1,
	MIME_EV_PART_START,
	MIME_EV_BODY,
	MIME_EV_PREAMBLE,
	MIME_EV_EPILOGUE,
	MIME_EV_PART_END,
	MIME_EV_ANOMALY,
};

struct mime_event {
	enum mime_event_type type;
	const struct mime_part *part; /* the part the event is about */
	/*
	 * FIELD: the raw field without its line end (folding kept);
	 * BODY: decoded octets (raw with MIME_OPT_RAW_BODIES);
	 * PREAMBLE, EPILOGUE: raw octets, one event per line at least
	 * (an empty line gives len 0), line ends as in the message.
	 */
	const uint8_t *data;
	size_t len;
	/* FIELD: the name (without the colon and white space before it)
	 * and the value (after the colon); views into data */
	const uint8_t *name, *value;
	size_t name_len, value_len;
	unsigned flag; /* ANOMALY: the MIME_F_ bit just set */
};

typedef void mime_event_fn(void *arg, const struct mime_event *ev);

/* options (struct mime_opts.flags) */
#define MIME_OPT_RAW_BODIES 0x01 /* deliver leaf bodies undecoded */
#define MIME_OPT_BAD_HEADER_STARTS_BODY   \
	0x02 /* a header line that is no  \
	      * field ends the header and \
	      * begins the body */

struct mime_opts {
	unsigned flags;            /* MIME_OPT_* */
	unsigned depth_max;        /* 0: MIME_DEPTH_MAX; only lower */
	unsigned parts_max;        /* 0: MIME_PARTS_MAX; only lower */
	uint64_t part_decoded_max; /* 0: MIME_PART_DECODED_MAX; only lower */
};

/* ---- private: the walker's state (see mime.c) ---- */
struct mime_entity {
	struct mime_part p;
	struct mime_decoder dec; /* leaf body, or encoded container body */
	uint8_t state;           /* mime.c E_* */
	uint8_t layer;           /* layer of this part's raw octets */
	uint8_t inner;           /* layer of its body (layer + 1 if encoded) */
	uint8_t encoded;         /* container whose body is decoded */
	uint8_t flushed;         /* its decoder and layer are finished */
	uint8_t digest;          /* multipart/digest: sub-parts default to
				  * message/rfc822 (RFC 2046 5.1.5) */
	uint8_t seen;            /* Content-* fields seen (mime.c SEEN_*) */
	size_t bnd_off, bnd_len; /* boundary, in the pool */
};

struct mime_layer {
	uint8_t line[MIME_LINE_BUF];
	size_t len;
	uint8_t mid;    /* inside a line whose first piece was handled */
	uint8_t cls;    /* what the current line is (mime.c LINE_*) */
	uint8_t eol[2]; /* the held line end of the last content line */
	uint8_t eol_len;
	uint8_t close_lf; /* the last line was "--b--" LF (mime.c) */
	size_t line_len;  /* octets of the current line so far */
};

struct mime_walker {
	mime_event_fn *fn;
	void *arg;
	struct mime_opts opts;
	unsigned flags;  /* every MIME_F_ set on any part */
	unsigned nparts; /* parts so far, the top included */
	int finished;
	size_t nent;
	struct mime_entity ent[MIME_DEPTH_MAX];
	struct mime_layer layer[MIME_LAYERS_MAX];
	unsigned nlayers;
	char pool[MIME_BOUNDARY_POOL]; /* boundaries of open multiparts */
	size_t pool_used;
	size_t bnd_len; /* boundary of the header being read, at pool_used */
	int bnd_bad;    /* it did not fit or was empty */
	uint8_t field[MIME_FIELD_MAX];
	size_t field_len;
	uint8_t field_eol[2]; /* line end of the field's last line so far */
	uint8_t field_eol_len;
	uint8_t field_open;  /* a field is being collected */
	uint8_t field_trunc; /* it did not fit */
	struct mime_text filename, name;
	uint8_t has_filename, has_name;
	/* raw offsets of layer 0 (struct mime_part raw_start, raw_end) */
	uint64_t raw_fed;   /* octets fed so far */
	uint64_t raw_line;  /* where the current line of layer 0 began */
	uint64_t raw_close; /* the end of the parts closing now */
	size_t raw_pending; /* 1 + index of the part whose first line is
			     * the next line of layer 0; 0: none */
};

/* mime_init - a walker for one message; opts may be NULL */
void mime_init(struct mime_walker *w, const struct mime_opts *opts,
    mime_event_fn *fn, void *arg);

/*
 * mime_feed - the next len octets of the message. SK_OK; SK_E_CLOSED
 * after mime_finish. Events are delivered from inside this call.
 */
enum sk_result mime_feed(struct mime_walker *w, const uint8_t *buf, size_t len);

/* mime_finish - the message ended: close every open part. Returns the
 * union of all flags (as mime_flags). Idempotent. */
unsigned mime_finish(struct mime_walker *w);

/* mime_flags - every MIME_F_ flag set so far, on any part */
unsigned mime_flags(const struct mime_walker *w);

/* mime_flag_name - a stable lower-case name for one MIME_F_ bit */
const char *mime_flag_name(unsigned flag);

#endif /* SK_MIME_H */
