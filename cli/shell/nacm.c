/*
 * nacm.c - the rule list of the three roles (nacm.h has the contract).
 */
#include <string.h>

#include "nacm.h"

#define OPERATOR NACM_ROLE(NACM_OPERATOR)
#define AUDITOR NACM_ROLE(NACM_AUDITOR)

static const char *const nacm_role_names[NACM_ROLES] = {
	[NACM_ADMIN] = "admin",
	[NACM_OPERATOR] = "operator",
	[NACM_AUDITOR] = "auditor",
};

/*
 * First match wins. The model's role descriptions, as rules:
 *   admin     everything
 *   operator  operational commands, queue and quarantine actions and
 *             clearing the mail statistics; no
 *             configuration changes; not the audit log (it records the
 *             operator's own actions)
 *   auditor   read-only, the audit log included, and its export
 * Saved configuration files ("file list") are the administrators':
 * load and save are configuration changes, and the files hold
 * password hashes.
 */
const struct nacm_rule nacm_rules[] = {
	{ "admin-all", NACM_ROLE(NACM_ADMIN), "*", NACM_ALL, NACM_PERMIT },
	{ "queue-actions", OPERATOR, "/request/mail/queue", NACM_EXEC,
	    NACM_PERMIT },
	{ "quarantine-actions", OPERATOR, "/request/mail/quarantine", NACM_EXEC,
	    NACM_PERMIT },
	{ "statistics-clear", OPERATOR, "/clear/mail/statistics", NACM_EXEC,
	    NACM_PERMIT },
	{ "audit-read", AUDITOR, "/show/audit", NACM_READ, NACM_PERMIT },
	{ "audit-export", AUDITOR, "/request/system/audit/export", NACM_EXEC,
	    NACM_PERMIT },
	{ "audit-private", OPERATOR, "/show/audit", NACM_READ, NACM_DENY },
	{ "saved-files", OPERATOR | AUDITOR, "/file", NACM_ALL, NACM_DENY },
};
const size_t nacm_nrules = sizeof(nacm_rules) / sizeof(nacm_rules[0]);

/* nacm_path_match - whether rule path p covers path: itself or below
 * it at a '/' boundary ("/show/audit" covers "/show/audit/user", not
 * "/show/auditx") */
static int
nacm_path_match(const char *p, const char *path)
{
	size_t n = strlen(p);

	if (strcmp(p, "*") == 0) {
		return 1;
	}
	return strncmp(p, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

enum nacm_action
nacm_check(enum nacm_role role, const char *path, unsigned op,
    const struct nacm_rule **rule)
{
	size_t i;

	if (rule != NULL) {
		*rule = NULL;
	}
	if ((unsigned)role >= NACM_ROLES) {
		return NACM_DENY;
	}
	for (i = 0; i < nacm_nrules; i++) {
		if ((nacm_rules[i].roles & NACM_ROLE(role)) &&
		    (nacm_rules[i].ops & op) &&
		    nacm_path_match(nacm_rules[i].path, path)) {
			if (rule != NULL) {
				*rule = &nacm_rules[i];
			}
			return nacm_rules[i].action;
		}
	}
	return op == NACM_READ ? NACM_PERMIT : NACM_DENY;
}

int
nacm_role_parse(const char *s, enum nacm_role *out)
{
	size_t i;

	for (i = 0; i < NACM_ROLES; i++) {
		if (strcmp(s, nacm_role_names[i]) == 0) {
			*out = (enum nacm_role)i;
			return 0;
		}
	}
	return -1;
}

const char *
nacm_role_name(enum nacm_role r)
{
	return (unsigned)r < NACM_ROLES ? nacm_role_names[r] : "none";
}
