/* tmpfs (tmpfs.h): nodes in the heap, a directory a list of entries in
 * creation order, each with a cookie that readdir resumes from, so that a
 * listing stays right while entries come and go. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/tmpfs.h"

#define ENTRY_CHARGE 64         /* bytes a name counts against the limit */
#define FIRST_COOKIE 2          /* 0 is ".", 1 is ".." */

struct tnode;

struct tmpfs {
	struct tmpfs_options opt;
	struct tnode *root;
	uint64_t used;
	uint64_t next_ino;
};

struct tentry;

struct tnode {
	struct vnode v;
	struct tmpfs *fs;
	struct vattr attr;
	struct tnode *parent;           /* directories: the one holding it */
	struct tentry *entries, *last;  /* directories */
	uint64_t next_cookie;
	uint8_t *data;                  /* files: size bytes of cap; symlinks: target */
	uint64_t cap;
	bool borrowed;                  /* data is someone else's (the initrd), read-only */
};

struct tentry {
	struct tentry *next;
	struct tnode *node;
	uint64_t cookie;
	size_t len;
	char name[];
};

static const struct vnode_ops ops;

static struct tnode *tn(struct vnode *v) { return (struct tnode *)v; }

static int64_t now(struct tmpfs *fs) { return fs->opt.now_ns ? fs->opt.now_ns() : 0; }

static int charge(struct tmpfs *fs, uint64_t bytes)
{
	if (fs->opt.size_limit && fs->used + bytes > fs->opt.size_limit)
		return -ENOSPC;
	fs->used += bytes;
	return 0;
}

static struct tnode *new_node(struct tmpfs *fs, uint32_t mode)
{
	struct tnode *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->v.ops = &ops;
	n->v.type = mode & VFS_IFMT;
	n->fs = fs;
	n->attr.mode = mode;
	n->attr.ino = fs->next_ino++;
	n->attr.atime_ns = n->attr.mtime_ns = n->attr.ctime_ns = now(fs);
	n->next_cookie = FIRST_COOKIE;
	return n;
}

static void free_node(struct tnode *n)
{
	n->fs->used -= n->cap;
	if (!n->borrowed)
		free(n->data);
	free(n);
}

static struct tentry *find(struct tnode *dir, const char *name, size_t len)
{
	for (struct tentry *e = dir->entries; e; e = e->next)
		if (e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

static void touch(struct tnode *n)
{
	n->attr.mtime_ns = n->attr.ctime_ns = now(n->fs);
}

static int add_entry(struct tnode *dir, const char *name, size_t len, struct tnode *node)
{
	int err = charge(dir->fs, ENTRY_CHARGE);
	if (err)
		return err;
	struct tentry *e = malloc(sizeof(*e) + len);
	if (!e) {
		dir->fs->used -= ENTRY_CHARGE;
		return -ENOMEM;
	}
	e->next = NULL;
	e->node = node;
	e->cookie = dir->next_cookie++;
	e->len = len;
	memcpy(e->name, name, len);
	if (dir->last)
		dir->last->next = e;
	else
		dir->entries = e;
	dir->last = e;
	node->attr.nlink++;
	if (node->v.type == VFS_IFDIR) {
		node->parent = dir;
		dir->attr.nlink++;
	}
	touch(dir);
	return 0;
}

/* Takes `e` out of `dir`'s list and frees it; the node's counts are the
 * caller's business. */
static void unhook(struct tnode *dir, struct tentry *e)
{
	struct tentry *prev = NULL;
	for (struct tentry *x = dir->entries; x != e; x = x->next)
		prev = x;
	if (prev)
		prev->next = e->next;
	else
		dir->entries = e->next;
	if (dir->last == e)
		dir->last = prev;
	free(e);
	dir->fs->used -= ENTRY_CHARGE;
}

/* The file `old` loses the name an entry gave it (now naming another). */
static void drop_name(struct tnode *dir, struct tnode *old)
{
	if (old->v.type == VFS_IFDIR) {
		dir->attr.nlink--;
		old->attr.nlink = 0;
	} else {
		old->attr.nlink--;
	}
	old->attr.ctime_ns = now(old->fs);
	if (old->attr.nlink == 0 && old->v.refs == 0)
		free_node(old);
}

/* Takes entry `e` out of `dir`; frees the node when nothing names or
 * holds it any more. */
static void remove_entry(struct tnode *dir, struct tentry *e)
{
	struct tnode *n = e->node;
	unhook(dir, e);
	drop_name(dir, n);
	touch(dir);
}

static int t_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct tnode *d = tn(dir);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = vnode_get(&(d->parent ? d->parent : d)->v);
		return 0;
	}
	struct tentry *e = find(d, name, len);
	if (!e)
		return -ENOENT;
	*out = vnode_get(&e->node->v);
	return 0;
}

static int make(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct tnode **out)
{
	struct tnode *d = tn(dir);
	if (d->attr.nlink == 0)
		return -ENOENT;         /* a removed directory takes no new names */
	if (find(d, name, len))
		return -EEXIST;
	struct tnode *n = new_node(d->fs, mode);
	if (!n)
		return -ENOMEM;
	if (n->v.type == VFS_IFDIR)
		n->attr.nlink = 1;      /* its "."; the entry adds the name's */
	int err = add_entry(d, name, len, n);
	if (err) {
		free(n);
		return err;
	}
	*out = n;
	return 0;
}

static int t_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out)
{
	uint32_t type = mode & VFS_IFMT;
	if (type != VFS_IFREG && type != VFS_IFDIR)
		return -EINVAL;
	struct tnode *n;
	int err = make(dir, name, len, mode, &n);
	if (!err)
		*out = vnode_get(&n->v);
	return err;
}

static int t_symlink(struct vnode *dir, const char *name, size_t len, const char *target)
{
	size_t tlen = strlen(target);
	struct tnode *n;
	int err = charge(tn(dir)->fs, tlen);
	if (err)
		return err;
	err = make(dir, name, len, VFS_IFLNK | 0777, &n);
	if (err) {
		tn(dir)->fs->used -= tlen;
		return err;
	}
	n->data = malloc(tlen ? tlen : 1);
	if (!n->data) {
		struct tentry *e = find(tn(dir), name, len);
		tn(dir)->fs->used -= tlen;
		remove_entry(tn(dir), e);
		return -ENOMEM;
	}
	memcpy(n->data, target, tlen);
	n->cap = n->attr.size = tlen;
	return 0;
}

static int t_link(struct vnode *dir, const char *name, size_t len, struct vnode *file)
{
	if (file->type == VFS_IFDIR)
		return -EPERM;
	if (tn(file)->fs != tn(dir)->fs)
		return -EXDEV;
	if (find(tn(dir), name, len))
		return -EEXIST;
	int err = add_entry(tn(dir), name, len, tn(file));
	if (!err)
		tn(file)->attr.ctime_ns = now(tn(file)->fs);
	return err;
}

static int t_unlink(struct vnode *dir, const char *name, size_t len, bool want_dir)
{
	struct tentry *e = find(tn(dir), name, len);
	if (!e)
		return -ENOENT;
	bool is_dir = e->node->v.type == VFS_IFDIR;
	if (want_dir && !is_dir)
		return -ENOTDIR;
	if (!want_dir && is_dir)
		return -EISDIR;
	if (is_dir && e->node->entries)
		return -ENOTEMPTY;
	remove_entry(tn(dir), e);
	return 0;
}

/* Whether `dir` is `n` or lies below it. */
static bool within(struct tnode *dir, struct tnode *n)
{
	for (; dir; dir = dir->parent)
		if (dir == n)
			return true;
	return false;
}

static int rename_checks(struct tnode *n, struct tnode *td, struct tentry *te)
{
	if (td->attr.nlink == 0)
		return -ENOENT;
	if (n->v.type == VFS_IFDIR && within(td, n))
		return -EINVAL;         /* into itself */
	if (!te)
		return 0;
	bool tdir = te->node->v.type == VFS_IFDIR;
	if (tdir && n->v.type != VFS_IFDIR)
		return -EISDIR;
	if (!tdir && n->v.type == VFS_IFDIR)
		return -ENOTDIR;
	return tdir && te->node->entries ? -ENOTEMPTY : 0;
}

/* Atomic: an existing `to` entry is pointed at the file in one step, so
 * the name never goes missing; a new one is added before the old goes. */
static int t_rename(struct vnode *from_dir, const char *from, size_t from_len,
		    struct vnode *to_dir, const char *to, size_t to_len)
{
	struct tnode *fd = tn(from_dir), *td = tn(to_dir);
	struct tentry *fe = find(fd, from, from_len);
	if (!fe)
		return -ENOENT;
	struct tnode *n = fe->node;
	struct tentry *te = find(td, to, to_len);
	if (te && te->node == n)
		return 0;               /* two names of one file: nothing to do */
	int err = rename_checks(n, td, te);
	if (err)
		return err;
	if (te) {
		struct tnode *old = te->node;
		te->node = n;
		drop_name(td, old);
	} else {
		err = add_entry(td, to, to_len, n);
		if (err)
			return err;
		n->attr.nlink--;        /* the name moved; add_entry counted a new one */
		if (n->v.type == VFS_IFDIR)
			td->attr.nlink--;       /* ...and its ".." once more: undone below */
	}
	unhook(fd, fe);
	if (n->v.type == VFS_IFDIR) {
		fd->attr.nlink--;
		td->attr.nlink++;
		n->parent = td;
	}
	touch(fd);
	touch(td);
	n->attr.ctime_ns = now(n->fs);
	return 0;
}

static ssize_t t_readlink(struct vnode *v, char *buf, size_t size)
{
	struct tnode *n = tn(v);
	if (v->type != VFS_IFLNK)
		return -EINVAL;
	size_t len = n->attr.size < size ? n->attr.size : size;
	memcpy(buf, n->data, len);
	return (ssize_t)len;
}

static int t_getattr(struct vnode *v, struct vattr *out)
{
	struct tnode *n = tn(v);
	*out = n->attr;
	out->blocks = (n->cap + 511) / 512;
	return 0;
}

/* Makes room for `size` bytes (zero-filled past the old size); borrowed
 * data is copied first, the first time the file changes. */
static int reserve(struct tnode *n, uint64_t size)
{
	if (n->borrowed) {
		uint64_t keep = n->attr.size, cap = size > keep ? size : keep;
		int err = charge(n->fs, cap);
		if (err)
			return err;
		uint8_t *copy = malloc(cap ? cap : 1);
		if (!copy) {
			n->fs->used -= cap;
			return -ENOMEM;
		}
		memcpy(copy, n->data, keep);
		memset(copy + keep, 0, cap - keep);
		n->data = copy;
		n->cap = cap;
		n->borrowed = false;
		return 0;
	}
	if (size <= n->cap)
		return 0;
	uint64_t cap = n->cap ? n->cap : 64;
	while (cap < size)
		cap = cap < (1u << 20) ? cap * 2 : cap + (1u << 20);
	int err = charge(n->fs, cap - n->cap);
	if (err && charge(n->fs, size - n->cap) == 0)
		cap = size;             /* not the slack, but exactly what is asked */
	else if (err)
		return err;
	uint8_t *data = realloc(n->data, cap);
	if (!data) {
		n->fs->used -= cap - n->cap;
		return -ENOMEM;
	}
	memset(data + n->cap, 0, cap - n->cap);
	n->data = data;
	n->cap = cap;
	return 0;
}

static int t_truncate(struct vnode *v, uint64_t size)
{
	struct tnode *n = tn(v);
	if (v->type == VFS_IFDIR)
		return -EISDIR;
	if (v->type != VFS_IFREG)
		return -EINVAL;
	int err = reserve(n, size);     /* also copies borrowed data */
	if (err)
		return err;
	if (size < n->attr.size)
		memset(n->data + size, 0, n->attr.size - size);   /* a later grow reads zeros */
	n->attr.size = size;
	touch(n);
	return 0;
}

static int t_setattr(struct vnode *v, const struct vattr *a, unsigned mask)
{
	struct tnode *n = tn(v);
	if (mask & VATTR_MODE)
		n->attr.mode = (n->attr.mode & VFS_IFMT) | (a->mode & 07777);
	if (mask & VATTR_UID)
		n->attr.uid = a->uid;
	if (mask & VATTR_GID)
		n->attr.gid = a->gid;
	if (mask & VATTR_ATIME)
		n->attr.atime_ns = a->atime_ns;
	if (mask & VATTR_MTIME)
		n->attr.mtime_ns = a->mtime_ns;
	n->attr.ctime_ns = now(n->fs);
	return 0;
}

static ssize_t t_read(struct vnode *v, void *buf, size_t len, uint64_t offset)
{
	struct tnode *n = tn(v);
	if (v->type == VFS_IFDIR)
		return -EISDIR;
	if (offset >= n->attr.size)
		return 0;
	if (len > n->attr.size - offset)
		len = (size_t)(n->attr.size - offset);
	memcpy(buf, n->data + offset, len);
	n->attr.atime_ns = now(n->fs);
	return (ssize_t)len;
}

static ssize_t t_write(struct vnode *v, const void *buf, size_t len, uint64_t offset)
{
	struct tnode *n = tn(v);
	if (v->type == VFS_IFDIR)
		return -EISDIR;
	if (offset + len < offset)
		return -EFBIG;
	int err = reserve(n, offset + len);
	if (err)
		return err;
	memcpy(n->data + offset, buf, len);
	if (offset + len > n->attr.size)
		n->attr.size = offset + len;
	touch(n);
	return (ssize_t)len;
}

static int t_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out)
{
	struct tnode *d = tn(dir);
	if (*cookie < FIRST_COOKIE) {
		struct tnode *which = *cookie == 0 ? d : (d->parent ? d->parent : d);
		out->ino = which->attr.ino;
		out->type = VFS_IFDIR;
		strcpy(out->name, *cookie == 0 ? "." : "..");
		(*cookie)++;
		return 1;
	}
	for (struct tentry *e = d->entries; e; e = e->next) {
		if (e->cookie < *cookie)
			continue;
		out->ino = e->node->attr.ino;
		out->type = e->node->v.type;
		memcpy(out->name, e->name, e->len);
		out->name[e->len] = '\0';
		*cookie = e->cookie + 1;
		return 1;
	}
	return 0;
}

static int t_fsync(struct vnode *v, bool data_only)
{
	(void)v;
	(void)data_only;
	return 0;               /* memory is as durable as tmpfs gets */
}

static void free_tree(struct tnode *d)
{
	struct tentry *e = d->entries;
	while (e) {
		struct tentry *next = e->next;
		struct tnode *n = e->node;
		if (n->v.type == VFS_IFDIR)
			free_tree(n);
		else if (--n->attr.nlink == 0 && n->v.refs == 0)
			free_node(n);
		free(e);
		e = next;
	}
	d->entries = d->last = NULL;
	if (d->v.refs == 0)
		free_node(d);
	else
		d->attr.nlink = 0;
}

static void t_release(struct vnode *v)
{
	struct tnode *n = tn(v);
	if (n == n->fs->root) {         /* the root: the whole file system goes */
		struct tmpfs *fs = n->fs;
		free_tree(n);
		free(fs);
	} else if (n->attr.nlink == 0) {
		free_node(n);
	}
}

static const struct vnode_ops ops = {
	.lookup = t_lookup, .create = t_create, .symlink = t_symlink, .link = t_link,
	.unlink = t_unlink, .rename = t_rename, .readlink = t_readlink, .getattr = t_getattr,
	.truncate = t_truncate, .setattr = t_setattr, .read = t_read, .write = t_write, .readdir = t_readdir,
	.fsync = t_fsync, .release = t_release,
};

int tmpfs_borrow(struct vnode *file, const void *data, uint64_t size)
{
	struct tnode *n = tn(file);
	if (file->type != VFS_IFREG || n->attr.size)
		return -EINVAL;
	n->data = (uint8_t *)(uintptr_t)data;
	n->attr.size = size;
	n->borrowed = true;
	return 0;
}

void tmpfs_set_times(struct vnode *v, int64_t mtime_ns)
{
	struct tnode *n = tn(v);
	n->attr.atime_ns = n->attr.mtime_ns = n->attr.ctime_ns = mtime_ns;
}

struct vnode *tmpfs_new(const struct tmpfs_options *opt)
{
	struct tmpfs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->opt = *opt;
	fs->next_ino = 1;
	struct tnode *root = new_node(fs, VFS_IFDIR | (opt->root_mode ? opt->root_mode & 07777 : 0755));
	if (!root) {
		free(fs);
		return NULL;
	}
	root->attr.nlink = 2;
	fs->root = root;
	return vnode_get(&root->v);
}

static int parse_size(const char *v, size_t len, uint64_t *out)
{
	uint64_t n = 0;
	size_t i = 0;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	unsigned shift = 0;
	if (i < len) {
		const char *units = "KMG";
		const char *u = memchr(units, v[i] & ~0x20, 3);
		if (!u || i + 1 != len)
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
	}
	if (n > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = n << shift;
	return 0;
}

static int parse_mode(const char *v, size_t len, uint32_t *out)
{
	uint32_t m = 0;
	if (len == 0 || len > 4)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '7')
			return -EINVAL;
		m = m * 8 + (uint32_t)(v[i] - '0');
	}
	*out = m;
	return 0;
}

int tmpfs_parse_options(const char *text, struct tmpfs_options *opt)
{
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int err = 0;
		if (len > 5 && memcmp(p, "size=", 5) == 0)
			err = parse_size(p + 5, len - 5, &opt->size_limit);
		else if (len > 5 && memcmp(p, "mode=", 5) == 0)
			err = parse_mode(p + 5, len - 5, &opt->root_mode);
		else if (!((len == 2 && memcmp(p, "rw", 2) == 0) || (len == 2 && memcmp(p, "ro", 2) == 0)))
			err = -EINVAL;
		if (err)
			return err;
		p = end ? end + 1 : NULL;
	}
	return 0;
}
