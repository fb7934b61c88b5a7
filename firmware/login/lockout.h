/*
 * lockout.h - counting failed logins per user name and per source
 * address, and refusing both for a while once they exceed a limit.
 *
 * The policy is the YANG grouping sk-t:lockout-policy (mail smtp-auth
 * and system login use the same one): max-failures-per-user,
 * max-failures-per-source, failure-window, lockout-time.
 *
 * Use, per login attempt:
 *   1. lockout_check: if it reports a lock, refuse without looking at
 *      the password (the refusal is not counted and does not extend the
 *      lock: sk-t:lockout-policy, lockout-time).
 *   2. check the password (passwd.h);
 *   3. lockout_failure on a wrong one, lockout_success on a right one.
 *
 * Decisions:
 *   - Unknown user names are counted like known ones. Otherwise the lock
 *     would only ever hit real accounts, and hitting the limit would tell
 *     an attacker which names exist.
 *   - A success clears the user's count, not the source's: an attacker
 *     who owns one account must not be able to reset the count of the
 *     address it guesses other accounts from.
 *   - The window starts at the first failure counted and the count is
 *     forgotten when it ends (a fixed window, one timestamp per entry,
 *     not one per failure). The price: failures just before and just
 *     after the end of a window add up to at most 2 * max - 1 within a
 *     short time, once; the lock then holds as usual.
 *   - The user's lock holds against every source (the model says so).
 *     That lets anyone lock a known user out by failing on purpose; the
 *     cost of the alternative (no per-user lock) is unbounded guessing
 *     from a botnet. Operators see both in the log.
 *   - A source is an IPv4 address; an IPv6 source is its /64 prefix, since
 *     one end site usually holds a whole /64 and would otherwise have
 *     2^64 fresh addresses to guess from. IPv4-mapped IPv6 addresses
 *     (::ffff:a.b.c.d, from dual-stack sockets) count as IPv4.
 *   - Two fixed tables (LOCKOUT_USERS_MAX, LOCKOUT_SOURCES_MAX) so that
 *     spraying user names cannot push sources out, and the reverse. When
 *     a table is full, the new entry replaces, in this order: one whose
 *     count has expired; else the unlocked one that failed least
 *     recently; else the locked one whose lock ends first. Trade-off: an
 *     attacker who controls more than 4096 sources (or tries more than
 *     4096 names within a window) can push older, still counting entries
 *     out and so get fresh counts; locked entries go last. A bigger table
 *     would only move that point, at ~290 octets per user entry.
 *   - A policy limit of 0 disables that limit (the model allows 1 and
 *     up; 0 is for callers that want only one of the two counts).
 *
 * Time is the caller's: monotonic seconds (CLOCK_MONOTONIC or the event
 * loop's clock), so tests are exact and a wall-clock jump changes
 * nothing.
 *
 * Ownership: struct lockout is the caller's (about 1.3 MiB: allocate it
 * statically or on the heap). No allocation, no I/O, no logging; lookups
 * are linear scans (microseconds, far below the cost of one password
 * hash).
 */
#ifndef SK_LOGIN_LOCKOUT_H
#define SK_LOGIN_LOCKOUT_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define LOCKOUT_USERS_MAX 4096   /* user names counted at once */
#define LOCKOUT_SOURCES_MAX 4096 /* source addresses counted at once */
/*
 * User names are kept up to 254 octets (the longest the models allow);
 * longer names are counted under their first 254 octets, which can only
 * merge names that cannot exist.
 */
#define LOCKOUT_USER_MAX 254

/* What lockout_check and lockout_failure report: a bit set. */
#define LOCKOUT_OPEN 0x0          /* neither is locked */
#define LOCKOUT_USER_LOCKED 0x1   /* the user name is locked */
#define LOCKOUT_SOURCE_LOCKED 0x2 /* the source address is locked */

struct lockout_policy {
	unsigned max_failures_per_user;   /* 0: no per-user limit */
	unsigned max_failures_per_source; /* 0: no per-source limit */
	uint32_t failure_window;          /* seconds */
	uint32_t lockout_time;            /* seconds */
};

/* One counter; internal, in the header so the caller can own the table. */
struct lockout_count {
	uint64_t window_start; /* time of the first failure counted */
	uint64_t locked_until; /* 0: not locked */
	uint64_t last;         /* time of the last failure: eviction order */
	uint32_t failures;
	uint8_t used;
};

struct lockout_user {
	struct lockout_count c;
	uint16_t len;
	uint8_t name[LOCKOUT_USER_MAX];
};

struct lockout_source {
	struct lockout_count c;
	uint8_t len; /* 4 (IPv4) or 8 (an IPv6 /64) */
	uint8_t addr[8];
};

struct lockout {
	struct lockout_policy policy;
	struct lockout_user users[LOCKOUT_USERS_MAX];
	struct lockout_source sources[LOCKOUT_SOURCES_MAX];
};

/* lockout_init - an empty table with policy p */
void lockout_init(struct lockout *t, const struct lockout_policy *p);

/* lockout_set_policy - a new policy (config reload); counts are kept */
void lockout_set_policy(struct lockout *t, const struct lockout_policy *p);

/*
 * lockout_check - whether user[0..userlen) or the source is locked now.
 * addr is 4 (IPv4) or 16 (IPv6) octets in network order; any other
 * addrlen (a local socket) has no source count. Returns LOCKOUT_* bits;
 * *retry_after (may be NULL) gets the seconds until all of them end.
 */
unsigned lockout_check(struct lockout *t, const uint8_t *user, size_t userlen,
    const uint8_t *addr, size_t addrlen, uint64_t now, uint64_t *retry_after);

/*
 * lockout_failure - count one failed password check for the user and
 * the source. A count that is locked is left alone (no extension).
 * Returns the LOCKOUT_* bits after counting, so the caller can log the
 * failure that started a lock.
 */
unsigned lockout_failure(struct lockout *t, const uint8_t *user, size_t userlen,
    const uint8_t *addr, size_t addrlen, uint64_t now);

/* lockout_success - a right password: forget the user's failures */
void lockout_success(struct lockout *t, const uint8_t *user, size_t userlen,
    uint64_t now);

/*
 * Keeping the counts over a restart (lockout_save.c). The text form,
 * one count a line, times in wall-clock seconds (the table's monotonic
 * times mean nothing after a reboot):
 *
 *   sekimori-lockout 1
 *   u HEXNAME FAILURES WINDOW_START LOCKED_UNTIL LAST
 *   s HEXKEY FAILURES WINDOW_START LOCKED_UNTIL LAST
 *
 * HEXNAME is the counted name (up to LOCKOUT_USER_MAX octets), HEXKEY a
 * source key (8 hex digits for IPv4, 16 for an IPv6 /64), lowercase;
 * LOCKED_UNTIL is 0 when not locked. Only counts still in force at now
 * are written.
 */
#define LOCKOUT_TEXT_LINE_MAX (2 + 2 * LOCKOUT_USER_MAX + 4 * 21 + 1)
#define LOCKOUT_TEXT_MAX                                        \
	(32 +                                                   \
	    (size_t)(LOCKOUT_USERS_MAX + LOCKOUT_SOURCES_MAX) * \
		LOCKOUT_TEXT_LINE_MAX)

/*
 * lockout_export - the counts in force at now (monotonic seconds, wall
 * the wall clock at the same instant) as text into out[cap]; the length,
 * or 0 when cap is too small (LOCKOUT_TEXT_MAX always suffices).
 */
size_t lockout_export(struct lockout *t, uint64_t now, uint64_t wall, char *out,
    size_t cap);

/*
 * lockout_import - the counts of text[len] (outside input: a file) into
 * t, whose policy is kept; times move from wall-clock to monotonic
 * seconds (a count in the future of the wall clock is taken as now). A
 * malformed text changes nothing: SK_E_PARSE, with the line number in
 * *bad_line. Entries past the tables' room are dropped (SK_OK).
 */
enum sk_result lockout_import(struct lockout *t, const char *text, size_t len,
    uint64_t now, uint64_t wall, size_t *bad_line);

#endif /* SK_LOGIN_LOCKOUT_H */
