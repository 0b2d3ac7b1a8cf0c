/*
 * `rdy check HOST PLUGIN`: would the host accept the plugin?  The same
 * check, and the same messages, as the loader's (docs/abi.md §8), made
 * offline: each side is a descriptor, an ELF file carrying one (read, never
 * loaded), or WIT.
 */
#include "abi/check.h"
#include "abi/desc.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"usage: rdy check HOST PLUGIN [--world W] [--features a,b]\n"
	"  HOST and PLUGIN are each a descriptor, an ELF file with a .rdy.descriptor\n"
	"  section, or WIT (a .wit file or a package directory, world W).\n";

typedef struct party {
	const char *path;
	int side;                          /* what it must describe: RDY_SIDE_HOST or RDY_SIDE_PLUGIN */
	rdy_wit *wit;                      /* when given as WIT */
	rdy_desc *desc;                    /* when given as a descriptor */
	const rdy_wit_model *m;
	int world;
} party;

static bool is_wit(const char *path)
{
	struct stat st;
	size_t n = strlen(path);
	return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (n > 4 && !strcmp(path + n - 4, ".wit"));
}

static int open_party(party *p, const char *world, const char *features)
{
	if (is_wit(p->path)) {
		int pkg;
		if (!(p->wit = rdy_cli_load(p->path, features, &pkg)))
			return -1;
		p->world = rdy_cli_select_world(p->wit, pkg, world);
		p->m = rdy_wit_get_model(p->wit);
		return p->world < 0 ? -1 : 0;
	}
	uint8_t *bytes;
	size_t len;
	bool elf;
	char err[512];
	if (rdy_cli_read_descriptor(p->path, &bytes, &len, &elf, err, sizeof err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return -1;
	}
	p->desc = rdy_desc_decode(bytes, len, err, sizeof err);
	free(bytes);
	if (!p->desc) {
		fprintf(stderr, "error: %s: %s\n", p->path, err);
		return -1;
	}
	if (rdy_desc_side(p->desc) != p->side) {
		fprintf(stderr, "error: %s describes the %s side; give the %s's\n", p->path,
			p->side == RDY_SIDE_HOST ? "plugin" : "host", p->side == RDY_SIDE_HOST ? "host" : "plugin");
		return -1;
	}
	p->m = rdy_desc_model(p->desc);
	p->world = rdy_desc_world(p->desc);
	return 0;
}

static void close_party(party *p)
{
	rdy_wit_free(p->wit);
	rdy_desc_free(p->desc);
}

static int report(const party *host, const party *plugin)
{
	rdy_check_report r;
	int rc = rdy_check_worlds(host->m, host->world, plugin->m, plugin->world, plugin->path, &r);
	if (rc < 0) {
		fputs("error: out of memory\n", stderr);
		rdy_check_report_free(&r);
		return RDY_EXIT_FAIL;
	}
	for (uint32_t i = 0; i < r.nerrors; i++)
		fprintf(stderr, "error: %s\n", r.errors[i]);
	for (uint32_t i = 0; i < r.nabsent; i++)
		printf("note: %s\n", r.absent[i]);
	if (rc == 0)
		printf("%s: compatible with %s (%u items equal by hash, %u compared structurally)\n", plugin->path,
		       host->path, r.matched, r.walked);
	else
		fprintf(stderr, "%s: refused: %u incompatibilit%s\n", plugin->path, r.nerrors, r.nerrors == 1 ? "y" : "ies");
	rdy_check_report_free(&r);
	return rc ? RDY_EXIT_FAIL : RDY_EXIT_OK;
}

int rdy_cmd_check(int argc, char **argv)
{
	const char *world = NULL, *features = NULL, *ops[3] = { 0 };
	int nops = 0;
	for (int i = 1; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "--world") ? &world : !strcmp(argv[i], "--features") ? &features : NULL;
		if (slot && i + 1 < argc) {
			*slot = argv[++i];
		} else if (argv[i][0] == '-' || nops == 2) {
			fprintf(stderr, "rdy check: unexpected argument %s\n%s", argv[i], usage);
			return RDY_EXIT_USAGE;
		} else {
			ops[nops++] = argv[i];
		}
	}
	if (nops != 2) {
		fprintf(stderr, "rdy check: give HOST and PLUGIN\n%s", usage);
		return RDY_EXIT_USAGE;
	}
	party host = { ops[0], RDY_SIDE_HOST, NULL, NULL, NULL, -1 };
	party plugin = { ops[1], RDY_SIDE_PLUGIN, NULL, NULL, NULL, -1 };
	int rc = RDY_EXIT_FAIL;
	if (open_party(&host, world, features) == 0 && open_party(&plugin, world, features) == 0)
		rc = report(&host, &plugin);
	close_party(&host);
	close_party(&plugin);
	return rc;
}
