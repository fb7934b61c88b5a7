/*
 * cli_stats.c - `show mail statistics` and `clear mail statistics`: one
 * request each to sekimorid's control socket (firmware/sekimorid/ctl.h),
 * ROOT/run/sekimorid.ctl where ROOT is the running configuration's mail
 * root-directory. The daemon counts and formats (sekimorid/stats.h); the
 * CLI prints its lines as they come, so the two never disagree on a name.
 *
 * Untrusted input: the daemon's answer, through ctl.h's strict parser
 * (printable lines, bounded by CTL_DATA_MAX).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../firmware/sekimorid/ctl.h"
#include "cli_int.h"

#define CLI_STATS_TIMEOUT_MS 10000 /* the daemon answers at once */

/* cli_stats_socket - the control socket's path into path[size]; -1 when
 * the root-directory makes it too long */
static int
cli_stats_socket(const struct cli *c, char *path, size_t size)
{
	struct lyd_node *n = NULL;
	const char *root = "";
	int len;

	if (lyd_find_path(ds_running(c->ds),
		"/sekimori-mail:mail/root-directory", 0, &n) == LY_SUCCESS &&
	    lyd_get_value(n) != NULL && strcmp(lyd_get_value(n), "/") != 0) {
		root = lyd_get_value(n);
	}
	len = snprintf(path, size, "%s%s", root, CTL_SOCKET);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

/* cli_stats_ask - request to the daemon; its answer, or an error line
 * (starting "error", so that the audit row of a clear says failed) */
static void
cli_stats_ask(struct cli *c, const char *request, struct cli_text *out)
{
	static char answer[CTL_DATA_MAX];
	char path[DS_PATH_MAX], err[256];
	enum ctl_answer kind;
	enum sk_result r;

	if (cli_stats_socket(c, path, sizeof(path)) == -1) {
		cli_text_add(out, "error: mail root-directory too long\n");
		return;
	}
	r = ctl_call(path, request, CLI_STATS_TIMEOUT_MS, &kind, answer,
	    sizeof(answer), err, sizeof(err));
	if (r == SK_E_CLOSED && (errno == ENOENT || errno == ECONNREFUSED)) {
		cli_text_add(out, "error: the mail daemon is not running\n");
	} else if (r != SK_OK) {
		cli_text_add(out, "error: %s\n", err);
	} else if (kind == CTL_ANS_DATA) {
		cli_text_addn(out, answer, strlen(answer));
	} else if (kind == CTL_ANS_OK) {
		cli_text_add(out, "Mail statistics cleared\n");
	} else {
		cli_text_add(out, "error: %s\n", answer);
	}
}

void
cli_show_stats(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	(void)call;
	cli_stats_ask(c, "statistics", out);
}

void
cli_clear_stats(struct cli *c, struct cli_call *call, struct cli_text *out)
{
	(void)call;
	cli_stats_ask(c, "statistics clear", out);
}
