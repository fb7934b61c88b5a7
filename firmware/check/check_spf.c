/*
 * check_spf.c - "sekimori-check spf": one SPF check_host() (RFC 7208)
 * for the MAIL FROM identity, or postmaster@HELO for the null sender.
 *
 * Output: the result word alone on the first line, then the explanation
 * (for fail: the exp= text or the default one; otherwise the reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "../auth/spf.h"

static const char check_spf_usage[] =
    "usage: sekimori-check spf --ip IP --helo NAME --mail-from ADDR "
    "[--zone FILE]\n"
    "       [--receiver NAME] [--default-exp TEXT] [--header]\n";

/* check_spf_ip - parse the client address */
static int
check_spf_ip(const char *s, struct spf_request *req)
{
	size_t n = strlen(s);

	if (dns_ip4_parse(s, n, req->ip) == SK_OK) {
		req->af = 4;
		return 0;
	}
	if (dns_ip6_parse(s, n, req->ip) == SK_OK) {
		req->af = 6;
		return 0;
	}
	return -1;
}

int
check_spf(int argc, char **argv)
{
	static struct spf_ctx ctx;
	static struct spf_outcome out;
	struct spf_request req;
	struct dns_resolver dns;
	const char *ip = NULL, *helo = NULL, *from = NULL, *zone = NULL;
	const char *receiver = NULL, *defexp = NULL, *header = NULL;
	const struct check_opt opts[] = {
		{ "--ip", &ip, 0 },
		{ "--helo", &helo, 0 },
		{ "--mail-from", &from, 0 },
		{ "--zone", &zone, 0 },
		{ "--receiver", &receiver, 0 },
		{ "--default-exp", &defexp, 0 },
		{ "--header", &header, 1 },
	};
	char hdr[2048];
	enum spf_result r;

	if (check_opts("spf", argc, argv, opts, SK_NELEM(opts)) != 0) {
		fputs(check_spf_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (ip == NULL || helo == NULL || from == NULL) {
		fprintf(stderr,
		    "sekimori-check spf: --ip, --helo and "
		    "--mail-from are required\n");
		fputs(check_spf_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	memset(&req, 0, sizeof(req));
	if (check_spf_ip(ip, &req) != 0) {
		fprintf(stderr,
		    "sekimori-check spf: --ip: '%s' is not an "
		    "IPv4 or IPv6 address\n",
		    ip);
		return CHECK_EXIT_USAGE;
	}
	if (check_resolver("spf", zone, &dns) != 0) {
		return CHECK_EXIT_USAGE;
	}
	req.identity = SPF_ID_MAILFROM;
	req.helo = helo;
	req.mail_from = from;
	req.receiver = receiver;
	req.default_exp = defexp;
	req.now = (uint64_t)time(NULL);
	r = spf_check(&ctx, &dns, &req, &out);
	printf("%s\n%s\n", spf_result_str(r),
	    r == SPF_FAIL ? out.explanation : out.reason);
	if (header != NULL &&
	    spf_received_header(&out, &req, receiver, hdr, sizeof(hdr)) > 0) {
		printf("%s\n", hdr);
	}
	return r == SPF_PASS ? CHECK_EXIT_PASS : CHECK_EXIT_NOPASS;
}
