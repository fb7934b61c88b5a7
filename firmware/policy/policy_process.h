/*
 * policy_process.h - the policy process of sekimorid: the verdict on
 * every message before smtp answers its end of DATA (DESIGN.md section
 * 1). smtp sends P_CHECK with the spool file; policy reads the file,
 * runs policy.h over its own asynchronous resolver and answers
 * P_VERDICT; the supervisor restarts it when it dies, and smtp answers
 * 451 4.7.1 meanwhile.
 *
 * Untrusted input: every message's content and envelope, and DNS. It
 * runs as sekimori-policy with no_new_privs, without chroot (it opens
 * nothing after the start but DNS sockets). The DKIM private keys are
 * read by policy_prepare, before privileges drop.
 */
#ifndef SK_POLICY_PROCESS_H
#define SK_POLICY_PROCESS_H

#include <stddef.h>

#include "../config/config.h"
#include "sk.h"

#define POLICY_JOBS_MAX 64          /* messages checked at once; more: 451 */
#define POLICY_JOB_TIMEOUT_MS 30000 /* then 451: DNS that slow is broken */
#define POLICY_MSG_MAX (64u << 20)  /* local limit: octets of a message read */
#define POLICY_HEADER_MAX                               \
	(1u << 20) /* local limit: header section kept; \
		    * larger: 554 5.6.0 */
#define POLICY_ZONE_FILE_MAX (8u << 20)

/* policy_prepare - load the keys (as root); err names the file */
enum sk_result policy_prepare(const struct config *cfg, char *err,
    size_t errlen);

/* policy_forget - wipe what policy_prepare loaded (the supervisor checks
 * the keys at its start, then forgets them: only the child keeps them) */
void policy_forget(void);

/*
 * policy_process - serve until MSG_SHUTDOWN; smtp_sock is -1 until smtp's
 * socket arrives in a MSG_PEER. zone_file: answer DNS from it (tests),
 * else the config's DNS servers (or /etc/resolv.conf).
 */
_Noreturn void policy_process(const struct config *cfg, int parent_sock,
    int smtp_sock, const char *zone_file);

#endif /* SK_POLICY_PROCESS_H */
