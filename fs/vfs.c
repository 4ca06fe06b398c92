/* The root file system (see vfs.h). */
#include "fs/vfs.h"
#include "kernel/log.h"
#include "kernel/panic.h"

static struct ramfs *root;
static uint64_t initrd_base;
static size_t initrd_size;

void fs_init(uint64_t base, size_t size)
{
	initrd_base = base;
	initrd_size = size;
}

/* The tree is built on first use: a program that opens no file pays
 * nothing for it at boot. */
static void load_root(uint64_t base, size_t size)
{
	char message[160];
	if (size) {
		int err = ramfs_load(&root, (const void *)(uintptr_t)base, size, message, sizeof(message));
		if (err == 0)
			return;
		log_err("skiff: %s; continuing with an empty root file system\n", message);
	}
	if (ramfs_load(&root, "", 0, message, sizeof(message)) != 0)
		PANIC("cannot create the empty root file system: %s", message);
}

const struct ramfs *vfs_root(void)
{
	if (!root)
		load_root(initrd_base, initrd_size);
	return root;
}
