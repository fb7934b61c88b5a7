/*
 * scan_milter_msg.c - the message, as the milter client sends it: header
 * fields split out of the octets (one HEADER each), then BODY chunks.
 *
 * The header ends at the first empty line, or at the first line that is
 * no field (no "name:" and no continuation), which then begins the body,
 * as Postfix's cleanup does; a line longer than SCAN_MILTER_HEADER_MAX is
 * no field either. A field is sent once the line after it shows that it
 * is complete. Folded lines are joined with "\n" (CR dropped), which is
 * how Sendmail hands folded fields to milters; a NUL in a field becomes a
 * space (a NUL would end the string on the wire).
 */
#include <string.h>

#include "scan_milter.h"
#include "scan_milter_int.h"

/* emit_field - the held field as HEADER, unless the milter skips them */
static void
emit_field(struct scan_milter *m)
{
	const uint8_t *f = m->field, *colon;
	size_t n = m->field_len, name_len, i;
	struct milter_pkt p;

	if (n == 0) {
		return;
	}
	m->field_len = 0;
	if (m->protocol & SMFIP_NOHDRS) {
		return;
	}
	for (i = 0; i < n; i++) {
		if (m->field[i] == '\0') {
			m->field[i] = ' ';
		}
	}
	colon = memchr(f, ':', n); /* there is one: is_field said so */
	name_len = (size_t)(colon - f);
	while (name_len > 0 &&
	    (f[name_len - 1] == ' ' || f[name_len - 1] == '\t')) {
		name_len--;
	}
	colon++;
	if (!(m->protocol & SMFIP_HDR_LEADSPC) && colon < f + n &&
	    (*colon == ' ' || *colon == '\t')) {
		colon++;
	}
	m->state = SCAN_MS_HEADER;
	milter_begin(m, &p, SMFIC_HEADER);
	milter_add(m, &p, f, name_len);
	milter_add(m, &p, "", 1);
	milter_add(m, &p, colon, (size_t)(f + n - colon));
	milter_add(m, &p, "", 1);
	milter_end(m, &p);
	m->awaiting = !(m->protocol & SMFIP_NR_HDR) && !m->done;
}

/* is_field - "name:" with printable name octets, white space before ':'
 * allowed (RFC 5322 4.5 obs-optional) */
static int
is_field(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] > 0x20 && s[i] < 0x7f && s[i] != ':') {
		i++;
	}
	if (i == 0) {
		return 0;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t')) {
		i++;
	}
	return i < n && s[i] == ':';
}

/* start_body - the header is over; held octets of len begin the body */
static void
start_body(struct scan_milter *m, const uint8_t *carry, size_t len)
{
	emit_field(m);
	if (len > 0) {
		memcpy(m->field, carry, len);
	}
	m->field_len = len;
	m->line_len = 0;
	m->in_body = 1;
	m->next = SCAN_MS_EOH;
}

/* header_line - one whole line in m->line (its LF, if any, included) */
static void
header_line(struct scan_milter *m)
{
	size_t n = m->line_len, add;

	if (n > 0 && m->line[n - 1] == '\n') {
		n--;
	}
	if (n > 0 && m->line[n - 1] == '\r') {
		n--;
	}
	if (n == 0) {
		start_body(m, NULL, 0); /* the empty line is the separator */
		return;
	}
	if ((m->line[0] == ' ' || m->line[0] == '\t') && m->field_len > 0) {
		add = SCAN_MILTER_HEADER_MAX - m->field_len;
		if (add > 0) {
			m->field[m->field_len++] = '\n';
			add--;
		}
		add = n < add ? n : add; /* past the limit: dropped */
		memcpy(m->field + m->field_len, m->line, add);
		m->field_len += add;
		m->line_len = 0;
		return;
	}
	if (is_field(m->line, n)) {
		emit_field(m);
		memcpy(m->field, m->line, n);
		m->field_len = n;
		m->line_len = 0;
		return;
	}
	start_body(m, m->line, m->line_len); /* no field: body, as it is */
}

/* header_bytes - take octets up to the end of one line */
static size_t
header_bytes(struct scan_milter *m, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (m->line_len == SCAN_MILTER_HEADER_MAX) {
			/* too long for a field: the body starts here */
			start_body(m, m->line, m->line_len);
			return i;
		}
		m->line[m->line_len++] = buf[i];
		if (buf[i] == '\n') {
			header_line(m);
			return i + 1;
		}
	}
	return len;
}

int
milter_flush_body(struct scan_milter *m)
{
	size_t n = m->field_len;

	if (n == 0 || m->body_skipped || (m->protocol & SMFIP_NOBODY)) {
		m->field_len = 0;
		return 0;
	}
	if (n > SCAN_MILTER_BODY_CHUNK) {
		n = SCAN_MILTER_BODY_CHUNK;
	}
	m->state = SCAN_MS_BODY;
	milter_packet(m, SMFIC_BODY, m->field, n);
	memmove(m->field, m->field + n, m->field_len - n);
	m->field_len -= n;
	m->awaiting = !(m->protocol & SMFIP_NR_BODY) && !m->done;
	return 1;
}

/* body_bytes - hold body octets; a full chunk goes out */
static size_t
body_bytes(struct scan_milter *m, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	if (m->body_skipped || (m->protocol & SMFIP_NOBODY)) {
		return len; /* the milter does not want it */
	}
	if (m->field_len < SCAN_MILTER_BODY_CHUNK) {
		n = SCAN_MILTER_BODY_CHUNK - m->field_len;
		n = len < n ? len : n;
		memcpy(m->field + m->field_len, buf, n);
		m->field_len += n;
	}
	if (m->field_len >= SCAN_MILTER_BODY_CHUNK) {
		(void)milter_flush_body(m);
	}
	return n;
}

size_t
scan_milter_feed(struct scan_milter *m, const uint8_t *buf, size_t len)
{
	size_t used = 0;

	if (m->done || m->content_ended) {
		return len; /* nothing more goes out */
	}
	while (used < len && scan_milter_want(m) == SCAN_MILTER_WANT_CONTENT) {
		if (m->in_body) {
			used += body_bytes(m, buf + used, len - used);
		} else {
			used += header_bytes(m, buf + used, len - used);
		}
		milter_step(m);
	}
	return used;
}

int
milter_pending_content(struct scan_milter *m)
{
	if (!m->content_ended) {
		return 0;
	}
	if (m->next == SCAN_MS_BODY) {
		m->next = SCAN_MS_EOB;
	} else if (m->line_len > 0) {
		header_line(m); /* the last line had no line end */
	} else {
		start_body(m, NULL, 0); /* the message had no body */
	}
	return 1;
}

void
scan_milter_end(struct scan_milter *m)
{
	if (m->done || m->content_ended) {
		return;
	}
	m->content_ended = 1;
	milter_step(m);
}
