/* tmpfs: a file system in memory (fs/vnode.h's ops, all of them). Files
 * grow in the heap, up to an optional size limit (-ENOSPC past it, counted
 * in file bytes and a small charge per name). Nothing is kept across
 * boots. Times come from the clock given at mount (nanoseconds since the
 * epoch), so host tests can run it.
 */
#ifndef SKIFF_FS_TMPFS_H
#define SKIFF_FS_TMPFS_H

#include <stdint.h>

#include "fs/vnode.h"

struct tmpfs_options {
	uint64_t size_limit;            /* bytes; 0: as much as the heap gives */
	uint32_t root_mode;             /* permission bits of / (0755 when 0) */
	int64_t (*now_ns)(void);        /* NULL: times stay 0 */
};

/* A new, empty tmpfs: its root directory (one reference), or NULL when out
 * of memory. The file system lives until its root's last reference. */
struct vnode *tmpfs_new(const struct tmpfs_options *opt);

/* Makes the empty regular file `file` read its `size` bytes from `data`
 * in place (the initrd's image, which must outlive it): no copy until the
 * file is first written or truncated. -EINVAL for anything else. */
int tmpfs_borrow(struct vnode *file, const void *data, uint64_t size);
/* Sets a node's times (a file unpacked from an archive keeps its mtime). */
void tmpfs_set_times(struct vnode *v, int64_t mtime_ns);

/* Parses "size=8M" style options ("size=N[KMG]", "mode=0755", comma
 * separated; "rw" and "ro" are the mount's, accepted and ignored here).
 * Returns 0 or -EINVAL. */
int tmpfs_parse_options(const char *text, struct tmpfs_options *opt);

#endif
