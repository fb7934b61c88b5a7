/*
 * cli_access.c - who may run what: a command as a NACM path and
 * operation (nacm.h), the check before it runs, and what "?", TAB and
 * abbreviations may show a role. One mapping serves all three, so help
 * never offers a command that would be refused, and a command refused
 * when it runs is refused for the same reason it is hidden.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"

#define CLI_ACCESS_PATH 256 /* "/request/mail/queue/hold" */

/*
 * The access operation of an operational command by its path (the
 * first entry that covers the path decides); any other command is an
 * action (NACM_EXEC), so that a command added later is refused to
 * non-admins until nacm.c grants it. A path covers itself and what is
 * below it, as a NACM rule's path does.
 */
static const struct {
	const char *path;
	unsigned op; /* 0: the session itself, always allowed */
} cli_access_ops[] = {
	{ "/configure", NACM_WRITE },
	{ "/exit", 0 },
	{ "/file/list", NACM_READ },
	{ "/help", 0 },
	{ "/quit", 0 },
	{ "/show", NACM_READ },
};

const char *
cli_words_text(const struct cli_words *w, size_t from, size_t to, char *buf,
    size_t cap)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = from; i < to && n < cap; i++) {
		n += (size_t)snprintf(buf + n, cap - n,
		    w->quoted[i] ? "%s\"%s\"" : "%s%s", i > from ? " " : "",
		    w->w[i]);
	}
	return buf;
}

/* cli_access_covers - whether table path p covers path */
static int
cli_access_covers(const char *p, const char *path)
{
	size_t n = strlen(p);

	return strncmp(p, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * cli_access_of - the NACM path ("/request/mail/queue/hold": the leading
 * keywords of the command) and operation of the command made of
 * node[0..n) (NULL entries are words of a configuration path);
 * configure mode is all NACM_WRITE except "run", which is its
 * operational command
 */
static unsigned
cli_access_of(const struct cli *c, const struct cli_node *const *node, size_t n,
    char *path, size_t cap)
{
	size_t i = 0, len = 0, k;

	path[0] = '\0';
	if (c->mode == CLI_MODE_CONFIGURE) {
		if (n == 0 || node[0] == NULL ||
		    strcmp(node[0]->word, "run") != 0) {
			snprintf(path, cap, "/configure");
			return NACM_WRITE;
		}
		i = 1;
	}
	if (i >= n || node[i] == NULL) {
		return 0;
	}
	for (; i < n && node[i] != NULL && node[i]->kind == CLI_KW && len < cap;
	     i++) {
		len += (size_t)snprintf(path + len, cap - len, "/%s",
		    node[i]->word);
	}
	for (k = 0; k < SK_NELEM(cli_access_ops); k++) {
		if (cli_access_covers(cli_access_ops[k].path, path)) {
			return cli_access_ops[k].op;
		}
	}
	return NACM_EXEC;
}

int
cli_permitted(const struct cli *c, const struct cli_node *const *node, size_t n)
{
	char path[CLI_ACCESS_PATH];
	unsigned op = cli_access_of(c, node, n, path, sizeof(path));

	return op == 0 ||
	    nacm_check(cli_role(c), path, op, NULL) == NACM_PERMIT;
}

/*
 * cli_reach - whether a command the role may run ends at node[n - 1] or
 * below it. The NACM path is the leading keywords, so once an argument
 * or a configuration path is in, everything below has the same path and
 * operation: the answer is the check there. Loops in the grammar
 * ("show audit user X event Y ...") pass through arguments, so the walk
 * ends; the depth is bounded by CLI_WORDS_MAX besides.
 */
static int
cli_reach(const struct cli *c, const struct cli_node **node, size_t n)
{
	const struct cli_node *top = node[n - 1], *k;

	if (top->run != NULL && cli_permitted(c, node, n)) {
		return 1;
	}
	if (top->kind != CLI_KW) {
		return top->next != NULL && cli_permitted(c, node, n);
	}
	if (n == CLI_WORDS_MAX) {
		return 0;
	}
	for (k = top->next; k != NULL && k->word != NULL; k++) {
		node[n] = k;
		if (cli_reach(c, node, n + 1)) {
			return 1;
		}
	}
	return 0;
}

int
cli_visible(const struct cli *c, const struct cli_node *const *node, size_t n,
    const struct cli_node *next)
{
	const struct cli_node *stack[CLI_WORDS_MAX];

	if (n >= CLI_WORDS_MAX) {
		return 0;
	}
	memcpy(stack, node, n * sizeof(*node));
	stack[n] = next;
	return cli_reach(c, stack, n + 1);
}

int
cli_allowed(struct cli *c, const struct cli_call *call, unsigned *op,
    struct cli_text *out)
{
	static const char *const verbs[] = { "view", "run" };
	char path[CLI_ACCESS_PATH], line[CLI_LINE_MAX];
	enum nacm_role role = cli_role(c);

	*op = cli_access_of(c, call->node, call->n, path, sizeof(path));
	if (*op == 0 || nacm_check(role, path, *op, NULL) == NACM_PERMIT) {
		return 1;
	}
	cli_words_text(call->w, 0, call->n, line, sizeof(line));
	if (*op == NACM_WRITE) {
		cli_text_add(out,
		    "error: permission denied: role %s may not change the "
		    "configuration\n",
		    nacm_role_name(role));
	} else {
		cli_text_add(out,
		    "error: permission denied: role %s may not %s '%s'\n",
		    nacm_role_name(role), verbs[*op == NACM_READ ? 0 : 1],
		    line);
	}
	cli_audit(c, "denied", line);
	return 0;
}
