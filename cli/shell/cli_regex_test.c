/*
 * cli_regex_test.c - the filters' regular expressions: a table of
 * patterns and lines, the refusals and their reasons, and random
 * patterns checked against a reference that computes what they match
 * from the definitions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_regex.h"
#include "test.h"

struct match_case {
	const char *pattern;
	const char *line;
	int hit;
};

static const struct match_case matches[] = {
	{ "", "", 1 },
	{ "", "anything", 1 },
	{ "port", "        port 25;", 1 },
	{ "port", "        name mx;", 0 },
	{ "^ +(port|name)[[:space:]]*[0-9]{1,5}", "        port 25;", 1 },
	{ "^ +(port|name)[[:space:]]*[0-9]{1,5}", "port 25;", 0 },
	{ "^listener", "listener mx {", 1 },
	{ "^listener", " listener mx {", 0 },
	{ "mx {", "listener mx {", 1 }, /* '{' with no count */
	{ "\\{$", "listener mx {", 1 },
	{ "25;$", "port 25;", 1 },
	{ "25$", "port 25;", 0 },
	{ "^$", "", 1 },
	{ "^$", "x", 0 },
	{ "a.c", "abc", 1 },
	{ "a.c", "ac", 0 },
	{ "a\\.c", "abc", 0 },
	{ "a\\.c", "a.c", 1 },
	{ "[^a-z]", "abc", 0 },
	{ "[^a-z]", "abC", 1 },
	{ "[]x]", "]", 1 },
	{ "[a-]", "-", 1 },
	{ "[[:digit:][:upper:]]", "abc", 0 },
	{ "[[:digit:][:upper:]]", "ab7", 1 },
	{ "[[:punct:]]", "a;", 1 },
	{ "[[:alpha:]]", "\xc3\xa9", 0 }, /* the C locale's classes */
	{ "\\d+\\s\\w", "port 25 x", 1 },
	{ "\\D", "2525", 0 },
	{ "\\W", "a_b9", 0 },
	{ "\\S", " \t ", 0 },
	{ "colou?r", "color", 1 },
	{ "colou?r", "colouur", 0 },
	{ "(ab)+c", "ababc", 1 },
	{ "^(ab)+c", "aabc", 0 },
	{ "x{3}", "xx", 0 },
	{ "x{3}", "xxx", 1 },
	{ "^x{2,3}$", "xxxx", 0 },
	{ "^x{2,}$", "xxxx", 1 },
	{ "^(a|b|)c", "c", 1 },
	{ "(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 0 },
	{ "(a|aa)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 1 },
	{ "(x{0}){255}y", "y", 1 },
	{ "a^b", "a^b", 0 },
	{ "\\^", "a^b", 1 },
	{ "()", "x", 1 },
	/* what the C libraries get wrong (see the reference below) */
	{ "(^b)+1", "bb1", 0 },
	{ "(b$|a){2}", "bb", 0 },
	{ "(x(b{2})?|a)+b", "bbb", 0 },
	{ "(x(b{2})?|a)+b", "xbbb", 1 },
};

struct refusal_case {
	const char *pattern;
	const char *reason;
};

static const struct refusal_case refusals[] = {
	{ "(", "unmatched (" },
	{ "(a|b", "unmatched (" },
	{ "a)", "unmatched )" },
	{ "[a-", "unmatched [" },
	{ "[[:digit:]", "unmatched [" },
	{ "[[:digit", "unmatched [" },
	{ "[[:nope:]]", "unknown character class" },
	{ "[[=a=]]",
	    "equivalence classes and collating symbols are not "
	    "supported" },
	{ "[z-a]", "invalid range in [ ]" },
	{ "*a", "nothing to repeat" },
	{ "a|+", "nothing to repeat" },
	{ "({2})", "nothing to repeat" },
	{ "a{2", "invalid repetition count" },
	{ "a{3,2}", "invalid repetition count" },
	{ "a{256}", "repetition count above 255" },
	{ "a{1,9999999999999999999}", "repetition count above 255" },
	{ "a\\", "trailing backslash" },
	{ "\\q", "unknown escape (known: \\d \\s \\w \\D \\S \\W)" },
	{ "(.*)(.*)\\2\\1x", "back-references are not supported" },
	{ "x++++++++++++++++++++++++++++++++++++++++",
	    "regular expression too complex" },
	{ "((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)",
	    "regular expression too complex" },
	{ "(a{30}){40}", "regular expression too complex" },
	{ "(.{0,30}){10}", "regular expression too complex" },
	{ "(((((((((((((((((a)))))))))))))))))",
	    "regular expression too complex" },
};

/* test_matches - the table: each line's answer */
static void
test_matches(void)
{
	struct cli_regex *re;
	const char *err;
	size_t i;

	for (i = 0; i < SK_NELEM(matches); i++) {
		const struct match_case *m = &matches[i];

		err = cli_regex_compile(&re, m->pattern, strlen(m->pattern));
		TEST_CHECK(err == NULL, "%s: refused: %s", m->pattern, err);
		if (err != NULL) {
			continue;
		}
		TEST_CHECK(cli_regex_match(re, m->line, strlen(m->line)) ==
			m->hit,
		    "%s on \"%s\": expected %d", m->pattern, m->line, m->hit);
		cli_regex_free(re);
	}
}

/* test_refusals - each refused pattern names its fault, sets nothing */
static void
test_refusals(void)
{
	struct cli_regex *re;
	const char *err;
	size_t i;

	for (i = 0; i < SK_NELEM(refusals); i++) {
		const struct refusal_case *r = &refusals[i];

		err = cli_regex_compile(&re, r->pattern, strlen(r->pattern));
		TEST_CHECK(err != NULL && strcmp(err, r->reason) == 0,
		    "%s: expected \"%s\", got \"%s\"", r->pattern, r->reason,
		    err != NULL ? err : "(compiled)");
		TEST_CHECK(re == NULL, "%s: left a compiled expression",
		    r->pattern);
	}
}

/* test_bound - the largest accepted patterns on the longest lines end
 * with the right answer (the bound itself is the automaton's: no
 * backtracking can happen, so no timing is asserted) */
static void
test_bound(void)
{
	static const char *const worst[] = {
		"(a|aa|a?a?){1,25}(a?){80}b",
		"(.*.*.*.*.*.*.*.*.*.*.*.*)*x",
		"((a*)*)*(b*)*c",
	};
	static char line[64 * 1024];
	struct cli_regex *re;
	const char *err;
	size_t i;

	memset(line, 'a', sizeof(line));
	for (i = 0; i < SK_NELEM(worst); i++) {
		err = cli_regex_compile(&re, worst[i], strlen(worst[i]));
		TEST_CHECK(err == NULL, "%s: refused: %s", worst[i], err);
		if (err != NULL) {
			continue;
		}
		TEST_CHECK(cli_regex_match(re, line, sizeof(line)) == 0,
		    "%s: matched a line of a's", worst[i]);
		cli_regex_free(re);
	}
}

/* ---- random patterns against a reference ------------------------------ */

/*
 * The reference: a pattern as a tree, and what it matches computed as
 * sets of positions (bit i: position i of a line shorter than 32), from
 * the definitions alone. The C libraries are no oracle: glibc finds
 * "(^b)+1" in "bb1" and "(b$|a){2}" in "bb", musl finds
 * "(x(b{2})?|a)+b" in "bbb".
 */
enum ref_kind { REF_ATOM, REF_BOL, REF_EOL, REF_CAT, REF_ALT, REF_REP };

struct ref_atom {
	const char *text;    /* as written in the pattern */
	const char *members; /* the octets of the line alphabet it takes */
};

#define REF_ALPHABET "ab.1"
#define REF_KIDS 3
#define REF_NODES 128
#define REF_INF (-1)

static const struct ref_atom ref_atoms[] = {
	{ "a", "a" },
	{ "b", "b" },
	{ ".", "ab.1" },
	{ "[ab]", "ab" },
	{ "[^a]", "b.1" },
	{ "\\.", "." },
	{ "[[:digit:]]", "1" },
	{ "\\d", "1" },
	{ "\\w", "ab1" },
	{ "[^[:alpha:]]", ".1" },
	{ "[.]", "." },
};

struct ref_node {
	enum ref_kind kind;
	const struct ref_atom *atom;
	int min, max; /* REF_REP */
	int kid[REF_KIDS], nkids;
};

struct ref_tree {
	struct ref_node n[REF_NODES];
	int nn;
};

static unsigned long rnd_state = 20261127;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)(rnd_state >> 33) % n;
}

static int
ref_new(struct ref_tree *t, enum ref_kind kind)
{
	struct ref_node *nd = &t->n[t->nn];

	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	return t->nn++;
}

static int ref_gen_alt(struct ref_tree *t, int depth);

/* ref_gen_piece - an atom, anchor or group, perhaps repeated */
static int
ref_gen_piece(struct ref_tree *t, int depth)
{
	static const int reps[][2] = { { 0, REF_INF }, { 1, REF_INF }, { 0, 1 },
		{ 2, 2 }, { 1, 3 }, { 0, 2 }, { 2, REF_INF }, { 0, 0 } };
	unsigned r = rnd(12);
	int nd, rep;

	if (r == 0) {
		return ref_new(t, REF_BOL);
	}
	if (r == 1) {
		return ref_new(t, REF_EOL);
	}
	if (r == 2 && depth < 3 && t->nn + 40 < REF_NODES) {
		nd = ref_gen_alt(t, depth + 1);
	} else {
		nd = ref_new(t, REF_ATOM);
		t->n[nd].atom = &ref_atoms[rnd(SK_NELEM(ref_atoms))];
	}
	if (rnd(3) == 0) {
		r = rnd(SK_NELEM(reps));
		rep = ref_new(t, REF_REP);
		t->n[rep].min = reps[r][0];
		t->n[rep].max = reps[r][1];
		t->n[rep].kid[t->n[rep].nkids++] = nd;
		nd = rep;
	}
	return nd;
}

/* ref_gen_alt - branches of pieces (a branch may be empty) */
static int
ref_gen_alt(struct ref_tree *t, int depth)
{
	int alt = ref_new(t, REF_ALT), cat, b, k;
	int branches = 1 + (int)rnd(depth > 0 ? 3 : 2);

	for (b = 0; b < branches; b++) {
		cat = ref_new(t, REF_CAT);
		t->n[alt].kid[t->n[alt].nkids++] = cat;
		k = (int)rnd(REF_KIDS + 1);
		while (k-- > 0 && t->nn + 10 < REF_NODES) {
			int piece = ref_gen_piece(t, depth);

			t->n[cat].kid[t->n[cat].nkids++] = piece;
		}
	}
	return alt;
}

static void
ref_put(char *p, size_t *n, size_t cap, const char *s)
{
	size_t k = strlen(s);

	if (*n + k < cap) {
		memcpy(p + *n, s, k);
		*n += k;
	}
}

/* ref_render - the node as pattern text (groups around alternations) */
static void
ref_render(const struct ref_tree *t, int i, char *p, size_t *n, size_t cap,
    int top)
{
	const struct ref_node *nd = &t->n[i];
	char count[16];
	int k;

	switch (nd->kind) {
	case REF_ATOM:
		ref_put(p, n, cap, nd->atom->text);
		break;
	case REF_BOL:
		ref_put(p, n, cap, "^");
		break;
	case REF_EOL:
		ref_put(p, n, cap, "$");
		break;
	case REF_CAT:
		for (k = 0; k < nd->nkids; k++) {
			ref_render(t, nd->kid[k], p, n, cap, 0);
		}
		break;
	case REF_ALT:
		ref_put(p, n, cap, top ? "" : "(");
		for (k = 0; k < nd->nkids; k++) {
			ref_put(p, n, cap, k > 0 ? "|" : "");
			ref_render(t, nd->kid[k], p, n, cap, 0);
		}
		ref_put(p, n, cap, top ? "" : ")");
		break;
	case REF_REP:
		ref_render(t, nd->kid[0], p, n, cap, 0);
		if (nd->max == REF_INF) {
			snprintf(count, sizeof(count), "{%d,}", nd->min);
		} else {
			snprintf(count, sizeof(count), "{%d,%d}", nd->min,
			    nd->max);
		}
		ref_put(p, n, cap, count);
		break;
	}
}

/* ref_ends - the positions where node i can end when it starts at the
 * positions of starts, in a line of len < 32 octets */
static uint32_t
ref_ends(const struct ref_tree *t, int i, uint32_t starts, const char *line,
    size_t len)
{
	const struct ref_node *nd = &t->n[i];
	uint32_t out = 0, cur, acc;
	size_t pos;
	int k;

	switch (nd->kind) {
	case REF_ATOM:
		for (pos = 0; pos < len; pos++) {
			if ((starts >> pos & 1) &&
			    strchr(nd->atom->members, line[pos]) != NULL) {
				out |= 1u << (pos + 1);
			}
		}
		return out;
	case REF_BOL:
		return starts & 1u;
	case REF_EOL:
		return starts & (1u << len);
	case REF_CAT:
		for (k = 0, out = starts; k < nd->nkids; k++) {
			out = ref_ends(t, nd->kid[k], out, line, len);
		}
		return out;
	case REF_ALT:
		for (k = 0; k < nd->nkids; k++) {
			out |= ref_ends(t, nd->kid[k], starts, line, len);
		}
		return out;
	case REF_REP:
		for (k = 0, cur = starts; k < nd->min; k++) {
			cur = ref_ends(t, nd->kid[0], cur, line, len);
		}
		acc = cur;
		for (k = nd->min; nd->max == REF_INF || k < nd->max; k++) {
			cur = ref_ends(t, nd->kid[0], cur, line, len) & ~acc;
			if (cur == 0) {
				break; /* nothing new: the fixed point */
			}
			acc |= cur;
		}
		return acc;
	}
	return 0;
}

static void
test_against_reference(void)
{
	static struct ref_tree t;
	char pattern[512], line[16];
	struct cli_regex *re;
	const char *err;
	size_t n, len, k;
	int i, j, root, want;

	for (i = 0; i < 5000; i++) {
		t.nn = 0;
		root = ref_gen_alt(&t, 0);
		n = 0;
		ref_render(&t, root, pattern, &n, sizeof(pattern), 1);
		pattern[n] = '\0';
		err = cli_regex_compile(&re, pattern, n);
		if (err != NULL) {
			TEST_CHECK(strcmp(err,
				       "regular expression too complex") == 0,
			    "%s: refused: %s", pattern, err);
			continue;
		}
		for (j = 0; j < 20; j++) {
			len = rnd(sizeof(line));
			for (k = 0; k < len; k++) {
				line[k] = REF_ALPHABET[rnd(4)];
			}
			line[len] = '\0';
			want =
			    ref_ends(&t, root, (2u << len) - 1, line, len) != 0;
			TEST_CHECK(cli_regex_match(re, line, len) == want,
			    "%s on \"%s\": expected %d", pattern, line, want);
		}
		cli_regex_free(re);
	}
}

const struct test_case test_cases[] = {
	{ "cli_regex_matches", test_matches },
	{ "cli_regex_refusals", test_refusals },
	{ "cli_regex_bound", test_bound },
	{ "cli_regex_against_reference", test_against_reference },
};
const size_t test_ncases = SK_NELEM(test_cases);
