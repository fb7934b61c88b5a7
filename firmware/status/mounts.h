/*
 * mounts.h - strict sans-I/O parser of /proc/mounts.
 *
 * Each line is "device mountpoint fstype options dump pass\n": six fields
 * separated by single spaces, where the kernel writes space, tab, newline
 * and backslash inside a field as \040, \011, \012 and \134 (octal). The
 * options start with "rw" or "ro". Anything else (a seventh field, a
 * missing newline at the end, a stray control byte, a bad escape) is
 * SK_E_SYNTAX: the file comes from the kernel, so a surprise means we read
 * something else, or a truncated copy.
 *
 * Ownership: entries point into the caller's buffer; nothing is copied.
 */
#ifndef SK_MOUNTS_H
#define SK_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/* A mount point of PATH_MAX (4096) bytes all escaped (4 bytes each), plus
 * device, type and options of the same order: 16 KiB bounds any line the
 * kernel writes for paths we could look up. */
#define MOUNTS_LINE_MAX 16384
#define MOUNTS_FIELDS 6

struct mounts_entry {
	const uint8_t *field[MOUNTS_FIELDS]; /* raw, still escaped */
	size_t len[MOUNTS_FIELDS];
	int ro; /* first option is "ro" */
};

enum { MOUNTS_DEVICE, MOUNTS_DIR, MOUNTS_TYPE, MOUNTS_OPTS };

/* mounts_next - parse the line at *off; SK_OK, SK_END or SK_E_* */
enum sk_result mounts_next(const uint8_t *buf, size_t len, size_t *off,
    struct mounts_entry *e);
/* mounts_dir_is - whether the escaped mount point equals path */
int mounts_dir_is(const struct mounts_entry *e, const char *path);

struct mounts_query {
	const char *path; /* mount point asked about, e.g. "/config" */
	int found;        /* some line mounts it */
	int ro;           /* of the last such line: the mount on top wins */
};

/*
 * mounts_parse - answer every query from the whole file; on an error,
 * *line is the 1-based number of the bad line and queries are unchanged.
 */
enum sk_result mounts_parse(const uint8_t *buf, size_t len,
    struct mounts_query *q, size_t nq, size_t *line);

#endif /* SK_MOUNTS_H */
