/*
 * fuzz_queue_pickup.c - libFuzzer target for the pickup file parser:
 * any octets give a result; a file that parses is written again with
 * queue_pickup_head and gives the same envelope and content.
 */
#include <string.h>

#include "queue_pickup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct queue_pickup p, q;
	static uint8_t again[QUEUE_PICKUP_HEAD_MAX + 65536];
	const char *rcpts[QUEUE_PICKUP_RCPTS_MAX];
	size_t i, used;

	if (queue_pickup_parse(data, size, &p) != SK_OK) {
		return 0;
	}
	if (p.len > 65536 || p.content < data ||
	    p.content + p.len > data + size) {
		__builtin_trap();
	}
	for (i = 0; i < p.nrcpts; i++) {
		rcpts[i] = p.rcpts[i];
	}
	if (queue_pickup_head(p.sender, rcpts, p.nrcpts, p.len, (char *)again,
		QUEUE_PICKUP_HEAD_MAX, &used) != SK_OK) {
		__builtin_trap();
	}
	memcpy(again + used, p.content, p.len);
	memcpy(again + used + p.len, QUEUE_PICKUP_END, 4);
	if (queue_pickup_parse(again, used + p.len + 4, &q) != SK_OK ||
	    strcmp(p.sender, q.sender) != 0 || p.nrcpts != q.nrcpts ||
	    p.len != q.len || memcmp(p.content, q.content, p.len) != 0) {
		__builtin_trap();
	}
	return 0;
}
