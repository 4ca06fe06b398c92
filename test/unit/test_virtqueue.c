/* Unit tests of the split virtqueue (drivers/virtio/virtqueue.c) against a
 * fake device that works the rings as a real one would: it takes chains
 * from the available ring, "processes" them (copies what it read into the
 * writable buffers, an echo device), and completes them through the used
 * ring, in any order and in batches. It finds the rings from the spec's
 * legacy layout, not from the driver's pointers, so the layout is checked
 * too. Buffer "physical" addresses are host pointers.
 *
 * Ring memory and state arrays are allocated exactly as large as the
 * driver may use, so ASan reports any access past them. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "drivers/virtio/virtqueue.h"

#define MAX_CHAIN 32

/* ---- fake device ---- */

struct chain {                  /* one chain the device has taken */
	uint16_t head;
	unsigned nbufs;
	uint32_t readable, writable;
	uint16_t descs[MAX_CHAIN];
};

struct fake_dev {
	uint16_t size;
	bool event_idx;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail;    /* next available entry to take */
	uint16_t used_idx;      /* private; published to used->idx */
	uint16_t published;     /* last used->idx value published */
	unsigned interrupts;    /* interrupts the device would have raised */
	struct chain taken[MAX_CHAIN * 4];
	unsigned ntaken;
};

static uint16_t vload16(const uint16_t *p) { return *(const volatile uint16_t *)p; }
static void vstore16(uint16_t *p, uint16_t v) { *(volatile uint16_t *)p = v; }

static uint16_t *dev_used_event(struct fake_dev *d) { return &d->avail->ring[d->size]; }
static uint16_t *dev_avail_event(struct fake_dev *d) { return (uint16_t *)&d->used->ring[d->size]; }

static bool spec_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

static void dev_init(struct fake_dev *d, void *ring, uint16_t size, bool event_idx)
{
	size_t avail_off = 16u * size;
	size_t used_off = (avail_off + 2u * (3u + size) + 4095) & ~(size_t)4095;

	memset(d, 0, sizeof(*d));
	d->size = size;
	d->event_idx = event_idx;
	d->desc = ring;
	d->avail = (struct virtq_avail *)((char *)ring + avail_off);
	d->used = (struct virtq_used *)((char *)ring + used_off);
}

/* Walks one chain as the device would, checking the driver built it right:
 * in range, readable buffers before writable ones, no loops. */
static bool dev_walk(struct fake_dev *d, uint16_t head, struct chain *c)
{
	uint16_t i = head;

	memset(c, 0, sizeof(*c));
	c->head = head;
	for (;;) {
		/* Only failures are counted: this runs millions of times. */
		if (i >= d->size || c->nbufs >= MAX_CHAIN || c->nbufs >= d->size) {
			CHECK(!"chain out of range, too long or looping");
			return false;
		}
		const struct virtq_desc *e = &d->desc[i];
		c->descs[c->nbufs++] = i;
		if (e->flags & VIRTQ_DESC_F_WRITE) {
			c->writable += e->len;
		} else {
			if (c->writable != 0)
				CHECK(!"readable buffer after a writable one");
			c->readable += e->len;
		}
		if (!(e->flags & VIRTQ_DESC_F_NEXT))
			return true;
		i = e->next;
	}
}

/* Takes every newly available chain. With event_idx, asks to be kicked
 * again at the next new entry, as QEMU does once it has caught up. */
static unsigned dev_fetch(struct fake_dev *d)
{
	unsigned n = 0;
	uint16_t idx = vload16(&d->avail->idx);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	while (d->last_avail != idx) {
		uint16_t head = vload16(&d->avail->ring[d->last_avail % d->size]);
		if (d->ntaken == sizeof(d->taken) / sizeof(d->taken[0])) {
			CHECK(!"more chains taken than ever fit in a queue");
			break;
		}
		if (dev_walk(d, head, &d->taken[d->ntaken]))
			d->ntaken++;
		d->last_avail++;
		n++;
	}
	if (d->event_idx)
		vstore16(dev_avail_event(d), d->last_avail);
	return n;
}

/* Echo: copies the readable bytes into the writable buffers, returns how
 * many it wrote. */
static uint32_t dev_echo(struct fake_dev *d, const struct chain *c)
{
	uint8_t data[4096];
	uint32_t have = 0, wrote = 0;

	for (unsigned k = 0; k < c->nbufs; k++) {
		const struct virtq_desc *e = &d->desc[c->descs[k]];
		uint8_t *p = (uint8_t *)(uintptr_t)e->addr;
		if (!(e->flags & VIRTQ_DESC_F_WRITE)) {
			uint32_t n = e->len < sizeof(data) - have ? e->len : (uint32_t)sizeof(data) - have;
			memcpy(data + have, p, n);
			have += n;
		} else {
			uint32_t n = e->len < have - wrote ? e->len : have - wrote;
			memcpy(p, data + wrote, n);
			wrote += n;
		}
	}
	return wrote;
}

/* Writes a used entry without publishing it; any id and len, valid or not. */
static void dev_put(struct fake_dev *d, uint32_t id, uint32_t len)
{
	struct virtq_used_elem *e = &d->used->ring[d->used_idx % d->size];

	e->id = id;
	e->len = len;
	d->used_idx++;
}

/* Publishes the entries put so far and decides, as a device must, whether
 * to interrupt (spec 2.7.7.2 and 2.7.10). */
static void dev_publish(struct fake_dev *d)
{
	uint16_t old = d->published;

	__atomic_thread_fence(__ATOMIC_RELEASE);
	vstore16(&d->used->idx, d->used_idx);
	d->published = d->used_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (d->event_idx ? spec_need_event(vload16(dev_used_event(d)), d->used_idx, old)
			 : !(vload16(&d->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT))
		d->interrupts++;
}

/* Completes taken chain k (removing it from the list) with length len. */
static void dev_complete(struct fake_dev *d, unsigned k, uint32_t len)
{
	dev_put(d, d->taken[k].head, len);
	d->taken[k] = d->taken[--d->ntaken];
}

/* ---- driver-side fixture ---- */

struct fixture {
	struct virtqueue q;
	struct fake_dev dev;
	void *ring;
	struct virtq_state *state;
};

static void setup(struct fixture *f, uint16_t size, bool event_idx)
{
	size_t bytes = virtq_ring_bytes(size);

	memset(f, 0, sizeof(*f));
	if (posix_memalign(&f->ring, VIRTQ_ALIGN, bytes) != 0)
		abort();
	memset(f->ring, 0xa5, bytes);   /* init must clear it */
	f->state = malloc(sizeof(*f->state) * size);
	if (f->state == NULL)
		abort();
	CHECK_INT(virtq_init(&f->q, 1, size, f->ring, f->state, event_idx), 0);
	dev_init(&f->dev, f->ring, size, event_idx);
}

static void teardown(struct fixture *f)
{
	free(f->ring);
	free(f->state);
}

static int add1(struct fixture *f, uint64_t addr, uint32_t len, bool writable, void *cookie)
{
	struct virtq_buf b = { addr, len };

	return virtq_add(&f->q, &b, writable ? 0 : 1, writable ? 1 : 0, cookie);
}

/* ---- tests ---- */

static void test_layout(void)
{
	static const uint16_t sizes[] = { 1, 2, 8, 256, 1024, 32768 };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		size_t used = (16 * n + 2 * (3 + n) + 4095) / 4096 * 4096;
		CHECK_INT(virtq_avail_offset(sizes[i]), 16 * n);
		CHECK_INT(virtq_used_offset(sizes[i]), used);
		CHECK_INT(virtq_ring_bytes(sizes[i]), used + 6 + 8 * n);
	}
	/* Linux's vring_size(256, 4096), a value known from elsewhere. */
	CHECK_INT(virtq_ring_bytes(256), 10246);

	struct fixture f;
	setup(&f, 8, false);
	CHECK(f.q.desc == f.dev.desc);
	CHECK(f.q.avail == f.dev.avail);
	CHECK(f.q.used == f.dev.used);
	CHECK_INT(f.q.num_free, 8);
	CHECK_INT(f.q.index, 1);
	CHECK(!f.q.broken);
	CHECK_INT(f.dev.avail->idx, 0);
	CHECK_INT(f.dev.used->idx, 0);
	CHECK(!virtq_has_used(&f.q));
	CHECK(virtq_get_used(&f.q, NULL) == NULL);
	CHECK(!virtq_kick_prepare(&f.q));       /* nothing added */
	teardown(&f);
}

static void test_init_rejects(void)
{
	struct virtqueue q;
	static struct virtq_state st[4];
	void *ring;

	if (posix_memalign(&ring, VIRTQ_ALIGN, virtq_ring_bytes(4)) != 0)
		abort();
	CHECK_INT(virtq_init(&q, 0, 0, ring, st, false), -EINVAL);
	CHECK_INT(virtq_init(&q, 0, 3, ring, st, false), -EINVAL);
	CHECK_INT(virtq_init(&q, 0, 6, ring, st, false), -EINVAL);
	CHECK_INT(virtq_init(&q, 0, 0xffff, ring, st, false), -EINVAL);
	CHECK_INT(virtq_init(&q, 0, 4, NULL, st, false), -EINVAL);
	CHECK_INT(virtq_init(&q, 0, 4, ring, NULL, false), -EINVAL);
	CHECK_INT(virtq_init(&q, 0, 4, ring, st, false), 0);
	free(ring);
}

static void test_round_trip(void)
{
	struct fixture f;
	char req[] = "hello, device";
	char resp[32] = { 0 };
	int cookie;
	uint32_t len = 0;

	setup(&f, 8, false);
	struct virtq_buf bufs[2] = {
		{ (uintptr_t)req, sizeof(req) }, { (uintptr_t)resp, sizeof(resp) },
	};
	CHECK_INT(virtq_add(&f.q, bufs, 1, 1, &cookie), 0);
	CHECK_INT(f.q.num_free, 6);
	CHECK_INT(f.dev.avail->idx, 1);
	CHECK(virtq_kick_prepare(&f.q));
	CHECK(!virtq_kick_prepare(&f.q));       /* already kicked */

	CHECK_INT(dev_fetch(&f.dev), 1);
	struct chain *c = &f.dev.taken[0];
	CHECK_INT(c->nbufs, 2);
	const struct virtq_desc *d0 = &f.dev.desc[c->descs[0]];
	const struct virtq_desc *d1 = &f.dev.desc[c->descs[1]];
	CHECK(d0->addr == (uintptr_t)req);
	CHECK_INT(d0->len, sizeof(req));
	CHECK_INT(d0->flags, VIRTQ_DESC_F_NEXT);
	CHECK(d1->addr == (uintptr_t)resp);
	CHECK_INT(d1->flags, VIRTQ_DESC_F_WRITE);
	CHECK(!virtq_has_used(&f.q));

	dev_complete(&f.dev, 0, dev_echo(&f.dev, c));
	dev_publish(&f.dev);
	CHECK(virtq_has_used(&f.q));
	CHECK(virtq_get_used(&f.q, &len) == &cookie);
	CHECK_INT(len, sizeof(req));
	CHECK_STR(resp, req);
	CHECK(virtq_get_used(&f.q, &len) == NULL);
	CHECK(!virtq_has_used(&f.q));
	CHECK_INT(f.q.num_free, 8);
	CHECK(!f.q.broken);
	teardown(&f);
}

static void test_add_rejects(void)
{
	struct fixture f;
	struct virtq_buf bufs[9] = { { 0x1000, 1 } };
	int cookie;

	setup(&f, 8, false);
	CHECK_INT(virtq_add(&f.q, bufs, 0, 0, &cookie), -EINVAL);
	CHECK_INT(virtq_add(&f.q, bufs, 1, 0, NULL), -EINVAL);
	CHECK_INT(virtq_add(&f.q, bufs, 5, 4, &cookie), -EINVAL);      /* > size */
	CHECK_INT(virtq_add(&f.q, bufs, 1, UINT32_MAX, &cookie), -EINVAL);
	CHECK_INT(virtq_add(&f.q, bufs, UINT32_MAX, 1, &cookie), -EINVAL);
	bufs[1] = (struct virtq_buf){ 0x2000, UINT32_MAX };
	bufs[2] = (struct virtq_buf){ 0x3000, 1 };
	CHECK_INT(virtq_add(&f.q, bufs, 1, 2, &cookie), -EINVAL);      /* writable > 4 GiB */
	CHECK_INT(f.q.num_free, 8);
	CHECK_INT(f.dev.avail->idx, 0);
	CHECK(!virtq_kick_prepare(&f.q));
	/* The largest writable total that fits is fine. */
	bufs[2] = (struct virtq_buf){ 0x3000, 0 };
	CHECK_INT(virtq_add(&f.q, bufs, 1, 2, &cookie), 0);
	CHECK_INT(f.q.state[0].writable_len, UINT32_MAX);
	teardown(&f);
}

static void test_out_of_order(void)
{
	struct fixture f;
	int cookies[5];
	static const unsigned order[] = { 3, 0, 4, 1, 2 };
	uint32_t len;

	setup(&f, 8, false);
	for (int i = 0; i < 5; i++)
		CHECK_INT(add1(&f, 0x1000 * (i + 1), 100 + i, true, &cookies[i]), 0);
	CHECK_INT(dev_fetch(&f.dev), 5);
	/* taken[k] is request k; complete them in `order`, lengths 10+k. */
	struct chain taken[5];
	memcpy(taken, f.dev.taken, sizeof(taken));
	f.dev.ntaken = 0;
	for (unsigned j = 0; j < 5; j++)
		dev_put(&f.dev, taken[order[j]].head, 10 + order[j]);
	dev_publish(&f.dev);
	for (unsigned j = 0; j < 5; j++) {
		CHECK(virtq_get_used(&f.q, &len) == &cookies[order[j]]);
		CHECK_INT(len, 10 + order[j]);
	}
	CHECK(virtq_get_used(&f.q, &len) == NULL);
	CHECK_INT(f.q.num_free, 8);
	teardown(&f);
}

static void test_fill_and_reuse(void)
{
	struct fixture f;
	int cookies[9];
	struct virtq_buf two[2] = { { 0x1000, 8 }, { 0x2000, 8 } };
	uint32_t len;

	setup(&f, 8, false);
	for (int i = 0; i < 8; i++)
		CHECK_INT(add1(&f, 0x1000, 8, true, &cookies[i]), 0);
	CHECK_INT(f.q.num_free, 0);
	CHECK_INT(add1(&f, 0x1000, 8, true, &cookies[8]), -ENOSPC);
	CHECK_INT(f.dev.avail->idx, 8);
	CHECK_INT(dev_fetch(&f.dev), 8);

	/* One completion frees one descriptor: enough for one, not two. */
	dev_complete(&f.dev, 2, 8);
	dev_publish(&f.dev);
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK_INT(f.q.num_free, 1);
	CHECK_INT(virtq_add(&f.q, two, 1, 1, &cookies[8]), -ENOSPC);
	CHECK_INT(add1(&f, 0x5000, 8, false, &cookies[8]), 0);
	CHECK_INT(add1(&f, 0x5000, 8, false, &cookies[8]), -ENOSPC);
	CHECK_INT(dev_fetch(&f.dev), 1);

	/* Drain everything; the queue is whole again. */
	while (f.dev.ntaken > 0)
		dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	int got = 0;
	while (virtq_get_used(&f.q, &len) != NULL)
		got++;
	CHECK_INT(got, 8);
	CHECK_INT(f.q.num_free, 8);
	CHECK(!f.q.broken);
	teardown(&f);
}

/* Chains of several readable and writable buffers; the descriptor count
 * must come back exactly, and the free list must still hold every
 * descriptor once (checked by one chain as long as the queue). */
static void test_chains(void)
{
	struct fixture f;
	static const unsigned shape[][2] = { { 3, 2 }, { 1, 4 }, { 0, 1 }, { 2, 0 } };
	uint8_t src[4][5][16], dst[4][5][16];
	int cookies[4];
	uint32_t len;

	setup(&f, 16, false);
	memset(dst, 0, sizeof(dst));
	for (int r = 0; r < 4; r++) {
		struct virtq_buf bufs[5];
		unsigned n = shape[r][0] + shape[r][1];
		for (unsigned k = 0; k < n; k++) {
			bool w = k >= shape[r][0];
			memset(src[r][k], 'a' + r * 5 + k, 16);
			bufs[k] = (struct virtq_buf){ (uintptr_t)(w ? dst[r][k] : src[r][k]), 16 };
		}
		CHECK_INT(virtq_add(&f.q, bufs, shape[r][0], shape[r][1], &cookies[r]), 0);
	}
	CHECK_INT(f.q.num_free, 16 - 13);
	struct virtq_buf four[4] = { { 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 } };
	CHECK_INT(virtq_add(&f.q, four, 2, 2, &cookies[0]), -ENOSPC);

	CHECK_INT(dev_fetch(&f.dev), 4);
	for (int r = 0; r < 4; r++) {
		const struct chain *c = &f.dev.taken[r];
		CHECK_INT(c->nbufs, shape[r][0] + shape[r][1]);
		CHECK_INT(c->readable, 16 * shape[r][0]);
		CHECK_INT(c->writable, 16 * shape[r][1]);
		CHECK_INT(f.q.state[c->head].chain_len, c->nbufs);
		CHECK_INT(f.q.state[c->head].writable_len, c->writable);
	}
	/* Complete 2, 0, 3, 1 (taken[] is reordered by each completion). */
	uint32_t echo[4];
	for (int r = 0; r < 4; r++)
		echo[r] = dev_echo(&f.dev, &f.dev.taken[r]);
	CHECK_INT(echo[0], 32);         /* 48 bytes read, 32 room */
	CHECK_INT(echo[1], 16);
	CHECK_INT(echo[2], 0);
	CHECK_INT(echo[3], 0);
	dev_put(&f.dev, f.dev.taken[2].head, echo[2]);
	dev_put(&f.dev, f.dev.taken[0].head, echo[0]);
	dev_put(&f.dev, f.dev.taken[3].head, echo[3]);
	dev_put(&f.dev, f.dev.taken[1].head, echo[1]);
	f.dev.ntaken = 0;
	dev_publish(&f.dev);
	static const int order[] = { 2, 0, 3, 1 };
	for (int j = 0; j < 4; j++) {
		CHECK(virtq_get_used(&f.q, &len) == &cookies[order[j]]);
		CHECK_INT(len, echo[order[j]]);
	}
	CHECK_INT(f.q.num_free, 16);
	CHECK_INT(dst[0][3][0], 'a');           /* request 0's first byte */
	CHECK_INT(dst[0][4][0], 'b');
	CHECK_INT(dst[1][1][0], 'f');

	struct virtq_buf all[16];
	for (int k = 0; k < 16; k++)
		all[k] = (struct virtq_buf){ 0x1000 + k, 1 };
	CHECK_INT(virtq_add(&f.q, all, 8, 8, &cookies[0]), 0);
	CHECK_INT(dev_fetch(&f.dev), 1);
	bool seen[16] = { false };
	int distinct = 0;
	for (unsigned k = 0; k < f.dev.taken[0].nbufs; k++) {
		uint16_t i = f.dev.taken[0].descs[k];
		if (!seen[i])
			distinct++;
		seen[i] = true;
		CHECK(f.dev.desc[i].addr == 0x1000u + k);
	}
	CHECK_INT(distinct, 16);
	teardown(&f);
}

/* A small deterministic generator, so a failure reproduces. */
static uint32_t rng_state = 12345;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

struct request {
	unsigned seq;
	uint32_t writable;
	bool in_flight;
};

/* Many requests through a small queue: the 16-bit indices wrap several
 * times; chains of 1..3, random batch sizes and completion order. */
static void run_many(bool event_idx)
{
	enum { SIZE = 4, TOTAL = 200000 };
	struct fixture f;
	struct request reqs[SIZE];
	unsigned added = 0, completed = 0, bad = 0;
	uint32_t len;

	setup(&f, SIZE, event_idx);
	memset(reqs, 0, sizeof(reqs));
	while (completed < TOTAL) {
		/* Add until full or the generator says stop. */
		while (added < TOTAL && rnd(4) != 0) {
			unsigned slot = 0;
			while (slot < SIZE && reqs[slot].in_flight)
				slot++;
			if (slot == SIZE)
				break;
			struct virtq_buf bufs[3];
			unsigned n = 1 + rnd(3), out = rnd(n + 1);
			uint32_t w = 0;
			for (unsigned k = 0; k < n; k++) {
				bufs[k] = (struct virtq_buf){ 0x10000 + k, 1 + rnd(1000) };
				if (k >= out)
					w += bufs[k].len;
			}
			int rc = virtq_add(&f.q, bufs, out, n - out, &reqs[slot]);
			if (rc == -ENOSPC)
				break;
			if (rc != 0) {
				bad++;
				break;
			}
			reqs[slot] = (struct request){ added++, w, true };
		}
		if (rnd(2))
			virtq_kick_prepare(&f.q);
		dev_fetch(&f.dev);
		/* Complete a random subset in random order, one batch. */
		unsigned batch = rnd(f.dev.ntaken + 1);
		for (unsigned j = 0; j < batch; j++) {
			unsigned k = rnd(f.dev.ntaken);
			dev_complete(&f.dev, k, f.dev.taken[k].writable);
		}
		dev_publish(&f.dev);
		struct request *r;
		while ((r = virtq_get_used(&f.q, &len)) != NULL) {
			if (!r->in_flight || len != r->writable)
				bad++;
			r->in_flight = false;
			completed++;
		}
		if (f.q.broken)
			break;
	}
	CHECK(!f.q.broken);
	CHECK_INT(bad, 0);
	CHECK_INT(completed, TOTAL);
	CHECK_INT(f.q.num_free, SIZE);
	CHECK_INT(f.q.avail_idx, TOTAL % 65536);
	CHECK_INT(f.q.last_used, TOTAL % 65536);
	CHECK_INT(f.dev.avail->idx, TOTAL % 65536);
	CHECK_INT(f.dev.used->idx, TOTAL % 65536);
	teardown(&f);
}

static void test_wraparound(void)
{
	run_many(false);
	run_many(true);
}

static void test_notify_flag(void)
{
	struct fixture f;
	int c;

	setup(&f, 8, false);
	CHECK(!virtq_kick_prepare(&f.q));
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));
	f.dev.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(!virtq_kick_prepare(&f.q));
	f.dev.used->flags = 0;
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));
	/* avail_event means nothing without event_idx. */
	*dev_avail_event(&f.dev) = 100;
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));
	teardown(&f);
}

static void test_notify_event_idx(void)
{
	struct fixture f;
	int c;

	setup(&f, 8, true);
	/* avail_event 0: the device wants a kick once entry 0 is available. */
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));
	CHECK_INT(dev_fetch(&f.dev), 1);        /* avail_event = 1 */
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));        /* crossed 1 */
	/* The device has not looked since: it will see the next one anyway. */
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(!virtq_kick_prepare(&f.q));
	CHECK_INT(dev_fetch(&f.dev), 3);        /* avail_event = 4 */
	/* used->flags is ignored with event_idx. */
	f.dev.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));
	/* avail_event far ahead (device asked for a kick much later). */
	*dev_avail_event(&f.dev) = 40;
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(!virtq_kick_prepare(&f.q));
	teardown(&f);

	/* Drive the indices to the wrap with real requests, never kicking
	 * (a polling device needs none). */
	setup(&f, 1, true);
	uint32_t len;
	unsigned ok = 0;
	for (unsigned i = 0; i < 0xffff; i++) {
		ok += add1(&f, 0x1000, 1, true, &c) == 0;
		dev_fetch(&f.dev);
		dev_complete(&f.dev, 0, 0);
		dev_publish(&f.dev);
		ok += virtq_get_used(&f.q, &len) == &c;
	}
	CHECK_INT(ok, 2 * 0xffff);
	/* 0xffff adds since the last kick: the count saturated and the old
	 * index is unknown, so notify (at worst once too often). */
	CHECK_INT(f.q.avail_idx, 0xffff);
	CHECK(virtq_kick_prepare(&f.q));
	/* Device caught up to 0xffff; adding entry 0xffff (idx -> 0) crosses. */
	CHECK_INT(*dev_avail_event(&f.dev), 0xffff);
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(f.q.avail_idx, 0);
	CHECK(virtq_kick_prepare(&f.q));
	CHECK(!f.q.broken);
	teardown(&f);
}

/* virtio-net queues a burst and kicks once (drivers/virtio/net.c). A device
 * that looked in the middle of the burst, by itself, has taken part of it;
 * the kick for the rest must still go out, and only once. */
static void test_notify_batched(void)
{
	struct fixture f;
	int c;

	setup(&f, 16, true);
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));
	CHECK_INT(dev_fetch(&f.dev), 1);        /* idle again: avail_event = 1 */
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(dev_fetch(&f.dev), 2);        /* looked mid-burst: avail_event = 3 */
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK(virtq_kick_prepare(&f.q));        /* entry 3 is in the burst [1, 5) */
	CHECK(!virtq_kick_prepare(&f.q));
	/* A burst the device took whole before the kick needs none. */
	CHECK_INT(dev_fetch(&f.dev), 2);        /* avail_event = 5 */
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(add1(&f, 0x1000, 1, true, &c), 0);
	CHECK_INT(dev_fetch(&f.dev), 2);        /* avail_event = 7 = avail idx */
	CHECK(!virtq_kick_prepare(&f.q));
	teardown(&f);
}

static void test_interrupts_flag(void)
{
	struct fixture f;
	int c[3];
	uint32_t len;

	setup(&f, 8, false);
	for (int i = 0; i < 3; i++)
		CHECK_INT(add1(&f, 0x1000, 1, true, &c[i]), 0);
	dev_fetch(&f.dev);
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 1);

	virtq_disable_interrupts(&f.q);
	CHECK_INT(f.dev.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK(!virtq_enable_interrupts(&f.q));  /* nothing raced in */
	CHECK_INT(f.dev.avail->flags, 0);

	virtq_disable_interrupts(&f.q);
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 1);         /* suppressed */
	/* The completion came in while interrupts were off: enable says so. */
	CHECK(virtq_enable_interrupts(&f.q));
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK(!virtq_enable_interrupts(&f.q));
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 2);
	teardown(&f);
}

static void test_interrupts_event_idx(void)
{
	struct fixture f;
	int c[6];
	uint32_t len;

	setup(&f, 8, true);
	for (int i = 0; i < 6; i++)
		CHECK_INT(add1(&f, 0x1000, 1, true, &c[i]), 0);
	dev_fetch(&f.dev);
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 1);         /* used_event 0 crossed */
	/* Without our reading it, a second completion raises nothing. */
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 1);
	/* Consuming with interrupts on re-arms used_event each time... */
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK_INT(*dev_used_event(&f.dev), 2);
	/* ...so the next completion interrupts without an enable call. */
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 2);
	CHECK(virtq_get_used(&f.q, &len) != NULL);

	/* Disabled: no interrupt; avail->flags stays 0 as the spec asks. */
	virtq_disable_interrupts(&f.q);
	CHECK_INT(f.dev.avail->flags, 0);
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 2);
	CHECK(virtq_enable_interrupts(&f.q));   /* raced in */
	CHECK_INT(*dev_used_event(&f.dev), 3);
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK(!virtq_enable_interrupts(&f.q));
	CHECK_INT(*dev_used_event(&f.dev), 4);
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 3);

	/* Consuming while disabled does not re-arm. */
	virtq_disable_interrupts(&f.q);
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	dev_complete(&f.dev, 0, 0);
	dev_publish(&f.dev);
	CHECK_INT(f.dev.interrupts, 3);
	CHECK(virtq_enable_interrupts(&f.q));
	CHECK(virtq_get_used(&f.q, &len) != NULL);
	CHECK_INT(f.q.num_free, 8);
	teardown(&f);
}

/* ---- malformed used entries ---- */

/* Checks a queue the device just broke: NULL from get_used, the reason,
 * no more adds, no descriptor given back, and no cookie handed out. */
static void check_broken(struct fixture *f, const char *reason, uint16_t num_free)
{
	int c;
	uint32_t len = 0xdead;

	CHECK(virtq_get_used(&f->q, &len) == NULL);
	CHECK(f->q.broken);
	CHECK_STR(f->q.broken_reason, reason);
	CHECK_INT(len, 0xdead);
	CHECK_INT(f->q.num_free, num_free);
	CHECK(virtq_get_used(&f->q, &len) == NULL);     /* stays broken */
	CHECK(!virtq_has_used(&f->q));
	CHECK_INT(add1(f, 0x1000, 1, true, &c), -EIO);
	CHECK_INT(f->q.num_free, num_free);
}

static void test_bad_id_range(void)
{
	static const uint32_t ids[] = { 8, 9, 0xffff, 0x10000, 0xffffffff };
	struct fixture f;
	int c;

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		setup(&f, 8, false);
		CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
		dev_fetch(&f.dev);
		dev_put(&f.dev, ids[i], 0);
		dev_publish(&f.dev);
		CHECK(virtq_has_used(&f.q));
		check_broken(&f, "used id out of range", 7);
		teardown(&f);
	}
}

static void test_bad_id_not_in_flight(void)
{
	struct fixture f;
	int c;
	uint32_t len;

	/* Never made available. */
	setup(&f, 8, false);
	CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
	dev_fetch(&f.dev);
	dev_put(&f.dev, 5, 0);
	dev_publish(&f.dev);
	check_broken(&f, "used id not in flight", 7);
	teardown(&f);

	/* Completed twice: the second one is rejected. */
	setup(&f, 8, false);
	CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
	CHECK_INT(add1(&f, 0x2000, 16, true, &c), 0);
	dev_fetch(&f.dev);
	uint16_t head = f.dev.taken[0].head;
	dev_complete(&f.dev, 0, 16);
	dev_publish(&f.dev);
	CHECK(virtq_get_used(&f.q, &len) == &c);
	CHECK_INT(f.q.num_free, 7);
	dev_put(&f.dev, head, 16);
	dev_publish(&f.dev);
	check_broken(&f, "used id not in flight", 7);
	teardown(&f);

	/* A duplicate within one batch, before the driver saw either. */
	setup(&f, 8, false);
	CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
	dev_fetch(&f.dev);
	dev_put(&f.dev, f.dev.taken[0].head, 1);
	dev_put(&f.dev, f.dev.taken[0].head, 1);
	dev_publish(&f.dev);
	CHECK(virtq_get_used(&f.q, &len) == &c);
	check_broken(&f, "used id not in flight", 8);
	teardown(&f);

	/* The id of a descriptor inside a chain rather than its head. */
	setup(&f, 8, false);
	struct virtq_buf three[3] = { { 0x1000, 4 }, { 0x2000, 4 }, { 0x3000, 4 } };
	CHECK_INT(virtq_add(&f.q, three, 1, 2, &c), 0);
	dev_fetch(&f.dev);
	dev_put(&f.dev, f.dev.taken[0].descs[1], 4);
	dev_publish(&f.dev);
	check_broken(&f, "used id not in flight", 5);
	teardown(&f);
}

static void test_bad_len(void)
{
	struct fixture f;
	int c;

	/* One byte more than the writable buffers hold. */
	setup(&f, 8, false);
	struct virtq_buf bufs[3] = { { 0x1000, 16 }, { 0x2000, 60 }, { 0x3000, 40 } };
	CHECK_INT(virtq_add(&f.q, bufs, 1, 2, &c), 0);
	dev_fetch(&f.dev);
	dev_complete(&f.dev, 0, 101);
	dev_publish(&f.dev);
	check_broken(&f, "used len too long", 5);
	teardown(&f);

	/* A read-only request has no room at all. */
	setup(&f, 8, false);
	CHECK_INT(add1(&f, 0x1000, 16, false, &c), 0);
	dev_fetch(&f.dev);
	dev_complete(&f.dev, 0, 1);
	dev_publish(&f.dev);
	check_broken(&f, "used len too long", 7);
	teardown(&f);

	/* Exactly full is fine. */
	setup(&f, 8, false);
	uint32_t len;
	CHECK_INT(virtq_add(&f.q, bufs, 1, 2, &c), 0);
	dev_fetch(&f.dev);
	dev_complete(&f.dev, 0, 100);
	dev_publish(&f.dev);
	CHECK(virtq_get_used(&f.q, &len) == &c);
	CHECK_INT(len, 100);
	CHECK(!f.q.broken);
	teardown(&f);
}

static void test_bad_used_idx(void)
{
	static const uint16_t jumps[] = { 9, 100, 0x8000, 0xffff };
	struct fixture f;
	int c;
	uint32_t len;

	for (unsigned i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		setup(&f, 8, false);
		CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
		dev_fetch(&f.dev);
		f.dev.used->idx = jumps[i];
		check_broken(&f, "used idx ran ahead", 7);
		teardown(&f);
	}

	/* Ahead by exactly size is legal; its garbage entries are not. */
	setup(&f, 8, false);
	CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
	dev_fetch(&f.dev);
	dev_put(&f.dev, f.dev.taken[0].head, 16);
	f.dev.used->idx = 8;
	CHECK(virtq_get_used(&f.q, &len) == &c);
	check_broken(&f, "used id not in flight", 8);
	teardown(&f);

	/* After wrapping, "ahead" is still measured modulo 2^16. */
	setup(&f, 8, false);
	f.q.last_used = 0xfffc;
	f.q.avail_idx = 0xfffc;
	f.dev.last_avail = 0xfffc;
	f.dev.used_idx = 0xfffc;
	f.dev.used->idx = 0xfffc;
	f.dev.avail->idx = 0xfffc;
	CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
	dev_fetch(&f.dev);
	dev_put(&f.dev, f.dev.taken[0].head, 3);
	f.dev.used->idx = 0xfffd;
	CHECK(virtq_get_used(&f.q, &len) == &c);
	CHECK_INT(len, 3);
	f.dev.used->idx = 0x0006;       /* 9 ahead of 0xfffd */
	check_broken(&f, "used idx ran ahead", 8);
	teardown(&f);
}

/* A broken queue leaves the in-flight request's state alone for its owner
 * and stays broken with its first reason. */
static void test_broken_keeps_state(void)
{
	struct fixture f;
	int c;

	setup(&f, 8, false);
	CHECK_INT(add1(&f, 0x1000, 16, true, &c), 0);
	dev_fetch(&f.dev);
	uint16_t head = f.dev.taken[0].head;
	dev_put(&f.dev, 99, 0);
	dev_publish(&f.dev);
	check_broken(&f, "used id out of range", 7);
	CHECK(f.q.state[head].cookie == &c);
	/* A later valid entry does not revive it, nor change the reason. */
	dev_put(&f.dev, head, 1);
	dev_publish(&f.dev);
	check_broken(&f, "used id out of range", 7);
	teardown(&f);
}

int main(void)
{
	test_layout();
	test_init_rejects();
	test_round_trip();
	test_add_rejects();
	test_out_of_order();
	test_fill_and_reuse();
	test_chains();
	test_wraparound();
	test_notify_flag();
	test_notify_event_idx();
	test_notify_batched();
	test_interrupts_flag();
	test_interrupts_event_idx();
	test_bad_id_range();
	test_bad_id_not_in_flight();
	test_bad_len();
	test_bad_used_idx();
	test_broken_keeps_state();
	return check_report();
}
