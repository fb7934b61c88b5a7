/*
 * policy.h - the sender-authentication verdict of one message, the core
 * of the policy process (policy_process.h): SPF, DKIM verification, DMARC
 * and ARC for inbound mail; DKIM signing for outbound mail (issue 4,
 * DESIGN.md section 1: "verdict before 250").
 *
 * Untrusted input: the whole message (header and body, as the client sent
 * it, with our Received header first), the envelope as the client gave
 * it, and every DNS answer. The envelope has passed firmware/smtp's
 * parsers; the message has passed nothing but the SMTP DATA/BDAT rules.
 *
 * Shape (sans-I/O, streaming, re-run on DNS answers, as spf_check and
 * dmarc_check):
 *
 *	policy_header_end(buf, len, ...)   where the header section ends
 *	policy_eval_init(e, conf, req)     once per message: req->msg is the
 *	                                   header section (it must live until
 *	                                   the verdict), without the empty line
 *	policy_eval_body(e, chunk, n)      the body, in chunks of any size
 *	policy_eval_run(e, dns, &verdict)  POLICY_PENDING: a query of dns
 *	                                   answered DNS_PENDING; run again
 *	                                   when the answers are in (the live
 *	                                   resolver replays them from its
 *	                                   cache). POLICY_DONE: the verdict.
 *
 * A run never blocks and the result is the same whatever the order in
 * which answers arrive, because every stage is a pure function of the
 * message and the answers.
 *
 * Inbound (direction POLICY_INBOUND: no SMTP AUTH, client not in an
 * internal network):
 *   - every Authentication-Results field that claims our authserv-id is
 *     listed in verdict.renames (offsets into the message): the caller
 *     overwrites each field name in place with POLICY_RENAMED_NAME, which
 *     has the same length (RFC 8601 5: a forged result must not reach
 *     the reader as ours; see README.md for why in place);
 *   - SPF for MAIL FROM (postmaster@HELO for the null sender, RFC 7208
 *     2.4), DKIM for every signature, ARC, DMARC over the From domain;
 *   - the prepend block: one Authentication-Results field with our
 *     authserv-id, then Received-SPF; a policy tag field when a failure
 *     is tagged rather than refused;
 *   - the action from the config: SPF fail and DMARC reject/quarantine
 *     map to their failure-action (reject: 550 5.7.x with the domain
 *     named; quarantine: tagged and delivered until quarantine exists;
 *     tag: tagged). A trusted ARC sealer, else a matching DMARC override
 *     (policy_override_find), turns a DMARC fail into accept (tagged);
 *   - a message nothing refused and that passed DKIM goes through the
 *     DKIM replay rule (policy_replay_check, below): conf->replay
 *     none/tag/quarantine/reject, logged "dkim-replay=suspect reason=";
 *   - with conf->seal, an accepted message gets the next ARC set (RFC
 *     8617 5.1) on top of the header block, its AAR our A-R.
 * Outbound: one DKIM-Signature per enabled selector of the signing
 * domain that covers the From domain (the prepend block); accept.
 *
 * policy_eval_whole does the first three over a whole message in memory.
 *
 * Ownership: the caller owns struct policy_eval (large: keep it on the
 * heap, one per message in flight), the conf (which must outlive the
 * evaluation) and the header section; body chunks are not kept. Nothing
 * here allocates, logs or does I/O.
 */
#ifndef SK_POLICY_H
#define SK_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "../auth/arc.h"
#include "../auth/dkim_sign.h"
#include "../auth/dkim_verify.h"
#include "../auth/dmarc.h"
#include "../auth/spf.h"
#include "../config/config.h"
#include "../dns/dns.h"

#define POLICY_PREPEND_MAX 8192 /* local limit: octets of our header block */
#define POLICY_REPLY_MAX 256    /* the SMTP reply line, without CRLF */
#define POLICY_LOG_MAX 512      /* the "policy: spf=... action=..." text */
#define POLICY_RENAMES_MAX                            \
	16 /* local limit: forged A-R fields renamed; \
	    * more makes the message a tempfail */
#define POLICY_SIGNERS_MAX CONFIG_DKIM_DOMAINS_MAX
#define POLICY_KEYS_MAX CONFIG_DKIM_SELECTORS_MAX /* per signing domain */
/* Same length as "Authentication-Results" (22 octets): the field name an
 * incoming A-R that claims our authserv-id is renamed to. */
#define POLICY_AR_NAME "Authentication-Results"
#define POLICY_RENAMED_NAME "X-Sekimori-Removed-A-R"

/* The values are the wire's (msg_types.h enum msg_policy_action). */
enum policy_action {
	POLICY_ACCEPT = 0,
	POLICY_REJECT = 1,   /* 5xx: verdict.reply */
	POLICY_TEMPFAIL = 2, /* 4xx: verdict.reply */
	/* 3 is the content step's discard, never the policy's */
	POLICY_QUARANTINE = 4, /* 250, then the queue keeps the message in
				* quarantine: verdict.reply is the reason */
};

/* Why a message is a DKIM replay suspect (policy_replay.c), or not. */
enum policy_replay {
	POLICY_REPLAY_NO = 0,
	POLICY_REPLAY_UNCOVERED_TO, /* a To field the signature does not
				     * cover */
	POLICY_REPLAY_UNCOVERED_CC, /* the same for Cc */
	POLICY_REPLAY_RECIPIENTS,   /* more than replay_max_rcpt */
};

enum policy_direction {
	POLICY_INBOUND = 0,  /* check */
	POLICY_OUTBOUND = 1, /* sign */
};

enum policy_status {
	POLICY_DONE = 0,
	POLICY_PENDING = 1,
};

/* A signing domain with its keys (loaded by policy_keys.c). */
struct policy_signer {
	char domain[CONFIG_DOMAIN_SIZE];
	int include_subdomains;
	enum dkim_canon_alg hcanon, bcanon; /* c= header/body */
	uint64_t lifetime;                  /* seconds for x=; 0: none */
	size_t nkeys;
	char selector[POLICY_KEYS_MAX][CONFIG_SELECTOR_SIZE];
	struct dkim_signkey key[POLICY_KEYS_MAX];
};

/* What the checks do: sender-authentication of the config, resolved. */
struct policy_conf {
	char authserv_id[CONFIG_DOMAIN_SIZE]; /* never "" */
	int spf, dkim, dmarc, arc;            /* checks enabled */
	enum config_fail_action spf_fail;
	enum config_fail_action dmarc_reject;
	enum config_fail_action dmarc_quarantine;
	const char *sealers[CONFIG_TRUSTED_SEALERS_MAX];
	size_t nsealers;
	struct policy_signer signers[POLICY_SIGNERS_MAX];
	size_t nsigners;
	const char *over[CONFIG_OVERSIGN_MAX]; /* over-signed header names */
	size_t nover; /* 0: the library's list (RFC 6376 8.15) */
	/* DMARC overrides (RFC 7489 6.7), in the config's order */
	const struct config_dmarc_override *overrides;
	size_t noverrides;
	/* DKIM replay (policy_replay.c): what is done with a suspect, and
	 * the recipients above which one is (0: no recipients rule) */
	enum config_replay_action replay;
	unsigned replay_max_rcpt;
	/* the ARC seal of inbound mail (RFC 8617 5.1): seal is 1 when the
	 * config has one; the key is an RSA one */
	int seal;
	char seal_domain[CONFIG_DOMAIN_SIZE];
	char seal_selector[CONFIG_SELECTOR_SIZE];
	struct dkim_signkey seal_key;
};

struct policy_request {
	const char *client_ip; /* text form, IPv4 or IPv6 */
	const char *helo;
	const char *mail_from; /* "" for the null sender */
	const char *auth_user; /* "" when not authenticated */
	enum policy_direction direction;
	const uint8_t *msg; /* the header section, CRLF lines (the whole
			     * message for policy_eval_whole) */
	size_t len;
	uint64_t now;   /* seconds since the epoch */
	uint32_t nrcpt; /* envelope recipients, carried and omitted (0:
			 * unknown; the replay rule then skips the count) */
};

struct policy_verdict {
	enum policy_action action;
	char reply[POLICY_REPLY_MAX];     /* "550 5.7.1 ..." or "" for accept */
	char prepend[POLICY_PREPEND_MAX]; /* CRLF-ended header fields */
	size_t prepend_len;
	uint64_t renames[POLICY_RENAMES_MAX]; /* offsets of field names */
	size_t nrenames;
	char log[POLICY_LOG_MAX]; /* "spf=pass dkim=pass dmarc=pass ..." */
};

struct policy_eval {
	const struct policy_conf *conf;
	struct policy_request req;
	size_t hlen;    /* header section, with its last CRLF */
	size_t body;    /* offset of the body */
	int header_bad; /* no valid header section */
	int started;    /* headers and body fed to the verifiers */
	int spf_done, dkim_done, arc_done, dmarc_done;
	int from_ok; /* the From domain is known */
	struct spf_request spf_req;
	struct spf_ctx spf;
	struct spf_outcome spf_out;
	struct dkim_verify dkim;
	struct arc_verify arc;
	struct dmarc_from from;
	struct dmarc_dkim dd[DKIM_VERIFY_SIGS_MAX];
	struct dmarc_ctx dmarc;
	struct dmarc_outcome dmarc_out;
	const struct policy_signer *signer;     /* outbound; NULL: none */
	struct dkim_sign sign[POLICY_KEYS_MAX]; /* one per signer key */
	/* the DMARC override that turned a DMARC failure into delivery,
	 * NULL when none did (set by the run, read by the report row) */
	const struct config_dmarc_override *override;
	struct arc_seal seal;        /* inbound with conf->seal */
	char seal_out[ARC_SEAL_MAX]; /* scratch: the set we add */
	/* when the run sealed: our set's length at the top of the prepend
	 * and the A-R's right below it (policy_seal_memo); 0: no seal */
	size_t seal_setlen, seal_arlen;
	/* the DKIM replay rule's finding (set by the run, read by the
	 * report row) and the d= of the signature it rests on */
	enum policy_replay replay;
	char replay_d[DKIM_DOMAIN_MAX + 1];
};

/* policy_header_end - the empty line that ends the header section of
 * buf[0..len): SK_OK with *hlen (the fields with their last CRLF) and
 * *body (the body's offset); SK_NEED_MORE when it is not in buf yet */
enum sk_result policy_header_end(const uint8_t *buf, size_t len, size_t *hlen,
    size_t *body);

/* policy_eval_init - start the evaluation; req->msg is the header
 * section (policy_header_end's hlen octets) */
void policy_eval_init(struct policy_eval *e, const struct policy_conf *conf,
    const struct policy_request *req);

/* policy_eval_body - a chunk of the body, before the first run */
void policy_eval_body(struct policy_eval *e, const uint8_t *p, size_t n);

/* policy_eval_whole - init and body from the whole message in req->msg
 * (a message without an empty line is all header) */
void policy_eval_whole(struct policy_eval *e, const struct policy_conf *conf,
    const struct policy_request *req);

/* policy_eval_run - go as far as the answers allow; see the top */
enum policy_status policy_eval_run(struct policy_eval *e,
    const struct dns_resolver *dns, struct policy_verdict *v);

/* policy_signer_find - the signer of a From domain: an exact domain, or
 * the nearest parent with include_subdomains; NULL when none */
const struct policy_signer *policy_signer_find(const struct policy_conf *conf,
    const char *domain);

/* policy_list_id - the list identifier of a List-Id field's value
 * (RFC 2919: [phrase] "<" list-id ">", only white space after the '>'):
 * SK_OK with id, idlen pointing into v; SK_E_SYNTAX for anything else,
 * or an id longer than POLICY_LIST_ID_MAX or with other than [!-~] */
#define POLICY_LIST_ID_MAX 255 /* the config's list-id: 1..255 */
enum sk_result policy_list_id(const uint8_t *v, size_t len, const uint8_t **id,
    size_t *idlen);

/* policy_override_find - the first override of conf that the message
 * of e matches (every criterion with values, any value of each: the
 * client address in a source-network, the MAIL FROM domain equal to a
 * mail-from-domain, ASCII case-insensitive, subdomains not; the list-id
 * of its only List-Id field equal to a list-id, case-insensitive);
 * NULL when none */
const struct config_dmarc_override *policy_override_find(
    const struct policy_eval *e);

/*
 * The second seal. The content step may rewrite a message after the
 * run sealed it (RFC 8617 5.1): the AMS then no longer verifies, and the
 * policy process seals the rewritten message once more, with the chain's
 * result and the A-R of the first evaluation (the memo: kept, since the
 * ARC fields of the rewritten message come from a milter and a chain
 * result must come from our own verification). The set replaces the
 * first one on top of the header block.
 *
 *   policy_seal_memo(e, v, &m)       after the run; 0: it did not seal
 *   policy_reseal_init(r, conf, &m, now)
 *   policy_reseal_body(r, body, len) the rewritten body, any split
 *   policy_reseal_final(r, &m, hdr, hlen, out, max, &outlen)
 *
 * struct policy_reseal is about 620 KiB: heap-allocate it. m.ar points
 * into the verdict's prepend: copy it to keep it.
 */
struct policy_seal_memo {
	enum arc_result result; /* the incoming chain's, from the run */
	unsigned nsets;         /* its sets */
	const char *ar;         /* our A-R field (the AAR's text) */
	size_t arlen;
};

struct policy_reseal {
	struct arc_verify chain; /* only the decision is set */
	struct arc_seal seal;
};

/* policy_seal_memo - 1 and *m when the run of e sealed the message in
 * v, else 0 */
int policy_seal_memo(const struct policy_eval *e,
    const struct policy_verdict *v, struct policy_seal_memo *m);
/* policy_reseal_init - start a second seal with conf's key (conf->seal
 * must be 1) for the chain decision in m */
void policy_reseal_init(struct policy_reseal *r, const struct policy_conf *conf,
    const struct policy_seal_memo *m, uint64_t now);
void policy_reseal_body(struct policy_reseal *r, const uint8_t *p, size_t n);
/* policy_reseal_final - the new set for the rewritten header section
 * hdr (policy_header_end's hlen octets) into out[max]: SK_OK with
 * *outlen, or arc_seal_final's errors */
enum sk_result policy_reseal_final(struct policy_reseal *r,
    const struct policy_seal_memo *m, const uint8_t *hdr, size_t hlen,
    char *out, size_t max, size_t *outlen);

/* policy_action_str - "accept", "reject", "tempfail" */
const char *policy_action_str(enum policy_action a);

/*
 * DKIM replay (README.md, "DKIM replay"): a message that passed DKIM and
 * whose signature does not cover its To or Cc fields, or that arrives
 * for more than conf->replay_max_rcpt recipients, unless the signing
 * domain's own servers sent it (DMARC passed on aligned SPF) or the
 * operator trusts its path (a trusted ARC sealer, a DMARC override).
 */
/* policy_replay_check - the finding for an inbound evaluation whose
 * checks are done; sets e->replay and e->replay_d, returns e->replay */
enum policy_replay policy_replay_check(struct policy_eval *e);
/* policy_replay_str - "uncovered-to", "uncovered-cc", "recipients" or
 * "no" */
const char *policy_replay_str(enum policy_replay r);

#endif /* SK_POLICY_H */
