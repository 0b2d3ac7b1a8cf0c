/*
 * What the property tests of handles share (test_res_model.c and
 * test_res_model_notes.c): a reproducible random source, the trail of a
 * sequence's operations printed when it fails, and the checks of statuses,
 * messages and destructor runs against the model.
 */
#ifndef RES_MODEL_H
#define RES_MODEL_H

#include <rdy.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPS = 24 };                         /* the longest sequence */
enum { LIVE, DROPPED, DEAD };              /* a handle, as the model sees it */

static const char *const state_names[] = { "live", "dropped", "dead" };

static const char *model_name;            /* for messages: the test's */
static uint64_t seq_seed;
static char trail[OPS * 4][112];
static unsigned ntrail;
static uint64_t nops, ndestructors;

static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: sequence seed %" PRIu64 ": ", model_name, seq_seed);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\noperations so far:\n");
	for (unsigned i = 0; i < ntrail; i++)
		fprintf(stderr, "  %s\n", trail[i]);
	exit(1);
}

static void note(const char *fmt, ...)
{
	if (ntrail >= sizeof trail / sizeof *trail)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(trail[ntrail++], sizeof *trail, fmt, ap);
	va_end(ap);
}

/* xorshift64*: reproducible from the sequence's seed. */
static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 33) % n;
}

/* What the destructors reported during one operation. */
static uint32_t reported[256];
static unsigned nreported;

static void report(uint32_t value)
{
	if (nreported < 256)
		reported[nreported] = value;
	nreported++;
}

/* The destructors run by the last operation must be exactly VALUES, in any order. */
static void expect_destructors(const uint32_t *values, unsigned n)
{
	if (nreported != n)
		fail("%u destructors ran, the model expects %u", nreported, n);
	uint32_t want[256];
	if (n) /* VALUES may be NULL then, which memcpy may not be given */
		memcpy(want, values, n * sizeof *values);
	for (unsigned i = 0; i < n; i++) {
		unsigned k = 0;
		while (k < n && want[k] != reported[i])
			k++;
		if (k == n)
			fail("a destructor reported %u, which the model does not expect", reported[i]);
		want[k] = UINT32_MAX;
	}
	ndestructors += n;
	nreported = 0;
}

static void check_status(const char *op, int32_t got, int32_t want, const char *msg)
{
	if (got != want)
		fail("%s: status %d, the model expects %d", op, (int)got, (int)want);
	if (want != RDY_OK && strcmp(rdy_handle_error(), msg))
		fail("%s: message `%s`, the model expects `%s`", op, rdy_handle_error(), msg);
}

/*
 * What a use of HANDLE, in STATE and made by instance OWNER, gives through
 * instance I of the plugin at PATH: its status, and in MSG the message of
 * a refusal (docs/abi.md §4, in the order of its checks).
 */
static int32_t expect_use_of(uint32_t handle, int state, int owner, int i, const char *path, char *msg, size_t n)
{
	if (state == DROPPED) {
		snprintf(msg, n, "%s: handle 0x%08x is stale: it was dropped", path, handle);
		return RDY_EHANDLE;
	}
	if (state == DEAD) {
		snprintf(msg, n, "%s: handle 0x%08x is dead: its instance was freed by force", path, handle);
		return RDY_EDEAD;
	}
	if (owner != i) {
		snprintf(msg, n, "%s: handle 0x%08x belongs to another instance, of %s", path, handle, path);
		return RDY_EHANDLE;
	}
	return RDY_OK;
}

/* The same for a drop: a dead handle drops through its own instance only, and runs nothing. */
static int32_t expect_drop_of(uint32_t handle, int state, int owner, int i, const char *path, char *msg, size_t n)
{
	int32_t want = expect_use_of(handle, state, owner, i, path, msg, n);
	if (want != RDY_EDEAD)
		return want;
	if (owner == i)
		return RDY_OK;
	snprintf(msg, n, "%s: handle 0x%08x belongs to another instance, of %s", path, handle, path);
	return RDY_EHANDLE;
}

#endif
