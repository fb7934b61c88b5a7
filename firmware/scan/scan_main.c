/*
 * scan_main.c - sekimori-scan, the operator and test tool: streams one
 * message from standard input through one scanner and prints its verdict.
 *
 *	sekimori-scan --clamd ADDR|--milter ADDR|--null [--timeout S]
 *	    [--max-size N] [--from ADDR] [--rcpt ADDR]... [--helo NAME]
 *	    [--client-addr IP] [--client-name NAME] [--queue-id ID]
 *	    [--hostname NAME] < MESSAGE
 *
 * Output, one item per line: "verdict=clean|infected|reject|tempfail|
 * discard|quarantine|too-large|error", then "name=" (the virus), "reply="
 * (a milter's SMTP reply, one line each) or "reason=" (why not scanned,
 * why quarantined) when there is one, then the milter's modifications,
 *"action=KIND ...", in the order received. Exit status: 0 clean, 1 any other
 *verdict, 2 error (not scanned) or bad usage, like clamdscan.
 *
 * Untrusted input: the message, and the scanner's replies (parsed by
 * libscan). Runs as the invoking user; it listens on nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"
#include "scan_milter.h"

#define MAIN_RCPT_MAX 64
#define MAIN_READ_CHUNK 65536

struct main_opts {
	const struct scan_backend *backend;
	struct scan_conf conf;
	struct scan_env env;
	const char *rcpt[MAIN_RCPT_MAX];
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sekimori-scan --clamd ADDR|--milter ADDR|--null "
	    "[--timeout S] [--max-size N]\n"
	    "         [--from ADDR] [--rcpt ADDR]... [--helo NAME] "
	    "[--client-addr IP]\n"
	    "         [--client-name NAME] [--queue-id ID] "
	    "[--hostname NAME] < MESSAGE\n"
	    "  ADDR: /unix/socket, host:port, [v6]:port, inet:port@host\n");
}

/* number - a decimal in 1..max, or 0 */
static unsigned long long
number(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 ||
	    v > max) {
		return 0;
	}
	return v;
}

static void
defaults(struct main_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->env.myhostname = "sekimori.invalid";
	o->env.daemon_name = "sekimori-scan";
	o->env.queue_id = "SCANTEST";
	o->env.client_addr = "127.0.0.1";
	o->env.client_port = 25;
	o->env.client_name = "localhost";
	o->env.helo = "localhost";
	o->env.auth_user = "";
	o->env.sender = "sender@example.com";
	o->env.rcpt = o->rcpt;
	/* the tool applies nothing, it shows what a milter asks: offer the
	 * envelope changes too, as sekimorid does */
	o->env.envelope_ok = 1;
}

/* backend_opt - --clamd/--milter/--null; 1 if arg was one of them */
static int
backend_opt(struct main_opts *o, const char *arg, const char *val)
{
	if (strcmp(arg, "--null") == 0) {
		o->backend = &scan_null_backend;
		return 1;
	}
	if (strcmp(arg, "--clamd") == 0) {
		o->backend = &scan_clamd_backend;
	} else if (strcmp(arg, "--milter") == 0) {
		o->backend = &scan_milter_backend;
	} else {
		return 0;
	}
	o->conf.address = val;
	return 1;
}

/* env_opt - an envelope option; 1 if arg was one, -1 if bad */
static int
env_opt(struct main_opts *o, const char *arg, const char *val)
{
	static const struct {
		const char *name;
		size_t off;
	} strs[] = {
		{ "--from", offsetof(struct scan_env, sender) },
		{ "--helo", offsetof(struct scan_env, helo) },
		{ "--client-addr", offsetof(struct scan_env, client_addr) },
		{ "--client-name", offsetof(struct scan_env, client_name) },
		{ "--queue-id", offsetof(struct scan_env, queue_id) },
		{ "--hostname", offsetof(struct scan_env, myhostname) },
		{ "--auth-user", offsetof(struct scan_env, auth_user) },
	};
	size_t i;

	if (strcmp(arg, "--rcpt") == 0) {
		if (o->env.nrcpt == MAIN_RCPT_MAX) {
			return -1;
		}
		o->rcpt[o->env.nrcpt++] = val;
		return 1;
	}
	for (i = 0; i < SK_NELEM(strs); i++) {
		if (strcmp(arg, strs[i].name) == 0) {
			memcpy((char *)&o->env + strs[i].off, &val,
			    sizeof(val));
			return 1;
		}
	}
	return 0;
}

static int
parse_args(struct main_opts *o, int argc, char **argv)
{
	unsigned long long v;
	int i, r;

	defaults(o);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--null") == 0) {
			backend_opt(o, argv[i], NULL);
			continue;
		}
		if (i + 1 >= argc) {
			return -1;
		}
		if (backend_opt(o, argv[i], argv[i + 1])) {
			i++;
		} else if (strcmp(argv[i], "--timeout") == 0) {
			v = number(argv[++i], 86400);
			if (v == 0) {
				return -1;
			}
			o->conf.timeout_ms = (uint32_t)(v * 1000);
		} else if (strcmp(argv[i], "--max-size") == 0) {
			o->conf.max_size = number(argv[++i], UINT64_MAX / 2);
			if (o->conf.max_size == 0) {
				return -1;
			}
		} else if ((r = env_opt(o, argv[i], argv[i + 1])) == 1) {
			i++;
		} else {
			return -1;
		}
	}
	if (o->env.nrcpt == 0) {
		o->rcpt[o->env.nrcpt++] = "rcpt@example.com";
	}
	return o->backend ? 0 : -1;
}

/* stream - standard input through the backend; SK_OK or its error */
static enum sk_result
stream(const struct scan_backend *b, void *ctx)
{
	static uint8_t buf[MAIN_READ_CHUNK];
	enum sk_result r;
	ssize_t n;

	for (;;) {
		n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return SK_E_IO;
		}
		if (n == 0) {
			return b->finish(ctx);
		}
		r = b->feed(ctx, buf, (size_t)n);
		if (r != SK_OK) {
			return r;
		}
	}
}

static void
print_result(const struct scan_result *res,
    const struct scan_milter_actions *acts)
{
	static char line[2 * SCAN_TEXT_MAX];
	const char *label = "reason", *text, *end;
	size_t i;

	printf("verdict=%s\n", scan_verdict_name(res->verdict));
	if (res->verdict == SCAN_INFECTED) {
		label = "name";
	} else if (res->verdict == SCAN_REJECT ||
	    res->verdict == SCAN_TEMPFAIL) {
		label = "reply";
	}
	/* a multi-line reply: one "reply=" per line */
	for (text = res->text; *text != '\0'; text = end + 2) {
		end = strstr(text, "\r\n");
		if (end == NULL) {
			printf("%s=%s\n", label, text);
			break;
		}
		printf("%s=%.*s\n", label, (int)(end - text), text);
	}
	for (i = 0; acts != NULL && i < acts->n; i++) {
		scan_milter_action_format(&acts->a[i], line, sizeof(line));
		printf("action=%s\n", line);
	}
}

int
main(int argc, char **argv)
{
	static struct main_opts o;
	struct scan_result res;
	const struct scan_backend *b;
	enum sk_result r;
	void *ctx;

	if (parse_args(&o, argc, argv) != 0) {
		usage();
		return 2;
	}
	b = o.backend;
	ctx = calloc(1, b->ctx_size);
	if (ctx == NULL) {
		fprintf(stderr, "sekimori-scan: out of memory\n");
		return 2;
	}
	r = b->open(ctx, &o.conf, &o.env);
	if (r == SK_OK) {
		r = stream(b, ctx);
	}
	b->verdict(ctx, &res);
	if (r == SK_E_IO && res.verdict != SCAN_ERROR) {
		scan_result_set(&res, SCAN_ERROR, "reading the message", 19);
	}
	print_result(&res, b->actions(ctx));
	b->close(ctx);
	free(ctx);
	if (res.verdict == SCAN_ERROR) {
		return 2;
	}
	return res.verdict == SCAN_CLEAN ? 0 : 1;
}
