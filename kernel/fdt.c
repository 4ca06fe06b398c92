/* Flattened device tree reader; the contract is in fdt.h.
 *
 * Format (devicetree specification v0.4, chapter 5): a 40-byte header, then a
 * structure block of 4-byte-aligned big-endian tokens (BEGIN_NODE + name,
 * PROP + len + name offset + value, END_NODE, NOP, END) and a strings block
 * of NUL-terminated property names. Everything goes through token(), the one
 * place that reads the structure block and the only bounds check that matters.
 */
#include "fdt.h"

#include <errno.h>
#include <string.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_V17 40       /* v16 headers lack size_dt_struct */

enum { TOK_BEGIN_NODE = 1, TOK_END_NODE = 2, TOK_PROP = 3, TOK_NOP = 4, TOK_END = 9 };

/* One decoded token. name: the node's name (BEGIN_NODE) or the property's
 * (PROP); val/len: the property value; next: offset of the following token. */
struct tok {
	uint32_t tag, next, len;
	const char *name;
	const uint8_t *val;
};

static inline __attribute__((always_inline)) uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t fdt_cells(const void *p, int cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 0; i < cells && i < 2; i++)
		v = v << 32 | be32(b + 4 * i);
	return v;
}

uint32_t fdt_total_size(const void *blob)
{
	const uint8_t *b = blob;

	return be32(b) == FDT_MAGIC ? be32(b + 4) : 0;
}

/* Decodes the token at offset off of the structure block. Every length in the
 * blob is checked against what is left, by subtraction so nothing overflows. */
static int token(const struct fdt *f, uint32_t off, struct tok *t)
{
	const uint8_t *s = f->blob + f->struct_off, *z;
	uint32_t end = f->struct_size, name_off;

	if (off % 4 != 0 || end < 4 || off > end - 4)
		return -EINVAL;
	t->tag = be32(s + off);
	off += 4;
	switch (t->tag) {
	case TOK_BEGIN_NODE:
		z = memchr(s + off, 0, end - off);
		if (z == NULL)
			return -EINVAL;
		t->name = (const char *)(s + off);
		off += (uint32_t)(z - (s + off)) + 1;
		break;
	case TOK_PROP:
		if (end - off < 8)
			return -EINVAL;
		t->len = be32(s + off);
		name_off = be32(s + off + 4);
		off += 8;
		if (t->len > end - off || name_off >= f->strings_size)
			return -EINVAL;
		t->name = (const char *)f->blob + f->strings_off + name_off;
		if (memchr(t->name, 0, f->strings_size - name_off) == NULL)
			return -EINVAL;
		t->val = s + off;
		off += t->len;
		break;
	case TOK_END_NODE:
	case TOK_NOP:
	case TOK_END:
		break;
	default:
		return -EINVAL;
	}
	/* May land up to 3 bytes past the end; the next call rejects that. */
	t->next = (off + 3) & ~3u;
	return 0;
}

/* Decodes the node header at `node`, which must be a BEGIN_NODE token; node
 * offsets come from callers, so this is where a stale or made-up one stops. */
static int node_begin(const struct fdt *f, int node, struct tok *t)
{
	if (node < 0 || token(f, (uint32_t)node, t) < 0 || t->tag != TOK_BEGIN_NODE)
		return -EINVAL;
	return 0;
}

/* One pass over the whole structure block, so that a blob that opens is well
 * formed: one root, balanced nodes, properties only inside nodes, bounded
 * depth, and an FDT_END. Later walks may then treat surprises as errors
 * without losing their place. */
static int check_tree(const struct fdt *f)
{
	struct tok t;
	int depth = 0, roots = 0;

	for (uint32_t off = 0;; off = t.next) {
		if (token(f, off, &t) < 0)
			return -EINVAL;
		if (t.tag == TOK_BEGIN_NODE) {
			if ((depth == 0 && roots++ > 0) || ++depth > FDT_MAX_DEPTH)
				return -EINVAL;
		} else if (t.tag == TOK_END_NODE) {
			if (depth-- == 0)
				return -EINVAL;
		} else if (t.tag == TOK_PROP && depth == 0) {
			return -EINVAL;
		} else if (t.tag == TOK_END) {
			return depth == 0 && roots == 1 ? 0 : -EINVAL;
		}
	}
}

/* A block [off, off + size) lies within total (no addition, no overflow). */
static bool inside(uint32_t off, uint32_t size, uint32_t total)
{
	return off <= total && size <= total - off;
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	uint32_t total, version, hdr, rsv_off;

	if (b == NULL || max_size < FDT_HEADER_V17 || be32(b) != FDT_MAGIC)
		return -EINVAL;
	total = be32(b + 4);
	version = be32(b + 20);
	hdr = version >= 17 ? FDT_HEADER_V17 : FDT_HEADER_V17 - 4;
	/* Node offsets are ints, hence the 2 GiB limit. */
	if (version < 16 || be32(b + 24) > 17 || total < FDT_HEADER_V17 ||
	    total > max_size || total > 0x7fffffffu)
		return -EINVAL;
	f->blob = b;
	f->size = total;
	f->struct_off = be32(b + 8);
	f->strings_off = be32(b + 12);
	rsv_off = be32(b + 16);
	f->strings_size = be32(b + 32);
	if (f->struct_off < hdr || f->struct_off > total)
		return -EINVAL;
	f->struct_size = version >= 17 ? be32(b + 36) : (total - f->struct_off) & ~3u;
	/* Tokens are read as aligned words relative to the block; the memory
	 * reservation map (unused here) is 8-byte aligned by the spec. */
	if (f->struct_off % 4 != 0 || f->struct_size % 4 != 0 || rsv_off % 8 != 0 ||
	    rsv_off < hdr || rsv_off >= total || f->strings_off < hdr ||
	    !inside(f->struct_off, f->struct_size, total) ||
	    !inside(f->strings_off, f->strings_size, total))
		return -EINVAL;
	return check_tree(f);
}

/* The root is the first BEGIN_NODE; only NOPs may come before it. */
static int root(const struct fdt *f)
{
	struct tok t;

	for (uint32_t off = 0; token(f, off, &t) == 0; off = t.next) {
		if (t.tag == TOK_BEGIN_NODE)
			return (int)off;
		if (t.tag != TOK_NOP)
			break;
	}
	return -EINVAL;
}

/* "uart" matches "uart@9000000" (the unit address may be left out), but
 * "uart@1" matches only itself. name is NUL-terminated; want[0..n) is not. */
static bool name_matches(const char *name, const char *want, size_t n)
{
	if (strncmp(name, want, n) != 0)
		return false;
	return name[n] == '\0' || (name[n] == '@' && memchr(want, '@', n) == NULL);
}

/* The first direct child of node whose name matches want[0..n). */
static int subnode(const struct fdt *f, int node, const char *want, size_t n)
{
	struct tok t;
	int depth = 0;

	if (node_begin(f, node, &t) < 0)
		return -EINVAL;
	for (uint32_t off = t.next;; off = t.next) {
		if (token(f, off, &t) < 0 || t.tag == TOK_END)
			return -EINVAL;
		if (t.tag == TOK_BEGIN_NODE && depth++ == 0 && name_matches(t.name, want, n))
			return (int)off;
		if (t.tag == TOK_END_NODE && depth-- == 0)
			return -ENOENT;
	}
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = root(f);

	if (path[0] != '/')
		return -ENOENT;
	while (node >= 0) {
		size_t n;

		while (*path == '/')
			path++;
		n = strcspn(path, "/");
		if (n == 0)
			break;
		node = subnode(f, node, path, n);
		path += n;
	}
	return node;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
	struct tok t;

	if (node_begin(f, node, &t) < 0)
		return NULL;
	/* Properties precede subnodes (spec 5.4.1): the first BEGIN_NODE or
	 * END_NODE ends the node's own list. */
	for (uint32_t off = t.next; token(f, off, &t) == 0; off = t.next) {
		if (t.tag == TOK_PROP && strcmp(t.name, name) == 0) {
			if (len != NULL)
				*len = t.len;
			return t.val;
		}
		if (t.tag != TOK_PROP && t.tag != TOK_NOP)
			break;
	}
	return NULL;
}

bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const uint8_t *p = fdt_prop(f, node, name, &len);

	if (p == NULL || len != 4)
		return false;
	*out = be32(p);
	return true;
}

/* Whether a <stringlist> value (strings back to back, each NUL-terminated)
 * holds want; a last string without its NUL never matches. */
static bool list_has(const char *v, uint32_t len, const char *want)
{
	size_t n = strlen(want) + 1;

	for (uint32_t i = 0; i < len;) {
		const char *z = memchr(v + i, 0, len - i);

		if (z == NULL)
			return false;
		if ((size_t)(z - (v + i)) + 1 == n && memcmp(v + i, want, n) == 0)
			return true;
		i += (uint32_t)(z - (v + i)) + 1;
	}
	return false;
}

/* Next node after `after` (-1: from the start) having a property `prop`
 * that `match` accepts. One pass over the tokens: a property counts for
 * the node it follows directly (before the node's first subnode), as in
 * fdt_prop. Boot code searches the tree a dozen times, so this is the
 * device tree's hot path. */
static int next_where(const struct fdt *f, int after, const char *prop,
		      bool (*match)(const struct tok *t, const void *arg), const void *arg)
{
	struct tok t;
	uint32_t off = 0;
	int node = -1;

	if (after != -1) {
		if (node_begin(f, after, &t) < 0)
			return -EINVAL;
		off = t.next;
	}
	for (;; off = t.next) {
		if (token(f, off, &t) < 0)
			return -EINVAL;
		if (t.tag == TOK_END)
			return -ENOENT;
		if (t.tag == TOK_BEGIN_NODE)
			node = (int)off;
		else if (t.tag == TOK_END_NODE)
			node = -1;
		else if (t.tag == TOK_PROP && node >= 0 && strcmp(t.name, prop) == 0 && match(&t, arg))
			return node;
	}
}

static bool lists(const struct tok *t, const void *want)
{
	return list_has((const char *)t->val, t->len, want);
}

static bool is_u32(const struct tok *t, const void *want)
{
	return t->len == 4 && be32(t->val) == *(const uint32_t *)want;
}

static int next_with(const struct fdt *f, int after, const char *prop, const char *want)
{
	return next_where(f, after, prop, lists, want);
}

int fdt_next_compatible(const struct fdt *f, int after, const char *compatible)
{
	return next_with(f, after, "compatible", compatible);
}

int fdt_next_device_type(const struct fdt *f, int after, const char *type)
{
	return next_with(f, after, "device_type", type);
}

/* The tree has no parent links: walk from the start keeping the path of
 * open nodes, which check_tree bounded to FDT_MAX_DEPTH. */
int fdt_parent(const struct fdt *f, int node)
{
	int open[FDT_MAX_DEPTH], depth = 0;
	struct tok t;

	if (node_begin(f, node, &t) < 0)
		return -EINVAL;
	for (uint32_t off = 0; off <= (uint32_t)node; off = t.next) {
		if (token(f, off, &t) < 0)
			return -EINVAL;
		if (t.tag == TOK_BEGIN_NODE) {
			if (off == (uint32_t)node)
				return depth > 0 ? open[depth - 1] : -ENOENT;
			if (depth == FDT_MAX_DEPTH)
				return -EINVAL;
			open[depth++] = (int)off;
		} else if (t.tag == TOK_END_NODE) {
			if (depth-- == 0)
				return -EINVAL;
		} else if (t.tag == TOK_END) {
			break;
		}
	}
	return -ENOENT;         /* node looked like a node but is not on the path */
}

/* A #...-cells value of `parent` (an fdt_parent result): the default when
 * there is no parent or no property. */
static int cells_of(const struct fdt *f, int parent, const char *name, int dflt)
{
	uint32_t len;
	const uint8_t *p;

	if (parent == -ENOENT)
		return dflt;
	if (parent < 0)
		return parent;
	p = fdt_prop(f, parent, name, &len);
	if (p == NULL)
		return dflt;
	if (len != 4 || be32(p) > 4)
		return -EINVAL;
	return (int)be32(p);
}

static int parent_cells(const struct fdt *f, int node, const char *name, int dflt)
{
	return cells_of(f, fdt_parent(f, node), name, dflt);
}

int fdt_address_cells(const struct fdt *f, int node)
{
	return parent_cells(f, node, "#address-cells", 2);
}

int fdt_size_cells(const struct fdt *f, int node)
{
	return parent_cells(f, node, "#size-cells", 1);
}

int fdt_reg(const struct fdt *f, int node, int index, uint64_t *base, uint64_t *size)
{
	/* One parent scan for both cell counts: fdt_parent walks from the
	 * root, the costliest step here. */
	int parent = fdt_parent(f, node);
	int ac = cells_of(f, parent, "#address-cells", 2), sc = cells_of(f, parent, "#size-cells", 1);
	uint32_t len, entry;
	const uint8_t *p;

	if (ac < 0 || sc < 0)
		return ac < 0 ? ac : sc;
	if (ac > 2 || sc > 2 || ac + sc == 0 || index < 0)
		return -EINVAL;
	p = fdt_prop(f, node, "reg", &len);
	if (p == NULL)
		return -ENOENT;
	entry = 4 * (uint32_t)(ac + sc);
	if (len % entry != 0)
		return -EINVAL;
	if ((uint32_t)index >= len / entry)
		return -ENOENT;
	p += (uint32_t)index * entry;
	*base = fdt_cells(p, ac);
	*size = fdt_cells(p + 4 * ac, sc);
	return 0;
}

bool fdt_is_enabled(const struct fdt *f, int node)
{
	struct tok t;
	uint32_t len;
	const char *s;

	if (node_begin(f, node, &t) < 0)
		return false;
	s = fdt_prop(f, node, "status", &len);
	if (s == NULL)
		return true;
	return memchr(s, 0, len) != NULL && (strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0);
}

int fdt_find_phandle(const struct fdt *f, uint32_t phandle)
{
	return next_where(f, -1, "phandle", is_u32, &phandle);
}
