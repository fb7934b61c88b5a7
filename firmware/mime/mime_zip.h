/*
 * mime_zip.h - list a ZIP archive without extracting it (APPNOTE.TXT
 * 6.3.x): names, sizes, method, encryption, from a buffer holding the
 * whole decoded attachment.
 *
 * The central directory is read when the end record is found and sane
 * (ZIP64 records included); otherwise the local headers are walked from
 * the start, which also lists truncated archives. Every offset and
 * length read from the file is checked against the buffer before use;
 * at most MIME_ZIP_ENTRIES_MAX entries are reported. Nothing is
 * decompressed and nothing is allocated.
 *
 * Encryption: general purpose flag bit 0 (traditional PKWARE or strong
 * encryption) or the WinZip AES extra field 0x9901 (method 99). Archives
 * with encrypted members are how malware passes scanners ("PPAP"): the
 * summary counts them.
 */
#ifndef SK_MIME_ZIP_H
#define SK_MIME_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "mime_magic.h"
#include "sk.h"

#define MIME_ZIP_ENTRIES_MAX 65535 /* entries reported */
#define MIME_ZIP_COMMENT_MAX 65535 /* APPNOTE 4.4.16: EOCD comment */
#define MIME_ZIP_RATIO_MAX 1000    /* uncompressed/compressed: a bomb */

/* struct mime_zip_summary.flags */
#define MIME_ZIP_F_LOCAL_ONLY 0x01 /* no usable central directory */
#define MIME_ZIP_F_ZIP64 0x02
#define MIME_ZIP_F_BAD 0x04       /* a record did not fit or lied */
#define MIME_ZIP_F_TRUNCATED 0x08 /* more entries than listed */
#define MIME_ZIP_F_PREFIXED 0x10  /* data before the archive (SFX) */
#define MIME_ZIP_F_RATIO 0x20     /* an entry over MIME_ZIP_RATIO_MAX */
#define MIME_ZIP_F_COUNT 0x40     /* entry count differs from the EOCD */

struct mime_zip_entry {
	const uint8_t *name; /* a view into the buffer, not NUL-ended */
	size_t name_len;
	uint64_t csize, usize; /* as recorded (0 if a data descriptor) */
	uint64_t local_offset;
	uint32_t crc;
	uint16_t method; /* 0 stored, 8 deflate, 99 AES, ... */
	uint16_t gpflags;
	int encrypted; /* bit 0 or AES */
	int aes;       /* extra field 0x9901 */
	int is_dir;    /* name ends in "/" */
};

struct mime_zip_summary {
	unsigned entries;
	unsigned encrypted;
	unsigned flags;       /* MIME_ZIP_F_* */
	uint64_t total_usize; /* sum of recorded uncompressed sizes */
	enum mime_ftype kind; /* zip, or docx/xlsx/pptx/odf/jar/apk */
	int vba;              /* OOXML with a vbaProject.bin: macros */
};

/* called per entry; return non-zero to stop the listing */
typedef int mime_zip_fn(void *arg, const struct mime_zip_entry *e);

/*
 * mime_zip_list - list the archive in buf[0..len); fn may be NULL.
 * SK_OK (sum is filled, flags tell what was odd), SK_E_SYNTAX if no ZIP
 * structure was found at all (sum->entries 0).
 */
enum sk_result mime_zip_list(const uint8_t *buf, size_t len, mime_zip_fn *fn,
    void *arg, struct mime_zip_summary *sum);

#endif /* SK_MIME_ZIP_H */
