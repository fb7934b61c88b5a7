/*
 * dmarc_report_gz.c - the gzip file of a report (RFC 7489 7.2.1.1:
 * "gzip" is the compression the receivers expect), one RFC 1952 member
 * made by zlib's deflate with the gzip wrapper.
 */
#include <string.h>
#include <zlib.h>

#include "dmarc_report.h"

#define DMARC_GZ_WINDOW (15 + 16) /* zlib: 32 KiB window, gzip wrapper */
#define DMARC_GZ_MEMLEVEL 8       /* zlib's default */
#define DMARC_GZ_OS_UNIX 3        /* RFC 1952 2.3.1 OS: Unix */

enum sk_result
dmarc_report_gzip(const uint8_t *in, size_t len, uint64_t mtime, uint8_t *out,
    size_t cap, size_t *outlen)
{
	z_stream z;
	gz_header h;
	int rc;

	*outlen = 0;
	/* zlib counts in uInt: stay far below it (reports are small) */
	if (len > (1u << 30) || cap > (1u << 30)) {
		return SK_E_RANGE;
	}
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, DMARC_GZ_WINDOW,
		DMARC_GZ_MEMLEVEL, Z_DEFAULT_STRATEGY) != Z_OK) {
		return SK_E_IO;
	}
	/* A fixed header: the period's end as the time, no name, our OS
	 * byte whatever zlib was built for, so the octets are the same on
	 * every machine */
	memset(&h, 0, sizeof(h));
	h.time = (uLong)mtime;
	h.os = DMARC_GZ_OS_UNIX;
	if (deflateSetHeader(&z, &h) != Z_OK) {
		deflateEnd(&z);
		return SK_E_IO;
	}
	z.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const */
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	if (rc == Z_STREAM_END) {
		return SK_OK;
	}
	*outlen = 0;
	return rc == Z_OK || rc == Z_BUF_ERROR ? SK_E_FULL : SK_E_IO;
}
