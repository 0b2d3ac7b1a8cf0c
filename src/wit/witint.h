/*
 * Internals of the WIT front end shared by its stages: the resolution
 * object, the source map and error raising.
 *
 * Errors do not return.  rdy__wit_fail renders the diagnostic in the
 * reference's form and longjmps to the API entry point that set w->jmp,
 * which reports failure; all memory is in the arena, so nothing leaks.
 */
#ifndef RDY_WIT_INT_H
#define RDY_WIT_INT_H

#include "wit/arena.h"
#include "wit/ast.h"
#include "wit/wit.h"

#include <setjmp.h>

typedef struct rdy__source {
	const char *path;                  /* as shown in diagnostics */
	const char *text;                  /* the file's bytes */
	uint32_t len;
	uint32_t offset;                   /* global offset of text[0] */
} rdy__source;

struct rdy_wit_include {
	rdy_wit_stability stability;
	int32_t world;                     /* the included world */
	rdy__usename *names;               /* `with { a as b }` */
	uint32_t nnames;
	rdy_wit_span span;
};

struct rdy_wit {
	rdy__arena arena;
	rdy__strtab names;
	jmp_buf *jmp;                      /* where failures go; NULL outside the API */
	const char *err;                   /* the last diagnostic, rendered */
	const char *ctx[8];                /* "while ..." prefixes of a diagnostic, outermost first */
	uint32_t nctx;
	bool poisoned;                     /* a load failed: the model may be half-built */
	const char **features;             /* interned names of enabled @unstable features */
	uint32_t nfeatures, capfeatures;
	rdy__source *srcs;
	uint32_t nsrcs, capsrcs;
	uint32_t next_offset;              /* where the next source starts */
	rdy_wit_model m;
};

/* Adds a source; its text must live as long as the resolution. */
uint32_t rdy__wit_add_source(rdy_wit *w, const char *path, const char *text, uint32_t len);

/* Raise: with a span (caret and dashes), at a point (caret), or without a location. */
_Noreturn void rdy__wit_fail(rdy_wit *w, rdy_wit_span span, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void rdy__wit_fail_at(rdy_wit *w, uint32_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void rdy__wit_fail_plain(rdy_wit *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "FILE:LINE:COL" of a position. */
const char *rdy__wit_location(rdy_wit *w, uint32_t at);
/* Scopes a "CONTEXT: " prefix over the diagnostics raised until the matching pop. */
void rdy__wit_push_context(rdy_wit *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rdy__wit_pop_context(rdy_wit *w);

const char *rdy__intern_span(rdy_wit *w, const char *s, size_t len);

/* Loading (load.c); both raise on error. */
int32_t rdy__load_path(rdy_wit *w, const char *path);
int32_t rdy__load_text(rdy_wit *w, const char *name, const char *text, uint32_t len);

/* Package loading (load.c) and per-package resolution (resolve_ast.c, resolve.c). */
typedef struct rdy__upkg rdy__upkg;
rdy__upkg *rdy__resolve_ast(rdy_wit *w, rdy__afile **files, uint32_t nfiles);
int32_t rdy__append(rdy_wit *w, rdy__upkg *u);
const rdy__pkgname *rdy__upkg_name(const rdy__upkg *u);
/* Package names compare as the reference's PackageName: namespace, name, version. */
int rdy__pkgname_cmp(const rdy__pkgname *a, const rdy__pkgname *b);
void rdy__upkg_deps(const rdy__upkg *u, const rdy__pkgname **names, rdy_wit_span *spans, uint32_t *n,
		    uint32_t max);
uint32_t rdy__upkg_ndeps(const rdy__upkg *u);

#endif
