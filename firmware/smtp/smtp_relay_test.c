/*
 * smtp_relay_test.c - relay control: the open-relay forms of
 * ../shared/conformance/smtp/open-relay-and-command-cases.json (nmap's
 * smtp-open-relay list), known recipients, exact domains, internal
 * network boundaries (IPv4, IPv6, mapped), direction, and the session
 * hook.
 *
 * The 16 forms are in relay_forms below with the JSON's placeholders;
 * relay_forms_match_json checks that the file has exactly these, so a
 * form added there fails here until it is added too. The folder is found
 * by test_conformance_dir (lib/test.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_relay.h"
#include "smtp_session.h"
#include "test.h"

/* The placeholders of the JSON file, filled in. */
#define FROM "antispam"
#define TO "relaytest"
#define EXTERNAL "external.example" /* DOMAIN: a domain we do not serve */
#define SRV "mx.sekimori.test"      /* our host name from the banner */
#define IP "192.0.2.25"             /* our address */

/* ---- the config under test ---------------------------------------- */

static const char known_com[][SMTP_RELAY_LOCAL_SIZE] = { "alice", "Bob.Smith",
	"o'brien", "a%b" };

static struct smtp_relay_domain domains[] = {
	{ "example.com", 1, known_com, SK_NELEM(known_com) },
	{ "example.net", 0, NULL, 0 },
	{ "trailing.example.", 0, NULL, 0 },
};

static struct smtp_relay_net nets[8];
static struct smtp_relay_conf conf;

/* ip - an address from text, or family 0 */
static struct smtp_ip
ip(const char *text)
{
	struct smtp_ip a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.addr) == 1) {
		a.family = AF_INET;
	} else if (inet_pton(AF_INET6, text, a.addr) == 1) {
		a.family = AF_INET6;
	}
	return a;
}

/* net - an internal network from text and a prefix length */
static struct smtp_relay_net
net(const char *text, unsigned len)
{
	struct smtp_ip a = ip(text);
	struct smtp_relay_net n;

	n.family = a.family;
	memcpy(n.addr, a.addr, 16);
	n.len = len;
	return n;
}

/* setup - example.com (known only), example.net, and internal nets */
static void
setup(void)
{
	nets[0] = net("10.0.0.0", 8);
	nets[1] = net("192.168.1.128", 25);
	nets[2] = net("172.16.0.0", 12);
	nets[3] = net("2001:db8:1::", 48);
	nets[4] = net("2001:db8:ff::1", 128);
	nets[5] = net("::ffff:203.0.113.0", 120);
	nets[6] = net("198.51.100.7", 32);
	memset(&conf, 0, sizeof(conf));
	conf.domains = domains;
	conf.ndomains = 2;
	conf.nets = nets;
	conf.nnets = 7;
}

/* decide - parse <rcpt> and decide; SMTP_R_RCPT_ADDR_SYNTAX if refused */
static enum smtp_reply_id
decide(const char *rcpt, const char *client, int authed,
    struct smtp_relay_verdict *v)
{
	char path[600];
	struct smtp_addr a;
	struct smtp_ip c = ip(client);
	int n;

	n = snprintf(path, sizeof(path), "<%s>", rcpt);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    smtp_addr_parse((const uint8_t *)path, (size_t)n,
		SMTP_ADDR_OPT_POSTMASTER, &a) != SK_OK) {
		memset(v, 0, sizeof(*v));
		return SMTP_R_RCPT_ADDR_SYNTAX;
	}
	smtp_relay_check(&conf, &c, authed, &a, v);
	return v->reply;
}

/* ---- the 16 forms ------------------------------------------------- */

#define OK SMTP_R_NONE
#define DENIED SMTP_R_RELAY_DENIED
#define TRICK SMTP_R_ADDR_TRICK
#define SYNTAX SMTP_R_RCPT_ADDR_SYNTAX

struct relay_form {
	int n;
	const char *rcpt; /* as in the JSON, placeholders included */
	/* unauthenticated client from outside, when DOMAIN is: */
	enum smtp_reply_id external; /* not ours */
	enum smtp_reply_id relay;    /* a relay domain */
	enum smtp_reply_id srv;      /* not ours, but SRV is a relay domain */
	/* authenticated client, DOMAIN not ours */
	enum smtp_reply_id authed;
};

static const struct relay_form relay_forms[] = {
	{ 1, "TO@DOMAIN", DENIED, OK, DENIED, OK },
	{ 2, "TO@DOMAIN", DENIED, OK, DENIED, OK },
	{ 3, "TO@DOMAIN", DENIED, OK, DENIED, OK },
	{ 4, "TO@DOMAIN", DENIED, OK, DENIED, OK },
	{ 5, "TO%DOMAIN@[IP]", TRICK, TRICK, TRICK, OK },
	{ 6, "TO%DOMAIN@SRV", TRICK, TRICK, TRICK, OK },
	{ 7, "\"TO@DOMAIN\"", SYNTAX, SYNTAX, SYNTAX, SYNTAX },
	{ 8, "\"TO%DOMAIN\"", SYNTAX, SYNTAX, SYNTAX, SYNTAX },
	{ 9, "TO@DOMAIN@[IP]", SYNTAX, SYNTAX, SYNTAX, SYNTAX },
	{ 10, "\"TO@DOMAIN\"@[IP]", TRICK, TRICK, TRICK, OK },
	{ 11, "TO@DOMAIN@SRV", SYNTAX, SYNTAX, SYNTAX, SYNTAX },
	/* source routes: dropped, the real domain decides */
	{ 12, "@[IP]:TO@DOMAIN", DENIED, OK, DENIED, OK },
	{ 13, "@SRV:TO@DOMAIN", DENIED, OK, DENIED, OK },
	{ 14, "DOMAIN!TO", SYNTAX, SYNTAX, SYNTAX, SYNTAX },
	{ 15, "DOMAIN!TO@[IP]", TRICK, TRICK, TRICK, OK },
	{ 16, "DOMAIN!TO@SRV", TRICK, TRICK, TRICK, OK },
};

/* fill - the form with TO, DOMAIN, IP and SRV replaced */
static void
fill(const char *form, const char *domain, char *out, size_t cap)
{
	static const struct {
		const char *key, *val;
	} keys[] = { { "TO", TO }, { "DOMAIN", NULL }, { "IP", IP },
		{ "SRV", SRV } };
	size_t o = 0, i, kl, vl;
	const char *val;

	while (*form != '\0' && o + 1 < cap) {
		for (i = 0; i < SK_NELEM(keys); i++) {
			kl = strlen(keys[i].key);
			if (strncmp(form, keys[i].key, kl) == 0) {
				break;
			}
		}
		if (i == SK_NELEM(keys)) {
			out[o++] = *form++;
			continue;
		}
		val = keys[i].val != NULL ? keys[i].val : domain;
		vl = strlen(val);
		if (o + vl + 1 >= cap) {
			break;
		}
		memcpy(out + o, val, vl);
		o += vl;
		form += kl;
	}
	out[o] = '\0';
}

/* check_form - one form in one situation */
static void
check_form(const struct relay_form *f, const char *domain, const char *srv,
    int authed, enum smtp_reply_id want, const char *what)
{
	struct smtp_relay_verdict v;
	struct smtp_relay_domain d[2] = { { domain, 0, NULL, 0 },
		{ srv, 0, NULL, 0 } };
	char rcpt[300];
	enum smtp_reply_id got;

	fill(f->rcpt, EXTERNAL, rcpt, sizeof(rcpt));
	if (domain != NULL) {
		fill(f->rcpt, domain, rcpt, sizeof(rcpt));
	}
	conf.domains = d;
	conf.ndomains = (domain != NULL) + (srv != NULL);
	if (domain == NULL) {
		conf.domains = d + 1;
	}
	got = decide(rcpt, "203.0.114.9", authed, &v);
	TEST_CHECK(got == want, "form %d <%s> %s: got %s, want %s", f->n, rcpt,
	    what, smtp_reply_name(got), smtp_reply_name(want));
	if (got == SMTP_R_NONE) {
		TEST_CHECK(v.dir ==
			(authed ? SMTP_RELAY_OUTBOUND : SMTP_RELAY_INBOUND),
		    "form %d %s: direction %s", f->n, what,
		    smtp_relay_dir_name(v.dir));
	}
	setup();
}

/* test_relay_forms - nmap's 16 forms in four situations */
static void
test_relay_forms(void)
{
	size_t i;

	setup();
	for (i = 0; i < SK_NELEM(relay_forms); i++) {
		const struct relay_form *f = &relay_forms[i];

		check_form(f, NULL, NULL, 0, f->external, "external domain");
		check_form(f, "relay.example", NULL, 0, f->relay,
		    "DOMAIN a relay domain");
		check_form(f, NULL, SRV, 0, f->srv, "SRV a relay domain");
		check_form(f, NULL, NULL, 1, f->authed, "authenticated");
		/* an internal client is outbound like an authenticated one */
		if (f->authed == SMTP_R_NONE) {
			struct smtp_relay_verdict v;
			char rcpt[300];

			fill(f->rcpt, EXTERNAL, rcpt, sizeof(rcpt));
			TEST_CHECK(decide(rcpt, "10.1.2.3", 0, &v) ==
				    SMTP_R_NONE &&
				v.dir == SMTP_RELAY_OUTBOUND,
			    "form %d from an internal network", f->n);
		}
	}
}

/* find_json - the conformance file, or NULL after test_fail */
static FILE *
find_json(void)
{
	static const char rel[] = "smtp/open-relay-and-command-cases.json";
	const char *dir = test_conformance_dir(rel);
	char path[1200];
	FILE *f;

	if (dir == NULL) {
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "r")) == NULL) {
		test_fail("%s: cannot open", path);
	}
	return f;
}

/* json_string - the JSON string starting at p ('"' excluded) into out */
static int
json_string(const char *p, char *out, size_t cap)
{
	size_t o = 0;

	while (*p != '"' && *p != '\0' && o + 1 < cap) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
			p++;
		} else if (*p == '\\') {
			return 0; /* no other escape is expected in the forms */
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	return *p == '"';
}

/* test_relay_forms_match_json - the table is the file's list */
static void
test_relay_forms_match_json(void)
{
	static const char key[] = "\"rcpt_to\": \"";
	char line[1024], form[256];
	FILE *f = find_json();
	size_t n = 0;
	const char *p;

	if (f == NULL) {
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		p = strstr(line, key);
		if (p == NULL) {
			continue;
		}
		if (!json_string(p + strlen(key), form, sizeof(form))) {
			test_fail("unreadable rcpt_to: %s", line);
			continue;
		}
		if (n >= SK_NELEM(relay_forms)) {
			test_fail("form %zu (%s) is not in relay_forms", n + 1,
			    form);
		} else if (strcmp(form, relay_forms[n].rcpt) != 0) {
			test_fail("form %zu: file has %s, table %s", n + 1,
			    form, relay_forms[n].rcpt);
		}
		n++;
	}
	fclose(f);
	TEST_CHECK(n == SK_NELEM(relay_forms), "file has %zu forms, table %zu",
	    n, SK_NELEM(relay_forms));
}

/* ---- known recipients, domains, literals ---------------------------- */

struct rcpt_case {
	const char *rcpt;
	const char *client;
	int authed;
	enum smtp_reply_id want;
};

static const struct rcpt_case rcpt_cases[] = {
	/* known recipients of example.com, from outside */
	{ "alice@example.com", "198.18.5.5", 0, OK },
	{ "ALICE@Example.COM", "198.18.5.5", 0, OK },
	{ "bob.smith@example.com", "198.18.5.5", 0, OK },
	{ "O'Brien@example.com", "198.18.5.5", 0, OK },
	{ "\"alice\"@example.com", "198.18.5.5", 0, OK },
	{ "carol@example.com", "198.18.5.5", 0, SMTP_R_USER_UNKNOWN },
	{ "alic@example.com", "198.18.5.5", 0, SMTP_R_USER_UNKNOWN },
	{ "alice2@example.com", "198.18.5.5", 0, SMTP_R_USER_UNKNOWN },
	{ "\"al ice\"@example.com", "198.18.5.5", 0, SMTP_R_USER_UNKNOWN },
	{ "bob@example.com", "198.18.5.5", 0, SMTP_R_USER_UNKNOWN },
	/* a known local part with '%' is still a trick from outside */
	{ "a%b@example.com", "198.18.5.5", 0, TRICK },
	{ "a%b@example.com", "10.0.0.1", 0, OK },
	{ "a%c@example.com", "10.0.0.1", 0, SMTP_R_USER_UNKNOWN },
	/* RFC 5321 4.5.1 / 4.1.1.3: postmaster, always */
	{ "postmaster@example.com", "198.18.5.5", 0, OK },
	{ "PostMaster@example.com", "198.18.5.5", 0, OK },
	{ "Postmaster", "198.18.5.5", 0, OK },
	{ "postmaster@external.example", "198.18.5.5", 0, DENIED },
	/* known-only applies to authenticated and internal clients too */
	{ "carol@example.com", "198.18.5.5", 1, SMTP_R_USER_UNKNOWN },
	{ "carol@example.com", "10.9.9.9", 0, SMTP_R_USER_UNKNOWN },
	/* an open relay domain takes anyone */
	{ "anyone@example.net", "198.18.5.5", 0, OK },
	{ "x.y+z@EXAMPLE.NET", "198.18.5.5", 0, OK },
	/* exact domains: never a suffix, never a prefix */
	{ "alice@sub.example.com", "198.18.5.5", 0, DENIED },
	{ "alice@example.com.evil.example", "198.18.5.5", 0, DENIED },
	{ "alice@xample.com", "198.18.5.5", 0, DENIED },
	{ "alice@aexample.com", "198.18.5.5", 0, DENIED },
	{ "alice@example.co", "198.18.5.5", 0, DENIED },
	{ "x@sub.example.net", "198.18.5.5", 0, DENIED },
	{ "x@trailing.example", "198.18.5.5", 0, DENIED }, /* 2 domains */
	/* address literals are never relay domains */
	{ "alice@[192.0.2.25]", "198.18.5.5", 0, DENIED },
	{ "alice@[IPv6:2001:db8::25]", "198.18.5.5", 0, DENIED },
	{ "alice@[192.0.2.25]", "198.18.5.5", 1, OK },
	/* outbound: any domain, tricks delivered as written */
	{ "someone@external.example", "198.18.5.5", 1, OK },
	{ "someone@external.example", "192.168.1.200", 0, OK },
	{ "a%b@external.example", "198.18.5.5", 1, OK },
	{ "b!a@external.example", "2001:db8:1::5", 0, OK },
	{ "\"a@b\"@external.example", "10.0.0.1", 0, OK },
	/* non-ASCII without SMTPUTF8 never gets here */
	{ "x@b\xc3\xbc"
	  "cher.example",
	    "198.18.5.5", 0, SYNTAX },
};

/* test_rcpt_table - every row of rcpt_cases */
static void
test_rcpt_table(void)
{
	struct smtp_relay_verdict v;
	enum smtp_reply_id got;
	size_t i;

	setup();
	for (i = 0; i < SK_NELEM(rcpt_cases); i++) {
		const struct rcpt_case *c = &rcpt_cases[i];

		got = decide(c->rcpt, c->client, c->authed, &v);
		TEST_CHECK(got == c->want, "<%s> from %s%s: got %s, want %s",
		    c->rcpt, c->client, c->authed ? " (authed)" : "",
		    smtp_reply_name(got), smtp_reply_name(c->want));
	}
	/* with SMTPUTF8, a U-label does not match the A-label we serve */
	{
		static const struct smtp_relay_domain idn[] = {
			{ "xn--bcher-kva.example", 0, NULL, 0 },
		};
		static const char path[] = "<x@b\xc3\xbc"
					   "cher.example>";
		struct smtp_relay_conf ic = { idn, 1, NULL, 0 };
		struct smtp_ip c = ip("198.18.5.5");
		struct smtp_addr a;

		TEST_CHECK(smtp_addr_parse((const uint8_t *)path,
			       sizeof(path) - 1, SMTP_ADDR_OPT_UTF8,
			       &a) == SK_OK,
		    "UTF-8 path");
		smtp_relay_check(&ic, &c, 0, &a, &v);
		TEST_CHECK(v.reply == DENIED, "U-label: got %s",
		    smtp_reply_name(v.reply));
	}
	/* the verdict names the relay domain and the tricks */
	decide("alice@example.com", "198.18.5.5", 0, &v);
	TEST_CHECK(v.domain == &domains[0], "verdict domain");
	decide("a%b@external.example", "10.0.0.1", 0, &v);
	TEST_CHECK(v.domain == NULL && v.tricks == SMTP_ADDR_F_PERCENT,
	    "verdict tricks %#x", v.tricks);
}

/* test_find - exact lookup, case and trailing dots */
static void
test_find(void)
{
	setup();
	conf.ndomains = 3;
	TEST_CHECK(smtp_relay_find(&conf, "example.net", 11) == &domains[1],
	    "plain");
	TEST_CHECK(smtp_relay_find(&conf, "Example.NET.", 12) == &domains[1],
	    "case and trailing dot");
	TEST_CHECK(smtp_relay_find(&conf, "trailing.example", 16) ==
		&domains[2],
	    "trailing dot in the config");
	TEST_CHECK(smtp_relay_find(&conf, "example.net..", 13) == NULL,
	    "two dots");
	TEST_CHECK(smtp_relay_find(&conf, ".", 1) == NULL, "root");
	TEST_CHECK(smtp_relay_find(&conf, "", 0) == NULL, "empty");
	TEST_CHECK(smtp_relay_find(&conf, "example.netx", 11) == &domains[1],
	    "length counted, not NUL");
	TEST_CHECK(smtp_relay_find(&conf, "net", 3) == NULL, "suffix");
	TEST_CHECK(smtp_relay_find(&conf, "exam\xc5\x90le.net", 13) == NULL,
	    "non-ASCII never folds to ASCII");
}

/* ---- internal networks --------------------------------------------- */

struct net_case {
	const char *client;
	int internal;
};

static const struct net_case net_cases[] = {
	/* 10.0.0.0/8 */
	{ "10.0.0.0", 1 },
	{ "10.255.255.255", 1 },
	{ "9.255.255.255", 0 },
	{ "11.0.0.0", 0 },
	/* 192.168.1.128/25 */
	{ "192.168.1.128", 1 },
	{ "192.168.1.255", 1 },
	{ "192.168.1.127", 0 },
	{ "192.168.2.128", 0 },
	/* 172.16.0.0/12 */
	{ "172.16.0.0", 1 },
	{ "172.31.255.255", 1 },
	{ "172.15.255.255", 0 },
	{ "172.32.0.0", 0 },
	/* 198.51.100.7/32 */
	{ "198.51.100.7", 1 },
	{ "198.51.100.6", 0 },
	{ "198.51.100.8", 0 },
	/* 2001:db8:1::/48 */
	{ "2001:db8:1::", 1 },
	{ "2001:db8:1:ffff:ffff:ffff:ffff:ffff", 1 },
	{ "2001:db8:0:ffff:ffff:ffff:ffff:ffff", 0 },
	{ "2001:db8:2::", 0 },
	/* 2001:db8:ff::1/128 */
	{ "2001:db8:ff::1", 1 },
	{ "2001:db8:ff::2", 0 },
	{ "2001:db8:ff::", 0 },
	/* IPv4-mapped clients are IPv4; mapped networks too */
	{ "::ffff:10.1.2.3", 1 },
	{ "::ffff:11.1.2.3", 0 },
	{ "203.0.113.7", 1 },
	{ "::ffff:203.0.113.255", 1 },
	{ "203.0.114.0", 0 },
	/* an IPv4 address as IPv6 in other forms is not mapped */
	{ "::10.1.2.3", 0 },
	{ "64:ff9b::10.1.2.3", 0 },
	/* none */
	{ "", 0 },
};

/* test_networks - boundaries of every internal network */
static void
test_networks(void)
{
	struct smtp_relay_net all[2];
	struct smtp_ip c;
	size_t i;

	setup();
	for (i = 0; i < SK_NELEM(net_cases); i++) {
		c = ip(net_cases[i].client);
		TEST_CHECK(smtp_relay_internal(&conf, &c) ==
			net_cases[i].internal,
		    "%s: want %s", net_cases[i].client,
		    net_cases[i].internal ? "internal" : "outside");
		TEST_CHECK(smtp_relay_direction(&conf, &c, 0) ==
			(net_cases[i].internal ? SMTP_RELAY_OUTBOUND :
						 SMTP_RELAY_INBOUND),
		    "%s: direction", net_cases[i].client);
	}
	/* /0: all of one family, none of the other; bad lengths never */
	all[0] = net("0.0.0.0", 0);
	all[1] = net("10.0.0.0", 33);
	conf.nets = all;
	conf.nnets = 1;
	c = ip("198.18.0.1");
	TEST_CHECK(smtp_relay_internal(&conf, &c), "0.0.0.0/0");
	c = ip("2001:db8::1");
	TEST_CHECK(!smtp_relay_internal(&conf, &c), "IPv6 in 0.0.0.0/0");
	conf.nets = all + 1;
	c = ip("10.0.0.0");
	TEST_CHECK(!smtp_relay_internal(&conf, &c), "a /33 IPv4 network");
	TEST_CHECK(!smtp_relay_internal(&conf, NULL), "no client");
	TEST_CHECK(smtp_relay_direction(&conf, NULL, 1) == SMTP_RELAY_OUTBOUND,
	    "authenticated without an address");
	TEST_CHECK(strcmp(smtp_relay_dir_name(SMTP_RELAY_INBOUND), "inbound") ==
		    0 &&
		strcmp(smtp_relay_dir_name(SMTP_RELAY_OUTBOUND), "outbound") ==
		    0,
	    "direction names");
}

/* ---- through the session ------------------------------------------ */

/* test_hook - smtp_relay_rcpt_check as the session's rcpt_check */
static void
test_hook(void)
{
	static struct smtp_session s;
	struct smtp_session_conf sc;
	struct smtp_relay_hook h;
	struct smtp_out out;
	static const char *const lines[] = { "EHLO client.example",
		"MAIL FROM:<a@b.example>", "RCPT TO:<x@external.example>",
		"RCPT TO:<alice@example.com>", "RCPT TO:<x%y@example.net>" };
	static const char *const want[] = { "250", "250", "554 5.7.1", "250",
		"553 5.7.1" };
	size_t i;

	setup();
	memset(&sc, 0, sizeof(sc));
	memset(&h, 0, sizeof(h));
	h.conf = &conf;
	h.client = ip("198.18.5.5");
	sc.hostname = SRV;
	sc.caps = SMTP_EXT_PIPELINING | SMTP_EXT_ENHANCED;
	sc.rcpt_check = smtp_relay_rcpt_check;
	sc.rcpt_arg = &h;
	smtp_session_init(&s, &sc);
	out.len = 0;
	smtp_session_greet(&s, &out);
	for (i = 0; i < SK_NELEM(lines); i++) {
		out.len = 0;
		smtp_session_line(&s, (const uint8_t *)lines[i],
		    strlen(lines[i]), 0, &out);
		TEST_CHECK(out.len >= strlen(want[i]) &&
			memcmp(out.buf, want[i], strlen(want[i])) == 0,
		    "%s: got %.*s", lines[i], (int)out.len, out.buf);
	}
	TEST_CHECK(h.last.dir == SMTP_RELAY_INBOUND &&
		h.last.tricks == SMTP_ADDR_F_PERCENT,
	    "hook verdict");
}

const struct test_case test_cases[] = {
	{ "smtp_relay_forms", test_relay_forms },
	{ "smtp_relay_forms_match_json", test_relay_forms_match_json },
	{ "smtp_relay_rcpt_table", test_rcpt_table },
	{ "smtp_relay_find", test_find },
	{ "smtp_relay_networks", test_networks },
	{ "smtp_relay_hook", test_hook },
};
const size_t test_ncases = SK_NELEM(test_cases);
