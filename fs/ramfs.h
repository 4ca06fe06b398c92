/* Read-only in-memory file tree built from the initrd image.
 *
 * Ownership: ramfs_load() allocates the tree's nodes with malloc; file data
 * and symlink targets are not copied but point into the image, so the image
 * must stay mapped and unchanged until ramfs_free(). The tree never changes
 * after loading, so node pointers stay valid until ramfs_free() and any number
 * of readers may use it at once without locks. No call blocks.
 *
 * Building from a CPIO newc image (all concatenated archives):
 * - names are normalised: leading "/" and "./", "//" and "." components are
 *   dropped and ".." is resolved lexically (staying at the top); entries that
 *   name the root itself (".") are ignored;
 * - missing parent directories are created (mode 0755, mtime 0);
 * - directories, regular files and symlinks are kept; other types (devices,
 *   fifos, sockets) are skipped, as is an entry whose parent path runs
 *   through an existing non-directory;
 * - a later entry for the same path replaces the earlier one, as the Linux
 *   kernel does; a directory over a directory only updates its metadata and
 *   keeps the children;
 * - hard links (same dev and ino within one archive, nlink >= 2) share the
 *   data of the entry that carries it and report one inode number.
 * Any other image becomes the single regular file "/initrd" (mode 0444); an
 * image of size 0 gives an empty root.
 *
 * Errors are negative errno values, as everywhere in the kernel.
 */
#ifndef SKIFF_FS_RAMFS_H
#define SKIFF_FS_RAMFS_H

#include <stddef.h>
#include <stdint.h>

#include "cpio.h"  /* CPIO_S_IF* type bits, the same values as S_IF* */

#define RAMFS_MAX_SYMLINKS 40   /* per lookup, as Linux's MAXSYMLINKS */
#define RAMFS_NOFOLLOW 1        /* lookup flag: do not follow a final symlink */

struct ramfs;
struct ramfs_node;

struct ramfs_stat {
	uint32_t mode;          /* CPIO_S_IF* type bits | permission bits */
	uint32_t nlink;         /* directories: 2 + subdirectories */
	uint64_t ino;           /* unique in this tree; the root is 1 */
	uint64_t size;          /* bytes; a symlink's target length; 0 for dirs */
	int64_t mtime;          /* seconds since the epoch */
};

/* Builds the tree from `image`. Returns 0 and sets *out, or -EINVAL /
 * -EOVERFLOW for a corrupt or truncated archive, -ENOMEM; on error, writes a
 * one-line message without newline to msg (if msg_size > 0) for the caller to
 * print, e.g. "initrd: corrupt cpio archive at offset 1234: bad magic". */
int ramfs_load(struct ramfs **out, const void *image, size_t size,
               char *msg, size_t msg_size);
void ramfs_free(struct ramfs *fs);

const struct ramfs_node *ramfs_root(const struct ramfs *fs);

/* Resolves `path` from the root (a leading "/" is optional) and sets *out.
 * "." and ".." are handled (".." of the root is the root; ".." after a
 * symlink goes to the parent of its target). Symlinks are followed, relative
 * targets from the link's directory, unless RAMFS_NOFOLLOW is given and the
 * link is the last component; a trailing "/" always follows and requires a
 * directory. Returns 0, -ENOENT (missing, or empty path), -ENOTDIR (a
 * non-directory used as one) or -ELOOP (more than RAMFS_MAX_SYMLINKS). */
int ramfs_lookup(const struct ramfs *fs, const char *path, int flags,
                 const struct ramfs_node **out);
/* The same from directory `dir` for a relative path (openat, a cwd). */
int ramfs_lookup_at(const struct ramfs *fs, const struct ramfs_node *dir,
                    const char *path, int flags, const struct ramfs_node **out);

void ramfs_stat(const struct ramfs_node *n, struct ramfs_stat *st);
const char *ramfs_name(const struct ramfs_node *n);  /* "" for the root */
const struct ramfs_node *ramfs_parent(const struct ramfs_node *n);  /* root: root */

/* Copies up to `len` bytes of a regular file from offset `off`. Returns the
 * number copied (0 at or past the end), -EISDIR or -EINVAL (a symlink). */
ptrdiff_t ramfs_read(const struct ramfs_node *n, void *buf, size_t len, uint64_t off);
/* Copies up to `len` bytes of a symlink's target, without a NUL (readlink(2)).
 * Returns the number copied or -EINVAL if `n` is not a symlink. */
ptrdiff_t ramfs_readlink(const struct ramfs_node *n, char *buf, size_t len);
/* The contents in place (zero copy, e.g. for mmap or a module loader):
 * file data or symlink target, *size bytes; NULL with *size 0 for dirs. */
const void *ramfs_data(const struct ramfs_node *n, size_t *size);

/* The index-th entry of directory `dir` in byte order of names (strcmp), NULL
 * past the last one or when `dir` is not a directory. The order and indices
 * are stable, so an index serves as a readdir cookie. "." and ".." are not
 * listed: the VFS adds them (with ramfs_parent for ".."). */
const struct ramfs_node *ramfs_child(const struct ramfs_node *dir, size_t index);

#endif
