/*
 * queue_ctlcli.h - the operator tool's side of SPOOL/control: send one
 * request, print the answer (used by sekimori-queue and its tests).
 */
#ifndef QUEUE_CTLCLI_H
#define QUEUE_CTLCLI_H

#include <stdio.h>

#define QUEUE_CTLCLI_TIMEOUT_MS 30000 /* per read: the queue answers fast */

/*
 * queue_ctlcli_run - connect to the socket at path, send request, write
 * every CTL_LINE to out (control and 8-bit octets shown as '?'), every
 * CTL_DATA to out unchanged (a download: out gets the exact octets), the
 * CTL_END text to out (status 0) or err (otherwise, prefixed with
 * "sekimori-queue: "). Returns 0 when the queue answered status 0, else
 * 1 (errors are written to err).
 */
int queue_ctlcli_run(const char *path, const char *request, FILE *out,
    FILE *err);

#endif /* QUEUE_CTLCLI_H */
