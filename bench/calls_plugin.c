/*
 * The plugin of the call benchmarks (bench_call.c), world bench:calls/calls.
 *
 * Built as any plugin is: the generated plugin-side bindings and this file,
 * no special flags; the generated header keeps the user's functions hidden,
 * so the root symbol is the plugin's only export.  For the "dlsym" variant,
 * bench_call looks up bench_inc_exported: an exported alias of
 * exports_bench_calls_api_inc, the very same machine code the rdylib call
 * reaches, minus the runtime's table and the generated thunk; likewise
 * bench_add_exported, bench_new_exported and bench_free_exported for the
 * resource variants.
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

struct bench_calls_api_cell {
	uint32_t value;
};

int32_t exports_bench_calls_api_constructor_cell(bench_calls_calls_state_t *state, uint32_t value,
						 bench_calls_api_cell_t **ret)
{
	(void)state;
	bench_calls_api_cell_t *c = malloc(sizeof *c);
	if (!c)
		return RDY_ETRAP;
	c->value = value;
	*ret = c;
	return RDY_OK;
}

void bench_calls_api_cell_destructor(bench_calls_calls_state_t *state, bench_calls_api_cell_t *rep)
{
	(void)state;
	free(rep);
}

int32_t exports_bench_calls_api_method_cell_add(bench_calls_calls_state_t *state, bench_calls_api_cell_t *self,
						uint32_t x, uint32_t *ret)
{
	(void)state;
	*ret = self->value + x;
	return RDY_OK;
}

/* The dlsym variant's way in: the same code as exports_bench_calls_api_inc, exported. */
__attribute__((visibility("default"), alias("exports_bench_calls_api_inc")))
int32_t bench_inc_exported(bench_calls_calls_state_t *state, uint32_t x, uint32_t *ret);

/* The ptr and newfree variants' ways in: the method, the constructor and the destructor themselves. */
__attribute__((visibility("default"), alias("exports_bench_calls_api_method_cell_add")))
int32_t bench_add_exported(bench_calls_calls_state_t *state, bench_calls_api_cell_t *self, uint32_t x, uint32_t *ret);
__attribute__((visibility("default"), alias("exports_bench_calls_api_constructor_cell")))
int32_t bench_new_exported(bench_calls_calls_state_t *state, uint32_t value, bench_calls_api_cell_t **ret);
__attribute__((visibility("default"), alias("bench_calls_api_cell_destructor")))
void bench_free_exported(bench_calls_calls_state_t *state, bench_calls_api_cell_t *rep);
