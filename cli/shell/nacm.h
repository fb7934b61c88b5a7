/*
 * nacm.h - who may do what: the roles of the model (system user role:
 * admin, operator, auditor) as a small rule list in the spirit of NACM
 * (RFC 8341): each rule names roles, a path prefix and access operations,
 * and permits or denies; the first rule that matches decides, else the
 * defaults below. The CLI checks every command against it; a NETCONF
 * server can check its operations against the same table (an
 * <edit-config> is NACM_WRITE on the data path, an RPC NACM_EXEC on
 * /request/..., a <get-config> NACM_READ).
 *
 * Paths are '/'-separated words: operational commands as their keywords
 * ("/request/mail/queue/hold", "/show/audit", "/configure"). A rule's
 * path matches itself and everything below it; "*" matches every path.
 *
 * Defaults when no rule matches (RFC 8341 3.4.5 names them read-default,
 * write-default and exec-default): read permit, write deny, and, unlike
 * RFC 8341's exec-default of permit, exec deny: every state-changing
 * operational command must be granted by a rule, so a command added
 * later is admin-only until a rule says otherwise.
 *
 * Pure data and one lookup: no allocation, no I/O.
 */
#ifndef CLI_NACM_H
#define CLI_NACM_H

#include <stddef.h>

enum nacm_role {
	NACM_ADMIN,
	NACM_OPERATOR,
	NACM_AUDITOR,
	NACM_ROLES, /* how many */
};

/* Access operations (RFC 8341 3.2.2: create, update and delete are
 * one here, as the CLI changes configuration only by commit). */
#define NACM_READ 0x1  /* show */
#define NACM_WRITE 0x2 /* change the configuration */
#define NACM_EXEC 0x4  /* an operational action that changes state */
#define NACM_ALL (NACM_READ | NACM_WRITE | NACM_EXEC)

#define NACM_ROLE(r) (1u << (r)) /* a rule's roles are a bit set */

enum nacm_action {
	NACM_PERMIT,
	NACM_DENY,
};

struct nacm_rule {
	const char *name;
	unsigned roles; /* NACM_ROLE bits */
	const char *path;
	unsigned ops; /* NACM_READ ... */
	enum nacm_action action;
};

/* The rules, in order (nacm.c lists and explains them). */
extern const struct nacm_rule nacm_rules[];
extern const size_t nacm_nrules;

/*
 * nacm_check - whether role may do op (one NACM_ bit) on path; the rule
 * that decided in *rule (NULL when a default did; rule may be NULL)
 */
enum nacm_action nacm_check(enum nacm_role role, const char *path, unsigned op,
    const struct nacm_rule **rule);

/* nacm_role_parse - the role named s ("admin", "operator", "auditor");
 * -1 when unknown */
int nacm_role_parse(const char *s, enum nacm_role *out);

/* nacm_role_name - the model's name of role r */
const char *nacm_role_name(enum nacm_role r);

#endif /* CLI_NACM_H */
