/*
 * content.h - the content step's core, sans-I/O: what a message holds
 * (facts, from the MIME walker), what the scanners said (one result per
 * scanner of the chain), and the config's rules in; one decision out.
 *
 * Shape (STYLE.md item 4): content_facts_init, content_facts_feed with
 * the message in pieces of any size (the facts do not depend on the
 * cut), content_facts_finish; then content_decide. Nothing here does
 * I/O, allocates, logs or reads a clock; content_process.c does the
 * rest (the scanners' sockets, the spool file, the wire).
 *
 * The order of evaluation (README.md "Order"), first that applies wins:
 *   1. a scanner that failed (SCAN_ERROR): its on-failure - tempfail
 *      (451 4.7.1) unless accept-and-log;
 *   2. a milter's own verdict: reject, tempfail (its reply), discard,
 *      quarantine;
 *   3. the rules, in the config's order; the first that matches acts;
 *   4. the defaults: infected -> 550 5.7.1 naming the virus; anything
 *      else (clean, too-large) -> accept.
 *
 * Memory: sizeof(struct content_facts) (the walker and one archive
 * buffer of CONTENT_ARCHIVE_MAX octets, so allocate it once per worker,
 * not on the stack). The caller owns everything.
 */
#ifndef SK_CONTENT_H
#define SK_CONTENT_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "../mime/mime.h"
#include "../mime/mime_magic.h"
#include "../scan/scan.h"
#include "msg_types.h"
#include "sk.h"

#define CONTENT_ARCHIVE_MAX (8u << 20) /* decoded ZIP octets listed */
#define CONTENT_NAMES_MAX 64           /* file names kept for rules */
#define CONTENT_NAME_SIZE 256          /* one kept name, cut, NUL */
#define CONTENT_HEADER_SIZE 1024       /* the tag header, CRLF ended */
#define CONTENT_PARTS_MAX 128          /* leaf parts remembered (strip) */
#define CONTENT_STRIP_MAX 32           /* parts one strip removes */
#define CONTENT_MATCHED_SIZE 600       /* what made a rule match */
/* One value in the administrators' notice (an address, a reason): cut
 * here, so every line stays far below RFC 5322's 998 octets. */
#define CONTENT_NOTICE_VALUE_MAX 256

/* What the message holds, as far as the rules care. */
struct content_facts_view {
	uint64_t size;       /* octets fed */
	uint64_t file_types; /* bit (1ull << enum mime_ftype) per part seen */
	int executable_in_archive; /* a ZIP lists an executable by name or
				    * the archive holds one we could see */
	int encrypted_archive;     /* a ZIP with an encrypted member */
	int office_macro;          /* OOXML vbaProject.bin, OLE2 VBA hint */
	int unlistable_archive;    /* an archive we could not list: a ZIP
				    * over CONTENT_ARCHIVE_MAX or without
				    * ZIP structure, or another archive
				    * format (rar, 7z, cab, tar, gzip...) */
	unsigned mime_flags;       /* MIME_F_* anomalies, all parts */
	char names[CONTENT_NAMES_MAX][CONTENT_NAME_SIZE]; /* part and
							   * member names */
	size_t nnames;
	size_t names_dropped; /* names past CONTENT_NAMES_MAX, not kept */
};

/* One leaf part, as a strip rule looks at it (content_rewrite.h). */
struct content_part_fact {
	uint64_t raw_start, raw_end;    /* mime.h; MIME_RAW_UNKNOWN inside an
					 * encoded container */
	uint64_t file_types;            /* its true type (or its ZIP's kind) */
	uint8_t in_multipart;           /* its parent is a multipart */
	uint8_t exec, encrypted, macro; /* what its archive holds */
	char names[2][CONTENT_NAME_SIZE]; /* filename=, name= ("": none) */
	size_t member_first, member_end;  /* its members in view.names */
};

struct content_facts; /* opaque: content_facts_size() octets */

size_t content_facts_size(void);
void content_facts_init(struct content_facts *f);
/* content_facts_feed - the message as stored (CRLF line ends) */
void content_facts_feed(struct content_facts *f, const uint8_t *p, size_t len);
void content_facts_finish(struct content_facts *f);
const struct content_facts_view *content_facts_view(
    const struct content_facts *f);
/* content_facts_parts - the leaf parts seen, in order (at most
 * CONTENT_PARTS_MAX; *dropped counts the others) */
const struct content_part_fact *
content_facts_parts(const struct content_facts *f, size_t *n, size_t *dropped);

/* One scanner's part in the decision. */
struct content_scan {
	const struct config_scanner *scanner;
	struct scan_result result;
	/* header fields the milter asked to add (addheader, insheader),
	 * as CRLF lines, valid for msg_header_block_ok; "" none */
	char add_headers[MSG_PREPEND_MAX + 1];
	size_t add_headers_len;
	/* modifications we do not apply yet (chgheader, body, envelope):
	 * how many, for the log */
	unsigned not_applied;
};

struct content_decision {
	uint8_t action; /* enum msg_policy_action */
	/* reject/tempfail: the SMTP reply ("550 5.7.1 ..."); discard and
	 * quarantine: the reason; accept: "" */
	char reply[MSG_POLICY_REPLY_MAX + 1];
	/* header block for Q_COMMIT's prepend: the tag header of a rule
	 * and the milters' added fields; "" none */
	char prepend[MSG_PREPEND_MAX + 1];
	size_t prepend_len;
	size_t tag_len; /* prepend[0..tag_len): the rule's tag header; the
			 * milters' fields follow it */
	const struct config_content_rule *strip; /* a strip rule acted */
	const char *subject_prefix; /* a tag rule's prefix, or NULL */
	const char *rule;           /* the rule that acted, or NULL */
	const char *by;             /* the scanner that decided, or NULL */
	char log[1024]; /* "clamav=infected(Eicar-Test-Signature) ..." */
	char matched[CONTENT_MATCHED_SIZE]; /* a rule's: what matched */
	/* the administrators get a notice: the rule that acted has notify,
	 * or a virus was rejected by default and notify-on-virus is set */
	int notify;
	/* content_admin_notice's text (P_VERDICT's notice); "" none */
	char notice[MSG_NOTICE_MAX + 1];
};

/* What the notice says of the message, beside the decision. */
struct content_notice_env {
	const char *qid;
	const char *sender; /* "" = the null sender */
	const char *client; /* the client's address */
	const char *const *rcpts;
	size_t nrcpts;
	uint32_t rcpts_omitted; /* recipients the check did not carry */
};

/*
 * content_decide - the decision for one message. scans[0..n) are the
 * chain's results in order; direction is enum msg_policy_direction.
 * Pure: the same inputs give the same decision.
 */
void content_decide(const struct config_content *conf, uint8_t direction,
    const struct content_facts_view *facts, const struct content_scan *scans,
    size_t n, struct content_decision *out);

/*
 * content_admin_notice - d->notice, when d->notify and the action is final (not
 * a tempfail: the client tries again, and that try notifies): printable
 * ASCII lines ending in CRLF, at most MSG_NOTICE_MAX octets. The first
 * line is the notice mail's subject,
 *   "[Sekimori] ACTION: message QID from SENDER (RULE)"
 * (RULE: the rule, or "virus NAME by SCANNER"), then an empty line, then
 * one "Name: value" line per fact: queue id, action, rule or scanner,
 * sender, client, each recipient (as many as fit; then how many more),
 * the reason. Call it after the rewrite (the action it reports is the
 * one smtp applies: a strip that worked is "strip").
 */
void content_admin_notice(struct content_decision *d,
    const struct content_notice_env *env);

/* content_glob - whether name matches a file-name pattern: '*' any run,
 * '?' one octet, ASCII case-insensitive (names are what users see) */
int content_glob(const char *pattern, const char *name);

#endif /* SK_CONTENT_H */
