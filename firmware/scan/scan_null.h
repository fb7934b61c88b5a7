/*
 * scan_null.h - the null backend's context (scan_null.c): always clean.
 */
#ifndef SK_SCAN_NULL_H
#define SK_SCAN_NULL_H

#include <stdint.h>

struct scan_null {
	int opened, finished;
	uint64_t fed; /* octets given to feed */
};

#endif /* SK_SCAN_NULL_H */
