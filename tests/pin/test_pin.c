/*
 * Pinning (src/rt/pin.h) and lock files (include/rdy.h), through librdy.a:
 * rdy__pin's copy is exactly the bytes it hashed, named by their digest; a
 * copy already in the cache is never trusted, whatever was done to it; a
 * lock refuses another digest, or a plugin it does not name, with the
 * exact message and without a copy left behind; every malformed lock line
 * is refused with its file, line and what is wrong; and no input makes it
 * crash (unreadable, a directory, a FIFO, empty, large, a cache directory
 * that cannot be used, a write that fails as ENOSPC does).
 */
#define _GNU_SOURCE                    /* memmem */
#include "pin_test.h"
#include "rt/pin.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static const char calc[] = PIN_CALC;   /* two plugins the build made, tests/rt's */
static const char changed[] = PIN_CHANGED;

/* ---- helpers ------------------------------------------------------------------ */

/* The SHA-256 of the file at PATH, as hex. */
static void file_hex(const char *path, char hex[65])
{
	size_t n;
	uint8_t *b = pin_slurp(path, &n), d[32];
	pin_sha256(b, n, d);
	pin_hex(d, hex);
	free(b);
}

/*
 * Pins PATH into CACHE with LOCK and checks the result: the copy is named
 * CACHE/<hex>.so, holds exactly SOURCE's bytes (PATH's when SOURCE is
 * NULL), mode 0400, and the digest is theirs.  Returns the copy's path.
 */
static char *pinned(const char *path, const char *cache, const rdy_lock *lock, const char *source)
{
	uint8_t d[32], want[32];
	char *loaded = (char *)"untouched";
	rdy_error *e = NULL;
	if (rdy__pin(path, cache, lock, &loaded, d, &e) != RDY_OK)
		fail_msg("%s: refused: %s", path, rdy_error_message(e));
	assert_null(e);
	size_t n, m;
	uint8_t *src = pin_slurp(source ? source : path, &n), *copy = pin_slurp(loaded, &m);
	pin_sha256(src, n, want);
	assert_memory_equal(d, want, 32);
	assert_int_equal(m, n);
	assert_memory_equal(copy, src, n);
	char hex[65], name[512];
	pin_hex(d, hex);
	snprintf(name, sizeof name, "%s/%s.so", cache, hex);
	assert_string_equal(loaded, name);
	struct stat st;
	assert_int_equal(lstat(loaded, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0400);
	free(src);
	free(copy);
	return loaded;
}

/* Pinning PATH fails with CODE and exactly the message FMT...; nothing is returned in LOADED. */
static void pin_refused(const char *path, const char *cache, const rdy_lock *lock, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void pin_refused(const char *path, const char *cache, const rdy_lock *lock, int code, const char *fmt, ...)
{
	char want[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	uint8_t d[32];
	char *loaded = (char *)"untouched";
	rdy_error *e = NULL;
	int rc = rdy__pin(path, cache, lock, &loaded, d, &e);
	if (rc == RDY_OK)
		fail_msg("%s: pinned as %s, expected \"%s\"", path, loaded, want);
	assert_null(loaded);
	assert_int_equal(rc, rdy_error_code(e));
	pin_expect_error(e, code, "%s", want);
	/* ERR may be NULL. */
	assert_int_equal(rdy__pin(path, cache, lock, &loaded, d, NULL), code);
	assert_null(loaded);
}

/* A lock of one line per pair of arguments (hex, name), ended by NULL, parsed under NAME. */
static rdy_lock *lock_of(const char *name, ...)
{
	char text[4096] = "";
	va_list ap;
	va_start(ap, name);
	for (const char *hex; (hex = va_arg(ap, const char *));) {
		const char *file = va_arg(ap, const char *);
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s  %s\n", hex, file);
	}
	va_end(ap);
	rdy_error *e = NULL;
	rdy_lock *l = rdy_lock_parse(text, strlen(text), name, &e);
	if (!l)
		fail_msg("lock refused: %s", rdy_error_message(e));
	return l;
}

/* TEXT, LEN bytes, is refused as a lock named "L" with "L:" and exactly MSG. */
static void lock_refused(const char *text, size_t len, const char *msg)
{
	rdy_error *e = NULL;
	assert_null(rdy_lock_parse(text, len, "L", &e));
	pin_expect_error(e, RDY_EFORMAT, "L:%s", msg);
}

static const char hex_a[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char hex_b[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

static void copy_file(const char *from, const char *to)
{
	size_t n;
	uint8_t *b = pin_slurp(from, &n);
	pin_put(to, b, n);
	free(b);
}

/* ---- the copy ------------------------------------------------------------------- */

static void the_copy_is_the_bytes_hashed(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache/deep/rdy");
	free(pinned(calc, cache, NULL, NULL));
	free(pinned(changed, cache, NULL, NULL));
	assert_int_equal(pin_count_entries(cache), 2); /* no temporary file left */
	struct stat st;
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(pin_path(1, "cache/deep"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* The same bytes again: the same name. */
	char *a = pinned(calc, cache, NULL, NULL);
	assert_int_equal(pin_count_entries(cache), 2);
	/* A trailing slash changes nothing. */
	char slash[300];
	snprintf(slash, sizeof slash, "%s//", cache);
	uint8_t d[32];
	char *b = NULL;
	assert_int_equal(rdy__pin(calc, slash, NULL, &b, d, NULL), RDY_OK);
	assert_string_equal(a, b);
	/* rdy_sha256_file reads what rdy__pin hashes. */
	uint8_t h[32];
	assert_int_equal(rdy_sha256_file(calc, h, NULL), RDY_OK);
	assert_memory_equal(h, d, 32);
	char hex[65];
	rdy__sha256_hex(h, hex);
	char want[65];
	file_hex(calc, want);
	assert_string_equal(hex, want);
	free(a);
	free(b);
}

static void the_default_cache_directory(void **state)
{
	(void)state;
	char *xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *loaded;
	uint8_t d[32];
	char hex[65], want[512];
	file_hex(calc, hex);

	setenv("XDG_CACHE_HOME", pin_path(0, "xdg"), 1);
	assert_int_equal(rdy__pin(calc, NULL, NULL, &loaded, d, NULL), RDY_OK);
	snprintf(want, sizeof want, "%s/xdg/rdy/%s.so", pin_root, hex);
	assert_string_equal(loaded, want);
	free(loaded);

	/* A relative $XDG_CACHE_HOME is ignored, as the XDG Base Directory specification says. */
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	setenv("HOME", pin_path(0, "home"), 1);
	assert_int_equal(rdy__pin(calc, NULL, NULL, &loaded, d, NULL), RDY_OK);
	snprintf(want, sizeof want, "%s/home/.cache/rdy/%s.so", pin_root, hex);
	assert_string_equal(loaded, want);
	free(loaded);
	assert_int_equal(access("relative", F_OK), -1);

	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	pin_refused(calc, NULL, NULL, RDY_EINVAL, "%s: no cache directory: neither $XDG_CACHE_HOME nor $HOME is set",
		    calc);
	pin_refused(calc, "", NULL, RDY_EINVAL, "%s: the cache directory's name is empty", calc);

	if (xdg)
		setenv("XDG_CACHE_HOME", xdg, 1);
	if (home)
		setenv("HOME", home, 1);
	free(xdg);
	free(home);
}

/* A copy already in the cache is never trusted: whatever was done to it, it is written again. */
static void a_tampered_copy_is_replaced(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	char *loaded = pinned(calc, cache, NULL, NULL);
	struct stat before, after;
	assert_int_equal(stat(loaded, &before), 0);

	/* Changed in place, by its owner. */
	assert_int_equal(chmod(loaded, 0600), 0);
	int fd = open(loaded, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\xcc\xcc\xcc\xcc", 4, 4096), 4);
	close(fd);
	free(pinned(calc, cache, NULL, NULL));
	assert_int_equal(stat(loaded, &after), 0);
	assert_true(after.st_ino != before.st_ino);

	/* Cut short. */
	assert_int_equal(truncate(loaded, 100) == 0 || (chmod(loaded, 0600) == 0 && truncate(loaded, 100) == 0), 1);
	free(pinned(calc, cache, NULL, NULL));

	/* Replaced by another plugin whole, or by a symbolic link to one. */
	copy_file(changed, loaded);
	free(pinned(calc, cache, NULL, NULL));
	assert_int_equal(unlink(loaded), 0);
	assert_int_equal(symlink(changed, loaded), 0);
	free(pinned(calc, cache, NULL, NULL));   /* lstat in `pinned`: a regular file again */
	char other[65];
	file_hex(changed, other);
	assert_int_equal(pin_count_entries(cache), 1);
	free(loaded);
}

static void a_directory_in_the_copys_place(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	char hex[65], copy[512];
	file_hex(calc, hex);
	snprintf(copy, sizeof copy, "%s/%s.so", cache, hex);
	assert_int_equal(mkdir(cache, 0700), 0);
	assert_int_equal(mkdir(copy, 0700), 0);
	pin_refused(calc, cache, NULL, RDY_EIO, "%s: cannot name its copy %s: Is a directory", calc, copy);
	assert_int_equal(pin_count_entries(cache), 1); /* the directory, and no temporary file */
	assert_int_equal(rmdir(copy), 0);
	free(pinned(calc, cache, NULL, NULL));
}

/* ---- what cannot be pinned ---------------------------------------------------------- */

static void inputs_that_cannot_be_pinned(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	const char *missing = pin_path(1, "missing.so");
	pin_refused(missing, cache, NULL, RDY_EIO, "%s: No such file or directory", missing);
	pin_refused(pin_root, cache, NULL, RDY_EIO, "%s: not a regular file", pin_root);
	pin_refused("/dev/null", cache, NULL, RDY_EIO, "/dev/null: not a regular file");
	const char *fifo = pin_path(2, "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pin_refused(fifo, cache, NULL, RDY_EIO, "%s: not a regular file", fifo); /* without waiting for a writer */
	const char *empty = pin_path(3, "empty.so");
	pin_put(empty, "", 0);
	pin_refused(empty, cache, NULL, RDY_EFORMAT, "%s: the file is empty", empty);
	assert_int_equal(pin_count_entries(cache), 0);

	uint8_t d[32];
	char *loaded = (char *)"untouched";
	rdy_error *e = NULL;
	assert_int_equal(rdy__pin(NULL, cache, NULL, &loaded, d, &e), RDY_EINVAL);
	assert_null(loaded);
	pin_expect_error(e, RDY_EINVAL, "rdy__pin: no path");
	assert_int_equal(rdy__pin(calc, cache, NULL, NULL, d, &e), RDY_EINVAL);
	pin_expect_error(e, RDY_EINVAL, "%s: no result", calc);
	assert_int_equal(rdy_sha256_file(NULL, d, &e), RDY_EINVAL);
	pin_expect_error(e, RDY_EINVAL, "rdy_sha256_file: no path");
	assert_int_equal(rdy_sha256_file(missing, d, &e), RDY_EIO);
	pin_expect_error(e, RDY_EIO, "%s: No such file or directory", missing);
	assert_int_equal(rdy_sha256_file(empty, d, &e), RDY_EFORMAT);
	pin_expect_error(e, RDY_EFORMAT, "%s: the file is empty", empty);

	if (geteuid() != 0) {          /* root reads and writes regardless */
		const char *locked = pin_path(4, "locked.so");
		copy_file(calc, locked);
		assert_int_equal(chmod(locked, 0), 0);
		pin_refused(locked, cache, NULL, RDY_EIO, "%s: Permission denied", locked);
	}
}

static void cache_directories_that_cannot_be_used(void **state)
{
	(void)state;
	/* Under a regular file. */
	const char *file = pin_path(0, "file");
	pin_put(file, "x", 1);
	const char *under = pin_path(1, "file/cache");
	pin_refused(calc, under, NULL, RDY_EIO, "%s: cache directory %s: Not a directory", calc, under);
	pin_refused(calc, file, NULL, RDY_EIO, "%s: cache directory %s: Not a directory", calc, file);

	/* Writable by others: refused, not repaired. */
	const char *open_dir = pin_path(1, "open");
	assert_int_equal(mkdir(open_dir, 0700), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	pin_refused(calc, open_dir, NULL, RDY_EINVAL,
		    "%s: cache directory %s is writable by its group and others (mode 0777)", calc, open_dir);
	assert_int_equal(chmod(open_dir, 01777), 0);
	pin_refused(calc, open_dir, NULL, RDY_EINVAL,
		    "%s: cache directory %s is writable by its group and others (mode 1777)", calc, open_dir);
	assert_int_equal(chmod(open_dir, 0720), 0);
	pin_refused(calc, open_dir, NULL, RDY_EINVAL, "%s: cache directory %s is writable by its group (mode 0720)",
		    calc, open_dir);
	assert_int_equal(chmod(open_dir, 0702), 0);
	pin_refused(calc, open_dir, NULL, RDY_EINVAL, "%s: cache directory %s is writable by others (mode 0702)", calc,
		    open_dir);
	assert_int_equal(pin_count_entries(open_dir), 0);
	/* Read-only for others is private enough. */
	assert_int_equal(chmod(open_dir, 0755), 0);
	free(pinned(calc, open_dir, NULL, NULL));

	if (geteuid() == 0) {
		/* Another user's. */
		const char *theirs = pin_path(1, "theirs");
		assert_int_equal(mkdir(theirs, 0700), 0);
		assert_int_equal(chown(theirs, 65534, 65534), 0);
		pin_refused(calc, theirs, NULL, RDY_EINVAL,
			    "%s: cache directory %s belongs to uid 65534, not to this user (uid 0)", calc, theirs);
	} else {
		/* One that cannot be written. */
		const char *ro = pin_path(1, "ro");
		assert_int_equal(mkdir(ro, 0500), 0);
		pin_refused(calc, ro, NULL, RDY_EIO, "%s: cannot copy it into the cache directory %s: Permission denied",
			    calc, ro);
	}
}

/* A write that fails half way, as on a full disk: here the file size limit, which fails it with EFBIG. */
static void a_copy_that_cannot_be_written(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	struct rlimit old, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 10000;        /* rt_calc.so has more */
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	uint8_t d[32];
	char *loaded = (char *)"untouched";
	rdy_error *e = NULL;
	int rc = rdy__pin(calc, cache, NULL, &loaded, d, &e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	assert_int_equal(rc, RDY_EIO);
	assert_null(loaded);
	pin_expect_error(e, RDY_EIO, "%s: cannot copy it into the cache directory %s: File too large", calc, cache);
	assert_int_equal(pin_count_entries(cache), 0); /* the half-written copy is gone */
	free(pinned(calc, cache, NULL, NULL));
}

/* A large file goes through a block at a time: the same digest as the bytes in memory. */
static void a_large_file(void **state)
{
	(void)state;
	const char *big = pin_path(1, "big.so");
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)16 << 20), 0); /* sparse: 16 MiB, mostly zeros */
	assert_int_equal(pwrite(fd, "\x7f" "ELF", 4, 0), 4);
	assert_int_equal(pwrite(fd, "end", 3, ((off_t)16 << 20) - 3), 3);
	close(fd);
	char *loaded = pinned(big, pin_path(0, "cache"), NULL, NULL);
	unlink(loaded);
	free(loaded);
}

/* ---- locks ------------------------------------------------------------------------------ */

static void a_lock_pins_the_digest(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	char hcalc[65], hchanged[65];
	file_hex(calc, hcalc);
	file_hex(changed, hchanged);
	rdy_lock *l = lock_of("rdy.lock", hcalc, calc, hchanged, changed, NULL);
	free(pinned(calc, cache, l, NULL));
	free(pinned(changed, cache, l, NULL));
	rdy_lock_free(l);
	assert_int_equal(pin_count_entries(cache), 2);
}

/* A tampered file: its digest is not the lock's.  Refused before any copy is made, let alone loaded. */
static void a_tampered_plugin_is_refused(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	const char *plugin = pin_path(1, "plugin.so");
	char hcalc[65], htampered[65];
	file_hex(calc, hcalc);
	size_t n;
	uint8_t *b = pin_slurp(calc, &n);
	b[n / 2] ^= 1;
	pin_put(plugin, b, n);
	free(b);
	file_hex(plugin, htampered);
	const char *lockfile = pin_path(2, "rdy.lock");
	char line[512];
	snprintf(line, sizeof line, "%s  %s\n", hcalc, plugin);
	pin_put(lockfile, line, strlen(line));
	rdy_error *e = NULL;
	rdy_lock *l = rdy_lock_read(lockfile, &e);
	assert_non_null(l);
	assert_null(e);
	pin_refused(plugin, cache, l, RDY_EINCOMPATIBLE, "%s: SHA-256 is %s, %s pins %s", plugin, htampered, lockfile,
		    hcalc);
	assert_int_equal(pin_count_entries(cache), 0);
	/* The digest is given all the same. */
	uint8_t d[32], want[32];
	char *loaded;
	assert_int_equal(rdy__pin(plugin, cache, l, &loaded, d, NULL), RDY_EINCOMPATIBLE);
	assert_int_equal(rdy_sha256_file(plugin, want, NULL), RDY_OK);
	assert_memory_equal(d, want, 32);
	/* The untampered bytes pass. */
	copy_file(calc, plugin);
	free(pinned(plugin, cache, l, NULL));
	/* A plugin the lock does not name, before it is even opened. */
	pin_refused(changed, cache, l, RDY_EINCOMPATIBLE, "%s: not in %s", changed, lockfile);
	pin_refused("nowhere/x.so", cache, l, RDY_EINCOMPATIBLE, "nowhere/x.so: not in %s", lockfile);
	rdy_lock_free(l);
}

static void how_a_path_finds_its_entry(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	char good[65], bad[65];
	file_hex(calc, good);
	file_hex(changed, bad);
	assert_int_equal(mkdir(pin_path(1, "plugins"), 0700), 0);
	assert_int_equal(mkdir(pin_path(1, "locks"), 0700), 0);
	assert_int_equal(mkdir(pin_path(1, "elsewhere"), 0700), 0);
	const char *plugin = pin_path(1, "plugins/p.so");
	copy_file(calc, plugin);
	const char *elsewhere = pin_path(2, "elsewhere/p.so");
	copy_file(calc, elsewhere);
	char lockname[300];
	snprintf(lockname, sizeof lockname, "%s/locks/rdy.lock", pin_root);

	/* 1. The path exactly, before anything else. */
	rdy_lock *l = lock_of(lockname, bad, "other/p.so", good, plugin, NULL);
	free(pinned(plugin, cache, l, NULL));
	const uint8_t *d = rdy_lock_find(l, plugin, NULL);
	assert_ptr_equal(d, rdy_lock_digest(l, 1));
	rdy_lock_free(l);

	/* 2. The same file, named from the lock's directory, whatever the other entries with its name. */
	l = lock_of(lockname, bad, "other/p.so", good, "../plugins/p.so", NULL);
	free(pinned(plugin, cache, l, NULL));
	char twisted[300];
	snprintf(twisted, sizeof twisted, "%s/elsewhere/../plugins/./p.so", pin_root);
	free(pinned(twisted, cache, l, plugin));
	/* 3. Elsewhere, by its name, once the names agree: not here, two digests. */
	pin_refused(elsewhere, cache, l, RDY_EINCOMPATIBLE,
		    "%s: not in %s: by its name, p.so, lines 1 and 2 pin different digests", elsewhere, lockname);
	rdy_lock_free(l);
	l = lock_of(lockname, good, "other/p.so", good, "../plugins/p.so", NULL);
	free(pinned(elsewhere, cache, l, NULL));
	rdy_lock_free(l);
	/* By its name, a mismatch says which entry it was held to. */
	l = lock_of(lockname, bad, "other/p.so", NULL);
	pin_refused(elsewhere, cache, l, RDY_EINCOMPATIBLE, "%s: SHA-256 is %s, %s pins %s for other/p.so", elsewhere,
		    good, lockname, bad);
	rdy_lock_free(l);

	/* Two names of one file, pinned differently. */
	l = lock_of(lockname, good, "../plugins/p.so", bad, "../plugins/./p.so", NULL);
	pin_refused(plugin, cache, l, RDY_EINCOMPATIBLE, "%s: %s pins two digests for this file, at lines 1 and 2",
		    plugin, lockname);
	rdy_lock_free(l);

	/* A relative lock name: its directory is taken when it is read. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(pin_path(4, "locks")), 0);
	l = lock_of("rdy.lock", good, "../plugins/p.so", NULL);
	assert_int_equal(chdir(cwd), 0);
	free(pinned(plugin, cache, l, NULL));
	rdy_error *e = NULL;
	assert_null(rdy_lock_find(l, "/nowhere/q.so", &e));
	pin_expect_error(e, RDY_EINCOMPATIBLE, "/nowhere/q.so: not in rdy.lock");
	assert_null(rdy_lock_find(NULL, "q.so", &e));
	pin_expect_error(e, RDY_EINVAL, "q.so: no lock");
	rdy_lock_free(l);
}

static void lock_files_as_sha256sum_writes_them(void **state)
{
	(void)state;
	/* Escapes, the binary marker, capitals, spaces in names, a missing last newline, a name twice alike. */
	char text[2048];
	snprintf(text, sizeof text,
		 "\\%s  dir\\\\odd\\nname.so\n"
		 "%s *bin.so\n"
		 "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210  my plugin.so\n"
		 "%s  bin.so\n"
		 "%s  a\\b.so",
		 hex_a, hex_b, hex_b, hex_a);
	rdy_error *e = NULL;
	rdy_lock *l = rdy_lock_parse(text, strlen(text), "x.lock", &e);
	if (!l)
		fail_msg("%s", rdy_error_message(e));
	assert_int_equal(rdy_lock_count(l), 4);
	assert_string_equal(rdy_lock_name(l, 0), "dir\\odd\nname.so");
	assert_string_equal(rdy_lock_name(l, 1), "bin.so");
	assert_string_equal(rdy_lock_name(l, 2), "my plugin.so");
	assert_string_equal(rdy_lock_name(l, 3), "a\\b.so"); /* no escapes without the leading `\` */
	assert_null(rdy_lock_name(l, 4));
	assert_null(rdy_lock_digest(l, 4));
	char hex[65];
	pin_hex(rdy_lock_digest(l, 0), hex);
	assert_string_equal(hex, hex_a);
	pin_hex(rdy_lock_digest(l, 1), hex);
	assert_string_equal(hex, hex_b);
	pin_hex(rdy_lock_digest(l, 2), hex);
	assert_string_equal(hex, hex_b);
	rdy_lock_free(l);
	rdy_lock_free(NULL);
	assert_int_equal(rdy_lock_count(NULL), 0);

	/* Empty: a lock that pins nothing, so every plugin is refused. */
	assert_non_null(l = rdy_lock_parse("", 0, "empty.lock", NULL));
	assert_int_equal(rdy_lock_count(l), 0);
	pin_refused(calc, pin_path(0, "cache"), l, RDY_EINCOMPATIBLE, "%s: not in empty.lock", calc);
	rdy_lock_free(l);

	/* What sha256sum itself writes, odd names too, is read back and checks out. */
	if (system("command -v sha256sum >/dev/null 2>&1") != 0)
		return;
	const char *odd = pin_path(1, "odd\\name\nwith newline.so");
	copy_file(calc, odd);
	const char *lockfile = pin_path(2, "sum.lock");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd '%s' && sha256sum 'odd\\name\nwith newline.so' > sum.lock", pin_root);
	assert_int_equal(system(cmd), 0);
	assert_non_null(l = rdy_lock_read(lockfile, &e));
	assert_string_equal(rdy_lock_name(l, 0), "odd\\name\nwith newline.so");
	free(pinned(odd, pin_path(0, "cache"), l, NULL));
	rdy_lock_free(l);
}

static void malformed_lock_lines(void **state)
{
	(void)state;
	char t[512], h63[64], h40[41];
	memcpy(h63, hex_a, 63);
	h63[63] = '\0';
	memcpy(h40, hex_a, 40);
	h40[40] = '\0';
	lock_refused("\n", 1, "1: empty line");
	snprintf(t, sizeof t, "%s  a.so\n\n%s  b.so\n", hex_a, hex_b);
	lock_refused(t, strlen(t), "2: empty line");
	lock_refused("abc\n", 4, "1: the digest has 3 hexadecimal digits; SHA-256's has 64");
	snprintf(t, sizeof t, "%s  a.so\n", h40);
	lock_refused(t, strlen(t), "1: the digest has 40 hexadecimal digits; SHA-256's has 64");
	snprintf(t, sizeof t, "%s0  a.so\n", hex_a);
	lock_refused(t, strlen(t), "1: the digest has 65 hexadecimal digits; SHA-256's has 64");
	snprintf(t, sizeof t, "%sg  a.so\n", h63);
	lock_refused(t, strlen(t), "1: `g`, character 64, is not a hexadecimal digit");
	snprintf(t, sizeof t, "\\%s\x01  a.so\n", h63);
	lock_refused(t, strlen(t), "1: byte 0x01, character 65, is not a hexadecimal digit");
	snprintf(t, sizeof t, "SHA256 (a.so) = %s\n", hex_a);
	lock_refused(t, strlen(t), "1: expected a line as sha256sum prints it: 64 hexadecimal digits, two spaces, a file name");
	lock_refused("  a.so\n", 7, "1: expected a line as sha256sum prints it: 64 hexadecimal digits, two spaces, a file name");
	snprintf(t, sizeof t, "%s a.so\n", hex_a);
	lock_refused(t, strlen(t), "1: expected two spaces, or a space and `*`, between the digest and the file name");
	snprintf(t, sizeof t, "%s\ta.so\n", hex_a);
	lock_refused(t, strlen(t), "1: expected two spaces, or a space and `*`, between the digest and the file name");
	snprintf(t, sizeof t, "%s\n", hex_a);
	lock_refused(t, strlen(t), "1: no file name after the digest");
	snprintf(t, sizeof t, "%s \n", hex_a);
	lock_refused(t, strlen(t), "1: no file name after the digest");
	snprintf(t, sizeof t, "%s  \n", hex_a);
	lock_refused(t, strlen(t), "1: no file name after the digest");
	snprintf(t, sizeof t, "%s  a.so\r\n", hex_a);
	lock_refused(t, strlen(t), "1: the line ends in a carriage return (DOS line endings?)");
	snprintf(t, sizeof t, "%s  a.so\n%s  b_.so\n", hex_a, hex_b);
	*strchr(t, '_') = '\0';
	lock_refused(t, 2 * (64 + 2 + 5), "2: a NUL byte");
	snprintf(t, sizeof t, "\\%s  a\\qb.so\n", hex_a);
	lock_refused(t, strlen(t), "1: unknown escape `\\` and `q` in the file name (known: \\\\, \\n, \\r)");
	snprintf(t, sizeof t, "\\%s  a.so\\\n", hex_a);
	lock_refused(t, strlen(t), "1: the file name ends in a lone `\\`");
	snprintf(t, sizeof t, "%s  a.so\n%s  b.so\n%s  c.so\n%s  a.so\n", hex_a, hex_b, hex_a, hex_b);
	lock_refused(t, strlen(t), "4: a.so is pinned at line 1 already, with another digest");
	snprintf(t, sizeof t, "%s  a.so\n%s  b.so\n%s  a.so\n%s  b.so\n", hex_a, hex_b, hex_a, hex_a);
	lock_refused(t, strlen(t), "4: b.so is pinned at line 2 already, with another digest");

	/* Files that are no lock at all. */
	rdy_error *e = NULL;
	const char *missing = pin_path(0, "missing.lock");
	assert_null(rdy_lock_read(missing, &e));
	pin_expect_error(e, RDY_EIO, "%s: No such file or directory", missing);
	assert_null(rdy_lock_read(pin_root, &e));
	pin_expect_error(e, RDY_EIO, "%s: not a regular file", pin_root);
	assert_null(rdy_lock_read(NULL, &e));
	pin_expect_error(e, RDY_EINVAL, "rdy_lock_read: no file");
	const char *huge = pin_path(0, "huge.lock");
	int fd = open(huge, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)65 << 20), 0);
	close(fd);
	assert_null(rdy_lock_read(huge, &e));
	pin_expect_error(e, RDY_EFORMAT, "%s: 68157440 bytes is too large for a lock file (at most 67108864)", huge);
	/* A plugin given as a lock: its NUL bytes. */
	assert_null(rdy_lock_read(calc, &e));
	pin_expect_error(e, RDY_EFORMAT, "%s:1: a NUL byte", calc);
}

/* `rdy lock` prints what rdy_lock_read reads, and the digests rdy__pin computes. */
static void rdy_lock_writes_what_the_runtime_reads(void **state)
{
	(void)state;
	const char *odd = pin_path(1, "back\\slash\nnewline.so");
	copy_file(changed, odd);
	const char *lockfile = pin_path(2, "cli.lock");
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' lock '%s' '%s' '%s' > '%s'", PIN_RDY, calc, changed, odd, lockfile);
	assert_int_equal(system(cmd), 0);
	rdy_error *e = NULL;
	rdy_lock *l = rdy_lock_read(lockfile, &e);
	if (!l)
		fail_msg("%s", rdy_error_message(e));
	assert_int_equal(rdy_lock_count(l), 3);
	assert_string_equal(rdy_lock_name(l, 0), calc);
	assert_string_equal(rdy_lock_name(l, 2), odd);
	const char *cache = pin_path(0, "cache");
	free(pinned(calc, cache, l, NULL));
	free(pinned(changed, cache, l, NULL));
	free(pinned(odd, cache, l, NULL));
	rdy_lock_free(l);
}

/* ---- pruning ------------------------------------------------------------------------------- */

static void age(const char *path, time_t seconds)
{
	struct timespec t[2];
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= seconds;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW), 0);
}

static void pruning_the_cache(void **state)
{
	(void)state;
	const char *cache = pin_path(0, "cache");
	uint32_t removed = 99;
	/* Nothing there yet: nothing to do. */
	assert_int_equal(rdy_cache_prune(cache, 0, &removed, NULL), RDY_OK);
	assert_int_equal(removed, 0);
	char *old = pinned(calc, cache, NULL, NULL), *young = pinned(changed, cache, NULL, NULL);
	age(old, 7200);
	char path[512];
	snprintf(path, sizeof path, "%s/.tmp-1-1", cache);
	pin_put(path, "x", 1);
	age(path, 120);                /* a crash's leftover */
	snprintf(path, sizeof path, "%s/.tmp-1-2", cache);
	pin_put(path, "x", 1);         /* an open's copy in the making */
	snprintf(path, sizeof path, "%s/notes.txt", cache);
	pin_put(path, "x", 1);
	age(path, 7200);               /* not the cache's */
	snprintf(path, sizeof path, "%s/%.64s.so", cache, hex_a);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	age(path, 7200);               /* not a copy */
	assert_int_equal(rdy_cache_prune(cache, 3600, &removed, NULL), RDY_OK);
	assert_int_equal(removed, 2);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(access(young, F_OK), 0);
	assert_int_equal(pin_count_entries(cache), 4);
	assert_int_equal(rdy_cache_prune(cache, 0, &removed, NULL), RDY_OK);
	assert_int_equal(removed, 1);  /* the young copy; the young temporary file stays */
	free(old);
	free(young);
	/* Not a private directory: left alone. */
	assert_int_equal(chmod(cache, 0777), 0);
	rdy_error *e = NULL;
	assert_int_equal(rdy_cache_prune(cache, 0, &removed, &e), RDY_EINVAL);
	pin_expect_error(e, RDY_EINVAL, "%s: cache directory %s is writable by its group and others (mode 0777)", cache,
			 cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_copy_is_the_bytes_hashed, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(the_default_cache_directory, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(a_tampered_copy_is_replaced, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(a_directory_in_the_copys_place, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(inputs_that_cannot_be_pinned, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(cache_directories_that_cannot_be_used, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(a_copy_that_cannot_be_written, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(a_large_file, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(a_lock_pins_the_digest, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(a_tampered_plugin_is_refused, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(how_a_path_finds_its_entry, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(lock_files_as_sha256sum_writes_them, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(malformed_lock_lines, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(rdy_lock_writes_what_the_runtime_reads, pin_setup, pin_teardown),
		cmocka_unit_test_setup_teardown(pruning_the_cache, pin_setup, pin_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
