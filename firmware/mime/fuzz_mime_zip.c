/*
 * fuzz_mime_zip.c - libFuzzer target for the ZIP lister and the
 * magic-bytes sniffer: every entry's name lies inside the buffer, the
 * counts agree with the callbacks, nothing reads out of bounds.
 */
#include <stdlib.h>

#include "mime_magic.h"
#include "mime_zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_zip {
	const uint8_t *buf;
	size_t len;
	unsigned seen, enc;
};

static int
fuzz_entry(void *arg, const struct mime_zip_entry *e)
{
	struct fuzz_zip *z = arg;

	if (e->name < z->buf || e->name_len > z->len ||
	    (size_t)(e->name - z->buf) > z->len - e->name_len) {
		abort();
	}
	z->seen++;
	z->enc += e->encrypted != 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_zip z = { data, size, 0, 0 };
	struct mime_zip_summary sum;
	enum mime_ftype t;

	t = mime_magic(data, size);
	if ((unsigned)t >= MIME_FT_COUNT || mime_ftype_name(t) == NULL) {
		abort();
	}
	(void)mime_ole_macro_hint(data, size);
	(void)mime_zip_list(data, size, fuzz_entry, &z, &sum);
	if (z.seen != sum.entries || z.enc != sum.encrypted ||
	    sum.entries > MIME_ZIP_ENTRIES_MAX) {
		abort();
	}
	return 0;
}
