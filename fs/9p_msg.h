/* 9P2000.L messages: building T-messages and checking R-messages, the
 * 9p client's wire format (fs/9p.c), pure logic for host tests.
 *
 * Every message is size[4] type[1] tag[2] then its fields, little-endian;
 * a string is len[2] then its bytes (no NUL). A T-message is built into a
 * caller's buffer with p9_begin, the p9_t* helpers and p9_end; building
 * past the buffer is remembered and p9_end then returns -EMSGSIZE.
 *
 * R-messages are written by the device (QEMU) and untrusted: p9_reply
 * checks the size field against the bytes received, the tag against the
 * request's and the type against the one expected, and turns Rlerror into
 * a negative errno (9P2000.L carries Linux's numbers, translated by
 * p9_errno; one we do not know is -EIO). Each field read is bounds-checked; a message that is too short,
 * too long for what it claims, or holds a count larger than its own bytes
 * gives -EIO, never a read past the buffer.
 */
#ifndef SKIFF_FS_9P_MSG_H
#define SKIFF_FS_9P_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define P9_VERSION "9P2000.L"
#define P9_NOTAG 0xFFFFu
#define P9_NOFID 0xFFFFFFFFu
#define P9_HEADER 7u            /* size, type, tag */
#define P9_QID_SIZE 13u
#define P9_MAXWELEM 16u         /* names in one Twalk */
/* Bytes of Tread/Rread and Twrite/Rwrite around their data: the payload
 * of one is at most msize less this. */
#define P9_IO_HEADER 23u

enum p9_type {
	P9_TLERROR = 6, P9_RLERROR,
	P9_TSTATFS = 8, P9_RSTATFS,
	P9_TLOPEN = 12, P9_RLOPEN,
	P9_TLCREATE = 14, P9_RLCREATE,
	P9_TSYMLINK = 16, P9_RSYMLINK,
	P9_TREADLINK = 22, P9_RREADLINK,
	P9_TGETATTR = 24, P9_RGETATTR,
	P9_TSETATTR = 26, P9_RSETATTR,
	P9_TREADDIR = 40, P9_RREADDIR,
	P9_TFSYNC = 50, P9_RFSYNC,
	P9_TLINK = 70, P9_RLINK,
	P9_TMKDIR = 72, P9_RMKDIR,
	P9_TRENAMEAT = 74, P9_RRENAMEAT,
	P9_TUNLINKAT = 76, P9_RUNLINKAT,
	P9_TVERSION = 100, P9_RVERSION,
	P9_TATTACH = 104, P9_RATTACH,
	P9_TWALK = 110, P9_RWALK,
	P9_TREAD = 116, P9_RREAD,
	P9_TWRITE = 118, P9_RWRITE,
	P9_TCLUNK = 120, P9_RCLUNK,
};

/* qid.type bits. */
#define P9_QTDIR 0x80u
#define P9_QTSYMLINK 0x02u

/* Tlopen/Tlcreate flags: 9P2000.L's own values (they are x86 Linux's). */
#define P9_DOTL_RDONLY 00u
#define P9_DOTL_WRONLY 01u
#define P9_DOTL_RDWR 02u
#define P9_DOTL_CREATE 0100u
#define P9_DOTL_EXCL 0200u
#define P9_DOTL_TRUNC 01000u
#define P9_DOTL_DIRECTORY 0200000u
#define P9_DOTL_NOFOLLOW 0400000u

/* Tgetattr's request mask (BASIC: every stat field). */
#define P9_GETATTR_BASIC 0x7FFull

/* Tsetattr's valid bits. */
#define P9_SETATTR_MODE 0x1u
#define P9_SETATTR_UID 0x2u
#define P9_SETATTR_GID 0x4u
#define P9_SETATTR_SIZE 0x8u
#define P9_SETATTR_ATIME 0x10u
#define P9_SETATTR_MTIME 0x20u
#define P9_SETATTR_CTIME 0x40u
#define P9_SETATTR_ATIME_SET 0x80u
#define P9_SETATTR_MTIME_SET 0x100u

#define P9_AT_REMOVEDIR 0x200u  /* Tunlinkat */

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* A T-message being built. */
struct p9_out {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void p9_begin(struct p9_out *o, void *buf, size_t cap, uint8_t type, uint16_t tag);
void p9_u8(struct p9_out *o, uint8_t v);
void p9_u16(struct p9_out *o, uint16_t v);
void p9_u32(struct p9_out *o, uint32_t v);
void p9_u64(struct p9_out *o, uint64_t v);
void p9_str(struct p9_out *o, const char *s, size_t len);    /* len <= 65535 */
void p9_bytes(struct p9_out *o, const void *data, size_t len);
/* Writes the size field: the message's length, or -EMSGSIZE. */
long p9_end(struct p9_out *o);

/* An R-message being read. */
struct p9_in {
	const uint8_t *p;
	size_t len, at;
	bool bad;               /* a read went past the end */
};

/* This libc's errno value for Linux's `linux_code` (EIO when unknown). */
int p9_errno(uint32_t linux_code);
/* Checks the header of the `len` bytes the device wrote: 0 with `in` set
 * on the fields after the header, -ecode for Rlerror, -EIO when the
 * message is malformed or not the answer to (type - 1, tag). */
int p9_reply(const void *msg, size_t len, uint8_t type, uint16_t tag, struct p9_in *in);
uint8_t p9_get_u8(struct p9_in *in);
uint16_t p9_get_u16(struct p9_in *in);
uint32_t p9_get_u32(struct p9_in *in);
uint64_t p9_get_u64(struct p9_in *in);
void p9_get_qid(struct p9_in *in, struct p9_qid *q);
/* A string in place: its bytes (not NUL-terminated) and length. */
const char *p9_get_str(struct p9_in *in, size_t *len);
/* `len` bytes in place. */
const uint8_t *p9_get_bytes(struct p9_in *in, size_t len);
/* 0 when every read was in bounds and (with `whole`) the message was read
 * to its end, else -EIO. */
int p9_done(const struct p9_in *in, bool whole);

/* The messages the client sends: each builds a T-message and returns its
 * length, or -EMSGSIZE. */
long p9_tversion(void *buf, size_t cap, uint32_t msize);
long p9_tattach(void *buf, size_t cap, uint16_t tag, uint32_t fid, const char *aname, uint32_t uid);
/* Walks `n` (<= P9_MAXWELEM) names; 0 clones the fid. */
long p9_twalk(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t newfid, unsigned n,
	      const char *const *names, const size_t *lens);
long p9_tlopen(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t flags);
long p9_tlcreate(void *buf, size_t cap, uint16_t tag, uint32_t fid, const char *name, size_t len,
		 uint32_t flags, uint32_t mode, uint32_t gid);
long p9_tread(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count);
long p9_twrite(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset, const void *data,
	       uint32_t count);
long p9_treaddir(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count);
long p9_tgetattr(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t mask);
struct p9_setattr {
	uint32_t valid, mode, uid, gid;
	uint64_t size;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};
long p9_tsetattr(void *buf, size_t cap, uint16_t tag, uint32_t fid, const struct p9_setattr *a);
long p9_tmkdir(void *buf, size_t cap, uint16_t tag, uint32_t dfid, const char *name, size_t len,
	       uint32_t mode, uint32_t gid);
long p9_tsymlink(void *buf, size_t cap, uint16_t tag, uint32_t dfid, const char *name, size_t len,
		 const char *target, uint32_t gid);
long p9_tlink(void *buf, size_t cap, uint16_t tag, uint32_t dfid, uint32_t fid, const char *name,
	      size_t len);
long p9_tunlinkat(void *buf, size_t cap, uint16_t tag, uint32_t dfid, const char *name, size_t len,
		  uint32_t flags);
long p9_trenameat(void *buf, size_t cap, uint16_t tag, uint32_t olddir, const char *oldname,
		  size_t oldlen, uint32_t newdir, const char *newname, size_t newlen);
long p9_treadlink(void *buf, size_t cap, uint16_t tag, uint32_t fid);
long p9_tfsync(void *buf, size_t cap, uint16_t tag, uint32_t fid, bool datasync);
long p9_tstatfs(void *buf, size_t cap, uint16_t tag, uint32_t fid);
long p9_tclunk(void *buf, size_t cap, uint16_t tag, uint32_t fid);

/* The answers: each checks the whole R-message (p9_reply, then every field
 * and nothing left over) and returns 0, -ecode or -EIO. */
/* Rversion: the server's msize and whether it speaks 9P2000.L. */
int p9_rversion(const void *msg, size_t len, uint32_t *msize, bool *dotl);
/* Rattach, Rmkdir, Rsymlink: one qid. */
int p9_rqid(const void *msg, size_t len, uint8_t type, uint16_t tag, struct p9_qid *q);
/* Rwalk: *n qids (at most `max`; more is -EIO). */
int p9_rwalk(const void *msg, size_t len, uint16_t tag, struct p9_qid *qids, unsigned max, unsigned *n);
/* Rlopen, Rlcreate: qid and iounit. */
int p9_ropen(const void *msg, size_t len, uint8_t type, uint16_t tag, struct p9_qid *q, uint32_t *iounit);
/* Rread, Rreaddir: the data in place and its count, at most `asked`. */
int p9_rdata(const void *msg, size_t len, uint8_t type, uint16_t tag, uint32_t asked, const uint8_t **data,
	     uint32_t *count);
/* Rwrite: the count written, at most `asked`. */
int p9_rwrite(const void *msg, size_t len, uint16_t tag, uint32_t asked, uint32_t *count);
/* Messages with no fields: Rclunk, Rlink, Runlinkat, Rrenameat, Rfsync,
 * Rsetattr. */
int p9_rempty(const void *msg, size_t len, uint8_t type, uint16_t tag);
struct p9_attr {
	uint64_t valid;
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blksize, blocks;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};
int p9_rgetattr(const void *msg, size_t len, uint16_t tag, struct p9_attr *a);
struct p9_statfs {
	uint32_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
	uint32_t namelen;
};
int p9_rstatfs(const void *msg, size_t len, uint16_t tag, struct p9_statfs *s);
/* Rreadlink: the target in place. */
int p9_rreadlink(const void *msg, size_t len, uint16_t tag, const char **target, size_t *tlen);

/* One entry of Rreaddir's data, from *at (advanced past it): 1 with an
 * entry, 0 at the end of the data, -EIO for a malformed one. `name` points
 * into `data`. */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;        /* Treaddir's offset of the next entry */
	uint8_t type;           /* DT_* */
	const char *name;
	size_t name_len;
};
int p9_dirent_next(const uint8_t *data, uint32_t count, uint32_t *at, struct p9_dirent *e);

#endif
