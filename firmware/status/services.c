/*
 * services.c - parse the services file and match running processes.
 */
#include <string.h>

#include "services.h"

/* services_name_ok - [a-z0-9][a-z0-9._-]*, at most SERVICES_NAME_MAX */
static int
services_name_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0 || n > SERVICES_NAME_MAX || p[0] == '.' || p[0] == '_' ||
	    p[0] == '-') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
			(p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
			p[i] == '_' || p[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

/* services_cmd_ok - visible ASCII words separated by single spaces */
static int
services_cmd_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] == ' ' || p[n - 1] == ' ') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == ' ' && p[i + 1] == ' ') {
			return 0;
		}
		if (p[i] < ' ' || p[i] > '~') {
			return 0;
		}
	}
	return 1;
}

/* services_line - judge one line; 1 if it names a service */
static enum sk_result
services_line(const uint8_t *p, size_t n, struct services_entry *e,
    int *is_service)
{
	const uint8_t *sp;

	*is_service = 0;
	if (n == 0 || p[0] == '#') {
		return SK_OK;
	}
	sp = memchr(p, ' ', n);
	if (sp == NULL) {
		return SK_E_SYNTAX;
	}
	e->name = p;
	e->namelen = (size_t)(sp - p);
	e->cmd = sp + 1;
	e->cmdlen = n - e->namelen - 1;
	if (!services_name_ok(e->name, e->namelen) ||
	    !services_cmd_ok(e->cmd, e->cmdlen)) {
		return SK_E_SYNTAX;
	}
	*is_service = 1;
	return SK_OK;
}

/* services_next - the next service from *off */
enum sk_result
services_next(const uint8_t *buf, size_t len, size_t *off, size_t *line,
    struct services_entry *e)
{
	const uint8_t *p, *lf;
	size_t n, linelen;
	enum sk_result r;
	int found;

	while (*off < len) {
		p = buf + *off;
		n = len - *off;
		lf = memchr(p, '\n', n);
		linelen = lf != NULL ? (size_t)(lf - p) : n;
		(*line)++;
		if (linelen + 1 > SERVICES_LINE_MAX) {
			return SK_E_TOO_LONG;
		}
		if ((r = services_line(p, linelen, e, &found)) != SK_OK) {
			return r;
		}
		*off += lf != NULL ? linelen + 1 : linelen;
		if (found) {
			return SK_OK;
		}
	}
	return SK_END;
}

/* services_cmd_match - whether a process's cmdline starts with cmd */
int
services_cmd_match(const uint8_t *cmd, size_t cmdlen, const uint8_t *proc,
    size_t plen)
{
	size_t i;

	if (cmdlen == 0 || plen < cmdlen) {
		return 0;
	}
	for (i = 0; i < cmdlen; i++) {
		/* A space of the command is the NUL between two arguments. */
		if (cmd[i] == ' ' ? proc[i] != '\0' : proc[i] != cmd[i]) {
			return 0;
		}
	}
	return plen == cmdlen || proc[cmdlen] == '\0';
}

/* services_name_match - whether comm (with its newline) is name */
int
services_name_match(const uint8_t *name, size_t namelen, const uint8_t *comm,
    size_t commlen)
{
	if (commlen > 0 && comm[commlen - 1] == '\n') {
		commlen--;
	}
	if (namelen > SERVICES_COMM_MAX) {
		namelen = SERVICES_COMM_MAX;
	}
	return namelen > 0 && namelen == commlen &&
	    memcmp(name, comm, namelen) == 0;
}
