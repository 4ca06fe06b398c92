/* What the boot loader told us, normalised by boot/<arch>/ into one struct
 * before anything else runs. The loader's own structures (multiboot info,
 * device tree) may sit in memory the page allocator later hands out, so
 * everything needed later is copied here, the command line included.
 */
#ifndef SKIFF_KERNEL_BOOTINFO_H
#define SKIFF_KERNEL_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_CMDLINE_MAX 4096
#define BOOTINFO_MAX_REGIONS 32

struct mem_region {
	uint64_t base;
	uint64_t size;
};

struct bootinfo {
	char cmdline[BOOTINFO_CMDLINE_MAX];     /* NUL-terminated, maybe cut */
	uint32_t cmdline_truncated;             /* the loader's was longer */
	uint32_t ram_count;
	struct mem_region ram[BOOTINFO_MAX_REGIONS]; /* usable RAM only */
	uint64_t initrd_base;                   /* physical; size 0 = none */
	uint64_t initrd_size;
	uint64_t dtb;                           /* physical; 0 = none */
	uint64_t entry_cycles;                  /* arch_cycles() at first instruction */
	uint64_t boot_stack_lo, boot_stack_hi;  /* the stack kernel_main runs on */
	char loader[32];                        /* boot loader's name, e.g. "qemu" */
};

_Static_assert(sizeof(struct bootinfo) < 8192, "bootinfo lives on the boot stack's neighbour");

/* The generic kernel, entered once by boot/<arch>/ with a filled bootinfo. */
__attribute__((noreturn)) void kernel_main(struct bootinfo *bi);

/* Linker-script symbols bounding the loaded image (every arch defines them). */
extern char __image_start[], __text_end[], __rodata_end[], __data_end[],
	__bss_start[], __image_end[];

#endif
