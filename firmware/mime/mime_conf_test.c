/*
 * mime_conf_test.c - the walker against the public MIME torture corpora,
 * read at test time from the conformance folder (never copied here):
 *   mime/mime4j/testmsgs/            32 messages (Apache James mime4j)
 *   mime/mime4j/mimetools-testmsgs/  48 messages (Perl MIME-tools)
 * Each X.msg has X.xml, the event tree mime4j's stream parser gives
 * (raw bodies), and X_decoded.xml, the same with transfer-decoded bodies
 * in files X_decoded_PATH.txt (text types) or .bin. This test writes the same
 * trees from the walker's events, with the same tags and escapes, and
 * compares them octet for octet, then every decoded body with its file.
 * Each message is also fed in small pieces of varying size: the events
 * must not depend on the cut.
 *
 * The folder is found by test_conformance_dir (lib/test.h). With
 * SK_MIME_ROWS set, every message prints a PASS:/FAIL: line of its own.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "test.h"

#define CONF_FILE_MAX (4u << 20)
#define CONF_NAMES_MAX 128

/* a growing output buffer (test code: malloc is fine here) */
struct xb {
	char *p;
	size_t len, cap;
};

static void
xb_put(struct xb *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL) {
			abort();
		}
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
xb_str(struct xb *b, const char *s)
{
	xb_put(b, s, strlen(s));
}

/* xb_esc - text as mime4j's test writes it: & < > escaped */
static void
xb_esc(struct xb *b, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '&') {
			xb_str(b, "&amp;");
		} else if (p[i] == '<') {
			xb_str(b, "&lt;");
		} else if (p[i] == '>') {
			xb_str(b, "&gt;");
		} else {
			xb_put(b, p + i, 1);
		}
	}
}

/*
 * Expected trees that record a mime4j bug rather than a reading of the
 * message. Each is still checked exactly: our tree with the named line
 * taken out must equal mime4j's.
 */
static const struct conf_deviation {
	const char *msg, *line, *why;
} conf_deviations[] = {
	{ "malformedHeaderStartsBody-nocrlfcrlf",
	    "AnotherHeader: is this an header or the first part of the "
	    "body?\r\n",
	    "with MalformedHeaderStartsBody mime4j loses the line after the "
	    "malformed one (it was read ahead to look for folding)" },
	{ "malformedHeaderStartsBody-noheader",
	    "The whole text should be recognized as body.\r\n",
	    "the same read-ahead loss; the file's own text says the whole "
	    "text is the body" },
};

/* the tree writer's state */
struct tree {
	struct xb out;
	int decoded;      /* write X_decoded.xml, keep bodies */
	const char *base; /* message name without .msg */
	enum mime_kind kind[MIME_DEPTH_MAX];
	int in_header, in_pre, in_epi;
	struct xb body;   /* decoded body of the open leaf */
	struct xb bodies; /* "name\0len\0octets" of every decoded body */
	const char *drop; /* a conf_deviations line, or NULL */
};

/* xb_cut - take the first occurrence of line s out of b */
static void
xb_cut(struct xb *b, const char *s)
{
	size_t n = strlen(s);
	char *at;

	if (b->p == NULL || (at = memmem(b->p, b->len, s, n)) == NULL) {
		return;
	}
	memmove(at, at + n, b->len - (size_t)(at - b->p) - n);
	b->len -= n;
}

/* tree_close_text - end an open preamble or epilogue */
static void
tree_close_text(struct tree *t)
{
	if (t->in_pre) {
		xb_str(&t->out, "</preamble>\r\n");
	}
	if (t->in_epi) {
		xb_str(&t->out, "</epilogue>\r\n");
	}
	t->in_pre = t->in_epi = 0;
}

/* tree_open - a part's first event: its element and <header> */
static void
tree_open(struct tree *t, const struct mime_part *p)
{
	if (t->in_header) {
		return;
	}
	tree_close_text(t);
	if (p->depth == 0 || t->kind[p->depth - 1] == MIME_KIND_MESSAGE) {
		xb_str(&t->out, "<message>\r\n");
	} else {
		xb_str(&t->out, "<body-part>\r\n");
	}
	xb_str(&t->out, "<header>\r\n");
	t->in_header = 1;
}

/* body_name - mime4j's name of a decoded body file: path dots as "_" */
static void
body_name(const struct tree *t, const struct mime_part *p, char *out,
    size_t cap)
{
	size_t n, i;

	n = (size_t)snprintf(out, cap, "%s_decoded_%s", t->base, p->path);
	for (i = n - strlen(p->path); i < n && i < cap; i++) {
		if (out[i] == '.') {
			out[i] = '_';
		}
	}
	snprintf(out + strlen(out), cap - strlen(out), "%s",
	    strcmp(p->type, "text") == 0 ? ".txt" : ".bin");
}

/* tree_end - PART_END */
static void
tree_end(struct tree *t, const struct mime_part *p)
{
	char name[512];

	if (p->kind == MIME_KIND_LEAF && !t->decoded) {
		xb_str(&t->out, "</body>\r\n");
	} else if (p->kind == MIME_KIND_LEAF) {
		body_name(t, p, name, sizeof(name));
		if (t->drop != NULL) {
			xb_cut(&t->body, t->drop);
		}
		xb_str(&t->out,
		    strcmp(p->type, "text") == 0 ? "<text-body" :
						   "<binary-body");
		xb_str(&t->out, " name=\"");
		xb_str(&t->out, name);
		xb_str(&t->out, "\"/>\r\n");
		xb_put(&t->bodies, name, strlen(name) + 1);
		xb_put(&t->bodies, &t->body.len, sizeof(t->body.len));
		xb_put(&t->bodies, t->body.p, t->body.len);
		t->body.len = 0;
	} else if (p->kind == MIME_KIND_MULTIPART) {
		tree_close_text(t);
		xb_str(&t->out, "</multipart>\r\n");
	}
	if (p->depth == 0 || t->kind[p->depth - 1] == MIME_KIND_MESSAGE) {
		xb_str(&t->out, "</message>\r\n");
	} else {
		xb_str(&t->out, "</body-part>\r\n");
	}
}

/* tree_event - the walker's callback */
static void
tree_event(void *arg, const struct mime_event *ev)
{
	struct tree *t = arg;
	const struct mime_part *p = ev->part;

	switch (ev->type) {
	case MIME_EV_FIELD:
		tree_open(t, p);
		xb_str(&t->out, "<field>\r\n");
		xb_esc(&t->out, ev->data, ev->len);
		xb_str(&t->out, "</field>\r\n");
		break;
	case MIME_EV_PART_START:
		tree_open(t, p);
		xb_str(&t->out, "</header>\r\n");
		t->in_header = 0;
		t->kind[p->depth] = p->kind;
		if (p->kind == MIME_KIND_MULTIPART) {
			xb_str(&t->out, "<multipart>\r\n");
		} else if (p->kind == MIME_KIND_LEAF && !t->decoded) {
			xb_str(&t->out, "<body>\r\n");
		}
		t->body.len = 0;
		break;
	case MIME_EV_BODY:
		if (t->decoded) {
			xb_put(&t->body, ev->data, ev->len);
		} else {
			xb_esc(&t->out, ev->data, ev->len);
		}
		break;
	case MIME_EV_PREAMBLE:
	case MIME_EV_EPILOGUE:
		/* mime4j writes a preamble element when anything precedes
		 * the first delimiter, an epilogue only when it has octets */
		if (ev->type == MIME_EV_PREAMBLE && !t->in_pre) {
			xb_str(&t->out, "<preamble>\r\n");
			t->in_pre = 1;
		} else if (ev->type == MIME_EV_EPILOGUE && !t->in_epi &&
		    ev->len > 0) {
			tree_close_text(t);
			xb_str(&t->out, "<epilogue>\r\n");
			t->in_epi = 1;
		}
		xb_esc(&t->out, ev->data, ev->len);
		break;
	case MIME_EV_PART_END:
		tree_end(t, p);
		break;
	case MIME_EV_ANOMALY:
		break;
	}
}

/* ---- files -------------------------------------------------------------- */

/* read_file - a whole file (caller frees), NULL if absent */
static uint8_t *
read_file(const char *path, size_t *len)
{
	return (uint8_t *)test_read_file(path, CONF_FILE_MAX, len);
}

/* run - walk msg in pieces of chunk octets (0: all, <0: varying) */
static void
run(struct tree *t, const uint8_t *msg, size_t len, long chunk,
    unsigned optflags)
{
	static struct mime_walker w;
	struct mime_opts o;
	size_t pos = 0, take, step = 0;

	memset(&o, 0, sizeof(o));
	o.flags = optflags | (t->decoded ? 0 : MIME_OPT_RAW_BODIES);
	t->out.len = t->body.len = t->bodies.len = 0;
	t->in_header = t->in_pre = t->in_epi = 0;
	xb_put(&t->out, "", 0); /* allocated, so never NULL */
	xb_put(&t->body, "", 0);
	xb_put(&t->bodies, "", 0);
	mime_init(&w, &o, tree_event, t);
	while (pos < len) {
		take = chunk == 0 ? len - pos :
		    chunk > 0     ? (size_t)chunk :
				    (size_t)(step++ % 13) + 1;
		if (take > len - pos) {
			take = len - pos;
		}
		mime_feed(&w, msg + pos, take);
		pos += take;
	}
	mime_finish(&w);
	if (t->drop != NULL) {
		xb_cut(&t->out, t->drop);
	}
}

/* first_diff - where two texts differ, for the failure message */
static void
first_diff(const char *what, const char *got, size_t glen, const char *want,
    size_t wlen, char *why, size_t cap)
{
	size_t i = 0, from;

	while (i < glen && i < wlen && got[i] == want[i]) {
		i++;
	}
	from = i > 30 ? i - 30 : 0;
	snprintf(why, cap, "%s differs at %zu: got \"%.60s\" want \"%.60s\"",
	    what, i, got + from, want + from);
	for (char *c = why; *c != '\0'; c++) {
		if (*c == '\r' || *c == '\n') {
			*c = '|';
		}
	}
}

/* check_bodies - every decoded body against its file */
static int
check_bodies(const struct tree *t, const char *dir, char *why, size_t cap)
{
	size_t pos = 0, n, flen;
	char path[1400];
	const char *name;
	uint8_t *file;
	int ok = 1;

	while (ok && pos < t->bodies.len) {
		name = t->bodies.p + pos;
		pos += strlen(name) + 1;
		memcpy(&n, t->bodies.p + pos, sizeof(n));
		pos += sizeof(n);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		file = read_file(path, &flen);
		if (file == NULL) {
			/* mime4j writes no file for some bodies; the tree
			 * comparison already checked the element */
		} else if (flen != n || memcmp(file, t->bodies.p + pos, n)) {
			first_diff(name, t->bodies.p + pos, n,
			    (const char *)file, flen, why, cap);
			ok = 0;
		}
		free(file);
		pos += n;
	}
	return ok;
}

/* check_one - one message: 0 if it matches, else why says how not */
static int
check_one(const char *dir, const char *base, char *why, size_t cap)
{
	static struct tree t, t2;
	char path[1400];
	uint8_t *msg, *want;
	size_t len, wlen;
	unsigned of = 0;
	int decoded, ok = 1;

	snprintf(path, sizeof(path), "%s/%s.msg", dir, base);
	if ((msg = read_file(path, &len)) == NULL) {
		snprintf(why, cap, "cannot read %.300s", path);
		return 0;
	}
	/* mime4j's test turns this option on for these files only */
	if (strstr(base, "malformedHeaderStartsBody") != NULL) {
		of = MIME_OPT_BAD_HEADER_STARTS_BODY;
	}
	t.drop = t2.drop = NULL;
	for (size_t i = 0; i < SK_NELEM(conf_deviations); i++) {
		if (strcmp(base, conf_deviations[i].msg) == 0) {
			t.drop = t2.drop = conf_deviations[i].line;
			printf("INFO: mime %s: deviation: %s\n", base,
			    conf_deviations[i].why);
		}
	}
	for (decoded = 0; decoded < 2 && ok; decoded++) {
		t.decoded = t2.decoded = decoded;
		t.base = t2.base = base;
		snprintf(path, sizeof(path), "%s/%s%s.xml", dir, base,
		    decoded ? "_decoded" : "");
		if ((want = read_file(path, &wlen)) == NULL) {
			continue;
		}
		run(&t, msg, len, 0, of);
		run(&t2, msg, len, -1, of);
		if (t.out.len != wlen || memcmp(t.out.p, want, wlen) != 0) {
			first_diff(decoded ? "decoded tree" : "tree", t.out.p,
			    t.out.len, (const char *)want, wlen, why, cap);
			ok = 0;
		} else if (t2.out.len != t.out.len ||
		    memcmp(t2.out.p, t.out.p, t.out.len) != 0 ||
		    t2.bodies.len != t.bodies.len ||
		    memcmp(t2.bodies.p, t.bodies.p, t.bodies.len) != 0) {
			snprintf(why, cap, "pieces change the events");
			ok = 0;
		} else if (decoded && !check_bodies(&t, dir, why, cap)) {
			ok = 0;
		}
		free(want);
	}
	free(msg);
	return ok;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* check_corpus - every .msg of one folder; prints the count */
static void
check_corpus(const char *sub)
{
	const char *base =
	    test_conformance_dir("mime/mime4j/testmsgs/basic-plain.msg");
	char dir[1200], why[400], *names[CONF_NAMES_MAX];
	struct dirent *de;
	size_t n = 0, i, l, pass = 0;
	DIR *d;

	if (base == NULL) {
		return;
	}
	snprintf(dir, sizeof(dir), "%s/mime/mime4j/%s", base, sub);
	if ((d = opendir(dir)) == NULL) {
		test_fail("cannot open %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL && n < CONF_NAMES_MAX) {
		l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".msg") == 0) {
			names[n] = strdup(de->d_name);
			names[n++][l - 4] = '\0';
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		if (check_one(dir, names[i], why, sizeof(why))) {
			pass++;
			if (getenv("SK_MIME_ROWS") != NULL) {
				printf("PASS: mime %s %s\n", sub, names[i]);
			}
		} else {
			test_fail("%s: %s", names[i], why);
		}
		free(names[i]);
	}
	printf("INFO: mime %s: %zu of %zu messages match\n", sub, pass, n);
	TEST_CHECK(n > 0, "no messages in %s", dir);
}

static void
test_mime4j(void)
{
	check_corpus("testmsgs");
}

static void
test_mimetools(void)
{
	check_corpus("mimetools-testmsgs");
}

const struct test_case test_cases[] = {
	{ "mime_conf_mime4j", test_mime4j },
	{ "mime_conf_mimetools", test_mimetools },
};
const size_t test_ncases = SK_NELEM(test_cases);
