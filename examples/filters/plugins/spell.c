/*
 * spell: flags the words that are not in the host's dictionary and suggests
 * a known word one typo away.  The demo builds it with clang.
 *
 * The dictionary is a list<string> the host returns.  The plugin keeps that
 * result for the life of the instance and hands it back to the host's
 * release function when the instance is freed: the host allocated it, so
 * the host frees it (docs/abi.md [F-OWN]).
 */
#include "filter_util.h"

struct rdy_state {
	const rdy_imports_v1 *imports;
	example_filters_plugin_list_string_t dictionary;
	bool have_dictionary;
};

int32_t example_filters_plugin_instance_new(const rdy_imports_v1 *imports, example_filters_plugin_state_t **state)
{
	example_filters_host_limits_t limits;
	if (example_filters_host_policy(imports, &limits) != RDY_OK)
		return RDY_ETRAP;
	example_filters_plugin_state_t *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	s->imports = imports;
	if (!(limits.granted & EXAMPLE_FILTERS_TYPES_CAPS_USES_DICTIONARY)) {
		host_logf(imports, EXAMPLE_FILTERS_TYPES_SEVERITY_WARNING,
			  "the host grants no dictionary: every word will pass");
	} else if (example_filters_host_dictionary(imports, &s->dictionary) == RDY_OK) {
		s->have_dictionary = true;
		host_logf(imports, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, "the host's dictionary has %zu words",
			  s->dictionary.len);
	} else {
		free(s);
		return RDY_ETRAP;
	}
	*state = s;
	return RDY_OK;
}

void example_filters_plugin_instance_free(example_filters_plugin_state_t *state)
{
	if (state->have_dictionary)
		example_filters_host_dictionary_release(state->imports, &state->dictionary);
	free(state);
}

int32_t exports_example_filters_filter_about(example_filters_plugin_state_t *state,
					     example_filters_filter_identity_t *ret)
{
	(void)state;
	return identity(ret, "spell",
			"Flags words that are not in the host's dictionary and suggests near ones.",
			EXAMPLE_FILTERS_TYPES_CAPS_CHECKS | EXAMPLE_FILTERS_TYPES_CAPS_USES_DICTIONARY);
}

/* Whether the word W of TEXT is in the dictionary; without one, every word is. */
static bool known(const example_filters_plugin_state_t *s, const rdy_string_t *text, span_t w)
{
	if (!s->have_dictionary)
		return true;
	for (size_t i = 0; i < s->dictionary.len; i++) {
		const rdy_string_t *d = &s->dictionary.ptr[i];
		if (same_word(text->ptr + w.start, w.len, d->ptr, d->len))
			return true;
	}
	return false;
}

/* Whether A (of N bytes) becomes B (of N + 1) by inserting one letter. */
static bool one_insert_apart(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	while (i < n && lower(a[i]) == lower(b[i]))
		i++;
	return same_word(a + i, n - i, b + i + 1, n - i);
}

/* Whether A and B, both of N bytes, differ in one letter or by two swapped neighbours. */
static bool one_change_apart(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	while (i < n && lower(a[i]) == lower(b[i]))
		i++;
	if (i == n)
		return false;
	if (same_word(a + i + 1, n - i - 1, b + i + 1, n - i - 1))
		return true;
	return i + 1 < n && lower(a[i]) == lower(b[i + 1]) && lower(a[i + 1]) == lower(b[i]) &&
	       same_word(a + i + 2, n - i - 2, b + i + 2, n - i - 2);
}

/* Whether one typo (a wrong, missing, extra or swapped letter) turns A into B. */
static bool one_typo_apart(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == blen)
		return one_change_apart(a, b, alen);
	if (alen + 1 == blen)
		return one_insert_apart(a, b, alen);
	if (blen + 1 == alen)
		return one_insert_apart(b, a, blen);
	return false;
}

/* The first dictionary word one typo away from the word W of TEXT, or NULL. */
static const rdy_string_t *nearest(const example_filters_plugin_state_t *s, const rdy_string_t *text, span_t w)
{
	for (size_t i = 0; i < s->dictionary.len; i++) {
		const rdy_string_t *d = &s->dictionary.ptr[i];
		if (one_typo_apart(text->ptr + w.start, w.len, d->ptr, d->len))
			return d;
	}
	return NULL;
}

int32_t exports_example_filters_filter_check(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_list_finding_t *ret)
{
	if (!fits_spans(text))
		return RDY_ETRAP;
	finding_list_t found = { NULL, 0 };
	size_t cap = 0, words = 0, unknown = 0, pos = 0;
	bool ok = true;
	span_t w;
	rdy_string_t msg;
	while (ok && next_word(text, &pos, &w)) {
		words++;
		if (known(state, text, w))
			continue;
		unknown++;
		ok = string_printf(&msg, "not in the dictionary") &&
		     add_finding(&found, &cap, EXAMPLE_FILTERS_TYPES_SEVERITY_WARNING, &w, msg);
	}
	/* A summary of the whole text: a finding with no span. */
	if (ok && unknown)
		ok = string_printf(&msg, "%zu of %zu words are not in the dictionary", unknown, words) &&
		     add_finding(&found, &cap, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, NULL, msg);
	if (!ok) {
		example_filters_plugin_list_finding_free(&found);
		return RDY_ETRAP;
	}
	host_logf(state->imports, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, "checked %zu words", words);
	*ret = found;
	return RDY_OK;
}

/* spell only reports: it has no text of its own to give. */
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

/*
 * Suggests the dictionary word D for W, with W's first letter's case: "Teh"
 * becomes "The".  A word too long for the buffer gets no suggestion.
 */
static bool add_correction(edit_list_t *edits, size_t *cap, const rdy_string_t *text, span_t w, const rdy_string_t *d)
{
	char buf[64];
	if (d->len == 0 || d->len > sizeof buf)
		return true;
	memcpy(buf, d->ptr, d->len);
	char first = text->ptr[w.start];
	buf[0] = first == upper(first) ? upper(buf[0]) : lower(buf[0]);
	return add_replace(edits, cap, w, buf, d->len);
}

int32_t exports_example_filters_filter_suggest(example_filters_plugin_state_t *state, const rdy_string_t *text,
					       example_filters_plugin_list_edit_t *ret)
{
	if (!fits_spans(text))
		return RDY_ETRAP;
	edit_list_t edits = { NULL, 0 };
	size_t cap = 0, pos = 0;
	bool ok = true;
	span_t w;
	while (ok && next_word(text, &pos, &w)) {
		const rdy_string_t *d = known(state, text, w) ? NULL : nearest(state, text, w);
		if (d)
			ok = add_correction(&edits, &cap, text, w, d);
	}
	if (!ok) {
		example_filters_plugin_list_edit_free(&edits);
		return RDY_ETRAP;
	}
	*ret = edits;
	return RDY_OK;
}
