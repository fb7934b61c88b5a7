/*
 * mounts.c - strict parser of /proc/mounts.
 */
#include <string.h>

#include "mounts.h"

/* mounts_octal - value of the escape \ooo at p[0..3], or -1 */
static int
mounts_octal(const uint8_t *p, size_t n)
{
	int v = 0;
	size_t i;

	if (n < 4 || p[0] != '\\') {
		return -1;
	}
	for (i = 1; i < 4; i++) {
		if (p[i] < '0' || p[i] > '7') {
			return -1;
		}
		v = v * 8 + (p[i] - '0');
	}
	return v <= 0xff ? v : -1;
}

/* mounts_field_ok - a field is non-empty, visible bytes, good escapes */
static int
mounts_field_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[i] <= ' ' || p[i] == 0x7f) {
			return 0;
		}
		if (p[i] == '\\') {
			if (mounts_octal(p + i, n - i) < 0) {
				return 0;
			}
			i += 3;
		}
	}
	return 1;
}

/* mounts_digits - a field of decimal digits only */
static int
mounts_digits(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return 0;
		}
	}
	return n > 0;
}

/* mounts_split - cut one line into exactly MOUNTS_FIELDS fields */
static enum sk_result
mounts_split(const uint8_t *p, size_t n, struct mounts_entry *e)
{
	size_t f = 0, start = 0, i;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != ' ') {
			continue;
		}
		if (f == MOUNTS_FIELDS) {
			return SK_E_SYNTAX;
		}
		e->field[f] = p + start;
		e->len[f++] = i - start;
		start = i + 1;
	}
	return f == MOUNTS_FIELDS ? SK_OK : SK_E_SYNTAX;
}

/* mounts_opts_ro - 1 if options start "ro", 0 if "rw", -1 otherwise */
static int
mounts_opts_ro(const uint8_t *p, size_t n)
{
	if (n < 2 || (n > 2 && p[2] != ',')) {
		return -1;
	}
	if (p[0] == 'r' && p[1] == 'o') {
		return 1;
	}
	return p[0] == 'r' && p[1] == 'w' ? 0 : -1;
}

/* mounts_line - judge one line without its newline */
static enum sk_result
mounts_line(const uint8_t *p, size_t n, struct mounts_entry *e)
{
	size_t i;

	if (mounts_split(p, n, e) != SK_OK) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < MOUNTS_FIELDS; i++) {
		if (!mounts_field_ok(e->field[i], e->len[i])) {
			return SK_E_SYNTAX;
		}
	}
	if (!mounts_digits(e->field[4], e->len[4]) ||
	    !mounts_digits(e->field[5], e->len[5])) {
		return SK_E_SYNTAX;
	}
	e->ro = mounts_opts_ro(e->field[MOUNTS_OPTS], e->len[MOUNTS_OPTS]);
	return e->ro < 0 ? SK_E_SYNTAX : SK_OK;
}

/* mounts_next - parse the line at *off; SK_OK, SK_END or SK_E_* */
enum sk_result
mounts_next(const uint8_t *buf, size_t len, size_t *off, struct mounts_entry *e)
{
	const uint8_t *p, *lf;
	size_t n;
	enum sk_result r;

	if (*off >= len) {
		return SK_END;
	}
	p = buf + *off;
	n = len - *off;
	lf = memchr(p, '\n', n < MOUNTS_LINE_MAX ? n : MOUNTS_LINE_MAX);
	if (lf == NULL) {
		/* Every kernel line ends in LF: no LF means cut or too long. */
		return n < MOUNTS_LINE_MAX ? SK_E_SYNTAX : SK_E_TOO_LONG;
	}
	r = mounts_line(p, (size_t)(lf - p), e);
	if (r == SK_OK) {
		*off += (size_t)(lf - p) + 1;
	}
	return r;
}

/* mounts_dir_is - whether the escaped mount point equals path */
int
mounts_dir_is(const struct mounts_entry *e, const char *path)
{
	const uint8_t *p = e->field[MOUNTS_DIR];
	size_t n = e->len[MOUNTS_DIR], i = 0;
	int c;

	for (; *path != '\0'; path++) {
		if (i == n) {
			return 0;
		}
		c = p[i] == '\\' ? mounts_octal(p + i, n - i) : p[i];
		i += p[i] == '\\' ? 4 : 1;
		if (c != (unsigned char)*path) {
			return 0;
		}
	}
	return i == n;
}

/* mounts_answer - apply one entry to the queries it matches */
static void
mounts_answer(const struct mounts_entry *e, struct mounts_query *q, size_t nq)
{
	size_t i;

	for (i = 0; i < nq; i++) {
		if (mounts_dir_is(e, q[i].path)) {
			q[i].found = 1;
			q[i].ro = e->ro;
		}
	}
}

/* mounts_parse - answer every query from the whole file */
enum sk_result
mounts_parse(const uint8_t *buf, size_t len, struct mounts_query *q, size_t nq,
    size_t *line)
{
	struct mounts_entry e;
	enum sk_result r;
	size_t off = 0, i;

	*line = 0;
	/* First pass validates, so a bad file changes no query. */
	while ((r = mounts_next(buf, len, &off, &e)) == SK_OK) {
		(*line)++;
	}
	if (r != SK_END) {
		(*line)++;
		return r;
	}
	for (i = 0; i < nq; i++) {
		q[i].found = 0;
		q[i].ro = 0;
	}
	off = 0;
	while (mounts_next(buf, len, &off, &e) == SK_OK) {
		mounts_answer(&e, q, nq);
	}
	return SK_OK;
}
