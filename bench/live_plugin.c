/* The plugin of bench_live.c, world bench:live/live: x + 1, as calls_plugin.c's inc. */
#include "live_plugin.h"

struct rdy_state {
	uint32_t unused;
};

int32_t bench_live_live_instance_new(const rdy_imports_v1 *imports, bench_live_live_state_t **state)
{
	(void)imports;
	*state = calloc(1, sizeof **state);
	return *state ? RDY_OK : RDY_ETRAP;
}

void bench_live_live_instance_free(bench_live_live_state_t *state)
{
	free(state);
}

int32_t exports_bench_live_api_inc(bench_live_live_state_t *state, uint32_t x, uint32_t *ret)
{
	(void)state;
	*ret = x + 1;
	return RDY_OK;
}
