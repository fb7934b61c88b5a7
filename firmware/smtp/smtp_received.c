/*
 * smtp_received.c - the Received header field (see smtp_received.h).
 *
 * Two passes: the values are checked and turned into words grouped in
 * clauses ("from HELO (NAME [ADDR])", "by SERVER (Sekimori)", ...), then
 * the words are written out, folded between clauses where possible and
 * between words where a clause is longer than a line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtp_received.h"

#define SMTP_RECEIVED_SOFTWARE "Sekimori"
#define SMTP_RECEIVED_HELO_MAX 255 /* RFC 5321 4.5.3.1.2, as the session */
#define SMTP_RECEIVED_HARD_MAX 998 /* RFC 5322 2.1.1: MUST */
#define RX_WORDS_MAX 32
#define RX_CLAUSES_MAX 8
/* 9999-12-31T23:59:59Z: RFC 5322 3.3 has four-digit years */
#define RX_TIME_MAX INT64_C(253402300799)

/* The words of the field before folding. */
struct rx {
	char text[SMTP_RECEIVED_MAX];
	size_t textlen;
	size_t off[RX_WORDS_MAX], len[RX_WORDS_MAX];
	size_t nwords;
	size_t first[RX_CLAUSES_MAX + 1]; /* first word of each clause */
	size_t nclauses;
	enum sk_result err;
};

/* rx_clause - the words that follow start a new clause */
static void
rx_clause(struct rx *x)
{
	if (x->nclauses >= RX_CLAUSES_MAX) {
		x->err = SK_E_FULL;
		return;
	}
	x->first[x->nclauses++] = x->nwords;
}

/* rx_word - one word, printf-style; never split when folding */
static void rx_word(struct rx *x, const char *fmt, ...) SK_PRINTF(2, 3);

static void
rx_word(struct rx *x, const char *fmt, ...)
{
	size_t room = sizeof(x->text) - x->textlen;
	va_list ap;
	int n;

	if (x->err != SK_OK) {
		return;
	}
	if (x->nwords >= RX_WORDS_MAX) {
		x->err = SK_E_FULL;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(x->text + x->textlen, room, fmt, ap);
	va_end(ap);
	if (n <= 0 || (size_t)n >= room) {
		x->err = SK_E_FULL;
		return;
	}
	x->off[x->nwords] = x->textlen;
	x->len[x->nwords++] = (size_t)n;
	x->textlen += (size_t)n + 1; /* keep the NUL: words are C strings */
}

/* rx_host - an ASCII host name: LDH labels of 1..63, 1..255 in all */
static int
rx_host(const char *s)
{
	size_t i, label = 0, n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > SMTP_ADDR_DOMAIN_MAX) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-') {
				return 0;
			}
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-') ||
		    (c == '-' && label == 0) || ++label > SMTP_ADDR_LABEL_MAX) {
			return 0;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

/* rx_literal - "[...]" of printable ASCII without '[', ']' or '\' */
static int
rx_literal(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > SMTP_RECEIVED_HELO_MAX || s[0] != '[' ||
	    s[n - 1] != ']') {
		return 0;
	}
	for (i = 1; i + 1 < n; i++) {
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '[' || s[i] == ']' ||
		    s[i] == '\\') {
			return 0;
		}
	}
	return 1;
}

/* rx_token - 1..max of [A-Za-z0-9] plus the characters in extra */
static int
rx_token(const char *s, size_t max, const char *extra)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || strchr(extra, c) != NULL)) {
			return 0;
		}
	}
	return 1;
}

/*
 * rx_comment_text - s as comment text (RFC 5322 3.2.2): '(' ')' '\'
 * quoted with '\', other printable ASCII as is, UTF-8 kept when utf8,
 * every other octet '?'. At most SMTP_RECEIVED_HELO_MAX octets of s.
 */
static void
rx_comment_text(const char *s, int utf8, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i, o = 0, n = strlen(s), seq;

	if (n > SMTP_RECEIVED_HELO_MAX) {
		n = SMTP_RECEIVED_HELO_MAX;
	}
	for (i = 0; i < n && o + 5 < cap; i++) {
		if (p[i] == '(' || p[i] == ')' || p[i] == '\\') {
			out[o++] = '\\';
			out[o++] = (char)p[i];
		} else if (p[i] > ' ' && p[i] < 0x7f) {
			out[o++] = (char)p[i];
		} else if (utf8 && p[i] >= 0x80 &&
		    (seq = smtp_utf8_seq(p + i, n - i)) > 0) {
			memcpy(out + o, p + i, seq);
			o += seq;
			i += seq - 1;
		} else {
			out[o++] = '?';
		}
	}
	out[o] = '\0';
}

/* rx_hex16 - a 16-bit group in lower-case hex without leading zeros */
static size_t
rx_hex16(unsigned v, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = 0;
	int shift, started = 0;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;

		if (d != 0 || started || shift == 0) {
			out[n++] = digits[d];
			started = 1;
		}
	}
	return n;
}

/*
 * rx_ip6 - RFC 5952 4: lower case, no leading zeros, "::" for the
 * longest run of two or more zero groups (the first of equal runs).
 */
static void
rx_ip6(const uint8_t a[16], char out[40])
{
	unsigned g[8];
	int i, j, best = -1, bestlen = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++) {
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	}
	for (i = 0; i < 8; i = j + 1) {
		for (j = i; j < 8 && g[j] == 0; j++) {
		}
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
	}
	for (i = 0; i < 8;) {
		if (i == best) {
			out[o++] = ':';
			out[o++] = ':';
			i += bestlen;
			continue;
		}
		if (i > 0 && i != best + bestlen) {
			out[o++] = ':';
		}
		o += rx_hex16(g[i], out + o);
		i++;
	}
	out[o] = '\0';
}

/* smtp_received_ip - an address as text, IPv4-mapped IPv6 as IPv4 */
enum sk_result
smtp_received_ip(const struct smtp_ip *ip, char *out, size_t cap, int *v6)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	const uint8_t *a = ip->addr;
	char text[48];
	int is6 = 0;

	if (ip->family == AF_INET6 && memcmp(a, mapped, 12) == 0) {
		a += 12;
	} else if (ip->family == AF_INET6) {
		is6 = 1;
	} else if (ip->family != AF_INET) {
		return SK_E_SYNTAX;
	}
	if (is6) {
		rx_ip6(a, text);
	} else {
		snprintf(text, sizeof(text), "%u.%u.%u.%u", a[0], a[1], a[2],
		    a[3]);
	}
	if (strlen(text) >= cap) {
		return SK_E_FULL;
	}
	memcpy(out, text, strlen(text) + 1);
	if (v6 != NULL) {
		*v6 = is6;
	}
	return SK_OK;
}

/* smtp_received_protocol - RFC 3848 and RFC 6531 3.7.3 names */
const char *
smtp_received_protocol(int esmtp, int tls, int authenticated, int utf8)
{
	static const char *const esmtp_names[2][2] = {
		{ "ESMTP", "ESMTPA" },
		{ "ESMTPS", "ESMTPSA" },
	};
	static const char *const utf8_names[2][2] = {
		{ "UTF8SMTP", "UTF8SMTPA" },
		{ "UTF8SMTPS", "UTF8SMTPSA" },
	};

	if (!esmtp) {
		return "SMTP";
	}
	return (utf8 ? utf8_names : esmtp_names)[tls != 0][authenticated != 0];
}

/* rx_from - "from HELO (NAME [ADDR])", or HELO in a comment */
static void
rx_from(struct rx *x, const struct smtp_received *r)
{
	const char *name = rx_host(r->client_name) ? r->client_name : "unknown";
	char addr[48], helo[2 * SMTP_RECEIVED_HELO_MAX + 8];
	int v6 = 0;

	if (smtp_received_ip(&r->client, addr, sizeof(addr), &v6) != SK_OK) {
		x->err = SK_E_SYNTAX;
		return;
	}
	rx_clause(x);
	rx_word(x, "from");
	if (r->helo != NULL && (rx_host(r->helo) || rx_literal(r->helo))) {
		rx_word(x, "%s", r->helo);
		rx_word(x, "(%s", name);
		rx_word(x, "[%s%s])", v6 ? "IPv6:" : "", addr);
		return;
	}
	rx_word(x, "unknown");
	rx_word(x, "(%s", name);
	if (r->helo == NULL || r->helo[0] == '\0') {
		rx_word(x, "[%s%s])", v6 ? "IPv6:" : "", addr);
		return;
	}
	rx_word(x, "[%s%s]", v6 ? "IPv6:" : "", addr);
	rx_comment_text(r->helo, r->utf8, helo, sizeof(helo));
	rx_word(x, "helo=%s)", helo);
}

/* rx_tls - "(using VERSION with cipher CIPHER (BITS/ALG bits))" */
static void
rx_tls(struct rx *x, const struct smtp_received *r)
{
	if (!rx_token(r->tls_version, SMTP_RECEIVED_TLS_MAX, "._-") ||
	    !rx_token(r->tls_cipher, SMTP_RECEIVED_TLS_MAX, "._-")) {
		x->err = SK_E_SYNTAX;
		return;
	}
	rx_clause(x);
	rx_word(x, "(using");
	rx_word(x, "%s", r->tls_version);
	rx_word(x, "with");
	rx_word(x, "cipher");
	rx_word(x, "%s", r->tls_cipher);
	rx_word(x, "(%u/%u", r->tls_bits, r->tls_alg_bits);
	rx_word(x, "bits))");
}

/* rx_rcpt_ok - no controls; ASCII unless utf8, then valid UTF-8 */
static int
rx_rcpt_ok(const char *s, size_t n, int utf8)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i;
	int high = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			return 0;
		}
		high |= p[i] >= 0x80;
	}
	return !high || (utf8 && smtp_utf8_valid(p, n));
}

/* rx_for - "for <local@domain>" (or "for <Postmaster>") */
static void
rx_for(struct rx *x, const struct smtp_received *r)
{
	const struct smtp_addr *a = r->rcpt;

	if (a->locallen > SMTP_ADDR_LOCAL_MAX ||
	    a->domainlen > SMTP_ADDR_DOMAIN_MAX ||
	    !rx_rcpt_ok(a->local, a->locallen, r->utf8) ||
	    !rx_rcpt_ok(a->domain, a->domainlen, r->utf8)) {
		x->err = SK_E_SYNTAX;
		return;
	}
	rx_clause(x);
	rx_word(x, "for");
	if (a->flags & SMTP_ADDR_F_POSTMASTER) {
		rx_word(x, "<Postmaster>");
	} else {
		rx_word(x, "<%.*s@%.*s>", (int)a->locallen, a->local,
		    (int)a->domainlen, a->domain);
	}
}

/* rx_date - "; Tue, 25 Nov 2026 10:00:00 +0100" (RFC 5322 3.3) */
static void
rx_date(struct rx *x, const struct smtp_received *r)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t local = r->time + (int64_t)r->tz_minutes * 60;
	int off = r->tz_minutes < 0 ? -r->tz_minutes : r->tz_minutes;
	time_t t;
	struct tm tm;

	if (r->tz_minutes < -1439 || r->tz_minutes > 1439 || r->time < 0 ||
	    local < 0 || local > RX_TIME_MAX) {
		x->err = SK_E_RANGE;
		return;
	}
	t = (time_t)local;
	if ((int64_t)t != local || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11) {
		x->err = SK_E_RANGE;
		return;
	}
	/* the ';' ends the previous word: "... <rcpt>;" */
	if (x->err == SK_OK && x->nwords > 0 && x->textlen < sizeof(x->text)) {
		x->text[x->textlen - 1] = ';';
		x->text[x->textlen++] = '\0';
		x->len[x->nwords - 1]++;
	}
	rx_clause(x);
	rx_word(x, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, r->tz_minutes < 0 ? '-' : '+', off / 60,
	    off % 60);
}

/* rx_build - every clause of r, checked, as words */
static void
rx_build(struct rx *x, const struct smtp_received *r)
{
	if (r->helo == NULL || !rx_host(r->server)) {
		x->err = SK_E_SYNTAX;
		return;
	}
	rx_from(x, r);
	rx_clause(x);
	rx_word(x, "by");
	rx_word(x, "%s", r->server);
	rx_word(x, "(" SMTP_RECEIVED_SOFTWARE ")");
	rx_clause(x);
	rx_word(x, "with");
	rx_word(x, "%s",
	    smtp_received_protocol(r->esmtp, r->tls, r->authenticated,
		r->utf8));
	if (r->tls) {
		rx_tls(x, r);
	}
	if (r->queue_id != NULL) {
		if (!rx_token(r->queue_id, SMTP_RECEIVED_QID_MAX, "")) {
			x->err = SK_E_SYNTAX;
			return;
		}
		rx_clause(x);
		rx_word(x, "id");
		rx_word(x, "%s", r->queue_id);
	}
	if (r->rcpt != NULL) {
		rx_for(x, r);
	}
	if (x->err == SK_OK) {
		rx_date(x, r);
	}
	x->first[x->nclauses] = x->nwords;
}

/* The folded output. */
struct rx_out {
	char *buf;
	size_t cap, len;
	size_t line; /* octets on the current line */
	enum sk_result err;
};

/* rx_put - append n octets */
static void
rx_put(struct rx_out *o, const char *s, size_t n)
{
	if (o->err != SK_OK) {
		return;
	}
	if (n >= o->cap - o->len) {
		o->err = SK_E_FULL;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->line += n;
	if (o->line > SMTP_RECEIVED_HARD_MAX) {
		o->err = SK_E_TOO_LONG;
	}
}

/* rx_fold - end the line; the next starts with a TAB (RFC 5322 2.2.3) */
static void
rx_fold(struct rx_out *o)
{
	rx_put(o, "\r\n\t", 3);
	o->line = 1;
}

/* rx_clause_len - octets of clause c written on one line */
static size_t
rx_clause_len(const struct rx *x, size_t c)
{
	size_t i, n = 0;

	for (i = x->first[c]; i < x->first[c + 1]; i++) {
		n += x->len[i] + (i > x->first[c]);
	}
	return n;
}

/* rx_emit - write the words, folding as smtp_received.h says */
static void
rx_emit(const struct rx *x, struct rx_out *o)
{
	size_t c, i, n;
	int first;

	rx_put(o, "Received:", 9);
	for (c = 0; c < x->nclauses; c++) {
		n = rx_clause_len(x, c);
		/* the first clause never leaves "Received:" alone on a line */
		if (o->line + 1 + n > SMTP_RECEIVED_LINE_MAX &&
		    1 + n <= SMTP_RECEIVED_LINE_MAX && c > 0) {
			rx_fold(o);
		} else if (o->line + 1 + n <= SMTP_RECEIVED_LINE_MAX) {
			rx_put(o, " ", 1);
		} else {
			/* longer than a line: fold between its words (but not
			 * before the first word of the field) */
			for (i = x->first[c]; i < x->first[c + 1]; i++) {
				first = c == 0 && i == x->first[c];
				if (o->line != 1 && !first &&
				    o->line + 1 + x->len[i] >
					SMTP_RECEIVED_LINE_MAX) {
					rx_fold(o);
				} else if (o->line != 1) {
					rx_put(o, " ", 1);
				}
				rx_put(o, x->text + x->off[i], x->len[i]);
			}
			continue;
		}
		for (i = x->first[c]; i < x->first[c + 1]; i++) {
			if (i > x->first[c]) {
				rx_put(o, " ", 1);
			}
			rx_put(o, x->text + x->off[i], x->len[i]);
		}
	}
	rx_put(o, "\r\n", 2);
}

/* smtp_received_format - the whole field, folded, NUL-ended */
enum sk_result
smtp_received_format(const struct smtp_received *r, char *out, size_t cap,
    size_t *len)
{
	struct rx x;
	struct rx_out o;

	*len = 0;
	if (cap == 0) {
		return SK_E_FULL;
	}
	out[0] = '\0';
	memset(&x, 0, sizeof(x));
	x.err = SK_OK;
	rx_build(&x, r);
	if (x.err != SK_OK) {
		return x.err;
	}
	memset(&o, 0, sizeof(o));
	o.buf = out;
	o.cap = cap;
	o.err = SK_OK;
	rx_emit(&x, &o);
	if (o.err != SK_OK) {
		out[0] = '\0';
		return o.err;
	}
	out[o.len] = '\0';
	*len = o.len;
	return SK_OK;
}
