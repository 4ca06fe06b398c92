/* ext4_errno (ext4_err.h), and the three pieces of e2fsprogs's lib/et that
 * libext2fs calls: com_err (its warnings, e.g. a block number outside the
 * file system, a sign of a corrupt image), com_err_va and error_message.
 * lib/et itself is not linked: its message registry takes locks, reads
 * the environment and opens debug files, none of which a unikernel wants. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fs/ext4_err.h"
#include "kernel/log.h"

/* ext2_err.c (generated from ext2_err.et) refers to lib/et's list head
 * from a registration function nobody here calls. */
struct et_list *_et_list;

extern const struct error_table et_ext2_error_table;

int ext4_errno(errcode_t e)
{
	if (e == 0)
		return 0;
	if (e > 0 && e < 4096)
		return -(int)e;         /* an errno from the block cache */
	switch (e) {
	case EXT2_ET_NO_MEMORY:
		return -ENOMEM;
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE:
	case EXT2_ET_DIR_NO_SPACE_FOR_CSUM:
	case EXT2_ET_EA_NO_SPACE:
	case EXT2_ET_INLINE_DATA_NO_SPACE:
	case EXT2_ET_TOOSMALL:
		return -ENOSPC;
	case EXT2_ET_RO_FILSYS:
	case EXT2_ET_FILE_RO:
	case EXT2_ET_RO_BLOCK_ITERATE:
		return -EROFS;
	case EXT2_ET_FILE_TOO_BIG:
	case EXT2_ET_EXTENT_NOT_SUPPORTED:
		return -EFBIG;
	case EXT2_ET_FILE_NOT_FOUND:
		return -ENOENT;
	case EXT2_ET_DIR_EXISTS:
	case EXT2_ET_FILE_EXISTS:
		return -EEXIST;
	case EXT2_ET_NO_DIRECTORY:
		return -ENOTDIR;
	case EXT2_ET_SYMLINK_LOOP:
		return -ELOOP;
	case EXT2_ET_INVALID_ARGUMENT:
	case EXT2_ET_BAD_DEVICE_NAME:
		return -EINVAL;
	case EXT2_ET_UNIMPLEMENTED:
	case EXT2_ET_OP_NOT_SUPPORTED:
	case EXT2_ET_UNSUPP_FEATURE:
	case EXT2_ET_RO_UNSUPP_FEATURE:
	case EXT2_ET_DIRHASH_UNSUPP:
		return -EOPNOTSUPP;
	case EXT2_ET_INODE_CSUM_INVALID:
	case EXT2_ET_INODE_BITMAP_CSUM_INVALID:
	case EXT2_ET_BLOCK_BITMAP_CSUM_INVALID:
	case EXT2_ET_EXTENT_CSUM_INVALID:
	case EXT2_ET_DIR_CSUM_INVALID:
	case EXT2_ET_EXT_ATTR_CSUM_INVALID:
	case EXT2_ET_SB_CSUM_INVALID:
		return -EBADMSG;        /* Linux's EFSBADCRC */
	default:
		return -EIO;            /* corruption (Linux: EFSCORRUPTED) or a short read */
	}
}

const char *error_message(long code)
{
	static char unknown[32];
	const struct error_table *t = &et_ext2_error_table;
	if (code >= t->base && code < t->base + t->n_msgs)
		return t->msgs[code - t->base];
	if (code > 0 && code < 4096)
		return strerror((int)code);
	snprintf(unknown, sizeof(unknown), "error %ld", code);
	return unknown;
}

void com_err_va(const char *whoami, errcode_t code, const char *fmt, va_list args)
{
	char text[160];
	vsnprintf(text, sizeof(text), fmt, args);
	log_warn("ext4: %s: %s%s%s\n", whoami ? whoami : "libext2fs", code ? error_message(code) : "",
		 code && text[0] ? " " : "", text);
}

void com_err(const char *whoami, long code, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	com_err_va(whoami, code, fmt, args);
	va_end(args);
}
