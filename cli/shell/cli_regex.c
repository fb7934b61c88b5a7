/*
 * cli_regex.c - POSIX extended regular expressions for the CLI's filters,
 * matched by simulating the expression's automaton over the line: every
 * octet advances a set of states, so a line of L octets costs at most L
 * times the compiled size, whatever the pattern.
 *
 * Why not regcomp/regexec: neither C library bounds the time. With
 * back-references they backtrack (seconds on an 80-octet line); without,
 * glibc's cost still grows with its compiled size (0.5 s on a
 * 1,000-octet line at 1,024 nodes), so a bound had to guess the
 * library's sizes. And musl's TRE, which is what the appliance runs, is
 * not what the fuzzer on the build host exercised. Both also answer some
 * patterns wrongly: musl finds
 * "(x(b{2})?|a)+b" in "bbb". Here the same code runs everywhere, its
 * bound is plain, and cli_regex_test checks it against a reference.
 *
 * Only whether a line matches is asked, so no submatch positions and no
 * leftmost-longest rules are needed: a thread list per octet suffices.
 *
 * Syntax: literals, '.', bracket expressions with ranges and [:class:],
 * '^' and '$', groups, '|', and the repetitions '*', '+', '?', {m},
 * {m,} and {m,n} (m, n <= 255). Beyond POSIX: \d \s \w and \D \S \W, as
 * operators used to other systems type them. A '{' that does not begin a
 * count is an ordinary character ("mx {"). Refused with a reason:
 * back-references, equivalence classes and collating symbols, unknown
 * escapes of letters and digits, and anything compiling into more than
 * CLI_REGEX_PROG_MAX instructions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_regex.h"
#include "sk.h"

#define RX_NODES_MAX 1024 /* parse tree nodes of one pattern */
#define RX_REPEAT_MAX 255 /* POSIX's RE_DUP_MAX */
#define RX_INF 0xffff     /* no upper bound: '*', '+', {m,} */
#define RX_NONE (-1)      /* no child or sibling */
#define RX_SET_OCTETS 32  /* a set of octets as a bitmap */
#define RX_TOO_COMPLEX "regular expression too complex"

/* ---- the parse tree ---------------------------------------------------- */

enum rx_kind {
	RX_CHAR,
	RX_SET,
	RX_BOL,
	RX_EOL,
	RX_CAT, /* its children in order */
	RX_ALT, /* one of its children */
	RX_REP, /* its child, min to max times */
};

struct rx_node {
	enum rx_kind kind;
	unsigned char c;       /* RX_CHAR */
	int set;               /* RX_SET: index in the sets */
	unsigned min, max;     /* RX_REP */
	int first, last, next; /* children, and the next sibling */
	unsigned size;         /* instructions, saturated above the bound */
};

typedef unsigned char rx_set[RX_SET_OCTETS];

struct rx_parse {
	const char *p, *end;
	struct rx_node *nodes; /* cap of them, as many sets */
	int nn, cap;
	rx_set *sets;
	int nsets;
	int depth;
	const char *err;
};

/* ---- the program ------------------------------------------------------- */

enum rx_op {
	OP_CHAR,  /* consume c */
	OP_SET,   /* consume an octet of sets[x] */
	OP_BOL,   /* only at the line's start */
	OP_EOL,   /* only at its end */
	OP_SPLIT, /* go on at x and at y */
	OP_JMP,   /* go on at x */
	OP_MATCH,
};

struct rx_inst {
	unsigned char op, c;
	uint16_t x, y;
};

/* The sparse set of a step's states: member when sparse[pc] < n and
 * dense[sparse[pc]] == pc, so it is emptied by n = 0 alone. */
struct rx_list {
	uint16_t *dense, *sparse;
	size_t n;
};

struct cli_regex {
	struct rx_inst *prog;
	rx_set *sets;
	struct rx_list list[2];
	uint16_t *stack;   /* the closure's work list */
	uint16_t *scratch; /* one allocation: the lists and the stack */
};

/* ---- sizes, saturated so that nested counts cannot overflow ----------- */

static unsigned
rx_add(unsigned a, unsigned b)
{
	return a + b > CLI_REGEX_PROG_MAX ? CLI_REGEX_PROG_MAX + 1 : a + b;
}

static unsigned
rx_mul(unsigned a, unsigned b)
{
	return b != 0 && a > CLI_REGEX_PROG_MAX / b ? CLI_REGEX_PROG_MAX + 1 :
						      a * b;
}

/* rx_rep_size - the instructions of x{min,max} where x takes sx */
static unsigned
rx_rep_size(unsigned sx, unsigned min, unsigned max)
{
	unsigned rest;

	if (sx == 0) {
		return 0;
	}
	rest = max == RX_INF ? rx_add(sx, 2) : rx_mul(rx_add(sx, 1), max - min);
	return rx_add(rx_mul(sx, min), rest);
}

/* ---- the parser -------------------------------------------------------- */

static int
rx_node(struct rx_parse *ps, enum rx_kind kind, unsigned size)
{
	struct rx_node *nd;

	if (ps->nn == ps->cap) {
		ps->err = RX_TOO_COMPLEX;
		return RX_NONE;
	}
	nd = &ps->nodes[ps->nn];
	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	nd->first = nd->last = nd->next = RX_NONE;
	nd->size = size;
	return ps->nn++;
}

/* rx_child - append child to parent's children */
static void
rx_child(struct rx_parse *ps, int parent, int child)
{
	struct rx_node *p = &ps->nodes[parent];

	if (p->last == RX_NONE) {
		p->first = child;
	} else {
		ps->nodes[p->last].next = child;
	}
	p->last = child;
}

static int
rx_peek(const struct rx_parse *ps, char c)
{
	return ps->p < ps->end && *ps->p == c;
}

static int
rx_digit(const struct rx_parse *ps, const char *q)
{
	return q < ps->end && *q >= '0' && *q <= '9';
}

static void
rx_set_add(unsigned char *set, unsigned c)
{
	set[c / 8] |= (unsigned char)(1u << (c % 8));
}

static int
rx_set_has(const unsigned char *set, unsigned c)
{
	return (set[c / 8] >> (c % 8)) & 1;
}

/* rx_set_range - lo..hi into set */
static void
rx_set_range(unsigned char *set, unsigned lo, unsigned hi)
{
	for (; lo <= hi; lo++) {
		rx_set_add(set, lo);
	}
}

static void
rx_set_invert(unsigned char *set)
{
	size_t i;

	for (i = 0; i < RX_SET_OCTETS; i++) {
		set[i] = (unsigned char)~set[i];
	}
}

/*
 * The POSIX classes, in the C locale whatever the process's: octets
 * above 0x7f belong to none, so a filter means the same on every box.
 */
struct rx_class {
	const char *name;
	const char *ranges; /* pairs of first and last octet */
};

static const struct rx_class rx_classes[] = {
	{ "alnum", "09AZaz" },
	{ "alpha", "AZaz" },
	{ "blank", "  \t\t" },
	{ "cntrl", "\x01\x1f\x7f\x7f" },
	{ "digit", "09" },
	{ "graph", "!~" },
	{ "lower", "az" },
	{ "print", " ~" },
	{ "punct", "!/:@[`{~" },
	{ "space", "  \t\r" },
	{ "upper", "AZ" },
	{ "xdigit", "09AFaf" },
};

static const struct rx_class *
rx_class_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < SK_NELEM(rx_classes); i++) {
		if (strlen(rx_classes[i].name) == n &&
		    memcmp(rx_classes[i].name, name, n) == 0) {
			return &rx_classes[i];
		}
	}
	return NULL;
}

static void
rx_class_add(unsigned char *set, const struct rx_class *cl)
{
	const char *r;

	for (r = cl->ranges; r[0] != '\0'; r += 2) {
		rx_set_range(set, (unsigned char)r[0], (unsigned char)r[1]);
	}
}

/* rx_bracket_class - "[:name:]" at ps->p (past the '[' of the
 * expression) into set; 0 after an error */
static int
rx_bracket_class(struct rx_parse *ps, unsigned char *set)
{
	const char *name = ps->p + 2, *q = name;
	const struct rx_class *cl;

	while (q + 1 < ps->end && !(q[0] == ':' && q[1] == ']')) {
		q++;
	}
	if (q + 1 >= ps->end) {
		ps->err = "unmatched [";
		return 0;
	}
	cl = rx_class_find(name, (size_t)(q - name));
	if (cl == NULL) {
		ps->err = "unknown character class";
		return 0;
	}
	rx_class_add(set, cl);
	ps->p = q + 2;
	return 1;
}

/* rx_new_set - a new, empty set node; its set in *set */
static int
rx_new_set(struct rx_parse *ps, unsigned char **set)
{
	int nd = rx_node(ps, RX_SET, 1);

	if (nd != RX_NONE) {
		ps->nodes[nd].set = ps->nsets;
		*set = ps->sets[ps->nsets++];
		memset(*set, 0, RX_SET_OCTETS);
	}
	return nd;
}

/* rx_bracket - the bracket expression after '[' into a new set node */
static int
rx_bracket(struct rx_parse *ps)
{
	unsigned char *set = NULL;
	int negate = 0, first = 1, nd = rx_new_set(ps, &set);
	unsigned lo;

	if (nd == RX_NONE) {
		return RX_NONE;
	}
	if (rx_peek(ps, '^')) {
		negate = 1;
		ps->p++;
	}
	for (;; first = 0) {
		if (ps->p == ps->end) {
			ps->err = "unmatched [";
			return RX_NONE;
		}
		if (*ps->p == ']' && !first) {
			ps->p++;
			break;
		}
		if (*ps->p == '[' && ps->p + 1 < ps->end &&
		    (ps->p[1] == '=' || ps->p[1] == '.')) {
			ps->err = "equivalence classes and collating symbols "
				  "are not supported";
			return RX_NONE;
		}
		if (*ps->p == '[' && ps->p + 1 < ps->end && ps->p[1] == ':') {
			if (!rx_bracket_class(ps, set)) {
				return RX_NONE;
			}
			continue;
		}
		lo = (unsigned char)*ps->p++;
		if (ps->p + 1 < ps->end && ps->p[0] == '-' && ps->p[1] != ']') {
			if ((unsigned char)ps->p[1] < lo) {
				ps->err = "invalid range in [ ]";
				return RX_NONE;
			}
			rx_set_range(set, lo, (unsigned char)ps->p[1]);
			ps->p += 2;
		} else {
			rx_set_add(set, lo);
		}
	}
	if (negate) {
		rx_set_invert(set);
	}
	return nd;
}

/* rx_class_node - a new set node of a class (NULL: every octet) and
 * extra, inverted or not */
static int
rx_class_node(struct rx_parse *ps, const char *class, int extra, int invert)
{
	unsigned char *set = NULL;
	int nd = rx_new_set(ps, &set);

	if (nd == RX_NONE) {
		return RX_NONE;
	}
	if (class == NULL) {
		memset(set, 0xff, RX_SET_OCTETS);
	} else {
		rx_class_add(set, rx_class_find(class, strlen(class)));
	}
	if (extra != 0) {
		rx_set_add(set, (unsigned)extra);
	}
	if (invert) {
		rx_set_invert(set);
	}
	return nd;
}

/* rx_escape - the character after a backslash */
static int
rx_escape(struct rx_parse *ps)
{
	unsigned char c;
	int nd;

	if (ps->p == ps->end) {
		ps->err = "trailing backslash";
		return RX_NONE;
	}
	c = (unsigned char)*ps->p++;
	switch (c) {
	case 'd':
	case 'D':
		return rx_class_node(ps, "digit", 0, c == 'D');
	case 's':
	case 'S':
		return rx_class_node(ps, "space", 0, c == 'S');
	case 'w':
	case 'W':
		return rx_class_node(ps, "alnum", '_', c == 'W');
	default:
		break;
	}
	if (c >= '1' && c <= '9') {
		ps->err = "back-references are not supported";
		return RX_NONE;
	}
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z')) {
		ps->err = "unknown escape (known: \\d \\s \\w \\D \\S \\W)";
		return RX_NONE;
	}
	nd = rx_node(ps, RX_CHAR, 1);
	if (nd != RX_NONE) {
		ps->nodes[nd].c = c;
	}
	return nd;
}

static int rx_alt(struct rx_parse *ps);

/* rx_atom - one character, set, anchor or group */
static int
rx_atom(struct rx_parse *ps)
{
	unsigned char c = (unsigned char)*ps->p++;
	int nd;

	switch (c) {
	case '(':
		if (++ps->depth > CLI_REGEX_DEPTH_MAX) {
			ps->err = RX_TOO_COMPLEX;
			return RX_NONE;
		}
		nd = rx_alt(ps);
		ps->depth--;
		if (nd == RX_NONE) {
			return RX_NONE;
		}
		if (!rx_peek(ps, ')')) {
			ps->err = "unmatched (";
			return RX_NONE;
		}
		ps->p++;
		return nd;
	case '[':
		return rx_bracket(ps);
	case '\\':
		return rx_escape(ps);
	case '^':
		return rx_node(ps, RX_BOL, 1);
	case '$':
		return rx_node(ps, RX_EOL, 1);
	case '.':
		return rx_class_node(ps, NULL, 0, 0);
	default:
		nd = rx_node(ps, RX_CHAR, 1);
		if (nd != RX_NONE) {
			ps->nodes[nd].c = c;
		}
		return nd;
	}
}

/* rx_count - a decimal repetition count, at most RX_REPEAT_MAX */
static int
rx_count(struct rx_parse *ps, unsigned *k)
{
	*k = 0;
	if (!rx_digit(ps, ps->p)) {
		return 0;
	}
	while (rx_digit(ps, ps->p)) {
		*k = *k * 10 + (unsigned)(*ps->p++ - '0');
		if (*k > RX_REPEAT_MAX) {
			ps->err = "repetition count above 255";
			return -1;
		}
	}
	return 1;
}

/* rx_interval - "{m}", "{m,}" or "{m,n}" after the '{' */
static int
rx_interval(struct rx_parse *ps, unsigned *min, unsigned *max)
{
	int got;

	if (rx_count(ps, min) != 1) {
		return 0;
	}
	*max = *min;
	if (rx_peek(ps, ',')) {
		ps->p++;
		got = rx_count(ps, max);
		if (got < 0) {
			return 0;
		}
		*max = got == 0 ? RX_INF : *max;
	}
	if (!rx_peek(ps, '}') || *max < *min) {
		ps->err =
		    ps->err != NULL ? ps->err : "invalid repetition count";
		return 0;
	}
	ps->p++;
	return 1;
}

/* rx_is_quantifier - whether ps->p begins a repetition */
static int
rx_is_quantifier(const struct rx_parse *ps)
{
	char c = *ps->p;

	return c == '*' || c == '+' || c == '?' ||
	    (c == '{' && rx_digit(ps, ps->p + 1));
}

/* rx_repeat - an atom and the repetitions that follow it */
static int
rx_repeat(struct rx_parse *ps)
{
	int nd = rx_atom(ps), rep;
	unsigned min, max;
	char c;

	while (nd != RX_NONE && ps->p < ps->end && rx_is_quantifier(ps)) {
		c = *ps->p++;
		min = c == '+' ? 1 : 0;
		max = c == '?' ? 1 : RX_INF;
		if (c == '{' && !rx_interval(ps, &min, &max)) {
			return RX_NONE;
		}
		rep = rx_node(ps, RX_REP,
		    rx_rep_size(ps->nodes[nd].size, min, max));
		if (rep == RX_NONE) {
			return RX_NONE;
		}
		ps->nodes[rep].min = min;
		ps->nodes[rep].max = max;
		rx_child(ps, rep, nd);
		nd = rep;
	}
	return nd;
}

/* rx_concat - the pieces up to '|', ')' or the end */
static int
rx_concat(struct rx_parse *ps)
{
	int cat = rx_node(ps, RX_CAT, 0), nd;

	while (cat != RX_NONE && ps->p < ps->end && *ps->p != '|' &&
	    *ps->p != ')') {
		if (rx_is_quantifier(ps)) {
			ps->err = "nothing to repeat";
			return RX_NONE;
		}
		nd = rx_repeat(ps);
		if (nd == RX_NONE) {
			return RX_NONE;
		}
		rx_child(ps, cat, nd);
		ps->nodes[cat].size =
		    rx_add(ps->nodes[cat].size, ps->nodes[nd].size);
	}
	return cat;
}

/* rx_alt - concatenations separated by '|' */
static int
rx_alt(struct rx_parse *ps)
{
	int alt = rx_node(ps, RX_ALT, 0), nd, n = 0;

	while (alt != RX_NONE) {
		nd = rx_concat(ps);
		if (nd == RX_NONE) {
			return RX_NONE;
		}
		rx_child(ps, alt, nd);
		ps->nodes[alt].size = rx_add(ps->nodes[alt].size,
		    rx_add(ps->nodes[nd].size, n++ > 0 ? 2 : 0));
		if (!rx_peek(ps, '|')) {
			return alt;
		}
		ps->p++;
	}
	return RX_NONE;
}

/* ---- code generation --------------------------------------------------- */

struct rx_emit {
	const struct rx_parse *ps;
	struct rx_inst *prog;
	size_t n;
};

static size_t
rx_inst(struct rx_emit *em, enum rx_op op, unsigned x, unsigned y)
{
	struct rx_inst *in = &em->prog[em->n];

	in->op = (unsigned char)op;
	in->c = 0;
	in->x = (uint16_t)x;
	in->y = (uint16_t)y;
	return em->n++;
}

static void rx_emit_node(struct rx_emit *em, int nd);

/* rx_emit_alt - SPLIT to each branch in turn; each jumps to the end */
static void
rx_emit_alt(struct rx_emit *em, const struct rx_node *nd)
{
	size_t split, jmp, chain = RX_INF;
	int ch;

	for (ch = nd->first; ch != RX_NONE; ch = em->ps->nodes[ch].next) {
		if (em->ps->nodes[ch].next == RX_NONE) {
			rx_emit_node(em, ch);
			break;
		}
		split = rx_inst(em, OP_SPLIT, (unsigned)em->n + 1, 0);
		rx_emit_node(em, ch);
		jmp = rx_inst(em, OP_JMP, (unsigned)chain, 0);
		chain = jmp;
		em->prog[split].y = (uint16_t)em->n;
	}
	while (chain != RX_INF) { /* the jumps are linked through x */
		jmp = chain;
		chain = em->prog[jmp].x;
		em->prog[jmp].x = (uint16_t)em->n;
	}
}

/* rx_emit_rep - min copies, then a loop or (max - min) optional ones */
static void
rx_emit_rep(struct rx_emit *em, const struct rx_node *nd)
{
	size_t i, start, split, sx = em->ps->nodes[nd->first].size;

	for (i = 0; i < nd->min; i++) {
		rx_emit_node(em, nd->first);
	}
	if (nd->max == RX_INF) {
		split = rx_inst(em, OP_SPLIT, (unsigned)em->n + 1, 0);
		rx_emit_node(em, nd->first);
		rx_inst(em, OP_JMP, (unsigned)split, 0);
		em->prog[split].y = (uint16_t)em->n;
		return;
	}
	start = em->n;
	for (i = nd->min; i < nd->max; i++) {
		rx_inst(em, OP_SPLIT, (unsigned)em->n + 1, 0);
		rx_emit_node(em, nd->first);
	}
	/* each optional copy is one SPLIT and sx instructions, and all of
	 * them skip to the end */
	for (i = nd->min; i < nd->max; i++) {
		em->prog[start + (i - nd->min) * (sx + 1)].y = (uint16_t)em->n;
	}
}

static void
rx_emit_node(struct rx_emit *em, int i)
{
	const struct rx_node *nd = &em->ps->nodes[i];
	size_t at;
	int ch;

	if (nd->size == 0) { /* matches only the empty string */
		return;
	}
	switch (nd->kind) {
	case RX_CHAR:
		at = rx_inst(em, OP_CHAR, 0, 0);
		em->prog[at].c = nd->c;
		break;
	case RX_SET:
		rx_inst(em, OP_SET, (unsigned)nd->set, 0);
		break;
	case RX_BOL:
		rx_inst(em, OP_BOL, 0, 0);
		break;
	case RX_EOL:
		rx_inst(em, OP_EOL, 0, 0);
		break;
	case RX_CAT:
		for (ch = nd->first; ch != RX_NONE;
		     ch = em->ps->nodes[ch].next) {
			rx_emit_node(em, ch);
		}
		break;
	case RX_ALT:
		rx_emit_alt(em, nd);
		break;
	case RX_REP:
		rx_emit_rep(em, nd);
		break;
	}
}

/* ---- compile ----------------------------------------------------------- */

static struct cli_regex *
rx_alloc(size_t nprog, int nsets)
{
	struct cli_regex *re = calloc(1, sizeof(*re));

	if (re == NULL) {
		return NULL;
	}
	re->prog = calloc(nprog, sizeof(*re->prog));
	re->sets = calloc((size_t)nsets + 1, sizeof(*re->sets));
	re->scratch = calloc(5 * nprog, sizeof(uint16_t));
	if (re->prog == NULL || re->sets == NULL || re->scratch == NULL) {
		cli_regex_free(re);
		return NULL;
	}
	re->list[0].dense = re->scratch;
	re->list[0].sparse = re->scratch + nprog;
	re->list[1].dense = re->scratch + 2 * nprog;
	re->list[1].sparse = re->scratch + 3 * nprog;
	re->stack = re->scratch + 4 * nprog;
	return re;
}

/* rx_parse_init - room for the tree of a pattern of n octets: each
 * octet adds at most two nodes ('(' an alternation and its first
 * branch), the outermost alternation two more; ps->err when there is
 * no memory for it */
static void
rx_parse_init(struct rx_parse *ps, const char *pattern, size_t n)
{
	memset(ps, 0, sizeof(*ps));
	ps->p = pattern;
	ps->end = pattern + n;
	ps->cap = n < RX_NODES_MAX / 2 ? (int)(2 * n + 2) : RX_NODES_MAX;
	ps->nodes = calloc((size_t)ps->cap, sizeof(*ps->nodes));
	ps->sets = calloc((size_t)ps->cap, sizeof(*ps->sets));
	if (ps->nodes == NULL || ps->sets == NULL) {
		ps->err = "out of memory";
	}
}

const char *
cli_regex_compile(struct cli_regex **out, const char *pattern, size_t n)
{
	struct rx_parse parse, *ps = &parse;
	struct rx_emit em;
	struct cli_regex *re = NULL;
	const char *err;
	int root;

	*out = NULL;
	rx_parse_init(ps, pattern, n);
	root = ps->err == NULL ? rx_alt(ps) : RX_NONE;
	if (root != RX_NONE && ps->p < ps->end) { /* stopped at a ')' */
		ps->err = "unmatched )";
	}
	if (ps->err == NULL && ps->nodes[root].size >= CLI_REGEX_PROG_MAX) {
		ps->err = RX_TOO_COMPLEX; /* the MATCH needs one more */
	}
	if (ps->err == NULL) {
		re = rx_alloc(ps->nodes[root].size + 1, ps->nsets);
		ps->err = re == NULL ? "out of memory" : NULL;
	}
	if (ps->err == NULL) {
		em.ps = ps;
		em.prog = re->prog;
		em.n = 0;
		rx_emit_node(&em, root);
		rx_inst(&em, OP_MATCH, 0, 0);
		memcpy(re->sets, ps->sets, (size_t)ps->nsets * sizeof(rx_set));
		*out = re;
	}
	err = ps->err;
	free(ps->nodes);
	free(ps->sets);
	return err;
}

void
cli_regex_free(struct cli_regex *re)
{
	if (re == NULL) {
		return;
	}
	free(re->prog);
	free(re->sets);
	free(re->scratch);
	free(re);
}

/* ---- match ------------------------------------------------------------- */

/* rx_list_put - pc into l; 0 when it was there already */
static int
rx_list_put(struct rx_list *l, uint16_t pc)
{
	uint16_t i = l->sparse[pc];

	if (i < l->n && l->dense[i] == pc) {
		return 0;
	}
	l->sparse[pc] = (uint16_t)l->n;
	l->dense[l->n++] = pc;
	return 1;
}

/*
 * rx_closure - pc and every state reachable from it without consuming an
 * octet, at position pos of a line of n, into l; 1 when that reaches
 * the match. Each state enters l once, so the work list never holds
 * more than the program's size and empty loops end.
 */
static int
rx_closure(struct cli_regex *re, struct rx_list *l, uint16_t pc, size_t pos,
    size_t n)
{
	const struct rx_inst *in;
	uint16_t next[2];
	size_t sp = 0;
	int k, i;

	if (rx_list_put(l, pc)) {
		re->stack[sp++] = pc;
	}
	while (sp > 0) {
		pc = re->stack[--sp];
		in = &re->prog[pc];
		k = 0;
		switch (in->op) {
		case OP_MATCH:
			return 1;
		case OP_JMP:
			next[k++] = in->x;
			break;
		case OP_SPLIT:
			next[k++] = in->y;
			next[k++] = in->x;
			break;
		case OP_BOL:
		case OP_EOL:
			if ((in->op == OP_BOL && pos == 0) ||
			    (in->op == OP_EOL && pos == n)) {
				next[k++] = (uint16_t)(pc + 1);
			}
			break;
		default:
			break;
		}
		for (i = 0; i < k; i++) {
			if (rx_list_put(l, next[i])) {
				re->stack[sp++] = next[i];
			}
		}
	}
	return 0;
}

int
cli_regex_match(struct cli_regex *re, const char *s, size_t n)
{
	struct rx_list *cur = &re->list[0], *nxt = &re->list[1], *t;
	const struct rx_inst *in;
	unsigned char c;
	size_t pos, k;

	cur->n = 0;
	for (pos = 0;; pos++) {
		/* a match may begin at every position */
		if (rx_closure(re, cur, 0, pos, n)) {
			return 1;
		}
		if (pos == n) {
			return 0;
		}
		c = (unsigned char)s[pos];
		nxt->n = 0;
		for (k = 0; k < cur->n; k++) {
			in = &re->prog[cur->dense[k]];
			if (((in->op == OP_CHAR && in->c == c) ||
				(in->op == OP_SET &&
				    rx_set_has(re->sets[in->x], c))) &&
			    rx_closure(re, nxt, (uint16_t)(cur->dense[k] + 1),
				pos + 1, n)) {
				return 1;
			}
		}
		t = cur;
		cur = nxt;
		nxt = t;
	}
}
