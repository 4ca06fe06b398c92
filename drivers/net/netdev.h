/* Network interfaces as the network stack sees them, whatever the driver.
 * A driver fills a struct netdev and registers it; the stack (lwip-port)
 * sets `deliver` before the driver starts receiving. NICs keep the order
 * in which they were registered (the order of QEMU's -device options),
 * which is the order `ip=` options are applied in. */
#ifndef SKIFF_NET_NETDEV_H
#define SKIFF_NET_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MAX 4

struct netdev_seg {
	const void *data;
	size_t len;
};

struct netdev {
	char name[24];
	uint8_t mac[6];
	uint16_t mtu;                   /* IP MTU, 1500 unless the device says */
	bool link_up;
	bool tx_csum;                   /* device fills TCP/UDP checksums of sent frames */
	/* Queues one frame made of `count` segments (total bytes `len`, at
	 * most mtu + 14). Returns 0, or -ENOBUFS when the device's transmit
	 * ring stays full (the frame is dropped; TCP resends). A full ring
	 * makes the caller wait for the device, for at most about 100 ms. */
	int (*transmit)(struct netdev *nd, const struct netdev_seg *segs, unsigned count, size_t len);
	/* Set by the stack; the driver calls it from its own thread (never
	 * from an interrupt handler) for every received frame. It may block
	 * (waiting for the stack's buffers), which leaves further frames with
	 * the device. */
	void (*deliver)(struct netdev *nd, const void *frame, size_t len);
	void *stack;                    /* the stack's per-interface state */
	void *driver;
	/* Counters, for `loglevel=debug` reports and tests. */
	uint64_t rx_frames, tx_frames, rx_dropped, tx_dropped;
};

/* Returns the interface's index, or -ENOSPC past NETDEV_MAX. */
int netdev_register(struct netdev *nd);
int netdev_count(void);
struct netdev *netdev_get(int index);

#endif
