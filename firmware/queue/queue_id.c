/*
 * queue_id.c - queue ids (queue_id.h).
 */
#include "queue_id.h"

#define QUEUE_ID_BITS 5 /* base 32 */
#define QUEUE_ID_TIME_MASK ((UINT64_C(1) << 60) - 1)
#define QUEUE_ID_NONCE_MASK ((UINT32_C(1) << 20) - 1)

static const char queue_id_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

/* queue_id_digit - value of one id digit, or -1 */
static int
queue_id_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'A' && c <= 'V') {
		return c - 'A' + 10;
	}
	return -1;
}

/* queue_id_put - v as n base-32 digits, most significant first */
static void
queue_id_put(char *out, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		out[i] = queue_id_digits[v & 31];
		v >>= QUEUE_ID_BITS;
	}
}

void
queue_id_gen_init(struct queue_id_gen *g, uint32_t nonce)
{
	g->last_us = 0;
	g->nonce = nonce & QUEUE_ID_NONCE_MASK;
}

void
queue_id_gen_floor(struct queue_id_gen *g, const char *id)
{
	uint64_t t = queue_id_time_us(id);

	if (t > g->last_us) {
		g->last_us = t;
	}
}

void
queue_id_next(struct queue_id_gen *g, uint64_t now_us, char out[QUEUE_ID_SIZE])
{
	uint64_t t = now_us & QUEUE_ID_TIME_MASK;

	/* Strictly increasing, whatever the wall clock does. */
	if (t <= g->last_us) {
		t = g->last_us + 1;
	}
	g->last_us = t;
	queue_id_put(out, t, QUEUE_ID_TIME_DIGITS);
	queue_id_put(out + QUEUE_ID_TIME_DIGITS, g->nonce,
	    QUEUE_ID_NONCE_DIGITS);
	out[QUEUE_ID_LEN] = '\0';
}

int
queue_id_valid(const char *s, size_t len)
{
	size_t i;

	if (len != QUEUE_ID_LEN) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (queue_id_digit(s[i]) < 0) {
			return 0;
		}
	}
	return 1;
}

uint64_t
queue_id_time_us(const char *id)
{
	uint64_t v = 0;
	int i, d;

	for (i = 0; i < QUEUE_ID_TIME_DIGITS; i++) {
		d = queue_id_digit(id[i]);
		v = v << QUEUE_ID_BITS | (uint64_t)(d < 0 ? 0 : d);
	}
	return v;
}
