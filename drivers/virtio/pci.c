/* The virtio-pci transport (virtio 1.x section 4.1): modern devices through
 * their vendor capabilities (common, notify, ISR, device config), and
 * legacy-only devices through the I/O BAR 0 layout. Interrupts by MSI-X
 * (one vector for the device) where offered, else the INTx line. */
#include <errno.h>
#include <stdlib.h>

#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define VIRTIO_PCI_VENDOR 0x1AF4
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* struct virtio_pci_common_cfg offsets */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0C
#define COMMON_MSIX_CONFIG 0x10
#define COMMON_STATUS 0x14
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1A
#define COMMON_Q_ENABLE 0x1C
#define COMMON_Q_NOFF 0x1E
#define COMMON_Q_DESC 0x20
#define COMMON_Q_AVAIL 0x28
#define COMMON_Q_USED 0x30

/* legacy I/O layout */
#define LEGACY_HOST_FEATURES 0
#define LEGACY_GUEST_FEATURES 4
#define LEGACY_QUEUE_PFN 8
#define LEGACY_QUEUE_NUM 12
#define LEGACY_QUEUE_SEL 14
#define LEGACY_QUEUE_NOTIFY 16
#define LEGACY_STATUS 18
#define LEGACY_ISR 19
#define LEGACY_CONFIG 20                /* 24 with MSI-X on; we use INTx */

struct vpci {
	struct pci_function fn;
	volatile uint8_t *common, *notify, *isr, *device;
	uint32_t notify_multiplier;
	uint16_t notify_off[VIRTIO_MAX_QUEUES];
	uint64_t io;                    /* legacy I/O base */
	bool msix;
	struct virtio_device dev;
};

static struct vpci *vp(struct virtio_device *d) { return d->transport; }
#define REG(p, off, type) (*(volatile type *)((p) + (off)))

/* --- modern ------------------------------------------------------------- */

static uint64_t m_get_features(struct virtio_device *d)
{
	struct vpci *v = vp(d);
	REG(v->common, COMMON_DFSELECT, uint32_t) = 0;
	uint64_t f = REG(v->common, COMMON_DF, uint32_t);
	REG(v->common, COMMON_DFSELECT, uint32_t) = 1;
	return f | (uint64_t)REG(v->common, COMMON_DF, uint32_t) << 32;
}

static void m_set_features(struct virtio_device *d, uint64_t f)
{
	struct vpci *v = vp(d);
	REG(v->common, COMMON_GFSELECT, uint32_t) = 0;
	REG(v->common, COMMON_GF, uint32_t) = (uint32_t)f;
	REG(v->common, COMMON_GFSELECT, uint32_t) = 1;
	REG(v->common, COMMON_GF, uint32_t) = (uint32_t)(f >> 32);
}

static uint8_t m_get_status(struct virtio_device *d) { return REG(vp(d)->common, COMMON_STATUS, uint8_t); }
static void m_set_status(struct virtio_device *d, uint8_t s) { REG(vp(d)->common, COMMON_STATUS, uint8_t) = s; }

static void m_read_config(struct virtio_device *d, unsigned off, void *buf, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		((uint8_t *)buf)[i] = vp(d)->device[off + i];
}

static uint16_t m_queue_max(struct virtio_device *d, unsigned index)
{
	struct vpci *v = vp(d);
	if (index >= VIRTIO_MAX_QUEUES)
		return 0;
	REG(v->common, COMMON_Q_SELECT, uint16_t) = (uint16_t)index;
	return REG(v->common, COMMON_Q_SIZE, uint16_t);
}

static int m_queue_enable(struct virtio_device *d, struct virtqueue *q, uint64_t ring)
{
	struct vpci *v = vp(d);
	REG(v->common, COMMON_Q_SELECT, uint16_t) = q->index;
	REG(v->common, COMMON_Q_SIZE, uint16_t) = q->size;
	REG(v->common, COMMON_Q_DESC, uint64_t) = ring;
	REG(v->common, COMMON_Q_AVAIL, uint64_t) = ring + virtq_avail_offset(q->size);
	REG(v->common, COMMON_Q_USED, uint64_t) = ring + virtq_used_offset(q->size);
	REG(v->common, COMMON_Q_MSIX, uint16_t) = v->msix ? 0 : 0xFFFF;
	v->notify_off[q->index] = REG(v->common, COMMON_Q_NOFF, uint16_t);
	REG(v->common, COMMON_Q_ENABLE, uint16_t) = 1;
	return 0;
}

static void m_notify(struct virtio_device *d, struct virtqueue *q)
{
	struct vpci *v = vp(d);
	REG(v->notify, (uint32_t)v->notify_off[q->index] * v->notify_multiplier, uint16_t) = q->index;
}

static bool m_ack_interrupt(struct virtio_device *d)
{
	struct vpci *v = vp(d);
	return v->msix || REG(v->isr, 0, uint8_t) != 0;      /* reading ISR clears it */
}

/* --- legacy ------------------------------------------------------------- */

static uint64_t l_get_features(struct virtio_device *d) { return machine_pio_read(vp(d)->io + LEGACY_HOST_FEATURES, 4); }
static void l_set_features(struct virtio_device *d, uint64_t f) { machine_pio_write(vp(d)->io + LEGACY_GUEST_FEATURES, 4, (uint32_t)f); }
static uint8_t l_get_status(struct virtio_device *d) { return (uint8_t)machine_pio_read(vp(d)->io + LEGACY_STATUS, 1); }
static void l_set_status(struct virtio_device *d, uint8_t s) { machine_pio_write(vp(d)->io + LEGACY_STATUS, 1, s); }

static void l_read_config(struct virtio_device *d, unsigned off, void *buf, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)machine_pio_read(vp(d)->io + LEGACY_CONFIG + off + i, 1);
}

static uint16_t l_queue_max(struct virtio_device *d, unsigned index)
{
	machine_pio_write(vp(d)->io + LEGACY_QUEUE_SEL, 2, index);
	return (uint16_t)machine_pio_read(vp(d)->io + LEGACY_QUEUE_NUM, 2);
}

static int l_queue_enable(struct virtio_device *d, struct virtqueue *q, uint64_t ring)
{
	struct vpci *v = vp(d);
	if (q->size != l_queue_max(d, q->index))
		return -EINVAL;         /* legacy queues have a fixed size */
	machine_pio_write(v->io + LEGACY_QUEUE_SEL, 2, q->index);
	machine_pio_write(v->io + LEGACY_QUEUE_PFN, 4, (uint32_t)(ring / PAGE_SIZE));
	return 0;
}

static void l_notify(struct virtio_device *d, struct virtqueue *q) { machine_pio_write(vp(d)->io + LEGACY_QUEUE_NOTIFY, 2, q->index); }
static bool l_ack_interrupt(struct virtio_device *d) { return machine_pio_read(vp(d)->io + LEGACY_ISR, 1) != 0; }

/* --- both ---------------------------------------------------------------- */

static int attach_interrupt(struct virtio_device *d, irq_handler_t fn, void *ctx)
{
	struct vpci *v = vp(d);
	if (d->modern && pci_msix_enable_single(&v->fn, fn, ctx)) {
		v->msix = true;
		REG(v->common, COMMON_MSIX_CONFIG, uint16_t) = 0;
		return 0;
	}
	int line = pci_intx_line(&v->fn);
	if (line < 0)
		return line;
	return machine_irq_attach_line((unsigned)line, true, false, fn, ctx);
}

static const struct virtio_transport_ops modern_ops = {
	m_get_features, m_set_features, m_get_status, m_set_status, m_read_config,
	m_queue_max, m_queue_enable, m_notify, attach_interrupt, m_ack_interrupt,
};

static const struct virtio_transport_ops legacy_ops = {
	l_get_features, l_set_features, l_get_status, l_set_status, l_read_config,
	l_queue_max, l_queue_enable, l_notify, attach_interrupt, l_ack_interrupt,
};

/* Maps the region a virtio capability at `cap` describes. */
static volatile uint8_t *map_cap(const struct pci_function *f, unsigned cap)
{
	unsigned bar = pci_read8(f, cap + 4);
	uint32_t offset = pci_read32(f, cap + 8), length = pci_read32(f, cap + 12);
	bool io;
	uint64_t base = pci_bar_address(f, bar, &io);
	if (!base || io || length == 0)
		return 0;
	return arch_map_device(base + offset, length);
}

static bool find_modern(struct vpci *v)
{
	for (unsigned cap = pci_find_capability(&v->fn, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_capability(&v->fn, PCI_CAP_VENDOR, cap)) {
		switch (pci_read8(&v->fn, cap + 3)) {
		case CAP_COMMON: if (!v->common) v->common = map_cap(&v->fn, cap); break;
		case CAP_ISR: if (!v->isr) v->isr = map_cap(&v->fn, cap); break;
		case CAP_DEVICE: if (!v->device) v->device = map_cap(&v->fn, cap); break;
		case CAP_NOTIFY:
			if (!v->notify) {
				v->notify = map_cap(&v->fn, cap);
				v->notify_multiplier = pci_read32(&v->fn, cap + 16);
			}
			break;
		}
	}
	return v->common && v->notify && v->isr;
}

static void probe(const struct pci_function *f, void *ctx)
{
	(void)ctx;
	if (f->vendor != VIRTIO_PCI_VENDOR || f->device < 0x1000 || f->device > 0x107F)
		return;
	struct vpci *v = calloc(1, sizeof(*v));
	if (!v)
		PANIC("out of memory probing virtio-pci");
	v->fn = *f;
	pci_write16(f, PCI_COMMAND, pci_read16(f, PCI_COMMAND) | PCI_COMMAND_IO |
				    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	v->dev.transport = v;
	if (find_modern(v)) {
		v->dev.modern = true;
		v->dev.ops = &modern_ops;
		/* 0x1040 + id for modern ids; transitional ids carry the type
		 * in the subsystem id. */
		v->dev.device_id = f->device >= 0x1040 ? f->device - 0x1040u :
				   pci_read16(f, PCI_SUBSYSTEM_ID);
	} else {
		bool io;
		v->io = pci_bar_address(f, 0, &io);
		if (!v->io || !io || f->device >= 0x1040) {
			log_warn("skiff: virtio-pci %u:%u.%u: no usable registers, ignored\n",
				 f->bus, f->dev, f->fn);
			free(v);
			return;
		}
		v->dev.ops = &legacy_ops;
		v->dev.device_id = pci_read16(f, PCI_SUBSYSTEM_ID);
	}
	struct kname name = { v->dev.name, sizeof(v->dev.name), 0 };    /* virtio1@pci0:3.0 */
	kname_text(&name, "virtio");
	kname_number(&name, v->dev.device_id, 10);
	kname_text(&name, "@pci");
	kname_number(&name, f->bus, 10);
	kname_text(&name, ":");
	kname_number(&name, f->dev, 10);
	kname_text(&name, ".");
	kname_number(&name, f->fn, 10);
	virtio_device_found(&v->dev);
}

void virtio_pci_scan(void)
{
	pci_scan(probe, 0);
}
