/* Fuzz target: fs/ext4*.c and libext2fs mounting damaged ext4 images. Each
 * input is a disk image; it is mounted read-write, every name is walked
 * (lookup, getattr, readdir, readlink) and every file read, then a few
 * files are created, written, renamed and removed and the file system is
 * synced and unmounted. Whatever the image holds, the result must be data
 * or an error: never a fault, a sanitizer report or a hang.
 *
 * Two ways to run it:
 *  - built with clang's libFuzzer (-DFUZZ_LIBFUZZER, test/unit/fuzz_ext4.sh
 *    does it): LLVMFuzzerTestOneInput on its corpus, as long as one likes;
 *  - as a standalone program (the test suite's way, with gcc's ASan and
 *    UBSan): it makes a small seed image with mke2fs -t ext4 -d, then runs
 *    `--runs N` cases, each the seed with a few random byte changes, most of
 *    them in the metadata at the front. Case i's changes come from a PRNG
 *    seeded with (--seed, i), so `--seed S --only i` replays one case;
 *    `fuzz_ext4 FILE...` runs saved images instead.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/fstype.h"
#include "fs/vnode.h"

#include "memdisk.h"

extern const struct fs_type ext4_fs_type;
extern int kernel_stub_quiet;

#define MAX_DEPTH 12
#define MAX_ENTRIES 512         /* per directory: a damaged one may loop */
#define MAX_READ (1u << 20)

static uint8_t readbuf[64 * 1024];

static void read_file(struct vnode *v)
{
	uint64_t off = 0;
	while (off < MAX_READ) {
		ssize_t n = v->ops->read(v, readbuf, sizeof(readbuf), off);
		if (n <= 0)
			break;
		off += (uint64_t)n;
	}
}

static void walk_dir(struct vnode *dir, int depth)
{
	uint64_t cookie = 0;
	struct vdirent de;
	for (int n = 0; n < MAX_ENTRIES && dir->ops->readdir(dir, &cookie, &de) == 1; n++) {
		if (!strcmp(de.name, ".") || !strcmp(de.name, ".."))
			continue;
		struct vnode *v;
		if (dir->ops->lookup(dir, de.name, strlen(de.name), &v))
			continue;
		struct vattr a;
		v->ops->getattr(v, &a);
		if (v->type == VFS_IFDIR && depth < MAX_DEPTH)
			walk_dir(v, depth + 1);
		else if (v->type == VFS_IFREG)
			read_file(v);
		else if (v->type == VFS_IFLNK)
			v->ops->readlink(v, (char *)readbuf, VFS_PATH_MAX);
		vnode_put(v);
	}
	struct vnode *up;
	if (dir->ops->lookup(dir, "..", 2, &up) == 0)
		vnode_put(up);
}

static void write_some(struct vnode *root)
{
	struct vnode *f, *d;
	memset(readbuf, 0x5a, sizeof(readbuf));
	if (root->ops->create(root, "fz", 2, VFS_IFREG | 0644, &f) == 0) {
		f->ops->write(f, readbuf, sizeof(readbuf), 0);
		f->ops->write(f, readbuf, 100, 300000);
		f->ops->truncate(f, 5000);
		vnode_put(f);
	}
	if (root->ops->create(root, "fzd", 3, VFS_IFDIR | 0755, &d) == 0) {
		root->ops->rename(root, "fz", 2, d, "moved", 5);
		root->ops->symlink(d, "l", 1, "moved");
		d->ops->unlink(d, "moved", 5, false);
		d->ops->unlink(d, "l", 1, false);
		vnode_put(d);
		root->ops->unlink(root, "fzd", 3, true);
	}
	root->ops->fsync(root, false);
}

static void run_case(const uint8_t *data, size_t size)
{
	size &= ~(size_t)(BLK_SECTOR - 1);
	if (size < 4096)
		return;
	struct memdisk *disk = memdisk_new(data, size, 0);
	blkdev_reset_registry();
	blkdev_register(&disk->dev);
	struct fs_mount_args a = { .source = "vda", .options = "" };
	struct vnode *root;
	if (ext4_fs_type.mount(&a, &root) == 0) {
		walk_dir(root, 0);
		write_some(root);
		root->ops->syncfs(root);
		vnode_put(root);
	}
	memdisk_free(disk);
}

#ifdef FUZZ_LIBFUZZER

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kernel_stub_quiet = 1;
	if (size <= 64u << 20)
		run_case(data, size);
	return 0;
}

#else

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A few changes, three in four of them in the first 48 KiB (superblock,
 * group descriptors, bitmaps, inode table, first directories). */
static void mutate(uint8_t *img, size_t size)
{
	int changes = 1 + (int)(next() % 8);
	for (int i = 0; i < changes; i++) {
		size_t span = next() % 4 ? (size < 49152 ? size : 49152) : size;
		size_t at = next() % span;
		switch (next() % 4) {
		case 0: img[at] ^= (uint8_t)(1u << (next() % 8)); break;
		case 1: img[at] = (uint8_t)next(); break;
		case 2: img[at] = next() % 2 ? 0 : 0xff; break;
		default:        /* a little-endian 32-bit field, a "large" value */
			if (at + 4 <= size) {
				uint32_t v = (uint32_t)next() >> (next() % 32);
				memcpy(img + at, &v, 4);
			}
		}
	}
}

static uint8_t *make_seed(const char *type, size_t *size)
{
	char dir[] = "/tmp/skiff-fuzz-ext4-XXXXXX", cmd[1024];
	if (!mkdtemp(dir))
		return NULL;
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; mkdir -p src/d/e; echo hello > src/a; ln -s a src/l; ln src/a src/h;"
		 "head -c 70000 /dev/zero | tr '\\0' x > src/d/big; ln -s %0200d src/slow;"
		 "for i in $(seq 1 40); do echo $i > src/d/e/file-number-$i; done;"
		 "mke2fs -q -F -t %s -b 1024 -N 96 -d src seed.img 600K >/dev/null 2>&1", dir, 0, type);
	uint8_t *img = NULL;
	if (system(cmd) == 0) {
		char path[128];
		snprintf(path, sizeof(path), "%s/seed.img", dir);
		struct memdisk *d = memdisk_load(path, 0);
		if (d) {
			img = d->data;
			*size = d->size;
			d->data = NULL;
			memdisk_free(d);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_ext4: could not remove %s\n", dir);
	return img;
}

/* `fuzz_ext4 FILE...`: runs the given images (a crash libFuzzer saved,
 * replayed under gcc's sanitizers). */
static int replay(int argc, char **argv)
{
	kernel_stub_quiet = 1;
	for (int i = 1; i < argc; i++) {
		struct memdisk *d = memdisk_load(argv[i], 0);
		if (!d)
			return 1;
		run_case(d->data, d->size);
		memdisk_free(d);
		printf("fuzz_ext4: %s: no fault\n", argv[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long runs = 300, only = -1;
	uint64_t seed = 1;
	if (argc > 1 && strncmp(argv[1], "--", 2) != 0)
		return replay(argc, argv);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--runs"))
			runs = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--only"))
			only = atol(argv[i + 1]);
	}
	/* Even cases damage an ext4 seed, odd ones an ext2 seed. */
	size_t size[2];
	uint8_t *seeds[2] = { make_seed("ext4", &size[0]), make_seed("ext2", &size[1]) };
	if (!seeds[0] || !seeds[1]) {
		fprintf(stderr, "fuzz_ext4: cannot make the seed images (mke2fs missing?)\n");
		return 1;
	}
	uint8_t *img = malloc(size[0] > size[1] ? size[0] : size[1]);
	kernel_stub_quiet = 1;
	run_case(seeds[0], size[0]);    /* the undamaged images first */
	run_case(seeds[1], size[1]);
	for (long i = only >= 0 ? only : 0; i < (only >= 0 ? only + 1 : runs); i++) {
		rng = (seed * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)i * 0xbf58476d1ce4e5b9ull) ^ 0x94d049bb133111ebull;
		next();
		memcpy(img, seeds[i % 2], size[i % 2]);
		mutate(img, size[i % 2]);
		run_case(img, size[i % 2]);
	}
	printf("fuzz_ext4: %ld cases from seed %llu, no fault\n", only >= 0 ? 1 : runs, (unsigned long long)seed);
	free(img);
	free(seeds[0]);
	free(seeds[1]);
	return 0;
}

#endif
