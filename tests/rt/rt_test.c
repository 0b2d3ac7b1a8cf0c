/* The host's side of tests/rt/wit: see rt_test.h. */
#include "rt_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

const uint8_t rt_host_desc[] = {
#include "host/desc.inc"
};
const size_t rt_host_desc_len = sizeof rt_host_desc;

static int32_t host_log(void *ctx, const rdy_string_t *msg)
{
	rt_host *h = ctx;
	snprintf(h->log, sizeof h->log, "%.*s", (int)msg->len, msg->ptr);
	h->nlogs++;
	return RDY_OK;
}

static int32_t host_scale(void *ctx, uint32_t x, uint32_t *ret)
{
	*ret = x * ((const rt_host *)ctx)->factor;
	return RDY_OK;
}

static int32_t host_hint(void *ctx, uint32_t *ret)
{
	*ret = ((const rt_host *)ctx)->hint;
	return RDY_OK;
}

const rdy_func_v1 rt_imports[H_NIMPORTS] = {
	[H_LOG] = { (rdy_fn)host_log, NULL },
	[H_SCALE] = { (rdy_fn)host_scale, NULL },
	[H_HINT] = { (rdy_fn)host_hint, NULL },
	[H_CLOCK] = { NULL, NULL },        /* gated: the host leaves it out */
};

typedef int32_t add_fn(void *self, uint32_t a, uint32_t b, uint32_t *ret);
typedef int32_t greet_fn(void *self, const rdy_string_t *name, rdy_string_t *ret);
typedef int32_t u32_fn(void *self, uint32_t *ret);
typedef int32_t scaled_fn(void *self, uint32_t x, uint32_t *ret);

static const rdy_func_v1 *exported(const rdy_instance *inst, int i)
{
	return &rdy_instance_exports(inst)[i];
}

int32_t rt_add(const rdy_instance *inst, uint32_t a, uint32_t b, uint32_t *ret)
{
	return ((add_fn *)exported(inst, E_ADD)->call)(rdy_instance_self(inst), a, b, ret);
}

int32_t rt_total(const rdy_instance *inst, uint32_t *ret)
{
	return ((u32_fn *)exported(inst, E_TOTAL)->call)(rdy_instance_self(inst), ret);
}

int32_t rt_scaled(const rdy_instance *inst, uint32_t x, uint32_t *ret)
{
	return ((scaled_fn *)exported(inst, E_SCALED)->call)(rdy_instance_self(inst), x, ret);
}

int32_t rt_greet(const rdy_instance *inst, const char *name, char *out, size_t n)
{
	const rdy_func_v1 *f = exported(inst, E_GREET);
	rdy_string_t arg = rdy_str(name), r;
	int32_t status = ((greet_fn *)f->call)(rdy_instance_self(inst), &arg, &r);
	if (status == RDY_OK) {
		snprintf(out, n, "%.*s", (int)r.len, r.ptr);
		f->release(rdy_instance_self(inst), &r);
	}
	return status;
}

rdy_world *rt_world(void)
{
	rdy_error *e = NULL;
	rdy_world *w = rdy_world_new(rt_host_desc, rt_host_desc_len, &e);
	if (!w)
		fail_msg("rdy_world_new: %s", rdy_error_message(e));
	return w;
}

rdy_module *rt_open(rdy_world *w, const char *path)
{
	rdy_error *e = NULL;
	rdy_module *m = rdy_module_open(w, path, &e);
	if (!m)
		fail_msg("rdy_module_open: %s", rdy_error_message(e));
	return m;
}

void rt_close(rdy_module *m)
{
	rdy_error *e = NULL;
	if (rdy_module_close(m, &e) != RDY_OK)
		fail_msg("rdy_module_close: %s", rdy_error_message(e));
}
