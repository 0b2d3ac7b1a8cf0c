/*
 * Watching (include/rdy.h, "watching"): the host is called back when a
 * plugin file has been replaced and is whole.  Nothing here reloads: the
 * host's callback does.
 *
 * Each path is a name in its directory, and the directory is what inotify
 * watches: a file replaced by a rename, or unlinked and created again (as
 * GNU ld does), is a new inode under the same name, which a watch on the
 * old inode would miss.  Only events that carry the name count; the rest of
 * the directory, a build directory full of object files say, is read and
 * ignored.
 *
 * The rules, per name:
 *
 *   IN_MOVED_TO     renamed over (lld, mold, editors, install(1)): changed,
 *                   and whole, since a rename moves a finished file in.
 *   IN_MODIFY       written or truncated in place (gcc -o through GNU ld,
 *                   cp, cat >): changed, and open for writing.
 *   IN_CLOSE_WRITE  closed by a writer: changed, no longer open for writing.
 *   IN_CREATE       created: changed; open for writing when the new file is
 *                   empty (made by open(2): GNU ld creates its output, then
 *                   links, maybe for seconds, and writes only at the end),
 *                   whole when it has content or is a symbolic link (made
 *                   by link(2) or symlink(2), which no close follows).
 *   IN_ATTRIB       touched or chmod'ed (GNU ld sets the mode after closing):
 *                   changed.
 *   IN_DELETE, IN_MOVED_FROM
 *                   gone: not changed, not open for writing; nothing fires
 *                   until the name is back.
 *
 * A changed file fires, once, when it is not open for writing, DEBOUNCE ms
 * have passed since the last event for its name (every event restarts the
 * wait, so a burst fires once: a linker's writes, cp over the file, a
 * chmod after the close, two builds in a row), and stat(2) finds a regular
 * file at its path (through a symbolic link); when it does not, the change
 * is dropped.
 *
 * A file open for writing waits for IN_CLOSE_WRITE however long the writer
 * takes, quiet or not: a writer in place leaves a partial file until it
 * closes, and a partial ELF file is refused at best and, once mapped,
 * crashes the host with SIGBUS as it is written on at worst.  The kernel
 * closes a process's files when it exits, so a writer that dies still ends
 * the wait; a writer that keeps its file open for ever holds its callback
 * back as long, and one that writes through a shared mapping (gold) is seen
 * by the ftruncate that sizes the file and by its close.  IN_CLOSE_WRITE
 * does not say whose close it is, so with two writers at once the first
 * close ends the wait.
 *
 * The directory itself: removed, renamed or unmounted, it is watched again
 * by its path as soon as it exists (tried at once, then after RETRY_MIN ms,
 * twice as long each time up to RETRY_MAX), and
 * each of its files then counts as changed (open for writing when empty):
 * `rm -rf build` and a new build keep working.  When the kernel's queue
 * overflows every file counts as changed; those open for writing still wait
 * for their close.
 *
 * Times are CLOCK_MONOTONIC, taken when events are read.  The fd that
 * rdy_watch_fd gives is an epoll instance holding the inotify fd, a timerfd
 * armed at the next time a file settles (or a lost directory is tried) and
 * an eventfd that rdy_watch_stop writes, so a host's poll wakes exactly
 * when rdy_watch_dispatch has something to do.
 *
 * Threads: one mutex guards the state; callbacks run without it, so they
 * may call rdy_watch_add.  rdy_watch_start's thread blocks every signal.
 */
#include "rt/rt.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Lost directories are tried again after RETRY_MIN ms, then twice as long each time, up to RETRY_MAX. */
enum { RETRY_MIN = 50, RETRY_MAX = 1000 };

#define WATCH_MASK                                                                                       \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

/* A watched directory; WD is LOST while it is not watched, MERGED once another record took its files. */
enum { LOST = -1, MERGED = -2 };
typedef struct wdir {
	int wd;
	char *path;                        /* as derived from the first path added in it */
} wdir;

typedef struct wfile {
	wdir *dir;
	const char *path;                  /* as given: just after the struct */
	const char *name;                  /* in PATH, after its last '/' */
	rdy_watch_fn fn;
	void *user;
	bool changed;                      /* an event since it last fired */
	bool writing;                      /* open for writing: waits for IN_CLOSE_WRITE */
	uint64_t last;                     /* when its last event was read, ns */
} wfile;

struct rdy_watch {
	int ep, ino, timer, wake;          /* the epoll fd, holding the other three */
	uint64_t debounce;                 /* ns */
	pthread_mutex_t lock;              /* guards everything below */
	wdir **dirs;
	size_t ndirs, capdirs;
	wfile **files;                     /* each allocated once, never moved: callbacks get their path */
	size_t nfiles, capfiles;
	uint64_t retry;                    /* when lost directories are tried next, ns; 0: none are lost */
	uint64_t retry_gap;                /* the wait before the next try after that, ns */
	bool dispatching;                  /* in rdy_watch_dispatch, or its thread runs */
	bool started, stopping;            /* rdy_watch_start's thread */
	pthread_t thread;
	rdy_error *thread_err;             /* what ended the thread, for rdy_watch_stop */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether PATH is an empty regular file: one just created by open(2), not yet written. */
static bool unwritten(const char *path)
{
	struct stat st;
	return !lstat(path, &st) && S_ISREG(st.st_mode) && st.st_size == 0;
}

static wdir *dir_of(const rdy_watch *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i]->wd == wd)
			return w->dirs[i];
	return NULL;
}

/* Room for one more file, or directory, in W's arrays. */
static bool room_files(rdy_watch *w)
{
	if (w->nfiles < w->capfiles)
		return true;
	size_t c = w->capfiles ? w->capfiles * 2 : 8;
	wfile **a = realloc(w->files, c * sizeof *a);
	if (!a)
		return false;
	w->files = a;
	w->capfiles = c;
	return true;
}

static bool room_dirs(rdy_watch *w)
{
	if (w->ndirs < w->capdirs)
		return true;
	size_t c = w->capdirs ? w->capdirs * 2 : 8;
	wdir **a = realloc(w->dirs, c * sizeof *a);
	if (!a)
		return false;
	w->dirs = a;
	w->capdirs = c;
	return true;
}

/* The message of an inotify_add_watch or inotify_init1 failure of errno E. */
static const char *why(int e)
{
	switch (e) {
	case ENOSPC:
		return "the user's limit on inotify watches is reached (sysctl fs.inotify.max_user_watches)";
	case EMFILE:
		return "the user's limit on inotify instances (sysctl fs.inotify.max_user_instances) or the "
		       "process's on open files is reached";
	default:
		return strerror(e);
	}
}

static int sys_code(int e)
{
	return e == ENOMEM ? RDY_ENOMEM : RDY_EIO;
}

RDY_API rdy_watch *rdy_watch_new(unsigned debounce_ms, rdy_error **err)
{
	rdy_watch *w = calloc(1, sizeof *w);
	if (!w) {
		rdy__fail(err, RDY_ENOMEM, "out of memory");
		return NULL;
	}
	w->ep = w->ino = w->timer = w->wake = -1;
	w->debounce = (uint64_t)debounce_ms * 1000000u;
	pthread_mutex_init(&w->lock, NULL);
	const char *what = "inotify_init1";
	if ((w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		goto fail;
	what = "timerfd_create";
	if ((w->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		goto fail;
	what = "eventfd";
	if ((w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		goto fail;
	what = "epoll_create1";
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		goto fail;
	what = "epoll_ctl";
	int fds[] = { w->ino, w->timer, w->wake };
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fds[i], &ev))
			goto fail;
	}
	return w;
fail:;
	int e = errno;
	rdy__fail(err, sys_code(e), "watching: %s: %s", what, why(e));
	rdy_watch_free(w);
	return NULL;
}

RDY_API int rdy_watch_fd(const rdy_watch *w)
{
	return w ? w->ep : -1;
}

RDY_API int rdy_watch_add(rdy_watch *w, const char *path, rdy_watch_fn fn, void *user, rdy_error **err)
{
	if (!w || !path || !fn)
		return rdy__fail(err, RDY_EINVAL, "rdy_watch_add: %s is NULL",
				 !w ? "the watch" : !path ? "the path" : "the callback");
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!*path)
		return rdy__fail(err, RDY_EINVAL, "rdy_watch_add: the path is empty");
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return rdy__fail(err, RDY_EINVAL, "%s: not a file's path: it ends in a directory", path);
	if (strlen(name) > NAME_MAX)
		return rdy__fail(err, RDY_EINVAL, "%s: the file name is longer than NAME_MAX (%d)", path, NAME_MAX);
	struct stat st;
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return rdy__fail(err, RDY_EINVAL, "%s: is a directory, not a plugin file", path);

	size_t len = strlen(path), dlen = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
	wfile *f = calloc(1, sizeof *f + len + 1);
	char *dpath = malloc(dlen + 1);
	if (!f || !dpath) {
		free(f);
		free(dpath);
		return rdy__fail(err, RDY_ENOMEM, "out of memory");
	}
	memcpy(f + 1, path, len + 1);
	f->path = (const char *)(f + 1);
	f->name = f->path + (name - path);
	f->fn = fn;
	f->user = user;
	memcpy(dpath, slash ? path : ".", dlen);
	dpath[dlen] = '\0';

	pthread_mutex_lock(&w->lock);
	int wd = inotify_add_watch(w->ino, dpath, WATCH_MASK);
	if (wd < 0) {
		int e = errno;
		pthread_mutex_unlock(&w->lock);
		int code = rdy__fail(err, sys_code(e), "%s: cannot watch its directory %s: %s", path, dpath, why(e));
		free(f);
		free(dpath);
		return code;
	}
	wdir *d = dir_of(w, wd);
	bool fresh = !d;
	if (fresh && (d = malloc(sizeof *d)) != NULL) {
		d->wd = wd;
		d->path = dpath;
		dpath = NULL;
	}
	if (!d || !room_files(w) || (fresh && !room_dirs(w))) {
		if (fresh) {
			inotify_rm_watch(w->ino, wd);
			if (d)
				free(d->path);
			free(d);
		}
		pthread_mutex_unlock(&w->lock);
		free(f);
		free(dpath);
		return rdy__fail(err, RDY_ENOMEM, "out of memory");
	}
	if (fresh)
		w->dirs[w->ndirs++] = d;
	f->dir = d;
	w->files[w->nfiles++] = f;
	pthread_mutex_unlock(&w->lock);
	free(dpath);
	return RDY_OK;
}

/* D is no longer watched: tried again from NOW on. */
static void lose(rdy_watch *w, wdir *d, uint64_t now)
{
	d->wd = LOST;
	for (size_t i = 0; i < w->nfiles; i++)
		if (w->files[i]->dir == d)
			w->files[i]->changed = w->files[i]->writing = false;
	w->retry = now;
	w->retry_gap = (uint64_t)RETRY_MIN * 1000000u;
}

/* Watches the lost directories again, those that exist; their files count as changed. */
static void retry_lost(rdy_watch *w, uint64_t now)
{
	if (!w->retry || now < w->retry)
		return;
	bool failed = false;
	for (size_t i = 0; i < w->ndirs; i++) {
		wdir *d = w->dirs[i];
		if (d->wd != LOST)
			continue;
		int wd = inotify_add_watch(w->ino, d->path, WATCH_MASK);
		if (wd < 0) {
			failed = true;
			continue;
		}
		wdir *to = dir_of(w, wd);
		if (to)
			d->wd = MERGED;            /* added again by another spelling of its path */
		else
			d->wd = wd, to = d;
		for (size_t j = 0; j < w->nfiles; j++) {
			wfile *f = w->files[j];
			if (f->dir != d)
				continue;
			f->dir = to;
			f->changed = true;
			f->writing = unwritten(f->path);
			f->last = now;
		}
	}
	w->retry = failed ? now + w->retry_gap : 0;
	if (failed && (w->retry_gap *= 2) > (uint64_t)RETRY_MAX * 1000000u)
		w->retry_gap = (uint64_t)RETRY_MAX * 1000000u;
}

static void event(rdy_watch *w, const struct inotify_event *e, uint64_t now)
{
	if (e->mask & IN_Q_OVERFLOW) {
		for (size_t i = 0; i < w->nfiles; i++)
			w->files[i]->changed = true, w->files[i]->last = now;
		return;
	}
	wdir *d = e->wd >= 0 ? dir_of(w, e->wd) : NULL;
	if (!d)
		return;                    /* a directory lost already: IN_IGNORED after IN_DELETE_SELF */
	if (e->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		if (!(e->mask & IN_IGNORED))
			inotify_rm_watch(w->ino, d->wd); /* a moved directory is no longer at its path */
		lose(w, d, now);
		return;
	}
	if (!e->len || (e->mask & IN_ISDIR))
		return;
	for (size_t i = 0; i < w->nfiles; i++) {
		wfile *f = w->files[i];
		if (f->dir != d || strcmp(f->name, e->name))
			continue;
		f->last = now;
		f->changed = true;
		if (e->mask & (IN_DELETE | IN_MOVED_FROM))
			f->changed = f->writing = false;
		else if (e->mask & IN_MODIFY)
			f->writing = true;
		else if (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
			f->writing = false;
		else if (e->mask & IN_CREATE)
			f->writing = unwritten(f->path);
	}
}

/* Reads every event queued; RDY_OK or the code set in *ERR.  Under the lock. */
static int read_events(rdy_watch *w, uint64_t now, rdy_error **err)
{
	_Alignas(struct inotify_event) char buf[4096];
	for (;;) {
		ssize_t n = read(w->ino, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return RDY_OK;
		if (n <= 0)
			return rdy__fail(err, RDY_EIO, "watching: reading inotify events: %s",
					 n < 0 ? strerror(errno) : "end of file");
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;
			event(w, e, now);
			p += sizeof *e + e->len;
		}
	}
}

/* Whether F fires now; drops a change whose file is not there.  Under the lock. */
static bool settled(const rdy_watch *w, wfile *f, uint64_t now)
{
	if (!f->changed || f->writing || f->dir->wd < 0 || now < f->last + w->debounce)
		return false;
	struct stat st;
	if (stat(f->path, &st) || !S_ISREG(st.st_mode)) {
		f->changed = false;
		return false;
	}
	return true;
}

/* Runs the callbacks of the files settled at NOW, without the lock; their number. */
static int fire(rdy_watch *w, uint64_t now)
{
	int n = 0;
	for (size_t i = 0; i < w->nfiles; i++) {
		wfile *f = w->files[i];
		if (!settled(w, f, now))
			continue;
		f->changed = false;
		pthread_mutex_unlock(&w->lock);
		f->fn(f->user, f->path);
		pthread_mutex_lock(&w->lock);
		n++;
	}
	return n;
}

/* Arms the timer at the next time a file settles or lost directories are tried.  Under the lock. */
static void arm(rdy_watch *w)
{
	uint64_t next = w->retry ? w->retry : UINT64_MAX;
	for (size_t i = 0; i < w->nfiles; i++) {
		const wfile *f = w->files[i];
		if (f->changed && !f->writing && f->dir->wd >= 0 && f->last + w->debounce < next)
			next = f->last + w->debounce;
	}
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	if (next != UINT64_MAX) {
		next = next ? next : 1;    /* a zero time disarms */
		its.it_value.tv_sec = (time_t)(next / 1000000000u);
		its.it_value.tv_nsec = (long)(next % 1000000000u);
	}
	timerfd_settime(w->timer, TFD_TIMER_ABSTIME, &its, NULL);
}

/* rdy_watch_dispatch, once it is this thread's to run. */
static int run(rdy_watch *w, int timeout_ms, rdy_error **err)
{
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		uint64_t now = now_ns(), ticks;
		pthread_mutex_lock(&w->lock);
		int r = read_events(w, now, err);
		while (read(w->timer, &ticks, sizeof ticks) < 0 && errno == EINTR)
			;
		if (r) {
			pthread_mutex_unlock(&w->lock);
			return -r;
		}
		retry_lost(w, now);
		int n = fire(w, now);
		arm(w);
		bool stop = w->stopping;
		pthread_mutex_unlock(&w->lock);
		if (n || stop)
			return n;
		now = now_ns();
		if (now >= end)
			return 0;
		int ms = end == UINT64_MAX ? -1 : (int)((end - now + 999999) / 1000000);
		struct epoll_event ev[4];
		if (epoll_wait(w->ep, ev, 4, ms) < 0 && errno != EINTR)
			return -rdy__fail(err, RDY_EIO, "watching: epoll_wait: %s", strerror(errno));
	}
}

RDY_API int rdy_watch_dispatch(rdy_watch *w, int timeout_ms, rdy_error **err)
{
	if (!w)
		return -rdy__fail(err, RDY_EINVAL, "rdy_watch_dispatch: the watch is NULL");
	pthread_mutex_lock(&w->lock);
	if (w->dispatching) {
		pthread_mutex_unlock(&w->lock);
		return -rdy__fail(err, RDY_EBUSY, "rdy_watch_dispatch: the watch is dispatching already (from a callback, "
						  "another thread, or rdy_watch_start's)");
	}
	w->dispatching = true;
	pthread_mutex_unlock(&w->lock);
	int n = run(w, timeout_ms, err);
	pthread_mutex_lock(&w->lock);
	w->dispatching = false;
	pthread_mutex_unlock(&w->lock);
	return n;
}

static void *watch_thread(void *arg)
{
	rdy_watch *w = arg;
	for (;;) {
		rdy_error *e = NULL;
		int n = run(w, -1, &e);
		pthread_mutex_lock(&w->lock);
		if (n < 0)
			w->thread_err = e;
		bool stop = w->stopping || n < 0;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			return NULL;
	}
}

RDY_API int rdy_watch_start(rdy_watch *w, rdy_error **err)
{
	if (!w)
		return rdy__fail(err, RDY_EINVAL, "rdy_watch_start: the watch is NULL");
	pthread_mutex_lock(&w->lock);
	if (w->dispatching) {
		pthread_mutex_unlock(&w->lock);
		return rdy__fail(err, RDY_EBUSY, "rdy_watch_start: the watch is dispatching already (from a callback, "
						 "another thread, or rdy_watch_start's)");
	}
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(&w->thread, NULL, watch_thread, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r)
		w->dispatching = w->started = true;
	pthread_mutex_unlock(&w->lock);
	if (r)
		return rdy__fail(err, r == EAGAIN ? RDY_ENOMEM : RDY_EIO, "rdy_watch_start: pthread_create: %s",
				 strerror(r));
	return RDY_OK;
}

RDY_API int rdy_watch_stop(rdy_watch *w, rdy_error **err)
{
	if (!w)
		return RDY_OK;
	pthread_mutex_lock(&w->lock);
	if (!w->started) {
		pthread_mutex_unlock(&w->lock);
		return RDY_OK;
	}
	if (w->stopping || pthread_equal(pthread_self(), w->thread)) {
		bool own = !w->stopping;
		pthread_mutex_unlock(&w->lock);
		return rdy__fail(err, RDY_EBUSY, "rdy_watch_stop: %s",
				 own ? "called from a callback of the watch's own thread" : "another thread is stopping it");
	}
	w->stopping = true;
	pthread_mutex_unlock(&w->lock);
	uint64_t one = 1;
	while (write(w->wake, &one, sizeof one) < 0 && errno == EINTR)
		;
	pthread_join(w->thread, NULL);
	pthread_mutex_lock(&w->lock);
	while (read(w->wake, &one, sizeof one) < 0 && errno == EINTR)
		;
	rdy_error *e = w->thread_err;
	w->thread_err = NULL;
	w->started = w->stopping = w->dispatching = false;
	pthread_mutex_unlock(&w->lock);
	if (!e)
		return RDY_OK;
	int code = rdy_error_code(e);
	if (err)
		*err = e;
	else
		rdy_error_free(e);
	return code;
}

RDY_API void rdy_watch_free(rdy_watch *w)
{
	if (!w)
		return;
	rdy_watch_stop(w, NULL);
	int fds[] = { w->ep, w->ino, w->timer, w->wake };
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	for (size_t i = 0; i < w->ndirs; i++) {
		free(w->dirs[i]->path);
		free(w->dirs[i]);
	}
	free(w->files);
	free(w->dirs);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
