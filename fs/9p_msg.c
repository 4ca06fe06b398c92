/* 9P2000.L's wire format (9p_msg.h). */
#include <errno.h>
#include <string.h>

#include "fs/9p_msg.h"

/* Little-endian, whatever the CPU: written byte by byte. */
static void put(struct p9_out *o, uint64_t v, unsigned bytes)
{
	if (o->overflow || o->cap - o->len < bytes) {
		o->overflow = true;
		return;
	}
	for (unsigned i = 0; i < bytes; i++)
		o->buf[o->len++] = (uint8_t)(v >> (8 * i));
}

void p9_u8(struct p9_out *o, uint8_t v) { put(o, v, 1); }
void p9_u16(struct p9_out *o, uint16_t v) { put(o, v, 2); }
void p9_u32(struct p9_out *o, uint32_t v) { put(o, v, 4); }
void p9_u64(struct p9_out *o, uint64_t v) { put(o, v, 8); }

void p9_bytes(struct p9_out *o, const void *data, size_t len)
{
	if (o->overflow || o->cap - o->len < len) {
		o->overflow = true;
		return;
	}
	if (len)
		memcpy(o->buf + o->len, data, len);
	o->len += len;
}

void p9_str(struct p9_out *o, const char *s, size_t len)
{
	if (len > 0xFFFF) {
		o->overflow = true;
		return;
	}
	p9_u16(o, (uint16_t)len);
	p9_bytes(o, s, len);
}

void p9_begin(struct p9_out *o, void *buf, size_t cap, uint8_t type, uint16_t tag)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->overflow = false;
	p9_u32(o, 0);           /* the size, filled by p9_end */
	p9_u8(o, type);
	p9_u16(o, tag);
}

long p9_end(struct p9_out *o)
{
	if (o->overflow || o->len > 0xFFFFFFFFu)
		return -EMSGSIZE;
	size_t len = o->len;
	o->len = 0;
	p9_u32(o, (uint32_t)len);
	o->len = len;
	return (long)len;
}

static uint64_t get(struct p9_in *in, unsigned bytes)
{
	if (in->bad || in->len - in->at < bytes) {
		in->bad = true;
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)in->p[in->at + i] << (8 * i);
	in->at += bytes;
	return v;
}

uint8_t p9_get_u8(struct p9_in *in) { return (uint8_t)get(in, 1); }
uint16_t p9_get_u16(struct p9_in *in) { return (uint16_t)get(in, 2); }
uint32_t p9_get_u32(struct p9_in *in) { return (uint32_t)get(in, 4); }
uint64_t p9_get_u64(struct p9_in *in) { return get(in, 8); }

const uint8_t *p9_get_bytes(struct p9_in *in, size_t len)
{
	if (in->bad || in->len - in->at < len) {
		in->bad = true;
		return NULL;
	}
	const uint8_t *p = in->p + in->at;
	in->at += len;
	return p;
}

const char *p9_get_str(struct p9_in *in, size_t *len)
{
	*len = p9_get_u16(in);
	const char *s = (const char *)p9_get_bytes(in, *len);
	if (!s)
		*len = 0;
	return s;
}

void p9_get_qid(struct p9_in *in, struct p9_qid *q)
{
	q->type = p9_get_u8(in);
	q->version = p9_get_u32(in);
	q->path = p9_get_u64(in);
}

int p9_done(const struct p9_in *in, bool whole)
{
	return in->bad || (whole && in->at != in->len) ? -EIO : 0;
}

/* Linux's errno values (the same on x86_64 and arm64: asm-generic), as
 * 9P2000.L's Rlerror carries them, and this libc's names for them: past
 * ERANGE (34) the numbers differ (picolibc's ENOTEMPTY is 90, Linux's 39). */
static const struct { uint16_t linux_code; int local; } linux_errnos[] = {
	{ 1, EPERM }, { 2, ENOENT }, { 3, ESRCH }, { 4, EINTR }, { 5, EIO }, { 6, ENXIO }, { 7, E2BIG },
	{ 8, ENOEXEC }, { 9, EBADF }, { 10, ECHILD }, { 11, EAGAIN }, { 12, ENOMEM }, { 13, EACCES },
	{ 14, EFAULT }, { 16, EBUSY }, { 17, EEXIST }, { 18, EXDEV }, { 19, ENODEV }, { 20, ENOTDIR },
	{ 21, EISDIR }, { 22, EINVAL }, { 23, ENFILE }, { 24, EMFILE }, { 25, ENOTTY }, { 26, ETXTBSY },
	{ 27, EFBIG }, { 28, ENOSPC }, { 29, ESPIPE }, { 30, EROFS }, { 31, EMLINK }, { 32, EPIPE },
	{ 33, EDOM }, { 34, ERANGE }, { 35, EDEADLK }, { 36, ENAMETOOLONG }, { 37, ENOLCK }, { 38, ENOSYS },
	{ 39, ENOTEMPTY }, { 40, ELOOP }, { 61, ENODATA }, { 71, EPROTO }, { 75, EOVERFLOW }, { 84, EILSEQ },
	{ 95, EOPNOTSUPP }, { 110, ETIMEDOUT }, { 116, ESTALE }, { 122, EDQUOT }, { 125, ECANCELED },
};

int p9_errno(uint32_t linux_code)
{
	for (size_t i = 0; i < sizeof(linux_errnos) / sizeof(linux_errnos[0]); i++)
		if (linux_errnos[i].linux_code == linux_code)
			return linux_errnos[i].local;
	return EIO;             /* none we know (0 included): a failure all the same */
}

int p9_reply(const void *msg, size_t len, uint8_t type, uint16_t tag, struct p9_in *in)
{
	*in = (struct p9_in){ .p = msg, .len = len };
	uint32_t size = p9_get_u32(in);
	uint8_t got = p9_get_u8(in);
	uint16_t got_tag = p9_get_u16(in);
	/* The size field must cover the header and lie within what the device
	 * says it wrote; only those bytes are read from here on. */
	if (in->bad || size < P9_HEADER || size > len || got_tag != tag)
		return -EIO;
	in->len = size;
	if (got == P9_RLERROR) {
		uint32_t code = p9_get_u32(in);
		return p9_done(in, true) ? -EIO : -p9_errno(code);
	}
	return got == type ? 0 : -EIO;
}

/* Checks the header and then that the fields the caller read are exactly
 * the message. */
static int finish(struct p9_in *in) { return p9_done(in, true); }

long p9_tversion(void *buf, size_t cap, uint32_t msize)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TVERSION, P9_NOTAG);
	p9_u32(&o, msize);
	p9_str(&o, P9_VERSION, strlen(P9_VERSION));
	return p9_end(&o);
}

long p9_tattach(void *buf, size_t cap, uint16_t tag, uint32_t fid, const char *aname, uint32_t uid)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TATTACH, tag);
	p9_u32(&o, fid);
	p9_u32(&o, P9_NOFID);   /* no authentication */
	p9_str(&o, "", 0);      /* uname: n_uname says who */
	p9_str(&o, aname, strlen(aname));
	p9_u32(&o, uid);
	return p9_end(&o);
}

long p9_twalk(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t newfid, unsigned n,
	      const char *const *names, const size_t *lens)
{
	struct p9_out o;
	if (n > P9_MAXWELEM)
		return -EINVAL;
	p9_begin(&o, buf, cap, P9_TWALK, tag);
	p9_u32(&o, fid);
	p9_u32(&o, newfid);
	p9_u16(&o, (uint16_t)n);
	for (unsigned i = 0; i < n; i++)
		p9_str(&o, names[i], lens[i]);
	return p9_end(&o);
}

/* The many messages that are a fid and one more number. */
static long fid_and(void *buf, size_t cap, uint8_t type, uint16_t tag, uint32_t fid, uint32_t v, bool with_v)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, type, tag);
	p9_u32(&o, fid);
	if (with_v)
		p9_u32(&o, v);
	return p9_end(&o);
}

long p9_tlopen(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t flags)
{
	return fid_and(buf, cap, P9_TLOPEN, tag, fid, flags, true);
}

long p9_tfsync(void *buf, size_t cap, uint16_t tag, uint32_t fid, bool datasync)
{
	return fid_and(buf, cap, P9_TFSYNC, tag, fid, datasync, true);
}

long p9_treadlink(void *buf, size_t cap, uint16_t tag, uint32_t fid)
{
	return fid_and(buf, cap, P9_TREADLINK, tag, fid, 0, false);
}

long p9_tstatfs(void *buf, size_t cap, uint16_t tag, uint32_t fid)
{
	return fid_and(buf, cap, P9_TSTATFS, tag, fid, 0, false);
}

long p9_tclunk(void *buf, size_t cap, uint16_t tag, uint32_t fid)
{
	return fid_and(buf, cap, P9_TCLUNK, tag, fid, 0, false);
}

long p9_tlcreate(void *buf, size_t cap, uint16_t tag, uint32_t fid, const char *name, size_t len,
		 uint32_t flags, uint32_t mode, uint32_t gid)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TLCREATE, tag);
	p9_u32(&o, fid);
	p9_str(&o, name, len);
	p9_u32(&o, flags);
	p9_u32(&o, mode);
	p9_u32(&o, gid);
	return p9_end(&o);
}

/* Tread and Treaddir: fid, offset, count. */
static long ranged(void *buf, size_t cap, uint8_t type, uint16_t tag, uint32_t fid, uint64_t offset,
		   uint32_t count)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, type, tag);
	p9_u32(&o, fid);
	p9_u64(&o, offset);
	p9_u32(&o, count);
	return p9_end(&o);
}

long p9_tread(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count)
{
	return ranged(buf, cap, P9_TREAD, tag, fid, offset, count);
}

long p9_treaddir(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count)
{
	return ranged(buf, cap, P9_TREADDIR, tag, fid, offset, count);
}

long p9_twrite(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset, const void *data,
	       uint32_t count)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TWRITE, tag);
	p9_u32(&o, fid);
	p9_u64(&o, offset);
	p9_u32(&o, count);
	p9_bytes(&o, data, count);
	return p9_end(&o);
}

long p9_tgetattr(void *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t mask)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TGETATTR, tag);
	p9_u32(&o, fid);
	p9_u64(&o, mask);
	return p9_end(&o);
}

long p9_tsetattr(void *buf, size_t cap, uint16_t tag, uint32_t fid, const struct p9_setattr *a)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TSETATTR, tag);
	p9_u32(&o, fid);
	p9_u32(&o, a->valid);
	p9_u32(&o, a->mode);
	p9_u32(&o, a->uid);
	p9_u32(&o, a->gid);
	p9_u64(&o, a->size);
	p9_u64(&o, (uint64_t)a->atime_sec);
	p9_u64(&o, (uint64_t)a->atime_nsec);
	p9_u64(&o, (uint64_t)a->mtime_sec);
	p9_u64(&o, (uint64_t)a->mtime_nsec);
	return p9_end(&o);
}

long p9_tmkdir(void *buf, size_t cap, uint16_t tag, uint32_t dfid, const char *name, size_t len,
	       uint32_t mode, uint32_t gid)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TMKDIR, tag);
	p9_u32(&o, dfid);
	p9_str(&o, name, len);
	p9_u32(&o, mode);
	p9_u32(&o, gid);
	return p9_end(&o);
}

long p9_tsymlink(void *buf, size_t cap, uint16_t tag, uint32_t dfid, const char *name, size_t len,
		 const char *target, uint32_t gid)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TSYMLINK, tag);
	p9_u32(&o, dfid);
	p9_str(&o, name, len);
	p9_str(&o, target, strlen(target));
	p9_u32(&o, gid);
	return p9_end(&o);
}

long p9_tlink(void *buf, size_t cap, uint16_t tag, uint32_t dfid, uint32_t fid, const char *name,
	      size_t len)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TLINK, tag);
	p9_u32(&o, dfid);
	p9_u32(&o, fid);
	p9_str(&o, name, len);
	return p9_end(&o);
}

long p9_tunlinkat(void *buf, size_t cap, uint16_t tag, uint32_t dfid, const char *name, size_t len,
		  uint32_t flags)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TUNLINKAT, tag);
	p9_u32(&o, dfid);
	p9_str(&o, name, len);
	p9_u32(&o, flags);
	return p9_end(&o);
}

long p9_trenameat(void *buf, size_t cap, uint16_t tag, uint32_t olddir, const char *oldname,
		  size_t oldlen, uint32_t newdir, const char *newname, size_t newlen)
{
	struct p9_out o;
	p9_begin(&o, buf, cap, P9_TRENAMEAT, tag);
	p9_u32(&o, olddir);
	p9_str(&o, oldname, oldlen);
	p9_u32(&o, newdir);
	p9_str(&o, newname, newlen);
	return p9_end(&o);
}

int p9_rversion(const void *msg, size_t len, uint32_t *msize, bool *dotl)
{
	struct p9_in in;
	int err = p9_reply(msg, len, P9_RVERSION, P9_NOTAG, &in);
	if (err)
		return err;
	*msize = p9_get_u32(&in);
	size_t vlen;
	const char *v = p9_get_str(&in, &vlen);
	*dotl = v && vlen == strlen(P9_VERSION) && memcmp(v, P9_VERSION, vlen) == 0;
	return finish(&in);
}

int p9_rqid(const void *msg, size_t len, uint8_t type, uint16_t tag, struct p9_qid *q)
{
	struct p9_in in;
	int err = p9_reply(msg, len, type, tag, &in);
	if (err)
		return err;
	p9_get_qid(&in, q);
	return finish(&in);
}

int p9_rwalk(const void *msg, size_t len, uint16_t tag, struct p9_qid *qids, unsigned max, unsigned *n)
{
	struct p9_in in;
	int err = p9_reply(msg, len, P9_RWALK, tag, &in);
	if (err)
		return err;
	*n = p9_get_u16(&in);
	if (*n > max)
		return -EIO;
	for (unsigned i = 0; i < *n; i++)
		p9_get_qid(&in, &qids[i]);
	return finish(&in);
}

int p9_ropen(const void *msg, size_t len, uint8_t type, uint16_t tag, struct p9_qid *q, uint32_t *iounit)
{
	struct p9_in in;
	int err = p9_reply(msg, len, type, tag, &in);
	if (err)
		return err;
	p9_get_qid(&in, q);
	*iounit = p9_get_u32(&in);
	return finish(&in);
}

int p9_rdata(const void *msg, size_t len, uint8_t type, uint16_t tag, uint32_t asked, const uint8_t **data,
	     uint32_t *count)
{
	struct p9_in in;
	int err = p9_reply(msg, len, type, tag, &in);
	if (err)
		return err;
	*count = p9_get_u32(&in);
	/* More than was asked for is a lie even when the bytes are there. */
	if (*count > asked)
		return -EIO;
	*data = p9_get_bytes(&in, *count);
	return finish(&in);
}

int p9_rwrite(const void *msg, size_t len, uint16_t tag, uint32_t asked, uint32_t *count)
{
	struct p9_in in;
	int err = p9_reply(msg, len, P9_RWRITE, tag, &in);
	if (err)
		return err;
	*count = p9_get_u32(&in);
	return *count > asked ? -EIO : finish(&in);
}

int p9_rempty(const void *msg, size_t len, uint8_t type, uint16_t tag)
{
	struct p9_in in;
	int err = p9_reply(msg, len, type, tag, &in);
	return err ? err : finish(&in);
}

int p9_rgetattr(const void *msg, size_t len, uint16_t tag, struct p9_attr *a)
{
	struct p9_in in;
	int err = p9_reply(msg, len, P9_RGETATTR, tag, &in);
	if (err)
		return err;
	a->valid = p9_get_u64(&in);
	p9_get_qid(&in, &a->qid);
	a->mode = p9_get_u32(&in);
	a->uid = p9_get_u32(&in);
	a->gid = p9_get_u32(&in);
	a->nlink = p9_get_u64(&in);
	a->rdev = p9_get_u64(&in);
	a->size = p9_get_u64(&in);
	a->blksize = p9_get_u64(&in);
	a->blocks = p9_get_u64(&in);
	a->atime_sec = p9_get_u64(&in);
	a->atime_nsec = p9_get_u64(&in);
	a->mtime_sec = p9_get_u64(&in);
	a->mtime_nsec = p9_get_u64(&in);
	a->ctime_sec = p9_get_u64(&in);
	a->ctime_nsec = p9_get_u64(&in);
	for (int i = 0; i < 4; i++)
		p9_get_u64(&in);        /* btime (2), gen, data_version: unused */
	return finish(&in);
}

int p9_rstatfs(const void *msg, size_t len, uint16_t tag, struct p9_statfs *s)
{
	struct p9_in in;
	int err = p9_reply(msg, len, P9_RSTATFS, tag, &in);
	if (err)
		return err;
	s->type = p9_get_u32(&in);
	s->bsize = p9_get_u32(&in);
	s->blocks = p9_get_u64(&in);
	s->bfree = p9_get_u64(&in);
	s->bavail = p9_get_u64(&in);
	s->files = p9_get_u64(&in);
	s->ffree = p9_get_u64(&in);
	s->fsid = p9_get_u64(&in);
	s->namelen = p9_get_u32(&in);
	return finish(&in);
}

int p9_rreadlink(const void *msg, size_t len, uint16_t tag, const char **target, size_t *tlen)
{
	struct p9_in in;
	int err = p9_reply(msg, len, P9_RREADLINK, tag, &in);
	if (err)
		return err;
	*target = p9_get_str(&in, tlen);
	return finish(&in);
}

int p9_dirent_next(const uint8_t *data, uint32_t count, uint32_t *at, struct p9_dirent *e)
{
	if (*at >= count)
		return 0;
	struct p9_in in = { .p = data, .len = count, .at = *at };
	p9_get_qid(&in, &e->qid);
	e->offset = p9_get_u64(&in);
	e->type = p9_get_u8(&in);
	e->name = p9_get_str(&in, &e->name_len);
	if (p9_done(&in, false))
		return -EIO;
	*at = (uint32_t)in.at;
	return 1;
}
