/* `rdy wit check` and `rdy wit json`: the WIT front end from the command line. */
#include "cli/cli.h"
#include "wit/wit.h"

#include <stdio.h>
#include <string.h>

typedef struct wit_args {
	const char *path;
	const char *world;
	const char *features;
} wit_args;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "rdy wit: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
	fputs("usage: rdy wit check PATH [--world W] [--features a,b]\n"
	      "       rdy wit json PATH [--features a,b]\n", stderr);
	return RDY_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, wit_args *a, bool allow_world)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = NULL;
		if (!strcmp(s, "--world") && allow_world)
			slot = &a->world;
		else if (!strcmp(s, "--features"))
			slot = &a->features;
		if (slot) {
			if (i + 1 >= argc)
				return usage_error("missing value after", s);
			*slot = argv[++i];
		} else if (!strncmp(s, "--features=", 11)) {
			a->features = s + 11;
		} else if (allow_world && !strncmp(s, "--world=", 8)) {
			a->world = s + 8;
		} else if (s[0] == '-' && s[1]) {
			return usage_error("unknown option", s);
		} else if (a->path) {
			return usage_error("unexpected argument", s);
		} else {
			a->path = s;
		}
	}
	if (!a->path)
		return usage_error("missing PATH", NULL);
	return RDY_EXIT_OK;
}

static rdy_wit *load(const wit_args *a, int *pkg)
{
	rdy_wit *w = rdy_wit_new();
	if (!w) {
		fputs("error: out of memory\n", stderr);
		return NULL;
	}
	if ((a->features && rdy_wit_enable_features(w, a->features) < 0) ||
	    (*pkg = rdy_wit_load_path(w, a->path)) < 0) {
		fprintf(stderr, "error: %s\n", rdy_wit_errmsg(w));
		rdy_wit_free(w);
		return NULL;
	}
	return w;
}

/* Parses the arguments and loads PATH; NULL with *rc set on failure. */
static rdy_wit *start(int argc, char **argv, bool allow_world, wit_args *a, int *pkg, int *rc)
{
	*rc = parse_args(argc, argv, a, allow_world);
	if (*rc)
		return NULL;
	rdy_wit *w = load(a, pkg);
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
	if (a.world || p->nworlds == 1) {
		world = rdy_wit_select_world(w, pkg, a.world);
		if (world < 0) {
			fprintf(stderr, "error: %s\n", rdy_wit_errmsg(w));
			rdy_wit_free(w);
			return RDY_EXIT_FAIL;
		}
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
	if (argc < 2)
		return usage_error("missing subcommand", NULL);
	if (!strcmp(argv[1], "check"))
		return check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "json"))
		return json(argc - 2, argv + 2);
	return usage_error("unknown subcommand", argv[1]);
}
