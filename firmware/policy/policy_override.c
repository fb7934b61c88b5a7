/*
 * policy_override.c - the DMARC overrides of the config (RFC 7489 6.7,
 * appendix C PolicyOverrideType): which one, if any, a message matches
 * (policy.h).
 *
 * Untrusted input: the header section (its List-Id field), the client
 * address and MAIL FROM as smtp passed them. The criteria come from the
 * config, validated by the model.
 */
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "policy.h"

#define POLICY_LIST_ID_NAME "List-Id"

/* policy_wsp - white space inside a field value, folding included */
static int
policy_wsp(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* policy_list_id - the part between '<' and '>' (policy.h). The phrase
 * before it may hold anything a phrase holds, '<' in a quoted string
 * too, so the identifier is the one the field ends with. */
enum sk_result
policy_list_id(const uint8_t *v, size_t len, const uint8_t **id, size_t *idlen)
{
	size_t end = len, open, i;

	while (end > 0 && policy_wsp(v[end - 1])) {
		end--;
	}
	if (end == 0 || v[end - 1] != '>') {
		return SK_E_SYNTAX;
	}
	end--; /* at the '>' */
	for (open = end; open > 0 && v[open - 1] != '<'; open--) {
	}
	if (open == 0 || end - open == 0 || end - open > POLICY_LIST_ID_MAX) {
		return SK_E_SYNTAX;
	}
	for (i = open; i < end; i++) {
		/* printable ASCII without spaces, as the config's pattern */
		if (v[i] < '!' || v[i] > '~' || v[i] == '>') {
			return SK_E_SYNTAX;
		}
	}
	*id = v + open;
	*idlen = end - open;
	return SK_OK;
}

/* policy_list_id_of - the message's list identifier: its only List-Id
 * field's (a message with two claims no one list); 0 when none */
static int
policy_list_id_of(const struct policy_eval *e, const uint8_t **id,
    size_t *idlen)
{
	const uint8_t *f, *colon, *got = NULL;
	size_t pos = 0, flen, glen = 0, nlen = sizeof(POLICY_LIST_ID_NAME) - 1;
	int n = 0;

	while (
	    dkim_header_next(e->req.msg, e->hlen, &pos, &f, &flen) == SK_OK) {
		if (!dkim_header_is(f, flen, POLICY_LIST_ID_NAME, nlen) ||
		    (colon = memchr(f, ':', flen)) == NULL) {
			continue;
		}
		n++;
		got = colon + 1;
		glen = flen - (size_t)(got - f);
	}
	return n == 1 && policy_list_id(got, glen, id, idlen) == SK_OK;
}

/* policy_prefix_has - the client address is in prefix p */
static int
policy_prefix_has(const struct config_ip *p, const struct policy_eval *e)
{
	size_t full = p->len / 8, rest = p->len % 8;
	uint8_t mask;

	if ((p->family == AF_INET) != (e->spf_req.af == 4) ||
	    (p->family != AF_INET && p->family != AF_INET6) ||
	    e->spf_req.af == 0) {
		return 0;
	}
	if (memcmp(p->addr, e->spf_req.ip, full) != 0) {
		return 0;
	}
	if (rest == 0) {
		return 1;
	}
	mask = (uint8_t)(0xff00u >> rest);
	return (p->addr[full] & mask) == (e->spf_req.ip[full] & mask);
}

/* policy_override_ip - any source-network holds the client (none given:
 * the criterion holds) */
static int
policy_override_ip(const struct config_dmarc_override *o,
    const struct policy_eval *e)
{
	size_t i;

	for (i = 0; i < o->nnetworks; i++) {
		if (policy_prefix_has(&o->networks[i], e)) {
			return 1;
		}
	}
	return o->nnetworks == 0;
}

/* policy_override_from - the MAIL FROM domain is one of the list, the
 * whole domain: a forwarder's envelope domain is known exactly, and a
 * subdomain match would widen an exception that delivers mail failing
 * DMARC. The null sender has no domain and matches no value. */
static int
policy_override_from(const struct config_dmarc_override *o,
    const struct policy_eval *e)
{
	const char *at = strrchr(e->req.mail_from, '@');
	size_t i;

	for (i = 0; at != NULL && at[1] != '\0' && i < o->nmail_from; i++) {
		if (strcasecmp(at + 1, o->mail_from[i]) == 0) {
			return 1;
		}
	}
	return o->nmail_from == 0;
}

/* policy_override_list - the List-Id is one of the list */
static int
policy_override_list(const struct config_dmarc_override *o,
    const struct policy_eval *e)
{
	const uint8_t *id;
	size_t i, idlen;

	if (o->nlist_id == 0) {
		return 1;
	}
	if (!policy_list_id_of(e, &id, &idlen)) {
		return 0;
	}
	for (i = 0; i < o->nlist_id; i++) {
		if (strlen(o->list_id[i]) == idlen &&
		    strncasecmp(o->list_id[i], (const char *)id, idlen) == 0) {
			return 1;
		}
	}
	return 0;
}

/* policy_override_find - the first override the message matches */
const struct config_dmarc_override *
policy_override_find(const struct policy_eval *e)
{
	const struct policy_conf *c = e->conf;
	size_t i;

	for (i = 0; i < c->noverrides; i++) {
		const struct config_dmarc_override *o = &c->overrides[i];

		/* the model wants one criterion at least; an override the
		 * loader got without any must not match everything */
		if (o->nnetworks + o->nmail_from + o->nlist_id == 0) {
			continue;
		}
		if (policy_override_ip(o, e) && policy_override_from(o, e) &&
		    policy_override_list(o, e)) {
			return o;
		}
	}
	return NULL;
}
