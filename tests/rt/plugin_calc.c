/*
 * The test plugin, written by hand as `rdy gen c` will write it
 * (docs/abi.md §3, §7): the calc interface of wit/plugin.  Each instance
 * keeps the total of its sums and reaches its own host through the import
 * table it was created with.
 */
#include "plugin.h"

#include <string.h>

#ifdef RT_CXX
/* plugin_cxx.cc, which some variants add: runs at each instance's creation, on the creating thread. */
void rt_cxx_new(void);
#endif

/* The imports, in the order of this plugin's descriptor. */
enum { IMPORT_SCALE, IMPORT_LOG, IMPORT_HINT, IMPORT_CLOCK, NIMPORTS };

typedef int32_t scale_fn(void *ctx, uint32_t x, uint32_t *ret);
typedef int32_t log_fn(void *ctx, const rdy_string_t *msg);
typedef int32_t hint_fn(void *ctx, uint32_t *ret);

typedef struct state {
	const rdy_imports_v1 *imports;     /* the runtime keeps it alive as long as the instance */
	uint32_t total;                    /* of every `add` result */
} state;

static int32_t add(void *self, uint32_t a, uint32_t b, uint32_t *ret)
{
	state *s = self;
	*ret = a + b;
	s->total += *ret;
	return RDY_OK;
}

/* "hello, NAME": the result's bytes are the plugin's until release_string. */
static int32_t greet(void *self, const rdy_string_t *name, rdy_string_t *ret)
{
	static const char hello[] = "hello, ";
	(void)self;
	char *p = malloc(sizeof hello - 1 + name->len);
	if (!p)
		return RDY_ETRAP;
	memcpy(p, hello, sizeof hello - 1);
	if (name->len)
		memcpy(p + sizeof hello - 1, name->ptr, name->len);
	ret->ptr = p;
	ret->len = sizeof hello - 1 + name->len;
	return RDY_OK;
}

static void release_string(void *self, void *ret)
{
	(void)self;
	rdy_string_free(ret);
}

static int32_t total(void *self, uint32_t *ret)
{
	*ret = ((const state *)self)->total;
	return RDY_OK;
}

/* The host's scale of X, plus its hint when it gives one; logged with the host. */
static int32_t scaled(void *self, uint32_t x, uint32_t *ret)
{
	const rdy_imports_v1 *im = ((const state *)self)->imports;
	const rdy_func_v1 *f = im->funcs;
	uint32_t y, hint = 0;
	int32_t status = ((scale_fn *)f[IMPORT_SCALE].call)(im->ctx, x, &y);
	if (status == RDY_OK && f[IMPORT_HINT].call)
		status = ((hint_fn *)f[IMPORT_HINT].call)(im->ctx, &hint);
	char text[64];
	snprintf(text, sizeof text, "scaled %u", (unsigned)x);
	rdy_string_t msg = rdy_str(text);
	if (status == RDY_OK)
		status = ((log_fn *)f[IMPORT_LOG].call)(im->ctx, &msg);
	if (status == RDY_OK)
		*ret = y + hint;
	return status;
}

/* The exports, in the order of this plugin's descriptor. */
static const rdy_func_v1 exports[] = {
	{ (rdy_fn)add, NULL },
	{ (rdy_fn)greet, release_string },
	{ (rdy_fn)total, NULL },
	{ (rdy_fn)scaled, NULL },
};

/* The host leaves `clock` out, being gated, so its entry must be absent: a test of the runtime's binding. */
static int32_t instance_new(const rdy_imports_v1 *imports, void **self)
{
	if (imports->nfuncs != NIMPORTS || imports->funcs[IMPORT_CLOCK].call || imports->funcs[IMPORT_CLOCK].release)
		return RDY_ETRAP;
	state *s = calloc(1, sizeof *s);
	if (!s)
		return RDY_ETRAP;
	s->imports = imports;
#ifdef RT_CXX
	rt_cxx_new();
#endif
	*self = s;
	return RDY_OK;
}

static void instance_free(void *self)
{
	free(self);
}

RT_EXPORT const rdy_plugin_root_v1 rdy_plugin_v1 = {
	.magic = { 0x7f, 'R', 'D', 'Y' },
	.major = RDY_ABI_MAJOR,
	.minor = RDY_ABI_MINOR,
	.size = sizeof(rdy_plugin_root_v1),
	.descriptor = rt_descriptor,
	.descriptor_len = sizeof rt_descriptor,
	.producer = "rdylib tests (by hand)",
	.exports = exports,
	.nexports = sizeof exports / sizeof *exports,
	.nimports = NIMPORTS,
	.instance_new = instance_new,
	.instance_free = instance_free,
};
