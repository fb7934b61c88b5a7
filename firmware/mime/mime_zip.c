/*
 * mime_zip.c - the ZIP central directory (or local headers) read in
 * place, every field checked against the buffer (APPNOTE.TXT 6.3.10).
 */
#include <string.h>
#include <strings.h>

#include "mime_zip.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define EOCD_LEN 22
#define LOC64_LEN 20
#define EOCD64_LEN 56
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define EXTRA_ZIP64 0x0001
#define EXTRA_AES 0x9901
#define U32_MAX_FIELD 0xffffffffu

/* what the listing keeps while walking */
struct walk {
	const uint8_t *buf;
	size_t len;
	mime_zip_fn *fn;
	void *arg;
	struct mime_zip_summary *sum;
	int stop;
	int content_types, word, xl, ppt, manifest, android;
};

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* fits - whether [off, off + n) lies inside the buffer, without overflow */
static int
fits(const struct walk *w, uint64_t off, uint64_t n)
{
	return off <= w->len && n <= w->len - off;
}

/*
 * entry_fields - the fields a local header (APPNOTE 4.3.7) and a central
 * one (4.3.12) share, in the same order: f is the general purpose flag,
 * then method, time, date, CRC-32, compressed and uncompressed size
 */
static void
entry_fields(struct mime_zip_entry *e, const uint8_t *f)
{
	memset(e, 0, sizeof(*e));
	e->gpflags = le16(f);
	e->method = le16(f + 2);
	e->crc = le32(f + 8);
	e->csize = le32(f + 12);
	e->usize = le32(f + 16);
}

/* extra_parse - ZIP64 sizes (APPNOTE 4.5.3) and WinZip AES (0x9901) */
static void
extra_parse(struct walk *w, const uint8_t *x, size_t n,
    struct mime_zip_entry *e, int central)
{
	size_t pos = 0, sz, k;

	while (pos + 4 <= n) {
		sz = le16(x + pos + 2);
		if (sz > n - pos - 4) {
			w->sum->flags |= MIME_ZIP_F_BAD;
			return;
		}
		if (le16(x + pos) == EXTRA_AES) {
			e->aes = 1;
		} else if (le16(x + pos) == EXTRA_ZIP64) {
			/* only the fields that were 0xFFFFFFFF, in order */
			w->sum->flags |= MIME_ZIP_F_ZIP64;
			k = pos + 4;
			if (e->usize == U32_MAX_FIELD &&
			    k + 8 <= pos + 4 + sz) {
				e->usize = le64(x + k);
				k += 8;
			}
			if (e->csize == U32_MAX_FIELD &&
			    k + 8 <= pos + 4 + sz) {
				e->csize = le64(x + k);
				k += 8;
			}
			if (central && e->local_offset == U32_MAX_FIELD &&
			    k + 8 <= pos + 4 + sz) {
				e->local_offset = le64(x + k);
			}
		}
		pos += 4 + sz;
	}
}

/* has_suffix - name ends in s (ASCII case-insensitive) */
static int
has_suffix(const struct mime_zip_entry *e, const char *s)
{
	size_t n = strlen(s);

	return e->name_len >= n &&
	    strncasecmp((const char *)e->name + e->name_len - n, s, n) == 0;
}

static int
name_is(const struct mime_zip_entry *e, const char *s)
{
	return e->name_len == strlen(s) && memcmp(e->name, s, e->name_len) == 0;
}

static int
has_prefix(const struct mime_zip_entry *e, const char *s)
{
	size_t n = strlen(s);

	return e->name_len >= n && memcmp(e->name, s, n) == 0;
}

/* entry_done - count an entry, note what it says about the kind */
static void
entry_done(struct walk *w, struct mime_zip_entry *e)
{
	struct mime_zip_summary *s = w->sum;

	e->encrypted = (e->gpflags & 1) || e->aes;
	e->is_dir = e->name_len > 0 && e->name[e->name_len - 1] == '/';
	s->entries++;
	s->encrypted += e->encrypted != 0;
	s->total_usize += e->usize;
	if (e->csize > 0 && e->usize / e->csize > MIME_ZIP_RATIO_MAX) {
		s->flags |= MIME_ZIP_F_RATIO;
	}
	/* ECMA-376 part 2: the package's parts; vbaProject.bin holds VBA */
	w->content_types |= name_is(e, "[Content_Types].xml");
	w->word |= has_prefix(e, "word/");
	w->xl |= has_prefix(e, "xl/");
	w->ppt |= has_prefix(e, "ppt/");
	w->manifest |= name_is(e, "META-INF/MANIFEST.MF");
	w->android |= name_is(e, "AndroidManifest.xml");
	s->vba |= has_suffix(e, "vbaProject.bin");
	if (w->fn != NULL && w->fn(w->arg, e) != 0) {
		w->stop = 1;
	}
}

/* find_eocd - the end of central directory record, searched backwards
 * over the longest comment; 1 if found */
static int
find_eocd(const struct walk *w, size_t *at)
{
	size_t i, low;

	if (w->len < EOCD_LEN) {
		return 0;
	}
	low = w->len - EOCD_LEN > MIME_ZIP_COMMENT_MAX ?
	    w->len - EOCD_LEN - MIME_ZIP_COMMENT_MAX :
	    0;
	for (i = w->len - EOCD_LEN + 1; i-- > low;) {
		if (le32(w->buf + i) == SIG_EOCD &&
		    (size_t)le16(w->buf + i + 20) <= w->len - i - EOCD_LEN) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

/* central_dir - where the central directory is and how many entries;
 * 1 if the records are sane */
static int
central_dir(struct walk *w, size_t eocd, uint64_t *off, uint64_t *size,
    uint64_t *count)
{
	const uint8_t *p = w->buf + eocd, *z;
	uint64_t z64;

	*count = le16(p + 10);
	*size = le32(p + 12);
	*off = le32(p + 16);
	if (eocd >= LOC64_LEN && le32(p - LOC64_LEN) == SIG_LOC64) {
		z64 = le64(p - LOC64_LEN + 8);
		if (!fits(w, z64, EOCD64_LEN) ||
		    le32(w->buf + z64) != SIG_EOCD64) {
			w->sum->flags |= MIME_ZIP_F_BAD;
			return 0;
		}
		z = w->buf + z64;
		w->sum->flags |= MIME_ZIP_F_ZIP64;
		*count = le64(z + 32);
		*size = le64(z + 40);
		*off = le64(z + 48);
		eocd = (size_t)z64;
	}
	if (*off > eocd || *size > eocd - *off) {
		w->sum->flags |= MIME_ZIP_F_BAD;
		return 0;
	}
	/* a self-extractor has its stub before the archive: offsets in
	 * the directory are then short by the stub's length */
	if (*off + *size < eocd && fits(w, eocd - *size, 4) &&
	    le32(w->buf + eocd - *size) == SIG_CENTRAL &&
	    (!fits(w, *off, 4) || le32(w->buf + *off) != SIG_CENTRAL)) {
		w->sum->flags |= MIME_ZIP_F_PREFIXED;
		*off = eocd - *size;
	}
	return 1;
}

/* walk_central - every central directory header; 1 if all were sane */
static int
walk_central(struct walk *w, uint64_t off, uint64_t size, uint64_t count)
{
	struct mime_zip_entry e;
	const uint8_t *p;
	uint64_t pos = off, end = off + size, n;
	size_t nl, xl, cl;

	for (n = 0; n < count && !w->stop; n++) {
		if (n == MIME_ZIP_ENTRIES_MAX) {
			w->sum->flags |= MIME_ZIP_F_TRUNCATED;
			return 1;
		}
		if (pos + CENTRAL_LEN > end || !fits(w, pos, CENTRAL_LEN) ||
		    le32(w->buf + pos) != SIG_CENTRAL) {
			w->sum->flags |= MIME_ZIP_F_BAD | MIME_ZIP_F_COUNT;
			return n > 0;
		}
		p = w->buf + pos;
		nl = le16(p + 28);
		xl = le16(p + 30);
		cl = le16(p + 32);
		if (!fits(w, pos + CENTRAL_LEN, nl + xl + cl)) {
			w->sum->flags |= MIME_ZIP_F_BAD;
			return n > 0;
		}
		entry_fields(&e, p + 8);
		e.local_offset = le32(p + 42);
		e.name = p + CENTRAL_LEN;
		e.name_len = nl;
		extra_parse(w, p + CENTRAL_LEN + nl, xl, &e, 1);
		entry_done(w, &e);
		pos += CENTRAL_LEN + nl + xl + cl;
	}
	return 1;
}

/* next_header - offset of the next local or central signature from pos */
static size_t
next_header(const struct walk *w, size_t pos)
{
	const uint8_t *p;

	while (pos + 4 <= w->len) {
		p = memmem(w->buf + pos, w->len - pos, "PK", 2);
		if (p == NULL) {
			break;
		}
		pos = (size_t)(p - w->buf);
		if (pos + 4 <= w->len &&
		    (le32(p) == SIG_LOCAL || le32(p) == SIG_CENTRAL)) {
			return pos;
		}
		pos++;
	}
	return w->len;
}

/* walk_local - the local headers from the first one on */
static void
walk_local(struct walk *w)
{
	struct mime_zip_entry e;
	const uint8_t *p;
	size_t pos = next_header(w, 0), nl, xl, data;

	w->sum->flags |= MIME_ZIP_F_LOCAL_ONLY;
	while (!w->stop && pos + LOCAL_LEN <= w->len &&
	    le32(w->buf + pos) == SIG_LOCAL) {
		if (w->sum->entries == MIME_ZIP_ENTRIES_MAX) {
			w->sum->flags |= MIME_ZIP_F_TRUNCATED;
			return;
		}
		p = w->buf + pos;
		nl = le16(p + 26);
		xl = le16(p + 28);
		if (!fits(w, pos + LOCAL_LEN, nl + xl)) {
			w->sum->flags |= MIME_ZIP_F_BAD;
			return;
		}
		entry_fields(&e, p + 6);
		e.local_offset = pos;
		e.name = p + LOCAL_LEN;
		e.name_len = nl;
		extra_parse(w, p + LOCAL_LEN + nl, xl, &e, 0);
		entry_done(w, &e);
		data = pos + LOCAL_LEN + nl + xl;
		if ((e.gpflags & 8) && e.csize == 0) {
			/* sizes follow the data (APPNOTE 4.3.9): look for
			 * the next header instead */
			pos = next_header(w, data);
		} else if (!fits(w, data, e.csize)) {
			w->sum->flags |= MIME_ZIP_F_BAD;
			return;
		} else {
			pos = data + (size_t)e.csize;
			if ((e.gpflags & 8) && pos + 4 <= w->len &&
			    le32(w->buf + pos) != SIG_LOCAL) {
				pos = next_header(w, pos);
			}
		}
	}
}

/* zip_kind - the archive's kind from what its names said */
static enum mime_ftype
zip_kind(const struct walk *w)
{
	if (mime_magic(w->buf, w->len) == MIME_FT_ODF) {
		return MIME_FT_ODF;
	}
	if (w->content_types) {
		return w->word ? MIME_FT_OOXML_DOCX :
		    w->xl      ? MIME_FT_OOXML_XLSX :
		    w->ppt     ? MIME_FT_OOXML_PPTX :
				 MIME_FT_OOXML_OTHER;
	}
	if (w->android) {
		return MIME_FT_APK;
	}
	return w->manifest ? MIME_FT_JAR : MIME_FT_ZIP;
}

enum sk_result
mime_zip_list(const uint8_t *buf, size_t len, mime_zip_fn *fn, void *arg,
    struct mime_zip_summary *sum)
{
	struct walk w;
	uint64_t off, size, count;
	size_t eocd;

	memset(sum, 0, sizeof(*sum));
	memset(&w, 0, sizeof(w));
	w.buf = buf;
	w.len = len;
	w.fn = fn;
	w.arg = arg;
	w.sum = sum;
	if (!find_eocd(&w, &eocd) ||
	    !central_dir(&w, eocd, &off, &size, &count) ||
	    !walk_central(&w, off, size, count)) {
		if (sum->entries == 0) {
			walk_local(&w);
		}
	}
	sum->kind = zip_kind(&w);
	if (sum->entries == 0 && !(sum->flags & MIME_ZIP_F_LOCAL_ONLY)) {
		return SK_OK; /* an empty archive: a valid end record */
	}
	return sum->entries == 0 ? SK_E_SYNTAX : SK_OK;
}
