/* Multiboot v1 information -> struct bootinfo. Runs first thing in 64-bit
 * mode, on the boot stack, with the boot identity map of the first 1 GiB
 * (QEMU and GRUB place the info, command line and modules low). Copies what
 * the kernel needs, because the page allocator may later reuse this memory.
 */
#include <stdint.h>

#include "kernel/bootinfo.h"

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS (1u << 3)
#define MBI_FLAG_MMAP (1u << 6)
#define MBI_FLAG_LOADER_NAME (1u << 9)
#define MMAP_TYPE_RAM 1
#define BOOT_MAPPED_LIMIT (1ull << 30)  /* what entry.S identity-maps */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

struct multiboot_mmap_entry {
	uint32_t size;                  /* of the rest of the entry */
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

struct multiboot_module {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

extern uint64_t boot_entry_cycles;      /* entry.S */
extern char boot_stack[], boot_stack_top[];

static struct bootinfo bootinfo;

/* The kernel's command line starts with the image path (kernel/cmdline.h).
 * QEMU and GRUB legacy put it there; GRUB 2 passes only the arguments, so
 * for it a stand-in name goes first. */
static void copy_cmdline(struct bootinfo *bi, const char *src, int add_image_name)
{
	static const char stand_in[] = "app ";
	uint32_t i = 0;
	for (; add_image_name && stand_in[i]; i++)
		bi->cmdline[i] = stand_in[i];
	while (*src && i < BOOTINFO_CMDLINE_MAX - 1)
		bi->cmdline[i++] = *src++;
	bi->cmdline[i] = '\0';
	bi->cmdline_truncated = *src != '\0';
}

static void set_loader(struct bootinfo *bi, const char *name)
{
	uint32_t i = 0;
	for (; name[i] && i < sizeof(bi->loader) - 1; i++)
		bi->loader[i] = name[i];
	bi->loader[i] = '\0';
}

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

static void add_ram(struct bootinfo *bi, uint64_t base, uint64_t size)
{
	if (size == 0 || bi->ram_count == BOOTINFO_MAX_REGIONS)
		return;
	bi->ram[bi->ram_count].base = base;
	bi->ram[bi->ram_count].size = size;
	bi->ram_count++;
}

static void read_memory_map(struct bootinfo *bi, const struct multiboot_info *mbi)
{
	if (!(mbi->flags & MBI_FLAG_MMAP)) {
		/* Only the basic fields: upper memory starts at 1 MiB. */
		add_ram(bi, 0x100000, (uint64_t)mbi->mem_upper * 1024);
		return;
	}
	uintptr_t at = mbi->mmap_addr, end = at + mbi->mmap_length;
	while (at + sizeof(struct multiboot_mmap_entry) <= end) {
		const struct multiboot_mmap_entry *e = (const void *)at;
		if (e->type == MMAP_TYPE_RAM)
			add_ram(bi, e->base, e->length);
		at += e->size + sizeof(e->size);
	}
}

static void read_initrd(struct bootinfo *bi, const struct multiboot_info *mbi)
{
	if (!(mbi->flags & MBI_FLAG_MODS) || mbi->mods_count == 0)
		return;
	/* QEMU's -initrd (and GRUB's first `module`) is module 0. */
	const struct multiboot_module *m = (const void *)(uintptr_t)mbi->mods_addr;
	if (m->end > m->start) {
		bi->initrd_base = m->start;
		bi->initrd_size = m->end - m->start;
	}
}

__attribute__((noreturn)) void x86_boot_main(uint32_t magic, uint32_t info);

void x86_boot_main(uint32_t magic, uint32_t info)
{
	struct bootinfo *bi = &bootinfo;
	bi->entry_cycles = boot_entry_cycles;
	set_loader(bi, "multiboot");
	bi->boot_stack_lo = (uintptr_t)boot_stack;
	bi->boot_stack_hi = (uintptr_t)boot_stack_top;
	/* Without the magic the info pointer means nothing: boot with an empty
	 * command line and no memory map, and let the kernel complain. */
	if (magic == MULTIBOOT_LOADER_MAGIC && info != 0 && info < BOOT_MAPPED_LIMIT) {
		const struct multiboot_info *mbi = (const void *)(uintptr_t)info;
		if ((mbi->flags & MBI_FLAG_LOADER_NAME) && mbi->boot_loader_name &&
		    mbi->boot_loader_name < BOOT_MAPPED_LIMIT)
			set_loader(bi, (const char *)(uintptr_t)mbi->boot_loader_name);
		int grub2 = starts_with(bi->loader, "GRUB 2");
		if ((mbi->flags & MBI_FLAG_CMDLINE) && mbi->cmdline < BOOT_MAPPED_LIMIT)
			copy_cmdline(bi, (const char *)(uintptr_t)mbi->cmdline, grub2);
		read_memory_map(bi, mbi);
		read_initrd(bi, mbi);
	} else {
		set_loader(bi, "unknown (no multiboot magic)");
	}
	kernel_main(bi);
}
