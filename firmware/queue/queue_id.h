/*
 * queue_id.h - queue ids: fixed length, [0-9A-V], sortable by arrival.
 *
 * An id is QUEUE_ID_LEN characters of base 32 (digits 0-9 then A-V, so
 * that byte order is numeric order):
 *
 *	TTTTTTTTTTTT NNNN
 *	12 digits    4 digits
 *	time         nonce
 *
 * T is a logical clock in microseconds since 1970 (60 bits: good until
 * the year 38000): the wall clock, but never less than one more than the
 * last id handed out, so ids from one generator strictly increase even
 * when the clock steps back or two messages arrive in the same
 * microsecond. At startup the generator is raised above every id found
 * in the spool (queue_id_gen_floor), so ids stay increasing and unique
 * across restarts. N is 20 random bits chosen once per process: if the
 * clock stepped back *and* the spool was empty at a restart, an id of a
 * long-gone message could come again only with the same nonce (1 in
 * 2^20); logs stay unambiguous in practice.
 *
 * Ownership: the caller owns struct queue_id_gen; nothing allocates.
 */
#ifndef QUEUE_ID_H
#define QUEUE_ID_H

#include <stddef.h>
#include <stdint.h>

#define QUEUE_ID_TIME_DIGITS 12
#define QUEUE_ID_NONCE_DIGITS 4
#define QUEUE_ID_LEN (QUEUE_ID_TIME_DIGITS + QUEUE_ID_NONCE_DIGITS)
#define QUEUE_ID_SIZE (QUEUE_ID_LEN + 1) /* with the NUL */

struct queue_id_gen {
	uint64_t last_us; /* time part of the last id, or the floor */
	uint32_t nonce;   /* low 20 bits are used */
};

/* queue_id_gen_init - a generator with this process's random nonce */
void queue_id_gen_init(struct queue_id_gen *g, uint32_t nonce);
/* queue_id_gen_floor - never hand out an id at or below id (a valid id) */
void queue_id_gen_floor(struct queue_id_gen *g, const char *id);
/* queue_id_next - the next id for wall-clock time now_us, into out */
void queue_id_next(struct queue_id_gen *g, uint64_t now_us,
    char out[QUEUE_ID_SIZE]);
/* queue_id_valid - 1 if s[0..len) is exactly a well-formed id */
int queue_id_valid(const char *s, size_t len);
/* queue_id_time_us - the time part of a valid id */
uint64_t queue_id_time_us(const char *id);

#endif /* QUEUE_ID_H */
