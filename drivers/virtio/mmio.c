/* The virtio-mmio transport (virtio 1.x section 4.2), both version 2
 * (modern) and version 1 (legacy, QEMU's default unless
 * virtio-mmio.force-legacy=false). Windows come from the platform
 * (machine_virtio_mmio_windows: microvm slots, device tree). */
#include <errno.h>
#include <stdlib.h>

#include "drivers/virtio/virtio.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define MMIO_MAGIC 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_DEVICE_FEATURES 0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES 0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_GUEST_PAGE_SIZE 0x028      /* legacy */
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_ALIGN 0x03C          /* legacy */
#define MMIO_QUEUE_PFN 0x040            /* legacy */
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INTERRUPT_STATUS 0x060
#define MMIO_INTERRUPT_ACK 0x064
#define MMIO_STATUS 0x070
#define MMIO_QUEUE_DESC 0x080
#define MMIO_QUEUE_DRIVER 0x090
#define MMIO_QUEUE_DEVICE 0x0A0
#define MMIO_CONFIG 0x100
#define MAGIC_VIRT 0x74726976           /* "virt" */

struct mmio {
	volatile uint8_t *regs;
	unsigned line;
	struct virtio_device dev;
};

static struct mmio *mmio_of(struct virtio_device *d) { return d->transport; }
static uint32_t rd(struct mmio *m, unsigned reg) { return *(volatile uint32_t *)(m->regs + reg); }
static void wr(struct mmio *m, unsigned reg, uint32_t v) { *(volatile uint32_t *)(m->regs + reg) = v; }

static uint64_t get_features(struct virtio_device *d)
{
	struct mmio *m = mmio_of(d);
	wr(m, MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t f = rd(m, MMIO_DEVICE_FEATURES);
	if (d->modern) {
		wr(m, MMIO_DEVICE_FEATURES_SEL, 1);
		f |= (uint64_t)rd(m, MMIO_DEVICE_FEATURES) << 32;
	}
	return f;
}

static void set_features(struct virtio_device *d, uint64_t f)
{
	struct mmio *m = mmio_of(d);
	wr(m, MMIO_DRIVER_FEATURES_SEL, 0);
	wr(m, MMIO_DRIVER_FEATURES, (uint32_t)f);
	if (d->modern) {
		wr(m, MMIO_DRIVER_FEATURES_SEL, 1);
		wr(m, MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	}
}

static uint8_t get_status(struct virtio_device *d) { return (uint8_t)rd(mmio_of(d), MMIO_STATUS); }
static void set_status(struct virtio_device *d, uint8_t s) { wr(mmio_of(d), MMIO_STATUS, s); }

static void read_config(struct virtio_device *d, unsigned offset, void *buf, unsigned len)
{
	/* Byte reads work on both versions (legacy config is byte-addressed). */
	struct mmio *m = mmio_of(d);
	for (unsigned i = 0; i < len; i++)
		((uint8_t *)buf)[i] = m->regs[MMIO_CONFIG + offset + i];
}

static uint16_t queue_max(struct virtio_device *d, unsigned index)
{
	struct mmio *m = mmio_of(d);
	wr(m, MMIO_QUEUE_SEL, index);
	uint32_t max = rd(m, MMIO_QUEUE_NUM_MAX);
	return max > 32768 ? 32768 : (uint16_t)max;
}

static void wr64(struct mmio *m, unsigned reg, uint64_t v)
{
	wr(m, reg, (uint32_t)v);
	wr(m, reg + 4, (uint32_t)(v >> 32));
}

static int queue_enable(struct virtio_device *d, struct virtqueue *q, uint64_t ring)
{
	struct mmio *m = mmio_of(d);
	wr(m, MMIO_QUEUE_SEL, q->index);
	wr(m, MMIO_QUEUE_NUM, q->size);
	if (!d->modern) {
		wr(m, MMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
		wr(m, MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
		wr(m, MMIO_QUEUE_PFN, (uint32_t)(ring / PAGE_SIZE));
		return 0;
	}
	wr64(m, MMIO_QUEUE_DESC, ring);
	wr64(m, MMIO_QUEUE_DRIVER, ring + virtq_avail_offset(q->size));
	wr64(m, MMIO_QUEUE_DEVICE, ring + virtq_used_offset(q->size));
	wr(m, MMIO_QUEUE_READY, 1);
	return 0;
}

static void notify(struct virtio_device *d, struct virtqueue *q)
{
	wr(mmio_of(d), MMIO_QUEUE_NOTIFY, q->index);
}

static int attach_interrupt(struct virtio_device *d, irq_handler_t fn, void *ctx)
{
	/* QEMU raises the line while InterruptStatus is non-zero: level. */
	return machine_irq_attach_line(mmio_of(d)->line, true, false, fn, ctx);
}

static bool ack_interrupt(struct virtio_device *d)
{
	struct mmio *m = mmio_of(d);
	uint32_t pending = rd(m, MMIO_INTERRUPT_STATUS);
	if (pending)
		wr(m, MMIO_INTERRUPT_ACK, pending);
	return pending != 0;
}

static const struct virtio_transport_ops mmio_ops = {
	.get_features = get_features,
	.set_features = set_features,
	.get_status = get_status,
	.set_status = set_status,
	.read_config = read_config,
	.queue_max = queue_max,
	.queue_enable = queue_enable,
	.notify = notify,
	.attach_interrupt = attach_interrupt,
	.ack_interrupt = ack_interrupt,
};

static void probe_window(const struct platform_mmio *w)
{
	volatile uint8_t *regs = arch_map_device(w->base, w->size);
	if (!regs)
		return;
	uint32_t magic = *(volatile uint32_t *)(regs + MMIO_MAGIC);
	uint32_t version = *(volatile uint32_t *)(regs + MMIO_VERSION);
	uint32_t id = *(volatile uint32_t *)(regs + MMIO_DEVICE_ID);
	if (magic != MAGIC_VIRT || id == 0)
		return;         /* empty slot */
	if (version != 1 && version != 2) {
		log_warn("skiff: virtio-mmio at 0x%lx: unknown version %u, ignored\n",
			 (unsigned long)w->base, version);
		return;
	}
	struct mmio *m = calloc(1, sizeof(*m));
	if (!m)
		PANIC("out of memory probing virtio-mmio");
	m->regs = regs;
	m->line = w->line;
	m->dev.ops = &mmio_ops;
	m->dev.transport = m;
	m->dev.device_id = id;
	m->dev.modern = version == 2;
	struct kname name = { m->dev.name, sizeof(m->dev.name), 0 };    /* virtio1@mmio2e00 */
	kname_text(&name, "virtio");
	kname_number(&name, id, 10);
	kname_text(&name, "@mmio");
	kname_number(&name, (unsigned long)(w->base & 0xFFFFF), 16);
	virtio_device_found(&m->dev);
}

#define MMIO_WINDOWS 32

void virtio_mmio_scan(void)
{
	struct platform_mmio windows[MMIO_WINDOWS];
	int n = machine_virtio_mmio_windows(windows, MMIO_WINDOWS);
	if (n > MMIO_WINDOWS) {
		log_warn("skiff: warning: the machine has %d virtio-mmio windows; only the first %d are probed\n",
			 n, MMIO_WINDOWS);
		n = MMIO_WINDOWS;
	}
	/* QEMU fills microvm's slots from the top: the highest holds the
	 * first -device, and NICs must come in command-line order. */
	for (int i = n - 1; i >= 0; i--)
		probe_window(&windows[i]);
}
