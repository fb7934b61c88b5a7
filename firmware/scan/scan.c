/*
 * scan.c - verdict names, results and the backend table (scan.h).
 */
#include <string.h>

#include "scan.h"

static const char *const verdict_names[SCAN_VERDICT_COUNT] = {
	[SCAN_CLEAN] = "clean",
	[SCAN_INFECTED] = "infected",
	[SCAN_REJECT] = "reject",
	[SCAN_TEMPFAIL] = "tempfail",
	[SCAN_DISCARD] = "discard",
	[SCAN_QUARANTINE] = "quarantine",
	[SCAN_TOO_LARGE] = "too-large",
	[SCAN_ERROR] = "error",
};

const char *
scan_verdict_name(enum scan_verdict v)
{
	if ((unsigned)v >= SCAN_VERDICT_COUNT) {
		return "error";
	}
	return verdict_names[v];
}

void
scan_result_set(struct scan_result *r, enum scan_verdict v, const char *text,
    size_t len)
{
	size_t i;

	if (len > SCAN_TEXT_MAX - 1) {
		len = SCAN_TEXT_MAX - 1;
	}
	r->verdict = v;
	/* texts come from peers: keep printable ASCII only, '?' for others;
	 * a CRLF between two lines stays (a milter's multi-line reply) */
	for (i = 0; i < len; i++) {
		if (text[i] == '\r' && i > 0 && i + 2 < len &&
		    text[i + 1] == '\n') {
			r->text[i] = '\r';
			r->text[i + 1] = '\n';
			i++;
			continue;
		}
		r->text[i] =
		    (text[i] >= 0x20 && text[i] <= 0x7e) ? text[i] : '?';
	}
	r->text[len] = '\0';
}

static const struct scan_backend *const backends[] = {
	&scan_clamd_backend,
	&scan_milter_backend,
	&scan_null_backend,
};

const struct scan_backend *
scan_backend_find(const char *name)
{
	size_t i;

	for (i = 0; i < SK_NELEM(backends); i++) {
		if (strcmp(backends[i]->name, name) == 0) {
			return backends[i];
		}
	}
	return NULL;
}
