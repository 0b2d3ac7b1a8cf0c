/*
 * Helpers the example filters share: scanning words, growing the lists they
 * return, and applying edits.  Header-only (static inline), so that each
 * plugin stays one source file plus its generated bindings, and a plugin
 * that uses only some of them gets no unused-function warning.
 *
 * Everything a filter returns is malloc'd here and freed by the generated
 * release function once the host is done with it (docs/abi.md [F-OWN]).
 */
#ifndef FILTER_UTIL_H
#define FILTER_UTIL_H

#include "filters_plugin.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef example_filters_types_span_t span_t;
typedef example_filters_filter_finding_t finding_t;
typedef example_filters_filter_edit_t edit_t;
typedef example_filters_plugin_list_finding_t finding_list_t;
typedef example_filters_plugin_list_edit_t edit_list_t;

/* ASCII only: the example keeps to it rather than carry a Unicode table. */
static inline bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The next word (a run of letters) at or after *POS; false when none is left. */
static inline bool next_word(const rdy_string_t *text, size_t *pos, span_t *w)
{
	size_t i = *pos;
	while (i < text->len && !is_letter(text->ptr[i]))
		i++;
	if (i == text->len)
		return false;
	size_t start = i;
	while (i < text->len && is_letter(text->ptr[i]))
		i++;
	w->start = (uint32_t)start;
	w->len = (uint32_t)(i - start);
	*pos = i;
	return true;
}

/* Whether the LEN bytes at A and B are the same word, ignoring case. */
static inline bool same_word(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/*
 * Spans are u32 (the WIT says so), so a filter refuses to look at a text
 * whose offsets would not fit rather than report wrong ones.
 */
static inline bool fits_spans(const rdy_string_t *text)
{
	return text->len <= UINT32_MAX;
}

/*
 * Room for one more element in ARR, which holds N of SIZE bytes and has room
 * for *CAP: ARR itself, or a larger copy, or NULL when memory runs out (ARR
 * is then untouched and still the caller's to free).
 */
static inline void *reserve(void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? 2 * *cap : 8;
	void *p = realloc(arr, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

/* A string built with printf's format, malloc'd, as a WIT string. */
__attribute__((format(printf, 2, 3)))
static inline bool string_printf(rdy_string_t *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	char *p = malloc((size_t)n + 1);
	if (!p)
		return false;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out->ptr = p;
	out->len = (size_t)n;
	return true;
}

/* Appends a finding; it takes MESSAGE, which is freed with the list. */
/* The answer to about(): NAME, SUMMARY and CAPS, the strings copied for the host to release. */
static inline int32_t identity(example_filters_filter_identity_t *ret, const char *name, const char *summary,
			       example_filters_types_caps_t caps)
{
	example_filters_filter_identity_t id;
	memset(&id, 0, sizeof id);
	if (!rdy_string_dup(&id.name, name, strlen(name)) || !rdy_string_dup(&id.summary, summary, strlen(summary))) {
		example_filters_filter_identity_free(&id);
		return RDY_ETRAP;
	}
	id.caps = caps;
	*ret = id;
	return RDY_OK;
}

static inline bool add_finding(finding_list_t *list, size_t *cap, example_filters_types_severity_t severity,
			       const span_t *at, rdy_string_t message)
{
	finding_t *p = reserve(list->ptr, list->len, cap, sizeof *p);
	if (!p) {
		rdy_string_free(&message);
		return false;
	}
	list->ptr = p;
	finding_t *f = &p[list->len++];
	memset(f, 0, sizeof *f);
	f->severity = severity;
	if (at) {
		f->at.is_some = 1;
		f->at.val = *at;
	}
	f->message = message;
	return true;
}

/* Appends an edit, a shallow copy of E: the list takes the strings it holds. */
static inline bool add_edit(edit_list_t *list, size_t *cap, edit_t *e)
{
	edit_t *p = reserve(list->ptr, list->len, cap, sizeof *p);
	if (!p) {
		example_filters_filter_edit_free(e);
		return false;
	}
	list->ptr = p;
	p[list->len++] = *e;
	return true;
}

/* Appends an edit that puts a copy of the LEN bytes at TEXT in place of AT. */
static inline bool add_replace(edit_list_t *list, size_t *cap, span_t at, const char *text, size_t len)
{
	edit_t e;
	memset(&e, 0, sizeof e);
	e.tag = EXAMPLE_FILTERS_TYPES_EDIT_REPLACE;
	e.val.replace.at = at;
	if (!rdy_string_dup(&e.val.replace.text, text, len))
		return false;
	return add_edit(list, cap, &e);
}

/* Where an edit starts and how many bytes of the original it consumes. */
static inline void edit_extent(const edit_t *e, size_t *start, size_t *len)
{
	switch (e->tag) {
	case EXAMPLE_FILTERS_TYPES_EDIT_INSERT:
		*start = e->val.insert.f0;
		*len = 0;
		break;
	case EXAMPLE_FILTERS_TYPES_EDIT_DELETE:
		*start = e->val.delete_.start;
		*len = e->val.delete_.len;
		break;
	default:
		*start = e->val.replace.at.start;
		*len = e->val.replace.at.len;
		break;
	}
}

static inline size_t edit_new_len(const edit_t *e)
{
	switch (e->tag) {
	case EXAMPLE_FILTERS_TYPES_EDIT_INSERT:
		return e->val.insert.f1.len;
	case EXAMPLE_FILTERS_TYPES_EDIT_DELETE:
		return 0;
	default:
		return e->val.replace.text.len;
	}
}

static inline const char *edit_new_text(const edit_t *e)
{
	return e->tag == EXAMPLE_FILTERS_TYPES_EDIT_INSERT ? e->val.insert.f1.ptr : e->val.replace.text.ptr;
}

/*
 * Copies N bytes from SRC to DST + AT and returns the new end.  Nothing is
 * read when N is 0: an empty string's pointer may be NULL, and a deletion
 * has no text at all.
 */
static inline size_t put(char *dst, size_t at, const char *src, size_t n)
{
	if (n)
		memcpy(dst + at, src, n);
	return at + n;
}

/*
 * TEXT with EDITS made, in *OUT (malloc'd).  The edits are in order and do
 * not overlap, as the filters here produce them; that is why a filter's
 * apply can be its suggest followed by this, and the two never disagree.
 */
static inline bool apply_edits(const rdy_string_t *text, const edit_list_t *edits, rdy_string_t *out)
{
	size_t n = text->len;
	for (size_t i = 0; i < edits->len; i++) {
		size_t start, len;
		edit_extent(&edits->ptr[i], &start, &len);
		n = n - len + edit_new_len(&edits->ptr[i]);
	}
	char *p = malloc(n ? n : 1);
	if (!p)
		return false;
	size_t from = 0, to = 0;
	for (size_t i = 0; i < edits->len; i++) {
		size_t start, len;
		edit_extent(&edits->ptr[i], &start, &len);
		to = put(p, to, text->ptr + from, start - from);
		to = put(p, to, edit_new_text(&edits->ptr[i]), edit_new_len(&edits->ptr[i]));
		from = start + len;
	}
	put(p, to, text->ptr + from, text->len - from);
	out->ptr = p;
	out->len = n;
	return true;
}

/*
 * Whether the host's policy forbids rewriting TEXT: the filter may not
 * rewrite at all, or the text is longer than the host allows.  *WHY says
 * which; it owns no memory.
 */
static inline bool policy_forbids(const example_filters_host_limits_t *limits, const rdy_string_t *text,
				  example_filters_filter_filter_error_t *why)
{
	memset(why, 0, sizeof *why);
	if (!(limits->granted & EXAMPLE_FILTERS_TYPES_CAPS_REWRITES)) {
		why->tag = EXAMPLE_FILTERS_TYPES_FILTER_ERROR_UNSUPPORTED;
		return true;
	}
	if (text->len > limits->max_input) {
		why->tag = EXAMPLE_FILTERS_TYPES_FILTER_ERROR_TOO_LARGE;
		why->val.too_large = limits->max_input;
		return true;
	}
	return false;
}

/* Writes a log line through the host, formatted as printf does. */
__attribute__((format(printf, 3, 4)))
static inline void host_logf(const rdy_imports_v1 *imports, example_filters_host_severity_t level, const char *fmt,
			     ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rdy_string_t msg = rdy_str(buf);
	/* A host that fails to log is no reason for the filter to fail. */
	(void)example_filters_host_log(imports, level, &msg);
}

#endif
