/* `rdy abi encode`: a world's binary descriptor (docs/abi.md §5), written to a file. */
#include "abi/desc.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: rdy abi encode PATH [--world W] --side host|plugin [--features a,b] -o FILE\n";

/* Only the version: descriptors must come out byte-identical whichever compiler built rdy. */
static const char producer[] = "rdylib " RDY_VERSION;

typedef struct encode_args {
	const char *path, *world, *side, *features, *output;
} encode_args;

static int encode_world(const encode_args *a, int side, const char *const *features, uint32_t nfeatures)
{
	int pkg;
	rdy_wit *w = rdy_cli_load(a->path, a->features, &pkg);
	if (!w)
		return RDY_EXIT_FAIL;
	int rc = RDY_EXIT_FAIL, world = rdy_cli_select_world(w, pkg, a->world);
	if (world >= 0) {
		uint8_t *bytes = NULL;
		size_t len;
		char err[512];
		if (rdy_desc_encode(rdy_wit_get_model(w), world, side, producer, features, nfeatures, &bytes, &len,
				    err, sizeof err) < 0)
			fprintf(stderr, "error: %s\n", err);
		else if (rdy_cli_write_file(a->output, bytes, len) == 0)
			rc = RDY_EXIT_OK;
		free(bytes);
	}
	rdy_wit_free(w);
	return rc;
}

static int encode(int argc, char **argv)
{
	encode_args a = { 0 };
	const rdy_cli_opt opts[] = {
		{ "--world", &a.world, NULL },
		{ "--side", &a.side, NULL },
		{ "--features", &a.features, NULL },
		{ "-o", &a.output, NULL },
		{ NULL, NULL, NULL },
	};
	const rdy_cli_spec spec = { "rdy abi encode", usage, "PATH", opts };
	int rc = rdy_cli_parse(&spec, argc, argv, &a.path);
	if (rc)
		return rc;
	int side;
	if ((rc = rdy_cli_side(&spec, a.side, &side)))
		return rc;
	if (!a.output)
		return rdy_cli_usage(&spec, "missing", "-o FILE");
	rdy_cli_features f;
	if (rdy_cli_features_split(a.features, &f) < 0)
		return RDY_EXIT_FAIL;
	rc = encode_world(&a, side, f.v, f.n);
	rdy_cli_features_free(&f);
	return rc;
}

int rdy_cmd_abi(int argc, char **argv)
{
	static const rdy_cli_sub subs[] = { { "encode", encode }, { NULL, NULL } };
	const rdy_cli_spec spec = { "rdy abi", usage, NULL, NULL };
	return rdy_cli_dispatch(&spec, subs, argc, argv);
}
