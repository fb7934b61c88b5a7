/*
 * mta_process.h - the mta process of sekimorid: outbound delivery.
 *
 * Security level: high. It connects to any server a recipient domain's
 * MX points to and reads what that server sends (mta_client.c parses
 * it); it reads DNS answers (mta_route.c). It holds no listening socket,
 * no spool directory (message files arrive as read-only descriptors) and
 * no private key; next-hop SMTP AUTH passwords come from the config and
 * only ever leave over TLS. It is meant to run as its own unprivileged
 * user in an empty chroot (the parent's table), with network access.
 *
 * Messages (lib/msg_types.h):
 *   parent -> mta   HELLO, SHUTDOWN, PEER (role MSG_ROLE_QUEUE: a new
 *                   socket to the queue, replacing the old one)
 *   mta -> parent   HELLO (first), LOG (every log line: the process
 *                   installs a log sink that forwards them)
 *   queue -> mta    M_DELIVER (one job: a message and the recipients of
 *                   one domain; its spool file as a read-only descriptor)
 *   mta -> queue    M_RESULT (one per recipient), then M_DONE
 * Any other message, or a malformed one, is fatal (the supervisor
 * restarts the process; the queue retries what was in flight).
 */
#ifndef SK_MTA_PROCESS_H
#define SK_MTA_PROCESS_H

#include "../config/config.h"

#define MTA_CONNECT_TIMEOUT_MS (30u * 1000) /* a TCP connect */
#define MTA_IDLE_KEEP_MS (5u * 1000) /* an idle connection awaits a job */
#define MTA_READ_CHUNK 16384         /* octets read from a server at once */
#define MTA_CONTENT_CHUNK 8192       /* octets of the spool file read at once */
#define MTA_OUTBOX_MAX (16u << 20)   /* results held while the queue lags */
#define MTA_ZONE_FILE_MAX (4u << 20) /* a test zone file */
#define MTA_ZONE_RR_MAX 16384
#define MTA_ZONE_DATA_MAX (1u << 20)

/*
 * mta_process - run the mta until MSG_SHUTDOWN (then return) or until
 * the parent's channel closes (fatal). It owns both sockets from here
 * on. zone_file: answer DNS from this RFC 1035 zone file (tests); NULL
 * for the live resolver. cfg must stay valid while it runs.
 */
void mta_process(const struct config *cfg, int parent_sock, int queue_sock,
    const char *zone_file);

#endif /* SK_MTA_PROCESS_H */
