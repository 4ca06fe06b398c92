/* A lwIP netif over a struct netdev (any driver), in the shape of lwIP's
 * own contrib ports: low_level_output copies a pbuf chain out through the
 * driver, and received frames are handed to the tcpip thread. */
#include <string.h>

#include "drivers/net/frame.h"
#include "drivers/net/netdev.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "lwip-port/net.h"
#include "lwip-port/rxbuf.h"
#include "lwip-port/tcp_isn.h"
#include "lwip-port/timewait.h"
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

/* The receive buffers (rxbuf.c) run out when the apps stop reading: every
 * connection may hold a window's worth of received data until its app
 * reads it. Dropping a frame then costs its sender a retransmission
 * timeout, a second or more, so the driver's thread waits a little for the
 * apps to read and free buffers; meanwhile the device holds the frames that
 * follow. Buffers that stay in use (apps that do not read) make it drop
 * data without waiting, until a buffer is free again. Frames that carry no
 * data to queue (ARP, TCP without payload: the ACKs, FINs and resets that
 * let memory be freed) then go to lwIP's heap, so the stack never stops
 * hearing that its peers have gone. */
#define STARVED_WAIT_NS 1000000ull
#define STARVED_WAITS 50
static bool starved;

static struct pbuf *frame_buffer(u16_t len)
{
	struct pbuf *p = rxbuf_alloc(len);
	for (int i = 0; !p && !starved && i < STARVED_WAITS; i++) {
		thread_sleep_until(arch_monotonic_ns() + STARVED_WAIT_NS);
		p = rxbuf_alloc(len);
	}
	if (!p && !starved)
		log_debug("skiff: all %zu receive buffers are in use: dropping data until one is free\n",
			  rxbuf_count());
	starved = p == NULL;
	return p;
}

/* From the driver's thread: copy into a receive buffer and hand it to lwIP
 * (which, with LWIP_TCPIP_CORE_LOCKING_INPUT, takes the core lock and
 * processes it here). */
static void deliver(struct netdev *nd, const void *frame, size_t len)
{
	struct netif *netif = nd->stack;
	skiff_tcp_isn_note_frame();
	struct pbuf *p = len <= RXBUF_FRAME_MAX ? frame_buffer((u16_t)len) : NULL;
	if (!p && (len > RXBUF_FRAME_MAX || frame_carries_no_data(frame, len)))
		p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
	if (!p) {
		nd->rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	/* A TIME_WAIT is ended right before lwIP sees the SYN that ends it,
	 * not before frame_buffer, which may wait for a buffer meanwhile. */
	timewait_admit(frame, len);
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
