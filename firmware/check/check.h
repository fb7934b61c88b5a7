/*
 * check.h - the operator tool sekimori-check: shared parts of the
 * subcommands (option parsing, --zone loading).
 *
 * Ownership: each subcommand runs once and exits; memory taken for a zone
 * lives until exit.
 */
#ifndef SK_CHECK_H
#define SK_CHECK_H

#include "../dns/dns.h"

/* exit codes, documented in README.md */
#define CHECK_EXIT_PASS 0   /* the check passed */
#define CHECK_EXIT_NOPASS 1 /* the check ran; the result is not a pass */
#define CHECK_EXIT_USAGE 2  /* bad command line or input, or no DNS */

#define CHECK_ZONE_FILE_MAX (64u << 20) /* local limit: zone file size */

struct check_opt {
	const char *name;   /* "--ip" */
	const char **value; /* where the value goes */
	int is_flag;        /* takes no value; *value set to "1" */
};

/* check_opts - parse argv against opts; 0 on success, else prints why */
int check_opts(const char *cmd, int argc, char **argv,
    const struct check_opt *opts, size_t nopts);

/* check_resolver - the resolver for --zone FILE, or an error (exit 2)
 * when no FILE: live DNS comes with the relay */
int check_resolver(const char *cmd, const char *zone, struct dns_resolver *r);

int check_spf(int argc, char **argv);
int check_dkim_verify(int argc, char **argv);
int check_dkim_sign(int argc, char **argv);
int check_dkim_keygen(int argc, char **argv);

#endif /* SK_CHECK_H */
