/*
 * queue_dsn.c - RFC 3464 delivery status notifications (queue_dsn.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "msg_types.h"
#include "queue_dsn.h"

#define QUEUE_DSN_DATE_SIZE 40
#define QUEUE_DSN_BOUNDARY_SIZE 320

enum queue_dsn_kind {
	QUEUE_DSN_KIND_FAILURE,
	QUEUE_DSN_KIND_DELAY,
	QUEUE_DSN_KIND_SUCCESS,
};

/* What goes into the third part. */
enum queue_dsn_part {
	QUEUE_DSN_PART_NONE,
	QUEUE_DSN_PART_HEADERS,
	QUEUE_DSN_PART_FULL,
};

struct queue_dsn_out {
	queue_dsn_sink *sink;
	void *arg;
	int err;
	int allow8; /* SMTPUTF8: 8-bit text may stay */
	struct queue_dsn_info *info;
};

/* ---- output ------------------------------------------------------ */

static void
out_bytes(struct queue_dsn_out *o, const void *p, size_t n)
{
	if (o->err || n == 0) {
		return;
	}
	if (o->sink(o->arg, p, n) != 0) {
		o->err = 1;
		return;
	}
	o->info->size += n;
}

static void
out_str(struct queue_dsn_out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

/* out_clean - a value that came from outside: one line, bounded */
static void
out_clean(struct queue_dsn_out *o, const char *s)
{
	char buf[QUEUE_DSN_TEXT_MAX + 4];
	size_t n = 0;
	unsigned char c;

	for (; *s != '\0' && n < QUEUE_DSN_TEXT_MAX; s++) {
		c = (unsigned char)*s;
		if (c == '\r' || c == '\n' || c == '\t') {
			c = ' ';
		} else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !o->allow8)) {
			c = '?';
		}
		if (c >= 0x80) {
			o->info->eight_bit = 1;
		}
		buf[n++] = (char)c;
	}
	if (*s != '\0') {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	out_bytes(o, buf, n);
}

/* out_field - "Name: value" CRLF, the value cleaned */
static void
out_field(struct queue_dsn_out *o, const char *name, const char *value)
{
	out_str(o, name);
	out_str(o, ": ");
	out_clean(o, value);
	out_str(o, "\r\n");
}

/* ---- values ------------------------------------------------------ */

/* queue_dsn_date - RFC 5322 3.3 date-time in UTC, locale-free */
static void
queue_dsn_date(char out[QUEUE_DSN_DATE_SIZE], int64_t ms)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms > 0 ? ms / 1000 : 0);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(out, QUEUE_DSN_DATE_SIZE,
		    "Thu, 1 Jan 1970 00:00:00 +0000");
		return;
	}
	snprintf(out, QUEUE_DSN_DATE_SIZE, "%s, %d %s %d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
queue_dsn_hex(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1; /* RFC 3461 4: hexchar is upper case only */
}

int
queue_xtext_decode(const char *in, char *out, size_t size)
{
	size_t n = 0;
	int hi, lo;

	for (; *in != '\0'; in++) {
		int c = (unsigned char)*in;

		if (c == '+') {
			if ((hi = queue_dsn_hex(in[1])) < 0 ||
			    (lo = queue_dsn_hex(in[2])) < 0) {
				return -1;
			}
			c = hi << 4 | lo;
			in += 2;
		}
		if (c == 0 || n + 1 >= size) {
			return -1;
		}
		out[n++] = (char)c;
	}
	if (size == 0) {
		return -1;
	}
	out[n] = '\0';
	return 0;
}

/* queue_dsn_ascii_only - no 8-bit octets in s */
static int
queue_dsn_ascii_only(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80) {
			return 0;
		}
	}
	return 1;
}

/* queue_dsn_digits - length of a run of 1 to 3 digits at s, or 0 */
static size_t
queue_dsn_digits(const char *s)
{
	size_t n = 0;

	while (n < 4 && s[n] >= '0' && s[n] <= '9') {
		n++;
	}
	return n <= 3 ? n : 0;
}

/* queue_dsn_status - r's RFC 3463 code if well formed, else the action's
 * default (RFC 3463 3.1: class "." subject "." detail) */
static const char *
queue_dsn_status(const struct queue_dsn_rcpt *r)
{
	const char *s = r->status, *p;
	size_t n;

	if (s != NULL && (s[0] == '2' || s[0] == '4' || s[0] == '5') &&
	    s[1] == '.' && (n = queue_dsn_digits(s + 2)) > 0 &&
	    s[2 + n] == '.') {
		p = s + 3 + n;
		if ((n = queue_dsn_digits(p)) > 0 && p[n] == '\0') {
			return s;
		}
	}
	switch (r->action) {
	case QUEUE_DSN_FAILED:
		return "5.0.0";
	case QUEUE_DSN_DELAYED:
		return "4.0.0";
	default:
		return "2.0.0";
	}
}

/* queue_dsn_name_char - a character of a host name or address literal */
static int
queue_dsn_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
	    c == '_';
}

/*
 * queue_dsn_mta - the name for Remote-MTA from a relay: "host" of
 * "host[ip]:port", or "ip" of "[ip]:port"; -1 for "none", "" or
 * anything else.
 */
static int
queue_dsn_mta(const char *relay, char *out, size_t size)
{
	const char *p = relay;
	char end = '[';
	size_t n = 0;

	if (relay == NULL || strcmp(relay, "none") == 0) {
		return -1;
	}
	if (*p == '[') {
		p++;
		end = ']';
	}
	for (; *p != '\0' && *p != end && n + 1 < size; p++) {
		if (!queue_dsn_name_char(*p) || (end == '[' && *p == ':')) {
			break;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* queue_dsn_is_smtp_reply - starts with a three-digit reply code */
static int
queue_dsn_is_smtp_reply(const char *s)
{
	return s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' &&
	    (s[3] == ' ' || s[3] == '-' || s[3] == '\0');
}

static enum queue_dsn_kind
queue_dsn_kind(const struct queue_dsn *d)
{
	enum queue_dsn_kind k = QUEUE_DSN_KIND_SUCCESS;
	size_t i;

	for (i = 0; i < d->nrcpts; i++) {
		if (d->rcpts[i].action == QUEUE_DSN_FAILED) {
			return QUEUE_DSN_KIND_FAILURE;
		}
		if (d->rcpts[i].action == QUEUE_DSN_DELAYED) {
			k = QUEUE_DSN_KIND_DELAY;
		}
	}
	return k;
}

/* queue_dsn_part - what of the original comes back, and how much */
static enum queue_dsn_part
queue_dsn_part(const struct queue_dsn *d, enum queue_dsn_kind k,
    const uint8_t *content, size_t len, size_t *n)
{
	if (k == QUEUE_DSN_KIND_FAILURE && d->ret != MSG_RET_HDRS &&
	    d->body != MSG_BODY_BINARYMIME && len <= QUEUE_DSN_FULL_MAX) {
		*n = len;
		return QUEUE_DSN_PART_FULL;
	}
	*n = queue_dsn_header_len(content, len);
	return *n > 0 ? QUEUE_DSN_PART_HEADERS : QUEUE_DSN_PART_NONE;
}

size_t
queue_dsn_header_len(const uint8_t *p, size_t len)
{
	size_t i, last = 0, max = len;

	if (max > QUEUE_DSN_HEADERS_MAX) {
		max = QUEUE_DSN_HEADERS_MAX;
	}
	for (i = 0; i + 1 < max; i++) {
		if (p[i] != '\r' || p[i + 1] != '\n') {
			continue;
		}
		if (i == last) {
			return last; /* an empty line: the header ends */
		}
		last = i + 2;
	}
	return max == len ? len : last;
}

/* queue_dsn_boundary - a boundary that does not occur in the returned
 * bytes, or -1 when QUEUE_DSN_BOUNDARY_TRIES all did */
static int
queue_dsn_boundary(const struct queue_dsn *d, const uint8_t *content, size_t n,
    char out[QUEUE_DSN_BOUNDARY_SIZE])
{
	char delim[QUEUE_DSN_BOUNDARY_SIZE + 2];
	int i;

	for (i = 0; i < QUEUE_DSN_BOUNDARY_TRIES; i++) {
		snprintf(out, QUEUE_DSN_BOUNDARY_SIZE, "%s.%d/%.200s",
		    d->new_id, i, d->server);
		snprintf(delim, sizeof(delim), "--%s", out);
		if (n == 0 ||
		    memmem(content, n, delim, strlen(delim)) == NULL) {
			return 0;
		}
	}
	return -1;
}

/* ---- the parts --------------------------------------------------- */

static const char *const queue_dsn_subjects[] = {
	[QUEUE_DSN_KIND_FAILURE] = "Undelivered Mail Returned to Sender",
	[QUEUE_DSN_KIND_DELAY] = "Delayed Mail (still being retried)",
	[QUEUE_DSN_KIND_SUCCESS] = "Successful Mail Delivery Report",
};

static void
queue_dsn_head(struct queue_dsn_out *o, const struct queue_dsn *d,
    enum queue_dsn_kind k, const char *boundary, int eight_bit)
{
	char date[QUEUE_DSN_DATE_SIZE];

	queue_dsn_date(date, d->date_ms);
	out_str(o, "From: MAILER-DAEMON@");
	out_clean(o, d->server);
	out_str(o, " (Mail Delivery System)\r\nTo: <");
	out_clean(o, d->sender);
	out_str(o, ">\r\n");
	out_field(o, "Subject", queue_dsn_subjects[k]);
	out_field(o, "Date", date);
	out_str(o, "Message-ID: <");
	out_clean(o, d->new_id);
	out_str(o, "@");
	out_clean(o, d->server);
	out_str(o, ">\r\n");
	/* RFC 3834 5: an automatic reply, so responders stay quiet */
	out_str(o,
	    "Auto-Submitted: auto-replied\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; "
	    "report-type=delivery-status;\r\n\tboundary=\"");
	out_str(o, boundary);
	out_str(o, "\"\r\n");
	if (eight_bit) {
		out_str(o, "Content-Transfer-Encoding: 8bit\r\n");
	}
	out_str(o, "\r\nThis is a MIME-encapsulated message.\r\n");
}

static void
queue_dsn_delim(struct queue_dsn_out *o, const char *boundary)
{
	out_str(o, "\r\n--");
	out_str(o, boundary);
	out_str(o, "\r\n");
}

/* queue_dsn_intro - the first lines of the human-readable part */
static void
queue_dsn_intro(struct queue_dsn_out *o, const struct queue_dsn *d,
    enum queue_dsn_kind k, enum queue_dsn_part part)
{
	char until[QUEUE_DSN_DATE_SIZE];
	size_t i;

	out_str(o, "This report comes from the mail system at ");
	out_clean(o, d->server);
	out_str(o, ".\r\n\r\n");
	switch (k) {
	case QUEUE_DSN_KIND_FAILURE:
		out_str(o,
		    "Your message could not be delivered to the "
		    "recipients listed below.\r\n");
		out_str(o,
		    part == QUEUE_DSN_PART_FULL ?
			"A copy of the message is attached.\r\n" :
			"The header of the message is attached.\r\n");
		break;
	case QUEUE_DSN_KIND_DELAY:
		out_str(o,
		    "Your message has not been delivered yet to the "
		    "recipients listed below.\r\nThe mail system "
		    "keeps trying");
		for (i = 0; i < d->nrcpts; i++) {
			if (d->rcpts[i].retry_until_ms > 0) {
				queue_dsn_date(until,
				    d->rcpts[i].retry_until_ms);
				out_str(o, " until ");
				out_str(o, until);
				break;
			}
		}
		out_str(o, "; you need not send it again.\r\n");
		break;
	case QUEUE_DSN_KIND_SUCCESS:
		out_str(o,
		    "Your message was handed to the mail servers of "
		    "the recipients listed below.\r\n");
		break;
	}
	out_str(o,
	    "Please quote the attached report if you contact your "
	    "postmaster.\r\n\r\n");
}

static void
queue_dsn_text(struct queue_dsn_out *o, const struct queue_dsn *d,
    enum queue_dsn_kind k, enum queue_dsn_part part)
{
	static const char *const what[] = {
		[QUEUE_DSN_FAILED] = "failed",
		[QUEUE_DSN_DELAYED] = "delayed",
		[QUEUE_DSN_DELIVERED] = "delivered",
		[QUEUE_DSN_RELAYED] = "relayed",
	};
	size_t i;

	out_str(o,
	    "Content-Description: Notification\r\n"
	    "Content-Type: text/plain; charset=");
	out_str(o, o->allow8 ? "utf-8" : "us-ascii");
	out_str(o, "\r\n\r\n");
	queue_dsn_intro(o, d, k, part);
	for (i = 0; i < d->nrcpts; i++) {
		const struct queue_dsn_rcpt *r = &d->rcpts[i];

		out_str(o, "<");
		out_clean(o, r->address);
		out_str(o, ">: ");
		out_str(o, what[r->action]);
		if (r->reply != NULL && r->reply[0] != '\0') {
			out_str(o, ": ");
			out_clean(o, r->reply);
		}
		out_str(o, "\r\n");
	}
}

/* queue_dsn_addr_field - "Name: rfc822; addr" (utf-8 when it must be) */
static void
queue_dsn_addr_field(struct queue_dsn_out *o, const char *name,
    const char *type, const char *addr)
{
	out_str(o, name);
	out_str(o, ": ");
	/* RFC 6533 3.2: an address with UTF-8 is of type utf-8 */
	out_str(o, o->allow8 && !queue_dsn_ascii_only(addr) ? "utf-8" : type);
	out_str(o, "; ");
	out_clean(o, addr);
	out_str(o, "\r\n");
}

/* queue_dsn_orcpt - Original-Recipient from ORCPT, if it decodes */
static void
queue_dsn_orcpt(struct queue_dsn_out *o, const char *orcpt)
{
	char type[64], addr[1024];
	const char *semi;
	size_t n;

	if (orcpt == NULL || (semi = strchr(orcpt, ';')) == NULL) {
		return;
	}
	n = (size_t)(semi - orcpt);
	if (n == 0 || n >= sizeof(type) ||
	    queue_xtext_decode(semi + 1, addr, sizeof(addr)) == -1) {
		return;
	}
	memcpy(type, orcpt, n);
	type[n] = '\0';
	out_str(o, "Original-Recipient: ");
	out_clean(o, type);
	out_str(o, "; ");
	out_clean(o, addr);
	out_str(o, "\r\n");
}

static void
queue_dsn_rcpt_fields(struct queue_dsn_out *o, const struct queue_dsn_rcpt *r)
{
	static const char *const action[] = {
		[QUEUE_DSN_FAILED] = "failed",
		[QUEUE_DSN_DELAYED] = "delayed",
		[QUEUE_DSN_DELIVERED] = "delivered",
		[QUEUE_DSN_RELAYED] = "relayed",
	};
	char date[QUEUE_DSN_DATE_SIZE], mta[256];

	out_str(o, "\r\n");
	queue_dsn_orcpt(o, r->orcpt);
	queue_dsn_addr_field(o, "Final-Recipient", "rfc822", r->address);
	out_field(o, "Action", action[r->action]);
	out_field(o, "Status", queue_dsn_status(r));
	if (queue_dsn_mta(r->relay, mta, sizeof(mta)) == 0) {
		out_str(o, "Remote-MTA: dns; ");
		out_str(o, mta);
		out_str(o, "\r\n");
	}
	if (r->reply != NULL && r->reply[0] != '\0') {
		out_str(o,
		    queue_dsn_is_smtp_reply(r->reply) ?
			"Diagnostic-Code: smtp; " :
			"Diagnostic-Code: X-Sekimori; ");
		out_clean(o, r->reply);
		out_str(o, "\r\n");
	}
	if (r->last_attempt_ms > 0) {
		queue_dsn_date(date, r->last_attempt_ms);
		out_field(o, "Last-Attempt-Date", date);
	}
	if (r->action == QUEUE_DSN_DELAYED && r->retry_until_ms > 0) {
		queue_dsn_date(date, r->retry_until_ms);
		out_field(o, "Will-Retry-Until", date);
	}
}

static void
queue_dsn_report(struct queue_dsn_out *o, const struct queue_dsn *d)
{
	char date[QUEUE_DSN_DATE_SIZE], envid[256];
	size_t i;

	out_str(o, "Content-Description: Delivery report\r\nContent-Type: ");
	out_str(o,
	    o->allow8 ? "message/global-delivery-status" :
			"message/delivery-status");
	out_str(o, "\r\n\r\nReporting-MTA: dns; ");
	out_clean(o, d->server);
	out_str(o, "\r\n");
	out_field(o, "X-Sekimori-Queue-ID", d->queue_id);
	if (d->envid[0] != '\0') {
		/* RFC 3464 2.2.1: the ENVID decoded from xtext; kept as
		 * sent when it does not decode */
		out_field(o, "Original-Envelope-Id",
		    queue_xtext_decode(d->envid, envid, sizeof(envid)) == 0 ?
			envid :
			d->envid);
	}
	queue_dsn_date(date, d->arrival_ms);
	out_field(o, "Arrival-Date", date);
	for (i = 0; i < d->nrcpts; i++) {
		queue_dsn_rcpt_fields(o, &d->rcpts[i]);
	}
}

static void
queue_dsn_returned(struct queue_dsn_out *o, enum queue_dsn_part part,
    const uint8_t *content, size_t n, int eight_bit)
{
	if (part == QUEUE_DSN_PART_FULL) {
		out_str(o,
		    "Content-Description: Undelivered Message\r\n"
		    "Content-Type: ");
		out_str(o, o->allow8 ? "message/global" : "message/rfc822");
	} else {
		out_str(o,
		    "Content-Description: Message Headers\r\n"
		    "Content-Type: ");
		out_str(o,
		    o->allow8 ? "message/global-headers" :
				"text/rfc822-headers");
	}
	out_str(o, "\r\n");
	if (eight_bit) {
		out_str(o, "Content-Transfer-Encoding: 8bit\r\n");
	}
	out_str(o, "\r\n");
	out_bytes(o, content, n);
}

/* queue_dsn_8bit - whether any octet of p[0..n) is 8-bit */
static int
queue_dsn_8bit(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= 0x80) {
			return 1;
		}
	}
	return 0;
}

enum sk_result
queue_dsn_compose(const struct queue_dsn *d, const uint8_t *content, size_t len,
    queue_dsn_sink *sink, void *arg, struct queue_dsn_info *info)
{
	struct queue_dsn_out o = { sink, arg, 0, d->smtputf8 != 0, info };
	enum queue_dsn_kind k = queue_dsn_kind(d);
	char boundary[QUEUE_DSN_BOUNDARY_SIZE];
	enum queue_dsn_part part;
	size_t n;

	memset(info, 0, sizeof(*info));
	part = queue_dsn_part(d, k, content, len, &n);
	if (queue_dsn_boundary(d, content, n, boundary) == -1) {
		part = QUEUE_DSN_PART_NONE;
		n = 0;
		(void)queue_dsn_boundary(d, content, 0, boundary);
	}
	/* 8-bit octets in the returned content, or UTF-8 addresses and
	 * texts (SMTPUTF8), make the whole report 8bit. */
	info->eight_bit = queue_dsn_8bit(content, n) ||
	    (d->smtputf8 && !queue_dsn_ascii_only(d->sender));
	info->returned_full = part == QUEUE_DSN_PART_FULL;
	queue_dsn_head(&o, d, k, boundary, info->eight_bit || d->smtputf8);
	queue_dsn_delim(&o, boundary);
	queue_dsn_text(&o, d, k, part);
	queue_dsn_delim(&o, boundary);
	queue_dsn_report(&o, d);
	if (part != QUEUE_DSN_PART_NONE) {
		queue_dsn_delim(&o, boundary);
		queue_dsn_returned(&o, part, content, n, info->eight_bit);
	}
	out_str(&o, "\r\n--");
	out_str(&o, boundary);
	out_str(&o, "--\r\n");
	if (d->smtputf8) {
		info->eight_bit = 1;
	}
	return o.err ? SK_E_IO : SK_OK;
}

/* ---- the content filter's notice ---------------------------------- */

/* queue_notice_body - the text after its first line (and the empty line
 * after it), one cleaned line at a time */
static void
queue_notice_body(struct queue_dsn_out *o, const char *p)
{
	char line[QUEUE_DSN_TEXT_MAX + 1];
	size_t n;

	if (p[0] == '\r' && p[1] == '\n') {
		p += 2; /* the empty line after the subject */
	}
	while (*p != '\0') {
		n = strcspn(p, "\r\n");
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		out_clean(o, line);
		out_str(o, "\r\n");
		p += n;
		p += *p == '\r' ? 1 : 0;
		p += *p == '\n' ? 1 : 0;
	}
}

enum sk_result
queue_notice_compose(const struct queue_notice *n, queue_dsn_sink *sink,
    void *arg, struct queue_dsn_info *info)
{
	struct queue_dsn_out o = { sink, arg, 0, 0, info };
	char date[QUEUE_DSN_DATE_SIZE], subject[QUEUE_DSN_TEXT_MAX + 1];
	const char *rest;
	size_t i, len;

	memset(info, 0, sizeof(*info));
	len = strcspn(n->text, "\r\n");
	snprintf(subject, sizeof(subject), "%.*s", (int)len, n->text);
	queue_dsn_date(date, n->date_ms);
	out_str(&o, "From: \"Sekimori content filter\" <postmaster@");
	out_clean(&o, n->server);
	out_str(&o, ">\r\nTo: ");
	/* one address a line: eight long ones stay under 998 octets each */
	for (i = 0; i < n->nrcpts && i < QUEUE_NOTICE_RCPTS_MAX; i++) {
		out_str(&o, i > 0 ? ",\r\n <" : "<");
		out_clean(&o, n->rcpts[i]);
		out_str(&o, ">");
	}
	out_str(&o, "\r\n");
	out_field(&o, "Subject", subject[0] != '\0' ? subject : "[Sekimori]");
	out_field(&o, "Date", date);
	out_str(&o, "Message-ID: <");
	out_clean(&o, n->new_id);
	out_str(&o, "@");
	out_clean(&o, n->server);
	out_str(&o, ">\r\n");
	/* RFC 3834 5: made by the box on its own, not a reply */
	out_str(&o,
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "\r\n");
	rest = n->text + len;
	rest += *rest == '\r' ? 1 : 0;
	rest += *rest == '\n' ? 1 : 0;
	queue_notice_body(&o, rest);
	return o.err ? SK_E_IO : SK_OK;
}
