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

/* authd_init - the account table and lockout policy of cfg (again at a
 * reload: cfg is kept until the next call) */
enum sk_result authd_init(const struct config *cfg, char *err, size_t errlen);
/* authd_check - answer one MSG_AUTH_CHECK on c; now in seconds */
void authd_check(struct chan *c, const struct msg *m, uint64_t now);

#endif /* SEKIMORID_AUTHD_H */
