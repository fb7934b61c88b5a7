/*
 * tls_conn_test.c - handshakes between our client and our server over a
 * socketpair (both non-blocking, driven in turn from one thread), and
 * against bare BearSSL endpoints restricted to one version or suite,
 * which is how the policies' refusals are checked. Certificates come
 * from openssl at test time (tls_testkit.h).
 */
#include <string.h>

#include <bearssl.h>

#include "event.h"
#include "tls_conn.h"
#include "tls_policy.h"
#include "tls_testkit.h"

#define PUMP_ROUNDS 5000 /* turns before a handshake counts as stuck */

/* ---- set-up -------------------------------------------------------- */

/* server_for - a server presenting NAME.pem / NAME.key */
static struct tls_server *
server_for(const char *name, enum config_tls_version v, enum config_ciphers c)
{
	struct tls_server *s;
	char crt[64], key[64], err[TLS_PEM_ERR_MAX];

	snprintf(crt, sizeof(crt), "%s.pem", name);
	snprintf(key, sizeof(key), "%s.key", name);
	if (tls_server_new_files(&s, testkit_path(crt), testkit_path(key), v, c,
		err, sizeof(err)) != SK_OK) {
		test_fail("server: %s", err);
		return NULL;
	}
	return s;
}

/* client_for - a client of mode, trusting bundle ("" = none) */
static struct tls_client *
client_for(enum config_tls_mode mode, const char *bundle, const char *match,
    enum config_ciphers c)
{
	static struct config_tls_policy p;
	struct tls_client *cli;
	char err[TLS_PEM_ERR_MAX];

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "test");
	p.mode = mode;
	p.min_version = CONFIG_TLS_1_2;
	p.ciphers = c;
	if (match != NULL) {
		snprintf(p.match_names[0], sizeof(p.match_names[0]), "%s",
		    match);
		p.nmatch_names = 1;
	}
	if (tls_client_new_bundle(&cli, &p,
		bundle[0] != '\0' ? testkit_path(bundle) : "", err,
		sizeof(err)) != SK_OK) {
		test_fail("client: %s", err);
		return NULL;
	}
	return cli;
}

/* a server and a client connection over one socketpair */
struct pair {
	int fd[2];
	struct tls_conn *srv, *cli;
	enum tls_status srv_st, cli_st;
};

static int
pair_open(struct pair *p, struct tls_server *s, struct tls_client *c,
    const char *host)
{
	memset(p, 0, sizeof(*p));
	p->srv_st = p->cli_st = TLS_WANT_READ;
	if (s == NULL || c == NULL || testkit_socketpair(p->fd) != 0) {
		return -1;
	}
	if (tls_conn_server(&p->srv, s, p->fd[0]) != SK_OK ||
	    tls_conn_client(&p->cli, c, p->fd[1], host) != SK_OK) {
		test_fail("cannot start the connections");
		return -1;
	}
	return 0;
}

static void
pair_close(struct pair *p)
{
	tls_conn_free(p->srv);
	tls_conn_free(p->cli);
	close(p->fd[0]);
	close(p->fd[1]);
}

/* busy - still working on it */
static int
busy(enum tls_status st)
{
	return st == TLS_WANT_READ || st == TLS_WANT_WRITE;
}

/* pair_handshake - both sides in turn until neither can move; a side
 * that fails drops its socket as the daemons do (BearSSL sends no alert
 * for a certificate it refuses), so the other one fails too. 0 when
 * both completed. */
static int
pair_handshake(struct pair *p)
{
	int i;

	for (i = 0; i < PUMP_ROUNDS && (busy(p->srv_st) || busy(p->cli_st));
	     i++) {
		if (busy(p->srv_st) &&
		    (p->srv_st = tls_conn_handshake(p->srv)) == TLS_ERROR) {
			shutdown(p->fd[0], SHUT_RDWR);
		}
		if (busy(p->cli_st) &&
		    (p->cli_st = tls_conn_handshake(p->cli)) == TLS_ERROR) {
			shutdown(p->fd[1], SHUT_RDWR);
		}
	}
	return p->srv_st == TLS_OK && p->cli_st == TLS_OK ? 0 : -1;
}

/* ---- bare BearSSL endpoints ---------------------------------------- */

/* An engine we configure by hand: one version range, one suite list. */
struct raw {
	int fd;
	br_ssl_client_context cc;
	br_ssl_server_context sc;
	br_ssl_engine_context *eng;
	struct tls_peer peer; /* client: takes any certificate */
	unsigned char buf[BR_SSL_BUFSIZE_BIDI];
};

static struct raw *
raw_client(int fd, unsigned vmin, unsigned vmax, const uint16_t *suites,
    size_t n, const br_ssl_session_parameters *resume)
{
	struct raw *r = calloc(1, sizeof(*r));

	r->fd = fd;
	r->eng = &r->cc.eng;
	br_ssl_client_init_full(&r->cc, &r->peer.minimal, NULL, 0);
	tls_peer_init(&r->peer, NULL, 0);
	br_ssl_engine_set_x509(r->eng, &r->peer.vtable);
	br_ssl_engine_set_versions(r->eng, vmin, vmax);
	if (n > 0) {
		br_ssl_engine_set_suites(r->eng, suites, n);
	}
	br_ssl_engine_set_buffer(r->eng, r->buf, sizeof(r->buf), 1);
	tls_policy_seed(r->eng);
	if (resume != NULL) {
		br_ssl_engine_set_session_parameters(r->eng, resume);
	}
	br_ssl_client_reset(&r->cc, "mx.example.test", resume != NULL);
	return r;
}

static struct raw *
raw_server(int fd, struct tls_server *s, unsigned vmin, unsigned vmax,
    const uint16_t *suites, size_t n)
{
	struct raw *r = calloc(1, sizeof(*r));

	r->fd = fd;
	r->eng = &r->sc.eng;
	br_ssl_server_init_full_rsa(&r->sc, s->chain.certs, s->chain.n,
	    &s->key.rsa);
	br_ssl_engine_set_versions(r->eng, vmin, vmax);
	br_ssl_engine_set_suites(r->eng, suites, n);
	br_ssl_engine_set_buffer(r->eng, r->buf, sizeof(r->buf), 1);
	tls_policy_seed(r->eng);
	br_ssl_server_reset(&r->sc);
	return r;
}

/* raw_step - move records; 1 when the handshake is done, -1 failed */
static int
raw_step(struct raw *r)
{
	unsigned state = br_ssl_engine_current_state(r->eng);
	unsigned char *b;
	size_t len;
	ssize_t n;

	if (state & BR_SSL_CLOSED) {
		return -1;
	}
	if ((b = br_ssl_engine_sendrec_buf(r->eng, &len)) != NULL &&
	    (n = send(r->fd, b, len, MSG_DONTWAIT)) > 0) {
		br_ssl_engine_sendrec_ack(r->eng, (size_t)n);
	}
	if ((b = br_ssl_engine_recvrec_buf(r->eng, &len)) != NULL &&
	    (n = recv(r->fd, b, len, MSG_DONTWAIT)) > 0) {
		br_ssl_engine_recvrec_ack(r->eng, (size_t)n);
	}
	state = br_ssl_engine_current_state(r->eng);
	return (state & BR_SSL_SENDAPP) && !(state & BR_SSL_SENDREC) ? 1 : 0;
}

/* raw_with - run our connection c against r; 0 when both completed */
static int
raw_with(struct raw *r, struct tls_conn *c, enum tls_status *st)
{
	int i, rs = 0;

	*st = TLS_WANT_READ;
	for (i = 0; i < PUMP_ROUNDS && (busy(*st) || rs == 0); i++) {
		if (busy(*st)) {
			*st = tls_conn_handshake(c);
		}
		if (rs == 0) {
			rs = raw_step(r);
		}
		if (*st == TLS_ERROR && rs != 0) {
			break;
		}
	}
	return *st == TLS_OK && rs == 1 ? 0 : -1;
}

/* ---- cases: our client and our server ----------------------------- */

/* ca_and_leaf - CA "ca" and leaf "mx" of spec for mx.example.test */
static int
ca_and_leaf(const char *spec, const char *san)
{
	return testkit_ca("ca") != 0 ||
		testkit_leaf("mx", spec, "ca", "mx.example.test", san) != 0 ?
	    -1 :
	    0;
}

/* exchange - a line each way, then close_notify from the client */
static void
exchange(struct pair *p)
{
	static const char hello[] = "EHLO client.example.test\r\n";
	static const char reply[] = "250 mx.example.test\r\n";
	char buf[64];
	size_t n = 0;
	int i;
	enum tls_status st;

	st = tls_conn_write(p->cli, hello, sizeof(hello) - 1, &n);
	TEST_CHECK(st == TLS_OK && n == sizeof(hello) - 1, "client write %d",
	    (int)st);
	for (i = 0; i < 100 &&
	     (st = tls_conn_read(p->srv, buf, sizeof(buf), &n)) ==
		 TLS_WANT_READ;
	     i++) {
	}
	TEST_CHECK(st == TLS_OK && n == sizeof(hello) - 1 &&
		memcmp(buf, hello, n) == 0,
	    "server read %d, %zu octets", (int)st, n);
	st = tls_conn_write(p->srv, reply, sizeof(reply) - 1, &n);
	TEST_CHECK(st == TLS_OK, "server write %d", (int)st);
	st = tls_conn_read(p->cli, buf, sizeof(buf), &n);
	TEST_CHECK(st == TLS_OK && n == sizeof(reply) - 1 &&
		memcmp(buf, reply, n) == 0,
	    "client read %d, %zu octets", (int)st, n);
	/* nothing more: both want to read */
	TEST_CHECK(tls_conn_read(p->cli, buf, sizeof(buf), &n) ==
		    TLS_WANT_READ &&
		tls_conn_events(p->cli) == EVENT_READ,
	    "idle client wants %u", tls_conn_events(p->cli));
	TEST_CHECK(tls_conn_close(p->cli) == TLS_OK, "close_notify not sent");
	st = tls_conn_read(p->srv, buf, sizeof(buf), &n);
	TEST_CHECK(st == TLS_CLOSED && n == 0,
	    "server got %d after "
	    "close_notify",
	    (int)st);
	TEST_CHECK(strcmp(tls_conn_error(p->srv), "") == 0,
	    "clean close reports \"%s\"", tls_conn_error(p->srv));
}

/* handshake_ok - a full handshake with key type spec and the summary */
static void
handshake_ok(const char *spec, const char *want)
{
	struct tls_server *s;
	struct tls_client *c;
	struct pair p;
	char sum[TLS_CONN_SUMMARY_MAX];
	unsigned bits, alg_bits;

	if (ca_and_leaf(spec, "DNS:mx.example.test") != 0) {
		return;
	}
	s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN);
	c = client_for(CONFIG_TLS_MAY, "", NULL, CONFIG_CIPHERS_MODERN);
	if (pair_open(&p, s, c, "mx.example.test") == 0) {
		/* before anything moved: the client has its hello to send,
		 * the server waits for it */
		TEST_CHECK(tls_conn_events(p.cli) & EVENT_WRITE,
		    "client events %u", tls_conn_events(p.cli));
		TEST_CHECK(tls_conn_events(p.srv) == EVENT_READ,
		    "server events %u", tls_conn_events(p.srv));
		if (pair_handshake(&p) != 0) {
			test_fail("handshake: server \"%s\", client \"%s\"",
			    tls_conn_error(p.srv), tls_conn_error(p.cli));
		} else {
			tls_conn_summary(p.srv, sum, sizeof(sum));
			TEST_CHECK(strcmp(sum, want) == 0,
			    "server summary "
			    "\"%s\", want "
			    "\"%s\"",
			    sum, want);
			tls_conn_summary(p.cli, sum, sizeof(sum));
			TEST_CHECK(strcmp(sum, want) == 0, "client summary %s",
			    sum);
			tls_conn_bits(p.cli, &bits, &alg_bits);
			TEST_CHECK(bits == 256 && alg_bits == 256, "bits %u/%u",
			    bits, alg_bits);
			TEST_CHECK(strcmp(tls_conn_sni(p.srv),
				       "mx.example.test") == 0,
			    "SNI \"%s\"", tls_conn_sni(p.srv));
			exchange(&p);
		}
	}
	pair_close(&p);
	tls_server_free(s);
	tls_client_free(c);
}

static void
test_rsa(void)
{
	handshake_ok("rsa:2048",
	    "TLSv1.2 with cipher ECDHE-RSA-CHACHA20-POLY1305 (256/256 bits)");
}

static void
test_ecdsa_p256(void)
{
	handshake_ok("ec:P-256",
	    "TLSv1.2 with cipher ECDHE-ECDSA-CHACHA20-POLY1305 (256/256 bits)");
}

static void
test_ecdsa_p384(void)
{
	handshake_ok("ec:P-384",
	    "TLSv1.2 with cipher ECDHE-ECDSA-CHACHA20-POLY1305 (256/256 bits)");
}

/* one direction of a bulk transfer */
struct flow {
	struct tls_conn *from, *to;
	const uint8_t *data;
	uint8_t *got;
	size_t len, sent, recvd;
	int blocked; /* the writer saw TLS_WANT_WRITE at least once */
};

/* flow_turn - write a little, read what arrived; -1 on error */
static int
flow_turn(struct flow *f)
{
	enum tls_status st;
	size_t n, chunk;

	/* write until the socket is full, so TLS_WANT_WRITE happens */
	st = TLS_OK;
	while (f->sent < f->len && st == TLS_OK) {
		chunk = f->len - f->sent < 7000 ? f->len - f->sent : 7000;
		st = tls_conn_write(f->from, f->data + f->sent, chunk, &n);
		f->sent += n;
		f->blocked |= st == TLS_WANT_WRITE;
		if (st == TLS_ERROR) {
			return -1;
		}
	}
	/* all taken: len 0 pushes out what the engine still holds */
	if (f->sent == f->len &&
	    tls_conn_write(f->from, NULL, 0, &n) == TLS_ERROR) {
		return -1;
	}
	while ((st = tls_conn_read(f->to, f->got + f->recvd, f->len - f->recvd,
		    &n)) == TLS_OK &&
	    f->recvd < f->len) {
		f->recvd += n;
		if (f->recvd == f->len) {
			break;
		}
	}
	return st == TLS_ERROR ? -1 : 0;
}

static void
test_bulk(void)
{
	enum { BULK = 1 << 20 };
	struct tls_server *s;
	struct tls_client *c;
	struct flow up, down;
	uint8_t *data, *got1, *got2;
	struct pair p;
	size_t i;
	int rounds;

	if (ca_and_leaf("rsa:2048", "DNS:mx.example.test") != 0) {
		return;
	}
	s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN);
	c = client_for(CONFIG_TLS_ENCRYPT, "", NULL, CONFIG_CIPHERS_MODERN);
	data = malloc(BULK);
	got1 = calloc(1, BULK);
	got2 = calloc(1, BULK);
	for (i = 0; i < BULK; i++) {
		data[i] = (uint8_t)(i * 7 + (i >> 11));
	}
	if (pair_open(&p, s, c, "mx.example.test") == 0 &&
	    pair_handshake(&p) == 0) {
		up = (struct flow){ p.cli, p.srv, data, got1, BULK, 0, 0, 0 };
		down = (struct flow){ p.srv, p.cli, data, got2, BULK, 0, 0, 0 };
		for (rounds = 0;
		     rounds < 100000 && (up.recvd < BULK || down.recvd < BULK);
		     rounds++) {
			if (flow_turn(&up) != 0 || flow_turn(&down) != 0) {
				test_fail("transfer failed: %s / %s",
				    tls_conn_error(p.cli),
				    tls_conn_error(p.srv));
				break;
			}
		}
		TEST_CHECK(up.recvd == BULK && memcmp(got1, data, BULK) == 0,
		    "client to server: %zu of %d octets, or altered", up.recvd,
		    BULK);
		TEST_CHECK(down.recvd == BULK && memcmp(got2, data, BULK) == 0,
		    "server to client: %zu of %d octets, or altered",
		    down.recvd, BULK);
		TEST_CHECK(up.blocked || down.blocked,
		    "the socket never filled: TLS_WANT_WRITE not exercised");
	} else {
		test_fail("handshake failed");
	}
	pair_close(&p);
	free(data);
	free(got1);
	free(got2);
	tls_server_free(s);
	tls_client_free(c);
}

/* one verification scenario of our client against our server */
struct verify_case {
	const char *label;
	const char *san; /* the leaf's subjectAltName, NULL: none */
	enum config_tls_mode mode;
	const char *bundle; /* "" = none; "ca.crt" or "other.crt" */
	const char *host;   /* connected to */
	const char *match;  /* one match-name, or NULL */
	int want_ok, want_verified;
	const char *want; /* in the reason, or in the client error */
};

static const struct verify_case verify_cases[] = {
	{ "verify", "DNS:mx.example.test", CONFIG_TLS_VERIFY, "ca.crt",
	    "mx.example.test", NULL, 1, 1, "verified" },
	{ "verify-second-san", "DNS:a.example.test,DNS:mx.example.test",
	    CONFIG_TLS_VERIFY, "ca.crt", "MX.example.test", NULL, 1, 1,
	    "verified" },
	{ "verify-wildcard", "DNS:*.example.test", CONFIG_TLS_VERIFY, "ca.crt",
	    "mx.example.test", NULL, 1, 1, "verified" },
	{ "verify-match-name", "DNS:mx.example.test", CONFIG_TLS_VERIFY,
	    "ca.crt", "relay.other.test", "mx.example.test", 1, 1, "verified" },
	{ "verify-cn-only", NULL, CONFIG_TLS_VERIFY, "ca.crt",
	    "mx.example.test", NULL, 1, 1, "verified" },
	{ "verify-wrong-name", "DNS:mx.example.test", CONFIG_TLS_VERIFY,
	    "ca.crt", "other.test", NULL, 0, 0, "X509_BAD_SERVER_NAME" },
	{ "verify-wildcard-too-deep", "DNS:*.example.test", CONFIG_TLS_VERIFY,
	    "ca.crt", "a.mx.example.test", NULL, 0, 0, "X509_BAD_SERVER_NAME" },
	{ "verify-cn-ignored-with-san", "DNS:a.example.test", CONFIG_TLS_VERIFY,
	    "ca.crt", "mx.example.test", NULL, 0, 0, "X509_BAD_SERVER_NAME" },
	{ "verify-unknown-ca", "DNS:mx.example.test", CONFIG_TLS_VERIFY,
	    "other.crt", "mx.example.test", NULL, 0, 0, "X509_NOT_TRUSTED" },
	{ "verify-address-no-match", "DNS:mx.example.test", CONFIG_TLS_VERIFY,
	    "ca.crt", "127.0.0.1", NULL, 0, 0, "X509_BAD_SERVER_NAME" },
	{ "verify-address-match", "DNS:mx.example.test", CONFIG_TLS_VERIFY,
	    "ca.crt", "127.0.0.1", "mx.example.test", 1, 1, "verified" },
	{ "encrypt-unchecked", "DNS:mx.example.test", CONFIG_TLS_ENCRYPT, "",
	    "other.test", NULL, 1, 0, "not checked (no CA bundle)" },
	{ "encrypt-unknown-ca", "DNS:mx.example.test", CONFIG_TLS_ENCRYPT,
	    "other.crt", "mx.example.test", NULL, 1, 0, "X509_NOT_TRUSTED" },
	{ "may-wrong-name", "DNS:mx.example.test", CONFIG_TLS_MAY, "ca.crt",
	    "other.test", NULL, 1, 0, "does not name other.test" },
	{ "may-verified", "DNS:mx.example.test", CONFIG_TLS_MAY, "ca.crt",
	    "mx.example.test", NULL, 1, 1, "verified" },
};

/* run_verify - one scenario; the leaf is made per case for its SAN */
static void
run_verify(const struct verify_case *vc)
{
	struct tls_server *s;
	struct tls_client *c;
	char why[128];
	struct pair p;
	int ok;

	testkit_sh("rm -f mx.*");
	if (testkit_leaf("mx", "ec:P-256", "ca", "mx.example.test", vc->san) !=
	    0) {
		return;
	}
	s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN);
	c = client_for(vc->mode, vc->bundle, vc->match, CONFIG_CIPHERS_MODERN);
	if (pair_open(&p, s, c, vc->host) == 0) {
		ok = pair_handshake(&p) == 0;
		tls_conn_verify_reason(p.cli, why, sizeof(why));
		if (ok != vc->want_ok) {
			test_fail("%s: handshake %s (client \"%s\", server "
				  "\"%s\")",
			    vc->label, ok ? "succeeded" : "failed",
			    tls_conn_error(p.cli), tls_conn_error(p.srv));
		} else if (ok &&
		    (tls_conn_verified(p.cli) != vc->want_verified ||
			strstr(why, vc->want) == NULL)) {
			test_fail("%s: verified %d \"%s\", want %d \"%s\"",
			    vc->label, tls_conn_verified(p.cli), why,
			    vc->want_verified, vc->want);
		} else if (!ok &&
		    strstr(tls_conn_error(p.cli), vc->want) == NULL) {
			test_fail("%s: client error \"%s\", want \"%s\"",
			    vc->label, tls_conn_error(p.cli), vc->want);
		} else if (!ok &&
		    strstr(tls_conn_error(p.srv), "peer closed") == NULL) {
			test_fail("%s: server error \"%s\"", vc->label,
			    tls_conn_error(p.srv));
		}
		if (ok && strcmp(vc->host, "127.0.0.1") == 0) {
			TEST_CHECK(tls_conn_sni(p.srv)[0] == '\0',
			    "%s: an address was sent as SNI", vc->label);
		}
	}
	pair_close(&p);
	tls_server_free(s);
	tls_client_free(c);
}

static void
test_verify(void)
{
	size_t i;

	if (testkit_ca("ca") != 0 || testkit_ca("other") != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(verify_cases); i++) {
		run_verify(&verify_cases[i]);
	}
}

static void
test_mode_none(void)
{
	struct tls_client *c;
	struct tls_conn *conn = NULL;

	c = client_for(CONFIG_TLS_NONE, "", NULL, CONFIG_CIPHERS_MODERN);
	TEST_CHECK(c != NULL &&
		tls_conn_client(&conn, c, -1, "a.test") == SK_E_RANGE &&
		conn == NULL,
	    "policy none started TLS");
	tls_client_free(c);
}

static void
test_default_policy(void)
{
	struct config_tls_policy p;
	struct tls_client *c = NULL;
	char err[TLS_PEM_ERR_MAX] = "";

	tls_client_default_policy(&p);
	TEST_CHECK(p.mode == CONFIG_TLS_MAY &&
		p.min_version == CONFIG_TLS_1_2 &&
		p.ciphers == CONFIG_CIPHERS_COMPATIBLE &&
		strcmp(p.name, "default") == 0,
	    "the model's default is may, tls1.2, compatible");
	TEST_CHECK(tls_client_new(&c, &p, "/", err, sizeof(err)) == SK_OK &&
		c->anchors.n == 0,
	    "default policy: %s", err);
	tls_client_free(c);
}

static void
test_verify_bad_bundle(void)
{
	struct config_tls_policy p;
	struct tls_client *c;
	char err[TLS_PEM_ERR_MAX] = "";

	memset(&p, 0, sizeof(p));
	p.mode = CONFIG_TLS_VERIFY;
	snprintf(p.ca_bundle, sizeof(p.ca_bundle), "/config/none.pem");
	TEST_CHECK(tls_client_new(&c, &p, test_tmpdir(), err, sizeof(err)) ==
		    SK_E_IO &&
		c == NULL && strstr(err, "none.pem: cannot open") != NULL,
	    "missing bundle: \"%s\"", err);
}

/* ---- cases: policies against bare BearSSL -------------------------- */

struct policy_case {
	const char *label;
	enum config_ciphers ciphers; /* our server's */
	enum config_tls_version min;
	unsigned vmin, vmax; /* the bare client's */
	uint16_t suites[3];
	const char *want; /* summary when it must work, NULL: refused */
};

#define S_ECDHE_CBC BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
#define S_ECDHE_CBC256 BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
#define S_RSA_GCM BR_TLS_RSA_WITH_AES_128_GCM_SHA256

static const struct policy_case policy_cases[] = {
	{ "modern-refuses-cbc", CONFIG_CIPHERS_MODERN, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, { S_ECDHE_CBC }, NULL },
	{ "compatible-cbc-sha", CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_2,
	    BR_TLS12, BR_TLS12, { S_ECDHE_CBC },
	    "TLSv1.2 with cipher ECDHE-RSA-AES128-SHA (128/128 bits)" },
	{ "compatible-cbc-sha256", CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_2,
	    BR_TLS12, BR_TLS12, { S_ECDHE_CBC256 },
	    "TLSv1.2 with cipher ECDHE-RSA-AES128-SHA256 (128/128 bits)" },
	{ "compatible-refuses-rsa-kx", CONFIG_CIPHERS_COMPATIBLE,
	    CONFIG_TLS_1_2, BR_TLS12, BR_TLS12, { S_RSA_GCM }, NULL },
	{ "legacy-rsa-kx", CONFIG_CIPHERS_LEGACY, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, { S_RSA_GCM },
	    "TLSv1.2 with cipher AES128-GCM-SHA256 (128/128 bits)" },
	{ "legacy-3des", CONFIG_CIPHERS_LEGACY, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, { BR_TLS_RSA_WITH_3DES_EDE_CBC_SHA },
	    "TLSv1.2 with cipher DES-CBC3-SHA (112/168 bits)" },
	{ "legacy-prefers-ecdhe-aead", CONFIG_CIPHERS_LEGACY, CONFIG_TLS_1_2,
	    BR_TLS12, BR_TLS12,
	    { S_RSA_GCM, S_ECDHE_CBC,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 },
	    "TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)" },
	{ "tls11-refused-by-default", CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_2,
	    BR_TLS10, BR_TLS11, { S_ECDHE_CBC }, NULL },
	{ "tls11-allowed", CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_1, BR_TLS10,
	    BR_TLS11, { S_ECDHE_CBC },
	    "TLSv1.1 with cipher ECDHE-RSA-AES128-SHA (128/128 bits)" },
	{ "tls11-refused-below-minimum", CONFIG_CIPHERS_COMPATIBLE,
	    CONFIG_TLS_1_1, BR_TLS10, BR_TLS10, { S_ECDHE_CBC }, NULL },
	{ "tls10-allowed", CONFIG_CIPHERS_LEGACY, CONFIG_TLS_1_0, BR_TLS10,
	    BR_TLS10, { S_ECDHE_CBC },
	    "TLSv1 with cipher ECDHE-RSA-AES128-SHA (128/128 bits)" },
	{ "modern-is-tls12-only", CONFIG_CIPHERS_MODERN, CONFIG_TLS_1_0,
	    BR_TLS10, BR_TLS11, { S_ECDHE_CBC }, NULL },
};

static void
run_policy(const struct policy_case *pc)
{
	struct tls_server *s;
	struct tls_conn *c = NULL;
	struct raw *r = NULL;
	enum tls_status st;
	char sum[TLS_CONN_SUMMARY_MAX];
	size_t n = 0;
	int fd[2], ok;

	while (n < SK_NELEM(pc->suites) && pc->suites[n] != 0) {
		n++;
	}
	if ((s = server_for("mx", pc->min, pc->ciphers)) == NULL ||
	    testkit_socketpair(fd) != 0) {
		tls_server_free(s);
		return;
	}
	if (tls_conn_server(&c, s, fd[0]) == SK_OK) {
		r = raw_client(fd[1], pc->vmin, pc->vmax, pc->suites, n, NULL);
		ok = raw_with(r, c, &st) == 0;
		tls_conn_summary(c, sum, sizeof(sum));
		if (pc->want != NULL && (!ok || strcmp(sum, pc->want) != 0)) {
			test_fail("%s: got %s \"%s\" (%s), want \"%s\"",
			    pc->label, ok ? "ok" : "refused", sum,
			    tls_conn_error(c), pc->want);
		} else if (pc->want == NULL && ok) {
			test_fail("%s: accepted \"%s\"", pc->label, sum);
		} else if (pc->want == NULL && st != TLS_ERROR) {
			test_fail("%s: server ended with %d", pc->label,
			    (int)st);
		}
	}
	tls_conn_free(c);
	free(r);
	close(fd[0]);
	close(fd[1]);
	tls_server_free(s);
}

static void
test_policies(void)
{
	size_t i;

	if (testkit_leaf("mx", "rsa:2048", NULL, "mx.example.test",
		"DNS:mx.example.test") != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(policy_cases); i++) {
		run_policy(&policy_cases[i]);
	}
}

static void
test_policy_lists(void)
{
	uint16_t s[TLS_POLICY_SUITES_MAX];
	size_t modern, compat, legacy, i;

	modern = tls_policy_suites(CONFIG_CIPHERS_MODERN, s, SK_NELEM(s));
	compat = tls_policy_suites(CONFIG_CIPHERS_COMPATIBLE, s, SK_NELEM(s));
	legacy = tls_policy_suites(CONFIG_CIPHERS_LEGACY, s, SK_NELEM(s));
	TEST_CHECK(modern == 6 && compat == 14 && legacy == 23,
	    "lists of %zu, %zu, %zu suites", modern, compat, legacy);
	for (i = 0; i < legacy; i++) {
		TEST_CHECK(tls_policy_suite_name(s[i], NULL, NULL) != NULL,
		    "suite %04x has no name", s[i]);
		TEST_CHECK(tls_policy_allows(CONFIG_CIPHERS_LEGACY, s[i]),
		    "legacy misses %04x", s[i]);
		TEST_CHECK(tls_policy_allows(CONFIG_CIPHERS_MODERN, s[i]) ==
			(i < modern),
		    "modern and %04x", s[i]);
	}
	TEST_CHECK(tls_policy_min_version(CONFIG_TLS_1_0,
		       CONFIG_CIPHERS_MODERN) == BR_TLS12,
	    "modern must mean TLS 1.2");
	TEST_CHECK(tls_policy_min_version(CONFIG_TLS_1_0,
		       CONFIG_CIPHERS_LEGACY) == BR_TLS10,
	    "legacy keeps the minimum");
}

/* our client against a bare server restricted to versions or suites */
static void
run_client_against(enum config_ciphers ciphers, enum config_tls_version min,
    unsigned vmin, unsigned vmax, uint16_t suite, const char *want)
{
	static struct config_tls_policy pol;
	struct tls_server *s;
	struct tls_client *cli = NULL;
	struct tls_conn *c = NULL;
	struct raw *r = NULL;
	char err[TLS_PEM_ERR_MAX], sum[TLS_CONN_SUMMARY_MAX];
	enum tls_status st;
	int fd[2], ok;

	memset(&pol, 0, sizeof(pol));
	pol.mode = CONFIG_TLS_ENCRYPT;
	pol.min_version = min;
	pol.ciphers = ciphers;
	if ((s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_LEGACY)) ==
		NULL ||
	    tls_client_new_bundle(&cli, &pol, "", err, sizeof(err)) != SK_OK ||
	    testkit_socketpair(fd) != 0) {
		test_fail("set-up");
		tls_server_free(s);
		tls_client_free(cli);
		return;
	}
	if (tls_conn_client(&c, cli, fd[1], "mx.example.test") == SK_OK) {
		r = raw_server(fd[0], s, vmin, vmax, &suite, 1);
		ok = raw_with(r, c, &st) == 0;
		tls_conn_summary(c, sum, sizeof(sum));
		if (want != NULL && (!ok || strcmp(sum, want) != 0)) {
			test_fail("got %s \"%s\" (%s), want \"%s\"",
			    ok ? "ok" : "refused", sum, tls_conn_error(c),
			    want);
		} else if (want == NULL &&
		    (ok || strstr(tls_conn_error(c), "handshake:") == NULL)) {
			test_fail("suite %04x versions %x-%x: got %s (%s)",
			    suite, vmin, vmax, ok ? sum : "refused",
			    tls_conn_error(c));
		}
	}
	tls_conn_free(c);
	free(r);
	close(fd[0]);
	close(fd[1]);
	tls_server_free(s);
	tls_client_free(cli);
}

static void
test_client_policies(void)
{
	if (testkit_leaf("mx", "rsa:2048", NULL, "mx.example.test",
		"DNS:mx.example.test") != 0) {
		return;
	}
	/* a TLS 1.1-only server: refused by default, accepted when asked */
	run_client_against(CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_2, BR_TLS10,
	    BR_TLS11, S_ECDHE_CBC, NULL);
	run_client_against(CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_1, BR_TLS10,
	    BR_TLS11, S_ECDHE_CBC,
	    "TLSv1.1 with cipher ECDHE-RSA-AES128-SHA (128/128 bits)");
	/* a server with CBC only: modern refuses, compatible takes it */
	run_client_against(CONFIG_CIPHERS_MODERN, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, S_ECDHE_CBC, NULL);
	run_client_against(CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, S_ECDHE_CBC,
	    "TLSv1.2 with cipher ECDHE-RSA-AES128-SHA (128/128 bits)");
	/* static RSA only with legacy */
	run_client_against(CONFIG_CIPHERS_COMPATIBLE, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, S_RSA_GCM, NULL);
	run_client_against(CONFIG_CIPHERS_LEGACY, CONFIG_TLS_1_2, BR_TLS12,
	    BR_TLS12, S_RSA_GCM,
	    "TLSv1.2 with cipher AES128-GCM-SHA256 (128/128 bits)");
}

/* ---- cases: the session cache and broken peers --------------------- */

static void
test_resume(void)
{
	static const uint16_t suite = BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
	br_ssl_session_parameters first, second;
	struct tls_server *s;
	struct tls_conn *c = NULL;
	struct raw *r;
	enum tls_status st;
	int fd[2], round;

	if (testkit_leaf("mx", "rsa:2048", NULL, "mx.example.test", NULL) !=
		0 ||
	    (s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN)) ==
		NULL) {
		return;
	}
	for (round = 0; round < 2; round++) {
		if (testkit_socketpair(fd) != 0 ||
		    tls_conn_server(&c, s, fd[0]) != SK_OK) {
			break;
		}
		r = raw_client(fd[1], BR_TLS12, BR_TLS12, &suite, 1,
		    round == 0 ? NULL : &first);
		TEST_CHECK(raw_with(r, c, &st) == 0, "round %d failed: %s",
		    round, tls_conn_error(c));
		br_ssl_engine_get_session_parameters(r->eng,
		    round == 0 ? &first : &second);
		tls_conn_free(c);
		free(r);
		close(fd[0]);
		close(fd[1]);
	}
	TEST_CHECK(round == 2 && first.session_id_len == 32 &&
		second.session_id_len == 32 &&
		memcmp(first.session_id, second.session_id, 32) == 0 &&
		memcmp(first.master_secret, second.master_secret, 48) == 0,
	    "the second connection did not resume the first session");
	tls_server_free(s);
}

static void
test_peer_vanishes(void)
{
	struct tls_server *s;
	struct tls_conn *c = NULL;
	enum tls_status st;
	char buf[16];
	size_t n;
	int fd[2];

	if (testkit_leaf("mx", "rsa:2048", NULL, "mx.example.test", NULL) !=
		0 ||
	    (s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN)) ==
		NULL ||
	    testkit_socketpair(fd) != 0) {
		return;
	}
	/* plaintext where a ClientHello belongs (a client that did not
	 * understand our 220), then the peer goes away */
	if (tls_conn_server(&c, s, fd[0]) == SK_OK) {
		TEST_CHECK(write(fd[1], "EHLO x\r\n", 8) == 8, "write");
		st = tls_conn_handshake(c);
		TEST_CHECK(st == TLS_ERROR, "plaintext: got %d", (int)st);
		TEST_CHECK(strstr(tls_conn_error(c), "handshake: ") ==
			tls_conn_error(c),
		    "error \"%s\"", tls_conn_error(c));
		TEST_CHECK(tls_conn_read(c, buf, sizeof(buf), &n) == TLS_ERROR,
		    "the error is not sticky");
		TEST_CHECK(tls_conn_events(c) == 0, "a failed conn waits");
		tls_conn_free(c);
	}
	close(fd[0]);
	close(fd[1]);
	if (testkit_socketpair(fd) == 0 &&
	    tls_conn_server(&c, s, fd[0]) == SK_OK) {
		close(fd[1]);
		st = tls_conn_handshake(c);
		TEST_CHECK(st == TLS_ERROR &&
			strstr(tls_conn_error(c), "peer closed") != NULL,
		    "closed peer: %d \"%s\"", (int)st, tls_conn_error(c));
		tls_conn_free(c);
		close(fd[0]);
	}
	tls_server_free(s);
}

static void
test_memory(void)
{
	struct tls_server *s;
	struct tls_client *cli;
	struct pair p;
	size_t io;

	if (testkit_leaf("mx", "rsa:2048", NULL, "mx.example.test", NULL) !=
	    0) {
		return;
	}
	s = server_for("mx", CONFIG_TLS_1_2, CONFIG_CIPHERS_MODERN);
	cli = client_for(CONFIG_TLS_MAY, "", NULL, CONFIG_CIPHERS_MODERN);
	if (pair_open(&p, s, cli, "mx.example.test") == 0) {
		io = BR_SSL_BUFSIZE_INPUT + TLS_CONN_SERVER_OUTPUT;
		TEST_CHECK(tls_conn_memory(p.srv) > io &&
			tls_conn_memory(p.srv) < io + 8192,
		    "server connection: %zu octets", tls_conn_memory(p.srv));
		TEST_CHECK(tls_conn_memory(p.cli) > BR_SSL_BUFSIZE_BIDI,
		    "client connection: %zu octets", tls_conn_memory(p.cli));
		TEST_CHECK(pair_handshake(&p) == 0, "handshake");
		printf("INFO: tls_conn_memory: per connection: server %zu "
		       "octets (I/O buffer %zu), client %zu (I/O buffer %d); "
		       "per listener %zu, per policy %zu\n",
		    tls_conn_memory(p.srv), io, tls_conn_memory(p.cli),
		    BR_SSL_BUFSIZE_BIDI, sizeof(struct tls_server),
		    sizeof(struct tls_client));
	}
	pair_close(&p);
	tls_server_free(s);
	tls_client_free(cli);
}

const struct test_case test_cases[] = {
	{ "tls_conn_rsa", test_rsa },
	{ "tls_conn_ecdsa_p256", test_ecdsa_p256 },
	{ "tls_conn_ecdsa_p384", test_ecdsa_p384 },
	{ "tls_conn_bulk", test_bulk },
	{ "tls_conn_verify", test_verify },
	{ "tls_conn_mode_none", test_mode_none },
	{ "tls_conn_default_policy", test_default_policy },
	{ "tls_conn_verify_bad_bundle", test_verify_bad_bundle },
	{ "tls_conn_policies", test_policies },
	{ "tls_conn_policy_lists", test_policy_lists },
	{ "tls_conn_client_policies", test_client_policies },
	{ "tls_conn_resume", test_resume },
	{ "tls_conn_peer_vanishes", test_peer_vanishes },
	{ "tls_conn_memory", test_memory },
};
const size_t test_ncases = SK_NELEM(test_cases);
