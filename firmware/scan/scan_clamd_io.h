/*
 * scan_clamd_io.h - the clamd backend's context (scan_clamd_io.c): the
 * sans-I/O core and its socket. Used through scan_clamd_backend.
 */
#ifndef SK_SCAN_CLAMD_IO_H
#define SK_SCAN_CLAMD_IO_H

#include "scan_clamd.h"

struct scan_clamd_io {
	struct scan_clamd core;
	int fd;
	int write_dead; /* clamd closed its end: only read from now on */
};

#endif /* SK_SCAN_CLAMD_IO_H */
