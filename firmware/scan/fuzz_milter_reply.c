/*
 * fuzz_milter_reply.c - libFuzzer target: the milter client fed hostile
 * milter bytes through a whole session.
 *
 * Input: one octet for the piece size (low 4 bits, 0 = all at once),
 * whether the replacement body limit is tiny (bit 4), whether envelope
 * changes are not offered (bit 5) and a limit of 2 added recipients (bit
 * 6); then the milter's octets. The driver writes out whatever the client wants
 * to send and gives it a fixed message whenever it asks for content, as the
 * real driver does. Invariants: the client never takes more input than given;
 * the session ends (DONE after EOF); the verdict is valid and its text
 * printable and NUL-terminated (a CRLF only between the lines of a
 * reply, each with the first line's code, the last maybe only the code);
 * envelope changes only when offered, their addresses printable, within
 * the added-recipient limit; actions are within their limits, each
 * string NUL-terminated inside the arena; the replacement body stays
 * within its limit; output packets are well-formed (length >= 1).
 */
#include <stdlib.h>
#include <string.h>

#include "scan_milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const rcpts[] = { "b@example.org", "c@example.org" };
static struct scan_env env = {
	.myhostname = "mx.example",
	.daemon_name = "sekimori",
	.queue_id = "QID",
	.client_addr = "2001:db8::1",
	.client_port = 2525,
	.client_name = "client.example",
	.helo = "helo.example",
	.auth_user = "user",
	.sender = "a@example.com",
	.rcpt = rcpts,
	.nrcpt = 2,
	.envelope_ok = 1,
};
static const char msg[] = "Subject: x\r\nX-Long: a\r\n b\r\n\r\nbody\r\n";
static uint64_t body_total;

static void
on_body(void *arg, const uint8_t *buf, size_t len)
{
	body_total += len;
}

/* check_output - every queued packet has a sane length prefix */
static void
check_output(const uint8_t *p, size_t len)
{
	size_t off = 0, n;

	while (off + 4 <= len) {
		n = (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 |
		    (size_t)p[off + 2] << 8 | p[off + 3];
		if (n == 0 || n > len - off - 4) {
			abort();
		}
		off += 4 + n;
	}
	if (off != len) {
		abort();
	}
}

/* pump - write out and feed content until the client waits for input */
static void
pump(struct scan_milter *m, size_t *msg_off)
{
	const uint8_t *p;
	size_t len;

	for (;;) {
		switch (scan_milter_want(m)) {
		case SCAN_MILTER_WANT_WRITE:
			p = scan_milter_output(m, &len);
			check_output(p, len);
			scan_milter_sent(m, len);
			break;
		case SCAN_MILTER_WANT_CONTENT:
			if (*msg_off < sizeof(msg) - 1) {
				*msg_off += scan_milter_feed(m,
				    (const uint8_t *)msg + *msg_off,
				    sizeof(msg) - 1 - *msg_off);
			} else {
				scan_milter_end(m);
				if (scan_milter_want(m) ==
				    SCAN_MILTER_WANT_CONTENT) {
					abort(); /* ended, yet wants more */
				}
			}
			break;
		default:
			return;
		}
	}
}

/* check_envelope - envelope changes only when offered, printable
 * addresses with a domain (or the null sender), within the limit */
static void
check_envelope(const struct scan_milter_actions *a)
{
	uint32_t added = 0;
	size_t i, k;
	const char *s;

	for (i = 0; i < a->n; i++) {
		enum scan_milter_action_type t = a->a[i].type;

		if (t != SCAN_MA_ADDRCPT && t != SCAN_MA_ADDRCPT_PAR &&
		    t != SCAN_MA_DELRCPT && t != SCAN_MA_CHGFROM) {
			continue;
		}
		s = a->a[i].name;
		if (!env.envelope_ok ||
		    (t != SCAN_MA_CHGFROM && strchr(s, '@') == NULL) ||
		    (t == SCAN_MA_ADDRCPT_PAR && a->a[i].index > 0xf)) {
			abort();
		}
		for (k = 0; s[k] != '\0'; k++) {
			if (s[k] < 0x20 || s[k] > 0x7e) {
				abort();
			}
		}
		added += t == SCAN_MA_ADDRCPT || t == SCAN_MA_ADDRCPT_PAR;
	}
	if (added >
		(env.max_rcpts ? env.max_rcpts : SCAN_MILTER_RCPTS_DEFAULT) ||
	    added > SCAN_MILTER_RCPTS_MAX) {
		abort();
	}
}

static void
check_result(const struct scan_milter *m, uint64_t body_max)
{
	const struct scan_result *r = scan_milter_result(m);
	const struct scan_milter_actions *a = scan_milter_actions(m);
	size_t i, n;

	n = strnlen(r->text, SCAN_TEXT_MAX);
	if (n == SCAN_TEXT_MAX || (unsigned)r->verdict >= SCAN_VERDICT_COUNT) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (r->text[i] == '\r' && i > 0 && i + 5 <= n &&
		    r->text[i + 1] == '\n' &&
		    memcmp(r->text + i + 2, r->text, 3) == 0) {
			i++; /* between two lines of a reply */
			continue;
		}
		if (r->text[i] < 0x20 || r->text[i] > 0x7e) {
			abort();
		}
	}
	check_envelope(a);
	if (a->n > SCAN_MILTER_ACTIONS_MAX ||
	    a->arena_used > SCAN_MILTER_ARENA_MAX) {
		abort();
	}
	for (i = 0; i < a->n; i++) {
		if ((unsigned)a->a[i].type >= SCAN_MA_COUNT ||
		    a->a[i].name < a->arena || a->a[i].value < a->arena ||
		    a->a[i].name + strlen(a->a[i].name) >=
			a->arena + a->arena_used ||
		    a->a[i].value + strlen(a->a[i].value) >=
			a->arena + a->arena_used) {
			abort();
		}
	}
	if (body_total > body_max) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_milter m;
	size_t piece, off = 0, n, took, msg_off = 0;
	uint64_t body_max;

	if (size < 1) {
		return 0;
	}
	piece = data[0] & 0x0f;
	body_max = (data[0] & 0x10) ? 8 : SCAN_MILTER_REPLBODY_DEFAULT;
	env.envelope_ok = !(data[0] & 0x20);
	env.max_rcpts = (data[0] & 0x40) ? 2 : 0;
	data++;
	size--;
	body_total = 0;
	scan_milter_init(&m, &env, on_body, NULL, body_max, 0);
	pump(&m, &msg_off);
	while (off < size && scan_milter_want(&m) != SCAN_MILTER_WANT_DONE) {
		n = piece == 0 || piece > size - off ? size - off : piece;
		took = scan_milter_input(&m, data + off, n);
		if (took > n || (took == 0 && !m.done)) {
			abort();
		}
		off += took;
		pump(&m, &msg_off);
	}
	scan_milter_eof(&m);
	pump(&m, &msg_off);
	if (scan_milter_want(&m) != SCAN_MILTER_WANT_DONE) {
		abort();
	}
	check_result(&m, body_max);
	return 0;
}
