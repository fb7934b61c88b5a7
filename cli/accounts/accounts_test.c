/*
 * accounts_test.c - passwd and authorized_keys from a real datastore's
 * running configuration: the factory admin, users and keys added and
 * removed by commits, a system name left out, the key line's form and
 * what it refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../datastore/ds.h"
#include "../datastore/test_ds.h"
#include "accounts.h"
#include "test.h"

#define KEY1                                                             \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFtn1sbGB2oLvmXpyL0z5n7iGq" \
	"aHRnbaVKLq5xs0p2Qa alice@laptop"
#define SYS "/sekimori-system:system/user"

static time_t
fake_clock(void *arg)
{
	(void)arg;
	return 1764064800;
}

static const struct ds_clock clk = { fake_clock, NULL };

/* slurp - the file at dir/rel, or "" (a static buffer) */
static const char *
slurp(const char *dir, const char *rel)
{
	static char buf[8192];
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

/* commit - a set (value) or delete (value NULL) as admin, and a second
 * set when path2 is not NULL */
static void
commit(struct ds *ds, const char *path, const char *value, const char *path2,
    const char *value2)
{
	struct ds_session *s = NULL;
	char err[DS_ERR_MAX] = "";
	enum sk_result r = ds_session_open(ds, "admin", &s, err, sizeof(err));

	if (r == SK_OK) {
		r = value != NULL ? ds_set(s, path, value, err, sizeof(err)) :
				    ds_delete(s, path, err, sizeof(err));
	}
	if (r == SK_OK && path2 != NULL) {
		r = ds_set(s, path2, value2, err, sizeof(err));
	}
	if (r == SK_OK) {
		r = ds_commit(s, NULL, 0, err, sizeof(err));
	}
	TEST_CHECK(r == SK_OK, "%s: %s", path, err);
	ds_session_close(s);
}

static void
test_write(void)
{
	char dir[1024], cfg[512], base[512], out[512], err[256] = "",
						       why[DS_WHY_MAX];
	struct ds *ds = NULL;
	struct stat st;
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/config", test_tmpdir());
	snprintf(out, sizeof(out), "%s/accounts", test_tmpdir());
	snprintf(base, sizeof(base), "%s/passwd.system", test_tmpdir());
	mkdir(cfg, 0700);
	if ((f = fopen(base, "w")) == NULL) {
		test_fail("cannot write %s", base);
		return;
	}
	fputs("root:x:0:0:root:/root:/bin/false\n"
	      "sekimori-smtp:x:101:101::/run/sekimori/empty:/bin/false",
	    f); /* no newline at the end */
	fclose(f);
	if (ds_open(&ds, cfg, test_ds_factory(), &clk, why, sizeof(why), err,
		sizeof(err)) != SK_OK) {
		test_fail("ds_open: %s", err);
		return;
	}
	/* the factory: admin, no keys */
	TEST_CHECK(accounts_write(ds_running(ds), base, out, err,
		       sizeof(err)) == SK_OK,
	    "write: %s", err);
	snprintf(dir, sizeof(dir), "%s", out);
	TEST_CHECK(strncmp(slurp(dir, "passwd"),
		       "root:x:0:0:root:/root:/bin/false\n"
		       "sekimori-smtp:x:101:101::/run/sekimori/empty:/bin/"
		       "false\n"
		       "admin:x:0:110:Sekimori CLI:",
		       strlen("root:x:0:0:root:/root:/bin/false\n"
			      "sekimori-smtp:x:101:101::/run/sekimori/empty:"
			      "/bin/false\n"
			      "admin:x:0:110:Sekimori CLI:")) == 0,
	    "passwd: %s", slurp(dir, "passwd"));
	TEST_CHECK(strstr(slurp(dir, "passwd"),
		       "/home/admin:/usr/libexec/sekimori/ssh-session\n") !=
		NULL,
	    "admin's home and shell: %s", slurp(dir, "passwd"));
	TEST_CHECK(strcmp(slurp(dir, "home/admin/.ssh/authorized_keys"), "") ==
		0,
	    "admin has keys");
	snprintf(dir, sizeof(dir), "%s/home/admin/.ssh", out);
	TEST_CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	    ".ssh mode %o", st.st_mode & 0777);
	/* alice, an operator with a key */
	commit(ds, SYS "[name='alice']/role", "operator",
	    SYS "[name='alice']/authentication/ssh-public-key", KEY1);
	TEST_CHECK(accounts_write(ds_running(ds), base, out, err,
		       sizeof(err)) == SK_OK,
	    "write: %s", err);
	TEST_CHECK(strcmp(slurp(out, "home/alice/.ssh/authorized_keys"),
		       "no-port-forwarding,no-agent-forwarding,"
		       "no-X11-forwarding ssh-ed25519 "
		       "AAAAC3NzaC1lZDI1NTE5AAAAIFtn1sbGB2oLvmXpyL0z5n7iGqaHRnb"
		       "a"
		       "VKLq5xs0p2Qa key-1\n") == 0,
	    "alice's keys: %s", slurp(out, "home/alice/.ssh/authorized_keys"));
	TEST_CHECK(strstr(slurp(out, "passwd"), "\nalice:x:0:110:") != NULL,
	    "no alice: %s", slurp(out, "passwd"));
	/* a model user named like a system account gets no line */
	commit(ds, SYS "[name='sekimori-smtp']/role", "auditor",
	    SYS "[name='sekimori-smtp']/authentication/ssh-public-key", KEY1);
	TEST_CHECK(accounts_write(ds_running(ds), base, out, err,
		       sizeof(err)) == SK_OK,
	    "write: %s", err);
	TEST_CHECK(strstr(slurp(out, "passwd"), "sekimori-smtp:x:0:") == NULL,
	    "a second sekimori-smtp: %s", slurp(out, "passwd"));
	/* alice goes: her line and her home go */
	commit(ds, SYS "[name='alice']", NULL, NULL, NULL);
	TEST_CHECK(accounts_write(ds_running(ds), base, out, err,
		       sizeof(err)) == SK_OK,
	    "write: %s", err);
	TEST_CHECK(strstr(slurp(out, "passwd"), "alice") == NULL,
	    "alice stayed: %s", slurp(out, "passwd"));
	snprintf(dir, sizeof(dir), "%s/home/alice", out);
	TEST_CHECK(stat(dir, &st) == -1, "alice's home stayed");
	/* no base file: an error, and passwd as it was */
	TEST_CHECK(accounts_write(ds_running(ds), "/nonexistent", out, err,
		       sizeof(err)) == SK_E_IO &&
		strstr(err, "/nonexistent") != NULL,
	    "missing base: %s", err);
	TEST_CHECK(strstr(slurp(out, "passwd"), "admin") != NULL,
	    "passwd lost");
	ds_close(ds);
}

static void
test_key_line(void)
{
	char out[256];

	TEST_CHECK(accounts_key_line("ssh-rsa AAAA", 12, 3, out, sizeof(out)) ==
		    0 &&
		strstr(out, " ssh-rsa AAAA key-3\n") != NULL,
	    "no comment: %s", out);
	TEST_CHECK(accounts_key_line("ssh-rsa AAAA x\ncommand=\"sh\"", 27, 1,
		       out, sizeof(out)) == 0 &&
		strstr(out, "command") == NULL,
	    "the comment came along: %s", out);
	TEST_CHECK(accounts_key_line("ssh-rsa", 7, 1, out, sizeof(out)) == -1,
	    "no key taken");
	TEST_CHECK(accounts_key_line("ssh-rsa A\"A", 11, 1, out, sizeof(out)) ==
		-1,
	    "a quote taken");
	TEST_CHECK(accounts_key_line("command=x AAAA", 14, 1, out,
		       sizeof(out)) == -1,
	    "an option as the type taken");
	TEST_CHECK(accounts_key_line("ssh-rsa AAAA", 12, 1, out, 20) == -1,
	    "cut line taken");
}

/* banner - commit the login banner (NULL: delete it), then write it;
 * accounts_write_banner's answer */
static int
banner(struct ds *ds, const char *dir, const char *text)
{
	char err[256] = "";
	int rc;

	commit(ds, "/sekimori-system:system/login/banner", text, NULL, NULL);
	rc = accounts_write_banner(ds_running(ds), dir, err, sizeof(err));
	TEST_CHECK(rc != -1, "write_banner: %s", err);
	return rc;
}

static void
test_banner(void)
{
	char cfg[512], out[512], why[DS_WHY_MAX], err[256] = "", pidfile[600];
	char big[2400], cut[ACCOUNTS_BANNER_MAX + 1];
	struct ds *ds = NULL;
	size_t i, len;
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/bconfig", test_tmpdir());
	snprintf(out, sizeof(out), "%s/baccounts", test_tmpdir());
	mkdir(cfg, 0700);
	mkdir(out, 0755);
	if (ds_open(&ds, cfg, test_ds_factory(), &clk, why, sizeof(why), err,
		sizeof(err)) != SK_OK) {
		test_fail("ds_open: %s", err);
		return;
	}
	TEST_CHECK(accounts_write_banner(ds_running(ds), out, err,
		       sizeof(err)) == 1 &&
		strcmp(slurp(out, "banner"), "") == 0,
	    "no banner: an empty file, new: %s", slurp(out, "banner"));
	/* an escape sequence must not reach the client's terminal */
	TEST_CHECK(banner(ds, out, "Authorized\x1b[2J use only\nline 2") == 1,
	    "a new banner is a change");
	TEST_CHECK(strcmp(slurp(out, "banner"),
		       "Authorized?[2J use only\nline 2\n") == 0,
	    "banner: %s", slurp(out, "banner"));
	TEST_CHECK(accounts_write_banner(ds_running(ds), out, err,
		       sizeof(err)) == 0,
	    "the same banner again is no change");
	/* 700 three-octet characters: within the model, over dropbear's
	 * limit in octets; cut before a whole character */
	for (i = 0; i < 700; i++) {
		memcpy(big + 3 * i, "\xe3\x81\x82", 3);
	}
	big[2100] = '\0';
	TEST_CHECK(banner(ds, out, big) == 1, "the long banner is a change");
	len = accounts_banner_text(ds_running(ds), cut, sizeof(cut));
	TEST_CHECK(len <= ACCOUNTS_BANNER_MAX && cut[len - 1] == '\n' &&
		(len - 1) % 3 == 0 && strlen(slurp(out, "banner")) == len,
	    "cut to %zu octets", len);
	TEST_CHECK(banner(ds, out, NULL) == 1 &&
		strcmp(slurp(out, "banner"), "") == 0,
	    "deleted banner: %s", slurp(out, "banner"));
	ds_close(ds);

	/* the pid file must name a dropbear: never signal anything else */
	snprintf(pidfile, sizeof(pidfile), "%s/dropbear.pid", test_tmpdir());
	if ((f = fopen(pidfile, "w")) != NULL) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	TEST_CHECK(accounts_restart_sshd(pidfile) == -1,
	    "signalled a process that is no dropbear");
	if ((f = fopen(pidfile, "w")) != NULL) {
		fputs("12x\n", f);
		fclose(f);
	}
	TEST_CHECK(accounts_restart_sshd(pidfile) == -1, "took a bad pid");
	TEST_CHECK(accounts_restart_sshd("/nonexistent/pid") == -1,
	    "took a missing pid file");
}

const struct test_case test_cases[] = {
	{ "accounts_write", test_write },
	{ "accounts_banner", test_banner },
	{ "accounts_key_line", test_key_line },
};
const size_t test_ncases = SK_NELEM(test_cases);
