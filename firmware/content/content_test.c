/*
 * content_test.c - the content step's core: the order of evaluation,
 * each rule condition alone and together, directions, first match,
 * defaults, the prepend's bounds, the glob, and the facts of messages
 * built here (ZIP attachments built field by field, APPNOTE.TXT 4.3),
 * fed whole, an octet at a time and in random pieces.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "content.h"
#include "content_rewrite.h"
#include "msg_body.h"
#include "../policy/policy_msg.h"
#include "test.h"

/* ---- decisions ---------------------------------------------------- */

static struct config_content conf;
static struct content_scan scans[16];
static struct content_facts_view facts;
static struct content_decision dec;

/* the scanners the tables name: 0 and 1 tempfail on failure, 2 not */
static const struct config_scanner scanners[] = {
	{ "clamav", CONFIG_SCANNER_CLAMD, "/run/clamd.ctl", 60000, 0, 0 },
	{ "milter", CONFIG_SCANNER_MILTER, "127.0.0.1:8891", 60000, 0, 0 },
	{ "lenient", CONFIG_SCANNER_CLAMD, "/run/c2.ctl", 60000, 0, 1 },
};

static void
reset(void)
{
	memset(&conf, 0, sizeof(conf));
	memset(scans, 0, sizeof(scans));
	memset(&facts, 0, sizeof(facts));
}

/* scan - result i from scanner s */
static void
scan(size_t i, size_t s, enum scan_verdict v, const char *text)
{
	scans[i].scanner = &scanners[s];
	scan_result_set(&scans[i].result, v, text, strlen(text));
}

/* rule - append a rule without conditions */
static struct config_content_rule *
rule(const char *name, enum config_content_action action)
{
	struct config_content_rule *r = &conf.rules[conf.nrules++];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->action = action;
	return r;
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
 * (a milter's multi-line reply) */
static int
reply_printable(const char *s)
{
	const char *start = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s != start &&
		    s[2] != '\0') {
			s++;
			continue;
		}
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			return 0;
		}
	}
	return 1;
}

/* reply_class - "5xx ...", "5xx-..." (multi-line) or "5xx"; 4xx too */
static int
reply_class(const char *r, char c)
{
	return r[0] == c && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
	    r[2] <= '9' && (r[3] == ' ' || r[3] == '-' || r[3] == '\0');
}

/* decide - content_decide, then what must hold for every decision */
static void
decide(uint8_t direction, size_t n)
{
	const char *act;

	content_decide(&conf, direction, &facts, scans, n, &dec);
	TEST_CHECK(dec.action <= MSG_POLICY_ACTION_LAST, "action %u",
	    dec.action);
	TEST_CHECK(strlen(dec.reply) <= MSG_POLICY_REPLY_MAX &&
		reply_printable(dec.reply),
	    "reply not printable or long: %s", dec.reply);
	TEST_CHECK(dec.action != MSG_POLICY_ACCEPT || dec.reply[0] == '\0',
	    "accept with a reply: %s", dec.reply);
	TEST_CHECK(dec.action != MSG_POLICY_REJECT ||
		reply_class(dec.reply, '5'),
	    "reject reply: %s", dec.reply);
	TEST_CHECK(dec.action != MSG_POLICY_TEMPFAIL ||
		reply_class(dec.reply, '4'),
	    "tempfail reply: %s", dec.reply);
	TEST_CHECK((dec.action != MSG_POLICY_DISCARD &&
		       dec.action != MSG_POLICY_QUARANTINE) ||
		dec.reply[0] != '\0',
	    "no reason");
	TEST_CHECK(dec.prepend_len <= MSG_PREPEND_MAX &&
		dec.prepend_len == strlen(dec.prepend) &&
		msg_header_block_ok((const uint8_t *)dec.prepend,
		    dec.prepend_len),
	    "prepend not a header block: %s", dec.prepend);
	TEST_CHECK(dec.prepend_len == 0 || dec.action == MSG_POLICY_ACCEPT ||
		dec.action == MSG_POLICY_QUARANTINE,
	    "prepend with action %u", dec.action);
	act = strstr(dec.log, " action=");
	TEST_CHECK(strlen(dec.log) < sizeof(dec.log) && printable(dec.log) &&
		(strncmp(dec.log, "rule=", 5) == 0 ||
		    strstr(dec.log, " rule=")),
	    "log: %s", dec.log);
	(void)act;
}

/* The order of evaluation, step by step (content.h, README "Order"). */
static void
test_order(void)
{
	static const struct {
		const char *name;
		enum scan_verdict v[3]; /* scanners 0 1 2 */
		const char *text[3];
		size_t n;
		int catch_all; /* a last rule: quarantine everything */
		uint8_t action;
		const char *reply, *rule, *by;
	} cases[] = {
		{ "1: failed scanner first", { SCAN_ERROR, SCAN_REJECT },
		    { "connect: refused", "" }, 2, 1, MSG_POLICY_TEMPFAIL,
		    "451 4.7.1 Content scanner clamav unavailable, try again "
		    "later",
		    NULL, "clamav" },
		{ "1: failed after a clean one", { SCAN_CLEAN, SCAN_ERROR },
		    { "", "timed out" }, 2, 1, MSG_POLICY_TEMPFAIL,
		    "451 4.7.1 Content scanner milter unavailable, try again "
		    "later",
		    NULL, "milter" },
		{ "1: accept-and-log goes on",
		    { SCAN_CLEAN, SCAN_CLEAN, SCAN_ERROR }, { "", "", "down" },
		    3, 0, MSG_POLICY_ACCEPT, "", NULL, NULL },
		{ "1: accept-and-log, then infected",
		    { SCAN_INFECTED, SCAN_CLEAN, SCAN_ERROR },
		    { "Eicar-Test-Signature", "", "down" }, 3, 0,
		    MSG_POLICY_REJECT,
		    "550 5.7.1 Message rejected: virus found: "
		    "Eicar-Test-Signature",
		    NULL, "clamav" },
		{ "2: milter reject before rules",
		    { SCAN_INFECTED, SCAN_REJECT },
		    { "Eicar", "550 5.7.1 Spam" }, 2, 1, MSG_POLICY_REJECT,
		    "550 5.7.1 Spam", NULL, "milter" },
		{ "2: milter reject, bad text", { SCAN_CLEAN, SCAN_REJECT },
		    { "", "no code" }, 2, 1, MSG_POLICY_REJECT,
		    "550 5.7.1 Message rejected by content scanner", NULL,
		    "milter" },
		{ "2: milter reject, three lines", { SCAN_CLEAN, SCAN_REJECT },
		    { "", "550-5.7.1 a\r\n550-5.7.1 b\r\n550 5.7.1 c" }, 2, 1,
		    MSG_POLICY_REJECT,
		    "550-5.7.1 a\r\n550-5.7.1 b\r\n550 5.7.1 c", NULL,
		    "milter" },
		{ "2: milter reject, ten lines: eight sent",
		    { SCAN_CLEAN, SCAN_REJECT },
		    { "",
			"550-1\r\n550-2\r\n550-3\r\n550-4\r\n550-5\r\n"
			"550-6\r\n550-7\r\n550-8\r\n550-9\r\n550 10" },
		    2, 1, MSG_POLICY_REJECT,
		    "550-1\r\n550-2\r\n550-3\r\n550-4\r\n550-5\r\n550-6\r\n"
		    "550-7\r\n550 8",
		    NULL, "milter" },
		{ "2: milter reject, lines of two codes",
		    { SCAN_CLEAN, SCAN_REJECT }, { "", "550-a\r\n554 b" }, 2, 1,
		    MSG_POLICY_REJECT,
		    "550 5.7.1 Message rejected by content scanner", NULL,
		    "milter" },
		{ "2: milter tempfail", { SCAN_CLEAN, SCAN_TEMPFAIL },
		    { "", "451 4.7.1 Later" }, 2, 1, MSG_POLICY_TEMPFAIL,
		    "451 4.7.1 Later", NULL, "milter" },
		{ "2: milter tempfail with a 5xx",
		    { SCAN_CLEAN, SCAN_TEMPFAIL }, { "", "550 no" }, 2, 1,
		    MSG_POLICY_TEMPFAIL,
		    "451 4.7.1 Content scanner asks to try again later", NULL,
		    "milter" },
		{ "2: milter discard", { SCAN_CLEAN, SCAN_DISCARD }, { "", "" },
		    2, 1, MSG_POLICY_DISCARD, "scanner milter: discarded", NULL,
		    "milter" },
		{ "2: milter quarantine", { SCAN_INFECTED, SCAN_QUARANTINE },
		    { "Eicar", "spam score 20" }, 2, 1, MSG_POLICY_QUARANTINE,
		    "scanner milter: spam score 20", NULL, "milter" },
		{ "3: rule before the default", { SCAN_INFECTED, SCAN_CLEAN },
		    { "Eicar", "" }, 2, 1, MSG_POLICY_QUARANTINE,
		    "rule all: any message", "all", NULL },
		{ "4: infected", { SCAN_CLEAN, SCAN_INFECTED },
		    { "", "Win.Test.EICAR_HDB-1" }, 2, 0, MSG_POLICY_REJECT,
		    "550 5.7.1 Message rejected: virus found: "
		    "Win.Test.EICAR_HDB-1",
		    NULL, "milter" },
		{ "4: clean", { SCAN_CLEAN, SCAN_CLEAN }, { "", "" }, 2, 0,
		    MSG_POLICY_ACCEPT, "", NULL, NULL },
		{ "4: too-large", { SCAN_TOO_LARGE }, { "" }, 1, 0,
		    MSG_POLICY_ACCEPT, "", NULL, NULL },
		{ "4: no scanner", { SCAN_CLEAN }, { "" }, 0, 0,
		    MSG_POLICY_ACCEPT, "", NULL, NULL },
	};
	size_t i, k;

	for (i = 0; i < SK_NELEM(cases); i++) {
		reset();
		for (k = 0; k < cases[i].n; k++) {
			scan(k, k, cases[i].v[k],
			    cases[i].text[k] != NULL ? cases[i].text[k] : "");
		}
		if (cases[i].catch_all) {
			rule("all", CONFIG_CONTENT_QUARANTINE);
		}
		decide(MSG_POLICY_INBOUND, cases[i].n);
		TEST_CHECK(dec.action == cases[i].action &&
			strcmp(dec.reply, cases[i].reply) == 0,
		    "%s: got %u \"%s\", want %u \"%s\"", cases[i].name,
		    dec.action, dec.reply, cases[i].action, cases[i].reply);
		TEST_CHECK((dec.rule == NULL) == (cases[i].rule == NULL) &&
			(dec.rule == NULL ||
			    strcmp(dec.rule, cases[i].rule) == 0),
		    "%s: rule %s", cases[i].name,
		    dec.rule != NULL ? dec.rule : "(none)");
		TEST_CHECK((dec.by == NULL) == (cases[i].by == NULL) &&
			(dec.by == NULL || strcmp(dec.by, cases[i].by) == 0),
		    "%s: by %s", cases[i].name,
		    dec.by != NULL ? dec.by : "(none)");
	}
}

/* A milter's multi-line reply in the log: one line, " / " between; a
 * reply cut to MSG_POLICY_REPLY_LINES_MAX says how many it had. */
static void
test_log_multiline(void)
{
	reset();
	scan(0, 1, SCAN_REJECT, "550-5.7.1 a\r\n550 5.7.1 b");
	decide(MSG_POLICY_INBOUND, 1);
	TEST_CHECK(strcmp(dec.log,
		       "milter=reject(550-5.7.1 a / 550 5.7.1 b) rule=none "
		       "action=reject") == 0,
	    "log: %s", dec.log);
	scan(0, 1, SCAN_REJECT,
	    "550-1\r\n550-2\r\n550-3\r\n550-4\r\n550-5\r\n550-6\r\n"
	    "550-7\r\n550-8\r\n550 9");
	decide(MSG_POLICY_INBOUND, 1);
	TEST_CHECK(strstr(dec.log, "550-8 / 550 9)[reply-lines=9,sent=8] ") !=
		NULL,
	    "log: %s", dec.log);
}

/* The log line: every scanner, then the rule and the action. */
static void
test_log(void)
{
	char text[300];
	size_t i;

	reset();
	scan(0, 0, SCAN_INFECTED, "Eicar-Test-Signature");
	scan(1, 1, SCAN_CLEAN, "");
	scan(2, 2, SCAN_ERROR, "connect: No such file or directory");
	scans[1].not_applied = 2;
	decide(MSG_POLICY_INBOUND, 3);
	TEST_CHECK(strcmp(dec.log,
		       "clamav=infected(Eicar-Test-Signature) "
		       "milter=clean[not-applied=2] "
		       "lenient=error(unscanned: connect: No such file or "
		       "directory) rule=none action=reject") == 0,
	    "log: %s", dec.log);
	rule("tagit", CONFIG_CONTENT_TAG);
	decide(MSG_POLICY_INBOUND, 1);
	TEST_CHECK(strcmp(dec.log,
		       "clamav=infected(Eicar-Test-Signature) rule=tagit "
		       "action=tag") == 0,
	    "log: %s", dec.log);

	/* sixteen scanners with long texts: cut, the end always shown */
	reset();
	memset(text, 'v', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 16; i++) {
		scan(i, 2, SCAN_ERROR, text);
	}
	decide(MSG_POLICY_INBOUND, 16);
	TEST_CHECK(dec.action == MSG_POLICY_ACCEPT &&
		strlen(dec.log) < sizeof(dec.log) &&
		strstr(dec.log, "vvv... rule=none action=accept") != NULL,
	    "long log: %zu %s", strlen(dec.log), dec.log);
}

/* Each condition alone, matching and not, then together. */
static void
test_conditions(void)
{
	static const struct {
		const char *name;
		uint32_t verdicts;
		uint64_t types;
		const char *pattern;
		int exe, enc, mac;
		uint64_t size_over;
		/* the facts and scans */
		enum scan_verdict v;
		size_t s;
		uint64_t ftypes;
		const char *fname;
		int fexe, fenc, fmac;
		uint64_t size;
		const char *want; /* NULL: no match */
	} cases[] = {
		{ "verdict", 1u << SCAN_INFECTED, 0, NULL, 0, 0, 0, 0,
		    SCAN_INFECTED, 0, 0, NULL, 0, 0, 0, 10,
		    "verdict infected (x) from clamav" },
		{ "verdict no", 1u << SCAN_INFECTED, 0, NULL, 0, 0, 0, 0,
		    SCAN_CLEAN, 0, 0, NULL, 0, 0, 0, 10, NULL },
		{ "verdict error", 1u << SCAN_ERROR, 0, NULL, 0, 0, 0, 0,
		    SCAN_ERROR, 2, 0, NULL, 0, 0, 0, 10,
		    "verdict error (x) from lenient" },
		{ "verdict too-large",
		    (1u << SCAN_INFECTED) | (1u << SCAN_TOO_LARGE), 0, NULL, 0,
		    0, 0, 0, SCAN_TOO_LARGE, 0, 0, NULL, 0, 0, 0, 10,
		    "verdict too-large (x) from clamav" },
		{ "type", 0, 1ull << MIME_FT_PE, NULL, 0, 0, 0, 0, SCAN_CLEAN,
		    0, (1ull << MIME_FT_PE) | 1, NULL, 0, 0, 0, 10,
		    "file-type pe" },
		{ "type no", 0, 1ull << MIME_FT_PE, NULL, 0, 0, 0, 0,
		    SCAN_CLEAN, 0, 1ull << MIME_FT_ZIP, NULL, 0, 0, 0, 10,
		    NULL },
		{ "name", 0, 0, "*.EXE", 0, 0, 0, 0, SCAN_CLEAN, 0, 0,
		    "Invoice.exe", 0, 0, 0, 10, "file-name Invoice.exe" },
		{ "name no", 0, 0, "*.exe", 0, 0, 0, 0, SCAN_CLEAN, 0, 0,
		    "a.exe.txt", 0, 0, 0, 10, NULL },
		{ "exe", 0, 0, NULL, 1, 0, 0, 0, SCAN_CLEAN, 0, 0, NULL, 1, 0,
		    0, 10, "executable-in-archive" },
		{ "exe no", 0, 0, NULL, 1, 0, 0, 0, SCAN_CLEAN, 0, 0, NULL, 0,
		    1, 1, 10, NULL },
		{ "encrypted", 0, 0, NULL, 0, 1, 0, 0, SCAN_CLEAN, 0, 0, NULL,
		    0, 1, 0, 10, "encrypted-archive" },
		{ "encrypted no", 0, 0, NULL, 0, 1, 0, 0, SCAN_CLEAN, 0, 0,
		    NULL, 1, 0, 1, 10, NULL },
		{ "macro", 0, 0, NULL, 0, 0, 1, 0, SCAN_CLEAN, 0, 0, NULL, 0, 0,
		    1, 10, "office-macro" },
		{ "macro no", 0, 0, NULL, 0, 0, 1, 0, SCAN_CLEAN, 0, 0, NULL, 1,
		    1, 0, 10, NULL },
		{ "size", 0, 0, NULL, 0, 0, 0, 1000, SCAN_CLEAN, 0, 0, NULL, 0,
		    0, 0, 1001, "size 1001 over 1000" },
		{ "size equal", 0, 0, NULL, 0, 0, 0, 1000, SCAN_CLEAN, 0, 0,
		    NULL, 0, 0, 0, 1000, NULL },
		{ "none", 0, 0, NULL, 0, 0, 0, 0, SCAN_CLEAN, 0, 0, NULL, 0, 0,
		    0, 10, "any message" },
		{ "all", 1u << SCAN_INFECTED, 1ull << MIME_FT_ZIP, "*.zip", 1,
		    1, 1, 5, SCAN_INFECTED, 0, 1ull << MIME_FT_ZIP, "a.zip", 1,
		    1, 1, 10,
		    "verdict infected (x) from clamav, file-type zip, "
		    "file-name "
		    "a.zip, executable-in-archive, encrypted-archive, "
		    "office-macro, size 10 over 5" },
		{ "all but size", 1u << SCAN_INFECTED, 1ull << MIME_FT_ZIP,
		    "*.zip", 1, 1, 1, 50, SCAN_INFECTED, 0, 1ull << MIME_FT_ZIP,
		    "a.zip", 1, 1, 1, 10, NULL },
		{ "ppap: type and encrypted", 0, 1ull << MIME_FT_ZIP, NULL, 0,
		    1, 0, 0, SCAN_CLEAN, 0, 1ull << MIME_FT_ZIP, NULL, 0, 1, 0,
		    10, "file-type zip, encrypted-archive" },
		{ "ppap: not encrypted", 0, 1ull << MIME_FT_ZIP, NULL, 0, 1, 0,
		    0, SCAN_CLEAN, 0, 1ull << MIME_FT_ZIP, NULL, 0, 0, 0, 10,
		    NULL },
	};
	struct config_content_rule *r;
	char want[256];
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		reset();
		r = rule("r", CONFIG_CONTENT_QUARANTINE);
		r->verdicts = cases[i].verdicts;
		r->file_types = cases[i].types;
		if (cases[i].pattern != NULL) {
			snprintf(r->file_names[0], CONFIG_RULE_NAME_SIZE, "%s",
			    cases[i].pattern);
			r->nfile_names = 1;
		}
		r->executable_in_archive = cases[i].exe;
		r->encrypted_archive = cases[i].enc;
		r->office_macro = cases[i].mac;
		r->size_over = cases[i].size_over;
		scan(0, cases[i].s, cases[i].v, "x");
		facts.file_types = cases[i].ftypes;
		if (cases[i].fname != NULL) {
			snprintf(facts.names[0], CONTENT_NAME_SIZE, "%s",
			    cases[i].fname);
			facts.nnames = 1;
		}
		facts.executable_in_archive = cases[i].fexe;
		facts.encrypted_archive = cases[i].fenc;
		facts.office_macro = cases[i].fmac;
		facts.size = cases[i].size;
		decide(MSG_POLICY_INBOUND, 1);
		if (cases[i].want == NULL) {
			TEST_CHECK(dec.rule == NULL, "%s: matched: %s",
			    cases[i].name, dec.reply);
			continue;
		}
		snprintf(want, sizeof(want), "rule r: %s", cases[i].want);
		TEST_CHECK(dec.action == MSG_POLICY_QUARANTINE &&
			strcmp(dec.reply, want) == 0,
		    "%s: got %u \"%s\", want \"%s\"", cases[i].name, dec.action,
		    dec.reply, want);
	}
}

/* Directions: a rule sees only the mail of its direction. */
static void
test_direction(void)
{
	static const struct {
		enum config_content_direction rule;
		uint8_t msg;
		int match;
	} cases[] = {
		{ CONFIG_CONTENT_BOTH, MSG_POLICY_INBOUND, 1 },
		{ CONFIG_CONTENT_BOTH, MSG_POLICY_OUTBOUND, 1 },
		{ CONFIG_CONTENT_INBOUND, MSG_POLICY_INBOUND, 1 },
		{ CONFIG_CONTENT_INBOUND, MSG_POLICY_OUTBOUND, 0 },
		{ CONFIG_CONTENT_OUTBOUND, MSG_POLICY_INBOUND, 0 },
		{ CONFIG_CONTENT_OUTBOUND, MSG_POLICY_OUTBOUND, 1 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		reset();
		rule("d", CONFIG_CONTENT_DISCARD)->direction = cases[i].rule;
		decide(cases[i].msg, 0);
		TEST_CHECK((dec.action == MSG_POLICY_DISCARD) ==
			    cases[i].match &&
			(!cases[i].match ||
			    strcmp(dec.reply, "rule d: any message") == 0),
		    "case %zu: got %u %s", i, dec.action, dec.reply);
	}
}

/* The first rule that matches acts; later ones are not tried. */
static void
test_first_match(void)
{
	struct config_content_rule *r;

	reset();
	r = rule("exe", CONFIG_CONTENT_TAG);
	r->file_types = 1ull << MIME_FT_PE;
	r = rule("ppap", CONFIG_CONTENT_REJECT);
	r->encrypted_archive = 1;
	snprintf(r->reply, sizeof(r->reply), "%s",
	    "Encrypted archives are not accepted");
	rule("rest", CONFIG_CONTENT_REJECT);

	facts.file_types = 1ull << MIME_FT_PE;
	facts.encrypted_archive = 1;
	decide(MSG_POLICY_INBOUND, 0);
	TEST_CHECK(dec.action == MSG_POLICY_ACCEPT && dec.rule != NULL &&
		strcmp(dec.rule, "exe") == 0 &&
		strcmp(dec.prepend,
		    "X-Sekimori-Content: rule=exe; matched=file-type pe\r\n") ==
		    0,
	    "tag: %u %s", dec.action, dec.prepend);

	facts.file_types = 0;
	decide(MSG_POLICY_INBOUND, 0);
	TEST_CHECK(dec.action == MSG_POLICY_REJECT &&
		strcmp(dec.reply,
		    "550 5.7.1 Encrypted archives are not accepted") == 0 &&
		dec.prepend_len == 0,
	    "ppap: %s", dec.reply);

	facts.encrypted_archive = 0;
	decide(MSG_POLICY_INBOUND, 0);
	TEST_CHECK(dec.action == MSG_POLICY_REJECT &&
		strcmp(dec.reply,
		    "550 5.7.1 Message rejected by content rule rest") == 0,
	    "rest: %s", dec.reply);

	/* accept first: even a virus is let through (the admin said so) */
	reset();
	rule("trusted", CONFIG_CONTENT_ACCEPT);
	rule("rest", CONFIG_CONTENT_REJECT);
	scan(0, 0, SCAN_INFECTED, "Eicar");
	decide(MSG_POLICY_OUTBOUND, 1);
	TEST_CHECK(dec.action == MSG_POLICY_ACCEPT && dec.rule != NULL &&
		strcmp(dec.rule, "trusted") == 0 &&
		strstr(dec.log, "rule=trusted action=accept") != NULL,
	    "accept: %u %s", dec.action, dec.log);
}

/* unfold - h without its CRLFs (RFC 5322 2.2.3) */
static void
unfold(const char *h, char *out, size_t cap)
{
	size_t k = 0;

	for (; *h != '\0' && k + 1 < cap; h++) {
		if (*h != '\r' && *h != '\n') {
			out[k++] = *h;
		}
	}
	out[k] = '\0';
}

/* The tag header folds; milter fields follow in chain order, bounded. */
static void
test_prepend(void)
{
	static char big[3][MSG_PREPEND_MAX + 1];
	char flat[2048], want[2048], text[SCAN_TEXT_MAX];
	const char *line, *eol;
	size_t i, k;

	/* a long matched text folds into lines under 79 columns */
	reset();
	rule("names", CONFIG_CONTENT_TAG)->nfile_names = 1;
	snprintf(conf.rules[0].file_names[0], CONFIG_RULE_NAME_SIZE, "*");
	snprintf(facts.names[0], CONTENT_NAME_SIZE, "%s",
	    "a very long file name with many words in it that goes on and "
	    "on past the width of one line of a header field \x01 end.txt");
	facts.nnames = 1;
	decide(MSG_POLICY_INBOUND, 0);
	for (line = dec.prepend; (eol = strstr(line, "\r\n")) != NULL;
	     line = eol + 2) {
		TEST_CHECK(eol - line <= 78, "line of %d: %s",
		    (int)(eol - line), dec.prepend);
	}
	unfold(dec.prepend, flat, sizeof(flat));
	snprintf(want, sizeof(want),
	    "X-Sekimori-Content: rule=names; matched=file-name %s",
	    "a very long file name with many words in it that goes on and "
	    "on past the width of one line of a header field ? end.txt");
	TEST_CHECK(strcmp(flat, want) == 0 &&
		strstr(dec.prepend, "\r\n ") != NULL,
	    "folded: %s", dec.prepend);

	/* the longest WHAT: every condition, a name of 255 octets in words
	 * of 39 (the most folds); the header stays in CONTENT_HEADER_SIZE */
	reset();
	rule("longest-rule-name-of-32-octets-x", CONFIG_CONTENT_TAG);
	conf.rules[0].nfile_names = 1;
	snprintf(conf.rules[0].file_names[0], CONFIG_RULE_NAME_SIZE, "*");
	conf.rules[0].verdicts = 1u << SCAN_INFECTED;
	conf.rules[0].file_types = ~0ull;
	conf.rules[0].executable_in_archive = 1;
	conf.rules[0].encrypted_archive = 1;
	conf.rules[0].office_macro = 1;
	conf.rules[0].size_over = 1;
	memset(facts.names[0], 'n', CONTENT_NAME_SIZE - 1);
	for (i = 39; i < CONTENT_NAME_SIZE - 1; i += 40) {
		facts.names[0][i] = ' ';
	}
	facts.nnames = 1;
	facts.file_types = 1ull << MIME_FT_JAVA_CLASS;
	facts.executable_in_archive = facts.encrypted_archive = 1;
	facts.office_macro = 1;
	facts.size = UINT64_MAX;
	memset(text, 'V', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	scan(0, 0, SCAN_INFECTED, text);
	decide(MSG_POLICY_INBOUND, 1);
	unfold(dec.prepend, flat, sizeof(flat));
	TEST_CHECK(dec.prepend_len < CONTENT_HEADER_SIZE &&
		strstr(flat,
		    "office-macro, size 18446744073709551615 over 1") != NULL,
	    "longest tag: %zu %s", dec.prepend_len, flat);

	/* tag, then each milter's fields in chain order */
	reset();
	rule("t", CONFIG_CONTENT_TAG);
	scan(0, 1, SCAN_CLEAN, "");
	scan(1, 1, SCAN_CLEAN, "");
	snprintf(scans[0].add_headers, sizeof(scans[0].add_headers),
	    "X-Spam: no\r\nX-Long: a\r\n\tb\r\n");
	scans[0].add_headers_len = strlen(scans[0].add_headers);
	snprintf(scans[1].add_headers, sizeof(scans[1].add_headers),
	    "no colon here\r\nX-Second: 2\r\nX-Cut: no CRLF");
	scans[1].add_headers_len = strlen(scans[1].add_headers);
	decide(MSG_POLICY_INBOUND, 2);
	TEST_CHECK(strcmp(dec.prepend,
		       "X-Sekimori-Content: rule=t; matched=any message\r\n"
		       "X-Spam: no\r\nX-Long: a\r\n\tb\r\nX-Second: 2\r\n") ==
		0,
	    "prepend: %s", dec.prepend);
	TEST_CHECK(strstr(dec.log, "dropped-headers=2 rule=t") != NULL,
	    "log: %s", dec.log);

	/* no rule: the milters' fields alone; reject: none */
	conf.nrules = 0;
	decide(MSG_POLICY_INBOUND, 1);
	TEST_CHECK(strcmp(dec.prepend, "X-Spam: no\r\nX-Long: a\r\n\tb\r\n") ==
		0,
	    "milter only: %s", dec.prepend);
	scan(1, 0, SCAN_INFECTED, "Eicar");
	decide(MSG_POLICY_INBOUND, 2);
	TEST_CHECK(dec.action == MSG_POLICY_REJECT && dec.prepend_len == 0,
	    "reject with prepend");

	/* three milters of about 5 KiB each: what passes MSG_PREPEND_MAX
	 * is dropped, from the first field that does not fit on */
	reset();
	rule("t", CONFIG_CONTENT_TAG);
	for (i = 0; i < 3; i++) {
		scan(i, 1, SCAN_CLEAN, "");
		for (k = 0; k + 40 < 5000; k += 40) {
			snprintf(big[i] + k, 41, "X-M%zu: %032zu\r\n", i, k);
		}
		memcpy(scans[i].add_headers, big[i], k);
		scans[i].add_headers_len = k;
	}
	decide(MSG_POLICY_INBOUND, 3);
	TEST_CHECK(dec.prepend_len <= MSG_PREPEND_MAX &&
		dec.prepend_len > MSG_PREPEND_MAX - 40 &&
		strstr(dec.prepend, "X-M2:") == NULL &&
		strncmp(dec.prepend, "X-Sekimori-Content:", 19) == 0 &&
		strstr(dec.log, "dropped-headers=") != NULL,
	    "bounded: %zu %s", dec.prepend_len, dec.log);
}

/* Replies and reasons are cut to their limits and printable. */
static void
test_bounds(void)
{
	char name[SCAN_TEXT_MAX];

	reset();
	memset(name, 'V', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	scan(0, 0, SCAN_INFECTED, name);
	decide(MSG_POLICY_INBOUND, 1);
	TEST_CHECK(strlen(dec.reply) == MSG_POLICY_REPLY_LINE_MAX &&
		strncmp(dec.reply, "550 5.7.1 Message rejected: virus found: V",
		    42) == 0,
	    "long virus: %zu", strlen(dec.reply));
	scan(0, 1, SCAN_QUARANTINE, name);
	decide(MSG_POLICY_INBOUND, 1);
	TEST_CHECK(dec.action == MSG_POLICY_QUARANTINE &&
		strlen(dec.reply) == MSG_POLICY_REPLY_MAX,
	    "long reason");
	/* a name with control octets becomes printable in the reason */
	reset();
	rule("q", CONFIG_CONTENT_QUARANTINE)->nfile_names = 1;
	snprintf(conf.rules[0].file_names[0], CONFIG_RULE_NAME_SIZE, "*.exe");
	snprintf(facts.names[0], CONTENT_NAME_SIZE, "\xe3\x81\x82\t.exe");
	facts.nnames = 1;
	decide(MSG_POLICY_INBOUND, 0);
	TEST_CHECK(strcmp(dec.reply, "rule q: file-name ????.exe") == 0,
	    "reason: %s", dec.reply);
}

/* ---- the administrators' notice ---------------------------------- */

static const char *notice_rcpts[POLICY_MSG_RCPT_MAX];

/* notice - content_admin_notice over the last decision; what holds for every
 * notice: the wire's check, the bound, lines under 998 octets */
static void
notice(const char *sender, size_t nrcpts, uint32_t omitted)
{
	struct content_notice_env env;
	const char *p, *e;
	size_t len;

	memset(&env, 0, sizeof(env));
	env.qid = "4F2A1B3C5D";
	env.sender = sender;
	env.client = "192.0.2.7";
	env.rcpts = notice_rcpts;
	env.nrcpts = nrcpts;
	env.rcpts_omitted = omitted;
	content_admin_notice(&dec, &env);
	len = strlen(dec.notice);
	TEST_CHECK(len == 0 || policy_msg_notice_ok(dec.notice, len),
	    "notice not valid on the wire (%zu): %s", len, dec.notice);
	for (p = dec.notice; (e = strstr(p, "\r\n")) != NULL; p = e + 2) {
		TEST_CHECK(e - p < 998, "a notice line of %zu octets",
		    (size_t)(e - p));
	}
}

/* Which decisions notify, and what the notice says, per action. */
static void
test_notice(void)
{
	static const struct {
		enum config_content_action action;
		const char *word;
	} acts[] = {
		{ CONFIG_CONTENT_REJECT, "reject" },
		{ CONFIG_CONTENT_QUARANTINE, "quarantine" },
		{ CONFIG_CONTENT_DISCARD, "discard" },
		{ CONFIG_CONTENT_TAG, "tag" },
		{ CONFIG_CONTENT_ACCEPT, "accept" },
	};
	char want[160];
	size_t i;

	notice_rcpts[0] = "bob@example.com";
	notice_rcpts[1] = "carol@example.com";
	for (i = 0; i < SK_NELEM(acts); i++) {
		reset();
		rule("ppap", acts[i].action)->notify = 1;
		decide(MSG_POLICY_INBOUND, 0);
		notice("alice@example.org", 2, 0);
		snprintf(want, sizeof(want),
		    "[Sekimori] %s: message 4F2A1B3C5D from alice@example.org "
		    "(ppap)\r\n\r\n",
		    acts[i].word);
		TEST_CHECK(dec.notify &&
			strncmp(dec.notice, want, strlen(want)) == 0 &&
			strstr(dec.notice, "\r\nAction:     ") != NULL &&
			strstr(dec.notice, "\r\nRule:       ppap\r\n") &&
			strstr(dec.notice, "\r\nClient:     192.0.2.7\r\n") &&
			strstr(dec.notice,
			    "Recipient:  bob@example.com\r\n"
			    "Recipient:  carol@example.com\r\n"),
		    "%s: %s", acts[i].word, dec.notice);
	}
	/* a rule without notify, a milter's verdict: nothing */
	reset();
	rule("q", CONFIG_CONTENT_QUARANTINE);
	decide(MSG_POLICY_INBOUND, 0);
	notice("", 1, 0);
	TEST_CHECK(!dec.notify && dec.notice[0] == '\0', "no notify: %s",
	    dec.notice);
	/* a strip that worked is reported as strip; a tempfail never */
	reset();
	rule("exe", CONFIG_CONTENT_STRIP)->notify = 1;
	decide(MSG_POLICY_INBOUND, 0);
	dec.action = MSG_POLICY_ACCEPT; /* as content_job_rewrite does */
	notice("", 1, 0);
	TEST_CHECK(strncmp(dec.notice,
		       "[Sekimori] strip: message 4F2A1B3C5D from <> (exe)\r\n",
		       50) == 0,
	    "strip: %s", dec.notice);
	dec.action = MSG_POLICY_TEMPFAIL;
	notice("", 1, 0);
	TEST_CHECK(dec.notice[0] == '\0', "tempfail: %s", dec.notice);
	/* a virus with no rule: only with notify-on-virus */
	reset();
	scan(0, 0, SCAN_INFECTED, "Eicar-Test-Signature");
	decide(MSG_POLICY_INBOUND, 1);
	notice("a@b.example", 1, 0);
	TEST_CHECK(!dec.notify && dec.notice[0] == '\0', "virus: %s",
	    dec.notice);
	conf.notify_on_virus = 1;
	decide(MSG_POLICY_INBOUND, 1);
	notice("a@b.example", 1, 0);
	TEST_CHECK(strncmp(dec.notice,
		       "[Sekimori] reject: message 4F2A1B3C5D from "
		       "a@b.example (virus Eicar-Test-Signature by clamav)",
		       80) == 0 &&
		strstr(dec.notice,
		    "Reason:     550 5.7.1 Message rejected: "
		    "virus found: Eicar-Test-Signature\r\n"),
	    "virus notify: %s", dec.notice);
}

/* The notice stays in MSG_NOTICE_MAX, printable, lines short, however
 * long and many the values; recipients past the room are counted. */
static void
test_notice_bounds(void)
{
	static char big[POLICY_MSG_TEXT_SIZE];
	size_t i;

	memset(big, 'x', sizeof(big) - 1);
	big[5] = '\t';
	big[6] = '\n';
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < SK_NELEM(notice_rcpts); i++) {
		notice_rcpts[i] = big;
	}
	reset();
	rule("r", CONFIG_CONTENT_REJECT)->notify = 1;
	decide(MSG_POLICY_INBOUND, 0);
	notice(big, SK_NELEM(notice_rcpts), 7);
	TEST_CHECK(strlen(dec.notice) <= MSG_NOTICE_MAX &&
		strstr(dec.notice, " more, not listed\r\n") != NULL &&
		strstr(dec.notice, "\r\nReason:     ") != NULL,
	    "bounds: %zu %s", strlen(dec.notice), dec.notice);
	notice_rcpts[0] = "bob@example.com";
	notice_rcpts[1] = "carol@example.com";
}

/* content_glob: '*', '?', case, and patterns that would explode a
 * naive backtracking matcher. */
static void
test_glob(void)
{
	static const struct {
		const char *pattern, *name;
		int want;
	} cases[] = {
		{ "*.exe", "a.exe", 1 },
		{ "*.exe", "A.EXE", 1 },
		{ "*.EXE", "setup.exe", 1 },
		{ "*.exe", "a.exe.txt", 0 },
		{ "*.exe", ".exe", 1 },
		{ "*.exe", "exe", 0 },
		{ "?.exe", "a.exe", 1 },
		{ "?.exe", "ab.exe", 0 },
		{ "?.exe", ".exe", 0 },
		{ "a?c", "abc", 1 },
		{ "a?c", "ac", 0 },
		{ "*", "", 1 },
		{ "*", "anything", 1 },
		{ "", "", 1 },
		{ "", "a", 0 },
		{ "a", "", 0 },
		{ "*?", "", 0 },
		{ "?*", "a", 1 },
		{ "a*b*c", "aXbYc", 1 },
		{ "a*b*c", "aXbY", 0 },
		{ "a*b*c", "abcabc", 1 },
		{ "***a", "a", 1 },
		{ "*.pdf.*", "invoice.pdf.exe", 1 },
		{ "*.pdf.*", "invoice.pdf", 0 },
		{ "invoice*.zip", "Invoice_2026.ZIP", 1 },
		{ "*ab", "aab", 1 },
		{ "*aab", "aaab", 1 },
		{ "*a*", "xyz", 0 },
		{ "\xe3\x81\x82*", "\xe3\x81\x82.txt", 1 },
	};
	char pat[CONFIG_RULE_NAME_SIZE], name[CONTENT_NAME_SIZE];
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		TEST_CHECK(content_glob(cases[i].pattern, cases[i].name) ==
			cases[i].want,
		    "\"%s\" ~ \"%s\": want %d", cases[i].pattern, cases[i].name,
		    cases[i].want);
	}
	/* 127 stars; then "*a*a*...*b" over 255 a's: quadratic at worst */
	memset(pat, '*', sizeof(pat) - 1);
	pat[sizeof(pat) - 1] = '\0';
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	TEST_CHECK(content_glob(pat, name) == 1, "stars");
	for (i = 0; i + 2 < sizeof(pat) - 1; i += 2) {
		pat[i] = '*';
		pat[i + 1] = 'a';
	}
	pat[i] = 'b';
	pat[i + 1] = '\0';
	TEST_CHECK(content_glob(pat, name) == 0, "*a*a...b");
	name[sizeof(name) - 2] = 'b';
	TEST_CHECK(content_glob(pat, name) == 1, "*a*a...b ending in b");
	memset(pat, '?', sizeof(pat) - 1);
	TEST_CHECK(content_glob(pat, name) == 0, "127 ? over 255");
}

/* ---- facts over messages built here -------------------------------- */

#define MSG_MAX (1u << 20)

struct zip_member {
	const char *name;
	const uint8_t *data;
	size_t len;
	unsigned gpflags;
};

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* zip_build - stored members, central directory, end record; length */
static size_t
zip_build(uint8_t *out, size_t cap, const struct zip_member *m, size_t n)
{
	static uint8_t cd[4096];
	size_t len = 0, cdlen = 0, i, nl;

	for (i = 0; i < n; i++) {
		nl = strlen(m[i].name);
		if (len + 30 + nl + m[i].len > cap || cdlen + 46 + nl > 4096) {
			return 0;
		}
		memset(out + len, 0, 30);
		put32(out + len, 0x04034b50); /* APPNOTE 4.3.7 */
		put16(out + len + 4, 20);
		put16(out + len + 6, m[i].gpflags);
		put32(out + len + 18, (uint32_t)m[i].len);
		put32(out + len + 22, (uint32_t)m[i].len);
		put16(out + len + 26, (unsigned)nl);
		memset(cd + cdlen, 0, 46);
		put32(cd + cdlen, 0x02014b50); /* APPNOTE 4.3.12 */
		put16(cd + cdlen + 4, 20);
		put16(cd + cdlen + 6, 20);
		put16(cd + cdlen + 8, m[i].gpflags);
		put32(cd + cdlen + 20, (uint32_t)m[i].len);
		put32(cd + cdlen + 24, (uint32_t)m[i].len);
		put16(cd + cdlen + 28, (unsigned)nl);
		put32(cd + cdlen + 42, (uint32_t)len);
		memcpy(cd + cdlen + 46, m[i].name, nl);
		cdlen += 46 + nl;
		memcpy(out + len + 30, m[i].name, nl);
		memcpy(out + len + 30 + nl, m[i].data, m[i].len);
		len += 30 + nl + m[i].len;
	}
	if (len + cdlen + 22 > cap) {
		return 0;
	}
	memcpy(out + len, cd, cdlen);
	memset(out + len + cdlen, 0, 22);
	put32(out + len + cdlen, 0x06054b50); /* APPNOTE 4.3.16 */
	put16(out + len + cdlen + 8, (unsigned)n);
	put16(out + len + cdlen + 10, (unsigned)n);
	put32(out + len + cdlen + 12, (uint32_t)cdlen);
	put32(out + len + cdlen + 16, (uint32_t)len);
	return len + cdlen + 22;
}

struct msgbuf {
	char *p;
	size_t len, cap;
};

static void
mb_str(struct msgbuf *m, const char *s)
{
	size_t n = strlen(s);

	if (m->len + n < m->cap) {
		memcpy(m->p + m->len, s, n + 1);
		m->len += n;
	}
}

/* mb_base64 - data as base64 lines of 76 characters (RFC 2045 6.8) */
static void
mb_base64(struct msgbuf *m, const uint8_t *data, size_t len)
{
	char line[80];
	size_t at, n, out;

	for (at = 0; at < len; at += n) {
		n = len - at < 57 ? len - at : 57;
		if (base64_encode(data + at, n, line, sizeof(line), &out) !=
		    SK_OK) {
			return;
		}
		mb_str(m, line);
		mb_str(m, "\r\n");
	}
}

/* mb_attach - one base64 attachment part of boundary "B" */
static void
mb_attach(struct msgbuf *m, const char *type, const char *name,
    const uint8_t *data, size_t len)
{
	char head[512];

	snprintf(head, sizeof(head),
	    "--B\r\nContent-Type: %s; name=\"%s\"\r\n"
	    "Content-Disposition: attachment; filename=\"%s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n",
	    type, name, name);
	mb_str(m, head);
	mb_base64(m, data, len);
}

static const char msg_head[] =
    "Received: from x by y; Thu, 26 Nov 2026 05:00:00 +0000\r\n"
    "From: a@example.com\r\nTo: b@example.org\r\nSubject: test\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
    "--B\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n";

/* mb_start - a message with a text part, ready for attachments */
static void
mb_start(struct msgbuf *m)
{
	m->len = 0;
	m->p[0] = '\0';
	mb_str(m, msg_head);
}

static struct content_facts *facts_whole, *facts_cut;

/* facts_of - feed msg in pieces (0: whole, 1: octet by octet, else a
 * seed for random sizes of 1..4096) */
static void
facts_of(struct content_facts *f, const struct msgbuf *m, unsigned how)
{
	size_t at, n;
	unsigned seed = how;

	content_facts_init(f);
	for (at = 0; at < m->len; at += n) {
		if (how == 0) {
			n = m->len;
		} else if (how == 1) {
			n = 1;
		} else {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 8) % 4096;
		}
		n = n < m->len - at ? n : m->len - at;
		content_facts_feed(f, (const uint8_t *)m->p + at, n);
	}
	content_facts_finish(f);
}

/* check_cuts - the same facts whole, octet by octet, in random pieces */
static const struct content_facts_view *
check_cuts(const struct msgbuf *m, const char *what)
{
	const struct content_facts_view *w;
	unsigned how;

	facts_of(facts_whole, m, 0);
	w = content_facts_view(facts_whole);
	for (how = 1; how < 5; how++) {
		facts_of(facts_cut, m, how);
		TEST_CHECK(memcmp(w, content_facts_view(facts_cut),
			       sizeof(*w)) == 0,
		    "%s: facts differ when cut (%u)", what, how);
	}
	TEST_CHECK(w->size == m->len, "%s: size %llu want %zu", what,
	    (unsigned long long)w->size, m->len);
	return w;
}

static int
has_name(const struct content_facts_view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nnames; i++) {
		if (strcmp(v->names[i], name) == 0) {
			return 1;
		}
	}
	return 0;
}

static struct msgbuf mb;
static uint8_t zip[1u << 16];

static int
facts_setup(void)
{
	if (mb.p == NULL) {
		mb.p = malloc(MSG_MAX);
		mb.cap = MSG_MAX;
		facts_whole = malloc(content_facts_size());
		facts_cut = malloc(content_facts_size());
	}
	if (mb.p == NULL || facts_whole == NULL || facts_cut == NULL) {
		test_fail("out of memory");
		return 0;
	}
	return 1;
}

/* A ZIP with an .exe member, and one whose stored member is a program
 * under a harmless name. */
static void
test_facts_zip_exe(void)
{
	static const uint8_t mz[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff";
	const struct zip_member m[] = {
		{ "readme.txt", (const uint8_t *)"hello", 5, 0 },
		{ "bin/setup.exe", (const uint8_t *)"not really", 10, 0 },
	};
	const struct zip_member m2[] = {
		{ "notes.dat", mz, sizeof(mz), 0 },
	};
	const struct content_facts_view *v;
	size_t n;

	if (!facts_setup()) {
		return;
	}
	mb_start(&mb);
	n = zip_build(zip, sizeof(zip), m, SK_NELEM(m));
	mb_attach(&mb, "application/zip", "files.zip", zip, n);
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "zip exe");
	TEST_CHECK(v->executable_in_archive && !v->encrypted_archive &&
		!v->office_macro && !v->unlistable_archive,
	    "flags %d %d %d %d", v->executable_in_archive, v->encrypted_archive,
	    v->office_macro, v->unlistable_archive);
	TEST_CHECK(v->file_types == ((1ull << MIME_FT_ZIP) | 1ull),
	    "types %llx", (unsigned long long)v->file_types);
	TEST_CHECK(v->nnames == 3 && has_name(v, "files.zip") &&
		has_name(v, "readme.txt") && has_name(v, "bin/setup.exe"),
	    "names %zu", v->nnames);

	mb_start(&mb);
	n = zip_build(zip, sizeof(zip), m2, SK_NELEM(m2));
	mb_attach(&mb, "application/octet-stream", "data.bin", zip, n);
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "zip stored program");
	TEST_CHECK(v->executable_in_archive && has_name(v, "notes.dat"),
	    "stored program not seen");
}

/* PPAP: a ZIP whose member is encrypted (general purpose bit 0). */
static void
test_facts_zip_encrypted(void)
{
	const struct zip_member m[] = {
		{ "contract.pdf", (const uint8_t *)"\x12\x34garbage", 9, 1 },
	};
	const struct content_facts_view *v;
	struct config_content_rule *r;
	size_t n;

	if (!facts_setup()) {
		return;
	}
	mb_start(&mb);
	n = zip_build(zip, sizeof(zip), m, SK_NELEM(m));
	mb_attach(&mb, "application/zip", "contract.zip", zip, n);
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "encrypted zip");
	TEST_CHECK(v->encrypted_archive && !v->executable_in_archive &&
		has_name(v, "contract.pdf") && has_name(v, "contract.zip"),
	    "encrypted %d exe %d", v->encrypted_archive,
	    v->executable_in_archive);

	/* and the decision a PPAP rule takes on it */
	reset();
	r = rule("ppap", CONFIG_CONTENT_REJECT);
	r->encrypted_archive = 1;
	r->direction = CONFIG_CONTENT_INBOUND;
	content_decide(&conf, MSG_POLICY_INBOUND, v, scans, 0, &dec);
	TEST_CHECK(dec.action == MSG_POLICY_REJECT &&
		strcmp(dec.reply,
		    "550 5.7.1 Message rejected by content rule ppap") == 0,
	    "ppap: %s", dec.reply);
}

/* A docm-like OOXML package with word/vbaProject.bin. */
static void
test_facts_ooxml_macro(void)
{
	const struct zip_member m[] = {
		{ "[Content_Types].xml", (const uint8_t *)"<Types/>", 8, 0 },
		{ "word/document.xml", (const uint8_t *)"<w:document/>", 13,
		    0 },
		{ "word/vbaProject.bin", (const uint8_t *)"\xd0\xcf", 2, 0 },
	};
	const struct content_facts_view *v;
	size_t n;

	if (!facts_setup()) {
		return;
	}
	mb_start(&mb);
	n = zip_build(zip, sizeof(zip), m, SK_NELEM(m));
	mb_attach(&mb, "application/vnd.ms-word.document.macroEnabled.12",
	    "report.docm", zip, n);
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "docm");
	TEST_CHECK(v->office_macro && !v->executable_in_archive &&
		(v->file_types & (1ull << MIME_FT_OOXML_DOCX)) &&
		!(v->file_types & (1ull << MIME_FT_ZIP)),
	    "macro %d types %llx", v->office_macro,
	    (unsigned long long)v->file_types);
}

/* A legacy Office file (OLE2) whose VBA storage is far into the file:
 * seen 128 octets at a time, whatever the size. */
static void
test_facts_ole_macro(void)
{
	static uint8_t ole[100 * 1024];
	static const char vba[] = "_VBA_PROJECT";
	const struct content_facts_view *v;
	size_t slot = 512 + 700 * 128, i;

	if (!facts_setup()) {
		return;
	}
	memset(ole, 0, sizeof(ole));
	memcpy(ole, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	for (i = 0; vba[i] != '\0'; i++) {
		ole[slot + 2 * i] = (uint8_t)vba[i];
	}
	put16(ole + slot + 0x40, (unsigned)(sizeof(vba) * 2));
	ole[slot + 0x42] = 1;
	mb_start(&mb);
	mb_attach(&mb, "application/msword", "budget.doc", ole, sizeof(ole));
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "ole2");
	TEST_CHECK(v->office_macro && (v->file_types & (1ull << MIME_FT_OLE2)),
	    "ole macro %d types %llx", v->office_macro,
	    (unsigned long long)v->file_types);
	ole[slot + 0x42] = 0; /* no longer a storage or stream */
	mb_start(&mb);
	mb_attach(&mb, "application/msword", "budget.doc", ole, sizeof(ole));
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "ole2 clean");
	TEST_CHECK(!v->office_macro, "ole without macros");
}

/* A PDF inside a message/rfc822 attachment, and a RAR beside it. */
static void
test_facts_nested(void)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";
	const struct content_facts_view *v;
	char inner[2048];
	struct msgbuf in = { inner, 0, sizeof(inner) };

	if (!facts_setup()) {
		return;
	}
	mb_str(&in,
	    "From: c@example.net\r\nSubject: fwd\r\n"
	    "Content-Type: multipart/mixed; boundary=\"I\"\r\n\r\n"
	    "--I\r\nContent-Type: application/pdf; name=report.pdf\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	mb_base64(&in, (const uint8_t *)pdf, sizeof(pdf) - 1);
	mb_str(&in, "--I--\r\n");
	mb_start(&mb);
	mb_str(&mb,
	    "--B\r\nContent-Type: message/rfc822\r\n"
	    "Content-Disposition: attachment; filename=fwd.eml\r\n\r\n");
	mb_str(&mb, inner);
	mb_attach(&mb, "application/octet-stream", "old.rar",
	    (const uint8_t *)"Rar!\x1a\x07\x00xxxxxxxx", 15);
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "nested");
	TEST_CHECK((v->file_types & (1ull << MIME_FT_PDF)) &&
		(v->file_types & (1ull << MIME_FT_RAR)) &&
		has_name(v, "report.pdf") && has_name(v, "fwd.eml") &&
		has_name(v, "old.rar") && v->unlistable_archive,
	    "types %llx names %zu unlistable %d",
	    (unsigned long long)v->file_types, v->nnames,
	    v->unlistable_archive);
}

/* Names: kept up to CONTENT_NAMES_MAX, cut keeping the extension,
 * without the trailing dots Windows drops, control octets as '?'. */
static void
test_facts_names(void)
{
	const struct content_facts_view *v;
	char name[1200], part[1400];
	size_t i;

	if (!facts_setup()) {
		return;
	}
	mb_start(&mb);
	memset(name, 'n', 1000);
	memcpy(name + 1000, ".exe", 5);
	snprintf(part, sizeof(part),
	    "--B\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n filename*0=\"%.500s\";\r\n"
	    " filename*1=\"%s\"\r\n\r\nx\r\n",
	    name, name + 500);
	mb_str(&mb, part);
	mb_str(&mb,
	    "--B\r\nContent-Type: text/plain; name=\"tricky.exe. . "
	    "\"\r\n\r\nx\r\n");
	mb_str(&mb,
	    "--B\r\nContent-Type: text/plain; "
	    "name=\"=?utf-8?q?a=09b.txt?=\"\r\n\r\nx\r\n");
	for (i = 0; i < 70; i++) {
		snprintf(part, sizeof(part),
		    "--B\r\nContent-Type: text/plain; name=\"f%zu.txt\"\r\n"
		    "\r\nx\r\n",
		    i);
		mb_str(&mb, part);
	}
	mb_str(&mb, "--B--\r\n");
	v = check_cuts(&mb, "names");
	TEST_CHECK(v->nnames == CONTENT_NAMES_MAX && v->names_dropped == 9,
	    "kept %zu dropped %zu", v->nnames, v->names_dropped);
	TEST_CHECK(strlen(v->names[0]) == CONTENT_NAME_SIZE - 1 &&
		strstr(v->names[0], "...") != NULL &&
		content_glob("*.exe", v->names[0]),
	    "long name: %zu %s", strlen(v->names[0]), v->names[0]);
	TEST_CHECK(strcmp(v->names[1], "tricky.exe") == 0, "trailing: %s",
	    v->names[1]);
	TEST_CHECK(strcmp(v->names[2], "a?b.txt") == 0, "control: %s",
	    v->names[2]);
}

/* A ZIP over CONTENT_ARCHIVE_MAX cannot be listed: unlistable. */
static void
test_facts_big_zip(void)
{
	struct msgbuf big;
	uint8_t *z;
	size_t zlen = CONTENT_ARCHIVE_MAX + 4096;
	struct content_facts *f = facts_whole;
	const struct content_facts_view *v;

	if (!facts_setup()) {
		return;
	}
	big.cap = BASE64_LEN(zlen) + zlen / 57 * 2 + 4096;
	big.p = malloc(big.cap);
	z = calloc(1, zlen);
	if (big.p == NULL || z == NULL) {
		free(big.p);
		free(z);
		test_fail("out of memory");
		return;
	}
	memcpy(z, "PK\x03\x04", 4);
	mb_start(&big);
	mb_attach(&big, "application/zip", "huge.zip", z, zlen);
	mb_str(&big, "--B--\r\n");
	facts_of(f, &big, 0);
	v = content_facts_view(f);
	TEST_CHECK(v->unlistable_archive &&
		(v->file_types & (1ull << MIME_FT_ZIP)) && v->size == big.len,
	    "big zip: unlistable %d", v->unlistable_archive);
	free(big.p);
	free(z);
}

/* The model's names give the bits of the same names here: file-type
 * values are enum mime_ftype, verdict values enum scan_verdict. */
static void
test_model_names(void)
{
	static char json[16384], err[CONFIG_ERR_MAX];
	static struct config cfg;
	static const enum scan_verdict verdicts[] = { SCAN_INFECTED,
		SCAN_TOO_LARGE, SCAN_ERROR };
	struct config_schema *schema;
	size_t len = 0, i;
	enum sk_result r;

	if (config_schema_new(&schema, err, sizeof(err)) != SK_OK) {
		test_fail("schema: %s", err);
		return;
	}
	len += (size_t)snprintf(json + len, sizeof(json) - len,
	    "{\"sekimori-mail:mail\": {\"content-scanning\": {\"rule\": [");
	for (i = 1; i < MIME_FT_COUNT; i++) {
		len += (size_t)snprintf(json + len, sizeof(json) - len,
		    "{\"name\": \"t%zu\", \"match\": {\"file-type\": "
		    "[\"%s\"]}, \"action\": \"tag\"},",
		    i, mime_ftype_name((enum mime_ftype)i));
	}
	for (i = 0; i < SK_NELEM(verdicts); i++) {
		len += (size_t)snprintf(json + len, sizeof(json) - len,
		    "{\"name\": \"v%zu\", \"match\": {\"verdict\": "
		    "[\"%s\"]}, \"action\": \"tag\"}%s",
		    i, scan_verdict_name(verdicts[i]),
		    i + 1 < SK_NELEM(verdicts) ? "," : "]}}}");
	}
	r = config_load(schema, (const uint8_t *)json, len, &cfg, err,
	    sizeof(err));
	TEST_CHECK(r == SK_OK &&
		cfg.content.nrules == MIME_FT_COUNT - 1 + SK_NELEM(verdicts),
	    "load: %s", err);
	for (i = 1; r == SK_OK && i < MIME_FT_COUNT; i++) {
		TEST_CHECK(cfg.content.rules[i - 1].file_types == 1ull << i,
		    "file-type %s: bits %llx", mime_ftype_name(i),
		    (unsigned long long)cfg.content.rules[i - 1].file_types);
	}
	for (i = 0; r == SK_OK && i < SK_NELEM(verdicts); i++) {
		TEST_CHECK(cfg.content.rules[MIME_FT_COUNT - 1 + i].verdicts ==
			1u << verdicts[i],
		    "verdict %s", scan_verdict_name(verdicts[i]));
	}
	/* verdicts that act before any rule are not offered */
	snprintf(json, sizeof(json),
	    "{\"sekimori-mail:mail\": {\"content-scanning\": {\"rule\": "
	    "[{\"name\": \"x\", \"match\": {\"verdict\": [\"reject\"]}, "
	    "\"action\": \"tag\"}]}}}");
	TEST_CHECK(config_load(schema, (const uint8_t *)json, strlen(json),
		       &cfg, err, sizeof(err)) == SK_E_SYNTAX,
	    "verdict reject accepted");
	config_schema_free(schema);
}

/* ---- the rewrite ------------------------------------------------------ */

static struct content_rewrite_scratch *rw;
static struct content_strip strip;
static char rw_out[1u << 17];

/* memfd_of - a descriptor holding p[0..n) */
static int
memfd_of(const void *p, size_t n)
{
	int fd = memfd_create("content-test", MFD_CLOEXEC);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n) {
		test_fail("memfd: %s", strerror(errno));
	}
	return fd;
}

/* parts_same - the parts of the facts whole and cut are the same */
static void
parts_same(const char *what)
{
	const struct content_part_fact *a, *b;
	size_t na, nb, da, db;

	a = content_facts_parts(facts_whole, &na, &da);
	b = content_facts_parts(facts_cut, &nb, &db);
	TEST_CHECK(na == nb && da == db && memcmp(a, b, na * sizeof(*a)) == 0,
	    "%s: parts differ when cut (%zu, %zu)", what, na, nb);
}

/*
 * rewrite_of - in (its strip picked with rule r, if any; edits, a new
 * body and a prefix) rewritten into rw_out; the result. The facts are
 * taken whole and in random pieces: the same parts either way.
 */
static enum sk_result
rewrite_of(const struct msgbuf *in, const struct config_content_rule *r,
    const struct content_edits *ed, const char *body, const char *prefix,
    uint64_t max)
{
	struct content_rewrite_in ri;
	uint64_t size = 0;
	unsigned not_applied;
	enum sk_result res;
	ssize_t n;
	int out;

	memset(&ri, 0, sizeof(ri));
	rw_out[0] = '\0';
	facts_of(facts_whole, in, 0);
	facts_of(facts_cut, in, 7);
	parts_same("rewrite");
	if (r != NULL) {
		TEST_CHECK(content_strip_pick(facts_whole, r, &strip) == 0,
		    "nothing to strip");
		ri.strip = &strip;
	}
	ri.fd = memfd_of(in->p, in->len);
	ri.size = in->len;
	ri.edits = ed;
	ri.body_fd = body != NULL ? memfd_of(body, strlen(body)) : -1;
	ri.body_size = body != NULL ? strlen(body) : 0;
	ri.subject_prefix = prefix;
	ri.max = max;
	out = memfd_create("content-test-out", MFD_CLOEXEC);
	res = content_rewrite(&ri, rw, out, &size, &not_applied);
	n = pread(out, rw_out, sizeof(rw_out) - 1, 0);
	rw_out[n > 0 ? n : 0] = '\0';
	TEST_CHECK(res != SK_OK || (uint64_t)n == size, "size %llu, read %zd",
	    (unsigned long long)size, n);
	close(ri.fd);
	close(out);
	if (ri.body_fd >= 0) {
		close(ri.body_fd);
	}
	return res;
}

/* parses_clean - the rewritten message through the walker: no anomaly,
 * and its facts (returned) in facts_cut */
static const struct content_facts_view *
parses_clean(const char *what)
{
	struct msgbuf out = { rw_out, strlen(rw_out), sizeof(rw_out) };
	const struct content_facts_view *v;

	facts_of(facts_cut, &out, 1);
	v = content_facts_view(facts_cut);
	TEST_CHECK(v->mime_flags == 0, "%s: walker flags %x", what,
	    v->mime_flags);
	return v;
}

static int
rw_setup(void)
{
	if (!facts_setup()) {
		return 0;
	}
	if (rw == NULL &&
	    (rw = malloc(content_rewrite_scratch_size())) == NULL) {
		test_fail("out of memory");
		return 0;
	}
	return 1;
}

/* A base64 .exe in multipart/mixed: replaced by the notice, the text
 * part and the structure kept, the token where the quarantine id goes. */
static void
test_rewrite_strip_exe(void)
{
	static const uint8_t mz[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff";
	struct config_content_rule r;
	const struct content_facts_view *v;

	if (!rw_setup()) {
		return;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "exe");
	snprintf(r.file_names[0], sizeof(r.file_names[0]), "*.exe");
	r.nfile_names = 1;
	r.action = CONFIG_CONTENT_STRIP;
	mb_start(&mb);
	mb_attach(&mb, "application/octet-stream", "setup.exe", mz, sizeof(mz));
	mb_str(&mb, "--B--\r\n");
	TEST_CHECK(rewrite_of(&mb, &r, NULL, NULL, NULL, sizeof(rw_out) - 1) ==
		SK_OK,
	    "strip failed");
	TEST_CHECK(strip.n == 1 && strcmp(strip.part[0].name, "setup.exe") == 0,
	    "picked %zu", strip.n);
	TEST_CHECK(strncmp(rw_out, msg_head, strlen(msg_head)) == 0 &&
		strstr(rw_out, "TVqQ") == NULL &&
		strstr(rw_out,
		    "--B\r\nContent-Type: text/plain; charset=us-ascii\r\n") !=
		    NULL &&
		strstr(rw_out,
		    "The attachment setup.exe was removed by the mail gateway: "
		    "file name setup.exe matches *.exe.\r\n"
		    "The original message is kept in quarantine "
		    "as " MSG_QID_TOKEN ";") != NULL,
	    "stripped: %s", rw_out);
	TEST_CHECK(strlen(rw_out) > 7 &&
		strcmp(rw_out + strlen(rw_out) - 9, "\r\n--B--\r\n") == 0,
	    "end: %s", rw_out);
	v = parses_clean("strip exe");
	TEST_CHECK(!has_name(v, "setup.exe") &&
		!(v->file_types & (1ull << MIME_FT_PE)),
	    "the exe is still there");
	/* a name the rule matches on a container (a message/rfc822 part is
	 * no leaf) cannot be cut out: nothing is stripped then */
	snprintf(r.file_names[1], sizeof(r.file_names[1]), "*.eml");
	r.nfile_names = 2;
	mb_start(&mb);
	mb_str(&mb,
	    "--B\r\nContent-Type: message/rfc822\r\n"
	    "Content-Disposition: attachment; filename=fwd.eml\r\n\r\n"
	    "Subject: inner\r\n\r\nhi\r\n");
	mb_attach(&mb, "application/octet-stream", "setup.exe", mz, sizeof(mz));
	mb_str(&mb, "--B--\r\n");
	facts_of(facts_whole, &mb, 0);
	TEST_CHECK(content_strip_pick(facts_whole, &r, &strip) == -1,
	    "a container's name left behind");
	/* a rule on verdicts alone names no part: nothing to strip */
	memset(&r, 0, sizeof(r));
	r.verdicts = 1u << SCAN_INFECTED;
	TEST_CHECK(content_strip_pick(facts_whole, &r, &strip) == -1,
	    "a verdict rule picked parts");
}

/* A ZIP holding an executable, inside a multipart inside the top one
 * (and a message/rfc822 next to it that stays): only the ZIP goes. */
static void
test_rewrite_strip_nested(void)
{
	const struct zip_member m[] = {
		{ "bin/run.scr", (const uint8_t *)"not really", 10, 0 },
	};
	struct config_content_rule r;
	const struct content_facts_view *v;
	size_t n;

	if (!rw_setup()) {
		return;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "arch");
	r.executable_in_archive = 1;
	r.action = CONFIG_CONTENT_STRIP;
	mb_start(&mb);
	mb_str(&mb,
	    "--B\r\nContent-Type: message/rfc822\r\n\r\n"
	    "From: c@example.net\r\nSubject: inner\r\n\r\nhi\r\n"
	    "--B\r\nContent-Type: multipart/mixed; boundary=\"N\"\r\n\r\n"
	    "preamble\r\n"
	    "--N\r\nContent-Type: text/plain\r\n\r\ninner text\r\n");
	n = zip_build(zip, sizeof(zip), m, SK_NELEM(m));
	mb_str(&mb,
	    "--N\r\nContent-Type: application/zip; name=\"f.zip\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	mb_base64(&mb, zip, n);
	mb_str(&mb, "--N--\r\nepilogue\r\n--B--\r\n");
	TEST_CHECK(rewrite_of(&mb, &r, NULL, NULL, NULL, sizeof(rw_out) - 1) ==
		SK_OK,
	    "strip failed");
	TEST_CHECK(strip.n == 1 && strcmp(strip.part[0].name, "f.zip") == 0 &&
		strcmp(strip.part[0].reason, "executable in archive") == 0,
	    "picked %zu %s", strip.n, strip.part[0].reason);
	TEST_CHECK(strstr(rw_out,
		       "inner text\r\n--N\r\nContent-Type: "
		       "text/plain; charset=us-ascii") != NULL &&
		strstr(rw_out,
		    "release it.\r\n--N--\r\nepilogue\r\n--B--\r\n") != NULL &&
		strstr(rw_out, "Subject: inner\r\n\r\nhi\r\n--B\r\n") != NULL,
	    "nested: %s", rw_out);
	v = parses_clean("strip nested");
	TEST_CHECK(!v->executable_in_archive && !has_name(v, "f.zip") &&
		has_name(v, "bin/run.scr") == 0,
	    "the archive is still there");
}

/* put_action - one milter action into a (strings in its arena) */
static void
put_action(struct scan_milter_actions *a, enum scan_milter_action_type t,
    uint64_t index, const char *name, const char *value)
{
	struct scan_milter_action *x = &a->a[a->n++];
	size_t nl = strlen(name) + 1, vl = strlen(value) + 1;

	x->type = t;
	x->index = index;
	memcpy(a->arena + a->arena_used, name, nl);
	x->name = a->arena + a->arena_used;
	memcpy(a->arena + a->arena_used + nl, value, vl);
	x->value = a->arena + a->arena_used + nl;
	a->arena_used += nl + vl;
}

/* A milter's edits in the order received (Sendmail and Postfix): the
 * inserted field at its index, the added one at the end of the header,
 * chgheader by occurrence (change, delete, add when missing), a bad
 * field refused, envelope changes left to the caller; a new body. */
static void
test_rewrite_edits(void)
{
	static struct scan_milter_actions a;
	static struct content_edits ed;
	static const char want[] =
	    "Received: from x by y; Thu, 26 Nov 2026 05:00:00 +0000\r\n"
	    "X-Ins: 1\r\n"
	    "From: a@example.com\r\n"
	    "subject: changed\r\n\tfolded\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain\r\n"
	    "X-Add: end\r\n"
	    "X-Missing: new\r\n"
	    "\r\n"
	    "new body\r\nline 2\r\n";

	if (!rw_setup()) {
		return;
	}
	memset(&a, 0, sizeof(a));
	memset(&ed, 0, sizeof(ed));
	put_action(&a, SCAN_MA_ADDHEADER, 0, "X-Add", "end");
	put_action(&a, SCAN_MA_INSHEADER, 1, "X-Ins", "1");
	put_action(&a, SCAN_MA_CHGHEADER, 1, "subject", "changed\nfolded");
	put_action(&a, SCAN_MA_CHGHEADER, 1, "To", "");
	put_action(&a, SCAN_MA_CHGHEADER, 1, "X-Missing", "new");
	put_action(&a, SCAN_MA_ADDRCPT, 0, "<c@example.net>", "");
	put_action(&a, SCAN_MA_ADDHEADER, 0, "Bad Name", "x");
	content_edits_add(&ed, &a, 0);
	TEST_CHECK(ed.n == 6 && ed.dropped == 0, "kept %zu", ed.n);
	mb.len = 0;
	mb_str(&mb,
	    "Received: from x by y; Thu, 26 Nov 2026 05:00:00 +0000\r\n"
	    "From: a@example.com\r\nTo: b@example.org\r\nSubject: test\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nold\r\n");
	TEST_CHECK(rewrite_of(&mb, NULL, &ed, "new body\nline 2\r\n", NULL,
		       sizeof(rw_out) - 1) == SK_OK &&
		strcmp(rw_out, want) == 0,
	    "edits: %s", rw_out);
	parses_clean("edits");
	/* the same without a new body: the old one, the empty line kept */
	TEST_CHECK(rewrite_of(&mb, NULL, &ed, NULL, NULL, sizeof(rw_out) - 1) ==
		    SK_OK &&
		strstr(rw_out, "X-Missing: new\r\n\r\nold\r\n") != NULL,
	    "old body: %s", rw_out);
	/* the bound */
	TEST_CHECK(rewrite_of(&mb, NULL, &ed, NULL, NULL, 40) == SK_E_TOO_LONG,
	    "over the bound");
}

/* The subject prefix: before the value, not twice, added when there is
 * no Subject field. */
static void
test_rewrite_subject(void)
{
	if (!rw_setup()) {
		return;
	}
	mb.len = 0;
	mb_str(&mb, "From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n");
	TEST_CHECK(rewrite_of(&mb, NULL, NULL, NULL, "[SUSPICIOUS] ",
		       sizeof(rw_out) - 1) == SK_OK &&
		strcmp(rw_out,
		    "From: a@example.com\r\nSubject: [SUSPICIOUS] hello\r\n"
		    "\r\nbody\r\n") == 0,
	    "prefix: %s", rw_out);
	mb.len = 0;
	mb_str(&mb, rw_out);
	TEST_CHECK(rewrite_of(&mb, NULL, NULL, NULL, "[SUSPICIOUS] ",
		       sizeof(rw_out) - 1) == SK_OK &&
		strcmp(rw_out, mb.p) == 0,
	    "twice: %s", rw_out);
	mb.len = 0;
	mb_str(&mb, "From: a@example.com\r\n\r\nbody\r\n");
	TEST_CHECK(rewrite_of(&mb, NULL, NULL, NULL, "[SUSPICIOUS] ",
		       sizeof(rw_out) - 1) == SK_OK &&
		strcmp(rw_out,
		    "From: a@example.com\r\nSubject: [SUSPICIOUS]\r\n"
		    "\r\nbody\r\n") == 0,
	    "added: %s", rw_out);
}

static void
test_teardown(void)
{
	free(rw);
	rw = NULL;
	free(mb.p);
	free(facts_whole);
	free(facts_cut);
	mb.p = NULL;
}

const struct test_case test_cases[] = {
	{ "content_order", test_order },
	{ "content_log", test_log },
	{ "content_log_multiline", test_log_multiline },
	{ "content_conditions", test_conditions },
	{ "content_direction", test_direction },
	{ "content_first_match", test_first_match },
	{ "content_prepend", test_prepend },
	{ "content_bounds", test_bounds },
	{ "content_glob", test_glob },
	{ "content_notice", test_notice },
	{ "content_notice_bounds", test_notice_bounds },
	{ "content_facts_zip_exe", test_facts_zip_exe },
	{ "content_facts_zip_encrypted", test_facts_zip_encrypted },
	{ "content_facts_ooxml_macro", test_facts_ooxml_macro },
	{ "content_facts_ole_macro", test_facts_ole_macro },
	{ "content_facts_nested", test_facts_nested },
	{ "content_facts_names", test_facts_names },
	{ "content_facts_big_zip", test_facts_big_zip },
	{ "content_model_names", test_model_names },
	{ "content_rewrite_strip_exe", test_rewrite_strip_exe },
	{ "content_rewrite_strip_nested", test_rewrite_strip_nested },
	{ "content_rewrite_edits", test_rewrite_edits },
	{ "content_rewrite_subject", test_rewrite_subject },
	{ "content_teardown", test_teardown },
};
const size_t test_ncases = SK_NELEM(test_cases);
