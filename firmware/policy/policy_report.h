/*
 * policy_report.h - the store of DMARC aggregate report data: one SQLite
 * database (WAL) at ROOT/data/dmarc/dmarc.db, written by the policy
 * process for every inbound message whose DMARC record asks for
 * aggregate reports (rua=), read back at the end of each period to build
 * one report per policy domain (auth/dmarc_report.h), and emptied of a
 * report's rows only when the queue holds the report mail.
 *
 * Rows aggregate: a message whose appendix C <record> key (source IP,
 * identifiers, auth results, evaluated policy) was seen before in the same
 * period adds one to that row's count.
 *
 * Untrusted input: the rows' strings (from messages and DNS) on the way
 * in; everything read back (the database is a file: a damaged or crafted
 * one must not crash the reader: lengths and enums are checked, the DKIM
 * text goes through dmarc_report_dkim_parse).
 *
 * Bounds: POLICY_REPORT_ROWS_MAX distinct rows per domain and period,
 * POLICY_REPORT_DOMAINS_MAX domains per period (beyond: not recorded,
 * SK_E_FULL, the caller counts it), POLICY_REPORT_PERIODS_MAX periods kept
 * (older ones are pruned, unsent: a destination that never takes its
 * report must not fill /data).
 *
 * Ownership: the caller owns struct policy_report_db; open/close pair.
 * No logging: errors come back with a text in err.
 */
#ifndef SK_POLICY_REPORT_H
#define SK_POLICY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../auth/dmarc_report.h"
#include "policy.h"
#include "sk.h"

#define POLICY_REPORT_ROWS_MAX 10000   /* local limit: records per report */
#define POLICY_REPORT_DOMAINS_MAX 5000 /* local limit: domains per period */
#define POLICY_REPORT_PERIODS_MAX 7    /* local limit: periods kept */
#define POLICY_REPORT_RUA_MAX 1024     /* the rua URIs as published */
#define POLICY_REPORT_DB "data/dmarc/dmarc.db" /* under root-directory */

struct sqlite3;
struct sqlite3_stmt;

struct policy_report_db {
	struct sqlite3 *h;
	size_t rows_max;    /* POLICY_REPORT_ROWS_MAX (tests lower them) */
	size_t domains_max; /* POLICY_REPORT_DOMAINS_MAX */
};

/* The policy record of a domain, as last seen in the period. */
struct policy_report_policy {
	int adkim_strict, aspf_strict;
	enum dmarc_policy p, sp;
	unsigned pct;
	unsigned fo;
	char rua[POLICY_REPORT_RUA_MAX]; /* "mailto:a@b!10m,mailto:c@d" */
};

/* A report due: one policy domain of one period. */
struct policy_report_key {
	uint64_t period; /* its start */
	char domain[DMARC_DOMAIN_MAX + 1];
};

/*
 * Shared by the two stores (the report store here and the recent
 * results): policy_sqlite_open opens path (no symlink; created with
 * schema unless readonly) with the safety pragmas, WAL and NORMAL sync
 * for a writer; *h NULL and err set on failure. policy_sqlite_seterr
 * writes "WHAT: sqlite's message" into err.
 */
enum sk_result policy_sqlite_open(struct sqlite3 **h, const char *path,
    int readonly, int busy_ms, const char *schema, char *err, size_t errlen);
void policy_sqlite_seterr(struct sqlite3 *h, const char *what, char *err,
    size_t errlen);
/* policy_sqlite_prepare - a statement of sql on h, or NULL with err set
 * ("prepare: sqlite's message") */
struct sqlite3_stmt *policy_sqlite_prepare(struct sqlite3 *h, const char *sql,
    char *err, size_t errlen);

/* policy_report_open - open (creating when readonly is 0) the store */
enum sk_result policy_report_open(struct policy_report_db *db, const char *path,
    int readonly, char *err, size_t errlen);
void policy_report_close(struct policy_report_db *db);

/* policy_report_period - the start of the period of now: periods of
 * hours (1..24) aligned to 00:00 UTC (a day of 24 h is one period) */
uint64_t policy_report_period(uint64_t now, unsigned hours);

/* policy_report_period_end - the last second of the period that starts
 * at start (the day's last period may be shorter) */
uint64_t policy_report_period_end(uint64_t start, unsigned hours);

/*
 * policy_report_record - one message: the row's count is ignored (one
 * more). SK_OK; SK_E_FULL when a bound kept it out; SK_E_SYNTAX for a row
 * the store cannot hold (a DKIM field with a space); SK_E_IO.
 */
enum sk_result policy_report_record(struct policy_report_db *db,
    uint64_t period, const char *domain, const struct policy_report_policy *pol,
    const struct dmarc_report_row *row, char *err, size_t errlen);

/* policy_report_due - up to max reports of periods that started before
 * `before` (the current period's start), oldest first; *n of them */
enum sk_result policy_report_due(struct policy_report_db *db, uint64_t before,
    struct policy_report_key *keys, size_t max, size_t *n, char *err,
    size_t errlen);

/* policy_report_policy_get - the policy record kept for k */
enum sk_result policy_report_policy_get(struct policy_report_db *db,
    const struct policy_report_key *k, struct policy_report_policy *pol,
    char *err, size_t errlen);

/* policy_report_id - the report id of k: "<period end>.<16 hex digits of
 * the domain's FNV-1a hash>", unique per domain and period, stable */
void policy_report_id(const struct policy_report_key *k, unsigned hours,
    char out[DMARC_REPORT_ID_MAX]);

/*
 * policy_report_xml - the XML report of k into o: meta's org_name and
 * email are the caller's, the rest comes from the store. *nrows gets the
 * number of records. SK_OK, SK_E_FULL (o), SK_E_IO, SK_E_SYNTAX (a row
 * that is damaged: the report is not built).
 */
enum sk_result policy_report_xml(struct policy_report_db *db,
    const struct policy_report_key *k, unsigned hours, const char *org_name,
    const char *email, struct dmarc_report_out *o, size_t *nrows, char *err,
    size_t errlen);

/* policy_report_delete - forget k's rows and policy (after the queue
 * committed its mail, or when no destination is left) */
enum sk_result policy_report_delete(struct policy_report_db *db,
    const struct policy_report_key *k, char *err, size_t errlen);

/* policy_report_prune - forget every period that started before oldest */
enum sk_result policy_report_prune(struct policy_report_db *db, uint64_t oldest,
    char *err, size_t errlen);

/*
 * policy_report_from_eval - what the store keeps of one inbound
 * evaluation and its verdict (policy_report_row.c): the policy domain
 * (DMARC_DOMAIN_MAX + 1 octets), its published policy with the rua
 * URIs, and the row (count 1). SK_OK; SK_END when there is nothing to
 * report (DMARC found no policy or did not decide, or the record has no
 * rua); SK_E_TOO_LONG when the rua URIs do not fit POLICY_REPORT_RUA_MAX.
 */
enum sk_result policy_report_from_eval(const struct policy_eval *e,
    const struct policy_verdict *v, char *domain,
    struct policy_report_policy *pol, struct dmarc_report_row *row);

/*
 * ---- recent results (policy_report_recent.c) -------------------------
 *
 * A second, bounded view for the operator (`show mail authentication-
 * results`): one row per inbound evaluation (every one, reports or not)
 * in a sibling database, ROOT/data/dmarc/recent.db (WAL). Rows are
 * buffered and written POLICY_RECENT_BATCH at a time in one transaction
 * (synchronous=NORMAL: a power cut may lose the last second of this view,
 * never mail); each write prunes to the newest rows_max rows.
 *
 * Untrusted input: the domains and d= of a row come from the message and
 * are kept as they are, cut to POLICY_RECENT_DOMAIN_MAX octets (a printer
 * must escape them); everything read back is copied with a bound, so a
 * damaged or crafted file cannot overflow the reader.
 *
 * Ownership: the caller owns struct policy_recent_db (large: the batch;
 * keep it static or on the heap); open/close pair. No logging.
 */
#define POLICY_RECENT_ROWS_MAX 10000 /* local limit: rows kept */
#define POLICY_RECENT_BATCH 64       /* rows buffered per transaction */
#define POLICY_RECENT_QUERY_MAX 1000 /* local limit: rows per query */
#define POLICY_RECENT_DKIM_MAX 8     /* signatures kept per row */
#define POLICY_RECENT_DOMAIN_MAX 253 /* octets kept of a domain */
#define POLICY_RECENT_WORD_MAX 15    /* a result or action word */
#define POLICY_RECENT_QID_MAX 32     /* octets of a queue id */
#define POLICY_RECENT_IP_MAX 45      /* an IPv6 address as text */
#define POLICY_RECENT_REASON_MAX 95  /* "NAME/REASON" of an override */
#define POLICY_RECENT_VALUES_MAX 32  /* summary: results per check */
#define POLICY_RECENT_DB "data/dmarc/recent.db" /* under root-directory */

struct policy_recent_dkim {
	char domain[POLICY_RECENT_DOMAIN_MAX + 1]; /* d=, as in the message */
	char result[POLICY_RECENT_WORD_MAX + 1];
};

/* One inbound message's results and what we did with it. */
struct policy_recent_row {
	uint64_t time; /* seconds since the epoch */
	char qid[POLICY_RECENT_QID_MAX + 1];
	char client_ip[POLICY_RECENT_IP_MAX + 1];
	char envelope_domain[POLICY_RECENT_DOMAIN_MAX + 1]; /* "": <> */
	char header_domain[POLICY_RECENT_DOMAIN_MAX + 1];   /* "": none */
	char spf[POLICY_RECENT_WORD_MAX + 1];
	char dkim[POLICY_RECENT_WORD_MAX + 1]; /* the best: pass if any */
	char dmarc[POLICY_RECENT_WORD_MAX + 1];
	char dmarc_policy[POLICY_RECENT_WORD_MAX + 1]; /* published; "" */
	char arc[POLICY_RECENT_WORD_MAX + 1];
	/* accept, tag, quarantine, reject, tempfail */
	char action[POLICY_RECENT_WORD_MAX + 1];
	/* "", or why milder than the DMARC policy: arc-override,
	 * local-policy, sampled-out, or a config override's "NAME/REASON";
	 * else dkim-replay for a DKIM replay suspect (policy_replay.c) */
	char reason[POLICY_RECENT_REASON_MAX + 1];
	int failed; /* some check failed or the message was not accepted */
	size_t ndkim;
	struct policy_recent_dkim sig[POLICY_RECENT_DKIM_MAX];
};

struct policy_recent_db {
	struct sqlite3 *h;
	size_t rows_max; /* POLICY_RECENT_ROWS_MAX (tests lower it) */
	size_t nbatch;
	struct policy_recent_row batch[POLICY_RECENT_BATCH];
};

/* What a query wants: rows newest first. */
struct policy_recent_filter {
	const char *domain; /* header From or envelope domain, ASCII case
			     * ignored; NULL: any */
	int failed_only;
	uint64_t since; /* rows from this time on; 0: all */
	size_t count;   /* at most; 0 or more than the limit: the limit */
};

/* called per row; non-zero stops the query */
typedef int (
    *policy_recent_row_fn)(void *arg, const struct policy_recent_row *row);
/* called per (check, result) of the summary with its number of rows */
typedef void (*policy_recent_count_fn)(void *arg, const char *check,
    const char *result, uint64_t n);

/* policy_report_recent_open - open (creating when readonly is 0) */
enum sk_result policy_report_recent_open(struct policy_recent_db *db,
    const char *path, int readonly, char *err, size_t errlen);
/* policy_report_recent_close - without a flush: the caller flushes */
void policy_report_recent_close(struct policy_recent_db *db);

/* policy_report_recent_add - buffer one row (copied); a full batch is
 * written at once (its result). SK_OK; SK_E_IO (the batch is dropped). */
enum sk_result policy_report_recent_add(struct policy_recent_db *db,
    const struct policy_recent_row *row, char *err, size_t errlen);

/* policy_report_recent_flush - write the buffered rows in one
 * transaction and prune to rows_max; the buffer is empty afterwards
 * whatever the result (SK_OK, SK_E_IO) */
enum sk_result policy_report_recent_flush(struct policy_recent_db *db,
    char *err, size_t errlen);

/* policy_report_recent_query - the rows f selects, newest first, to fn;
 * SK_OK, SK_E_IO */
enum sk_result policy_report_recent_query(struct policy_recent_db *db,
    const struct policy_recent_filter *f, policy_recent_row_fn fn, void *arg,
    char *err, size_t errlen);

/* policy_report_recent_summary - the rows kept (*total, the oldest and
 * newest time), then for each check ("spf", "dkim", "dmarc", "arc",
 * "action") its results with their counts, most frequent first, to fn */
enum sk_result policy_report_recent_summary(struct policy_recent_db *db,
    uint64_t *total, uint64_t *oldest, uint64_t *newest,
    policy_recent_count_fn fn, void *arg, char *err, size_t errlen);

/* policy_report_recent_from_eval - one inbound evaluation and its verdict
 * as a row (policy_report_recent_row.c); qid may be "" */
void policy_report_recent_from_eval(const char *qid,
    const struct policy_eval *e, const struct policy_verdict *v,
    struct policy_recent_row *row);

#endif /* SK_POLICY_REPORT_H */
