/* Flattened device tree (DTB) reader.
 *
 * On aarch64 the boot loader (QEMU -M virt) describes the machine with a DTB:
 * memory, command line, initrd, UART, interrupt controller, virtio-mmio slots.
 * Boot code and arch code both read it through this interface.
 *
 * The blob is untrusted input: fdt_open validates the header and walks the
 * whole structure block once (tokens, lengths, names, string offsets, nesting
 * up to FDT_MAX_DEPTH, a single root, FDT_END), and every later read is
 * bounds-checked again, so a corrupt blob gives an error, never a read outside
 * [blob, blob + totalsize). Values in the blob are big-endian and may be
 * unaligned; they are read bytewise.
 *
 * A node is named by its offset in the structure block (an int >= 0), valid
 * for as long as the blob is. Errors are negative errnos: -EINVAL for a
 * malformed blob or a bad argument, -ENOENT for "not there". Nothing here
 * allocates, writes the blob or keeps state besides struct fdt.
 */
#ifndef SKIFF_KERNEL_FDT_H
#define SKIFF_KERNEL_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_DEPTH 32        /* deeper trees are rejected as malformed */

/* A validated blob; the offsets are from the start of the blob. */
struct fdt {
	const uint8_t *blob;
	uint32_t size;          /* header totalsize */
	uint32_t struct_off, struct_size;
	uint32_t strings_off, strings_size;
};

/* Validates the blob's header and structure (max_size: how many bytes at blob
 * may be read) and fills *f; 0 or -EINVAL. */
int fdt_open(struct fdt *f, const void *blob, size_t max_size);

/* The header's totalsize, or 0 if the magic is wrong: boot code copies the
 * blob somewhere safe before knowing more. Reads the first 8 bytes only. */
uint32_t fdt_total_size(const void *blob);

/* Node at an absolute path such as "/", "/chosen" or "/pl011@9000000"; a
 * component without "@unit" matches a node whose name before '@' equals it
 * (the first such child). -ENOENT if absent. */
int fdt_path(const struct fdt *f, const char *path);

/* Next node in depth-first order after node `after` (-1: from the start)
 * whose "compatible" string list contains `compatible`; -ENOENT at the end. */
int fdt_next_compatible(const struct fdt *f, int after, const char *compatible);

/* As fdt_next_compatible, for "device_type" (e.g. "memory"). */
int fdt_next_device_type(const struct fdt *f, int after, const char *type);

/* Value of the node's own property `name` (not a child's) and its length in
 * *len (if len is not NULL); NULL if absent. An empty property is non-NULL. */
const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len);

/* A property holding exactly one 32-bit cell; false if absent or not 4 bytes. */
bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out);

/* The node's parent; -ENOENT for the root. */
int fdt_parent(const struct fdt *f, int node);

/* #address-cells / #size-cells that apply to the node's "reg", i.e. the
 * parent's (not inherited further); defaults 2 and 1; -EINVAL above 4. */
int fdt_address_cells(const struct fdt *f, int node);
int fdt_size_cells(const struct fdt *f, int node);

/* The index-th (address, size) pair of the node's "reg". -ENOENT if there is
 * no reg or index is past the end; -EINVAL if the cells do not fit in 64 bits
 * (more than 2) or reg is not a whole number of pairs. #size-cells 0 gives
 * size 0 (e.g. cpu nodes). */
int fdt_reg(const struct fdt *f, int node, int index, uint64_t *base, uint64_t *size);

/* A big-endian value of `cells` (0, 1 or 2) 32-bit cells at p, unaligned. */
uint64_t fdt_cells(const void *p, int cells);

/* Whether the node is usable: no "status", or status "okay" or "ok". */
/* The node whose "phandle" property is `phandle` (interrupt-map and
 * interrupt-parent name nodes that way), or -ENOENT. */
int fdt_find_phandle(const struct fdt *f, uint32_t phandle);
bool fdt_is_enabled(const struct fdt *f, int node);

#endif
