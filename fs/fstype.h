/* File-system types that mount= can name (ext4, 9p; tmpfs is the VFS's
 * own). A type declares itself with FS_TYPE_REGISTER; the linker gathers
 * the declarations into the section skiff_fstypes, like the device
 * layer's drivers (kernel/device.h), and fs/storage.c names the types an
 * image carries when its app uses files.
 *
 * mount=SOURCE:TARGET[:TYPE[:OPTIONS]]: SOURCE is a disk (vda...) for a
 * type with `on_disk`, else the type's own (a 9p tag). Without TYPE, a
 * disk's first BCACHE_BLOCK bytes are shown to each on_disk type's
 * `recognise` and the first that claims them mounts it.
 */
#ifndef SKIFF_FS_FSTYPE_H
#define SKIFF_FS_FSTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vnode.h"

struct fs_mount_args {
	const char *source;     /* "vda", a 9p tag */
	const char *options;    /* the file system's options ("" when none; ro/rw included) */
	bool read_only;         /* the mount is read-only: write nothing */
	/* Out: why a mount failed, one clause for the console ("not an
	 * ext4 file system (magic 0x0000)"); the caller names the mount. */
	char why[96];
	/* Out: set when the file system mounted read-only although asked
	 * for read-write (a read-only disk). */
	bool forced_read_only;
};

struct fs_type {
	const char *name;       /* "ext4" */
	bool on_disk;           /* SOURCE names a disk */
	/* Whether the first bytes of a disk hold this type (NULL: never
	 * guessed). */
	bool (*recognise)(const uint8_t *head, size_t len);
	/* Mounts it: 0 with *root referenced, or -errno with a->why set. */
	int (*mount)(struct fs_mount_args *a, struct vnode **root);
};

/* A type's entry is kept by the linker only while a function that says
 * FS_TYPE_REQUIRE(var) is in the image: fs/storage.c's mount code names
 * every type, so an image that mounts (any app that uses files) carries
 * them all, and hello, which never builds the root, carries none. */
#define FS_TYPE_REGISTER(var) \
	const struct fs_type *const var##_entry __attribute__((used, section("skiff_fstypes"), aligned(8))) = &var
/* A statement: a reference no optimisation removes and that costs nothing
 * at run time, from the code around it to the type's entry. */
#define FS_TYPE_REQUIRE(var) \
	do { \
		extern const struct fs_type *const var##_entry; \
		__asm__ volatile("" : : "r"(&var##_entry)); \
	} while (0)

/* The type named `name`, or NULL. */
const struct fs_type *fs_type_find(const char *name);
/* The on-disk type whose recognise() claims `head`, or NULL. */
const struct fs_type *fs_type_recognise(const uint8_t *head, size_t len);
/* Names of the types in this image, space-separated, for messages. */
void fs_type_list(char *buf, size_t size);

struct fs_type_table {
	const struct fs_type *const *start, *const *end;
};
/* For host tests: replaces the table the linker made. */
void fs_type_set_table(const struct fs_type_table *t);

#endif
