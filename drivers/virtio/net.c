/* virtio-net (virtio 1.x section 5.1): one receive and one transmit queue,
 * transmit checksum offload when the device offers it (QEMU does with a tap
 * backend, not with user networking), no segmentation offload. The receive ring is kept full of 2 KiB buffers; a
 * driver thread per NIC, woken by the interrupt handler, hands frames to
 * the stack, gives the buffers back and reclaims sent frames. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/net/frame.h"
#include "drivers/net/netdev.h"
#include "drivers/virtio/virtio.h"
#include "kernel/device.h"
#include "kernel/machine.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/random.h"
#include "kernel/shutdown.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

#define NET_F_CSUM 0
#define NET_F_MTU 3
#define NET_F_MAC 5
#define NET_F_STATUS 16
#define NET_CONFIG_MAC 0
#define NET_CONFIG_STATUS 6
#define NET_CONFIG_MTU 10
#define NET_STATUS_LINK_UP 1

#define RX_QUEUE 0
#define TX_QUEUE 1
#define QUEUE_MAX 256
#define BUF_SIZE 2048
#define HDR_ROOM 16             /* header at the start of each buffer */
#define FRAME_MAX (BUF_SIZE - HDR_ROOM)
#define TX_WAIT_NS (100 * 1000000ull)   /* for ring space, before dropping */
#define TX_KICK_BATCH 16        /* frames queued before the device is told anyway */

struct vnet {
	struct virtio_device *dev;
	struct netdev nd;
	struct virtqueue rx, tx;
	unsigned hdr_len;               /* 12 for virtio 1.x, 10 for legacy */
	unsigned rx_slots, tx_slots;
	uint8_t *rx_bufs, *tx_bufs;     /* BUF_SIZE each, DMA-able */
	uint16_t *tx_free;              /* stack of free transmit slots */
	unsigned tx_free_count;
	unsigned tx_unkicked;           /* queued since the device was last told */
	bool tx_kicked_in_run;          /* told since the running thread got the CPU */
	struct semaphore work;          /* interrupts pending */
	struct semaphore tx_room;       /* for a sender waiting on a full ring */
	bool tx_waiting;
	bool dead;
};

#define HDR_F_NEEDS_CSUM 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

static uint64_t dma(const void *p) { return (uintptr_t)p; }     /* identity-mapped pages */

static void *alloc_buffers(unsigned count)
{
	size_t pages = ((size_t)count * BUF_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
	return (void *)(uintptr_t)page_alloc(pages);
}

static int post_rx(struct vnet *n, unsigned slot)
{
	uint8_t *buf = n->rx_bufs + (size_t)slot * BUF_SIZE;
	struct virtq_buf parts[2] = {
		{ dma(buf), n->hdr_len },
		{ dma(buf + HDR_ROOM), FRAME_MAX },
	};
	/* The cookie is the slot number + 1 (a cookie must not be NULL). */
	return virtq_add(&n->rx, parts, 0, 2, (void *)(uintptr_t)(slot + 1));
}

/* With VIRTIO_NET_F_CSUM the stack leaves TCP/UDP checksums to the device
 * (netif.c): tell it where the checksum goes (header flags, csum_start,
 * csum_offset) and seed the field with the pseudo-header sum, which the
 * device folds into its sum over the segment. */
static void offload_checksum(uint8_t *hdr, uint8_t *frame, size_t len)
{
	struct frame_ipv4 v;
	if (!frame_ipv4(frame, len, &v) || v.fragment)
		return;
	unsigned offset = v.proto == IPPROTO_TCP_ ? 16 : v.proto == IPPROTO_UDP_ ? 6 : 0;
	if (!offset || v.total < v.header + offset + 2)
		return;
	const uint8_t *ip = frame + FRAME_ETH_HEADER;
	uint32_t sum = frame_be16(ip + 12) + frame_be16(ip + 14) + frame_be16(ip + 16) +
		       frame_be16(ip + 18) + v.proto + (v.total - v.header);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	uint8_t *field = frame + FRAME_ETH_HEADER + v.header + offset;
	field[0] = (uint8_t)(sum >> 8);
	field[1] = (uint8_t)sum;
	uint16_t start = (uint16_t)(FRAME_ETH_HEADER + v.header), where = (uint16_t)offset;
	hdr[0] = HDR_F_NEEDS_CSUM;
	memcpy(hdr + 6, &start, 2);     /* little-endian, like the device */
	memcpy(hdr + 8, &where, 2);
}

static void reclaim_tx(struct vnet *n)
{
	uint32_t len;
	void *cookie;
	while ((cookie = virtq_get_used(&n->tx, &len)))
		n->tx_free[n->tx_free_count++] = (uint16_t)((uintptr_t)cookie - 1);
}

/* Telling the device costs a trap into QEMU and a wake-up of its main loop,
 * which owns user networking. The first frame a thread sends after getting
 * the CPU is told at once, as the answer to a lone request should be; the
 * frames that follow in the same run (httpd answering many connections from
 * one poll(), a close's FIN after its answer) wait until the thread gives
 * up the CPU (the scheduler's switch hook), or until TX_KICK_BATCH of them
 * are queued, and are told together. At wrk -c32 that is 0.1 notifications
 * per request instead of 0.8. */
static void kick_tx(struct vnet *n)
{
	n->tx_unkicked = 0;
	n->tx_kicked_in_run = true;
	virtio_kick(n->dev, &n->tx);
}

static void kick_tx_at_switch(void *ctx)
{
	struct vnet *n = ctx;
	if (n->tx_unkicked)
		kick_tx(n);
	n->tx_kicked_in_run = false;
}

/* At the app's exit (shutdown.h): what is queued is told to the device and
 * waited for, polled since the exiting thread gives up the CPU no more. */
static void drain_tx_at_exit(void *ctx, uint64_t deadline_ns)
{
	struct vnet *n = ctx;
	if (n->tx_unkicked)
		kick_tx(n);
	reclaim_tx(n);
	while (n->tx_free_count < n->tx_slots && !n->dead && !n->tx.broken &&
	       arch_monotonic_ns() < deadline_ns)
		reclaim_tx(n);
}

/* A full transmit ring means the device is behind with a burst (under TCG
 * QEMU sends from its main loop while the vCPU goes on producing). A dropped
 * frame would cost TCP a retransmission timeout, so the sender waits for
 * completions, up to TX_WAIT_NS so that a device that stops completing costs
 * drops, not a hang. The interrupt handler wakes it directly: the driver's
 * thread may itself be waiting for the stack's lock, which the sender
 * holds. */
static bool wait_for_tx_room(struct vnet *n)
{
	uint64_t deadline = arch_monotonic_ns() + TX_WAIT_NS;
	while (n->tx_free_count == 0 && !n->dead) {
		n->tx_waiting = true;
		int err = sem_down_until(&n->tx_room, deadline);
		n->tx_waiting = false;
		reclaim_tx(n);
		if (err)
			break;
	}
	return n->tx_free_count > 0 && !n->dead;
}

static int transmit(struct netdev *nd, const struct netdev_seg *segs, unsigned count, size_t len)
{
	struct vnet *n = nd->driver;
	if (n->dead || len > FRAME_MAX)
		return -EIO;
	reclaim_tx(n);
	if (n->tx_free_count == 0) {
		kick_tx(n);             /* the device must see what it is to free */
		if (!wait_for_tx_room(n)) {
			nd->tx_dropped++;
			return -ENOBUFS;
		}
	}
	unsigned slot = n->tx_free[--n->tx_free_count];
	uint8_t *buf = n->tx_bufs + (size_t)slot * BUF_SIZE;
	memset(buf, 0, n->hdr_len);     /* no checksum or segmentation offload */
	size_t at = HDR_ROOM;
	for (unsigned i = 0; i < count; i++) {
		memcpy(buf + at, segs[i].data, segs[i].len);
		at += segs[i].len;
	}
	if (nd->tx_csum)
		offload_checksum(buf, buf + HDR_ROOM, len);
	struct virtq_buf parts[2] = { { dma(buf), n->hdr_len }, { dma(buf + HDR_ROOM), (uint32_t)len } };
	int err = virtq_add(&n->tx, parts, 2, 0, (void *)(uintptr_t)(slot + 1));
	if (err) {
		n->tx_free[n->tx_free_count++] = (uint16_t)slot;
		return err;
	}
	if (++n->tx_unkicked >= TX_KICK_BATCH || !n->tx_kicked_in_run)
		kick_tx(n);
	nd->tx_frames++;
	return 0;
}

static void receive_all(struct vnet *n)
{
	uint32_t len;
	void *cookie;
	bool posted = false;
	while ((cookie = virtq_get_used(&n->rx, &len))) {
		unsigned slot = (unsigned)((uintptr_t)cookie - 1);
		uint8_t *buf = n->rx_bufs + (size_t)slot * BUF_SIZE;
		if (len > n->hdr_len && n->nd.deliver) {
			n->nd.rx_frames++;
			n->nd.deliver(&n->nd, buf + HDR_ROOM, len - n->hdr_len);
		} else {
			n->nd.rx_dropped++;
		}
		post_rx(n, slot);
		posted = true;
	}
	if (posted)
		virtio_kick(n->dev, &n->rx);
}

static void check_broken(struct vnet *n)
{
	struct virtqueue *q = n->rx.broken ? &n->rx : n->tx.broken ? &n->tx : 0;
	if (q && !n->dead) {
		n->dead = true;
		log_err("skiff: %s: %s queue broken: %s\n", n->nd.name, q == &n->rx ? "receive" : "transmit",
			q->broken_reason);
		virtio_fail(n->dev, "misbehaving device");
	}
}

static void driver_thread(void *arg)
{
	struct vnet *n = arg;
	while (!n->dead) {
		sem_down_until(&n->work, DEADLINE_NONE);
		do {
			receive_all(n);
			reclaim_tx(n);
		} while (virtq_enable_interrupts(&n->rx));  /* a completion raced in */
		check_broken(n);
	}
}

static void interrupt(void *ctx)
{
	struct vnet *n = ctx;
	if (!n->dev->ops->ack_interrupt(n->dev))
		return;
	if (n->work.count == 0)
		sem_up(&n->work);
	if (n->tx_waiting && n->tx_room.count == 0)
		sem_up(&n->tx_room);
}

static void read_identity(struct vnet *n)
{
	struct virtio_device *d = n->dev;
	if (virtio_has(d, NET_F_MAC)) {
		d->ops->read_config(d, NET_CONFIG_MAC, n->nd.mac, 6);
	} else {
		uint64_t r = random64();   /* locally administered, unicast */
		memcpy(n->nd.mac, &r, 6);
		n->nd.mac[0] = (uint8_t)((n->nd.mac[0] & 0xFE) | 0x02);
	}
	n->nd.mtu = 1500;
	if (virtio_has(d, NET_F_MTU)) {
		uint16_t mtu;
		d->ops->read_config(d, NET_CONFIG_MTU, &mtu, 2);
		if (mtu >= 68 && mtu <= FRAME_MAX - 14)
			n->nd.mtu = mtu;
	}
	n->nd.tx_csum = virtio_has(d, NET_F_CSUM);
	n->nd.link_up = true;
	if (virtio_has(d, NET_F_STATUS)) {
		uint16_t status;
		d->ops->read_config(d, NET_CONFIG_STATUS, &status, 2);
		n->nd.link_up = status & NET_STATUS_LINK_UP;
	}
}

static int setup_queues(struct vnet *n)
{
	int err = virtio_queue_create(n->dev, RX_QUEUE, QUEUE_MAX, &n->rx);
	if (!err)
		err = virtio_queue_create(n->dev, TX_QUEUE, QUEUE_MAX, &n->tx);
	if (err)
		return err;
	n->rx_slots = n->rx.size / 2;   /* two descriptors per buffer */
	n->tx_slots = n->tx.size / 2;
	n->rx_bufs = alloc_buffers(n->rx_slots);
	n->tx_bufs = alloc_buffers(n->tx_slots);
	n->tx_free = calloc(n->tx_slots, sizeof(*n->tx_free));
	if (!n->rx_bufs || !n->tx_bufs || !n->tx_free)
		return -ENOMEM;
	for (unsigned i = 0; i < n->tx_slots; i++)
		n->tx_free[n->tx_free_count++] = (uint16_t)i;
	for (unsigned i = 0; i < n->rx_slots; i++)
		post_rx(n, i);
	return 0;
}

static void free_buffers(uint8_t *bufs, unsigned count)
{
	if (bufs)
		page_free((uintptr_t)bufs, ((size_t)count * BUF_SIZE + PAGE_SIZE - 1) / PAGE_SIZE);
}

/* Undoes a probe that got as far as its queues: the device stops first,
 * so it no longer writes into what is freed. */
static void unwind(struct vnet *n)
{
	virtio_reset(n->dev);
	machine_irq_detach(interrupt, n);
	free_buffers(n->rx_bufs, n->rx_slots);
	free_buffers(n->tx_bufs, n->tx_slots);
	free(n->tx_free);
	virtio_queue_destroy(&n->rx);
	virtio_queue_destroy(&n->tx);
	free(n);
}

static int probe(void *device)
{
	struct virtio_device *d = device;
	if (netdev_count() == NETDEV_MAX) {
		log_err("skiff: %s: a network device past the %dth is not used\n", d->name, NETDEV_MAX);
		return -ENOSPC;
	}
	struct vnet *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->dev = d;
	int err = virtio_negotiate(d, (1ull << NET_F_MAC) | (1ull << NET_F_MTU) | (1ull << NET_F_STATUS) |
					  (1ull << NET_F_CSUM) | (1ull << VIRTIO_F_EVENT_IDX));
	if (err) {
		free(n);
		return err;
	}
	n->hdr_len = d->modern ? 12 : 10;
	read_identity(n);
	memcpy(n->nd.name, d->name, sizeof(n->nd.name));
	n->nd.transmit = transmit;
	n->nd.driver = n;
	/* Interrupts first: with MSI-X each queue is given its vector as it
	 * is set up. Every step that can fail comes before the thread, which
	 * cannot be taken back. */
	err = d->ops->attach_interrupt(d, interrupt, n);
	if (!err)
		err = setup_queues(n);
	if (!err)
		err = sched_add_switch_hook(kick_tx_at_switch, n);
	if (!err && !thread_create("virtio-net", driver_thread, n, 0)) {
		sched_remove_switch_hook(kick_tx_at_switch, n);
		err = -ENOMEM;
	}
	if (err) {
		unwind(n);
		return err;
	}
	if (shutdown_add_hook(drain_tx_at_exit, n))
		log_warn("skiff: %s: frames sent just before exit may be lost (no shutdown hook left)\n",
			 n->nd.name);
	sched_add_interrupt_source();
	virtio_ready(d);
	virtio_kick(d, &n->rx);
	netdev_register(&n->nd);        /* room checked above: probes run one at a time */
	log_debug("skiff: %s: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u, %u+%u buffers, %s%s\n",
		  n->nd.name, n->nd.mac[0], n->nd.mac[1], n->nd.mac[2], n->nd.mac[3], n->nd.mac[4],
		  n->nd.mac[5], n->nd.mtu, n->rx_slots, n->tx_slots, d->modern ? "virtio 1.x" : "legacy",
		  n->nd.tx_csum ? ", checksum offload" : "");
	return 0;
}

/* Linked when the network stack names it (lwip-port/net.c). */
const struct driver virtio_net_driver = { "virtio-net", BUS_VIRTIO, VIRTIO_ID_NET, probe };
DRIVER_REGISTER(virtio_net_driver);
