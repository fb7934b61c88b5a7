/*
 * test_transcript.c - golden transcripts: .in escapes, the testdata
 * folder, .ref comparison and update. Test-only (see the header).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sk.h"
#include "test.h"
#include "test_transcript.h"

#define TEST_TRANSCRIPT_NAME 256 /* a file name */

long
test_transcript_unescape(const char *in, uint8_t *out, size_t cap, int crlf)
{
	size_t n = 0;

	while (*in != '\0' && n + 2 < cap) {
		if (*in != '\\') {
			out[n++] = (uint8_t)*in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case '0':
			out[n++] = '\0';
			break;
		case '\\':
			out[n++] = '\\';
			break;
		case 'c':
			if (in[1] != '\0') {
				return -1;
			}
			crlf = 0;
			break;
		case 'x':
			if (sk_hexval(in[1]) < 0 || sk_hexval(in[2]) < 0) {
				return -1;
			}
			out[n++] =
			    (uint8_t)(sk_hexval(in[1]) << 4 | sk_hexval(in[2]));
			in += 2;
			break;
		default:
			return -1;
		}
		in++;
	}
	if (crlf) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	return (long)n;
}

/* join - out = a b c, or 0 if it does not fit (no silent truncation) */
static int
join(char *out, size_t cap, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	if (la + lb + lc >= cap) {
		return 0;
	}
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	memcpy(out + la + lb, c, lc + 1);
	return 1;
}

/* readable - path = a b c, and it can be read */
static int
readable(char *path, const char *a, const char *b, const char *c)
{
	return join(path, TEST_TRANSCRIPT_PATH, a, b, c) &&
	    access(path, R_OK) == 0;
}

const char *
test_transcript_dir(const char *rel)
{
	static char path[TEST_TRANSCRIPT_PATH];
	const char *top = getenv("SK_TOP");
	char up[TEST_TRANSCRIPT_PATH] = ".";
	int i;

	if (top != NULL) {
		return readable(path, top, "/firmware/", rel) ? path : NULL;
	}
	/* a test runs from the tree, firmware/ or the build directory */
	for (i = 0; i < TEST_TRANSCRIPT_UP; i++) {
		if (readable(path, up, "/firmware/", rel) ||
		    readable(path, up, "/", rel)) {
			return path;
		}
		strncat(up, "/..", sizeof(up) - strlen(up) - 1);
	}
	return NULL;
}

void
test_transcript_diff(const char *name, const char *got, const char *want)
{
	const char *g = got, *w = want, *ge, *we;
	int line = 1;

	for (;;) {
		ge = strchr(g, '\n');
		we = strchr(w, '\n');
		ge = ge != NULL ? ge : g + strlen(g);
		we = we != NULL ? we : w + strlen(w);
		if (ge - g != we - w || memcmp(g, w, (size_t)(ge - g)) != 0) {
			test_fail("%s.ref line %d: got \"%.*s\", want \"%.*s\"",
			    name, line, (int)(ge - g), g, (int)(we - w), w);
			return;
		}
		if (*ge == '\0' || *we == '\0') {
			if (*ge != *we) {
				test_fail("%s.ref: lengths differ after line "
					  "%d",
				    name, line);
			}
			return;
		}
		g = ge + 1;
		w = we + 1;
		line++;
	}
}

/* write_ref - the transcript becomes path (the update variable is set) */
static void
write_ref(const char *path, const char *got)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(got, f) == EOF) {
		test_fail("%s: cannot write", path);
	}
	if (f != NULL) {
		fclose(f);
	}
}

/* check_ref - compare got with (or write it to) dir/name.ref */
static void
check_ref(const char *dir, const char *name, const char *got,
    const char *update_var)
{
	static char want[TEST_TRANSCRIPT_MAX];
	const char *update = getenv(update_var);
	char path[TEST_TRANSCRIPT_PATH];
	size_t n;
	FILE *f;

	if (!join(path, sizeof(path), dir, "/", name) ||
	    strlen(path) + 4 >= sizeof(path)) {
		test_fail("%s: path too long", name);
		return;
	}
	strcat(path, ".ref");
	if (update != NULL && strcmp(update, "1") == 0) {
		write_ref(path, got);
		return;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		test_fail("%s: missing (%s=1 writes it)", path, update_var);
		return;
	}
	n = fread(want, 1, sizeof(want) - 1, f);
	want[n] = '\0';
	fclose(f);
	if (strcmp(want, got) != 0) {
		test_transcript_diff(name, got, want);
	}
}

/* cmp_names - qsort order of file names */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* in_names - the NAMEs of dir's NAME.in files, sorted, into order */
static size_t
in_names(DIR *d, char names[][TEST_TRANSCRIPT_NAME], char **order)
{
	struct dirent *e;
	size_t n = 0, len;

	while ((e = readdir(d)) != NULL && n < TEST_TRANSCRIPT_FILES) {
		len = strlen(e->d_name);
		if (len > 3 && len < TEST_TRANSCRIPT_NAME &&
		    strcmp(e->d_name + len - 3, ".in") == 0) {
			memcpy(names[n], e->d_name, len - 3);
			names[n][len - 3] = '\0';
			order[n] = names[n];
			n++;
		}
	}
	qsort(order, n, sizeof(order[0]), cmp_names);
	return n;
}

int
test_transcript_line(FILE *f, char *line, size_t cap, int *lineno)
{
	size_t n;

	while (fgets(line, (int)cap, f) != NULL) {
		++*lineno;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n') {
			line[--n] = '\0';
		}
		if (n > 0 && line[0] != '#') {
			return 1;
		}
	}
	return 0;
}

size_t
test_transcript_run(const char *rel, test_transcript_replay replay,
    const char *update_var)
{
	static char names[TEST_TRANSCRIPT_FILES][TEST_TRANSCRIPT_NAME];
	char *order[TEST_TRANSCRIPT_FILES], path[TEST_TRANSCRIPT_PATH];
	const char *got;
	const char *dir = test_transcript_dir(rel);
	size_t n, i;
	DIR *d;

	if (dir == NULL) {
		test_fail("firmware/%s not found (set SK_TOP)", rel);
		return 0;
	}
	d = opendir(dir);
	if (d == NULL) {
		test_fail("%s: cannot open", dir);
		return 0;
	}
	n = in_names(d, names, order);
	closedir(d);
	if (n == 0) {
		test_fail("%s: no .in files", dir);
	}
	for (i = 0; i < n; i++) {
		if (!join(path, sizeof(path), dir, "/", order[i]) ||
		    strlen(path) + 3 >= sizeof(path)) {
			test_fail("%s: path too long", order[i]);
			continue;
		}
		strcat(path, ".in");
		got = replay(path);
		if (got != NULL) {
			check_ref(dir, order[i], got, update_var);
		}
	}
	return n;
}
