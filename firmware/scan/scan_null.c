/*
 * scan_null.c - the null backend: every message is clean. The test double
 * for chains and policy; it counts what it was fed so a test can check
 * that the whole message went through.
 */
#include <string.h>

#include "scan.h"
#include "scan_null.h"

static enum sk_result
null_open(void *ctx, const struct scan_conf *conf, const struct scan_env *env)
{
	struct scan_null *n = ctx;

	memset(n, 0, sizeof(*n));
	n->opened = 1;
	return SK_OK;
}

static enum sk_result
null_feed(void *ctx, const uint8_t *buf, size_t len)
{
	struct scan_null *n = ctx;

	n->fed += len;
	return SK_OK;
}

static enum sk_result
null_finish(void *ctx)
{
	struct scan_null *n = ctx;

	n->finished = 1;
	return SK_OK;
}

static void
null_verdict(void *ctx, struct scan_result *out)
{
	scan_result_set(out, SCAN_CLEAN, "", 0);
}

static const struct scan_milter_actions *
null_actions(void *ctx)
{
	return NULL;
}

static void
null_close(void *ctx)
{
	struct scan_null *n = ctx;

	n->opened = 0;
}

const struct scan_backend scan_null_backend = {
	.name = "null",
	.ctx_size = sizeof(struct scan_null),
	.open = null_open,
	.feed = null_feed,
	.finish = null_finish,
	.verdict = null_verdict,
	.actions = null_actions,
	.close = null_close,
};
