/*
 * sekimori-status - print the boot status, then exit.
 *
 * Security: this is the login shell of the console user "admin" until the
 * CLI arrives, so it must offer nothing: it ignores its arguments (a login
 * shell may get "-c COMMAND") and its environment, never reads standard
 * input, starts no other program, and exits. It runs as the logged-in
 * user, reads only world-readable files (/proc, /etc/sekimori/services,
 * /data/sekimori/boot-count) and writes only to standard output.
 */
#include <stdio.h>

#include "status.h"

int
main(void)
{
	return status_run("", stdout);
}
