/* The root and the current directory (vfs.h). */
#include "fs/initrd.h"
#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "kernel/log.h"
#include "kernel/panic.h"

static uint64_t initrd_base;
static size_t initrd_size;
static struct vnode *cwd;

void fs_init(uint64_t base, size_t size)
{
	initrd_base = base;
	initrd_size = size;
}

/* Built on first use: a program that touches no file pays nothing for it
 * at boot. */
static void build_root(void)
{
	struct tmpfs_options opt = { 0 };
	struct vnode *root = tmpfs_new(&opt);
	char message[160];
	if (!root || vfs_mount_root(root, 0, "tmpfs") != 0)
		PANIC("cannot create the root file system");
	if (initrd_unpack(root, (const void *)(uintptr_t)initrd_base, initrd_size, message, sizeof(message)))
		log_err("skiff: %s; continuing with an empty root file system\n", message);
	cwd = root;             /* the creation's reference */
}

struct vnode *vfs_cwd(void)
{
	if (!cwd)
		build_root();
	return vnode_get(cwd);
}

void vfs_set_cwd(struct vnode *dir)
{
	struct vnode *old = cwd;
	cwd = vnode_get(dir);
	vnode_put(old);
}
