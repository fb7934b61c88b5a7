/*
 * stats.c - the supervisor's side of the mail statistics (stats.h): the
 * shared slots, their sums, clear, and the answer's text.
 */
#include <sys/mman.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stats.h"

/* One row of the table: where and how a number is shown. */
struct stats_row {
	const char *section, *name;
	enum stats_kind kind;
};

#define STATS_ROW(id, section, name, kind) { section, name, kind },
static const struct stats_row stats_rows[STATS_N] = { STATS_TABLE(STATS_ROW) };
#undef STATS_ROW

/* Section headings, in the order of the table. */
static const struct {
	const char *section, *heading;
} stats_headings[] = {
	{ "smtp", "smtp server" },
	{ "queue", "queue" },
	{ "queue-now", "queue now" },
	{ "delivery", "delivery" },
};

#define STATS_NAME_COL 28  /* a name and its padding */
#define STATS_VALUE_COL 14 /* each value, right-aligned */

/* stats_slot_size - a slot rounded up to whole pages (4 KiB or more:
 * rounding to 4 KiB multiples is enough for mmap, which rounds up) */
static size_t
stats_slot_size(void)
{
	return (sizeof(struct stats_slot) + 4095) & ~(size_t)4095;
}

int
stats_open(struct stats_view *sv, int64_t now)
{
	size_t i, j;
	void *p;

	memset(sv, 0, sizeof(*sv));
	for (i = 0; i < MSG_ROLES; i++) {
		p = mmap(NULL, stats_slot_size(), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			int e = errno;

			for (j = 0; j < i; j++) {
				munmap(sv->slot[j], stats_slot_size());
				sv->slot[j] = NULL;
			}
			errno = e;
			return -1;
		}
		sv->slot[i] = p; /* zeroed by the kernel */
	}
	sv->started = now;
	sv->cleared = now;
	return 0;
}

void
stats_child_enter(struct stats_view *sv, enum msg_role role)
{
	size_t i;

	for (i = 0; i < MSG_ROLES; i++) {
		if (i != (size_t)role && sv->slot[i] != NULL) {
			munmap(sv->slot[i], stats_slot_size());
			sv->slot[i] = NULL;
		}
	}
	stats_self = (size_t)role < MSG_ROLES ? sv->slot[role] : NULL;
}

void
stats_totals(const struct stats_view *sv, uint64_t out[STATS_N])
{
	size_t i, k;

	memset(out, 0, STATS_N * sizeof(out[0]));
	for (i = 0; i < MSG_ROLES; i++) {
		for (k = 0; sv->slot[i] != NULL && k < STATS_N; k++) {
			out[k] += __atomic_load_n(&sv->slot[i]->v[k],
			    __ATOMIC_RELAXED);
		}
	}
}

void
stats_clear(struct stats_view *sv, int64_t now)
{
	stats_totals(sv, sv->base);
	sv->cleared = now;
}

/* stats_utc - unix seconds t as "2026-11-26T12:00:00Z" */
static void
stats_utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, size, "%" PRId64, t);
	}
}

/* A bounded writer: whole lines only, so a cut answer stays parseable. */
struct stats_out {
	char *buf;
	size_t size, len;
	int full;
};

static void SK_PRINTF(2, 3)
    stats_line(struct stats_out *o, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (o->full || n < 0 || (size_t)n >= sizeof(line) ||
	    o->len + (size_t)n + 2 > o->size) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, line, (size_t)n);
	o->len += (size_t)n;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
}

/* stats_section - the heading and the rows of one section */
static void
stats_section(struct stats_out *o, const char *section, const char *heading,
    const uint64_t total[STATS_N], const uint64_t base[STATS_N])
{
	size_t k;
	int gauge = 0;

	for (k = 0; k < STATS_N; k++) {
		if (strcmp(stats_rows[k].section, section) == 0) {
			gauge = stats_rows[k].kind == STATS_GAUGE;
			break;
		}
	}
	if (gauge) {
		stats_line(o, "%-*s%*s", STATS_NAME_COL, heading,
		    STATS_VALUE_COL, "now");
	} else {
		stats_line(o, "%-*s%*s%*s", STATS_NAME_COL, heading,
		    STATS_VALUE_COL, "since-clear", STATS_VALUE_COL,
		    "since-start");
	}
	for (k = 0; k < STATS_N; k++) {
		if (strcmp(stats_rows[k].section, section) != 0) {
			continue;
		}
		if (stats_rows[k].kind == STATS_GAUGE) {
			stats_line(o, "  %-*s%*" PRIu64, STATS_NAME_COL - 2,
			    stats_rows[k].name, STATS_VALUE_COL, total[k]);
		} else {
			/* a counter never shrinks; base <= total unless a
			 * child's slot was damaged: show 0, not a wrap */
			stats_line(o, "  %-*s%*" PRIu64 "%*" PRIu64,
			    STATS_NAME_COL - 2, stats_rows[k].name,
			    STATS_VALUE_COL,
			    total[k] >= base[k] ? total[k] - base[k] : 0,
			    STATS_VALUE_COL, total[k]);
		}
	}
}

size_t
stats_format(const uint64_t total[STATS_N], const uint64_t base[STATS_N],
    int64_t started, int64_t cleared, int64_t now, char *buf, size_t size)
{
	struct stats_out o = { buf, size, 0, 0 };
	char t[32];
	size_t i;

	if (size == 0) {
		return 0;
	}
	buf[0] = '\0';
	stats_utc(started, t, sizeof(t));
	stats_line(&o, "%-*s%s (%" PRId64 " s ago)", STATS_NAME_COL, "started",
	    t, now - started);
	stats_utc(cleared, t, sizeof(t));
	stats_line(&o, "%-*s%s (%" PRId64 " s ago)", STATS_NAME_COL, "cleared",
	    t, now - cleared);
	for (i = 0; i < SK_NELEM(stats_headings); i++) {
		stats_line(&o, "%s", "");
		stats_section(&o, stats_headings[i].section,
		    stats_headings[i].heading, total, base);
	}
	return o.len;
}
