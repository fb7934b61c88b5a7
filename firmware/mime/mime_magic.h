/*
 * mime_magic.h - the true type of a file by its content (magic bytes),
 * never by its name or declared Content-Type, which the sender chooses.
 *
 * Table-driven (mime_magic.c): each row is an offset, the bytes there,
 * the type and its class. A few types need a second look: PE (the "MZ"
 * header's e_lfanew must lead to "PE\0\0" when that is inside the
 * buffer), Mach-O fat versus Java class (both start CAFEBABE), PDF
 * (readers accept "%PDF-" anywhere in the first 1024 octets), ODF (the
 * first ZIP member "mimetype", stored). The OOXML family (docx, xlsx,
 * pptx), JAR and APK are ZIP files told apart by the names inside:
 * mime_zip.h refines MIME_FT_ZIP with the central directory.
 *
 * Takes (buffer, length), reads at most MIME_MAGIC_HEAD octets, never
 * allocates.
 */
#ifndef SK_MIME_MAGIC_H
#define SK_MIME_MAGIC_H

#include <stddef.h>
#include <stdint.h>

#define MIME_MAGIC_HEAD 1024 /* octets the sniffer may look at */

enum mime_ftype {
	MIME_FT_UNKNOWN = 0,
	MIME_FT_PE, /* Windows executable or DLL (MZ + PE) */
	MIME_FT_MZ, /* DOS MZ without a PE header in view */
	MIME_FT_ELF,
	MIME_FT_MACHO,
	MIME_FT_JAVA_CLASS,
	MIME_FT_LNK,    /* Windows shortcut */
	MIME_FT_SCRIPT, /* "#!" interpreter line */
	MIME_FT_ZIP,
	MIME_FT_OOXML_DOCX,
	MIME_FT_OOXML_XLSX,
	MIME_FT_OOXML_PPTX,
	MIME_FT_OOXML_OTHER, /* [Content_Types].xml without a known part */
	MIME_FT_ODF,
	MIME_FT_JAR,
	MIME_FT_APK,
	MIME_FT_OLE2, /* compound file: legacy Office, MSI */
	MIME_FT_PDF,
	MIME_FT_RTF,
	MIME_FT_RAR,
	MIME_FT_7Z,
	MIME_FT_GZIP,
	MIME_FT_BZIP2,
	MIME_FT_XZ,
	MIME_FT_CAB,
	MIME_FT_TAR,
	MIME_FT_PNG,
	MIME_FT_JPEG,
	MIME_FT_GIF,
	MIME_FT_BMP,
	MIME_FT_TIFF,
	MIME_FT_WEBP,
	MIME_FT_COUNT, /* number of types, not a type */
};

/* classes (bits), mime_ftype_class */
#define MIME_FC_EXECUTABLE 0x01 /* runs when opened: binaries, scripts */
#define MIME_FC_ARCHIVE 0x02    /* holds other files */
#define MIME_FC_DOCUMENT 0x04   /* office and PDF, may carry macros */
#define MIME_FC_IMAGE 0x08

/* mime_magic - the type of the file that starts with p[0..len) */
enum mime_ftype mime_magic(const uint8_t *p, size_t len);

/* mime_ftype_name - stable lower-case name ("pe", "docx", "zip"...) */
const char *mime_ftype_name(enum mime_ftype t);

/* mime_ftype_class - MIME_FC_ bits of a type */
unsigned mime_ftype_class(enum mime_ftype t);

/*
 * mime_ole_macro_hint - whether an OLE2 compound file p[0..len) names a
 * VBA storage: the directory entry names "_VBA_PROJECT", "Macros" (Word)
 * or "_VBA_PROJECT_CUR" (Excel), UTF-16LE, at a 128-octet directory
 * slot. A hint for content rules, not proof (README "Macros").
 */
int mime_ole_macro_hint(const uint8_t *p, size_t len);

#endif /* SK_MIME_MAGIC_H */
