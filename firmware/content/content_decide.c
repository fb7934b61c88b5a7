/*
 * content_decide.c - one decision from the scanners' results, the
 * message's facts and the config's rules (content.h), and the file-name
 * patterns of the rules (content_glob).
 *
 * The order (README.md "Order"), first that applies wins:
 *   1. a scanner that failed: its on-failure (451 4.7.1 unless
 *      accept-and-log);
 *   2. a milter's own verdict: reject, tempfail, discard, quarantine;
 *   3. the rules in the config's order;
 *   4. infected: 550 5.7.1 naming the virus; anything else: accept.
 *
 * Everything written is bounded by its buffer and printable: scanner
 * texts are already printable (scan_result_set), file names are not, so
 * every piece that leaves here goes through content_sb_clean.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "content.h"
#include "msg_body.h"

/* The tag header's lines are folded before this many columns (RFC 5322
 * 2.1.1 recommends 78). */
#define CONTENT_FOLD_AT 78
/* What matched, as the tag header and the quarantine reason say it. */
#define CONTENT_WHAT_MAX 600
/* One scanner's text in the log line, so that every scanner shows. */
#define CONTENT_LOG_TEXT_MAX 160

/* A bounded string builder: what does not fit is cut, never overrun. */
struct content_sb {
	char *p;
	size_t cap; /* octets of p, the NUL included */
	size_t len;
};

static void
content_sb_init(struct content_sb *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	p[0] = '\0';
}

/* content_sb_put - n octets, those outside printable ASCII as '?' */
static void
content_sb_clean(struct content_sb *b, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n && b->len + 1 < b->cap; i++) {
		c = (unsigned char)s[i];
		b->p[b->len++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	b->p[b->len] = '\0';
}

static void
content_sb_str(struct content_sb *b, const char *s)
{
	content_sb_clean(b, s, strlen(s));
}

static void SK_PRINTF(2, 3)
    content_sb_fmt(struct content_sb *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	content_sb_str(b, tmp);
}

/* content_lower - ASCII lower case; other octets as they are */
static char
content_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* content_scanner_name - a result's scanner, for texts */
static const char *
content_scanner_name(const struct content_scan *s)
{
	return s->scanner != NULL ? s->scanner->name : "?";
}

static const char *const content_action_words[] = { "accept", "reject",
	"quarantine", "tag", "discard", "strip" };
static const char *const content_policy_words[] = { "accept", "reject",
	"tempfail", "discard", "quarantine" };

/* ---- rules -------------------------------------------------------- */

/* content_rule_direction - whether rule r looks at direction */
static int
content_rule_direction(const struct config_content_rule *r, uint8_t direction)
{
	switch (r->direction) {
	case CONFIG_CONTENT_INBOUND:
		return direction == MSG_POLICY_INBOUND;
	case CONFIG_CONTENT_OUTBOUND:
		return direction == MSG_POLICY_OUTBOUND;
	default:
		return 1;
	}
}

/* content_match_verdict - a scanner whose verdict is one of r's */
static int
content_match_verdict(const struct config_content_rule *r,
    const struct content_scan *scans, size_t n, struct content_sb *what)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		v = (unsigned)scans[i].result.verdict;
		if (v < 32 && (r->verdicts & (1u << v))) {
			/* the scanner's text (a virus name, why it failed;
			 * printable, scan.h) is what an operator looks for
			 * in the reason: its head, so the tag header keeps
			 * its bound */
			content_sb_fmt(what, "verdict %s%s%.64s%s from %s, ",
			    scan_verdict_name(scans[i].result.verdict),
			    scans[i].result.text[0] != '\0' ? " (" : "",
			    scans[i].result.text,
			    scans[i].result.text[0] != '\0' ? ")" : "",
			    content_scanner_name(&scans[i]));
			return 1;
		}
	}
	return 0;
}

/* content_match_type - a part of one of r's true types */
static int
content_match_type(const struct config_content_rule *r,
    const struct content_facts_view *facts, struct content_sb *what)
{
	uint64_t both = r->file_types & facts->file_types;
	unsigned t;

	for (t = 0; t < 64; t++) {
		if (both & (1ull << t)) {
			content_sb_fmt(what, "file-type %s, ",
			    mime_ftype_name((enum mime_ftype)t));
			return 1;
		}
	}
	return 0;
}

/* content_match_name - a kept name that fits one of r's patterns */
static int
content_match_name(const struct config_content_rule *r,
    const struct content_facts_view *facts, struct content_sb *what)
{
	size_t i, k;

	for (i = 0; i < facts->nnames; i++) {
		for (k = 0; k < r->nfile_names; k++) {
			if (content_glob(r->file_names[k], facts->names[i])) {
				content_sb_str(what, "file-name ");
				content_sb_str(what, facts->names[i]);
				content_sb_str(what, ", ");
				return 1;
			}
		}
	}
	return 0;
}

/* content_match_flag - a condition of the rule that is a fact's flag */
static int
content_match_flag(int wanted, int fact, const char *word,
    struct content_sb *what)
{
	if (!wanted) {
		return 1;
	}
	if (fact) {
		content_sb_str(what, word);
		content_sb_str(what, ", ");
	}
	return fact;
}

/*
 * content_rule_match - whether every condition of r holds; what says
 * which facts made each hold ("file-type pe, office-macro")
 */
static int
content_rule_match(const struct config_content_rule *r, uint8_t direction,
    const struct content_facts_view *facts, const struct content_scan *scans,
    size_t n, struct content_sb *what)
{
	if (!content_rule_direction(r, direction) ||
	    (r->verdicts != 0 && !content_match_verdict(r, scans, n, what)) ||
	    (r->file_types != 0 && !content_match_type(r, facts, what)) ||
	    (r->nfile_names > 0 && !content_match_name(r, facts, what)) ||
	    !content_match_flag(r->executable_in_archive,
		facts->executable_in_archive, "executable-in-archive", what) ||
	    !content_match_flag(r->encrypted_archive, facts->encrypted_archive,
		"encrypted-archive", what) ||
	    !content_match_flag(r->office_macro, facts->office_macro,
		"office-macro", what)) {
		return 0;
	}
	if (r->size_over != 0) {
		if (facts->size <= r->size_over) {
			return 0;
		}
		content_sb_fmt(what, "size %llu over %llu, ",
		    (unsigned long long)facts->size,
		    (unsigned long long)r->size_over);
	}
	if (what->len >= 2 && strcmp(what->p + what->len - 2, ", ") == 0) {
		what->p[what->len -= 2] = '\0';
	} else if (what->len == 0) {
		content_sb_str(what, "any message");
	}
	return 1;
}

/* ---- the prepend -------------------------------------------------- */

/* content_sb_raw - n octets as they are, if they fit whole with room
 * for a final CRLF after them (reserve) */
static void
content_sb_raw(struct content_sb *b, const char *s, size_t n, size_t reserve)
{
	if (b->len + n + reserve < b->cap) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	}
}

/* content_tag_header - "X-Sekimori-Content: rule=NAME; matched=WHAT"
 * CRLF, folded (a CRLF before a space, RFC 5322 2.2.3) so that lines
 * stay under CONTENT_FOLD_AT columns where the words allow */
static void
content_tag_header(struct content_sb *b, const char *rule, const char *what)
{
	/* the field name, a rule name and WHAT: folded, at most one CRLF
	 * per 40 octets, well inside CONTENT_HEADER_SIZE */
	char line[CONTENT_WHAT_MAX + 80];
	struct content_sb l;
	const char *w, *end;
	size_t col = 0, wlen;

	content_sb_init(&l, line, sizeof(line));
	content_sb_str(&l, "X-Sekimori-Content: rule=");
	content_sb_str(&l, rule);
	content_sb_str(&l, "; matched=");
	content_sb_str(&l, what);
	for (w = line; *w != '\0'; w = *end != '\0' ? end + 1 : end) {
		end = strchr(w, ' ');
		end = end != NULL ? end : w + strlen(w);
		wlen = (size_t)(end - w);
		if (w != line) {
			/* an empty word (two spaces) never folds: no line
			 * of white space only */
			if (wlen > 0 && col + 1 + wlen > CONTENT_FOLD_AT) {
				content_sb_raw(b, "\r\n", 2, 2);
				col = 0;
			}
			content_sb_raw(b, " ", 1, 2);
			col++;
		}
		content_sb_raw(b, w, wlen, 2);
		col += wlen;
	}
	content_sb_raw(b, "\r\n", 2, 0);
}

/* content_field_len - the header field at p[0..n): its first line and
 * the continuation lines after it, CRLF included; 0 if a line has no
 * CRLF */
static size_t
content_field_len(const char *p, size_t n)
{
	size_t i = 0;
	const char *lf;

	do {
		lf = memchr(p + i, '\n', n - i);
		if (lf == NULL) {
			return 0;
		}
		i = (size_t)(lf - p) + 1;
	} while (i < n && (p[i] == ' ' || p[i] == '\t'));
	return i;
}

/*
 * content_prepend_milters - the milters' added fields after what out
 * holds, in chain order, each checked with msg_header_block_ok; from the
 * first that does not fit in MSG_PREPEND_MAX on, all are dropped.
 * Returns the number of fields dropped.
 */
static unsigned
content_prepend_milters(struct content_decision *out,
    const struct content_scan *scans, size_t n)
{
	unsigned dropped = 0;
	int full = 0;
	size_t i, at, len;
	const char *p;

	for (i = 0; i < n; i++) {
		p = scans[i].add_headers;
		for (at = 0; at < scans[i].add_headers_len; at += len) {
			len = content_field_len(p + at,
			    scans[i].add_headers_len - at);
			if (len == 0) {
				dropped++; /* a cut line: the rest is lost */
				break;
			}
			if (full || out->prepend_len + len > MSG_PREPEND_MAX ||
			    !msg_header_block_ok((const uint8_t *)p + at,
				len)) {
				full |=
				    out->prepend_len + len > MSG_PREPEND_MAX;
				dropped++;
				continue;
			}
			memcpy(out->prepend + out->prepend_len, p + at, len);
			out->prepend_len += len;
		}
	}
	out->prepend[out->prepend_len] = '\0';
	return dropped;
}

/* ---- the decision ------------------------------------------------- */

/* content_reply - out's reply: a prefix and a text, cut to
 * MSG_POLICY_REPLY_MAX, printable (a discard's or quarantine's text) */
static void
content_reply(struct content_decision *out, const char *prefix,
    const char *text)
{
	struct content_sb b;

	content_sb_init(&b, out->reply, sizeof(out->reply));
	content_sb_str(&b, prefix);
	content_sb_str(&b, text);
}

/* content_reply_line - out's reply: an SMTP reply of one line (prefix
 * "550 5.7.1 " and a text), cut to MSG_POLICY_REPLY_LINE_MAX */
static void
content_reply_line(struct content_decision *out, const char *prefix,
    const char *text)
{
	struct content_sb b;

	_Static_assert(sizeof(out->reply) > MSG_POLICY_REPLY_LINE_MAX,
	    "a reply line fits the reply");
	content_sb_init(&b, out->reply, MSG_POLICY_REPLY_LINE_MAX + 1);
	content_sb_str(&b, prefix);
	content_sb_str(&b, text);
}

/* content_reply_lines - the lines of a milter's reply (CRLF between) */
static size_t
content_reply_lines(const char *text)
{
	size_t n = 1;

	for (text = strstr(text, "\r\n"); text != NULL;
	     text = strstr(text + 2, "\r\n")) {
		n++;
	}
	return n;
}

/*
 * content_milter_reply - out's reply: a milter's own reply of class c
 * ("550 ...", "550" or lines "550-..." joined by CRLF: scan_milter
 * checked the code, enhanced code and printable text of every line) as
 * P_VERDICT carries it (msg_types.h): its first MSG_POLICY_REPLY_LINES_MAX
 * lines, the last one kept ending the reply ("550-x" becomes "550 x").
 * content_log says how many lines were left out. 0 if text is no reply
 * of class c: the caller then writes its own.
 */
static int
content_milter_reply(struct content_decision *out, const char *text, char c)
{
	const char *line = text, *crlf;
	size_t n, at = 0, lines = 0;

	for (;;) {
		crlf = strstr(line, "\r\n");
		n = crlf != NULL ? (size_t)(crlf - line) : strlen(line);
		if (n < 3 || n > MSG_POLICY_REPLY_LINE_MAX || line[0] != c ||
		    line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		    line[2] > '9' || memcmp(line, text, 3) != 0 ||
		    at + 2 + n > MSG_POLICY_REPLY_MAX) {
			return 0;
		}
		if (lines++ > 0) {
			memcpy(out->reply + at, "\r\n", 2);
			at += 2;
		}
		memcpy(out->reply + at, line, n);
		if (crlf == NULL || lines == MSG_POLICY_REPLY_LINES_MAX) {
			if (n > 3) {
				out->reply[at + 3] = ' ';
			}
			out->reply[at + n] = '\0';
			return 1;
		}
		at += n;
		line = crlf + 2;
	}
}

/* content_failed - step 1: the first scanner that failed, tempfail */
static int
content_failed(const struct content_scan *scans, size_t n,
    struct content_decision *out)
{
	char text[128];
	size_t i;

	for (i = 0; i < n; i++) {
		if (scans[i].result.verdict == SCAN_ERROR &&
		    (scans[i].scanner == NULL ||
			!scans[i].scanner->on_failure_accept)) {
			out->action = MSG_POLICY_TEMPFAIL;
			out->by = content_scanner_name(&scans[i]);
			snprintf(text, sizeof(text),
			    "Content scanner %s unavailable, try again later",
			    out->by);
			content_reply_line(out, "451 4.7.1 ", text);
			return 1;
		}
	}
	return 0;
}

/* content_milter - step 2: a milter's own reject, tempfail, discard or
 * quarantine, as it asked */
static int
content_milter(const struct content_scan *scans, size_t n,
    struct content_decision *out)
{
	const struct scan_result *r;
	char who[64];
	size_t i;

	for (i = 0; i < n; i++) {
		r = &scans[i].result;
		if (r->verdict != SCAN_REJECT && r->verdict != SCAN_TEMPFAIL &&
		    r->verdict != SCAN_DISCARD &&
		    r->verdict != SCAN_QUARANTINE) {
			continue;
		}
		out->by = content_scanner_name(&scans[i]);
		snprintf(who, sizeof(who), "scanner %s: ", out->by);
		switch (r->verdict) {
		case SCAN_REJECT:
			out->action = MSG_POLICY_REJECT;
			if (!content_milter_reply(out, r->text, '5')) {
				content_reply_line(out, "550 5.7.1 ",
				    "Message rejected by content scanner");
			}
			return 1;
		case SCAN_TEMPFAIL:
			out->action = MSG_POLICY_TEMPFAIL;
			if (!content_milter_reply(out, r->text, '4')) {
				content_reply_line(out, "451 4.7.1 ",
				    "Content scanner asks to try again later");
			}
			return 1;
		case SCAN_DISCARD:
			out->action = MSG_POLICY_DISCARD;
			content_reply(out, who,
			    r->text[0] != '\0' ? r->text : "discarded");
			return 1;
		case SCAN_QUARANTINE:
			out->action = MSG_POLICY_QUARANTINE;
			content_reply(out, who,
			    r->text[0] != '\0' ? r->text : "quarantined");
			return 1;
		default:
			break;
		}
	}
	return 0;
}

/* content_rule_act - step 3: what rule r does; what matched in what */
static void
content_rule_act(const struct config_content_rule *r, const char *what,
    struct content_decision *out)
{
	char text[sizeof(r->name) + 40];
	struct content_sb b;

	out->rule = r->name;
	switch (r->action) {
	case CONFIG_CONTENT_REJECT:
		out->action = MSG_POLICY_REJECT;
		snprintf(text, sizeof(text),
		    "Message rejected by content rule %s", r->name);
		content_reply_line(out, "550 5.7.1 ",
		    r->reply[0] != '\0' ? r->reply : text);
		break;
	case CONFIG_CONTENT_QUARANTINE:
	case CONFIG_CONTENT_DISCARD:
	case CONFIG_CONTENT_STRIP:
		/* strip: quarantine unless the content process can cut
		 * the parts out (it knows where they are, we do not) */
		out->action = r->action == CONFIG_CONTENT_DISCARD ?
		    MSG_POLICY_DISCARD :
		    MSG_POLICY_QUARANTINE;
		out->strip = r->action == CONFIG_CONTENT_STRIP ? r : NULL;
		content_sb_init(&b, out->reply, sizeof(out->reply));
		content_sb_fmt(&b, "rule %s: ", r->name);
		content_sb_str(&b, what);
		break;
	case CONFIG_CONTENT_TAG:
		out->action = MSG_POLICY_ACCEPT;
		content_sb_init(&b, out->prepend, CONTENT_HEADER_SIZE);
		content_tag_header(&b, r->name, what);
		out->prepend_len = out->tag_len = b.len;
		out->subject_prefix =
		    r->subject_prefix[0] != '\0' ? r->subject_prefix : NULL;
		break;
	default:
		out->action = MSG_POLICY_ACCEPT;
		break;
	}
}

/* content_default - step 4: infected is rejected naming the virus
 * (the virus, cut, in out->matched); 1 then, else 0 */
static int
content_default(const struct content_scan *scans, size_t n,
    struct content_decision *out)
{
	struct content_sb b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (scans[i].result.verdict == SCAN_INFECTED) {
			out->action = MSG_POLICY_REJECT;
			out->by = content_scanner_name(&scans[i]);
			content_reply_line(out,
			    "550 5.7.1 Message rejected: virus found: ",
			    scans[i].result.text[0] != '\0' ?
				scans[i].result.text :
				"unknown");
			content_sb_init(&b, out->matched, sizeof(out->matched));
			content_sb_str(&b,
			    scans[i].result.text[0] != '\0' ?
				scans[i].result.text :
				"unknown");
			return 1;
		}
	}
	out->action = MSG_POLICY_ACCEPT;
	return 0;
}

/* content_log_text - a scanner's text for the one log line: the lines
 * of a milter's multi-line reply joined by " / ", cut to size */
static void
content_log_text(const char *text, char *out, size_t size)
{
	struct content_sb b;
	const char *crlf;

	content_sb_init(&b, out, size);
	while ((crlf = strstr(text, "\r\n")) != NULL) {
		content_sb_clean(&b, text, (size_t)(crlf - text));
		content_sb_str(&b, " / ");
		text = crlf + 2;
	}
	content_sb_str(&b, text);
}

/* content_log - "NAME=verdict(text) ... [dropped-headers=N ]rule=NAME|none
 * action=WORD"; the scanners are cut first, so the end always shows */
static void
content_log(const struct content_scan *scans, size_t n, unsigned dropped,
    const struct config_content_rule *rule, struct content_decision *out)
{
	char tail[128], text[CONTENT_LOG_TEXT_MAX + 1];
	const struct scan_result *r;
	struct content_sb b;
	size_t i, lines;
	int unscanned;

	snprintf(tail, sizeof(tail), "rule=%s action=%s",
	    rule != NULL ? rule->name : "none",
	    rule != NULL &&
		    (unsigned)rule->action < SK_NELEM(content_action_words) ?
		content_action_words[rule->action] :
		content_policy_words[out->action]);
	content_sb_init(&b, out->log, sizeof(out->log) - strlen(tail) - 32);
	for (i = 0; i < n; i++) {
		r = &scans[i].result;
		unscanned = r->verdict == SCAN_ERROR &&
		    scans[i].scanner != NULL &&
		    scans[i].scanner->on_failure_accept;
		content_log_text(r->text, text, sizeof(text));
		content_sb_fmt(&b, "%s=%s", content_scanner_name(&scans[i]),
		    scan_verdict_name(r->verdict));
		if (unscanned || text[0] != '\0') {
			content_sb_fmt(&b, "(%s%s)",
			    unscanned ? "unscanned: " : "", text);
		}
		lines = content_reply_lines(r->text);
		if ((r->verdict == SCAN_REJECT ||
			r->verdict == SCAN_TEMPFAIL) &&
		    lines > MSG_POLICY_REPLY_LINES_MAX) {
			/* content_milter_reply sent the first ones */
			content_sb_fmt(&b, "[reply-lines=%zu,sent=%d]", lines,
			    MSG_POLICY_REPLY_LINES_MAX);
		}
		if (scans[i].not_applied > 0) {
			content_sb_fmt(&b, "[not-applied=%u]",
			    scans[i].not_applied);
		}
		content_sb_str(&b, " ");
	}
	if (b.len + 1 >= b.cap) {
		b.cap = sizeof(out->log);
		content_sb_str(&b, "... "); /* the scanners were cut */
	}
	b.cap = sizeof(out->log);
	if (dropped > 0) {
		content_sb_fmt(&b, "dropped-headers=%u ", dropped);
	}
	content_sb_str(&b, tail);
}

void
content_decide(const struct config_content *conf, uint8_t direction,
    const struct content_facts_view *facts, const struct content_scan *scans,
    size_t n, struct content_decision *out)
{
	const struct config_content_rule *rule = NULL;
	char whatbuf[CONTENT_WHAT_MAX];
	struct content_sb what;
	unsigned dropped = 0;
	int virus = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!content_failed(scans, n, out) && !content_milter(scans, n, out)) {
		for (i = 0; i < conf->nrules && rule == NULL; i++) {
			content_sb_init(&what, whatbuf, sizeof(whatbuf));
			if (content_rule_match(&conf->rules[i], direction,
				facts, scans, n, &what)) {
				rule = &conf->rules[i];
			}
		}
		if (rule != NULL) {
			content_rule_act(rule, whatbuf, out);
			snprintf(out->matched, sizeof(out->matched), "%s",
			    whatbuf);
			out->notify = rule->notify;
		} else {
			virus = content_default(scans, n, out);
			out->notify = virus && conf->notify_on_virus;
		}
	}
	/* the milters' fields go with a message that is kept */
	if (out->action == MSG_POLICY_ACCEPT ||
	    out->action == MSG_POLICY_QUARANTINE) {
		dropped = content_prepend_milters(out, scans, n);
	}
	content_log(scans, n, dropped, rule, out);
}

/* ---- the administrators' notice ---------------------------------- */

/* content_notice_line - "NAME" then value (cut at
 * CONTENT_NOTICE_VALUE_MAX, printable) and CRLF, whole or not at all:
 * reserve octets stay free after it. 0, or -1 when it does not fit. */
static int
content_notice_line(struct content_sb *b, size_t reserve, const char *name,
    const char *value)
{
	char line[64 + CONTENT_NOTICE_VALUE_MAX + 1];
	struct content_sb l;

	content_sb_init(&l, line, sizeof(line));
	content_sb_str(&l, name);
	content_sb_clean(&l, value, strnlen(value, CONTENT_NOTICE_VALUE_MAX));
	if (b->len + l.len + 2 + reserve >= b->cap) {
		return -1;
	}
	memcpy(b->p + b->len, line, l.len);
	memcpy(b->p + b->len + l.len, "\r\n", 3);
	b->len += l.len + 2;
	return 0;
}

/* content_notice_action - the action as smtp applies it */
static const char *
content_notice_action(const struct content_decision *d)
{
	if (d->action == MSG_POLICY_ACCEPT && d->strip != NULL) {
		return "strip";
	}
	if (d->action == MSG_POLICY_ACCEPT && d->tag_len > 0) {
		return "tag";
	}
	return d->action < SK_NELEM(content_policy_words) ?
	    content_policy_words[d->action] :
	    "?";
}

/* content_notice_rcpts - one line per recipient while they fit (the
 * reason's line and a "more" line stay possible), then how many more */
static void
content_notice_rcpts(struct content_sb *b, const struct content_notice_env *env)
{
	/* room kept: a whole reason line and the "more" line */
	const size_t reserve = 64 + CONTENT_NOTICE_VALUE_MAX + 2 + 64;
	char more[64];
	size_t i;
	uint64_t left;

	for (i = 0; i < env->nrcpts; i++) {
		if (content_notice_line(b, reserve,
			"Recipient:  ", env->rcpts[i]) != 0) {
			break;
		}
	}
	left = (uint64_t)(env->nrcpts - i) + env->rcpts_omitted;
	if (left > 0) {
		snprintf(more, sizeof(more), "%llu more, not listed",
		    (unsigned long long)left);
		(void)content_notice_line(b, 0, "Recipients: ", more);
	}
}

void
content_admin_notice(struct content_decision *d,
    const struct content_notice_env *env)
{
	const char *action = content_notice_action(d);
	const char *sender = env->sender[0] != '\0' ? env->sender : "<>";
	char subject[64 + 3 * CONTENT_NOTICE_VALUE_MAX], who[128];
	struct content_sb b;

	d->notice[0] = '\0';
	if (!d->notify || d->action == MSG_POLICY_TEMPFAIL) {
		return;
	}
	if (d->rule != NULL) {
		snprintf(who, sizeof(who), "%s", d->rule);
	} else {
		snprintf(who, sizeof(who), "virus %.64s by %.32s", d->matched,
		    d->by != NULL ? d->by : "?");
	}
	snprintf(subject, sizeof(subject),
	    "[Sekimori] %s: message %.32s from %.*s (%s)", action, env->qid,
	    CONTENT_NOTICE_VALUE_MAX / 2, sender, who);
	content_sb_init(&b, d->notice, sizeof(d->notice));
	/* the lines below fit the bound whatever their values: each is
	 * cut, and the recipients stop in time */
	(void)content_notice_line(&b, 0, "", subject);
	(void)content_notice_line(&b, 0, "", "");
	(void)content_notice_line(&b, 0, "Queue id:   ", env->qid);
	(void)content_notice_line(&b, 0, "Action:     ", action);
	if (d->rule != NULL) {
		(void)content_notice_line(&b, 0, "Rule:       ", d->rule);
		(void)content_notice_line(&b, 0, "Matched:    ", d->matched);
	} else {
		(void)content_notice_line(&b, 0,
		    "Scanner:    ", d->by != NULL ? d->by : "?");
		(void)content_notice_line(&b, 0, "Virus:      ", d->matched);
	}
	(void)content_notice_line(&b, 0, "Sender:     ", sender);
	(void)content_notice_line(&b, 0, "Client:     ", env->client);
	content_notice_rcpts(&b, env);
	(void)content_notice_line(&b, 0,
	    "Reason:     ", d->reply[0] != '\0' ? d->reply : d->matched);
}

/*
 * content_glob - '*' any run, '?' one octet, ASCII case-insensitive.
 * Iterative with one backtrack point: on a mismatch, the last '*'
 * takes one octet more. Linear space, at most len(pattern) x len(name)
 * steps, however many stars.
 */
int
content_glob(const char *pattern, const char *name)
{
	const char *p = pattern, *s = name;
	const char *star_p = NULL, *star_s = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			while (*p == '*') {
				p++;
			}
			if (*p == '\0') {
				return 1;
			}
			star_p = p;
			star_s = s;
		} else if (*p != '\0' &&
		    (*p == '?' || content_lower(*p) == content_lower(*s))) {
			p++;
			s++;
		} else if (star_p != NULL) {
			p = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (*p == '*') {
		p++;
	}
	return *p == '\0';
}
