/*
 * dmarc_report_mail.c - the mail that carries an aggregate report (RFC
 * 7489 7.2.1.1): the Subject and the file name the RFC fixes, a short
 * text part and the gzip file as an application/gzip attachment in
 * base64, CRLF lines. Deterministic: the clock is the caller's.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "dmarc_report.h"

#define DMARC_MAIL_B64_IN 57 /* octets per 76-character base64 line */

/* dmarc_report_mail_token - printable ASCII without space and without the
 * characters that would end or split a header token */
static int
dmarc_report_mail_token(const char *s, const char *forbid)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL || *p == '\0' || strlen(s) >= DMARC_REPORT_ADDR_MAX) {
		return 0;
	}
	for (; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || strchr(forbid, *p) != NULL) {
			return 0;
		}
	}
	return 1;
}

/* dmarc_report_mail_ok - every field fits into a header */
static int
dmarc_report_mail_ok(const struct dmarc_report_mail *m)
{
	size_t i;

	if (!dmarc_report_mail_token(m->from, "<>,;\"()") ||
	    !dmarc_report_mail_token(m->submitter, "<>,;\"()!@/\\") ||
	    !dmarc_report_mail_token(m->policy_domain, "<>,;\"()!@/\\") ||
	    !dmarc_report_mail_token(m->report_id, "<>,;\"()!@/\\") ||
	    m->nto == 0) {
		return 0;
	}
	for (i = 0; i < m->nto; i++) {
		if (!dmarc_report_mail_token(m->to[i], "<>,;\"()")) {
			return 0;
		}
	}
	return 1;
}

/* dmarc_report_mail_date - RFC 5322 3.3 date-time of t, in UTC */
static void
dmarc_report_mail_date(uint64_t t, char *out, size_t cap)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_mday = 1;
		tm.tm_year = 70;
		tm.tm_wday = 4;
	}
	(void)snprintf(out, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* dmarc_report_mail_fmt - printf into o (each use is well under 1 KiB) */
static void SK_PRINTF(2, 3)
    dmarc_report_mail_fmt(struct dmarc_report_out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		if (o->err == SK_OK) {
			o->err = SK_E_TOO_LONG;
		}
		return;
	}
	dmarc_report_out_put(o, line, (size_t)n);
}

/* dmarc_report_mail_header - the header section */
static void
dmarc_report_mail_header(const struct dmarc_report_mail *m,
    struct dmarc_report_out *o, const char *boundary)
{
	char date[64];
	size_t i;

	dmarc_report_mail_date(m->now, date, sizeof(date));
	dmarc_report_mail_fmt(o, "From: <%s>\r\nTo: ", m->from);
	for (i = 0; i < m->nto; i++) {
		dmarc_report_mail_fmt(o, "%s<%s>", i > 0 ? ",\r\n\t" : "",
		    m->to[i]);
	}
	dmarc_report_mail_fmt(o, "\r\nDate: %s\r\n", date);
	/* RFC 7489 7.2.1.1: the Subject's words are fixed; folded before
	 * each part so that long domains keep lines short */
	dmarc_report_mail_fmt(o,
	    "Subject: Report Domain: %s\r\n Submitter: %s\r\n"
	    " Report-ID: <%s>\r\n",
	    m->policy_domain, m->submitter, m->report_id);
	dmarc_report_mail_fmt(o, "Message-ID: <%s@%s>\r\n", m->report_id,
	    m->submitter);
	/* RFC 3834 5: a machine sends this; nobody should auto-reply */
	dmarc_report_out_puts(o,
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n");
	dmarc_report_mail_fmt(o,
	    "Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"\r\n\r\n",
	    boundary);
}

/* dmarc_report_mail_b64 - the attachment in 76-character lines */
static void
dmarc_report_mail_b64(const struct dmarc_report_mail *m,
    struct dmarc_report_out *o)
{
	char line[DMARC_REPORT_LINE + 1];
	size_t off, n, used;

	for (off = 0; off < m->gzlen; off += n) {
		n = m->gzlen - off;
		if (n > DMARC_MAIL_B64_IN) {
			n = DMARC_MAIL_B64_IN;
		}
		if (base64_encode(m->gz + off, n, line, sizeof(line), &used) !=
		    SK_OK) {
			o->err = SK_E_TOO_LONG; /* cannot happen: 57 -> 76 */
			return;
		}
		dmarc_report_out_put(o, line, used);
		dmarc_report_out_puts(o, "\r\n");
	}
}

enum sk_result
dmarc_report_mail_build(const struct dmarc_report_mail *m,
    struct dmarc_report_out *o)
{
	char boundary[DMARC_REPORT_ID_MAX + 16];
	char file[2 * DMARC_DOMAIN_MAX + 64];

	if (!dmarc_report_mail_ok(m) ||
	    strlen(m->report_id) >= DMARC_REPORT_ID_MAX) {
		return SK_E_SYNTAX;
	}
	/* the id is a token: the boundary cannot occur in base64 or text */
	(void)snprintf(boundary, sizeof(boundary), "=_sk-dmarc-%s",
	    m->report_id);
	/* RFC 7489 7.2.1.1: receiver "!" policy-domain "!" begin "!" end */
	(void)snprintf(file, sizeof(file),
	    "%s!%s!%" PRIu64 "!%" PRIu64 ".xml.gz", m->submitter,
	    m->policy_domain, m->begin, m->end);
	dmarc_report_mail_header(m, o, boundary);
	dmarc_report_mail_fmt(o,
	    "This is a MIME message.\r\n\r\n--%s\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n"
	    "This is a DMARC aggregate report (RFC 7489) for %s\r\n"
	    "from %s, for the period %" PRIu64 " to %" PRIu64
	    " (seconds since 1970, UTC).\r\n\r\n",
	    boundary, m->policy_domain, m->submitter, m->begin, m->end);
	dmarc_report_mail_fmt(o,
	    "--%s\r\nContent-Type: application/gzip;\r\n\tname=\"%s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment;\r\n\tfilename=\"%s\"\r\n\r\n",
	    boundary, file, file);
	dmarc_report_mail_b64(m, o);
	dmarc_report_mail_fmt(o, "\r\n--%s--\r\n", boundary);
	return dmarc_report_out_result(o);
}
