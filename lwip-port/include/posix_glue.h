/* lwIP's socket layer compiled against skiff's POSIX headers
 * (LWIP_SOCKET_EXTERNAL_HEADERS in lwipopts.h): lwIP then takes struct
 * sockaddr, the SO_/MSG_/POLL constants and errno from the same headers
 * apps see, so libc-shim passes app arguments through untranslated. This
 * header adds what lwip/sockets.h and lwip/inet.h would otherwise define
 * and POSIX does not: included only by lwIP and libc-shim/net, never by
 * apps. */
#ifndef SKIFF_LWIP_POSIX_GLUE_H
#define SKIFF_LWIP_POSIX_GLUE_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>

#define LWIP_SOCKET_HAVE_SA_LEN 0
#define SIN_ZERO_LEN 8
typedef size_t msg_iovlen_t;
/* picolibc's fd_set holds FD_SETSIZE (1024, Makefile) fds, more than lwIP
 * has sockets. */
#define LWIP_SELECT_MAXNFDS FD_SETSIZE

/* Options Linux does not have; values outside Linux's range so lwIP's
 * switch cases stay distinct and no app can ask for them by accident. */
#define SO_CONTIMEO 0x7f01
#define TCP_KEEPALIVE 0x7f02

#define inet_addr_from_ip4addr(in, ip4) ((in)->s_addr = ip4_addr_get_u32(ip4))
#define inet_addr_to_ip4addr(ip4, in) ip4_addr_set_u32((ip4), (in)->s_addr)

#endif
