/*
 * io.c - blocking descriptor helpers.
 */
#include <errno.h>
#include <unistd.h>

#include "io.h"

int
io_sync(int fd)
{
#ifdef SK_FUZZ
	(void)fd;
	return 0;
#else
	return fsync(fd);
#endif
}

int
io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t k;

	while (len > 0) {
		k = write(fd, p, len);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return -1;
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}
