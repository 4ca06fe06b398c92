/* Read-only in-memory file tree; the contract is in ramfs.h.
 *
 * A directory keeps its children in an array sorted by name: lookups are a
 * binary search and readdir is an index, which is also a stable cookie.
 * Nothing here recurses over the tree's depth (a hostile archive can nest
 * deeply); only symlink resolution recurses, bounded by RAMFS_MAX_SYMLINKS.
 */
#include "ramfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ramfs_node {
	struct ramfs_node *parent;      /* NULL for the root */
	struct ramfs_node **child;      /* directories: sorted by name */
	size_t nchild, cap;
	const uint8_t *data;            /* file data or link target, in the image */
	size_t size;
	uint32_t mode, mtime, nlink;
	uint64_t ino;
	/* Hard-link identity, used while loading (see link_hard_links). */
	unsigned archive;
	uint32_t dev_major, dev_minor, cpio_ino;
	size_t name_len;
	char name[];
};

struct ramfs {
	struct ramfs_node *root;
	uint64_t next_ino;
};

static bool is_type(const struct ramfs_node *n, uint32_t type)
{
	return (n->mode & CPIO_S_IFMT) == type;
}

static struct ramfs_node *new_node(struct ramfs *fs, const char *name, size_t len, uint32_t mode)
{
	struct ramfs_node *n = calloc(1, sizeof *n + len + 1);

	if (n == NULL)
		return NULL;
	memcpy(n->name, name, len);
	n->name_len = len;
	n->mode = mode;
	n->nlink = 1;
	n->ino = fs->next_ino++;
	return n;
}

/* Frees `top` and everything under it, iteratively: children are popped
 * off the end of each array until a node is empty, then it goes. */
static void free_tree(struct ramfs_node *top)
{
	struct ramfs_node *n = top;

	while (n != NULL) {
		if (n->nchild > 0) {
			n = n->child[--n->nchild];
			continue;
		}
		struct ramfs_node *up = n == top ? NULL : n->parent;
		free(n->child);
		free(n);
		n = up;
	}
}

/* Byte order of names, the same as strcmp's for names without NULs. */
static int name_cmp(const char *a, size_t alen, const struct ramfs_node *b)
{
	int c = memcmp(a, b->name, alen < b->name_len ? alen : b->name_len);

	if (c != 0)
		return c;
	return alen < b->name_len ? -1 : alen > b->name_len;
}

/* Binary search in `dir`; *pos is where the name is or would be inserted. */
static struct ramfs_node *find(const struct ramfs_node *dir, const char *name,
                               size_t len, size_t *pos)
{
	size_t lo = 0, hi = dir->nchild;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, len, dir->child[mid]);
		if (c == 0) {
			*pos = mid;
			return dir->child[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return NULL;
}

static int insert(struct ramfs_node *dir, size_t pos, struct ramfs_node *n)
{
	if (dir->nchild == dir->cap) {
		size_t cap = dir->cap ? dir->cap * 2 : 4;
		struct ramfs_node **a = realloc(dir->child, cap * sizeof *a);
		if (a == NULL)
			return -ENOMEM;
		dir->child = a;
		dir->cap = cap;
	}
	memmove(&dir->child[pos + 1], &dir->child[pos], (dir->nchild - pos) * sizeof n);
	dir->child[pos] = n;
	dir->nchild++;
	n->parent = dir;
	return 0;
}

/* Writes the canonical form of an archive path to `out` (room for len + 1):
 * "./a//b/../c" -> "a/c". Returns its length; 0 means the root. */
static size_t normalise(const char *in, size_t len, char *out)
{
	size_t o = 0, i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && in[j] != '/')
			j++;
		size_t n = j - i;
		if (n == 2 && in[i] == '.' && in[i + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;  /* the slash before the popped component */
		} else if (n > 0 && !(n == 1 && in[i] == '.')) {
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, in + i, n);
			o += n;
		}
		i = j + 1;
	}
	out[o] = '\0';
	return o;
}

/* The directory that holds the last component of `path`, creating missing
 * ones; NULL with *err 0 when a non-directory is in the way. */
static struct ramfs_node *parent_dir(struct ramfs *fs, const char *path,
                                     const char **last, int *err)
{
	struct ramfs_node *dir = fs->root, *c;
	const char *slash;
	size_t pos;

	*err = 0;
	while ((slash = strchr(path, '/')) != NULL) {
		size_t n = (size_t)(slash - path);
		c = find(dir, path, n, &pos);
		if (c == NULL) {
			c = new_node(fs, path, n, CPIO_S_IFDIR | 0755);
			if (c == NULL || (*err = insert(dir, pos, c)) != 0) {
				free(c);
				*err = -ENOMEM;
				return NULL;
			}
		} else if (!is_type(c, CPIO_S_IFDIR)) {
			return NULL;
		}
		dir = c;
		path = slash + 1;
	}
	*last = path;
	return dir;
}

static void set_meta(struct ramfs_node *n, const struct cpio_entry *e)
{
	n->mode = e->mode;
	n->mtime = e->mtime;
	n->nlink = e->nlink;
	n->archive = e->archive;
	n->dev_major = e->dev_major;
	n->dev_minor = e->dev_minor;
	n->cpio_ino = e->ino;
}

static int add_entry(struct ramfs *fs, const struct cpio_entry *e, char *path, size_t len)
{
	struct ramfs_node *dir, *old, *n;
	const char *last;
	size_t pos;
	int err;

	if (len == 0)
		return 0;  /* "." or "/": the root is ours */
	dir = parent_dir(fs, path, &last, &err);
	if (dir == NULL)
		return err;
	len -= (size_t)(last - path);
	old = find(dir, last, len, &pos);
	if (old != NULL && is_type(old, CPIO_S_IFDIR) && is_type(old, e->mode & CPIO_S_IFMT)) {
		set_meta(old, e);  /* like mkdir failing with EEXIST, then chmod */
		return 0;
	}
	n = new_node(fs, last, len, 0);
	if (n == NULL)
		return -ENOMEM;
	set_meta(n, e);
	if (!is_type(n, CPIO_S_IFDIR)) {
		n->data = e->data;
		n->size = e->size;
	}
	if (old != NULL) {
		dir->child[pos] = n;
		n->parent = dir;
		free_tree(old);
		return 0;
	}
	if ((err = insert(dir, pos, n)) != 0)
		free(n);
	return err;
}

/* Next node in depth-first pre-order, NULL after the last. */
static struct ramfs_node *next_node(struct ramfs_node *n)
{
	size_t pos;

	if (n->nchild > 0)
		return n->child[0];
	for (; n->parent != NULL; n = n->parent) {
		find(n->parent, n->name, n->name_len, &pos);
		if (pos + 1 < n->parent->nchild)
			return n->parent->child[pos + 1];
	}
	return NULL;
}

static bool is_link_member(const struct ramfs_node *n)
{
	return is_type(n, CPIO_S_IFREG) && n->nlink >= 2;
}

static int link_cmp(const void *pa, const void *pb)
{
	const struct ramfs_node *a = *(struct ramfs_node *const *)pa;
	const struct ramfs_node *b = *(struct ramfs_node *const *)pb;

	if (a->archive != b->archive)
		return a->archive < b->archive ? -1 : 1;
	if (a->dev_major != b->dev_major)
		return a->dev_major < b->dev_major ? -1 : 1;
	if (a->dev_minor != b->dev_minor)
		return a->dev_minor < b->dev_minor ? -1 : 1;
	if (a->cpio_ino != b->cpio_ino)
		return a->cpio_ino < b->cpio_ino ? -1 : 1;
	return 0;
}

/* cpio (GNU and the kernel's gen_init_cpio alike) stores a hard-linked
 * file's data once, with one of its names; the others have size 0. Group the
 * names by identity and give every one the data and a single inode number. */
static int link_hard_links(struct ramfs *fs)
{
	struct ramfs_node **a, *n;
	size_t count = 0, i = 0;

	for (n = fs->root; n != NULL; n = next_node(n))
		count += is_link_member(n);
	if (count < 2)
		return 0;
	if ((a = malloc(count * sizeof *a)) == NULL)
		return -ENOMEM;
	for (n = fs->root; n != NULL; n = next_node(n))
		if (is_link_member(n))
			a[i++] = n;
	qsort(a, count, sizeof *a, link_cmp);
	for (i = 0; i < count;) {
		size_t j = i, holder = i;
		for (; j < count && link_cmp(&a[i], &a[j]) == 0; j++)
			if (a[j]->size > 0)
				holder = j;
		for (size_t k = i; k < j; k++) {
			a[k]->data = a[holder]->data;
			a[k]->size = a[holder]->size;
			a[k]->ino = a[holder]->ino;
		}
		i = j;
	}
	free(a);
	return 0;
}

static int load_cpio(struct ramfs *fs, const void *image, size_t size, char *msg, size_t msg_size)
{
	struct cpio_reader r;
	struct cpio_entry e;
	char *path;
	int got, err = 0;

	cpio_init(&r, image, size);
	while ((got = cpio_next(&r, &e)) > 0) {
		uint32_t type = e.mode & CPIO_S_IFMT;
		if (type != CPIO_S_IFDIR && type != CPIO_S_IFREG && type != CPIO_S_IFLNK)
			continue;
		if ((path = malloc(e.name_len + 1)) == NULL)
			return -ENOMEM;
		err = add_entry(fs, &e, path, normalise(e.name, e.name_len, path));
		free(path);
		if (err < 0)
			return err;
	}
	if (got < 0) {
		if (msg_size > 0)
			snprintf(msg, msg_size, "initrd: corrupt cpio archive at offset %zu: %s",
			         r.error_offset, r.error);
		return got;
	}
	return link_hard_links(fs);
}

/* A non-CPIO image is still useful to the app, as one file. */
static int load_raw(struct ramfs *fs, const void *image, size_t size)
{
	if (size == 0)
		return 0;       /* no image at all: an empty root */
	struct ramfs_node *n = new_node(fs, "initrd", 6, CPIO_S_IFREG | 0444);

	if (n == NULL)
		return -ENOMEM;
	n->data = image;
	n->size = size;
	if (insert(fs->root, 0, n) != 0) {
		free(n);
		return -ENOMEM;
	}
	return 0;
}

int ramfs_load(struct ramfs **out, const void *image, size_t size, char *msg, size_t msg_size)
{
	struct ramfs *fs = calloc(1, sizeof *fs);
	int err;

	if (msg_size > 0)
		msg[0] = '\0';
	if (fs == NULL)
		goto err_nomem;
	fs->next_ino = 1;
	if ((fs->root = new_node(fs, "", 0, CPIO_S_IFDIR | 0755)) == NULL)
		goto err_nomem;
	if (cpio_is_newc(image, size))
		err = load_cpio(fs, image, size, msg, msg_size);
	else
		err = load_raw(fs, image, size);
	if (err == -ENOMEM)
		goto err_nomem;
	if (err < 0)
		goto err_free;
	*out = fs;
	return 0;

err_nomem:
	err = -ENOMEM;
	if (msg_size > 0)
		snprintf(msg, msg_size, "initrd: out of memory building the file tree");
err_free:
	ramfs_free(fs);
	return err;
}

void ramfs_free(struct ramfs *fs)
{
	if (fs == NULL)
		return;
	if (fs->root != NULL)
		free_tree(fs->root);
	free(fs);
}

const struct ramfs_node *ramfs_root(const struct ramfs *fs)
{
	return fs->root;
}

/* Resolves path[0..len) from `cur`. `links` counts symlinks followed over
 * the whole lookup, which also bounds this function's recursion. */
static int walk(const struct ramfs *fs, const struct ramfs_node *cur, const char *p,
                size_t len, int flags, int *links, const struct ramfs_node **out)
{
	size_t i = 0, pos;

	if (len == 0)
		return -ENOENT;
	if (p[0] == '/')
		cur = fs->root;
	for (;;) {
		while (i < len && p[i] == '/')
			i++;
		if (i == len)
			break;
		size_t j = i, k;
		while (j < len && p[j] != '/')
			j++;
		for (k = j; k < len && p[k] == '/'; k++)
			;
		bool last = k == len, trailing_slash = last && k > j;
		if (!is_type(cur, CPIO_S_IFDIR))
			return -ENOTDIR;
		const struct ramfs_node *c = cur;
		if (j - i == 2 && p[i] == '.' && p[i + 1] == '.')
			c = cur->parent != NULL ? cur->parent : cur;
		else if (!(j - i == 1 && p[i] == '.') && (c = find(cur, p + i, j - i, &pos)) == NULL)
			return -ENOENT;
		if (is_type(c, CPIO_S_IFLNK) && (!last || trailing_slash || !(flags & RAMFS_NOFOLLOW))) {
			if (++*links > RAMFS_MAX_SYMLINKS)
				return -ELOOP;
			int err = walk(fs, cur, (const char *)c->data, c->size, 0, links, &c);
			if (err < 0)
				return err;
		}
		if (trailing_slash && !is_type(c, CPIO_S_IFDIR))
			return -ENOTDIR;
		cur = c;
		i = j;
	}
	*out = cur;
	return 0;
}

int ramfs_lookup_at(const struct ramfs *fs, const struct ramfs_node *dir,
                    const char *path, int flags, const struct ramfs_node **out)
{
	int links = 0;

	return walk(fs, dir, path, strlen(path), flags, &links, out);
}

int ramfs_lookup(const struct ramfs *fs, const char *path, int flags,
                 const struct ramfs_node **out)
{
	return ramfs_lookup_at(fs, fs->root, path, flags, out);
}

void ramfs_stat(const struct ramfs_node *n, struct ramfs_stat *st)
{
	st->mode = n->mode;
	st->nlink = n->nlink;
	st->ino = n->ino;
	st->size = is_type(n, CPIO_S_IFDIR) ? 0 : n->size;
	st->mtime = n->mtime;
	if (is_type(n, CPIO_S_IFDIR)) {
		st->nlink = 2;
		for (size_t i = 0; i < n->nchild; i++)
			st->nlink += is_type(n->child[i], CPIO_S_IFDIR);
	}
}

const char *ramfs_name(const struct ramfs_node *n)
{
	return n->name;
}

const struct ramfs_node *ramfs_parent(const struct ramfs_node *n)
{
	return n->parent != NULL ? n->parent : n;
}

ptrdiff_t ramfs_read(const struct ramfs_node *n, void *buf, size_t len, uint64_t off)
{
	if (is_type(n, CPIO_S_IFDIR))
		return -EISDIR;
	if (!is_type(n, CPIO_S_IFREG))
		return -EINVAL;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - (size_t)off;
	memcpy(buf, n->data + off, len);
	return (ptrdiff_t)len;
}

ptrdiff_t ramfs_readlink(const struct ramfs_node *n, char *buf, size_t len)
{
	if (!is_type(n, CPIO_S_IFLNK))
		return -EINVAL;
	if (len > n->size)
		len = n->size;
	memcpy(buf, n->data, len);
	return (ptrdiff_t)len;
}

const void *ramfs_data(const struct ramfs_node *n, size_t *size)
{
	if (is_type(n, CPIO_S_IFDIR)) {
		*size = 0;
		return NULL;
	}
	*size = n->size;
	return n->data;
}

const struct ramfs_node *ramfs_child(const struct ramfs_node *dir, size_t index)
{
	if (!is_type(dir, CPIO_S_IFDIR) || index >= dir->nchild)
		return NULL;
	return dir->child[index];
}
