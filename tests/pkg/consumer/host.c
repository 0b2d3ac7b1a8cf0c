/*
 * The consumer's host: opens the plugin named on the command line, checked
 * against the world it was built with, and calls calc.add.  Prints
 * "add(2, 40) = 42" on success.
 */
#include "calculator_host.h"

#include <stdio.h>

static int fail(const char *what, rdy_error *err)
{
	fprintf(stderr, "calc_host: %s: %s\n", what, err ? rdy_error_message(err) : "failed");
	rdy_error_free(err);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: calc_host PLUGIN\n", stderr);
		return 2;
	}
	rdy_error *err = NULL;
	rdy_world *w = pkg_demo_calculator_world(&err);
	if (!w)
		return fail("world", err);
	rdy_module *m = rdy_module_open(w, argv[1], &err);
	rdy_world_free(w);
	if (!m)
		return fail(argv[1], err);

	pkg_demo_calculator_imports_t imports = { 0 };
	pkg_demo_calculator_t inst;
	if (pkg_demo_calculator_instantiate(m, &imports, NULL, &inst, &err) != RDY_OK) {
		rdy_module_close(m, NULL);
		return fail("instantiate", err);
	}
	uint32_t sum = 0;
	int32_t st = exports_pkg_demo_calc_add(&inst, 2, 40, &sum);
	pkg_demo_calculator_free(&inst, NULL);
	if (rdy_module_close(m, &err) != RDY_OK)
		return fail("close", err);
	if (st != RDY_OK) {
		fprintf(stderr, "calc_host: add trapped: %s\n", rdy_strerror(st));
		return 1;
	}
	printf("add(2, 40) = %u\n", (unsigned)sum);
	return 0;
}
