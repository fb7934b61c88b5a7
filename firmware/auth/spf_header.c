/*
 * spf_header.c - the Received-SPF header field (RFC 7208 9.1).
 *
 * Untrusted input: the envelope and the reason text, which may hold any
 * octet a peer sent.  Everything is written as a quoted-string or a
 * comment with escapes, control octets dropped, so the header cannot be
 * broken or extended by a peer.
 */
#include <stdio.h>
#include <string.h>

#include "spf.h"

struct spf_hbuf {
	char *buf;
	size_t size;
	size_t len;
	int full;
};

static void
spf_hput(struct spf_hbuf *h, const char *s, size_t n)
{
	if (h->full || n >= h->size - h->len) {
		h->full = 1;
		return;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

static void
spf_hputs(struct spf_hbuf *h, const char *s)
{
	spf_hput(h, s, strlen(s));
}

/* RFC 5322 3.2.3: atext */
static int
spf_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* spf_dot_atom - RFC 5322 3.2.3 dot-atom-text */
static int
spf_dot_atom(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || s[0] == '.' || s[n - 1] == '.') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !spf_atext(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* spf_hquoted - text as a quoted-string, or within a comment */
static void
spf_hescaped(struct spf_hbuf *h, const char *s, const char *special)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f) {
			continue; /* no control octets, no 8-bit in headers */
		}
		if (strchr(special, c) != NULL) {
			spf_hput(h, "\\", 1);
		}
		spf_hput(h, s, 1);
	}
}

/* spf_hpair - "; key=value", folded onto a new line */
static void
spf_hpair(struct spf_hbuf *h, const char *key, const char *value)
{
	spf_hputs(h, "\r\n\t");
	spf_hputs(h, key);
	spf_hputs(h, "=");
	if (spf_dot_atom(value)) {
		spf_hputs(h, value);
	} else {
		spf_hputs(h, "\"");
		spf_hescaped(h, value, "\"\\");
		spf_hputs(h, "\"");
	}
	spf_hputs(h, ";");
}

/* spf_hcomment - the human-readable comment of RFC 7208 9.1 */
static void
spf_hcomment(struct spf_hbuf *h, const struct spf_outcome *out,
    enum spf_result r, const char *ip)
{
	static const struct {
		const char *before, *middle, *after;
	} words[SPF_RESULT_COUNT] = {
		[SPF_PASS] = { "domain of ", " designates ",
		    " as permitted sender" },
		[SPF_FAIL] = { "domain of ", " does not designate ",
		    " as permitted sender" },
		[SPF_SOFTFAIL] = { "domain of transitioning ",
		    " does not designate ", " as permitted sender" },
		[SPF_NEUTRAL] = { "", " neither permits nor denies ", "" },
	};

	if ((unsigned)r >= SPF_RESULT_COUNT || words[r].middle == NULL) {
		spf_hescaped(h, out->reason, "()\\");
		return;
	}
	spf_hputs(h, words[r].before);
	spf_hescaped(h, out->sender, "()\\");
	spf_hputs(h, words[r].middle);
	spf_hputs(h, ip);
	spf_hputs(h, words[r].after);
}

/* spf_received_header - format "Received-SPF: ..." (RFC 7208 9.1) */
size_t
spf_received_header(const struct spf_outcome *out,
    const struct spf_request *req, const char *receiver, char *buf,
    size_t bufsz)
{
	struct spf_hbuf h = { buf, bufsz, 0, 0 };
	char ip[DNS_IP6_TEXT_MAX];
	enum spf_result r = out->result;

	if (bufsz == 0) {
		return 0;
	}
	buf[0] = '\0';
	if (r == SPF_PENDING) {
		r = SPF_TEMPERROR;
	}
	if (req->af == 4) {
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", req->ip[0], req->ip[1],
		    req->ip[2], req->ip[3]);
	} else {
		dns_ip6_format(req->ip, ip);
	}
	spf_hputs(&h, "Received-SPF: ");
	spf_hputs(&h, spf_result_str(r));
	spf_hputs(&h, " (");
	if (receiver != NULL) {
		spf_hescaped(&h, receiver, "()\\");
		spf_hputs(&h, ": ");
	}
	spf_hcomment(&h, out, r, ip);
	spf_hputs(&h, ")");
	if (receiver != NULL) {
		spf_hpair(&h, "receiver", receiver);
	}
	spf_hpair(&h, "client-ip", ip);
	spf_hpair(&h, "envelope-from",
	    req->mail_from != NULL ? req->mail_from : "");
	spf_hpair(&h, "helo", req->helo != NULL ? req->helo : "");
	spf_hpair(&h, "identity",
	    req->identity == SPF_ID_HELO ? "helo" : "mailfrom");
	if (out->mechanism[0] != '\0') {
		spf_hpair(&h, "mechanism", out->mechanism);
	}
	if (r == SPF_PERMERROR || r == SPF_TEMPERROR) {
		spf_hpair(&h, "problem", out->reason);
	}
	if (h.full) {
		buf[0] = '\0';
		return 0;
	}
	return h.len;
}
