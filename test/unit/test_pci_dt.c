/* Unit tests of the device-tree side of arch/aarch64/pci.c, built for the
 * host: the host bridge's windows (machine_pci_windows, from "ranges"), INTx
 * routing (machine_pci_intx_line, from "interrupt-map" and its mask, with the
 * GIC found by phandle), ECAM configuration addresses and the I/O window.
 *
 * The trees are QEMU's own, dumped at test time with -M virt,dumpdtb=...
 * One tree per process (pci.c caches the host bridge it found), chosen by
 * the argument: gicv2, gicv3 or highmem-off. Expectations come from QEMU's
 * virt memory map and IRQ map (hw/arm/virt.c: VIRT_PCIE_PIO 0x3eff0000
 * 64 KiB, VIRT_PCIE_MMIO 0x10000000 0x2eff0000 bytes, VIRT_HIGH_PCIE_MMIO
 * 512 GiB at 512 GiB, VIRT_PCIE_ECAM 0x3f000000 16 MiB, VIRT_HIGH_PCIE_ECAM
 * 0x4010000000 256 MiB; INTA..INTD on SPIs 3..6 swizzled by slot) and are
 * cross-checked against the tree itself, decoded here independently.
 *
 * arch_map_device hands out zeroed heap buffers of exactly the size asked
 * for, so ASan reports any access past a mapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "arch/aarch64/platform.h"
#include "check.h"
#include "kernel/arch.h"
#include "kernel/fdt.h"

struct fdt aarch64_fdt;         /* boot/aarch64/boot.c's, here the test's */

/* ---- arch_map_device: zeroed buffers, every call recorded ---- */

#define MAX_MAPS 16

static struct {
	uint64_t pa;
	size_t size;
	uint8_t *buf;
} maps[MAX_MAPS];
static int nmaps;

void *arch_map_device(uint64_t pa, size_t size)
{
	if (nmaps == MAX_MAPS)
		return NULL;
	maps[nmaps].pa = pa;
	maps[nmaps].size = size;
	maps[nmaps].buf = calloc(1, size);
	return maps[nmaps++].buf;
}

static int find_map(uint64_t pa)
{
	for (int i = 0; i < nmaps; i++)
		if (maps[i].pa == pa)
			return i;
	return -1;
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* ---- what QEMU's virt machine should describe ---- */

struct layout {
	const char *name, *machine;
	const char *gic;                /* the GIC's compatible */
	uint64_t ecam, ecam_size;
	unsigned last_bus;
	int nwindows;
};

static const struct layout layouts[] = {
	{ "gicv2", "gic-version=2", "arm,cortex-a15-gic", 0x4010000000ull, 0x10000000, 255, 3 },
	{ "gicv3", "gic-version=3", "arm,gic-v3", 0x4010000000ull, 0x10000000, 255, 3 },
	{ "highmem-off", "highmem=off", "arm,cortex-a15-gic", 0x3f000000, 0x1000000, 15, 2 },
};

static const struct pci_window virt_windows[] = {
	{ 0, 0x10000, PCI_WINDOW_IO },
	{ 0x10000000, 0x2eff0000, PCI_WINDOW_MEM32 },
	{ 0x8000000000ull, 0x8000000000ull, PCI_WINDOW_MEM64 },
};
#define VIRT_PCIE_PIO 0x3eff0000u

/* hw/arm/virt.c create_pcie_irq_map: slot s, pin p (0 = INTA) raises SPI
 * 3 + (p + s) % 4, written out for slots 0-3 (the map's mask keeps only
 * slot & 3). */
static const unsigned virt_spi[4][4] = {
	{ 3, 4, 5, 6 },
	{ 4, 5, 6, 3 },
	{ 5, 6, 3, 4 },
	{ 6, 3, 4, 5 },
};

static const char *kind_name(enum pci_window_kind k)
{
	return k == PCI_WINDOW_IO ? "io" : k == PCI_WINDOW_MEM32 ? "mem32" : k == PCI_WINDOW_MEM64 ? "mem64" : "?";
}

/* ---- QEMU ---- */

static char qdir[] = "/tmp/test_pci_dt.XXXXXX";

/* The DTB of -M virt,<machine> in a buffer of exactly its totalsize. */
static uint8_t *qemu_dtb(const char *machine, size_t *size)
{
	char cmd[1024], path[256];
	uint8_t *buf = NULL;
	long len;

	snprintf(path, sizeof(path), "%s/virt.dtb", qdir);
	snprintf(cmd, sizeof(cmd),
		 "qemu-system-aarch64 -M virt,%s,dumpdtb=%s -cpu cortex-a72 -m 256M -nographic "
		 "</dev/null >%s/log 2>&1",
		 machine, path, qdir);
	if (!CHECK(system(cmd) == 0)) {
		fprintf(stderr, "    %s\n", cmd);
		return NULL;
	}
	FILE *fp = fopen(path, "rb");
	if (!CHECK(fp != NULL))
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	uint8_t head[8];
	if (CHECK(len >= 8 && fread(head, 1, 8, fp) == 8)) {
		uint32_t total = fdt_total_size(head);
		if (CHECK(total >= 8 && total <= (unsigned long)len)) {
			buf = malloc(total);
			rewind(fp);
			if (!CHECK(fread(buf, 1, total, fp) == total)) {
				free(buf);
				buf = NULL;
			}
			*size = total;
		}
	}
	fclose(fp);
	return buf;
}

/* ---- windows ---- */

static void test_windows(const struct layout *l, int host)
{
	struct pci_window out[8];
	uint32_t len;

	memset(out, 0xA5, sizeof(out));
	int n = machine_pci_windows(out, 8);
	for (int i = 0; i < n && i < 8; i++)
		printf("%s: window %d: %-5s PCI %#llx size %#llx\n", l->name, i, kind_name(out[i].kind),
		       (unsigned long long)out[i].base, (unsigned long long)out[i].size);
	CHECK_INT(n, l->nwindows);
	for (int i = 0; i < n && i < l->nwindows; i++) {
		CHECK_INT(out[i].kind, virt_windows[i].kind);
		CHECK_INT(out[i].base, virt_windows[i].base);
		CHECK_INT(out[i].size, virt_windows[i].size);
	}
	if (n >= 0 && n < 8)
		CHECK_INT(out[n].base, 0xA5A5A5A5A5A5A5A5ull);  /* nothing past the count */

	/* The tree's own ranges, read here: <PCI addr (3) CPU addr (2) size
	 * (2)>; memory windows map PCI addresses 1:1 to the CPU's, the I/O
	 * window puts port 0 at VIRT_PCIE_PIO. */
	const uint8_t *r = fdt_prop(&aarch64_fdt, host, "ranges", &len);
	CHECK(r != NULL && len == 28u * (unsigned)l->nwindows);
	CHECK_INT(fdt_address_cells(&aarch64_fdt, host), 2);
	for (uint32_t at = 0, i = 0; r && at + 28 <= len && i < (uint32_t)n; at += 28, i++) {
		unsigned space = (unsigned)(fdt_cells(r + at, 1) >> 24) & 3;
		uint64_t pci = fdt_cells(r + at + 4, 2), cpu = fdt_cells(r + at + 12, 2);
		CHECK_INT(fdt_cells(r + at + 20, 2), out[i].size);
		CHECK_INT(pci, out[i].base);
		CHECK_INT(space, out[i].kind == PCI_WINDOW_IO ? 1 : out[i].kind == PCI_WINDOW_MEM32 ? 2 : 3);
		if (out[i].kind == PCI_WINDOW_IO)
			CHECK_INT(cpu, VIRT_PCIE_PIO);
		else
			CHECK_INT(cpu, pci);            /* identity */
	}

	/* `max` is obeyed. */
	memset(out, 0xA5, sizeof(out));
	CHECK_INT(machine_pci_windows(out, 1), 1);
	CHECK_INT(out[0].kind, PCI_WINDOW_IO);
	CHECK_INT(out[1].base, 0xA5A5A5A5A5A5A5A5ull);
	CHECK_INT(machine_pci_windows(out, 0), 0);
	CHECK_INT(machine_pci_windows(out, 8), l->nwindows);  /* leaves the I/O window set */
}

/* Ranges edited in the blob in place, then restored: a memory window
 * that is not an identity mapping is left out (a BAR holds the PCI
 * address, the CPU uses the same), the prefetchable bit does not change
 * a window's kind. */
static void test_windows_edited(const struct layout *l, uint8_t *blob, int host)
{
	struct pci_window out[8];
	uint32_t len;
	uint8_t saved[4];
	const uint8_t *r = fdt_prop(&aarch64_fdt, host, "ranges", &len);

	if (!CHECK(r != NULL && len >= 56))
		return;
	uint8_t *cpu_lo = blob + (r - blob) + 28 + 16;  /* MEM32 entry, CPU address low cell */
	memcpy(saved, cpu_lo, 4);
	memcpy(cpu_lo, "\x20\0\0\0", 4);
	int n = machine_pci_windows(out, 8);
	CHECK_INT(n, l->nwindows - 1);
	for (int i = 0; i < n && i < 8; i++)
		CHECK(out[i].kind != PCI_WINDOW_MEM32);
	memcpy(cpu_lo, saved, 4);

	if (l->nwindows == 3) {
		uint8_t *hi = blob + (r - blob) + 56;   /* MEM64 entry, phys.hi */
		memcpy(saved, hi, 4);
		hi[0] = 0x43;                           /* prefetchable */
		CHECK_INT(machine_pci_windows(out, 8), 3);
		CHECK_INT(out[2].kind, PCI_WINDOW_MEM64);
		CHECK_INT(out[2].base, 0x8000000000ull);
		memcpy(hi, saved, 4);
	}
	CHECK_INT(machine_pci_windows(out, 8), l->nwindows);
}

/* ---- ECAM and the I/O window ---- */

static void test_ecam(const struct layout *l, int host)
{
	uint64_t base, size;
	int before = nmaps;

	CHECK_INT(fdt_reg(&aarch64_fdt, host, 0, &base, &size), 0);
	CHECK_INT(base, l->ecam);
	CHECK_INT(size, l->ecam_size);
	printf("%s: ECAM %#llx size %#llx, buses 0-%u\n", l->name, (unsigned long long)base,
	       (unsigned long long)size, l->last_bus);

	/* Bus 0's slice is mapped on first use, once. */
	CHECK_INT(machine_pci_config_read(0, 0, 0, 0), 0);
	int m = find_map(l->ecam);
	if (!CHECK(m >= 0 && nmaps == before + 1))
		return;
	CHECK_INT(maps[m].size, 1u << 20);
	uint8_t *bus0 = maps[m].buf;
	unsigned at = 3u << 15 | 2u << 12 | 0x10;
	memcpy(bus0 + at, "\xEF\xBE\xAD\xDE", 4);
	CHECK_INT(machine_pci_config_read(0, 3, 2, 0x10), 0xDEADBEEF);
	CHECK_INT(machine_pci_config_read(0, 3, 2, 0x13), 0xDEADBEEF);     /* aligned down */
	machine_pci_config_write(0, 31, 7, 0xFFC, 0x12345678);
	CHECK_INT(le32(bus0 + (31u << 15 | 7u << 12 | 0xFFC)), 0x12345678);
	CHECK_INT(nmaps, before + 1);

	/* Out of range: all ones, nothing mapped or written. */
	CHECK_INT(machine_pci_config_read(0, 32, 0, 0), 0xFFFFFFFFu);
	CHECK_INT(machine_pci_config_read(0, 0, 8, 0), 0xFFFFFFFFu);
	CHECK_INT(machine_pci_config_read(0, 0, 0, 4096), 0xFFFFFFFFu);
	CHECK_INT(machine_pci_config_read(l->last_bus + 1, 0, 0, 0), 0xFFFFFFFFu);
	machine_pci_config_write(l->last_bus + 1, 0, 0, 0, 0);
	CHECK_INT(nmaps, before + 1);

	/* The last bus is the last slice of the window. */
	machine_pci_config_write(l->last_bus, 1, 0, 4, 0xCAFE);
	m = find_map(l->ecam + ((uint64_t)l->last_bus << 20));
	if (CHECK(m >= 0)) {
		CHECK(maps[m].pa + maps[m].size <= l->ecam + l->ecam_size);
		CHECK_INT(le32(maps[m].buf + (1u << 15 | 4)), 0xCAFE);
	}
}

static void test_io(void)
{
	CHECK_INT(machine_pio_read(0x1000, 2), 0);         /* maps the window */
	int m = find_map(VIRT_PCIE_PIO);
	if (!CHECK(m >= 0))
		return;
	CHECK_INT(maps[m].size, 0x10000);
	machine_pio_write(0x1000, 2, 0xBEEF);
	machine_pio_write(0x1002, 1, 0x7A);
	machine_pio_write(0xFFFC, 4, 0x01020304);
	CHECK_INT(le32(maps[m].buf + 0x1000), 0x007ABEEF);
	CHECK_INT(le32(maps[m].buf + 0xFFFC), 0x01020304);
	CHECK_INT(machine_pio_read(0x1000, 4), 0x007ABEEF);
	CHECK_INT(machine_pio_read(0x1001, 1), 0xBE);
	CHECK_INT(machine_pio_read(0xFFFE, 2), 0x0102);
	/* Past the window: all ones, nothing written. */
	CHECK_INT(machine_pio_read(0xFFFF, 2), 0xFFFF);
	CHECK_INT(machine_pio_read(0x10000, 1), 0xFF);
	CHECK_INT(machine_pio_read(0xFFFD, 4), 0xFFFFFFFFu);
	machine_pio_write(0x10000, 4, 0);
}

/* ---- INTx ---- */

/* The map as the tree has it, decoded here: every entry must be one of
 * QEMU's 16 (slot 0-3, pin 1-4) with the SPI virt_spi says, level high,
 * to the GIC by phandle. */
static void check_map_itself(const struct layout *l, int host)
{
	uint32_t len, mlen, phandle, cells;
	const uint8_t *mask = fdt_prop(&aarch64_fdt, host, "interrupt-map-mask", &mlen);
	const uint8_t *map = fdt_prop(&aarch64_fdt, host, "interrupt-map", &len);
	int gic = fdt_next_compatible(&aarch64_fdt, -1, l->gic);

	if (!CHECK(mask && map && gic >= 0 && mlen == 16))
		return;
	CHECK_INT(fdt_cells(mask, 1), 0x1800);          /* slot bits only */
	CHECK_INT(fdt_cells(mask + 4, 2), 0);
	CHECK_INT(fdt_cells(mask + 12, 1), 7);
	CHECK(fdt_prop_u32(&aarch64_fdt, gic, "phandle", &phandle));
	CHECK(fdt_prop(&aarch64_fdt, gic, "interrupt-controller", NULL) != NULL);
	CHECK(fdt_prop_u32(&aarch64_fdt, gic, "#interrupt-cells", &cells) && cells == 3);
	CHECK(fdt_prop_u32(&aarch64_fdt, gic, "#address-cells", &cells));
	uint32_t entry = 4 * (5 + cells + 3);
	CHECK_INT(len, 16 * entry);
	unsigned seen = 0;
	for (uint32_t at = 0; at + entry <= len; at += entry) {
		uint32_t hi = (uint32_t)fdt_cells(map + at, 1), pin = (uint32_t)fdt_cells(map + at + 12, 1);
		unsigned slot = hi >> 11;
		const uint8_t *irq = map + at + 20 + 4 * cells;
		if (!CHECK((hi & 0x7FF) == 0 && slot < 4 && pin >= 1 && pin <= 4)) {
			fprintf(stderr, "    entry at %u: child %#x pin %u\n", at, hi, pin);
			continue;
		}
		CHECK_INT(fdt_cells(map + at + 4, 2), 0);
		CHECK_INT(fdt_cells(map + at + 16, 1), phandle);
		CHECK_INT(fdt_find_phandle(&aarch64_fdt, phandle), gic);
		CHECK_INT(fdt_cells(irq, 1), 0);                        /* SPI */
		CHECK_INT(fdt_cells(irq + 4, 1), virt_spi[slot][pin - 1]);
		CHECK_INT(fdt_cells(irq + 8, 1), 4);                    /* level, active high */
		seen |= 1u << (slot * 4 + pin - 1);
	}
	CHECK_INT(seen, 0xFFFF);                        /* each slot and pin once */
}

static void test_intx(const struct layout *l, int host)
{
	unsigned buses[] = { 0, 1, l->last_bus };

	check_map_itself(l, host);
	printf("%s: INTx INTIDs for slots 0-3, pins A-D:", l->name);
	for (unsigned slot = 0; slot < 4; slot++)
		for (unsigned pin = 1; pin <= 4; pin++)
			printf("%s%d", pin == 1 ? "  " : " ", machine_pci_intx_line(0, slot, 0, pin));
	printf("\n");
	for (unsigned slot = 0; slot < 32; slot++) {
		for (unsigned pin = 1; pin <= 4; pin++) {
			int want = (int)(32 + virt_spi[slot % 4][pin - 1]);
			CHECK_INT(want, 32 + 3 + (int)((slot + pin - 1) % 4));  /* the swizzle */
			int got = machine_pci_intx_line(0, slot, 0, pin);
			if (!CHECK(got == want))
				fprintf(stderr, "    slot %u pin %u: %d, want %d\n", slot, pin, got, want);
			/* Other functions and buses: the mask keeps only the slot. */
			bool same = true;
			for (unsigned b = 0; b < 3; b++)
				for (unsigned fn = 0; fn < 8; fn++)
					same = same && machine_pci_intx_line(buses[b], slot, fn, pin) == want;
			if (!CHECK(same))
				fprintf(stderr, "    slot %u pin %u differs on another bus or function\n", slot, pin);
		}
		CHECK_INT(machine_pci_intx_line(0, slot, 0, 0), -ENODEV);  /* no interrupt pin */
		CHECK_INT(machine_pci_intx_line(0, slot, 0, 5), -ENODEV);
	}
	CHECK_INT(machine_pci_intx_line(0, 0, 0, 0xFF), -ENODEV);
}

/* The same lookups over a damaged map (edited in the blob in place, then
 * restored): an unknown phandle, an entry that is not an SPI, a mask that
 * keeps the function bits. */
static void test_intx_damaged(uint8_t *blob, int host)
{
	uint32_t len;
	const uint8_t *map = fdt_prop(&aarch64_fdt, host, "interrupt-map", &len);
	const uint8_t *mask = fdt_prop(&aarch64_fdt, host, "interrupt-map-mask", &len);
	uint8_t saved[4];

	if (!CHECK(map && mask))
		return;
	uint8_t *phandle = blob + (map + 16 - blob);    /* the first entry's */
	memcpy(saved, phandle, 4);
	memcpy(phandle, "\xDE\xAD\xBE\xEF", 4);
	CHECK_INT(machine_pci_intx_line(0, 0, 0, 1), -ENODEV);
	CHECK_INT(machine_pci_intx_line(0, 3, 0, 4), -ENODEV);
	memcpy(phandle, saved, 4);
	CHECK_INT(machine_pci_intx_line(0, 0, 0, 1), 35);

	/* Entry 5 is slot 1, pin 2 (entries go by slot, then pin). */
	uint32_t cells = 2, entry;
	fdt_prop_u32(&aarch64_fdt, fdt_find_phandle(&aarch64_fdt, (uint32_t)fdt_cells(map + 16, 1)),
		     "#address-cells", &cells);
	entry = 4 * (5 + cells + 3);
	uint8_t *e = blob + (map - blob) + 5 * entry;
	if (CHECK(fdt_cells(e, 1) == 1u << 11 && fdt_cells(e + 12, 1) == 2)) {
		uint8_t *type = e + 20 + 4 * cells;
		memcpy(saved, type, 4);
		memcpy(type, "\0\0\0\1", 4);            /* PPI */
		CHECK_INT(machine_pci_intx_line(0, 1, 0, 2), -ENODEV);
		CHECK_INT(machine_pci_intx_line(0, 1, 0, 1), 36);
		memcpy(type, saved, 4);
		CHECK_INT(machine_pci_intx_line(0, 1, 0, 2), 37);
	}

	uint8_t *hi = blob + (mask - blob);
	memcpy(saved, hi, 4);
	memcpy(hi, "\0\0\x1F\0", 4);                   /* slot and function */
	CHECK_INT(machine_pci_intx_line(0, 2, 0, 1), 37);
	CHECK_INT(machine_pci_intx_line(0, 2, 1, 1), -ENODEV);
	memcpy(hi, saved, 4);
	CHECK_INT(machine_pci_intx_line(0, 2, 1, 1), 37);
}

int main(int argc, char **argv)
{
	const struct layout *l = NULL;

	for (size_t i = 0; argc == 2 && i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (strcmp(argv[1], layouts[i].name) == 0)
			l = &layouts[i];
	if (!l) {
		fprintf(stderr, "usage: %s gicv2|gicv3|highmem-off\n", argv[0]);
		return 2;
	}
	if (system("command -v qemu-system-aarch64 >/dev/null 2>&1") != 0) {
		printf("SKIP: qemu-system-aarch64 is not on PATH: arch/aarch64/pci.c's device-tree checks "
		       "(%s) did not run\n", l->name);
		return 77;
	}
	if (!CHECK(mkdtemp(qdir) != NULL))
		return check_report();
	size_t size = 0;
	uint8_t *blob = qemu_dtb(l->machine, &size);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", qdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", qdir);
	int err = blob ? fdt_open(&aarch64_fdt, blob, size) : -EINVAL;
	CHECK_INT(err, 0);
	if (err == 0) {
		int host = fdt_next_compatible(&aarch64_fdt, -1, "pci-host-ecam-generic");
		if (CHECK(host >= 0)) {
			int before;
#define SECTION(call)                                                                       \
	do {                                                                                \
		before = check_passed + check_failed;                                       \
		call;                                                                       \
		printf("%s: %-36s %d checks\n", l->name, #call, check_passed + check_failed - before); \
	} while (0)
			SECTION(test_windows(l, host));
			SECTION(test_windows_edited(l, blob, host));
			SECTION(test_ecam(l, host));
			SECTION(test_io());
			SECTION(test_intx(l, host));
			SECTION(test_intx_damaged(blob, host));
		}
	}
	for (int i = 0; i < nmaps; i++)
		free(maps[i].buf);
	free(blob);
	return check_report();
}
