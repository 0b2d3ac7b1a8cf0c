/*
 * stale: a plugin built from an outdated copy of the interface,
 * ../wit-v0/, where `span.len` is a u64 instead of a u32.  Every span it
 * returned would be read wrongly by a host built from ../wit/, so the host
 * must refuse it.
 *
 * The constructor below runs the moment the dynamic loader maps this file.
 * librdy checks the plugin's descriptor before it calls dlopen, so when the
 * plugin is refused the line is never printed.  The demo checks that.
 */
#include "filters_plugin.h"

#include <stdio.h>
#include <string.h>

__attribute__((constructor)) static void announce(void)
{
	fputs("stale plugin code ran!\n", stderr);
}

struct rdy_state {
	int unused;
};

int32_t example_filters_plugin_instance_new(const rdy_imports_v1 *imports, example_filters_plugin_state_t **state)
{
	(void)imports;
	*state = calloc(1, sizeof **state);
	return *state ? RDY_OK : RDY_ETRAP;
}

void example_filters_plugin_instance_free(example_filters_plugin_state_t *state)
{
	free(state);
}

int32_t exports_example_filters_filter_about(example_filters_plugin_state_t *state,
					     example_filters_filter_identity_t *ret)
{
	(void)state;
	memset(ret, 0, sizeof *ret);
	if (!rdy_string_dup(&ret->name, "stale", 5))
		return RDY_ETRAP;
	return RDY_OK;
}

/* One finding that covers the whole text: the span the host would misread. */
int32_t exports_example_filters_filter_check(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_list_finding_t *ret)
{
	(void)state;
	example_filters_filter_finding_t *f = calloc(1, sizeof *f);
	if (!f)
		return RDY_ETRAP;
	f->at.is_some = 1;
	f->at.val.start = 0;
	f->at.val.len = text->len;
	ret->ptr = f;
	ret->len = 1;
	return RDY_OK;
}

int32_t exports_example_filters_filter_apply(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_result_string_filter_error_t *ret)
{
	(void)state;
	(void)text;
	memset(ret, 0, sizeof *ret);
	ret->is_err = 1;
	ret->val.err.tag = EXAMPLE_FILTERS_TYPES_FILTER_ERROR_UNSUPPORTED;
	return RDY_OK;
}

int32_t exports_example_filters_filter_suggest(example_filters_plugin_state_t *state, const rdy_string_t *text,
					       example_filters_plugin_list_edit_t *ret)
{
	(void)state;
	(void)text;
	ret->ptr = NULL;
	ret->len = 0;
	return RDY_OK;
}
