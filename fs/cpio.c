/* CPIO newc reader; the contract is in cpio.h.
 *
 * Offsets are compared as "length > bytes left", never as "offset + length
 * > size", so 32-bit lengths from a hostile header cannot wrap the sum.
 */
#include "cpio.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define HEADER_LEN 110  /* 6-byte magic and 13 fields of 8 hex digits */
#define TRAILER "TRAILER!!!"

/* Header fields in the order they are stored. */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

static int fail(struct cpio_reader *r, int err, const char *what, size_t at)
{
	r->err = err;
	r->error = what;
	r->error_offset = at;
	return err;
}

/* 0 for "070701", 1 for "070702" (has a checksum), -1 for anything else. */
static int magic_kind(const uint8_t *p)
{
	if (memcmp(p, "07070", 5) != 0)
		return -1;
	return p[5] == '1' ? 0 : p[5] == '2' ? 1 : -1;
}

int cpio_is_newc(const void *image, size_t size)
{
	return image != NULL && size >= 6 && magic_kind(image) >= 0;
}

static bool hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Bytes needed after absolute offset `at` to reach a multiple of 4. */
static size_t pad4(size_t at)
{
	return (4 - (at & 3)) & 3;
}

void cpio_init(struct cpio_reader *r, const void *image, size_t size)
{
	memset(r, 0, sizeof *r);
	r->base = image;
	r->size = image != NULL ? size : 0;
	r->between = 1;
}

/* Skips the span of `len` bytes plus its padding starting at relative
 * position *pos of the record at r->offset, checking both fit. */
static int take(struct cpio_reader *r, size_t *pos, size_t len, const char *what)
{
	size_t left = r->size - r->offset - *pos, pad;

	if (len > left)
		return fail(r, -EOVERFLOW, what, r->offset);
	pad = pad4(r->offset + *pos + len);
	if (pad > left - len)
		return fail(r, -EOVERFLOW, what, r->offset);
	*pos += len + pad;
	return 0;
}

static int read_record(struct cpio_reader *r, struct cpio_entry *e)
{
	const uint8_t *h = r->base + r->offset;
	uint32_t f[F_COUNT];
	size_t pos, left;
	int kind, err;

	/* The magic first, as far as it is there: "bad magic" says more about
	 * junk than "runs past the end" does. */
	left = r->size - r->offset;
	kind = left >= 6 ? magic_kind(h) : memcmp(h, "07070", left < 5 ? left : 5) ? -1 : 0;
	if (kind < 0)
		return fail(r, -EINVAL, "bad magic", r->offset);
	if (left < HEADER_LEN)
		return fail(r, -EOVERFLOW, "header runs past the end of the image", r->offset);
	for (int i = 0; i < F_COUNT; i++)
		if (!hex8(h + 6 + 8 * i, &f[i]))
			return fail(r, -EINVAL, "non-hex digit in header", r->offset + 6 + 8 * i);
	if (f[F_NAMESIZE] == 0)
		return fail(r, -EINVAL, "empty name", r->offset);
	pos = HEADER_LEN;  /* checked above; the name's padding covers both */
	if ((err = take(r, &pos, f[F_NAMESIZE], "name runs past the end of the image")))
		return err;
	e->name = (const char *)h + HEADER_LEN;
	e->name_len = f[F_NAMESIZE] - 1;
	if (e->name[e->name_len] != '\0' || memchr(e->name, '\0', e->name_len) != NULL)
		return fail(r, -EINVAL, "name is not one NUL-terminated string", r->offset);
	e->data = h + pos;
	if ((err = take(r, &pos, f[F_FILESIZE], "file data runs past the end of the image")))
		return err;
	e->size = f[F_FILESIZE];
	e->mode = f[F_MODE];
	e->mtime = f[F_MTIME];
	e->ino = f[F_INO];
	e->nlink = f[F_NLINK];
	e->dev_major = f[F_DEVMAJOR];
	e->dev_minor = f[F_DEVMINOR];
	e->archive = r->archive;
	if (kind == 1 && (e->mode & CPIO_S_IFMT) == CPIO_S_IFREG) {
		uint32_t sum = 0;
		for (size_t i = 0; i < e->size; i++)
			sum += e->data[i];
		if (sum != f[F_CHECK])
			return fail(r, -EINVAL, "bad data checksum", r->offset);
	}
	r->offset += pos;
	return 0;
}

/* Between archives: skips zero padding. Returns 1 when a header should
 * follow, 0 at the clean end, or an error. */
static int skip_padding(struct cpio_reader *r)
{
	while (r->offset < r->size && r->base[r->offset] == 0)
		r->offset++;
	if (r->offset == r->size)
		return 0;
	if (r->offset & 3)
		return fail(r, -EINVAL, "unaligned data after padding", r->offset);
	return 1;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e)
{
	int err;

	for (;;) {
		if (r->err)
			return r->err;
		if (r->between) {
			if ((err = skip_padding(r)) <= 0)
				return err;
			r->between = 0;
		} else if (r->offset == r->size) {
			return fail(r, -EOVERFLOW, "archive ends without " TRAILER, r->offset);
		}
		if ((err = read_record(r, e)) < 0)
			return err;
		if (e->name_len == sizeof TRAILER - 1 && memcmp(e->name, TRAILER, e->name_len) == 0) {
			r->between = 1;
			r->archive++;
			continue;
		}
		return 1;
	}
}
