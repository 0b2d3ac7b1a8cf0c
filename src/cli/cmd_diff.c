/*
 * `rdy diff OLD NEW`: every change between two versions of a world, each
 * classed by what the loader does with hosts and plugins built from either
 * (docs/abi.md §8.1, docs/cli.md).  The exit status is a bitmask, as
 * libabigail's abidiff: 1 error, 2 usage, 4 changes found, 8 breaking ones.
 */
#include "abi/diff.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

enum { EXIT_CHANGES = 4, EXIT_BREAKING = 8 };

static const char usage[] =
	"usage: rdy diff OLD NEW [--world W] [--features a,b] [--json]\n"
	"  OLD and NEW are each WIT (a .wit file or a package directory, world W),\n"
	"  a descriptor, or an ELF file with a .rdy.descriptor section.\n"
	"  Exit status: 1 error, 2 usage, else 4 if anything changed plus 8 if\n"
	"  anything breaks old hosts with new plugins or new hosts with old ones.\n";

static const char *const class_text[] = { "compatible", "breaks old hosts", "breaks new hosts", "breaks both" };
static const char *const class_json[] = { "compatible", "breaks-old-hosts", "breaks-new-hosts", "breaks-both" };

static const char *kind_json(const rdy_diff_change *c)
{
	if (c->at.what == RDY_CHECK_VERSIONED)
		return "version";
	return c->at.kind == RDY_CHECK_FUNC ? "function" : c->at.kind == RDY_CHECK_TYPE ? "type" : "interface";
}

static const char *what_json(const rdy_diff_change *c)
{
	static const char *const w[] = {
		[RDY_CHECK_CHANGED] = "changed", [RDY_CHECK_ADDED] = "added", [RDY_CHECK_REMOVED] = "removed",
		[RDY_CHECK_MISSING] = "changed", [RDY_CHECK_VERSIONED] = "version",
		[RDY_CHECK_DEPRECATED] = "deprecated", [RDY_CHECK_RESTABLED] = "stability",
	};
	return c->at.what < sizeof w / sizeof *w ? w[c->at.what] : "changed";
}

static const char *direction(const rdy_diff_change *c)
{
	if (c->at.kind == RDY_CHECK_VERSION && !c->breaks)
		return c->at.iface ? "package" : "world"; /* a package's interfaces may be imports and exports alike */
	return c->at.import ? "import" : "export";
}

/* Who sees the item absent, in words: an export is the host's to miss, an import the plugin's. */
static const char *absent_text(const rdy_diff_change *c)
{
	if (c->at.kind == RDY_CHECK_TYPE)
		return NULL; /* nothing binds to a type alone: the functions that use it say it */
	if (c->absent == RDY_DIFF_NEW_HOSTS)
		return c->at.import ? "old plugins see it absent in new hosts" : "new hosts see it absent in old plugins";
	if (c->absent == RDY_DIFF_OLD_HOSTS)
		return c->at.import ? "new plugins see it absent in old hosts" : "old hosts see it absent in new plugins";
	return NULL;
}

static void world_name(const rdy_cli_party *p, char *buf, size_t n)
{
	const rdy_wit_world *w = &p->m->worlds[p->world];
	const rdy_wit_package *pk = w->package >= 0 && (uint32_t)w->package < p->m->npackages
					    ? &p->m->packages[w->package] : NULL;
	if (pk)
		snprintf(buf, n, "%s:%s/%s%s%s", pk->ns, pk->name, w->name, pk->has_version ? "@" : "",
			 pk->has_version ? pk->version.text : "");
	else
		snprintf(buf, n, "%s", w->name);
}

static void print_text(const rdy_cli_party *o, const rdy_cli_party *n, const rdy_diff *d)
{
	char a[256], b[256];
	world_name(o, a, sizeof a);
	world_name(n, b, sizeof b);
	printf("old: %s (%s)\nnew: %s (%s)\n", a, o->path, b, n->path);
	for (uint32_t i = 0; i < d->n; i++) {
		const rdy_diff_change *c = &d->v[i];
		const char *abs = absent_text(c);
		for (uint32_t k = 0; k < c->nlines; k++)
			printf("%-17s %-7s %s%s%s\n", k ? "" : class_text[c->breaks], k ? "" : direction(c), c->lines[k],
			       abs && k + 1 == c->nlines ? ": " : "", abs && k + 1 == c->nlines ? abs : "");
	}
	if (!d->n)
		puts("no changes");
	else
		printf("%u change%s, %u breaking\n", d->n, d->n == 1 ? "" : "s", d->nbreaking);
}

static void json_party(const char *key, const rdy_cli_party *p)
{
	char w[256];
	world_name(p, w, sizeof w);
	printf("  \"%s\": {\"path\": ", key);
	rdy_wit_json_string(p->path, stdout);
	fputs(", \"world\": ", stdout);
	rdy_wit_json_string(w, stdout);
	fputs("},\n", stdout);
}

static void print_json(const rdy_cli_party *o, const rdy_cli_party *n, const rdy_diff *d)
{
	puts("{");
	json_party("old", o);
	json_party("new", n);
	fputs("  \"changes\": [", stdout);
	for (uint32_t i = 0; i < d->n; i++) {
		const rdy_diff_change *c = &d->v[i];
		printf("%s\n    {\"class\": \"%s\", \"direction\": \"%s\", \"interface\": ", i ? "," : "",
		       class_json[c->breaks], direction(c));
		if (c->at.iface)
			rdy_wit_json_string(c->at.iface, stdout);
		else
			fputs("null", stdout);
		fputs(", \"item\": ", stdout);
		if (c->at.item)
			rdy_wit_json_string(c->at.item, stdout);
		else
			fputs("null", stdout);
		printf(", \"kind\": \"%s\", \"what\": \"%s\", \"absent\": %s, \"messages\": [", kind_json(c), what_json(c),
		       c->absent == RDY_DIFF_NEW_HOSTS ? "\"new-host-old-plugin\""
		       : c->absent == RDY_DIFF_OLD_HOSTS ? "\"old-host-new-plugin\"" : "null");
		for (uint32_t k = 0; k < c->nlines; k++) {
			fputs(k ? ", " : "", stdout);
			rdy_wit_json_string(c->lines[k], stdout);
		}
		fputs("]}", stdout);
	}
	printf("%s],\n  \"changes_total\": %u,\n  \"breaking\": %u\n}\n", d->n ? "\n  " : "", d->n, d->nbreaking);
}

int rdy_cmd_diff(int argc, char **argv)
{
	const char *world = NULL, *features = NULL, *ops[2] = { 0 };
	bool json = false;
	int nops = 0;
	for (int i = 1; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "--world") ? &world : !strcmp(argv[i], "--features") ? &features : NULL;
		if (slot && i + 1 < argc) {
			*slot = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (argv[i][0] == '-' || nops == 2) {
			fprintf(stderr, "rdy diff: unexpected argument %s\n%s", argv[i], usage);
			return RDY_EXIT_USAGE;
		} else {
			ops[nops++] = argv[i];
		}
	}
	if (nops != 2) {
		fprintf(stderr, "rdy diff: give OLD and NEW\n%s", usage);
		return RDY_EXIT_USAGE;
	}
	rdy_cli_party o = { ops[0], 0, NULL, NULL, NULL, -1 }, n = { ops[1], 0, NULL, NULL, NULL, -1 };
	int rc = RDY_EXIT_FAIL;
	rdy_diff d;
	if (rdy_cli_party_open(&o, world, features) == 0 && rdy_cli_party_open(&n, world, features) == 0) {
		if (rdy_diff_worlds(o.m, o.world, n.m, n.world, &d) < 0) {
			fputs("error: out of memory\n", stderr);
		} else {
			(json ? print_json : print_text)(&o, &n, &d);
			rc = (d.n ? EXIT_CHANGES : 0) | (d.nbreaking ? EXIT_BREAKING : 0);
			rdy_diff_free(&d);
		}
	}
	rdy_cli_party_close(&o);
	rdy_cli_party_close(&n);
	return rc;
}
