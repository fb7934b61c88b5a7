/*
 * cli_regex.h - the regular expressions of the CLI's `| match` and
 * `| except` filters: POSIX extended syntax, matched in time linear in
 * the line (cli_regex.c says why the C library's regexec is not used).
 */
#ifndef SK_CLI_REGEX_H
#define SK_CLI_REGEX_H

#include <stddef.h>

/* A compiled expression's size bound, in instructions: a line of L
 * octets costs at most about L times this many steps. */
#define CLI_REGEX_PROG_MAX 512
#define CLI_REGEX_DEPTH_MAX 16 /* nested groups */

struct cli_regex;

/*
 * cli_regex_compile - pattern (n octets) into *out; NULL, or what is
 * wrong with it ("unmatched (", "back-references are not supported",
 * "regular expression too complex", ...), with *out left NULL.
 */
const char *cli_regex_compile(struct cli_regex **out, const char *pattern,
    size_t n);

/* cli_regex_match - 1 when some part of s (n octets) matches, else 0 */
int cli_regex_match(struct cli_regex *re, const char *s, size_t n);

void cli_regex_free(struct cli_regex *re);

#endif
