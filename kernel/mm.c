/* Physical page allocator over the boot memory map, and mapped regions. */
#include <errno.h>

#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/page_pool.h"
#include "kernel/panic.h"

static struct page_pool pool;
static size_t total_pages;

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The bitmap goes in the first RAM gap big enough that holds neither the
 * image nor the initrd (nor page 0). */
static uint64_t place_bitmap(const struct bootinfo *bi, uint64_t bytes)
{
	uint64_t image = (uintptr_t)__image_start;
	uint64_t image_len = (uintptr_t)__image_end - image;
	for (uint32_t i = 0; i < bi->ram_count; i++) {
		uint64_t at = align_up(bi->ram[i].base < PAGE_SIZE ? PAGE_SIZE : bi->ram[i].base, PAGE_SIZE);
		uint64_t end = bi->ram[i].base + bi->ram[i].size;
		while (at + bytes <= end) {
			if (overlaps(at, bytes, image, image_len))
				at = align_up(image + image_len, PAGE_SIZE);
			else if (bi->initrd_size && overlaps(at, bytes, bi->initrd_base, bi->initrd_size))
				at = align_up(bi->initrd_base + bi->initrd_size, PAGE_SIZE);
			else
				return at;
		}
	}
	return 0;
}

void mm_init(const struct bootinfo *bi)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (uint32_t i = 0; i < bi->ram_count; i++) {
		if (bi->ram[i].base < lo)
			lo = bi->ram[i].base;
		if (bi->ram[i].base + bi->ram[i].size > hi)
			hi = bi->ram[i].base + bi->ram[i].size;
	}
	if (hi <= lo)
		PANIC("no usable RAM in the boot memory map (loader: %s)", bi->loader);
	if ((uintptr_t)__image_end > hi)
		PANIC("out of memory: the image needs RAM up to %p but it ends at %p "
		      "(give the VM more memory, e.g. QEMU's -m)", (void *)__image_end, (void *)(uintptr_t)hi);
	lo = lo / PAGE_SIZE * PAGE_SIZE;
	size_t span = (size_t)((hi - lo) / PAGE_SIZE);
	size_t bitmap_bytes = page_pool_bitmap_bytes(span);
	uint64_t bitmap = place_bitmap(bi, bitmap_bytes);
	if (!bitmap)
		PANIC("no room for the page bitmap (%zu bytes)", bitmap_bytes);

	page_pool_init(&pool, lo, span, (uint64_t *)(uintptr_t)bitmap);
	for (uint32_t i = 0; i < bi->ram_count; i++)
		page_pool_release(&pool, bi->ram[i].base, bi->ram[i].size);
	page_pool_reserve(&pool, 0, PAGE_SIZE);        /* stays unmapped: NULL faults */
	page_pool_reserve(&pool, (uintptr_t)__image_start,
			  (uintptr_t)__image_end - (uintptr_t)__image_start);
	if (bi->initrd_size)
		page_pool_reserve(&pool, bi->initrd_base, bi->initrd_size);
	page_pool_reserve(&pool, bitmap, bitmap_bytes);
	total_pages = pool.free;
}

uint64_t page_alloc(size_t count)
{
	irqflags_t f = arch_irq_save();
	uint64_t pa = page_pool_alloc(&pool, count);
	arch_irq_restore(f);
	return pa;
}

void page_free(uint64_t pa, size_t count)
{
	irqflags_t f = arch_irq_save();
	int err = page_pool_free(&pool, pa, count);
	arch_irq_restore(f);
	if (err)
		PANIC("page_free(%lx, %zu) of pages that are not allocated", (unsigned long)pa, count);
}

size_t page_free_count(void) { return pool.free; }
size_t page_total_count(void) { return total_pages; }

int vm_map_fresh(uintptr_t va, size_t pages, unsigned flags)
{
	for (size_t i = 0; i < pages; i++) {
		uint64_t pa = page_alloc(1);
		if (!pa || arch_map_page(va + i * PAGE_SIZE, pa, flags) != 0) {
			if (pa)
				page_free(pa, 1);
			vm_unmap_free(va, i);
			return -ENOMEM;
		}
	}
	return 0;
}

void vm_unmap_free(uintptr_t va, size_t pages)
{
	for (size_t i = 0; i < pages; i++) {
		uint64_t pa = arch_unmap_page(va + i * PAGE_SIZE);
		if (pa)
			page_free(pa, 1);
	}
}

/* --- heap break ------------------------------------------------------- */

static uintptr_t heap_break = VM_HEAP_BASE;     /* first unused byte */
static uintptr_t heap_mapped = VM_HEAP_BASE;    /* first unmapped byte */

void *heap_grow(intptr_t increment)
{
	uintptr_t old = heap_break;
	if (increment < 0) {
		/* picolibc's malloc only trims from the top; keep pages mapped
		 * for the next growth rather than churn page tables. */
		if ((uintptr_t)-increment > heap_break - VM_HEAP_BASE)
			return (void *)-1;
		heap_break -= (uintptr_t)-increment;
		return (void *)old;
	}
	uintptr_t want = heap_break + (uintptr_t)increment;
	if (want > VM_HEAP_LIMIT || want < heap_break)
		PANIC("out of memory: heap growth of %ld bytes exceeds the heap range", (long)increment);
	if (want > heap_mapped) {
		size_t pages = (want - heap_mapped + PAGE_SIZE - 1) / PAGE_SIZE;
		if (vm_map_fresh(heap_mapped, pages, MAP_WRITE) != 0)
			panic("out of memory: malloc needed %ld more bytes of heap "
			      "(heap %zu KiB, %zu of %zu pages free); give the VM more memory (-m / --mem)",
			      (long)increment, (size_t)(heap_mapped - VM_HEAP_BASE) / 1024,
			      page_free_count(), page_total_count());
		heap_mapped += pages * PAGE_SIZE;
	}
	heap_break = want;
	return (void *)old;
}

static void each_chunk(uint64_t base, uint64_t size, void (*fn)(uint64_t chunk))
{
	for (uint64_t c = base / MM_IDENTITY_CHUNK * MM_IDENTITY_CHUNK; c < base + size; c += MM_IDENTITY_CHUNK)
		fn(c);
}

void mm_for_each_identity_chunk(const struct bootinfo *bi, void (*fn)(uint64_t chunk))
{
	for (uint32_t i = 0; i < bi->ram_count; i++)
		each_chunk(bi->ram[i].base, bi->ram[i].size, fn);
	each_chunk((uintptr_t)__image_start, (uintptr_t)(__image_end - __image_start), fn);
	if (bi->initrd_size)
		each_chunk(bi->initrd_base, bi->initrd_size, fn);
}

unsigned mm_image_page_access(uintptr_t pa)
{
	if (pa >= (uintptr_t)__image_start && pa < (uintptr_t)__text_end)
		return MAP_EXEC;
	if (pa >= (uintptr_t)__text_end && pa < (uintptr_t)__rodata_end)
		return MAP_READ;
	return MAP_WRITE;
}
