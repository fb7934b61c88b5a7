/*
 * fuzz_mta_client.c - libFuzzer target for the SMTP client state machine
 * fed arbitrary server bytes.
 *
 * Input: byte 0 chooses the session (bits 0-1 TLS policy, 2 a TLS
 * implementation, 3 AUTH credentials, 4 implicit TLS, 5 the handshake
 * fails, 6 a second job on the same session, 7 the message needs
 * SMTPUTF8), byte 1 the size of each server write (0: all at once), the
 * rest is what the server sends. The driver behaves like mta_process:
 * writes all output, gives content when asked, completes handshakes.
 * Invariants: every recipient gets at most one result; a finished job
 * gave each exactly one, a failed session none; credentials leave only
 * inside TLS; message content is written only after a 354.
 */
#include <stdlib.h>
#include <string.h>

#include "mta_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NRCPT 3

static struct mta_client client;
static unsigned results[NRCPT];
static int saw_354;

static void
on_result(void *arg, size_t i, const struct mta_outcome *o)
{
	(void)arg;
	if (i >= NRCPT || results[i]++ > 0 || o->text[0] == '\0' ||
	    (unsigned)o->status > MSG_PERMFAIL) {
		abort();
	}
}

/* drain - take the output and check what may not leave */
static void
drain(void)
{
	static const char cred[] = "AHVzZXIAc2VjcmV0"; /* \0user\0secret */
	static const char body[] = "FUZZ-CONTENT";
	const uint8_t *p;
	size_t n;

	p = mta_client_output(&client, &n);
	if (n >= sizeof(cred) - 1 && !client.tls_active &&
	    memmem(p, n, cred, sizeof(cred) - 1) != NULL) {
		abort();
	}
	if (n >= sizeof(body) - 1 && !saw_354 &&
	    memmem(p, n, body, sizeof(body) - 1) != NULL) {
		abort();
	}
	mta_client_sent(&client, n);
}

/* pump - what the process does between two reads */
static void
pump(const struct mta_msg *m, int *jobs_left, int tls_fails)
{
	static const char content[] = "Subject: x\r\n\r\n.FUZZ-CONTENT\r\n";
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		drain();
		switch (mta_client_want(&client)) {
		case MTA_WANT_CONTENT:
			saw_354 = 1;
			mta_client_content(&client, (const uint8_t *)content,
			    sizeof(content) - 1);
			mta_client_content_end(&client);
			continue;
		case MTA_WANT_TLS:
			mta_client_tls_done(&client, !tls_fails, "fuzz");
			continue;
		case MTA_WANT_JOB:
			if (*jobs_left > 0 &&
			    mta_client_job(&client) != MTA_JOB_RUNNING) {
				(*jobs_left)--;
				memset(results, 0, sizeof(results));
				saw_354 = 0;
				mta_client_start(&client, m);
				continue;
			}
			return;
		default:
			return;
		}
	}
}

/* check_job - a finished job resolved everyone, a failed one nobody */
static void
check_job(void)
{
	enum mta_job_state js = mta_client_job(&client);
	size_t i;

	for (i = 0; i < NRCPT; i++) {
		if (js == MTA_JOB_DONE && results[i] != 1) {
			abort();
		}
		if (js == MTA_JOB_SESSION_FAILED && results[i] != 0) {
			abort();
		}
	}
	if (js == MTA_JOB_SESSION_FAILED &&
	    mta_client_failure(&client) == NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mta_rcpt rcpt[NRCPT] = {
		{ "a@example.net", MSG_NOTIFY_SUCCESS, "rfc822;a@example.net" },
		{ "b@example.net", 0, "" },
		{ "j\xc3\xb6rg@example.net", MSG_NOTIFY_NEVER, "" },
	};
	struct mta_client_conf conf;
	struct mta_msg m;
	size_t step, n;
	int jobs_left;
	uint8_t flags;

	if (size < 2) {
		return 0;
	}
	flags = data[0];
	step = data[1] == 0 ? size : data[1];
	data += 2;
	size -= 2;
	memset(&conf, 0, sizeof(conf));
	conf.helo = "relay.sekimori.test";
	conf.host = "mx.example.net[192.0.2.1]";
	conf.tls = (enum mta_tls_mode)(flags & 3);
	conf.tls_available = (flags & 4) != 0;
	if (flags & 8) {
		conf.auth_user = "user";
		conf.auth_pass = "secret";
	}
	conf.tls_active = (flags & 16) != 0;
	conf.result = on_result;
	memset(&m, 0, sizeof(m));
	m.sender = "s@example.org";
	m.envid = "ENV1";
	m.ret = MSG_RET_HDRS;
	m.body = MSG_BODY_8BITMIME;
	m.smtputf8 = (flags & 128) != 0;
	m.size = 30;
	m.rcpt = rcpt;
	m.nrcpt = (flags & 128) ? NRCPT : NRCPT - 1;
	jobs_left = (flags & 64) ? 1 : 0;
	memset(results, 0, sizeof(results));
	saw_354 = 0;
	mta_client_init(&client, &conf);
	mta_client_start(&client, &m);
	while (size > 0) {
		n = size < step ? size : step;
		mta_client_input(&client, data, n);
		pump(&m, &jobs_left, (flags & 32) != 0);
		data += n;
		size -= n;
	}
	if (mta_client_want(&client) != MTA_WANT_CLOSE) {
		mta_client_eof(&client);
		pump(&m, &jobs_left, 0);
	}
	if (m.nrcpt == NRCPT - 1) {
		results[NRCPT - 1] = mta_client_job(&client) == MTA_JOB_DONE;
	}
	check_job();
	return 0;
}
