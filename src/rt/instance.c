/*
 * Instances: a module's state, created by its root symbol's instance_new
 * with an import table of its own.  The export table is the module's,
 * shared by every instance, since the plugin tells instances apart by SELF.
 */
#include "rt/rt.h"

#include <stdlib.h>
#include <string.h>

/*
 * The plugin's import table, in its order, from the host's IMPORTS, in the
 * host's: an import the host lacks or leaves NULL is absent, which only a
 * gated one may be.
 */
static int bind_imports(rdy_instance *inst, const rdy_func_v1 *imports, rdy_error **err)
{
	const rdy_module *m = inst->module;
	const rdy__verified *v = m->v;
	for (uint32_t i = 0; i < v->nimports; i++) {
		uint32_t k = v->import_map[i];
		rdy_func_v1 f = k == UINT32_MAX ? (rdy_func_v1){ NULL, NULL } : imports[k];
		if (!f.call && !rdy__import_gated(v, i)) {
			char name[512];
			rdy__func_name(rdy_desc_model(v->desc), rdy_desc_world(v->desc), false, &v->imports[i], name,
				       sizeof name);
			return rdy__fail(err, RDY_EINVAL, "%s: the host does not provide import %s", m->path, name);
		}
		inst->funcs[i] = f.call ? f : (rdy_func_v1){ NULL, NULL };
	}
	return RDY_OK;
}

/* An instance of M from IMPORTS (the host's, in its order); under the lock.  Not yet counted or listed. */
static rdy_instance *instance_make(rdy_module *m, const rdy_func_v1 *imports, void *ctx, bool pass_instance,
				   const rdy_drop_fn *given, rdy_error **err)
{
	uint32_t n = m->v->nimports, nd = m->world->niresources;
	rdy_instance *inst = malloc(sizeof *inst + n * sizeof *inst->funcs);
	rdy_drop_fn *drops = nd ? malloc(nd * sizeof *drops) : NULL;
	if (!inst || (nd && !drops)) {
		free(inst);
		free(drops);
		rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
		return NULL;
	}
	if (nd)
		memcpy(drops, given, nd * sizeof *drops);
	inst->module = m;
	inst->self = NULL;
	inst->first = 0;
	inst->nhandles = 0;
	inst->dead = false;
	inst->closing = false;
	inst->results = 0;
	inst->dead_first = 0;
	inst->ndead = 0;
	inst->nobjects = 0;
	inst->calls = 0;
	inst->retiring = false;
	inst->next_old = NULL;
	inst->ctx = ctx;
	inst->drops = drops;
	inst->lv = NULL;
	inst->imports = (rdy_imports_v1){ pass_instance ? (void *)inst : ctx, n, sizeof(rdy_imports_v1), inst->funcs,
					  &rdy__handles, inst };
	if (bind_imports(inst, imports, err) != RDY_OK) {
		free(drops);
		free(inst);
		return NULL;
	}
	int32_t status = m->root->instance_new(&inst->imports, &inst->self);
	if (status != RDY_OK) {
		rdy__fail(err, RDY_ETRAP, "%s: instance_new trapped (status %d)", m->path, (int)status);
		inst->dead = true; /* no state: only the host's objects it was given are destroyed */
		rdy__handles_kill(inst);
		rdy__handles_free_dead(inst);
		free(drops);
		free(inst);
		return NULL;
	}
	inst->build = (rdy_build){ inst->self, m->exports, inst, m->build };
	return inst;
}

/*
 * A reloadable instance's record across builds, for FIRST, its first
 * build: the host's imports kept in its order, since each build binds them
 * in its own, and the host's rdy_instance, which is no build's, so that
 * any build's handles can be named through it (handle.c routes them).
 */
static rdy__live *live_new(rdy_instance *first, const rdy_instance_config *c)
{
	uint32_t nd = first->module->world->niresources;
	rdy__live *lv = calloc(1, sizeof *lv);
	rdy_instance *host = calloc(1, sizeof *host);
	rdy_func_v1 *imports = c->nimports ? malloc(c->nimports * sizeof *imports) : NULL;
	rdy_drop_fn *drops = nd ? malloc(nd * sizeof *drops) : NULL;
	if (!lv || !host || (c->nimports && !imports) || (nd && !drops)) {
		free(lv);
		free(host);
		free(imports);
		free(drops);
		return NULL;
	}
	if (c->nimports)
		memcpy(imports, c->imports, c->nimports * sizeof *imports);
	if (nd)
		memcpy(drops, first->drops, nd * sizeof *drops);
	host->module = first->module;
	host->ctx = c->ctx;
	host->drops = drops;
	host->lv = lv;
	*lv = (rdy__live){ { &first->build }, host, first, NULL, imports, c->nimports, c->ctx, c->pass_instance, 0, NULL };
	first->lv = lv;
	return lv;
}

/* The steps of rdy_instance_create, under the lock. */
static rdy_instance *instance_new(rdy_module *m, const rdy_instance_config *c, rdy_error **err)
{
	rdy_instance *inst = instance_make(m, c->imports, c->ctx, c->pass_instance, c->drops, err);
	if (inst && m->reloadable) {
		rdy__live *lv = live_new(inst, c);
		if (!lv) {
			m->root->instance_free(inst->self);
			rdy__instance_release(inst);
			rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
			return NULL;
		}
		lv->next = m->lives;
		m->lives = lv;
		inst = lv->anchor;
	}
	if (inst)
		m->live++;
	return inst;
}

rdy_instance *rdy__instance_build(rdy_module *m, rdy__live *lv, rdy_error **err)
{
	rdy_instance *inst = instance_make(m, lv->imports, lv->ctx, lv->pass_instance, lv->anchor->drops, err);
	if (inst)
		inst->lv = lv;
	return inst;
}

void rdy__instance_release(rdy_instance *inst)
{
	rdy__handles_free_dead(inst);
	free(inst->drops);
	free(inst);
}

RDY_API rdy_instance *rdy_instance_create(rdy_module *m, const rdy_instance_config *c, rdy_error **err)
{
	if (!m || !c) {
		rdy__fail(err, RDY_EINVAL, "rdy_instance_create: no %s", m ? "configuration" : "module");
		return NULL;
	}
	if (c->nimports != m->world->nimports || (c->nimports && !c->imports)) {
		rdy__fail(err, RDY_EINVAL, "%s: %u imports given, the host's world has %u", m->path,
			  c->imports ? c->nimports : 0, m->world->nimports);
		return NULL;
	}
	if (c->ndrops != m->world->niresources || (c->ndrops && !c->drops)) {
		rdy__fail(err, RDY_EINVAL, "%s: %u destructors given, the host's world imports %u resources", m->path,
			  c->drops ? c->ndrops : 0, m->world->niresources);
		return NULL;
	}
	pthread_mutex_lock(&rdy__lock);
	rdy_instance *inst = instance_new(m, c, err);
	pthread_mutex_unlock(&rdy__lock);
	return inst;
}

RDY_API rdy_instance *rdy_instance_new(rdy_module *m, const rdy_func_v1 *imports, uint32_t nimports, void *ctx,
				       rdy_error **err)
{
	if (!m) {
		rdy__fail(err, RDY_EINVAL, "rdy_instance_new: no module");
		return NULL;
	}
	rdy_instance_config c = { imports, nimports, ctx, false, NULL, 0 };
	/* Without destructors the host's objects would never be freed: those worlds need rdy_instance_create. */
	if (m->world->niresources) {
		rdy__fail(err, RDY_EINVAL, "%s: the host's world imports resources: create instances with "
			  "rdy_instance_create and their destructors", m->path);
		return NULL;
	}
	return rdy_instance_create(m, &c, err);
}

RDY_API uint64_t *rdy_instance_results(rdy_instance *inst)
{
	return !inst ? NULL : inst->lv ? &inst->lv->results : &inst->results;
}

RDY_API rdy_live *rdy_instance_live(const rdy_instance *inst)
{
	return inst && inst->lv ? &inst->lv->pub : NULL;
}

RDY_API void *rdy_instance_ctx(const rdy_instance *inst)
{
	return inst ? inst->ctx : NULL;
}

/* Takes LV out of its module's list; under the lock. */
static void live_unlist(rdy__live *lv)
{
	for (rdy__live **p = &lv->cur->module->lives; *p; p = &(*p)->next) {
		if (*p == lv) {
			*p = lv->next;
			return;
		}
	}
}

RDY_API int rdy_instance_free(rdy_instance *inst, rdy_error **err)
{
	if (!inst)
		return RDY_OK;
	pthread_mutex_lock(&rdy__lock);
	rdy__live *lv = inst->lv;
	rdy_instance *host = inst, *old = NULL;
	inst = rdy__serving(inst);
	int rc = rdy__handles_busy(inst, err);
	if (rc == RDY_OK && lv)
		rc = rdy__retiring_busy(lv, err);
	uint64_t results = __atomic_load_n(lv ? &lv->results : &inst->results, __ATOMIC_RELAXED);
	if (rc == RDY_OK && results)
		rc = rdy__fail(err, RDY_EBUSY, "%s: %llu result%s of its exports %s still unreleased", inst->module->path,
			       (unsigned long long)results, results == 1 ? "" : "s", results == 1 ? "is" : "are");
	if (rc == RDY_OK) {
		__atomic_store_n(&inst->closing, true, __ATOMIC_RELEASE);
		if (!inst->dead)
			inst->module->root->instance_free(inst->self);
		inst->module->live--;
		if (lv) {
			live_unlist(lv);
			old = rdy__retire_take(lv);
		}
	}
	pthread_mutex_unlock(&rdy__lock);
	if (rc == RDY_OK) {
		rdy__retire(old); /* earlier builds left empty, or killed: the host's destructors run unlocked */
		rdy__instance_release(inst);
		if (lv) {
			rdy__instance_release(host);
			free(lv->imports);
			free(lv);
		}
	}
	return rc;
}

RDY_API void rdy_instance_kill(rdy_instance *inst)
{
	if (!inst)
		return;
	rdy__live *lv = inst->lv;
	/* Once, and the destructors with no lock held ([H-DROP]): they may call back into the host. */
	pthread_mutex_lock(&rdy__lock);
	inst = rdy__serving(inst); /* with CLOSING set in the same hold: a reload then waits for the kill */
	bool first = !inst->closing;
	__atomic_store_n(&inst->closing, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rdy__lock);
	if (!first)
		return;
	rdy__handles_kill(inst);
	pthread_mutex_lock(&rdy__lock);
	inst->module->root->instance_free(inst->self);
	inst->self = NULL;
	inst->build.self = NULL;
	inst->dead = true;
	pthread_mutex_unlock(&rdy__lock);
	if (lv) /* and the earlier builds that still serve objects: their handles die too */
		rdy__retire_all(lv);
}

/*
 * These three name the build serving for a reloadable instance: the host
 * reads them once, at instantiation; later calls go through rdy_live.
 */
RDY_API const rdy_func_v1 *rdy_instance_exports(const rdy_instance *inst)
{
	return inst ? inst->module->exports : NULL;
}

RDY_API void *rdy_instance_self(const rdy_instance *inst)
{
	inst = rdy__serving((rdy_instance *)inst);
	return inst ? inst->self : NULL;
}

RDY_API rdy_module *rdy_instance_module(const rdy_instance *inst)
{
	return inst ? inst->module : NULL;
}
