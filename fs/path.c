/* The mount table and the path walk (fs/mount.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/mount.h"

static struct mount mounts[VFS_MOUNTS];
static int mount_count;

static struct mount *mount_covering(const struct vnode *dir)
{
	for (int i = 0; i < mount_count; i++)
		if (mounts[i].covered == dir)
			return &mounts[i];
	return NULL;
}

static int add_mount(struct vnode *root, struct vnode *covered, unsigned flags, const char *type)
{
	if (mount_count == VFS_MOUNTS)
		return -ENOSPC;
	struct mount *m = &mounts[mount_count++];
	m->root = vnode_get(root);
	m->covered = covered ? vnode_get(covered) : NULL;
	m->flags = flags;
	strncpy(m->type, type, sizeof(m->type) - 1);
	m->type[sizeof(m->type) - 1] = '\0';
	root->mnt = m;
	return 0;
}

int vfs_mount_root(struct vnode *root, unsigned flags, const char *type)
{
	if (mount_count)
		return -EBUSY;
	return add_mount(root, NULL, flags, type);
}

struct vnode *vfs_root_dir(void)
{
	return mount_count ? vnode_get(mounts[0].root) : NULL;
}

void vfs_unmount_all(void)
{
	while (mount_count) {
		struct mount *m = &mounts[--mount_count];
		vnode_put(m->covered);
		vnode_put(m->root);
		memset(m, 0, sizeof(*m));
	}
}

int vfs_sync_all(void)
{
	int first = 0;
	for (int i = 0; i < mount_count; i++) {
		struct vnode *root = mounts[i].root;
		int err = root->ops->syncfs ? root->ops->syncfs(root) : 0;
		if (err && !first)
			first = err;
	}
	return first;
}

int vfs_writable(const struct vnode *v)
{
	return v->mnt && (v->mnt->flags & MNT_RDONLY) ? -EROFS : 0;
}

/* ".." of `dir`: above a mounted root, the covered directory's parent;
 * the namespace's root is its own parent. */
static int parent_of(struct vnode *dir, struct vnode **out)
{
	while (dir->mnt && dir == dir->mnt->root && dir->mnt->covered)
		dir = dir->mnt->covered;
	if (dir->mnt == &mounts[0] && dir == mounts[0].root) {
		*out = vnode_get(dir);
		return 0;
	}
	struct mount *m = dir->mnt;
	int err = dir->ops->lookup(dir, "..", 2, out);
	if (!err)
		(*out)->mnt = m;
	return err;
}

/* One name in `dir`: ".", "..", or a lookup entering whatever is mounted
 * on the result. */
static int step(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (len == 1 && name[0] == '.') {
		*out = vnode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return parent_of(dir, out);
	struct vnode *v;
	int err = dir->ops->lookup(dir, name, len, &v);
	if (err)
		return err;
	v->mnt = dir->mnt;
	for (struct mount *m; (m = mount_covering(v)) != NULL;) {
		vnode_put(v);
		v = vnode_get(m->root);
	}
	*out = v;
	return 0;
}

struct walk {
	int links;              /* symlinks followed so far */
};

static int walk(struct walk *w, struct vnode *start, const char *path, unsigned flags, struct vnode **out);

/* Replaces *v, a symlink found in `dir`, by what it names. */
static int follow(struct walk *w, struct vnode *dir, struct vnode **v)
{
	if (++w->links > VFS_SYMLOOP_MAX)
		return -ELOOP;
	if (!(*v)->ops->readlink)
		return -EINVAL;
	char *target = malloc(VFS_PATH_MAX);
	if (!target)
		return -ENOMEM;
	ssize_t n = (*v)->ops->readlink(*v, target, VFS_PATH_MAX - 1);
	if (n < 0 || n >= VFS_PATH_MAX) {
		free(target);
		return n < 0 ? (int)n : -ENAMETOOLONG;
	}
	target[n] = '\0';
	struct vnode *resolved = NULL;
	int err = n == 0 ? -ENOENT : walk(w, dir, target, 0, &resolved);
	free(target);
	if (err)
		return err;
	vnode_put(*v);
	*v = resolved;
	return 0;
}

static const char *skip_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return p;
}

static int walk(struct walk *w, struct vnode *start, const char *path, unsigned flags, struct vnode **out)
{
	if (!*path)
		return -ENOENT;
	struct vnode *cur = *path == '/' ? vfs_root_dir() : (start ? vnode_get(start) : NULL);
	if (!cur)
		return -ENOENT;
	const char *p = skip_slashes(path);
	while (*p) {
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - name);
		bool slash = *p == '/', last = !*skip_slashes(p);
		struct vnode *next;
		int err = len > VFS_NAME_MAX ? -ENAMETOOLONG :
			  cur->type != VFS_IFDIR ? -ENOTDIR : step(cur, name, len, &next);
		if (!err && next->type == VFS_IFLNK && (!last || slash || !(flags & VFS_NOFOLLOW))) {
			err = follow(w, cur, &next);
			if (err)
				vnode_put(next);
		}
		vnode_put(cur);
		if (err)
			return err;
		cur = next;
		p = skip_slashes(p);
	}
	size_t plen = strlen(path);
	if (((flags & VFS_DIRECTORY) || path[plen - 1] == '/') && cur->type != VFS_IFDIR) {
		vnode_put(cur);
		return -ENOTDIR;
	}
	*out = cur;
	return 0;
}

int vfs_walk(struct vnode *cwd, const char *path, unsigned flags, struct vnode **out)
{
	struct walk w = { 0 };
	if (strlen(path) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	return walk(&w, cwd, path, flags, out);
}

int vfs_walk_parent(struct vnode *cwd, const char *path, struct vnode **dir, const char **name,
		    size_t *len, bool *must_dir)
{
	size_t end = strlen(path);
	*dir = NULL;
	if (end == 0)
		return -ENOENT;
	if (end >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	while (end > 0 && path[end - 1] == '/')
		end--;
	*must_dir = end < strlen(path);
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*name = path + start;
	*len = end - start;
	if (*len == 0 || (*len == 1 && path[start] == '.') ||
	    (*len == 2 && path[start] == '.' && path[start + 1] == '.'))
		return -EEXIST;         /* "/", "a/.", "a/..": no new name there */
	if (*len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (start == 0)
		return vfs_walk(cwd, ".", VFS_DIRECTORY, dir);
	char *head = malloc(start + 1);
	if (!head)
		return -ENOMEM;
	memcpy(head, path, start);
	head[start] = '\0';
	int err = vfs_walk(cwd, head, VFS_DIRECTORY, dir);
	free(head);
	return err;
}

int vfs_mount(struct vnode *cwd, const char *path, struct vnode *root, unsigned flags, const char *type)
{
	struct vnode *dir;
	int err = vfs_walk(cwd, path, VFS_DIRECTORY, &dir);
	if (err)
		return err;
	/* The walk entered whatever is mounted there: a mount over a mount's
	 * root is refused, as over any directory already covered. */
	if (dir->mnt && dir == dir->mnt->root)
		err = -EBUSY;           /* a mount's root, / included */
	else
		err = add_mount(root, dir, flags, type);
	vnode_put(dir);
	return err;
}
