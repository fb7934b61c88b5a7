/*
 * fuzz_passwd.c - libFuzzer target for the password check.
 *
 * Input: a hash, a NUL octet, then the password (which may hold more
 * NULs). Invariants: the check never crashes or reads out of bounds;
 * a password with a NUL or over PASSWD_MAX never matches; the dummy
 * never matches; a match of a password means its hash is supported.
 *
 * Cost: hashes with "rounds=" or of yescrypt ("$y$", whose parameters
 * can ask for gigabytes) are replaced by fixed ones of the same scheme,
 * so each run costs one default-cost hash. Those settings come from the
 * validated config, never from the network.
 */
#include <stdlib.h>
#include <string.h>

#include "passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_sha512[] =
    "$6$abcdefgh$Kxgtefo21u2JrQOHgGjv5wWXFB7bL2DxS10La3.bHKuXbJ7SxZzkNw"
    "gUPF1iMTxZ3ey2T8hLVxlE9GWkUT8yn.";
static const char fuzz_yescrypt[] =
    "$y$j9T$abcdefghijklmnop$QvMmtamRKPGDSEaxTqv0v9a6AMHY6cpHg.zioZjcOh9";

/* costly - whether hash[0..len) could cost more than the default */
static int
costly(const uint8_t *hash, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++) {
		if (memcmp(hash + i, "$y$", 3) == 0 ||
		    memcmp(hash + i, "$7$", 3) == 0 ||
		    memcmp(hash + i, "rounds", i + 6 <= len ? 6 : len - i) ==
			0) {
			return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	const char *hash = (const char *)data;
	size_t hashlen, pwlen;
	const uint8_t *pw;
	enum passwd_result r;

	if (nul == NULL) {
		return 0;
	}
	hashlen = (size_t)(nul - data);
	pw = nul + 1;
	pwlen = size - hashlen - 1;
	if (costly(data, hashlen)) {
		hash = hashlen % 2 ? fuzz_sha512 : fuzz_yescrypt;
		hashlen = strlen(hash);
	}
	r = passwd_verify(hash, hashlen, pw, pwlen);
	if (r == PASSWD_MATCH &&
	    (pwlen > PASSWD_MAX || memchr(pw, '\0', pwlen) != NULL ||
		passwd_hash_supported(hash, hashlen) != PASSWD_MATCH)) {
		abort();
	}
	if (passwd_verify_dummy(hash, hashlen, pw, pwlen) != PASSWD_MISMATCH) {
		abort();
	}
	return 0;
}
