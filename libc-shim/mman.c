/* mmap, munmap, mprotect, msync (sys/mman.h), in the kernel's VM_MMAP range.
 *
 * Every mapping gets fresh pages at once (no demand paging): anonymous
 * ones zeroed, file ones read from the file at mmap time (bytes past the
 * end of the file read as zeroes). MAP_PRIVATE writes stay in memory.
 * MAP_SHARED writes reach the file when msync, munmap or fsync of the file
 * writes the mapping back (every page within the file's size: the MMU's
 * dirty bits are not consulted). There is one copy of each page, not a
 * page cache: a shared mapping does not see the file's later write()s,
 * and read() sees the mapping's writes only after they were written back.
 *
 * A mapping is a record of its pages; munmap and mprotect act page by page
 * on any part of one or several records. Addresses are handed out upwards
 * and not reused (the range is 16 TiB); the memory is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/arch.h"
#include "kernel/mm.h"
#include "libc-shim/file.h"

struct mpage {
	uint64_t pa;            /* 0: not part of the mapping (unmapped) */
	uint8_t prot;           /* PROT_* */
};

struct mapping {
	struct mapping *next;
	uintptr_t va;
	size_t pages;
	size_t live;            /* pages with pa != 0 */
	bool shared;
	struct file *file;      /* held for a file mapping */
	off_t offset;
	struct mpage page[];
};

static struct mapping *mappings;
static uintptr_t next_va = VM_MMAP_BASE;

static unsigned map_flags(int prot)
{
	return ((prot & PROT_WRITE) ? MAP_WRITE : 0) | ((prot & PROT_EXEC) ? MAP_EXEC : 0);
}

/* Puts page `i` of `m` in the page tables as its prot says (PROT_NONE: out
 * of them, the memory kept). */
static void install(struct mapping *m, size_t i)
{
	uintptr_t va = m->va + i * PAGE_SIZE;
	arch_unmap_page(va);
	if (m->page[i].prot != PROT_NONE)
		arch_map_page(va, m->page[i].pa, map_flags(m->page[i].prot));
}

/* The pages of a shared file mapping, [first, first+count), back to the
 * file: those within its size, from their physical (identity-mapped)
 * address, which is readable whatever the page's protection. */
static int write_back(struct mapping *m, size_t first, size_t count)
{
	if (!m->shared || !m->file || !m->file->ops->pwrite)
		return 0;
	struct stat st;
	if (m->file->ops->stat(m->file, &st))
		return -EIO;
	for (size_t i = first; i < first + count; i++) {
		off_t at = m->offset + (off_t)(i * PAGE_SIZE);
		if (!m->page[i].pa || at >= st.st_size)
			continue;
		size_t len = st.st_size - at < (off_t)PAGE_SIZE ? (size_t)(st.st_size - at) : PAGE_SIZE;
		ssize_t n = m->file->ops->pwrite(m->file, (void *)(uintptr_t)m->page[i].pa, len, at);
		if (n < 0)
			return (int)n;
	}
	return 0;
}

static void drop_page(struct mapping *m, size_t i)
{
	if (!m->page[i].pa)
		return;
	arch_unmap_page(m->va + i * PAGE_SIZE);
	page_free(m->page[i].pa, 1);
	m->page[i].pa = 0;
	m->live--;
}

static void free_mapping(struct mapping *m)
{
	for (struct mapping **p = &mappings; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			break;
		}
	if (m->file)
		file_put(m->file);
	free(m);
}

/* Calls fn on every live page in [va, va+len) of every mapping; returns
 * -ENOMEM when some page of the range is in none (Linux's answer), after
 * acting on the others. */
static int for_range(uintptr_t va, size_t len, int (*fn)(struct mapping *m, size_t i, int arg), int arg)
{
	size_t covered = 0;
	int err = 0;
	for (struct mapping *m = mappings, *next; m; m = next) {
		next = m->next;
		uintptr_t lo = va > m->va ? va : m->va;
		uintptr_t hi = va + len < m->va + m->pages * PAGE_SIZE ? va + len : m->va + m->pages * PAGE_SIZE;
		for (uintptr_t at = lo; at < hi; at += PAGE_SIZE) {
			size_t i = (at - m->va) / PAGE_SIZE;
			if (!m->page[i].pa)
				continue;
			covered++;
			int e = fn(m, i, arg);
			if (e && !err)
				err = e;
		}
		if (m->live == 0)
			free_mapping(m);
	}
	return err ? err : covered * PAGE_SIZE < len ? -ENOMEM : 0;
}

static int unmap_page(struct mapping *m, size_t i, int arg)
{
	(void)arg;
	int err = write_back(m, i, 1);
	drop_page(m, i);
	return err;
}

static int protect_page(struct mapping *m, size_t i, int prot)
{
	m->page[i].prot = (uint8_t)prot;
	install(m, i);
	return 0;
}

static int sync_page(struct mapping *m, size_t i, int arg)
{
	(void)arg;
	return write_back(m, i, 1);
}

static bool range_ok(const void *addr, size_t len)
{
	uintptr_t va = (uintptr_t)addr;
	return va % PAGE_SIZE == 0 && len && va + len > va;
}

static size_t pages_of(size_t len) { return (len + PAGE_SIZE - 1) / PAGE_SIZE; }

/* Reads the file's bytes into the new pages (mapped writable for now). */
static int fill_from_file(struct mapping *m, size_t len)
{
	if (!m->file->ops->pread)
		return -ENODEV;
	for (size_t i = 0; i < m->pages; i++) {
		size_t want = len - i * PAGE_SIZE < PAGE_SIZE ? len - i * PAGE_SIZE : PAGE_SIZE;
		ssize_t n = m->file->ops->pread(m->file, (void *)(m->va + i * PAGE_SIZE), want,
						m->offset + (off_t)(i * PAGE_SIZE));
		if (n < 0)
			return (int)n;
		if ((size_t)n < want)
			break;          /* end of file: the rest stays zero */
	}
	return 0;
}

static int check_file(int fd, int prot, bool shared, struct file **out)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	int acc = f->flags & O_ACCMODE, err = 0;
	if (!f->ops->pread || !f->ops->stat)
		err = -ENODEV;
	else if (acc == O_WRONLY)
		err = -EACCES;
	else if (shared && (prot & PROT_WRITE) && acc != O_RDWR)
		err = -EACCES;
	if (err) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

static void *map_new(uintptr_t va, size_t len, int prot, int flags, int fd, off_t offset, int *err)
{
	bool shared = (flags & MAP_TYPE) == MAP_SHARED, anon = flags & MAP_ANONYMOUS;
	size_t pages = pages_of(len);
	struct file *f = NULL;
	if (!anon && (*err = check_file(fd, prot, shared, &f)))
		return NULL;
	struct mapping *m = calloc(1, sizeof(*m) + pages * sizeof(m->page[0]));
	if (!m) {
		if (f)
			file_put(f);
		*err = -ENOMEM;
		return NULL;
	}
	m->va = va;
	m->pages = pages;
	m->shared = shared && !anon;
	m->file = f;
	m->offset = offset;
	m->next = mappings;
	mappings = m;
	for (size_t i = 0; i < pages; i++) {
		uint64_t pa = page_alloc(1);
		if (!pa || arch_map_page(va + i * PAGE_SIZE, pa, MAP_WRITE)) {
			if (pa)
				page_free(pa, 1);
			*err = -ENOMEM;
			break;
		}
		m->page[i] = (struct mpage){ pa, (uint8_t)prot };
		m->live++;
		memset((void *)(va + i * PAGE_SIZE), 0, PAGE_SIZE);
	}
	if (!*err && f)
		*err = fill_from_file(m, len);
	if (*err) {
		m->shared = false;      /* nothing of ours to write back */
		for (size_t i = 0; i < pages; i++)
			drop_page(m, i);
		free_mapping(m);
		return NULL;
	}
	for (size_t i = 0; i < pages; i++)
		if (prot != (PROT_READ | PROT_WRITE))
			install(m, i);
	return (void *)va;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	int type = flags & MAP_TYPE, err = 0;
	if (!len || (type != MAP_SHARED && type != MAP_PRIVATE) || offset < 0 || offset % PAGE_SIZE ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return (void *)(intptr_t)syscall_result(-EINVAL);
	size_t size = pages_of(len) * PAGE_SIZE;
	if (size < len || size > VM_MMAP_LIMIT - VM_MMAP_BASE)
		return (void *)(intptr_t)syscall_result(-ENOMEM);
	uintptr_t va;
	if (flags & MAP_FIXED) {
		/* Only inside the range mmap hands out: the rest of the address
		 * space is the kernel's. What was mapped there goes first. */
		va = (uintptr_t)addr;
		if (va % PAGE_SIZE || va < VM_MMAP_BASE || va + size > next_va || va + size < va)
			return (void *)(intptr_t)syscall_result(addr && va % PAGE_SIZE ? -EINVAL : -ENOMEM);
		for_range(va, size, unmap_page, 0);
	} else {
		if (next_va + size > VM_MMAP_LIMIT)
			return (void *)(intptr_t)syscall_result(-ENOMEM);
		va = next_va;
		next_va += size + PAGE_SIZE;    /* an unmapped page between mappings */
	}
	void *p = map_new(va, len, prot, flags, fd, offset, &err);
	return p ? p : (void *)(intptr_t)syscall_result(err);
}

int munmap(void *addr, size_t len)
{
	if (!range_ok(addr, len))
		return (int)syscall_result(-EINVAL);
	int err = for_range((uintptr_t)addr, pages_of(len) * PAGE_SIZE, unmap_page, 0);
	return (int)syscall_result(err == -ENOMEM ? 0 : err);  /* unmapping nothing is fine */
}

int mprotect(void *addr, size_t len, int prot)
{
	if (!range_ok(addr, len) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(for_range((uintptr_t)addr, pages_of(len) * PAGE_SIZE, protect_page, prot));
}

int msync(void *addr, size_t len, int flags)
{
	if (!range_ok(addr, len) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return (int)syscall_result(-EINVAL);
	int err = for_range((uintptr_t)addr, pages_of(len) * PAGE_SIZE, sync_page, 0);
	/* MS_SYNC: also on the disk, as fsync of each file mapped there. */
	for (struct mapping *m = mappings; !err && (flags & MS_SYNC) && m; m = m->next) {
		uintptr_t end = m->va + m->pages * PAGE_SIZE;
		if (m->shared && m->file->ops->fsync && m->va < (uintptr_t)addr + len && end > (uintptr_t)addr)
			err = m->file->ops->fsync(m->file, false);
	}
	return (int)syscall_result(err);
}

/* For fsync (io.c): the shared mappings of the file `f` names written
 * back first. Files are matched by what they open (the vnode), so a
 * mapping made through another descriptor counts. */
int mman_write_back_file(struct file *f)
{
	int err = 0;
	for (struct mapping *m = mappings; m; m = m->next)
		if (m->shared && m->file->ops == f->ops && m->file->priv == f->priv) {
			int e = write_back(m, 0, m->pages);
			if (e && !err)
				err = e;
		}
	return err;
}

/* MADV_DONTNEED: Linux gives private anonymous pages back as zeroes on the
 * next touch, which allocators rely on; here they are zeroed at once. */
static int forget_page(struct mapping *m, size_t i, int arg)
{
	(void)arg;
	if (!m->file && !m->shared)
		memset((void *)(uintptr_t)m->page[i].pa, 0, PAGE_SIZE);
	return 0;
}

int madvise(void *addr, size_t len, int advice)
{
	if (advice < MADV_NORMAL || advice > MADV_DONTNEED || !range_ok(addr, len))
		return (int)syscall_result(-EINVAL);
	if (advice != MADV_DONTNEED)
		return 0;
	return (int)syscall_result(for_range((uintptr_t)addr, pages_of(len) * PAGE_SIZE, forget_page, 0));
}

int posix_madvise(void *addr, size_t len, int advice)
{
	(void)addr;
	(void)len;
	return advice >= POSIX_MADV_NORMAL && advice <= POSIX_MADV_DONTNEED ? 0 : EINVAL;
}

/* Memory is never paged out: locking is already true. */
int mlock(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
	return 0;
}

int munlock(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
	return 0;
}
