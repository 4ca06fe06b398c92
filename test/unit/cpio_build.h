/* Builds newc archives byte by byte for the cpio and ramfs tests, and reads
 * the archives made by the real cpio tool (see mkcpio.sh). */
#ifndef SKIFF_TEST_CPIO_BUILD_H
#define SKIFF_TEST_CPIO_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/cpio.h"

struct arc {
	uint8_t *buf;
	size_t len, cap;
};

static void arc_put(struct arc *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 64;
		a->buf = realloc(a->buf, a->cap);
		if (a->buf == NULL)
			abort();
	}
	if (n > 0)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void arc_zeros(struct arc *a, size_t n)
{
	static const uint8_t zero[512];

	while (n > 0) {
		size_t k = n < sizeof zero ? n : sizeof zero;
		arc_put(a, zero, k);
		n -= k;
	}
}

static void arc_align(struct arc *a, size_t to)
{
	arc_zeros(a, (to - a->len % to) % to);
}

/* One record with every field given; `namesize` 0 means strlen(name) + 1. */
static void arc_record(struct arc *a, const char *magic, uint32_t ino, uint32_t mode,
                       uint32_t nlink, uint32_t mtime, const char *name, uint32_t namesize,
                       const void *data, uint32_t size, uint32_t check)
{
	char h[111];

	if (namesize == 0)
		namesize = (uint32_t)strlen(name) + 1;
	snprintf(h, sizeof h, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
	         magic, ino, mode, 0u, 0u, nlink, mtime, size, 0u, 1u, 0u, 0u, namesize, check);
	arc_put(a, h, 110);
	arc_put(a, name, strlen(name) + 1);
	arc_align(a, 4);
	arc_put(a, data, size);
	arc_align(a, 4);
}

static uint32_t arc_ino = 100;

static void arc_file(struct arc *a, const char *name, const char *data)
{
	arc_record(a, "070701", arc_ino++, CPIO_S_IFREG | 0644, 1, 1700000000, name, 0,
	           data, (uint32_t)strlen(data), 0);
}

static void arc_dir(struct arc *a, const char *name)
{
	arc_record(a, "070701", arc_ino++, CPIO_S_IFDIR | 0755, 2, 1700000000, name, 0, "", 0, 0);
}

static void arc_link(struct arc *a, const char *name, const char *target)
{
	arc_record(a, "070701", arc_ino++, CPIO_S_IFLNK | 0777, 1, 1700000000, name, 0,
	           target, (uint32_t)strlen(target), 0);
}

static void arc_trailer(struct arc *a)
{
	arc_record(a, "070701", 0, 0, 1, 0, "TRAILER!!!", 0, "", 0, 0);
}

/* Reads a whole file into a buffer of exactly its size (so ASan sees reads
 * past its end); NULL if it cannot. */
static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* The tree mkcpio.sh archives, as (name, type, contents or link target).
 * GNU cpio stores names without "./"; of hard links only the last written
 * carries the data (here "four"; "dir/hard" comes with size 0). */
static const struct {
	const char *name;
	uint32_t type;
	const char *data;
} real_tree[] = {
	{ ".", CPIO_S_IFDIR, "" },
	{ "dir", CPIO_S_IFDIR, "" },
	{ "dir/hard", CPIO_S_IFREG, "abcd" },
	{ "dir/hello.txt", CPIO_S_IFREG, "hello\n" },
	{ "dir/sub", CPIO_S_IFDIR, "" },
	{ "dir/sub/five", CPIO_S_IFREG, "abcde" },
	{ "empty", CPIO_S_IFDIR, "" },
	{ "four", CPIO_S_IFREG, "abcd" },
	{ "link", CPIO_S_IFLNK, "dir/hello.txt" },
	{ "one", CPIO_S_IFREG, "a" },
	{ "three", CPIO_S_IFREG, "abc" },
	{ "two", CPIO_S_IFREG, "ab" },
	{ "zero", CPIO_S_IFREG, "" },
};

#endif
