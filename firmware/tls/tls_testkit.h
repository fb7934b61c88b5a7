/*
 * tls_testkit.h - what the tls unit tests share: keys and certificates
 * made with openssl(1) at test time in test_tmpdir() (no key material is
 * kept in the repository), file helpers, and a socketpair harness that
 * runs two non-blocking endpoints in one thread.
 *
 * Header-only (static inline) so that each *_test.c stays one program.
 */
#ifndef SK_TLS_TESTKIT_H
#define SK_TLS_TESTKIT_H

#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#define TESTKIT_CMD_MAX 2048
#define TESTKIT_PATHS 16 /* testkit_path results alive at once */

/* testkit_path - test_tmpdir()/name, in a ring of static buffers */
static inline const char *
testkit_path(const char *name)
{
	static char ring[TESTKIT_PATHS][256];
	static unsigned next;
	char *p = ring[next++ % TESTKIT_PATHS];

	snprintf(p, sizeof(ring[0]), "%s/%s", test_tmpdir(), name);
	return p;
}

static inline int testkit_sh(const char *fmt, ...) SK_PRINTF(1, 2);

/* testkit_sh - run a shell command in the temporary folder, output to
 * its log; 0 when it exited 0 (else the case fails with the command) */
static inline int
testkit_sh(const char *fmt, ...)
{
	char cmd[TESTKIT_CMD_MAX], line[TESTKIT_CMD_MAX + 512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "cd '%s' && (%s) >>openssl.log 2>&1",
	    test_tmpdir(), cmd);
	rc = system(line);
	if (rc != 0) {
		test_fail("command failed (%d): %s", rc, cmd);
	}
	return rc;
}

/* testkit_key - a PKCS#8 private key in file: "rsa:2048", "ec:P-256",
 * or an algorithm name ("ED25519") */
static inline int
testkit_key(const char *file, const char *spec)
{
	if (strncmp(spec, "rsa:", 4) == 0) {
		return testkit_sh("openssl genpkey -algorithm RSA -pkeyopt "
				  "rsa_keygen_bits:%s -out %s",
		    spec + 4, file);
	}
	if (strncmp(spec, "ec:", 3) == 0) {
		return testkit_sh("openssl genpkey -algorithm EC -pkeyopt "
				  "ec_paramgen_curve:%s -out %s",
		    spec + 3, file);
	}
	return testkit_sh("openssl genpkey -algorithm %s -out %s", spec, file);
}

/* testkit_ca - NAME.key and NAME.crt, an RSA CA certificate */
static inline int
testkit_ca(const char *name)
{
	char key[128];

	snprintf(key, sizeof(key), "%s.key", name);
	if (testkit_key(key, "rsa:2048") != 0) {
		return -1;
	}
	return testkit_sh("openssl req -x509 -new -key %s.key -subj '/CN=%s "
			  "Test CA' -days 30 -addext "
			  "basicConstraints=critical,CA:TRUE -addext "
			  "keyUsage=critical,keyCertSign,cRLSign -out %s.crt",
	    name, name, name);
}

/*
 * testkit_leaf - NAME.key (of spec) and NAME.crt issued by the CA called
 * ca (or self-signed when ca is NULL) for CN=cn with the given
 * subjectAltName ("DNS:mx.example.test,DNS:*.example.test"; NULL for
 * none). NAME.pem is the chain: leaf, then the CA certificate.
 */
static inline int
testkit_leaf(const char *name, const char *spec, const char *ca, const char *cn,
    const char *san)
{
	char key[128], issuer[256] = "", ext[300] = "";

	snprintf(key, sizeof(key), "%s.key", name);
	if (testkit_key(key, spec) != 0) {
		return -1;
	}
	if (ca != NULL) {
		snprintf(issuer, sizeof(issuer), "-CA %s.crt -CAkey %s.key", ca,
		    ca);
	}
	if (san != NULL) {
		snprintf(ext, sizeof(ext), "-addext subjectAltName=%s", san);
	}
	if (testkit_sh("openssl req -x509 -new -key %s.key %s -subj '/CN=%s' "
		       "-days 30 -addext basicConstraints=CA:FALSE -addext "
		       "extendedKeyUsage=serverAuth %s -out %s.crt",
		name, issuer, cn, ext, name) != 0) {
		return -1;
	}
	if (ca != NULL) {
		return testkit_sh("cat %s.crt %s.crt >%s.pem", name, ca, name);
	}
	return testkit_sh("cp %s.crt %s.pem", name, name);
}

/* testkit_write - a file with the given text */
static inline int
testkit_write(const char *name, const char *text)
{
	FILE *f = fopen(testkit_path(name), "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		test_fail("cannot write %s", name);
		return -1;
	}
	return 0;
}

/* testkit_read - a whole file, NUL-terminated (free it); NULL if none */
static inline char *
testkit_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)size, f);
		buf[*len] = '\0';
	}
	if (f != NULL) {
		fclose(f);
	}
	return buf;
}

/* testkit_socketpair - two connected non-blocking stream sockets */
static inline int
testkit_socketpair(int fd[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0) {
		test_fail("socketpair failed");
		return -1;
	}
	fcntl(fd[0], F_SETFL, fcntl(fd[0], F_GETFL) | O_NONBLOCK);
	fcntl(fd[1], F_SETFL, fcntl(fd[1], F_GETFL) | O_NONBLOCK);
	return 0;
}

#endif /* SK_TLS_TESTKIT_H */
