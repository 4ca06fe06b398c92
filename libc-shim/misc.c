/* Process-level odds and ends: one process, pid 1, no signals delivered
 * from outside, randomness from the CPU. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "kernel/arch.h"
#include "kernel/mm.h"
#include "kernel/random.h"
#include "libc-shim/file.h"

pid_t getpid(void) { return 1; }
pid_t getppid(void) { return 0; }
uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return (long)PAGE_SIZE;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return 1;
	case _SC_PHYS_PAGES:
		return (long)page_total_count();
	case _SC_AVPHYS_PAGES:
		return (long)page_free_count();
	case _SC_CLK_TCK:
		return 100;
	case _SC_OPEN_MAX:
		return FD_MAX;
	default:
		return syscall_result(-EINVAL);
	}
}

int getpagesize(void) { return (int)PAGE_SIZE; }

int getentropy(void *buf, size_t len)
{
	if (len > 256)
		return (int)syscall_result(-EIO);   /* POSIX limit */
	random_fill(buf, len);
	return 0;
}

int kill(pid_t pid, int sig)
{
	if (pid != 1 && pid != 0)
		return (int)syscall_result(-ESRCH);
	return raise(sig);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how, (void)set;
	if (old)
		memset(old, 0, sizeof(*old));
	return 0;       /* signals only come from raise(): nothing to block */
}
