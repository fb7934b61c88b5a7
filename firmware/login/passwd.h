/*
 * passwd.h - check a password against a stored crypt(3) hash.
 *
 * Security-sensitive: the password comes from a network peer (SMTP AUTH)
 * or a console user (CLI logins); the hash comes from the validated
 * configuration. Both are bounded before anything touches them.
 *
 * Schemes (an allow-list; everything else is PASSWD_UNSUPPORTED, never a
 * match, so that weak schemes such as DES crypt, which silently cuts
 * passwords to 8 octets, can never log anyone in):
 *   $6$[rounds=N$]SALT$HASH   SHA-512-crypt   host (libxcrypt) and target
 * (musl) $5$[rounds=N$]SALT$HASH   SHA-256-crypt   host and target
 *   $y$PARAMS$SALT$HASH       yescrypt        host only: musl has none
 * Which of them this build can compute is decided by trying, not by a
 * list per C library: a hash counts as computed only when the library's
 * output starts with the stored setting (everything up to the last '$').
 * That catches musl, which answers an unknown "$y$" setting with a DES
 * hash, and rounds outside the library's range (musl refuses more than
 * 9999999; libxcrypt refuses fewer than 1000).
 *
 * Timing: the final comparison is constant-time, and callers use
 * passwd_verify_dummy for unknown users so that the work done does not
 * tell a user name that exists from one that does not. A stored hash
 * that is unsupported also costs one dummy computation.
 *
 * Ownership: no allocation; the library's work area lives on the stack
 * (32 KiB with libxcrypt) and is wiped before return. The caller owns
 * and wipes the password buffer.
 */
#ifndef SK_LOGIN_PASSWD_H
#define SK_LOGIN_PASSWD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Longest password checked, in octets: musl's SHA-crypt refuses longer
 * keys (its KEY_MAX), and the same limit everywhere means a password
 * set on one build works on the other. Longer ones never match; the CLI
 * must refuse to set them.
 */
#define PASSWD_MAX 256
/* Longest stored hash: the YANG type sk-t:crypt-hash is 1..512 octets. */
#define PASSWD_HASH_MAX 512

/*
 * Results. PASSWD_MISMATCH is zero on purpose: a result that was never
 * set, or a zeroed struct, must read as "no".
 */
enum passwd_result {
	PASSWD_MISMATCH = 0, /* wrong password, or one never accepted */
	PASSWD_MATCH,        /* the password is right */
	PASSWD_UNSUPPORTED,  /* the hash is malformed or not computable here */
};

/*
 * passwd_verify - whether pw[0..pwlen) is the password of hash[0..hashlen).
 * A password longer than PASSWD_MAX or containing a NUL is a mismatch
 * (crypt(3) takes C strings: "a\0b" would otherwise pass for "a"), found
 * before any hashing: that takes the same time whatever the user.
 */
enum passwd_result passwd_verify(const char *hash, size_t hashlen,
    const uint8_t *pw, size_t pwlen);

/*
 * passwd_verify_dummy - the work of passwd_verify for a user that does
 * not exist; always PASSWD_MISMATCH. like (may be NULL) is the hash of
 * any configured user: its scheme and cost are used, so the dummy costs
 * what a real check costs. Without one, or when it is unsupported here,
 * a built-in SHA-512-crypt hash of the default 5000 rounds is used.
 */
enum passwd_result passwd_verify_dummy(const char *like, size_t likelen,
    const uint8_t *pw, size_t pwlen);

/*
 * passwd_hash_supported - PASSWD_MATCH if hash[0..hashlen) is of an
 * allowed scheme and this build computes it, else PASSWD_UNSUPPORTED.
 * For the daemon to say so clearly when it loads a config, before any
 * login fails.
 */
enum passwd_result passwd_hash_supported(const char *hash, size_t hashlen);

/* passwd_result_str - "match", "mismatch", "unsupported" */
const char *passwd_result_str(enum passwd_result r);

#endif /* SK_LOGIN_PASSWD_H */
