/*
 * psl.c - Public Suffix List: list parser, A-label conversion (RFC 3492
 * Punycode), the publicsuffix.org matching algorithm and the
 * organizational domain of RFC 7489 3.2.
 *
 * Untrusted input: domain names from mail, and list files.  Everything is
 * bounded by the limits in psl.h; nothing allocates.  This file is also
 * linked into the host generator psl_gen (see module.mk), so it must not
 * refer to the generated table: psl_org.c does.
 */
#include <string.h>

#include "psl.h"

/* RFC 3492 5: Punycode parameters for IDNA */
#define PUNY_BASE 36
#define PUNY_TMIN 1
#define PUNY_TMAX 26
#define PUNY_SKEW 38
#define PUNY_DAMP 700
#define PUNY_INITIAL_BIAS 72
#define PUNY_INITIAL_N 0x80
#define PSL_ACE_PREFIX "xn--" /* RFC 5890 2.3.2.5 */

static int
psl_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * psl_utf8 - decode one UTF-8 scalar value at s[*i] (RFC 3629 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF).  -1 when bad.
 */
static long
psl_utf8(const uint8_t *s, size_t len, size_t *i)
{
	uint8_t c = s[*i];
	size_t n, k;
	long v, min;

	if (c < 0x80) {
		(*i)++;
		return c;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 1, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3, v = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (len - *i <= n) {
		return -1;
	}
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			return -1;
		}
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		return -1;
	}
	*i += n + 1;
	return v;
}

/* psl_puny_adapt - RFC 3492 6.1 bias adaptation */
static unsigned long
psl_puny_adapt(unsigned long delta, unsigned long npoints, int first)
{
	unsigned long k = 0;

	delta = first ? delta / PUNY_DAMP : delta / 2;
	delta += delta / npoints;
	while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
		delta /= PUNY_BASE - PUNY_TMIN;
		k += PUNY_BASE;
	}
	return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

/* psl_put - append one octet to out[*n] within cap */
static int
psl_put(char *out, size_t cap, size_t *n, int c)
{
	if (*n >= cap) {
		return -1;
	}
	out[(*n)++] = (char)c;
	return 0;
}

static int
psl_puny_digit(unsigned long d)
{
	return d < 26 ? (int)('a' + d) : (int)('0' + d - 26);
}

/*
 * psl_puny_encode - RFC 3492 6.3: the Punycode of the PSL_LABEL_MAX code
 * points cp[0..ncp), appended to out.  -1 when it does not fit.
 */
static int
psl_puny_encode(const long *cp, size_t ncp, char *out, size_t cap, size_t *n)
{
	unsigned long nn = PUNY_INITIAL_N, delta = 0, bias = PUNY_INITIAL_BIAS;
	unsigned long h, b = 0, m, q, k, t;
	size_t i;

	for (i = 0; i < ncp; i++) {
		if (cp[i] < 0x80) {
			if (psl_put(out, cap, n, psl_lower((int)cp[i])) != 0) {
				return -1;
			}
			b++;
		}
	}
	if (b > 0 && psl_put(out, cap, n, '-') != 0) {
		return -1;
	}
	/* ncp <= PSL_LABEL_MAX and cp < 0x110000: no overflow is possible */
	for (h = b; h < ncp; nn++, delta++) {
		m = 0x110000;
		for (i = 0; i < ncp; i++) {
			if ((unsigned long)cp[i] >= nn &&
			    (unsigned long)cp[i] < m) {
				m = (unsigned long)cp[i];
			}
		}
		delta += (m - nn) * (h + 1);
		nn = m;
		for (i = 0; i < ncp; i++) {
			if ((unsigned long)cp[i] < nn) {
				delta++;
			}
			if ((unsigned long)cp[i] != nn) {
				continue;
			}
			for (q = delta, k = PUNY_BASE;; k += PUNY_BASE) {
				t = k <= bias             ? PUNY_TMIN :
				    k >= bias + PUNY_TMAX ? PUNY_TMAX :
							    k - bias;
				if (q < t) {
					break;
				}
				if (psl_put(out, cap, n,
					psl_puny_digit(t +
					    (q - t) % (PUNY_BASE - t))) != 0) {
					return -1;
				}
				q = (q - t) / (PUNY_BASE - t);
			}
			if (psl_put(out, cap, n, psl_puny_digit(q)) != 0) {
				return -1;
			}
			bias = psl_puny_adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
	}
	return 0;
}

/*
 * psl_label - append label s[0..len) to out in lower-case A-label form.
 * SK_OK, SK_E_SYNTAX (control octet, bad UTF-8), SK_E_TOO_LONG.
 */
static enum sk_result
psl_label(const uint8_t *s, size_t len, char *out, size_t cap, size_t *n)
{
	long cp[PSL_LABEL_MAX];
	size_t i = 0, ncp = 0, start = *n;
	int wide = 0;
	long v;

	if (len == 0) {
		return SK_E_SYNTAX;
	}
	while (i < len) {
		if ((v = psl_utf8(s, len, &i)) < 0 || v <= 0x20 || v == 0x7f) {
			return SK_E_SYNTAX;
		}
		if (ncp == PSL_LABEL_MAX) {
			return SK_E_TOO_LONG;
		}
		wide |= v >= 0x80;
		cp[ncp++] = v;
	}
	if (!wide) {
		for (i = 0; i < len; i++) {
			if (psl_put(out, cap, n, psl_lower(s[i])) != 0) {
				return SK_E_TOO_LONG;
			}
		}
	} else {
		for (i = 0; i < 4; i++) {
			if (psl_put(out, cap, n, PSL_ACE_PREFIX[i]) != 0) {
				return SK_E_TOO_LONG;
			}
		}
		if (psl_puny_encode(cp, ncp, out, cap, n) != 0) {
			return SK_E_TOO_LONG;
		}
	}
	if (*n - start > PSL_LABEL_MAX) {
		return SK_E_TOO_LONG;
	}
	return SK_OK;
}

/* psl_alabel - the whole name in A-label form; see psl.h */
enum sk_result
psl_alabel(const char *name, size_t len, char *out, size_t cap, size_t *labels)
{
	const uint8_t *s = (const uint8_t *)name;
	char a[PSL_NAME_MAX + 1];
	size_t i, start = 0, n = 0, nl = 0;
	enum sk_result r;

	if (len > 0 && s[len - 1] == '.') {
		len--; /* an absolute name */
	}
	if (len == 0) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			continue;
		}
		if (nl > 0 && psl_put(a, PSL_NAME_MAX, &n, '.') != 0) {
			return SK_E_TOO_LONG;
		}
		r = psl_label(s + start, i - start, a, PSL_NAME_MAX, &n);
		if (r != SK_OK) {
			return r;
		}
		nl++;
		start = i + 1;
	}
	if (n + 1 > cap) {
		return SK_E_FULL;
	}
	memcpy(out, a, n);
	out[n] = '\0';
	if (labels != NULL) {
		*labels = nl;
	}
	return SK_OK;
}

/* --- the table ------------------------------------------------------ */

/* psl_cmp - order of keys: octets, then a shorter prefix first */
static int
psl_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0) {
		return c;
	}
	return alen < blen ? -1 : alen > blen;
}

static int
psl_rule_cmp(const char *names, const struct psl_rule *a,
    const struct psl_rule *b)
{
	return psl_cmp(names + a->off, a->len, names + b->off, b->len);
}

/* psl_sift - restore the heap property below node i of r[0..n) */
static void
psl_sift(const char *names, struct psl_rule *r, size_t i, size_t n)
{
	struct psl_rule tmp;
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && psl_rule_cmp(names, &r[c], &r[c + 1]) < 0) {
			c++;
		}
		if (psl_rule_cmp(names, &r[i], &r[c]) >= 0) {
			return;
		}
		tmp = r[i], r[i] = r[c], r[c] = tmp;
		i = c;
	}
}

/* psl_sort - heapsort: O(n log n), no allocation, no recursion */
static void
psl_sort(const char *names, struct psl_rule *r, size_t n)
{
	struct psl_rule tmp;
	size_t i;

	for (i = n / 2; i-- > 0;) {
		psl_sift(names, r, i, n);
	}
	while (n > 1) {
		n--;
		tmp = r[0], r[0] = r[n], r[n] = tmp;
		psl_sift(names, r, 0, n);
	}
}

/* psl_parse_rule - one rule line (already cut at white space) */
static enum sk_result
psl_parse_rule(const uint8_t *s, size_t len, int priv, struct psl_rule *rule,
    char *names, size_t nmax, size_t *used)
{
	unsigned flag = PSL_F_NORMAL;
	size_t n = *used, i;
	enum sk_result r;

	if (len > 0 && s[0] == '!') {
		flag = PSL_F_EXCEPT, s++, len--;
	} else if (len > 1 && s[0] == '*' && s[1] == '.') {
		flag = PSL_F_WILD, s += 2, len -= 2;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '*' || s[i] == '!') {
			return SK_E_SYNTAX; /* only a leftmost "*." is used */
		}
	}
	r = psl_alabel((const char *)s, len, names + n,
	    nmax - n < PSL_NAME_MAX + 1 ? nmax - n : PSL_NAME_MAX + 1, NULL);
	if (r != SK_OK) {
		return r;
	}
	rule->off = (uint32_t)n;
	rule->len = (uint16_t)strlen(names + n);
	rule->flags = (uint16_t)(priv ? flag << PSL_F_PRIVATE_SHIFT : flag);
	*used = n + rule->len;
	return SK_OK;
}

/* psl_merge - sort, then merge the flags of equal keys */
static size_t
psl_merge(const char *names, struct psl_rule *r, size_t n)
{
	size_t i, k = 0;

	psl_sort(names, r, n);
	for (i = 0; i < n; i++) {
		if (k > 0 && psl_rule_cmp(names, &r[k - 1], &r[i]) == 0) {
			r[k - 1].flags |= r[i].flags;
		} else {
			r[k++] = r[i];
		}
	}
	return k;
}

/* psl_parse - see psl.h */
enum sk_result
psl_parse(const uint8_t *buf, size_t len, struct psl_rule *rules, size_t rmax,
    char *names, size_t nmax, struct psl_table *t, size_t *line)
{
	static const char begin_priv[] = "// ===BEGIN PRIVATE DOMAINS===";
	static const char end_priv[] = "// ===END PRIVATE DOMAINS===";
	size_t pos = 0, eol, w, n = 0, used = 0;
	int priv = 0;
	enum sk_result r;

	*line = 0;
	while (pos < len) {
		(*line)++;
		for (eol = pos; eol < len && buf[eol] != '\n'; eol++) {
		}
		if (eol - pos > PSL_LINE_MAX) {
			return SK_E_TOO_LONG;
		}
		if (eol - pos >= sizeof(begin_priv) - 1 &&
		    memcmp(buf + pos, begin_priv, sizeof(begin_priv) - 1) ==
			0) {
			priv = 1;
		} else if (eol - pos >= sizeof(end_priv) - 1 &&
		    memcmp(buf + pos, end_priv, sizeof(end_priv) - 1) == 0) {
			priv = 0;
		}
		/* a line is read up to its first white space */
		for (w = pos; w < eol && buf[w] != ' ' && buf[w] != '\t' &&
		     buf[w] != '\r';
		     w++) {
		}
		if (w > pos &&
		    !(w - pos >= 2 && buf[pos] == '/' && buf[pos + 1] == '/')) {
			if (n == rmax) {
				return SK_E_FULL;
			}
			r = psl_parse_rule(buf + pos, w - pos, priv, &rules[n],
			    names, nmax, &used);
			if (r != SK_OK) {
				return r;
			}
			n++;
		}
		pos = eol + 1;
	}
	t->rules = rules;
	t->nrules = psl_merge(names, rules, n);
	t->names = names;
	t->names_len = used;
	return SK_OK;
}

/* psl_find - binary search for key; its flags, or 0 */
static unsigned
psl_find(const struct psl_table *t, const char *key, size_t len)
{
	size_t lo = 0, hi = t->nrules, mid;
	const struct psl_rule *r;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &t->rules[mid];
		c = psl_cmp(t->names + r->off, r->len, key, len);
		if (c == 0) {
			return r->flags;
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return 0;
}

/* psl_note - a rule of kind k prevails; is it only in PRIVATE? */
static void
psl_note(struct psl_match *m, unsigned raw, unsigned k)
{
	m->implicit = 0;
	m->private_rule = !(raw & k);
}

/* psl_lookup - the publicsuffix.org algorithm; see psl.h */
enum sk_result
psl_lookup(const struct psl_table *t, const char *name, size_t len,
    unsigned opts, struct psl_match *m)
{
	char a[PSL_NAME_MAX + 1];
	size_t start[PSL_LABELS_MAX + 1], n = 0, i, alen, cnt;
	unsigned raw, f,
	    mask = opts & PSL_ICANN_ONLY ? PSL_F_ICANN_MASK : PSL_F_ALL_MASK;
	enum sk_result r;

	if ((r = psl_alabel(name, len, a, sizeof(a), NULL)) != SK_OK) {
		return r == SK_E_FULL ? SK_E_TOO_LONG : r;
	}
	alen = strlen(a);
	start[n++] = 0;
	for (i = 0; i < alen; i++) {
		if (a[i] == '.') {
			start[n++] = i + 1;
		}
	}
	memset(m, 0, sizeof(*m));
	m->labels = n;
	m->ps_labels = 1;
	m->implicit = 1;
	/* suffixes from the whole name down to the last label */
	for (i = 0; i < n; i++) {
		raw = psl_find(t, a + start[i], alen - start[i]) & mask;
		f = (raw | raw >> PSL_F_PRIVATE_SHIFT) & PSL_F_ICANN_MASK;
		cnt = n - i;
		if (f & PSL_F_EXCEPT) {
			/* publicsuffix.org: an exception rule prevails */
			m->ps_labels = cnt - 1;
			psl_note(m, raw, PSL_F_EXCEPT);
			m->exception = 1;
			return SK_OK;
		}
		if ((f & PSL_F_WILD) && i > 0 && cnt + 1 > m->ps_labels) {
			m->ps_labels = cnt + 1;
			psl_note(m, raw, PSL_F_WILD);
		}
		if ((f & PSL_F_NORMAL) && (cnt > m->ps_labels || m->implicit)) {
			m->ps_labels = cnt;
			psl_note(m, raw, PSL_F_NORMAL);
		}
	}
	return SK_OK;
}

/* psl_org_domain_table - RFC 7489 3.2; see psl.h */
enum sk_result
psl_org_domain_table(const struct psl_table *t, const char *name, size_t len,
    unsigned opts, char *out, size_t cap)
{
	struct psl_match m;
	size_t keep, i, from, nl;
	enum sk_result r;

	if ((r = psl_lookup(t, name, len, opts, &m)) != SK_OK) {
		return r;
	}
	if (len > 0 && name[len - 1] == '.') {
		len--;
	}
	/* the labels of the original form, counted from the right */
	keep = m.ps_labels < m.labels ? m.ps_labels + 1 : m.labels;
	from = 0;
	for (i = len, nl = 0; i > 0; i--) {
		if (name[i - 1] == '.' && ++nl == keep) {
			from = i;
			break;
		}
	}
	if (len - from + 1 > cap) {
		return SK_E_FULL;
	}
	for (i = from; i < len; i++) {
		out[i - from] = (char)psl_lower((unsigned char)name[i]);
	}
	out[len - from] = '\0';
	return m.ps_labels < m.labels ? SK_OK : SK_END;
}
