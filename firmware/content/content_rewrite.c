/*
 * content_rewrite.c - the delivered message when the content step
 * changes it (content_rewrite.h): the header section as a list of
 * fields that the edits work on, then the body copied, replaced, or
 * copied with parts cut out.
 *
 * Security level: high. The stored message comes from the internet and
 * the edits from a milter (a network peer): the header read is bounded
 * (CONTENT_RW_HEADER_MAX), a field is only a view into that buffer or
 * into the arena, every new field passes msg_header_block_ok before it
 * is used, and the output is bounded by in->max.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "content_rewrite.h"
#include "msg_body.h"

/* One field of the header being rewritten: octets with their line
 * ends, in the header buffer or the arena. */
struct content_rw_field {
	const char *p;
	size_t len;
};

struct content_rewrite_scratch {
	char header[CONTENT_RW_HEADER_MAX];
	struct content_rw_field field[CONTENT_RW_FIELDS_MAX];
	size_t nfields;
	char arena[CONTENT_RW_ARENA];
	size_t used;
	/* the output, buffered */
	uint8_t out[CONTENT_RW_CHUNK];
	size_t out_len;
	uint64_t written, max;
	int out_fd;
	enum sk_result err;
	uint8_t in[CONTENT_RW_CHUNK];
};

size_t
content_rewrite_scratch_size(void)
{
	return sizeof(struct content_rewrite_scratch);
}

/* ---- the edits --------------------------------------------------------- */

/* content_edits_str - s into the arena; its offset, or -1 */
static long
content_edits_str(struct content_edits *ed, const char *s)
{
	size_t n = strlen(s) + 1;
	long at = (long)ed->used;

	if (n > sizeof(ed->arena) - ed->used) {
		return -1;
	}
	memcpy(ed->arena + ed->used, s, n);
	ed->used += n;
	return at;
}

void
content_edits_add(struct content_edits *ed, const struct scan_milter_actions *a,
    int leadspc)
{
	const struct scan_milter_action *x;
	long name, value;
	size_t i;

	for (i = 0; i < a->n; i++) {
		x = &a->a[i];
		if (x->type != SCAN_MA_ADDHEADER &&
		    x->type != SCAN_MA_INSHEADER &&
		    x->type != SCAN_MA_CHGHEADER) {
			continue;
		}
		if (ed->n == CONTENT_EDITS_MAX ||
		    (name = content_edits_str(ed, x->name)) < 0 ||
		    (value = content_edits_str(ed, x->value)) < 0) {
			ed->dropped++;
			continue;
		}
		ed->e[ed->n].type = x->type;
		ed->e[ed->n].index = x->index;
		ed->e[ed->n].name = (uint32_t)name;
		ed->e[ed->n].value = (uint32_t)value;
		ed->e[ed->n].leadspc = (uint8_t)leadspc;
		ed->n++;
	}
}

/* ---- what a strip rule removes ---------------------------------------- */

/* content_part_reason - why part p is one rule r matched, in why; 0 if
 * it is not */
static int
content_part_reason(const struct content_facts_view *v,
    const struct content_part_fact *p, const struct config_content_rule *r,
    char *why, size_t size)
{
	size_t i, k;
	unsigned t;

	for (k = 0; k < r->nfile_names; k++) {
		for (i = 0; i < 2; i++) {
			if (p->names[i][0] != '\0' &&
			    content_glob(r->file_names[k], p->names[i])) {
				snprintf(why, size, "file name %s matches %s",
				    p->names[i], r->file_names[k]);
				return 1;
			}
		}
		for (i = p->member_first; i < p->member_end && i < v->nnames;
		     i++) {
			if (content_glob(r->file_names[k], v->names[i])) {
				snprintf(why, size,
				    "archive member %s matches %s", v->names[i],
				    r->file_names[k]);
				return 1;
			}
		}
	}
	for (t = 0; t < 64; t++) {
		if (r->file_types & p->file_types & (1ull << t)) {
			snprintf(why, size, "file type %s",
			    mime_ftype_name((enum mime_ftype)t));
			return 1;
		}
	}
	if (r->executable_in_archive && p->exec) {
		snprintf(why, size, "executable in archive");
	} else if (r->encrypted_archive && p->encrypted) {
		snprintf(why, size, "encrypted archive");
	} else if (r->office_macro && p->macro) {
		snprintf(why, size, "Office macro");
	} else {
		return 0;
	}
	return 1;
}

/* content_notice_clean - s as printable ASCII for the notice, cut */
static void
content_notice_clean(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < size && s[i] != '\0'; i++) {
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	}
	out[i] = '\0';
}

/* content_name_cut - whether name belongs to one of the parts picked
 * (p[i] with picked[i]): its own name or a member of its archive */
static int
content_name_cut(const struct content_facts_view *v,
    const struct content_part_fact *p, const uint8_t *picked, size_t n,
    size_t name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (picked[i] &&
		    ((name >= p[i].member_first && name < p[i].member_end) ||
			strcmp(v->names[name], p[i].names[0]) == 0 ||
			strcmp(v->names[name], p[i].names[1]) == 0)) {
			return 1;
		}
	}
	return 0;
}

/* content_names_left - whether a name the rule matches stays after the
 * cut: a container's name (a message/rfc822 part's fwd.eml is no leaf)
 * cannot be stripped, so the whole message is kept instead */
static int
content_names_left(const struct content_facts_view *v,
    const struct content_part_fact *p, const uint8_t *picked, size_t n,
    const struct config_content_rule *r)
{
	size_t i, k;

	for (i = 0; i < v->nnames; i++) {
		for (k = 0; k < r->nfile_names; k++) {
			if (content_glob(r->file_names[k], v->names[i]) &&
			    !content_name_cut(v, p, picked, n, i)) {
				return 1;
			}
		}
	}
	return 0;
}

int
content_strip_pick(const struct content_facts *f,
    const struct config_content_rule *r, struct content_strip *out)
{
	const struct content_facts_view *v = content_facts_view(f);
	const struct content_part_fact *p;
	char why[sizeof(out->part[0].reason)];
	uint8_t picked[CONTENT_PARTS_MAX];
	size_t n, dropped, i;

	out->n = 0;
	if (r->nfile_names == 0 && r->file_types == 0 &&
	    !r->executable_in_archive && !r->encrypted_archive &&
	    !r->office_macro) {
		return -1; /* the rule looks at no part */
	}
	p = content_facts_parts(f, &n, &dropped);
	if (dropped > 0) {
		return -1; /* a part we did not keep may be one of them */
	}
	memset(picked, 0, sizeof(picked));
	for (i = 0; i < n && i < CONTENT_PARTS_MAX; i++) {
		if (!content_part_reason(v, &p[i], r, why, sizeof(why))) {
			continue;
		}
		picked[i] = 1;
		if (!p[i].in_multipart || p[i].raw_start == MIME_RAW_UNKNOWN ||
		    p[i].raw_end == MIME_RAW_UNKNOWN ||
		    p[i].raw_end < p[i].raw_start ||
		    out->n == CONTENT_STRIP_MAX) {
			return -1;
		}
		out->part[out->n].start = p[i].raw_start;
		out->part[out->n].end = p[i].raw_end;
		content_notice_clean(out->part[out->n].name,
		    sizeof(out->part[0].name),
		    p[i].names[0][0] != '\0'     ? p[i].names[0] :
			p[i].names[1][0] != '\0' ? p[i].names[1] :
						   "(without a name)");
		content_notice_clean(out->part[out->n].reason,
		    sizeof(out->part[0].reason), why);
		out->n++;
	}
	if (out->n == 0 || v->names_dropped > 0 ||
	    content_names_left(v, p, picked, n, r)) {
		return -1;
	}
	return 0;
}

/* ---- output ------------------------------------------------------------ */

static void
content_out_flush(struct content_rewrite_scratch *s)
{
	size_t off = 0;
	ssize_t n;

	while (s->err == SK_OK && off < s->out_len) {
		n = write(s->out_fd, s->out + off, s->out_len - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			s->err = SK_E_IO;
			break;
		}
		off += (size_t)n;
	}
	s->out_len = 0;
}

/* content_out - n octets of the new message, bounded by s->max */
static void
content_out(struct content_rewrite_scratch *s, const void *p, size_t n)
{
	const uint8_t *q = p;
	size_t take;

	if (s->err != SK_OK) {
		return;
	}
	if (n > s->max - s->written) {
		s->err = SK_E_TOO_LONG;
		return;
	}
	s->written += n;
	while (n > 0) {
		take = sizeof(s->out) - s->out_len;
		take = take < n ? take : n;
		memcpy(s->out + s->out_len, q, take);
		s->out_len += take;
		q += take;
		n -= take;
		if (s->out_len == sizeof(s->out)) {
			content_out_flush(s);
		}
	}
}

static void
content_out_str(struct content_rewrite_scratch *s, const char *str)
{
	content_out(s, str, strlen(str));
}

/* content_read - up to n octets at off; the count, 0 at the end, -1 */
static ssize_t
content_read(int fd, uint8_t *p, size_t n, uint64_t off)
{
	ssize_t got;

	do {
		got = pread(fd, p, n, (off_t)off);
	} while (got < 0 && errno == EINTR);
	return got;
}

/* content_copy - octets [from, to) of fd to the output */
static void
content_copy(struct content_rewrite_scratch *s, int fd, uint64_t from,
    uint64_t to)
{
	ssize_t n;
	size_t want;

	while (s->err == SK_OK && from < to) {
		want = to - from < sizeof(s->in) ? (size_t)(to - from) :
						   sizeof(s->in);
		if ((n = content_read(fd, s->in, want, from)) <= 0) {
			s->err = SK_E_IO;
			return;
		}
		content_out(s, s->in, (size_t)n);
		from += (uint64_t)n;
	}
}

/* ---- the header ------------------------------------------------------- */

/* content_field_is - whether field f is named name (case-insensitive) */
static int
content_field_is(const struct content_rw_field *f, const char *name)
{
	size_t n = strlen(name), i = n;

	if (f->len <= n || strncasecmp(f->p, name, n) != 0) {
		return 0;
	}
	while (i < f->len && (f->p[i] == ' ' || f->p[i] == '\t')) {
		i++;
	}
	return i < f->len && f->p[i] == ':';
}

/* content_arena_put - n octets at the end of the arena; -1: no room */
static int
content_arena_put(struct content_rewrite_scratch *s, size_t *len, const char *p,
    size_t n)
{
	if (n > sizeof(s->arena) - s->used - *len) {
		return -1;
	}
	memcpy(s->arena + s->used + *len, p, n);
	*len += n;
	return 0;
}

/*
 * content_field_build - "Name: value" CRLF in the arena, into *out. A
 * milter folds with "\n" (Sendmail's form): each becomes CRLF, with a
 * tab when the next line would not start with white space, so the
 * value cannot start a field of its own; CR and empty lines are
 * dropped. -1 when it does not fit or is no valid field.
 */
static int
content_field_build(struct content_rewrite_scratch *s, const char *name,
    const char *value, int leadspc, struct content_rw_field *out)
{
	size_t len = 0;
	const char *v;
	int bad = name[0] == '\0';

	bad = bad || content_arena_put(s, &len, name, strlen(name)) != 0 ||
	    content_arena_put(s, &len, leadspc ? ":" : ": ", leadspc ? 1 : 2) !=
		0;
	for (v = value; !bad && *v != '\0'; v++) {
		if (*v == '\r') {
			continue;
		}
		if (*v != '\n') {
			bad = content_arena_put(s, &len, v, 1) != 0;
			continue;
		}
		while (v[1] == '\n' || v[1] == '\r') {
			v++;
		}
		if (v[1] == '\0') {
			break;
		}
		bad = content_arena_put(s, &len, "\r\n", 2) != 0 ||
		    (v[1] != ' ' && v[1] != '\t' &&
			content_arena_put(s, &len, "\t", 1) != 0);
	}
	if (bad || content_arena_put(s, &len, "\r\n", 2) != 0 ||
	    strcspn(name, ": \t\r\n") != strlen(name) ||
	    !msg_header_block_ok((const uint8_t *)s->arena + s->used, len)) {
		return -1;
	}
	out->p = s->arena + s->used;
	out->len = len;
	s->used += len;
	return 0;
}

/* content_field_insert - f before field at (at <= nfields); -1: full */
static int
content_field_insert(struct content_rewrite_scratch *s, size_t at,
    const struct content_rw_field *f)
{
	if (s->nfields == CONTENT_RW_FIELDS_MAX) {
		return -1;
	}
	if (at > s->nfields) {
		at = s->nfields;
	}
	memmove(&s->field[at + 1], &s->field[at],
	    (s->nfields - at) * sizeof(s->field[0]));
	s->field[at] = *f;
	s->nfields++;
	return 0;
}

/* content_field_nth - the index of the n-th (1-based) field named name,
 * or nfields */
static size_t
content_field_nth(const struct content_rewrite_scratch *s, const char *name,
    uint64_t n)
{
	size_t i;

	for (i = 0; i < s->nfields; i++) {
		if (content_field_is(&s->field[i], name) && --n == 0) {
			return i;
		}
	}
	return s->nfields;
}

/* content_edit_apply - one milter edit on the field list; -1: not
 * applied */
static int
content_edit_apply(struct content_rewrite_scratch *s,
    const struct content_edits *ed, const struct content_edit *e)
{
	const char *name = ed->arena + e->name, *value = ed->arena + e->value;
	struct content_rw_field f;
	size_t at;

	if (e->type == SCAN_MA_CHGHEADER) {
		at = content_field_nth(s, name, e->index == 0 ? 1 : e->index);
		if (value[0] == '\0') {
			if (at < s->nfields) {
				memmove(&s->field[at], &s->field[at + 1],
				    (s->nfields - at - 1) *
					sizeof(s->field[0]));
				s->nfields--;
			}
			return 0;
		}
		if (content_field_build(s, name, value, e->leadspc, &f) != 0) {
			return -1;
		}
		if (at < s->nfields) {
			s->field[at] = f;
			return 0;
		}
		return content_field_insert(s, s->nfields, &f);
	}
	if (content_field_build(s, name, value, e->leadspc, &f) != 0) {
		return -1;
	}
	at = e->type == SCAN_MA_INSHEADER && e->index < s->nfields ?
	    (size_t)e->index :
	    s->nfields;
	return content_field_insert(s, at, &f);
}

/* content_subject - the prefix before the first Subject's value */
static int
content_subject(struct content_rewrite_scratch *s, const char *prefix)
{
	struct content_rw_field f;
	size_t at = content_field_nth(s, "Subject", 1), len = 0, v;
	size_t plen = strlen(prefix);

	while (plen > 0 && prefix[plen - 1] == ' ') {
		plen--; /* "[X] " with no subject: no trailing space */
	}
	if (at == s->nfields) {
		if (content_arena_put(s, &len, "Subject: ", 9) != 0 ||
		    content_arena_put(s, &len, prefix, plen) != 0 ||
		    content_arena_put(s, &len, "\r\n", 2) != 0) {
			return -1;
		}
	} else {
		f = s->field[at];
		v = (size_t)((const char *)memchr(f.p, ':', f.len) - f.p) + 1;
		while (v < f.len && (f.p[v] == ' ' || f.p[v] == '\t')) {
			v++;
		}
		if (f.len - v >= strlen(prefix) &&
		    memcmp(f.p + v, prefix, strlen(prefix)) == 0) {
			return 0; /* tagged already */
		}
		if (content_arena_put(s, &len, "Subject: ", 9) != 0 ||
		    content_arena_put(s, &len, prefix, strlen(prefix)) != 0 ||
		    content_arena_put(s, &len, f.p + v, f.len - v) != 0) {
			return -1;
		}
		if (f.len > 0 && f.p[f.len - 1] != '\n' &&
		    content_arena_put(s, &len, "\r\n", 2) != 0) {
			return -1;
		}
	}
	if (!msg_header_block_ok((const uint8_t *)s->arena + s->used, len)) {
		return -1;
	}
	f.p = s->arena + s->used;
	f.len = len;
	s->used += len;
	if (at == s->nfields) {
		return content_field_insert(s, at, &f);
	}
	s->field[at] = f;
	return 0;
}

/*
 * content_header_read - the header section into fields; *body_off: the
 * offset of the empty line that ends it (or the end of the message)
 */
static enum sk_result
content_header_read(struct content_rewrite_scratch *s, int fd, uint64_t size,
    uint64_t *body_off)
{
	size_t have =
	    size < sizeof(s->header) ? (size_t)size : sizeof(s->header);
	size_t at = 0, end;
	const char *lf;
	ssize_t n;

	for (at = 0; at < have; at += (size_t)n) {
		if ((n = content_read(fd, (uint8_t *)s->header + at, have - at,
			 at)) <= 0) {
			return SK_E_IO;
		}
	}
	s->nfields = 0;
	for (at = 0; at < have; at = end) {
		lf = memchr(s->header + at, '\n', have - at);
		end = lf != NULL ? (size_t)(lf - s->header) + 1 : have;
		if (lf == NULL && have < size) {
			return SK_E_TOO_LONG; /* a line past the buffer */
		}
		if (s->header[at] == '\n' ||
		    (s->header[at] == '\r' && at + 1 < have &&
			s->header[at + 1] == '\n')) {
			*body_off = at; /* the empty line */
			return SK_OK;
		}
		if ((s->header[at] == ' ' || s->header[at] == '\t') &&
		    s->nfields > 0) {
			s->field[s->nfields - 1].len += end - at;
			continue;
		}
		if (s->nfields == CONTENT_RW_FIELDS_MAX) {
			return SK_E_TOO_LONG;
		}
		s->field[s->nfields].p = s->header + at;
		s->field[s->nfields].len = end - at;
		s->nfields++;
	}
	if (have < size) {
		return SK_E_TOO_LONG;
	}
	*body_off = size; /* no body */
	return SK_OK;
}

/* ---- the body --------------------------------------------------------- */

/* content_notice - the part that takes a stripped part's place */
static void
content_notice(struct content_rewrite_scratch *s, const char *name,
    const char *reason)
{
	content_out_str(s,
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "Content-Disposition: inline\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "\r\n"
	    "The attachment ");
	content_out_str(s, name);
	content_out_str(s, " was removed by the mail gateway: ");
	content_out_str(s, reason);
	content_out_str(s,
	    ".\r\nThe original message is kept in quarantine "
	    "as " MSG_QID_TOKEN "; ask your\r\nadministrator "
	    "to release it.");
}

/* content_body_strip - the body with each chosen part replaced */
static void
content_body_strip(struct content_rewrite_scratch *s,
    const struct content_rewrite_in *in, uint64_t from)
{
	const struct content_strip *st = in->strip;
	uint8_t last;
	size_t i;

	for (i = 0; i < st->n && s->err == SK_OK; i++) {
		if (st->part[i].start < from || st->part[i].end > in->size) {
			s->err = SK_E_RANGE; /* parts in order, in the body */
			return;
		}
		content_copy(s, in->fd, from, st->part[i].start);
		content_notice(s, st->part[i].name, st->part[i].reason);
		/* a part that ended with its line end (no held one) keeps
		 * one, so the delimiter still starts a line */
		if (st->part[i].end > st->part[i].start &&
		    content_read(in->fd, &last, 1, st->part[i].end - 1) == 1 &&
		    last == '\n') {
			content_out_str(s, "\r\n");
		}
		from = st->part[i].end;
	}
	content_copy(s, in->fd, from, in->size);
}

/* content_body_replace - the milter's new body, bare LF as CRLF */
static void
content_body_replace(struct content_rewrite_scratch *s,
    const struct content_rewrite_in *in)
{
	uint64_t off = 0;
	uint8_t prev = 0;
	ssize_t n, i;

	content_out_str(s, "\r\n");
	while (s->err == SK_OK && off < in->body_size) {
		if ((n = content_read(in->body_fd, s->in, sizeof(s->in),
			 off)) <= 0) {
			s->err = SK_E_IO;
			return;
		}
		for (i = 0; i < n; i++) {
			if (s->in[i] == '\n' && prev != '\r') {
				content_out(s, "\r", 1);
			}
			content_out(s, &s->in[i], 1);
			prev = s->in[i];
		}
		off += (uint64_t)n;
	}
}

enum sk_result
content_rewrite(const struct content_rewrite_in *in,
    struct content_rewrite_scratch *s, int out_fd, uint64_t *out_size,
    unsigned *not_applied)
{
	uint64_t body_off = 0;
	enum sk_result r;
	size_t i;

	s->used = 0;
	s->out_len = 0;
	s->written = 0;
	s->max = in->max;
	s->out_fd = out_fd;
	s->err = SK_OK;
	*not_applied = 0;
	if ((r = content_header_read(s, in->fd, in->size, &body_off)) !=
	    SK_OK) {
		return r;
	}
	for (i = 0; in->edits != NULL && i < in->edits->n; i++) {
		if (content_edit_apply(s, in->edits, &in->edits->e[i]) != 0) {
			(*not_applied)++;
		}
	}
	if (in->subject_prefix != NULL && in->subject_prefix[0] != '\0' &&
	    content_subject(s, in->subject_prefix) != 0) {
		(*not_applied)++;
	}
	for (i = 0; i < s->nfields; i++) {
		content_out(s, s->field[i].p, s->field[i].len);
		if (s->field[i].p[s->field[i].len - 1] != '\n') {
			content_out_str(s, "\r\n"); /* the last, cut line */
		}
	}
	if (in->body_fd >= 0) {
		content_body_replace(s, in);
	} else if (in->strip != NULL && in->strip->n > 0) {
		content_body_strip(s, in, body_off);
	} else {
		content_copy(s, in->fd, body_off, in->size);
	}
	if (s->err == SK_OK) {
		content_out_flush(s);
	}
	*out_size = s->written;
	return s->err;
}
