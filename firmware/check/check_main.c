/*
 * check_main.c - sekimori-check, the operator tool: main() and the table of
 * subcommands.
 *
 * Untrusted input: the command line and the files it names (zone files,
 * messages).  Runs as the invoking user, on the host or on the box; it
 * never listens on the network.  Each subcommand lives in check_NAME.c
 * and its syntax is a promise to operators (issue 4, README.md).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sk.h"

struct check_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: not built yet */
	const char *usage;
};

static const struct check_cmd check_cmds[] = {
	{ "spf", check_spf,
	    "spf --ip IP --helo NAME --mail-from ADDR [--zone FILE]" },
	{ "dkim-verify", check_dkim_verify,
	    "dkim-verify [--zone FILE] < MESSAGE" },
	{ "dkim-sign", check_dkim_sign,
	    "dkim-sign --domain D --selector S --key KEYFILE "
	    "[--algorithm rsa-sha256|ed25519-sha256] < MESSAGE" },
	{ "dkim-keygen", check_dkim_keygen,
	    "dkim-keygen --domain D --selector S [--algorithm ...] "
	    "[--bits N] --out KEYFILE" },
	{ "dmarc", check_dmarc,
	    "dmarc --ip IP --helo NAME --mail-from ADDR [--zone FILE] "
	    "< MESSAGE" },
	{ "arc-verify", check_arc_verify,
	    "arc-verify [--zone FILE] < MESSAGE" },
	{ "arc-seal", check_arc_seal,
	    "arc-seal --domain D --selector S --key KEYFILE "
	    "--authserv-id ID [--zone FILE] < MESSAGE" },
	{ "dmarc-report", check_dmarc_report,
	    "dmarc-report --db FILE [--now SECONDS] [--interval HOURS] "
	    "[--domain D] [--org-name NAME] [--email ADDR]" },
};

static void
check_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage:\n");
	for (i = 0; i < SK_NELEM(check_cmds); i++) {
		fprintf(f, "  sekimori-check %s\n", check_cmds[i].usage);
	}
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		check_usage(stderr);
		return CHECK_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		check_usage(stdout);
		return 0;
	}
	for (i = 0; i < SK_NELEM(check_cmds); i++) {
		if (strcmp(argv[1], check_cmds[i].name) != 0) {
			continue;
		}
		if (check_cmds[i].run == NULL) {
			fprintf(stderr,
			    "sekimori-check: %s: not implemented "
			    "yet\n",
			    argv[1]);
			return CHECK_EXIT_USAGE;
		}
		return check_cmds[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "sekimori-check: unknown subcommand '%s'\n", argv[1]);
	check_usage(stderr);
	return CHECK_EXIT_USAGE;
}
