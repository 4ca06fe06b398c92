/* Device tree -> struct bootinfo on aarch64. Runs first thing after
 * entry.S, with the boot identity map. QEMU passes the tree in x0 when it
 * follows the Linux convention; for an ELF it puts it at the start of RAM,
 * the 1 GiB-aligned address below the image. The tree is copied into the
 * image (the page allocator reuses RAM), then read: RAM from the memory
 * nodes, the command line and initrd from /chosen, the console from the
 * "arm,pl011" node.
 */
#include <stdint.h>
#include <string.h>

#include "arch/aarch64/platform.h"
#include "kernel/bootinfo.h"
#include "kernel/fdt.h"

#define DTB_MAX (64 * 1024)     /* QEMU virt's tree uses under 10 KiB */

extern char boot_stack[], boot_stack_top[];
void pl011_init(uint64_t base);

struct fdt aarch64_fdt;
static struct bootinfo bootinfo;
static uint8_t dtb_copy[DTB_MAX] __attribute__((aligned(8)));
static uint64_t console_base;

uint64_t aarch64_console_base(void) { return console_base; }

static const void *find_tree(uint64_t x0)
{
	if (x0 && fdt_total_size((const void *)(uintptr_t)x0))
		return (const void *)(uintptr_t)x0;
	uintptr_t ram = (uintptr_t)__image_start & ~((1ul << 30) - 1);
	return fdt_total_size((const void *)ram) ? (const void *)ram : 0;
}

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* QEMU's tree says it is 1 MiB long but uses a few KiB: copy only up to
 * the end of its structure and strings blocks, and say so in the copy's
 * header (what libfdt's fdt_pack does). Returns the copy's size, or 0. */
static uint32_t copy_tree(const uint8_t *tree)
{
	uint32_t total = fdt_total_size(tree);
	uint32_t struct_end = be32(tree + 8) + be32(tree + 36);
	uint32_t strings_end = be32(tree + 12) + be32(tree + 32);
	uint32_t used = struct_end > strings_end ? struct_end : strings_end;
	if (used < struct_end || used < strings_end || used > total || used > sizeof(dtb_copy))
		return 0;
	memcpy(dtb_copy, tree, used);
	dtb_copy[4] = (uint8_t)(used >> 24);
	dtb_copy[5] = (uint8_t)(used >> 16);
	dtb_copy[6] = (uint8_t)(used >> 8);
	dtb_copy[7] = (uint8_t)used;
	return used;
}

static void add_ram(struct bootinfo *bi, uint64_t base, uint64_t size)
{
	if (size && bi->ram_count < BOOTINFO_MAX_REGIONS)
		bi->ram[bi->ram_count++] = (struct mem_region){ base, size };
}

static void read_memory(struct bootinfo *bi)
{
	for (int node = fdt_next_device_type(&aarch64_fdt, -1, "memory"); node >= 0;
	     node = fdt_next_device_type(&aarch64_fdt, node, "memory")) {
		uint64_t base, size;
		for (int i = 0; fdt_reg(&aarch64_fdt, node, i, &base, &size) == 0; i++)
			add_ram(bi, base, size);
	}
}

static uint64_t prop_address(int node, const char *name)
{
	uint32_t len = 0;
	const void *p = fdt_prop(&aarch64_fdt, node, name, &len);
	return p && (len == 4 || len == 8) ? fdt_cells(p, (int)(len / 4)) : 0;
}

static void read_chosen(struct bootinfo *bi)
{
	int chosen = fdt_path(&aarch64_fdt, "/chosen");
	if (chosen < 0)
		return;
	uint32_t len = 0;
	const char *args = fdt_prop(&aarch64_fdt, chosen, "bootargs", &len);
	/* The kernel's command line starts with the image's name, as
	 * multiboot's does; bootargs holds only what -append gave. */
	static const char stand_in[] = "app ";
	size_t at = sizeof(stand_in) - 1;
	memcpy(bi->cmdline, stand_in, at);
	size_t n = args ? strnlen(args, len) : 0;
	if (n > BOOTINFO_CMDLINE_MAX - 1 - at) {
		n = BOOTINFO_CMDLINE_MAX - 1 - at;
		bi->cmdline_truncated = 1;
	}
	if (n)
		memcpy(bi->cmdline + at, args, n);
	bi->cmdline[at + n] = '\0';
	uint64_t start = prop_address(chosen, "linux,initrd-start");
	uint64_t end = prop_address(chosen, "linux,initrd-end");
	if (start && end > start) {
		bi->initrd_base = start;
		bi->initrd_size = end - start;
	}
}

static void start_console(void)
{
	int node = fdt_next_compatible(&aarch64_fdt, -1, "arm,pl011");
	uint64_t base, size;
	if (node >= 0 && fdt_reg(&aarch64_fdt, node, 0, &base, &size) == 0) {
		console_base = base;
		pl011_init(base);
	}
}

__attribute__((noreturn)) void aarch64_boot_main(uint64_t x0, uint64_t entry_cycles, uint64_t entry_el);

void aarch64_boot_main(uint64_t x0, uint64_t entry_cycles, uint64_t entry_el)
{
	struct bootinfo *bi = &bootinfo;
	bi->entry_cycles = entry_cycles;
	bi->boot_stack_lo = (uintptr_t)boot_stack;
	bi->boot_stack_hi = (uintptr_t)boot_stack_top;
	strcpy(bi->loader, entry_el == 2 ? "device tree, entered at EL2" : "device tree, entered at EL1");
	const void *tree = find_tree(x0);
	uint32_t size = tree ? copy_tree(tree) : 0;
	if (size) {
		if (fdt_open(&aarch64_fdt, dtb_copy, size) == 0) {
			bi->dtb = (uintptr_t)dtb_copy;
			start_console();
			read_memory(bi);
			read_chosen(bi);
		}
	}
	/* Without a tree there is no console and no memory: the kernel stops
	 * at its first need; nothing better can be reported. */
	kernel_main(bi);
}
