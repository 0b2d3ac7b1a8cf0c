/* `rdy gen c` and `rdy gen rust`: bindings for one side of a world (docs/cli.md). */
#include "abi/desc.h"
#include "cli/cli.h"
#include "gen/gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define USAGE_C \
	"usage: rdy gen c PATH [--world W] --side host|plugin [--features a,b] -o DIR [--name BASE]\n" \
	"  writes DIR/BASE.h and DIR/BASE.c; BASE is <world>_<side> unless given\n"
#define USAGE_RUST \
	"usage: rdy gen rust PATH [--world W] --side host|plugin [--features a,b] -o FILE.rs\n" \
	"  writes one Rust module: plugin side needs only core and std, host side also the rdy crate\n"

static const char usage[] = USAGE_C, usage_rust[] = USAGE_RUST, usage_gen[] = USAGE_C USAGE_RUST;

static const char producer[] = "rdylib " RDY_VERSION;

typedef struct gen_args {
	const char *path, *world, *side, *features, *dir, *name;
} gen_args;

/*
 * The descriptors the bindings embed: SIDE's, and for a host the plugin
 * side's too, so that plugins built from the same WIT open fast.  0, or -1
 * with the reason printed.
 */
static int encode(const rdy_wit_model *m, int world, int side, const char *const *features, uint32_t nfeatures,
		  uint8_t **desc, size_t *dlen, uint8_t **peer, size_t *plen)
{
	char err[512];
	if (rdy_desc_encode(m, world, side, producer, features, nfeatures, desc, dlen, err, sizeof err) < 0 ||
	    (side == RDY_SIDE_HOST &&
	     rdy_desc_encode(m, world, RDY_SIDE_PLUGIN, producer, features, nfeatures, peer, plen, err, sizeof err) < 0)) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	return 0;
}

/* Generates into memory first, so a failure leaves no half-written file behind. */
static int generate(const gen_args *a, int side, const char *const *features, uint32_t nfeatures)
{
	int pkg;
	rdy_wit *w = rdy_cli_load(a->path, a->features, &pkg);
	if (!w)
		return RDY_EXIT_FAIL;
	int rc = RDY_EXIT_FAIL, world = rdy_cli_select_world(w, pkg, a->world);
	uint8_t *desc = NULL, *peer = NULL;
	size_t dlen = 0, plen = 0, hlen = 0, clen = 0;
	char *hbuf = NULL, *cbuf = NULL, *hpath = NULL, *cpath = NULL, err[512], base[256];
	FILE *h = NULL, *c = NULL;
	if (world < 0)
		goto out;
	const rdy_wit_model *m = rdy_wit_get_model(w);
	if (encode(m, world, side, features, nfeatures, &desc, &dlen, &peer, &plen) < 0)
		goto out;
	if (a->name)
		snprintf(base, sizeof base, "%s", a->name);
	else
		rdy_gen_default_base(m, world, side, base, sizeof base);
	rdy_gen_input in = { m, world, side, desc, dlen, peer, plen, base, a->path, producer };
	h = open_memstream(&hbuf, &hlen);
	c = open_memstream(&cbuf, &clen);
	if (!h || !c) {
		fputs("error: out of memory\n", stderr);
		goto out;
	}
	int g = rdy_gen_c(&in, h, c, err, sizeof err);
	bool ok = fclose(h) == 0;
	ok = fclose(c) == 0 && ok;
	h = c = NULL;
	if (g < 0 || !ok) {
		fprintf(stderr, "error: %s\n", g < 0 ? err : "out of memory");
		goto out;
	}
	if (mkdir(a->dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "error: %s: %s\n", a->dir, strerror(errno));
		goto out;
	}
	size_t n = strlen(a->dir) + strlen(base) + 4;
	hpath = malloc(n);
	cpath = malloc(n);
	if (!hpath || !cpath) {
		fputs("error: out of memory\n", stderr);
		goto out;
	}
	snprintf(hpath, n, "%s/%s.h", a->dir, base);
	snprintf(cpath, n, "%s/%s.c", a->dir, base);
	if (rdy_cli_write_file(hpath, (const uint8_t *)hbuf, hlen) == 0 &&
	    rdy_cli_write_file(cpath, (const uint8_t *)cbuf, clen) == 0)
		rc = RDY_EXIT_OK;
out:
	if (h)
		fclose(h);
	if (c)
		fclose(c);
	free(hbuf);
	free(cbuf);
	free(hpath);
	free(cpath);
	free(desc);
	free(peer);
	rdy_wit_free(w);
	return rc;
}

/* Writes the Rust module to A->dir, a file; whole or not at all. */
static int generate_rust(const gen_args *a, int side, const char *const *features, uint32_t nfeatures)
{
	int pkg;
	rdy_wit *w = rdy_cli_load(a->path, a->features, &pkg);
	if (!w)
		return RDY_EXIT_FAIL;
	int rc = RDY_EXIT_FAIL, world = rdy_cli_select_world(w, pkg, a->world);
	uint8_t *desc = NULL, *peer = NULL;
	size_t dlen = 0, plen = 0, olen = 0;
	char *obuf = NULL, err[512];
	FILE *o = NULL;
	if (world < 0)
		goto out;
	const rdy_wit_model *m = rdy_wit_get_model(w);
	if (encode(m, world, side, features, nfeatures, &desc, &dlen, &peer, &plen) < 0)
		goto out;
	rdy_gen_input in = { m, world, side, desc, dlen, peer, plen, NULL, a->path, producer };
	if (!(o = open_memstream(&obuf, &olen))) {
		fputs("error: out of memory\n", stderr);
		goto out;
	}
	int g = rdy_gen_rust(&in, o, err, sizeof err);
	bool ok = fclose(o) == 0;
	o = NULL;
	if (g < 0 || !ok) {
		fprintf(stderr, "error: %s\n", g < 0 ? err : "out of memory");
		goto out;
	}
	if (rdy_cli_write_file(a->dir, (const uint8_t *)obuf, olen) == 0)
		rc = RDY_EXIT_OK;
out:
	if (o)
		fclose(o);
	free(obuf);
	free(desc);
	free(peer);
	rdy_wit_free(w);
	return rc;
}

static int gen_rust(int argc, char **argv)
{
	gen_args a = { 0 };
	const rdy_cli_opt opts[] = {
		{ "--world", &a.world, NULL },
		{ "--side", &a.side, NULL },
		{ "--features", &a.features, NULL },
		{ "-o", &a.dir, NULL },
		{ NULL, NULL, NULL },
	};
	const rdy_cli_spec spec = { "rdy gen rust", usage_rust, "PATH", opts };
	int rc = rdy_cli_parse(&spec, argc, argv, &a.path);
	if (rc)
		return rc;
	int side;
	if ((rc = rdy_cli_side(&spec, a.side, &side)))
		return rc;
	if (!a.dir)
		return rdy_cli_usage(&spec, "missing", "-o FILE.rs");
	rdy_cli_features f;
	if (rdy_cli_features_split(a.features, &f) < 0)
		return RDY_EXIT_FAIL;
	rc = generate_rust(&a, side, f.v, f.n);
	rdy_cli_features_free(&f);
	return rc;
}

static int gen_c(int argc, char **argv)
{
	gen_args a = { 0 };
	const rdy_cli_opt opts[] = {
		{ "--world", &a.world, NULL },
		{ "--side", &a.side, NULL },
		{ "--features", &a.features, NULL },
		{ "-o", &a.dir, NULL },
		{ "--name", &a.name, NULL },
		{ NULL, NULL, NULL },
	};
	const rdy_cli_spec spec = { "rdy gen c", usage, "PATH", opts };
	int rc = rdy_cli_parse(&spec, argc, argv, &a.path);
	if (rc)
		return rc;
	int side;
	if ((rc = rdy_cli_side(&spec, a.side, &side)))
		return rc;
	if (!a.dir)
		return rdy_cli_usage(&spec, "missing", "-o DIR");
	if (a.name && (!*a.name || strchr(a.name, '/')))
		return rdy_cli_usage(&spec, "--name must be a file name without a directory, not", a.name);
	rdy_cli_features f;
	if (rdy_cli_features_split(a.features, &f) < 0)
		return RDY_EXIT_FAIL;
	rc = generate(&a, side, f.v, f.n);
	rdy_cli_features_free(&f);
	return rc;
}

int rdy_cmd_gen(int argc, char **argv)
{
	static const rdy_cli_sub subs[] = { { "c", gen_c }, { "rust", gen_rust }, { NULL, NULL } };
	const rdy_cli_spec spec = { "rdy gen", usage_gen, NULL, NULL };
	return rdy_cli_dispatch(&spec, subs, argc, argv);
}
