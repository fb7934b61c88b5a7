/*
 * passwd_test.c - known answers, refusals and scheme support of passwd.
 *
 * Vectors: "Hello world!" with salt "saltstring" and the rounds=5000
 * "toolongsaltstring" case are from Ulrich Drepper's "Unix crypt using
 * SHA-256 and SHA-512" test list; the "sekimori" ones were made for
 * this file with `openssl passwd -5/-6` and Python's crypt (libxcrypt),
 * and run here against musl's independent implementation too.
 */
#include <stdio.h>
#include <string.h>

#include "passwd.h"
#include "test.h"

struct pw_case {
	const char *hash;
	const char *pw;
	enum passwd_result want;
};

#define SHA6_SEKIMORI                                                        \
	"$6$abcdefgh$Kxgtefo21u2JrQOHgGjv5wWXFB7bL2DxS10La3.bHKuXbJ7SxZzkNw" \
	"gUPF1iMTxZ3ey2T8hLVxlE9GWkUT8yn."
#define SHA5_SEKIMORI "$5$abcdefgh$oSLD1VKgxyNGHhaf1mLQscl.A8ksl.S3B2A60Ne4wlB"
#define YESCRYPT_SEKIMORI \
	"$y$j9T$abcdefghijklmnop$QvMmtamRKPGDSEaxTqv0v9a6AMHY6cpHg.zioZjcOh9"

static const struct pw_case pw_cases[] = {
	/* Drepper's vectors */
	{ "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
	    "Hello world!", PASSWD_MATCH },
	{ "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQ"
	  "JuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
	    "Hello world!", PASSWD_MATCH },
	{ "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8"
	  "mGRcvxa5",
	    "This is just a test", PASSWD_MATCH },
	/* ours */
	{ SHA6_SEKIMORI, "sekimori", PASSWD_MATCH },
	{ SHA5_SEKIMORI, "sekimori", PASSWD_MATCH },
	{ "$6$rounds=1000$abcdefgh$lRfy0OSXk2TAWY83cgVtmnJI4Xqgp2Hmm4cYCy0ycQN"
	  "QbdrDBJ02cHzIsbBvGv6Fxek6MgUaKHy8IiohwztnQ1",
	    "sekimori", PASSWD_MATCH },
	{ "$5$rounds=1000$abcdefgh$tyseoxVC340wx/TIW91WU0j9NUUQuAVkaf/30MLyo2A",
	    "sekimori", PASSWD_MATCH },
	{ "$6$abcdefgh$v7sYNA18/BerGOYQLppYLyjH4yJilp8kqe/ef3KYMK9hOIdzH1yzcm"
	  "P74Ay.m51y1jP3QqxM7Jl75S4CxDhBq.",
	    "", PASSWD_MATCH },
	{ "$6$abcdefgh$LTOrFZJ5L7e73J7WXnfEWy8dzMkHZwObMPMpVSvmwbTqbwoc33bio2"
	  "bmz8jeWL3raVs37HHVi99Lflo8bnASD1",
	    "p\xc3\xa4ss", PASSWD_MATCH },
	/* wrong passwords */
	{ SHA6_SEKIMORI, "Sekimori", PASSWD_MISMATCH },
	{ SHA6_SEKIMORI, "sekimor", PASSWD_MISMATCH },
	{ SHA6_SEKIMORI, "sekimori ", PASSWD_MISMATCH },
	{ SHA6_SEKIMORI, "", PASSWD_MISMATCH },
	{ SHA5_SEKIMORI, "sekimorj", PASSWD_MISMATCH },
	/* schemes not allowed, whatever the library could do */
	{ "$1$abcdefgh$G//4keteveJp0qb8z2DxG/", "sekimori",
	    PASSWD_UNSUPPORTED },
	{ "abJnggxhB/yWI", "sekimori", PASSWD_UNSUPPORTED },
	{ "$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
	    "sekimori", PASSWD_UNSUPPORTED },
	{ "$7$CU..../....abcdefgh$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    "sekimori", PASSWD_UNSUPPORTED },
	/* malformed */
	{ "", "sekimori", PASSWD_UNSUPPORTED },
	{ "$6$", "sekimori", PASSWD_UNSUPPORTED },
	{ "$6$abcdefgh$", "sekimori", PASSWD_UNSUPPORTED },
	{ "$6$abcdefgh", "sekimori", PASSWD_UNSUPPORTED },
	{ "$6$abc:defgh$Kxgtefo21u2JrQOHgGjv5wWXFB7bL2DxS10La3.bHKuXbJ7SxZz",
	    "sekimori", PASSWD_UNSUPPORTED },
	{ "$6$abcdefgh$Kxgtefo21u2JrQOHgGjv5wWXFB7bL2DxS10La3.bHKuXbJ7SxZzkNw"
	  "gUPF1iMTxZ3ey2T8hLVxlE9GWkUT8yn.$",
	    "sekimori", PASSWD_UNSUPPORTED },
	/* rounds below the minimum: libxcrypt refuses, musl raises to
	 * 1000 and so writes another setting; unsupported on both */
	{ "$6$rounds=10$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xh"
	  "LsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.",
	    "the minimum number is still observed", PASSWD_UNSUPPORTED },
};

/* test_pw_table - every row of pw_cases */
static void
test_pw_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(pw_cases); i++) {
		const struct pw_case *c = &pw_cases[i];
		enum passwd_result r = passwd_verify(c->hash, strlen(c->hash),
		    (const uint8_t *)c->pw, strlen(c->pw));

		TEST_CHECK(r == c->want,
		    "row %zu (%.20s, \"%s\"): got %s, want %s", i, c->hash,
		    c->pw, passwd_result_str(r), passwd_result_str(c->want));
	}
}

/* test_pw_lengths - (buffer, length): no NUL needed, none allowed */
static void
test_pw_lengths(void)
{
	char hash[sizeof(SHA6_SEKIMORI) + 8];
	uint8_t pw[PASSWD_MAX + 2];
	size_t n = strlen(SHA6_SEKIMORI);

	/* the hash is read to its length, not to a NUL */
	memcpy(hash, SHA6_SEKIMORI, n);
	memcpy(hash + n, "garbage", 8);
	TEST_CHECK(passwd_verify(hash, n, (const uint8_t *)"sekimoriXX", 8) ==
		PASSWD_MATCH,
	    "hash and password without NUL");
	TEST_CHECK(passwd_verify(hash, n + 7, (const uint8_t *)"sekimori", 8) ==
		PASSWD_UNSUPPORTED,
	    "trailing garbage in the hash");
	/* a NUL inside a password never matches the part before it */
	TEST_CHECK(passwd_verify(SHA6_SEKIMORI, n,
		       (const uint8_t *)"sekimori\0x", 10) == PASSWD_MISMATCH,
	    "NUL in the password");
	/* lengths: PASSWD_MAX is checked, one more never is */
	memset(pw, 'x', sizeof(pw));
	TEST_CHECK(passwd_verify("$6$abcdefgh$LrINoF8XqUfymH3b16RFbn5kCfG5cwDF"
				 "SkCuJKT.1Q3pEC2INq.ANx6.N1STQw/FVE8vn7098.y."
				 "bc6q/KsnY0",
		       86 + 12, pw, PASSWD_MAX) == PASSWD_MATCH,
	    "a password of PASSWD_MAX octets");
	TEST_CHECK(passwd_verify(SHA6_SEKIMORI, n, pw, PASSWD_MAX + 1) ==
		PASSWD_MISMATCH,
	    "a password over PASSWD_MAX");
	TEST_CHECK(passwd_verify(NULL, 0, pw, 1) == PASSWD_MISMATCH, "no hash");
	TEST_CHECK(passwd_verify(SHA6_SEKIMORI, PASSWD_HASH_MAX + 1,
		       (const uint8_t *)"sekimori", 8) == PASSWD_UNSUPPORTED,
	    "a hash over PASSWD_HASH_MAX");
}

/* test_pw_yescrypt - works with libxcrypt, unsupported with musl */
static void
test_pw_yescrypt(void)
{
	size_t n = strlen(YESCRYPT_SEKIMORI);
	enum passwd_result good =
	    passwd_verify(YESCRYPT_SEKIMORI, n, (const uint8_t *)"sekimori", 8);
	enum passwd_result bad =
	    passwd_verify(YESCRYPT_SEKIMORI, n, (const uint8_t *)"sekimorj", 8);
#ifdef __GLIBC__
	enum passwd_result want = PASSWD_MATCH;
#else
	enum passwd_result want = PASSWD_UNSUPPORTED;
#endif

	TEST_CHECK(good == want, "right password: got %s, want %s",
	    passwd_result_str(good), passwd_result_str(want));
	TEST_CHECK(bad == (want == PASSWD_MATCH ? PASSWD_MISMATCH : want),
	    "wrong password: got %s", passwd_result_str(bad));
	TEST_CHECK(passwd_hash_supported(YESCRYPT_SEKIMORI, n) == want,
	    "passwd_hash_supported disagrees");
	printf("INFO: passwd: yescrypt ($y$) is %s in this build\n",
	    want == PASSWD_MATCH ? "supported" : "unsupported");
}

/* test_pw_supported - what passwd_hash_supported says */
static void
test_pw_supported(void)
{
	TEST_CHECK(passwd_hash_supported(SHA6_SEKIMORI,
		       strlen(SHA6_SEKIMORI)) == PASSWD_MATCH,
	    "$6$");
	TEST_CHECK(passwd_hash_supported(SHA5_SEKIMORI,
		       strlen(SHA5_SEKIMORI)) == PASSWD_MATCH,
	    "$5$");
	TEST_CHECK(passwd_hash_supported("$1$abcdefgh$G//4keteveJp0qb8z2DxG/",
		       34) == PASSWD_UNSUPPORTED,
	    "$1$");
	TEST_CHECK(passwd_hash_supported("x", 1) == PASSWD_UNSUPPORTED, "x");
	TEST_CHECK(passwd_hash_supported(NULL, 0) == PASSWD_UNSUPPORTED,
	    "NULL");
}

/* test_pw_dummy - never a match, whatever the password and template */
static void
test_pw_dummy(void)
{
	const uint8_t *pw = (const uint8_t *)"sekimori";

	TEST_CHECK(passwd_verify_dummy(SHA6_SEKIMORI, strlen(SHA6_SEKIMORI), pw,
		       8) == PASSWD_MISMATCH,
	    "the template's own password");
	TEST_CHECK(passwd_verify_dummy(SHA5_SEKIMORI, strlen(SHA5_SEKIMORI), pw,
		       8) == PASSWD_MISMATCH,
	    "$5$ template");
	TEST_CHECK(passwd_verify_dummy(YESCRYPT_SEKIMORI,
		       strlen(YESCRYPT_SEKIMORI), pw, 8) == PASSWD_MISMATCH,
	    "$y$ template");
	TEST_CHECK(passwd_verify_dummy(NULL, 0, pw, 8) == PASSWD_MISMATCH,
	    "built-in template");
	TEST_CHECK(passwd_verify_dummy("junk", 4, pw, 8) == PASSWD_MISMATCH,
	    "unsupported template");
	TEST_CHECK(passwd_verify_dummy(NULL, 0, pw, PASSWD_MAX + 1) ==
		PASSWD_MISMATCH,
	    "long password");
}

/* test_pw_names - result names for logs */
static void
test_pw_names(void)
{
	TEST_CHECK(strcmp(passwd_result_str(PASSWD_MATCH), "match") == 0,
	    "match");
	TEST_CHECK(strcmp(passwd_result_str(PASSWD_UNSUPPORTED),
		       "unsupported") == 0,
	    "unsupported");
	TEST_CHECK(PASSWD_MISMATCH == 0, "zero must mean mismatch");
}

const struct test_case test_cases[] = {
	{ "passwd_table", test_pw_table },
	{ "passwd_lengths", test_pw_lengths },
	{ "passwd_yescrypt", test_pw_yescrypt },
	{ "passwd_supported", test_pw_supported },
	{ "passwd_dummy", test_pw_dummy },
	{ "passwd_names", test_pw_names },
};
const size_t test_ncases = SK_NELEM(test_cases);
