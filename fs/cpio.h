/* Reader for CPIO "newc" archives (the initramfs format), over a memory image.
 *
 * Pure logic: no allocation, no I/O; entries point into the caller's buffer.
 * Concatenated archives are read as one: after a TRAILER!!! entry the reader
 * skips the zero padding that pads archives to a block boundary and goes on
 * if another header follows (the Linux kernel does the same; a reader that
 * stops at the first trailer silently loses files).
 *
 * Every length read from the archive is checked against the buffer end before
 * use, so a corrupt or truncated archive yields an error with its offset and
 * never a read outside the buffer.
 */
#ifndef SKIFF_FS_CPIO_H
#define SKIFF_FS_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* File type bits of `mode`, as in <sys/stat.h> (repeated so the reader does
 * not depend on a libc). */
#define CPIO_S_IFMT 0170000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFLNK 0120000

struct cpio_entry {
	const char *name;       /* as stored, e.g. "./etc/motd"; NUL-terminated */
	size_t name_len;        /* without the NUL */
	uint32_t mode;          /* type and permission bits */
	uint32_t mtime;
	uint32_t ino;
	uint32_t nlink;
	uint32_t dev_major;     /* with ino and archive: hard-link identity */
	uint32_t dev_minor;
	unsigned archive;       /* index of the archive in a concatenation;
	                         * inode numbers restart with each archive */
	const uint8_t *data;    /* file contents or symlink target */
	size_t size;
};

struct cpio_reader {
	const uint8_t *base;
	size_t size;
	size_t offset;          /* of the next header */
	const char *error;      /* set when cpio_next returned an error */
	size_t error_offset;    /* where the problem was found */
	/* The reader's own state. */
	int err;                /* sticky: returned again by later calls */
	int between;            /* before the first header or after a trailer */
	unsigned archive;       /* trailers seen so far */
};

void cpio_init(struct cpio_reader *r, const void *image, size_t size);

/* Reads the next entry (skipping trailers between concatenated archives).
 * Returns 1 and fills *e, 0 at the clean end of the image, or a negative
 * errno (-EINVAL for a corrupt header, -EOVERFLOW for a field
 * that runs past the end) with r->error and r->error_offset describing it.
 * The clean end is the end of the image after a TRAILER!!! and optional
 * zero bytes; an image that stops anywhere else is truncated (-EOVERFLOW),
 * and after the padding a non-zero byte that does not start a 4-byte
 * aligned header is -EINVAL. Records (header+name, data) must include their
 * padding. For 070702 archives the data checksum of regular files is checked.
 * After an error every later call returns the same error. */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e);

/* True when the image starts with a newc header (magic 070701 or 070702). */
int cpio_is_newc(const void *image, size_t size);

#endif
