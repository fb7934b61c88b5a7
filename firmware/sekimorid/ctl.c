/*
 * ctl.c - the control socket's line protocol and its client (ctl.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

/* ctl_line - the length of the first line of buf[len] without its LF
 * (and one CR before it) into *linelen, and its length with the LF into
 * *used; the results of ctl.h's parsers for max */
static enum sk_result
ctl_line(const uint8_t *buf, size_t len, size_t max, size_t *linelen,
    size_t *used)
{
	const uint8_t *lf;
	size_t scan = len < max ? len : max;

	lf = memchr(buf, '\n', scan);
	if (lf == NULL) {
		return len < max ? SK_NEED_MORE : SK_E_TOO_LONG;
	}
	*used = (size_t)(lf - buf) + 1;
	*linelen = (size_t)(lf - buf);
	if (*linelen > 0 && buf[*linelen - 1] == '\r') {
		(*linelen)--;
	}
	return SK_OK;
}

enum sk_result
ctl_request_parse(const uint8_t *buf, size_t len, enum ctl_request *req,
    size_t *used)
{
	static const struct {
		const char *line;
		enum ctl_request req;
	} requests[] = {
		{ "reload", CTL_REQ_RELOAD },
		{ "statistics", CTL_REQ_STATISTICS },
		{ "statistics clear", CTL_REQ_STATISTICS_CLEAR },
	};
	size_t n, i;
	enum sk_result r;

	if ((r = ctl_line(buf, len, CTL_REQUEST_MAX, &n, used)) != SK_OK) {
		return r;
	}
	for (i = 0; i < SK_NELEM(requests); i++) {
		if (n == strlen(requests[i].line) &&
		    memcmp(buf, requests[i].line, n) == 0) {
			*req = requests[i].req;
			return SK_OK;
		}
	}
	return SK_E_SYNTAX;
}

/* ctl_printable - src[n] into dst[size], NUL-terminated, cut to fit,
 * every octet outside printable ASCII as '?' (a terminal or log line
 * must not receive escapes) */
static void
ctl_printable(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t i;

	if (size == 0) {
		return;
	}
	for (i = 0; i < n && i + 1 < size; i++) {
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	}
	dst[i] = '\0';
}

/* ctl_data_line_ok - line[n] is printable ASCII */
static int
ctl_data_line_ok(const uint8_t *line, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (line[i] < 0x20 || line[i] >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

/*
 * ctl_data_parse - the lines of a data block from buf + off (just after
 * its "data" line) up to its "." line, into text[textlen] (whole lines,
 * as many as fit); the results of ctl_answer_parse
 */
static enum sk_result
ctl_data_parse(const uint8_t *buf, size_t len, size_t off, char *text,
    size_t textlen)
{
	size_t n, used, out = 0;
	int room = textlen > 0;
	enum sk_result r;

	if (room) {
		text[0] = '\0';
	}
	len = len < CTL_DATA_MAX ? len : CTL_DATA_MAX;
	for (;;) {
		r = ctl_line(buf + off, len - off, CTL_DATA_LINE_MAX, &n,
		    &used);
		if (r == SK_NEED_MORE) {
			/* len was cut to the block's limit: no room for more */
			return len == CTL_DATA_MAX ? SK_E_TOO_LONG : r;
		}
		if (r != SK_OK) {
			return r;
		}
		if (n == 1 && buf[off] == '.') {
			return SK_OK;
		}
		if ((n > 0 && buf[off] == '.') ||
		    !ctl_data_line_ok(buf + off, n)) {
			return SK_E_SYNTAX;
		}
		if (room && out + n + 1 < textlen) {
			memcpy(text + out, buf + off, n);
			out += n;
			text[out++] = '\n';
			text[out] = '\0';
		} else {
			room = 0; /* the lines after one cut would mislead */
		}
		off += used;
	}
}

enum sk_result
ctl_answer_parse(const uint8_t *buf, size_t len, enum ctl_answer *kind,
    char *text, size_t textlen)
{
	static const struct {
		const char *word;
		enum ctl_answer kind;
	} words[] = {
		{ "refused: ", CTL_ANS_REFUSED },
		{ "failed: ", CTL_ANS_FAILED },
	};
	size_t n, used, i, w;
	enum sk_result r;

	if ((r = ctl_line(buf, len, CTL_ANSWER_MAX, &n, &used)) != SK_OK) {
		return r;
	}
	if (n == 4 && memcmp(buf, "data", 4) == 0) {
		r = ctl_data_parse(buf, len, used, text, textlen);
		if (r == SK_OK) {
			*kind = CTL_ANS_DATA;
		}
		return r;
	}
	if (n == 2 && memcmp(buf, "ok", 2) == 0) {
		*kind = CTL_ANS_OK;
		ctl_printable(text, textlen, buf, 0);
		return SK_OK;
	}
	for (i = 0; i < SK_NELEM(words); i++) {
		w = strlen(words[i].word);
		if (n >= w && memcmp(buf, words[i].word, w) == 0) {
			*kind = words[i].kind;
			ctl_printable(text, textlen, buf + w, n - w);
			return SK_OK;
		}
	}
	return SK_E_SYNTAX;
}

/* ctl_connect - a connection to path; -1 with errno */
static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ctl_now_ms - a monotonic clock for the client's deadline */
static long long
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ctl_read_answer - read into buf until one line parses; the result */
static enum sk_result
ctl_read_answer(int fd, int timeout_ms, enum ctl_answer *kind, char *answer,
    size_t answerlen, char *err, size_t errlen)
{
	uint8_t buf[CTL_DATA_MAX];
	char text[CTL_DATA_MAX];
	long long deadline = ctl_now_ms() + timeout_ms, left;
	struct pollfd p = { fd, POLLIN, 0 };
	size_t len = 0, n, used;
	enum sk_result r;
	ssize_t got;

	for (;;) {
		r = ctl_answer_parse(buf, len, kind, text, sizeof(text));
		if (r != SK_NEED_MORE) {
			break;
		}
		left = deadline - ctl_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, errlen, "no answer within %d s",
			    timeout_ms / 1000);
			return SK_E_IO;
		}
		got = read(fd, buf + len, sizeof(buf) - len);
		if (got == -1 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			snprintf(err, errlen,
			    "the daemon closed the connection "
			    "without an answer");
			return SK_E_IO;
		}
		len += (size_t)got;
	}
	if (r != SK_OK) {
		snprintf(err, errlen, "malformed answer (%s)",
		    sk_result_str(r));
		return SK_E_SYNTAX;
	}
	if (*kind == CTL_ANS_DATA) {
		/* the lines again, whole ones only, into the caller's room */
		(void)ctl_answer_parse(buf, len, kind, answer, answerlen);
		return SK_OK;
	}
	/* the whole line, as printable text, for the caller to show */
	n = (const uint8_t *)memchr(buf, '\n', len) - buf;
	used = n > 0 && buf[n - 1] == '\r' ? n - 1 : n;
	ctl_printable(answer, answerlen, buf, used);
	return SK_OK;
}

enum sk_result
ctl_call(const char *path, const char *request, int timeout_ms,
    enum ctl_answer *kind, char *answer, size_t answerlen, char *err,
    size_t errlen)
{
	char line[CTL_REQUEST_MAX];
	size_t n;
	enum sk_result r;
	int fd, len;

	len = snprintf(line, sizeof(line), "%s\n", request);
	if (len < 0 || (size_t)len >= sizeof(line)) {
		snprintf(err, errlen, "request too long");
		return SK_E_TOO_LONG;
	}
	if ((fd = ctl_connect(path)) == -1) {
		int e = errno;

		snprintf(err, errlen, "no daemon answers at %s: %s", path,
		    strerror(e));
		errno = e; /* the caller tells "none" from "not allowed" */
		return SK_E_CLOSED;
	}
	/* a short line into an empty socket buffer: one write */
	n = (size_t)len;
	if (write(fd, line, n) != (ssize_t)n) {
		snprintf(err, errlen, "cannot send to %s: %s", path,
		    strerror(errno));
		close(fd);
		return SK_E_CLOSED;
	}
	r = ctl_read_answer(fd, timeout_ms, kind, answer, answerlen, err,
	    errlen);
	close(fd);
	return r;
}
