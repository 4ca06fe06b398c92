/* x86_64 4-level page tables.
 *
 * RAM is identity-mapped with 2 MiB pages, except the 2 MiB chunks holding
 * page 0, the image or the boot stack's guard page: those are split into
 * 4 KiB pages so that page 0 and the guard are absent, text is RX, rodata
 * R+NX and data/bss RW+NX (CR0.WP makes read-only binding for the kernel
 * too). Everything else is RW+NX: no page is both writable and executable.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/mm.h"
#include "kernel/panic.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define LARGE_PAGE MM_IDENTITY_CHUNK        /* a PD entry maps one chunk */

extern char boot_stack[];       /* entry.S: the page below it is the guard */

static uint64_t *pml4;
static uint64_t nx_bit;         /* PTE_NX when EFER.NXE is on, else 0 */

static uint64_t *table_at(uint64_t entry) { return (uint64_t *)(uintptr_t)(entry & PTE_ADDR); }

static uint64_t *new_table(void)
{
	uint64_t pa = page_alloc(1);
	if (!pa)
		return 0;
	memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return (uint64_t *)(uintptr_t)pa;
}

/* The entry for `va` at `level` (3 = PML4 ... 0 = PT), creating tables on
 * the way; NULL when out of memory or a large page is in the way. */
static uint64_t *walk(uintptr_t va, int level, int create)
{
	uint64_t *table = pml4;
	for (int l = 3; l > level; l--) {
		uint64_t *e = &table[(va >> (12 + 9 * l)) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return 0;
			uint64_t *t = new_table();
			if (!t)
				return 0;
			*e = (uintptr_t)t | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return 0;
		}
		table = table_at(*e);
	}
	return &table[(va >> (12 + 9 * level)) & 511];
}

static uint64_t pte_flags(unsigned flags)
{
	uint64_t f = PTE_P;
	if (flags & MAP_WRITE)
		f |= PTE_W;
	if (!(flags & MAP_EXEC))
		f |= nx_bit;
	if (flags & MAP_DEVICE)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

static unsigned image_page_flags(uintptr_t pa)
{
	if (pa < PAGE_SIZE || pa == (uintptr_t)boot_stack - PAGE_SIZE)
		return ~0u;                             /* leave unmapped */
	return mm_image_page_access(pa);
}

static int chunk_needs_split(uint64_t chunk)
{
	uint64_t end = chunk + LARGE_PAGE;
	return chunk == 0 || ((uintptr_t)__image_start < end && (uintptr_t)__image_end > chunk);
}

static void map_chunk(uint64_t chunk)
{
	if (!chunk_needs_split(chunk)) {
		uint64_t *pde = walk(chunk, 1, 1);
		if (!pde)
			PANIC("out of memory building page tables");
		if (!*pde)
			*pde = chunk | pte_flags(MAP_WRITE) | PTE_PS;
		return;
	}
	/* One page table covers the chunk: find it once, then fill its 512
	 * entries (a walk per page cost most of the boot's instructions). */
	uint64_t *pt = walk(chunk, 0, 1);
	if (!pt)
		PANIC("out of memory building page tables");
	const uint64_t by_kind[3] = { pte_flags(MAP_EXEC), pte_flags(MAP_READ), pte_flags(MAP_WRITE) };
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pa = chunk + (uint64_t)i * PAGE_SIZE;
		unsigned flags = image_page_flags(pa);
		pt[i] = flags == ~0u ? 0 : pa | by_kind[flags == MAP_EXEC ? 0 : flags == MAP_READ ? 1 : 2];
	}
}

void x86_paging_init(const struct bootinfo *bi)
{
	nx_bit = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
	pml4 = new_table();
	if (!pml4)
		PANIC("out of memory building page tables");
	map_chunk(0);   /* low memory, even when the map starts above it */
	mm_for_each_identity_chunk(bi, map_chunk);
	write_cr3((uintptr_t)pml4);
}

int arch_map_page(uintptr_t va, uint64_t pa, unsigned flags)
{
	uint64_t *pte = walk(va, 0, 1);
	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_P)
		return -EEXIST;
	*pte = (pa & PTE_ADDR) | pte_flags(flags);
	return 0;
}

uint64_t arch_unmap_page(uintptr_t va)
{
	uint64_t *pte = walk(va, 0, 0);
	if (!pte || !(*pte & PTE_P))
		return 0;
	uint64_t pa = *pte & PTE_ADDR;
	*pte = 0;
	invlpg(va);
	return pa;
}

void *arch_map_device(uint64_t pa, size_t size)
{
	for (uint64_t at = pa / PAGE_SIZE * PAGE_SIZE; at < pa + size; at += PAGE_SIZE) {
		uint64_t *pde = walk(at, 1, 0);
		if (pde && (*pde & PTE_PS))
			return 0;       /* inside RAM's large pages: not a device */
		uint64_t *pte = walk(at, 0, 1);
		if (!pte)
			return 0;
		*pte = at | pte_flags(MAP_WRITE | MAP_DEVICE);
		invlpg(at);
	}
	return (void *)(uintptr_t)pa;
}
