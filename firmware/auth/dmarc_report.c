/*
 * dmarc_report.c - the XML document of a DMARC aggregate report (RFC 7489
 * appendix C): report_metadata, policy_published and one <record> per
 * row, written into a bounded output with a sticky error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dmarc_report.h"

static const char *const dmarc_report_reasons[DMARC_REASON_COUNT] = {
	"",
	"forwarded",
	"sampled_out",
	"trusted_forwarder",
	"mailing_list",
	"local_policy",
	"other",
};

/* dmarc_report_reason_str - the PolicyOverrideType word, "" for none */
const char *
dmarc_report_reason_str(enum dmarc_report_reason r)
{
	return (size_t)r < SK_NELEM(dmarc_report_reasons) ?
	    dmarc_report_reasons[r] :
	    "other";
}

void
dmarc_report_out_init(struct dmarc_report_out *o, uint8_t *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->err = SK_OK;
}

enum sk_result
dmarc_report_out_result(const struct dmarc_report_out *o)
{
	return o->err;
}

void
dmarc_report_out_put(struct dmarc_report_out *o, const void *p, size_t n)
{
	if (o->err != SK_OK) {
		return;
	}
	if (n > o->cap - o->len) {
		o->err = SK_E_FULL;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void
dmarc_report_out_puts(struct dmarc_report_out *o, const char *s)
{
	dmarc_report_out_put(o, s, strlen(s));
}

/* dmarc_report_utf8_len - length of the valid UTF-8 sequence at s (RFC
 * 3629 4: no overlong forms, no surrogates, at most U+10FFFF), 0 if none */
static size_t
dmarc_report_utf8_len(const uint8_t *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0; /* also stops at the NUL */
		}
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		return 0;
	}
	return n;
}

void
dmarc_report_xml_text(struct dmarc_report_out *o, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n;

	while (*p != '\0') {
		switch (*p) {
		case '&':
			dmarc_report_out_puts(o, "&amp;");
			break;
		case '<':
			dmarc_report_out_puts(o, "&lt;");
			break;
		case '>':
			dmarc_report_out_puts(o, "&gt;");
			break;
		case '"':
			dmarc_report_out_puts(o, "&quot;");
			break;
		case '\'':
			dmarc_report_out_puts(o, "&apos;");
			break;
		default:
			if (*p >= 0x20 && *p < 0x7f) {
				dmarc_report_out_put(o, p, 1);
			} else if (*p >= 0x80 &&
			    (n = dmarc_report_utf8_len(p)) != 0) {
				dmarc_report_out_put(o, p, n);
				p += n;
				continue;
			} else {
				/* XML 1.0 2.2 forbids most controls; none
				 * belongs in a report anyway */
				dmarc_report_out_puts(o, "?");
			}
		}
		p++;
	}
}

/* dmarc_report_elem - "<indent><name>text</name>\n" */
static void
dmarc_report_elem(struct dmarc_report_out *o, const char *indent,
    const char *name, const char *text)
{
	dmarc_report_out_puts(o, indent);
	dmarc_report_out_puts(o, "<");
	dmarc_report_out_puts(o, name);
	dmarc_report_out_puts(o, ">");
	dmarc_report_xml_text(o, text);
	dmarc_report_out_puts(o, "</");
	dmarc_report_out_puts(o, name);
	dmarc_report_out_puts(o, ">\n");
}

static void
dmarc_report_elem_u64(struct dmarc_report_out *o, const char *indent,
    const char *name, uint64_t v)
{
	char num[24];

	(void)snprintf(num, sizeof(num), "%" PRIu64, v);
	dmarc_report_elem(o, indent, name, num);
}

/* dmarc_report_fo - fo= as published ("0:1:d:s" subset), "0" by default */
static void
dmarc_report_fo(unsigned fo, char out[16])
{
	static const struct {
		unsigned bit;
		const char *word;
	} opts[] = { { DMARC_FO_0, "0" }, { DMARC_FO_1, "1" },
		{ DMARC_FO_D, "d" }, { DMARC_FO_S, "s" } };
	size_t i;

	out[0] = '\0';
	for (i = 0; i < SK_NELEM(opts); i++) {
		if (fo & opts[i].bit) {
			if (out[0] != '\0') {
				strcat(out, ":");
			}
			strcat(out, opts[i].word);
		}
	}
	if (out[0] == '\0') {
		strcpy(out, "0");
	}
}

void
dmarc_report_xml_begin(struct dmarc_report_out *o,
    const struct dmarc_report_meta *m)
{
	char fo[16];

	dmarc_report_out_puts(o,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feedback>\n"
	    "  <version>1.0</version>\n"
	    "  <report_metadata>\n");
	dmarc_report_elem(o, "    ", "org_name", m->org_name);
	dmarc_report_elem(o, "    ", "email", m->email);
	dmarc_report_elem(o, "    ", "report_id", m->report_id);
	dmarc_report_out_puts(o, "    <date_range>\n");
	dmarc_report_elem_u64(o, "      ", "begin", m->begin);
	dmarc_report_elem_u64(o, "      ", "end", m->end);
	dmarc_report_out_puts(o,
	    "    </date_range>\n"
	    "  </report_metadata>\n"
	    "  <policy_published>\n");
	dmarc_report_elem(o, "    ", "domain", m->domain);
	dmarc_report_elem(o, "    ", "adkim", m->adkim_strict ? "s" : "r");
	dmarc_report_elem(o, "    ", "aspf", m->aspf_strict ? "s" : "r");
	dmarc_report_elem(o, "    ", "p", dmarc_policy_str(m->p));
	dmarc_report_elem(o, "    ", "sp", dmarc_policy_str(m->sp));
	dmarc_report_elem_u64(o, "    ", "pct", m->pct);
	dmarc_report_fo(m->fo, fo);
	dmarc_report_elem(o, "    ", "fo", fo);
	dmarc_report_out_puts(o, "  </policy_published>\n");
}

/* dmarc_report_xml_auth - the <auth_results> of a row */
static void
dmarc_report_xml_auth(struct dmarc_report_out *o,
    const struct dmarc_report_row *r)
{
	size_t i;

	dmarc_report_out_puts(o, "    <auth_results>\n");
	for (i = 0; i < r->ndkim && i < DMARC_REPORT_DKIM_MAX; i++) {
		dmarc_report_out_puts(o, "      <dkim>\n");
		dmarc_report_elem(o, "        ", "domain", r->dkim[i].domain);
		if (r->dkim[i].selector[0] != '\0') {
			dmarc_report_elem(o, "        ", "selector",
			    r->dkim[i].selector);
		}
		dmarc_report_elem(o, "        ", "result", r->dkim[i].result);
		dmarc_report_out_puts(o, "      </dkim>\n");
	}
	/* appendix C: one spf element is required; "none" with the
	 * domain checked, even when SPF found nothing */
	dmarc_report_out_puts(o, "      <spf>\n");
	dmarc_report_elem(o, "        ", "domain", r->spf_domain);
	dmarc_report_elem(o, "        ", "scope",
	    r->spf_helo ? "helo" : "mfrom");
	dmarc_report_elem(o, "        ", "result",
	    r->spf_result[0] != '\0' ? r->spf_result : "none");
	dmarc_report_out_puts(o,
	    "      </spf>\n"
	    "    </auth_results>\n");
}

void
dmarc_report_xml_row(struct dmarc_report_out *o,
    const struct dmarc_report_row *r)
{
	dmarc_report_out_puts(o,
	    "  <record>\n"
	    "    <row>\n");
	dmarc_report_elem(o, "      ", "source_ip", r->source_ip);
	dmarc_report_elem_u64(o, "      ", "count", r->count);
	dmarc_report_out_puts(o, "      <policy_evaluated>\n");
	dmarc_report_elem(o, "        ", "disposition",
	    dmarc_policy_str(r->disposition));
	dmarc_report_elem(o, "        ", "dkim",
	    r->dkim_pass ? "pass" : "fail");
	dmarc_report_elem(o, "        ", "spf", r->spf_pass ? "pass" : "fail");
	if (r->reason != DMARC_REASON_NONE) {
		dmarc_report_out_puts(o, "        <reason>\n");
		dmarc_report_elem(o, "          ", "type",
		    dmarc_report_reason_str(r->reason));
		dmarc_report_out_puts(o, "        </reason>\n");
	}
	dmarc_report_out_puts(o,
	    "      </policy_evaluated>\n"
	    "    </row>\n"
	    "    <identifiers>\n");
	dmarc_report_elem(o, "      ", "envelope_from", r->envelope_from);
	dmarc_report_elem(o, "      ", "header_from", r->header_from);
	dmarc_report_out_puts(o, "    </identifiers>\n");
	dmarc_report_xml_auth(o, r);
	dmarc_report_out_puts(o, "  </record>\n");
}

void
dmarc_report_xml_end(struct dmarc_report_out *o)
{
	dmarc_report_out_puts(o, "</feedback>\n");
}
