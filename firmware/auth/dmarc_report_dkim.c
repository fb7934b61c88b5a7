/*
 * dmarc_report_dkim.c - a record's DKIM results as one line of text, the
 * store's aggregation key: "d s result" triples joined by ";" ("-" for an
 * absent selector). The store is a file, so the parser is total and
 * bounded like every parser of outside input.
 */
#include <string.h>

#include "dmarc_report.h"

/* dmarc_report_dkim_field_ok - a field that the format can carry */
static int
dmarc_report_dkim_field_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	size_t i;

	if (n == 0 || n == max) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == ';' || c == 0x7f) {
			return 0;
		}
	}
	return 1;
}

enum sk_result
dmarc_report_dkim_format(const struct dmarc_report_row *r, char *out,
    size_t cap)
{
	struct dmarc_report_out o;
	size_t i;

	if (cap == 0) {
		return SK_E_FULL;
	}
	dmarc_report_out_init(&o, (uint8_t *)out, cap - 1);
	for (i = 0; i < r->ndkim && i < DMARC_REPORT_DKIM_MAX; i++) {
		const struct dmarc_report_dkim *d = &r->dkim[i];
		const char *sel = d->selector[0] != '\0' ? d->selector : "-";

		if (!dmarc_report_dkim_field_ok(d->domain, sizeof(d->domain)) ||
		    !dmarc_report_dkim_field_ok(sel, sizeof(d->selector)) ||
		    !dmarc_report_dkim_field_ok(d->result, sizeof(d->result))) {
			out[0] = '\0';
			return SK_E_SYNTAX;
		}
		if (i > 0) {
			dmarc_report_out_puts(&o, ";");
		}
		dmarc_report_out_puts(&o, d->domain);
		dmarc_report_out_puts(&o, " ");
		dmarc_report_out_puts(&o, sel);
		dmarc_report_out_puts(&o, " ");
		dmarc_report_out_puts(&o, d->result);
	}
	if (dmarc_report_out_result(&o) != SK_OK) {
		out[0] = '\0';
		return SK_E_FULL;
	}
	out[o.len] = '\0';
	return SK_OK;
}

/* dmarc_report_dkim_word - copy buf[*pos..) up to stop into out[cap] */
static enum sk_result
dmarc_report_dkim_word(const uint8_t *buf, size_t len, size_t *pos,
    uint8_t stop, char *out, size_t cap)
{
	size_t start = *pos;
	size_t n;

	while (*pos < len && buf[*pos] != stop && buf[*pos] != ' ' &&
	    buf[*pos] != ';') {
		if (buf[*pos] < 0x21 || buf[*pos] == 0x7f) {
			return SK_E_SYNTAX;
		}
		(*pos)++;
	}
	n = *pos - start;
	if (n == 0) {
		return SK_E_SYNTAX;
	}
	if (n >= cap) {
		return SK_E_TOO_LONG;
	}
	memcpy(out, buf + start, n);
	out[n] = '\0';
	return SK_OK;
}

/* dmarc_report_dkim_one - one "d s result" triple at *pos */
static enum sk_result
dmarc_report_dkim_one(const uint8_t *buf, size_t len, size_t *pos,
    struct dmarc_report_dkim *d)
{
	enum sk_result r;

	if ((r = dmarc_report_dkim_word(buf, len, pos, ' ', d->domain,
		 sizeof(d->domain))) != SK_OK) {
		return r;
	}
	if (*pos >= len || buf[(*pos)++] != ' ') {
		return SK_E_SYNTAX;
	}
	if ((r = dmarc_report_dkim_word(buf, len, pos, ' ', d->selector,
		 sizeof(d->selector))) != SK_OK) {
		return r;
	}
	if (*pos >= len || buf[(*pos)++] != ' ') {
		return SK_E_SYNTAX;
	}
	if ((r = dmarc_report_dkim_word(buf, len, pos, ';', d->result,
		 sizeof(d->result))) != SK_OK) {
		return r;
	}
	if (strcmp(d->selector, "-") == 0) {
		d->selector[0] = '\0';
	}
	return SK_OK;
}

enum sk_result
dmarc_report_dkim_parse(const uint8_t *buf, size_t len,
    struct dmarc_report_row *row)
{
	size_t pos = 0;
	enum sk_result r = SK_OK;

	row->ndkim = 0;
	if (len > DMARC_REPORT_DKIM_TEXT_MAX) {
		return SK_E_TOO_LONG;
	}
	while (pos < len) {
		if (row->ndkim == DMARC_REPORT_DKIM_MAX) {
			r = SK_E_TOO_LONG;
			break;
		}
		if ((r = dmarc_report_dkim_one(buf, len, &pos,
			 &row->dkim[row->ndkim])) != SK_OK) {
			break;
		}
		row->ndkim++;
		if (pos < len && (buf[pos++] != ';' || pos == len)) {
			r = SK_E_SYNTAX; /* a separator, then one more */
			break;
		}
	}
	if (r != SK_OK) {
		row->ndkim = 0;
	}
	return r;
}
