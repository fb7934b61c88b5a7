/*
 * cli_saved.c - saved configurations: the one folder that "load merge|
 * replace NAME", "save NAME" and "file list" see (cli.h, "Saved
 * configurations").
 *
 * Why: sekimori-cli runs as root on the box, so a file name typed by a
 * CLI user must not reach any other file (/config/startup.json, the
 * account files under /run/sekimori). Names are checked against one
 * pattern (no '/', no "..", no leading '.'), every open is relative to
 * the folder's descriptor with O_NOFOLLOW, and a save writes a new file
 * (O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600) beside the name and renames
 * it over the name: a symbolic link planted there is replaced, never
 * followed. Like Junos, which keeps a user's files in a home folder.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "io.h"

#define CLI_SAVED_LIST_MAX 1000 /* names "file list" shows */
#define CLI_SAVED_TMP_MAX (CLI_SAVED_NAME_MAX + 32) /* ".NAME.PID.tmp" */

int
cli_saved_name_ok(const char *name)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(name);

	if (n == 0 || n > CLI_SAVED_NAME_MAX ||
	    strchr(alnum, name[0]) == NULL) {
		return 0;
	}
	/* ".." is harmless without '/', but a name that reads like a
	 * way up is refused rather than explained */
	return strspn(name,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789._-") == n &&
	    strstr(name, "..") == NULL;
}

/* cli_saved_dir - the folder, made (0700) if missing, opened without
 * following a symbolic link; -1 and err when not */
static int
cli_saved_dir(const struct cli *c, char *err, size_t errlen)
{
	const char *dir = cli_save_dir(c);
	int fd;

	if (dir == NULL) {
		snprintf(err, errlen, "saved files are not available here");
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen,
		    "cannot make the folder of saved files: %s",
		    strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen,
		    "cannot open the folder of saved files: %s",
		    strerror(errno));
	}
	return fd;
}

/* cli_saved_why - err for a failed open or read of name */
static void
cli_saved_why(const char *name, int e, char *err, size_t errlen)
{
	if (e == ENOENT) {
		snprintf(err, errlen,
		    "%s: no such saved file (file list shows them)", name);
	} else if (e == ELOOP) {
		snprintf(err, errlen,
		    "%s: a symbolic link, not followed (saved files are "
		    "regular files)",
		    name);
	} else {
		snprintf(err, errlen, "%s: %s", name, strerror(e));
	}
}

/* cli_saved_read - the whole regular file fd, at most DS_FILE_MAX
 * octets, into *buf (malloc'd); SK_OK or err */
static enum sk_result
cli_saved_read(int fd, const char *name, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	ssize_t got = 0;
	size_t n = 0;

	*buf = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", name);
		return SK_E_IO;
	}
	if ((*buf = malloc(DS_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return SK_E_FULL;
	}
	/* one octet more than allowed tells a file that grew too big */
	while (n <= DS_FILE_MAX) {
		got = read(fd, *buf + n, DS_FILE_MAX + 1 - n);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			break;
		}
		n += (size_t)got;
	}
	if (got < 0 || n > DS_FILE_MAX) {
		if (got < 0) {
			cli_saved_why(name, errno, err, errlen);
		} else {
			snprintf(err, errlen, "%s: larger than %u octets", name,
			    DS_FILE_MAX);
		}
		free(*buf);
		*buf = NULL;
		return got < 0 ? SK_E_IO : SK_E_TOO_LONG;
	}
	*len = n;
	return SK_OK;
}

enum sk_result
cli_saved_load(struct cli *c, enum ds_load_mode mode, const char *name,
    char *err, size_t errlen)
{
	char msg[DS_ERR_MAX], *buf = NULL;
	enum sk_result r;
	size_t len = 0;
	int dfd, fd;

	if ((dfd = cli_saved_dir(c, err, errlen)) < 0) {
		return SK_E_IO;
	}
	/* O_NONBLOCK: a FIFO planted under the name must not hang the
	 * session; a regular file reads the same */
	fd = openat(dfd, name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		cli_saved_why(name, errno, err, errlen);
		close(dfd);
		return SK_E_IO;
	}
	r = cli_saved_read(fd, name, &buf, &len, err, errlen);
	close(fd);
	close(dfd);
	if (r != SK_OK) {
		return r;
	}
	r = ds_load_buf(c->s, mode, (const uint8_t *)buf, len, msg,
	    sizeof(msg));
	free(buf);
	if (r != SK_OK) {
		snprintf(err, errlen, "%s: %s", name, msg);
	}
	return r;
}

/* cli_saved_create - a new file tmp in dfd, never an existing one or a
 * link; a file of that name left by a crash of a process with our pid
 * is removed once */
static int
cli_saved_create(int dfd, const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dfd, tmp, flags, 0600);

	if (fd < 0 && errno == EEXIST && unlinkat(dfd, tmp, 0) == 0) {
		fd = openat(dfd, tmp, flags, 0600);
	}
	return fd;
}

enum sk_result
cli_saved_save(struct cli *c, const char *name, char *err, size_t errlen)
{
	char tmp[CLI_SAVED_TMP_MAX], *json = NULL;
	enum sk_result r;
	int dfd, fd, e = 0;

	if ((r = ds_json(c->s, &json, err, errlen)) != SK_OK) {
		return r;
	}
	if ((dfd = cli_saved_dir(c, err, errlen)) < 0) {
		free(json);
		return SK_E_IO;
	}
	/* a leading '.' is outside the name pattern: no user file clashes
	 * and file list does not show it */
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	if ((fd = cli_saved_create(dfd, tmp)) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		free(json);
		close(dfd);
		return SK_E_IO;
	}
	if (io_write_all(fd, json, strlen(json)) != 0 || io_sync(fd) != 0) {
		e = errno;
	}
	if (close(fd) != 0 && e == 0) {
		e = errno;
	}
	if (e == 0 && renameat(dfd, tmp, dfd, name) != 0) {
		e = errno; /* a folder of that name, say */
	}
	if (e != 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		(void)unlinkat(dfd, tmp, 0);
	} else {
		(void)io_sync(dfd); /* the rename itself is durable */
	}
	free(json);
	close(dfd);
	return e == 0 ? SK_OK : SK_E_IO;
}

/* cli_saved_cmp - qsort order of names */
static int
cli_saved_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void
cli_saved_list(struct cli *c, struct cli_text *out)
{
	char(*names)[CLI_SAVED_NAME_MAX + 1] = NULL, err[DS_ERR_MAX];
	size_t n = 0, more = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int dfd;

	if ((dfd = cli_saved_dir(c, err, sizeof(err))) < 0 ||
	    (names = calloc(CLI_SAVED_LIST_MAX, sizeof(*names))) == NULL ||
	    (d = fdopendir(dfd)) == NULL) {
		cli_text_add(out, "error: %s\n",
		    dfd < 0 ? err : "out of memory");
		if (dfd >= 0) {
			close(dfd);
		}
		free(names);
		return;
	}
	/* only what load could read: a valid name of a regular file */
	while ((de = readdir(d)) != NULL) {
		if (!cli_saved_name_ok(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			continue;
		}
		if (n == CLI_SAVED_LIST_MAX) {
			more++;
			continue;
		}
		/* cli_saved_name_ok: at most CLI_SAVED_NAME_MAX octets */
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cli_saved_cmp);
	if (n == 0) {
		cli_text_add(out, "No saved files\n");
	}
	for (i = 0; i < n; i++) {
		cli_text_add(out, "%s\n", names[i]);
	}
	if (more > 0) {
		cli_text_add(out, "(%zu more not shown)\n", more);
	}
	free(names);
}
