/*
 * The watcher (rdy_watch_*, src/rt/watch.c) on files written, renamed,
 * deleted and made again in a temporary directory of each test's own.
 *
 * No test depends on how fast the machine is.  What must not fire cannot:
 * a file still open for writing, one that is gone, other files.  What must
 * fire is waited for, up to WAIT_MS, and then the test waits QUIET_MS more
 * for a second callback that must not come.  The debounce is checked by
 * the time of the callback, never before the last event plus DEBOUNCE_MS.
 * Only a burst (steps that must fall within one debounce period to fire
 * once) depends on timing: it is timed, and run again when the machine was
 * too slow for it to be conclusive.
 */
#include "rdy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum {
	DEBOUNCE_MS = 50,
	QUIET_MS = DEBOUNCE_MS + 30,       /* a wrong second callback comes within DEBOUNCE_MS of the first */
	WAIT_MS = 5000,                    /* for a callback that must come: only a broken watch waits so long */
	MAX_HITS = 8
};

static char dir[256];                  /* this test's directory */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* NAME in this test's directory, in one of a few static buffers. */
static const char *at(const char *name)
{
	static char bufs[8][512];
	static unsigned i;
	char *b = bufs[i++ % 8];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
	return b;
}

static void rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[512];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/rdy-watch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_tree(dir);
	return 0;
}

/* What one watched file's callbacks saw. */
typedef struct hits {
	atomic_int n;
	uint64_t when[MAX_HITS];           /* CLOCK_MONOTONIC at each callback */
	long long size[MAX_HITS];          /* the file's size then, -1 when missing */
	long long last_size;               /* the file's size at the last one */
	char path[512];                    /* the path of the last one */
	rdy_watch *w;                      /* set: each callback tries rdy_watch_dispatch, into BUSY */
	int busy;
} hits;

static void on_change(void *user, const char *path)
{
	hits *h = user;
	int i = atomic_load(&h->n);
	if (i < MAX_HITS) {
		struct stat st;
		h->when[i] = now_ns();
		h->size[i] = stat(path, &st) ? -1 : (long long)st.st_size;
	}
	struct stat st;
	h->last_size = stat(path, &st) ? -1 : (long long)st.st_size;
	snprintf(h->path, sizeof h->path, "%s", path);
	if (h->w) {
		rdy_error *e = NULL;
		h->busy = -rdy_watch_dispatch(h->w, 0, &e);
		rdy_error_free(e);
	}
	atomic_fetch_add(&h->n, 1);
}

static rdy_watch *watch_new(void)
{
	rdy_error *err = NULL;
	rdy_watch *w = rdy_watch_new(DEBOUNCE_MS, &err);
	if (!w)
		fail_msg("rdy_watch_new: %s", rdy_error_message(err));
	return w;
}

static void watch_add(rdy_watch *w, const char *path, hits *h)
{
	rdy_error *err = NULL;
	if (rdy_watch_add(w, path, on_change, h, &err))
		fail_msg("rdy_watch_add: %s", rdy_error_message(err));
}

/* Dispatches for MS milliseconds, whatever runs. */
static void pump(rdy_watch *w, int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
	for (uint64_t now; (now = now_ns()) < end;) {
		rdy_error *err = NULL;
		if (rdy_watch_dispatch(w, (int)((end - now) / 1000000u) + 1, &err) < 0)
			fail_msg("rdy_watch_dispatch: %s", rdy_error_message(err));
	}
}

/* Dispatches until H has had N callbacks, then QUIET_MS more; fails unless it has exactly N. */
static void expect(rdy_watch *w, hits *h, int n)
{
	uint64_t end = now_ns() + (uint64_t)WAIT_MS * 1000000u;
	while (atomic_load(&h->n) < n && now_ns() < end)
		pump(w, 10);
	pump(w, QUIET_MS);
	assert_int_equal(atomic_load(&h->n), n);
}

static void write_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* PATH written with N bytes of C, truncated first: cp(1)'s way. */
static void put(const char *path, int c, size_t n)
{
	static char buf[65536];
	assert_true(n <= sizeof buf);
	memset(buf, c, n);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	write_all(fd, buf, n);
	assert_int_equal(close(fd), 0);
}

static const char chunk[4096] = { 0x7f, 'E', 'L', 'F' };

/* Written in place in five chunks, with pauses, then closed: once, DEBOUNCE_MS after the close, whole. */
static void in_place_in_chunks_fires_once_after_close(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 100);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);

	int fd = open(at("p.so"), O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	for (int i = 0; i < 5; i++) {
		write_all(fd, chunk, sizeof chunk);
		pump(w, 15);
		assert_int_equal(atomic_load(&h.n), 0);
	}
	uint64_t closed = now_ns();
	assert_int_equal(close(fd), 0);
	expect(w, &h, 1);
	assert_true(h.when[0] >= closed + DEBOUNCE_MS * 1000000ull);
	assert_int_equal(h.size[0], 5 * (long long)sizeof chunk);
	assert_string_equal(h.path, at("p.so"));
	rdy_watch_free(w);
}

/* A file written beside it and renamed over it: once. */
static void rename_over_fires_once(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 100);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	put(at("p.so.tmp"), 'b', 5000);
	pump(w, DEBOUNCE_MS + 20);          /* the temporary file is not watched */
	assert_int_equal(atomic_load(&h.n), 0);
	uint64_t renamed = now_ns();
	assert_int_equal(rename(at("p.so.tmp"), at("p.so")), 0);
	expect(w, &h, 1);
	assert_true(h.when[0] >= renamed + DEBOUNCE_MS * 1000000ull);
	assert_int_equal(h.size[0], 5000);

	/* And onto a name that did not exist. */
	assert_int_equal(unlink(at("p.so")), 0);
	put(at("p.so.tmp"), 'c', 6000);
	assert_int_equal(rename(at("p.so.tmp"), at("p.so")), 0);
	expect(w, &h, 2);
	assert_int_equal(h.size[1], 6000);
	rdy_watch_free(w);
}

/*
 * Bursts fire once: two builds in a row (written, closed, written again,
 * closed), then renamed over, then chmod'ed (GNU ld sets the mode after its
 * close).  Conclusive only when the steps took less than DEBOUNCE_MS, since
 * a pause of more than that between them rightly fires twice: run again
 * when they did not.
 */
static void bursts_fire_once(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 100);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	int tries = 0, base = 0;
	for (;; tries++) {
		assert_true(tries < 10);
		uint64_t t0 = now_ns();
		put(at("p.so"), 'b', 3000);
		rdy_watch_dispatch(w, 0, NULL); /* the events read between the steps */
		put(at("p.so"), 'c', 4000);
		rdy_watch_dispatch(w, 0, NULL);
		put(at("p.so.tmp"), 'd', 5000);
		assert_int_equal(rename(at("p.so.tmp"), at("p.so")), 0);
		assert_int_equal(chmod(at("p.so"), 0755), 0);
		uint64_t t1 = now_ns();
		uint64_t end = t1 + (uint64_t)WAIT_MS * 1000000u;
		while (atomic_load(&h.n) == base && now_ns() < end)
			pump(w, 10);
		pump(w, QUIET_MS);
		int n = atomic_load(&h.n) - base;
		base += n;
		if (t1 - t0 >= DEBOUNCE_MS * 1000000ull / 2)
			continue;                  /* too slow to tell */
		assert_int_equal(n, 1);
		assert_int_equal(h.last_size, 5000);
		break;
	}
	rdy_watch_free(w);
}

/* Two files in one directory and a third in another: each fires for itself alone. */
static void files_fire_each_for_itself(void **state)
{
	(void)state;
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	rdy_watch *w = watch_new();
	hits a = { 0 }, b = { 0 }, c = { 0 };
	watch_add(w, at("a.so"), &a);
	watch_add(w, at("b.so"), &b);
	watch_add(w, at("sub/c.so"), &c);
	put(at("a.so"), 'a', 100);
	expect(w, &a, 1);
	assert_int_equal(atomic_load(&b.n), 0);
	assert_int_equal(atomic_load(&c.n), 0);
	put(at("b.so"), 'b', 100);
	put(at("sub/c.so"), 'c', 100);
	expect(w, &b, 1);
	expect(w, &c, 1);
	assert_int_equal(atomic_load(&a.n), 1);
	rdy_watch_free(w);
}

/*
 * Deleted: nothing fires while it is gone.  Created again empty and held
 * open (GNU ld creates its output before it links): nothing fires until it
 * is written and closed, then once.  Deleted and made again at once: once.
 */
static void deleted_then_made_again(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 100);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	assert_int_equal(unlink(at("p.so")), 0);
	pump(w, DEBOUNCE_MS + 20);
	int fd = open(at("p.so"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	pump(w, DEBOUNCE_MS + 20);
	assert_int_equal(atomic_load(&h.n), 0);
	write_all(fd, chunk, sizeof chunk);
	pump(w, 10);
	assert_int_equal(atomic_load(&h.n), 0);
	uint64_t closed = now_ns();
	assert_int_equal(close(fd), 0);
	expect(w, &h, 1);
	assert_true(h.when[0] >= closed + DEBOUNCE_MS * 1000000ull);
	assert_int_equal(h.size[0], (long long)sizeof chunk);

	assert_int_equal(unlink(at("p.so")), 0);
	put(at("p.so"), 'b', 200);
	expect(w, &h, 2);
	assert_int_equal(h.size[1], 200);
	rdy_watch_free(w);
}

/*
 * A writer that keeps the file open and pauses for longer than the
 * debounce period between writes: nothing fires until it closes.  The same
 * for one that writes through a shared mapping, as gold does, whose writes
 * raise no event: its ftruncate does.
 */
static void slow_writer_fires_after_close(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 100);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	int fd = open(at("p.so"), O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	for (int i = 0; i < 2; i++) {
		write_all(fd, chunk, sizeof chunk);
		pump(w, DEBOUNCE_MS + 20);
		assert_int_equal(atomic_load(&h.n), 0);
	}
	uint64_t closed = now_ns();
	assert_int_equal(close(fd), 0);
	expect(w, &h, 1);
	assert_true(h.when[0] >= closed + DEBOUNCE_MS * 1000000ull);
	assert_int_equal(h.size[0], 2 * (long long)sizeof chunk);

	assert_int_equal(unlink(at("p.so")), 0);
	fd = open(at("p.so"), O_RDWR | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8192), 0);
	char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	memcpy(map, chunk, sizeof chunk);
	pump(w, DEBOUNCE_MS + 20);
	memcpy(map + 4096, chunk, sizeof chunk);
	pump(w, DEBOUNCE_MS + 20);
	assert_int_equal(atomic_load(&h.n), 1);
	assert_int_equal(munmap(map, 8192), 0);
	assert_int_equal(close(fd), 0);
	expect(w, &h, 2);
	assert_int_equal(h.size[1], 8192);
	rdy_watch_free(w);
}

/* Files of the directory with other names, or a directory of the name: nothing fires. */
static void other_files_are_ignored(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 100);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	static const char *const others[] = { "p.so.tmp", "xp.so", "p.s", "p.so~", "P.SO", "p", ".p.so" };
	for (size_t i = 0; i < sizeof others / sizeof *others; i++)
		put(at(others[i]), 'b', 100);
	assert_int_equal(rename(at("p.so.tmp"), at("q.so")), 0);
	assert_int_equal(unlink(at("xp.so")), 0);
	assert_int_equal(symlink("p.so", at("link.so")), 0);
	assert_int_equal(mkdir(at("p.so.d"), 0755), 0);
	pump(w, QUIET_MS);
	assert_int_equal(atomic_load(&h.n), 0);

	/* The name made a directory: not a plugin file. */
	assert_int_equal(unlink(at("p.so")), 0);
	assert_int_equal(mkdir(at("p.so"), 0755), 0);
	put(at("p.so/inner"), 'c', 100);
	pump(w, QUIET_MS);
	assert_int_equal(atomic_load(&h.n), 0);
	rdy_watch_free(w);
}

/* Freed with changes pending, settled or not, with a writer still at work: no callback, nothing leaked. */
static void free_with_changes_pending(void **state)
{
	(void)state;
	rdy_watch *w = watch_new();
	hits a = { 0 }, b = { 0 };
	watch_add(w, at("a.so"), &a);
	watch_add(w, at("b.so"), &b);
	put(at("a.so"), 'a', 100);
	int fd = open(at("b.so"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	write_all(fd, chunk, sizeof chunk);
	assert_int_equal(rdy_watch_dispatch(w, 0, NULL), 0); /* read: both pending */
	put(at("a.so"), 'b', 100);                             /* and events unread */
	rdy_watch_free(w);
	assert_int_equal(close(fd), 0);
	sleep_ms(2 * DEBOUNCE_MS);
	assert_int_equal(atomic_load(&a.n), 0);
	assert_int_equal(atomic_load(&b.n), 0);

	/* Started, with a change pending: the thread stops first. */
	w = watch_new();
	watch_add(w, at("a.so"), &a);
	assert_int_equal(rdy_watch_start(w, NULL), RDY_OK);
	put(at("a.so"), 'c', 100);
	rdy_watch_free(w);
	assert_true(atomic_load(&a.n) <= 1);
}

/*
 * The directory removed, then renamed away, and each time made again: it
 * is watched again by its path, and a file in it fires; the renamed one's
 * files do not.
 */
static void directory_made_again(void **state)
{
	(void)state;
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("sub/p.so"), &h);
	rm_tree(at("sub"));
	pump(w, DEBOUNCE_MS);
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	put(at("sub/p.so"), 'a', 100);
	expect(w, &h, 1);
	put(at("sub/p.so"), 'b', 200);     /* watched, not only found again */
	expect(w, &h, 2);
	assert_int_equal(h.size[1], 200);

	assert_int_equal(rename(at("sub"), at("old")), 0);
	pump(w, 10);
	put(at("old/p.so"), 'c', 300);
	pump(w, QUIET_MS);
	assert_int_equal(atomic_load(&h.n), 2);
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	pump(w, 10);
	put(at("sub/p.so"), 'd', 400);
	expect(w, &h, 3);
	assert_int_equal(h.size[2], 400);
	rdy_watch_free(w);
}

/*
 * rdy_watch_fd in a host's poll: readable on the events, not settled yet;
 * readable again, with no new event, when the debounce period is over.
 */
static void poll_wakes_when_settled(void **state)
{
	(void)state;
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	struct pollfd pfd = { .fd = rdy_watch_fd(w), .events = POLLIN };
	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	uint64_t closed = now_ns();
	put(at("p.so"), 'a', 100);
	assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
	assert_int_equal(rdy_watch_dispatch(w, 0, NULL), 0);
	assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
	assert_true(now_ns() >= closed + DEBOUNCE_MS * 1000000ull);
	assert_int_equal(rdy_watch_dispatch(w, 0, NULL), 1);
	assert_int_equal(atomic_load(&h.n), 1);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	rdy_watch_free(w);
}

/* Every refusal, with its status and message. */
static void refusals(void **state)
{
	(void)state;
	char want[1024];
	rdy_watch *w = watch_new();
	hits h = { 0 };
	rdy_error *err = NULL;
	assert_int_equal(rdy_watch_add(w, NULL, on_change, &h, &err), RDY_EINVAL);
	assert_string_equal(rdy_error_message(err), "rdy_watch_add: the path is NULL");
	rdy_error_free(err);
	assert_int_equal(rdy_watch_add(w, "", on_change, &h, &err), RDY_EINVAL);
	assert_string_equal(rdy_error_message(err), "rdy_watch_add: the path is empty");
	rdy_error_free(err);
	assert_int_equal(rdy_watch_add(w, at("p.so"), NULL, &h, &err), RDY_EINVAL);
	assert_string_equal(rdy_error_message(err), "rdy_watch_add: the callback is NULL");
	rdy_error_free(err);
	const char *slash = at("sub/");
	assert_int_equal(rdy_watch_add(w, slash, on_change, &h, &err), RDY_EINVAL);
	snprintf(want, sizeof want, "%s: not a file's path: it ends in a directory", slash);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	assert_int_equal(rdy_watch_add(w, dir, on_change, &h, &err), RDY_EINVAL);
	snprintf(want, sizeof want, "%s: is a directory, not a plugin file", dir);
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	assert_int_equal(rdy_watch_add(w, at("none/p.so"), on_change, &h, &err), RDY_EIO);
	snprintf(want, sizeof want, "%s: cannot watch its directory %s: No such file or directory", at("none/p.so"),
		 at("none"));
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	put(at("file"), 'a', 1);
	assert_int_equal(rdy_watch_add(w, at("file/p.so"), on_change, &h, &err), RDY_EIO);
	snprintf(want, sizeof want, "%s: cannot watch its directory %s: Not a directory", at("file/p.so"), at("file"));
	assert_string_equal(rdy_error_message(err), want);
	rdy_error_free(err);
	if (geteuid() != 0) {              /* root reads any directory */
		assert_int_equal(mkdir(at("shut"), 0), 0);
		assert_int_equal(rdy_watch_add(w, at("shut/p.so"), on_change, &h, &err), RDY_EIO);
		snprintf(want, sizeof want, "%s: cannot watch its directory %s: Permission denied", at("shut/p.so"),
			 at("shut"));
		assert_string_equal(rdy_error_message(err), want);
		rdy_error_free(err);
	}
	assert_int_equal(rdy_watch_dispatch(NULL, 0, &err), -RDY_EINVAL);
	rdy_error_free(err);
	assert_int_equal(rdy_watch_fd(NULL), -1);

	/* Dispatching from a callback. */
	h.w = w;
	watch_add(w, at("p.so"), &h);
	put(at("p.so"), 'a', 1);
	expect(w, &h, 1);
	assert_int_equal(h.busy, RDY_EBUSY);
	rdy_watch_free(w);

	/* Out of file descriptors: the process's limit, as the user's on inotify instances would. */
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int lowest = open("/dev/null", O_RDONLY);
	assert_true(lowest >= 0);
	close(lowest);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	if (setrlimit(RLIMIT_NOFILE, &low))
		return;                    /* valgrind may keep the limit to itself */
	w = rdy_watch_new(DEBOUNCE_MS, &err);
	int code = rdy_error_code(err);
	char msg[512];
	snprintf(msg, sizeof msg, "%s", rdy_error_message(err));
	rdy_error_free(err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_null(w);
	assert_int_equal(code, RDY_EIO);
	assert_string_equal(msg, "watching: inotify_init1: the user's limit on inotify instances (sysctl "
				 "fs.inotify.max_user_instances) or the process's on open files is reached");
}

/* A path without a directory: the working directory's file, named as given. */
static void bare_name_is_the_working_directorys(void **state)
{
	(void)state;
	int here = open(".", O_RDONLY | O_DIRECTORY);
	assert_true(here >= 0);
	assert_int_equal(chdir(dir), 0);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, "p.so", &h);
	put("p.so", 'a', 10);
	expect(w, &h, 1);
	assert_string_equal(h.path, "p.so");
	rdy_watch_free(w);
	assert_int_equal(fchdir(here), 0);
	close(here);
}

/* The kernel's queue overflowed: every file counts as changed, and fires once. */
static void overflow_fires_every_file(void **state)
{
	(void)state;
	FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	long max = 0;
	if (!f || fscanf(f, "%ld", &max) != 1 || max > 100000) {
		if (f)
			fclose(f);
		skip();
	}
	fclose(f);
	put(at("p.so"), 'a', 10);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	int fds[4];
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof name, "x%d", i);
		assert_true((fds[i] = open(at(name), O_WRONLY | O_CREAT, 0644)) >= 0);
	}
	for (long i = 0; i < max + 100; i++) /* alternate, so that no two events in a row merge */
		write_all(fds[i % 4], "x", 1);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	expect(w, &h, 1);
	rdy_watch_free(w);
}

/* Runs ARGV, waits for it, and fails the test unless it exits 0. */
static void run(char *const argv[])
{
	pid_t pid;
	assert_int_equal(posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s failed (status %d)", argv[0], status);
}

/*
 * cp over the file, and the C compiler linking it in place (GNU ld unlinks
 * it, creates it, writes, closes, chmods): once each, whole.
 */
static void real_tools_fire_once_each(void **state)
{
	(void)state;
	put(at("p.so"), 'a', 10);
	rdy_watch *w = watch_new();
	hits h = { 0 };
	watch_add(w, at("p.so"), &h);
	put(at("src.bin"), 'b', 60000);
	run((char *const[]){ "cp", (char *)at("src.bin"), (char *)at("p.so"), NULL });
	expect(w, &h, 1);
	assert_int_equal(h.size[0], 60000);

	FILE *c = fopen(at("x.c"), "w");
	assert_non_null(c);
	fputs("int rdy_watch_test_fn(int x) { return x + 1; }\n", c);
	fclose(c);
	run((char *const[]){ WATCH_CC, "-shared", "-fPIC", "-o", (char *)at("p.so"), (char *)at("x.c"), NULL });
	expect(w, &h, 2);
	struct stat st;
	assert_int_equal(stat(at("p.so"), &st), 0);
	assert_int_equal(h.size[1], (long long)st.st_size);
	rdy_watch_free(w);
}

/* What rdy_watch_start's thread did, for the main thread to check. */
typedef struct threaded {
	rdy_watch *w;
	atomic_int a, c;
	atomic_int stop_status;            /* rdy_watch_stop from a callback: refused */
	atomic_int added;                  /* rdy_watch_add from a callback */
	char c_path[512];                  /* what it adds */
} threaded;

static void on_c(void *user, const char *path)
{
	(void)path;
	atomic_fetch_add(&((threaded *)user)->c, 1);
}

static void on_a(void *user, const char *path)
{
	(void)path;
	threaded *t = user;
	if (atomic_fetch_add(&t->a, 1) == 0) {
		rdy_error *e = NULL;
		atomic_store(&t->stop_status, rdy_watch_stop(t->w, &e));
		rdy_error_free(e);
		atomic_store(&t->added, rdy_watch_add(t->w, t->c_path, on_c, t, NULL) == RDY_OK ? 1 : -1);
	}
}

/* Waits until *V is at least N, for at most WAIT_MS. */
static void wait_for(atomic_int *v, int n)
{
	for (int i = 0; i < WAIT_MS / 5 && atomic_load(v) < n; i++)
		sleep_ms(5);
}

/*
 * rdy_watch_start: callbacks on the watch's thread, which may add files;
 * files added from another thread while it runs; no dispatching meanwhile;
 * stopped, nothing more runs.  `make tsan` runs it (label concurrency).
 */
static void thread_dispatches(void **state)
{
	(void)state;
	put(at("a.so"), 'a', 10);
	rdy_watch *w = watch_new();
	threaded t = { .w = w };
	snprintf(t.c_path, sizeof t.c_path, "%s", at("c.so"));
	assert_int_equal(rdy_watch_add(w, at("a.so"), on_a, &t, NULL), RDY_OK);
	rdy_error *err = NULL;
	assert_int_equal(rdy_watch_start(w, &err), RDY_OK);
	assert_int_equal(rdy_watch_start(w, &err), RDY_EBUSY);
	rdy_error_free(err);
	assert_int_equal(rdy_watch_dispatch(w, 0, &err), -RDY_EBUSY);
	rdy_error_free(err);
	put(at("a.so"), 'b', 20);
	wait_for(&t.added, 1);
	assert_int_equal(atomic_load(&t.added), 1);
	assert_int_equal(atomic_load(&t.stop_status), RDY_EBUSY);
	put(at("c.so"), 'c', 30);
	hits b = { 0 };
	watch_add(w, at("b.so"), &b);      /* from this thread, while it runs */
	put(at("b.so"), 'b', 40);
	wait_for(&t.c, 1);
	wait_for(&b.n, 1);
	sleep_ms(QUIET_MS);
	assert_int_equal(atomic_load(&t.a), 1);
	assert_int_equal(atomic_load(&t.c), 1);
	assert_int_equal(atomic_load(&b.n), 1);
	assert_int_equal(b.size[0], 40);

	assert_int_equal(rdy_watch_stop(w, &err), RDY_OK);
	assert_int_equal(rdy_watch_stop(w, &err), RDY_OK);
	put(at("a.so"), 'd', 50);
	sleep_ms(QUIET_MS);
	assert_int_equal(atomic_load(&t.a), 1);
	/* Dispatching by hand again, then a new thread. */
	expect(w, &b, 1);
	assert_int_equal(atomic_load(&t.a), 2);
	assert_int_equal(rdy_watch_start(w, &err), RDY_OK);
	put(at("c.so"), 'e', 60);
	wait_for(&t.c, 2);
	assert_int_equal(atomic_load(&t.c), 2);
	rdy_watch_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(in_place_in_chunks_fires_once_after_close, setup, teardown),
		cmocka_unit_test_setup_teardown(rename_over_fires_once, setup, teardown),
		cmocka_unit_test_setup_teardown(bursts_fire_once, setup, teardown),
		cmocka_unit_test_setup_teardown(files_fire_each_for_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(deleted_then_made_again, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_writer_fires_after_close, setup, teardown),
		cmocka_unit_test_setup_teardown(other_files_are_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(free_with_changes_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_made_again, setup, teardown),
		cmocka_unit_test_setup_teardown(poll_wakes_when_settled, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(bare_name_is_the_working_directorys, setup, teardown),
		cmocka_unit_test_setup_teardown(overflow_fires_every_file, setup, teardown),
		cmocka_unit_test_setup_teardown(real_tools_fire_once_each, setup, teardown),
		cmocka_unit_test_setup_teardown(thread_dispatches, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
