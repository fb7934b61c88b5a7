/*
 * mime_file_test.c - tests of the magic-bytes sniffer, the ZIP lister
 * and the OLE2 macro hint. ZIP files are built here field by field
 * (APPNOTE.TXT 4.3), so each case says exactly what it holds.
 */
#include <string.h>

#include "mime_magic.h"
#include "mime_zip.h"
#include "test.h"

#define ZIP_MAX 4096

struct zb {
	uint8_t p[ZIP_MAX];
	size_t len;
	uint8_t cd[ZIP_MAX];
	size_t cdlen;
	unsigned n;
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

/* zb_fields - what a local and a central header share (APPNOTE 4.3.7,
 * 4.3.12), from f, the general purpose flag, to the extra field length */
static void
zb_fields(uint8_t *f, unsigned gpflags, int aes, size_t dl, size_t nl,
    size_t xl)
{
	put16(f, gpflags);
	put16(f + 2, aes ? 99 : 0);
	put32(f + 12, (uint32_t)dl);
	put32(f + 16, (uint32_t)dl);
	put16(f + 20, (unsigned)nl);
	put16(f + 22, (unsigned)xl);
}

/* zb_add - one stored member: local header, data, central header */
static void
zb_add(struct zb *z, const char *name, const char *data, unsigned gpflags,
    int aes)
{
	size_t nl = strlen(name), dl = strlen(data), xl = aes ? 11 : 0;
	uint8_t *l = z->p + z->len, *c = z->cd + z->cdlen;
	uint8_t extra[11] = { 0x01, 0x99, 7, 0, 2, 0, 'A', 'E', 3, 0, 0 };

	memset(l, 0, 30);
	put32(l, 0x04034b50);
	zb_fields(l + 6, gpflags, aes, dl, nl, xl);
	memcpy(l + 30, name, nl);
	memcpy(l + 30 + nl, extra, xl);
	memcpy(l + 30 + nl + xl, data, dl);
	memset(c, 0, 46);
	put32(c, 0x02014b50);
	zb_fields(c + 8, gpflags, aes, dl, nl, xl);
	put32(c + 42, (uint32_t)z->len);
	memcpy(c + 46, name, nl);
	memcpy(c + 46 + nl, extra, xl);
	z->len += 30 + nl + xl + dl;
	z->cdlen += 46 + nl + xl;
	z->n++;
}

/* zb_end - the central directory and the end record */
static void
zb_end(struct zb *z)
{
	uint8_t *e;

	memcpy(z->p + z->len, z->cd, z->cdlen);
	e = z->p + z->len + z->cdlen;
	memset(e, 0, 22);
	put32(e, 0x06054b50);
	put16(e + 8, z->n);
	put16(e + 10, z->n);
	put32(e + 12, (uint32_t)z->cdlen);
	put32(e + 16, (uint32_t)z->len);
	z->len += z->cdlen + 22;
}

static int
count_exe(void *arg, const struct mime_zip_entry *e)
{
	unsigned *n = arg;

	*n += e->name_len > 4 &&
	    memcmp(e->name + e->name_len - 4, ".exe", 4) == 0;
	return 0;
}

static void
test_zip(void)
{
	static struct zb z;
	struct mime_zip_summary s;
	unsigned exe = 0;

	memset(&z, 0, sizeof(z));
	zb_add(&z, "a.txt", "hello", 0, 0);
	zb_add(&z, "dir/b.exe", "MZ", 1, 0);
	zb_add(&z, "c.pdf", "%PDF", 0, 1);
	zb_end(&z);
	TEST_CHECK(mime_magic(z.p, z.len) == MIME_FT_ZIP, "magic zip");
	TEST_CHECK(mime_zip_list(z.p, z.len, count_exe, &exe, &s) == SK_OK,
	    "list");
	TEST_CHECK(s.entries == 3 && s.encrypted == 2 && exe == 1 &&
		s.flags == 0 && s.kind == MIME_FT_ZIP && s.total_usize == 11,
	    "entries %u encrypted %u exe %u flags %#x", s.entries, s.encrypted,
	    exe, s.flags);

	/* cut before the central directory: the local headers still list */
	TEST_CHECK(mime_zip_list(z.p, z.len - z.cdlen - 22, NULL, NULL, &s) ==
		    SK_OK &&
		s.entries == 3 && (s.flags & MIME_ZIP_F_LOCAL_ONLY),
	    "local only: %u %#x", s.entries, s.flags);
	/* a central directory offset that lies */
	z.p[z.len - 6] = 0xff;
	TEST_CHECK(mime_zip_list(z.p, z.len, NULL, NULL, &s) == SK_OK &&
		s.entries == 3 &&
		(s.flags & (MIME_ZIP_F_BAD | MIME_ZIP_F_LOCAL_ONLY)) ==
		    (MIME_ZIP_F_BAD | MIME_ZIP_F_LOCAL_ONLY),
	    "bad offset: %u %#x", s.entries, s.flags);
	TEST_CHECK(mime_zip_list((const uint8_t *)"PK\x03\x04", 4, NULL, NULL,
		       &s) == SK_E_SYNTAX &&
		s.entries == 0,
	    "header cut short");
	TEST_CHECK(mime_zip_list((const uint8_t *)"not a zip", 9, NULL, NULL,
		       &s) == SK_E_SYNTAX,
	    "not a zip");
}

static void
test_ooxml(void)
{
	static struct zb z;
	struct mime_zip_summary s;

	memset(&z, 0, sizeof(z));
	zb_add(&z, "[Content_Types].xml", "<Types/>", 0, 0);
	zb_add(&z, "xl/workbook.xml", "<w/>", 0, 0);
	zb_add(&z, "xl/vbaProject.bin", "x", 0, 0);
	zb_end(&z);
	TEST_CHECK(mime_zip_list(z.p, z.len, NULL, NULL, &s) == SK_OK &&
		s.kind == MIME_FT_OOXML_XLSX && s.vba,
	    "xlsm: kind %s vba %d", mime_ftype_name(s.kind), s.vba);

	memset(&z, 0, sizeof(z));
	zb_add(&z, "mimetype", "application/vnd.oasis.opendocument.text", 0, 0);
	zb_end(&z);
	TEST_CHECK(mime_magic(z.p, z.len) == MIME_FT_ODF, "odf by magic");
	TEST_CHECK(mime_zip_list(z.p, z.len, NULL, NULL, &s) == SK_OK &&
		s.kind == MIME_FT_ODF,
	    "odf kind");

	memset(&z, 0, sizeof(z));
	zb_add(&z, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0", 0, 0);
	zb_end(&z);
	TEST_CHECK(mime_zip_list(z.p, z.len, NULL, NULL, &s) == SK_OK &&
		s.kind == MIME_FT_JAR,
	    "jar kind");
}

static void
test_magic(void)
{
	static uint8_t pe[256];
	static const struct {
		const char *bytes;
		size_t len;
		enum mime_ftype want;
	} cases[] = {
		{ "\x7f"
		  "ELF\x02\x01",
		    6, MIME_FT_ELF },
		{ "MZ\x90\0", 4, MIME_FT_MZ },
		{ "\xcf\xfa\xed\xfe", 4, MIME_FT_MACHO },
		{ "\xca\xfe\xba\xbe\0\0\0\x02", 8, MIME_FT_MACHO },
		{ "\xca\xfe\xba\xbe\0\0\0\x34", 8, MIME_FT_JAVA_CLASS },
		{ "#!/bin/sh\n", 10, MIME_FT_SCRIPT },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, MIME_FT_OLE2 },
		{ "%PDF-1.7", 8, MIME_FT_PDF },
		{ "junk\r\n%PDF-1.4", 14, MIME_FT_PDF },
		{ "Rar!\x1a\x07\x01\0", 8, MIME_FT_RAR },
		{ "7z\xbc\xaf\x27\x1c", 6, MIME_FT_7Z },
		{ "\x1f\x8b\x08", 3, MIME_FT_GZIP },
		{ "\x89PNG\r\n\x1a\n", 8, MIME_FT_PNG },
		{ "\xff\xd8\xff\xe0", 4, MIME_FT_JPEG },
		{ "GIF89a", 6, MIME_FT_GIF },
		{ "RIFF\0\0\0\0WEBP", 12, MIME_FT_WEBP },
		{ "{\\rtf1", 6, MIME_FT_RTF },
		{ "hello", 5, MIME_FT_UNKNOWN },
		{ "", 0, MIME_FT_UNKNOWN },
	};
	size_t i;
	enum mime_ftype t;

	for (i = 0; i < SK_NELEM(cases); i++) {
		t = mime_magic((const uint8_t *)cases[i].bytes, cases[i].len);
		TEST_CHECK(t == cases[i].want, "case %zu: got %s want %s", i,
		    mime_ftype_name(t), mime_ftype_name(cases[i].want));
	}
	/* MZ whose e_lfanew leads to "PE\0\0" */
	memcpy(pe, "MZ", 2);
	pe[0x3c] = 0x80;
	memcpy(pe + 0x80, "PE\0\0", 4);
	TEST_CHECK(mime_magic(pe, sizeof(pe)) == MIME_FT_PE, "pe");
	pe[0x3c] = 0xfe; /* points past the buffer: only MZ */
	TEST_CHECK(mime_magic(pe, sizeof(pe)) == MIME_FT_MZ, "pe outside");
	TEST_CHECK(mime_ftype_class(MIME_FT_PE) & MIME_FC_EXECUTABLE,
	    "pe class");
	TEST_CHECK(strcmp(mime_ftype_name(MIME_FT_COUNT), "unknown") == 0,
	    "out of range name");
}

static void
test_ole_macros(void)
{
	static uint8_t ole[1024];
	static const char name[] = "_VBA_PROJECT";
	size_t i;

	memcpy(ole, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	TEST_CHECK(!mime_ole_macro_hint(ole, sizeof(ole)), "no macros");
	for (i = 0; name[i] != '\0'; i++) {
		ole[512 + 128 + 2 * i] = (uint8_t)name[i];
	}
	ole[512 + 128 + 0x40] = (uint8_t)((sizeof(name)) * 2);
	ole[512 + 128 + 0x42] = 1;
	TEST_CHECK(mime_ole_macro_hint(ole, sizeof(ole)), "_VBA_PROJECT");
	TEST_CHECK(!mime_ole_macro_hint(ole, 600), "entry past the end");
}

const struct test_case test_cases[] = {
	{ "mime_zip", test_zip },
	{ "mime_zip_ooxml", test_ooxml },
	{ "mime_magic", test_magic },
	{ "mime_ole_macros", test_ole_macros },
};
const size_t test_ncases = SK_NELEM(test_cases);
