/*
 * content_process.h - the content process of sekimorid: the scanner
 * chains and the content rules on every message before smtp answers its
 * end of DATA (issue 6). smtp sends P_CHECK with a read-only descriptor
 * of the spool file, exactly as to the policy process; this process
 * answers P_VERDICT (action, reply, header block; never renames).
 *
 * Security level: high. Untrusted input: every message (read with
 * pread, fed to the MIME walker) and the replies of the scanners (clamd,
 * milters: network peers the customer runs, parsed by firmware/scan).
 * It runs as sekimori-content with no_new_privs and without chroot (it
 * connects to clamd's or a milter's unix socket by path). It holds no
 * keys and no spool write access: a scanner that breaks it gains a
 * process that can read the messages smtp hands it and nothing else.
 *
 * Shape: the event loop (one thread) owns the channels and never
 * blocks; CONTENT_WORKERS threads run the blocking scanner drivers, one
 * job (one message) at a time each. A job goes to the workers through a
 * queue under a mutex and comes back through an eventfd; only the loop
 * sends messages and logs.
 */
#ifndef SK_CONTENT_PROCESS_H
#define SK_CONTENT_PROCESS_H

#include "../config/config.h"

#define CONTENT_WORKERS 8   /* threads running scanners */
#define CONTENT_JOBS_MAX 64 /* messages in progress; more: 451 at once */
/* octets read from the spool file at a time: a message of up to one
 * piece is read once for the facts and every scanner (README "Threads") */
#define CONTENT_CHUNK (256u * 1024)
/* local limit: octets of a message read when there is no message-size
 * limit in the config (else the limit plus CONTENT_MSG_SLACK) */
#define CONTENT_MSG_MAX (64u << 20)
#define CONTENT_MSG_SLACK 65536 /* our Received header and some room */
/* a worker's stack: its large buffers are on the heap, allocated once */
#define CONTENT_WORKER_STACK (512u * 1024)

/* recipients a message may have after the milters' changes when the
 * config sets no limit: smtp's (SMTP_SESSION_RCPTS_MAX, RFC 5321
 * 4.5.3.1.8) */
#define CONTENT_RCPTS_DEFAULT 100

#define CONTENT_REPLY_BUSY "451 4.7.1 Content scanning busy, try again later"
#define CONTENT_REPLY_UNAVAILABLE \
	"451 4.7.1 Content scanning unavailable, try again later"
/* a change the content step must make and cannot (README "Rewriting") */
#define CONTENT_REPLY_TOO_BIG \
	"451 4.3.4 Message too large after rewriting, try again later"
#define CONTENT_REPLY_REWRITE \
	"451 4.3.0 Message could not be rewritten, try again later"

/*
 * content_process - serve until MSG_SHUTDOWN (the jobs a worker runs
 * are finished and answered first, those still waiting get a 451 at
 * once), then exit 0. smtp_sock is -1 until
 * smtp's socket arrives in a MSG_PEER. Logs go to the supervisor over
 * parent_sock. fatal() (exit 1) when the supervisor's channel closes,
 * smtp breaks the protocol, or the threads cannot start.
 */
_Noreturn void content_process(const struct config *cfg, int parent_sock,
    int smtp_sock);

#endif /* SK_CONTENT_PROCESS_H */
