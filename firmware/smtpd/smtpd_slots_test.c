/*
 * smtpd_slots_test.c - free slots and per-address counts against a
 * plain model, through thousands of random accepts and closes (the
 * backward-shift deletion is where a table like this goes wrong).
 */
#include <stdio.h>
#include <string.h>

#include "smtpd_int.h"
#include "test.h"

#define CONNS 64
#define ADDRS 200 /* more addresses than connections: entries come and go */
#define STEPS 20000

static void
test_slots(void)
{
	int used[CONNS] = { 0 };
	long s;
	int i;

	smtpd_slots_init(CONNS);
	for (i = 0; i < CONNS; i++) {
		s = smtpd_slot_take();
		if (s < 0 || s >= CONNS || used[s]) {
			test_fail("slot %ld taken twice or out of range", s);
			return;
		}
		used[s] = 1;
	}
	TEST_CHECK(smtpd_slot_take() == -1, "a slot beyond connections-total");
	smtpd_slot_put(17);
	TEST_CHECK(smtpd_slot_take() == 17, "a freed slot is not reused");
	smtpd_slots_free();
}

static void
test_client_counts(void)
{
	static uint32_t model[ADDRS];
	static int conn_addr[CONNS];
	uint32_t x = 12345;
	char ip[SMTPD_IP_TEXT];
	int nconns = 0, step, k, a;

	smtpd_slots_init(CONNS);
	for (step = 0; step < STEPS; step++) {
		x = x * 1103515245u + 12345u;
		if (nconns < CONNS && (nconns == 0 || (x >> 16) % 2 == 0)) {
			a = (int)((x >> 8) % ADDRS);
			snprintf(ip, sizeof(ip), "192.0.2.%d", a);
			smtpd_client_add(ip);
			model[a]++;
			conn_addr[nconns++] = a;
		} else {
			k = (int)((x >> 8) % (uint32_t)nconns);
			a = conn_addr[k];
			conn_addr[k] = conn_addr[--nconns];
			snprintf(ip, sizeof(ip), "192.0.2.%d", a);
			smtpd_client_del(ip);
			model[a]--;
		}
		for (a = 0; a < ADDRS; a += 7) {
			snprintf(ip, sizeof(ip), "192.0.2.%d", a);
			if (smtpd_client_count(ip) != model[a]) {
				test_fail("step %d: %s counted %u, want %u",
				    step, ip, smtpd_client_count(ip), model[a]);
				smtpd_slots_free();
				return;
			}
		}
	}
	smtpd_slots_free();
}

const struct test_case test_cases[] = {
	{ "smtpd_slots", test_slots },
	{ "smtpd_client_counts", test_client_counts },
};
const size_t test_ncases = SK_NELEM(test_cases);
