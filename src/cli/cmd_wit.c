/* `rdy wit check` and `rdy wit json`: the WIT front end from the command line. */
#include "cli/cli.h"
#include "wit/wit.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: rdy wit check PATH [--world W] [--features a,b]\n"
	"       rdy wit json PATH [--features a,b]\n";

typedef struct wit_args {
	const char *path;
	const char *world;
	const char *features;
} wit_args;

/* Parses the arguments and loads PATH; NULL with *rc set on failure. */
static rdy_wit *start(int argc, char **argv, bool allow_world, wit_args *a, int *pkg, int *rc)
{
	memset(a, 0, sizeof *a);
	const rdy_cli_opt opts[] = {
		{ "--features", &a->features, NULL },
		{ allow_world ? "--world" : NULL, &a->world, NULL }, /* NULL: the table ends here */
		{ NULL, NULL, NULL },
	};
	const rdy_cli_spec spec = { "rdy wit", usage, "PATH", opts };
	*rc = rdy_cli_parse(&spec, argc, argv, &a->path);
	if (*rc)
		return NULL;
	rdy_wit *w = rdy_cli_load(a->path, a->features, pkg);
	if (!w)
		*rc = RDY_EXIT_FAIL;
	return w;
}

static int check(int argc, char **argv)
{
	wit_args a;
	int pkg, rc;
	rdy_wit *w = start(argc, argv, true, &a, &pkg, &rc);
	if (!w)
		return rc;
	const rdy_wit_model *m = rdy_wit_get_model(w);
	const rdy_wit_package *p = &m->packages[pkg];
	int world = -1;
	if ((a.world || p->nworlds == 1) && (world = rdy_cli_select_world(w, pkg, a.world)) < 0) {
		rdy_wit_free(w);
		return RDY_EXIT_FAIL;
	}
	printf("%s: ok (%u interface%s, %u world%s; %u package%s resolved)\n", p->id, p->ninterfaces,
	       p->ninterfaces == 1 ? "" : "s", p->nworlds, p->nworlds == 1 ? "" : "s", m->npackages,
	       m->npackages == 1 ? "" : "s");
	if (world >= 0)
		rdy_wit_print_world(w, world, stdout);
	rdy_wit_free(w);
	return RDY_EXIT_OK;
}

static int json(int argc, char **argv)
{
	wit_args a;
	int pkg, rc;
	rdy_wit *w = start(argc, argv, false, &a, &pkg, &rc);
	if (!w)
		return rc;
	rc = rdy_wit_write_json(w, stdout) < 0 ? RDY_EXIT_FAIL : RDY_EXIT_OK;
	rdy_wit_free(w);
	return rc;
}

int rdy_cmd_wit(int argc, char **argv)
{
	static const rdy_cli_sub subs[] = { { "check", check }, { "json", json }, { NULL, NULL } };
	const rdy_cli_spec spec = { "rdy wit", usage, NULL, NULL };
	return rdy_cli_dispatch(&spec, subs, argc, argv);
}
