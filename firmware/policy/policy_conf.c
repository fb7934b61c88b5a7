/*
 * policy_conf.c - struct policy_conf from the config (policy_conf.h):
 * the checks and actions of sender-authentication, the DMARC overrides,
 * and the DKIM signing and ARC seal keys read from their files.
 *
 * Untrusted input: the key files (PEM, bounded by POLICY_KEY_FILE_MAX,
 * parsed by auth/dkim_sign.c). Called by the policy process before it
 * drops privileges: the keys are readable by root only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_conf.h"

/* policy_conf_read - the whole key file into buf[cap]; its length or -1 */
static ssize_t
policy_conf_read(const char *path, uint8_t *buf, size_t cap, char *err,
    size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd == -1 || fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
		}
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size >= cap) {
		snprintf(err, errlen, "%s: not a regular file under %zu octets",
		    path, cap);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			snprintf(err, errlen, "%s: short read", path);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* policy_conf_key - one selector's key into s->key[s->nkeys] */
static enum sk_result
policy_conf_key(const struct config *cfg, const struct config_dkim_domain *d,
    const struct config_dkim_selector *sel, struct policy_signer *s, char *err,
    size_t errlen)
{
	uint8_t pem[POLICY_KEY_FILE_MAX];
	char path[CONFIG_PATH_SIZE + 16];
	struct dkim_signkey *k = &s->key[s->nkeys];
	ssize_t n;
	enum sk_result r;

	if (config_path(cfg, sel->key_file, path, sizeof(path)) != SK_OK) {
		snprintf(err, errlen,
		    "DKIM key of %s selector %s: path too "
		    "long",
		    d->name, sel->name);
		return SK_E_TOO_LONG;
	}
	if ((n = policy_conf_read(path, pem, sizeof(pem), err, errlen)) < 0) {
		return SK_E_IO;
	}
	r = dkim_signkey_pem(k, pem, (size_t)n);
	explicit_bzero(pem, sizeof(pem));
	if (r != SK_OK) {
		snprintf(err, errlen, "DKIM key of %s selector %s (%s): %s",
		    d->name, sel->name, path, sk_result_str(r));
		return r;
	}
	if ((k->alg == DKIM_ALG_ED25519_SHA256) != (sel->ed25519 != 0)) {
		dkim_signkey_wipe(k);
		snprintf(err, errlen,
		    "DKIM key of %s selector %s (%s): not an %s key", d->name,
		    sel->name, path, sel->ed25519 ? "Ed25519" : "RSA");
		return SK_E_SYNTAX;
	}
	snprintf(s->selector[s->nkeys], sizeof(s->selector[0]), "%s",
	    sel->name);
	s->nkeys++;
	return SK_OK;
}

/* policy_conf_seal - the ARC seal's key (an RSA one, the model says;
 * checked again here, as every key) */
static enum sk_result
policy_conf_seal(const struct config *cfg, struct policy_conf *pc, char *err,
    size_t errlen)
{
	const struct config_sender_auth *sa = &cfg->sender_auth;
	uint8_t pem[POLICY_KEY_FILE_MAX];
	char path[CONFIG_PATH_SIZE + 16];
	ssize_t n;
	enum sk_result r;

	if (config_path(cfg, sa->seal_key_file, path, sizeof(path)) != SK_OK) {
		snprintf(err, errlen, "ARC seal key: path too long");
		return SK_E_TOO_LONG;
	}
	if ((n = policy_conf_read(path, pem, sizeof(pem), err, errlen)) < 0) {
		return SK_E_IO;
	}
	r = dkim_signkey_pem(&pc->seal_key, pem, (size_t)n);
	explicit_bzero(pem, sizeof(pem));
	if (r == SK_OK && pc->seal_key.alg != DKIM_ALG_RSA_SHA256) {
		dkim_signkey_wipe(&pc->seal_key);
		r = SK_E_SYNTAX;
	}
	if (r != SK_OK) {
		snprintf(err, errlen, "ARC seal key of %s selector %s (%s): %s",
		    sa->seal_domain, sa->seal_selector, path,
		    r == SK_E_SYNTAX ? "not an RSA key" : sk_result_str(r));
		return r;
	}
	snprintf(pc->seal_domain, sizeof(pc->seal_domain), "%s",
	    sa->seal_domain);
	snprintf(pc->seal_selector, sizeof(pc->seal_selector), "%s",
	    sa->seal_selector);
	pc->seal = 1;
	return SK_OK;
}

/* policy_conf_load - see policy_conf.h */
enum sk_result
policy_conf_load(const struct config *cfg, const char *server_name,
    struct policy_conf *pc, char *err, size_t errlen)
{
	const struct config_sender_auth *sa = &cfg->sender_auth;
	size_t i, j;
	enum sk_result r;

	memset(pc, 0, sizeof(*pc));
	snprintf(pc->authserv_id, sizeof(pc->authserv_id), "%s",
	    sa->authserv_id[0] != '\0' ? sa->authserv_id : server_name);
	pc->spf = sa->spf_enabled;
	pc->dkim = sa->dkim_verify;
	pc->dmarc = sa->dmarc_enabled;
	/* a seal needs the incoming chain's result (its cv=) and carries
	 * our A-R with arc=: sealing verifies ARC even without verify */
	pc->arc = sa->arc_verify || sa->arc_seal;
	pc->overrides = sa->overrides;
	pc->noverrides = sa->noverrides;
	pc->spf_fail = sa->spf_fail_action;
	pc->dmarc_reject = sa->dmarc_reject_action;
	pc->dmarc_quarantine = sa->dmarc_quarantine_action;
	pc->replay = sa->replay_action;
	pc->replay_max_rcpt = sa->replay_max_rcpt;
	for (i = 0; i < sa->ntrusted_sealers; i++) {
		pc->sealers[pc->nsealers++] = sa->trusted_sealers[i];
	}
	for (i = 0; i < sa->noversigned; i++) {
		pc->over[pc->nover++] = sa->oversigned[i];
	}
	for (i = 0; i < sa->ndkim_domains && i < POLICY_SIGNERS_MAX; i++) {
		const struct config_dkim_domain *d = &sa->dkim_domains[i];
		struct policy_signer *s = &pc->signers[pc->nsigners++];

		snprintf(s->domain, sizeof(s->domain), "%s", d->name);
		s->include_subdomains = d->include_subdomains;
		s->lifetime = (uint64_t)d->signature_lifetime * 3600;
		s->hcanon = d->canon_header_simple ? DKIM_CANON_SIMPLE :
						     DKIM_CANON_RELAXED;
		s->bcanon = d->canon_body_simple ? DKIM_CANON_SIMPLE :
						   DKIM_CANON_RELAXED;
		for (j = 0; j < d->nselectors && j < POLICY_KEYS_MAX; j++) {
			r = policy_conf_key(cfg, d, &d->selectors[j], s, err,
			    errlen);
			if (r != SK_OK) {
				policy_conf_wipe(pc);
				return r;
			}
		}
	}
	if (sa->arc_seal &&
	    (r = policy_conf_seal(cfg, pc, err, errlen)) != SK_OK) {
		policy_conf_wipe(pc);
		return r;
	}
	return SK_OK;
}

/* policy_conf_wipe - forget the private keys */
void
policy_conf_wipe(struct policy_conf *pc)
{
	size_t i, j;

	for (i = 0; i < pc->nsigners; i++) {
		for (j = 0; j < pc->signers[i].nkeys; j++) {
			dkim_signkey_wipe(&pc->signers[i].key[j]);
		}
	}
	if (pc->seal) {
		dkim_signkey_wipe(&pc->seal_key);
	}
	explicit_bzero(pc, sizeof(*pc));
}
