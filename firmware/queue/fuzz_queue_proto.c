/*
 * fuzz_queue_proto.c - libFuzzer target for the bodies smtp and mta send
 * the queue (queue_proto.h).
 *
 * The first byte picks the decoder. Invariants: decoders are total;
 * what they accept is NUL-terminated within its field, free of control
 * characters where the queue promises it (addresses, envelope texts), a
 * valid queue id, a valid NOTIFY, a quarantine reason without control
 * characters; and an accepted envelope plus
 * recipient encodes into an M_DELIVER that decodes to the same fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_proto.h"
#include "queue_sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct queue_envelope env;
static struct queue_rcpt rcpt, back;
static struct queue_result res;
static struct queue_deliver d;
static struct queue_deliver_view v;
static char reason[QUEUE_REASON_SIZE];
static char notice[QUEUE_NOTICE_SIZE];

#define BOUNDED(s) (memchr((s), '\0', sizeof(s)) != NULL)

static void
check_envelope(void)
{
	char domain[QUEUE_DOMAIN_SIZE];
	uint32_t id;

	if (!BOUNDED(env.sender) || !BOUNDED(env.tls) ||
	    !queue_id_valid(env.id, strlen(env.id)) ||
	    !queue_text_ok(env.helo) || env.ret > MSG_RET_HDRS) {
		abort();
	}
	/* round trip through M_DELIVER with one recipient */
	snprintf(rcpt.address, sizeof(rcpt.address), "x@y.example");
	rcpt.orcpt[0] = '\0';
	if (queue_deliver_begin(&d, &env, "y.example") != 0 ||
	    queue_deliver_add(&d, 7, rcpt.address, 0, "") != 0) {
		abort();
	}
	queue_deliver_end(&d);
	if (queue_deliver_parse(d.buf, d.w.len, &v) != SK_OK ||
	    strcmp(v.id, env.id) != 0 || strcmp(v.sender, env.sender) != 0 ||
	    strcmp(v.envid, env.envid) != 0 || v.n != 1 ||
	    queue_deliver_next(&v, &id, &back) != SK_OK || id != 7 ||
	    strcmp(back.address, rcpt.address) != 0 ||
	    queue_deliver_next(&v, &id, &back) != SK_END) {
		abort();
	}
	if (env.sender[0] != '\0' &&
	    queue_domain(env.sender, domain, sizeof(domain)) != 0 &&
	    strlen(strrchr(env.sender, '@') + 1) < sizeof(domain)) {
		abort(); /* an accepted address has a domain */
	}
}

static void
check_rcpt(void)
{
	uint32_t id;

	if (!BOUNDED(rcpt.address) || !queue_addr_ok(rcpt.address) ||
	    !queue_notify_valid(rcpt.notify)) {
		abort();
	}
	snprintf(env.id, sizeof(env.id), "0123456789ABCDEF");
	if (queue_deliver_begin(&d, &env, "d") != 0) {
		abort();
	}
	if (queue_deliver_add(&d, 1, rcpt.address, rcpt.notify, rcpt.orcpt) ==
	    0) {
		queue_deliver_end(&d);
		if (queue_deliver_parse(d.buf, d.w.len, &v) != SK_OK ||
		    queue_deliver_next(&v, &id, &back) != SK_OK || id != 1 ||
		    strcmp(back.address, rcpt.address) != 0 ||
		    strcmp(back.orcpt, rcpt.orcpt) != 0 ||
		    back.notify != rcpt.notify) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t u, id;
	uint64_t octets;
	uint8_t rewrite;

	if (size < 1) {
		return 0;
	}
	memset(&env, 0, sizeof(env));
	switch (data[0] % 6) {
	case 0:
		if (queue_proto_envelope(data + 1, size - 1, &env) == SK_OK) {
			check_envelope();
		}
		break;
	case 1:
		if (queue_proto_rcpt(data + 1, size - 1, &rcpt) == SK_OK) {
			check_rcpt();
		}
		break;
	case 2:
		if (queue_proto_result(data + 1, size - 1, &res) == SK_OK &&
		    (!queue_dsn_status_ok(res.dsn, res.status) ||
			!BOUNDED(res.reply) || !BOUNDED(res.relay))) {
			abort();
		}
		break;
	case 3:
		if (queue_proto_commit(data + 1, size - 1, &octets, env.prepend,
			reason, &rewrite) == SK_OK &&
		    (!msg_header_block_ok((const uint8_t *)env.prepend,
			 strlen(env.prepend)) ||
			!BOUNDED(reason) || !queue_text_ok(reason) ||
			rewrite > MSG_REWRITE_LAST ||
			(rewrite == MSG_REWRITE_STRIP && reason[0] == '\0'))) {
			abort();
		}
		(void)queue_proto_u32(data + 1, size - 1, &u);
		if (queue_proto_notice(data + 1, size - 1, notice) == SK_OK &&
		    (!BOUNDED(notice) ||
			!queue_notice_ok(notice, strlen(notice)))) {
			abort();
		}
		break;
	default:
		if (queue_deliver_parse(data + 1, size - 1, &v) == SK_OK) {
			while (queue_deliver_next(&v, &id, &back) == SK_OK) {
				if (!BOUNDED(back.address)) {
					abort();
				}
			}
		}
		break;
	}
	return 0;
}
