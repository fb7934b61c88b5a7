/*
 * ds_test.c - the datastore over a private config folder per case, with
 * the model's own factory.json (cli/yang, found from $SK_TOP or upwards
 * from the working directory), a fake clock and fake appliers that
 * record what they were given and refuse on demand.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds.h"
#include "test.h"
#include "test_ds.h"

#define PATH_LEN 1200
#define HOST "/sekimori-system:system/host-name"
#define DOMAIN "/sekimori-mail:mail/relay/domain[name='example.com']"
#define T0 1700000000

static time_t fake_now = T0;
static char err[DS_ERR_MAX], why[DS_WHY_MAX];

static time_t
fake_clock(void *arg)
{
	return fake_now;
}
static const struct ds_clock clk = { fake_clock, NULL };

/* A fake service: counts calls, keeps the last JSON, refuses if asked. */
struct fake {
	int refuse;
	int calls;
	char json[8192];
	const char *note; /* said while taking a configuration; NULL */
};

static enum sk_result
fake_apply(void *arg, const struct lyd_node *tree, const char *json, size_t len,
    char *msg, size_t msglen)
{
	struct fake *f = arg;

	f->calls++;
	if (f->refuse) {
		snprintf(msg, msglen, "port 25 is busy");
		return SK_E_RANGE;
	}
	snprintf(f->json, sizeof(f->json), "%.*s", (int)len, json);
	if (f->note != NULL) {
		snprintf(msg, msglen, "%s", f->note);
	}
	return SK_OK;
}

/* cfgdir - the case's config folder, made on first use */
static const char *
cfgdir(void)
{
	static char dir[PATH_LEN];

	snprintf(dir, sizeof(dir), "%s/config", test_tmpdir());
	mkdir(dir, 0700);
	return dir;
}

/* file - the name of a file in the config folder */
static const char *
file(const char *name)
{
	static char path[4][PATH_LEN];
	static int i;

	i = (i + 1) % 4;
	if ((size_t)snprintf(path[i], sizeof(path[i]), "%s/%s", cfgdir(),
		name) >= sizeof(path[i])) {
		test_fail("file name too long: %s", name);
	}
	return path[i];
}

/* slurp - a whole small file (static buffer), "" if missing */
static const char *
slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
spill(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL) {
		test_fail("cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

/* open_ds - the datastore on the case's folder; NULL after test_fail */
static struct ds *
open_ds(void)
{
	struct ds *ds = NULL;

	if (ds_open(&ds, cfgdir(), test_ds_factory(), &clk, why, sizeof(why),
		err, sizeof(err)) != SK_OK) {
		test_fail("ds_open: %s", err);
	}
	return ds;
}

static struct ds_session *
session(struct ds *ds, const char *user)
{
	struct ds_session *s = NULL;

	if (ds_session_open(ds, user, &s, err, sizeof(err)) != SK_OK) {
		test_fail("ds_session_open: %s", err);
	}
	return s;
}

/* open_pair - open_ds with two sessions: alice's in *s, bob's in *t */
static struct ds *
open_pair(struct ds_session **s, struct ds_session **t)
{
	struct ds *ds = open_ds();

	if (ds != NULL) {
		*s = session(ds, "alice");
		*t = session(ds, "bob");
	}
	return ds;
}

/* has - whether the JSON of the running config contains text */
static int
running_has(struct ds *ds, const char *text)
{
	struct ds_session *s = session(ds, "probe");
	char *json = NULL;
	int r;

	r = ds_json(s, &json, err, sizeof(err)) == SK_OK &&
	    strstr(json, text) != NULL;
	free(json);
	ds_session_close(s);
	return r;
}

/* set_host - set the host name and commit it */
static enum sk_result
commit_host(struct ds_session *s, const char *name, unsigned minutes)
{
	enum sk_result r = ds_set(s, HOST, name, err, sizeof(err));

	if (r != SK_OK) {
		test_fail("set host-name %s: %s", name, err);
		return r;
	}
	return ds_commit(s, "new name", minutes, err, sizeof(err));
}

static void
test_first_boot(void)
{
	struct ds_commit_info c;
	struct ds *ds = open_ds();

	if (ds == NULL) {
		return;
	}
	TEST_CHECK(ds_boot_source(ds) == DS_BOOT_FIRST, "boot %d",
	    ds_boot_source(ds));
	TEST_CHECK(strstr(why, "factory") != NULL, "why: %s", why);
	TEST_CHECK(strstr(slurp(file("startup.json")),
		       "\"host-name\": "
		       "\"sekimori\"") != NULL,
	    "startup.json not written");
	TEST_CHECK(ds_history_count(ds) == 1 &&
		ds_history_get(ds, 0, &c) == SK_OK && c.how == DS_HOW_BOOT &&
		strcmp(c.user, "system") == 0 && c.time == T0,
	    "boot history entry: %zu", ds_history_count(ds));
	ds_close(ds);
	/* a clean second boot: startup.json, no new history entry */
	ds = open_ds();
	TEST_CHECK(ds != NULL && ds_boot_source(ds) == DS_BOOT_STARTUP &&
		why[0] == '\0' && ds_history_count(ds) == 1,
	    "second boot: why '%s'", why);
	ds_close(ds);
}

static void
test_commit_apply(void)
{
	struct fake a = { 0 }, b = { 0 };
	const struct ds_applier aa = { "mail", fake_apply, &a };
	const struct ds_applier ab = { "system", fake_apply, &b };
	struct ds *ds = open_ds();
	struct ds_session *s;
	struct ds_commit_info c;

	if (ds == NULL) {
		return;
	}
	ds_applier_add(ds, &aa, err, sizeof(err));
	ds_applier_add(ds, &ab, err, sizeof(err));
	TEST_CHECK(ds_push(ds, err, sizeof(err)) == SK_OK && a.calls == 1 &&
		b.calls == 1,
	    "push: %s", err);
	s = session(ds, "alice");
	TEST_CHECK(ds_candidate(s) == NULL, "candidate before editing");
	fake_now = T0 + 60;
	TEST_CHECK(commit_host(s, "mx1", 0) == SK_OK, "commit: %s", err);
	TEST_CHECK(a.calls == 2 && strstr(a.json, "\"mx1\"") != NULL &&
		b.calls == 2 && strstr(b.json, "\"mx1\"") != NULL,
	    "appliers did not get the new config");
	TEST_CHECK(strstr(slurp(file("startup.json")), "\"mx1\"") != NULL,
	    "startup.json not updated");
	TEST_CHECK(strstr(slurp(file("startup.last-good.json")), "\"mx1\"") !=
		NULL,
	    "last good copy not updated");
	TEST_CHECK(ds_history_get(ds, 0, &c) == SK_OK &&
		c.how == DS_HOW_COMMIT && strcmp(c.user, "alice") == 0 &&
		strcmp(c.comment, "new name") == 0 && c.time == T0 + 60,
	    "history entry: %s %s", c.user, c.comment);
	TEST_CHECK(ds_candidate(s) == NULL, "candidate kept after commit");
	/* a commit with nothing changed calls nobody and records nothing */
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_OK &&
		a.calls == 2 && ds_history_count(ds) == 2,
	    "empty commit: %s", err);
	ds_session_close(s);
	ds_close(ds);
	fake_now = T0;
}

static void
test_commit_refused(void)
{
	struct fake a = { 0 }, b = { 0 }, c = { 0 };
	const struct ds_applier aa = { "mail", fake_apply, &a };
	const struct ds_applier ab = { "system", fake_apply, &b };
	const struct ds_applier ac = { "firewall", fake_apply, &c };
	struct ds *ds = open_ds();
	struct ds_session *s;

	if (ds == NULL) {
		return;
	}
	ds_applier_add(ds, &aa, err, sizeof(err));
	ds_applier_add(ds, &ab, err, sizeof(err));
	ds_applier_add(ds, &ac, err, sizeof(err));
	c.refuse = 1;
	s = session(ds, "alice");
	TEST_CHECK(commit_host(s, "mx1", 0) == SK_E_CLOSED, "commit: %s", err);
	TEST_CHECK(strcmp(err, "firewall: port 25 is busy; nothing changed") ==
		0,
	    "err: %s", err);
	/* applied to mail and system, then both given the old one back */
	TEST_CHECK(a.calls == 2 && b.calls == 2 && c.calls == 1 &&
		strstr(a.json, "\"sekimori\"") != NULL &&
		strstr(b.json, "\"sekimori\"") != NULL,
	    "reverts: calls %d %d %d", a.calls, b.calls, c.calls);
	TEST_CHECK(running_has(ds, "\"sekimori\"") &&
		strstr(slurp(file("startup.json")), "\"sekimori\"") != NULL &&
		ds_history_count(ds) == 1,
	    "something changed after a refusal");
	/* the candidate stays for another try */
	c.refuse = 0;
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_OK &&
		running_has(ds, "\"mx1\""),
	    "second try: %s", err);
	ds_session_close(s);
	ds_close(ds);
}

/* test_applied_note - an applier that takes the configuration with a
 * warning: the commit succeeds and ds_applied_note has it, until the
 * next commit */
static void
test_applied_note(void)
{
	struct fake a = { 0 };
	const struct ds_applier aa = { "mail", fake_apply, &a };
	struct ds *ds = open_ds();
	struct ds_session *s;

	if (ds == NULL) {
		return;
	}
	ds_applier_add(ds, &aa, err, sizeof(err));
	a.note = "the mail daemon is not running";
	s = session(ds, "alice");
	TEST_CHECK(commit_host(s, "mx1", 0) == SK_OK &&
		running_has(ds, "\"mx1\""),
	    "commit: %s", err);
	TEST_CHECK(strcmp(ds_applied_note(ds),
		       "the mail daemon is not running") == 0,
	    "note: '%s'", ds_applied_note(ds));
	a.note = NULL;
	TEST_CHECK(commit_host(s, "mx2", 0) == SK_OK, "commit: %s", err);
	TEST_CHECK(ds_applied_note(ds)[0] == '\0', "note kept: '%s'",
	    ds_applied_note(ds));
	ds_session_close(s);
	ds_close(ds);
}

/* test_rollback_refused - rollback N then commit goes through the
 * appliers like any commit: refused, running and startup stay; and an
 * expired commit confirmed whose rollback is refused keeps running */
static void
test_rollback_refused(void)
{
	struct fake a = { 0 };
	const struct ds_applier aa = { "mail", fake_apply, &a };
	struct ds *ds = open_ds();
	struct ds_session *s;
	char msg[DS_ERR_MAX];

	if (ds == NULL) {
		return;
	}
	ds_applier_add(ds, &aa, err, sizeof(err));
	s = session(ds, "alice");
	TEST_CHECK(commit_host(s, "mx1", 0) == SK_OK, "commit: %s", err);
	a.refuse = 1;
	TEST_CHECK(ds_rollback(s, 1, err, sizeof(err)) == SK_OK, "rollback: %s",
	    err);
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_E_CLOSED &&
		strcmp(err, "mail: port 25 is busy; nothing changed") == 0,
	    "commit of rollback 1: %s", err);
	TEST_CHECK(running_has(ds, "\"mx1\"") &&
		strstr(slurp(file("startup.json")), "\"mx1\"") != NULL &&
		ds_history_count(ds) == 2,
	    "something changed after a refused rollback");
	ds_discard(s);
	a.refuse = 0;
	TEST_CHECK(commit_host(s, "mx2", 1) == SK_OK, "confirmed: %s", err);
	a.refuse = 1;
	TEST_CHECK(ds_tick(ds, T0 + 60, msg, sizeof(msg)) == 1 &&
		strstr(msg, "the rollback failed: mail: port 25 is busy") !=
		    NULL,
	    "tick: %s", msg);
	TEST_CHECK(running_has(ds, "\"mx2\""),
	    "running changed though the service refused the rollback");
	ds_session_close(s);
	ds_close(ds);
}

static void
test_edit_errors(void)
{
	struct ds *ds = open_ds();
	struct ds_session *s;
	char *before = NULL, *after = NULL;

	if (ds == NULL) {
		return;
	}
	s = session(ds, "alice");
	TEST_CHECK(ds_set(s, HOST, "mx1", err, sizeof(err)) == SK_OK, "%s",
	    err);
	ds_json(s, &before, err, sizeof(err));
	TEST_CHECK(ds_set(s, "/sekimori-mail:mail/listener[name='mx']/port",
		       "abc", err, sizeof(err)) == SK_E_SYNTAX &&
		strstr(err, "abc") != NULL,
	    "bad port: %s", err);
	TEST_CHECK(ds_set(s, "/sekimori-mail:mail/listener[name='mx']/port",
		       "70000", err, sizeof(err)) == SK_E_SYNTAX,
	    "port range: %s", err);
	TEST_CHECK(ds_set(s, "/sekimori-mail:mail/no-such-leaf", "1", err,
		       sizeof(err)) == SK_E_SYNTAX,
	    "unknown leaf: %s", err);
	TEST_CHECK(ds_set(s, "/sekimori-mail:mail/relay", "1", err,
		       sizeof(err)) == SK_E_SYNTAX,
	    "value for a container: %s", err);
	TEST_CHECK(ds_delete(s, DOMAIN, err, sizeof(err)) == SK_E_UNKNOWN,
	    "delete absent: %s", err);
	TEST_CHECK(ds_set(s, "/sekimori-mail:mail/relay/domain[name='Ex.COM']",
		       NULL, err, sizeof(err)) == SK_E_SYNTAX,
	    "upper-case domain: %s", err);
	ds_json(s, &after, err, sizeof(err));
	TEST_CHECK(before != NULL && after != NULL &&
		strcmp(before, after) == 0,
	    "failed edits changed the candidate");
	/* whole-tree rules wait for commit: delete the only admin */
	TEST_CHECK(ds_delete(s, "/sekimori-system:system/user[name='admin']",
		       err, sizeof(err)) == SK_OK,
	    "delete admin: %s", err);
	TEST_CHECK(ds_commit_check(s, err, sizeof(err)) == SK_E_SYNTAX &&
		strstr(err, "admin") != NULL,
	    "commit check: %s", err);
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_E_SYNTAX &&
		running_has(ds, "\"admin\""),
	    "commit of an invalid candidate: %s", err);
	free(before);
	free(after);
	ds_session_close(s);
	ds_close(ds);
}

static void
test_confirmed_expiry(void)
{
	struct fake a = { 0 };
	const struct ds_applier aa = { "mail", fake_apply, &a };
	struct ds *ds = open_ds();
	struct ds_commit_info c;
	struct ds_session *s;
	char msg[DS_ERR_MAX];

	if (ds == NULL) {
		return;
	}
	ds_applier_add(ds, &aa, err, sizeof(err));
	s = session(ds, "alice");
	TEST_CHECK(commit_host(s, "mx1", 2) == SK_OK, "commit: %s", err);
	TEST_CHECK(running_has(ds, "\"mx1\"") &&
		ds_confirm_deadline(ds) == T0 + 120,
	    "deadline %lld", (long long)ds_confirm_deadline(ds));
	/* not confirmed yet: startup.json keeps the old configuration */
	TEST_CHECK(strstr(slurp(file("startup.json")), "\"sekimori\"") != NULL,
	    "startup.json written before confirmation");
	TEST_CHECK(ds_tick(ds, T0 + 119, msg, sizeof(msg)) == 0 &&
		running_has(ds, "\"mx1\""),
	    "rolled back early");
	TEST_CHECK(ds_tick(ds, T0 + 120, msg, sizeof(msg)) == 1, "no rollback");
	TEST_CHECK(strstr(msg, "not confirmed within 2 minutes") != NULL,
	    "msg: %s", msg);
	TEST_CHECK(running_has(ds, "\"sekimori\"") &&
		strstr(a.json, "\"sekimori\"") != NULL &&
		ds_confirm_deadline(ds) == 0,
	    "not rolled back");
	TEST_CHECK(ds_history_get(ds, 0, &c) == SK_OK &&
		c.how == DS_HOW_ROLLBACK && strcmp(c.user, "system") == 0 &&
		ds_history_get(ds, 1, &c) == SK_OK && c.how == DS_HOW_CONFIRMED,
	    "history after rollback");
	TEST_CHECK(ds_tick(ds, T0 + 999, msg, sizeof(msg)) == 0, "second tick");
	ds_session_close(s);
	ds_close(ds);
}

static void
test_confirmed_confirm(void)
{
	struct ds_session *s, *t;
	struct ds *ds = open_pair(&s, &t);
	char msg[DS_ERR_MAX];

	if (ds == NULL) {
		return;
	}
	TEST_CHECK(commit_host(s, "mx1", 5) == SK_OK, "commit: %s", err);
	/* a plain commit with nothing to change confirms */
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_OK &&
		ds_confirm_deadline(ds) == 0,
	    "commit did not confirm: %s", err);
	TEST_CHECK(strstr(slurp(file("startup.json")), "\"mx1\"") != NULL,
	    "startup.json not written at confirmation");
	TEST_CHECK(ds_tick(ds, T0 + 3600, msg, sizeof(msg)) == 0 &&
		running_has(ds, "\"mx1\""),
	    "rolled back after confirmation");
	/* ds_confirm from another session; and two commits confirmed roll
	 * back to the configuration before the first */
	TEST_CHECK(commit_host(s, "mx2", 5) == SK_OK &&
		commit_host(s, "mx3", 5) == SK_OK,
	    "commit: %s", err);
	TEST_CHECK(ds_tick(ds, T0 + 300, msg, sizeof(msg)) == 1 &&
		running_has(ds, "\"mx1\""),
	    "two commits confirmed: not back to mx1");
	TEST_CHECK(commit_host(s, "mx4", 1) == SK_OK, "commit: %s", err);
	TEST_CHECK(ds_confirm(t, err, sizeof(err)) == SK_OK &&
		ds_tick(ds, T0 + 3600, msg, sizeof(msg)) == 0 &&
		running_has(ds, "\"mx4\""),
	    "ds_confirm: %s", err);
	TEST_CHECK(ds_confirm(t, err, sizeof(err)) == SK_E_UNKNOWN,
	    "confirm with nothing pending");
	TEST_CHECK(ds_commit(s, NULL, DS_CONFIRM_MAX + 1, err, sizeof(err)) ==
		SK_E_RANGE,
	    "minutes range");
	ds_session_close(s);
	ds_session_close(t);
	ds_close(ds);
}

/* count_commits - files in the rollback folder */
static int
count_commits(void)
{
	DIR *d = opendir(file("rollback"));
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		n += strstr(de->d_name, ".commit") != NULL;
	}
	if (d != NULL) {
		closedir(d);
	}
	return n;
}

static void
test_rollback_rotation(void)
{
	struct ds *ds = open_ds();
	struct ds_session *s;
	struct ds_commit_info c, c2;
	char name[32], want[64], *json = NULL;
	int i;

	if (ds == NULL) {
		return;
	}
	s = session(ds, "alice");
	for (i = 1; i <= 60; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		if (commit_host(s, name, 0) != SK_OK) {
			test_fail("commit %d: %s", i, err);
			break;
		}
	}
	TEST_CHECK(ds_history_count(ds) == DS_ROLLBACK_MAX &&
		count_commits() == DS_ROLLBACK_MAX,
	    "kept %zu entries, %d files", ds_history_count(ds),
	    count_commits());
	for (i = 1; i < DS_ROLLBACK_MAX; i++) {
		snprintf(want, sizeof(want), "\"host-name\": \"h%d\"", 60 - i);
		if (ds_rollback(s, (unsigned)i, err, sizeof(err)) != SK_OK ||
		    ds_json(s, &json, err, sizeof(err)) != SK_OK ||
		    strstr(json, want) == NULL) {
			test_fail("rollback %d: %s", i, err);
		}
		free(json);
		json = NULL;
	}
	TEST_CHECK(ds_rollback(s, DS_ROLLBACK_MAX, err, sizeof(err)) ==
		SK_E_RANGE,
	    "rollback 50");
	/* rollback 3 then commit: running is h57 again, a new entry */
	TEST_CHECK(ds_rollback(s, 3, err, sizeof(err)) == SK_OK &&
		ds_commit(s, "back", 0, err, sizeof(err)) == SK_OK &&
		running_has(ds, "\"h57\""),
	    "commit of rollback 3: %s", err);
	ds_history_get(ds, 0, &c);
	ds_close(ds);
	/* the history survives a reboot */
	ds = open_ds();
	TEST_CHECK(ds != NULL && ds_history_count(ds) == DS_ROLLBACK_MAX &&
		ds_history_get(ds, 0, &c2) == SK_OK && c2.seq == c.seq &&
		strcmp(c2.comment, "back") == 0 && why[0] == '\0',
	    "after reboot: %s", why);
	ds_close(ds);
}

static void
test_compare_text(void)
{
	static const char want[] = "[edit mail listener submission]\n"
				   "-    smtp-auth required;\n"
				   "[edit mail relay]\n"
				   "+    domain example.com {\n"
				   "+        known-recipients-only true;\n"
				   "+    }\n"
				   "[edit system]\n"
				   "-    host-name sekimori;\n"
				   "+    host-name mx1;\n";
	struct ds *ds = open_ds();
	struct ds_session *s;
	char *out = NULL;

	if (ds == NULL) {
		return;
	}
	s = session(ds, "alice");
	TEST_CHECK(ds_compare(s, 0, 0, &out, err, sizeof(err)) == SK_OK &&
		strcmp(out, "") == 0,
	    "no change: '%s'", out != NULL ? out : err);
	free(out);
	out = NULL;
	if (ds_set(s, HOST, "mx1", err, sizeof(err)) != SK_OK ||
	    ds_set(s, DOMAIN "/known-recipients-only", "true", err,
		sizeof(err)) != SK_OK ||
	    ds_delete(s,
		"/sekimori-mail:mail/listener[name='submission']/smtp-auth",
		err, sizeof(err)) != SK_OK) {
		test_fail("edit: %s", err);
	}
	TEST_CHECK(ds_compare(s, 0, 0, &out, err, sizeof(err)) == SK_OK &&
		strcmp(out, want) == 0,
	    "compare:\n%s", out != NULL ? out : err);
	free(out);
	ds_session_close(s);
	ds_close(ds);
}

static void
test_show_text(void)
{
	static const char want[] = "system {\n"
				   "    host-name sekimori;\n";
	static const char user[] =
	    "    user admin {\n"
	    "        full-name \"Factory administrator\";\n"
	    "        role admin;\n"
	    "        authentication {\n"
	    "            password-hash <secret>;\n";
	struct ds *ds = open_ds();
	char *out = NULL;

	if (ds == NULL) {
		return;
	}
	TEST_CHECK(ds_show(ds, NULL, 0, &out, err, sizeof(err)) == SK_OK &&
		strstr(out, want) != NULL && strstr(out, user) != NULL &&
		strstr(out, "            dhcp;\n") != NULL &&
		strstr(out, "    listener mx {\n        port 25;\n") != NULL &&
		strstr(out, "            self-signed;\n") != NULL,
	    "show:\n%s", out != NULL ? out : err);
	free(out);
	out = NULL;
	TEST_CHECK(ds_show(ds, NULL, DS_SHOW_SECRETS, &out, err, sizeof(err)) ==
		    SK_OK &&
		strstr(out, "password-hash $6$sekimorifactory$") != NULL,
	    "secrets shown: %s", out != NULL ? out : err);
	free(out);
	ds_close(ds);
}

static void
test_lock(void)
{
	struct ds_session *s, *t;
	struct ds *ds = open_pair(&s, &t);

	if (ds == NULL) {
		return;
	}
	TEST_CHECK(ds_lock(s, err, sizeof(err)) == SK_OK, "lock: %s", err);
	TEST_CHECK(ds_lock(s, err, sizeof(err)) == SK_OK, "lock again");
	TEST_CHECK(ds_lock(t, err, sizeof(err)) == SK_E_FULL &&
		strstr(err, "alice") != NULL,
	    "second lock: %s", err);
	TEST_CHECK(commit_host(t, "mx1", 0) == SK_E_FULL &&
		strstr(err, "locked by alice") != NULL &&
		running_has(ds, "\"sekimori\""),
	    "commit under another's lock: %s", err);
	TEST_CHECK(ds_unlock(t, err, sizeof(err)) == SK_E_UNKNOWN,
	    "unlock by the wrong session");
	TEST_CHECK(commit_host(s, "mx2", 0) == SK_OK, "holder commits: %s",
	    err);
	ds_session_close(s); /* logging out releases the lock */
	TEST_CHECK(ds_commit(t, NULL, 0, err, sizeof(err)) == SK_OK &&
		running_has(ds, "\"mx1\""),
	    "after release: %s", err);
	ds_session_close(t);
	ds_close(ds);
}

static void
test_rebase(void)
{
	struct ds_session *s, *t;
	struct ds *ds = open_pair(&s, &t);

	if (ds == NULL) {
		return;
	}
	TEST_CHECK(ds_set(s, HOST, "mx1", err, sizeof(err)) == SK_OK, "%s",
	    err);
	TEST_CHECK(ds_create(t, DOMAIN, err, sizeof(err)) == SK_OK &&
		ds_commit(t, NULL, 0, err, sizeof(err)) == SK_OK,
	    "bob: %s", err);
	/* alice's commit keeps bob's domain */
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_OK &&
		running_has(ds, "\"mx1\"") &&
		running_has(ds, "\"example.com\""),
	    "alice: %s", err);
	ds_session_close(s);
	ds_session_close(t);
	ds_close(ds);
}

/* damaged - boot with startup.json holding text; last good or not */
static void
damaged(const char *text, int with_last_good, enum ds_boot want,
    const char *reason)
{
	char bad[PATH_LEN];
	struct ds_session *s;
	struct ds *ds;

	if ((ds = open_ds()) == NULL) {
		return;
	}
	if (with_last_good) {
		s = session(ds, "alice");
		commit_host(s, "good", 0);
		ds_session_close(s);
	} else {
		unlink(file("startup.last-good.json"));
	}
	ds_close(ds);
	spill(file("startup.json"), text);
	fake_now = T0 + 7;
	ds = open_ds();
	fake_now = T0;
	if (ds == NULL) {
		return;
	}
	snprintf(bad, sizeof(bad), "startup.json.bad.%d", T0 + 7);
	TEST_CHECK(ds_boot_source(ds) == want, "boot %d, want %d",
	    ds_boot_source(ds), want);
	TEST_CHECK(strstr(why, reason) != NULL && strstr(why, bad) != NULL,
	    "why: %s", why);
	TEST_CHECK(strcmp(slurp(file(bad)), text) == 0, "bad file not kept");
	TEST_CHECK(running_has(ds,
		       with_last_good ? "\"good\"" : "\"sekimori\""),
	    "wrong config booted");
	TEST_CHECK(strstr(slurp(file("startup.json")),
		       with_last_good ? "\"good\"" : "\"sekimori\"") != NULL,
	    "startup.json not replaced");
	ds_close(ds);
}

static void
test_damaged_truncated(void)
{
	damaged("{\"sekimori-system:system\": {\"host-na", 1, DS_BOOT_LAST_GOOD,
	    "startup.json");
}

static void
test_damaged_wrong_type(void)
{
	damaged("{\"sekimori-mail:mail\": {\"queue\": {\"lifetime\": \"x\"}}}",
	    1, DS_BOOT_LAST_GOOD, "lifetime");
}

static void
test_damaged_unknown_node(void)
{
	damaged("{\"sekimori-mail:mail\": {\"turbo\": true}}", 0,
	    DS_BOOT_FACTORY, "turbo");
}

static void
test_damaged_both(void)
{
	struct ds *ds = open_ds();

	ds_close(ds);
	spill(file("startup.last-good.json"), "garbage");
	damaged("", 0, DS_BOOT_FACTORY, "started with the factory");
}

static void
test_load(void)
{
	static const char frag[] = "{\"sekimori-mail:mail\": {\"relay\": "
				   "{\"domain\": [{\"name\": \"example.com\"}]"
				   "}}}";
	struct ds *ds = open_ds();
	struct ds_session *s;
	char *json = NULL, *before = NULL;

	if (ds == NULL) {
		return;
	}
	s = session(ds, "alice");
	spill(file("frag.json"), frag);
	TEST_CHECK(ds_set(s, HOST, "mx1", err, sizeof(err)) == SK_OK &&
		ds_load_file(s, DS_LOAD_MERGE, file("frag.json"), err,
		    sizeof(err)) == SK_OK,
	    "merge: %s", err);
	ds_json(s, &json, err, sizeof(err));
	TEST_CHECK(json != NULL && strstr(json, "\"mx1\"") != NULL &&
		strstr(json, "example.com") != NULL &&
		strstr(json, "\"admin\"") != NULL,
	    "merged: %s", json);
	free(json);
	json = NULL;
	/* a bad file changes nothing */
	spill(file("bad.json"), "{\"sekimori-mail:mail\": {\"queue\": 1}}");
	ds_json(s, &before, err, sizeof(err));
	TEST_CHECK(ds_load_file(s, DS_LOAD_MERGE, file("bad.json"), err,
		       sizeof(err)) == SK_E_SYNTAX &&
		strstr(err, "bad.json") != NULL,
	    "bad merge: %s", err);
	TEST_CHECK(ds_load_file(s, DS_LOAD_REPLACE, file("none.json"), err,
		       sizeof(err)) == SK_E_IO,
	    "missing file: %s", err);
	ds_json(s, &json, err, sizeof(err));
	TEST_CHECK(before != NULL && json != NULL && strcmp(before, json) == 0,
	    "failed loads changed the candidate");
	free(json);
	json = NULL;
	/* replace: only the fragment, which then lacks an admin */
	TEST_CHECK(ds_load_file(s, DS_LOAD_REPLACE, file("frag.json"), err,
		       sizeof(err)) == SK_OK &&
		ds_json(s, &json, err, sizeof(err)) == SK_OK &&
		strstr(json, "\"admin\"") == NULL,
	    "replace: %s", err);
	TEST_CHECK(ds_commit_check(s, err, sizeof(err)) == SK_E_SYNTAX,
	    "replace by a fragment passed commit check");
	free(before);
	before = NULL;
	TEST_CHECK(ds_load_factory(s, err, sizeof(err)) == SK_OK &&
		ds_compare(s, 0, 0, &before, err, sizeof(err)) == SK_OK &&
		strcmp(before, "") == 0,
	    "factory: %s", before != NULL ? before : err);
	free(json);
	free(before);
	ds_session_close(s);
	ds_close(ds);
}

static void
test_save_round_trip(void)
{
	struct ds *ds = open_ds();
	struct ds_session *s;
	char *a = NULL, *b = NULL;

	if (ds == NULL) {
		return;
	}
	s = session(ds, "alice");
	TEST_CHECK(ds_create(s, DOMAIN, err, sizeof(err)) == SK_OK &&
		ds_set(s, DOMAIN "/known-recipient", "postmaster", err,
		    sizeof(err)) == SK_OK &&
		ds_save(s, file("saved.json"), err, sizeof(err)) == SK_OK,
	    "save: %s", err);
	ds_json(s, &a, err, sizeof(err));
	ds_discard(s);
	TEST_CHECK(ds_load_file(s, DS_LOAD_REPLACE, file("saved.json"), err,
		       sizeof(err)) == SK_OK &&
		ds_json(s, &b, err, sizeof(err)) == SK_OK,
	    "load: %s", err);
	TEST_CHECK(a != NULL && b != NULL && strcmp(a, b) == 0 &&
		strcmp(a, slurp(file("saved.json"))) == 0,
	    "round trip differs:\n%s\n%s", a, b);
	TEST_CHECK(ds_commit(s, NULL, 0, err, sizeof(err)) == SK_OK,
	    "commit of the loaded file: %s", err);
	free(a);
	free(b);
	ds_session_close(s);
	ds_close(ds);
}

/* Two processes on one folder: each is a ds of its own (ds_share.c). */
static void
test_processes(void)
{
	struct ds *a = open_ds(), *b = open_ds(), *c;
	struct ds_session *s, *t;
	struct ds_commit_info ca, cb;
	char msg[DS_ERR_MAX];

	if (a == NULL || b == NULL) {
		ds_close(a);
		ds_close(b);
		return;
	}
	s = session(a, "alice");
	t = session(b, "bob");
	/* bob begins editing; alice commits; bob's commit keeps hers */
	TEST_CHECK(ds_create(t, DOMAIN, err, sizeof(err)) == SK_OK, "%s", err);
	TEST_CHECK(commit_host(s, "mx1", 0) == SK_OK, "alice: %s", err);
	TEST_CHECK(running_has(b, "\"mx1\""), "bob does not see alice's");
	TEST_CHECK(ds_commit(t, NULL, 0, err, sizeof(err)) == SK_OK &&
		running_has(b, "\"mx1\"") && running_has(b, "example.com"),
	    "bob: %s", err);
	TEST_CHECK(running_has(a, "example.com"), "alice does not see bob's");
	/* one history, numbered once */
	TEST_CHECK(ds_history_get(a, 0, &ca) == SK_OK &&
		ds_history_get(b, 0, &cb) == SK_OK && ca.seq == cb.seq &&
		strcmp(ca.user, "bob") == 0 &&
		ds_history_get(a, 1, &ca) == SK_OK &&
		strcmp(ca.user, "alice") == 0 &&
		ds_history_count(a) == ds_history_count(b),
	    "histories differ");
	/* alice commits confirmed and goes (an SSH session cut off) */
	TEST_CHECK(commit_host(s, "trial", 2) == SK_OK, "confirmed: %s", err);
	TEST_CHECK(slurp(file("confirm.pending"))[0] != '\0',
	    "no confirm.pending");
	ds_session_close(s);
	ds_close(a);
	/* a process started during the trial runs the trial, no boot entry */
	c = open_ds();
	if (c == NULL) {
		ds_session_close(t);
		ds_close(b);
		return;
	}
	TEST_CHECK(running_has(c, "\"trial\"") &&
		ds_confirm_deadline(c) == T0 + 120,
	    "new process: deadline %lld", (long long)ds_confirm_deadline(c));
	TEST_CHECK(ds_history_get(c, 0, &ca) == SK_OK &&
		ca.how == DS_HOW_CONFIRMED,
	    "a boot entry was added during the trial");
	TEST_CHECK(ds_tick(b, T0 + 60, msg, sizeof(msg)) == 0 &&
		running_has(b, "\"trial\"") &&
		ds_confirm_deadline(b) == T0 + 120,
	    "bob does not see the trial");
	/* the deadline: the first to tick rolls back, the other sees it */
	TEST_CHECK(ds_tick(c, T0 + 120, msg, sizeof(msg)) == 1 &&
		running_has(c, "\"mx1\""),
	    "no rollback by another process: %s", msg);
	TEST_CHECK(ds_tick(b, T0 + 121, msg, sizeof(msg)) == 0 &&
		running_has(b, "\"mx1\"") && ds_confirm_deadline(b) == 0,
	    "rolled back twice or not seen");
	TEST_CHECK(slurp(file("confirm.pending"))[0] == '\0',
	    "confirm.pending left");
	/* confirmed by another process: nobody rolls back */
	s = session(c, "carol");
	TEST_CHECK(commit_host(s, "kept", 5) == SK_OK, "%s", err);
	TEST_CHECK(ds_confirm(t, err, sizeof(err)) == SK_OK, "confirm: %s",
	    err);
	TEST_CHECK(ds_tick(c, T0 + 9999, msg, sizeof(msg)) == 0 &&
		running_has(c, "\"kept\"") &&
		strstr(slurp(file("startup.json")), "\"kept\"") != NULL,
	    "rolled back after confirmation");
	ds_session_close(s);
	ds_session_close(t);
	ds_close(b);
	ds_close(c);
}

/* configure exclusive in one process holds every other process off;
 * a holder that died without unlocking holds nobody */
static void
test_lock_processes(void)
{
	struct ds *a = open_ds(), *b = open_ds();
	struct ds_session *s, *t;
	static char text[1024];
	char *line;

	if (a == NULL || b == NULL) {
		ds_close(a);
		ds_close(b);
		return;
	}
	s = session(a, "alice");
	t = session(b, "bob");
	TEST_CHECK(ds_lock(s, err, sizeof(err)) == SK_OK, "lock: %s", err);
	TEST_CHECK(commit_host(t, "mx1", 0) == SK_E_FULL &&
		strstr(err, "locked by alice") != NULL,
	    "another process committed under the lock: %s", err);
	TEST_CHECK(ds_lock(t, err, sizeof(err)) == SK_E_FULL,
	    "another process locked too");
	TEST_CHECK(commit_host(s, "mx2", 0) == SK_OK, "holder: %s", err);
	snprintf(text, sizeof(text), "%.1000s", slurp(file("exclusive.lock")));
	ds_session_close(s); /* logging out releases it everywhere */
	TEST_CHECK(slurp(file("exclusive.lock"))[0] == '\0',
	    "exclusive.lock left");
	TEST_CHECK(ds_commit(t, NULL, 0, err, sizeof(err)) == SK_OK,
	    "after release: %s", err);
	/* the holder's process is gone (another start time): stale. The
	 * first digit changes whatever it was (a start time of 9xxxx ticks
	 * is only 15 minutes after boot). */
	if ((line = strstr(text, "\nstart ")) != NULL) {
		line[7] = line[7] == '9' ? '1' : '9';
	}
	spill(file("exclusive.lock"), text);
	TEST_CHECK(commit_host(t, "mx3", 0) == SK_OK &&
		slurp(file("exclusive.lock"))[0] == '\0',
	    "a dead holder's lock held: %s", err);
	/* damaged: dropped */
	spill(file("exclusive.lock"), "sekimori-exclusive 1\npid x\n");
	TEST_CHECK(ds_lock(t, err, sizeof(err)) == SK_OK &&
		strstr(slurp(file("exclusive.lock")), "user bob\n") != NULL,
	    "damaged lock file: %s", err);
	ds_session_close(t);
	ds_close(a);
	ds_close(b);
}

/* A pending file of another boot: the reboot was the rollback. */
static void
test_pending_stale(void)
{
	struct ds *ds = open_ds();
	struct ds_session *s;
	static char text[65536];
	const char *p;

	if (ds == NULL) {
		return;
	}
	s = session(ds, "alice");
	TEST_CHECK(commit_host(s, "trial", 10) == SK_OK, "%s", err);
	ds_session_close(s);
	ds_close(ds);
	p = slurp(file("confirm.pending"));
	snprintf(text, sizeof(text), "%s", p);
	if (strstr(text, "\nboot ") == NULL) {
		test_fail("no boot line: %s", text);
		return;
	}
	memcpy(strstr(text, "\nboot ") + 6, "0ther", 5);
	spill(file("confirm.pending"), text);
	ds = open_ds();
	if (ds == NULL) {
		return;
	}
	TEST_CHECK(running_has(ds, "\"sekimori\"") &&
		ds_confirm_deadline(ds) == 0,
	    "a trial of another boot resumed");
	TEST_CHECK(slurp(file("confirm.pending"))[0] == '\0',
	    "stale confirm.pending kept");
	/* damaged: dropped too */
	spill(file("confirm.pending"), "sekimori-confirm 1\nseq x\n");
	s = session(ds, "alice");
	TEST_CHECK(ds_confirm_deadline(ds) == 0 &&
		slurp(file("confirm.pending"))[0] == '\0',
	    "damaged confirm.pending kept");
	ds_session_close(s);
	ds_close(ds);
}

const struct test_case test_cases[] = {
	{ "ds_first_boot", test_first_boot },
	{ "ds_commit_apply", test_commit_apply },
	{ "ds_commit_refused", test_commit_refused },
	{ "ds_applied_note", test_applied_note },
	{ "ds_rollback_refused", test_rollback_refused },
	{ "ds_edit_errors", test_edit_errors },
	{ "ds_confirmed_expiry", test_confirmed_expiry },
	{ "ds_confirmed_confirm", test_confirmed_confirm },
	{ "ds_rollback_rotation", test_rollback_rotation },
	{ "ds_compare_text", test_compare_text },
	{ "ds_show_text", test_show_text },
	{ "ds_lock", test_lock },
	{ "ds_lock_processes", test_lock_processes },
	{ "ds_rebase", test_rebase },
	{ "ds_damaged_truncated", test_damaged_truncated },
	{ "ds_damaged_wrong_type", test_damaged_wrong_type },
	{ "ds_damaged_unknown_node", test_damaged_unknown_node },
	{ "ds_damaged_both", test_damaged_both },
	{ "ds_load", test_load },
	{ "ds_save_round_trip", test_save_round_trip },
	{ "ds_processes", test_processes },
	{ "ds_pending_stale", test_pending_stale },
};
const size_t test_ncases = SK_NELEM(test_cases);
