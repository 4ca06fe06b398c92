/* The root and the current directory (vfs.h). */
#include <errno.h>
#include <string.h>

#include "fs/initrd.h"
#include "fs/mountspec.h"
#include "fs/storage.h"
#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/shutdown.h"

static struct vnode *cwd;

/* Files' times: the wall clock, from the RTC at boot and the monotonic
 * clock since. */
static int64_t now_ns(void)
{
	return (int64_t)arch_boot_epoch_seconds() * 1000000000 + (int64_t)arch_monotonic_ns();
}

static void apply_mount(const char *text);

/* Built on first use: a program that touches no file pays nothing for it
 * at boot. */
static void build_root(void)
{
	struct tmpfs_options opt = { .now_ns = now_ns };
	struct vnode *root = tmpfs_new(&opt);
	char message[160];
	if (!root || vfs_mount_root(root, 0, "tmpfs") != 0)
		PANIC("cannot create the root file system");
	if (initrd_unpack(root, (const void *)(uintptr_t)fs_initrd_base, fs_initrd_size, message, sizeof(message)))
		log_err("skiff: %s; continuing with an empty root file system\n", message);
	cwd = root;             /* the creation's reference */
	storage_mount_dev();    /* /dev/vda... before mount= names them */
	shutdown_set_sync(fs_sync_at_exit);
	for (int i = 0; i < fs_mount_count; i++)
		apply_mount(fs_mounts[i]);
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

/* Makes every directory of the absolute `path` that is missing (a mount
 * point need not exist in the initrd). */
static int make_dirs(const char *path)
{
	char prefix[256];
	size_t len = strlen(path);
	if (len >= sizeof(prefix))
		return -ENAMETOOLONG;
	for (size_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		struct vnode *v, *dir;
		const char *name;
		size_t nlen;
		bool must_dir;
		if (vfs_walk(NULL, prefix, 0, &v) == 0) {
			vnode_put(v);
			continue;
		}
		int err = vfs_walk_parent(NULL, prefix, &dir, &name, &nlen, &must_dir);
		if (err)
			return err;
		err = dir->ops->create(dir, name, nlen, VFS_IFDIR | 0755, &v);
		vnode_put(dir);
		if (err)
			return err;
		vnode_put(v);
	}
	return 0;
}

static void mount_tmpfs(const char *text, const struct mount_spec *m)
{
	struct tmpfs_options opt = { .now_ns = now_ns };
	if (tmpfs_parse_options(m->options, &opt)) {
		log_err("skiff: mount=%s: bad tmpfs options '%s'; not mounted\n", text, m->options);
		return;
	}
	struct vnode *fs = tmpfs_new(&opt);
	int err = fs ? make_dirs(m->target) : -ENOMEM;
	if (!err)
		err = vfs_mount(NULL, m->target, fs, m->read_only ? MNT_RDONLY : 0, "tmpfs");
	vnode_put(fs);
	if (err)
		log_err("skiff: mount=%s: cannot mount on %s (error %d); not mounted\n", text, m->target, err);
	else
		log_info("skiff: tmpfs on %s%s\n", m->target, m->read_only ? " (read-only)" : "");
}

/* One mount= option; a bad one is reported, naming it, and skipped. */
static void apply_mount(const char *text)
{
	struct mount_spec m;
	const char *why;
	if (mount_spec_parse(text, &m, &why)) {
		log_err("skiff: mount=%s: %s; not mounted\n", text, why);
		return;
	}
	if (strcmp(m.source, "tmpfs") == 0 && (!m.type[0] || strcmp(m.type, "tmpfs") == 0)) {
		mount_tmpfs(text, &m);
		return;
	}
	struct vnode *fs;
	const char *type;
	bool read_only;
	char reason[160];
	int err = storage_mount(&m, &fs, &type, &read_only, reason, sizeof(reason));
	if (err) {
		log_err("skiff: mount=%s: %s; not mounted\n", text, reason);
		return;
	}
	err = make_dirs(m.target);
	if (!err)
		err = vfs_mount(NULL, m.target, fs, read_only ? MNT_RDONLY : 0, type);
	if (err) {
		if (fs->ops->syncfs)
			fs->ops->syncfs(fs);
		log_err("skiff: mount=%s: cannot mount on %s (error %d); not mounted\n", text, m.target, err);
	} else {
		log_info("skiff: %s %s on %s%s%s\n", type, m.source, m.target, read_only ? " (read-only)" : "",
			 read_only && !m.read_only ? ": the disk is read-only" : "");
	}
	vnode_put(fs);
}

void fs_sync_at_exit(void)
{
	int err = vfs_sync_all();
	if (!err)
		err = storage_sync_disks();     /* what was written through /dev */
	if (err)
		log_err("skiff: writing the file systems back at exit failed (error %d); data may be lost\n", err);
}
