/* Directory entries for <dirent.h>. picolibc's own sys/dirent.h is an
 * #error; this one comes first on the include path. */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define NAME_MAX 255

struct dirent {
	ino_t d_ino;
	off_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[NAME_MAX + 1];
};

typedef struct skiff_dir DIR;

#endif
