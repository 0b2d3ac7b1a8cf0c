/* UTF-8, as WIT source and descriptor strings use it. */
#ifndef RDY_WIT_UTF8_H
#define RDY_WIT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 sequence of valid input; returns its length. */
int rdy__utf8_decode(const char *s, uint32_t *cp);
/* Length of the valid UTF-8 prefix of S. */
size_t rdy__utf8_valid(const char *s, size_t len);

#endif
