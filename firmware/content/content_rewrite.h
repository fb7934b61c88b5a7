/*
 * content_rewrite.h - the message as it must be delivered, when the
 * content step changes it (issue 6): a milter's header edits and new
 * body, a tag rule's subject prefix, a strip rule's removed parts.
 *
 * Security level: high. The input is the stored message (smtp's
 * Received header first, then the client's octets), read with pread
 * from the spool file; the output goes to a descriptor (an anonymous
 * memfd in the content process). Everything is bounded: the header
 * section read (CONTENT_RW_HEADER_MAX), its fields
 * (CONTENT_RW_FIELDS_MAX), the new fields (CONTENT_RW_ARENA), the parts
 * cut (CONTENT_STRIP_MAX) and the output (the caller's max).
 *
 * The edits come in the order the milters sent them (chain order, then
 * each milter's order) and are applied to the field list as it is at
 * that moment (Sendmail and Postfix semantics):
 *   addheader  a field at the END of the header
 *   insheader  a field before the index-th (0: first; past the end: last)
 *   chgheader  the index-th (1-based) field of that name changed; an
 *              empty value deletes it; no such field: added at the end
 * The index counts every field of the stored header, smtp's Received
 * header included: the milter was shown the same header.
 * A new body (replbody) replaces everything after the empty line; bare
 * LF becomes CRLF. The subject prefix goes in front of the first
 * Subject field's value (not twice), or a Subject field is added.
 * Stripping replaces each chosen part (raw offsets from the walker) by
 * a text/plain notice whose text carries MSG_QID_TOKEN where the
 * quarantine id goes (the queue puts the id there).
 */
#ifndef SK_CONTENT_REWRITE_H
#define SK_CONTENT_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "../scan/scan_milter.h"
#include "content.h"
#include "sk.h"

#define CONTENT_RW_HEADER_MAX (256u * 1024) /* header section read */
#define CONTENT_RW_FIELDS_MAX 4096          /* fields, kept and new */
#define CONTENT_RW_ARENA (256u * 1024)      /* new fields' octets */
#define CONTENT_EDITS_MAX 256               /* header edits kept */
#define CONTENT_EDITS_ARENA (64u * 1024)    /* their names and values */
#define CONTENT_RW_CHUNK 65536              /* octets copied at a time */
#define CONTENT_NOTICE_NAME_MAX 100         /* name in a notice, cut */

/* One header edit of a milter (SCAN_MA_ADDHEADER, INSHEADER, CHGHEADER) */
struct content_edit {
	enum scan_milter_action_type type;
	uint64_t index;
	uint32_t name, value; /* offsets of C strings in the arena */
	uint8_t leadspc;      /* the value brings its leading space */
};

/* The header edits of the whole chain, in order. */
struct content_edits {
	struct content_edit e[CONTENT_EDITS_MAX];
	size_t n;
	char arena[CONTENT_EDITS_ARENA];
	size_t used;
	unsigned dropped; /* did not fit: not applied */
};

/* content_edits_add - keep a milter's header edits (the other actions
 * are left for the caller); those that do not fit are counted */
void content_edits_add(struct content_edits *ed,
    const struct scan_milter_actions *a, int leadspc);

/* The parts a strip rule removes, chosen by content_strip_pick. */
struct content_strip {
	size_t n;
	struct {
		uint64_t start, end; /* raw octets replaced */
		char name[CONTENT_NOTICE_NAME_MAX + 1];
		char reason[128];
	} part[CONTENT_STRIP_MAX];
};

/*
 * content_strip_pick - the parts of the message that rule r matched by
 * a part condition (file name, true type, executable in archive,
 * encrypted archive, Office macro). 0 with out filled; -1 when nothing
 * can be stripped so (no part condition, a matched part that is not
 * directly in a multipart, inside an encoded container, or more than
 * CONTENT_STRIP_MAX): the caller keeps the whole message instead.
 */
int content_strip_pick(const struct content_facts *f,
    const struct config_content_rule *r, struct content_strip *out);

/* What to change. */
struct content_rewrite_in {
	int fd;        /* the stored message, read with pread */
	uint64_t size; /* its octets */
	const struct content_edits *edits; /* NULL: none */
	int body_fd;                       /* the milter's new body, -1: none */
	uint64_t body_size;                /* its octets */
	const char *subject_prefix;        /* NULL or "": none */
	const struct content_strip *strip; /* NULL: none */
	uint64_t max;                      /* octets the output may have */
};

/* Scratch memory: content_rewrite_scratch_size() octets, once per
 * worker. */
struct content_rewrite_scratch;
size_t content_rewrite_scratch_size(void);

/*
 * content_rewrite - the new message to out_fd (written from its start;
 * its size in *out_size). *not_applied counts the edits that could not
 * be applied (a field that would not be a valid header field, no room).
 * SK_OK; SK_E_TOO_LONG: the header is over CONTENT_RW_HEADER_MAX or
 * the output over in->max; SK_E_IO: a read or write failed.
 */
enum sk_result content_rewrite(const struct content_rewrite_in *in,
    struct content_rewrite_scratch *s, int out_fd, uint64_t *out_size,
    unsigned *not_applied);

#endif /* SK_CONTENT_REWRITE_H */
