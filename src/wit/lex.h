/*
 * WIT lexer (WIT.md "Lexical structure"; the reference's ast/lex.rs).
 *
 * Positions are global offsets into the resolution's source map, so a span
 * names its file too.  Lexing errors do not return: they raise through
 * rdy__wit_fail_at.
 */
#ifndef RDY_WIT_LEX_H
#define RDY_WIT_LEX_H

#include "wit/utf8.h"
#include "wit/wit.h"

#include <stdbool.h>
#include <stdint.h>

struct rdy_wit;

/* X(name, description) for punctuation and classes, K(name, keyword). */
#define RDY_TOKENS(X, K)                                   \
	X(WS, "whitespace") X(COMMENT, "a comment")         \
	X(EQUALS, "'='") X(COMMA, "','") X(COLON, "':'")      \
	X(PERIOD, "'.'") X(SEMI, "';'") X(LPAREN, "'('")      \
	X(RPAREN, "')'") X(LBRACE, "'{'") X(RBRACE, "'}'")    \
	X(LT, "'<'") X(GT, "'>'") X(RARROW, "`->`")           \
	X(STAR, "`*`") X(AT, "`@`") X(SLASH, "`/`")           \
	X(PLUS, "`+`") X(MINUS, "`-`")                        \
	X(STRING, "a string literal") X(ID, "an identifier")  \
	X(EXPLICIT_ID, "an '%' identifier")                   \
	X(INTEGER, "an integer")                              \
	K(USE, "use") K(TYPE, "type") K(FUNC, "func")         \
	K(U8, "u8") K(U16, "u16") K(U32, "u32") K(U64, "u64") \
	K(S8, "s8") K(S16, "s16") K(S32, "s32") K(S64, "s64") \
	K(F32, "f32") K(F64, "f64") K(CHAR, "char")           \
	K(RESOURCE, "resource") K(OWN, "own")                 \
	K(BORROW, "borrow") K(RECORD, "record")               \
	K(FLAGS, "flags") K(VARIANT, "variant")               \
	K(ENUM, "enum") K(BOOL, "bool") K(STRING_, "string")  \
	K(OPTION, "option") K(RESULT, "result")               \
	K(FUTURE, "future") K(STREAM, "stream")               \
	K(ERROR_CONTEXT, "error-context") K(LIST, "list")     \
	K(MAP, "map") K(UNDERSCORE, "_") K(AS, "as")          \
	K(FROM, "from") K(STATIC, "static")                   \
	K(INTERFACE, "interface") K(TUPLE, "tuple")           \
	K(IMPORT, "import") K(EXPORT, "export")               \
	K(WORLD, "world") K(PACKAGE, "package")               \
	K(CONSTRUCTOR, "constructor") K(INCLUDE, "include")   \
	K(WITH, "with") K(ASYNC, "async")

typedef enum rdy__tok {
#define RDY_TOK_X(n, d) RDY_T_##n,
#define RDY_TOK_K(n, k) RDY_T_##n,
	RDY_TOKENS(RDY_TOK_X, RDY_TOK_K)
#undef RDY_TOK_X
#undef RDY_TOK_K
	RDY_T_EOF
} rdy__tok;

typedef rdy_wit_span rdy__span;      /* global offsets, end exclusive */

typedef struct rdy__token {
	rdy__tok kind;
	rdy__span span;
} rdy__token;

typedef struct rdy__lexer {
	struct rdy_wit *w;
	const char *text;                  /* this file's bytes, valid UTF-8 */
	uint32_t len;
	uint32_t base;                     /* global offset of text[0] */
	uint32_t pos;                      /* local offset of the next byte */
} rdy__lexer;

/* Checks the whole input for forbidden code points, then skips a BOM. */
void rdy__lex_init(rdy__lexer *l, struct rdy_wit *w, const char *text, uint32_t len, uint32_t base);
/* Next token including whitespace and comments; RDY_T_EOF at the end. */
rdy__token rdy__lex_raw(rdy__lexer *l);
/* Next significant token. */
rdy__token rdy__lex_next(rdy__lexer *l);
rdy__token rdy__lex_peek(const rdy__lexer *l);
bool rdy__lex_eat(rdy__lexer *l, rdy__tok kind);
rdy__span rdy__lex_expect(rdy__lexer *l, rdy__tok kind);
/* Raises "expected WHAT, found <token>" at TOKEN. */
_Noreturn void rdy__lex_wanted(rdy__lexer *l, const char *what, rdy__token found);
const char *rdy__tok_describe(rdy__tok kind);
/* The token's bytes. */
const char *rdy__lex_text(const rdy__lexer *l, rdy__span s, uint32_t *len);
/* Validates an identifier (kebab-case words, each all lower or all upper case). */
void rdy__lex_validate_id(rdy__lexer *l, uint32_t at, const char *id, uint32_t len);

#endif
