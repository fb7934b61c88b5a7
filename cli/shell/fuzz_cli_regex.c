/*
 * fuzz_cli_regex.c - libFuzzer target for the filters' regular
 * expressions (cli_regex.c; STYLE.md item 10). The input's first line is
 * the pattern, the other lines are matched against it. Invariants: a
 * refused pattern leaves nothing compiled, and the pattern in a group,
 * "(p)", answers every line as p does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *nl;
	struct cli_regex *re, *group;
	char *wrapped;
	size_t n;
	int hit;

	nl = memchr(s, '\n', size);
	n = nl != NULL ? (size_t)(nl - s) : size;
	if (cli_regex_compile(&re, s, n) != NULL) {
		if (re != NULL) {
			abort();
		}
		return 0;
	}
	wrapped = malloc(n + 2);
	if (wrapped == NULL) {
		abort();
	}
	wrapped[0] = '(';
	memcpy(wrapped + 1, s, n);
	wrapped[n + 1] = ')';
	if (cli_regex_compile(&group, wrapped, n + 2) != NULL) {
		group = NULL; /* one group too deep */
	}
	for (s += n; s < end; s = nl) {
		s++; /* past the newline */
		nl = memchr(s, '\n', (size_t)(end - s));
		nl = nl != NULL ? nl : end;
		hit = cli_regex_match(re, s, (size_t)(nl - s));
		if (group != NULL &&
		    cli_regex_match(group, s, (size_t)(nl - s)) != hit) {
			abort();
		}
	}
	cli_regex_free(group);
	cli_regex_free(re);
	free(wrapped);
	return 0;
}
