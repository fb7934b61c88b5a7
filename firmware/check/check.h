/*
 * check.h - the operator tool sekimori-check: shared parts of the
 * subcommands (option parsing, --zone loading, reading the message and
 * the key file, checking d= and s=, writing the result).
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
#define CHECK_MSG_MAX (64u << 20)       /* local limit: message size */
#define CHECK_KEY_MAX (64u << 10)       /* local limit: key file size */

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

/* A message read whole from standard input (check_dkim.c). */
struct check_msg {
	uint8_t *raw; /* as read */
	size_t rawlen;
	uint8_t *crlf; /* every bare LF made CRLF */
	size_t len;
	size_t hlen; /* header section with its last CRLF */
	size_t body; /* offset of the body in crlf */
	int lf_only; /* the input had no CR */
};

/* check_msg_read - standard input, whole (at most CHECK_MSG_MAX), as read
 * and in CRLF form; 0, or -1 after printing why (exit 2) */
int check_msg_read(const char *cmd, struct check_msg *m);

/* check_file - a key file, whole (at most CHECK_KEY_MAX); the caller wipes
 * and frees it; NULL after printing why (exit 2) */
uint8_t *check_file(const char *cmd, const char *path, size_t *len);

/* check_names - --domain and --selector as d= and s= (RFC 6376 3.5: what
 * our own verifier parses back, nothing that could add a tag); 0, or -1
 * after printing why (exit 2) */
int check_names(const char *cmd, const char *d, const char *s);

/* check_write_lf - write p to standard output, CRLF as LF when lf is set
 * (a signed or sealed message keeps the input's line ends) */
void check_write_lf(const char *p, size_t len, int lf);

int check_spf(int argc, char **argv);
int check_dkim_verify(int argc, char **argv);
int check_dkim_sign(int argc, char **argv);
int check_dkim_keygen(int argc, char **argv);
int check_dmarc(int argc, char **argv);
int check_arc_verify(int argc, char **argv);
int check_arc_seal(int argc, char **argv);
int check_dmarc_report(int argc, char **argv);

#endif /* SK_CHECK_H */
