/* fs_init (vfs.h): what the file system needs from the boot, kept apart
 * from the VFS itself so that an image whose app calls no file function
 * links none of it. */
#include "fs/vfs.h"

uint64_t fs_initrd_base;
size_t fs_initrd_size;
const char *const *fs_mounts;
int fs_mount_count;

void fs_init(uint64_t base, size_t size, const char *const *mounts, int mount_count)
{
	fs_initrd_base = base;
	fs_initrd_size = size;
	fs_mounts = mounts;
	fs_mount_count = mount_count;
}
