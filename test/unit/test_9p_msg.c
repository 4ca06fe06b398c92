/* Unit tests of fs/9p_msg.c: every T-message the client sends, byte by
 * byte against the 9P2000.L layout, and every R-message it reads, whole,
 * truncated at every length, and lying (sizes, counts, tags, types). */
#include "fs/9p_msg.h"

#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static uint8_t buf[512];

/* Little-endian readers for checking what was built. */
static uint32_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return (uint32_t)v;
}

static uint64_t le64(const uint8_t *p) { return le(p, 4) | (uint64_t)le(p + 4, 4) << 32; }

static void check_header(long len, uint8_t type, uint16_t tag)
{
	CHECK(len >= 7);
	CHECK_INT(le(buf, 4), len);
	CHECK_INT(buf[4], type);
	CHECK_INT(le(buf + 5, 2), tag);
}

static void check_str(const uint8_t *p, const char *s)
{
	CHECK_INT(le(p, 2), strlen(s));
	CHECK(memcmp(p + 2, s, strlen(s)) == 0);
}

static void test_tversion_tattach(void)
{
	long n = p9_tversion(buf, sizeof(buf), 65536);
	check_header(n, P9_TVERSION, P9_NOTAG);
	CHECK_INT(n, 7 + 4 + 2 + 8);
	CHECK_INT(le(buf + 7, 4), 65536);
	check_str(buf + 11, "9P2000.L");
	n = p9_tattach(buf, sizeof(buf), 3, 1, "share0", 0);
	check_header(n, P9_TATTACH, 3);
	CHECK_INT(n, 7 + 4 + 4 + 2 + 2 + 6 + 4);
	CHECK_INT(le(buf + 7, 4), 1);
	CHECK_INT(le(buf + 11, 4), P9_NOFID);
	check_str(buf + 15, "");
	check_str(buf + 17, "share0");
	CHECK_INT(le(buf + 25, 4), 0);
}

static void test_twalk(void)
{
	const char *names[2] = { "etc", "motd" };
	size_t lens[2] = { 3, 4 };
	long n = p9_twalk(buf, sizeof(buf), 1, 5, 6, 2, names, lens);
	check_header(n, P9_TWALK, 1);
	CHECK_INT(n, 7 + 4 + 4 + 2 + 5 + 6);
	CHECK_INT(le(buf + 7, 4), 5);
	CHECK_INT(le(buf + 11, 4), 6);
	CHECK_INT(le(buf + 15, 2), 2);
	check_str(buf + 17, "etc");
	check_str(buf + 22, "motd");
	n = p9_twalk(buf, sizeof(buf), 1, 5, 7, 0, NULL, NULL);     /* clone */
	CHECK_INT(n, 17);
	CHECK_INT(p9_twalk(buf, sizeof(buf), 1, 5, 6, P9_MAXWELEM + 1, names, lens), -EINVAL);
}

static void test_topen_create_io(void)
{
	long n = p9_tlopen(buf, sizeof(buf), 2, 9, P9_DOTL_RDWR);
	check_header(n, P9_TLOPEN, 2);
	CHECK_INT(n, 15);
	CHECK_INT(le(buf + 11, 4), P9_DOTL_RDWR);
	n = p9_tlcreate(buf, sizeof(buf), 2, 9, "new", 3, P9_DOTL_CREATE | P9_DOTL_EXCL | P9_DOTL_RDWR, 0644, 7);
	check_header(n, P9_TLCREATE, 2);
	CHECK_INT(n, 7 + 4 + 5 + 12);
	check_str(buf + 11, "new");
	CHECK_INT(le(buf + 16, 4), P9_DOTL_CREATE | P9_DOTL_EXCL | P9_DOTL_RDWR);
	CHECK_INT(le(buf + 20, 4), 0644);
	CHECK_INT(le(buf + 24, 4), 7);
	n = p9_tread(buf, sizeof(buf), 4, 9, 0x123456789ull, 4096);
	check_header(n, P9_TREAD, 4);
	CHECK_INT(n, 23);
	CHECK(le64(buf + 11) == 0x123456789ull);
	CHECK_INT(le(buf + 19, 4), 4096);
	n = p9_treaddir(buf, sizeof(buf), 4, 9, 77, 1000);
	check_header(n, P9_TREADDIR, 4);
	CHECK(le64(buf + 11) == 77);
	n = p9_twrite(buf, sizeof(buf), 4, 9, 10, "abcdef", 6);
	check_header(n, P9_TWRITE, 4);
	CHECK_INT(n, P9_IO_HEADER + 6);
	CHECK_INT(le(buf + 19, 4), 6);
	CHECK(memcmp(buf + 23, "abcdef", 6) == 0);
	/* A payload that does not fit is refused, not cut. */
	CHECK_INT(p9_twrite(buf, 40, 4, 9, 0, buf + 100, 20), -EMSGSIZE);
}

static void test_tattrs(void)
{
	long n = p9_tgetattr(buf, sizeof(buf), 1, 3, P9_GETATTR_BASIC);
	check_header(n, P9_TGETATTR, 1);
	CHECK_INT(n, 19);
	CHECK(le64(buf + 11) == P9_GETATTR_BASIC);
	struct p9_setattr a = { .valid = P9_SETATTR_SIZE | P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET, .mode = 0600,
				.uid = 1, .gid = 2, .size = 1u << 20, .atime_sec = 3, .atime_nsec = 4,
				.mtime_sec = 5, .mtime_nsec = 6 };
	n = p9_tsetattr(buf, sizeof(buf), 1, 3, &a);
	check_header(n, P9_TSETATTR, 1);
	CHECK_INT(n, 7 + 4 + 4 * 4 + 5 * 8);
	CHECK_INT(le(buf + 11, 4), a.valid);
	CHECK_INT(le(buf + 15, 4), 0600);
	CHECK(le64(buf + 27) == 1u << 20);
	CHECK(le64(buf + 59) == 6);
	n = p9_tstatfs(buf, sizeof(buf), 1, 3);
	check_header(n, P9_TSTATFS, 1);
	CHECK_INT(n, 11);
	n = p9_tfsync(buf, sizeof(buf), 1, 3, true);
	check_header(n, P9_TFSYNC, 1);
	CHECK_INT(le(buf + 11, 4), 1);
	n = p9_tclunk(buf, sizeof(buf), 1, 3);
	check_header(n, P9_TCLUNK, 1);
	n = p9_treadlink(buf, sizeof(buf), 1, 3);
	check_header(n, P9_TREADLINK, 1);
}

static void test_tnames(void)
{
	long n = p9_tmkdir(buf, sizeof(buf), 1, 2, "dir", 3, 0755, 0);
	check_header(n, P9_TMKDIR, 1);
	CHECK_INT(n, 7 + 4 + 5 + 8);
	check_str(buf + 11, "dir");
	CHECK_INT(le(buf + 16, 4), 0755);
	n = p9_tsymlink(buf, sizeof(buf), 1, 2, "ln", 2, "../t", 0);
	check_header(n, P9_TSYMLINK, 1);
	check_str(buf + 11, "ln");
	check_str(buf + 15, "../t");
	n = p9_tlink(buf, sizeof(buf), 1, 2, 8, "hard", 4);
	check_header(n, P9_TLINK, 1);
	CHECK_INT(le(buf + 7, 4), 2);
	CHECK_INT(le(buf + 11, 4), 8);
	check_str(buf + 15, "hard");
	n = p9_tunlinkat(buf, sizeof(buf), 1, 2, "gone", 4, P9_AT_REMOVEDIR);
	check_header(n, P9_TUNLINKAT, 1);
	CHECK_INT(le(buf + 17, 4), P9_AT_REMOVEDIR);
	n = p9_trenameat(buf, sizeof(buf), 1, 2, "a", 1, 3, "bc", 2);
	check_header(n, P9_TRENAMEAT, 1);
	CHECK_INT(n, 7 + 4 + 3 + 4 + 4);
	check_str(buf + 11, "a");
	CHECK_INT(le(buf + 14, 4), 3);
	check_str(buf + 18, "bc");
	/* A name too long for a 9P string overflows instead of wrapping. */
	static char big[70000];
	CHECK_INT(p9_tmkdir(big, sizeof(big), 1, 2, big, 65536, 0, 0), -EMSGSIZE);
}

/* R-messages, built by the test with the same writer. */
static struct p9_out r;

static void rbegin(uint8_t type, uint16_t tag) { p9_begin(&r, buf, sizeof(buf), type, tag); }

static void put_qid(uint8_t type, uint64_t path)
{
	p9_u8(&r, type);
	p9_u32(&r, 0);
	p9_u64(&r, path);
}

static size_t rend(void) { return (size_t)p9_end(&r); }

/* Every strict prefix of a good message is rejected, as is a size field
 * claiming more than was received. */
static void check_truncations(size_t len, int (*parse)(size_t len))
{
	CHECK_INT(parse(len), 0);
	for (size_t cut = 0; cut < len; cut++)
		if (!CHECK(parse(cut) == -EIO))
			fprintf(stderr, "    accepted when cut to %zu of %zu bytes\n", cut, len);
	uint32_t real = le(buf, 4);
	buf[0] = (uint8_t)(real + 1);
	CHECK_INT(parse(len), -EIO);
	buf[0] = (uint8_t)real;
}

static struct p9_qid q;
static uint32_t u32;

static int parse_rqid(size_t len) { return p9_rqid(buf, len, P9_RATTACH, 5, &q); }

static void test_rqid(void)
{
	rbegin(P9_RATTACH, 5);
	put_qid(P9_QTDIR, 0xABCDEF0123ull);
	size_t len = rend();
	CHECK_INT(len, 20);
	check_truncations(len, parse_rqid);
	CHECK_INT(parse_rqid(len), 0);
	CHECK_INT(q.type, P9_QTDIR);
	CHECK(q.path == 0xABCDEF0123ull);
	CHECK_INT(p9_rqid(buf, len, P9_RATTACH, 6, &q), -EIO);          /* another tag */
	CHECK_INT(p9_rqid(buf, len, P9_RMKDIR, 5, &q), -EIO);           /* another type */
	/* A size field shorter than the fields: the qid is cut off. */
	buf[0] = 15;
	CHECK_INT(parse_rqid(len), -EIO);
	/* Bytes past the fields the message type has. */
	rbegin(P9_RATTACH, 5);
	put_qid(0, 1);
	p9_u8(&r, 0);
	CHECK_INT(parse_rqid(rend()), -EIO);
}

static int parse_rversion(size_t len)
{
	bool dotl;
	return p9_rversion(buf, len, &u32, &dotl);
}

static void test_rversion(void)
{
	rbegin(P9_RVERSION, P9_NOTAG);
	p9_u32(&r, 8192);
	p9_str(&r, "9P2000.L", 8);
	size_t len = rend();
	check_truncations(len, parse_rversion);
	bool dotl = false;
	CHECK_INT(p9_rversion(buf, len, &u32, &dotl), 0);
	CHECK_INT(u32, 8192);
	CHECK(dotl);
	rbegin(P9_RVERSION, P9_NOTAG);
	p9_u32(&r, 8192);
	p9_str(&r, "unknown", 7);
	CHECK_INT(p9_rversion(buf, rend(), &u32, &dotl), 0);
	CHECK(!dotl);
	/* A string length past the message. */
	rbegin(P9_RVERSION, P9_NOTAG);
	p9_u32(&r, 8192);
	p9_u16(&r, 200);
	p9_bytes(&r, "9P2000.L", 8);
	CHECK_INT(p9_rversion(buf, rend(), &u32, &dotl), -EIO);
}

static void test_rlerror(void)
{
	rbegin(P9_RLERROR, 5);
	p9_u32(&r, ENOENT);
	size_t len = rend();
	CHECK_INT(p9_rqid(buf, len, P9_RATTACH, 5, &q), -ENOENT);
	CHECK_INT(p9_rempty(buf, len, P9_RCLUNK, 5), -ENOENT);
	CHECK_INT(p9_rempty(buf, len - 1, P9_RCLUNK, 5), -EIO);
	CHECK_INT(p9_rempty(buf, len, P9_RCLUNK, 4), -EIO);
	rbegin(P9_RLERROR, 5);
	p9_u32(&r, 0);                  /* an error that is no error */
	CHECK_INT(p9_rempty(buf, rend(), P9_RCLUNK, 5), -EIO);
	rbegin(P9_RLERROR, 5);
	p9_u32(&r, 100000);             /* out of errno's range */
	CHECK_INT(p9_rempty(buf, rend(), P9_RCLUNK, 5), -EIO);
	rbegin(P9_RLERROR, 5);
	p9_u32(&r, EROFS);
	p9_u32(&r, 0);                  /* trailing bytes */
	CHECK_INT(p9_rempty(buf, rend(), P9_RCLUNK, 5), -EIO);
}

static unsigned nq;
static struct p9_qid qids[P9_MAXWELEM];

static int parse_rwalk(size_t len) { return p9_rwalk(buf, len, 1, qids, 2, &nq); }

static void test_rwalk(void)
{
	rbegin(P9_RWALK, 1);
	p9_u16(&r, 2);
	put_qid(P9_QTDIR, 10);
	put_qid(0, 11);
	size_t len = rend();
	check_truncations(len, parse_rwalk);
	CHECK_INT(parse_rwalk(len), 0);
	CHECK_INT(nq, 2);
	CHECK(qids[1].path == 11);
	CHECK_INT(p9_rwalk(buf, len, 1, qids, 1, &nq), -EIO);   /* more than walked */
	rbegin(P9_RWALK, 1);
	p9_u16(&r, 0);
	CHECK_INT(p9_rwalk(buf, rend(), 1, qids, 2, &nq), 0);
	CHECK_INT(nq, 0);
}

static int parse_ropen(size_t len) { return p9_ropen(buf, len, P9_RLCREATE, 1, &q, &u32); }

static void test_ropen(void)
{
	rbegin(P9_RLCREATE, 1);
	put_qid(0, 99);
	p9_u32(&r, 4096);
	size_t len = rend();
	check_truncations(len, parse_ropen);
	CHECK_INT(parse_ropen(len), 0);
	CHECK_INT(u32, 4096);
	CHECK(q.path == 99);
	CHECK_INT(p9_ropen(buf, len, P9_RLOPEN, 1, &q, &u32), -EIO);
}

static const uint8_t *data;

static int parse_rread(size_t len) { return p9_rdata(buf, len, P9_RREAD, 2, 100, &data, &u32); }

static void test_rdata(void)
{
	rbegin(P9_RREAD, 2);
	p9_u32(&r, 5);
	p9_bytes(&r, "hello", 5);
	size_t len = rend();
	check_truncations(len, parse_rread);
	CHECK_INT(parse_rread(len), 0);
	CHECK_INT(u32, 5);
	CHECK(memcmp(data, "hello", 5) == 0);
	/* Asked for 4 bytes, answered 5: a lie. */
	CHECK_INT(p9_rdata(buf, len, P9_RREAD, 2, 4, &data, &u32), -EIO);
	/* A count past the message's bytes. */
	rbegin(P9_RREAD, 2);
	p9_u32(&r, 50);
	p9_bytes(&r, "hello", 5);
	CHECK_INT(parse_rread(rend()), -EIO);
	/* Zero bytes: the end of the file. */
	rbegin(P9_RREAD, 2);
	p9_u32(&r, 0);
	CHECK_INT(parse_rread(rend()), 0);
	CHECK_INT(u32, 0);
}

static int parse_rwrite(size_t len) { return p9_rwrite(buf, len, 2, 10, &u32); }

static void test_rwrite(void)
{
	rbegin(P9_RWRITE, 2);
	p9_u32(&r, 10);
	size_t len = rend();
	check_truncations(len, parse_rwrite);
	CHECK_INT(u32, 10);
	CHECK_INT(p9_rwrite(buf, len, 2, 9, &u32), -EIO);   /* wrote more than sent */
}

static int parse_rempty(size_t len) { return p9_rempty(buf, len, P9_RRENAMEAT, 2); }

static void test_rempty(void)
{
	rbegin(P9_RRENAMEAT, 2);
	size_t len = rend();
	check_truncations(len, parse_rempty);
	rbegin(P9_RRENAMEAT, 2);
	p9_u8(&r, 1);
	CHECK_INT(parse_rempty(rend()), -EIO);
}

static struct p9_attr attr;

static int parse_rgetattr(size_t len) { return p9_rgetattr(buf, len, 3, &attr); }

static void test_rgetattr(void)
{
	rbegin(P9_RGETATTR, 3);
	p9_u64(&r, P9_GETATTR_BASIC);
	put_qid(0, 42);
	p9_u32(&r, 0100644);
	p9_u32(&r, 1000);
	p9_u32(&r, 1001);
	p9_u64(&r, 2);                  /* nlink */
	p9_u64(&r, 0);                  /* rdev */
	p9_u64(&r, 123456);             /* size */
	p9_u64(&r, 4096);               /* blksize */
	p9_u64(&r, 248);                /* blocks */
	for (uint64_t i = 1; i <= 6; i++)
		p9_u64(&r, i * 100);    /* a/m/ctime sec, nsec */
	for (int i = 0; i < 4; i++)
		p9_u64(&r, 0);
	size_t len = rend();
	CHECK_INT(len, 160);
	check_truncations(len, parse_rgetattr);
	CHECK_INT(attr.mode, 0100644);
	CHECK_INT(attr.uid, 1000);
	CHECK_INT(attr.gid, 1001);
	CHECK_INT(attr.nlink, 2);
	CHECK_INT(attr.size, 123456);
	CHECK_INT(attr.blocks, 248);
	CHECK_INT(attr.mtime_sec, 300);
	CHECK_INT(attr.ctime_nsec, 600);
	CHECK(attr.qid.path == 42);
}

static struct p9_statfs sfs;

static int parse_rstatfs(size_t len) { return p9_rstatfs(buf, len, 3, &sfs); }

static void test_rstatfs(void)
{
	rbegin(P9_RSTATFS, 3);
	p9_u32(&r, 0x01021997);
	p9_u32(&r, 4096);
	for (uint64_t i = 1; i <= 6; i++)
		p9_u64(&r, i);
	p9_u32(&r, 255);
	size_t len = rend();
	check_truncations(len, parse_rstatfs);
	CHECK_INT(sfs.bsize, 4096);
	CHECK_INT(sfs.blocks, 1);
	CHECK_INT(sfs.ffree, 5);
	CHECK_INT(sfs.namelen, 255);
}

static const char *target;
static size_t tlen;

static int parse_rreadlink(size_t len) { return p9_rreadlink(buf, len, 3, &target, &tlen); }

static void test_rreadlink(void)
{
	rbegin(P9_RREADLINK, 3);
	p9_str(&r, "/a/b", 4);
	size_t len = rend();
	check_truncations(len, parse_rreadlink);
	CHECK_INT(tlen, 4);
	CHECK(memcmp(target, "/a/b", 4) == 0);
}

static void test_readdir(void)
{
	rbegin(P9_RREADDIR, 4);
	size_t count_at = r.len;
	p9_u32(&r, 0);
	size_t start = r.len;
	put_qid(P9_QTDIR, 1);
	p9_u64(&r, 10);
	p9_u8(&r, 4);                   /* DT_DIR */
	p9_str(&r, ".", 1);
	put_qid(0, 2);
	p9_u64(&r, 20);
	p9_u8(&r, 8);                   /* DT_REG */
	p9_str(&r, "file", 4);
	uint32_t count = (uint32_t)(r.len - start);
	size_t len = rend();
	for (int i = 0; i < 4; i++)
		buf[count_at + (size_t)i] = (uint8_t)(count >> (8 * i));
	uint32_t got;
	CHECK_INT(p9_rdata(buf, len, P9_RREADDIR, 4, 1000, &data, &got), 0);
	CHECK_INT(got, count);
	uint32_t at = 0;
	struct p9_dirent e;
	CHECK_INT(p9_dirent_next(data, got, &at, &e), 1);
	CHECK_INT(e.offset, 10);
	CHECK_INT(e.name_len, 1);
	CHECK_INT(p9_dirent_next(data, got, &at, &e), 1);
	CHECK_INT(e.type, 8);
	CHECK(e.name_len == 4 && memcmp(e.name, "file", 4) == 0);
	CHECK(e.qid.path == 2);
	CHECK_INT(p9_dirent_next(data, got, &at, &e), 0);
	/* An entry cut anywhere is malformed, never read past. */
	for (uint32_t cut = 1; cut < got; cut++) {
		at = 0;
		int r1 = p9_dirent_next(data, cut, &at, &e);
		int r2 = r1 == 1 ? p9_dirent_next(data, cut, &at, &e) : r1;
		uint32_t first = P9_QID_SIZE + 8 + 1 + 2 + 1;   /* the "." entry */
		CHECK(cut < first ? r1 == -EIO : cut == first ? r2 == 0 : r2 == -EIO);
	}
}

int main(void)
{
	test_tversion_tattach();
	test_twalk();
	test_topen_create_io();
	test_tattrs();
	test_tnames();
	test_rqid();
	test_rversion();
	test_rlerror();
	test_rwalk();
	test_ropen();
	test_rdata();
	test_rwrite();
	test_rempty();
	test_rgetattr();
	test_rstatfs();
	test_rreadlink();
	test_readdir();
	return check_report();
}
