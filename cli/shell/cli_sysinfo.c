/*
 * cli_sysinfo.c - what the operational commands read from the running
 * system, for sekimori-cli's hooks (cli.h): the CLI sessions logged in
 * ("show system users") and the network interfaces ("show interfaces").
 *
 * Sessions: every interactive sekimori-cli writes DIR/PID ("USER SOURCE
 * SINCE\n", at most CLI_SESSION_LINE_MAX octets) when it starts and
 * removes it when it ends. A file whose process is gone (a crash, a
 * power cut of /run is no issue: it is tmpfs) or is no sekimori-cli is
 * skipped and removed. The files are written by root only; they are
 * still read as untrusted text (bounded, printable, three words).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"

#define CLI_SESSION_LINE_MAX 160
#define CLI_SESSIONS_MAX 256 /* shown */
#define CLI_IFS_MAX 64       /* interfaces shown */
#define CLI_IF_ADDRS_MAX 16  /* addresses per interface */

/* cli_session_path - DIR/PID into out */
static int
cli_session_path(char *out, size_t cap, const char *dir, long pid)
{
	int n = snprintf(out, cap, "%s/%ld", dir, pid);

	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int
cli_session_register(const char *dir, const char *user, const char *source,
    time_t since)
{
	char path[512], tmp[520], line[CLI_SESSION_LINE_MAX];
	int fd, n, ok;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		return -1;
	}
	if (cli_session_path(path, sizeof(path), dir, (long)getpid()) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp)) {
		return -1;
	}
	n = snprintf(line, sizeof(line), "%s %s %lld\n", user, source,
	    (long long)since);
	if (n <= 0 || (size_t)n >= sizeof(line)) {
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0) {
		return -1;
	}
	ok = write(fd, line, (size_t)n) == n;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

void
cli_session_unregister(const char *dir)
{
	char path[512];

	if (cli_session_path(path, sizeof(path), dir, (long)getpid()) == 0) {
		(void)unlink(path);
	}
}

/* cli_session_alive - whether pid runs sekimori-cli */
static int
cli_session_alive(long pid)
{
	char path[64], comm[32];
	FILE *f;
	int ok = 0;

	if (kill((pid_t)pid, 0) != 0 && errno != EPERM) {
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if ((f = fopen(path, "r")) != NULL) {
		ok = fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "sekimori-cli", 12) == 0;
		fclose(f);
	}
	return ok;
}

/* cli_session_word - the next word of s (printable, no space) into
 * out[cap]; the rest after it, or NULL when there is none */
static const char *
cli_session_word(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (s[n] > ' ' && s[n] < 0x7f) {
		n++;
	}
	if (n == 0 || n >= cap) {
		return NULL;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return s[n] == ' ' ? s + n + 1 : s + n;
}

/* cli_session_show - one file's line as a row of the table; 0 when the
 * file is not a live session's (it is then removed) */
static int
cli_session_show(const char *dir, const char *name, time_t now,
    struct cli_text *out)
{
	char path[512], line[CLI_SESSION_LINE_MAX], user[64], source[64],
	    since[24], when[32];
	const char *p;
	struct tm tm;
	long pid;
	char *end;
	time_t t;
	FILE *f;

	pid = strtol(name, &end, 10);
	if (*end != '\0' || pid <= 0 ||
	    cli_session_path(path, sizeof(path), dir, pid) != 0) {
		return 0;
	}
	if (!cli_session_alive(pid)) {
		(void)unlink(path);
		return 0;
	}
	if ((f = fopen(path, "r")) == NULL) {
		return 0;
	}
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL ||
	    (p = cli_session_word(line, user, sizeof(user))) == NULL ||
	    (p = cli_session_word(p, source, sizeof(source))) == NULL ||
	    cli_session_word(p, since, sizeof(since)) == NULL) {
		return 0;
	}
	t = (time_t)strtoll(since, NULL, 10);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(when, sizeof(when), "?");
	}
	cli_text_add(out, "%-12s %-18s %s UTC  %7ld  %lds\n", user, source,
	    when, pid, (long)(now - t));
	return 1;
}

int
cli_sessions_list(const char *dir, time_t now, struct cli_text *out)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	cli_text_add(out, "%-12s %-18s %-23s  %7s  %s\n", "User", "From",
	    "Login", "Pid", "Age");
	if ((d = opendir(dir)) == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL && n < CLI_SESSIONS_MAX) {
		if (e->d_name[0] != '.') {
			n += cli_session_show(dir, e->d_name, now, out);
		}
	}
	closedir(d);
	return n;
}

/* cli_if_sysfs - /sys/class/net/NAME/FILE's first line into out ("" if
 * none) */
static void
cli_if_sysfs(const char *name, const char *file, char *out, size_t cap)
{
	char path[128];
	FILE *f;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, file) >=
		(int)sizeof(path) ||
	    (f = fopen(path, "r")) == NULL) {
		return;
	}
	if (fgets(out, (int)cap, f) == NULL) {
		out[0] = '\0';
	}
	out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* cli_if_prefix - the prefix length of a netmask */
static int
cli_if_prefix(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t n, i;
	int bits = 0;

	if (mask == NULL) {
		return -1;
	}
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&(
		    (const struct sockaddr_in *)(const void *)mask)
			->sin_addr;
		n = 4;
	} else if (mask->sa_family == AF_INET6) {
		b = ((const struct sockaddr_in6 *)(const void *)mask)
			->sin6_addr.s6_addr;
		n = 16;
	} else {
		return -1;
	}
	for (i = 0; i < n; i++) {
		bits += __builtin_popcount(b[i]);
	}
	return bits;
}

/* cli_if_addrs - NAME's addresses from the list, "A/P, A/P" */
static void
cli_if_addrs(const struct ifaddrs *all, const char *name, struct cli_text *out)
{
	char text[INET6_ADDRSTRLEN];
	const struct ifaddrs *a;
	const void *bin;
	int shown = 0;

	for (a = all; a != NULL && shown < CLI_IF_ADDRS_MAX; a = a->ifa_next) {
		if (a->ifa_addr == NULL || strcmp(a->ifa_name, name) != 0) {
			continue;
		}
		if (a->ifa_addr->sa_family == AF_INET) {
			bin = &((const struct sockaddr_in *)(const void *)
				    a->ifa_addr)
				   ->sin_addr;
		} else if (a->ifa_addr->sa_family == AF_INET6) {
			bin = &((const struct sockaddr_in6 *)(const void *)
				    a->ifa_addr)
				   ->sin6_addr;
		} else {
			continue;
		}
		if (inet_ntop(a->ifa_addr->sa_family, bin, text,
			sizeof(text)) == NULL) {
			continue;
		}
		cli_text_add(out, "%s%s/%d", shown > 0 ? ", " : "", text,
		    cli_if_prefix(a->ifa_netmask));
		shown++;
	}
}

int
cli_interfaces_list(struct cli_text *out)
{
	struct if_nameindex *ifs, *i;
	struct ifaddrs *all = NULL;
	char state[32], mtu[16], mac[32];
	int n = 0;

	if ((ifs = if_nameindex()) == NULL) {
		cli_text_add(out, "error: cannot list the interfaces: %s\n",
		    strerror(errno));
		return -1;
	}
	(void)getifaddrs(&all);
	cli_text_add(out, "%-10s %-8s %-6s %-18s %s\n", "Interface", "State",
	    "MTU", "MAC", "Addresses");
	for (i = ifs; i->if_index != 0 && n < CLI_IFS_MAX; i++, n++) {
		cli_if_sysfs(i->if_name, "operstate", state, sizeof(state));
		cli_if_sysfs(i->if_name, "mtu", mtu, sizeof(mtu));
		cli_if_sysfs(i->if_name, "address", mac, sizeof(mac));
		cli_text_add(out, "%-10s %-8s %-6s %-18s ", i->if_name,
		    state[0] != '\0' ? state : "?", mtu,
		    mac[0] != '\0' ? mac : "-");
		cli_if_addrs(all, i->if_name, out);
		cli_text_add(out, "\n");
	}
	if (all != NULL) {
		freeifaddrs(all);
	}
	if_freenameindex(ifs);
	return n;
}
