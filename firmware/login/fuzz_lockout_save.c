/*
 * fuzz_lockout_save.c - libFuzzer target for lockout_import, which reads
 * the saved lockout file (outside input). Invariants: a text taken is
 * written again by lockout_export, and that text is taken too and gives
 * the same text (the round trip is stable); a refused text leaves the
 * table empty.
 */
#include <stdlib.h>
#include <string.h>

#include "lockout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 5000
#define FUZZ_WALL 1764000000

static struct lockout table;
static char first[LOCKOUT_TEXT_MAX], second[LOCKOUT_TEXT_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct lockout_policy p = { 5, 10, 900, 900 };
	size_t line, n1, n2;

	lockout_init(&table, &p);
	if (lockout_import(&table, (const char *)data, size, FUZZ_NOW,
		FUZZ_WALL, &line) != SK_OK) {
		if (line == 0 || table.users[0].c.used ||
		    table.sources[0].c.used) {
			abort();
		}
		return 0;
	}
	n1 = lockout_export(&table, FUZZ_NOW, FUZZ_WALL, first, sizeof(first));
	lockout_init(&table, &p);
	if (n1 == 0 ||
	    lockout_import(&table, first, n1, FUZZ_NOW, FUZZ_WALL, &line) !=
		SK_OK) {
		abort();
	}
	n2 =
	    lockout_export(&table, FUZZ_NOW, FUZZ_WALL, second, sizeof(second));
	if (n2 != n1 || memcmp(first, second, n1) != 0) {
		abort();
	}
	return 0;
}
