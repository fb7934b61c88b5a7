/*
 * accounts.c - DIR/passwd and the users' authorized_keys from the
 * running configuration (accounts.h has the layout and why).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"

#define ACCOUNTS_USERS "/sekimori-system:system/user"
#define ACCOUNTS_BANNER "/sekimori-system:system/login/banner"
#define ACCOUNTS_KEY_OPTIONS \
	"no-port-forwarding,no-agent-forwarding,no-X11-forwarding"
#define ACCOUNTS_PATH_MAX 512
#define ACCOUNTS_NAME_MAX 33 /* the model's 32 and a NUL */

/* accounts_word - the length of the word at s (up to len or a space) */
static size_t
accounts_word(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != ' ') {
		n++;
	}
	return n;
}

static int
accounts_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

int
accounts_key_line(const char *key, size_t len, unsigned index, char *out,
    size_t cap)
{
	size_t tlen = accounts_word(key, len), blen, i;
	const char *b64;
	int n;

	if (tlen == 0 || tlen >= len) {
		return -1;
	}
	for (i = 0; i < tlen; i++) { /* the model's types: [a-z0-9@.-] */
		if (!((key[i] >= 'a' && key[i] <= 'z') ||
			(key[i] >= '0' && key[i] <= '9') || key[i] == '-' ||
			key[i] == '@' || key[i] == '.')) {
			return -1;
		}
	}
	b64 = key + tlen + 1;
	blen = accounts_word(b64, len - tlen - 1);
	if (blen == 0) {
		return -1;
	}
	for (i = 0; i < blen; i++) {
		if (!accounts_base64_char(b64[i])) {
			return -1;
		}
	}
	n = snprintf(out, cap, "%s %.*s %.*s key-%u\n", ACCOUNTS_KEY_OPTIONS,
	    (int)tlen, key, (int)blen, b64, index);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* accounts_read - the whole of path (at most ACCOUNTS_BASE_MAX octets)
 * into buf, NUL-terminated; -1 with err set */
static int
accounts_read(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	n = fread(buf, 1, cap - 1, f);
	if (ferror(f) || !feof(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    ferror(f) ? "read error" : "too long");
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* accounts_in_base - whether base (passwd text) has an entry for name */
static int
accounts_in_base(const char *base, const char *name)
{
	size_t n = strlen(name);
	const char *line = base;

	while (*line != '\0') {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			return 1;
		}
		line = strchr(line, '\n');
		if (line == NULL) {
			break;
		}
		line++;
	}
	return 0;
}

/* accounts_put - data[len] as path (mode), through path.new and a
 * rename; -1 with err set */
static int
accounts_put(const char *path, const char *data, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	char tmp[ACCOUNTS_PATH_MAX + 8];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	ok = fchmod(fileno(f), mode) == 0 && fwrite(data, 1, len, f) == len &&
	    fflush(f) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* accounts_mkdir - path as a directory of mode (made, or put right) */
static int
accounts_mkdir(const char *path, mode_t mode, char *err, size_t errlen)
{
	if ((mkdir(path, mode) == -1 && errno != EEXIST) ||
	    chmod(path, mode) == -1) {
		snprintf(err, errlen, "cannot make %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* accounts_keys - the authorized_keys text of user (malloc'd, "" when
 * the user has no key); NULL when out of memory */
static char *
accounts_keys(const struct lyd_node *user)
{
	struct ly_set *set = NULL;
	char line[ACCOUNTS_LINE_MAX], *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	const char *v;

	if (f == NULL) {
		return NULL;
	}
	if (lyd_find_xpath(user, "authentication/ssh-public-key", &set) ==
	    LY_SUCCESS) {
		for (i = 0; i < set->count; i++) {
			v = lyd_get_value(set->dnodes[i]);
			if (accounts_key_line(v, strlen(v), (unsigned)i + 1,
				line, sizeof(line)) == 0) {
				fputs(line, f);
			}
		}
	}
	ly_set_free(set, NULL);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* accounts_home - DIR/home/NAME/.ssh/authorized_keys for one user */
static int
accounts_home(const char *dir, const char *name, const struct lyd_node *user,
    char *err, size_t errlen)
{
	char path[ACCOUNTS_PATH_MAX], *keys;
	int rc;

	snprintf(path, sizeof(path), "%s/home/%s", dir, name);
	if (accounts_mkdir(path, 0755, err, errlen) == -1) {
		return -1;
	}
	snprintf(path, sizeof(path), "%s/home/%s/.ssh", dir, name);
	if (accounts_mkdir(path, 0700, err, errlen) == -1) {
		return -1;
	}
	if ((keys = accounts_keys(user)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/home/%s/.ssh/authorized_keys", dir,
	    name);
	rc = accounts_put(path, keys, strlen(keys), 0600, err, errlen);
	free(keys);
	return rc;
}

/* accounts_is_user - whether tree has a user called name */
static int
accounts_is_user(const struct lyd_node *tree, const char *name)
{
	char path[ACCOUNTS_PATH_MAX];
	struct lyd_node *n = NULL;

	if (tree == NULL || strlen(name) >= ACCOUNTS_NAME_MAX ||
	    strchr(name, '\'') != NULL) {
		return 0;
	}
	snprintf(path, sizeof(path), ACCOUNTS_USERS "[name='%s']", name);
	return lyd_find_path(tree, path, 0, &n) == LY_SUCCESS && n != NULL;
}

/* accounts_prune - remove the homes of names that are no users now (only
 * what accounts_home makes: HOME/.ssh/authorized_keys, the folders) */
static void
accounts_prune(const struct lyd_node *tree, const char *dir)
{
	char home[ACCOUNTS_PATH_MAX], path[ACCOUNTS_PATH_MAX * 2];
	struct dirent *e;
	DIR *d;

	snprintf(home, sizeof(home), "%s/home", dir);
	if ((d = opendir(home)) == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || accounts_is_user(tree, e->d_name)) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/.ssh/authorized_keys", home,
		    e->d_name);
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/%s/.ssh", home, e->d_name);
		(void)rmdir(path);
		snprintf(path, sizeof(path), "%s/%s", home, e->d_name);
		(void)rmdir(path);
	}
	closedir(d);
}

/* accounts_users - the model's users: homes made, passwd lines into f */
static int
accounts_users(const struct lyd_node *tree, const char *base, const char *dir,
    FILE *f, char *err, size_t errlen)
{
	struct ly_set *set = NULL;
	const char *name;
	size_t i;
	int rc = 0;

	if (tree == NULL ||
	    lyd_find_xpath(tree, ACCOUNTS_USERS, &set) != LY_SUCCESS) {
		return 0;
	}
	for (i = 0; i < set->count && rc == 0; i++) {
		name = lyd_get_value(lyd_child(set->dnodes[i])); /* the key */
		if (name == NULL || accounts_in_base(base, name)) {
			continue;
		}
		rc = accounts_home(dir, name, set->dnodes[i], err, errlen);
		if (rc == 0) {
			fprintf(f, "%s:x:0:%d:Sekimori CLI:%s/home/%s:%s\n",
			    name, ACCOUNTS_GID, dir, name, ACCOUNTS_SHELL);
		}
	}
	ly_set_free(set, NULL);
	return rc;
}

enum sk_result
accounts_write(const struct lyd_node *tree, const char *base, const char *dir,
    char *err, size_t errlen)
{
	static char sysaccts[ACCOUNTS_BASE_MAX];
	char path[ACCOUNTS_PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (accounts_read(base, sysaccts, sizeof(sysaccts), err, errlen) ==
	    -1) {
		return SK_E_IO;
	}
	snprintf(path, sizeof(path), "%s/home", dir);
	if (accounts_mkdir(dir, 0755, err, errlen) == -1 ||
	    accounts_mkdir(path, 0755, err, errlen) == -1) {
		return SK_E_IO;
	}
	if ((f = open_memstream(&text, &len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return SK_E_IO;
	}
	fputs(sysaccts, f);
	if (sysaccts[0] != '\0' && sysaccts[strlen(sysaccts) - 1] != '\n') {
		fputc('\n', f);
	}
	rc = accounts_users(tree, sysaccts, dir, f, err, errlen);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	snprintf(path, sizeof(path), "%s/passwd", dir);
	if (rc == 0) {
		rc = accounts_put(path, text, len, 0644, err, errlen);
	}
	free(text);
	if (rc == 0) {
		accounts_prune(tree, dir);
	}
	return rc == 0 ? SK_OK : SK_E_IO;
}

/* accounts_utf8_start - whether c begins a character (not a continuation
 * octet 10xxxxxx), so a cut before it keeps every character whole */
static int
accounts_utf8_start(unsigned char c)
{
	return (c & 0xc0) != 0x80;
}

size_t
accounts_banner_text(const struct lyd_node *tree, char *out, size_t cap)
{
	struct lyd_node *n = NULL;
	const unsigned char *v;
	size_t len, i;

	out[0] = '\0';
	if (tree == NULL || cap <= ACCOUNTS_BANNER_MAX ||
	    lyd_find_path(tree, ACCOUNTS_BANNER, 0, &n) != LY_SUCCESS ||
	    n == NULL) {
		return 0;
	}
	v = (const unsigned char *)lyd_get_value(n);
	len = strlen((const char *)v);
	if (len > ACCOUNTS_BANNER_MAX - 1) { /* room for the line end */
		len = ACCOUNTS_BANNER_MAX - 1;
		while (len > 0 && !accounts_utf8_start(v[len])) {
			len--;
		}
	}
	for (i = 0; i < len; i++) {
		out[i] = (v[i] < 0x20 && v[i] != '\t' && v[i] != '\n') ||
			v[i] == 0x7f ?
		    '?' :
		    (char)v[i];
	}
	if (len > 0 && out[len - 1] != '\n') {
		out[len++] = '\n';
	}
	out[len] = '\0';
	return len;
}

int
accounts_write_banner(const struct lyd_node *tree, const char *dir, char *err,
    size_t errlen)
{
	char path[ACCOUNTS_PATH_MAX], text[ACCOUNTS_BANNER_MAX + 1];
	char old[ACCOUNTS_BANNER_MAX + 2];
	size_t len = accounts_banner_text(tree, text, sizeof(text));
	char ignored[8];

	snprintf(path, sizeof(path), "%s/banner", dir);
	if (accounts_read(path, old, sizeof(old), ignored, sizeof(ignored)) ==
		0 &&
	    strcmp(old, text) == 0) {
		return 0;
	}
	return accounts_put(path, text, len, 0644, err, errlen) == 0 ? 1 : -1;
}

int
accounts_restart_sshd(const char *pidfile)
{
	char buf[24], comm[32], path[64], ignored[8];
	long pid;
	char *end;

	if (accounts_read(pidfile, buf, sizeof(buf), ignored,
		sizeof(ignored)) == -1) {
		return -1;
	}
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    pid <= 1) {
		return -1;
	}
	/* a stale pid file may name another process by now */
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (accounts_read(path, comm, sizeof(comm), ignored, sizeof(ignored)) ==
		-1 ||
	    strcmp(comm, "dropbear\n") != 0) {
		return -1;
	}
	return kill((pid_t)pid, SIGTERM) == 0 ? 0 : -1;
}
