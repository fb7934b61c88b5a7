/*
 * smtpd.h - the smtp process of sekimorid: it accepts connections on the
 * listeners the supervisor bound, speaks ESMTP through firmware/smtp's
 * session machine, and hands every message to the queue process, which
 * makes it durable before the client hears 250.
 *
 * It runs unprivileged in an empty chroot under a seccomp filter (set up
 * by the supervisor between smtpd_prepare and smtpd_process): everything
 * it needs from the file system (certificates) is loaded in
 * smtpd_prepare, before the chroot.
 */
#ifndef SMTPD_H
#define SMTPD_H
#include <stddef.h>

#include "../config/config.h"
#include "sk.h"

/* smtpd_prepare - load what needs the file system (TLS keys); err names
 * the listener and file on failure */
enum sk_result smtpd_prepare(const struct config *cfg, char *err,
    size_t errlen);

/*
 * smtpd_process - serve until MSG_SHUTDOWN; never returns (exit 0, or
 * fatal). listen_fds[i] belongs to cfg->listeners[i] (-1: disabled);
 * queue_sock is -1 until the queue's socket arrives in a MSG_PEER, and so
 * are policy_sock (the policy process, when the config has
 * sender-authentication) and content_sock (the content process, when
 * content-scanning is enabled): every message then waits for their
 * verdicts.
 */
_Noreturn void smtpd_process(const struct config *cfg, int parent_sock,
    int queue_sock, int policy_sock, int content_sock, const int *listen_fds,
    size_t nlisten);

#endif /* SMTPD_H */
