#!/bin/sh
# package-test.sh - check that each enabled third-party package works on a board:
# every library links into a small static program built with the board's
# toolchain (SK_CC, SK_CFLAGS, SK_LDFLAGS), which then runs (under SK_RUN) and
# checks known answers; dropbear's programs run.
# BOARD "host" is the host flavour (`make host`, output/host): the libraries of
# the Makefile's HOST_PACKAGES, linked into ordinary (dynamic, glibc) programs
# with its clang-14; libyang's and c-ares's are also built with ASan and UBSan,
# as the unit tests and fuzzers will link them.
#
# Usage: ci/package-test.sh [BOARD]   (default $BOARD, else x86_64)
# Needs rootfs/scripts/build-packages (or `make host`) to have run for it.
# Prints "PASS: name" or "FAIL: name: reason" per test; exits 1 if any failed.
set -u
SK_TOP=${SK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BOARD=${1:-${BOARD:-x86_64}}
O=${O:-$SK_TOP/output/$BOARD}
SK_CONFIG=${SK_CONFIG:-$O/.config}
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }

if [ "$BOARD" = host ]; then
	# No Kconfig: the host set is fixed (HOST_PACKAGES in the Makefile).
	SK_PACKAGE_BEARSSL=y SK_PACKAGE_SQLITE=y SK_PACKAGE_PCRE2=y SK_PACKAGE_LIBYANG=y
	SK_PACKAGE_C_ARES=y
	SK_CONFIG=/dev/null
fi
if [ ! -r "$O/toolchain.env" ] || [ ! -r "$SK_CONFIG" ]; then
	fail "$BOARD-setup" "no $O/toolchain.env or $SK_CONFIG; build the packages first"
	exit 1
fi
# shellcheck disable=SC1090,SC1091
. "$O/toolchain.env"
# shellcheck disable=SC1090
. "$SK_CONFIG"
t=$O/build/package-test
rm -rf "$t"
mkdir -p "$t"

# check NAME LIBS EXPECT: build $t/NAME.c against LIBS, run it, and pass if
# its output is exactly EXPECT and it exits 0. $cc, if set, replaces SK_CC and
# $san is added to the compile and link flags (for a sanitizer build).
cc='' san=''
check() {
	# shellcheck disable=SC2086 # flag lists are word lists on purpose
	if ! ${cc:-$SK_CC} $SK_CFLAGS $san -I"$SK_SYSROOT/include" -o "$t/$1" "$t/$1.c" \
		$SK_LDFLAGS $san -L"$SK_SYSROOT/lib" $2 > "$t/$1.log" 2>&1; then
		fail "$BOARD-$1" "does not build (see $t/$1.log)"
		return
	fi
	# Board programs are static. Host ones are dynamic, but must hold our
	# archives, not the machine's own libsqlite3.so or libyang.so.
	if [ "$BOARD" = host ]; then
		if readelf -d "$t/$1" | grep -E 'NEEDED.*lib(bearssl|sqlite3|pcre2|yang|cares)'; then
			fail "$BOARD-$1" "linked a shared library of this machine, not $SK_SYSROOT"
			return
		fi
	elif "${SK_CROSS}readelf" -l "$t/$1" | grep -q INTERP; then
		fail "$BOARD-$1" "binary is not static"
		return
	fi
	got=$($SK_RUN "$t/$1" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] || [ "$got" != "$3" ]; then
		fail "$BOARD-$1" "exit $rc, got '$got', want '$3'"
	else
		pass "$BOARD-$1"
	fi
}

if [ "${SK_PACKAGE_BEARSSL:-}" = y ]; then
	cat > "$t/bearssl.c" <<'EOF'
#include <stdio.h>
#include <bearssl.h>
int
main(void)
{
	br_sha256_context c;
	unsigned char h[32];
	int i;

	br_sha256_init(&c);
	br_sha256_update(&c, "abc", 3);
	br_sha256_out(&c, h);
	for (i = 0; i < 32; i++)
		printf("%02x", h[i]);
	printf("\n");
	return 0;
}
EOF
	# FIPS 180-2, appendix B.1
	check bearssl -lbearssl ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
fi

if [ "${SK_PACKAGE_SQLITE:-}" = y ]; then
	cat > "$t/sqlite.c" <<'EOF'
#include <stdio.h>
#include <sqlite3.h>
static int
row(void *arg, int n, char **v, char **col)
{
	(void)arg; (void)n; (void)col;
	printf(" %s", v[0]);
	return 0;
}
int
main(void)
{
	sqlite3 *db;

	printf("%s", sqlite3_libversion());
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE q(id INTEGER PRIMARY KEY, rcpt TEXT);"
	    "INSERT INTO q(rcpt) VALUES('a@example.org'),('b@example.org');"
	    "SELECT count(*) FROM q;", row, NULL, NULL) != SQLITE_OK)
		return 1;
	printf(" %d%d\n", sqlite3_compileoption_used("OMIT_LOAD_EXTENSION"),
	    sqlite3_compileoption_used("DEFAULT_WAL_SYNCHRONOUS=2"));
	return sqlite3_close(db);
}
EOF
	check sqlite -lsqlite3 "3.40.1 2 11"
fi

if [ "${SK_PACKAGE_PCRE2:-}" = y ]; then
	cat > "$t/pcre2.c" <<'EOF'
#define PCRE2_CODE_UNIT_WIDTH 8
#include <stdio.h>
#include <pcre2.h>
int
main(void)
{
	const char *pat = "^([^@]+)@(example\\.(?:org|com))$";
	const char *subj = "jürgen@example.org";
	pcre2_code *re;
	pcre2_match_data *md;
	PCRE2_SIZE erroff, *ov;
	int err, rc;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
	    &err, &erroff, NULL);
	if (re == NULL)
		return 1;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)subj, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	if (rc != 3)
		return 2;
	ov = pcre2_get_ovector_pointer(md);
	printf("%.*s %.*s\n", (int)(ov[3] - ov[2]), subj + ov[2],
	    (int)(ov[5] - ov[4]), subj + ov[4]);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return 0;
}
EOF
	check pcre2 -lpcre2-8 "jürgen example.org"
fi

if [ "${SK_PACKAGE_LIBYANG:-}" = y ]; then
	cat > "$t/libyang.c" <<'EOF'
#include <stdio.h>
#include <libyang/libyang.h>
static const char *mod =
    "module t { yang-version 1.1; namespace \"urn:t\"; prefix t;"
    " leaf host { type string { pattern '[a-z][a-z0-9-]*'; } } }";
static int
valid(struct ly_ctx *ctx, const char *json)
{
	struct lyd_node *tree = NULL;
	LY_ERR r;

	r = lyd_parse_data_mem(ctx, json, LYD_JSON, 0, LYD_VALIDATE_PRESENT, &tree);
	lyd_free_all(tree);
	return r == LY_SUCCESS;
}
int
main(void)
{
	struct ly_ctx *ctx;

	ly_log_options(0);
	if (ly_ctx_new(NULL, 0, &ctx) != LY_SUCCESS)
		return 1;
	if (lys_parse_mem(ctx, mod, LYS_IN_YANG, NULL) != LY_SUCCESS)
		return 2;
	/* the pattern is checked by pcre2 inside libyang */
	printf("%d %d\n", valid(ctx, "{\"t:host\":\"mx1\"}"),
	    valid(ctx, "{\"t:host\":\"MX 1\"}"));
	ly_ctx_destroy(ctx);
	return 0;
}
EOF
	check libyang "-lyang -lpcre2-8" "1 0"
	if [ "$BOARD" = host ]; then
		# As the asan and fuzz flavours link it: clang-14, ASan + UBSan
		# (and LeakSanitizer, so libyang must free what it took).
		cp "$t/libyang.c" "$t/libyang-asan.c"
		cc=clang-14 san="-fsanitize=address,undefined -fno-sanitize-recover=all"
		check libyang-asan "-lyang -lpcre2-8" "1 0"
		cc='' san=''
	fi
fi

if [ "${SK_PACKAGE_C_ARES:-}" = y ]; then
	cat > "$t/c-ares.c" <<'EOF'
#define CARES_STATICLIB
#include <stdio.h>
#include <ares.h>
int
main(void)
{
	ares_channel ch;
	struct ares_options o;
	unsigned char *q;
	char *name;
	long used;
	int qlen, i;

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return 1;
	/* a channel: reads /etc/resolv.conf if there is one, sends nothing */
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
	if (ares_init_options(&ch, &o, ARES_OPT_FLAGS) != ARES_SUCCESS)
		return 2;
	/* an MX query, recursion desired, EDNS with a 1232-octet buffer */
	if (ares_create_query("mx.example.org", 1 /* IN */, 15 /* MX */,
	    0x1234, 1, &q, &qlen, 1232) != ARES_SUCCESS)
		return 3;
	printf("%s ", ares_version(NULL));
	for (i = 0; i < qlen; i++)
		printf("%02x", q[i]);
	if (ares_expand_name(q + 12, q, qlen, &name, &used) != ARES_SUCCESS)
		return 4;
	printf(" %s %ld\n", name, used);
	ares_free_string(name);
	ares_free_string(q);
	ares_destroy(ch);
	ares_library_cleanup();
	return 0;
}
EOF
	# RFC 1035 4.1: ID 1234, RD, one question and one additional record;
	# "mx.example.org" MX IN; then the RFC 6891 OPT record (payload 1232)
	q=123401000001000000000001026d78076578616d706c65036f726700000f0001
	check c-ares -lcares "1.18.1 ${q}00002904d0000000000000 mx.example.org 16"
	if [ "$BOARD" = host ]; then
		# As the asan and fuzz flavours link it (dns_live_test):
		# ASan + UBSan, and LeakSanitizer after ares_destroy.
		cp "$t/c-ares.c" "$t/c-ares-asan.c"
		cc=clang-14 san="-fsanitize=address,undefined -fno-sanitize-recover=all"
		check c-ares-asan -lcares "1.18.1 ${q}00002904d0000000000000 mx.example.org 16"
		cc='' san=''
	fi
fi

if [ "${SK_PACKAGE_DROPBEAR:-}" = y ]; then
	sbin=$O/target/usr/sbin/dropbear
	key=$O/target/usr/bin/dropbearkey
	if ! "${SK_CROSS}readelf" -l "$sbin" 2>/dev/null | grep -q 'Program Headers'; then
		fail "$BOARD-dropbear-version" "$sbin missing or not ELF"
	elif "${SK_CROSS}readelf" -l "$sbin" | grep -q INTERP; then
		fail "$BOARD-dropbear-version" "$sbin is not static"
	else
		got=$($SK_RUN "$sbin" -V 2>&1)
		case $got in
		"Dropbear v2022.83"*) pass "$BOARD-dropbear-version" ;;
		*) fail "$BOARD-dropbear-version" "dropbear -V printed '$got'" ;;
		esac
	fi
	if $SK_RUN "$key" -t ed25519 -f "$t/hostkey" > "$t/key.log" 2>&1 &&
		grep -q '^ssh-ed25519 ' "$t/key.log"; then
		pass "$BOARD-dropbearkey"
	else
		fail "$BOARD-dropbearkey" "no ed25519 key generated (see $t/key.log)"
	fi
	# crypt() from musl-crypt, as dropbear's password login calls it; the
	# expected hashes are glibc's (openssl passwd -6 / -5 give the same).
	cat > "$t/crypt.c" <<'EOF'
#include <stdio.h>
#include <crypt.h>
int
main(void)
{
	/* crypt() returns a static buffer: print each result before the next */
	printf("%s\n", crypt("sekimori", "$6$sekisalt$"));
	printf("%s\n", crypt("sekimori", "$5$sekisalt$"));
	return 0;
}
EOF
	check crypt -lcrypt "\$6\$sekisalt\$PynWD/3jtXNnfLDpblzelBspwFZ1h0QiMNT8/7RAPCv35JTy2dEd7H6AE6TXZChS09P5qmXg64fD9GAxVZ2kj.
\$5\$sekisalt\$3sPmCN.Jfdq0oZGLNrur5xwuasIk8ZsnmU5U4YkvXw4"
fi

exit "$failed"
