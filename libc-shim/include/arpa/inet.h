/* Address conversion (POSIX <arpa/inet.h>); replaces picolibc's, which has
 * only the byte-order macros. Pure functions, in libc-shim/net/inet.c. */
#ifndef _ARPA_INET_H
#define _ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *out);
char *inet_ntoa(struct in_addr in);     /* a static buffer, as everywhere */
int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);

#ifdef __cplusplus
}
#endif

#endif
