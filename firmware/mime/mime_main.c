/*
 * sekimori-mime - what the MIME walker sees in a message: one line per
 * part (path, type, encoding, names, sizes, true file type, anomalies),
 * so an operator can tell why a content rule matched. With --bench N it
 * walks the message N times and prints the walker's rate on one core
 * (`make bench` uses it: issue 6 asks for MB/s per core).
 *
 *	sekimori-mime [--bench N] < MESSAGE
 *
 * The message is read whole (at most MIME_MAIN_INPUT_MAX octets) and fed
 * in 64 KiB pieces, as the content process feeds a spool file. Exit 0,
 * or 2 on a usage or input error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mime.h"
#include "mime_magic.h"

#define MIME_MAIN_INPUT_MAX (256u << 20) /* local limit: octets read */
#define MIME_MAIN_PIECE 65536
#define MIME_MAIN_BENCH_MAX 1000000

struct view {
	int print;
	uint8_t head[MIME_MAGIC_HEAD]; /* a leaf's first decoded octets */
	size_t head_len;
};

/* print_text - a decoded name, non-printable octets as \xHH */
static void
print_text(const char *label, const struct mime_text *t)
{
	size_t i;

	if (t == NULL) {
		return;
	}
	printf(" %s=\"", label);
	for (i = 0; i < t->len; i++) {
		uint8_t c = t->text[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			printf("\\x%02x", c);
		} else {
			putchar(c);
		}
	}
	putchar('"');
}

static void
print_part(const struct view *v, const struct mime_part *p)
{
	unsigned bit;

	printf("%s %s/%s cte=%s size=%llu decoded=%llu", p->path, p->type,
	    p->subtype, mime_cte_name(p->cte), (unsigned long long)p->body_size,
	    (unsigned long long)p->decoded_size);
	print_text("filename", p->filename);
	print_text("name", p->name);
	if (p->kind == MIME_KIND_LEAF) {
		printf(" magic=%s",
		    mime_ftype_name(mime_magic(v->head, v->head_len)));
	}
	for (bit = 1; bit != 0; bit <<= 1) {
		if ((p->flags & bit) != 0) {
			printf(" !%s", mime_flag_name(bit));
		}
	}
	putchar('\n');
}

static void
on_event(void *arg, const struct mime_event *ev)
{
	struct view *v = arg;
	size_t n;

	switch (ev->type) {
	case MIME_EV_PART_START:
		v->head_len = 0;
		break;
	case MIME_EV_BODY:
		n = sizeof(v->head) - v->head_len;
		n = ev->len < n ? ev->len : n;
		memcpy(v->head + v->head_len, ev->data, n);
		v->head_len += n;
		break;
	case MIME_EV_PART_END:
		if (v->print) {
			print_part(v, ev->part);
		}
		break;
	default:
		break;
	}
}

/* walk - one pass over msg[0..len); the union of the anomaly flags */
static unsigned
walk(struct mime_walker *w, struct view *v, const uint8_t *msg, size_t len)
{
	size_t off, n;

	mime_init(w, NULL, on_event, v);
	for (off = 0; off < len; off += n) {
		n = len - off < MIME_MAIN_PIECE ? len - off : MIME_MAIN_PIECE;
		(void)mime_feed(w, msg + off, n);
	}
	return mime_finish(w);
}

/* read_all - standard input, at most MIME_MAIN_INPUT_MAX octets */
static uint8_t *
read_all(size_t *len)
{
	size_t cap = 1u << 20, used = 0;
	uint8_t *p = malloc(cap), *q;
	ssize_t r;

	while (p != NULL) {
		if (used == cap) {
			if (cap >= MIME_MAIN_INPUT_MAX ||
			    (q = realloc(p, cap * 2)) == NULL) {
				free(p);
				return NULL;
			}
			p = q;
			cap *= 2;
		}
		if ((r = read(0, p + used, cap - used)) < 0) {
			free(p);
			return NULL;
		}
		if (r == 0) {
			*len = used;
			return p;
		}
		used += (size_t)r;
	}
	return NULL;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static struct mime_walker w;
	struct view v = { 0 };
	long rounds = 0, i;
	uint8_t *msg;
	size_t len;
	double t0, cpu;

	if (argc == 3 && strcmp(argv[1], "--bench") == 0) {
		rounds = strtol(argv[2], NULL, 10);
	}
	if (!(argc == 1 || (rounds > 0 && rounds <= MIME_MAIN_BENCH_MAX))) {
		fprintf(stderr, "usage: sekimori-mime [--bench N] < MESSAGE\n");
		return 2;
	}
	if ((msg = read_all(&len)) == NULL) {
		fprintf(stderr,
		    "sekimori-mime: cannot read the message (at "
		    "most %u octets)\n",
		    MIME_MAIN_INPUT_MAX);
		return 2;
	}
	if (rounds == 0) {
		unsigned flags;

		v.print = 1;
		flags = walk(&w, &v, msg, len);
		printf("octets=%zu parts=%u flags=%#x\n", len, w.nparts, flags);
		free(msg);
		return 0;
	}
	t0 = cpu_now();
	for (i = 0; i < rounds; i++) {
		(void)walk(&w, &v, msg, len);
	}
	cpu = cpu_now() - t0;
	printf("walked %ld x %zu octets in %.3f CPU s: %.1f MB/s on one core\n",
	    rounds, len, cpu,
	    cpu > 0 ? (double)len * (double)rounds / cpu / 1e6 : 0.0);
	free(msg);
	return 0;
}
