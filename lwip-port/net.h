/* Bringing the network up: the glue between the kernel's start-up, the
 * NIC drivers and lwIP. */
#ifndef SKIFF_LWIP_PORT_NET_H
#define SKIFF_LWIP_PORT_NET_H

#include "lwip/err.h"
#include "lwip/netif.h"

struct cmdline;

/* Called by kernel_main before main() when the network stack is linked
 * (the app uses sockets): probes NICs, starts lwIP's thread, configures
 * each NIC from its ip= option (DHCP by default), waits a bounded time
 * for leases and prints the addresses. */
void net_start(const struct cmdline *cl);

/* lwIP netif init for a struct netdev (netif.c). */
err_t skiff_netif_init(struct netif *netif);

/* Prints every interface's address ("skiff: en0 10.0.2.15/24 ..."). */
void net_describe(void);

#endif
