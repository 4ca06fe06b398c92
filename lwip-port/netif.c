/* A lwIP netif over a struct netdev (any driver), in the shape of lwIP's
 * own contrib ports: low_level_output copies a pbuf chain out through the
 * driver, and received frames are handed to the tcpip thread. */
#include <string.h>

#include "drivers/net/netdev.h"
#include "lwip-port/net.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#define MAX_SEGMENTS 16

static err_t low_level_output(struct netif *netif, struct pbuf *p)
{
	struct netdev *nd = netif->state;
	struct netdev_seg segs[MAX_SEGMENTS];
	unsigned count = 0;
	for (struct pbuf *q = p; q && count < MAX_SEGMENTS; q = q->next)
		segs[count++] = (struct netdev_seg){ q->payload, q->len };
	if (count == MAX_SEGMENTS && segs[count - 1].data != NULL && p->tot_len > 0) {
		size_t covered = 0;
		for (unsigned i = 0; i < count; i++)
			covered += segs[i].len;
		if (covered != p->tot_len)
			return ERR_MEM;         /* absurdly fragmented: drop */
	}
	int err = nd->transmit(nd, segs, count, p->tot_len);
	return err == 0 ? ERR_OK : ERR_MEM;
}

/* From the driver's thread: copy into a pool pbuf and queue it for the
 * tcpip thread, which owns all of lwIP's state. */
static void deliver(struct netdev *nd, const void *frame, size_t len)
{
	struct netif *netif = nd->stack;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		nd->rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	if (netif->input(p, netif) != ERR_OK) {
		pbuf_free(p);
		nd->rx_dropped++;
	}
}

err_t skiff_netif_init(struct netif *netif)
{
	struct netdev *nd = netif->state;
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, nd->mac, ETH_HWADDR_LEN);
	netif->mtu = nd->mtu;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       (nd->link_up ? NETIF_FLAG_LINK_UP : 0);
	if (nd->tx_csum)
		NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL &
					       ~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_UDP));
	netif->output = etharp_output;
	netif->linkoutput = low_level_output;
	nd->stack = netif;
	nd->deliver = deliver;
	return ERR_OK;
}
