/*
 * dmarc_report_test.c - tests of the aggregate report pieces: XML
 * escaping and the document (exact text), gzip (inflated here with zlib
 * and compared), the mail (Subject, file name, the attachment decoded and
 * inflated back to the XML), rua destinations and "!size", the RFC 7489
 * 7.1 verification over a zone, and the DKIM result text of the store.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "../dns/dns_zone.h"
#include "base64.h"
#include "dmarc_report.h"
#include "test.h"

static uint8_t big[1 << 16];
static uint8_t gz[1 << 16];
static uint8_t back[1 << 16];

/* --- XML --------------------------------------------------------------- */

static const struct {
	const char *in, *want;
} escape_cases[] = {
	{ "example.com", "example.com" },
	{ "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f" },
	{ "tab\there\r\n", "tab?here??" },
	{ "\x7f", "?" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" }, /* valid UTF-8 kept */
	{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" },
	{ "bad\xc3", "bad?" },          /* truncated */
	{ "\xc0\xaf", "??" },           /* overlong */
	{ "\xed\xa0\x80", "???" },      /* surrogate */
	{ "\xf4\x90\x80\x80", "????" }, /* beyond U+10FFFF */
	{ "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!" },
};

static void
test_escape(void)
{
	struct dmarc_report_out o;
	size_t i;

	for (i = 0; i < SK_NELEM(escape_cases); i++) {
		dmarc_report_out_init(&o, big, sizeof(big));
		dmarc_report_xml_text(&o, escape_cases[i].in);
		TEST_CHECK(o.err == SK_OK &&
			o.len == strlen(escape_cases[i].want) &&
			memcmp(big, escape_cases[i].want, o.len) == 0,
		    "case %zu: got \"%.*s\", want \"%s\"", i, (int)o.len,
		    (const char *)big, escape_cases[i].want);
	}
}

static const struct dmarc_report_meta meta = {
	.org_name = "Example <Corp>",
	.email = "dmarc-reports@example.net",
	.report_id = "1764115200.example.org",
	.begin = 1764028800,
	.end = 1764115199,
	.domain = "example.org",
	.adkim_strict = 0,
	.aspf_strict = 1,
	.p = DMARC_P_REJECT,
	.sp = DMARC_P_QUARANTINE,
	.pct = 100,
	.fo = DMARC_FO_1 | DMARC_FO_D,
};

static void
fill_rows(struct dmarc_report_row r[2])
{
	memset(r, 0, 2 * sizeof(*r));
	strcpy(r[0].source_ip, "192.0.2.1");
	r[0].count = 3;
	r[0].disposition = DMARC_P_NONE;
	r[0].dkim_pass = 1;
	strcpy(r[0].header_from, "example.org");
	strcpy(r[0].envelope_from, "example.org");
	strcpy(r[0].spf_domain, "example.org");
	strcpy(r[0].spf_result, "pass");
	r[0].ndkim = 2;
	strcpy(r[0].dkim[0].domain, "example.org");
	strcpy(r[0].dkim[0].selector, "s1");
	strcpy(r[0].dkim[0].result, "pass");
	strcpy(r[0].dkim[1].domain, "esp.example");
	strcpy(r[0].dkim[1].result, "fail");
	strcpy(r[1].source_ip, "2001:db8::5");
	r[1].count = 1;
	r[1].disposition = DMARC_P_REJECT;
	r[1].reason = DMARC_REASON_LOCAL_POLICY;
	strcpy(r[1].header_from, "example.org");
	strcpy(r[1].spf_domain, "mail.attacker.example");
	r[1].spf_helo = 1;
	strcpy(r[1].spf_result, "softfail");
}

static const char want_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<feedback>\n"
    "  <version>1.0</version>\n"
    "  <report_metadata>\n"
    "    <org_name>Example &lt;Corp&gt;</org_name>\n"
    "    <email>dmarc-reports@example.net</email>\n"
    "    <report_id>1764115200.example.org</report_id>\n"
    "    <date_range>\n"
    "      <begin>1764028800</begin>\n"
    "      <end>1764115199</end>\n"
    "    </date_range>\n"
    "  </report_metadata>\n"
    "  <policy_published>\n"
    "    <domain>example.org</domain>\n"
    "    <adkim>r</adkim>\n"
    "    <aspf>s</aspf>\n"
    "    <p>reject</p>\n"
    "    <sp>quarantine</sp>\n"
    "    <pct>100</pct>\n"
    "    <fo>1:d</fo>\n"
    "  </policy_published>\n"
    "  <record>\n"
    "    <row>\n"
    "      <source_ip>192.0.2.1</source_ip>\n"
    "      <count>3</count>\n"
    "      <policy_evaluated>\n"
    "        <disposition>none</disposition>\n"
    "        <dkim>pass</dkim>\n"
    "        <spf>fail</spf>\n"
    "      </policy_evaluated>\n"
    "    </row>\n"
    "    <identifiers>\n"
    "      <envelope_from>example.org</envelope_from>\n"
    "      <header_from>example.org</header_from>\n"
    "    </identifiers>\n"
    "    <auth_results>\n"
    "      <dkim>\n"
    "        <domain>example.org</domain>\n"
    "        <selector>s1</selector>\n"
    "        <result>pass</result>\n"
    "      </dkim>\n"
    "      <dkim>\n"
    "        <domain>esp.example</domain>\n"
    "        <result>fail</result>\n"
    "      </dkim>\n"
    "      <spf>\n"
    "        <domain>example.org</domain>\n"
    "        <scope>mfrom</scope>\n"
    "        <result>pass</result>\n"
    "      </spf>\n"
    "    </auth_results>\n"
    "  </record>\n"
    "  <record>\n"
    "    <row>\n"
    "      <source_ip>2001:db8::5</source_ip>\n"
    "      <count>1</count>\n"
    "      <policy_evaluated>\n"
    "        <disposition>reject</disposition>\n"
    "        <dkim>fail</dkim>\n"
    "        <spf>fail</spf>\n"
    "        <reason>\n"
    "          <type>local_policy</type>\n"
    "        </reason>\n"
    "      </policy_evaluated>\n"
    "    </row>\n"
    "    <identifiers>\n"
    "      <envelope_from></envelope_from>\n"
    "      <header_from>example.org</header_from>\n"
    "    </identifiers>\n"
    "    <auth_results>\n"
    "      <spf>\n"
    "        <domain>mail.attacker.example</domain>\n"
    "        <scope>helo</scope>\n"
    "        <result>softfail</result>\n"
    "      </spf>\n"
    "    </auth_results>\n"
    "  </record>\n"
    "</feedback>\n";

/* build_xml - the report of fill_rows into big; its length */
static size_t
build_xml(struct dmarc_report_out *o, uint8_t *buf, size_t cap)
{
	struct dmarc_report_row r[2];

	fill_rows(r);
	dmarc_report_out_init(o, buf, cap);
	dmarc_report_xml_begin(o, &meta);
	dmarc_report_xml_row(o, &r[0]);
	dmarc_report_xml_row(o, &r[1]);
	dmarc_report_xml_end(o);
	return o->len;
}

static void
test_xml(void)
{
	struct dmarc_report_out o;
	size_t n = build_xml(&o, big, sizeof(big));
	size_t cut;

	TEST_CHECK(o.err == SK_OK && n == strlen(want_xml) &&
		memcmp(big, want_xml, n) == 0,
	    "got:\n%.*s", (int)n, (const char *)big);
	/* every shorter buffer: SK_E_FULL, never an overrun (ASan) */
	for (cut = 0; cut < strlen(want_xml); cut += 97) {
		uint8_t *small = big + sizeof(big) - cut;

		(void)build_xml(&o, small, cut);
		TEST_CHECK(o.err == SK_E_FULL && o.len <= cut,
		    "cap %zu: got %s", cut, sk_result_str(o.err));
	}
}

/* --- gzip -------------------------------------------------------------- */

/* gunzip - inflate a gzip member; its length or -1 */
static long
gunzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream z;
	long n;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	n = inflate(&z, Z_FINISH) == Z_STREAM_END && z.avail_in == 0 ?
	    (long)(cap - z.avail_out) :
	    -1;
	inflateEnd(&z);
	return n;
}

static void
test_gzip(void)
{
	size_t n = strlen(want_xml), glen = 0, glen2 = 0, small;
	long got;

	TEST_CHECK(dmarc_report_gzip((const uint8_t *)want_xml, n, 1764115199,
		       gz, sizeof(gz), &glen) == SK_OK,
	    "gzip failed");
	/* RFC 1952 2.3: ID1 ID2 CM=8, FLG 0, MTIME little-endian, OS 3 */
	TEST_CHECK(glen > 18 && gz[0] == 0x1f && gz[1] == 0x8b && gz[2] == 8 &&
		gz[3] == 0 && gz[4] == (1764115199 & 0xff) && gz[9] == 3,
	    "header %02x %02x %02x %02x %02x os %02x", gz[0], gz[1], gz[2],
	    gz[3], gz[4], gz[9]);
	TEST_CHECK(glen < n / 3, "compressed %zu of %zu", glen, n);
	got = gunzip(gz, glen, back, sizeof(back));
	TEST_CHECK(got == (long)n && memcmp(back, want_xml, n) == 0,
	    "inflated %ld octets, want the %zu of the XML", got, n);
	/* deterministic */
	TEST_CHECK(dmarc_report_gzip((const uint8_t *)want_xml, n, 1764115199,
		       back, sizeof(back), &glen2) == SK_OK &&
		glen2 == glen && memcmp(back, gz, glen) == 0,
	    "two runs differ");
	for (small = 0; small < glen; small += 50) {
		TEST_CHECK(dmarc_report_gzip((const uint8_t *)want_xml, n, 0,
			       back, small, &glen2) == SK_E_FULL &&
			glen2 == 0,
		    "cap %zu: not SK_E_FULL", small);
	}
}

/* --- the mail ---------------------------------------------------------- */

static const char *const mail_to[] = { "rua@example.org",
	"agg@reports.example" };

static void
mail_req(struct dmarc_report_mail *m, const uint8_t *g, size_t glen)
{
	memset(m, 0, sizeof(*m));
	m->from = "dmarc-reports@example.net";
	m->to = mail_to;
	m->nto = 2;
	m->submitter = "example.net";
	m->policy_domain = "example.org";
	m->report_id = "1764115200.example.org";
	m->begin = 1764028800;
	m->end = 1764115199;
	m->now = 1764115260;
	m->gz = g;
	m->gzlen = glen;
}

/* attachment - the base64 lines between the attachment's empty line and
 * the closing boundary, decoded into out */
static long
attachment(const char *mail, uint8_t *out, size_t cap)
{
	const char *p = strstr(mail, "Content-Disposition: attachment");
	const char *end;
	size_t n;

	if (p == NULL || (p = strstr(p, "\r\n\r\n")) == NULL ||
	    (end = strstr(p, "\r\n--=_sk-dmarc-")) == NULL) {
		return -1;
	}
	p += 4;
	if (base64_decode((const uint8_t *)p, (size_t)(end - p),
		BASE64_SKIP_WHITESPACE, out, cap, &n) != SK_OK) {
		return -1;
	}
	return (long)n;
}

static void
test_mail(void)
{
	static char mail[1 << 16];
	static uint8_t raw[1 << 16];
	struct dmarc_report_mail m;
	struct dmarc_report_out o;
	size_t glen = 0, n = strlen(want_xml);
	long rawlen, got;

	(void)dmarc_report_gzip((const uint8_t *)want_xml, n, 1764115199, gz,
	    sizeof(gz), &glen);
	mail_req(&m, gz, glen);
	dmarc_report_out_init(&o, (uint8_t *)mail, sizeof(mail) - 1);
	TEST_CHECK(dmarc_report_mail_build(&m, &o) == SK_OK, "build failed");
	mail[o.len] = '\0';
	TEST_CHECK(strstr(mail,
		       "Subject: Report Domain: example.org\r\n"
		       " Submitter: example.net\r\n"
		       " Report-ID: <1764115200.example.org>\r\n") != NULL,
	    "no RFC 7489 7.2.1.1 Subject in:\n%s", mail);
	TEST_CHECK(strncmp(mail,
		       "From: <dmarc-reports@example.net>\r\n"
		       "To: <rua@example.org>,\r\n"
		       "\t<agg@reports.example>\r\n"
		       "Date: Wed, 26 Nov 2025 00:01:00 +0000\r\n",
		       118) == 0,
	    "header:\n%.200s", mail);
	TEST_CHECK(strstr(mail,
		       "filename=\"example.net!example.org!"
		       "1764028800!1764115199.xml.gz\"") != NULL,
	    "no file name");
	TEST_CHECK(strstr(mail, "Content-Type: application/gzip;") != NULL,
	    "no application/gzip");
	TEST_CHECK(strstr(mail, "\n\n") == NULL && strstr(mail, "\r\r") == NULL,
	    "bare line ends");
	rawlen = attachment(mail, raw, sizeof(raw));
	got = rawlen > 0 ? gunzip(raw, (size_t)rawlen, back, sizeof(back)) : -1;
	TEST_CHECK(rawlen == (long)glen && got == (long)n &&
		memcmp(back, want_xml, n) == 0,
	    "attachment %ld octets (want %zu), inflated %ld", rawlen, glen,
	    got);
	/* a header injection is refused */
	m.policy_domain = "example.org\r\nBcc: x@y.example";
	dmarc_report_out_init(&o, (uint8_t *)mail, sizeof(mail));
	TEST_CHECK(dmarc_report_mail_build(&m, &o) == SK_E_SYNTAX,
	    "CRLF in a domain accepted");
	mail_req(&m, gz, glen);
	m.report_id = "a>b";
	TEST_CHECK(dmarc_report_mail_build(&m, &o) == SK_E_SYNTAX,
	    "'>' in the id accepted");
	mail_req(&m, gz, glen);
	dmarc_report_out_init(&o, (uint8_t *)mail, 300);
	TEST_CHECK(dmarc_report_mail_build(&m, &o) == SK_E_FULL,
	    "small buffer not SK_E_FULL");
}

/* --- destinations ------------------------------------------------------ */

static const struct {
	const char *rua; /* the rua value */
	enum sk_result want;
	const char *addr;
	uint64_t size;
} dest_cases[] = {
	{ "mailto:rua@example.org", SK_OK, "rua@example.org", 0 },
	{ "mailto:rua@example.org!10m", SK_OK, "rua@example.org", 10u << 20 },
	{ "mailto:r%75a@example.org!2k", SK_OK, "rua@example.org", 2048 },
	{ "mailto:rua@example.org?", SK_OK, "rua@example.org", 0 },
	{ "mailto:rua@example.org?subject=x", SK_E_SYNTAX, NULL, 0 },
	{ "mailto:rua%0d%0a@example.org", SK_E_SYNTAX, NULL, 0 },
	{ "mailto:rua%3c@example.org", SK_E_SYNTAX, NULL, 0 },
	{ "mailto:noat.example.org", SK_E_SYNTAX, NULL, 0 },
	{ "mailto:a@b@example.org", SK_E_SYNTAX, NULL, 0 },
	{ "mailto:a@localhost", SK_E_SYNTAX, NULL, 0 },
	{ "https://example.org/rua", SK_E_UNKNOWN, NULL, 0 },
};

static void
test_dest_parse(void)
{
	char txt[256];
	struct dmarc_record rec;
	struct dmarc_report_dest d;
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(dest_cases); i++) {
		(void)snprintf(txt, sizeof(txt), "v=DMARC1; p=none; rua=%s",
		    dest_cases[i].rua);
		if (dmarc_record_parse((const uint8_t *)txt, strlen(txt),
			&rec) != SK_OK ||
		    rec.nrua != 1) {
			test_fail("%s: the record parser refused it", txt);
			continue;
		}
		r = dmarc_report_dest_parse(&rec.rua[0], &d);
		TEST_CHECK(r == dest_cases[i].want &&
			(r != SK_OK ||
			    (strcmp(d.addr, dest_cases[i].addr) == 0 &&
				d.max_size == dest_cases[i].size &&
				strcmp(d.domain, "example.org") == 0)),
		    "%s: got %s addr %s size %llu", dest_cases[i].rua,
		    sk_result_str(r), d.addr, (unsigned long long)d.max_size);
	}
}

static const char verify_zone[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "example.org._report._dmarc.reports TXT \"v=DMARC1\"\n"
    "example.org._report._dmarc.spf TXT \"v=spf1 -all\"\n"
    "example.org._report._dmarc.broken TXT \"SEKIMORI-TEMPFAIL\"\n"
    "example.org._report._dmarc.two TXT \"v=spf1 -all\"\n"
    "example.org._report._dmarc.two TXT \"v=DMARC1; rua=x\"\n";

static void
test_dest_verify(void)
{
	static const struct {
		const char *addr;
		enum dmarc_report_verify want;
	} cases[] = {
		{ "rua@example.org", DMARC_VERIFY_OK },     /* same domain */
		{ "rua@sub.example.org", DMARC_VERIFY_OK }, /* same org */
		{ "agg@reports.example", DMARC_VERIFY_OK }, /* authorized */
		{ "agg@other.example", DMARC_VERIFY_REFUSED },
		{ "agg@spf.example", DMARC_VERIFY_REFUSED }, /* no DMARC1 */
		{ "agg@broken.example", DMARC_VERIFY_TEMPERROR },
		{ "agg@two.example", DMARC_VERIFY_OK },
	};
	static struct dns_zone z;
	static struct dns_zone_rr rr[16];
	static uint8_t data[2048];
	static struct dns_answer ans;
	struct dns_resolver res;
	struct dmarc_report_dest d;
	enum dmarc_report_verify v;
	char qname[DNS_NAME_MAX + 1];
	char longname[300];
	size_t i;

	dns_zone_init(&z, rr, SK_NELEM(rr), data, sizeof(data));
	if (dns_zone_parse(&z, (const uint8_t *)verify_zone,
		strlen(verify_zone)) != SK_OK) {
		test_fail("zone: %s line %zu", z.err ? z.err : "-", z.line);
		return;
	}
	dns_zone_resolver(&z, &res);
	for (i = 0; i < SK_NELEM(cases); i++) {
		memset(&d, 0, sizeof(d));
		strcpy(d.addr, cases[i].addr);
		d.domain = strchr(d.addr, '@') + 1;
		v = dmarc_report_dest_verify(&ans, &res, "example.org", &d);
		TEST_CHECK(v == cases[i].want, "%s: got %s, want %s",
		    cases[i].addr, dmarc_report_verify_str(v),
		    dmarc_report_verify_str(cases[i].want));
	}
	TEST_CHECK(dmarc_report_dest_qname("example.org", "reports.example",
		       qname, sizeof(qname)) == SK_OK &&
		strcmp(qname, "example.org._report._dmarc.reports.example") ==
		    0,
	    "qname %s", qname);
	memset(longname, 'a', 200);
	strcpy(longname + 200, ".example");
	TEST_CHECK(dmarc_report_dest_qname(longname, "reports.example", qname,
		       sizeof(qname)) == SK_E_TOO_LONG,
	    "a name over 255 octets accepted");
}

/* --- DKIM text ------------------------------------------------------- */

static void
test_dkim_text(void)
{
	static const char *const bad[] = { "", ";", "a b", "a b c;", "a b c d",
		"a  c", "a b c;;d e f", " a b c", "a\x01 b c",
		("a b c;d e f;g h i;j k l;m n o;p q r;s t u;v w x;"
		 "y z a") };
	struct dmarc_report_row r[2], p;
	char text[DMARC_REPORT_DKIM_TEXT_MAX + 1];
	size_t i;

	fill_rows(r);
	TEST_CHECK(dmarc_report_dkim_format(&r[0], text, sizeof(text)) ==
		    SK_OK &&
		strcmp(text, "example.org s1 pass;esp.example - fail") == 0,
	    "format: %s", text);
	memset(&p, 0, sizeof(p));
	TEST_CHECK(dmarc_report_dkim_parse((const uint8_t *)text, strlen(text),
		       &p) == SK_OK &&
		p.ndkim == 2 && strcmp(p.dkim[1].domain, "esp.example") == 0 &&
		p.dkim[1].selector[0] == '\0' &&
		strcmp(p.dkim[0].selector, "s1") == 0 &&
		strcmp(p.dkim[0].result, "pass") == 0,
	    "parse back: %zu results", p.ndkim);
	TEST_CHECK(dmarc_report_dkim_format(&r[1], text, sizeof(text)) ==
		    SK_OK &&
		text[0] == '\0',
	    "no DKIM: \"%s\"", text);
	for (i = 0; i < SK_NELEM(bad); i++) {
		p.ndkim = 5;
		TEST_CHECK(dmarc_report_dkim_parse((const uint8_t *)bad[i],
			       strlen(bad[i]), &p) != SK_OK ||
			(bad[i][0] == '\0' && p.ndkim == 0),
		    "\"%s\" accepted", bad[i]);
		TEST_CHECK(p.ndkim == 0 || bad[i][0] == '\0',
		    "\"%s\": results left on error", bad[i]);
	}
	strcpy(r[0].dkim[0].selector, "s 1");
	TEST_CHECK(dmarc_report_dkim_format(&r[0], text, sizeof(text)) ==
		SK_E_SYNTAX,
	    "a selector with a space formatted");
}

const struct test_case test_cases[] = {
	{ "dmarc_report_escape", test_escape },
	{ "dmarc_report_xml", test_xml },
	{ "dmarc_report_gzip", test_gzip },
	{ "dmarc_report_mail", test_mail },
	{ "dmarc_report_dest_parse", test_dest_parse },
	{ "dmarc_report_dest_verify", test_dest_verify },
	{ "dmarc_report_dkim_text", test_dkim_text },
};
const size_t test_ncases = SK_NELEM(test_cases);
