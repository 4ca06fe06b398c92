/* The 9p file system: a 9P2000.L client over a transport of
 * drivers/9p/p9dev.h (virtio-9p), mounting the host directory a QEMU
 * `-fsdev local` exports under a mount tag: `mount=9p:TAG:/target[:ro]`.
 *
 * The host is the file system: nothing is cached but what identity needs.
 * Each vnode holds a fid walked to its file and never opened (the one new
 * walks start from), and up to two opened lazily for I/O, one for reading
 * and one for writing (a file made here has one opened for both). There is
 * one vnode per qid.path at a time (a table of the live ones), so two names
 * of a file, or a name walked twice, give the vnode an open file has; a
 * vnode goes, and its fids are clunked, with its last reference.
 *
 * Every answer is checked by fs/9p_msg.c; the device's errors arrive as
 * Linux errno values (9P2000.L's Rlerror) and are passed on as they are.
 * Limits: a file removed on the host, or unlinked here, before the guest
 * first reads or writes it cannot be opened any more (QEMU's fids follow
 * paths); special files (fifos, devices) are seen as regular files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/9p/p9dev.h"
#include "fs/9p_msg.h"
#include "fs/fstype.h"
#include "fs/vnode.h"
#include "kernel/device.h"

#define BUCKETS 64
#define MIN_MSIZE 4096u

struct p9node;

struct p9fs {
	struct p9dev *dev;
	uint32_t msize;                 /* negotiated */
	uint32_t next_fid;
	bool read_only;
	unsigned live;                  /* vnodes alive; the session ends with the last */
	unsigned sync_pass;             /* syncfs's round, see sync_all */
	struct p9node *nodes[BUCKETS];  /* by qid.path */
};

/* A directory's last Treaddir answer, for the readdir calls that follow. */
struct dirbuf {
	uint64_t start;                 /* the cookie of its first entry */
	uint32_t count;                 /* bytes in data */
	uint32_t at;                    /* where the entry of cookie `next` starts */
	uint64_t next;
	uint8_t data[];
};

struct p9node {
	struct vnode v;
	struct p9fs *fs;
	struct p9node *next;            /* in its bucket */
	uint64_t qpath;
	uint32_t fid;                   /* walked, never opened */
	uint32_t rfid, wfid;            /* opened for reading / writing, or P9_NOFID */
	uint32_t iounit;                /* the server's advice, 0 for none */
	unsigned synced;                /* the syncfs round that last fsynced it */
	struct dirbuf *dir;
};

static const struct vnode_ops ops;

static struct p9node *pn(struct vnode *v) { return (struct p9node *)v; }

static uint32_t new_fid(struct p9fs *fs)
{
	if (fs->next_fid == P9_NOFID)
		fs->next_fid = 1;
	return fs->next_fid++;
}

/* One exchange: call_begin takes a slot (waiting for one), the caller
 * builds the T-message into it (c.len: its length or -EMSGSIZE),
 * call_send sends it and waits, the caller checks the answer in place,
 * call_end gives the slot back. The slot's index is the message's tag. */
struct call {
	struct p9fs *fs;
	struct p9_slot *s;
	long len;
};

static struct call call_begin(struct p9fs *fs)
{
	struct call c = { fs, fs->dev->get_slot(fs->dev), 0 };
	return c;
}

/* Sends what was built (c->len) and waits: 0, or an error to return. */
static int call_send(struct call *c)
{
	if (c->len < 0)
		return (int)c->len;
	return c->fs->dev->rpc(c->fs->dev, c->s, (size_t)c->len);
}

static void call_end(struct call *c) { c->fs->dev->put_slot(c->fs->dev, c->s); }

#define SLOT_T(c) (c).s->t, (c).fs->msize, (c).s->index
#define SLOT_R(c) (c).s->r, (c).s->r_len

/* The many requests whose answer is empty: Tclunk, Tfsync, Tlink... */
static int finish_empty(struct call *c, uint8_t rtype)
{
	int err = call_send(c);
	if (!err)
		err = p9_rempty(SLOT_R(*c), rtype, c->s->index);
	call_end(c);
	return err;
}

static void clunk(struct p9fs *fs, uint32_t fid)
{
	if (fid == P9_NOFID)
		return;
	struct call c = call_begin(fs);
	c.len = p9_tclunk(SLOT_T(c), fid);
	finish_empty(&c, P9_RCLUNK);    /* the fid is gone whatever the answer */
}

/* Walks `n` names (0: a clone) from `fid` to a new fid. A walk that stops
 * short (fewer qids than names) failed at the next name. */
static int walk(struct p9fs *fs, uint32_t fid, const char *name, size_t len, uint32_t *out, struct p9_qid *q)
{
	unsigned n = name ? 1 : 0, got;
	uint32_t newfid = new_fid(fs);
	struct p9_qid qids[1];
	struct call c = call_begin(fs);
	c.len = p9_twalk(SLOT_T(c), fid, newfid, n, &name, &len);
	int err = call_send(&c);
	if (!err)
		err = p9_rwalk(SLOT_R(c), c.s->index, qids, n, &got);
	call_end(&c);
	if (!err && got < n)
		err = -ENOENT;  /* (the newfid is not made then) */
	if (err)
		return err;
	*out = newfid;
	if (q && n)
		*q = qids[0];
	return 0;
}

static struct p9node **bucket(struct p9fs *fs, uint64_t qpath) { return &fs->nodes[qpath % BUCKETS]; }

static struct p9node *find_node(struct p9fs *fs, uint64_t qpath)
{
	for (struct p9node *n = *bucket(fs, qpath); n; n = n->next)
		if (n->qpath == qpath)
			return n;
	return NULL;
}

static uint32_t qid_vtype(const struct p9_qid *q)
{
	return (q->type & P9_QTDIR) ? VFS_IFDIR : (q->type & P9_QTSYMLINK) ? VFS_IFLNK : VFS_IFREG;
}

/* The vnode of the file `fid` (walked, ours to keep or clunk) leads to:
 * the live one of its qid.path, or a new one that keeps the fid. */
static int node_for(struct p9fs *fs, uint32_t fid, const struct p9_qid *q, struct vnode **out)
{
	struct p9node *n = find_node(fs, q->path);
	if (n) {
		*out = vnode_get(&n->v);
		clunk(fs, fid);
		return 0;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		clunk(fs, fid);
		return -ENOMEM;
	}
	n->v.ops = &ops;
	n->v.type = qid_vtype(q);
	n->fs = fs;
	n->qpath = q->path;
	n->fid = fid;
	n->rfid = n->wfid = P9_NOFID;
	n->next = *bucket(fs, q->path);
	*bucket(fs, q->path) = n;
	fs->live++;
	*out = vnode_get(&n->v);
	return 0;
}

static int p_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct p9fs *fs = pn(dir)->fs;
	uint32_t fid;
	struct p9_qid q;
	int err = walk(fs, pn(dir)->fid, name, len, &fid, &q);
	return err ? err : node_for(fs, fid, &q, out);
}

/* A new fid opened with `flags` (Tlopen) on the file of n. */
static int open_fid(struct p9node *n, uint32_t flags, uint32_t *out)
{
	struct p9fs *fs = n->fs;
	uint32_t fid;
	int err = walk(fs, n->fid, NULL, 0, &fid, NULL);
	if (err)
		return err;
	struct p9_qid q;
	uint32_t iounit;
	struct call c = call_begin(fs);
	c.len = p9_tlopen(SLOT_T(c), fid, flags);
	err = call_send(&c);
	if (!err)
		err = p9_ropen(SLOT_R(c), P9_RLOPEN, c.s->index, &q, &iounit);
	call_end(&c);
	if (err) {
		clunk(fs, fid);
		return err;
	}
	n->iounit = iounit;
	*out = fid;
	return 0;
}

/* The fid to read (or list) n with, opened on first use. */
static int reader(struct p9node *n, uint32_t *fid)
{
	if (n->rfid == P9_NOFID) {
		uint32_t f;
		int err = open_fid(n, n->v.type == VFS_IFDIR ? P9_DOTL_RDONLY | P9_DOTL_DIRECTORY : P9_DOTL_RDONLY, &f);
		if (err)
			return err;
		if (n->rfid == P9_NOFID)
			n->rfid = f;
		else
			clunk(n->fs, f);        /* another thread opened one meanwhile */
	}
	*fid = n->rfid;
	return 0;
}

static int writer(struct p9node *n, uint32_t *fid)
{
	if (n->fs->read_only)
		return -EROFS;
	if (n->wfid == P9_NOFID) {
		uint32_t f;
		int err = open_fid(n, P9_DOTL_WRONLY, &f);
		if (err)
			return err;
		if (n->wfid == P9_NOFID)
			n->wfid = f;
		else
			clunk(n->fs, f);
	}
	*fid = n->wfid;
	return 0;
}

/* Bytes of file data one Tread or Twrite carries. */
static uint32_t io_chunk(struct p9node *n)
{
	uint32_t max = n->fs->msize - P9_IO_HEADER;
	return n->iounit && n->iounit < max ? n->iounit : max;
}

static int make_dir(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out)
{
	struct p9fs *fs = pn(dir)->fs;
	struct p9_qid q;
	struct call c = call_begin(fs);
	c.len = p9_tmkdir(SLOT_T(c), pn(dir)->fid, name, len, mode & 07777, 0);
	int err = call_send(&c);
	if (!err)
		err = p9_rqid(SLOT_R(c), P9_RMKDIR, c.s->index, &q);
	call_end(&c);
	return err ? err : p_lookup(dir, name, len, out);
}

/* Tlcreate turns a clone of the directory's fid into the new file, opened
 * for reading and writing: it becomes the vnode's I/O fid. */
static int make_file(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out)
{
	struct p9fs *fs = pn(dir)->fs;
	uint32_t ofid;
	int err = walk(fs, pn(dir)->fid, NULL, 0, &ofid, NULL);
	if (err)
		return err;
	struct p9_qid q;
	uint32_t iounit;
	struct call c = call_begin(fs);
	c.len = p9_tlcreate(SLOT_T(c), ofid, name, len, P9_DOTL_CREATE | P9_DOTL_EXCL | P9_DOTL_RDWR,
			    mode & 07777, 0);
	err = call_send(&c);
	if (!err)
		err = p9_ropen(SLOT_R(c), P9_RLCREATE, c.s->index, &q, &iounit);
	call_end(&c);
	if (!err)
		err = p_lookup(dir, name, len, out);
	if (err) {
		clunk(fs, ofid);
		return err;
	}
	struct p9node *n = pn(*out);
	if (n->rfid == P9_NOFID && n->wfid == P9_NOFID) {
		n->rfid = n->wfid = ofid;
		n->iounit = iounit;
	} else {
		clunk(fs, ofid);
	}
	return 0;
}

static int p_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out)
{
	uint32_t type = mode & VFS_IFMT;
	if (pn(dir)->fs->read_only)
		return -EROFS;
	if (type == VFS_IFDIR)
		return make_dir(dir, name, len, mode, out);
	return type == VFS_IFREG ? make_file(dir, name, len, mode, out) : -EINVAL;
}

static int p_symlink(struct vnode *dir, const char *name, size_t len, const char *target)
{
	struct p9fs *fs = pn(dir)->fs;
	if (fs->read_only)
		return -EROFS;
	struct p9_qid q;
	struct call c = call_begin(fs);
	c.len = p9_tsymlink(SLOT_T(c), pn(dir)->fid, name, len, target, 0);
	int err = call_send(&c);
	if (!err)
		err = p9_rqid(SLOT_R(c), P9_RSYMLINK, c.s->index, &q);
	call_end(&c);
	return err;
}

static int p_link(struct vnode *dir, const char *name, size_t len, struct vnode *file)
{
	struct p9fs *fs = pn(dir)->fs;
	if (file->ops != &ops || pn(file)->fs != fs)
		return -EXDEV;
	if (fs->read_only)
		return -EROFS;
	struct call c = call_begin(fs);
	c.len = p9_tlink(SLOT_T(c), pn(dir)->fid, pn(file)->fid, name, len);
	return finish_empty(&c, P9_RLINK);
}

static int p_unlink(struct vnode *dir, const char *name, size_t len, bool want_dir)
{
	struct p9fs *fs = pn(dir)->fs;
	if (fs->read_only)
		return -EROFS;
	struct call c = call_begin(fs);
	c.len = p9_tunlinkat(SLOT_T(c), pn(dir)->fid, name, len, want_dir ? P9_AT_REMOVEDIR : 0);
	return finish_empty(&c, P9_RUNLINKAT);
}

static int p_rename(struct vnode *from_dir, const char *from, size_t from_len, struct vnode *to_dir,
		    const char *to, size_t to_len)
{
	struct p9fs *fs = pn(from_dir)->fs;
	if (fs->read_only)
		return -EROFS;
	struct call c = call_begin(fs);
	c.len = p9_trenameat(SLOT_T(c), pn(from_dir)->fid, from, from_len, pn(to_dir)->fid, to, to_len);
	return finish_empty(&c, P9_RRENAMEAT);
}

static ssize_t p_readlink(struct vnode *v, char *buf, size_t size)
{
	if (v->type != VFS_IFLNK)
		return -EINVAL;
	struct p9fs *fs = pn(v)->fs;
	const char *target;
	size_t tlen;
	struct call c = call_begin(fs);
	c.len = p9_treadlink(SLOT_T(c), pn(v)->fid);
	int err = call_send(&c);
	if (!err)
		err = p9_rreadlink(SLOT_R(c), c.s->index, &target, &tlen);
	if (!err) {
		tlen = tlen < size ? tlen : size;
		memcpy(buf, target, tlen);
	}
	call_end(&c);
	return err ? err : (ssize_t)tlen;
}

/* The fid that best names the file now: an opened one still reaches a
 * file unlinked since (QEMU answers it with fstat). */
static uint32_t attr_fid(struct p9node *n)
{
	return n->wfid != P9_NOFID ? n->wfid : n->rfid != P9_NOFID ? n->rfid : n->fid;
}

static int64_t ns(uint64_t sec, uint64_t nsec) { return (int64_t)sec * 1000000000 + (int64_t)nsec; }

static int p_getattr(struct vnode *v, struct vattr *out)
{
	struct p9fs *fs = pn(v)->fs;
	struct p9_attr a;
	struct call c = call_begin(fs);
	c.len = p9_tgetattr(SLOT_T(c), attr_fid(pn(v)), P9_GETATTR_BASIC);
	int err = call_send(&c);
	if (!err)
		err = p9_rgetattr(SLOT_R(c), c.s->index, &a);
	call_end(&c);
	if (err)
		return err;
	*out = (struct vattr){
		/* The type is the vnode's, fixed at its walk, whatever the
		 * server says now. */
		.mode = (a.mode & 07777) | v->type, .nlink = (uint32_t)a.nlink, .ino = pn(v)->qpath,
		.size = a.size, .blocks = a.blocks, .uid = a.uid, .gid = a.gid,
		.atime_ns = ns(a.atime_sec, a.atime_nsec), .mtime_ns = ns(a.mtime_sec, a.mtime_nsec),
		.ctime_ns = ns(a.ctime_sec, a.ctime_nsec),
	};
	return 0;
}

static int setattr(struct p9node *n, const struct p9_setattr *a)
{
	if (n->fs->read_only)
		return -EROFS;
	struct call c = call_begin(n->fs);
	c.len = p9_tsetattr(SLOT_T(c), attr_fid(n), a);
	return finish_empty(&c, P9_RSETATTR);
}

static int p_truncate(struct vnode *v, uint64_t size)
{
	if (v->type == VFS_IFDIR)
		return -EISDIR;
	if (v->type != VFS_IFREG)
		return -EINVAL;
	struct p9_setattr a = { .valid = P9_SETATTR_SIZE, .size = size };
	return setattr(pn(v), &a);
}

static int p_setattr(struct vnode *v, const struct vattr *va, unsigned mask)
{
	struct p9_setattr a = { 0 };
	if (mask & VATTR_MODE) {
		a.valid |= P9_SETATTR_MODE;
		a.mode = va->mode & 07777;
	}
	if (mask & VATTR_UID) {
		a.valid |= P9_SETATTR_UID;
		a.uid = va->uid;
	}
	if (mask & VATTR_GID) {
		a.valid |= P9_SETATTR_GID;
		a.gid = va->gid;
	}
	if (mask & VATTR_ATIME) {
		a.valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
		a.atime_sec = va->atime_ns / 1000000000;
		a.atime_nsec = va->atime_ns % 1000000000;
	}
	if (mask & VATTR_MTIME) {
		a.valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
		a.mtime_sec = va->mtime_ns / 1000000000;
		a.mtime_nsec = va->mtime_ns % 1000000000;
	}
	/* Nothing asked still changes the change time, as the VFS promises. */
	if (!a.valid)
		a.valid = P9_SETATTR_CTIME;
	return setattr(pn(v), &a);
}

/* One Tread of at most io_chunk bytes: the count read (0 at the end). */
static ssize_t read_once(struct p9node *n, uint32_t fid, uint8_t *buf, uint32_t want, uint64_t offset)
{
	const uint8_t *data;
	uint32_t got;
	struct call c = call_begin(n->fs);
	c.len = p9_tread(SLOT_T(c), fid, offset, want);
	int err = call_send(&c);
	if (!err)
		err = p9_rdata(SLOT_R(c), P9_RREAD, c.s->index, want, &data, &got);
	if (!err)
		memcpy(buf, data, got);
	call_end(&c);
	return err ? err : (ssize_t)got;
}

static ssize_t p_read(struct vnode *v, void *buf, size_t len, uint64_t offset)
{
	struct p9node *n = pn(v);
	if (v->type == VFS_IFDIR)
		return -EISDIR;
	uint32_t fid;
	int err = reader(n, &fid);
	if (err)
		return err;
	size_t done = 0;
	while (done < len) {
		uint32_t want = io_chunk(n);
		if (want > len - done)
			want = (uint32_t)(len - done);
		ssize_t got = read_once(n, fid, (uint8_t *)buf + done, want, offset + done);
		if (got < 0)
			return done ? (ssize_t)done : got;
		done += (size_t)got;
		if ((uint32_t)got < want)
			break;  /* a short read is the end of the file */
	}
	return (ssize_t)done;
}

static ssize_t write_once(struct p9node *n, uint32_t fid, const uint8_t *buf, uint32_t count, uint64_t offset)
{
	uint32_t wrote;
	struct call c = call_begin(n->fs);
	c.len = p9_twrite(SLOT_T(c), fid, offset, buf, count);
	int err = call_send(&c);
	if (!err)
		err = p9_rwrite(SLOT_R(c), c.s->index, count, &wrote);
	call_end(&c);
	return err ? err : (ssize_t)wrote;
}

static ssize_t p_write(struct vnode *v, const void *buf, size_t len, uint64_t offset)
{
	struct p9node *n = pn(v);
	if (v->type == VFS_IFDIR)
		return -EISDIR;
	if (offset + len < offset)
		return -EFBIG;
	uint32_t fid;
	int err = writer(n, &fid);
	if (err)
		return err;
	size_t done = 0;
	while (done < len) {
		uint32_t count = io_chunk(n);
		if (count > len - done)
			count = (uint32_t)(len - done);
		ssize_t wrote = write_once(n, fid, (const uint8_t *)buf + done, count, offset + done);
		if (wrote <= 0)
			return done ? (ssize_t)done : wrote ? wrote : -EIO;
		done += (size_t)wrote;
	}
	return (ssize_t)done;
}

/* Fills n's directory buffer with the entries from `cookie` on. */
static int fetch_dir(struct p9node *n, uint64_t cookie)
{
	struct p9fs *fs = n->fs;
	uint32_t fid;
	int err = reader(n, &fid);
	if (err)
		return err;
	uint32_t want = fs->msize - P9_IO_HEADER;
	if (!n->dir && !(n->dir = malloc(sizeof(*n->dir) + want)))
		return -ENOMEM;
	const uint8_t *data;
	uint32_t got;
	struct call c = call_begin(fs);
	c.len = p9_treaddir(SLOT_T(c), fid, cookie, want);
	err = call_send(&c);
	if (!err)
		err = p9_rdata(SLOT_R(c), P9_RREADDIR, c.s->index, want, &data, &got);
	if (!err) {
		memcpy(n->dir->data, data, got);
		n->dir->count = got;
		n->dir->start = n->dir->next = cookie;
		n->dir->at = 0;
	}
	call_end(&c);
	return err;
}

/* Finds the entry of `cookie` in the buffer: 1 (d->at on it), 0 when the
 * buffer does not hold it, -EIO for a malformed one. An entry's cookie is
 * the offset the entry before it gives. */
static int seek_dir(struct dirbuf *d, uint64_t cookie)
{
	if (d->next == cookie)
		return 1;
	d->at = 0;
	d->next = d->start;
	if (cookie == d->start)
		return 1;
	struct p9_dirent e;
	int r;
	while ((r = p9_dirent_next(d->data, d->count, &d->at, &e)) == 1) {
		d->next = e.offset;
		if (e.offset == cookie)
			return 1;
	}
	return r;
}

static uint32_t dirent_vtype(uint8_t dt) { return dt == 4 ? VFS_IFDIR : dt == 10 ? VFS_IFLNK : VFS_IFREG; }

/* Entries come from the directory's last Treaddir when it holds the one
 * asked for; cookie 0 (a new listing, rewinddir) always asks the host. */
static int p_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out)
{
	struct p9node *n = pn(dir);
	if (dir->type != VFS_IFDIR)
		return -ENOTDIR;
	int r = *cookie != 0 && n->dir ? seek_dir(n->dir, *cookie) : 0;
	if (r == 1 && n->dir->at >= n->dir->count)
		r = 0;          /* the buffer ends there: the rest is the host's */
	if (r == 0) {
		int err = fetch_dir(n, *cookie);
		if (err)
			return err;
		r = 1;
	}
	if (r < 0)
		return r;
	struct dirbuf *d = n->dir;
	struct p9_dirent e;
	r = p9_dirent_next(d->data, d->count, &d->at, &e);
	if (r <= 0)
		return r;               /* 0: the listing's end */
	if (e.name_len == 0 || e.name_len > VFS_NAME_MAX || memchr(e.name, '/', e.name_len) ||
	    memchr(e.name, '\0', e.name_len))
		return -EIO;
	out->ino = e.qid.path;
	out->type = dirent_vtype(e.type);
	memcpy(out->name, e.name, e.name_len);
	out->name[e.name_len] = '\0';
	d->next = *cookie = e.offset;
	return 1;
}

static int fsync_fid(struct p9fs *fs, uint32_t fid, bool data_only)
{
	struct call c = call_begin(fs);
	c.len = p9_tfsync(SLOT_T(c), fid, data_only);
	return finish_empty(&c, P9_RFSYNC);
}

/* Tfsync needs an opened fid: a file written here has one; any other is
 * opened for reading, which Linux's fsync accepts as well. */
static int p_fsync(struct vnode *v, bool data_only)
{
	struct p9node *n = pn(v);
	uint32_t fid = n->wfid;
	if (fid == P9_NOFID) {
		int err = reader(n, &fid);
		if (err)
			return err;
	}
	return fsync_fid(n->fs, fid, data_only);
}

static int p_statfs(struct vnode *v, struct vstatfs *out)
{
	struct p9fs *fs = pn(v)->fs;
	struct p9_statfs s;
	struct call c = call_begin(fs);
	c.len = p9_tstatfs(SLOT_T(c), pn(v)->fid);
	int err = call_send(&c);
	if (!err)
		err = p9_rstatfs(SLOT_R(c), c.s->index, &s);
	call_end(&c);
	if (err)
		return err;
	*out = (struct vstatfs){ .bsize = s.bsize, .blocks = s.blocks, .bfree = s.bfree, .bavail = s.bavail,
				 .files = s.files, .ffree = s.ffree, .namemax = s.namelen, .fsid = s.fsid };
	return 0;
}

/* The next live vnode with a write fid not yet synced in this round. */
static struct p9node *unsynced(struct p9fs *fs)
{
	for (unsigned b = 0; b < BUCKETS; b++)
		for (struct p9node *n = fs->nodes[b]; n; n = n->next)
			if (n->wfid != P9_NOFID && n->synced != fs->sync_pass)
				return n;
	return NULL;
}

/* Every file written through this mount, fsynced on the host. Each fsync
 * blocks, and the table may change meanwhile, so the scan starts over
 * after each, skipping the files this round has done. */
static int p_syncfs(struct vnode *v)
{
	struct p9fs *fs = pn(v)->fs;
	int first = 0;
	unsigned pass = ++fs->sync_pass;
	struct p9node *n;
	while ((n = unsynced(fs))) {
		n->synced = pass;
		vnode_get(&n->v);
		int err = fsync_fid(fs, n->wfid, false);
		vnode_put(&n->v);
		if (err && !first)
			first = err;
	}
	return first;
}

static void p_release(struct vnode *v)
{
	struct p9node *n = pn(v);
	struct p9fs *fs = n->fs;
	/* Out of the table before anything blocks: a walk meanwhile makes a
	 * new vnode rather than finding this one. */
	struct p9node **p = bucket(fs, n->qpath);
	while (*p != n)
		p = &(*p)->next;
	*p = n->next;
	clunk(fs, n->fid);
	if (n->wfid != n->rfid)
		clunk(fs, n->wfid);
	clunk(fs, n->rfid);
	free(n->dir);
	free(n);
	if (--fs->live == 0) {          /* the share is unmounted and nothing is open */
		fs->dev->client = NULL;
		free(fs);
	}
}

static const struct vnode_ops ops = {
	.lookup = p_lookup, .create = p_create, .symlink = p_symlink, .link = p_link, .unlink = p_unlink,
	.rename = p_rename, .readlink = p_readlink, .getattr = p_getattr, .truncate = p_truncate,
	.setattr = p_setattr, .read = p_read, .write = p_write, .readdir = p_readdir, .fsync = p_fsync,
	.statfs = p_statfs, .syncfs = p_syncfs, .release = p_release,
};

/* Tversion: agrees on msize (at most what the transport carries) and
 * checks that the server speaks 9P2000.L. */
static int version(struct p9fs *fs, char *why, size_t why_size)
{
	uint32_t msize;
	bool dotl;
	struct call c = call_begin(fs);
	c.len = p9_tversion(c.s->t, fs->dev->msg_size, fs->dev->msg_size);
	int err = call_send(&c);
	if (!err)
		err = p9_rversion(c.s->r, c.s->r_len, &msize, &dotl);
	call_end(&c);
	if (err) {
		snprintf(why, why_size, "Tversion failed on %s (error %d)", fs->dev->driver_name, err);
	} else if (!dotl) {
		snprintf(why, why_size, "the server on %s does not speak 9P2000.L", fs->dev->driver_name);
		err = -EPROTONOSUPPORT;
	} else if (msize < MIN_MSIZE || msize > fs->dev->msg_size) {
		snprintf(why, why_size, "the server on %s offers msize %u", fs->dev->driver_name, msize);
		err = -EIO;
	}
	fs->msize = msize;
	return err;
}

static int attach(struct p9fs *fs, struct vnode **root, char *why, size_t why_size)
{
	uint32_t fid = new_fid(fs);
	struct p9_qid q;
	struct call c = call_begin(fs);
	c.len = p9_tattach(SLOT_T(c), fid, "", 0);
	int err = call_send(&c);
	if (!err)
		err = p9_rqid(SLOT_R(c), P9_RATTACH, c.s->index, &q);
	call_end(&c);
	if (err) {
		snprintf(why, why_size, "the host refused to attach '%s' (error %d)", fs->dev->tag, err);
		return err;
	}
	if (!(q.type & P9_QTDIR)) {
		clunk(fs, fid);
		snprintf(why, why_size, "the root of share '%s' is not a directory", fs->dev->tag);
		return -ENOTDIR;
	}
	return node_for(fs, fid, &q, root);
}

static int parse_options(const char *text, char *why, size_t why_size)
{
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!(len == 2 && (memcmp(p, "ro", 2) == 0 || memcmp(p, "rw", 2) == 0))) {
			snprintf(why, why_size, "unknown 9p option '%.*s'", (int)(len < 32 ? len : 32), p);
			return -EINVAL;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int p_mount(struct fs_mount_args *a, struct vnode **root)
{
	struct p9dev *d = p9dev_find(a->source);
	if (!d) {
		char tags[64];
		p9dev_list(tags, sizeof(tags));
		snprintf(a->why, sizeof(a->why), "no 9p share tagged '%s' (%s%s)", a->source,
			 tags[0] ? "shares here: " : "no virtio-9p device found", tags);
		return -ENODEV;
	}
	int err = parse_options(a->options, a->why, sizeof(a->why));
	if (err)
		return err;
	if (d->client) {
		snprintf(a->why, sizeof(a->why), "share '%s' is mounted already", d->tag);
		return -EBUSY;
	}
	struct p9fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->dev = d;
	fs->read_only = a->read_only;
	fs->next_fid = 1;
	d->client = fs;
	err = version(fs, a->why, sizeof(a->why));
	if (!err)
		err = attach(fs, root, a->why, sizeof(a->why));
	if (err) {
		d->client = NULL;
		free(fs);               /* no vnode was made */
	}
	return err;
}

/* Shares come from virtio-9p, linked with this file. */
DRIVER_REQUIRE(virtio_9p_driver);

const struct fs_type ninep_fs_type = { "9p", false, NULL, p_mount };
FS_TYPE_REGISTER(ninep_fs_type);
