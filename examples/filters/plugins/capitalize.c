/*
 * capitalize: starts every sentence with a capital letter, squeezes runs of
 * spaces and ends the text with a full stop.  The demo builds it with gcc.
 *
 * Its suggest is the heart of it: check describes those edits and apply
 * makes them, so the three can never disagree.  It reads the host's policy
 * (a record with flags) once per instance, through an import.
 */
#include "filter_util.h"

struct rdy_state {
	const rdy_imports_v1 *imports;
	example_filters_host_limits_t limits;
};

int32_t example_filters_plugin_instance_new(const rdy_imports_v1 *imports, example_filters_plugin_state_t **state)
{
	example_filters_plugin_state_t *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	s->imports = imports;
	/* The policy owns no memory: there is nothing to release. */
	if (example_filters_host_policy(imports, &s->limits) != RDY_OK) {
		free(s);
		return RDY_ETRAP;
	}
	*state = s;
	return RDY_OK;
}

void example_filters_plugin_instance_free(example_filters_plugin_state_t *state)
{
	free(state);
}

int32_t exports_example_filters_filter_about(example_filters_plugin_state_t *state,
					     example_filters_filter_identity_t *ret)
{
	(void)state;
	return identity(ret, "capitalize",
			"Starts every sentence with a capital letter and tidies the spacing.",
			EXAMPLE_FILTERS_TYPES_CAPS_REWRITES | EXAMPLE_FILTERS_TYPES_CAPS_CHECKS);
}

static bool ends_sentence(char c)
{
	return c == '.' || c == '!' || c == '?';
}

/* Where the text's last non-blank byte ends, and whether it needs a full stop there. */
static size_t text_end(const rdy_string_t *text, bool *needs_stop)
{
	size_t end = text->len;
	while (end > 0 && (text->ptr[end - 1] == ' ' || text->ptr[end - 1] == '\n'))
		end--;
	*needs_stop = end > 0 && !ends_sentence(text->ptr[end - 1]);
	return end;
}

static bool add_stop(edit_list_t *edits, size_t *cap, size_t at)
{
	edit_t e;
	memset(&e, 0, sizeof e);
	e.tag = EXAMPLE_FILTERS_TYPES_EDIT_INSERT;
	e.val.insert.f0 = (uint32_t)at;
	return rdy_string_dup(&e.val.insert.f1, ".", 1) && add_edit(edits, cap, &e);
}

/* Deletes all but the first of the spaces from I; returns where they end. */
static size_t squeeze_spaces(const rdy_string_t *text, size_t i, edit_list_t *edits, size_t *cap, bool *ok)
{
	size_t j = i + 1;
	while (j < text->len && text->ptr[j] == ' ')
		j++;
	if (j - i > 1) {
		edit_t e;
		memset(&e, 0, sizeof e);
		e.tag = EXAMPLE_FILTERS_TYPES_EDIT_DELETE;
		e.val.delete_ = (span_t){ (uint32_t)(i + 1), (uint32_t)(j - i - 1) };
		*ok = add_edit(edits, cap, &e);
	}
	return j;
}

/*
 * The edits that tidy TEXT, in order of position: a capital for each
 * sentence that starts in lower case, one space where there are several, a
 * full stop at the end.  A sentence starts at the first letter of the text
 * and at the first letter after . ! or ?.
 */
static bool tidy_edits(const rdy_string_t *text, edit_list_t *edits)
{
	size_t cap = 0;
	bool ok = true, needs_stop, at_start = true;
	size_t end = text_end(text, &needs_stop);
	memset(edits, 0, sizeof *edits);
	for (size_t i = 0; ok && i <= text->len;) {
		if (i == end && needs_stop && !(ok = add_stop(edits, &cap, end)))
			break;
		if (i == text->len)
			break;
		char c = text->ptr[i];
		if (c == ' ') {
			i = squeeze_spaces(text, i, edits, &cap, &ok);
			continue;
		}
		if (is_letter(c) && at_start && c != upper(c)) {
			char u = upper(c);
			ok = add_replace(edits, &cap, (span_t){ (uint32_t)i, 1 }, &u, 1);
		}
		if (ends_sentence(c))
			at_start = true;
		else if (c != '\n' && c != '"')
			at_start = false;
		i++;
	}
	if (!ok)
		example_filters_plugin_list_edit_free(edits);
	return ok;
}

/* The word that starts at START, for a readable finding. */
static span_t word_at(const rdy_string_t *text, uint32_t start)
{
	uint32_t end = start;
	while (end < text->len && is_letter(text->ptr[end]))
		end++;
	return (span_t){ start, end - start };
}

/* One finding that explains edit E. */
static bool describe(const rdy_string_t *text, const edit_t *e, finding_list_t *out, size_t *cap)
{
	rdy_string_t msg;
	span_t at;
	switch (e->tag) {
	case EXAMPLE_FILTERS_TYPES_EDIT_REPLACE:
		at = word_at(text, e->val.replace.at.start);
		return string_printf(&msg, "a sentence starts in lower case") &&
		       add_finding(out, cap, EXAMPLE_FILTERS_TYPES_SEVERITY_WARNING, &at, msg);
	case EXAMPLE_FILTERS_TYPES_EDIT_DELETE:
		at = (span_t){ e->val.delete_.start - 1, e->val.delete_.len + 1 };
		return string_printf(&msg, "%u spaces in a row", (unsigned)at.len) &&
		       add_finding(out, cap, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, &at, msg);
	default:
		/* No span: the whole text lacks its full stop. */
		return string_printf(&msg, "the text does not end with a full stop") &&
		       add_finding(out, cap, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, NULL, msg);
	}
}

int32_t exports_example_filters_filter_check(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_list_finding_t *ret)
{
	(void)state;
	if (!fits_spans(text))
		return RDY_ETRAP;
	edit_list_t edits;
	if (!tidy_edits(text, &edits))
		return RDY_ETRAP;
	finding_list_t found = { NULL, 0 };
	size_t cap = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < edits.len; i++)
		ok = describe(text, &edits.ptr[i], &found, &cap);
	example_filters_plugin_list_edit_free(&edits);
	if (!ok) {
		example_filters_plugin_list_finding_free(&found);
		return RDY_ETRAP;
	}
	*ret = found;
	return RDY_OK;
}

int32_t exports_example_filters_filter_apply(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_result_string_filter_error_t *ret)
{
	example_filters_plugin_result_string_filter_error_t r;
	memset(&r, 0, sizeof r);
	if (policy_forbids(&state->limits, text, &r.val.err)) {
		r.is_err = 1;
		*ret = r;
		return RDY_OK;
	}
	edit_list_t edits;
	if (!fits_spans(text) || !tidy_edits(text, &edits))
		return RDY_ETRAP;
	bool ok = apply_edits(text, &edits, &r.val.ok);
	host_logf(state->imports, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, "made %zu edits", edits.len);
	example_filters_plugin_list_edit_free(&edits);
	if (!ok)
		return RDY_ETRAP;
	*ret = r;
	return RDY_OK;
}

int32_t exports_example_filters_filter_suggest(example_filters_plugin_state_t *state, const rdy_string_t *text,
					       example_filters_plugin_list_edit_t *ret)
{
	(void)state;
	edit_list_t edits;
	if (!fits_spans(text) || !tidy_edits(text, &edits))
		return RDY_ETRAP;
	*ret = edits;
	return RDY_OK;
}
