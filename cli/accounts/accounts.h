/*
 * accounts.h - the Unix side of the CLI users of the YANG model, which
 * dropbear needs: it looks every SSH user up with getpwnam and reads
 * their public keys from ~/.ssh/authorized_keys. Made from the running
 * configuration at boot and after every commit (README.md):
 *
 *   DIR/passwd    the image's system accounts (BASE, copied as they
 *                 are) and one line per model user:
 *                 NAME:x:0:ACCOUNTS_GID:Sekimori CLI:DIR/home/NAME:SHELL
 *   DIR/home/NAME/.ssh/authorized_keys   the user's ssh-public-key
 *                 values, forwarding refused, the comment "key-N"
 *
 * /etc/passwd on the box is a link to DIR/passwd. Users get uid 0 (the
 * CLI writes /config and /data, as on the console) but only ever the
 * shell ACCOUNTS_SHELL (sekimori-login --ssh, then the CLI), and the
 * group that dropbear -G admits. A model user whose name is a system
 * account's is left out (the model already refuses root and the like).
 */
#ifndef CLI_ACCOUNTS_H
#define CLI_ACCOUNTS_H

#include <stddef.h>

#include <libyang/libyang.h>

#include "sk.h"

#define ACCOUNTS_DIR "/run/sekimori/accounts"
#define ACCOUNTS_BASE "/etc/passwd.system"
#define ACCOUNTS_SHELL "/usr/libexec/sekimori/ssh-session"
#define ACCOUNTS_GID 110        /* sekimori-cli in /etc/group */
#define ACCOUNTS_BASE_MAX 65536 /* the image's passwd */
#define ACCOUNTS_LINE_MAX 17000 /* a key line: 16384 and options */
/* dropbear exits at start on a banner file over 2050 octets (its
 * MAX_BANNER_SIZE), and init would restart it in a loop: stay below */
#define ACCOUNTS_BANNER_MAX 2000
#define ACCOUNTS_SSHD_PIDFILE "/run/dropbear.pid" /* the services file's -P */

/*
 * accounts_key_line - the authorized_keys line for key (the model's
 * "TYPE BASE64 [COMMENT]") as the index-th key: the options, TYPE,
 * BASE64, "key-INDEX" (the user's comment is dropped: dropbear hands the
 * comment to the session as $SSH_PUBKEYINFO). -1 when key is not of
 * that form (the model's pattern makes that a bug elsewhere).
 */
int accounts_key_line(const char *key, size_t len, unsigned index, char *out,
    size_t cap);

/*
 * accounts_write - make dir agree with the users of tree (a validated
 * configuration; NULL: no users), base being the system accounts'
 * passwd file. Homes of users no longer in the model are removed. Every
 * file is written to a new name and renamed, passwd last. SK_OK, or an
 * error with err set; what was written by then stays (the next run puts
 * it right).
 */
enum sk_result accounts_write(const struct lyd_node *tree, const char *base,
    const char *dir, char *err, size_t errlen);

/*
 * accounts_banner_text - what dropbear shows before authentication (its
 * -b DIR/banner): the model's `system login banner` and a line end, or
 * "" without one. Control characters other than TAB and LF (an escape
 * sequence would reach the client's terminal) become '?'; a banner
 * longer than ACCOUNTS_BANNER_MAX octets (the model counts characters,
 * UTF-8 takes up to 4 octets each) is cut at a character boundary. The
 * length written into out (cap > ACCOUNTS_BANNER_MAX).
 */
size_t accounts_banner_text(const struct lyd_node *tree, char *out, size_t cap);

/*
 * accounts_write_banner - DIR/banner from tree (accounts_banner_text):
 * 1 when its content changed, 0 when it is the same, -1 with err set.
 */
int accounts_write_banner(const struct lyd_node *tree, const char *dir,
    char *err, size_t errlen);

/*
 * accounts_restart_sshd - dropbear reads its banner once, at start: stop
 * the listener whose pid is in pidfile (SIGTERM, only when that process
 * is a dropbear), and init starts it again. Sessions are child processes
 * of their own and stay. 0, or -1 when there was none to stop.
 */
int accounts_restart_sshd(const char *pidfile);

#endif
