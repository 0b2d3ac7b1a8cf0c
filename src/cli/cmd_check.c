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

static const char usage[] =
	"usage: rdy check HOST PLUGIN [--world W] [--features a,b]\n"
	"  HOST and PLUGIN are each a descriptor, an ELF file with a .rdy.descriptor\n"
	"  section, or WIT (a .wit file or a package directory, world W).\n";

static int report(const rdy_cli_party *host, const rdy_cli_party *plugin)
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
	for (uint32_t i = 0; i < r.ndeprecated; i++)
		printf("warning: %s\n", r.deprecated[i]);
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
	rdy_cli_party host = { ops[0], RDY_SIDE_HOST, NULL, NULL, NULL, -1 };
	rdy_cli_party plugin = { ops[1], RDY_SIDE_PLUGIN, NULL, NULL, NULL, -1 };
	int rc = RDY_EXIT_FAIL;
	if (rdy_cli_party_open(&host, world, features) == 0 && rdy_cli_party_open(&plugin, world, features) == 0)
		rc = report(&host, &plugin);
	rdy_cli_party_close(&host);
	rdy_cli_party_close(&plugin);
	return rc;
}
