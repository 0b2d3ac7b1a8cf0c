/*
 * Soak (docs/abi.md §7.3): 1000 cycles of open, instance, call, instance
 * free and close of the calc plugin leave the process as they found it.
 * After a few cycles of warm-up, the open file descriptors and the
 * mappings must come back to exactly their number, and resident memory
 * may grow by RSS_BOUND_KIB at most.  Every close is a verified unload, so
 * each cycle also proves the object unmapped.
 *
 * Under a sanitizer or valgrind only the descriptors are compared: there
 * the checker's own memory and mappings grow with every load (see
 * instrumented()), and LeakSanitizer or memcheck look for leaks instead.
 * A cycle takes some 0.05 ms here, 0.08 ms under ASan, 3 ms under
 * valgrind, so every build runs all 1000; RDY_SOAK_CYCLES sets another
 * number, for a longer soak by hand.
 */
#include "rt_test.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

/* The sanitizer of this build, and why it grows: gcc says so by macros, clang by __has_feature. */
#define RT_ASAN "ASan, whose allocator holds freed memory in quarantine and whose runtime keeps memory " \
		"of its own for each dlopen"
#define RT_TSAN "TSan, whose runtime keeps memory of its own for each dlopen"
#if defined(__SANITIZE_ADDRESS__)
#define RT_SANITIZER RT_ASAN
#elif defined(__SANITIZE_THREAD__)
#define RT_SANITIZER RT_TSAN
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_SANITIZER RT_ASAN
#elif __has_feature(thread_sanitizer)
#define RT_SANITIZER RT_TSAN
#endif
#endif

enum {
	WARM_UP = 5,                       /* cycles before the baseline: first-use allocations settle */
	CYCLES = 1000,
	/*
	 * Twice glibc's default M_TRIM_THRESHOLD (128 KiB), by which the top of
	 * the heap may stay grown between two samples without any leak.  A
	 * leak of the module, its export table or the instance, a few hundred
	 * bytes a cycle, would pass it within 1000 cycles; a leaked mapping of
	 * the plugin, 16 KiB or more, within 16.
	 */
	RSS_BOUND_KIB = 256,
};

typedef struct figures {
	long rss_kib;                      /* /proc/self/statm: resident pages */
	long fds;                          /* entries of /proc/self/fd */
	long maps;                         /* lines of /proc/self/maps */
} figures;

static long resident_kib(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &resident), 2);
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The descriptors open now, less the one that reads them. */
static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	long n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static long mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	long n = 0;
	for (int c; (c = getc(f)) != EOF;)
		n += c == '\n';
	fclose(f);
	return n;
}

static figures measure(void)
{
	figures f;
	f.fds = open_fds();
	f.maps = mappings();
	f.rss_kib = resident_kib();
	return f;
}

/* Why resident memory and mappings tell nothing of librdy in this process, or NULL. */
static const char *instrumented(void)
{
#ifdef RT_SANITIZER
	return RT_SANITIZER;
#else
	if (RUNNING_ON_VALGRIND)
		return "valgrind, which holds freed blocks back and keeps memory of its own (translations, debug "
		       "information) for each load of the plugin";
	return NULL;
#endif
}

static void cycle(rdy_world *w, const char *path)
{
	rdy_error *e = NULL;
	rdy_module *m = rdy_module_open(w, path, &e);
	if (!m)
		fail_msg("rdy_module_open: %s", rdy_error_message(e));
	rt_host h = { .factor = 3 };
	rdy_instance *inst = rdy_instance_new(m, rt_imports, H_NIMPORTS, &h, &e);
	if (!inst)
		fail_msg("rdy_instance_new: %s", rdy_error_message(e));
	uint32_t r = 0;
	assert_int_equal(rt_scaled(inst, 7, &r), RDY_OK);
	assert_int_equal(r, 21);
	assert_int_equal(rdy_instance_free(inst, NULL), RDY_OK);
	if (rdy_module_close(m, &e) != RDY_OK)
		fail_msg("rdy_module_close: %s", rdy_error_message(e));
}

static unsigned long cycles(void)
{
	const char *s = getenv("RDY_SOAK_CYCLES");
	char *end;
	unsigned long n = s ? strtoul(s, &end, 10) : CYCLES;
	if (s && (*end || !n))
		fail_msg("RDY_SOAK_CYCLES=%s: not a positive number", s);
	return n;
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void open_call_close_leaves_nothing(void **state)
{
	(void)state;
	const char *path = RT_PLUGIN("rt_calc");
	unsigned long n = cycles();
	rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, NULL);
	assert_non_null(w);
	for (int i = 0; i < WARM_UP; i++)
		cycle(w, path);
	/* Their first run faults in code pages of their own, 64 KiB at a time: not before the baseline. */
	measure();
	figures before = measure();
	double t0 = seconds();
	for (unsigned long i = 0; i < n; i++)
		cycle(w, path);
	double t = seconds() - t0;
	figures after = measure();
	rdy_world_free(w);
	print_message("soak: %lu cycles, %.3f ms each: RSS %ld -> %ld KiB (%+ld, at most +%d), fds %ld -> %ld, "
		      "mappings %ld -> %ld\n",
		      n, t * 1e3 / (double)n, before.rss_kib, after.rss_kib, after.rss_kib - before.rss_kib,
		      RSS_BOUND_KIB, before.fds, after.fds, before.maps, after.maps);
	assert_int_equal(after.fds, before.fds);
	const char *checker = instrumented();
	if (checker) {
		print_message("soak: resident memory and mappings not compared under %s\n", checker);
		return;
	}
	assert_int_equal(after.maps, before.maps);
	if (after.rss_kib - before.rss_kib > RSS_BOUND_KIB)
		fail_msg("resident memory grew by %ld KiB in %lu cycles; at most %d allowed",
			 after.rss_kib - before.rss_kib, n, RSS_BOUND_KIB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_call_close_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
