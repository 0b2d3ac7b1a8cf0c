/*
 * WIT parser: tokens to the syntax tree of ast.h.  It follows the
 * reference's ast.rs production by production, including where each error
 * points, so diagnostics land where the reference's do.
 */
#include "wit/witint.h"

#include <string.h>

typedef struct P {
	rdy_wit *w;
	rdy__lexer l;
} P;

enum { MAX_TYPE_DEPTH = 100, MAX_PACKAGE_DEPTH = 100 };

#define NEW(p, T) ((T *)rdy__alloc(&(p)->w->arena, sizeof(T)))

static rdy__atype *parse_type(P *p, int depth);
static void parse_iface_items(P *p, rdy__aiitems *items);
static void parse_decls(P *p, rdy__decls *d, bool until_brace, int depth);

static _Noreturn void expected(P *p, const char *what, rdy__token found)
{
	rdy__lex_wanted(&p->l, what, found);
}

static const char *tok_text(P *p, rdy__span s, uint32_t *len)
{
	return rdy__lex_text(&p->l, s, len);
}

/* id -> Id | ExplicitId */
static rdy__id parse_id(P *p)
{
	rdy__token t = rdy__lex_next(&p->l);
	uint32_t len;
	const char *s = tok_text(p, t.span, &len);
	if (t.kind == RDY_T_EXPLICIT_ID) {
		s++;
		len--;
	} else if (t.kind != RDY_T_ID) {
		expected(p, "an identifier or string", t);
	}
	rdy__lex_validate_id(&p->l, t.span.start, s, len);
	return (rdy__id){ rdy__intern_span(p->w, s, len), t.span };
}

/* docs -> (comment)*  -- every comment counts; resolve keeps what it wants */
static rdy__docs parse_docs(P *p)
{
	rdy__docs d = { 0 };
	rdy__lexer c = p->l;
	for (;;) {
		rdy__token t = rdy__lex_raw(&c);
		if (t.kind == RDY_T_COMMENT) {
			uint32_t len;
			const char *s = tok_text(p, t.span, &len);
			uint32_t trail = 0;
			while (trail < len && strchr(" \t\n\r\f\v", s[len - 1 - trail]))
				trail++;
			if (!d.n)
				d.span.start = t.span.start;
			d.span.end = t.span.end - trail;
			*RDY_PUSH(&p->w->arena, d.v, d.n, d.cap) = t.span;
		} else if (t.kind != RDY_T_WS) {
			break;
		}
		p->l = c;
	}
	return d;
}

/* An identifier-like run of a version's pre-release or build part. */
static bool version_part_token(rdy__tok k)
{
	return k == RDY_T_ID || k == RDY_T_INTEGER || k == RDY_T_MINUS;
}

static void eat_version_ids(P *p, rdy__tok prefix, uint32_t *end)
{
	if (!rdy__lex_eat(&p->l, prefix))
		return;
	for (;;) {
		rdy__lexer c = p->l;
		rdy__token t = rdy__lex_next(&c);
		if (t.kind == RDY_T_PERIOD)
			t = rdy__lex_next(&c);
		else if (!version_part_token(t.kind))
			return;
		if (!version_part_token(t.kind))
			return;
		*end = t.span.end;
		p->l = c;
	}
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Checks one dot-separated semver identifier list; numeric parts of a pre-release have no leading zero. */
static const char *check_ids(const char *s, size_t n, bool pre)
{
	if (n == 0)
		return "empty identifier segment in pre-release identifier";
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		bool digits = true;
		while (j < n && s[j] != '.') {
			char c = s[j];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
				return "unexpected character in version";
			if (c < '0' || c > '9')
				digits = false;
			j++;
		}
		if (j == i)
			return pre ? "empty identifier segment in pre-release identifier"
				   : "empty identifier segment in build metadata";
		if (pre && digits && j - i > 1 && s[i] == '0')
			return "invalid leading zero in pre-release identifier";
		i = j + 1;
	}
	return NULL;
}

/* Parses semver text as the semver crate does, raising at SPAN when it is not one. */
static rdy__version make_version(P *p, rdy__span span)
{
	uint32_t n;
	const char *s = tok_text(p, span, &n);
	rdy__version v = { 0 };
	const char *dot1 = memchr(s, '.', n), *dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(s + n - dot1 - 1)) : NULL;
	const char *err = NULL;
	if (!dot1 || !dot2) {
		err = "unexpected end of input while parsing version";
	} else {
		const char *end = dot2 + 1;
		while (end < s + n && *end >= '0' && *end <= '9')
			end++;
		if (!parse_u64(s, (size_t)(dot1 - s), &v.major) ||
		    !parse_u64(dot1 + 1, (size_t)(dot2 - dot1 - 1), &v.minor) ||
		    !parse_u64(dot2 + 1, (size_t)(end - dot2 - 1), &v.patch))
			err = "invalid leading zero or overflow in version number";
		const char *plus = memchr(end, '+', (size_t)(s + n - end));
		if (!err && end < s + n && *end == '-') {
			const char *pe = plus ? plus : s + n;
			err = check_ids(end + 1, (size_t)(pe - end - 1), true);
			v.pre = rdy__intern_span(p->w, end + 1, (size_t)(pe - end - 1));
			end = pe;
		}
		if (!err && end < s + n && *end == '+') {
			err = check_ids(end + 1, (size_t)(s + n - end - 1), false);
			v.build = rdy__intern_span(p->w, end + 1, (size_t)(s + n - end - 1));
			end = s + n;
		}
		if (!err && end != s + n)
			err = "unexpected character after version";
	}
	if (err)
		rdy__wit_fail(p->w, span, "%s", err);
	v.text = rdy__intern_span(p->w, s, n);
	return v;
}

/* version -> integer '.' integer '.' integer ('-' ids)? ('+' ids)? */
static rdy__version parse_version(P *p, rdy__span *out)
{
	rdy__span span;
	span.start = rdy__lex_expect(&p->l, RDY_T_INTEGER).start;
	rdy__lex_expect(&p->l, RDY_T_PERIOD);
	rdy__lex_expect(&p->l, RDY_T_INTEGER);
	rdy__lex_expect(&p->l, RDY_T_PERIOD);
	span.end = rdy__lex_expect(&p->l, RDY_T_INTEGER).end;
	eat_version_ids(p, RDY_T_MINUS, &span.end);
	eat_version_ids(p, RDY_T_PLUS, &span.end);
	if (out)
		*out = span;
	return make_version(p, span);
}

/* package-name -> id ':' id ('@' version)? */
static rdy__pkgname parse_pkgname(P *p, rdy__docs docs)
{
	rdy__pkgname n = { 0 };
	n.docs = docs;
	n.ns = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_COLON);
	n.name = parse_id(p);
	n.span.start = n.ns.span.start;
	n.span.end = n.name.span.end;
	if (rdy__lex_eat(&p->l, RDY_T_AT)) {
		n.has_version = true;
		n.version = parse_version(p, &n.version_span);
		n.span.end = n.version_span.end;
	}
	return n;
}

/* use-path -> id | id ':' id '/' id ('@' version)? */
static rdy__usepath parse_usepath(P *p)
{
	rdy__usepath u = { 0 };
	rdy__id id = parse_id(p);
	if (!rdy__lex_eat(&p->l, RDY_T_COLON)) {
		u.name = id;
		return u;
	}
	u.foreign = true;
	u.pkg.ns = id;
	u.pkg.name = parse_id(p);
	u.pkg.span.start = id.span.start;
	u.pkg.span.end = u.pkg.name.span.end;
	rdy__lex_expect(&p->l, RDY_T_SLASH);
	u.name = parse_id(p);
	if (rdy__lex_eat(&p->l, RDY_T_AT)) {
		u.pkg.has_version = true;
		u.pkg.version = parse_version(p, &u.pkg.version_span);
	}
	return u;
}

static void eat_named(P *p, const char *want)
{
	rdy__id id = parse_id(p);
	if (strcmp(id.name, want) != 0)
		rdy__wit_fail(p->w, id.span, "expected `%s`, found `%s`", want, id.name);
}

/*
 * attribute -> '@' ('since' | 'deprecated') '(' 'version' '=' version ')'
 *            | '@unstable' '(' 'feature' '=' id ')' | '@external-id' '(' string ')'
 */
static rdy__attrs parse_attrs(P *p)
{
	rdy__attrs a = { 0 };
	while (rdy__lex_eat(&p->l, RDY_T_AT)) {
		rdy__id id = parse_id(p);
		rdy__attr at = { 0 };
		at.span = id.span;
		if (strcmp(id.name, "since") == 0 || strcmp(id.name, "deprecated") == 0) {
			at.kind = id.name[0] == 's' ? RDY_ATTR_SINCE : RDY_ATTR_DEPRECATED;
			rdy__lex_expect(&p->l, RDY_T_LPAREN);
			eat_named(p, "version");
			rdy__lex_expect(&p->l, RDY_T_EQUALS);
			at.version = parse_version(p, NULL);
			rdy__lex_expect(&p->l, RDY_T_RPAREN);
		} else if (strcmp(id.name, "unstable") == 0) {
			at.kind = RDY_ATTR_UNSTABLE;
			rdy__lex_expect(&p->l, RDY_T_LPAREN);
			eat_named(p, "feature");
			rdy__lex_expect(&p->l, RDY_T_EQUALS);
			at.feature = parse_id(p).name;
			rdy__lex_expect(&p->l, RDY_T_RPAREN);
		} else if (strcmp(id.name, "external-id") == 0) {
			at.kind = RDY_ATTR_EXTERNAL_ID;
			rdy__lex_expect(&p->l, RDY_T_LPAREN);
			rdy__token t = rdy__lex_next(&p->l);
			if (t.kind != RDY_T_STRING)
				expected(p, "a string literal", t);
			at.text = t.span;
			rdy__lex_expect(&p->l, RDY_T_RPAREN);
		} else {
			rdy__wit_fail(p->w, id.span, "unknown attribute `%s`", id.name);
		}
		*RDY_PUSH(&p->w->arena, a.v, a.n, a.cap) = at;
	}
	return a;
}

/* Lists: START (docs item (',' docs item)* ','?)? END */
typedef void (*item_fn)(P *p, rdy__docs docs, void *out);

static void parse_list_trailer(P *p, rdy__tok end, item_fn fn, void *out)
{
	for (;;) {
		rdy__docs docs = parse_docs(p);
		if (rdy__lex_eat(&p->l, end))
			return;
		fn(p, docs, out);
		if (!rdy__lex_eat(&p->l, RDY_T_COMMA)) {
			rdy__lex_expect(&p->l, end);
			return;
		}
	}
}

static void parse_list(P *p, rdy__tok start, rdy__tok end, item_fn fn, void *out)
{
	rdy__lex_expect(&p->l, start);
	parse_list_trailer(p, end, fn, out);
}

static void push_item(P *p, rdy__atype *t, rdy__docs docs, rdy__id name, rdy__atype *ty)
{
	rdy__afield *f = RDY_PUSH(&p->w->arena, t->items, t->nitems, t->capitems);
	f->docs = docs;
	f->name = name;
	f->type = ty;
}

typedef struct tuple_ctx {
	rdy__atype *t;
	int depth;                         /* of the members */
} tuple_ctx;

static void tuple_item(P *p, rdy__docs docs, void *out)
{
	tuple_ctx *c = out;
	rdy__atype *ty = parse_type(p, c->depth);
	push_item(p, c->t, docs, (rdy__id){ 0 }, ty);
}

static void field_item(P *p, rdy__docs docs, void *out)
{
	rdy__id name = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_COLON);
	push_item(p, out, docs, name, parse_type(p, 0));
}

static void name_item(P *p, rdy__docs docs, void *out)
{
	push_item(p, out, docs, parse_id(p), NULL);
}

static void case_item(P *p, rdy__docs docs, void *out)
{
	rdy__id name = parse_id(p);
	rdy__atype *ty = NULL;
	if (rdy__lex_eat(&p->l, RDY_T_LPAREN)) {
		ty = parse_type(p, 0);
		rdy__lex_expect(&p->l, RDY_T_RPAREN);
	}
	push_item(p, out, docs, name, ty);
}

static rdy__atype *new_type(P *p, rdy__akind kind, rdy__span span)
{
	rdy__atype *t = NEW(p, rdy__atype);
	t->kind = kind;
	t->span = span;
	return t;
}

/* '<' type '>' */
static rdy__atype *angle_one(P *p, int depth)
{
	rdy__lex_expect(&p->l, RDY_T_LT);
	rdy__atype *t = parse_type(p, depth + 1);
	rdy__lex_expect(&p->l, RDY_T_GT);
	return t;
}

static rdy__id angle_id(P *p)
{
	rdy__lex_expect(&p->l, RDY_T_LT);
	rdy__id id = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_GT);
	return id;
}

/* list -> 'list' '<' ty (',' integer)? '>' */
static rdy__atype *parse_list_type(P *p, rdy__span span, int depth)
{
	rdy__lex_expect(&p->l, RDY_T_LT);
	rdy__atype *el = parse_type(p, depth + 1);
	rdy__atype *t = new_type(p, RDY_A_LIST, span);
	t->a = el;
	if (rdy__lex_eat(&p->l, RDY_T_COMMA)) {
		rdy__token n = rdy__lex_next(&p->l);
		uint32_t len;
		const char *s = tok_text(p, n.span, &len);
		uint64_t v = 0;
		if (n.kind != RDY_T_INTEGER)
			expected(p, "fixed-length", n);
		for (uint32_t i = 0; i < len; i++) {
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (v > UINT32_MAX)
				rdy__wit_fail(p->w, n.span, "number too large to fit in target type");
		}
		t->kind = RDY_A_FIXED_LIST;
		t->size = (uint32_t)v;
	}
	rdy__lex_expect(&p->l, RDY_T_GT);
	return t;
}

/* result -> 'result' ('<' ('_' ',' ty | ty (',' ty)?) '>')? */
static rdy__atype *parse_result_type(P *p, rdy__span span, int depth)
{
	rdy__atype *t = new_type(p, RDY_A_RESULT, span);
	if (!rdy__lex_eat(&p->l, RDY_T_LT))
		return t;
	if (rdy__lex_eat(&p->l, RDY_T_UNDERSCORE)) {
		rdy__lex_expect(&p->l, RDY_T_COMMA);
		t->b = parse_type(p, depth + 1);
	} else {
		t->a = parse_type(p, depth + 1);
		if (rdy__lex_eat(&p->l, RDY_T_COMMA))
			t->b = parse_type(p, depth + 1);
	}
	rdy__lex_expect(&p->l, RDY_T_GT);
	return t;
}

static const rdy__akind prim_kinds[] = {
	[RDY_T_BOOL] = RDY_A_BOOL, [RDY_T_U8] = RDY_A_U8, [RDY_T_U16] = RDY_A_U16,
	[RDY_T_U32] = RDY_A_U32, [RDY_T_U64] = RDY_A_U64, [RDY_T_S8] = RDY_A_S8,
	[RDY_T_S16] = RDY_A_S16, [RDY_T_S32] = RDY_A_S32, [RDY_T_S64] = RDY_A_S64,
	[RDY_T_F32] = RDY_A_F32, [RDY_T_F64] = RDY_A_F64, [RDY_T_CHAR] = RDY_A_CHAR,
	[RDY_T_STRING_] = RDY_A_STRING, [RDY_T_ERROR_CONTEXT] = RDY_A_ERROR_CONTEXT,
};

static bool is_prim(rdy__tok k)
{
	return k == RDY_T_BOOL || (k >= RDY_T_U8 && k <= RDY_T_CHAR) || k == RDY_T_STRING_ ||
	       k == RDY_T_ERROR_CONTEXT;
}

/* ty -> primitive | tuple | list | map | option | result | future | stream | own | borrow | id */
static rdy__atype *parse_type(P *p, int depth)
{
	rdy__token t = rdy__lex_next(&p->l);
	if (depth >= MAX_TYPE_DEPTH)
		rdy__wit_fail(p->w, t.span, "type nesting too deep");
	if (is_prim(t.kind))
		return new_type(p, prim_kinds[t.kind], t.span);
	rdy__atype *r;
	switch (t.kind) {
	case RDY_T_TUPLE: {
		tuple_ctx c = { new_type(p, RDY_A_TUPLE, t.span), depth + 1 };
		parse_list(p, RDY_T_LT, RDY_T_GT, tuple_item, &c);
		return c.t;
	}
	case RDY_T_LIST:
		return parse_list_type(p, t.span, depth);
	case RDY_T_MAP:
		r = new_type(p, RDY_A_MAP, t.span);
		rdy__lex_expect(&p->l, RDY_T_LT);
		r->a = parse_type(p, depth + 1);
		rdy__lex_expect(&p->l, RDY_T_COMMA);
		r->b = parse_type(p, depth + 1);
		rdy__lex_expect(&p->l, RDY_T_GT);
		return r;
	case RDY_T_OPTION:
		r = new_type(p, RDY_A_OPTION, t.span);
		r->a = angle_one(p, depth);
		return r;
	case RDY_T_RESULT:
		return parse_result_type(p, t.span, depth);
	case RDY_T_FUTURE:
	case RDY_T_STREAM:
		r = new_type(p, t.kind == RDY_T_FUTURE ? RDY_A_FUTURE : RDY_A_STREAM, t.span);
		if (rdy__lex_peek(&p->l).kind == RDY_T_LT)
			r->a = angle_one(p, depth);
		return r;
	case RDY_T_OWN:
	case RDY_T_BORROW:
		r = new_type(p, t.kind == RDY_T_OWN ? RDY_A_OWN : RDY_A_BORROW, t.span);
		r->name = angle_id(p);
		r->span = r->name.span;
		return r;
	case RDY_T_ID:
	case RDY_T_EXPLICIT_ID: {
		uint32_t len;
		const char *s = tok_text(p, t.span, &len);
		if (t.kind == RDY_T_EXPLICIT_ID) {
			s++;
			len--;
		}
		rdy__lex_validate_id(&p->l, t.span.start, s, len);
		r = new_type(p, RDY_A_NAME, t.span);
		r->name = (rdy__id){ rdy__intern_span(p->w, s, len), t.span };
		return r;
	}
	default:
		expected(p, "a type", t);
	}
}

static void param_item(P *p, rdy__docs docs, void *out)
{
	(void)docs;
	rdy__afunc *f = out;
	rdy__aparam *pa = RDY_PUSH(&p->w->arena, f->params, f->nparams, f->capparams);
	pa->name = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_COLON);
	pa->type = parse_type(p, 0);
}

/* func -> 'async'? 'func' '(' params ')' ('->' ty)? */
static rdy__afunc parse_func(P *p)
{
	rdy__afunc f = { 0 };
	f.async = rdy__lex_eat(&p->l, RDY_T_ASYNC);
	f.span = rdy__lex_expect(&p->l, RDY_T_FUNC);
	parse_list(p, RDY_T_LPAREN, RDY_T_RPAREN, param_item, &f);
	if (rdy__lex_eat(&p->l, RDY_T_RARROW))
		f.result = parse_type(p, 0);
	return f;
}

/* named-func -> id ':' func ';' */
static rdy__anfunc parse_named_func(P *p, rdy__docs docs, rdy__attrs attrs)
{
	rdy__anfunc f = { 0 };
	f.docs = docs;
	f.attrs = attrs;
	f.name = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_COLON);
	f.func = parse_func(p);
	rdy__lex_expect(&p->l, RDY_T_SEMI);
	return f;
}

/* resource-func -> 'constructor' '(' params ')' ('->' ty)? ';' | id ':' 'static'? func ';' */
static void parse_resource_func(P *p, rdy__atype *res, rdy__docs docs, rdy__attrs attrs)
{
	rdy__anfunc *f = RDY_PUSH(&p->w->arena, res->funcs, res->nfuncs, res->capfuncs);
	memset(f, 0, sizeof *f);
	f->docs = docs;
	f->attrs = attrs;
	rdy__token t = rdy__lex_peek(&p->l);
	if (t.kind == RDY_T_CONSTRUCTOR) {
		rdy__lex_next(&p->l);
		f->rkind = RDY_RF_CTOR;
		f->name = (rdy__id){ rdy__internz(&p->w->names, "constructor"), t.span };
		f->func.span = t.span;
		parse_list(p, RDY_T_LPAREN, RDY_T_RPAREN, param_item, &f->func);
		if (rdy__lex_eat(&p->l, RDY_T_RARROW))
			f->func.result = parse_type(p, 0);
		rdy__lex_expect(&p->l, RDY_T_SEMI);
		return;
	}
	if (t.kind != RDY_T_ID && t.kind != RDY_T_EXPLICIT_ID)
		expected(p, "`constructor` or identifier", t);
	f->name = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_COLON);
	f->rkind = rdy__lex_eat(&p->l, RDY_T_STATIC) ? RDY_RF_STATIC : RDY_RF_METHOD;
	f->func = parse_func(p);
	rdy__lex_expect(&p->l, RDY_T_SEMI);
}

/* typedef -> 'type' id '=' ty ';' | record | flags | variant | enum | resource */
static rdy__atypedef parse_typedef(P *p, rdy__docs docs, rdy__attrs attrs)
{
	rdy__atypedef d = { docs, attrs, { 0 }, NULL };
	rdy__token kw = rdy__lex_next(&p->l);
	d.name = parse_id(p);
	rdy__atype *t;
	switch (kw.kind) {
	case RDY_T_TYPE:
		rdy__lex_expect(&p->l, RDY_T_EQUALS);
		d.type = parse_type(p, 0);
		rdy__lex_expect(&p->l, RDY_T_SEMI);
		return d;
	case RDY_T_RECORD:
		t = new_type(p, RDY_A_RECORD, d.name.span);
		parse_list(p, RDY_T_LBRACE, RDY_T_RBRACE, field_item, t);
		break;
	case RDY_T_FLAGS:
	case RDY_T_ENUM:
		t = new_type(p, kw.kind == RDY_T_FLAGS ? RDY_A_FLAGS : RDY_A_ENUM, d.name.span);
		parse_list(p, RDY_T_LBRACE, RDY_T_RBRACE, name_item, t);
		break;
	case RDY_T_VARIANT:
		t = new_type(p, RDY_A_VARIANT, d.name.span);
		parse_list(p, RDY_T_LBRACE, RDY_T_RBRACE, case_item, t);
		break;
	default: /* resource */
		t = new_type(p, RDY_A_RESOURCE, d.name.span);
		if (rdy__lex_eat(&p->l, RDY_T_LBRACE)) {
			while (!rdy__lex_eat(&p->l, RDY_T_RBRACE)) {
				rdy__docs fd = parse_docs(p);
				rdy__attrs fa = parse_attrs(p);
				parse_resource_func(p, t, fd, fa);
			}
		} else {
			rdy__lex_expect(&p->l, RDY_T_SEMI);
		}
	}
	d.type = t;
	return d;
}

static bool is_typedef_start(rdy__tok k)
{
	return k == RDY_T_TYPE || k == RDY_T_FLAGS || k == RDY_T_ENUM || k == RDY_T_VARIANT ||
	       k == RDY_T_RESOURCE || k == RDY_T_RECORD;
}

static void usename_item(P *p, rdy__ause *u)
{
	rdy__usename *n = RDY_PUSH(&p->w->arena, u->names, u->nnames, u->capnames);
	memset(n, 0, sizeof *n);
	n->name = parse_id(p);
	if (rdy__lex_eat(&p->l, RDY_T_AS))
		n->as = parse_id(p);
}

/* use -> 'use' use-path '.' '{' (id ('as' id)?),* '}' ';' */
static rdy__ause parse_use(P *p, rdy__attrs attrs)
{
	rdy__ause u = { 0 };
	u.span = rdy__lex_expect(&p->l, RDY_T_USE);
	u.attrs = attrs;
	u.from = parse_usepath(p);
	rdy__lex_expect(&p->l, RDY_T_PERIOD);
	rdy__lex_expect(&p->l, RDY_T_LBRACE);
	while (!rdy__lex_eat(&p->l, RDY_T_RBRACE)) {
		usename_item(p, &u);
		if (!rdy__lex_eat(&p->l, RDY_T_COMMA)) {
			rdy__lex_expect(&p->l, RDY_T_RBRACE);
			break;
		}
	}
	rdy__lex_expect(&p->l, RDY_T_SEMI);
	return u;
}

/* interface-item -> typedef | use | named-func */
static void parse_iface_item(P *p, rdy__aiitems *items, rdy__docs docs, rdy__attrs attrs)
{
	rdy__token t = rdy__lex_peek(&p->l);
	if (!is_typedef_start(t.kind) && t.kind != RDY_T_ID && t.kind != RDY_T_EXPLICIT_ID && t.kind != RDY_T_USE)
		expected(p, "`type`, `resource` or `func`", t);
	rdy__aiitem *it = RDY_PUSH(&p->w->arena, items->v, items->n, items->cap);
	memset(it, 0, sizeof *it);
	if (is_typedef_start(t.kind)) {
		it->kind = RDY_II_TYPE;
		it->type = parse_typedef(p, docs, attrs);
	} else if (t.kind == RDY_T_ID || t.kind == RDY_T_EXPLICIT_ID) {
		it->kind = RDY_II_FUNC;
		it->func = parse_named_func(p, docs, attrs);
	} else {
		it->kind = RDY_II_USE;
		it->use = parse_use(p, attrs);
	}
}

/* '{' interface-item* '}' */
static void parse_iface_items(P *p, rdy__aiitems *items)
{
	rdy__lex_expect(&p->l, RDY_T_LBRACE);
	for (;;) {
		rdy__docs docs = parse_docs(p);
		if (rdy__lex_eat(&p->l, RDY_T_RBRACE))
			return;
		rdy__attrs attrs = parse_attrs(p);
		parse_iface_item(p, items, docs, attrs);
	}
}

/*
 * extern -> id ':' 'async'? func ';' | id ':' 'interface' '{' ... '}'
 *         | id ':' use-path ';'    (a labelled import of an interface)
 *         | use-path ';'
 */
static rdy__aextern parse_extern(P *p)
{
	rdy__aextern e = { 0 };
	rdy__lexer c = p->l;
	P cp = { p->w, c };
	rdy__id id = parse_id(&cp);
	if (rdy__lex_eat(&cp.l, RDY_T_COLON)) {
		rdy__tok k = rdy__lex_peek(&cp.l).kind;
		if (k == RDY_T_FUNC || k == RDY_T_ASYNC) {
			p->l = cp.l;
			e.kind = RDY_EXT_FUNC;
			e.id = id;
			e.func = parse_func(p);
			rdy__lex_expect(&p->l, RDY_T_SEMI);
			return e;
		}
		if (k == RDY_T_INTERFACE) {
			rdy__lex_next(&cp.l);
			p->l = cp.l;
			e.kind = RDY_EXT_INTERFACE;
			e.id = id;
			parse_iface_items(p, &e.items);
			return e;
		}
		if (k == RDY_T_ID || k == RDY_T_EXPLICIT_ID) {
			/* `label: iface` or `label: ns:pkg/iface`, unlike `ns:pkg/iface` */
			rdy__lexer probe = cp.l;
			P pp = { p->w, probe };
			parse_id(&pp);
			rdy__tok after = rdy__lex_peek(&pp.l).kind;
			if (after != RDY_T_SLASH) {
				p->l = cp.l;
				e.kind = RDY_EXT_IMPLEMENTS;
				e.id = id;
				e.path = parse_usepath(p);
				rdy__lex_expect(&p->l, RDY_T_SEMI);
				return e;
			}
		}
	}
	e.kind = RDY_EXT_PATH;
	e.path = parse_usepath(p);
	rdy__lex_expect(&p->l, RDY_T_SEMI);
	return e;
}

/* include -> 'include' use-path ('with' '{' (id 'as' id),* '}' | ';') */
static rdy__ainclude parse_include(P *p, rdy__attrs attrs)
{
	rdy__ainclude inc = { 0 };
	rdy__lex_expect(&p->l, RDY_T_INCLUDE);
	inc.attrs = attrs;
	inc.from = parse_usepath(p);
	if (!rdy__lex_eat(&p->l, RDY_T_WITH)) {
		rdy__lex_expect(&p->l, RDY_T_SEMI);
		return inc;
	}
	rdy__lex_expect(&p->l, RDY_T_LBRACE);
	for (;;) {
		parse_docs(p);
		if (rdy__lex_eat(&p->l, RDY_T_RBRACE))
			return inc;
		rdy__usename *n = RDY_PUSH(&p->w->arena, inc.names, inc.nnames, inc.capnames);
		n->name = parse_id(p);
		rdy__lex_expect(&p->l, RDY_T_AS);
		n->as = parse_id(p);
		if (!rdy__lex_eat(&p->l, RDY_T_COMMA)) {
			rdy__lex_expect(&p->l, RDY_T_RBRACE);
			return inc;
		}
	}
}

/* world-item -> import | export | use | typedef | include */
static void parse_world_item(P *p, rdy__aworld *wd, rdy__docs docs, rdy__attrs attrs)
{
	rdy__awitem it;
	memset(&it, 0, sizeof it);
	it.docs = docs;
	it.attrs = attrs;
	rdy__token t = rdy__lex_peek(&p->l);
	switch (t.kind) {
	case RDY_T_IMPORT:
	case RDY_T_EXPORT:
		rdy__lex_next(&p->l);
		it.kind = t.kind == RDY_T_IMPORT ? RDY_WI_IMPORT : RDY_WI_EXPORT;
		it.ext = parse_extern(p);
		break;
	case RDY_T_USE:
		it.kind = RDY_WI_USE;
		it.use = parse_use(p, attrs);
		break;
	case RDY_T_INCLUDE:
		it.kind = RDY_WI_INCLUDE;
		it.include = parse_include(p, attrs);
		break;
	default:
		if (!is_typedef_start(t.kind))
			expected(p, "`import`, `export`, `include`, `use`, or type definition", t);
		it.kind = RDY_WI_TYPE;
		it.type = parse_typedef(p, docs, attrs);
	}
	*RDY_PUSH(&p->w->arena, wd->items, wd->nitems, wd->capitems) = it;
}

/* world -> 'world' id '{' world-item* '}' */
static void parse_world(P *p, rdy__aworld *wd, rdy__docs docs, rdy__attrs attrs)
{
	rdy__lex_expect(&p->l, RDY_T_WORLD);
	wd->docs = docs;
	wd->attrs = attrs;
	wd->name = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_LBRACE);
	for (;;) {
		rdy__docs d = parse_docs(p);
		if (rdy__lex_eat(&p->l, RDY_T_RBRACE))
			return;
		rdy__attrs a = parse_attrs(p);
		parse_world_item(p, wd, d, a);
	}
}

/* toplevel-use -> 'use' use-path ('as' id)? ';' */
static rdy__ause parse_toplevel_use(P *p, rdy__attrs attrs)
{
	rdy__ause u = { 0 };
	u.span = rdy__lex_expect(&p->l, RDY_T_USE);
	u.attrs = attrs;
	u.from = parse_usepath(p);
	if (rdy__lex_eat(&p->l, RDY_T_AS))
		u.as = parse_id(p);
	rdy__lex_expect(&p->l, RDY_T_SEMI);
	return u;
}

/* nested-package -> 'package' package-name '{' decl* '}' */
static rdy__afile *parse_nested(P *p, rdy__docs docs, rdy__attrs attrs, int depth)
{
	rdy__span kw = rdy__lex_expect(&p->l, RDY_T_PACKAGE);
	if (depth > MAX_PACKAGE_DEPTH)
		rdy__wit_fail(p->w, kw, "package nesting too deep");
	if (attrs.n)
		rdy__wit_fail(p->w, kw, "cannot place attributes on nested packages");
	rdy__afile *f = NEW(p, rdy__afile);
	f->has_package = true;
	f->package = parse_pkgname(p, docs);
	rdy__lex_expect(&p->l, RDY_T_LBRACE);
	parse_decls(p, &f->decls, true, depth);
	return f;
}

/* decl -> attrs (interface | world | toplevel-use | nested-package) */
static void parse_decl(P *p, rdy__decls *d, rdy__docs docs, int depth)
{
	rdy__attrs attrs = parse_attrs(p);
	rdy__token t = rdy__lex_peek(&p->l);
	rdy__aitem it;
	memset(&it, 0, sizeof it);
	switch (t.kind) {
	case RDY_T_INTERFACE:
		it.kind = RDY_AI_INTERFACE;
		rdy__lex_next(&p->l);
		it.iface.docs = docs;
		it.iface.attrs = attrs;
		it.iface.name = parse_id(p);
		parse_iface_items(p, &it.iface.items);
		break;
	case RDY_T_WORLD:
		it.kind = RDY_AI_WORLD;
		parse_world(p, &it.world, docs, attrs);
		break;
	case RDY_T_USE:
		it.kind = RDY_AI_USE;
		it.use = parse_toplevel_use(p, attrs);
		break;
	case RDY_T_PACKAGE:
		it.kind = RDY_AI_PACKAGE;
		it.pkg = parse_nested(p, docs, attrs, depth + 1);
		break;
	default:
		expected(p, "`world`, `interface` or `use`", t);
	}
	*RDY_PUSH(&p->w->arena, d->v, d->n, d->cap) = it;
}

static void parse_decls(P *p, rdy__decls *d, bool until_brace, int depth)
{
	rdy__docs docs = parse_docs(p);
	for (;;) {
		if (until_brace ? rdy__lex_eat(&p->l, RDY_T_RBRACE) : rdy__lex_peek(&p->l).kind == RDY_T_EOF)
			return;
		parse_decl(p, d, docs, depth);
		docs = parse_docs(p);
	}
}

/* wit-file -> ('package' package-name ';')? decl* */
rdy__afile *rdy__parse_file(rdy_wit *w, const char *text, uint32_t len, uint32_t base)
{
	P p = { w, { 0 } };
	rdy__lex_init(&p.l, w, text, len, base);
	rdy__afile *f = NEW(&p, rdy__afile);
	P peek = p;
	rdy__docs docs = parse_docs(&peek);
	if (rdy__lex_eat(&peek.l, RDY_T_PACKAGE)) {
		rdy__pkgname n = parse_pkgname(&peek, docs);
		if (rdy__lex_eat(&peek.l, RDY_T_SEMI)) {
			p.l = peek.l;
			f->has_package = true;
			f->package = n;
		}
	}
	parse_decls(&p, &f->decls, false, 0);
	return f;
}

int rdy__version_cmp(const rdy__version *a, const rdy__version *b)
{
	return rdy_wit_version_cmp(a, b);
}
