/*
 * Pinning (pin.h; docs/abi.md §7, "How a pinned plugin is loaded"): a
 * plugin's file is read once, through one descriptor, into a private copy
 * named by the SHA-256 of the bytes read, and that copy is what is loaded.
 * Lock files (include/rdy.h) say which digest each plugin must have.
 *
 * Why a file being written is never copied half written: the file must
 * have settled, its ctime in an earlier tick of the coarse clock than now,
 * so that every write from then on changes its ctime (the kernel stamps a
 * write with the coarse clock, or a finer one, before it changes a byte);
 * lseek(SEEK_DATA) waits out a write already under way where it takes the
 * inode's lock; and fstat after the read must give the same size, inode,
 * mtime and ctime as before it.  Else the read starts again.
 */
#define _GNU_SOURCE /* secure_getenv, SEEK_DATA, CLOCK_REALTIME_COARSE */
#include "rt/pin.h"
#include "rt/rt.h"

#include <openssl/evp.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int rdy__pin_patience_ms = 3000;

enum { BLOCK = 1 << 16 };              /* read and written at a time */
#define LOCK_MAX ((size_t)64 << 20)    /* the largest lock file read */
#define DIGITS "0123456789abcdef"

struct lock_entry {
	char *name;                        /* unescaped */
	uint8_t digest[32];
	uint32_t line;                     /* where the file first gives it */
};

struct rdy_lock {
	char *name;                        /* the file, as given: messages name it */
	char *dir;                         /* its directory, absolute when the cwd could be read */
	struct lock_entry *e;              /* in file order, a name once */
	uint32_t n;
};

void rdy__sha256_hex(const uint8_t digest[32], char hex[65])
{
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = DIGITS[digest[i] >> 4];
		hex[2 * i + 1] = DIGITS[digest[i] & 15];
	}
	hex[64] = '\0';
}

/* ---- time ---------------------------------------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000L };
	while (nanosleep(&t, &t) < 0 && errno == EINTR) {
	}
}

/*
 * Whether a write from now on must give ST's file another ctime: now, by
 * the coarse clock that stamps writes, is a later tick than its ctime.  A
 * ctime of whole seconds may come from a file system that keeps no more:
 * then two seconds later.
 */
static bool settled(const struct stat *st)
{
	struct timespec now, c = st->st_ctim;
	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) < 0)
		clock_gettime(CLOCK_REALTIME, &now);
	if (c.tv_nsec == 0)
		return now.tv_sec >= c.tv_sec + 2;
	return now.tv_sec > c.tv_sec || (now.tv_sec == c.tv_sec && now.tv_nsec > c.tv_nsec);
}

/* How many seconds ST's ctime is ahead of the real-time clock: 0 when it is not. */
static int64_t ahead(const struct stat *st)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return st->st_ctim.tv_sec > now.tv_sec ? (int64_t)(st->st_ctim.tv_sec - now.tv_sec) : 0;
}

/* The same file, unwritten between A and B. */
static bool unchanged(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* ---- reading a file once, settled, hashed and copied ----------------------------- */

typedef struct reading {
	const char *path;                  /* as given: starts every message */
	int fd;                            /* the file, opened once */
	int out;                           /* the copy being written, or -1 */
	const char *cache;                 /* its directory, for messages */
	uint8_t *buf;
	EVP_MD_CTX *md;
} reading;

/* Opens PATH for R: RDY_OK, or the code set in *ERR. */
static int open_source(reading *r, const char *path, rdy_error **err)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	r->fd = r->out = -1;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (r->fd < 0)
		return rdy__fail(err, RDY_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(r->fd, &st) < 0)
		return rdy__fail(err, RDY_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return rdy__fail(err, RDY_EIO, "%s: not a regular file", path);
	if (!(r->buf = malloc(BLOCK)) || !(r->md = EVP_MD_CTX_new()))
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", path);
	return RDY_OK;
}

static void close_source(reading *r)
{
	if (r->fd >= 0)
		close(r->fd);
	EVP_MD_CTX_free(r->md);
	free(r->buf);
}

static int write_at(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static int copy_failed(const reading *r, rdy_error **err)
{
	return rdy__fail(err, RDY_EIO, "%s: cannot copy it into the cache directory %s: %s", r->path, r->cache,
			 strerror(errno));
}

/*
 * One pass: the file's bytes through R->fd, from its start, at most LIMIT
 * of them, hashed and (when R->out >= 0) written to the copy, emptied
 * first.  *GOT is the bytes read.  RDY_OK or the code set in *ERR.
 */
static int pass(reading *r, uint64_t limit, uint64_t *got, rdy_error **err)
{
	if (!EVP_DigestInit_ex(r->md, EVP_sha256(), NULL))
		return rdy__fail(err, RDY_EIO, "%s: OpenSSL's SHA-256 failed", r->path);
	if (r->out >= 0 && ftruncate(r->out, 0) < 0)
		return copy_failed(r, err);
	uint64_t off = 0;
	while (off < limit) {
		size_t want = limit - off < BLOCK ? (size_t)(limit - off) : BLOCK;
		ssize_t k = pread(r->fd, r->buf, want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return rdy__fail(err, RDY_EIO, "%s: read failed: %s", r->path, strerror(errno));
		if (k == 0)
			break;
		if (!EVP_DigestUpdate(r->md, r->buf, (size_t)k))
			return rdy__fail(err, RDY_EIO, "%s: OpenSSL's SHA-256 failed", r->path);
		if (r->out >= 0 && write_at(r->out, r->buf, (size_t)k, off) < 0)
			return copy_failed(r, err);
		off += (uint64_t)k;
	}
	*got = off;
	return RDY_OK;
}

/*
 * Reads R's file whole once it has settled and stays so for the whole
 * read, hashing (and copying) it: the digest in DIGEST.  RDY_OK or the
 * code set in *ERR.
 */
static int read_settled(reading *r, uint8_t digest[32], rdy_error **err)
{
	int64_t start = mono_ms();
	for (;;) {
		struct stat a, b;
		if (fstat(r->fd, &a) < 0)
			return rdy__fail(err, RDY_EIO, "%s: %s", r->path, strerror(errno));
		bool ready = settled(&a);
		if (ready) {
			if (a.st_size == 0)
				return rdy__fail(err, RDY_EFORMAT, "%s: the file is empty", r->path);
			/* A write under way ends first where SEEK_DATA takes the inode's lock, as writes do. */
			(void)lseek(r->fd, 0, SEEK_DATA);
			uint64_t got = 0;
			int rc = pass(r, (uint64_t)a.st_size + 1, &got, err);
			if (rc != RDY_OK)
				return rc;
			if (fstat(r->fd, &b) < 0)
				return rdy__fail(err, RDY_EIO, "%s: %s", r->path, strerror(errno));
			if (unchanged(&a, &b) && got == (uint64_t)a.st_size) {
				if (!EVP_DigestFinal_ex(r->md, digest, NULL))
					return rdy__fail(err, RDY_EIO, "%s: OpenSSL's SHA-256 failed", r->path);
				return RDY_OK;
			}
			if (unchanged(&a, &b))
				return rdy__fail(err, RDY_EIO, "%s: read failed: %llu bytes read, where its size is %llu",
						 r->path, (unsigned long long)got, (unsigned long long)a.st_size);
		}
		int64_t spent = mono_ms() - start;
		if (spent >= rdy__pin_patience_ms && ahead(&a) > 1)
			return rdy__fail(err, RDY_EBUSY,
					 "%s: its ctime is %lld s ahead of the clock, so whether it is still being written "
					 "cannot be told; try again later",
					 r->path, (long long)ahead(&a));
		if (spent >= rdy__pin_patience_ms)
			return rdy__fail(err, RDY_EBUSY,
					 "%s: the file kept changing while it was read (for %lld ms); try again once it is written",
					 r->path, (long long)spent);
		/* Not settled: its ctime's tick must pass.  Changed: a writer is at work; let it go on. */
		nap_ms(!ready && !a.st_ctim.tv_nsec ? 50 : ready ? 1 : 2);
	}
}

RDY_API int rdy_sha256_file(const char *path, uint8_t digest[32], rdy_error **err)
{
	if (!path || !digest)
		return rdy__fail(err, RDY_EINVAL, "%s: %s", path ? path : "rdy_sha256_file", path ? "no digest" : "no path");
	reading r;
	int rc = open_source(&r, path, err);
	if (rc == RDY_OK)
		rc = read_settled(&r, digest, err);
	close_source(&r);
	return rc;
}

/* ---- the cache directory ----------------------------------------------------------- */

/* CACHE_DIR, or the default, in *DIR, malloc'd, less trailing slashes.  WHO starts messages. */
static int cache_name(const char *who, const char *cache_dir, char **dir, rdy_error **err)
{
	const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");
	const char *base = cache_dir, *rest = "";
	if (!base && xdg && xdg[0] == '/') { /* a relative one is to be ignored (XDG Base Directory) */
		base = xdg;
		rest = "/rdy";
	} else if (!base && home && home[0]) {
		base = home;
		rest = "/.cache/rdy";
	}
	if (!base)
		return rdy__fail(err, RDY_EINVAL, "%s: no cache directory: neither $XDG_CACHE_HOME nor $HOME is set", who);
	if (!base[0])
		return rdy__fail(err, RDY_EINVAL, "%s: the cache directory's name is empty", who);
	size_t n = strlen(base);
	char *d = malloc(n + strlen(rest) + 1);
	if (!d)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", who);
	memcpy(d, base, n);
	strcpy(d + n, rest);
	for (n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
		d[n - 1] = '\0';
	*dir = d;
	return RDY_OK;
}

/* mkdir -p DIR, each directory made 0700. */
static int make_dirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		int rc = mkdir(dir, 0700);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(dir, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * Opens the cache directory DIR into *FD, made first when CREATE.  It must
 * be this user's alone.  RDY_OK, or the code set in *ERR; without CREATE,
 * a missing directory is RDY_OK with *FD -1.
 */
static int open_cache(const char *who, char *dir, bool create, int *fd, rdy_error **err)
{
	*fd = -1;
	if (create && make_dirs(dir) < 0)
		return rdy__fail(err, RDY_EIO, "%s: cache directory %s: %s", who, dir, strerror(errno));
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (d < 0 && !create && errno == ENOENT)
		return RDY_OK;
	int rc = RDY_OK;
	if (d < 0 || fstat(d, &st) < 0)
		rc = rdy__fail(err, RDY_EIO, "%s: cache directory %s: %s", who, dir, strerror(errno));
	else if (st.st_uid != geteuid())
		rc = rdy__fail(err, RDY_EINVAL, "%s: cache directory %s belongs to uid %lu, not to this user (uid %lu)",
			       who, dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = rdy__fail(err, RDY_EINVAL, "%s: cache directory %s is writable by %s (mode %04o)", who, dir,
			       (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "its group and others"
			       : st.st_mode & S_IWGRP ? "its group" : "others",
			       (unsigned)(st.st_mode & 07777));
	if (rc != RDY_OK) {
		if (d >= 0)
			close(d);
		return rc;
	}
	*fd = d;
	return RDY_OK;
}

/* A new file in the directory DFD, mode 0400, its name in NAME: its descriptor, or -1 with errno set. */
static int make_temp(int dfd, char name[64])
{
	static unsigned counter;
	for (int tries = 0; tries < 1000; tries++) {
		unsigned n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		snprintf(name, 64, ".tmp-%ld-%u", (long)getpid(), n);
		int fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
		if (fd >= 0) {
			(void)fchmod(fd, 0400); /* whatever the umask */
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* ---- lock files ----------------------------------------------------------------- */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Whether PATH (opened) and ENTRY's name, taken from L's directory when relative, name one file. */
static bool same_file(const rdy_lock *l, const char *real, const struct lock_entry *e)
{
	char *full = NULL, *r = NULL;
	if (e->name[0] != '/' && l->dir) {
		size_t n = strlen(l->dir) + strlen(e->name) + 2;
		if (!(full = malloc(n)))
			return false;
		snprintf(full, n, "%s/%s", l->dir, e->name);
	}
	r = realpath(full ? full : e->name, NULL);
	bool same = r && !strcmp(r, real);
	free(r);
	free(full);
	return same;
}

/*
 * L's entry for PATH (include/rdy.h) in *AT, and in *RULE the rule that
 * found it, 1, 2 or 3.  RDY_OK or the code set in *ERR.
 */
static int lock_lookup(const rdy_lock *l, const char *path, const struct lock_entry **at, int *rule,
		       rdy_error **err)
{
	for (uint32_t i = 0; i < l->n; i++) {
		if (!strcmp(l->e[i].name, path)) {
			*rule = 1;
			*at = &l->e[i];
			return RDY_OK;
		}
	}
	int64_t found = -1;
	char *real = realpath(path, NULL);
	for (uint32_t i = 0; real && i < l->n; i++) {
		if (!same_file(l, real, &l->e[i]))
			continue;
		if (found < 0) {
			found = i;
		} else if (memcmp(l->e[found].digest, l->e[i].digest, 32)) {
			free(real);
			return rdy__fail(err, RDY_EINCOMPATIBLE, "%s: %s pins two digests for this file, at lines %u and %u",
					 path, l->name, l->e[found].line, l->e[i].line);
		}
	}
	free(real);
	if (found >= 0) {
		*rule = 2;
		*at = &l->e[found];
		return RDY_OK;
	}
	const char *base = base_name(path);
	for (uint32_t i = 0; base[0] && i < l->n; i++) {
		if (strcmp(base_name(l->e[i].name), base))
			continue;
		if (found < 0) {
			found = i;
		} else if (memcmp(l->e[found].digest, l->e[i].digest, 32)) {
			return rdy__fail(err, RDY_EINCOMPATIBLE,
					 "%s: not in %s: by its name, %s, lines %u and %u pin different digests", path,
					 l->name, base, l->e[found].line, l->e[i].line);
		}
	}
	if (found >= 0) {
		*rule = 3;
		*at = &l->e[found];
		return RDY_OK;
	}
	return rdy__fail(err, RDY_EINCOMPATIBLE, "%s: not in %s", path, l->name);
}

RDY_API const uint8_t *rdy_lock_find(const rdy_lock *l, const char *path, rdy_error **err)
{
	if (!l || !path) {
		rdy__fail(err, RDY_EINVAL, "%s: %s", path ? path : "rdy_lock_find", path ? "no lock" : "no path");
		return NULL;
	}
	int rule;
	const struct lock_entry *e;
	return lock_lookup(l, path, &e, &rule, err) == RDY_OK ? e->digest : NULL;
}

RDY_API uint32_t rdy_lock_count(const rdy_lock *l)
{
	return l ? l->n : 0;
}

RDY_API const char *rdy_lock_name(const rdy_lock *l, uint32_t i)
{
	return l && i < l->n ? l->e[i].name : NULL;
}

RDY_API const uint8_t *rdy_lock_digest(const rdy_lock *l, uint32_t i)
{
	return l && i < l->n ? l->e[i].digest : NULL;
}

RDY_API void rdy_lock_free(rdy_lock *l)
{
	if (!l)
		return;
	for (uint32_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
	free(l->dir);
	free(l->name);
	free(l);
}

static int bad_line(const rdy_lock *l, uint32_t line, rdy_error **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Always RDY_EFORMAT: "LOCK:LINE: " and FMT. */
static int bad_line(const rdy_lock *l, uint32_t line, rdy_error **err, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return rdy__fail(err, RDY_EFORMAT, "%s:%u: %s", l->name, line, what);
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/* The name of a line that starts with `\`: sha256sum's escapes undone, in place.  -1 for a bad escape. */
static int unescape(char *s, char *bad)
{
	char *o = s;
	for (const char *p = s; *p; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == '\\')
			*o++ = '\\';
		else if (*p == 'n')
			*o++ = '\n';
		else if (*p == 'r')
			*o++ = '\r';
		else {
			*bad = *p;
			return -1;
		}
	}
	*o = '\0';
	return 0;
}

/* How a byte is shown in a message: `c`, or 0x07. */
static void show_byte(char c, char out[16])
{
	if (isprint((unsigned char)c))
		snprintf(out, 16, "`%c`", c);
	else
		snprintf(out, 16, "byte 0x%02x", (unsigned char)c);
}

/* Line LINE of L, the N bytes at S (without its newline), into E.  RDY_OK or the code set in *ERR. */
static int parse_line(const rdy_lock *l, const char *s, size_t n, uint32_t line, struct lock_entry *e,
		      rdy_error **err)
{
	const char *p = s, *end = s + n;
	char shown[16];
	if (!n)
		return bad_line(l, line, err, "empty line");
	if (memchr(s, '\0', n))
		return bad_line(l, line, err, "a NUL byte");
	if (end[-1] == '\r')
		return bad_line(l, line, err, "the line ends in a carriage return (DOS line endings?)");
	bool escaped = *p == '\\';
	p += escaped;
	size_t k = 0;
	while (p + k < end && isxdigit((unsigned char)p[k]))
		k++;
	if (!k)
		return bad_line(l, line, err,
				"expected a line as sha256sum prints it: 64 hexadecimal digits, two spaces, a file name");
	if (k != 64 && (p + k == end || p[k] == ' ' || k > 64))
		return bad_line(l, line, err, "the digest has %zu hexadecimal digits; SHA-256's has 64", k);
	if (k != 64) {
		show_byte(p[k], shown);
		return bad_line(l, line, err, "%s, character %zu, is not a hexadecimal digit", shown,
				(size_t)(p + k - s) + 1);
	}
	if (p + 64 == end || (p + 65 == end && p[64] == ' '))
		return bad_line(l, line, err, "no file name after the digest");
	if (p[64] != ' ' || (p[65] != ' ' && p[65] != '*'))
		return bad_line(l, line, err, "expected two spaces, or a space and `*`, between the digest and the file name");
	if (p + 66 == end)
		return bad_line(l, line, err, "no file name after the digest");
	for (int i = 0; i < 32; i++)
		e->digest[i] = (uint8_t)(hex_value(p[2 * i]) << 4 | hex_value(p[2 * i + 1]));
	size_t len = (size_t)(end - (p + 66));
	if (!(e->name = malloc(len + 1)))
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", l->name);
	memcpy(e->name, p + 66, len);
	e->name[len] = '\0';
	e->line = line;
	char c;
	if (escaped && unescape(e->name, &c) < 0) {
		free(e->name);
		e->name = NULL;
		if (!c)
			return bad_line(l, line, err, "the file name ends in a lone `\\`");
		show_byte(c, shown);
		return bad_line(l, line, err, "unknown escape `\\` and %s in the file name (known: \\\\, \\n, \\r)", shown);
	}
	return RDY_OK;
}

/* For sorting entries by name, then line. */
static int by_name(const void *a, const void *b)
{
	const struct lock_entry *x = *(const struct lock_entry *const *)a, *y = *(const struct lock_entry *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A name twice: refused with other digests, else the later entries dropped.  RDY_OK or the code set. */
static int dedupe(rdy_lock *l, rdy_error **err)
{
	if (l->n < 2)
		return RDY_OK;
	struct lock_entry **v = malloc(l->n * sizeof *v);
	if (!v)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", l->name);
	for (uint32_t i = 0; i < l->n; i++)
		v[i] = &l->e[i];
	qsort(v, l->n, sizeof *v, by_name);
	int rc = RDY_OK;
	struct lock_entry *first = v[0];   /* of the names equal to v[i]'s, the first in the file */
	for (uint32_t i = 1; i < l->n && rc == RDY_OK; i++) {
		if (strcmp(v[i]->name, first->name)) {
			first = v[i];
			continue;
		}
		if (memcmp(v[i]->digest, first->digest, 32))
			rc = bad_line(l, v[i]->line, err, "%s is pinned at line %u already, with another digest", v[i]->name,
				      first->line);
		free(v[i]->name);
		v[i]->name = NULL;
	}
	free(v);
	uint32_t n = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		if (l->e[i].name)
			l->e[n++] = l->e[i];
	}
	l->n = n;
	return rc;
}

/* NAME's directory, absolute when the working directory can be read: NULL when memory runs out. */
static char *lock_dir(const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t n = slash ? (slash == name ? 1 : (size_t)(slash - name)) : 1;
	const char *d = slash ? name : ".";
	char cwd[PATH_MAX];
	bool rel = d[0] != '/' && getcwd(cwd, sizeof cwd);
	size_t size = (rel ? strlen(cwd) + 1 : 0) + n + 1;
	char *dir = malloc(size);
	if (dir)
		snprintf(dir, size, "%s%s%.*s", rel ? cwd : "", rel ? "/" : "", (int)n, d);
	return dir;
}

RDY_API rdy_lock *rdy_lock_parse(const char *text, size_t len, const char *name, rdy_error **err)
{
	if (!name)
		name = "rdy.lock";
	if (!text && len) {
		rdy__fail(err, RDY_EINVAL, "%s: no text", name);
		return NULL;
	}
	rdy_lock *l = calloc(1, sizeof *l);
	if (!l || !(l->name = strdup(name)) || !(l->dir = lock_dir(name))) {
		rdy_lock_free(l);
		rdy__fail(err, RDY_ENOMEM, "%s: out of memory", name);
		return NULL;
	}
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	lines += len && text[len - 1] != '\n';
	if (lines > UINT32_MAX || (lines && !(l->e = calloc(lines, sizeof *l->e)))) {
		rdy_lock_free(l);
		rdy__fail(err, RDY_ENOMEM, "%s: out of memory", name);
		return NULL;
	}
	const char *p = text, *end = text + len;
	int rc = RDY_OK;
	for (uint32_t line = 1; p < end && rc == RDY_OK; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		rc = parse_line(l, p, n, line, &l->e[l->n], err);
		if (rc == RDY_OK)
			l->n++;
		p += n + (nl != NULL);
	}
	if (rc == RDY_OK)
		rc = dedupe(l, err);
	if (rc != RDY_OK) {
		rdy_lock_free(l);
		return NULL;
	}
	return l;
}

RDY_API rdy_lock *rdy_lock_read(const char *file, rdy_error **err)
{
	if (!file) {
		rdy__fail(err, RDY_EINVAL, "rdy_lock_read: no file");
		return NULL;
	}
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		rdy__fail(err, RDY_EIO, "%s: %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		rdy__fail(err, RDY_EIO, "%s: not a regular file", file);
		return NULL;
	}
	if ((uint64_t)st.st_size > LOCK_MAX) {
		close(fd);
		rdy__fail(err, RDY_EFORMAT, "%s: %llu bytes is too large for a lock file (at most %zu)", file,
			  (unsigned long long)st.st_size, LOCK_MAX);
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *text = malloc(cap);
	if (!text) {
		close(fd);
		rdy__fail(err, RDY_ENOMEM, "%s: out of memory", file);
		return NULL;
	}
	for (;;) {
		if (n == cap) { /* it grew */
			size_t more = cap * 2 < LOCK_MAX + 1 ? cap * 2 : LOCK_MAX + 1;
			char *t = cap <= LOCK_MAX ? realloc(text, more) : NULL;
			if (!t) {
				free(text);
				close(fd);
				if (cap > LOCK_MAX)
					rdy__fail(err, RDY_EFORMAT, "%s: too large for a lock file (at most %zu bytes)", file,
						  LOCK_MAX);
				else
					rdy__fail(err, RDY_ENOMEM, "%s: out of memory", file);
				return NULL;
			}
			text = t;
			cap = more;
		}
		ssize_t k = read(fd, text + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(text);
			close(fd);
			rdy__fail(err, RDY_EIO, "%s: read failed: %s", file, strerror(e));
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	rdy_lock *l = rdy_lock_parse(text, n, file, err);
	free(text);
	return l;
}

/* ---- pinning ---------------------------------------------------------------------- */

int rdy__pin(const char *path, const char *cache_dir, const rdy_lock *lock, char **loaded, uint8_t digest[32],
	     rdy_error **err)
{
	if (loaded)
		*loaded = NULL;
	if (!path || !loaded || !digest)
		return rdy__fail(err, RDY_EINVAL, "%s: %s", path ? path : "rdy__pin", path ? "no result" : "no path");
	const struct lock_entry *pin = NULL;
	int rule = 0;
	if (lock) {
		int rc = lock_lookup(lock, path, &pin, &rule, err);
		if (rc != RDY_OK)
			return rc;
	}
	reading r;
	char *dir = NULL, *copy = NULL, tmp[64] = "";
	int dfd = -1;
	int rc = open_source(&r, path, err);
	if (rc == RDY_OK)
		rc = cache_name(path, cache_dir, &dir, err);
	if (rc == RDY_OK)
		rc = open_cache(path, dir, true, &dfd, err);
	if (rc == RDY_OK) {
		r.cache = dir;
		if ((r.out = make_temp(dfd, tmp)) < 0)
			rc = copy_failed(&r, err);
	}
	if (rc == RDY_OK)
		rc = read_settled(&r, digest, err);
	char hex[65];
	if (rc == RDY_OK)
		rdy__sha256_hex(digest, hex);
	if (rc == RDY_OK && pin && memcmp(digest, pin->digest, 32)) {
		char pinned[65];
		rdy__sha256_hex(pin->digest, pinned);
		rc = rdy__fail(err, RDY_EINCOMPATIBLE, "%s: SHA-256 is %s, %s pins %s%s%s", path, hex, lock->name, pinned,
			       rule == 1 ? "" : " for ", rule == 1 ? "" : pin->name);
	}
	if (rc == RDY_OK) {
		size_t n = strlen(dir) + 70;
		if (!(copy = malloc(n)))
			rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", path);
		else
			snprintf(copy, n, "%s%s%s.so", dir, strcmp(dir, "/") ? "/" : "", hex);
	}
	/* Closed before the rename: nothing written through it can follow. */
	if (r.out >= 0 && close(r.out) < 0 && rc == RDY_OK)
		rc = copy_failed(&r, err);
	r.out = -1;
	if (rc == RDY_OK && renameat(dfd, tmp, dfd, base_name(copy)) < 0)
		rc = rdy__fail(err, RDY_EIO, "%s: cannot name its copy %s: %s", path, copy, strerror(errno));
	if (rc != RDY_OK && tmp[0])
		(void)unlinkat(dfd, tmp, 0);
	if (rc != RDY_OK) {
		free(copy);
		copy = NULL;
	}
	if (dfd >= 0)
		close(dfd);
	close_source(&r);
	free(dir);
	*loaded = copy;
	return rc;
}

/* ---- pruning the cache -------------------------------------------------------------- */

/* A copy's name: 64 lowercase hexadecimal digits and ".so". */
static bool is_copy(const char *name)
{
	for (int i = 0; i < 64; i++) {
		if (!name[i] || !strchr(DIGITS, name[i]))
			return false;
	}
	return !strcmp(name + 64, ".so");
}

RDY_API int rdy_cache_prune(const char *cache_dir, uint32_t max_age, uint32_t *removed, rdy_error **err)
{
	if (removed)
		*removed = 0;
	char *dir = NULL;
	int dfd = -1, rc = cache_name("rdy_cache_prune", cache_dir, &dir, err);
	if (rc == RDY_OK)
		rc = open_cache(dir, dir, false, &dfd, err);
	if (rc != RDY_OK || dfd < 0) { /* a cache not there has nothing to prune */
		free(dir);
		return rc;
	}
	int lfd = dup(dfd);
	DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
	if (!d) {
		rc = rdy__fail(err, RDY_EIO, "%s: %s", dir, strerror(errno));
		if (lfd >= 0)
			close(lfd);
	}
	time_t now = time(NULL);
	uint32_t n = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		bool copy = is_copy(de->d_name), temp = !strncmp(de->d_name, ".tmp-", 5);
		struct stat st;
		if ((!copy && !temp) || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* A temporary file written in the last minute may be an open's copy in the making. */
		uint64_t age = now > st.st_mtim.tv_sec ? (uint64_t)(now - st.st_mtim.tv_sec) : 0;
		if (copy ? age < max_age : age < 60)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			n++;
		else if (errno != ENOENT && rc == RDY_OK)
			rc = rdy__fail(err, RDY_EIO, "%s/%s: %s", dir, de->d_name, strerror(errno));
	}
	if (d)
		closedir(d);
	close(dfd);
	free(dir);
	if (removed)
		*removed = n;
	return rc;
}
