/* 9P transports as the 9p file system (fs/9p.c) sees them, whatever the
 * driver (virtio-9p today). A driver fills a struct p9dev and registers it
 * under the device's mount tag; `mount=9p:TAG:/target` finds it by that tag.
 *
 * A request is one T-message out and one R-message back, in a slot: the
 * driver owns the slots and their buffers (DMA-able memory, msg_size bytes
 * each way), so the number of slots bounds the requests in flight, and a
 * thread that finds none free waits for one. Slots in use at once have
 * distinct `index` values, which the client uses as 9P tags.
 */
#ifndef SKIFF_9P_P9DEV_H
#define SKIFF_9P_P9DEV_H

#include <stddef.h>
#include <stdint.h>

#define P9DEV_MAX 8
#define P9DEV_TAG_MAX 63        /* bytes of a mount tag */

struct p9_slot {
	uint8_t *t, *r;         /* msg_size bytes each */
	uint16_t index;
	/* Set by rpc: the bytes the device says it wrote into r, checked to
	 * be at most msg_size; their content is the device's, untrusted. */
	uint32_t r_len;
};

struct p9dev {
	char tag[P9DEV_TAG_MAX + 1];
	char driver_name[24];   /* for messages: "virtio-9p@mmio3" */
	uint32_t msg_size;      /* the largest msize this transport carries */
	/* A free slot; blocks the calling thread until one is. */
	struct p9_slot *(*get_slot)(struct p9dev *d);
	void (*put_slot)(struct p9dev *d, struct p9_slot *s);
	/* Sends the t_len bytes at s->t and waits for the answer: 0 with
	 * s->r_len set, or -EIO when the device is dead (or dies meanwhile).
	 * Blocks the calling thread only; several threads may wait at once. */
	int (*rpc)(struct p9dev *d, struct p9_slot *s, size_t t_len);
	void *driver;
	/* The 9P session attached over it (fs/9p.c's), NULL when none: a
	 * second Tversion would end the first session's fids. */
	void *client;
};

/* Lists the device: its index, or -ENOSPC past P9DEV_MAX, -EEXIST when
 * another has its tag (the first keeps it). */
int p9dev_register(struct p9dev *d);
int p9dev_count(void);
struct p9dev *p9dev_get(int index);
/* The device whose mount tag is `tag`, or NULL. */
struct p9dev *p9dev_find(const char *tag);
/* Their tags, space-separated, for messages ("" with none). */
void p9dev_list(char *buf, size_t size);

#endif
