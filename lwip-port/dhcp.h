/* DHCP for an interface (dhcp.c over dhcp_client.c): leases, renews and,
 * when a lease is lost, drops the address and starts over. */
#ifndef SKIFF_LWIP_PORT_DHCP_H
#define SKIFF_LWIP_PORT_DHCP_H

#include <errno.h>
#include <stdbool.h>

#include "drivers/net/netdev.h"
#include "lwip/netif.h"

/* Starts asking for a lease on `netif` (whose num is its index, below
 * NETDEV_MAX), with lwIP's core lock held. The address is set on the
 * netif when it comes (its status callback tells); with `set_dns` the
 * lease's DNS servers become lwIP's. 0 or a negative errno. */
int dhcp_begin(struct netif *netif, const char *hostname, bool set_dns);

#endif
