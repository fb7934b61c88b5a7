/*
 * sekimori-status - print the boot status, then exit.
 *
 * Security: it was the console's login shell before sekimori-login and
 * the CLI (whose `show system status` prints the same report through
 * status_run), and still offers nothing: it ignores its arguments and its
 * environment, never reads standard input, starts no other program, and
 * exits. It reads only world-readable files (/proc, /etc/sekimori/services,
 * /data/sekimori/boot-count) and writes only to standard output.
 */
#include <stdio.h>

#include "status.h"

int
main(void)
{
	return status_run("", stdout);
}
