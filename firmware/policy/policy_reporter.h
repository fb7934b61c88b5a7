/*
 * policy_reporter.h - the DMARC aggregate reports of the policy process:
 * every inbound evaluation whose DMARC record has rua= is recorded in the
 * store (policy_report.h); at the end of each period (the config's
 * interval, aligned to UTC) each policy domain's report is built
 * (auth/dmarc_report.h), its rua destinations checked (RFC 7489 7.1), the
 * mail DKIM-signed when the from-address's domain has a signing key, and
 * handed to the queue through the pickup folder (queue/queue_pickup.h);
 * the rows go once that file is durable.
 *
 * Runs inside the policy process's event loop; logs with log_info and
 * log_warn. A store that cannot be opened switches reports off (logged):
 * mail flow never depends on it.
 *
 * Test clock: the environment variable SEKIMORI_DMARC_REPORT_AHEAD (0 to
 * 864000 seconds) moves the reporter's idea of "now" forward when it
 * decides which periods are over, and makes it look every 5 s: a test can
 * send a message and see its report at once. Recording uses the real
 * clock.
 */
#ifndef SK_POLICY_REPORTER_H
#define SK_POLICY_REPORTER_H

#include "../config/config.h"
#include "../dns/dns.h"
#include "event.h"
#include "policy.h"

#define POLICY_REPORTER_BATCH 16            /* reports sent per round */
#define POLICY_REPORTER_RETRY_MS 5000       /* a round waiting for DNS */
#define POLICY_REPORTER_DELAY_S 10          /* after a period's end */
#define POLICY_REPORTER_XML_MAX (16u << 20) /* local limit: one report */
#define POLICY_REPORTER_AHEAD_MAX 864000u
#define POLICY_REPORTER_RECENT_FLUSH_MS \
	1000 /* a batch of recent results waits */

/* policy_reporter_start - open the recent results' store, and the
 * report store when the config enables reports; dns and conf must
 * outlive the process's loop */
void policy_reporter_start(struct event_loop *loop, const struct config *cfg,
    const struct dns_resolver *dns, const struct policy_conf *conf);

/* policy_reporter_record - one message's evaluation (inbound ones are
 * recorded: the recent results always, the report store when on); qid
 * is the queue id for the recent results */
void policy_reporter_record(const char *qid, const struct policy_eval *e,
    const struct policy_verdict *v);

/* policy_reporter_stop - write the buffered recent results, close the
 * stores (pending DNS is cancelled) */
void policy_reporter_stop(void);

#endif /* SK_POLICY_REPORTER_H */
