/*
 * mime_test.c - unit tests of the walker, its decoders and parameters.
 *
 * Walker cases write a compact log of the events ("start 1.2 image/png
 * name=a.png", "body 1.2 <octets>", "end 1.2 no-close") and compare it
 * with the expected log. Every walker case is also fed one octet at a
 * time and split at every position: the log may not change.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "test.h"

#define LOG_MAX 65536

struct log {
	char buf[LOG_MAX];
	size_t len;
	int in_body; /* a "body" line is open */
	char body_path[MIME_PATH_MAX];
};

static void
log_add(struct log *l, const char *s, size_t n)
{
	if (n > LOG_MAX - 1 - l->len) {
		n = LOG_MAX - 1 - l->len;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void log_fmt(struct log *l, const char *fmt, ...) SK_PRINTF(2, 3);

static void
log_fmt(struct log *l, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	log_add(l, tmp,
	    n < 0                       ? 0 :
		(size_t)n < sizeof(tmp) ? (size_t)n :
					  sizeof(tmp) - 1);
}

/* log_flags - the names of the flags set */
static void
log_flags(struct log *l, unsigned flags)
{
	unsigned b;

	for (b = 1; b != 0; b <<= 1) {
		if (flags & b) {
			log_fmt(l, " %s", mime_flag_name(b));
		}
	}
}

/* log_body - body octets, CR and LF escaped so a log line is one line */
static void
log_body(struct log *l, const struct mime_part *p, const uint8_t *d, size_t n)
{
	size_t i;

	if (!l->in_body || strcmp(l->body_path, p->path) != 0) {
		if (l->in_body) {
			log_add(l, "\n", 1);
		}
		log_fmt(l, "body %s ", p->path);
		snprintf(l->body_path, sizeof(l->body_path), "%s", p->path);
		l->in_body = 1;
	}
	for (i = 0; i < n; i++) {
		if (d[i] == '\r') {
			log_add(l, "\\r", 2);
		} else if (d[i] == '\n') {
			log_add(l, "\\n", 2);
		} else {
			log_add(l, (const char *)d + i, 1);
		}
	}
}

/* log_event - the walker callback: one line per event, bodies joined */
static void
log_event(void *arg, const struct mime_event *ev)
{
	struct log *l = arg;
	const struct mime_part *p = ev->part;

	if (ev->type == MIME_EV_BODY) {
		log_body(l, p, ev->data, ev->len);
		return;
	}
	if (ev->type != MIME_EV_PART_START && ev->type != MIME_EV_PART_END) {
		return;
	}
	if (l->in_body) {
		log_add(l, "\n", 1);
		l->in_body = 0;
	}
	if (ev->type == MIME_EV_PART_START) {
		log_fmt(l, "start %s %s/%s", p->path, p->type, p->subtype);
		if (p->filename != NULL) {
			log_fmt(l, " filename=%s",
			    (const char *)p->filename->text);
		}
		if (p->name != NULL) {
			log_fmt(l, " name=%s", (const char *)p->name->text);
		}
		log_add(l, "\n", 1);
		return;
	}
	log_fmt(l, "end %s", p->path);
	log_flags(l, p->flags);
	log_add(l, "\n", 1);
}

/* walk - the log of msg fed in pieces of chunk octets (0: whole) */
static void
walk(const char *msg, size_t len, size_t chunk, const struct mime_opts *o,
    struct log *l)
{
	static struct mime_walker w;
	size_t pos = 0, take;

	l->len = 0;
	l->buf[0] = '\0';
	l->in_body = 0;
	mime_init(&w, o, log_event, l);
	while (pos < len) {
		take = chunk == 0 || chunk > len - pos ? len - pos : chunk;
		mime_feed(&w, (const uint8_t *)msg + pos, take);
		pos += take;
	}
	mime_finish(&w);
}

/* check_walk - the log, whole and cut anywhere, equals want */
static void
check_walk(const char *name, const char *msg, const struct mime_opts *o,
    const char *want)
{
	static struct log l, l2;
	size_t len = strlen(msg), cut;
	static struct mime_walker w;

	walk(msg, len, 0, o, &l);
	if (strcmp(l.buf, want) != 0) {
		test_fail("%s: got\n%s\nwant\n%s", name, l.buf, want);
		return;
	}
	walk(msg, len, 1, o, &l2);
	TEST_CHECK(strcmp(l.buf, l2.buf) == 0, "%s: octet by octet: %s", name,
	    l2.buf);
	for (cut = 1; cut < len && len < 2000; cut++) {
		l2.len = 0;
		l2.buf[0] = '\0';
		l2.in_body = 0;
		mime_init(&w, o, log_event, &l2);
		mime_feed(&w, (const uint8_t *)msg, cut);
		mime_feed(&w, (const uint8_t *)msg + cut, len - cut);
		mime_finish(&w);
		if (strcmp(l.buf, l2.buf) != 0) {
			test_fail("%s: cut at %zu differs", name, cut);
			return;
		}
	}
}

/* ---- walker cases ---------------------------------------------------------
 */

static void
test_plain(void)
{
	check_walk("plain",
	    "Subject: hi\r\nFrom: a@b\r\n\r\nhello\r\nworld\r\n", NULL,
	    "start 1 text/plain\nbody 1 hello\\r\\nworld\\r\\n\nend 1\n");
	check_walk("bare LF", "Subject: hi\n\nhello\n", NULL,
	    "start 1 text/plain\nbody 1 hello\\n\nend 1\n");
	check_walk("no body", "Subject: hi\r\n", NULL,
	    "start 1 text/plain\nend 1 no-header-end\n");
}

static void
test_multipart(void)
{
	check_walk("multipart",
	    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
	    "preamble\r\n--b1\r\n\r\ntext\r\n--b1\r\n"
	    "Content-Type: application/octet-stream; name=\"x.bin\"\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*0*=utf-8''%E2%82%AC;\r\n filename*1=\".exe\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "aGVs\r\nbG8=\r\n--b1--\r\nepilogue\r\n",
	    NULL,
	    "start 1 multipart/mixed\n"
	    "start 1.1 text/plain\nbody 1.1 text\nend 1.1\n"
	    "start 1.2 application/octet-stream "
	    "filename=\xe2\x82\xac.exe name=x.bin\n"
	    "body 1.2 hello\nend 1.2\nend 1\n");
}

static void
test_nested(void)
{
	check_walk("message/rfc822",
	    "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
	    "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n"
	    "Content-Type: multipart/alternative; boundary=i\r\n\r\n"
	    "--i\r\n\r\na\r\n--i\r\nContent-Type: text/html\r\n\r\nb\r\n"
	    "--i--\r\n--o--\r\n",
	    NULL,
	    "start 1 multipart/mixed\nstart 1.1 message/rfc822\n"
	    "start 1.1.1 multipart/alternative\n"
	    "start 1.1.1.1 text/plain\nbody 1.1.1.1 a\nend 1.1.1.1\n"
	    "start 1.1.1.2 text/html\nbody 1.1.1.2 b\nend 1.1.1.2\n"
	    "end 1.1.1\nend 1.1\nend 1\n");
	/* an outer delimiter closes what is open inside */
	check_walk("missing inner close",
	    "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
	    "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n\r\n"
	    "x\r\n--o\r\n\r\ny\r\n--o--\r\n",
	    NULL,
	    "start 1 multipart/mixed\nstart 1.1 multipart/mixed\n"
	    "start 1.1.1 text/plain\nbody 1.1.1 x\nend 1.1.1\n"
	    "end 1.1 no-close\nstart 1.2 text/plain\nbody 1.2 y\n"
	    "end 1.2\nend 1\n");
	check_walk("digest default",
	    "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n"
	    "Subject: x\r\n\r\nbody\r\n--d--\r\n",
	    NULL,
	    "start 1 multipart/digest\nstart 1.1 message/rfc822\n"
	    "start 1.1.1 text/plain\nbody 1.1.1 body\nend 1.1.1\n"
	    "end 1.1\nend 1\n");
}

static void
test_encoded_container(void)
{
	/* base64 of "Content-Type: text/plain\r\n\r\nhi\r\n" */
	check_walk("base64 message/rfc822",
	    "Content-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "Q29udGVudC1UeXBlOiB0ZXh0L3BsYWluDQoNCmhpDQo=\r\n",
	    NULL,
	    "start 1 message/rfc822\nstart 1.1 text/plain\n"
	    "body 1.1 hi\\r\\n\nend 1.1\nend 1 encoded-container\n");
}

static void
test_anomalies(void)
{
	static struct log l;
	struct mime_opts o;

	check_walk("no close, no parts",
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\nnever\r\n", NULL,
	    "start 1 multipart/mixed\nend 1 no-parts\n");
	check_walk("no boundary", "Content-Type: multipart/mixed\r\n\r\nx\r\n",
	    NULL,
	    "start 1 multipart/mixed\nbody 1 x\\r\\n\nend 1 no-boundary\n");
	check_walk("bad base64",
	    "Content-Transfer-Encoding: base64\r\n\r\naGV*sbG8=\r\n", NULL,
	    "start 1 text/plain\nbody 1 hello\nend 1 bad-base64\n");
	check_walk("bad header line", "Subject: a\r\nno colon here\r\n\r\nx",
	    NULL, "start 1 text/plain\nbody 1 x\nend 1 bad-header\n");
	memset(&o, 0, sizeof(o));
	o.flags = MIME_OPT_BAD_HEADER_STARTS_BODY;
	check_walk("bad header starts body",
	    "Subject: a\r\nno colon here\r\nX: y\r\n", &o,
	    "start 1 text/plain\nbody 1 no colon here\\r\\nX: y\\r\\n\n"
	    "end 1 bad-header no-header-end\n");
	walk("Subject: a\0b\r\n\r\n", 16, 0, NULL, &l);
	TEST_CHECK(strcmp(l.buf, "start 1 text/plain\nend 1 nul\n") == 0,
	    "nul in header: %s", l.buf);
	check_walk("dup content-type",
	    "Content-Type: text/html\r\nContent-Type: image/gif\r\n\r\n", NULL,
	    "start 1 text/html\nend 1 dup-field\n");
	check_walk("unknown cte",
	    "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n", NULL,
	    "start 1 text/plain\nbody 1 begin\\r\\n\nend 1 unknown-cte\n");
}

/* nest - n multiparts inside each other, each boundary its depth */
static char *
nest(unsigned n)
{
	size_t cap = (size_t)n * 80 + 64, len = 0;
	char *s = malloc(cap);
	unsigned i;

	if (s == NULL) {
		abort();
	}
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(s + len, cap - len,
		    "Content-Type: multipart/mixed; "
		    "boundary=b%u\r\n\r\n--b%u\r\n",
		    i, i);
	}
	snprintf(s + len, cap - len, "\r\ndeep\r\n");
	return s;
}

static void
test_limits(void)
{
	static struct log l;
	struct mime_opts o;
	char *deep = nest(1000), *p;

	/* nested a thousand deep: MIME_DEPTH_MAX levels, then a leaf */
	walk(deep, strlen(deep), 0, NULL, &l);
	TEST_CHECK(strstr(l.buf, " depth") != NULL, "depth flag: %.200s",
	    l.buf);
	TEST_CHECK(strstr(l.buf,
		       "start 1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1."
		       "1.1.1.1.1.1.1.1.1.1.1.1.1.1 ") != NULL &&
		strstr(l.buf,
		    "start 1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1."
		    "1.1.1.1.1.1.1.1.1.1.1.1.1.1") == NULL,
	    "32 levels exactly");
	free(deep);

	memset(&o, 0, sizeof(o));
	o.parts_max = 3;
	check_walk("parts limit",
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n1\r\n"
	    "--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--\r\n",
	    &o,
	    "start 1 multipart/mixed\nstart 1.1 text/plain\nbody 1.1 1\n"
	    "end 1.1\nstart 1.2 text/plain\nbody 1.2 2\nend 1.2\n"
	    "end 1 parts-limit skipped\n");
	memset(&o, 0, sizeof(o));
	o.part_decoded_max = 4;
	check_walk("decoded limit", "\r\nabcdefgh\r\n", &o,
	    "start 1 text/plain\nbody 1 abcd\nend 1 decoded-limit\n");

	/* a header field larger than MIME_FIELD_MAX is cut, and flagged */
	p = malloc(MIME_FIELD_MAX * 2 + 64);
	if (p == NULL) {
		abort();
	}
	memcpy(p, "X-Long: ", 8);
	memset(p + 8, 'a', MIME_FIELD_MAX * 2);
	strcpy(p + 8 + MIME_FIELD_MAX * 2, "\r\n\r\nbody");
	walk(p, strlen(p), 0, NULL, &l);
	TEST_CHECK(strcmp(l.buf,
		       "start 1 text/plain\nbody 1 body\n"
		       "end 1 field-truncated long-line\n") == 0,
	    "long field: %s", l.buf);
	walk(p, strlen(p), 7, NULL, &l);
	TEST_CHECK(strstr(l.buf, "field-truncated") != NULL, "long field cut");
	free(p);
}

static void
test_long_name(void)
{
	static struct log l;
	size_t n = 10000, len;
	char *msg = malloc(n + 200);

	if (msg == NULL) {
		abort();
	}
	len = (size_t)sprintf(msg,
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"");
	memset(msg + len, 'a', n);
	len += n;
	sprintf(msg + len, ".exe\"\r\n\r\nx");
	walk(msg, strlen(msg), 0, NULL, &l);
	/* head ... tail: the extension survives */
	TEST_CHECK(strstr(l.buf, "aaa...aaa") != NULL &&
		strstr(l.buf, "aaa.exe\n") != NULL,
	    "head...tail: %.80s", l.buf);
	TEST_CHECK(strstr(l.buf, " name\n") != NULL, "name flag: %s",
	    l.buf + l.len - 40);
	free(msg);
}

static void
test_boundaries(void)
{
	check_walk("junk after delimiter, prefix of another",
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b ignored\r\n\r\nx\r\n--b-1\r\n--b--junk\r\ntail",
	    NULL,
	    "start 1 multipart/mixed\nstart 1.1 text/plain\n"
	    "body 1.1 x\\r\\n--b-1\nend 1.1\nend 1\n");
	/* a long line that begins like the boundary is content */
	check_walk("quoted boundary with escape",
	    "Content-Type: multipart/mixed; boundary=\"a\\\"b\"\r\n\r\n"
	    "--a\"b\r\n\r\nx\r\n--a\"b--\r\n",
	    NULL,
	    "start 1 multipart/mixed\nstart 1.1 text/plain\nbody 1.1 x\n"
	    "end 1.1\nend 1\n");
}

/* ---- decoders
 * ------------------------------------------------------------------ */

/* decode_all - in, fed in pieces of chunk octets, into out */
static size_t
decode_all(enum mime_cte cte, const char *in, size_t chunk, uint8_t *out,
    unsigned *flags)
{
	struct mime_decoder d;
	size_t len = strlen(in), pos = 0, n = 0, take;

	mime_decoder_init(&d, cte);
	while (pos < len) {
		take = chunk < len - pos ? chunk : len - pos;
		n += mime_decoder_update(&d, (const uint8_t *)in + pos, take,
		    out + n);
		pos += take;
	}
	n += mime_decoder_final(&d, out + n);
	out[n] = '\0';
	*flags = d.flags;
	return n;
}

static void
test_decoders(void)
{
	static const struct {
		enum mime_cte cte;
		const char *in, *out;
		unsigned flags;
	} cases[] = {
		{ MIME_CTE_QP, "a=3D=3db\r\n", "a==b\r\n", 0 },
		{ MIME_CTE_QP, "soft=\r\nbreak=\nx", "softbreakx", 0 },
		{ MIME_CTE_QP, "trail  \r\nx \t", "trail\r\nx", 0 },
		{ MIME_CTE_QP, "lf\nonly", "lf\r\nonly", 0 },
		{ MIME_CTE_QP, "bad=zz=4", "bad=zz=4", MIME_DEC_F_BAD_QP },
		{ MIME_CTE_QP, "eq ws= \t\r\nx", "eq wsx", 0 },
		{ MIME_CTE_QP, "end=", "end", 0 },
		{ MIME_CTE_BASE64, "aGVsbG8=", "hello", 0 },
		{ MIME_CTE_BASE64, "aGVs\r\n bG8=", "hello", 0 },
		{ MIME_CTE_BASE64, "aGk=aGk=", "hihi", MIME_DEC_F_AFTER_PAD },
		{ MIME_CTE_BASE64, "aGVsbG8", "hel", MIME_DEC_F_TRUNCATED },
		{ MIME_CTE_BASE64, "a*GVs", "hel", MIME_DEC_F_BAD_CHAR },
		{ MIME_CTE_7BIT, "as=is", "as=is", 0 },
	};
	uint8_t out[512];
	unsigned flags;
	size_t i, chunk, n;

	for (i = 0; i < SK_NELEM(cases); i++) {
		for (chunk = 1; chunk <= 8; chunk += 7) {
			n = decode_all(cases[i].cte, cases[i].in, chunk, out,
			    &flags);
			TEST_CHECK(n == strlen(cases[i].out) &&
				memcmp(out, cases[i].out, n) == 0,
			    "case %zu chunk %zu: got \"%s\" want \"%s\"", i,
			    chunk, (const char *)out, cases[i].out);
			TEST_CHECK(flags == cases[i].flags,
			    "case %zu: flags %#x want %#x", i, flags,
			    cases[i].flags);
		}
	}
	TEST_CHECK(mime_cte_parse((const uint8_t *)" Base64 (x)", 11) ==
		MIME_CTE_BASE64,
	    "cte with comment");
	TEST_CHECK(mime_cte_parse((const uint8_t *)"x-gzip64", 8) ==
		MIME_CTE_OTHER,
	    "unknown cte");
}

/* ---- parameters
 * ------------------------------------------------------------------ */

static void
test_params(void)
{
	static const struct {
		const char *params, *name, *text, *charset;
		unsigned flags; /* besides MIME_TEXT_UTF8 */
		int utf8;
	} cases[] = {
		{ "; name=\"a b.txt\"", "name", "a b.txt", "", 0, 1 },
		{ "; NAME=plain.txt ; x=y", "name", "plain.txt", "", 0, 1 },
		{ "; filename*=iso-8859-1'en'%E9t%E9.doc", "filename",
		    "\xe9t\xe9.doc", "iso-8859-1", MIME_TEXT_ENCODED, 0 },
		{ "; filename*1=\"b\"; filename*0=\"a\"; filename*2*=%41",
		    "filename", "abA", "", MIME_TEXT_ENCODED, 1 },
		{ "; name=\"=?UTF-8?B?w6k=?= =?UTF-8?Q?_x=2Eexe?=\"", "name",
		    "\xc3\xa9 x.exe", "utf-8", MIME_TEXT_ENCODED, 1 },
		{ "; name==?koi8-r?B?89DJ08/LLmRvYw==?=", "name",
		    "\xf3\xd0\xc9\xd3\xcf\xcb.doc", "koi8-r", MIME_TEXT_ENCODED,
		    0 },
		{ "; name=\"=?utf-8?q?a?= b =?iso-8859-1?q?c?=\"", "name",
		    "a b c", "utf-8", MIME_TEXT_ENCODED | MIME_TEXT_MIXED, 1 },
		{ "; name=a; name=b", "name", "a", "", MIME_TEXT_DUP, 1 },
		{ "; (comment) name = \"q\\\"x\"", "name", "q\"x", "", 0, 1 },
		{ "; filename*=%zz", "filename", "%zz", "",
		    MIME_TEXT_ENCODED | MIME_TEXT_BAD, 1 },
	};
	struct mime_text t;
	size_t i;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(cases); i++) {
		r = mime_param_get((const uint8_t *)cases[i].params,
		    strlen(cases[i].params), cases[i].name, &t);
		TEST_CHECK(r == SK_OK, "case %zu: %s", i, sk_result_str(r));
		TEST_CHECK(t.len == strlen(cases[i].text) &&
			memcmp(t.text, cases[i].text, t.len) == 0,
		    "case %zu: got \"%s\" want \"%s\"", i, (const char *)t.text,
		    cases[i].text);
		TEST_CHECK(strcmp(t.charset, cases[i].charset) == 0,
		    "case %zu: charset %s", i, t.charset);
		TEST_CHECK((t.flags & ~(unsigned)MIME_TEXT_UTF8) ==
			cases[i].flags,
		    "case %zu: flags %#x", i, t.flags);
		TEST_CHECK(!(t.flags & MIME_TEXT_UTF8) == !cases[i].utf8,
		    "case %zu: utf8 flag", i);
	}
	r = mime_param_get((const uint8_t *)"; a=b", 5, "name", &t);
	TEST_CHECK(r == SK_END && t.len == 0, "absent");
}

static void
test_ctype(void)
{
	char type[MIME_TOKEN_MAX], sub[MIME_TOKEN_MAX];
	size_t params;
	const char *v = " (c) Text / HTML ; charset=x";

	TEST_CHECK(mime_ctype_parse((const uint8_t *)v, strlen(v), type, sub,
		       &params) == SK_OK &&
		strcmp(type, "text") == 0 && strcmp(sub, "html") == 0 &&
		v[params] == ';',
	    "type %s/%s", type, sub);
	TEST_CHECK(mime_ctype_parse((const uint8_t *)"text", 4, type, sub,
		       &params) == SK_E_SYNTAX,
	    "no subtype");
	TEST_CHECK(mime_utf8_valid((const uint8_t *)"\xc3\xa9", 2) &&
		!mime_utf8_valid((const uint8_t *)"\xc0\xaf", 2) &&
		!mime_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3),
	    "utf-8 validity");
}

/* ---- raw offsets ------------------------------------------------------ */

struct raw_log {
	char buf[1024];
	size_t len;
};

/* raw_event - "path start-end;" per PART_END ("?" unknown) */
static void
raw_event(void *arg, const struct mime_event *ev)
{
	struct raw_log *l = arg;
	int n;

	if (ev->type != MIME_EV_PART_END || l->len >= sizeof(l->buf)) {
		return;
	}
	if (ev->part->raw_start == MIME_RAW_UNKNOWN) {
		n = snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s ?;",
		    ev->part->path);
	} else {
		n = snprintf(l->buf + l->len, sizeof(l->buf) - l->len,
		    "%s %llu-%llu;", ev->part->path,
		    (unsigned long long)ev->part->raw_start,
		    (unsigned long long)ev->part->raw_end);
	}
	l->len += n > 0 ? (size_t)n : 0;
}

/* raw_of - the offsets log of msg fed in pieces of step octets */
static void
raw_of(const char *msg, size_t step, struct raw_log *l)
{
	static struct mime_walker w;
	size_t at, n, len = strlen(msg);

	memset(l, 0, sizeof(*l));
	mime_init(&w, NULL, raw_event, l);
	for (at = 0; at < len; at += n) {
		n = len - at < step ? len - at : step;
		(void)mime_feed(&w, (const uint8_t *)msg + at, n);
	}
	(void)mime_finish(&w);
}

/* expect_raw - the log, whole and in pieces of 1..7 octets */
static void
expect_raw(const char *msg, const char *want)
{
	struct raw_log l;
	size_t step;

	for (step = 1; step <= 8; step++) {
		raw_of(msg, step == 8 ? strlen(msg) : step, &l);
		TEST_CHECK(strcmp(l.buf, want) == 0, "step %zu: %s want %s",
		    step, l.buf, want);
	}
}

/* The raw octets of each part (for the strip rewrite): a part starts
 * with its header's first line and ends before the line end that
 * belongs to the next delimiter; a part in an encoded container has no
 * raw offsets; a multipart without its close ends at the end. */
static void
test_raw_offsets(void)
{
	/* part 1.1's header starts at 50, its body "a" ends at 59 (the
	 * CRLF there belongs to "--b"); 1.2 has no field: it starts with
	 * its empty line at 66 */
	static const char m1[] = "Content-Type: multipart/mixed; boundary=b\r\n"
				 "\r\n"
				 "--b\r\n"
				 "X: 1\r\n"
				 "\r\n"
				 "a\r\n"
				 "--b\r\n"
				 "\r\n"
				 "bb\r\n"
				 "--b--\r\n";
	static const char m2[] = "Content-Type: multipart/mixed; boundary=b\n"
				 "\n"
				 "--b\n"
				 "\n"
				 "x\n"
				 "--b\n"
				 "Content-Type: message/rfc822\n"
				 "\n"
				 "Subject: in\n"
				 "\n"
				 "hi\n"
				 "--b\n";
	static const char m3[] = "Content-Type: message/rfc822\r\n"
				 "Content-Transfer-Encoding: base64\r\n"
				 "\r\n"
				 "U3ViamVjdDogeA0KDQp5DQo=\r\n";

	expect_raw(m1, "1.1 50-59;1.2 66-70;1 0-79;");
	expect_raw(m2,
	    "1.1 47-49;1.2.1 84-99;1.2 54-99;1.3 104-104;"
	    "1 0-104;");
	expect_raw(m3, "1.1 ?;1 0-93;");
}

const struct test_case test_cases[] = {
	{ "mime_raw_offsets", test_raw_offsets },
	{ "mime_plain", test_plain },
	{ "mime_multipart", test_multipart },
	{ "mime_nested", test_nested },
	{ "mime_encoded_container", test_encoded_container },
	{ "mime_anomalies", test_anomalies },
	{ "mime_limits", test_limits },
	{ "mime_long_name", test_long_name },
	{ "mime_boundaries", test_boundaries },
	{ "mime_decoders", test_decoders },
	{ "mime_params", test_params },
	{ "mime_ctype", test_ctype },
};
const size_t test_ncases = SK_NELEM(test_cases);
