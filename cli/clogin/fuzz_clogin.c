/*
 * fuzz_clogin.c - libFuzzer target for the login dialogue's input
 * (clogin.c): the first octet splits the rest into chunks and moves a
 * fake clock; every octet after it is typed. Users and stores are fakes
 * in memory (cheap hashes of 1000 rounds, so that a run costs little).
 * Invariants: the output stays NUL-terminated within its buffer, the
 * answer stays within CLOGIN_LINE_MAX, the state is a known one, no
 * login happens without the right password ("op" / "operator-pw" is
 * the only one, and the fuzzer may find it), and nothing happens after
 * the end.
 */
#include <stdlib.h>
#include <string.h>

#include "clogin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* crypt("operator-pw", "$6$rounds=1000$fuzzsalt$") */
#define FUZZ_HASH                                                             \
	"$6$rounds=1000$fuzzsalt$khe8B0Tx.r1KuPjYAvbH8blgWV.1qnb8J/lwgKYyB4e" \
	"axeZI6JOqwkVpUPdM29wGj2oHLkxmigYnK2VQA.a.U."

static struct clogin_count fuzz_counts[2];
static uint64_t fuzz_step;

static int
fuzz_user(void *arg, const char *name, struct clogin_user *out)
{
	strcpy(out->hash, FUZZ_HASH);
	if (strcmp(name, "op") != 0 && strcmp(name, "admin") != 0) {
		return 0;
	}
	strcpy(out->name, name);
	strcpy(out->role, "operator");
	/* admin: a TOTP secret and the forced change, to reach them */
	if (name[0] == 'a') {
		strcpy(out->totp, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
		out->change_required = 1;
	}
	return 1;
}

static void
fuzz_count_get(void *arg, enum clogin_kind kind, const char *key,
    struct clogin_count *out)
{
	*out = fuzz_counts[kind];
}

static void
fuzz_count_put(void *arg, enum clogin_kind kind, const char *key,
    const struct clogin_count *c)
{
	fuzz_counts[kind] = *c;
}

static uint64_t
fuzz_totp_last(void *arg, const char *user)
{
	return fuzz_step;
}

static void
fuzz_totp_mark(void *arg, const char *user, uint64_t step)
{
	fuzz_step = step;
}

static enum sk_result
fuzz_set_password(void *arg, const char *user, const char *hash, char *msg,
    size_t msglen)
{
	return SK_OK;
}

static void
fuzz_audit(void *arg, const char *user, const char *event, const char *detail)
{
	if (strlen(user) >= CLOGIN_NAME_MAX) {
		abort();
	}
}

static int
fuzz_random(void *arg, uint8_t *buf, size_t n)
{
	memset(buf, 7, n);
	return 0;
}

static const struct clogin_ops fuzz_ops = { fuzz_user, NULL, NULL,
	fuzz_count_get, fuzz_count_put, fuzz_totp_last, fuzz_totp_mark,
	fuzz_set_password, fuzz_audit, fuzz_random, NULL };

static struct clogin lg;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct clogin_policy pol = { 3, 5, 60, 60, 1 };
	uint64_t now = 1764064800;
	size_t i, chunk, n;
	const char *out;

	if (size < 1 || size > 4096) {
		return 0;
	}
	memset(fuzz_counts, 0, sizeof(fuzz_counts));
	fuzz_step = 0;
	clogin_start(&lg, "banner", &pol, &fuzz_ops, "2001:db8::1", now);
	chunk = 1 + (data[0] & 15);
	for (i = 1; i < size; i += chunk) {
		n = size - i < chunk ? size - i : chunk;
		clogin_feed(&lg, data + i, n, now);
		now += data[0] >> 4;
		clogin_tick(&lg, now);
		out = clogin_output(&lg, &n);
		if (n >= CLOGIN_OUT_MAX || out[n] != '\0' ||
		    lg.linelen >= CLOGIN_LINE_MAX ||
		    (unsigned)clogin_state(&lg) > CLOGIN_DONE_FAIL) {
			abort();
		}
		clogin_output_done(&lg);
		(void)clogin_take_failure(&lg);
	}
	if (clogin_state(&lg) == CLOGIN_DONE_OK &&
	    (clogin_user(&lg) == NULL ||
		memmem(data, size, "operator-pw", 11) == NULL)) {
		abort();
	}
	return 0;
}
