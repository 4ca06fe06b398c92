/* libext2fs's I/O under skiff: an io_manager over the block cache
 * (fs/bcache.h), so that everything the library reads and writes goes
 * through one cache of the disk, and its flush is the cache's sync (every
 * dirty block written, then the disk's FLUSH).
 *
 * libext2fs opens a channel by name; the cache a name stands for is handed
 * over just before ext2fs_open2 with ext4_io_name(), which returns the name
 * to pass. The channel does not own the cache: closing it leaves the cache
 * to the caller (fs/ext4.c syncs and destroys it at unmount).
 */
#ifndef SKIFF_FS_EXT4_IO_H
#define SKIFF_FS_EXT4_IO_H

#include <stddef.h>

#include <ext2fs/ext2fs.h>

#include "fs/bcache.h"

extern io_manager ext4_io_manager;

/* Writes into buf the name under which ext4_io_manager opens `cache`. */
void ext4_io_name(struct bcache *cache, char *buf, size_t size);

#endif
