/*
 * latency.c - an LD_PRELOAD probe for Postfix's smtp-source that times, for
 * every message it sends, the wait from the end of DATA to the server's reply
 *
 * smtp-source sends each message with one write(2) that ends in the DATA
 * terminator CRLF "." CRLF (RFC 5321 4.1.1.4) and then reads the reply; it
 * does not pipeline (its manual: "No SMTP command pipelining support"). So
 * per socket: when the bytes written so far end with the terminator, note
 * the time; the first read(2) that returns bytes after that is the reply,
 * and the difference is one sample. The probe only looks at the reply's
 * first byte (the class of the reply code); it parses nothing else.
 *
 * Why a probe inside smtp-source and not a second client: it times every
 * message of the real load, adds no connection and no process competing for
 * the CPU, and needs no change to smtp-source. The price: the time includes
 * smtp-source's own delay between the reply arriving and its read (one
 * single-threaded event loop over at most 100 sessions, small next to a
 * relay's fsync).
 *
 * Environment: SK_BENCH_LATENCY_FILE names the output file, written at exit:
 * one line per reply, "MICROSECONDS CLASS" (CLASS is the reply's first
 * character, '2' for 250, '?' when it is not a digit), then "dropped N" for
 * samples beyond the table. Without the variable the probe only passes calls
 * through.
 *
 * Limits: sockets with a descriptor number of LATENCY_MAX_FDS or more are not
 * timed (smtp-source -s 100 uses about 110); LATENCY_MAX_SAMPLES samples are
 * kept, the rest counted as dropped. smtp-source is single-threaded, so the
 * state needs no lock. glibc only (dlsym RTLD_NEXT): a host bench tool,
 * never part of the firmware.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define LATENCY_MAX_FDS 4096
#define LATENCY_MAX_SAMPLES (1U << 20)
#define LATENCY_ENV "SK_BENCH_LATENCY_FILE"

/* RFC 5321 4.1.1.4: the mail data ends with CRLF "." CRLF. */
static const char data_end[] = "\r\n.\r\n";
#define DATA_END_LEN (sizeof(data_end) - 1)

struct socket_state {
	char tail[DATA_END_LEN]; /* the last bytes written, oldest first */
	size_t tail_len;
	int waiting_reply; /* the terminator went out, no reply read yet */
	struct timespec sent;
};

struct sample {
	uint32_t usec;
	char reply_class;
};

static struct socket_state sockets[LATENCY_MAX_FDS];
static struct sample samples[LATENCY_MAX_SAMPLES];
static size_t sample_count;
static size_t dropped_count;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_read)(int, void *, size_t);
static int (*real_close)(int);

/* latency_resolve - find the C library's functions behind ours, once */
static void
latency_resolve(void)
{
	if (real_write == NULL) {
		real_write = (ssize_t(*)(int, const void *,
		    size_t))dlsym(RTLD_NEXT, "write");
		real_read =
		    (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
		real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	}
	if (real_write == NULL || real_read == NULL || real_close == NULL) {
		/* Nothing sensible is left to call: stop loudly, not wrongly.
		 */
		abort();
	}
}

static struct socket_state *
latency_socket(int fd)
{
	if (fd < 0 || fd >= LATENCY_MAX_FDS) {
		return NULL;
	}
	return &sockets[fd];
}

/* latency_append_tail - keep the last DATA_END_LEN bytes written to a socket */
static void
latency_append_tail(struct socket_state *s, const char *buf, size_t len)
{
	if (len >= DATA_END_LEN) {
		memcpy(s->tail, buf + len - DATA_END_LEN, DATA_END_LEN);
		s->tail_len = DATA_END_LEN;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s->tail_len == DATA_END_LEN) {
			memmove(s->tail, s->tail + 1, DATA_END_LEN - 1);
			s->tail_len--;
		}
		s->tail[s->tail_len++] = buf[i];
	}
}

static uint32_t
latency_usec_since(const struct timespec *start)
{
	struct timespec now;
	int64_t usec;

	clock_gettime(CLOCK_MONOTONIC, &now);
	usec = (int64_t)(now.tv_sec - start->tv_sec) * 1000000 +
	    (now.tv_nsec - start->tv_nsec) / 1000;
	if (usec < 0) {
		return 0;
	}
	if (usec > UINT32_MAX) {
		return UINT32_MAX;
	}
	return (uint32_t)usec;
}

static void
latency_record(uint32_t usec, char reply_class)
{
	if (sample_count == LATENCY_MAX_SAMPLES) {
		dropped_count++;
		return;
	}
	samples[sample_count].usec = usec;
	samples[sample_count].reply_class = reply_class;
	sample_count++;
}

/* write - pass through; start the clock when the DATA terminator went out */
ssize_t
write(int fd, const void *buf, size_t count)
{
	struct socket_state *s;
	ssize_t n;

	latency_resolve();
	n = real_write(fd, buf, count);
	s = latency_socket(fd);
	if (n <= 0 || s == NULL) {
		return n;
	}
	latency_append_tail(s, buf, (size_t)n);
	if (s->tail_len == DATA_END_LEN &&
	    memcmp(s->tail, data_end, DATA_END_LEN) == 0) {
		s->waiting_reply = 1;
		clock_gettime(CLOCK_MONOTONIC, &s->sent);
	}
	return n;
}

/* read - pass through; the first bytes after the terminator are the reply */
ssize_t
read(int fd, void *buf, size_t count)
{
	struct socket_state *s;
	char reply_class;
	ssize_t n;

	latency_resolve();
	n = real_read(fd, buf, count);
	s = latency_socket(fd);
	if (n <= 0 || s == NULL || !s->waiting_reply) {
		return n;
	}
	reply_class = ((const char *)buf)[0];
	if (reply_class < '0' || reply_class > '9') {
		reply_class = '?';
	}
	latency_record(latency_usec_since(&s->sent), reply_class);
	s->waiting_reply = 0;
	return n;
}

/* close - pass through; a reused descriptor starts from a clean state */
int
close(int fd)
{
	struct socket_state *s;

	latency_resolve();
	s = latency_socket(fd);
	if (s != NULL) {
		memset(s, 0, sizeof(*s));
	}
	return real_close(fd);
}

/* latency_report - write the samples when smtp-source exits */
__attribute__((destructor)) static void
latency_report(void)
{
	const char *path = getenv(LATENCY_ENV);
	FILE *out;

	if (path == NULL || *path == '\0') {
		return;
	}
	out = fopen(path, "w");
	if (out == NULL) {
		return;
	}
	for (size_t i = 0; i < sample_count; i++) {
		fprintf(out, "%lu %c\n", (unsigned long)samples[i].usec,
		    samples[i].reply_class);
	}
	fprintf(out, "dropped %lu\n", (unsigned long)dropped_count);
	fclose(out);
}
