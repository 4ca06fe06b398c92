/* ext4_check (ext4_fs.h): the superblock's geometry and the group
 * descriptors checked before libext2fs reads the bitmaps, as e2fsck checks
 * them before it trusts a file system (its check_super_block, then
 * ext2fs_check_desc). libext2fs's open checks less, and its bitmap code
 * sizes its buffers from these numbers: a damaged image with, say, a
 * first data block that no mke2fs writes makes it write past a buffer.
 * The limits are e2fsck's. */
#include <stdio.h>

#include "fs/ext4_err.h"
#include "fs/ext4_fs.h"

static bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* NULL when sane, else the name of the first bad field. */
static const char *bad_field(ext2_filsys fs, uint64_t disk_bytes)
{
	struct ext2_super_block *sb = fs->super;
	uint64_t bs = EXT2_BLOCK_SIZE(sb), ratio = EXT2FS_CLUSTER_RATIO(fs), blocks = ext2fs_blocks_count(sb);
	uint64_t per_block = EXT2_INODES_PER_BLOCK(sb), bpg = sb->s_blocks_per_group;
	uint64_t ipg_max = bpg >= 4 ? per_block * (bpg - 4) : 0;
	if (ipg_max > EXT2_MAX_INODES_PER_GROUP(sb))
		ipg_max = EXT2_MAX_INODES_PER_GROUP(sb);
	if (sb->s_inodes_count < 1)
		return "inodes_count";
	if (blocks < 1 || blocks > (ext2fs_has_feature_64bit(sb) ? (1ull << 48) - 1 : (1ull << 32) - 1))
		return "blocks_count";
	if (blocks > disk_bytes / bs)
		return "blocks_count (larger than the disk)";
	if (sb->s_first_data_block != (sb->s_log_block_size == 0 && ratio == 1 ? 1u : 0u))
		return "first_data_block";
	if (sb->s_log_cluster_size < sb->s_log_block_size)
		return "log_cluster_size";
	if (sb->s_clusters_per_group < 8 || sb->s_clusters_per_group > 8 * bs)
		return "clusters_per_group";
	if (bpg < 8 || bpg > 8 * bs * ratio || bpg != sb->s_clusters_per_group * ratio)
		return "blocks_per_group";
	if (sb->s_inodes_per_group < per_block || sb->s_inodes_per_group > ipg_max)
		return "inodes_per_group";
	if (ext2fs_r_blocks_count(sb) > blocks / 2)
		return "r_blocks_count";
	if (sb->s_reserved_gdt_blocks > bs / sizeof(uint32_t))
		return "reserved_gdt_blocks";
	if (sb->s_desc_size > EXT2_MAX_DESC_SIZE || (sb->s_desc_size && !is_pow2(sb->s_desc_size)))
		return "desc_size";
	if ((uint64_t)sb->s_inodes_per_group * fs->group_desc_count != sb->s_inodes_count)
		return "inodes_count (not inodes_per_group times the groups)";
	if (sb->s_rev_level > EXT2_GOOD_OLD_REV &&
	    (sb->s_first_ino < EXT2_GOOD_OLD_FIRST_INO || sb->s_first_ino > sb->s_inodes_count))
		return "first_ino";
	if (EXT2_INODE_SIZE(sb) < EXT2_GOOD_OLD_INODE_SIZE || EXT2_INODE_SIZE(sb) > bs ||
	    !is_pow2(EXT2_INODE_SIZE(sb)))
		return "inode_size";
	return NULL;
}

int ext4_check(ext2_filsys fs, uint64_t disk_bytes, char *why, size_t why_size)
{
	const char *field = bad_field(fs, disk_bytes);
	if (field) {
		snprintf(why, why_size, "a damaged superblock (%s)", field);
		return -EIO;
	}
	errcode_t e = ext2fs_check_desc(fs);
	if (e) {
		snprintf(why, why_size, "damaged group descriptors (%s)", error_message(e));
		return ext4_errno(e) == -EBADMSG ? -EBADMSG : -EIO;
	}
	return 0;
}
