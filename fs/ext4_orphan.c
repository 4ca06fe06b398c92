/* The orphan list (ext4_fs.h): inodes whose last name went while a vnode
 * still held them. As Linux does, they are chained from the superblock's
 * s_last_orphan through each inode's i_dtime, so that after a crash (or an
 * exit with such a file open) the next mount, Linux's or ours, or e2fsck,
 * frees them instead of finding allocated inodes nothing names. */
#include "fs/ext4_err.h"
#include "fs/ext4_fs.h"
#include "kernel/log.h"

int ext4_orphan_add(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in)
{
	in->i_dtime = x->fs->super->s_last_orphan;
	int err = ext4_write_inode(x, ino, in);
	if (!err) {
		x->fs->super->s_last_orphan = ino;
		ext2fs_mark_super_dirty(x->fs);
	}
	return err;
}

/* A link of the chain: the inode `ino` and the one after it. */
static int next_of(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in)
{
	if (ino < EXT2_FIRST_INO(x->fs->super) || ino > x->fs->super->s_inodes_count)
		return -EIO;    /* not an inode a file can have: the chain is damaged */
	return ext4_read_inode(x, ino, in);
}

int ext4_orphan_remove(struct ext4fs *x, ext2_ino_t ino)
{
	struct ext2_inode_large in, prev_in;
	ext2_ino_t prev = 0, at = x->fs->super->s_last_orphan;
	for (uint32_t steps = 0; at && steps < x->fs->super->s_inodes_count; steps++) {
		int err = next_of(x, at, &in);
		if (err)
			return err;
		if (at == ino) {
			if (!prev) {
				x->fs->super->s_last_orphan = in.i_dtime;
				ext2fs_mark_super_dirty(x->fs);
				return 0;
			}
			prev_in.i_dtime = in.i_dtime;
			return ext4_write_inode(x, prev, &prev_in);
		}
		prev = at;
		prev_in = in;
		at = in.i_dtime;
	}
	return 0;               /* not on the list (it was made before a crash, say) */
}

/* Mount time: frees what the list holds, as Linux does at mount. An
 * inode that still has links is a truncation Linux left unfinished: its
 * blocks past its size are freed. */
void ext4_orphan_cleanup(struct ext4fs *x)
{
	unsigned freed = 0;
	ext2_ino_t at = x->fs->super->s_last_orphan;
	for (uint32_t steps = 0; at && steps < x->fs->super->s_inodes_count; steps++) {
		struct ext2_inode_large in;
		if (next_of(x, at, &in))
			break;
		ext2_ino_t next = in.i_dtime;
		if (in.i_links_count == 0) {
			if (ext4_free_inode(x, at))
				break;
		} else {
			ext2_file_t f;
			if (ext2fs_file_open(x->fs, at, EXT2_FILE_WRITE, &f) == 0) {
				ext2fs_file_set_size2(f, EXT2_I_SIZE(&in));
				ext2fs_file_close(f);
			}
			if (ext4_read_inode(x, at, &in) == 0) {
				in.i_dtime = 0;
				ext4_write_inode(x, at, &in);
			}
		}
		freed++;
		at = next;
	}
	if (x->fs->super->s_last_orphan) {
		x->fs->super->s_last_orphan = 0;
		ext2fs_mark_super_dirty(x->fs);
		log_info("ext4: %s: %u orphan inode%s cleaned up\n", bcache_device(x->cache)->name, freed,
			 freed == 1 ? "" : "s");
	}
}
