/* Physical pages and the kernel's virtual regions.
 *
 * RAM is identity-mapped (virtual == physical), so a page from page_alloc is
 * directly usable and its address is what a device needs for DMA. Thread
 * stacks, the malloc heap and mmap's mappings live in reserved virtual
 * ranges above RAM (VM_STACKS, VM_HEAP, VM_MMAP), mapped page by page, so their guard pages and growth
 * never depend on physical contiguity; never hand their addresses to a device.
 */
#ifndef SKIFF_KERNEL_MM_H
#define SKIFF_KERNEL_MM_H

#include <stddef.h>
#include <stdint.h>

struct bootinfo;

#define VM_HEAP_BASE 0x0000100000000000ull      /* 16 TiB */
#define VM_HEAP_LIMIT 0x0000180000000000ull
#define VM_STACKS_BASE 0x0000200000000000ull    /* 32 TiB */
#define VM_MMAP_BASE 0x0000300000000000ull      /* 48 TiB: mmap (libc-shim/mman.c) */
#define VM_MMAP_LIMIT 0x0000400000000000ull
#define VM_STACK_SLOT (1024 * 1024)             /* guard page + stack */
#define VM_STACK_SLOTS 4096

/* Builds the page allocator from the boot memory map, keeping page 0, the
 * image, the initrd and its own bitmap out of it. */
void mm_init(const struct bootinfo *bi);

/* For the ports' page tables. The 2 MiB-aligned chunks of physical memory
 * the kernel's identity map covers: RAM from the boot memory map, and the
 * image and the initrd, which may lie outside it. A chunk can come twice. */
#define MM_IDENTITY_CHUNK (2ull * 1024 * 1024)
void mm_for_each_identity_chunk(const struct bootinfo *bi, void (*fn)(uint64_t chunk));
/* How a page of the image is mapped: text MAP_EXEC (read and execute),
 * rodata MAP_READ, data and bss MAP_WRITE (W^X). */
unsigned mm_image_page_access(uintptr_t pa);

/* `count` contiguous pages (not zeroed), or 0 when there are none. */
uint64_t page_alloc(size_t count);
void page_free(uint64_t pa, size_t count);
size_t page_free_count(void);
size_t page_total_count(void);

/* Maps `pages` fresh pages at `va`; on failure undoes what it did and
 * returns -ENOMEM. The pages are not zeroed: stacks need no zeroing and
 * malloc's calloc clears what it hands out, so boot touches no page it does
 * not use (each first touch costs the host a page fault). */
int vm_map_fresh(uintptr_t va, size_t pages, unsigned flags);
/* Unmaps and frees what vm_map_fresh mapped. */
void vm_unmap_free(uintptr_t va, size_t pages);

/* The malloc heap's break (sbrk). Growing past free memory panics with a
 * message naming the request: an out-of-memory unikernel cannot go on. */
void *heap_grow(intptr_t increment);

#endif
