/*
 * test_ds.c - the unit tests' way to the model's factory.json
 * (test_ds.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "test_ds.h"

#define TEST_DS_FACTORY "cli/yang/factory.json"

/* test_ds_factory - $SK_TOP's factory.json, or the first one upwards */
const char *
test_ds_factory(void)
{
	static char path[PATH_MAX], found[PATH_MAX];
	const char *top = getenv("SK_TOP");
	char up[64] = ".";
	int i;

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/%s", top, TEST_DS_FACTORY);
	}
	for (i = 0; top == NULL && i < TEST_DS_UP; i++) {
		snprintf(path, sizeof(path), "%s/%s", up, TEST_DS_FACTORY);
		if (access(path, R_OK) == 0) {
			break;
		}
		strncat(up, "/..", sizeof(up) - strlen(up) - 1);
	}
	if (realpath(path, found) == NULL) {
		test_fail(TEST_DS_FACTORY " not found: set SK_TOP");
		return path;
	}
	return found;
}
