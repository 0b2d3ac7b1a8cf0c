/*
 * The race: a file swapped or rewritten while rdy__pin reads it is never
 * the one whose copy it returns half and half.  A writer thread rewrites
 * the plugin's file in a tight loop, in bursts, while pinning threads pin
 * it over and over.  Each pin either is refused (RDY_EBUSY: it kept
 * changing; RDY_EINCOMPATIBLE: not the lock's) or returns a copy that is
 * one of the versions written, whole, whose SHA-256 is the digest
 * returned.  Plain reads of the same file, alongside, count how often a
 * reader without these defences sees a version torn (printed only: how
 * often depends on the machine).
 *
 * The versions are tests/rt's calc and changed plugins, padded with zeros
 * to one length, so that each rewrite in place is one pwrite (the file is
 * then only ever a whole version, or being written), and random bytes of
 * that length.
 *
 * Each of rdy__pin's defences is needed here: without them all, or
 * without lseek(SEEK_DATA) (a writer preempted in the middle of its
 * pwrite, the inode's lock held), or without the fstat after the read (a
 * rewrite during it), copies come out torn.  The third, waiting for the
 * ctime's tick to pass, guards against a rewrite stamped with the same
 * ctime; on a kernel with multigrain timestamps (Linux 6.13 on) the
 * kernel itself prevents that, so this test cannot show it.
 */
#define _GNU_SOURCE
#include "pin_test.h"
#include "rt/pin.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/*
 * The versions are padded to 256 KiB: a read of that many bytes takes long
 * enough for a rewrite to land in the middle of it, which the check after
 * the read must catch (with only the plugins' 24 KiB, a pin that skipped
 * that check passed this test).
 */
enum { NVERSIONS = 3, PINNERS = 2, PAD = 256 << 10 };
enum how { IN_PLACE, RENAME };

static uint8_t *version[NVERSIONS];    /* calc, changed, garbage: LEN bytes each */
static uint8_t digest[NVERSIONS][32];
static size_t len;

typedef struct run {
	enum how how;
	int cycle[NVERSIONS];              /* the versions the writer writes, in turn */
	int ncycle;
	bool pause;                        /* between bursts */
	const char *path;                  /* the file pinned */
	const char *cache;
	const rdy_lock *lock;
	int stop;                          /* atomic */
	uint64_t writes;                   /* by the writer; atomic */
} run;

typedef struct pinner {
	run *r;
	uint64_t pins[NVERSIONS], busy, refused;
	char failure[512];                 /* the first, when any */
} pinner;

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void nap_us(long us)
{
	struct timespec t = { us / 1000000, us % 1000000 * 1000 };
	nanosleep(&t, NULL);
}

static bool stopping(run *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
}

/*
 * The writer: bursts of 1 to 16 rewrites back to back, then (with PAUSE) a
 * pause of 0 to 8 ms, so that pins meet the file both settled and being
 * written.  In place, each rewrite is one pwrite of the whole version;
 * otherwise the version is written to a new file renamed over the old.
 */
static void *writer(void *arg)
{
	run *r = arg;
	uint32_t seed = 0x9e3779b9u;
	char tmp[300];
	snprintf(tmp, sizeof tmp, "%s.new", r->path);
	int fd = r->how == IN_PLACE ? open(r->path, O_WRONLY) : -1;
	for (int i = 1; !stopping(r);) {
		for (uint32_t burst = 1 + rnd(&seed) % 16; burst-- && !stopping(r); i = (i + 1) % r->ncycle) {
			const uint8_t *v = version[r->cycle[i]];
			if (r->how == IN_PLACE) {
				if (pwrite(fd, v, len, 0) != (ssize_t)len)
					abort();
			} else {
				int t = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
				if (t < 0 || write(t, v, len) != (ssize_t)len || close(t) < 0 || rename(tmp, r->path) < 0)
					abort();
			}
			__atomic_add_fetch(&r->writes, 1, __ATOMIC_RELAXED);
		}
		if (r->pause)
			nap_us((long)(rnd(&seed) % 8000));
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void failed(pinner *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void failed(pinner *p, const char *fmt, ...)
{
	if (p->failure[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->failure, sizeof p->failure, fmt, ap);
	va_end(ap);
}

/* Which version the N bytes at BYTES are, whole, or -1. */
static int which(const uint8_t *bytes, size_t n)
{
	for (int v = 0; v < NVERSIONS; v++) {
		if (n == len && !memcmp(bytes, version[v], len))
			return v;
	}
	return -1;
}

/* The end of a busy pin's message, after "PATH: ". */
static bool busy_message(const char *msg, const char *path)
{
	size_t n = strlen(path);
	long ms;
	char rest[128];
	return !strncmp(msg, path, n) &&
	       sscanf(msg + n, ": the file kept changing while it was read (for %ld ms); try again once it is %127[a-z.]",
		      &ms, rest) == 2 &&
	       !strcmp(rest, "written") && ms >= rdy__pin_patience_ms;
}

/* Checks one pin's outcome into P. */
static void check(pinner *p, int rc, rdy_error *e, const char *loaded, const uint8_t d[32])
{
	run *r = p->r;
	if (rc == RDY_EBUSY) {
		p->busy++;
		if (!busy_message(rdy_error_message(e), r->path))
			failed(p, "busy: %s", rdy_error_message(e));
		return;
	}
	if (rc == RDY_EINCOMPATIBLE && r->lock) {
		char want[400];
		snprintf(want, sizeof want, "%s: SHA-256 is ", r->path);
		p->refused++;
		if (strncmp(rdy_error_message(e), want, strlen(want)) || !strstr(rdy_error_message(e), ", rdy.lock pins "))
			failed(p, "refused: %s", rdy_error_message(e));
		return;
	}
	if (rc != RDY_OK) {
		failed(p, "refused with %d: %s", rc, rdy_error_message(e));
		return;
	}
	/* The copy: the digest's bytes, and a version whole. */
	FILE *f = fopen(loaded, "rb");
	uint8_t *b = malloc(len + 1);
	if (!f || !b) {
		failed(p, "%s: cannot be read", loaded);
	} else {
		size_t n = fread(b, 1, len + 1, f);
		uint8_t h[32];
		int v;
		pin_sha256(b, n, h);
		if (memcmp(h, d, 32))
			failed(p, "%s: its bytes are not the digest returned", loaded);
		else if ((v = which(b, n)) < 0)
			failed(p, "%s: a copy of no version whole (%zu bytes): a torn read", loaded, n);
		else if (r->lock && v != 0)
			failed(p, "%s: version %d passed the lock", loaded, v);
		else
			p->pins[v]++;
	}
	if (f)
		fclose(f);
	free(b);
}

static void *pin_loop(void *arg)
{
	pinner *p = arg;
	while (!stopping(p->r) && !p->failure[0]) {
		uint8_t d[32];
		char *loaded = NULL;
		rdy_error *e = NULL;
		int rc = rdy__pin(p->r->path, p->r->cache, p->r->lock, &loaded, d, &e);
		check(p, rc, e, loaded, d);
		rdy_error_free(e);
		free(loaded);
	}
	return NULL;
}

static bool before(const struct timespec *end)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < end->tv_sec || (now.tv_sec == end->tv_sec && now.tv_nsec < end->tv_nsec);
}

/* Plain reads of R's file till END, for contrast: how often one sees it torn.  *READS counts them. */
static uint64_t plain_reads(run *r, const struct timespec *end, uint64_t *reads)
{
	uint8_t *b = malloc(len + 1);
	assert_non_null(b);
	uint64_t tears = 0;
	*reads = 0;
	while (before(end)) {
		int fd = open(r->path, O_RDONLY);
		if (fd < 0)
			continue;
		size_t n = 0;
		for (ssize_t k; n <= len && (k = read(fd, b + n, len + 1 - n < 4096 ? len + 1 - n : 4096)) > 0;)
			n += (size_t)k;
		close(fd);
		tears += which(b, n) < 0;
		++*reads;
		nap_us(200);
	}
	free(b);
	return tears;
}

typedef struct outcome {
	uint64_t writes, pins[NVERSIONS], busy, refused, reads, tears;
} outcome;

/*
 * Runs the race R for MS milliseconds, rdy__pin's patience PATIENCE ms: a
 * writer, PINNERS pinning threads, and plain reads here.
 */
static outcome race(run *r, long ms, int patience)
{
	char path[300];
	snprintf(path, sizeof path, "%s/plugin.so", pin_root);
	r->path = path;
	r->cache = pin_path(0, "cache");
	pin_put(path, version[r->cycle[0]], len);
	rdy__pin_patience_ms = patience;

	pthread_t w, t[PINNERS];
	pinner p[PINNERS];
	memset(p, 0, sizeof p);
	assert_int_equal(pthread_create(&w, NULL, writer, r), 0);
	for (int i = 0; i < PINNERS; i++) {
		p[i].r = r;
		assert_int_equal(pthread_create(&t[i], NULL, pin_loop, &p[i]), 0);
	}
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += ms % 1000 * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	outcome o = { 0 };
	o.tears = plain_reads(r, &end, &o.reads);
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < PINNERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(pthread_join(w, NULL), 0);
	o.writes = __atomic_load_n(&r->writes, __ATOMIC_RELAXED);
	for (int i = 0; i < PINNERS; i++) {
		if (p[i].failure[0])
			fail_msg("%s", p[i].failure);
		for (int v = 0; v < NVERSIONS; v++)
			o.pins[v] += p[i].pins[v];
		o.busy += p[i].busy;
		o.refused += p[i].refused;
	}
	print_message("%s%s: %lu writes; pins: %lu calc, %lu changed, %lu garbage, %lu busy, %lu refused by the lock; "
		      "plain reads: %lu, %lu torn\n",
		      r->how == IN_PLACE ? "in place" : "renamed", r->lock ? ", locked" : "", (unsigned long)o.writes,
		      (unsigned long)o.pins[0], (unsigned long)o.pins[1], (unsigned long)o.pins[2], (unsigned long)o.busy,
		      (unsigned long)o.refused, (unsigned long)o.reads, (unsigned long)o.tears);
	assert_true(o.writes > 20);
	return o;
}

enum { CALC, CHANGED, GARBAGE };

static void rewritten_in_place(void **state)
{
	(void)state;
	run r = { .how = IN_PLACE, .cycle = { CALC, CHANGED }, .ncycle = 2, .pause = true };
	outcome o = race(&r, 500, 300);
	assert_true(o.pins[CALC] + o.pins[CHANGED] > 0);
}

static void rewritten_in_place_with_garbage(void **state)
{
	(void)state;
	run r = { .how = IN_PLACE, .cycle = { CALC, GARBAGE }, .ncycle = 2, .pause = true };
	outcome o = race(&r, 300, 300);
	assert_true(o.pins[CALC] + o.pins[GARBAGE] > 0);
}

/* Whole files renamed over it: each open meets one whole, and what it reads is that one. */
static void swapped_by_rename(void **state)
{
	(void)state;
	run r = { .how = RENAME, .cycle = { CALC, CHANGED, GARBAGE }, .ncycle = 3, .pause = true };
	outcome o = race(&r, 300, 300);
	assert_true(o.pins[CALC] + o.pins[CHANGED] + o.pins[GARBAGE] > 0);
	assert_int_equal(o.tears, 0);
}

/* With a lock that pins calc: only calc, whole, gets through; changed and anything torn are refused. */
static void rewritten_under_a_lock(void **state)
{
	(void)state;
	char text[512], hex[65];
	pin_hex(digest[CALC], hex);
	snprintf(text, sizeof text, "%s  %s/plugin.so\n", hex, pin_root);
	rdy_lock *l = rdy_lock_parse(text, strlen(text), "rdy.lock", NULL);
	assert_non_null(l);
	run r = { .how = IN_PLACE, .cycle = { CALC, CHANGED }, .ncycle = 2, .pause = true, .lock = l };
	outcome o = race(&r, 300, 300);
	assert_true(o.pins[CALC] > 0);
	assert_true(o.refused > 0);
	rdy_lock_free(l);
}

/*
 * Rewritten without a pause: a pin gets through only when the writer is
 * off the processor for a while, and then whole.
 */
static void rewritten_without_a_pause(void **state)
{
	(void)state;
	run r = { .how = IN_PLACE, .cycle = { CALC, CHANGED }, .ncycle = 2, .pause = false };
	race(&r, 600, 300);
}

/* Refused as busy, with its message, once the patience runs out. */
static void kept_changing(void **state)
{
	(void)state;
	run r = { .how = IN_PLACE, .cycle = { CALC, CHANGED }, .ncycle = 2, .pause = false };
	outcome o = race(&r, 200, 1);
	assert_true(o.busy > 0);
}

static int setup(void **state)
{
	size_t a, b;
	uint8_t *calc = pin_slurp(PIN_CALC, &a), *changed = pin_slurp(PIN_CHANGED, &b);
	len = a > b ? a : b;
	if (len < PAD)
		len = PAD;
	for (int v = 0; v < NVERSIONS; v++)
		version[v] = calloc(1, len);
	memcpy(version[CALC], calc, a);    /* zeros after an ELF file's end change nothing */
	memcpy(version[CHANGED], changed, b);
	uint32_t seed = 12345;
	for (size_t i = 0; i < len; i++)
		version[GARBAGE][i] = (uint8_t)rnd(&seed);
	assert_true(memcmp(version[CALC], version[CHANGED], len) != 0);
	for (int v = 0; v < NVERSIONS; v++)
		pin_sha256(version[v], len, digest[v]);
	free(calc);
	free(changed);
	return pin_setup(state);
}

static int teardown(void **state)
{
	for (int v = 0; v < NVERSIONS; v++)
		free(version[v]);
	return pin_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rewritten_in_place),
		cmocka_unit_test(rewritten_in_place_with_garbage),
		cmocka_unit_test(swapped_by_rename),
		cmocka_unit_test(rewritten_under_a_lock),
		cmocka_unit_test(rewritten_without_a_pause),
		cmocka_unit_test(kept_changing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
