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
	fprintf(stderr, "rdy: unknown command `%s`\n\n%s", argv[1], usage);
	return RDY_EXIT_USAGE;
}
