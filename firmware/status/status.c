/*
 * status.c - the boot status report of sekimori-status.
 *
 * Input: files of the kernel (/proc) and of our own image (/etc, /data),
 * all through the strict parsers beside this file. No network input, no
 * user input. Output lines are stable, "key: value", for people and for
 * the QEMU system tests that grep them.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "mounts.h"
#include "services.h"
#include "status.h"
#include "sysinfo.h"
#include "version.h"

/* A busy development host has a few hundred mounts; the appliance ~20. */
#define STATUS_MOUNTS_MAX (256 * 1024)
#define STATUS_SERVICES_FILE_MAX (SERVICES_MAX * SERVICES_LINE_MAX)
/* Only the start of a process's cmdline is compared with a command. */
#define STATUS_PROC_CMDLINE_MAX SERVICES_LINE_MAX
#define STATUS_PATH_MAX 512
#define STATUS_HOSTNAME_MAX 65 /* HOST_NAME_MAX (64) and its newline */

static uint8_t status_mounts[STATUS_MOUNTS_MAX];
static uint8_t status_services[STATUS_SERVICES_FILE_MAX];

/* status_read_fd - read to EOF into buf; SK_E_TOO_LONG past cap */
static enum sk_result
status_read_fd(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t extra;
	ssize_t n;

	for (;;) {
		/* Past cap, one more byte tells "full" from "too long". */
		n = *len < cap ? read(fd, buf + *len, cap - *len) :
				 read(fd, &extra, 1);
		if (n == 0) {
			return SK_OK;
		}
		if (n == -1) {
			return SK_E_IO;
		}
		if (*len == cap) {
			return SK_E_TOO_LONG;
		}
		*len += (size_t)n;
	}
}

/* status_read - read root/rel into buf; SK_E_TOO_LONG if it is larger */
static enum sk_result
status_read(const char *root, const char *rel, uint8_t *buf, size_t cap,
    size_t *len)
{
	char path[STATUS_PATH_MAX];
	enum sk_result r;
	int fd;

	*len = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s%s", root, rel) >=
	    sizeof(path)) {
		return SK_E_TOO_LONG;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		return SK_E_IO;
	}
	r = status_read_fd(fd, buf, cap, len);
	close(fd);
	return r;
}

/* status_put - print bytes, with '?' for anything not visible ASCII */
static void
status_put(FILE *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fputc(p[i] >= ' ' && p[i] <= '~' ? p[i] : '?', out);
	}
}

static void
status_hostname(const char *root, FILE *out)
{
	uint8_t buf[STATUS_HOSTNAME_MAX];
	size_t len;

	fputs("hostname: ", out);
	if (status_read(root, "/proc/sys/kernel/hostname", buf, sizeof(buf),
		&len) != SK_OK ||
	    len < 2 || buf[len - 1] != '\n') {
		fputs("unknown\n", out);
		return;
	}
	status_put(out, buf, len - 1);
	fputc('\n', out);
}

/* status_slot - sk.slot=A|B from the kernel command line */
static void
status_slot(const char *root, FILE *out)
{
	uint8_t buf[CMDLINE_MAX + 1];
	const uint8_t *val;
	size_t len, vlen;
	enum sk_result r;

	r = status_read(root, "/proc/cmdline", buf, sizeof(buf), &len);
	if (r == SK_OK) {
		r = cmdline_get(buf, len, "sk.slot", &val, &vlen);
	}
	if (r != SK_OK) {
		fprintf(out, "slot: unknown\n");
	} else if (vlen == 1 && (val[0] == 'A' || val[0] == 'B')) {
		fprintf(out, "slot: %c\n", val[0]);
	} else {
		fprintf(out, "slot: invalid\n");
	}
}

static void
status_uptime(const char *root, FILE *out)
{
	uint8_t buf[SYSINFO_FILE_MAX + 1];
	uint64_t secs;
	size_t len;

	if (status_read(root, "/proc/uptime", buf, sizeof(buf), &len) ==
		SK_OK &&
	    sysinfo_uptime_parse(buf, len, &secs) == SK_OK) {
		fprintf(out, "uptime: %llu s\n", (unsigned long long)secs);
	} else {
		fprintf(out, "uptime: unknown\n");
	}
}

/* status_mount_state - ro, rw, absent, or unknown if unreadable */
static const char *
status_mount_state(int ok, const struct mounts_query *q)
{
	if (!ok) {
		return "unknown";
	}
	if (!q->found) {
		return "absent";
	}
	return q->ro ? "ro" : "rw";
}

/* status_mounts_print - "root: ro" and "mount /config: rw" lines */
static void
status_mounts_print(const char *root, FILE *out)
{
	struct mounts_query q[] = { { "/", 0, 0 }, { "/config", 0, 0 },
		{ "/data", 0, 0 } };
	size_t len, line, i;
	int ok;

	ok = status_read(root, "/proc/mounts", status_mounts,
		 sizeof(status_mounts), &len) == SK_OK &&
	    mounts_parse(status_mounts, len, q, SK_NELEM(q), &line) == SK_OK;
	for (i = 0; i < SK_NELEM(q); i++) {
		if (i == 0) {
			fputs("root: ", out);
		} else {
			fprintf(out, "mount %s: ", q[i].path);
		}
		fprintf(out, "%s\n", status_mount_state(ok, &q[i]));
	}
}

static void
status_boot_count(const char *root, FILE *out)
{
	uint8_t buf[SYSINFO_FILE_MAX + 1];
	uint64_t n;
	size_t len;

	if (status_read(root, "/data/sekimori/boot-count", buf, sizeof(buf),
		&len) == SK_OK &&
	    sysinfo_count_parse(buf, len, &n) == SK_OK) {
		fprintf(out, "boot-count: %llu\n", (unsigned long long)n);
	} else {
		fprintf(out, "boot-count: unknown\n");
	}
}

/* status_pid - the number of a /proc entry, or 0 if it is not a process */
static long
status_pid(const char *name)
{
	long pid = 0;

	for (; *name != '\0'; name++) {
		if (*name < '0' || *name > '9' || pid > 99999999) {
			return 0;
		}
		pid = pid * 10 + (*name - '0');
	}
	return pid;
}

/* status_scan - lowest pid running each service, 0 for none */
static void
status_scan(const char *root, const struct services_entry *s, size_t ns,
    long *pids)
{
	uint8_t cmd[STATUS_PROC_CMDLINE_MAX];
	uint8_t comm[SERVICES_COMM_MAX + 2];
	char rel[64];
	struct dirent *d;
	char dir[STATUS_PATH_MAX];
	size_t len, clen, i;
	long pid;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/proc", root);
	if ((dp = opendir(dir)) == NULL) {
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		if ((pid = status_pid(d->d_name)) == 0) {
			continue;
		}
		snprintf(rel, sizeof(rel), "/proc/%ld/cmdline", pid);
		/* A long cmdline is cut: only its start is compared. */
		if (status_read(root, rel, cmd, sizeof(cmd), &len) == SK_E_IO) {
			continue;
		}
		snprintf(rel, sizeof(rel), "/proc/%ld/comm", pid);
		if (status_read(root, rel, comm, sizeof(comm), &clen) ==
		    SK_E_IO) {
			clen = 0;
		}
		for (i = 0; i < ns; i++) {
			if ((services_cmd_match(s[i].cmd, s[i].cmdlen, cmd,
				 len) ||
				services_name_match(s[i].name, s[i].namelen,
				    comm, clen)) &&
			    (pids[i] == 0 || pid < pids[i])) {
				pids[i] = pid;
			}
		}
	}
	closedir(dp);
}

/* status_services - "service NAME: running pid N" or "...: stopped" */
static void
status_services_print(const char *root, FILE *out)
{
	struct services_entry s[SERVICES_MAX];
	long pids[SERVICES_MAX] = { 0 };
	size_t len, off = 0, line = 0, ns = 0, i;
	enum sk_result r;

	if (status_read(root, "/etc/sekimori/services", status_services,
		sizeof(status_services), &len) != SK_OK) {
		fputs("services: unknown\n", out);
		return;
	}
	while (ns < SERVICES_MAX &&
	    (r = services_next(status_services, len, &off, &line, &s[ns])) ==
		SK_OK) {
		ns++;
	}
	if (ns == SERVICES_MAX) {
		r = services_next(status_services, len, &off, &line, &s[0]);
		r = r == SK_OK ? SK_E_TOO_LONG : r;
	}
	if (r != SK_END) {
		fprintf(out, "services: line %zu: %s\n", line,
		    sk_result_str(r));
		return;
	}
	status_scan(root, s, ns, pids);
	for (i = 0; i < ns; i++) {
		fputs("service ", out);
		status_put(out, s[i].name, s[i].namelen);
		if (pids[i] != 0) {
			fprintf(out, ": running pid %ld\n", pids[i]);
		} else {
			fputs(": stopped\n", out);
		}
	}
}

/* status_run - print the status lines to out, reading files under root */
int
status_run(const char *root, FILE *out)
{
	fprintf(out, "product: %s\n", SK_PRODUCT);
	fprintf(out, "version: %s\n", SK_VERSION);
	status_hostname(root, out);
	status_slot(root, out);
	status_uptime(root, out);
	status_mounts_print(root, out);
	status_boot_count(root, out);
	status_services_print(root, out);
	/* A reader on a serial line knows the report is complete. */
	fputs("end of status\n", out);
	fflush(out);
	return 0;
}
