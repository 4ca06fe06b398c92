/* TCP options (<netinet/tcp.h>), Linux values, level IPPROTO_TCP. */
#ifndef _NETINET_TCP_H
#define _NETINET_TCP_H

#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4          /* seconds idle before the first probe */
#define TCP_KEEPINTVL 5         /* seconds between probes */
#define TCP_KEEPCNT 6           /* probes before the connection drops */
#define TCP_INFO 11
#define TCP_QUICKACK 12

#endif
