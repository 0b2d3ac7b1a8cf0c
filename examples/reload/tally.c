/*
 * The tally plugin: it counts the names it is given and keeps them in a
 * list, and greets each one.  Its state, the count and the list, moves to
 * the next build when the host reloads it, through rdy:reload/state: save
 * writes it out, the next build's restore reads it back.
 *
 * make demo builds this file three times, each time after an edit:
 *
 *   GREETING      "Hello", then "Welcome back": the new code, which takes
 *                 over the old build's state;
 *   STATE_FORMAT  1, then 2 in a build that reads only its own format:
 *                 its restore refuses the state, and the old build goes on.
 *
 * The host calls it from one thread, and the runtime calls save and
 * restore only while calls are held, so the state needs no lock.
 */
#include "tally_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What every reading says to the name added: the line the demo edits. */
#define GREETING "Hello"

/*
 * The layout of the saved state, which the next build must read:
 *
 *   1 byte    STATE_FORMAT
 *   4 bytes   the count, little-endian
 *   then per name, oldest first: its length (4 bytes, little-endian), its bytes
 */
#define STATE_FORMAT 1

struct rdy_state {
	uint32_t count;                    /* names added */
	rdy_string_t *names;               /* each one, oldest first */
	uint32_t nnames, cap;
};

int32_t example_tally_plugin_instance_new(const rdy_imports_v1 *imports, example_tally_plugin_state_t **state)
{
	(void)imports;
	return (*state = calloc(1, sizeof **state)) ? RDY_OK : RDY_ETRAP;
}

void example_tally_plugin_instance_free(example_tally_plugin_state_t *s)
{
	for (uint32_t i = 0; i < s->nnames; i++)
		rdy_string_free(&s->names[i]);
	free(s->names);
	free(s);
}

/* Appends a copy of the LEN bytes at P to the list; false when memory runs out. */
static bool append(example_tally_plugin_state_t *s, const char *p, size_t len)
{
	if (s->nnames == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 16;
		rdy_string_t *v = realloc(s->names, cap * sizeof *v);
		if (!v)
			return false;
		s->names = v;
		s->cap = cap;
	}
	if (!rdy_string_dup(&s->names[s->nnames], p, len))
		return false;
	s->nnames++;
	return true;
}

int32_t exports_example_tally_tally_add(example_tally_plugin_state_t *s, const rdy_string_t *name,
					example_tally_tally_reading_t *ret)
{
	memset(ret, 0, sizeof *ret);
	if (!append(s, name->ptr, name->len))
		return RDY_ETRAP;
	s->count++;
	char greeting[128];
	int n = snprintf(greeting, sizeof greeting, "%s, %.*s!", GREETING, (int)(name->len > 64 ? 64 : name->len),
			 name->ptr);
	example_tally_plugin_list_string_t all = { s->names, s->nnames };
	if (n < 0 || !rdy_string_dup(&ret->greeting, greeting, (size_t)n))
		return RDY_ETRAP;
	ret->count = s->count;
	if (!example_tally_plugin_list_string_copy(&ret->names, &all)) {
		rdy_string_free(&ret->greeting);
		return RDY_ETRAP;
	}
	return RDY_OK;
}

/* ---- rdy:reload/state ---------------------------------------------------------- */

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int32_t exports_rdy_reload_state_save(example_tally_plugin_state_t *s, example_tally_plugin_list_u8_t *ret)
{
	size_t len = 1 + 4;
	for (uint32_t i = 0; i < s->nnames; i++)
		len += 4 + s->names[i].len;
	uint8_t *buf = malloc(len), *p = buf;
	if (!buf)
		return RDY_ETRAP;
	*p++ = STATE_FORMAT;
	p = put32(p, s->count);
	for (uint32_t i = 0; i < s->nnames; i++) {
		p = put32(p, (uint32_t)s->names[i].len);
		memcpy(p, s->names[i].ptr, s->names[i].len);
		p += s->names[i].len;
	}
	ret->ptr = buf;
	ret->len = len;
	return RDY_OK;
}

/* An error result: the state is not taken, and the old build goes on. */
static int32_t refuse(example_tally_plugin_result_void_string_t *ret, const char *fmt, unsigned a, unsigned b)
{
	char msg[160];
	int n = snprintf(msg, sizeof msg, fmt, a, b);
	ret->is_err = 1;
	return n >= 0 && rdy_string_dup(&ret->val.err, msg, (size_t)n) ? RDY_OK : RDY_ETRAP;
}

int32_t exports_rdy_reload_state_restore(example_tally_plugin_state_t *s, const example_tally_plugin_list_u8_t *state,
					 example_tally_plugin_result_void_string_t *ret)
{
	memset(ret, 0, sizeof *ret);
	const uint8_t *p = state->ptr, *end = state->ptr + state->len;
	if (state->len < 1 + 4)
		return refuse(ret, "the state has %u bytes, fewer than its header's %u", (unsigned)state->len, 5);
	if (p[0] != STATE_FORMAT)
		return refuse(ret, "it is in format %u, and this build reads format %u only", p[0], STATE_FORMAT);
	uint32_t count = get32(p + 1);
	for (p += 5; p < end;) {
		if (end - p < 4 || get32(p) > (size_t)(end - p) - 4)
			return refuse(ret, "the state is cut short after %u names of %u", s->nnames, count);
		uint32_t len = get32(p);
		if (!append(s, (const char *)p + 4, len))
			return RDY_ETRAP;
		p += 4 + len;
	}
	s->count = count;
	return RDY_OK;
}
