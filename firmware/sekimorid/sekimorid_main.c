/*
 * sekimorid - the mail daemon (DESIGN.md section 1; supervisor.h).
 *
 *   sekimorid -c FILE.json [--zone ZONE] [--log-stderr]
 *   sekimorid --check -c FILE.json
 *   sekimorid --reload -c FILE.json
 *   sekimorid --statistics [--clear] -c FILE.json
 *
 * It loads and validates the config (the YANG model's RFC 7951 JSON,
 * firmware/config), then runs the supervisor: the root parent that binds
 * the listeners and starts the smtp, queue and mta processes. On the
 * appliance init starts it as root and it logs to syslog; on a host it
 * runs unprivileged in the foreground with ports and paths from the
 * config (mail root-directory), for tests and benchmarks.
 *
 * --check validates FILE and exits 0 ("config OK: ...") or 1 (the error,
 * naming the data path and the rule). --zone makes the mta answer DNS
 * from an RFC 1035 zone file (tests). Usage errors exit 2.
 *
 * --reload asks the daemon that serves FILE's root-directory (its
 * control socket ROOT/run/sekimorid.ctl, ctl.h) to read its config file
 * again and apply it; it prints the answer and exits 0 ("ok"), 1
 * ("refused: ..." or "failed: ...") or 2 (no daemon answers).
 *
 * --statistics asks the same daemon for its mail statistics and prints
 * them (README.md, "Statistics"); with --clear it makes the daemon count
 * from zero again instead ("ok"). Exit statuses as for --reload.
 *
 * Untrusted input: the config file (bounded, strictly parsed by
 * firmware/config).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "ctl.h"
#include "supervisor.h"
#include "version.h"

#define SEKIMORID_EXIT_OK 0
#define SEKIMORID_EXIT_CONFIG 1    /* the config is invalid or unreadable */
#define SEKIMORID_EXIT_USAGE 2     /* bad arguments */
#define SEKIMORID_EXIT_NO_DAEMON 2 /* --reload: nobody answered */

/* struct config is large: static, not on the stack */
static struct config sekimorid_cfg;

static void
sekimorid_usage(FILE *f)
{
	fprintf(f,
	    "usage: sekimorid -c FILE.json [--zone ZONE] [--log-stderr]\n"
	    "       sekimorid --check -c FILE.json\n"
	    "       sekimorid --reload -c FILE.json\n"
	    "       sekimorid --statistics [--clear] -c FILE.json\n"
	    "       sekimorid --version\n"
	    "  -c, --config FILE   the configuration (RFC 7951 JSON of "
	    "the YANG model)\n"
	    "  -n, --check         validate the configuration and "
	    "exit\n"
	    "  -r, --reload        make the running daemon apply its "
	    "configuration file again\n"
	    "  -s, --statistics    print the running daemon's mail "
	    "statistics\n"
	    "  -C, --clear         with --statistics: count from zero "
	    "again\n"
	    "  -z, --zone ZONE     answer DNS from an RFC 1035 zone file "
	    "(tests)\n"
	    "  -e, --log-stderr    log to standard error, not syslog\n");
}

/* sekimorid_load - validate path into sekimorid_cfg; an exit status */
static int
sekimorid_load(const char *path)
{
	struct config_schema *schema;
	char err[CONFIG_ERR_MAX];

	if (config_schema_new(&schema, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimorid: %s\n", err);
		return SEKIMORID_EXIT_CONFIG;
	}
	if (config_load_file(schema, path, &sekimorid_cfg, err, sizeof(err)) !=
	    SK_OK) {
		fprintf(stderr, "sekimorid: %s\n", err);
		config_schema_free(schema);
		return SEKIMORID_EXIT_CONFIG;
	}
	config_schema_free(schema);
	return SEKIMORID_EXIT_OK;
}

static int sekimorid_ask(const char *path, const char *request);

/* sekimorid_check - validate path and say so; the exit status */
static int
sekimorid_check(const char *path)
{
	int rc = sekimorid_load(path);

	if (rc != SEKIMORID_EXIT_OK) {
		return rc;
	}
	printf("config OK: %zu listener%s, %zu relay domain%s, "
	       "%zu internal network%s\n",
	    sekimorid_cfg.nlisteners, sekimorid_cfg.nlisteners == 1 ? "" : "s",
	    sekimorid_cfg.nrelay_domains,
	    sekimorid_cfg.nrelay_domains == 1 ? "" : "s",
	    sekimorid_cfg.ninternal_networks,
	    sekimorid_cfg.ninternal_networks == 1 ? "" : "s");
	return SEKIMORID_EXIT_OK;
}

/*
 * sekimorid_reload - ask the daemon serving path's root-directory to
 * reload; the exit status. A file that does not load is refused here:
 * the daemon would refuse it the same way, and without it the socket
 * cannot be found.
 */
static int
sekimorid_reload(const char *path)
{
	return sekimorid_ask(path, "reload");
}

/*
 * sekimorid_ask - send request to the daemon serving path's
 * root-directory and print its answer: a line, or the lines of a data
 * block; the exit status
 */
static int
sekimorid_ask(const char *path, const char *request)
{
	static char answer[CTL_DATA_MAX];
	char sock[CONFIG_PATH_SIZE + 32], err[CONFIG_ERR_MAX];
	enum ctl_answer kind;
	enum sk_result r;

	if (sekimorid_load(path) != SEKIMORID_EXIT_OK) {
		printf("refused: %s does not load (see above)\n", path);
		return SEKIMORID_EXIT_CONFIG;
	}
	if (config_path(&sekimorid_cfg, CTL_SOCKET, sock, sizeof(sock)) !=
	    SK_OK) {
		fprintf(stderr, "sekimorid: root-directory too long\n");
		return SEKIMORID_EXIT_NO_DAEMON;
	}
	r = ctl_call(sock, request, CTL_CLIENT_TIMEOUT_MS, &kind, answer,
	    sizeof(answer), err, sizeof(err));
	if (r == SK_E_CLOSED && (errno == ENOENT || errno == ECONNREFUSED)) {
		fprintf(stderr, "sekimorid: %s\n", err);
		return SEKIMORID_EXIT_NO_DAEMON;
	}
	if (r == SK_E_CLOSED) {
		/* a daemon may be there, but this user cannot ask it */
		printf("refused: %s\n", err);
		return SEKIMORID_EXIT_CONFIG;
	}
	if (r != SK_OK) {
		printf("failed: %s\n", err);
		return SEKIMORID_EXIT_CONFIG;
	}
	printf(kind == CTL_ANS_DATA ? "%s" : "%s\n", answer);
	return kind == CTL_ANS_OK || kind == CTL_ANS_DATA ?
	    SEKIMORID_EXIT_OK :
	    SEKIMORID_EXIT_CONFIG;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "reload", no_argument, NULL, 'r' },
		{ "statistics", no_argument, NULL, 's' },
		{ "clear", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "zone", required_argument, NULL, 'z' },
		{ "log-stderr", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct supervisor_opts so = { NULL, NULL, 0 };
	const char *path = NULL;
	int check = 0, reload = 0, statistics = 0, clear = 0, c, rc;

	while ((c = getopt_long(argc, argv, "c:nrsChVz:e", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'r':
			reload = 1;
			break;
		case 's':
			statistics = 1;
			break;
		case 'C':
			clear = 1;
			break;
		case 'z':
			so.zone_file = optarg;
			break;
		case 'e':
			so.log_stderr = 1;
			break;
		case 'h':
			sekimorid_usage(stdout);
			return SEKIMORID_EXIT_OK;
		case 'V':
			printf("sekimorid %s %s\n", SK_PRODUCT, SK_VERSION);
			return SEKIMORID_EXIT_OK;
		default:
			sekimorid_usage(stderr);
			return SEKIMORID_EXIT_USAGE;
		}
	}
	if (optind != argc || path == NULL || path[0] == '\0' ||
	    (clear && !statistics)) {
		fprintf(stderr, "sekimorid: %s\n",
		    optind != argc ? "unexpected argument" :
			clear && !statistics ?
				     "--clear goes with --statistics" :
				     "no configuration file (-c FILE.json)");
		sekimorid_usage(stderr);
		return SEKIMORID_EXIT_USAGE;
	}
	if (check) {
		return sekimorid_check(path);
	}
	if (reload) {
		return sekimorid_reload(path);
	}
	if (statistics) {
		return sekimorid_ask(path,
		    clear ? "statistics clear" : "statistics");
	}
	if ((rc = sekimorid_load(path)) != SEKIMORID_EXIT_OK) {
		return rc;
	}
	so.config_path = path;
	return supervisor_run(&sekimorid_cfg, &so);
}
