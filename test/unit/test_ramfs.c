/* Unit tests of fs/ramfs.c. */
#include "fs/ramfs.h"

#include "check.h"
#include "cpio_build.h"

#include <errno.h>

static struct ramfs *load(const struct arc *a)
{
	struct ramfs *fs = NULL;
	char msg[128];

	CHECK_INT(ramfs_load(&fs, a->buf, a->len, msg, sizeof msg), 0);
	CHECK_STR(msg, "");
	return fs;
}

/* Lookup and stat in one: the mode's type bits, or the negative errno. */
static long type_of(const struct ramfs *fs, const char *path, int flags)
{
	const struct ramfs_node *n;
	struct ramfs_stat st;
	int err = ramfs_lookup(fs, path, flags, &n);

	if (err < 0)
		return err;
	ramfs_stat(n, &st);
	return st.mode & CPIO_S_IFMT;
}

/* The whole contents of a regular file at `path` as a string ("?" if not). */
static const char *contents(const struct ramfs *fs, const char *path)
{
	static char buf[256];
	const struct ramfs_node *n;
	ptrdiff_t got;

	if (ramfs_lookup(fs, path, 0, &n) < 0)
		return "?";
	got = ramfs_read(n, buf, sizeof buf - 1, 0);
	if (got < 0)
		return "?";
	buf[got] = '\0';
	return buf;
}

static uint64_t ino_of(const struct ramfs *fs, const char *path)
{
	const struct ramfs_node *n;
	struct ramfs_stat st;

	if (ramfs_lookup(fs, path, RAMFS_NOFOLLOW, &n) < 0)
		return 0;
	ramfs_stat(n, &st);
	return st.ino;
}

static void test_tree(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;
	const struct ramfs_node *n;
	struct ramfs_stat st;

	arc_dir(&a, ".");
	arc_file(&a, "./etc/motd", "welcome\n");   /* etc is implicit */
	arc_file(&a, "/abs", "A");
	arc_file(&a, "deep//er/./x", "X");
	arc_file(&a, "up/../../top", "T");          /* .. stays at the top */
	arc_dir(&a, "/");
	arc_record(&a, "070701", 7, 0020644, 1, 0, "dev/null", 0, "", 0, 0);  /* char dev */
	arc_trailer(&a);
	fs = load(&a);

	CHECK_STR(contents(fs, "/etc/motd"), "welcome\n");
	CHECK_STR(contents(fs, "/abs"), "A");
	CHECK_STR(contents(fs, "/deep/er/x"), "X");
	CHECK_STR(contents(fs, "/top"), "T");
	CHECK_INT(type_of(fs, "/up", 0), -ENOENT);  /* resolved away lexically */
	CHECK_INT(type_of(fs, "/etc", 0), CPIO_S_IFDIR);
	CHECK_INT(type_of(fs, "/dev/null", 0), -ENOENT);  /* devices are skipped */
	CHECK_INT(type_of(fs, "/dev", 0), -ENOENT);  /* nor made its parent */

	CHECK_INT(ramfs_lookup(fs, "/etc", 0, &n), 0);
	ramfs_stat(n, &st);
	CHECK_INT(st.mode, CPIO_S_IFDIR | 0755);
	CHECK_INT(st.nlink, 2);
	CHECK_INT(st.size, 0);
	CHECK_INT(st.mtime, 0);
	CHECK_STR(ramfs_name(n), "etc");
	CHECK(ramfs_parent(n) == ramfs_root(fs));
	CHECK(ramfs_parent(ramfs_root(fs)) == ramfs_root(fs));
	CHECK_STR(ramfs_name(ramfs_root(fs)), "");
	ramfs_stat(ramfs_root(fs), &st);
	CHECK_INT(st.ino, 1);
	CHECK_INT(st.nlink, 2 + 2);  /* etc and deep */

	CHECK_INT(ramfs_lookup(fs, "/etc/motd", 0, &n), 0);
	ramfs_stat(n, &st);
	CHECK_INT(st.mode, CPIO_S_IFREG | 0644);
	CHECK_INT(st.size, 8);
	CHECK_INT(st.mtime, 1700000000);
	CHECK_INT(st.nlink, 1);
	ramfs_free(fs);
	free(a.buf);
}

static void test_override(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;
	const struct ramfs_node *n;
	struct ramfs_stat st;

	arc_file(&a, "f", "old");
	arc_file(&a, "d/keep", "k");
	arc_file(&a, "gone/sub/x", "x");
	arc_link(&a, "l", "f");
	arc_trailer(&a);
	arc_align(&a, 512);
	arc_file(&a, "f", "new");                  /* file over file */
	arc_record(&a, "070701", 9, CPIO_S_IFDIR | 0700, 2, 5, "d", 0, "", 0, 0);
	arc_file(&a, "gone", "now a file");        /* over a whole subtree */
	arc_dir(&a, "l");                          /* dir over symlink */
	arc_trailer(&a);
	fs = load(&a);

	CHECK_STR(contents(fs, "/f"), "new");
	CHECK_STR(contents(fs, "/d/keep"), "k");   /* dir over dir keeps children */
	CHECK_INT(ramfs_lookup(fs, "/d", 0, &n), 0);
	ramfs_stat(n, &st);
	CHECK_INT(st.mode, CPIO_S_IFDIR | 0700);   /* but takes the new metadata */
	CHECK_INT(st.mtime, 5);
	CHECK_STR(contents(fs, "/gone"), "now a file");
	CHECK_INT(type_of(fs, "/gone/sub/x", 0), -ENOTDIR);
	CHECK_INT(type_of(fs, "/l", RAMFS_NOFOLLOW), CPIO_S_IFDIR);
	ramfs_free(fs);

	/* A path through a non-directory cannot be placed and is skipped. */
	a.len = 0;
	arc_file(&a, "f", "1");
	arc_file(&a, "f/x", "2");
	arc_trailer(&a);
	fs = load(&a);
	CHECK_STR(contents(fs, "/f"), "1");
	CHECK(ramfs_child(ramfs_root(fs), 1) == NULL);
	ramfs_free(fs);
	free(a.buf);
}

static void test_lookup(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;
	const struct ramfs_node *n, *etc;

	arc_file(&a, "etc/motd", "m");
	arc_file(&a, "usr/lib/libc.so", "c");
	arc_trailer(&a);
	fs = load(&a);

	CHECK_STR(contents(fs, "/etc/./motd"), "m");
	CHECK_STR(contents(fs, "etc/motd"), "m");
	CHECK_STR(contents(fs, "//etc///motd"), "m");
	CHECK_STR(contents(fs, "/usr/lib/../../etc/motd"), "m");
	CHECK_STR(contents(fs, "/../../etc/motd"), "m");
	CHECK_STR(contents(fs, "/etc/../../../etc/motd"), "m");
	CHECK_INT(ramfs_lookup(fs, "/", 0, &n), 0);
	CHECK(n == ramfs_root(fs));
	CHECK_INT(ramfs_lookup(fs, "/..", 0, &n), 0);
	CHECK(n == ramfs_root(fs));
	CHECK_INT(ramfs_lookup(fs, ".", 0, &n), 0);
	CHECK(n == ramfs_root(fs));
	CHECK_INT(type_of(fs, "/etc/", 0), CPIO_S_IFDIR);
	CHECK_INT(type_of(fs, "", 0), -ENOENT);
	CHECK_INT(type_of(fs, "/nope", 0), -ENOENT);
	CHECK_INT(type_of(fs, "/nope/x", 0), -ENOENT);
	CHECK_INT(type_of(fs, "/etc/motd/", 0), -ENOTDIR);
	CHECK_INT(type_of(fs, "/etc/motd/.", 0), -ENOTDIR);
	CHECK_INT(type_of(fs, "/etc/motd/x", 0), -ENOTDIR);
	CHECK_INT(type_of(fs, "/etc/mot", 0), -ENOENT);
	CHECK_INT(type_of(fs, "/etc/motdd", 0), -ENOENT);

	CHECK_INT(ramfs_lookup(fs, "/etc", 0, &etc), 0);
	CHECK_INT(ramfs_lookup_at(fs, etc, "motd", 0, &n), 0);
	CHECK_INT(ramfs_lookup_at(fs, etc, "../usr/lib", 0, &n), 0);
	CHECK_STR(ramfs_name(n), "lib");
	CHECK_INT(ramfs_lookup_at(fs, etc, "/usr", 0, &n), 0);
	CHECK_STR(ramfs_name(n), "usr");
	ramfs_free(fs);
	free(a.buf);
}

static void test_symlinks(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;
	const struct ramfs_node *n;
	char buf[64];

	arc_file(&a, "data/file", "F");
	arc_link(&a, "data/rel", "file");
	arc_link(&a, "data/up", "../data/file");
	arc_link(&a, "abs", "/data/file");
	arc_link(&a, "dirlink", "data");
	arc_link(&a, "chain", "abs");
	arc_link(&a, "dangling", "missing");
	arc_link(&a, "empty", "");
	arc_link(&a, "loop1", "loop2");
	arc_link(&a, "loop2", "loop1");
	arc_link(&a, "self", "self");
	arc_link(&a, "deep/far", "../data");       /* ".." from the link's dir */
	/* A chain of exactly RAMFS_MAX_SYMLINKS links, and one longer. */
	for (int i = 0; i <= RAMFS_MAX_SYMLINKS; i++) {
		char name[16], target[16];
		snprintf(name, sizeof name, "c%d", i);
		snprintf(target, sizeof target, i == RAMFS_MAX_SYMLINKS ? "data/file" : "c%d", i + 1);
		arc_link(&a, name, target);
	}
	arc_trailer(&a);
	fs = load(&a);

	CHECK_STR(contents(fs, "/data/rel"), "F");
	CHECK_STR(contents(fs, "/data/up"), "F");
	CHECK_STR(contents(fs, "/abs"), "F");
	CHECK_STR(contents(fs, "/chain"), "F");
	CHECK_STR(contents(fs, "/dirlink/file"), "F");
	CHECK_STR(contents(fs, "/dirlink/rel"), "F");
	CHECK_STR(contents(fs, "/deep/far/file"), "F");
	CHECK_STR(contents(fs, "/dirlink/../dirlink/file"), "F");
	CHECK_INT(ramfs_lookup(fs, "/deep/far/..", 0, &n), 0);
	CHECK(n == ramfs_root(fs));                 /* the target's parent */
	CHECK_INT(type_of(fs, "/abs", RAMFS_NOFOLLOW), CPIO_S_IFLNK);
	CHECK_INT(type_of(fs, "/abs", 0), CPIO_S_IFREG);
	CHECK_INT(type_of(fs, "/dirlink", RAMFS_NOFOLLOW), CPIO_S_IFLNK);
	CHECK_INT(type_of(fs, "/dirlink/", RAMFS_NOFOLLOW), CPIO_S_IFDIR);
	CHECK_INT(type_of(fs, "/abs/", 0), -ENOTDIR);
	CHECK_INT(type_of(fs, "/dangling", 0), -ENOENT);
	CHECK_INT(type_of(fs, "/dangling", RAMFS_NOFOLLOW), CPIO_S_IFLNK);
	CHECK_INT(type_of(fs, "/empty", 0), -ENOENT);
	CHECK_INT(type_of(fs, "/loop1", 0), -ELOOP);
	CHECK_INT(type_of(fs, "/loop1/x", 0), -ELOOP);
	CHECK_INT(type_of(fs, "/self", 0), -ELOOP);
	CHECK_INT(type_of(fs, "/self", RAMFS_NOFOLLOW), CPIO_S_IFLNK);
	CHECK_INT(type_of(fs, "/c1", 0), CPIO_S_IFREG);   /* 40 links */
	CHECK_INT(type_of(fs, "/c0", 0), -ELOOP);         /* 41 links */

	CHECK_INT(ramfs_lookup(fs, "/abs", RAMFS_NOFOLLOW, &n), 0);
	CHECK_INT(ramfs_readlink(n, buf, sizeof buf), 10);
	CHECK(memcmp(buf, "/data/file", 10) == 0);
	CHECK_INT(ramfs_readlink(n, buf, 3), 3);
	CHECK_INT(ramfs_read(n, buf, sizeof buf, 0), -EINVAL);
	CHECK_INT(ramfs_lookup(fs, "/abs", 0, &n), 0);
	CHECK_INT(ramfs_readlink(n, buf, sizeof buf), -EINVAL);
	ramfs_free(fs);
	free(a.buf);
}

static void test_read_and_readdir(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;
	const struct ramfs_node *n, *d;
	char buf[16];
	size_t size;

	/* Out of order, to show readdir sorts; "B" < "a" in byte order. */
	arc_file(&a, "d/zeta", "0123456789");
	arc_file(&a, "d/a", "");
	arc_dir(&a, "d/mid");
	arc_file(&a, "d/B", "");
	arc_link(&a, "d/a.b", "zeta");
	arc_trailer(&a);
	fs = load(&a);

	CHECK_INT(ramfs_lookup(fs, "/d", 0, &d), 0);
	static const char *const order[] = { "B", "a", "a.b", "mid", "zeta" };
	for (size_t i = 0; i < 5; i++) {
		n = ramfs_child(d, i);
		CHECK(n != NULL);
		if (n != NULL)
			CHECK_STR(ramfs_name(n), order[i]);
	}
	CHECK(ramfs_child(d, 5) == NULL);
	CHECK(ramfs_child(d, (size_t)-1) == NULL);
	CHECK(ramfs_child(ramfs_child(d, 0), 0) == NULL);  /* not a directory */
	CHECK(ramfs_child(d, 2) == ramfs_child(d, 2));     /* stable */

	/* Inode numbers are unique. */
	const char *paths[] = { "/", "/d", "/d/zeta", "/d/a", "/d/mid", "/d/B", "/d/a.b" };
	int dup = 0;
	for (size_t i = 0; i < 7; i++)
		for (size_t j = i + 1; j < 7; j++)
			dup += ino_of(fs, paths[i]) == ino_of(fs, paths[j]);
	CHECK_INT(dup, 0);

	CHECK_INT(ramfs_lookup(fs, "/d/zeta", 0, &n), 0);
	CHECK_INT(ramfs_read(n, buf, 4, 0), 4);
	CHECK(memcmp(buf, "0123", 4) == 0);
	CHECK_INT(ramfs_read(n, buf, sizeof buf, 7), 3);
	CHECK(memcmp(buf, "789", 3) == 0);
	CHECK_INT(ramfs_read(n, buf, sizeof buf, 10), 0);
	CHECK_INT(ramfs_read(n, buf, sizeof buf, UINT64_MAX), 0);
	CHECK(memcmp(ramfs_data(n, &size), "0123456789", 10) == 0);
	CHECK_INT(size, 10);
	CHECK_INT(ramfs_read(d, buf, sizeof buf, 0), -EISDIR);
	CHECK(ramfs_data(d, &size) == NULL);
	CHECK_INT(size, 0);
	CHECK_INT(ramfs_lookup(fs, "/d/a", 0, &n), 0);
	CHECK_INT(ramfs_read(n, buf, sizeof buf, 0), 0);
	ramfs_free(fs);
	free(a.buf);
}

static void test_not_cpio(void)
{
	static const char image[] = "just some bytes\n";
	struct ramfs *fs;
	const struct ramfs_node *n;
	struct ramfs_stat st;
	char msg[128];

	CHECK_INT(ramfs_load(&fs, image, sizeof image - 1, msg, sizeof msg), 0);
	CHECK_STR(contents(fs, "/initrd"), "just some bytes\n");
	CHECK_INT(ramfs_lookup(fs, "/initrd", 0, &n), 0);
	ramfs_stat(n, &st);
	CHECK_INT(st.mode, CPIO_S_IFREG | 0444);
	CHECK_INT(st.size, sizeof image - 1);
	CHECK(ramfs_child(ramfs_root(fs), 0) == n);
	CHECK(ramfs_child(ramfs_root(fs), 1) == NULL);
	ramfs_free(fs);

	/* No image at all (size 0) is an empty root, not an empty /initrd. */
	CHECK_INT(ramfs_load(&fs, "", 0, msg, sizeof msg), 0);
	CHECK_INT(ramfs_lookup(fs, "/initrd", 0, &n), -ENOENT);
	CHECK(ramfs_child(ramfs_root(fs), 0) == NULL);
	ramfs_free(fs);
}

static void test_corrupt(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;
	char msg[128];
	int bad = 0;

	arc_file(&a, "a/b", "hello");
	arc_link(&a, "c", "a/b");
	arc_trailer(&a);
	/* Every truncation fails cleanly (ASan reports leaks and overreads). */
	for (size_t len = 6; len < a.len; len++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, a.buf, len);
		fs = NULL;
		bad += ramfs_load(&fs, copy, len, msg, sizeof msg) != -EOVERFLOW || fs != NULL ||
		       strncmp(msg, "initrd: corrupt cpio archive at offset ", 39) != 0;
		free(copy);
	}
	CHECK_INT(bad, 0);

	a.buf[124] = 'X';  /* the second header: 110 + "a/b" 4, data 5, each padded */
	CHECK_INT(ramfs_load(&fs, a.buf, a.len, msg, sizeof msg), -EINVAL);
	CHECK_STR(msg, "initrd: corrupt cpio archive at offset 124: bad magic");
	CHECK_INT(ramfs_load(&fs, a.buf, a.len, msg, 10), -EINVAL);  /* cut short */
	CHECK_STR(msg, "initrd: c");
	free(a.buf);
}

/* Hard links share data and inode, within one archive only. */
static void test_hard_links(void)
{
	struct arc a = { 0 };
	struct ramfs *fs;

	arc_record(&a, "070701", 5, CPIO_S_IFREG | 0644, 2, 0, "x", 0, "", 0, 0);
	arc_record(&a, "070701", 5, CPIO_S_IFREG | 0644, 2, 0, "y", 0, "data", 4, 0);
	arc_trailer(&a);
	arc_record(&a, "070701", 5, CPIO_S_IFREG | 0644, 2, 0, "z", 0, "", 0, 0);
	arc_trailer(&a);
	fs = load(&a);
	CHECK_STR(contents(fs, "/x"), "data");
	CHECK_STR(contents(fs, "/y"), "data");
	CHECK_STR(contents(fs, "/z"), "");        /* another archive's inode 5 */
	CHECK(ino_of(fs, "/x") == ino_of(fs, "/y"));
	CHECK(ino_of(fs, "/x") != ino_of(fs, "/z"));
	ramfs_free(fs);
	free(a.buf);
}

/* The archives GNU cpio wrote: every file reads back byte-exact. */
static void test_real(const char *dir)
{
	char path[4096];
	size_t size;
	uint8_t *img;
	struct ramfs *fs;

	snprintf(path, sizeof path, "%s/newc.cpio", dir);
	img = read_file(path, &size);
	CHECK(img != NULL);
	if (img == NULL)
		return;
	struct arc a = { img, size, size };
	fs = load(&a);
	for (size_t k = 1; k < sizeof real_tree / sizeof real_tree[0]; k++) {
		snprintf(path, sizeof path, "/%s", real_tree[k].name);
		CHECK_INT(type_of(fs, path, RAMFS_NOFOLLOW), real_tree[k].type);
		if (real_tree[k].type == CPIO_S_IFREG)
			CHECK_STR(contents(fs, path), real_tree[k].data);
	}
	CHECK_STR(contents(fs, "/link"), "hello\n");
	CHECK(ino_of(fs, "/dir/hard") == ino_of(fs, "/four"));
	ramfs_free(fs);
	free(img);
}

int main(int argc, char **argv)
{
	test_tree();
	test_override();
	test_lookup();
	test_symlinks();
	test_read_and_readdir();
	test_not_cpio();
	test_corrupt();
	test_hard_links();
	if (argc > 1)
		test_real(argv[1]);
	else
		printf("skip: archives from the real cpio tool (cpio not installed)\n");
	return check_report();
}
