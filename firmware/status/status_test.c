/*
 * status_test.c - the whole report over fake /proc, /etc and /data trees.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "status.h"
#include "test.h"
#include "version.h"

#define REPORT_MAX 4096

struct file {
	const char *path;
	const char *text;
	size_t len; /* texts of /proc/PID/cmdline hold NULs */
};

#define TEXT(s) s, sizeof(s) - 1

static const struct file appliance[] = {
	{ "/proc/sys/kernel/hostname", TEXT("mx1\n") },
	{ "/proc/cmdline",
	    TEXT("console=ttyS0 root=/dev/vda2 sk.slot=B quiet\n") },
	{ "/proc/uptime", TEXT("3725.41 7001.02\n") },
	{ "/proc/mounts",
	    TEXT("/dev/root / squashfs ro,relatime 0 0\n"
		 "tmpfs /run tmpfs rw,nosuid 0 0\n"
		 "/dev/vda3 /config ext4 rw,sync 0 0\n"
		 "/dev/vda4 /data ext4 rw,noatime 0 0\n") },
	{ "/data/sekimori/boot-count", TEXT("2\n") },
	{ "/etc/sekimori/services",
	    TEXT("# name command\n"
		 "syslogd /sbin/syslogd -n\n"
		 "sshd /usr/sbin/dropbear -F -R\n"
		 "ntpd /usr/sbin/ntpd -n\n"
		 "udhcpc /usr/libexec/sekimori/dhcp\n") },
	/* A wrapper script that exec'd the real program: found by name. */
	{ "/proc/300/cmdline", TEXT("udhcpc\0-f\0-i\0eth0") },
	{ "/proc/300/comm", TEXT("udhcpc\n") },
	{ "/proc/1/cmdline", TEXT("/sbin/init") },
	{ "/proc/812/cmdline",
	    TEXT("/sbin/syslogd\0-n\0-O\0/var/log/messages") },
	{ "/proc/97/cmdline", TEXT("/sbin/syslogd\0-n") },
	{ "/proc/1200/cmdline",
	    TEXT("/usr/sbin/dropbear\0-F\0-R\0-p\0002222") },
	{ "/proc/self/cmdline", TEXT("/sbin/syslogd\0-n") },
	{ "/proc/2/cmdline", TEXT("") },
};

/* write_file - create root/path and its directories, with text */
static int
write_file(const char *root, const struct file *f)
{
	char path[PATH_MAX];
	char *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s%s", root, f->path);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	if ((fp = fopen(path, "w")) == NULL) {
		return -1;
	}
	fwrite(f->text, 1, f->len, fp);
	return fclose(fp);
}

/* report - run status_run over root and return what it printed */
static const char *
report(const char *root)
{
	static char out[REPORT_MAX];
	FILE *fp = tmpfile();
	size_t n;

	if (fp == NULL) {
		return "";
	}
	status_run(root, fp);
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	fclose(fp);
	return out;
}

static void
test_status_appliance(void)
{
	const char *root = test_tmpdir();
	const char *got;
	char want[REPORT_MAX];
	size_t i;

	for (i = 0; i < SK_NELEM(appliance); i++) {
		if (write_file(root, &appliance[i]) == -1) {
			test_fail("cannot write %s", appliance[i].path);
			return;
		}
	}
	snprintf(want, sizeof(want),
	    "product: %s\nversion: %s\nhostname: mx1\nslot: B\n"
	    "uptime: 3725 s\nroot: ro\nmount /config: rw\n"
	    "mount /data: rw\nboot-count: 2\n"
	    "service syslogd: running pid 97\n"
	    "service sshd: running pid 1200\n"
	    "service ntpd: stopped\n"
	    "service udhcpc: running pid 300\n"
	    "end of status\n",
	    SK_PRODUCT, SK_VERSION);
	got = report(root);
	TEST_CHECK(strcmp(got, want) == 0, "got\n%s\nwant\n%s", got, want);
}

static void
test_status_empty(void)
{
	const char *root = test_tmpdir();
	const char *got;
	char want[REPORT_MAX];

	snprintf(want, sizeof(want),
	    "product: %s\nversion: %s\nhostname: unknown\nslot: unknown\n"
	    "uptime: unknown\nroot: unknown\nmount /config: unknown\n"
	    "mount /data: unknown\nboot-count: unknown\n"
	    "services: unknown\n"
	    "end of status\n",
	    SK_PRODUCT, SK_VERSION);
	got = report(root);
	TEST_CHECK(strcmp(got, want) == 0, "got\n%s\nwant\n%s", got, want);
}

static void
test_status_bad_services(void)
{
	static const struct file bad = { "/etc/sekimori/services",
		TEXT("ok /bin/ok\nBAD\n") };
	const char *root = test_tmpdir();
	const char *got;

	write_file(root, &bad);
	got = report(root);
	TEST_CHECK(strstr(got, "\nservices: line 2: syntax error\n") != NULL,
	    "got\n%s", got);
	TEST_CHECK(strstr(got, "service ok") == NULL,
	    "listed a service of "
	    "a bad file");
}

const struct test_case test_cases[] = {
	{ "status_appliance", test_status_appliance },
	{ "status_empty", test_status_empty },
	{ "status_bad_services", test_status_bad_services },
};
const size_t test_ncases = SK_NELEM(test_cases);
