/*
 * authd.h - SMTP AUTH password checks, done by the supervisor.
 *
 * The smtp process frames the SASL exchange and sends the user name and
 * password in MSG_AUTH_CHECK; the hashes stay here, out of the
 * internet-facing process. Repeated failures lock out the user name and
 * the client address (mail smtp-auth lockout policy, login/lockout.h);
 * an unknown user costs the same time as a known one
 * (passwd_verify_dummy), so answers do not reveal which names exist.
 */
#ifndef SEKIMORID_AUTHD_H
#define SEKIMORID_AUTHD_H
#include <stdint.h>

#include "../config/config.h"
#include "chan.h"

/* The lockout counts are kept in this file under the root directory
 * between runs of the daemon (authd_init reads it, authd_save writes it):
 * a restart must not give an attacker fresh counts. */
#define AUTHD_LOCKOUT_FILE "/data/auth/smtp-lockout"
/* at most one write a second; a new lock is written then, other counts
 * within AUTHD_SAVE_COUNTS_S */
#define AUTHD_SAVE_MIN_S 1
#define AUTHD_SAVE_COUNTS_S 5

/* authd_init - the account table and lockout policy of cfg (again at a
 * reload: cfg is kept until the next call; the counts are kept); the
 * first call reads the saved counts (now: monotonic seconds) */
enum sk_result authd_init(const struct config *cfg, uint64_t now, char *err,
    size_t errlen);
/* authd_check - answer one MSG_AUTH_CHECK on c; now in seconds */
void authd_check(struct chan *c, const struct msg *m, uint64_t now);
/* authd_save - write the counts now if they changed (the daemon stops) */
void authd_save(uint64_t now);

#endif /* SEKIMORID_AUTHD_H */
