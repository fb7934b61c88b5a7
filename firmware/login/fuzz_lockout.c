/*
 * fuzz_lockout.c - libFuzzer target for the lockout table.
 *
 * The input is a program: each 4-octet step is (op, user, source, dt):
 * op picks check, failure or success; user and source pick from small
 * sets (so that counts meet) or, for source, an odd address length; dt
 * advances the clock; at most FUZZ_STEPS steps (every step scans both
 * tables, so longer programs only slow the fuzzer). Invariants: a failure that
 * reports a lock is seen by a check at the same time; a check's retry_after is
 * within the lockout time, and zero exactly when nothing is locked; success
 * makes the user open unless the source is locked.
 */
#include <stdlib.h>
#include <string.h>

#include "lockout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_STEPS 64

static struct lockout table;

static const uint8_t fuzz_addrs[4][16] = {
	{ 192, 0, 2, 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9 },
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 },
};
static const size_t fuzz_addrlens[4] = { 4, 16, 16, 16 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lockout_policy p;
	uint64_t now = 1000, wait;
	uint8_t user[2];
	size_t i, alen;
	const uint8_t *addr;
	unsigned got, seen;

	if (size < 4) {
		return 0;
	}
	p.max_failures_per_user = data[0] % 8;
	p.max_failures_per_source = data[1] % 12;
	p.failure_window = 1 + data[2] % 64;
	p.lockout_time = data[3] % 64;
	lockout_init(&table, &p);
	for (i = 4; i + 4 <= size && i <= 4 * FUZZ_STEPS; i += 4) {
		user[0] = 'u';
		user[1] = (uint8_t)(data[i + 1] % 5);
		addr = fuzz_addrs[data[i + 2] % 4];
		alen = data[i + 2] & 0x80 ? 3 : fuzz_addrlens[data[i + 2] % 4];
		now += data[i + 3] % 40;
		switch (data[i] % 3) {
		case 0:
			got = lockout_check(&table, user, 2, addr, alen, now,
			    &wait);
			if ((got == LOCKOUT_OPEN) != (wait == 0) ||
			    wait > p.lockout_time) {
				abort();
			}
			break;
		case 1:
			got = lockout_failure(&table, user, 2, addr, alen, now);
			seen = lockout_check(&table, user, 2, addr, alen, now,
			    NULL);
			if (got != seen) {
				abort();
			}
			break;
		default:
			lockout_success(&table, user, 2, now);
			if (lockout_check(&table, user, 2, addr, alen, now,
				NULL) &
			    LOCKOUT_USER_LOCKED) {
				abort();
			}
			break;
		}
	}
	return 0;
}
