/*
 * redact: hides the words the host lists in its setting `redact.words`
 * (comma-separated), each letter replaced by '#'.  The demo builds it with
 * gcc.
 *
 * The setting is an option<string> the host returns: the plugin copies what
 * it needs and releases the host's result at once, the usual pattern for a
 * result that is not kept.
 */
#include "filter_util.h"

struct rdy_state {
	const rdy_imports_v1 *imports;
	example_filters_host_limits_t limits;
	char *words;       /* the setting, as the host gave it; NULL when it has none */
	size_t words_len;
};

/* Copies the host's setting KEY into *OUT (malloc'd, NULL when unset). */
static bool read_setting(const rdy_imports_v1 *imports, const char *key, char **out, size_t *len)
{
	example_filters_plugin_option_string_t value;
	rdy_string_t k = rdy_str(key);
	*out = NULL;
	*len = 0;
	if (example_filters_host_config(imports, &k, &value) != RDY_OK)
		return false;
	bool ok = true;
	if (value.is_some) {
		rdy_string_t copy;
		ok = rdy_string_dup(&copy, value.val.ptr, value.val.len);
		if (ok) {
			*out = (char *)(uintptr_t)copy.ptr;
			*len = copy.len;
		}
	}
	example_filters_host_config_release(imports, &value);
	return ok;
}

/* How many comma-separated entries LIST has. */
static size_t count_entries(const char *list, size_t len)
{
	size_t n = len ? 1 : 0;
	for (size_t i = 0; i < len; i++)
		n += list[i] == ',';
	return n;
}

int32_t example_filters_plugin_instance_new(const rdy_imports_v1 *imports, example_filters_plugin_state_t **state)
{
	example_filters_plugin_state_t *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	s->imports = imports;
	if (example_filters_host_policy(imports, &s->limits) != RDY_OK ||
	    !read_setting(imports, "redact.words", &s->words, &s->words_len)) {
		free(s);
		return RDY_ETRAP;
	}
	if (s->words)
		host_logf(imports, EXAMPLE_FILTERS_TYPES_SEVERITY_INFO, "hiding %zu words listed in redact.words",
			  count_entries(s->words, s->words_len));
	else
		host_logf(imports, EXAMPLE_FILTERS_TYPES_SEVERITY_WARNING,
			  "the host has no setting redact.words: nothing to hide");
	*state = s;
	return RDY_OK;
}

void example_filters_plugin_instance_free(example_filters_plugin_state_t *state)
{
	free(state->words);
	free(state);
}

int32_t exports_example_filters_filter_about(example_filters_plugin_state_t *state,
					     example_filters_filter_identity_t *ret)
{
	(void)state;
	return identity(ret, "redact",
			"Hides the words listed in the host's setting redact.words.",
			EXAMPLE_FILTERS_TYPES_CAPS_REWRITES | EXAMPLE_FILTERS_TYPES_CAPS_CHECKS);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether the word W of TEXT is one of the setting's entries, blanks around them ignored. */
static bool listed(const example_filters_plugin_state_t *s, const rdy_string_t *text, span_t w)
{
	size_t i = 0;
	while (i < s->words_len) {
		size_t start = i, end;
		while (i < s->words_len && s->words[i] != ',')
			i++;
		end = i++;
		while (start < end && is_blank(s->words[start]))
			start++;
		while (end > start && is_blank(s->words[end - 1]))
			end--;
		if (same_word(text->ptr + w.start, w.len, s->words + start, end - start))
			return true;
	}
	return false;
}

/* The edits that hide every listed word of TEXT, in order. */
static bool redact_edits(const example_filters_plugin_state_t *s, const rdy_string_t *text, edit_list_t *out)
{
	static const char hashes[] = "################################################################";
	edit_list_t edits = { NULL, 0 };
	size_t cap = 0, pos = 0;
	bool ok = true;
	span_t w;
	while (ok && next_word(text, &pos, &w)) {
		if (!listed(s, text, w))
			continue;
		/* A long word still gets hidden, with fewer marks than letters. */
		size_t n = w.len < sizeof hashes - 1 ? w.len : sizeof hashes - 1;
		ok = add_replace(&edits, &cap, w, hashes, n);
	}
	if (!ok) {
		example_filters_plugin_list_edit_free(&edits);
		return false;
	}
	*out = edits;
	return true;
}

int32_t exports_example_filters_filter_check(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_list_finding_t *ret)
{
	if (!fits_spans(text))
		return RDY_ETRAP;
	finding_list_t found = { NULL, 0 };
	size_t cap = 0, pos = 0;
	bool ok = true;
	span_t w;
	rdy_string_t msg;
	while (ok && next_word(text, &pos, &w))
		if (listed(state, text, w))
			ok = string_printf(&msg, "a word that must not appear") &&
			     add_finding(&found, &cap, EXAMPLE_FILTERS_TYPES_SEVERITY_ERROR, &w, msg);
	if (!ok) {
		example_filters_plugin_list_finding_free(&found);
		return RDY_ETRAP;
	}
	*ret = found;
	return RDY_OK;
}

/*
 * Whether TEXT may be rewritten: 0 when it may, 1 when it may not (*WHY
 * says why), -1 when memory ran out.
 */
static int refuse(const example_filters_plugin_state_t *s, const rdy_string_t *text,
		  example_filters_filter_filter_error_t *why)
{
	if (policy_forbids(&s->limits, text, why))
		return 1;
	/*
	 * Redacted text often ends up in C strings: a NUL would hide whatever
	 * follows it from the reader, redacted or not, so such text is refused.
	 */
	const char *nul = text->len ? memchr(text->ptr, '\0', text->len) : NULL;
	if (!nul)
		return 0;
	why->tag = EXAMPLE_FILTERS_TYPES_FILTER_ERROR_BAD_INPUT;
	return string_printf(&why->val.bad_input, "a NUL byte at offset %zu", (size_t)(nul - text->ptr)) ? 1 : -1;
}

int32_t exports_example_filters_filter_apply(example_filters_plugin_state_t *state, const rdy_string_t *text,
					     example_filters_plugin_result_string_filter_error_t *ret)
{
	example_filters_plugin_result_string_filter_error_t r;
	memset(&r, 0, sizeof r);
	int refused = refuse(state, text, &r.val.err);
	if (refused < 0)
		return RDY_ETRAP;
	if (refused) {
		r.is_err = 1;
		*ret = r;
		return RDY_OK;
	}
	edit_list_t edits;
	if (!fits_spans(text) || !redact_edits(state, text, &edits))
		return RDY_ETRAP;
	bool ok = apply_edits(text, &edits, &r.val.ok);
	example_filters_plugin_list_edit_free(&edits);
	if (!ok)
		return RDY_ETRAP;
	*ret = r;
	return RDY_OK;
}

int32_t exports_example_filters_filter_suggest(example_filters_plugin_state_t *state, const rdy_string_t *text,
					       example_filters_plugin_list_edit_t *ret)
{
	edit_list_t edits;
	if (!fits_spans(text) || !redact_edits(state, text, &edits))
		return RDY_ETRAP;
	*ret = edits;
	return RDY_OK;
}
