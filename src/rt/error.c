/* Error objects and the texts of status codes. */
#include "rt/rt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rdy_error {
	int code;
	const char *message;               /* just after the struct, or static */
};

/* What a failure gives when even its error cannot be allocated; never freed. */
static rdy_error out_of_memory = { RDY_ENOMEM, "out of memory" };

static const char *const texts[] = {
	[RDY_OK] = "success",
	[RDY_ETRAP] = "the callee trapped",
	[RDY_EABSENT] = "the item is absent",
	[RDY_ENOMEM] = "out of memory",
	[RDY_EINVAL] = "a bad argument to the runtime",
	[RDY_EIO] = "a file could not be read",
	[RDY_EFORMAT] = "not an rdylib plugin, or a damaged one",
	[RDY_EINCOMPATIBLE] = "the plugin does not match the host's world",
	[RDY_EDLOPEN] = "the dynamic loader refused the object",
	[RDY_EBUSY] = "still in use",
	[RDY_EDEAD] = "the instance or handle was closed",
	[RDY_EKEPT] = "unloaded, but the dynamic linker kept the object mapped",
	[RDY_EHANDLE] = "not a valid handle here",
};

RDY_API const char *rdy_strerror(int code)
{
	if (code >= 0 && (size_t)code < sizeof texts / sizeof *texts)
		return texts[code];
	return "the callee trapped with a status of its own";
}

RDY_API int rdy_error_code(const rdy_error *e)
{
	return e ? e->code : RDY_OK;
}

RDY_API const char *rdy_error_message(const rdy_error *e)
{
	return e ? e->message : "";
}

RDY_API void rdy_error_free(rdy_error *e)
{
	if (e != &out_of_memory)
		free(e);
}

/* An error with room for a message of LEN bytes, or the static one. */
static rdy_error *error_new(int code, size_t len, char **text)
{
	rdy_error *e = len < SIZE_MAX - sizeof *e ? malloc(sizeof *e + len + 1) : NULL;
	if (!e)
		return &out_of_memory;
	*text = (char *)(e + 1);
	e->code = code;
	e->message = *text;
	return e;
}

int rdy__fail(rdy_error **err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *text;
	*err = n < 0 ? &out_of_memory : error_new(code, (size_t)n, &text);
	if (*err != &out_of_memory) {
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return code;
}

int rdy__fail_lines(rdy_error **err, int code, char *const *lines, uint32_t n)
{
	if (!err)
		return code;
	size_t len = 0;
	for (uint32_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	char *text;
	*err = error_new(code, len, &text);
	if (*err == &out_of_memory)
		return code;
	for (uint32_t i = 0; i < n; i++) {
		size_t k = strlen(lines[i]);
		if (i)
			*text++ = '\n';
		memcpy(text, lines[i], k);
		text += k;
	}
	*text = '\0';
	return code;
}

bool rdy__nomem(const char *msg)
{
	return !strcmp(msg, "out of memory"); /* the decoder's whole message then, as desc.h says */
}
