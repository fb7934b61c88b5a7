/*
 * fuzz_mime.c - libFuzzer target for the whole walker.
 *
 * The first byte picks a piece size and the options; the rest is the
 * message, walked once whole and once in pieces. The events (hashed)
 * must be the same; every event must respect the limits: depth, part
 * count, non-empty bodies, decoded sizes, names within MIME_NAME_MAX;
 * a part's raw offsets (hashed too, so the cut does not change them)
 * are both known or both unknown, in order and inside the message.
 */
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	uint64_t hash;
	unsigned parts;
	size_t size; /* octets of the message */
};

static void
mix(struct fuzz_state *s, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		s->hash = (s->hash ^ b[i]) * 0x100000001b3ull; /* FNV-1a */
	}
}

static void
fuzz_event(void *arg, const struct mime_event *ev)
{
	struct fuzz_state *s = arg;
	const struct mime_part *p = ev->part;

	if (p->depth >= MIME_DEPTH_MAX || strlen(p->path) >= MIME_PATH_MAX) {
		abort();
	}
	mix(s, &ev->type, sizeof(ev->type));
	mix(s, p->path, strlen(p->path));
	switch (ev->type) {
	case MIME_EV_PART_START:
		if (++s->parts > MIME_PARTS_MAX) {
			abort();
		}
		mix(s, p->type, strlen(p->type));
		mix(s, p->subtype, strlen(p->subtype));
		if (p->filename != NULL &&
		    (p->filename->len > MIME_NAME_MAX ||
			p->filename->text[p->filename->len])) {
			abort();
		}
		break;
	case MIME_EV_BODY:
		if (ev->len == 0 || p->decoded_size > MIME_PART_DECODED_MAX) {
			abort();
		}
		mix(s, ev->data, ev->len);
		break;
	case MIME_EV_FIELD:
	case MIME_EV_PREAMBLE:
	case MIME_EV_EPILOGUE:
		mix(s, ev->data, ev->len);
		break;
	case MIME_EV_PART_END:
		if ((p->raw_start == MIME_RAW_UNKNOWN) !=
			(p->raw_end == MIME_RAW_UNKNOWN) ||
		    (p->raw_start != MIME_RAW_UNKNOWN &&
			(p->raw_start > p->raw_end || p->raw_end > s->size))) {
			abort();
		}
		mix(s, &p->flags, sizeof(p->flags));
		mix(s, &p->decoded_size, sizeof(p->decoded_size));
		mix(s, &p->raw_start, sizeof(p->raw_start));
		mix(s, &p->raw_end, sizeof(p->raw_end));
		break;
	case MIME_EV_ANOMALY:
		mix(s, &ev->flag, sizeof(ev->flag));
		break;
	}
}

static uint64_t
walk(const uint8_t *p, size_t n, size_t chunk, unsigned opt)
{
	static struct mime_walker w;
	struct fuzz_state s = { 0xcbf29ce484222325ull, 0, n };
	struct mime_opts o;
	size_t pos = 0, take;

	memset(&o, 0, sizeof(o));
	o.flags = opt;
	mime_init(&w, &o, fuzz_event, &s);
	while (pos < n) {
		take = n - pos < chunk ? n - pos : chunk;
		mime_feed(&w, p + pos, take);
		pos += take;
	}
	mix(&s, (unsigned[]){ mime_finish(&w) }, sizeof(unsigned));
	if (mime_feed(&w, p, n) != SK_E_CLOSED) {
		abort();
	}
	return s.hash;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk;
	unsigned opt;

	if (size < 1) {
		return 0;
	}
	chunk = (size_t)(data[0] & 0x3f) + 1;
	opt = data[0] >> 6;
	if (walk(data + 1, size - 1, size, opt) !=
	    walk(data + 1, size - 1, chunk, opt)) {
		abort();
	}
	return 0;
}
