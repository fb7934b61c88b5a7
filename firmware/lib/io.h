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

#endif /* SK_IO_H */
