/*
 * Fuzzes the descriptor decoder (docs/abi.md §5.5).  Any bytes must be
 * refused with a message, or decode to a model whose layouts and hashes
 * compute and which encodes again; that encoding is canonical (§5.4):
 * decoding and encoding it once more gives the same bytes and the same
 * world hash.  A broken property aborts, which libFuzzer reports.
 *
 * Most mutations change the input's length, which the header's size field
 * then contradicts; so each input is also tried with that field corrected,
 * to let the fuzzer reach the sections.
 */
#include "fuzz.h"
#include "abi/abi.h"
#include "abi/check.h"
#include "abi/desc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HEADER = 12 };

static bool oom(const char *err)
{
	return !strcmp(err, "out of memory");
}

/* Encodes what D decoded with its own side, producer and features; NULL only when memory runs out. */
static uint8_t *encode(const rdy_desc *d, size_t *len)
{
	uint32_t n = rdy_desc_nfeatures(d);
	const char **feat = malloc((n + 1) * sizeof *feat);
	if (!feat)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		feat[i] = rdy_desc_feature(d, i);
	uint8_t *out = NULL;
	char err[512];
	int rc = rdy_desc_encode(rdy_desc_model(d), rdy_desc_world(d), rdy_desc_side(d), rdy_desc_producer(d), feat, n,
				 &out, len, err, sizeof err);
	free(feat);
	if (rc && !oom(err)) {
		fprintf(stderr, "fuzz_desc: a decoded descriptor does not encode: %s\n", err);
		abort();
	}
	return rc ? NULL : out;
}

/* Every type the decoder accepted has a version-1 layout. */
static void layouts(const rdy_wit_model *m)
{
	rdy_abi_layouts *l = rdy_abi_layouts_new(m);
	if (!l)
		return;
	for (uint32_t t = 0; t < m->ntypes; t++)
		if (rdy_abi_why_not(l, (rdy_wit_type)t))
			abort();
	rdy_abi_layouts_free(l);
}

/* Hashes every interface and the world; returns the world's. */
static bool world_hash(const rdy_wit_model *m, rdy_hash *out)
{
	rdy_hashes *h = rdy_hashes_new(m);
	if (!h)
		return false;
	for (uint32_t i = 0; i < m->ninterfaces; i++)
		rdy_hash_interface(h, (int32_t)i);
	*out = rdy_hash_world(h, 0);
	rdy_hashes_free(h);
	return true;
}

static void canonical(const rdy_desc *d)
{
	size_t n1, n2;
	rdy_hash h1, h2;
	char err[512];
	uint8_t *b1 = encode(d, &n1), *b2 = NULL;
	rdy_desc *d2 = b1 ? rdy_desc_decode(b1, n1, err, sizeof err) : NULL;
	if (b1 && !d2 && !oom(err)) {
		fprintf(stderr, "fuzz_desc: an encoded descriptor does not decode: %s\n", err);
		abort();
	}
	if (d2 && (b2 = encode(d2, &n2)) && (n1 != n2 || memcmp(b1, b2, n1))) {
		fprintf(stderr, "fuzz_desc: encoding is not canonical (%zu bytes, then %zu)\n", n1, n2);
		abort();
	}
	if (d2 && world_hash(rdy_desc_model(d), &h1) && world_hash(rdy_desc_model(d2), &h2) &&
	    (h1.lo != h2.lo || h1.hi != h2.hi)) {
		fputs("fuzz_desc: the re-encoded world hashes differently\n", stderr);
		abort();
	}
	free(b1);
	free(b2);
	rdy_desc_free(d2);
}

/* A world is compatible with itself, and the check never trips over what the decoder let in. */
static void self_compatible(const rdy_desc *d)
{
	rdy_check_report r;
	int rc = rdy_check_worlds(rdy_desc_model(d), 0, rdy_desc_model(d), 0, "fuzz", &r);
	if (rc > 0) {
		fprintf(stderr, "fuzz_desc: a world is refused against itself: %s\n", r.errors[0]);
		abort();
	}
	rdy_check_report_free(&r);
}

static void check(const uint8_t *buf, size_t len)
{
	char err[512] = "";
	rdy_desc *d = rdy_desc_decode(buf, len, err, sizeof err);
	if (!d) {
		if (!err[0])
			abort();
		return;
	}
	layouts(rdy_desc_model(d));
	canonical(d);
	self_compatible(d);
	rdy_desc_free(d);
}

static uint32_t stated_size(const uint8_t *data)
{
	return (uint32_t)data[8] | (uint32_t)data[9] << 8 | (uint32_t)data[10] << 16 | (uint32_t)data[11] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	if (size < HEADER || size > UINT32_MAX || stated_size(data) == size)
		return 0;
	uint8_t *fixed = malloc(size);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	for (int i = 0; i < 4; i++)
		fixed[8 + i] = (uint8_t)(size >> (8 * i));
	check(fixed, size);
	free(fixed);
	return 0;
}
