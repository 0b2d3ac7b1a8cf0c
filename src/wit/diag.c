/*
 * Diagnostics in the reference resolver's form (ast.rs SourceMap::highlight_err):
 *
 *   MESSAGE
 *        --> FILE:LINE:COL
 *         |
 *      12 | the source line
 *         |   ^----
 *
 * Lines and columns count from 1; columns count bytes.
 */
#include "wit/witint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint32_t rdy__wit_add_source(rdy_wit *w, const char *path, const char *text, uint32_t len)
{
	rdy__source *s = RDY_PUSH(&w->arena, w->srcs, w->nsrcs, w->capsrcs);
	s->path = path;
	s->text = text;
	s->len = len;
	s->offset = w->next_offset;
	/* one byte past the end belongs to this file too (its eof position) */
	w->next_offset += len + 1;
	return s->offset;
}

static const rdy__source *source_at(const rdy_wit *w, uint32_t at)
{
	uint32_t lo = 0, hi = w->nsrcs;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (w->srcs[mid].offset <= at)
			lo = mid;
		else
			hi = mid;
	}
	return w->nsrcs ? &w->srcs[lo] : NULL;
}

/* 0-based line and byte column of local offset OFF, and where that line starts and ends. */
static void linecol(const rdy__source *s, uint32_t off, uint32_t *line, uint32_t *col,
		    uint32_t *lstart, uint32_t *lend)
{
	uint32_t cur = 0, i = 0;
	for (;;) {
		const char *nl = cur < s->len ? memchr(s->text + cur, '\n', s->len - cur) : NULL;
		uint32_t end = nl ? (uint32_t)(nl - s->text) : s->len;
		if (end + 1 > off || !nl) {
			*line = i;
			*col = off > end + 1 ? 0 : off - cur;
			*lstart = cur;
			*lend = end;
			if (end > cur && s->text[end - 1] == '\r')
				(*lend)--;
			return;
		}
		cur = end + 1;
		i++;
	}
}

const char *rdy__wit_location(rdy_wit *w, uint32_t at)
{
	const rdy__source *s = source_at(w, at);
	uint32_t line, col, ls, le;
	if (!s)
		return "<unknown>";
	linecol(s, at - s->offset, &line, &col, &ls, &le);
	return rdy__sprintf(&w->arena, "%s:%u:%u", s->path, line + 1, col + 1);
}

static _Noreturn void raise(rdy_wit *w)
{
	w->poisoned = true;
	longjmp(*w->jmp, 1);
}

/* Renders MSG at [start, end) (end == start: caret only). */
static const char *render(rdy_wit *w, uint32_t start, uint32_t end, const char *msg)
{
	const rdy__source *s = source_at(w, start);
	if (!s)
		return msg;
	uint32_t line, col, ls, le;
	linecol(s, start - s->offset, &line, &col, &ls, &le);
	size_t dashes = 0;
	uint32_t ls_ = start - s->offset, le_ = end > start ? end - s->offset : ls_;
	if (le_ > s->len)
		le_ = s->len;
	for (uint32_t i = ls_; i < le_; i++)
		if (((unsigned char)s->text[i] & 0xc0) != 0x80)
			dashes++;
	if (dashes)
		dashes--;
	char *caret = rdy__alloc(&w->arena, (size_t)col + dashes + 2);
	memset(caret, ' ', col);
	caret[col] = '^';
	memset(caret + col + 1, '-', dashes);
	return rdy__sprintf(&w->arena, "%s\n     --> %s:%u:%u\n      |\n %4u | %.*s\n      | %s", msg, s->path,
			    line + 1, col + 1, line + 1, (int)(le - ls), s->text + ls, caret);
}

static const char *vformat(rdy_wit *w, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *p = rdy__alloc(&w->arena, n > 0 ? (size_t)n + 1 : 1);
	if (n > 0)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* The message with the active contexts in front, as anyhow prints a chain. */
static const char *with_context(rdy_wit *w, const char *msg)
{
	uint32_t n = w->nctx < 8 ? w->nctx : 8;
	for (uint32_t i = n; i-- > 0;)
		msg = rdy__sprintf(&w->arena, "%s: %s", w->ctx[i], msg);
	return msg;
}

_Noreturn void rdy__wit_fail(rdy_wit *w, rdy_wit_span span, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *msg = with_context(w, vformat(w, fmt, ap));
	va_end(ap);
	w->err = render(w, span.start, span.end, msg);
	raise(w);
}

_Noreturn void rdy__wit_fail_at(rdy_wit *w, uint32_t at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *msg = with_context(w, vformat(w, fmt, ap));
	va_end(ap);
	w->err = render(w, at, at, msg);
	raise(w);
}

_Noreturn void rdy__wit_fail_plain(rdy_wit *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	w->err = with_context(w, vformat(w, fmt, ap));
	va_end(ap);
	raise(w);
}

void rdy__wit_push_context(rdy_wit *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *ctx = vformat(w, fmt, ap);
	va_end(ap);
	if (w->nctx < sizeof w->ctx / sizeof w->ctx[0])
		w->ctx[w->nctx] = ctx;
	w->nctx++;
}

void rdy__wit_pop_context(rdy_wit *w)
{
	w->nctx--;
}

const char *rdy__intern_span(rdy_wit *w, const char *s, size_t len)
{
	return rdy__intern(&w->names, s, len);
}
