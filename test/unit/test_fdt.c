/* Unit tests of kernel/fdt.c.
 *
 * Blobs come from a small writer below (nested nodes, cell sizes, string
 * lists, status, unit addresses), from hand-broken headers and structure
 * blocks, from byte flips and truncations of a valid blob, and, when
 * qemu-system-aarch64 is installed, from QEMU itself (-M virt,dumpdtb=...).
 * Every blob is read from an exact-size heap copy, so ASan reports any read
 * past its end.
 */
#define _GNU_SOURCE
#include "kernel/fdt.h"

#include "check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- A minimal DTB writer, for building test blobs ---- */

enum { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9 };

struct dtw {
	uint8_t st[16384];      /* structure block */
	uint32_t st_len;
	char str[4096];         /* strings block */
	uint32_t str_len;
	bool no_end;            /* leave out FDT_END (to test its absence) */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void w32(struct dtw *w, uint32_t v)
{
	put32(w->st + w->st_len, v);
	w->st_len += 4;
}

/* Raw bytes, zero-padded to the next token boundary. */
static void wbytes(struct dtw *w, const void *p, size_t n)
{
	memcpy(w->st + w->st_len, p, n);
	w->st_len += (uint32_t)n;
	while (w->st_len % 4)
		w->st[w->st_len++] = 0;
}

static uint32_t str_off(struct dtw *w, const char *name)
{
	for (uint32_t i = 0; i < w->str_len; i += (uint32_t)strlen(w->str + i) + 1)
		if (strcmp(w->str + i, name) == 0)
			return i;
	strcpy(w->str + w->str_len, name);
	w->str_len += (uint32_t)strlen(name) + 1;
	return w->str_len - (uint32_t)strlen(name) - 1;
}

static void begin(struct dtw *w, const char *name)
{
	w32(w, BEGIN_NODE);
	wbytes(w, name, strlen(name) + 1);
}

static void end(struct dtw *w)
{
	w32(w, END_NODE);
}

static void prop(struct dtw *w, const char *name, const void *val, size_t len)
{
	w32(w, PROP);
	w32(w, (uint32_t)len);
	w32(w, str_off(w, name));
	wbytes(w, val, len);
}

/* A string or string-list literal, with its final NUL: "a\0b" is a, b. */
#define prop_lit(w, name, lit) prop(w, name, lit, sizeof(lit))

static void prop_cells(struct dtw *w, const char *name, int n, ...)
{
	uint8_t v[64];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put32(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	prop(w, name, v, 4 * (size_t)n);
}

/* Header, empty reservation map, structure block, strings block, in a heap
 * buffer of exactly *size bytes. */
static uint8_t *dtw_blob(struct dtw *w, size_t *size)
{
	uint32_t st_len = w->st_len + (w->no_end ? 0 : 4);
	uint32_t st_off = 40 + 16, str_off_ = st_off + st_len;
	uint32_t total = str_off_ + w->str_len;
	uint8_t *b = calloc(1, total);

	put32(b, 0xd00dfeed);
	put32(b + 4, total);
	put32(b + 8, st_off);
	put32(b + 12, str_off_);
	put32(b + 16, 40);      /* memory reservation map: one empty entry */
	put32(b + 20, 17);
	put32(b + 24, 16);
	put32(b + 28, 0);
	put32(b + 32, w->str_len);
	put32(b + 36, st_len);
	memcpy(b + st_off, w->st, w->st_len);
	if (!w->no_end)
		put32(b + st_off + w->st_len, END);
	memcpy(b + str_off_, w->str, w->str_len);
	*size = total;
	return b;
}

static uint8_t *copy_of(const uint8_t *b, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	memcpy(c, b, n);
	return c;
}

/* ---- The sample tree used by most tests ---- */

/* Offset (in the structure block) of the bait property's value, which looks
 * like a BEGIN_NODE token but is not one. */
static uint32_t bait_off;

static void make_sample(struct dtw *w)
{
	static const uint8_t bait[8] = { 0, 0, 0, BEGIN_NODE, 0, 0, 0, 0 };

	memset(w, 0, sizeof(*w));
	begin(w, "");
	prop_cells(w, "#address-cells", 1, 2);
	prop_cells(w, "#size-cells", 1, 2);
	prop_lit(w, "compatible", "test,board\0test,generic");
	w32(w, NOP);
	prop_lit(w, "model", "skiff test");

	begin(w, "chosen");
	prop_lit(w, "bootargs", "console=ttyAMA0 -- x");
	prop(w, "empty", "", 0);
	end(w);

	begin(w, "memory@40000000");
	prop_lit(w, "device_type", "memory");
	prop_cells(w, "reg", 8, 0, 0x40000000, 0, 0x10000000, 1, 0, 0, 0x1000);
	end(w);

	begin(w, "memory@80000000");
	prop_lit(w, "device_type", "memory");
	prop_lit(w, "status", "disabled");
	prop_cells(w, "reg", 4, 0, 0x80000000, 0x1, 0x0);
	end(w);

	begin(w, "soc");
	prop_cells(w, "#address-cells", 1, 1);
	prop_cells(w, "#size-cells", 1, 1);
	prop_lit(w, "compatible", "simple-bus");
	begin(w, "uart@9000000");
	prop_lit(w, "compatible", "arm,pl011\0arm,primecell");
	prop_cells(w, "reg", 2, 0x9000000, 0x1000);
	prop_cells(w, "interrupts", 3, 0, 1, 4);
	end(w);
	begin(w, "uart@9010000");
	prop_lit(w, "compatible", "arm,pl011\0arm,primecell");
	prop_cells(w, "reg", 2, 0x9010000, 0x1000);
	prop_lit(w, "status", "disabled");
	end(w);
	begin(w, "gic@8000000");
	prop_lit(w, "compatible", "arm,cortex-a15-gic");
	prop_cells(w, "reg", 4, 0x8000000, 0x10000, 0x8010000, 0x10000);
	prop(w, "interrupt-controller", "", 0);
	end(w);
	begin(w, "bus21");
	prop_cells(w, "#address-cells", 1, 2);
	prop_cells(w, "#size-cells", 1, 1);
	begin(w, "dev@1,0");
	prop_cells(w, "reg", 6, 1, 0, 0x100, 2, 0x20, 0x200);
	prop_lit(w, "status", "okay");
	end(w);
	end(w);
	begin(w, "deep");
	begin(w, "leaf");       /* "deep" has no cells: defaults 2/1 */
	prop_cells(w, "reg", 3, 0x12, 0x34567890, 0x42);
	prop_lit(w, "status", "okay\0");  /* list: first string counts */
	end(w);
	end(w);
	begin(w, "pci");
	prop_cells(w, "#address-cells", 1, 3);
	prop_cells(w, "#size-cells", 1, 2);
	begin(w, "ep");
	prop_cells(w, "reg", 5, 0, 0, 0, 0, 0);
	end(w);
	end(w);
	begin(w, "odd");
	prop_cells(w, "#address-cells", 1, 5);
	prop_cells(w, "#size-cells", 2, 1, 1);
	begin(w, "x");
	prop_cells(w, "reg", 2, 1, 2);
	end(w);
	end(w);
	begin(w, "bad-reg");
	prop_cells(w, "reg", 3, 1, 2, 3);  /* 1/1 cells: not whole pairs */
	prop(w, "bait", bait, sizeof(bait));
	bait_off = w->st_len - 8;
	prop_lit(w, "status", "okay");
	prop(w, "unterminated", "okay", 4);
	end(w);
	end(w);                  /* soc */

	begin(w, "psci");
	prop_lit(w, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
	prop_lit(w, "method", "hvc");
	prop_lit(w, "status", "ok");
	end(w);

	begin(w, "cpus");
	prop_cells(w, "#address-cells", 1, 1);
	prop_cells(w, "#size-cells", 1, 0);
	begin(w, "cpu@0");
	prop_lit(w, "device_type", "cpu");
	prop_cells(w, "reg", 1, 0);
	end(w);
	begin(w, "cpu@1");
	prop_lit(w, "device_type", "cpu");
	prop_cells(w, "reg", 1, 1);
	prop_lit(w, "status", "fail");
	end(w);
	end(w);

	begin(w, "uart");         /* no unit address, at the root */
	prop_lit(w, "status", "okay");
	prop_lit(w, "unterminated-status", "ok");
	end(w);
	end(w);                  /* root */
}

static uint8_t *sample_blob(size_t *size)
{
	static struct dtw w;

	make_sample(&w);
	return dtw_blob(&w, size);
}

/* ---- Tests of well-formed blobs ---- */

static void test_header(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;

	CHECK_INT(fdt_total_size(b), n);
	CHECK_INT(fdt_open(&f, b, n), 0);
	CHECK(f.blob == b);
	CHECK_INT(f.size, n);
	CHECK_INT(f.struct_off, 56);
	CHECK_INT(f.strings_off, 56 + f.struct_size);
	CHECK_INT(fdt_open(&f, b, n + 100), 0);    /* max_size is only a limit */
	/* Version 16 has no size_dt_struct; the block runs to totalsize. */
	put32(b + 20, 16);
	put32(b + 36, 0xffffffff);
	CHECK_INT(fdt_open(&f, b, n), 0);
	CHECK_INT(f.struct_size, (n - 56) & ~3u);
	CHECK(fdt_path(&f, "/soc/uart@9010000") > 0);
	free(b);
}

static void test_path(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;
	int soc, uart0, uart1;

	CHECK_INT(fdt_open(&f, b, n), 0);
	CHECK_INT(fdt_path(&f, "/"), 0);
	CHECK(fdt_path(&f, "/chosen") > 0);
	CHECK_INT(fdt_path(&f, "/chosen/"), fdt_path(&f, "/chosen"));
	CHECK_INT(fdt_path(&f, "//chosen"), fdt_path(&f, "/chosen"));
	CHECK_INT(fdt_path(&f, "/memory"), fdt_path(&f, "/memory@40000000"));
	CHECK(fdt_path(&f, "/memory@80000000") > fdt_path(&f, "/memory@40000000"));
	soc = fdt_path(&f, "/soc");
	uart0 = fdt_path(&f, "/soc/uart@9000000");
	uart1 = fdt_path(&f, "/soc/uart@9010000");
	CHECK(soc > 0 && uart0 > soc && uart1 > uart0);
	CHECK_INT(fdt_path(&f, "/soc/uart"), uart0);
	/* The root's own "uart" (no unit address) is a different node. */
	CHECK(fdt_path(&f, "/uart") > uart1);
	CHECK(fdt_path(&f, "/soc/bus21/dev@1,0") > 0);
	CHECK_INT(fdt_path(&f, "/soc/bus21/dev"), fdt_path(&f, "/soc/bus21/dev@1,0"));
	CHECK(fdt_path(&f, "/soc/deep/leaf") > 0);
	CHECK_INT(fdt_path(&f, "/soc/uart@9"), -ENOENT);          /* no unit prefixes */
	CHECK_INT(fdt_path(&f, "/soc/uart@90000000"), -ENOENT);
	CHECK_INT(fdt_path(&f, "/cho"), -ENOENT);                 /* no name prefixes */
	CHECK_INT(fdt_path(&f, "/chosenx"), -ENOENT);
	CHECK_INT(fdt_path(&f, "/chosen/bootargs"), -ENOENT);     /* a property */
	CHECK_INT(fdt_path(&f, "/leaf"), -ENOENT);                /* not a child of / */
	CHECK_INT(fdt_path(&f, "/soc/leaf"), -ENOENT);            /* a grandchild */
	CHECK_INT(fdt_path(&f, "/psci/x"), -ENOENT);
	CHECK_INT(fdt_path(&f, "chosen"), -ENOENT);
	CHECK_INT(fdt_path(&f, ""), -ENOENT);
	free(b);
}

static void test_prop(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;
	uint32_t len = 99, v = 0;
	const char *s;
	int chosen, soc;

	CHECK_INT(fdt_open(&f, b, n), 0);
	chosen = fdt_path(&f, "/chosen");
	soc = fdt_path(&f, "/soc");
	s = fdt_prop(&f, chosen, "bootargs", &len);
	CHECK_STR(s, "console=ttyAMA0 -- x");
	CHECK_INT(len, sizeof("console=ttyAMA0 -- x"));
	CHECK(fdt_prop(&f, chosen, "bootargs", NULL) == s);
	CHECK(fdt_prop(&f, chosen, "empty", &len) != NULL);
	CHECK_INT(len, 0);
	CHECK(fdt_prop(&f, chosen, "boot", NULL) == NULL);
	CHECK(fdt_prop(&f, chosen, "bootargsx", NULL) == NULL);
	/* The model comes after a NOP; reg of children is not the root's. */
	CHECK_STR(fdt_prop(&f, 0, "model", NULL), "skiff test");
	CHECK(fdt_prop(&f, 0, "reg", NULL) == NULL);
	CHECK(fdt_prop(&f, soc, "status", NULL) == NULL);
	CHECK(fdt_prop_u32(&f, soc, "#size-cells", &v) && v == 1);
	CHECK(!fdt_prop_u32(&f, soc, "compatible", &v));         /* 11 bytes */
	CHECK(!fdt_prop_u32(&f, chosen, "empty", &v));
	CHECK(!fdt_prop_u32(&f, chosen, "nothing", &v));
	CHECK(!fdt_prop_u32(&f, fdt_path(&f, "/soc/uart"), "interrupts", &v));
	/* Bad node offsets: negative, unaligned, past the end, not a node. */
	CHECK(fdt_prop(&f, -1, "model", NULL) == NULL);
	CHECK(fdt_prop(&f, 2, "model", NULL) == NULL);
	CHECK(fdt_prop(&f, (int)f.struct_size, "model", NULL) == NULL);
	CHECK(fdt_prop(&f, 0x7ffffffc, "model", NULL) == NULL);
	CHECK(fdt_prop(&f, 4, "model", NULL) == NULL);          /* inside the root's header */
	CHECK(!fdt_prop_u32(&f, -4, "reg", &v));
	free(b);
}

static void test_cells(void)
{
	uint32_t out[2];
	uint8_t raw[8] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };

	CHECK(fdt_cells(raw, 1) == 0x12345678u);
	CHECK(fdt_cells(raw, 2) == 0x123456789abcdef0ull);
	CHECK(fdt_cells(raw, 0) == 0);
	CHECK(fdt_cells(raw + 1, 1) == 0x3456789a);              /* unaligned */
	memcpy(out, raw, 8);
	CHECK(fdt_cells(out, 2) == 0x123456789abcdef0ull);
}

/* fdt_reg's result as one value for CHECK_INT, and its outputs. */
static uint64_t rb, rs;
static int reg(const struct fdt *f, const char *path, int i)
{
	rb = rs = 0xdead;
	return fdt_reg(f, fdt_path(f, path), i, &rb, &rs);
}

static void test_reg(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;

	CHECK_INT(fdt_open(&f, b, n), 0);
	/* 2/2 from the root. */
	CHECK_INT(fdt_address_cells(&f, fdt_path(&f, "/memory")), 2);
	CHECK_INT(fdt_size_cells(&f, fdt_path(&f, "/memory")), 2);
	CHECK_INT(reg(&f, "/memory@40000000", 0), 0);
	CHECK(rb == 0x40000000 && rs == 0x10000000);
	CHECK_INT(reg(&f, "/memory@40000000", 1), 0);
	CHECK(rb == 0x100000000ull && rs == 0x1000);
	CHECK_INT(reg(&f, "/memory@40000000", 2), -ENOENT);
	CHECK_INT(reg(&f, "/memory@40000000", -1), -EINVAL);
	CHECK_INT(reg(&f, "/memory@80000000", 0), 0);
	CHECK(rb == 0x80000000u && rs == 0x100000000ull);
	/* 1/1 from soc. */
	CHECK_INT(fdt_address_cells(&f, fdt_path(&f, "/soc/gic")), 1);
	CHECK_INT(reg(&f, "/soc/uart@9010000", 0), 0);
	CHECK(rb == 0x9010000 && rs == 0x1000);
	CHECK_INT(reg(&f, "/soc/gic", 0), 0);
	CHECK(rb == 0x8000000 && rs == 0x10000);
	CHECK_INT(reg(&f, "/soc/gic", 1), 0);
	CHECK(rb == 0x8010000 && rs == 0x10000);
	CHECK_INT(reg(&f, "/soc/gic", 2), -ENOENT);
	/* 2/1 from bus21. */
	CHECK_INT(reg(&f, "/soc/bus21/dev", 1), 0);
	CHECK(rb == 0x200000020ull && rs == 0x200);
	/* Defaults 2/1: deep has no #cells, and soc's do not reach its child. */
	CHECK_INT(fdt_address_cells(&f, fdt_path(&f, "/soc/deep/leaf")), 2);
	CHECK_INT(fdt_size_cells(&f, fdt_path(&f, "/soc/deep/leaf")), 1);
	CHECK_INT(reg(&f, "/soc/deep/leaf", 0), 0);
	CHECK(rb == 0x1234567890ull && rs == 0x42);
	CHECK_INT(fdt_address_cells(&f, 0), 2);                  /* the root */
	CHECK_INT(fdt_size_cells(&f, 0), 1);
	/* 1/0: cpu nodes have addresses only. */
	CHECK_INT(reg(&f, "/cpus/cpu@1", 0), 0);
	CHECK(rb == 1 && rs == 0);
	/* 3 address cells (PCI) are legal but do not fit in 64 bits. */
	CHECK_INT(fdt_address_cells(&f, fdt_path(&f, "/soc/pci/ep")), 3);
	CHECK_INT(reg(&f, "/soc/pci/ep", 0), -EINVAL);
	/* #address-cells 5 and an 8-byte #size-cells are malformed. */
	CHECK_INT(fdt_address_cells(&f, fdt_path(&f, "/soc/odd/x")), -EINVAL);
	CHECK_INT(fdt_size_cells(&f, fdt_path(&f, "/soc/odd/x")), -EINVAL);
	CHECK_INT(reg(&f, "/soc/odd/x", 0), -EINVAL);
	CHECK_INT(reg(&f, "/soc/bad-reg", 0), -EINVAL);
	CHECK_INT(reg(&f, "/chosen", 0), -ENOENT);               /* no reg */
	CHECK_INT(reg(&f, "/nothing", 0), -EINVAL);              /* no node */
	CHECK_INT(fdt_address_cells(&f, 3), -EINVAL);
	free(b);
}

static void test_compatible(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;
	int a, c;

	CHECK_INT(fdt_open(&f, b, n), 0);
	a = fdt_next_compatible(&f, -1, "arm,pl011");
	CHECK_INT(a, fdt_path(&f, "/soc/uart@9000000"));
	a = fdt_next_compatible(&f, a, "arm,pl011");
	CHECK_INT(a, fdt_path(&f, "/soc/uart@9010000"));
	CHECK_INT(fdt_next_compatible(&f, a, "arm,pl011"), -ENOENT);
	/* Second entry of a list; the root itself; no prefix matches. */
	CHECK_INT(fdt_next_compatible(&f, -1, "arm,primecell"), fdt_path(&f, "/soc/uart"));
	CHECK_INT(fdt_next_compatible(&f, -1, "test,generic"), 0);
	CHECK_INT(fdt_next_compatible(&f, 0, "test,generic"), -ENOENT);
	CHECK_INT(fdt_next_compatible(&f, -1, "arm,psci"), fdt_path(&f, "/psci"));
	CHECK_INT(fdt_next_compatible(&f, -1, "arm,psci-0"), -ENOENT);
	CHECK_INT(fdt_next_compatible(&f, -1, "arm,pl011\0arm,primecell"),
	          fdt_path(&f, "/soc/uart"));            /* C string stops at the NUL */
	CHECK_INT(fdt_next_compatible(&f, -1, "arm,pl0"), -ENOENT);
	CHECK_INT(fdt_next_compatible(&f, -1, "arm"), -ENOENT);
	CHECK_INT(fdt_next_compatible(&f, -1, "simple-bus"), fdt_path(&f, "/soc"));
	/* Depth-first: a node's children come before its next sibling. */
	CHECK_INT(fdt_next_compatible(&f, fdt_path(&f, "/soc"), "arm,psci"),
	          fdt_path(&f, "/psci"));
	/* Memory nodes, disabled or not (the caller decides). */
	a = fdt_next_device_type(&f, -1, "memory");
	c = fdt_next_device_type(&f, a, "memory");
	CHECK_INT(a, fdt_path(&f, "/memory@40000000"));
	CHECK_INT(c, fdt_path(&f, "/memory@80000000"));
	CHECK_INT(fdt_next_device_type(&f, c, "memory"), -ENOENT);
	CHECK_INT(fdt_next_device_type(&f, -1, "cpu"), fdt_path(&f, "/cpus/cpu@0"));
	CHECK_INT(fdt_next_device_type(&f, -1, "mem"), -ENOENT);
	/* Bad starting points. */
	CHECK_INT(fdt_next_compatible(&f, -2, "arm,pl011"), -EINVAL);
	CHECK_INT(fdt_next_compatible(&f, 1, "arm,pl011"), -EINVAL);
	CHECK_INT(fdt_next_compatible(&f, (int)f.struct_size, "arm,pl011"), -EINVAL);
	CHECK_INT(fdt_next_compatible(&f, (int)f.struct_size - 4, "arm,pl011"), -EINVAL);
	free(b);
}

static void test_parent_status(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;

	CHECK_INT(fdt_open(&f, b, n), 0);
	CHECK_INT(fdt_parent(&f, 0), -ENOENT);
	CHECK_INT(fdt_parent(&f, fdt_path(&f, "/chosen")), 0);
	CHECK_INT(fdt_parent(&f, fdt_path(&f, "/psci")), 0);
	CHECK_INT(fdt_parent(&f, fdt_path(&f, "/soc/bus21/dev")), fdt_path(&f, "/soc/bus21"));
	CHECK_INT(fdt_parent(&f, fdt_path(&f, "/soc/deep/leaf")), fdt_path(&f, "/soc/deep"));
	CHECK_INT(fdt_parent(&f, fdt_path(&f, "/soc/deep")), fdt_path(&f, "/soc"));
	CHECK_INT(fdt_parent(&f, -1), -EINVAL);
	CHECK_INT(fdt_parent(&f, 6), -EINVAL);
	CHECK_INT(fdt_parent(&f, 4), -EINVAL);
	CHECK_INT(fdt_parent(&f, (int)f.struct_size), -EINVAL);
	/* A property value that looks like a BEGIN_NODE is not a node. */
	CHECK_INT(fdt_parent(&f, (int)bait_off), -ENOENT);
	CHECK(fdt_prop(&f, (int)bait_off, "status", NULL) != NULL);  /* harmless */

	CHECK(fdt_is_enabled(&f, 0));                              /* no status */
	CHECK(fdt_is_enabled(&f, fdt_path(&f, "/soc/uart@9000000")));
	CHECK(!fdt_is_enabled(&f, fdt_path(&f, "/soc/uart@9010000")));
	CHECK(!fdt_is_enabled(&f, fdt_path(&f, "/memory@80000000")));
	CHECK(fdt_is_enabled(&f, fdt_path(&f, "/psci")));          /* "ok" */
	CHECK(fdt_is_enabled(&f, fdt_path(&f, "/soc/bus21/dev")));  /* "okay" */
	CHECK(fdt_is_enabled(&f, fdt_path(&f, "/soc/deep/leaf")));  /* "okay\0" */
	CHECK(!fdt_is_enabled(&f, fdt_path(&f, "/cpus/cpu@1")));    /* "fail" */
	CHECK(!fdt_is_enabled(&f, -1));
	CHECK(!fdt_is_enabled(&f, 2));
	free(b);
}

/* Status values are only read as strings when NUL-terminated in the value:
 * a 4-byte "okay" without its NUL is not "okay". */
static void test_status_unterminated(void)
{
	struct dtw w = { 0 };
	size_t n;
	uint8_t *b;
	struct fdt f;

	begin(&w, "");
	begin(&w, "a");
	prop(&w, "status", "okay", 4);
	end(&w);
	begin(&w, "b");
	prop(&w, "status", "ok", 2);
	end(&w);
	begin(&w, "c");
	prop(&w, "status", "", 0);
	end(&w);
	end(&w);
	b = dtw_blob(&w, &n);
	CHECK_INT(fdt_open(&f, b, n), 0);
	CHECK(!fdt_is_enabled(&f, fdt_path(&f, "/a")));
	CHECK(!fdt_is_enabled(&f, fdt_path(&f, "/b")));
	CHECK(!fdt_is_enabled(&f, fdt_path(&f, "/c")));
	free(b);
}

/* A compatible list whose last string lacks its NUL matches only the
 * complete strings before it. */
static void test_list_unterminated(void)
{
	struct dtw w = { 0 };
	size_t n;
	uint8_t *b;
	struct fdt f;

	begin(&w, "");
	begin(&w, "a");
	prop(&w, "compatible", "x\0yz", 4);
	end(&w);
	end(&w);
	b = dtw_blob(&w, &n);
	CHECK_INT(fdt_open(&f, b, n), 0);
	CHECK_INT(fdt_next_compatible(&f, -1, "x"), fdt_path(&f, "/a"));
	CHECK_INT(fdt_next_compatible(&f, -1, "yz"), -ENOENT);
	CHECK_INT(fdt_next_compatible(&f, -1, "y"), -ENOENT);
	free(b);
}

/* ---- Malformed blobs ---- */

/* fdt_open's result on an exact-size copy of b with the 32-bit header field
 * at `field` set to v. */
static int open_patched(const uint8_t *b, size_t n, int field, uint32_t v)
{
	uint8_t *c = copy_of(b, n);
	struct fdt f;
	int r;

	put32(c + field, v);
	r = fdt_open(&f, c, n);
	free(c);
	return r;
}

static void test_bad_header(void)
{
	size_t n;
	uint8_t *b = sample_blob(&n);
	struct fdt f;
	uint32_t st_off = get32(b + 8), st_size = get32(b + 36);
	uint32_t str_off_ = get32(b + 12), str_size = get32(b + 32);

	CHECK_INT(open_patched(b, n, 0, 0xedfe0dd0), -EINVAL);     /* little-endian magic */
	b[0] ^= 1;
	CHECK_INT(fdt_total_size(b), 0);
	b[0] ^= 1;
	CHECK_INT(open_patched(b, n, 20, 15), -EINVAL);            /* version */
	CHECK_INT(open_patched(b, n, 24, 18), -EINVAL);            /* last_comp_version */
	CHECK_INT(open_patched(b, n, 24, 17), 0);
	CHECK_INT(open_patched(b, n, 4, (uint32_t)n + 1), -EINVAL);  /* totalsize */
	CHECK_INT(open_patched(b, n, 4, 39), -EINVAL);
	CHECK_INT(open_patched(b, n, 4, 0x80000000), -EINVAL);
	CHECK_INT(fdt_open(&f, b, n - 1), -EINVAL);                /* max_size */
	CHECK_INT(fdt_open(&f, b, 39), -EINVAL);
	CHECK_INT(fdt_open(&f, NULL, n), -EINVAL);
	/* Structure block out of range, overflowing, unaligned, in the header. */
	CHECK_INT(open_patched(b, n, 8, (uint32_t)n), -EINVAL);
	CHECK_INT(open_patched(b, n, 8, (uint32_t)n + 4), -EINVAL);
	CHECK_INT(open_patched(b, n, 8, 0xfffffff0), -EINVAL);
	CHECK_INT(open_patched(b, n, 8, st_off + 2), -EINVAL);
	CHECK_INT(open_patched(b, n, 8, 0), -EINVAL);
	CHECK_INT(open_patched(b, n, 8, 36), -EINVAL);
	CHECK_INT(open_patched(b, n, 36, (uint32_t)n - st_off + 4), -EINVAL);
	CHECK_INT(open_patched(b, n, 36, 0xfffffffc), -EINVAL);
	CHECK_INT(open_patched(b, n, 36, st_size - 2), -EINVAL);
	CHECK_INT(open_patched(b, n, 36, 0), -EINVAL);            /* no tokens at all */
	CHECK_INT(open_patched(b, n, 36, st_size - 4), -EINVAL);  /* FDT_END cut off */
	/* Strings block out of range or cut short. */
	CHECK_INT(open_patched(b, n, 12, str_off_ + 1), -EINVAL);
	CHECK_INT(open_patched(b, n, 12, 0xffffffff), -EINVAL);
	CHECK_INT(open_patched(b, n, 32, str_size + 1), -EINVAL);
	CHECK_INT(open_patched(b, n, 32, 0xffffffff), -EINVAL);
	CHECK_INT(open_patched(b, n, 32, str_size - 1), -EINVAL); /* last name loses its NUL */
	CHECK_INT(open_patched(b, n, 32, 0), -EINVAL);
	/* Memory reservation map unaligned or outside. */
	CHECK_INT(open_patched(b, n, 16, 44), -EINVAL);
	CHECK_INT(open_patched(b, n, 16, (uint32_t)n + 8), -EINVAL);
	free(b);
}

/* Opens a structure block written by hand: fdt_open's result. */
static int open_struct(struct dtw *w)
{
	size_t n;
	uint8_t *b = dtw_blob(w, &n);
	struct fdt f;
	int r = fdt_open(&f, b, n);

	free(b);
	return r;
}

static void test_bad_struct(void)
{
	static struct dtw w;
	char name[64];

	/* Truncated property length: the value runs past the block. */
	memset(&w, 0, sizeof(w));
	begin(&w, "");
	w32(&w, PROP);
	w32(&w, 1000);
	w32(&w, str_off(&w, "reg"));
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);
	/* A length that wraps offset + length around to the property's own
	 * token: without the check a walker would loop forever. */
	put32(w.st + 12, 0xfffffff4);
	CHECK_INT(open_struct(&w), -EINVAL);

	/* Property header itself cut off by the end of the block. */
	memset(&w, 0, sizeof(w));
	w.no_end = true;
	begin(&w, "");
	w32(&w, PROP);
	w32(&w, 0);
	CHECK_INT(open_struct(&w), -EINVAL);

	/* Name offset at and past the strings block's end. */
	memset(&w, 0, sizeof(w));
	begin(&w, "");
	prop_lit(&w, "a", "x");
	put32(w.st + w.st_len - 8, 2);   /* strings are "a\0": size 2 */
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);
	put32(w.st + w.st_len - 12, 0x7fffffff);
	CHECK_INT(open_struct(&w), -EINVAL);
	put32(w.st + w.st_len - 12, 1);  /* the NUL: an empty name is fine */
	CHECK_INT(open_struct(&w), 0);

	/* Unterminated node name: runs to the end of the block. */
	memset(&w, 0, sizeof(w));
	w.no_end = true;
	begin(&w, "");
	w32(&w, BEGIN_NODE);
	memset(name, 'a', sizeof(name));
	memcpy(w.st + w.st_len, name, sizeof(name));
	w.st_len += sizeof(name);
	CHECK_INT(open_struct(&w), -EINVAL);

	/* Missing FDT_END, unbalanced nodes, two roots, stray tokens. */
	memset(&w, 0, sizeof(w));
	w.no_end = true;
	begin(&w, "");
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);
	w.no_end = false;
	CHECK_INT(open_struct(&w), 0);
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);         /* END_NODE at depth 0 */
	memset(&w, 0, sizeof(w));
	begin(&w, "");
	CHECK_INT(open_struct(&w), -EINVAL);         /* END inside the root */
	end(&w);
	begin(&w, "");
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);         /* second root */
	memset(&w, 0, sizeof(w));
	prop_lit(&w, "a", "x");
	begin(&w, "");
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);         /* property outside any node */
	memset(&w, 0, sizeof(w));
	begin(&w, "");
	w32(&w, 5);
	end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);         /* unknown token */
	memset(&w, 0, sizeof(w));
	CHECK_INT(open_struct(&w), -EINVAL);         /* FDT_END only, no root */
	/* NOPs before the root and after it are legal. */
	w32(&w, NOP);
	begin(&w, "");
	begin(&w, "a");
	end(&w);
	end(&w);
	w32(&w, NOP);
	CHECK_INT(open_struct(&w), 0);
	{
		size_t n;
		uint8_t *b = dtw_blob(&w, &n);
		struct fdt f;

		CHECK_INT(fdt_open(&f, b, n), 0);
		CHECK_INT(fdt_path(&f, "/"), 4);
		CHECK_INT(fdt_path(&f, "/a"), 12);
		CHECK_INT(fdt_parent(&f, 12), 4);
		free(b);
	}
}

/* FDT_MAX_DEPTH nested nodes are fine; one more is malformed. */
static void test_depth(void)
{
	static struct dtw w;
	char path[3 * FDT_MAX_DEPTH + 1] = "";
	size_t n;
	uint8_t *b;
	struct fdt f;
	int node, parent;

	memset(&w, 0, sizeof(w));
	begin(&w, "");
	for (int i = 1; i < FDT_MAX_DEPTH; i++) {
		begin(&w, "n");
		strcat(path, "/n");
	}
	prop_cells(&w, "reg", 3, 1, 2, 3);
	for (int i = 0; i < FDT_MAX_DEPTH; i++)
		end(&w);
	b = dtw_blob(&w, &n);
	CHECK_INT(fdt_open(&f, b, n), 0);
	node = fdt_path(&f, path);
	CHECK(node > 0);
	parent = fdt_parent(&f, node);
	CHECK(parent > 0 && parent < node);
	CHECK_INT(fdt_address_cells(&f, node), 2);
	CHECK_INT(fdt_reg(&f, node, 0, &rb, &rs), 0);
	CHECK(rb == 0x100000002ull && rs == 3);
	free(b);

	memset(&w, 0, sizeof(w));
	for (int i = 0; i <= FDT_MAX_DEPTH; i++)
		begin(&w, "n");
	for (int i = 0; i <= FDT_MAX_DEPTH; i++)
		end(&w);
	CHECK_INT(open_struct(&w), -EINVAL);
}

/* ---- Mutated blobs: nothing may crash, every answer must stay in range ---- */

static long fuzz_opened, fuzz_calls, fuzz_bad;

#define FUZZ_EXPECT(cond)                                                      \
	do {                                                                   \
		if (!(cond) && fuzz_bad++ < 10)                                \
			fprintf(stderr, "%s:%d: fuzz: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

static bool node_ok(const struct fdt *f, int node)
{
	if (node < 0)
		return node == -EINVAL || node == -ENOENT;
	return node % 4 == 0 && (uint32_t)node < f->struct_size;
}

/* Every per-node call on one node offset, valid or not. */
static void poke_node(const struct fdt *f, int node)
{
	static const char *const names[] = { "reg", "compatible", "status", "#address-cells", "" };
	uint64_t base, size;
	uint32_t len, v;
	int r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const uint8_t *p = fdt_prop(f, node, names[i], &len);

		FUZZ_EXPECT(p == NULL || (p >= f->blob + f->struct_off &&
		            len <= (uint32_t)(f->blob + f->struct_off + f->struct_size - p)));
		if (p != NULL)
			v = (uint32_t)fdt_cells(p, len >= 8 ? 2 : len >= 4 ? 1 : 0);
	}
	(void)fdt_prop_u32(f, node, "#size-cells", &v);
	FUZZ_EXPECT(node_ok(f, fdt_parent(f, node)));
	r = fdt_address_cells(f, node);
	FUZZ_EXPECT(r == -EINVAL || r == -ENOENT || (r >= 0 && r <= 4));
	r = fdt_size_cells(f, node);
	FUZZ_EXPECT(r == -EINVAL || r == -ENOENT || (r >= 0 && r <= 4));
	for (int i = 0; i < 3; i++) {
		r = fdt_reg(f, node, i, &base, &size);
		FUZZ_EXPECT(r == 0 || r == -EINVAL || r == -ENOENT);
	}
	(void)fdt_is_enabled(f, node);
	fuzz_calls += 13;
}

/* Follows fdt_next_* from the start; the offsets must strictly increase. */
static void walk(const struct fdt *f, bool device_type, const char *what, bool poke)
{
	int prev = -1, node;

	for (int i = 0; i < 1000; i++) {
		node = device_type ? fdt_next_device_type(f, prev, what)
		                   : fdt_next_compatible(f, prev, what);
		fuzz_calls++;
		FUZZ_EXPECT(node_ok(f, node));
		if (node < 0)
			return;
		FUZZ_EXPECT(node > prev);
		if (poke)
			poke_node(f, node);
		prev = node;
	}
	FUZZ_EXPECT(!"fdt_next_* did not end");
}

/* Every API function on an exact-size copy of buf[0..len). sweep: also try
 * every aligned offset of the structure block as a node. */
static void exercise(const uint8_t *buf, size_t len, bool sweep)
{
	static const char *const paths[] = {
		"/", "/chosen", "/memory", "/soc/uart", "/soc/bus21/dev", "/soc/deep/leaf",
		"/cpus/cpu@1", "/psci", "/uart", "/soc/bad-reg",
	};
	uint8_t *c = copy_of(buf, len);
	struct fdt f;
	int r = fdt_open(&f, c, len);

	FUZZ_EXPECT(r == 0 || r == -EINVAL);
	fuzz_calls++;
	if (r == 0) {
		fuzz_opened++;
		FUZZ_EXPECT(f.size <= len);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			int node = fdt_path(&f, paths[i]);

			FUZZ_EXPECT(node_ok(&f, node));
			poke_node(&f, node);
		}
		walk(&f, false, "arm,pl011", true);
		walk(&f, false, "simple-bus", false);
		walk(&f, true, "memory", true);
		walk(&f, true, "cpu", false);
		if (sweep)
			for (int node = -8; node < (int)f.struct_size + 8; node += 4)
				poke_node(&f, node);
		poke_node(&f, 1);
		poke_node(&f, 0x7ffffffc);
	}
	free(c);
}

static void test_fuzz(void)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	static const uint32_t words[] = { BEGIN_NODE, END_NODE, PROP, NOP, END, 0, 0xffffffff };
	size_t n;
	uint8_t *b = sample_blob(&n), *m = malloc(n);
	uint32_t seed = 12345;
	long tried = 0;

	exercise(b, n, true);
	CHECK_INT(fuzz_opened, 1);
	/* Every byte, three ways. */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(masks); k++) {
			memcpy(m, b, n);
			m[i] ^= masks[k];
			exercise(m, n, i % 8 == 0);
			tried++;
		}
	}
	/* Every aligned word replaced by a token or an extreme value, so the
	 * walkers see structure damage and not only damaged values. */
	for (size_t i = 0; i + 4 <= n; i += 4) {
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			memcpy(m, b, n);
			put32(m + i, words[k]);
			exercise(m, n, k == 0);
			tried++;
		}
	}
	/* Truncated copies, with totalsize as it was and shrunk to match. */
	for (size_t len = 0; len <= n; len++) {
		memcpy(m, b, n);
		exercise(m, len, false);
		if (len >= 8)
			put32(m + 4, (uint32_t)len);
		exercise(m, len, false);
		tried += 2;
	}
	/* Pseudo-random damage: 1-4 bytes set to random values. */
	for (int i = 0; i < 4000; i++) {
		memcpy(m, b, n);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			m[(seed >> 8) % n] = (uint8_t)(seed >> 24);
		}
		exercise(m, n, i % 16 == 0);
		tried++;
	}
	printf("fuzz: %ld mutants of a %zu-byte blob, %ld opened, %ld calls\n",
	       tried, n, fuzz_opened, fuzz_calls);
	/* Both outcomes must be common, or the API calls after a successful
	 * open would hardly ever see damage. */
	CHECK(fuzz_opened > tried / 4);
	CHECK(fuzz_opened < tried * 3 / 4);
	CHECK_INT(fuzz_bad, 0);
	free(m);
	free(b);
}

/* ---- A real DTB from QEMU's virt machine ---- */

static char qdir[] = "/tmp/test_fdt.XXXXXX";

static void write_file(const char *path, size_t size)
{
	FILE *fp = fopen(path, "wb");

	for (size_t i = 0; fp && i < size; i++)
		fputc((int)(i & 0xff), fp);
	if (fp)
		fclose(fp);
}

/* Runs QEMU with -M virt,<machine>,dumpdtb=... (it writes the DTB and exits
 * without running a guest) and returns the file in an exact-size buffer.
 * -append needs -kernel, so a dummy kernel file is passed. */
static uint8_t *qemu_dtb(const char *machine, const char *extra, size_t *size)
{
	char cmd[1024], dtb[256];
	uint8_t *buf = NULL;
	FILE *fp;
	long len;

	snprintf(dtb, sizeof(dtb), "%s/virt.dtb", qdir);
	remove(dtb);
	snprintf(cmd, sizeof(cmd),
	         "qemu-system-aarch64 -M virt%s,dumpdtb=%s -cpu cortex-a72 -m 256M "
	         "-nographic -kernel %s/kernel %s </dev/null >%s/log 2>&1",
	         machine, dtb, qdir, extra, qdir);
	if (!CHECK(system(cmd) == 0)) {
		fprintf(stderr, "    %s\n", cmd);
		return NULL;
	}
	fp = fopen(dtb, "rb");
	if (!CHECK(fp != NULL))
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len);
	if (!CHECK(fread(buf, 1, (size_t)len, fp) == (size_t)len)) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*size = (size_t)len;
	return buf;
}

static void test_qemu_virt(void)
{
	size_t n;
	uint8_t *b;
	struct fdt f;
	uint32_t len, v;
	const char *s;
	int node, count = 0, uart;
	uint64_t base, size, first = 0, last = 0;

	b = qemu_dtb("", "-append \"hello -- a b\" -device virtio-net-device", &n);
	if (b == NULL)
		return;
	CHECK_INT(fdt_open(&f, b, n), 0);
	printf("qemu virt: file %zu bytes, totalsize %u, structure %u bytes, strings %u bytes\n",
	       n, fdt_total_size(b), f.struct_size, f.strings_size);
	CHECK_STR(fdt_prop(&f, fdt_path(&f, "/chosen"), "bootargs", NULL), "hello -- a b");
	/* Memory: one node, base 1 GiB, 2/2 cells from the root. */
	node = fdt_next_device_type(&f, -1, "memory");
	CHECK_INT(fdt_reg(&f, node, 0, &base, &size), 0);
	CHECK(base == 0x40000000 && size == 256 << 20);
	CHECK_INT(fdt_next_device_type(&f, node, "memory"), -ENOENT);
	/* UART. */
	uart = fdt_next_compatible(&f, -1, "arm,pl011");
	CHECK_INT(fdt_reg(&f, uart, 0, &base, &size), 0);
	CHECK(base == 0x9000000 && size == 0x1000);
	CHECK_INT(fdt_path(&f, "/pl011@9000000"), uart);
	CHECK_INT(fdt_path(&f, "/pl011"), uart);
	CHECK(fdt_is_enabled(&f, uart));
	s = fdt_prop(&f, fdt_path(&f, "/chosen"), "stdout-path", NULL);
	CHECK_STR(s, "/pl011@9000000");
	/* 32 virtio-mmio slots, 0x200 bytes each, 3 interrupt cells. */
	for (node = -1; (node = fdt_next_compatible(&f, node, "virtio,mmio")) >= 0; count++) {
		CHECK_INT(fdt_reg(&f, node, 0, &base, &size), 0);
		CHECK_INT(size, 0x200);
		CHECK(fdt_prop(&f, node, "interrupts", &len) != NULL && len == 12);
		if (count == 0)
			first = base;
		last = base;
	}
	CHECK_INT(node, -ENOENT);
	CHECK_INT(count, 32);
	printf("qemu virt: %d virtio,mmio nodes, first in the tree at %#llx, last at %#llx\n",
	       count, (unsigned long long)first, (unsigned long long)last);
	/* GICv2: distributor and CPU interface; #interrupt-cells 3. */
	node = fdt_next_compatible(&f, -1, "arm,cortex-a15-gic");
	CHECK(node > 0);
	CHECK_INT(fdt_reg(&f, node, 0, &base, &size), 0);
	CHECK_INT(base, 0x8000000);
	CHECK_INT(fdt_reg(&f, node, 1, &base, &size), 0);
	CHECK_INT(base, 0x8010000);
	CHECK_INT(fdt_reg(&f, node, 2, &base, &size), -ENOENT);
	CHECK(fdt_prop_u32(&f, node, "#interrupt-cells", &v) && v == 3);
	CHECK(fdt_prop(&f, node, "interrupt-controller", &len) != NULL && len == 0);
	CHECK_INT(fdt_next_compatible(&f, -1, "arm,gic-v3"), -ENOENT);
	/* The PCIe bridge's interrupt-map names the GIC by phandle. */
	CHECK(fdt_prop_u32(&f, node, "phandle", &v));
	CHECK_INT(fdt_find_phandle(&f, v), node);
	CHECK_INT(fdt_find_phandle(&f, 0xdeadbeef), -ENOENT);
	{
		int pcie = fdt_next_compatible(&f, -1, "pci-host-ecam-generic");
		const uint8_t *map = fdt_prop(&f, pcie, "interrupt-map", &len);
		CHECK(pcie > 0 && map != NULL && len >= 40);
		if (map && len >= 40)
			CHECK_INT(fdt_find_phandle(&f, (uint32_t)fdt_cells(map + 16, 1)), node);
	}
	/* PSCI and the CPU. */
	s = fdt_prop(&f, fdt_path(&f, "/psci"), "method", NULL);
	CHECK(s != NULL && (strcmp(s, "hvc") == 0 || strcmp(s, "smc") == 0));
	printf("qemu virt: psci method %s, compatible %s\n", s ? s : "(none)",
	       (const char *)fdt_prop(&f, fdt_path(&f, "/psci"), "compatible", NULL));
	node = fdt_next_device_type(&f, -1, "cpu");
	CHECK_STR(fdt_prop(&f, node, "compatible", NULL), "arm,cortex-a72");
	CHECK_INT(fdt_address_cells(&f, node), 1);
	CHECK_INT(fdt_size_cells(&f, node), 0);
	CHECK_INT(fdt_reg(&f, node, 0, &base, &size), 0);
	CHECK(base == 0 && size == 0);
	CHECK(fdt_next_compatible(&f, -1, "arm,armv8-timer") > 0);
	exercise(b, n, true);      /* the whole API on a real blob, no crash */
	free(b);

	b = qemu_dtb(",gic-version=3", "", &n);
	if (b != NULL) {
		CHECK_INT(fdt_open(&f, b, n), 0);
		node = fdt_next_compatible(&f, -1, "arm,gic-v3");
		CHECK(node > 0);
		CHECK_INT(fdt_reg(&f, node, 0, &base, &size), 0);
		CHECK_INT(base, 0x8000000);
		CHECK_INT(fdt_next_compatible(&f, -1, "arm,cortex-a15-gic"), -ENOENT);
		free(b);
	}

	{
		char extra[300];
		int chosen;
		const uint8_t *p, *q;
		uint32_t plen = 0, qlen = 0;

		snprintf(extra, sizeof(extra), "-initrd %s/initrd", qdir);
		b = qemu_dtb("", extra, &n);
		if (b == NULL)
			return;
		CHECK_INT(fdt_open(&f, b, n), 0);
		chosen = fdt_path(&f, "/chosen");
		p = fdt_prop(&f, chosen, "linux,initrd-start", &plen);
		q = fdt_prop(&f, chosen, "linux,initrd-end", &qlen);
		CHECK(p != NULL && q != NULL && plen == qlen && (plen == 4 || plen == 8));
		if (p != NULL && q != NULL) {
			uint64_t start = fdt_cells(p, (int)plen / 4), stop = fdt_cells(q, (int)qlen / 4);

			CHECK_INT(stop - start, 1000);
			CHECK(start >= 0x40000000 && stop <= 0x50000000);
			printf("qemu virt: initrd at %#llx-%#llx (%u-byte cells)\n",
			       (unsigned long long)start, (unsigned long long)stop, plen);
		}
		free(b);
	}
}

static void run_qemu_tests(void)
{
	char path[300];
	int before = check_passed + check_failed;

	if (system("command -v qemu-system-aarch64 >/dev/null 2>&1") != 0) {
		printf("SKIP: qemu-system-aarch64 is not on PATH: the QEMU virt DTB checks did not run\n");
		return;
	}
	if (!CHECK(mkdtemp(qdir) != NULL))
		return;
	snprintf(path, sizeof(path), "%s/kernel", qdir);
	write_file(path, 4096);
	snprintf(path, sizeof(path), "%s/initrd", qdir);
	write_file(path, 1000);
	test_qemu_virt();
	printf("qemu virt: %d checks on QEMU's DTBs\n", check_passed + check_failed - before);
	snprintf(path, sizeof(path), "rm -rf %s", qdir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", qdir);
}

int main(void)
{
	test_header();
	test_path();
	test_prop();
	test_cells();
	test_reg();
	test_compatible();
	test_parent_status();
	test_status_unterminated();
	test_list_unterminated();
	test_bad_header();
	test_bad_struct();
	test_depth();
	test_fuzz();
	run_qemu_tests();
	return check_report();
}
