/*
 * The round-trip test's plugin: for every case of gen_roundtrip.py, echo
 * returns a deep copy of its arguments, xform their transform, and relay
 * transforms them, has the host transform them again through its import,
 * and returns a copy of what the host returned after releasing it.  Every
 * result is malloc'd here and freed by the generated release functions.
 */
#include "rt_plugin.h"
#include "rt_ops.h"

struct rdy_state {
	const rdy_imports_v1 *im;
	uint64_t calls;
};

int32_t test_roundtrip_rt_instance_new(const rdy_imports_v1 *imports, test_roundtrip_rt_state_t **state)
{
	test_roundtrip_rt_state_t *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	s->im = imports;
	*state = s;
	return RDY_OK;
}

void test_roundtrip_rt_instance_free(test_roundtrip_rt_state_t *state)
{
	free(state);
}

int32_t exports_test_roundtrip_api_calls(test_roundtrip_rt_state_t *state, uint64_t *ret)
{
	*ret = state->calls;
	return RDY_OK;
}

int32_t exports_test_roundtrip_api_reset(test_roundtrip_rt_state_t *state)
{
	int32_t st = test_roundtrip_host_tick(state->im, state->calls);
	state->calls = 0;
	return st;
}

#include "rt_plugin_funcs.h"
