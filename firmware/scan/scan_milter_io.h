/*
 * scan_milter_io.h - the milter backend's context (scan_milter_io.c):
 * the sans-I/O core and its socket. Used through scan_milter_backend.
 */
#ifndef SK_SCAN_MILTER_IO_H
#define SK_SCAN_MILTER_IO_H

#include "scan_milter.h"

struct scan_milter_io {
	struct scan_milter core;
	int fd;
};

#endif /* SK_SCAN_MILTER_IO_H */
