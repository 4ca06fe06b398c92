/* The file-system types the linker gathered (fstype.h). */
#include <string.h>

#include "fs/fstype.h"

extern const struct fs_type *const __fstypes_start[], *const __fstypes_end[];

static struct fs_type_table table = { __fstypes_start, __fstypes_end };

void fs_type_set_table(const struct fs_type_table *t) { table = *t; }

const struct fs_type *fs_type_find(const char *name)
{
	for (const struct fs_type *const *t = table.start; t < table.end; t++)
		if (strcmp((*t)->name, name) == 0)
			return *t;
	return NULL;
}

const struct fs_type *fs_type_recognise(const uint8_t *head, size_t len)
{
	for (const struct fs_type *const *t = table.start; t < table.end; t++)
		if ((*t)->on_disk && (*t)->recognise && (*t)->recognise(head, len))
			return *t;
	return NULL;
}

void fs_type_list(char *buf, size_t size)
{
	size_t at = 0;
	if (size)
		buf[0] = '\0';
	for (const struct fs_type *const *t = table.start; t < table.end; t++) {
		size_t n = strlen((*t)->name);
		if (at + n + 2 > size)
			break;
		if (at)
			buf[at++] = ' ';
		memcpy(buf + at, (*t)->name, n + 1);
		at += n;
	}
}
