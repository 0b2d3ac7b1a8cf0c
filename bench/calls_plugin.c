/*
 * The plugin of the call benchmarks (bench_call.c), world bench:calls/calls.
 *
 * Built as any plugin is: the generated plugin-side bindings and this file,
 * no special flags; the generated header keeps the user's functions hidden,
 * so the root symbol is the plugin's only export.  For the "dlsym" variant,
 * bench_call looks up bench_inc_exported: an exported alias of
 * exports_bench_calls_api_inc, the very same machine code the rdylib call
 * reaches, minus the runtime's table and the generated thunk.
 */
#include "calls_plugin.h"

struct rdy_state {
	uint32_t calls;
};

int32_t bench_calls_calls_instance_new(const rdy_imports_v1 *imports, bench_calls_calls_state_t **state)
{
	(void)imports;
	bench_calls_calls_state_t *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	*state = s;
	return RDY_OK;
}

void bench_calls_calls_instance_free(bench_calls_calls_state_t *state)
{
	free(state);
}

int32_t exports_bench_calls_api_inc(bench_calls_calls_state_t *state, uint32_t x, uint32_t *ret)
{
	(void)state;
	*ret = x + 1;
	return RDY_OK;
}

int32_t exports_bench_calls_api_len(bench_calls_calls_state_t *state, const rdy_string_t *s, uint32_t *ret)
{
	(void)state;
	*ret = (uint32_t)s->len + (s->len ? (uint8_t)s->ptr[0] : 0);
	return RDY_OK;
}

/* The dlsym variant's way in: the same code as exports_bench_calls_api_inc, exported. */
__attribute__((visibility("default"), alias("exports_bench_calls_api_inc")))
int32_t bench_inc_exported(bench_calls_calls_state_t *state, uint32_t x, uint32_t *ret);
