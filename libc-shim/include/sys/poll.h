/* Some programs include <sys/poll.h>, as glibc allows. */
#include <poll.h>
