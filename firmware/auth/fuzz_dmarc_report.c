/*
 * fuzz_dmarc_report.c - libFuzzer target for the aggregate report code
 * that reads outside input: the store's DKIM result text (parse, format,
 * parse again: the same results), rua URIs of a record as destinations,
 * and any octets as the strings of a report (the XML text then holds no
 * raw markup or control character, the mail builder refuses or builds).
 */
#include <string.h>

#include "dmarc_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[1 << 16];

static void
fuzz_dkim(const uint8_t *data, size_t size)
{
	static struct dmarc_report_row a, b;
	static char text[DMARC_REPORT_DKIM_TEXT_MAX + 1];
	size_t i;

	if (dmarc_report_dkim_parse(data, size, &a) != SK_OK) {
		if (a.ndkim != 0) {
			__builtin_trap();
		}
		return;
	}
	if (dmarc_report_dkim_format(&a, text, sizeof(text)) != SK_OK ||
	    dmarc_report_dkim_parse((const uint8_t *)text, strlen(text), &b) !=
		SK_OK ||
	    a.ndkim != b.ndkim) {
		__builtin_trap();
	}
	for (i = 0; i < a.ndkim; i++) {
		if (strcmp(a.dkim[i].domain, b.dkim[i].domain) != 0 ||
		    strcmp(a.dkim[i].selector, b.dkim[i].selector) != 0 ||
		    strcmp(a.dkim[i].result, b.dkim[i].result) != 0) {
			__builtin_trap();
		}
	}
}

static void
fuzz_dest(const uint8_t *data, size_t size)
{
	static uint8_t txt[DMARC_RECORD_MAX];
	static const char pre[] = "v=DMARC1; p=none; rua=";
	struct dmarc_record rec;
	struct dmarc_report_dest d;
	size_t i;

	if (size > sizeof(txt) - sizeof(pre)) {
		return;
	}
	memcpy(txt, pre, sizeof(pre) - 1);
	memcpy(txt + sizeof(pre) - 1, data, size);
	(void)dmarc_record_parse(txt, sizeof(pre) - 1 + size, &rec);
	for (i = 0; i < rec.nrua; i++) {
		if (dmarc_report_dest_parse(&rec.rua[i], &d) == SK_OK &&
		    (d.domain == NULL || strchr(d.addr, '\n') != NULL ||
			strchr(d.addr, '>') != NULL)) {
			__builtin_trap();
		}
	}
}

/* fuzz_xml_clean - escaped text has no markup and no control octet */
static void
fuzz_xml_clean(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '<' || p[i] == '>' || p[i] < 0x20 || p[i] == 0x7f) {
			__builtin_trap();
		}
	}
}

static void
fuzz_strings(const uint8_t *data, size_t size)
{
	static char s[512];
	static const char *const to[] = { s };
	struct dmarc_report_out o;
	struct dmarc_report_mail m;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	dmarc_report_out_init(&o, out, sizeof(out));
	dmarc_report_xml_text(&o, s);
	if (o.err != SK_OK) {
		__builtin_trap();
	}
	fuzz_xml_clean(out, o.len);
	memset(&m, 0, sizeof(m));
	m.from = m.submitter = m.policy_domain = m.report_id = s;
	m.to = to;
	m.nto = 1;
	m.gz = data;
	m.gzlen = size;
	dmarc_report_out_init(&o, out, sizeof(out));
	if (dmarc_report_mail_build(&m, &o) == SK_OK &&
	    memchr(out, '\n', 2) != NULL) {
		__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_dkim(data, size);
	fuzz_dest(data, size);
	fuzz_strings(data, size);
	return 0;
}
