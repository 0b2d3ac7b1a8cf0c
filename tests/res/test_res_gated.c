/*
 * A gated export that the plugin lacks, with an own argument: the call
 * answers RDY_EABSENT before it takes anything, so the caller still holds
 * its handle (docs/abi.md [F-STATUS], [F-REP]).  The host is built from
 * wit-gated (1.1.0, which adds `eat`); the plugin from wit (1.0.0).
 */
#include "app_host.h"

#include <stdio.h>

static unsigned dropped;

static int32_t hook_poke(void *ctx)
{
	(void)ctx;
	return RDY_OK;
}

static int32_t hook_dropped(void *ctx, uint32_t value)
{
	(void)ctx;
	(void)value;
	dropped++;
	return RDY_OK;
}

static const test_res_app_imports_t imports = { hook_poke, hook_dropped };

#define CHECK(cond)                                                                  \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);   \
			return 1;                                                     \
		}                                                                     \
	} while (0)

int main(void)
{
	rdy_error *err = NULL;
	rdy_world *w = test_res_app_world(&err);
	CHECK(w);
	rdy_module *m = rdy_module_open(w, RES_PLUGIN, &err);
	CHECK(m);
	test_res_app_t inst;
	CHECK(test_res_app_instantiate(m, &imports, NULL, &inst, &err) == RDY_OK);
	CHECK(!exports_test_res_things_has_eat(&inst));
	test_res_things_counter_own_t c;
	CHECK(exports_test_res_things_constructor_counter(&inst, 5, &c) == RDY_OK);
	uint32_t v = 0;
	CHECK(exports_test_res_things_eat(&inst, c, &v) == RDY_EABSENT);
	CHECK(rdy_instance_nhandles(inst.instance) == 1);
	CHECK(exports_test_res_things_method_counter_get(&inst, test_res_things_counter_borrow(c), &v) == RDY_OK && v == 5);
	CHECK(test_res_things_counter_drop(&inst, c) == RDY_OK);
	CHECK(dropped == 1);
	CHECK(test_res_app_free(&inst, NULL) == RDY_OK);
	CHECK(rdy_module_close(m, NULL) == RDY_OK);
	rdy_world_free(w);
	printf("test_res_gated: an absent export took nothing; the handle dropped once\n");
	return 0;
}
