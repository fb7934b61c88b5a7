/*
 * content_facts.c - what a message holds, as far as content rules care
 * (content.h): the MIME walker over the message, and per leaf part its
 * true type, its names, and for ZIP-like and OLE2 parts what is inside.
 *
 * Security level: high. The message comes from the internet; every
 * octet goes through the walker (mime.h), which bounds depth, parts and
 * sizes. Here memory is the struct only: a ZIP-like part is kept, decoded,
 * up to CONTENT_ARCHIVE_MAX octets to be listed (past that it is
 * "unlistable"); an OLE2 part is looked at 128 octets at a time, so its
 * size does not matter.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "content.h"
#include "../mime/mime_zip.h"

/* An OLE2 file: its 512-octet header, then 128-octet directory slots
 * ([MS-CFB] 2.2, 2.6); mime_ole_macro_hint reads a header and slots. */
#define CONTENT_OLE_HEADER 512
#define CONTENT_OLE_SLOT 128

/* A kept name longer than CONTENT_NAME_SIZE - 1 keeps its head, "..."
 * and its tail, so that its extension survives for file-name rules. */
#define CONTENT_NAME_HEAD 100
#define CONTENT_NAME_TAIL (CONTENT_NAME_SIZE - 1 - CONTENT_NAME_HEAD - 3)

struct content_facts {
	struct content_facts_view view;
	int finished;

	/* the leaf part whose body is arriving (README "Facts") */
	int open;  /* a part started and has not ended */
	int typed; /* its type is known: the head filled or it ended */
	enum mime_ftype type;
	size_t head_len;
	uint8_t head[MIME_MAGIC_HEAD];

	/* ZIP-like part: the decoded body to list */
	int zip;
	int zip_over; /* past CONTENT_ARCHIVE_MAX */
	size_t archive_len;

	/* OLE2 part: header and the slot being filled */
	int ole;
	uint64_t ole_pos; /* body octets seen */
	uint8_t ole_buf[CONTENT_OLE_HEADER + CONTENT_OLE_SLOT];

	/* the leaf part being read, and how many are done */
	struct content_part_fact cur;
	size_t nparts, parts_dropped;

	/* From here on nothing is cleared per message (content_facts_init):
	 * only parts[0..nparts) and archive[0..archive_len) are ever read,
	 * and each is written whole before that; the walker clears what it
	 * needs itself. */
	struct content_part_fact parts[CONTENT_PARTS_MAX];
	struct mime_walker walker;
	uint8_t archive[CONTENT_ARCHIVE_MAX];
};

/* Member names that run when opened on Windows (or mount as a disk,
 * which then shows what runs): README "Executables in archives". */
static const char *const content_exec_ext[] = { "exe", "scr", "com", "pif",
	"cpl", "dll", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh",
	"ps1", "hta", "lnk", "msi", "msp", "jar", "iso", "img", "vhd", "reg",
	"chm" };

size_t
content_facts_size(void)
{
	return sizeof(struct content_facts);
}

/* content_name_end - n less trailing dots and spaces, which Windows
 * drops from file names ("a.exe." opens as a.exe) */
static size_t
content_name_end(const uint8_t *p, size_t n)
{
	while (n > 0 && (p[n - 1] == '.' || p[n - 1] == ' ')) {
		n--;
	}
	return n;
}

/* content_name_copy - p[0..n) into out as a C string: control octets
 * become '?', an overlong name keeps head "..." tail */
static void
content_name_copy(char *out, const uint8_t *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (n > CONTENT_NAME_SIZE - 1 && i == CONTENT_NAME_HEAD) {
			memcpy(out + k, "...", 3);
			k += 3;
			i = n - CONTENT_NAME_TAIL;
		}
		out[k++] = p[i] < 0x20 || p[i] == 0x7f ? '?' : (char)p[i];
	}
	out[k] = '\0';
}

/* content_name_add - keep one name (part or member) for the rules */
static void
content_name_add(struct content_facts *f, const uint8_t *p, size_t n)
{
	struct content_facts_view *v = &f->view;
	char name[CONTENT_NAME_SIZE];

	n = content_name_end(p, n);
	if (n == 0) {
		return;
	}
	content_name_copy(name, p, n);
	/* filename= and name= usually say the same: keep it once */
	if (v->nnames > 0 && strcmp(v->names[v->nnames - 1], name) == 0) {
		return;
	}
	if (v->nnames == CONTENT_NAMES_MAX) {
		v->names_dropped++;
		return;
	}
	memcpy(v->names[v->nnames++], name, strlen(name) + 1);
}

/* content_exec_name - whether a member name ends in an executable's
 * extension (ASCII case-insensitive) */
static int
content_exec_name(const uint8_t *p, size_t n)
{
	size_t i, len;

	n = content_name_end(p, n);
	for (i = 0; i < SK_NELEM(content_exec_ext); i++) {
		len = strlen(content_exec_ext[i]);
		if (n > len && p[n - len - 1] == '.' &&
		    strncasecmp((const char *)p + n - len, content_exec_ext[i],
			len) == 0) {
			return 1;
		}
	}
	return 0;
}

static uint32_t
content_le(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	while (n-- > 0) {
		v = v << 8 | p[n];
	}
	return v;
}

/* content_stored_exec - whether a stored (not compressed) member's data
 * starts like an executable: its local header (APPNOTE 4.3.7) is read
 * at the entry's offset, everything checked against the buffer */
static int
content_stored_exec(const struct content_facts *f,
    const struct mime_zip_entry *e)
{
	const uint8_t *l;
	size_t data, n;

	if (e->method != 0 || e->encrypted ||
	    e->local_offset > f->archive_len ||
	    f->archive_len - e->local_offset < 30) {
		return 0;
	}
	l = f->archive + e->local_offset;
	if (content_le(l, 4) != 0x04034b50) {
		return 0;
	}
	data = 30 + content_le(l + 26, 2) + content_le(l + 28, 2);
	if (data >= f->archive_len - e->local_offset) {
		return 0;
	}
	n = f->archive_len - e->local_offset - data;
	if (e->csize > 0 && e->csize < n) {
		n = (size_t)e->csize;
	}
	if (n > MIME_MAGIC_HEAD) {
		n = MIME_MAGIC_HEAD;
	}
	return (mime_ftype_class(mime_magic(l + data, n)) &
		   MIME_FC_EXECUTABLE) != 0;
}

/* content_zip_entry - mime_zip_list's callback: names and executables */
static int
content_zip_entry(void *arg, const struct mime_zip_entry *e)
{
	struct content_facts *f = arg;

	if (e->is_dir) {
		return 0;
	}
	content_name_add(f, e->name, e->name_len);
	if (content_exec_name(e->name, e->name_len) ||
	    content_stored_exec(f, e)) {
		f->view.executable_in_archive = 1;
		f->cur.exec = 1;
	}
	return 0; /* list every entry: the summary needs them all */
}

/* content_zip_like - types that are ZIP files inside */
static int
content_zip_like(enum mime_ftype t)
{
	switch (t) {
	case MIME_FT_ZIP:
	case MIME_FT_OOXML_DOCX:
	case MIME_FT_OOXML_XLSX:
	case MIME_FT_OOXML_PPTX:
	case MIME_FT_OOXML_OTHER:
	case MIME_FT_ODF:
	case MIME_FT_JAR:
	case MIME_FT_APK:
		return 1;
	default:
		return 0;
	}
}

/* content_zip_end - list the kept ZIP; its kind is the part's type */
static void
content_zip_end(struct content_facts *f)
{
	struct content_facts_view *v = &f->view;
	struct mime_zip_summary sum;
	enum mime_ftype t = f->type;

	if (f->zip_over ||
	    mime_zip_list(f->archive, f->archive_len, content_zip_entry, f,
		&sum) != SK_OK) {
		v->unlistable_archive = 1;
	} else {
		if (sum.kind != MIME_FT_ZIP) {
			t = sum.kind;
		}
		v->encrypted_archive |= sum.encrypted > 0;
		v->office_macro |= sum.vba != 0;
		f->cur.encrypted |= sum.encrypted > 0;
		f->cur.macro |= sum.vba != 0;
	}
	v->file_types |= 1ull << t;
	f->cur.file_types |= 1ull << t;
}

/* content_ole_feed - an OLE2 body, 128-octet slot by slot */
static void
content_ole_feed(struct content_facts *f, const uint8_t *p, size_t n)
{
	size_t at, take;

	while (n > 0 && !f->view.office_macro) {
		if (f->ole_pos < CONTENT_OLE_HEADER) {
			at = (size_t)f->ole_pos;
			take = CONTENT_OLE_HEADER - at;
		} else {
			at = CONTENT_OLE_HEADER +
			    (size_t)((f->ole_pos - CONTENT_OLE_HEADER) %
				CONTENT_OLE_SLOT);
			take = sizeof(f->ole_buf) - at;
		}
		take = take < n ? take : n;
		memcpy(f->ole_buf + at, p, take);
		f->ole_pos += take;
		p += take;
		n -= take;
		/* [MS-CFB] 2.6.1: only a storage (1) or stream (2) entry
		 * can name VBA; the check spares the hint data sectors */
		if (at + take == sizeof(f->ole_buf) &&
		    (f->ole_buf[CONTENT_OLE_HEADER + 0x42] == 1 ||
			f->ole_buf[CONTENT_OLE_HEADER + 0x42] == 2) &&
		    mime_ole_macro_hint(f->ole_buf, sizeof(f->ole_buf))) {
			f->view.office_macro = 1;
			f->cur.macro = 1;
		}
	}
}

/* content_sink - body octets once the part's type is known */
static void
content_sink(struct content_facts *f, const uint8_t *p, size_t n)
{
	if (f->zip && !f->zip_over) {
		if (n > CONTENT_ARCHIVE_MAX - f->archive_len) {
			f->zip_over = 1;
			return;
		}
		memcpy(f->archive + f->archive_len, p, n);
		f->archive_len += n;
	} else if (f->ole) {
		content_ole_feed(f, p, n);
	}
}

/* content_typed - the head is complete: sniff, then route the body */
static void
content_typed(struct content_facts *f)
{
	f->typed = 1;
	f->type = mime_magic(f->head, f->head_len);
	f->zip = content_zip_like(f->type);
	f->ole = f->type == MIME_FT_OLE2;
	if (!f->zip) {
		f->view.file_types |= 1ull << f->type;
		f->cur.file_types |= 1ull << f->type;
	}
	/* archives we cannot look into (rar, 7z, cab, tar, gzip...) */
	if (!f->zip && (mime_ftype_class(f->type) & MIME_FC_ARCHIVE)) {
		f->view.unlistable_archive = 1;
	}
	content_sink(f, f->head, f->head_len);
}

/* content_body - decoded octets of the open part */
static void
content_body(struct content_facts *f, const uint8_t *p, size_t n)
{
	size_t take;

	if (!f->open) {
		return;
	}
	if (!f->typed) {
		take = MIME_MAGIC_HEAD - f->head_len;
		take = take < n ? take : n;
		memcpy(f->head + f->head_len, p, take);
		f->head_len += take;
		p += take;
		n -= take;
		if (f->head_len < MIME_MAGIC_HEAD) {
			return;
		}
		content_typed(f);
	}
	content_sink(f, p, n);
}

/* content_part_start - a part's header is complete: its names; it may
 * be a leaf, whose body comes next (a container's first sub-part
 * starts instead, and that one is the candidate then) */
static void
content_part_start(struct content_facts *f, const struct mime_part *part)
{
	const struct mime_walker *w = &f->walker;

	memset(&f->cur, 0, sizeof(f->cur));
	f->cur.raw_start = part->raw_start;
	/* the walker's own stack: the part is on top, its parent below */
	f->cur.in_multipart =
	    w->nent >= 2 && w->ent[w->nent - 2].p.kind == MIME_KIND_MULTIPART;
	if (part->filename != NULL) {
		content_name_copy(f->cur.names[0], part->filename->text,
		    content_name_end(part->filename->text,
			part->filename->len));
	}
	if (part->name != NULL) {
		content_name_copy(f->cur.names[1], part->name->text,
		    content_name_end(part->name->text, part->name->len));
	}
	f->cur.member_first = f->view.nnames;
	if (part->filename != NULL) {
		content_name_add(f, part->filename->text, part->filename->len);
	}
	if (part->name != NULL) {
		content_name_add(f, part->name->text, part->name->len);
	}
	f->open = 1;
	f->typed = 0;
	f->head_len = 0;
	f->zip = f->zip_over = f->ole = 0;
	f->archive_len = 0;
	f->ole_pos = 0;
}

/* content_part_end - the leaf ended: type it if it was short, list it */
static void
content_part_end(struct content_facts *f, const struct mime_part *part)
{
	if (!f->open) {
		return; /* a container, after its sub-parts */
	}
	if (!f->typed) {
		content_typed(f);
	}
	f->cur.member_first = f->view.nnames; /* the part's own names */
	if (f->zip) {
		content_zip_end(f);
	}
	f->cur.member_end = f->view.nnames;
	f->cur.raw_end = part->raw_end;
	if (f->nparts < CONTENT_PARTS_MAX) {
		f->parts[f->nparts++] = f->cur;
	} else {
		f->parts_dropped++;
	}
	f->open = 0;
}

/* content_event - the walker's callback */
static void
content_event(void *arg, const struct mime_event *ev)
{
	struct content_facts *f = arg;

	switch (ev->type) {
	case MIME_EV_PART_START:
		content_part_start(f, ev->part);
		break;
	case MIME_EV_BODY:
		content_body(f, ev->data, ev->len);
		break;
	case MIME_EV_PART_END:
		content_part_end(f, ev->part);
		break;
	default:
		break;
	}
}

void
content_facts_init(struct content_facts *f)
{
	/* not the parts (72 KiB) nor the archive (8 MiB): zeros there per
	 * message would cost more than a small message's whole walk, and
	 * only what was written is read (the struct's comment) */
	memset(f, 0, offsetof(struct content_facts, parts));
	mime_init(&f->walker, NULL, content_event, f);
}

void
content_facts_feed(struct content_facts *f, const uint8_t *p, size_t len)
{
	if (f->finished || len == 0) {
		return;
	}
	f->view.size += len;
	(void)mime_feed(&f->walker, p, len);
}

void
content_facts_finish(struct content_facts *f)
{
	if (f->finished) {
		return;
	}
	f->view.mime_flags = mime_finish(&f->walker);
	f->finished = 1;
}

const struct content_part_fact *
content_facts_parts(const struct content_facts *f, size_t *n, size_t *dropped)
{
	*n = f->nparts;
	*dropped = f->parts_dropped;
	return f->parts;
}

const struct content_facts_view *
content_facts_view(const struct content_facts *f)
{
	return &f->view;
}
