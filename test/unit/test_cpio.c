/* Unit tests of fs/cpio.c. */
#include "fs/cpio.h"

#include "check.h"
#include "cpio_build.h"

#include <errno.h>
#include <stdbool.h>

/* Reads every entry of an exact-size copy of buf[0..len) (so ASan catches
 * any read past the end); returns the entry count or the final error. */
static int count_entries(const uint8_t *buf, size_t len, struct cpio_reader *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct cpio_entry e;
	int n = 0, got;

	memcpy(copy, buf, len);
	cpio_init(r, copy, len);
	while ((got = cpio_next(r, &e)) > 0)
		n++;
	free(copy);
	return got < 0 ? got : n;
}

static bool entry_is(const struct cpio_entry *e, const char *name, uint32_t type,
                     const char *data)
{
	return strcmp(e->name, name) == 0 && e->name_len == strlen(name) &&
	       (e->mode & CPIO_S_IFMT) == type && e->size == strlen(data) &&
	       memcmp(e->data, data, e->size) == 0;
}

/* Names of 1-4 characters and data of 0-5 bytes cover every padding case. */
static void make_small(struct arc *a)
{
	arc_dir(a, "d");
	arc_file(a, "d/ab", "hello");
	arc_file(a, "d/abc", "");
	arc_file(a, "d/abcd", "1234");
	arc_link(a, "l", "d/ab");
	arc_trailer(a);
}

static void test_single(void)
{
	struct arc a = { 0 };
	struct cpio_reader r;
	struct cpio_entry e;

	make_small(&a);
	CHECK(cpio_is_newc(a.buf, a.len));
	cpio_init(&r, a.buf, a.len);
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "d", CPIO_S_IFDIR, ""));
	CHECK_INT(e.mode, CPIO_S_IFDIR | 0755);
	CHECK_INT(e.mtime, 1700000000);
	CHECK_INT(e.nlink, 2);
	CHECK_INT(e.dev_minor, 1);
	CHECK_INT(e.archive, 0);
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "d/ab", CPIO_S_IFREG, "hello"));
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "d/abc", CPIO_S_IFREG, ""));
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "d/abcd", CPIO_S_IFREG, "1234"));
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "l", CPIO_S_IFLNK, "d/ab"));
	CHECK_INT(cpio_next(&r, &e), 0);
	CHECK_INT(cpio_next(&r, &e), 0);  /* the end stays the end */
	CHECK(r.error == NULL);
	free(a.buf);
}

static void test_concatenated(void)
{
	struct arc a = { 0 };
	struct cpio_reader r;
	struct cpio_entry e;

	arc_file(&a, "first", "1");
	arc_trailer(&a);
	arc_align(&a, 512);              /* as cpio pads its blocks */
	arc_file(&a, "second", "22");
	arc_trailer(&a);                 /* directly after, no padding */
	arc_file(&a, "third", "333");
	arc_trailer(&a);
	arc_zeros(&a, 4096);
	cpio_init(&r, a.buf, a.len);
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "first", CPIO_S_IFREG, "1"));
	CHECK_INT(e.archive, 0);
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "second", CPIO_S_IFREG, "22"));
	CHECK_INT(e.archive, 1);
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK(entry_is(&e, "third", CPIO_S_IFREG, "333"));
	CHECK_INT(e.archive, 2);
	CHECK_INT(cpio_next(&r, &e), 0);
	free(a.buf);
}

/* A truncated copy must fail, with an offset inside the image, at every
 * length short of the trailer's end; from there on the archive is whole. */
static void test_truncated(void)
{
	struct arc a = { 0 };
	struct cpio_reader r;
	size_t whole;
	int bad = 0;

	make_small(&a);
	whole = a.len;
	arc_zeros(&a, 8);
	CHECK_INT(count_entries(a.buf, 0, &r), 0);  /* an empty image holds nothing */
	for (size_t len = 1; len < whole; len++) {
		int got = count_entries(a.buf, len, &r);
		if (got >= 0 || r.error == NULL || r.error_offset > len)
			bad++;
	}
	CHECK_INT(bad, 0);
	for (size_t len = whole; len <= a.len; len++)
		CHECK_INT(count_entries(a.buf, len, &r), 5);

	/* The end of the first of two archives is a clean end; elsewhere an
	 * error; never more entries than there are. */
	struct arc two = { 0 };
	make_small(&two);
	make_small(&two);
	bad = 0;
	for (size_t len = 1; len <= two.len; len++) {
		int got = count_entries(two.buf, len, &r);
		if (len == whole || len == two.len)
			bad += got != (len == whole ? 5 : 10);
		else
			bad += got >= 0;
	}
	CHECK_INT(bad, 0);
	free(two.buf);
	free(a.buf);
}

/* Overwrites the text at `at` and reads the image; returns the error. */
static int corrupt(struct arc *a, size_t at, const char *text, struct cpio_reader *r)
{
	uint8_t *copy = malloc(a->len);

	memcpy(copy, a->buf, a->len);
	memcpy(copy + at, text, strlen(text));
	int got = count_entries(copy, a->len, r);
	free(copy);
	return got;
}

static void test_corrupt(void)
{
	struct arc a = { 0 };
	struct cpio_reader r;
	size_t second;

	arc_file(&a, "a", "x");
	second = a.len;
	arc_file(&a, "b", "y");
	arc_trailer(&a);

	CHECK_INT(corrupt(&a, 0, "070707", &r), -EINVAL);  /* old ASCII format */
	CHECK_STR(r.error, "bad magic");
	CHECK_INT(r.error_offset, 0);
	CHECK_INT(corrupt(&a, second, "x", &r), -EINVAL);
	CHECK_STR(r.error, "bad magic");
	CHECK_INT(r.error_offset, second);
	CHECK(!cpio_is_newc("07070", 5));
	CHECK(!cpio_is_newc("070703", 6));
	CHECK(cpio_is_newc("070702", 6));

	/* Non-hex digits, each field's first and last digit. */
	for (int field = 0; field < 13; field++) {
		size_t at = second + 6 + 8 * field;
		CHECK_INT(corrupt(&a, at, "g", &r), -EINVAL);
		CHECK_INT(r.error_offset, at);
		CHECK_INT(corrupt(&a, at + 7, " ", &r), -EINVAL);
		CHECK_STR(r.error, "non-hex digit in header");
	}
	CHECK_INT(corrupt(&a, 6 + 8 * 5, "0000000A", &r), 2);  /* upper-case mtime is hex */
	CHECK_INT(corrupt(&a, 6 + 8 * 5, "0000000a", &r), 2);

	/* Sizes far past the end, including ones that would wrap an offset. */
	CHECK_INT(corrupt(&a, second + 6 + 8 * 6, "FFFFFFFF", &r), -EOVERFLOW);
	CHECK_STR(r.error, "file data runs past the end of the image");
	CHECK_INT(r.error_offset, second);
	CHECK_INT(corrupt(&a, second + 6 + 8 * 6, "FFFFFFFC", &r), -EOVERFLOW);
	CHECK_INT(corrupt(&a, second + 6 + 8 * 11, "FFFFFFFF", &r), -EOVERFLOW);
	CHECK_STR(r.error, "name runs past the end of the image");
	CHECK_INT(corrupt(&a, second + 6 + 8 * 11, "00000000", &r), -EINVAL);
	CHECK_STR(r.error, "empty name");
	/* namesize 1 makes the name "" but its NUL is really 'b'. */
	CHECK_INT(corrupt(&a, second + 6 + 8 * 11, "00000001", &r), -EINVAL);
	/* namesize 4 takes in "b\0y\0": NUL-terminated, but with a NUL inside. */
	CHECK_INT(corrupt(&a, second + 6 + 8 * 11, "00000004", &r), -EINVAL);
	CHECK_STR(r.error, "name is not one NUL-terminated string");

	/* Errors are sticky. */
	uint8_t *copy = malloc(a.len);
	struct cpio_entry e;
	memcpy(copy, a.buf, a.len);
	copy[second] = 'x';
	cpio_init(&r, copy, a.len);
	CHECK_INT(cpio_next(&r, &e), 1);
	CHECK_INT(cpio_next(&r, &e), -EINVAL);
	CHECK_INT(cpio_next(&r, &e), -EINVAL);
	free(copy);
	free(a.buf);
}

static void test_after_trailer(void)
{
	struct arc a = { 0 };
	struct cpio_reader r;

	arc_file(&a, "a", "x");
	arc_trailer(&a);
	arc_zeros(&a, 5);
	arc_put(&a, "07", 2);  /* a header that does not start on 4 bytes */
	CHECK_INT(count_entries(a.buf, a.len, &r), -EINVAL);
	CHECK_STR(r.error, "unaligned data after padding");
	CHECK_INT(r.error_offset, a.len - 2);

	a.len -= 7;
	arc_put(&a, "junk", 4);
	CHECK_INT(count_entries(a.buf, a.len, &r), -EINVAL);
	CHECK_STR(r.error, "bad magic");

	a.len = 0;
	arc_file(&a, "a", "x");  /* no trailer at all */
	CHECK_INT(count_entries(a.buf, a.len, &r), -EOVERFLOW);
	CHECK_INT(r.error_offset, a.len);
	free(a.buf);
}

static void test_checksum(void)
{
	struct arc a = { 0 };
	struct cpio_reader r;

	/* 'a' + 'b' = 0xC3 */
	arc_record(&a, "070702", 1, CPIO_S_IFREG | 0644, 1, 0, "f", 0, "ab", 2, 0xC3);
	arc_record(&a, "070702", 0, 0, 1, 0, "TRAILER!!!", 0, "", 0, 0);
	CHECK_INT(count_entries(a.buf, a.len, &r), 1);
	a.buf[6 + 8 * 12 + 7] = '4';
	CHECK_INT(count_entries(a.buf, a.len, &r), -EINVAL);
	CHECK_STR(r.error, "bad data checksum");
	free(a.buf);
}

/* Archives written by GNU cpio, alone and concatenated. */
static void test_real(const char *dir)
{
	static const char *const files[] = { "newc.cpio", "crc.cpio" };
	char path[4096];
	struct arc both = { 0 };

	for (int i = 0; i < 2; i++) {
		size_t size;
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		uint8_t *img = read_file(path, &size);
		CHECK(img != NULL);
		if (img == NULL)
			continue;
		arc_put(&both, img, size);

		struct cpio_reader r;
		struct cpio_entry e;
		int seen[sizeof real_tree / sizeof real_tree[0]] = { 0 }, got, unknown = 0;
		cpio_init(&r, img, size);
		while ((got = cpio_next(&r, &e)) > 0) {
			size_t k = 0;
			while (k < sizeof real_tree / sizeof real_tree[0] &&
			       strcmp(real_tree[k].name, e.name) != 0)
				k++;
			if (k == sizeof real_tree / sizeof real_tree[0]) {
				unknown++;
				continue;
			}
			seen[k]++;
			/* A hard link without the data has size 0. */
			if (!(e.nlink >= 2 && e.size == 0))
				CHECK(entry_is(&e, real_tree[k].name, real_tree[k].type, real_tree[k].data));
		}
		CHECK_INT(got, 0);
		CHECK_INT(unknown, 0);
		for (size_t k = 0; k < sizeof real_tree / sizeof real_tree[0]; k++)
			CHECK_INT(seen[k], 1);
		free(img);
	}
	struct cpio_reader r;
	CHECK_INT(count_entries(both.buf, both.len, &r), 2 * 13);
	free(both.buf);
}

int main(int argc, char **argv)
{
	test_single();
	test_concatenated();
	test_truncated();
	test_corrupt();
	test_after_trailer();
	test_checksum();
	if (argc > 1)
		test_real(argv[1]);
	else
		printf("skip: archives from the real cpio tool (cpio not installed)\n");
	return check_report();
}
