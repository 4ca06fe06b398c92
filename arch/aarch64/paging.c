/* aarch64 page tables: 4 KiB granule, 48-bit addresses, 4 levels, TTBR0.
 *
 * The same policy as x86_64 (arch/x86_64/paging.c): RAM is identity-mapped
 * with 2 MiB blocks, except the 2 MiB chunks holding the image or the boot
 * stack's guard page, which are split into 4 KiB pages so that the guard
 * is absent, text is RX, rodata R+XN and data/bss RW+XN. Everything else is
 * RW+XN: no page is both writable and executable. Device memory (UART, GIC,
 * virtio-mmio) is mapped on request as Device-nGnRE, never executable.
 */
#include <errno.h>
#include <string.h>

#include "arch/aarch64/cpu.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/mm.h"
#include "kernel/panic.h"

#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1)          /* levels 0-2: table; level 3: page */
#define DESC_ATTR(i) ((uint64_t)(i) << 2)
#define ATTR_NORMAL 1                   /* MAIR_EL1 index (entry.S) */
#define ATTR_DEVICE 2                   /* Device-nGnRE */
#define DESC_AP_RO (1ull << 7)          /* AP[2]: read-only at EL1 */
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF (1ull << 10)
#define DESC_PXN (1ull << 53)
#define DESC_UXN (1ull << 54)
#define DESC_ADDR 0x0000FFFFFFFFF000ull
#define BLOCK_2M MM_IDENTITY_CHUNK          /* a level-2 block maps one chunk */

extern char boot_stack[];       /* entry.S: the page below it is the guard */
extern char exception_stack[];  /* entry.S: so is the page below this one */
void pl011_init(uint64_t base);

static uint64_t *root;

static uint64_t *table_at(uint64_t desc) { return (uint64_t *)(uintptr_t)(desc & DESC_ADDR); }

static uint64_t *new_table(void)
{
	uint64_t pa = page_alloc(1);
	if (!pa)
		return 0;
	memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return (uint64_t *)(uintptr_t)pa;
}

/* The descriptor for `va` at `level` (0 = top ... 3 = pages), creating
 * tables on the way; NULL when out of memory or a block is in the way. */
static uint64_t *walk(uintptr_t va, int level, int create)
{
	uint64_t *table = root;
	for (int l = 0; l < level; l++) {
		uint64_t *d = &table[(va >> (39 - 9 * l)) & 511];
		if (!(*d & DESC_VALID)) {
			if (!create)
				return 0;
			uint64_t *t = new_table();
			if (!t)
				return 0;
			*d = (uintptr_t)t | DESC_VALID | DESC_TABLE;
		} else if (!(*d & DESC_TABLE)) {
			return 0;
		}
		table = table_at(*d);
	}
	return &table[(va >> (39 - 9 * level)) & 511];
}

static uint64_t desc_flags(unsigned flags)
{
	uint64_t f = DESC_VALID | DESC_AF;
	if (flags & MAP_DEVICE)
		f |= DESC_ATTR(ATTR_DEVICE);
	else
		f |= DESC_ATTR(ATTR_NORMAL) | DESC_SH_INNER;
	if (!(flags & MAP_WRITE))
		f |= DESC_AP_RO;
	if (!(flags & MAP_EXEC))
		f |= DESC_PXN;
	return f | DESC_UXN;            /* nothing runs at EL0 */
}

static unsigned image_page_flags(uintptr_t pa)
{
	if (pa == (uintptr_t)boot_stack - PAGE_SIZE || pa == (uintptr_t)exception_stack - PAGE_SIZE)
		return ~0u;                             /* leave unmapped */
	return mm_image_page_access(pa);
}

static void map_chunk(uint64_t chunk)
{
	bool split = (uintptr_t)__image_start < chunk + BLOCK_2M && (uintptr_t)__image_end > chunk;
	if (!split) {
		uint64_t *d = walk(chunk, 2, 1);
		if (!d)
			PANIC("out of memory building page tables");
		if (!*d)
			*d = chunk | desc_flags(MAP_WRITE);     /* a block: bit 1 clear */
		return;
	}
	uint64_t *pt = walk(chunk, 3, 1);
	if (!pt)
		PANIC("out of memory building page tables");
	const uint64_t by_kind[3] = { desc_flags(MAP_EXEC), desc_flags(MAP_READ), desc_flags(MAP_WRITE) };
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pa = chunk + (uint64_t)i * PAGE_SIZE;
		unsigned flags = image_page_flags(pa);
		pt[i] = flags == ~0u ? 0 : pa | DESC_TABLE |
			by_kind[flags == MAP_EXEC ? 0 : flags == MAP_READ ? 1 : 2];
	}
}

static void flush_tlb(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" : : : "memory");
}

void aarch64_paging_init(const struct bootinfo *bi, uint64_t uart_base)
{
	root = new_table();
	if (!root)
		PANIC("out of memory building page tables");
	mm_for_each_identity_chunk(bi, map_chunk);
	if (uart_base && !arch_map_device(uart_base, PAGE_SIZE))
		PANIC("cannot map the console");
	dsb_sy();
	write_sysreg(ttbr0_el1, (uintptr_t)root);
	isb();                          /* walks use the new TTBR0 from here on */
	flush_tlb();
}

int arch_map_page(uintptr_t va, uint64_t pa, unsigned flags)
{
	uint64_t *d = walk(va, 3, 1);
	if (!d)
		return -ENOMEM;
	if (*d & DESC_VALID)
		return -EEXIST;
	*d = (pa & DESC_ADDR) | DESC_TABLE | desc_flags(flags);
	dsb_ishst();
	isb();                          /* no spurious fault on the first touch */
	return 0;
}

uint64_t arch_unmap_page(uintptr_t va)
{
	uint64_t *d = walk(va, 3, 0);
	if (!d || !(*d & DESC_VALID))
		return 0;
	uint64_t pa = *d & DESC_ADDR;
	*d = 0;
	__asm__ volatile("dsb ishst; tlbi vaae1, %0; dsb ish; isb" : : "r"(va >> 12) : "memory");
	return pa;
}

void *arch_map_device(uint64_t pa, size_t size)
{
	for (uint64_t at = pa / PAGE_SIZE * PAGE_SIZE; at < pa + size; at += PAGE_SIZE) {
		uint64_t *block = walk(at, 2, 0);
		if (block && (*block & DESC_VALID) && !(*block & DESC_TABLE))
			return 0;       /* inside RAM's blocks: not a device */
		uint64_t *d = walk(at, 3, 1);
		if (!d)
			return 0;
		*d = at | DESC_TABLE | desc_flags(MAP_WRITE | MAP_DEVICE);
	}
	flush_tlb();
	return (void *)(uintptr_t)pa;
}
