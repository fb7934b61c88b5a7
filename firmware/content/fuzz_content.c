/*
 * fuzz_content.c - libFuzzer target for the content step's core: any
 * octets as a message -> facts -> a decision under a fixed config.
 *
 * Input: four octets of settings, then the message. Octet 0 seeds the
 * piece sizes of a second feed, octet 1 the number of scanner results
 * and their verdicts, octets 2 and 3 where their texts and added header
 * fields are cut from the message (hostile on purpose: a milter's
 * fields are meant to be valid, the decision must hold anyway).
 *
 * Invariants: the facts do not depend on the cut; names are NUL-ended,
 * printable where they must be and within their counts; every decision
 * has the reply its action needs (5xx for reject, 4xx for tempfail, a
 * reason for discard and quarantine, none for accept), printable (CRLF
 * only between the lines of a milter's reply) and within
 * MSG_POLICY_REPLY_MAX; the prepend passes msg_header_block_ok
 * and MSG_PREPEND_MAX, and a tag rule's header comes first, inside
 * CONTENT_HEADER_SIZE; the log ends with the rule and the action.
 *
 * The rewrite (content_rewrite.h): a strip rule on every part condition
 * picks parts; when it does, the message is rewritten with them cut
 * out, a subject prefix and two header edits (one cut from the
 * message). The result is SK_OK or SK_E_TOO_LONG (a header past
 * CONTENT_RW_HEADER_MAX), never longer than the bound, and the walker
 * finds in it no anomaly the message did not have, and none of the
 * parts picked still holding what the rule matched by name.
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../policy/policy_msg.h"
#include "content.h"
#include "content_rewrite.h"
#include "msg_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct content_facts *whole, *cut;
static struct config_content conf;
static struct content_scan scans[4];
static struct content_decision dec;
static struct config_content_rule strip_rule;
static struct content_strip strip;
static struct content_edits edits;
static struct content_rewrite_scratch *rw;
static uint8_t *rw_buf;
static int in_fd = -1, out_fd = -1;
#define FUZZ_RW_SLACK 65536 /* the bound: the message and this */

static const struct config_scanner scanners[] = {
	{ "clamav", CONFIG_SCANNER_CLAMD, "/run/clamd.ctl", 1000, 0, 0 },
	{ "milter", CONFIG_SCANNER_MILTER, "127.0.0.1:1", 1000, 0, 1 },
};

/* fuzz_rule - one rule of the fixed config */
static struct config_content_rule *
fuzz_rule(const char *name, enum config_content_action action)
{
	struct config_content_rule *r = &conf.rules[conf.nrules++];

	memcpy(r->name, name, strlen(name) + 1);
	r->action = action;
	return r;
}

static void
fuzz_config(void)
{
	struct config_content_rule *r;

	r = fuzz_rule("ppap", CONFIG_CONTENT_REJECT);
	r->direction = CONFIG_CONTENT_INBOUND;
	r->encrypted_archive = 1;
	memcpy(r->reply, "No encrypted archives", 22);
	r = fuzz_rule("programs", CONFIG_CONTENT_QUARANTINE);
	r->file_types = (1ull << MIME_FT_PE) | (1ull << MIME_FT_ELF);
	r = fuzz_rule("names", CONFIG_CONTENT_TAG);
	memcpy(r->file_names[0], "*.exe", 6);
	memcpy(r->file_names[1], "*a*b*c*?", 9);
	r->nfile_names = 2;
	r = fuzz_rule("macro", CONFIG_CONTENT_DISCARD);
	r->office_macro = 1;
	r->direction = CONFIG_CONTENT_OUTBOUND;
	r = fuzz_rule("exe-zip", CONFIG_CONTENT_REJECT);
	r->executable_in_archive = 1;
	r = fuzz_rule("big", CONFIG_CONTENT_TAG);
	r->verdicts = 1u << SCAN_TOO_LARGE;
	r->size_over = 4096;
	r = fuzz_rule("virus", CONFIG_CONTENT_QUARANTINE);
	r->verdicts = 1u << SCAN_INFECTED;
	r->file_types = 1ull << MIME_FT_ZIP;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			return 0;
		}
	}
	return 1;
}

/* reply_printable - printable ASCII, and CRLF only between two lines
 * (a milter's multi-line reply), MSG_POLICY_REPLY_LINES_MAX at most */
static int
reply_printable(const char *s)
{
	const char *start = s;
	size_t lines = 1;

	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s != start &&
		    s[2] != '\0') {
			s++;
			lines++;
			continue;
		}
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			return 0;
		}
	}
	return lines <= MSG_POLICY_REPLY_LINES_MAX;
}

/* reply_class - "5xx ...", "5xx-..." (more lines follow) or "5xx" */
static int
reply_class(const char *r, char c)
{
	return r[0] == c && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
	    r[2] <= '9' && (r[3] == ' ' || r[3] == '-' || r[3] == '\0');
}

/* check_view - names and counts within their bounds */
static void
check_view(const struct content_facts_view *v, size_t size)
{
	size_t i, n;

	if (v->size != size || v->nnames > CONTENT_NAMES_MAX) {
		abort();
	}
	for (i = 0; i < v->nnames; i++) {
		n = strnlen(v->names[i], CONTENT_NAME_SIZE);
		if (n == 0 || n >= CONTENT_NAME_SIZE) {
			abort();
		}
		while (n-- > 0) {
			if ((unsigned char)v->names[i][n] < 0x20 ||
			    v->names[i][n] == 0x7f) {
				abort();
			}
		}
	}
}

/* tag_len - the first field of a prepend, continuation lines included */
static size_t
tag_len(const char *p)
{
	const char *eol = p;

	while ((eol = strstr(eol, "\r\n")) != NULL) {
		eol += 2;
		if (*eol != ' ' && *eol != '\t') {
			return (size_t)(eol - p);
		}
	}
	return strlen(p);
}

/* check_decision - what every decision must hold */
static void
check_decision(void)
{
	size_t len = strnlen(dec.log, sizeof(dec.log));
	const char *tail;

	if (dec.action > MSG_POLICY_ACTION_LAST ||
	    strnlen(dec.reply, sizeof(dec.reply)) > MSG_POLICY_REPLY_MAX ||
	    !reply_printable(dec.reply)) {
		abort();
	}
	if ((dec.action == MSG_POLICY_ACCEPT && dec.reply[0] != '\0') ||
	    (dec.action == MSG_POLICY_REJECT && !reply_class(dec.reply, '5')) ||
	    (dec.action == MSG_POLICY_TEMPFAIL &&
		!reply_class(dec.reply, '4')) ||
	    ((dec.action == MSG_POLICY_DISCARD ||
		 dec.action == MSG_POLICY_QUARANTINE) &&
		dec.reply[0] == '\0')) {
		abort();
	}
	if (dec.prepend_len > MSG_PREPEND_MAX ||
	    strnlen(dec.prepend, sizeof(dec.prepend)) != dec.prepend_len ||
	    !msg_header_block_ok((const uint8_t *)dec.prepend,
		dec.prepend_len) ||
	    (dec.prepend_len > 0 && dec.action != MSG_POLICY_ACCEPT &&
		dec.action != MSG_POLICY_QUARANTINE)) {
		abort();
	}
	if (dec.rule != NULL &&
	    (strcmp(dec.rule, "names") == 0 || strcmp(dec.rule, "big") == 0) &&
	    (strncmp(dec.prepend, "X-Sekimori-Content: rule=", 25) != 0 ||
		tag_len(dec.prepend) >= CONTENT_HEADER_SIZE)) {
		abort();
	}
	if (len >= sizeof(dec.log) || !printable(dec.log)) {
		abort();
	}
	tail = strstr(dec.log, "rule=");
	if (tail == NULL || strstr(tail, " action=") == NULL) {
		abort();
	}
}

/* check_notice - the administrators' notice of the decision, forced on,
 * with names from the message as the sender and the recipients: valid
 * on the wire whatever they hold, none with a tempfail */
static void
check_notice(const struct content_facts_view *v)
{
	static const char *rcpts[CONTENT_NAMES_MAX];
	struct content_notice_env env;
	size_t i;

	for (i = 0; i < v->nnames; i++) {
		rcpts[i] = v->names[i];
	}
	memset(&env, 0, sizeof(env));
	env.qid = "4F2A1B3C5D";
	env.sender = v->nnames > 0 ? v->names[0] : "";
	env.client = dec.reply;
	env.rcpts = rcpts;
	env.nrcpts = v->nnames;
	env.rcpts_omitted = (uint32_t)v->names_dropped;
	dec.notify = 1;
	content_admin_notice(&dec, &env);
	if (dec.action == MSG_POLICY_TEMPFAIL ?
		dec.notice[0] != '\0' :
		!policy_msg_notice_ok(dec.notice, strlen(dec.notice))) {
		abort();
	}
}

/* fuzz_scans - n results cut from the message */
static size_t
fuzz_scans(const uint8_t *set, const uint8_t *msg, size_t len)
{
	size_t n = set[1] & 3, i, at, take;

	memset(scans, 0, sizeof(scans));
	for (i = 0; i < n; i++) {
		scans[i].scanner = &scanners[(set[1] >> (2 + i)) & 1];
		at = len > 0 ? (size_t)(set[2] * (i + 1) * 131) % len : 0;
		take = len - at < 300 ? len - at : 300;
		scan_result_set(&scans[i].result,
		    (enum scan_verdict)((set[1] >> (2 * i + 2)) ^ set[3]) %
			SCAN_VERDICT_COUNT,
		    (const char *)msg + at, take);
		at = len > 0 ? (size_t)(set[3] * (i + 7) * 257) % len : 0;
		take = len - at < MSG_PREPEND_MAX ? len - at : MSG_PREPEND_MAX;
		memcpy(scans[i].add_headers, msg + at, take);
		scans[i].add_headers[take] = '\0';
		scans[i].add_headers_len = take;
		scans[i].not_applied = set[0] & 1;
	}
	return n;
}

/* fuzz_rewrite_setup - the strip rule and the edits, once */
static void
fuzz_rewrite_setup(void)
{
	memcpy(strip_rule.name, "strip", 6);
	strip_rule.action = CONFIG_CONTENT_STRIP;
	memcpy(strip_rule.file_names[0], "*.exe", 6);
	memcpy(strip_rule.file_names[1], "*.zip", 6);
	strip_rule.nfile_names = 2;
	strip_rule.file_types = (1ull << MIME_FT_PE) | (1ull << MIME_FT_PDF);
	strip_rule.executable_in_archive = 1;
	strip_rule.encrypted_archive = 1;
	strip_rule.office_macro = 1;
	rw = malloc(content_rewrite_scratch_size());
	rw_buf = malloc(CONTENT_RW_CHUNK);
	in_fd = memfd_create("fuzz-in", MFD_CLOEXEC);
	out_fd = memfd_create("fuzz-out", MFD_CLOEXEC);
	if (rw == NULL || rw_buf == NULL || in_fd < 0 || out_fd < 0) {
		abort();
	}
}

/* fuzz_edits - a chgheader of Subject with a value cut from the
 * message, and an insheader at its index */
static void
fuzz_edits(const uint8_t *msg, size_t len)
{
	static struct scan_milter_actions a;
	size_t take = len < 200 ? len : 200;

	memset(&a, 0, sizeof(a));
	memcpy(a.arena, "Subject", 8);
	memcpy(a.arena + 8, msg, take);
	a.arena[8 + take] = '\0'; /* a NUL in the value cuts it */
	a.a[0].type = SCAN_MA_CHGHEADER;
	a.a[0].index = 1;
	a.a[0].name = a.arena;
	a.a[0].value = a.arena + 8;
	a.a[1].type = SCAN_MA_INSHEADER;
	a.a[1].index = len % 5;
	a.a[1].name = a.arena;
	a.a[1].value = "x";
	a.n = 2;
	edits.n = edits.used = 0;
	edits.dropped = 0;
	content_edits_add(&edits, &a, 0);
}

/* fuzz_rewrite - strip what the rule picks; check the result */
static void
fuzz_rewrite(const uint8_t *msg, size_t len)
{
	struct content_rewrite_in in;
	uint64_t out_size = 0, off;
	unsigned not_applied, flags_in;
	enum sk_result r;
	ssize_t n;

	if (content_strip_pick(whole, &strip_rule, &strip) != 0) {
		return;
	}
	if (ftruncate(in_fd, 0) != 0 ||
	    pwrite(in_fd, msg, len, 0) != (ssize_t)len ||
	    ftruncate(out_fd, 0) != 0 || lseek(out_fd, 0, SEEK_SET) != 0) {
		abort();
	}
	fuzz_edits(msg, len);
	memset(&in, 0, sizeof(in));
	in.fd = in_fd;
	in.size = len;
	in.edits = &edits;
	in.body_fd = -1;
	in.subject_prefix = "[STRIPPED] ";
	in.strip = &strip;
	in.max = len + FUZZ_RW_SLACK;
	r = content_rewrite(&in, rw, out_fd, &out_size, &not_applied);
	if (r == SK_E_TOO_LONG) {
		return;
	}
	if (r != SK_OK || out_size > in.max) {
		abort();
	}
	flags_in = content_facts_view(whole)->mime_flags;
	content_facts_init(cut);
	for (off = 0; off < out_size; off += (uint64_t)n) {
		if ((n = pread(out_fd, rw_buf, CONTENT_RW_CHUNK, (off_t)off)) <=
		    0) {
			abort();
		}
		content_facts_feed(cut, rw_buf, (size_t)n);
	}
	content_facts_finish(cut);
	if ((content_facts_view(cut)->mime_flags & ~flags_in) != 0) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *msg = data + 4;
	size_t len, at, n;
	unsigned seed;

	if (whole == NULL) {
		whole = malloc(content_facts_size());
		cut = malloc(content_facts_size());
		if (whole == NULL || cut == NULL) {
			abort();
		}
		fuzz_config();
		fuzz_rewrite_setup();
	}
	if (size < 4) {
		return 0;
	}
	len = size - 4;
	content_facts_init(whole);
	content_facts_feed(whole, msg, len);
	content_facts_finish(whole);
	check_view(content_facts_view(whole), len);

	content_facts_init(cut);
	seed = data[0];
	for (at = 0; at < len; at += n) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 97;
		n = n < len - at ? n : len - at;
		content_facts_feed(cut, msg + at, n);
	}
	content_facts_finish(cut);
	if (memcmp(content_facts_view(whole), content_facts_view(cut),
		sizeof(struct content_facts_view)) != 0) {
		abort();
	}

	n = fuzz_scans(data, msg, len);
	content_decide(&conf, MSG_POLICY_INBOUND, content_facts_view(whole),
	    scans, n, &dec);
	check_decision();
	content_decide(&conf, MSG_POLICY_OUTBOUND, content_facts_view(whole),
	    scans, n, &dec);
	check_decision();
	check_notice(content_facts_view(whole));
	fuzz_rewrite(msg, len);
	return 0;
}
