/*
 * mime_magic.c - the magic-bytes table and the few second looks.
 */
#include <string.h>
#include <strings.h>

#include "mime_magic.h"
#include "sk.h"

struct magic_row {
	size_t off;
	const char *bytes;
	size_t len;
	enum mime_ftype type;
};

#define ROW(off, s, t)                   \
	{                                \
		off, s, sizeof(s) - 1, t \
	}

/* first match wins: longer, more specific signatures come first */
static const struct magic_row magic_rows[] = {
	ROW(0,
	    "\x7f"
	    "ELF",
	    MIME_FT_ELF),
	ROW(0, "\xfe\xed\xfa\xce", MIME_FT_MACHO),
	ROW(0, "\xfe\xed\xfa\xcf", MIME_FT_MACHO),
	ROW(0, "\xce\xfa\xed\xfe", MIME_FT_MACHO),
	ROW(0, "\xcf\xfa\xed\xfe", MIME_FT_MACHO),
	ROW(0, "L\0\0\0\x01\x14\x02\0", MIME_FT_LNK),
	ROW(0, "#!", MIME_FT_SCRIPT),
	ROW(0, "PK\x03\x04", MIME_FT_ZIP),
	ROW(0, "PK\x05\x06", MIME_FT_ZIP), /* empty archive */
	ROW(0, "PK\x07\x08", MIME_FT_ZIP), /* spanned archive */
	ROW(0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", MIME_FT_OLE2),
	ROW(0, "{\\rtf", MIME_FT_RTF),
	ROW(0, "Rar!\x1a\x07", MIME_FT_RAR),
	ROW(0, "7z\xbc\xaf\x27\x1c", MIME_FT_7Z),
	ROW(0, "\x1f\x8b", MIME_FT_GZIP),
	ROW(0, "BZh", MIME_FT_BZIP2),
	ROW(0,
	    "\xfd"
	    "7zXZ\0",
	    MIME_FT_XZ),
	ROW(0, "MSCF\0\0\0\0", MIME_FT_CAB),
	ROW(257, "ustar", MIME_FT_TAR),
	ROW(0, "\x89PNG\r\n\x1a\n", MIME_FT_PNG),
	ROW(0, "\xff\xd8\xff", MIME_FT_JPEG),
	ROW(0, "GIF87a", MIME_FT_GIF),
	ROW(0, "GIF89a", MIME_FT_GIF),
	ROW(0, "II*\0", MIME_FT_TIFF),
	ROW(0, "MM\0*", MIME_FT_TIFF),
	ROW(0, "BM", MIME_FT_BMP),
};

static const struct {
	const char *name;
	unsigned cls;
} ftypes[MIME_FT_COUNT] = {
	[MIME_FT_UNKNOWN] = { "unknown", 0 },
	[MIME_FT_PE] = { "pe", MIME_FC_EXECUTABLE },
	[MIME_FT_MZ] = { "mz", MIME_FC_EXECUTABLE },
	[MIME_FT_ELF] = { "elf", MIME_FC_EXECUTABLE },
	[MIME_FT_MACHO] = { "mach-o", MIME_FC_EXECUTABLE },
	[MIME_FT_JAVA_CLASS] = { "java-class", MIME_FC_EXECUTABLE },
	[MIME_FT_LNK] = { "lnk", MIME_FC_EXECUTABLE },
	[MIME_FT_SCRIPT] = { "script", MIME_FC_EXECUTABLE },
	[MIME_FT_ZIP] = { "zip", MIME_FC_ARCHIVE },
	[MIME_FT_OOXML_DOCX] = { "docx", MIME_FC_DOCUMENT },
	[MIME_FT_OOXML_XLSX] = { "xlsx", MIME_FC_DOCUMENT },
	[MIME_FT_OOXML_PPTX] = { "pptx", MIME_FC_DOCUMENT },
	[MIME_FT_OOXML_OTHER] = { "ooxml", MIME_FC_DOCUMENT },
	[MIME_FT_ODF] = { "odf", MIME_FC_DOCUMENT },
	[MIME_FT_JAR] = { "jar", MIME_FC_EXECUTABLE | MIME_FC_ARCHIVE },
	[MIME_FT_APK] = { "apk", MIME_FC_EXECUTABLE | MIME_FC_ARCHIVE },
	[MIME_FT_OLE2] = { "ole2", MIME_FC_DOCUMENT },
	[MIME_FT_PDF] = { "pdf", MIME_FC_DOCUMENT },
	[MIME_FT_RTF] = { "rtf", MIME_FC_DOCUMENT },
	[MIME_FT_RAR] = { "rar", MIME_FC_ARCHIVE },
	[MIME_FT_7Z] = { "7z", MIME_FC_ARCHIVE },
	[MIME_FT_GZIP] = { "gzip", MIME_FC_ARCHIVE },
	[MIME_FT_BZIP2] = { "bzip2", MIME_FC_ARCHIVE },
	[MIME_FT_XZ] = { "xz", MIME_FC_ARCHIVE },
	[MIME_FT_CAB] = { "cab", MIME_FC_ARCHIVE },
	[MIME_FT_TAR] = { "tar", MIME_FC_ARCHIVE },
	[MIME_FT_PNG] = { "png", MIME_FC_IMAGE },
	[MIME_FT_JPEG] = { "jpeg", MIME_FC_IMAGE },
	[MIME_FT_GIF] = { "gif", MIME_FC_IMAGE },
	[MIME_FT_BMP] = { "bmp", MIME_FC_IMAGE },
	[MIME_FT_TIFF] = { "tiff", MIME_FC_IMAGE },
	[MIME_FT_WEBP] = { "webp", MIME_FC_IMAGE },
};

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* magic_mz - "MZ": PE if e_lfanew (offset 0x3c) leads to "PE\0\0" */
static enum mime_ftype
magic_mz(const uint8_t *p, size_t len)
{
	uint32_t pe;

	if (len < 0x40) {
		return MIME_FT_MZ;
	}
	pe = le32(p + 0x3c);
	if (pe <= len - 4 && memcmp(p + pe, "PE\0\0", 4) == 0) {
		return MIME_FT_PE;
	}
	return MIME_FT_MZ;
}

/* magic_cafebabe - Mach-O fat binaries count their architectures (few);
 * Java class files have a version (45 and up) in the same place */
static enum mime_ftype
magic_cafebabe(const uint8_t *p, size_t len)
{
	if (len < 8) {
		return MIME_FT_MACHO;
	}
	return p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] < 30 ?
	    MIME_FT_MACHO :
	    MIME_FT_JAVA_CLASS;
}

/* magic_odf - OpenDocument: first member "mimetype", stored, holding
 * "application/vnd.oasis.opendocument." (ODF 1.2 part 3, 3.3) */
static int
magic_odf(const uint8_t *p, size_t len)
{
	static const char want[] =
	    "mimetypeapplication/vnd.oasis.opendocument.";

	return len >= 30 + sizeof(want) - 1 &&
	    memcmp(p + 30, want, sizeof(want) - 1) == 0;
}

enum mime_ftype
mime_magic(const uint8_t *p, size_t len)
{
	const struct magic_row *r;
	size_t i;

	if (len > MIME_MAGIC_HEAD) {
		len = MIME_MAGIC_HEAD;
	}
	if (len >= 2 && p[0] == 'M' && p[1] == 'Z') {
		return magic_mz(p, len);
	}
	if (len >= 4 && memcmp(p, "\xca\xfe\xba\xbe", 4) == 0) {
		return magic_cafebabe(p, len);
	}
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0) {
		return MIME_FT_WEBP;
	}
	for (i = 0; i < SK_NELEM(magic_rows); i++) {
		r = &magic_rows[i];
		if (r->off + r->len <= len &&
		    memcmp(p + r->off, r->bytes, r->len) == 0) {
			if (r->type == MIME_FT_ZIP && magic_odf(p, len)) {
				return MIME_FT_ODF;
			}
			return r->type;
		}
	}
	/* PDF readers accept junk before the header (PDF 1.7 annex H.3) */
	if (memmem(p, len, "%PDF-", 5) != NULL) {
		return MIME_FT_PDF;
	}
	return MIME_FT_UNKNOWN;
}

const char *
mime_ftype_name(enum mime_ftype t)
{
	return (unsigned)t < MIME_FT_COUNT ? ftypes[t].name : "unknown";
}

unsigned
mime_ftype_class(enum mime_ftype t)
{
	return (unsigned)t < MIME_FT_COUNT ? ftypes[t].cls : 0;
}

/* ole_name_at - a directory entry at p (128 octets) named name? */
static int
ole_name_at(const uint8_t *p, const char *name)
{
	size_t n = strlen(name), i;

	/* [MS-CFB] 2.6.1: name length in octets with the NUL, then type
	 * 1 (storage) or 2 (stream) */
	if ((size_t)(p[0x40] | p[0x41] << 8) != (n + 1) * 2 ||
	    (p[0x42] != 1 && p[0x42] != 2)) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[2 * i] != (uint8_t)name[i] || p[2 * i + 1] != 0) {
			return 0;
		}
	}
	return 1;
}

int
mime_ole_macro_hint(const uint8_t *p, size_t len)
{
	static const char *const names[] = { "_VBA_PROJECT", "Macros",
		"_VBA_PROJECT_CUR", "VBA" };
	size_t off, k;

	if (len < 512 || mime_magic(p, len) != MIME_FT_OLE2) {
		return 0;
	}
	/* directory sectors start at multiples of the sector size (512 or
	 * 4096), after the 512-octet header; entries are 128 octets */
	for (off = 512; off + 128 <= len; off += 128) {
		for (k = 0; k < SK_NELEM(names); k++) {
			if (ole_name_at(p + off, names[k])) {
				return 1;
			}
		}
	}
	return 0;
}
