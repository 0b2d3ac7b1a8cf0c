/*
 * Opening and closing a plugin (docs/abi.md §7, §8).
 *
 * Everything the file can tell is checked before dlopen, so a plugin that is
 * refused has run no code: its descriptor and root symbol are read with
 * libelf, the descriptor is decoded and checked against the host's world.
 * Only then is the object loaded, and its root symbol validated field by
 * field against what was read.  A failure at any step undoes every earlier
 * one.  Every message starts with the path as given.
 */
#include "rt/rt.h"
#include "abi/check.h"
#include "abi/elf.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an open holds until it succeeds or is undone, beside the module. */
typedef struct opening {
	uint8_t *bytes;                    /* the descriptor, as read from the file */
	size_t len;
	rdy_abi_fref *exports;             /* the plugin's exports, in the root symbol's order */
	uint32_t nexports;
} opening;

/* The descriptor and root symbol, from the file: nothing is loaded. */
static int read_file(rdy_module *m, opening *o, rdy_error **err)
{
	static const int codes[] = { RDY_OK, RDY_EFORMAT, RDY_EIO, RDY_ENOMEM }; /* for 0, -1, -2, -3 */
	size_t n = strlen(m->path) + 512;
	char *msg = malloc(n);
	if (!msg)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	int rc = codes[-rdy_elf_read_plugin(m->path, RDY_PLUGIN_SYMBOL, sizeof(rdy_plugin_root_v1), &o->bytes,
					    &o->len, msg, n)];
	if (rc != RDY_OK)
		rdy__fail(err, rc, "%s", msg);
	free(msg);
	return rc;
}

static int decode(rdy_module *m, const opening *o, rdy_error **err)
{
	char msg[512];
	if (!(m->desc = rdy_desc_decode(o->bytes, o->len, msg, sizeof msg)))
		return rdy__nomem(msg) ? rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path)
				       : rdy__fail(err, RDY_EFORMAT, "%s: %s", m->path, msg);
	if (rdy_desc_side(m->desc) != RDY_SIDE_PLUGIN)
		return rdy__fail(err, RDY_EFORMAT, "%s: its descriptor describes a host, not a plugin", m->path);
	return RDY_OK;
}

/* The compatibility check (§8); the lines of items that bind as absent are kept. */
static int check(rdy_module *m, rdy_error **err)
{
	const rdy_world *w = m->world;
	rdy_check_report r;
	int rc = rdy_check_worlds(w->m, w->w, rdy_desc_model(m->desc), rdy_desc_world(m->desc), m->path, &r);
	if (rc < 0)
		rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	else if (rc > 0)
		rc = rdy__fail_lines(err, RDY_EINCOMPATIBLE, r.errors, r.nerrors);
	if (rc == RDY_OK) {
		m->absent = r.absent;
		m->nabsent = r.nabsent;
		r.absent = NULL;
		r.nabsent = 0;
	}
	rdy_check_report_free(&r);
	return rc;
}

/* The plugin's function lists, which its root symbol's tables must match. */
static int list_functions(rdy_module *m, opening *o, rdy_error **err)
{
	const rdy_wit_model *pm = rdy_desc_model(m->desc);
	int pw = rdy_desc_world(m->desc);
	if (rdy_abi_world_funcs(pm, pw, true, &o->exports, &o->nexports) < 0 ||
	    rdy_abi_world_funcs(pm, pw, false, &m->imports, &m->nimports) < 0)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	return RDY_OK;
}

/* dlerror's text, less the object's name that it usually starts with. */
static const char *dl_reason(const char *name)
{
	const char *e = dlerror();
	size_t n = strlen(name);
	if (!e)
		return "unknown error";
	return !strncmp(e, name, n) && !strncmp(e + n, ": ", 2) ? e + n + 2 : e;
}

static int load(rdy_module *m, rdy_error **err)
{
	/* A name without a slash would send dlopen searching the library path, past the file just checked. */
	size_t n = strlen(m->path) + 3;
	char *name = malloc(n);
	if (!name)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	snprintf(name, n, "%s%s", strchr(m->path, '/') ? "" : "./", m->path);
	int rc = RDY_OK;
	if (!(m->dl = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
		rc = rdy__fail(err, RDY_EDLOPEN, "%s: dlopen: %s", m->path, dl_reason(name));
	else if (!(m->root = dlsym(m->dl, RDY_PLUGIN_SYMBOL)))
		rc = rdy__fail(err, RDY_EFORMAT, "%s: no root symbol `" RDY_PLUGIN_SYMBOL "`: not an rdylib plugin",
			       m->path);
	free(name);
	return rc;
}

static int bad_root(const rdy_module *m, rdy_error **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Always RDY_EFORMAT: "PATH: root symbol's " and FMT. */
static int bad_root(const rdy_module *m, rdy_error **err, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return rdy__fail(err, RDY_EFORMAT, "%s: root symbol's %s", m->path, what);
}

/* The header fields: what says this is a version 1 root at all. */
static int validate_header(const rdy_module *m, rdy_error **err)
{
	const rdy_plugin_root_v1 *r = m->root;
	if (memcmp(r->magic, "\x7fRDY", 4))
		return bad_root(m, err, "magic is %02x %02x %02x %02x, not 7f 52 44 59", r->magic[0], r->magic[1],
				r->magic[2], r->magic[3]);
	if (r->major != RDY_ABI_MAJOR)
		return bad_root(m, err, "ABI version %u.%u is not supported (this is version %d)", r->major, r->minor,
				RDY_ABI_MAJOR);
	if (r->size < sizeof *r)
		return bad_root(m, err, "size is %u bytes; ABI v1's is at least %zu", (unsigned)r->size, sizeof *r);
	if (r->reserved)
		return bad_root(m, err, "reserved field is %u, not 0", (unsigned)r->reserved);
	return RDY_OK;
}

/* The loaded object says what its file said: the same descriptor, tables of the sizes it implies. */
static int validate_root(const rdy_module *m, const opening *o, rdy_error **err)
{
	const rdy_plugin_root_v1 *r = m->root;
	int rc = validate_header(m, err);
	if (rc != RDY_OK)
		return rc;
	if (!r->descriptor)
		return bad_root(m, err, "descriptor is NULL");
	if (r->descriptor_len != o->len)
		return bad_root(m, err, "descriptor_len is %zu; the " RDY_DESCRIPTOR_SECTION " section holds %zu",
				r->descriptor_len, o->len);
	if (memcmp(r->descriptor, o->bytes, o->len))
		return bad_root(m, err, "descriptor differs from the " RDY_DESCRIPTOR_SECTION " section");
	if (r->nexports != o->nexports)
		return bad_root(m, err, "nexports is %u; its descriptor has %u exported functions", r->nexports,
				o->nexports);
	if (r->nimports != m->nimports)
		return bad_root(m, err, "nimports is %u; its descriptor has %u imported functions", r->nimports,
				m->nimports);
	if (r->nexports && !r->exports)
		return bad_root(m, err, "exports is NULL");
	for (uint32_t i = 0; i < r->nexports; i++) {
		if (!r->exports[i].call) {
			char name[512];
			rdy__func_name(rdy_desc_model(m->desc), rdy_desc_world(m->desc), true, &o->exports[i], name,
				       sizeof name);
			return bad_root(m, err, "export %u, %s, has no call", i, name);
		}
	}
	if (!r->instance_new || !r->instance_free)
		return bad_root(m, err, "%s is NULL", r->instance_new ? "instance_free" : "instance_new");
	if (!r->producer)
		return bad_root(m, err, "producer is NULL");
	return RDY_OK;
}

static void module_free(rdy_module *m)
{
	if (m->dl)
		dlclose(m->dl);
	for (uint32_t i = 0; i < m->nabsent; i++)
		free(m->absent[i]);
	free(m->absent);
	free(m->import_map);
	free(m->imports);
	free(m->exports);
	rdy_desc_free(m->desc);
	free(m->path);
	free(m);
}

/* The steps of rdy_module_open, in order, under the lock. */
static rdy_module *open_module(rdy_world *w, const char *path, rdy_error **err)
{
	rdy_module *m = calloc(1, sizeof *m);
	if (!m || !(m->path = strdup(path))) {
		free(m);
		rdy__fail(err, RDY_ENOMEM, "%s: out of memory", path);
		return NULL;
	}
	m->world = w;
	opening o = { 0 };
	int rc = read_file(m, &o, err);
	if (rc == RDY_OK)
		rc = decode(m, &o, err);
	if (rc == RDY_OK)
		rc = check(m, err);
	if (rc == RDY_OK)
		rc = list_functions(m, &o, err);
	if (rc == RDY_OK)
		rc = load(m, err);
	if (rc == RDY_OK)
		rc = validate_root(m, &o, err);
	if (rc == RDY_OK && rdy__bind(m, o.exports, o.nexports) != RDY_OK)
		rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	free(o.bytes);
	free(o.exports);
	if (rc != RDY_OK) {
		module_free(m);
		return NULL;
	}
	w->refs++;
	return m;
}

RDY_API rdy_module *rdy_module_open(rdy_world *w, const char *path, rdy_error **err)
{
	if (!path || !w) {
		rdy__fail(err, RDY_EINVAL, "%s: %s", path ? path : "rdy_module_open", path ? "no world" : "no path");
		return NULL;
	}
	pthread_mutex_lock(&rdy__lock);
	rdy_module *m = open_module(w, path, err);
	pthread_mutex_unlock(&rdy__lock);
	return m;
}

RDY_API int rdy_module_close(rdy_module *m, rdy_error **err)
{
	if (!m)
		return RDY_OK;
	int rc = RDY_OK;
	pthread_mutex_lock(&rdy__lock);
	if (m->live) {
		rc = rdy__fail(err, RDY_EBUSY, "%s: %u instance%s still live", m->path, m->live,
			       m->live == 1 ? " is" : "s are");
	} else {
		rdy_world *w = m->world;
		module_free(m);
		rdy__world_release(w);
	}
	pthread_mutex_unlock(&rdy__lock);
	return rc;
}

RDY_API const char *rdy_module_path(const rdy_module *m)
{
	return m ? m->path : NULL;
}

RDY_API const char *rdy_module_producer(const rdy_module *m)
{
	return m ? m->root->producer : NULL;
}

RDY_API uint32_t rdy_module_nabsent(const rdy_module *m)
{
	return m ? m->nabsent : 0;
}

RDY_API const char *rdy_module_absent(const rdy_module *m, uint32_t i)
{
	return m && i < m->nabsent ? m->absent[i] : NULL;
}
