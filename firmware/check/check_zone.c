/*
 * check_zone.c - option parsing and the --zone resolver of sekimori-check.
 *
 * Untrusted input: the zone file, parsed by dns_zone.c.  The storage the
 * parser fills is sized from the file and taken once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../dns/dns_zone.h"

/* check_opts - parse "--name VALUE" and "--name=VALUE" against opts */
int
check_opts(const char *cmd, int argc, char **argv, const struct check_opt *opts,
    size_t nopts)
{
	int i;
	size_t k, n;
	const char *eq;

	for (i = 1; i < argc; i++) {
		eq = strchr(argv[i], '=');
		n = eq != NULL ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		for (k = 0; k < nopts; k++) {
			if (strlen(opts[k].name) == n &&
			    strncmp(argv[i], opts[k].name, n) == 0) {
				break;
			}
		}
		if (k == nopts) {
			fprintf(stderr,
			    "sekimori-check %s: unknown option "
			    "'%s'\n",
			    cmd, argv[i]);
			return -1;
		}
		if (opts[k].is_flag) {
			if (eq != NULL) {
				fprintf(stderr,
				    "sekimori-check %s: %s takes "
				    "no value\n",
				    cmd, opts[k].name);
				return -1;
			}
			*opts[k].value = "1";
			continue;
		}
		if (eq != NULL) {
			*opts[k].value = eq + 1;
		} else if (i + 1 < argc) {
			*opts[k].value = argv[++i];
		} else {
			fprintf(stderr,
			    "sekimori-check %s: %s needs a "
			    "value\n",
			    cmd, opts[k].name);
			return -1;
		}
	}
	return 0;
}

/* check_read - the whole file, NUL-terminated, or NULL with a message */
static uint8_t *
check_read(const char *cmd, const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "sekimori-check %s: %s: %s\n", cmd, path,
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(CHECK_ZONE_FILE_MAX + 1)) == NULL) {
		fclose(f);
		fprintf(stderr, "sekimori-check %s: out of memory\n", cmd);
		return NULL;
	}
	n = fread(buf, 1, CHECK_ZONE_FILE_MAX + 1, f);
	if (ferror(f) || n > CHECK_ZONE_FILE_MAX) {
		fprintf(stderr, "sekimori-check %s: %s: %s\n", cmd, path,
		    ferror(f) ? "read error" : "larger than 64 MiB");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* check_resolver - the resolver for --zone FILE, or an error */
int
check_resolver(const char *cmd, const char *zone, struct dns_resolver *r)
{
	static struct dns_zone z;
	struct dns_zone_rr *rr;
	uint8_t *buf, *data;
	size_t len, lines = 1, i, data_max;
	enum sk_result res;

	if (zone == NULL) {
		fprintf(stderr,
		    "sekimori-check %s: live DNS is not available "
		    "yet (it comes with the relay); use --zone FILE\n",
		    cmd);
		return -1;
	}
	if ((buf = check_read(cmd, zone, &len)) == NULL) {
		return -1;
	}
	for (i = 0; i < len; i++) {
		lines += buf[i] == '\n';
	}
	/* at most one record per line; names may grow by the origin */
	data_max = len + lines * 2 * (DNS_TEXT_NAME_MAX + 2);
	rr = calloc(lines, sizeof(*rr));
	data = malloc(data_max);
	if (rr == NULL || data == NULL) {
		fprintf(stderr, "sekimori-check %s: out of memory\n", cmd);
		return -1;
	}
	dns_zone_init(&z, rr, lines, data, data_max);
	res = dns_zone_parse(&z, buf, len);
	free(buf);
	if (res != SK_OK) {
		fprintf(stderr, "sekimori-check %s: %s:%zu: %s (%s)\n", cmd,
		    zone, z.line, z.err != NULL ? z.err : "error",
		    sk_result_str(res));
		return -1;
	}
	dns_zone_resolver(&z, r);
	return 0;
}
