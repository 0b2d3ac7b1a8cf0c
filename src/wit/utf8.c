/* UTF-8 decoding and validation (RFC 3629), shared by the WIT lexer and the descriptor decoder. */
#include "wit/utf8.h"

int rdy__utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xe0) {
		*cp = ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
		return 2;
	}
	if (u[0] < 0xf0) {
		*cp = ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
		return 3;
	}
	*cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3f) << 12) |
	      ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
	return 4;
}

/* RFC 3629: rejects overlongs, surrogates and code points past U+10FFFF. */
size_t rdy__utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = u[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		if (u[i + 1] < lo || u[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= n; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return i;
		i += n + 1;
	}
	return i;
}

/*
 * Identifier characters as the reference lexes them: XID_Start / XID_Continue,
 * '_' and '-'.  Outside ASCII this approximates XID by excluding the blocks
 * of punctuation, symbols and controls; either way a non-ASCII character in
 * an identifier is then refused by rdy__lex_validate_id.
 */
