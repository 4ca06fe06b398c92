/* picolibc's <time.h> declares clock_getcpuclockid(pid_t, ...) when
 * _POSIX_CPUTIME is defined (skiff defines it: the CPU-time clocks work)
 * but does not include <sys/types.h> for pid_t. This wrapper does, so a
 * program that includes only <time.h> compiles as on Linux. */
#include <sys/types.h>
#include_next <time.h>
