/*
 * sysinfo.c - parsers of /proc/uptime and the boot counter.
 */
#include "sysinfo.h"

/* sysinfo_number - decimal digits at buf[0..len); *used is their count */
static enum sk_result
sysinfo_number(const uint8_t *buf, size_t len, uint64_t *n, size_t *used)
{
	size_t i;

	*n = 0;
	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (i == SYSINFO_DIGITS_MAX) {
			return SK_E_RANGE;
		}
		*n = *n * 10 + (uint64_t)(buf[i] - '0');
	}
	*used = i;
	if (i == 0 || (i > 1 && buf[0] == '0')) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* sysinfo_count_parse - "N" or "N\n", decimal, no sign, no leading 0s */
enum sk_result
sysinfo_count_parse(const uint8_t *buf, size_t len, uint64_t *n)
{
	enum sk_result r;
	size_t used;

	if (len > SYSINFO_FILE_MAX) {
		return SK_E_TOO_LONG;
	}
	if ((r = sysinfo_number(buf, len, n, &used)) != SK_OK) {
		return r;
	}
	if (used == len || (used + 1 == len && buf[used] == '\n')) {
		return SK_OK;
	}
	return SK_E_SYNTAX;
}

/* sysinfo_centi - ".CC" followed by sep; SK_OK when present */
static enum sk_result
sysinfo_centi(const uint8_t *p, size_t n, uint8_t sep)
{
	if (n < 4 || p[0] != '.' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
	    p[2] > '9' || p[3] != sep) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* sysinfo_uptime_parse - whole seconds of "SECS.CC IDLE.CC\n" */
enum sk_result
sysinfo_uptime_parse(const uint8_t *buf, size_t len, uint64_t *secs)
{
	enum sk_result r;
	uint64_t idle;
	size_t used, off;

	if (len > SYSINFO_FILE_MAX) {
		return SK_E_TOO_LONG;
	}
	if ((r = sysinfo_number(buf, len, secs, &used)) != SK_OK) {
		return r;
	}
	if ((r = sysinfo_centi(buf + used, len - used, ' ')) != SK_OK) {
		return r;
	}
	off = used + 4;
	if ((r = sysinfo_number(buf + off, len - off, &idle, &used)) != SK_OK) {
		return r;
	}
	off += used;
	if ((r = sysinfo_centi(buf + off, len - off, '\n')) != SK_OK) {
		return r;
	}
	return off + 4 == len ? SK_OK : SK_E_SYNTAX;
}
