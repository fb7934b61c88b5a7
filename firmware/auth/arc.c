/*
 * arc.c - ARC chain validation (RFC 8617 5.2) and sealing (5.1).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "arc.h"
#include "base64.h"

static const char *const arc_result_names[] = {
	[ARC_NONE] = "none",
	[ARC_PASS] = "pass",
	[ARC_FAIL] = "fail",
	[ARC_PENDING] = "pending",
};

const char *
arc_result_str(enum arc_result r)
{
	if ((size_t)r >= SK_NELEM(arc_result_names)) {
		return "?";
	}
	return arc_result_names[r];
}

enum arc_kind {
	ARC_K_NONE = 0,
	ARC_K_AAR,
	ARC_K_AMS,
	ARC_K_AS,
};

/* arc_kind_of - which ARC field f is, if any */
static enum arc_kind
arc_kind_of(const uint8_t *f, size_t flen)
{
	if (dkim_header_is(f, flen, "arc-authentication-results", 26)) {
		return ARC_K_AAR;
	}
	if (dkim_header_is(f, flen, "arc-message-signature", 21)) {
		return ARC_K_AMS;
	}
	if (dkim_header_is(f, flen, "arc-seal", 8)) {
		return ARC_K_AS;
	}
	return ARC_K_NONE;
}

/* arc_value - the value of field f: after the colon, without its CRLF */
static size_t
arc_value(const uint8_t *f, size_t flen, size_t *vlen)
{
	size_t vo = (size_t)((const uint8_t *)memchr(f, ':', flen) - f) + 1;

	*vlen = flen - vo;
	if (*vlen >= 2 && f[flen - 2] == '\r' && f[flen - 1] == '\n') {
		*vlen -= 2;
	}
	return vo;
}

/* arc_verify_init clears all but the sets: 50 of them are half a
 * megabyte, and most mail has none, so clearing them all for every message
 * showed in the policy process's profile (ci/bench/inbound.py). A set is
 * cleared when an instance first names it (arc_set_at); nothing reads a
 * set past v->ready. */
void
arc_verify_init(struct arc_verify *v, uint64_t now)
{
	sk_zero_except(v, sizeof(*v), offsetof(struct arc_verify, set),
	    sizeof(v->set));
	v->now = now;
	v->crypto_ok = sodium_init() >= 0;
}

/* arc_set_settle - a set once the chain is decided: nothing to look up or
 * hash */
static void
arc_set_settle(struct arc_set *set, const char *why)
{
	set->ams.key_done = 1;
	set->as.key_done = 1;
	dkim_vsig_decide(&set->ams, DKIM_NEUTRAL, why);
	dkim_vsig_decide(&set->as, DKIM_NEUTRAL, why);
}

/* arc_set_at - the set of instance inst (1..ARC_SETS_MAX, checked by the
 * parsers), cleared with every lower one the first time */
static struct arc_set *
arc_set_at(struct arc_verify *v, unsigned inst)
{
	struct arc_set *set;

	while (v->ready < inst) {
		set = &v->set[v->ready++];
		memset(set, 0, sizeof(*set));
		if (v->decided) {
			arc_set_settle(set, v->reason);
		}
	}
	return &v->set[inst - 1];
}

/* arc_decide - the chain's final result (the first decision stands) */
static void
arc_decide(struct arc_verify *v, enum arc_result r, const char *why)
{
	size_t k;

	if (v->decided) {
		return;
	}
	v->decided = 1;
	v->result = r;
	v->reason = why;
	/* nothing more to look up or hash (arc_set_at settles later sets) */
	for (k = 0; k < v->ready; k++) {
		arc_set_settle(&v->set[k], why);
	}
}

/* arc_take_aar - an ARC-Authentication-Results field */
static int
arc_take_aar(struct arc_verify *v, const uint8_t *hdr, const uint8_t *f,
    size_t flen)
{
	struct arc_set *set;
	size_t vlen, vo = arc_value(f, flen, &vlen);
	unsigned inst = 0;
	enum sk_result r;

	r = authres_parse_aar(&v->ar, &inst, f + vo, vlen);
	if (inst == 0) {
		arc_decide(v, ARC_FAIL,
		    "ARC-Authentication-Results without i=");
		return -1;
	}
	set = arc_set_at(v, inst);
	if (set->naar++ > 0) {
		arc_decide(v, ARC_FAIL,
		    "two ARC-Authentication-Results of "
		    "one instance");
		return -1;
	}
	/* the payload is informational (RFC 8617 4.1.1): kept, not judged */
	set->aar_ok = r == SK_OK;
	snprintf(set->aar_id, sizeof(set->aar_id), "%s", v->ar.id);
	set->aar_off = (size_t)(f - hdr);
	set->aar_len = flen;
	v->nsets = inst > v->nsets ? inst : v->nsets;
	return 0;
}

/* arc_take_sig - an ARC-Message-Signature or ARC-Seal field */
static int
arc_take_sig(struct arc_verify *v, const uint8_t *hdr, size_t len,
    const uint8_t *f, size_t flen, enum arc_kind kind)
{
	struct arc_set *set;
	struct dkim_vsig *s;
	size_t vlen, vo = arc_value(f, flen, &vlen), k;
	int ams = kind == ARC_K_AMS;

	if (dkim_sig_parse_kind(&v->scratch, f + vo, vlen,
		ams ? DKIM_SIG_AMS : DKIM_SIG_AS) != SK_OK) {
		/* RFC 8617 5.2 step 2: a set of invalid form fails */
		arc_decide(v, ARC_FAIL,
		    ams ? "malformed ARC-Message-Signature" :
			  "malformed ARC-Seal");
		return -1;
	}
	set = arc_set_at(v, v->scratch.instance);
	if ((ams ? set->nams++ : set->nas++) > 0) {
		arc_decide(v, ARC_FAIL,
		    "two ARC fields of one kind and "
		    "instance");
		return -1;
	}
	v->nsets =
	    v->scratch.instance > v->nsets ? v->scratch.instance : v->nsets;
	s = ams ? &set->ams : &set->as;
	memset(s, 0, sizeof(*s));
	s->sig = v->scratch;
	s->parsed = 1;
	if (s->sig.alg == DKIM_ALG_RSA_SHA1) {
		/* RFC 8301 3.1, as for DKIM */
		dkim_vsig_decide(s, DKIM_PERMERROR,
		    "rsa-sha1 is not acceptable");
		s->key_done = 1;
	}
	if (!ams) {
		set->as_off = (size_t)(f - hdr);
		set->as_len = flen;
		set->as_boff = vo + s->sig.b_val_off;
		return 0;
	}
	set->ams_off = (size_t)(f - hdr);
	set->ams_len = flen;
	for (k = 0; k < s->sig.nh; k++) {
		if (s->sig.h_len[k] == 8 &&
		    strncasecmp(s->sig.h_text + s->sig.h_off[k], "arc-seal",
			8) == 0) {
			/* RFC 8617 4.1.2: an AMS must not sign ARC-Seal */
			dkim_vsig_decide(s, DKIM_PERMERROR,
			    "AMS signs ARC-Seal");
			s->key_done = 1;
		}
	}
	dkim_body_init(&s->body, s->sig.bcanon,
	    s->sig.has_l ? s->sig.l : UINT64_MAX);
	dkim_vsig_hash_headers(s, hdr, len, f, flen, vo + s->sig.b_val_off);
	return 0;
}

/* arc_structure - RFC 8617 5.2 steps 2 to 4 over the sets found */
static void
arc_structure(struct arc_verify *v)
{
	const struct arc_set *set;
	unsigned i;

	for (i = 1; i <= v->nsets; i++) {
		set = &v->set[i - 1];
		if (set->naar != 1 || set->nams != 1 || set->nas != 1) {
			arc_decide(v, ARC_FAIL,
			    set->naar + set->nams + set->nas == 0 ?
				"an instance is missing" :
				"an ARC set is incomplete");
			return;
		}
	}
	/* step 3: the newest seal says the chain already failed */
	if (v->set[v->nsets - 1].as.sig.cv == DKIM_ARC_CV_FAIL) {
		arc_decide(v, ARC_FAIL, "the newest ARC-Seal has cv=fail");
		return;
	}
	/* step 4: i=1 has cv=none, every later seal cv=pass */
	for (i = 1; i <= v->nsets; i++) {
		enum dkim_arc_cv want =
		    i == 1 ? DKIM_ARC_CV_NONE : DKIM_ARC_CV_PASS;

		if (v->set[i - 1].as.sig.cv != want) {
			arc_decide(v, ARC_FAIL,
			    i == 1 ? "ARC-Seal i=1 without cv=none" :
				     "an ARC-Seal after i=1 without cv=pass");
			return;
		}
	}
}

/* arc_hash_seal - RFC 8617 5.1.1: the sets 1..i in increasing order, each
 * AAR, AMS, AS (relaxed), the AS of i last with b= empty and no CRLF */
static void
arc_hash_seal(struct arc_verify *v, const uint8_t *hdr, unsigned i)
{
	const struct arc_set *set;
	struct dkim_hash h;
	unsigned j;

	dkim_hash_init(&h);
	for (j = 1; j <= i; j++) {
		set = &v->set[j - 1];
		dkim_canon_header(&h, DKIM_CANON_RELAXED, hdr + set->aar_off,
		    set->aar_len, 0, 0, 1);
		dkim_canon_header(&h, DKIM_CANON_RELAXED, hdr + set->ams_off,
		    set->ams_len, 0, 0, 1);
		if (j < i) {
			dkim_canon_header(&h, DKIM_CANON_RELAXED,
			    hdr + set->as_off, set->as_len, 0, 0, 1);
		}
	}
	set = &v->set[i - 1];
	dkim_canon_header(&h, DKIM_CANON_RELAXED, hdr + set->as_off,
	    set->as_len, set->as_boff, set->as.sig.b_val_len, 0);
	dkim_hash_final(&h, v->set[i - 1].as.hhash);
}

enum sk_result
arc_verify_headers(struct arc_verify *v, const uint8_t *hdr, size_t len)
{
	const uint8_t *f;
	size_t pos = 0, flen;
	enum sk_result r;
	enum arc_kind kind;
	unsigned i;
	int bad = 0;

	while (!bad &&
	    (r = dkim_header_next(hdr, len, &pos, &f, &flen)) == SK_OK) {
		if ((kind = arc_kind_of(f, flen)) == ARC_K_NONE) {
			continue;
		}
		if (++v->nfields > ARC_FIELDS_MAX) {
			arc_decide(v, ARC_FAIL, "too many ARC fields");
			bad = 1;
		} else if (kind == ARC_K_AAR) {
			bad = arc_take_aar(v, hdr, f, flen) != 0;
		} else {
			bad = arc_take_sig(v, hdr, len, f, flen, kind) != 0;
		}
	}
	if (!bad && r != SK_END) {
		arc_decide(v, v->nfields > 0 ? ARC_FAIL : ARC_NONE,
		    "the header section is malformed");
		return r;
	}
	if (v->nfields == 0) {
		arc_decide(v, ARC_NONE, "no ARC fields");
		return SK_OK;
	}
	if (v->decided || v->nsets == 0) {
		arc_decide(v, ARC_FAIL, "malformed ARC fields");
		return SK_OK;
	}
	arc_structure(v);
	if (v->decided) {
		return SK_OK;
	}
	for (i = 1; i <= v->nsets; i++) {
		arc_hash_seal(v, hdr, i);
	}
	return SK_OK;
}

/* arc_key - look up the key of one signature; 1 when pending */
static int
arc_key(struct arc_verify *v, struct dkim_vsig *s, const struct dns_resolver *r)
{
	enum dns_status st;

	if (!dkim_vsig_key_query(s, v->qname, sizeof(v->qname))) {
		return 0;
	}
	st = dns_query(r, v->qname, DNS_T_TXT, &v->ans, NULL, NULL);
	if (st == DNS_PENDING) {
		return 1;
	}
	v->ans.status = st;
	dkim_vsig_key_set(s, &v->ans);
	return 0;
}

enum arc_result
arc_verify_keys(struct arc_verify *v, const struct dns_resolver *r)
{
	unsigned i;

	if (v->decided) {
		return ARC_NONE;
	}
	/* newest first: the AMS and AS of N decide most */
	for (i = v->nsets; i >= 1; i--) {
		if (arc_key(v, &v->set[i - 1].ams, r) ||
		    arc_key(v, &v->set[i - 1].as, r)) {
			return ARC_PENDING;
		}
	}
	return ARC_NONE;
}

void
arc_verify_update(struct arc_verify *v, const uint8_t *body, size_t len)
{
	unsigned i;

	if (v->decided) {
		return;
	}
	for (i = 0; i < v->nsets; i++) {
		if (v->set[i].ams.result == DKIM_NONE) {
			dkim_body_update(&v->set[i].ams.body, body, len);
		}
	}
}

void
arc_verify_final(struct arc_verify *v)
{
	struct arc_set *set;
	unsigned i;

	if (v->decided) {
		return;
	}
	for (i = 0; i < v->nsets; i++) {
		set = &v->set[i];
		dkim_vsig_final(&set->ams, v->crypto_ok, 1);
		dkim_vsig_final(&set->as, v->crypto_ok, 0);
		v->temperror |= set->ams.result == DKIM_TEMPERROR ||
		    set->as.result == DKIM_TEMPERROR;
	}
	/* step 5: the newest AMS must verify */
	if (v->set[v->nsets - 1].ams.result != DKIM_PASS) {
		arc_decide(v, ARC_FAIL,
		    "the newest ARC-Message-Signature does not verify");
		return;
	}
	/* step 6: oldest-pass */
	v->oldest_pass = 0;
	for (i = v->nsets - 1; i >= 1; i--) {
		if (v->set[i - 1].ams.result != DKIM_PASS) {
			v->oldest_pass = i + 1;
			break;
		}
	}
	/* step 7: every seal, newest first */
	for (i = v->nsets; i >= 1; i--) {
		if (v->set[i - 1].as.result != DKIM_PASS) {
			arc_decide(v, ARC_FAIL, "an ARC-Seal does not verify");
			return;
		}
	}
	v->oldest_pass_known = 1;
	arc_decide(v, ARC_PASS, "every seal verified");
}

int
arc_trusted_pass(const struct arc_verify *v, const char *const *domains,
    size_t ndomains)
{
	const char *d;
	size_t k;

	if (!v->decided || v->result != ARC_PASS || v->nsets == 0) {
		return 0;
	}
	d = v->set[v->nsets - 1].as.sig.d;
	for (k = 0; k < ndomains; k++) {
		if (domains[k] != NULL && strcasecmp(domains[k], d) == 0) {
			return 1;
		}
	}
	return 0;
}

/* ---- sealing ------------------------------------------------------- */

void
arc_seal_init(struct arc_seal *s, const struct dkim_signkey *key, const char *d,
    const char *sel, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	dkim_sign_init(&s->sign, key, d, sel, now);
}

void
arc_seal_update(struct arc_seal *s, const uint8_t *body, size_t len)
{
	dkim_sign_update(&s->sign, body, len);
}

/* arc_sign_hash - the signature over a header hash, base64 into b64 */
static enum sk_result
arc_sign_hash(const struct dkim_signkey *k, const uint8_t hh[32], char *b64,
    size_t max)
{
	uint8_t sig[DKIM_B_MAX];
	size_t siglen, n;
	enum sk_result r;

	if ((r = dkim_signkey_sign(k, hh, sig, sizeof(sig), &siglen)) !=
	    SK_OK) {
		return r;
	}
	return base64_encode(sig, siglen, b64, max, &n);
}

/* arc_put_b64 - b= value folded (whatever fits on each line), then CRLF */
static void
arc_put_b64(struct authres_out *o, const char *b64)
{
	authres_out_fill(o, b64);
	authres_out_put(o, "\r\n", 2, 0);
}

/* arc_put_common - " a=..; d=..; s=..; t=..;" (cv= first for a seal) */
static void
arc_put_tags(struct authres_out *o, const struct arc_seal *s, unsigned inst,
    const char *cv)
{
	char tmp[DKIM_DOMAIN_MAX + 16];

	snprintf(tmp, sizeof(tmp), " i=%u;", inst);
	authres_out_str(o, tmp, 0);
	snprintf(tmp, sizeof(tmp), " a=%s;",
	    s->sign.key->alg == DKIM_ALG_ED25519_SHA256 ? "ed25519-sha256" :
							  "rsa-sha256");
	authres_out_str(o, tmp, 1);
	if (cv != NULL) {
		snprintf(tmp, sizeof(tmp), " cv=%s;", cv);
		authres_out_str(o, tmp, 1);
	} else {
		authres_out_str(o, " c=relaxed/relaxed;", 1);
	}
	snprintf(tmp, sizeof(tmp), " d=%s;", s->sign.d);
	authres_out_str(o, tmp, 1);
	snprintf(tmp, sizeof(tmp), " s=%s;", s->sign.s);
	authres_out_str(o, tmp, 1);
	snprintf(tmp, sizeof(tmp), " t=%llu;", (unsigned long long)s->sign.now);
	authres_out_str(o, tmp, 1);
}

/* arc_seal_aar - "ARC-Authentication-Results: i=N;" and the A-R value */
static enum sk_result
arc_seal_aar(struct arc_seal *s, unsigned inst, const char *ar, size_t arlen,
    struct authres_out *o)
{
	static const char name[] = "Authentication-Results:";
	char tmp[64];

	if (arlen >= sizeof(name) - 1 &&
	    strncasecmp(ar, name, sizeof(name) - 1) == 0) {
		ar += sizeof(name) - 1;
		arlen -= sizeof(name) - 1;
	}
	while (arlen >= 2 && ar[arlen - 2] == '\r' && ar[arlen - 1] == '\n') {
		arlen -= 2;
	}
	if (authres_parse(&s->ar, (const uint8_t *)ar, arlen) != SK_OK) {
		return SK_E_SYNTAX;
	}
	snprintf(tmp, sizeof(tmp), "ARC-Authentication-Results: i=%u;", inst);
	authres_out_str(o, tmp, 0);
	if (arlen > 0 && ar[0] != ' ' && ar[0] != '\t') {
		authres_out_str(o, " ", 0);
	}
	authres_out_put(o, ar, arlen, 0);
	authres_out_put(o, "\r\n", 2, 0);
	return SK_OK;
}

/* arc_seal_ams - the ARC-Message-Signature of the new set */
static enum sk_result
arc_seal_ams(struct arc_seal *s, unsigned inst, const uint8_t *hdr, size_t hlen,
    struct authres_out *o)
{
	char tmp[DKIM_DOMAIN_MAX + 16], b64[BASE64_LEN(DKIM_B_MAX) + 1];
	char bhb[BASE64_LEN(32) + 1];
	uint8_t bh[32], hh[32];
	struct dkim_hash h;
	uint64_t total;
	size_t k, start = o->len, n;
	enum sk_result r;

	memset(&s->sig, 0, sizeof(s->sig));
	if ((r = dkim_sig_sign_hlist(&s->sig, hdr, hlen, NULL, 0)) != SK_OK) {
		return r;
	}
	s->sig.hcanon = DKIM_CANON_RELAXED;
	dkim_body_final(&s->sign.body, bh, &total);
	authres_out_str(o, "ARC-Message-Signature:", 0);
	arc_put_tags(o, s, inst, NULL);
	authres_out_str(o, " h=", 1);
	for (k = 0; k < s->sig.nh; k++) {
		snprintf(tmp, sizeof(tmp), "%.*s%s", (int)s->sig.h_len[k],
		    s->sig.h_text + s->sig.h_off[k],
		    k + 1 < s->sig.nh ? ":" : ";");
		authres_out_str(o, tmp, 1);
	}
	(void)base64_encode(bh, sizeof(bh), bhb, sizeof(bhb), &n);
	snprintf(tmp, sizeof(tmp), " bh=%s;", bhb);
	authres_out_str(o, tmp, 1);
	authres_out_str(o, " b=", 1);
	if (o->over) {
		return SK_E_TOO_LONG;
	}
	/* RFC 6376 3.7 as for DKIM: the fields, then this one, b= empty */
	dkim_hash_init(&h);
	dkim_hash_fields(&h, &s->sig, hdr, hlen);
	dkim_canon_header(&h, DKIM_CANON_RELAXED, (const uint8_t *)o->p + start,
	    o->len - start, 0, 0, 0);
	dkim_hash_final(&h, hh);
	if ((r = arc_sign_hash(s->sign.key, hh, b64, sizeof(b64))) != SK_OK) {
		return r;
	}
	arc_put_b64(o, b64);
	return SK_OK;
}

/* arc_field_instance - the instance of an ARC field, 0 if none */
static unsigned
arc_field_instance(struct arc_seal *s, const uint8_t *f, size_t flen,
    enum arc_kind kind)
{
	size_t vlen, vo = arc_value(f, flen, &vlen);
	unsigned inst = 0;

	if (kind == ARC_K_AAR) {
		(void)authres_parse_aar(&s->ar, &inst, f + vo, vlen);
		return inst;
	}
	if (dkim_sig_parse_kind(&s->sig, f + vo, vlen,
		kind == ARC_K_AMS ? DKIM_SIG_AMS : DKIM_SIG_AS) != SK_OK) {
		return 0;
	}
	return s->sig.instance;
}

/* arc_hash_old_sets - the existing sets 1..n in order (RFC 8617 5.1.1) */
static void
arc_hash_old_sets(struct arc_seal *s, struct dkim_hash *h, const uint8_t *hdr,
    size_t hlen, unsigned n)
{
	static const enum arc_kind order[] = { ARC_K_AAR, ARC_K_AMS, ARC_K_AS };
	const uint8_t *f;
	size_t pos, flen, k;
	unsigned j;

	for (j = 1; j <= n; j++) {
		for (k = 0; k < SK_NELEM(order); k++) {
			pos = 0;
			while (dkim_header_next(hdr, hlen, &pos, &f, &flen) ==
			    SK_OK) {
				if (arc_kind_of(f, flen) == order[k] &&
				    arc_field_instance(s, f, flen, order[k]) ==
					j) {
					dkim_canon_header(h, DKIM_CANON_RELAXED,
					    f, flen, 0, 0, 1);
					break;
				}
			}
		}
	}
}

enum sk_result
arc_seal_final(struct arc_seal *s, const struct arc_verify *v,
    const uint8_t *hdr, size_t hlen, const char *ar, size_t arlen, char *out,
    size_t max, size_t *outlen)
{
	char *sets = s->sets;
	char b64[BASE64_LEN(DKIM_B_MAX) + 1];
	struct authres_out o, so;
	struct dkim_hash h;
	uint8_t hh[32];
	size_t aar_len;
	unsigned inst;
	const char *cv;
	enum sk_result r;

	if (!v->decided || v->result == ARC_PENDING) {
		return SK_E_SYNTAX;
	}
	inst = v->result == ARC_NONE ? 1 : v->nsets + 1;
	if (inst > ARC_SETS_MAX) {
		return SK_E_RANGE; /* RFC 8617 4.2.1: no 51st set */
	}
	cv = v->result == ARC_NONE ? "none" :
				     (v->result == ARC_PASS ? "pass" : "fail");
	/* the AAR and AMS first (the AS signs them), into sets */
	authres_out_init(&so, sets, sizeof(s->sets));
	if ((r = arc_seal_aar(s, inst, ar, arlen, &so)) != SK_OK) {
		return r;
	}
	aar_len = so.len;
	so.col = 0;
	if ((r = arc_seal_ams(s, inst, hdr, hlen, &so)) != SK_OK) {
		return r;
	}
	if (so.over) {
		return SK_E_TOO_LONG;
	}
	/* the AS: with cv=fail only the new set (RFC 8617 5.1.2) */
	authres_out_init(&o, out, max);
	authres_out_str(&o, "ARC-Seal:", 0);
	arc_put_tags(&o, s, inst, cv);
	authres_out_str(&o, " b=", 1);
	if (o.over) {
		return SK_E_TOO_LONG;
	}
	dkim_hash_init(&h);
	if (v->result == ARC_PASS) {
		arc_hash_old_sets(s, &h, hdr, hlen, inst - 1);
	}
	dkim_canon_header(&h, DKIM_CANON_RELAXED, (const uint8_t *)sets,
	    aar_len, 0, 0, 1);
	dkim_canon_header(&h, DKIM_CANON_RELAXED,
	    (const uint8_t *)sets + aar_len, so.len - aar_len, 0, 0, 1);
	dkim_canon_header(&h, DKIM_CANON_RELAXED, (const uint8_t *)out, o.len,
	    0, 0, 0);
	dkim_hash_final(&h, hh);
	if ((r = arc_sign_hash(s->sign.key, hh, b64, sizeof(b64))) != SK_OK) {
		return r;
	}
	arc_put_b64(&o, b64);
	/* then the AMS and AAR below it */
	authres_out_put(&o, sets + aar_len, so.len - aar_len, 0);
	authres_out_put(&o, sets, aar_len, 0);
	if (o.over) {
		return SK_E_TOO_LONG;
	}
	*outlen = o.len;
	return SK_OK;
}
