/*
 * io.h - blocking descriptor helpers the programs share (the daemons'
 * event loops use chan.h instead).
 */
#ifndef SK_IO_H
#define SK_IO_H

#include <stddef.h>

/* io_write_all - all of buf[len] to fd, again after EINTR; 0, or -1 with
 * errno when the descriptor failed or took nothing */
int io_write_all(int fd, const void *buf, size_t len);

/*
 * io_sync - fsync(fd) for the configuration's files. Fuzz builds
 * (SK_FUZZ) skip the flush: the targets test parsers and engines, not
 * the disk, and an input of a hundred commits spent seconds waiting on
 * a busy disk (a fuzz_cli_line timeout in CI). The unit tests run the
 * real call.
 */
int io_sync(int fd);

#endif /* SK_IO_H */
