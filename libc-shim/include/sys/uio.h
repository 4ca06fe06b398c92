/* Scatter/gather I/O (POSIX <sys/uio.h>), which picolibc does not provide. */
#ifndef _SYS_UIO_H
#define _SYS_UIO_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iovec {
	void *iov_base;
	size_t iov_len;
};

#define IOV_MAX 1024

ssize_t readv(int fd, const struct iovec *iov, int count);
ssize_t writev(int fd, const struct iovec *iov, int count);
ssize_t preadv(int fd, const struct iovec *iov, int count, off_t offset);
ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset);

#ifdef __cplusplus
}
#endif

#endif
