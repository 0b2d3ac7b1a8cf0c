#include "wit/lex.h"
#include "wit/witint.h"

#include <string.h>

static const char *const tok_desc[] = {
#define RDY_TOK_X(n, d) d,
#define RDY_TOK_K(n, k) "keyword `" k "`",
	RDY_TOKENS(RDY_TOK_X, RDY_TOK_K)
#undef RDY_TOK_X
#undef RDY_TOK_K
	"eof"
};

static const struct { const char *word; uint32_t len; rdy__tok kind; } keywords[] = {
#define RDY_TOK_X(n, d)
#define RDY_TOK_K(n, k) { k, sizeof k - 1, RDY_T_##n },
	RDY_TOKENS(RDY_TOK_X, RDY_TOK_K)
#undef RDY_TOK_X
#undef RDY_TOK_K
};

const char *rdy__tok_describe(rdy__tok kind)
{
	return tok_desc[kind];
}

static bool non_ascii_xid(uint32_t c)
{
	if (c < 0xc0)
		return c == 0xaa || c == 0xb5 || c == 0xba;
	if (c == 0xd7 || c == 0xf7)
		return false;
	if (c >= 0x2000 && c <= 0x2bff)
		return false;
	if (c >= 0x3000 && c <= 0x303f)
		return false;
	if (c >= 0xe000 && c <= 0xf8ff)
		return false;
	if (c >= 0xfe00 && c <= 0xfe6f)
		return false;
	if (c >= 0xff00 && c <= 0xff20)
		return false;
	if (c >= 0x1f000)
		return c >= 0x20000 && c <= 0x3134f;
	return true;
}

static bool keylike_start(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
	return non_ascii_xid(c);
}

static bool keylike_continue(uint32_t c)
{
	return keylike_start(c) || (c >= '0' && c <= '9') ||
	       (c >= 0x300 && c <= 0x36f); /* combining marks continue */
}

static uint32_t peekc(const rdy__lexer *l, int *n)
{
	uint32_t c;
	if (l->pos >= l->len) {
		*n = 0;
		return UINT32_MAX;
	}
	*n = rdy__utf8_decode(l->text + l->pos, &c);
	if (c == '\r' && l->pos + 1 < l->len && l->text[l->pos + 1] == '\n') {
		*n = 2;
		c = '\n';
	}
	return c;
}

static bool eatc(rdy__lexer *l, uint32_t want)
{
	int n;
	if (peekc(l, &n) != want)
		return false;
	l->pos += (uint32_t)n;
	return true;
}

static uint32_t nextc(rdy__lexer *l)
{
	int n;
	uint32_t c = peekc(l, &n);
	l->pos += (uint32_t)n;
	return c;
}

static const char *char_desc(rdy__lexer *l, uint32_t c)
{
	if (c == '\'')
		return "'\\''";
	if (c == '\\')
		return "'\\\\'";
	if (c < 0x20 || c == 0x7f)
		return rdy__sprintf(&l->w->arena, "'\\u{%x}'", (unsigned)c);
	if (c < 0x80)
		return rdy__sprintf(&l->w->arena, "'%c'", (char)c);
	char buf[5] = { 0 };
	if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
	} else {
		buf[0] = (char)(0xf0 | (c >> 18));
		buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[3] = (char)(0x80 | (c & 0x3f));
	}
	return rdy__sprintf(&l->w->arena, "'%s'", buf);
}

/* The reference refuses controls, bidi overrides and deprecated code points anywhere. */
static void check_input(rdy__lexer *l)
{
	for (uint32_t i = 0; i < l->len;) {
		uint32_t c;
		int n = rdy__utf8_decode(l->text + i, &c);
		uint32_t at = l->base + i;
		if (c == '\n' || c == '\r' || c == '\t') {
		} else if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
			rdy__wit_fail_at(l->w, at, "Input contains bidirectional override codepoint \"\\u{%x}\"", (unsigned)c);
		} else if (c == 0x149 || c == 0x673 || c == 0xf77 || c == 0xf79 ||
			   (c >= 0x17a3 && c <= 0x17a4) || (c >= 0x17b4 && c <= 0x17b5)) {
			rdy__wit_fail_at(l->w, at, "Codepoint \"\\u{%x}\" is discouraged by Unicode", (unsigned)c);
		} else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
			rdy__wit_fail_at(l->w, at, "Control code '\\u{%x}'", (unsigned)c);
		}
		i += (uint32_t)n;
	}
}

void rdy__lex_init(rdy__lexer *l, struct rdy_wit *w, const char *text, uint32_t len, uint32_t base)
{
	l->w = w;
	l->text = text;
	l->len = len;
	l->base = base;
	l->pos = 0;
	check_input(l);
	eatc(l, 0xfeff);
}

/* A string literal, after its opening quote; escapes are checked, not kept. */
static void lex_string(rdy__lexer *l, uint32_t start)
{
	for (;;) {
		if (l->pos >= l->len)
			rdy__wit_fail_at(l->w, start, "unterminated string literal");
		uint32_t at = l->base + l->pos, c = nextc(l);
		if (c == '"')
			return;
		if (c == '\n')
			rdy__wit_fail_at(l->w, start, "unterminated string literal");
		if (c == '\\') {
			if (l->pos >= l->len)
				rdy__wit_fail_at(l->w, start, "unterminated string literal");
			at = l->base + l->pos;
			c = nextc(l);
			if (strchr("\"'tnr\\", (int)c) && c < 0x80)
				continue;
			if (c == 'u') {
				if (!eatc(l, '{'))
					rdy__wit_fail_at(l->w, l->base + l->pos, "expected character '{'");
				uint32_t v = 0, digits = 0;
				int n;
				for (uint32_t d; (d = peekc(l, &n)) < 0x80 && (strchr("0123456789abcdefABCDEF_", (int)d) && d); l->pos++) {
					if (d == '_')
						continue;
					if (v > 0x0fffffff)
						rdy__wit_fail_at(l->w, l->base + l->pos, "number is too big to fit in a u32");
					v = v * 16 + (uint32_t)(d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
					digits++;
				}
				if (!digits)
					rdy__wit_fail_at(l->w, l->base + l->pos, "invalid hex digit");
				if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
					rdy__wit_fail_at(l->w, at, "invalid unicode value %#x", (unsigned)v);
				if (!eatc(l, '}'))
					rdy__wit_fail_at(l->w, l->base + l->pos, "expected character '}'");
				continue;
			}
			rdy__wit_fail_at(l->w, at, "invalid string escape %s", char_desc(l, c));
		}
		if (c < 0x20 || c == 0x7f)
			rdy__wit_fail_at(l->w, at, "invalid string character %s", char_desc(l, c));
	}
}

static rdy__tok keyword(const char *s, uint32_t n)
{
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (keywords[i].len == n && memcmp(keywords[i].word, s, n) == 0)
			return keywords[i].kind;
	return RDY_T_ID;
}

static void eat_keylike(rdy__lexer *l)
{
	int n;
	uint32_t c;
	while ((c = peekc(l, &n)) != UINT32_MAX && keylike_continue(c))
		l->pos += (uint32_t)n;
}

static rdy__tok lex_comment_or_slash(rdy__lexer *l, uint32_t start)
{
	if (eatc(l, '/')) {
		uint32_t c;
		while ((c = nextc(l)) != UINT32_MAX && c != '\n') {
		}
		return RDY_T_COMMENT;
	}
	if (!eatc(l, '*'))
		return RDY_T_SLASH;
	for (int depth = 1; depth > 0;) {
		uint32_t c = nextc(l);
		if (c == UINT32_MAX)
			rdy__wit_fail_at(l->w, start, "unterminated block comment");
		if (c == '/' && eatc(l, '*'))
			depth++;
		else if (c == '*' && eatc(l, '/'))
			depth--;
	}
	return RDY_T_COMMENT;
}

rdy__token rdy__lex_raw(rdy__lexer *l)
{
	rdy__token t;
	uint32_t lstart = l->pos, start = l->base + l->pos;
	uint32_t c = nextc(l);
	switch (c) {
	case UINT32_MAX:
		t.kind = RDY_T_EOF;
		break;
	case '\n': case '\t': case ' ':
		while (eatc(l, ' ') || eatc(l, '\t') || eatc(l, '\n')) {
		}
		t.kind = RDY_T_WS;
		break;
	case '/': t.kind = lex_comment_or_slash(l, start); break;
	case '=': t.kind = RDY_T_EQUALS; break;
	case ',': t.kind = RDY_T_COMMA; break;
	case ':': t.kind = RDY_T_COLON; break;
	case '.': t.kind = RDY_T_PERIOD; break;
	case ';': t.kind = RDY_T_SEMI; break;
	case '(': t.kind = RDY_T_LPAREN; break;
	case ')': t.kind = RDY_T_RPAREN; break;
	case '{': t.kind = RDY_T_LBRACE; break;
	case '}': t.kind = RDY_T_RBRACE; break;
	case '<': t.kind = RDY_T_LT; break;
	case '>': t.kind = RDY_T_GT; break;
	case '*': t.kind = RDY_T_STAR; break;
	case '@': t.kind = RDY_T_AT; break;
	case '+': t.kind = RDY_T_PLUS; break;
	case '-': t.kind = eatc(l, '>') ? RDY_T_RARROW : RDY_T_MINUS; break;
	case '%': {
		int n;
		uint32_t d = peekc(l, &n);
		if (d != UINT32_MAX && keylike_start(d)) {
			l->pos += (uint32_t)n;
			eat_keylike(l);
		}
		t.kind = RDY_T_EXPLICIT_ID;
		break;
	}
	case '"':
		lex_string(l, start);
		t.kind = RDY_T_STRING;
		break;
	default:
		if (keylike_start(c)) {
			eat_keylike(l);
			t.kind = keyword(l->text + lstart, l->pos - lstart);
		} else if (c >= '0' && c <= '9') {
			while (l->pos < l->len && l->text[l->pos] >= '0' && l->text[l->pos] <= '9')
				l->pos++;
			t.kind = RDY_T_INTEGER;
		} else {
			rdy__wit_fail_at(l->w, start, "unexpected character %s", char_desc(l, c));
		}
	}
	t.span.start = start;
	t.span.end = l->base + l->pos;
	return t;
}

rdy__token rdy__lex_next(rdy__lexer *l)
{
	rdy__token t;
	do
		t = rdy__lex_raw(l);
	while (t.kind == RDY_T_WS || t.kind == RDY_T_COMMENT);
	return t;
}

rdy__token rdy__lex_peek(const rdy__lexer *l)
{
	rdy__lexer c = *l;
	return rdy__lex_next(&c);
}

bool rdy__lex_eat(rdy__lexer *l, rdy__tok kind)
{
	rdy__lexer c = *l;
	if (rdy__lex_next(&c).kind != kind)
		return false;
	*l = c;
	return true;
}

_Noreturn void rdy__lex_wanted(rdy__lexer *l, const char *what, rdy__token found)
{
	if (found.kind == RDY_T_EOF) {
		rdy__span eof = { l->base + l->len, l->base + l->len };
		rdy__wit_fail(l->w, eof, "expected %s, found eof", what);
	}
	rdy__wit_fail(l->w, found.span, "expected %s, found %s", what, rdy__tok_describe(found.kind));
}

rdy__span rdy__lex_expect(rdy__lexer *l, rdy__tok kind)
{
	rdy__token t = rdy__lex_next(l);
	if (t.kind != kind) {
		if (t.kind == RDY_T_EOF)
			rdy__wit_fail_at(l->w, l->base + l->len, "expected %s, found eof", rdy__tok_describe(kind));
		rdy__wit_fail_at(l->w, t.span.start, "expected %s, found %s", rdy__tok_describe(kind),
				 rdy__tok_describe(t.kind));
	}
	return t.span;
}

const char *rdy__lex_text(const rdy__lexer *l, rdy__span s, uint32_t *len)
{
	*len = s.end - s.start;
	return l->text + (s.start - l->base);
}

void rdy__lex_validate_id(rdy__lexer *l, uint32_t at, const char *id, uint32_t len)
{
	if (len == 0)
		rdy__wit_fail_at(l->w, at, "identifiers must have characters between '-'s");
	uint32_t i = 0;
	for (int part = 0; i <= len; part++) {
		uint32_t end = i;
		while (end < len && id[end] != '-')
			end++;
		if (end == i)
			rdy__wit_fail_at(l->w, at, "identifiers must have characters between '-'s");
		unsigned char first = (unsigned char)id[i];
		bool alpha = (first | 0x20) >= 'a' && (first | 0x20) <= 'z';
		if (part == 0 && !alpha) {
			uint32_t c;
			rdy__utf8_decode(id + i, &c);
			rdy__wit_fail_at(l->w, at, "invalid character in identifier %s", char_desc(l, c));
		}
		int upper = -1;
		for (uint32_t k = i; k < end; k++) {
			unsigned char ch = (unsigned char)id[k];
			int u = ch >= 'A' && ch <= 'Z' ? 1 : ch >= 'a' && ch <= 'z' ? 0 : -1;
			if (ch >= '0' && ch <= '9')
				continue;
			if (u < 0 || (upper >= 0 && u != upper)) {
				uint32_t c;
				rdy__utf8_decode(id + k, &c);
				rdy__wit_fail_at(l->w, at, "invalid character in identifier %s", char_desc(l, c));
			}
			upper = u;
		}
		i = end + 1;
	}
}
