/*
 * dkim_bench_main.c - dkim-bench, the in-process DKIM rate that
 * ci/bench/auth.py sets next to opendkim's: the key is loaded once, then
 * one message is signed (or verified) N times, each time the whole path
 * (canonicalization, both hashes, the RSA or Ed25519 operation; for
 * verify, the key record parsed from text instead of DNS).  It prints the
 * CPU time (getrusage: user + system) per message, which, like opendkim's
 * figure in the bench, leaves out start-up and the key load.
 *
 *	dkim-bench sign KEY DOMAIN SELECTOR N < message
 *	dkim-bench verify RECORD N < signed message
 *
 * KEY is a PEM private key, RECORD a file holding the key record
 * ("v=DKIM1; k=rsa; p=..."); the message has CRLF line ends.  Output, one
 * line: "sign|verify N CPU_SECONDS SECONDS_PER_MESSAGE".  A developer
 * tool built like the conformance drivers (test/, never installed, not
 * run by make test); its inputs are the developer's own files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dkim_sign.h"
#include "dkim_verify.h"

#define BENCH_MSG_MAX (4u << 20) /* local: the largest message read */
#define BENCH_FILE_MAX 16384     /* local: a PEM key or a key record */
#define BENCH_N_MAX 1000000      /* local: the largest repeat count */

static uint8_t bench_msg[BENCH_MSG_MAX];

struct bench_msg {
	const uint8_t *hdr, *body;
	size_t hlen, blen;
};

/* bench_cpu - user plus system CPU seconds of this process so far */
static double
bench_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* bench_read - a whole file (stdin for NULL) into buf[max]; its length,
 * or (size_t)-1 when it cannot be read or does not fit */
static size_t
bench_read(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = path != NULL ? fopen(path, "rb") : stdin;
	size_t n;

	if (f == NULL) {
		return (size_t)-1;
	}
	n = fread(buf, 1, max, f);
	if (ferror(f) || n == max) {
		n = (size_t)-1;
	}
	if (path != NULL) {
		fclose(f);
	}
	return n;
}

/* bench_split - the header section (with its last CRLF) and the body */
static int
bench_split(struct bench_msg *m, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i++) {
		if (memcmp(p + i, "\r\n\r\n", 4) == 0) {
			m->hdr = p;
			m->hlen = i + 2;
			m->body = p + i + 4;
			m->blen = len - i - 4;
			return 0;
		}
	}
	return -1;
}

/* bench_count - N from text: 1 .. BENCH_N_MAX, else 0 */
static unsigned long
bench_count(const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	return *s != '\0' && *end == '\0' && n <= BENCH_N_MAX ? n : 0;
}

static void
bench_report(const char *op, unsigned long n, double cpu)
{
	printf("%s %lu %.6f %.9f\n", op, n, cpu, cpu / (double)n);
}

/* bench_sign - the whole dkim_sign path n times */
static int
bench_sign(const struct dkim_signkey *key, const char *d, const char *s,
    const struct bench_msg *m, unsigned long n)
{
	static char field[DKIM_SIGN_HEADER_MAX];
	struct dkim_sign sg;
	size_t flen;
	unsigned long i;
	double t0 = bench_cpu();

	for (i = 0; i < n; i++) {
		dkim_sign_init(&sg, key, d, s, (uint64_t)time(NULL));
		dkim_sign_update(&sg, m->body, m->blen);
		if (dkim_sign_final(&sg, m->hdr, m->hlen, field, sizeof(field),
			&flen) != SK_OK) {
			fputs("dkim-bench: cannot sign\n", stderr);
			return 1;
		}
	}
	bench_report("sign", n, bench_cpu() - t0);
	return 0;
}

/* bench_verify_one - one message; 0 when every signature passes */
static int
bench_verify_one(struct dkim_verify *v, const struct dns_answer *ans,
    const struct bench_msg *m)
{
	char name[DKIM_KEY_NAME_MAX + 1];
	size_t i;

	dkim_verify_init(v, (uint64_t)time(NULL));
	(void)dkim_verify_headers(v, m->hdr, m->hlen);
	for (i = 0; i < v->nsig; i++) {
		if (dkim_verify_key_query(v, i, name, sizeof(name))) {
			dkim_verify_key_set(v, i, ans);
		}
	}
	dkim_verify_update(v, m->body, m->blen);
	dkim_verify_final(v);
	for (i = 0; i < v->nsig; i++) {
		if (v->sig[i].result != DKIM_PASS) {
			return -1;
		}
	}
	return v->nsig > 0 ? 0 : -1;
}

/* bench_verify - n verifications against the record as the one answer */
static int
bench_verify(const uint8_t *rec, size_t rlen, const struct bench_msg *m,
    unsigned long n)
{
	static struct dkim_verify v;
	static struct dns_answer ans;
	struct dns_rr rr;
	unsigned long i;
	double t0;

	while (rlen > 0 && (rec[rlen - 1] == '\n' || rec[rlen - 1] == '\r')) {
		rlen--;
	}
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.nstrings = 1;
	dns_answer_reset(&ans);
	ans.status = DNS_ANSWER;
	if (dns_answer_add(&ans, &rr, rec, rlen) != SK_OK) {
		fputs("dkim-bench: the key record is too long\n", stderr);
		return 1;
	}
	t0 = bench_cpu();
	for (i = 0; i < n; i++) {
		if (bench_verify_one(&v, &ans, m) != 0) {
			fputs("dkim-bench: the message does not verify\n",
			    stderr);
			return 1;
		}
	}
	bench_report("verify", n, bench_cpu() - t0);
	return 0;
}

/* bench_sign_main - KEY DOMAIN SELECTOR N */
static int
bench_sign_main(char **argv, const struct bench_msg *m)
{
	static uint8_t pem[BENCH_FILE_MAX];
	static struct dkim_signkey key;
	size_t plen = bench_read(argv[0], pem, sizeof(pem));
	unsigned long n = bench_count(argv[3]);
	int rc;

	if (plen == (size_t)-1 || n == 0 ||
	    dkim_signkey_pem(&key, pem, plen) != SK_OK) {
		fprintf(stderr, "dkim-bench: %s: no usable key, or bad N\n",
		    argv[0]);
		return 2;
	}
	rc = bench_sign(&key, argv[1], argv[2], m, n);
	dkim_signkey_wipe(&key);
	memset(pem, 0, sizeof(pem));
	return rc;
}

int
main(int argc, char **argv)
{
	static uint8_t rec[BENCH_FILE_MAX];
	struct bench_msg m;
	size_t len, rlen;

	if (argc < 2 || (strcmp(argv[1], "sign") == 0 && argc != 6) ||
	    (strcmp(argv[1], "verify") == 0 && argc != 4) ||
	    (strcmp(argv[1], "sign") != 0 && strcmp(argv[1], "verify") != 0)) {
		fputs("usage: dkim-bench sign KEY DOMAIN SELECTOR N < msg\n"
		      "       dkim-bench verify RECORD N < signed msg\n",
		    stderr);
		return 2;
	}
	len = bench_read(NULL, bench_msg, sizeof(bench_msg));
	if (len == (size_t)-1 || bench_split(&m, bench_msg, len) != 0) {
		fputs("dkim-bench: standard input: no CRLF message\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "sign") == 0) {
		return bench_sign_main(argv + 2, &m);
	}
	rlen = bench_read(argv[2], rec, sizeof(rec));
	if (rlen == (size_t)-1 || bench_count(argv[3]) == 0) {
		fprintf(stderr, "dkim-bench: %s: unreadable, or bad N\n",
		    argv[2]);
		return 2;
	}
	return bench_verify(rec, rlen, &m, bench_count(argv[3]));
}
