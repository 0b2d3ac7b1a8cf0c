/*
 * What the runtime benchmarks share: the loops' attributes, the error exit,
 * a clock and a comparison for sorting timings.  Define BENCH_NAME, the
 * program's name for its messages, before including it.
 */
#ifndef RDY_BENCH_H
#define RDY_BENCH_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline, aligned(64)))
#else
/* noipa: no inlining, cloning or interprocedural knowledge of the callee. */
#define BENCH_NOINLINE __attribute__((noinline, noipa, aligned(64)))
#endif

/* Keeps X in a register the compiler knows nothing about. */
#define BENCH_OPAQUE(x) __asm__ volatile("" : "+r"(x))

static inline _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(BENCH_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static inline double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

#endif
