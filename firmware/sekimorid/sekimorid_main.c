/*
 * sekimorid - the mail daemon (issue 3, DESIGN.md section 1).
 *
 * What it will be: the root parent of the relay. It loads and validates
 * the config, binds the listening ports, then starts and supervises the
 * smtp, queue and mta processes (each in its own chroot as its own user,
 * with seccomp), talking to them over socketpairs, restarting any that
 * dies. Natively on a host it runs unprivileged with ports and paths
 * from the config.
 *
 * What it does today: only "sekimorid --check -c FILE.json", which
 * validates FILE against the YANG model compiled into the binary
 * (firmware/config) and exits 0 ("config OK: ...") or 1 (the error,
 * naming the data path and the rule). Without --check it says that the
 * daemon is not implemented yet and exits 2: it never pretends to serve.
 * Usage errors exit 2.
 *
 * Untrusted input: the config file (bounded, strictly parsed by
 * firmware/config). It runs as the invoking user and writes only to
 * standard output and standard error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "version.h"

#define SEKIMORID_EXIT_OK 0
#define SEKIMORID_EXIT_CONFIG 1 /* the config is invalid or unreadable */
#define SEKIMORID_EXIT_USAGE 2  /* bad arguments, or not implemented */

/* struct config is large: static, not on the stack */
static struct config sekimorid_cfg;

static void
sekimorid_usage(FILE *f)
{
	fprintf(f,
	    "usage: sekimorid [--check] -c FILE.json\n"
	    "       sekimorid --version\n"
	    "  -c, --config FILE   the configuration (RFC 7951 JSON of "
	    "the YANG model)\n"
	    "  -n, --check         validate the configuration and "
	    "exit\n");
}

/* sekimorid_check - validate path; the exit status */
static int
sekimorid_check(const char *path)
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
	printf("config OK: %zu listener%s, %zu relay domain%s, "
	       "%zu internal network%s\n",
	    sekimorid_cfg.nlisteners, sekimorid_cfg.nlisteners == 1 ? "" : "s",
	    sekimorid_cfg.nrelay_domains,
	    sekimorid_cfg.nrelay_domains == 1 ? "" : "s",
	    sekimorid_cfg.ninternal_networks,
	    sekimorid_cfg.ninternal_networks == 1 ? "" : "s");
	return SEKIMORID_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int check = 0, c;

	while ((c = getopt_long(argc, argv, "c:nhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
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
	if (optind != argc || path == NULL || path[0] == '\0') {
		fprintf(stderr, "sekimorid: %s\n",
		    optind != argc ? "unexpected argument" :
				     "no configuration file (-c FILE.json)");
		sekimorid_usage(stderr);
		return SEKIMORID_EXIT_USAGE;
	}
	if (check) {
		return sekimorid_check(path);
	}
	fprintf(stderr,
	    "sekimorid: the relay daemon is not implemented yet; "
	    "use --check\n");
	return SEKIMORID_EXIT_USAGE;
}
