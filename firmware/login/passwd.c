/*
 * passwd.c - password checks with crypt_r and a constant-time compare.
 *
 * crypt_r comes from libxcrypt on the host (glibc) and from musl's own
 * crypt source on the target (rootfs/packages/musl-crypt). Both take C
 * strings, so the caller's length-counted buffers are copied into local,
 * NUL-ended ones that are wiped before return.
 */
#include <crypt.h>
#include <string.h>

#include "passwd.h"
#include "sk.h"

/*
 * The dummy hash: SHA-512-crypt, default 5000 rounds, of a random
 * password nobody kept. Only its cost matters.
 */
static const char passwd_dummy_hash[] =
    "$6$Sekimori.dummy.$zNzM9SLogz.MarYFt7I.wyRWRPK.neJI/VFQ4hamJ2mrR85R."
    "hRmNWFjWxIBscuC6DSY9SptWWyuQ/LD7Ocb41";

/* The allowed schemes, by the prefix of their setting. */
static const char *const passwd_schemes[] = {
	"$6$", /* SHA-512-crypt */
	"$5$", /* SHA-256-crypt */
	"$y$", /* yescrypt */
};

/* passwd_wipe - clear a secret; explicit_bzero is not optimized away */
static void
passwd_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

/* passwd_hash_char - a character that may appear in an allowed hash */
static int
passwd_hash_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || c == '.' || c == '/' || c == '$' ||
	    c == '=';
}

/*
 * passwd_setting_len - the length of hash's setting (through its last
 * '$'), or 0 when the hash is malformed or of a scheme not allowed.
 */
static size_t
passwd_setting_len(const char *hash, size_t hashlen)
{
	size_t i, last = 0, scheme = 0;

	if (hashlen < 4 || hashlen > PASSWD_HASH_MAX) {
		return 0;
	}
	for (i = 0; i < SK_NELEM(passwd_schemes); i++) {
		if (memcmp(hash, passwd_schemes[i], 3) == 0) {
			scheme = 1;
		}
	}
	if (!scheme) {
		return 0;
	}
	for (i = 0; i < hashlen; i++) {
		if (!passwd_hash_char((unsigned char)hash[i])) {
			return 0;
		}
		if (hash[i] == '$') {
			last = i;
		}
	}
	/* A salt and a hash must follow the scheme: "$6$" alone is not one. */
	if (last < 3 || last + 1 == hashlen) {
		return 0;
	}
	return last + 1;
}

/*
 * passwd_ct_equal - whether a and b are equal, in time that depends on
 * their lengths only (lengths are not secret: each scheme fixes them)
 */
static int
passwd_ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char diff = (unsigned char)(alen != blen);
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		diff |= (unsigned char)(a[i] ^ b[i]);
	}
	return diff == 0;
}

/*
 * passwd_compute - crypt pw with hash's setting and compare the result
 * with hash. pw is NUL-ended. PASSWD_UNSUPPORTED when the library did
 * not compute this scheme with this setting.
 */
static enum passwd_result
passwd_compute(const char *hash, size_t hashlen, const char *pw)
{
	struct crypt_data cd;
	char setting[PASSWD_HASH_MAX + 1];
	enum passwd_result r = PASSWD_UNSUPPORTED;
	size_t setlen = passwd_setting_len(hash, hashlen);
	const char *out;

	if (setlen == 0) {
		return PASSWD_UNSUPPORTED;
	}
	memcpy(setting, hash, hashlen);
	setting[hashlen] = '\0';
	memset(&cd, 0, sizeof(cd));
	out = crypt_r(pw, setting, &cd);
	/*
	 * Failure is NULL or a token starting with '*' (libxcrypt, musl).
	 * An output of another setting or length means the stored hash is
	 * not one this library makes: it can never match, say so.
	 */
	if (out != NULL && out[0] != '*' && strlen(out) == hashlen &&
	    strncmp(out, hash, setlen) == 0) {
		r = passwd_ct_equal(out, hashlen, hash, hashlen) ?
		    PASSWD_MATCH :
		    PASSWD_MISMATCH;
	}
	passwd_wipe(&cd, sizeof(cd));
	return r;
}

/* passwd_copy - pw as a C string in out; 0 if too long or holds a NUL */
static int
passwd_copy(const uint8_t *pw, size_t pwlen, char out[PASSWD_MAX + 1])
{
	if (pwlen > PASSWD_MAX || (pwlen > 0 && pw == NULL) ||
	    (pwlen > 0 && memchr(pw, '\0', pwlen) != NULL)) {
		return 0;
	}
	if (pwlen > 0) {
		memcpy(out, pw, pwlen);
	}
	out[pwlen] = '\0';
	return 1;
}

/* passwd_verify - check a password against a stored hash */
enum passwd_result
passwd_verify(const char *hash, size_t hashlen, const uint8_t *pw, size_t pwlen)
{
	char key[PASSWD_MAX + 1];
	enum passwd_result r;

	if (hash == NULL || !passwd_copy(pw, pwlen, key)) {
		return PASSWD_MISMATCH;
	}
	r = passwd_compute(hash, hashlen, key);
	if (r == PASSWD_UNSUPPORTED) {
		/* A broken account must not stand out by answering fast. */
		(void)passwd_compute(passwd_dummy_hash,
		    sizeof(passwd_dummy_hash) - 1, key);
	}
	passwd_wipe(key, sizeof(key));
	return r;
}

/* passwd_verify_dummy - the cost of a check, for a user that is unknown */
enum passwd_result
passwd_verify_dummy(const char *like, size_t likelen, const uint8_t *pw,
    size_t pwlen)
{
	char key[PASSWD_MAX + 1];
	enum passwd_result r = PASSWD_UNSUPPORTED;

	if (!passwd_copy(pw, pwlen, key)) {
		return PASSWD_MISMATCH;
	}
	if (like != NULL) {
		r = passwd_compute(like, likelen, key);
	}
	if (r == PASSWD_UNSUPPORTED) {
		(void)passwd_compute(passwd_dummy_hash,
		    sizeof(passwd_dummy_hash) - 1, key);
	}
	passwd_wipe(key, sizeof(key));
	/* Whatever like's password is, no unknown user logs in with it. */
	return PASSWD_MISMATCH;
}

/* passwd_hash_supported - whether this build computes hash's scheme */
enum passwd_result
passwd_hash_supported(const char *hash, size_t hashlen)
{
	if (hash == NULL) {
		return PASSWD_UNSUPPORTED;
	}
	return passwd_compute(hash, hashlen, "") == PASSWD_UNSUPPORTED ?
	    PASSWD_UNSUPPORTED :
	    PASSWD_MATCH;
}

/* passwd_result_str - a stable name for logs */
const char *
passwd_result_str(enum passwd_result r)
{
	switch (r) {
	case PASSWD_MISMATCH:
		return "mismatch";
	case PASSWD_MATCH:
		return "match";
	case PASSWD_UNSUPPORTED:
		return "unsupported";
	}
	return "?";
}
