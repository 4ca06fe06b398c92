/* Network interface names (<net/if.h>), the minimum: struct ifreq for
 * SO_BINDTODEVICE and the name/index calls (interfaces are en0, en1...). */
#ifndef _NET_IF_H
#define _NET_IF_H

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

struct ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		struct sockaddr ifr_addr;
		int ifr_ifindex;
		int ifr_mtu;
		short ifr_flags;
		char __pad[24];
	};
};

#ifdef __cplusplus
}
#endif

#endif
