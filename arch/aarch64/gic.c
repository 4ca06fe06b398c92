/* The Generic Interrupt Controller: GICv2 (IHI0048) or GICv3 (IHI0069), as
 * the device tree says. One CPU, every interrupt to it at one priority.
 *
 * Both versions share the distributor's register layout for enables,
 * priorities and trigger configuration; INTIDs 0-31 (SGIs, PPIs) live in a
 * per-CPU bank: the distributor's banked registers on v2, the
 * redistributor's SGI frame on v3. `bank` and `dist` below are those two.
 * The CPU interface is memory-mapped on v2, system registers on v3. */
#include <errno.h>

#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "kernel/arch.h"
#include "kernel/log.h"

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800            /* v2 */
#define GICD_ICFGR 0xC00
#define GICD_IROUTER 0x6000             /* v3, 8 bytes per INTID */
#define GICD_CTLR_RWP (1u << 31)        /* v3: a write is still taking effect */
/* v3 with ARE: EnableGrp1NS and ARE_NS in the non-secure view, EnableGrp1
 * and ARE when the GIC has one security state (DS=1): the same bits. */
#define GICD_CTLR_V3 ((1u << 4) | (1u << 1))

#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_CTLR_RWP (1u << 3)
#define GICR_TYPER_VLPIS (1u << 1)      /* two more 64 KiB frames (GICv4) */
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_FRAME 0x10000              /* RD_base, then SGI_base */

#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0C
#define GICC_EOIR 0x10

/* Below the mask of 0xFF, and in the upper half so that it survives the
 * non-secure view's shift of priorities (a GIC with two security states). */
#define PRIORITY 0xA0u
#define INTID_MAX 1020u

static uintptr_t dist, bank, cpuif;     /* cpuif: v2 only */
static uintptr_t redist;                /* v3: this CPU's RD_base */
static unsigned version, lines;
static uint64_t affinity;               /* v3: this CPU, GICD_IROUTER format */
static uint8_t cpu_mask;                /* v2: this CPU, GICD_ITARGETSR format */

/* GICD_TYPER.ITLinesNumber: 32 * (N + 1) INTIDs, the last 4 of 1024
 * being the special ones. */
static unsigned count_lines(void)
{
	unsigned n = 32 * ((mmio_read32(dist + GICD_TYPER) & 0x1F) + 1);
	return n > INTID_MAX ? INTID_MAX : n;
}

static void wait_clear(uintptr_t reg, uint32_t bit)
{
	for (int spin = 0; spin < 1000000 && (mmio_read32(reg) & bit); spin++)
		;
}

/* Disables, clears and sets the priority of INTIDs [first, last) of a bank
 * of distributor-layout registers; group 1 on v3, group 0 on v2 (below). */
static void quiesce(uintptr_t base, unsigned first, unsigned last)
{
	for (unsigned i = first; i < last; i += 32) {
		mmio_write32(base + GICD_IGROUPR + i / 8, version == 3 ? ~0u : 0);
		mmio_write32(base + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(base + GICD_ICPENDR + i / 8, ~0u);
	}
	for (unsigned i = first; i < last; i += 4)
		mmio_write32(base + GICD_IPRIORITYR + i, PRIORITY * 0x01010101u);
}

/* GICv2 without security extensions (QEMU virt unless secure=on) treats
 * every access as secure: group 0 is signalled as IRQ while GICC_CTLR.FIQEn
 * is 0, whereas a group 1 interrupt would read as 1022 from GICC_IAR unless
 * AckCtl is set. So everything is group 0 and bit 0 enables it. With
 * security extensions we are non-secure: IGROUPR is RAZ/WI (firmware chose
 * group 1) and bit 0 of both CTLRs is the group 1 enable. Either way, 1. */
static int init_v2(int node)
{
	uint64_t dbase, dsize, cbase, csize;
	if (fdt_reg(&aarch64_fdt, node, 0, &dbase, &dsize) < 0 ||
	    fdt_reg(&aarch64_fdt, node, 1, &cbase, &csize) < 0)
		return -ENODEV;
	dist = bank = (uintptr_t)arch_map_device(dbase, dsize);
	cpuif = (uintptr_t)arch_map_device(cbase, csize);
	if (!dist || !cpuif)
		return -ENOMEM;
	lines = count_lines();
	mmio_write32(dist + GICD_CTLR, 0);
	/* ITARGETSR0-7 are read-only and name the reading CPU (IHI0048,
	 * GICD_ITARGETSRn); a uniprocessor GIC may read them as zero. */
	cpu_mask = (uint8_t)mmio_read32(dist + GICD_ITARGETSR);
	if (!cpu_mask)
		cpu_mask = 1;
	quiesce(dist, 0, lines);
	mmio_write32(dist + GICD_CTLR, 1);
	mmio_write32(cpuif + GICC_PMR, 0xFF);   /* let every priority through */
	mmio_write32(cpuif + GICC_CTLR, 1);
	return 0;
}

/* This CPU's redistributor: the frame pair whose GICR_TYPER affinity is
 * ours (IHI0069, GICR_TYPER), walking the region to the frame marked Last. */
static uintptr_t find_redistributor(uint64_t base, uint64_t size, uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xFFFFFF) | ((mpidr >> 32) & 0xFF) << 24;
	for (uint64_t off = 0; off + 2 * GICR_FRAME <= size;) {
		uintptr_t rd = (uintptr_t)arch_map_device(base + off, 2 * GICR_FRAME);
		if (!rd)
			return 0;
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if (typer >> 32 == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
		off += (typer & GICR_TYPER_VLPIS) ? 4 * GICR_FRAME : 2 * GICR_FRAME;
	}
	return 0;
}

static int init_v3(int node)
{
	uint64_t dbase, dsize, rbase, rsize;
	if (fdt_reg(&aarch64_fdt, node, 0, &dbase, &dsize) < 0 ||
	    fdt_reg(&aarch64_fdt, node, 1, &rbase, &rsize) < 0)
		return -ENODEV;
	uint64_t mpidr = read_sysreg(mpidr_el1);
	affinity = mpidr & 0xFF00FFFFFFull;     /* Aff3, Aff2-0 where IROUTER has them */
	dist = (uintptr_t)arch_map_device(dbase, dsize);
	redist = find_redistributor(rbase, rsize, mpidr);
	if (!dist || !redist)
		return -ENODEV;
	bank = redist + GICR_FRAME;
	lines = count_lines();

	/* ARE may only change while the groups are disabled; RWP says when
	 * the distributor has applied a write to GICD_CTLR or ICENABLER. */
	mmio_write32(dist + GICD_CTLR, 0);
	wait_clear(dist + GICD_CTLR, GICD_CTLR_RWP);
	quiesce(dist, 32, lines);
	wait_clear(dist + GICD_CTLR, GICD_CTLR_RWP);
	mmio_write32(dist + GICD_CTLR, GICD_CTLR_V3);
	wait_clear(dist + GICD_CTLR, GICD_CTLR_RWP);

	/* A redistributor comes out of reset asleep: it forwards nothing until
	 * ProcessorSleep is cleared and ChildrenAsleep reads 0 (IHI0069,
	 * GICR_WAKER: power management). */
	mmio_write32(redist + GICR_WAKER, mmio_read32(redist + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	wait_clear(redist + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP);
	quiesce(bank, 0, 32);
	wait_clear(redist + GICR_CTLR, GICR_CTLR_RWP);

	/* The ICC_* registers are only reachable once SRE is set, and the
	 * write needs an ISB before it is seen. SRE stays 0 when a higher EL
	 * forbids it (then only the legacy memory-mapped interface is left). */
	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
	isb();
	if (!(read_sysreg(icc_sre_el1) & 1))
		return -ENODEV;
	write_sysreg(icc_pmr_el1, 0xFF);        /* let every priority through */
	write_sysreg(icc_ctlr_el1, 0);          /* EOImode 0: EOIR also deactivates */
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	return 0;
}

int gic_init(void)
{
	static const char *const v2[] = { "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic" };
	int node = fdt_next_compatible(&aarch64_fdt, -1, "arm,gic-v3");
	version = 3;
	for (unsigned i = 0; node < 0 && i < sizeof(v2) / sizeof(v2[0]); i++) {
		node = fdt_next_compatible(&aarch64_fdt, -1, v2[i]);
		version = 2;
	}
	if (node < 0) {
		log_err("skiff: no interrupt controller in the device tree\n");
		return -ENODEV;
	}
	int err = version == 3 ? init_v3(node) : init_v2(node);
	if (err) {
		log_err("skiff: GICv%u: cannot initialise (%d)\n", version, err);
		dist = 0;
		return -ENODEV;
	}
	log_debug("skiff: GICv%u, %u interrupt lines\n", version, lines);
	return 0;
}

void gic_disable(unsigned intid)
{
	if (!dist || intid >= lines)
		return;
	uintptr_t base = intid < 32 ? bank : dist;
	mmio_write32(base + GICD_ICENABLER + intid / 32 * 4, 1u << (intid % 32));
	if (version == 3)
		wait_clear(intid < 32 ? redist + GICR_CTLR : dist + GICD_CTLR,
			   intid < 32 ? GICR_CTLR_RWP : GICD_CTLR_RWP);
}

void gic_enable(unsigned intid, bool level)
{
	if (!dist || intid >= lines)
		return;
	uintptr_t base = intid < 32 ? bank : dist;
	uint32_t bit = 1u << (intid % 32);
	/* Changing the trigger of an enabled interrupt is UNPREDICTABLE, so
	 * disable first. ICFGR has two bits per INTID, the upper one meaning
	 * edge; for PPIs it may be read-only, and SGIs are always edge. */
	mmio_write32(base + GICD_ICENABLER + intid / 32 * 4, bit);
	if (version == 3)
		wait_clear(intid < 32 ? redist + GICR_CTLR : dist + GICD_CTLR,
			   intid < 32 ? GICR_CTLR_RWP : GICD_CTLR_RWP);
	if (intid >= 16) {
		uintptr_t cfg = base + GICD_ICFGR + intid / 16 * 4;
		uint32_t edge = 2u << (intid % 16 * 2);
		mmio_write32(cfg, level ? mmio_read32(cfg) & ~edge : mmio_read32(cfg) | edge);
	}
	if (intid >= 32 && version == 3)
		mmio_write64(dist + GICD_IROUTER + intid * 8, affinity);
	else if (intid >= 32) {
		/* ITARGETSR is byte-accessible; a word access keeps to cpu.h. */
		uintptr_t t = dist + GICD_ITARGETSR + (intid & ~3u);
		unsigned shift = intid % 4 * 8;
		mmio_write32(t, (mmio_read32(t) & ~(0xFFu << shift)) | (uint32_t)cpu_mask << shift);
	}
	mmio_write32(base + GICD_ISENABLER + intid / 32 * 4, bit);
}

unsigned gic_acknowledge(void)
{
	if (!dist)
		return 1023;
	if (version == 3) {
		unsigned intid = (unsigned)read_sysreg(icc_iar1_el1) & 0xFFFFFF;
		/* A system-register read is not ordered with memory accesses:
		 * without the barrier the handler's device reads could be
		 * performed before the acknowledgement. */
		dsb_sy();
		return intid;
	}
	/* Bits 12:10 name the CPU that sent an SGI; EOIR wants them back,
	 * but with one CPU they are 0, so the INTID alone is enough. */
	return mmio_read32(cpuif + GICC_IAR) & 0x3FF;
}

void gic_end(unsigned intid)
{
	/* The handler acknowledged its device with an MMIO write; it must
	 * reach the device before the GIC sees the EOI, or a level-triggered
	 * line is sampled still high and fires once more for nothing. */
	dsb_sy();
	if (version == 3) {
		write_sysreg(icc_eoir1_el1, intid);
		isb();  /* the priority drop, before the next ICC_IAR1 read */
	} else {
		mmio_write32(cpuif + GICC_EOIR, intid);
	}
}
