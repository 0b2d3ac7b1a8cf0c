/* rdy: the rdylib command-line tool. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: rdy <command> [args]\n"
	"\n"
	"commands:\n"
	"  wit check PATH [--world W] [--features a,b]   validate a WIT package\n"
	"  wit json PATH [--features a,b]                print the resolution as JSON\n"
	"  abi encode PATH [--world W] --side host|plugin [--features a,b] -o FILE\n"
	"                                                write a world's descriptor\n"
	"  inspect FILE [--json]                         show the descriptor of a plugin\n"
	"  gen c PATH [--world W] --side host|plugin -o DIR [--name BASE] [--features a,b]\n"
	"                                                write C bindings for one side\n"
	"  check HOST PLUGIN [--world W]                 would HOST accept PLUGIN? (no code runs)\n"
	"  diff OLD NEW [--world W] [--json]             what changed between two versions, and\n"
	"                                                what breaks; OLD and NEW as for check\n"
	"  lock PLUGIN...                                print a lock file: each plugin's SHA-256\n"
	"\n"
	"rdy --version prints the version.\n";

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? RDY_EXIT_USAGE : RDY_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("rdy " RDY_VERSION);
		return RDY_EXIT_OK;
	}
	if (!strcmp(argv[1], "wit"))
		return rdy_cmd_wit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "abi"))
		return rdy_cmd_abi(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inspect"))
		return rdy_cmd_inspect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "gen"))
		return rdy_cmd_gen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return rdy_cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return rdy_cmd_diff(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lock"))
		return rdy_cmd_lock(argc - 1, argv + 1);
	fprintf(stderr, "rdy: unknown command `%s`\n\n%s", argv[1], usage);
	return RDY_EXIT_USAGE;
}
