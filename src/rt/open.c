/*
 * Opening and closing a plugin (docs/abi.md §7, §8).
 *
 * Everything the file can tell is checked before dlopen, so a plugin that is
 * refused has run no code: its descriptor and root symbol are read from the
 * file (src/abi/elf.c), the descriptor is decoded and checked against the host's world
 * (verified.c; or found in the world's cache, when these very bytes were
 * decoded and checked before).  Only then is the object loaded, and its
 * root symbol validated field by field against what was read.  A failure at
 * any step undoes every earlier one.  Every message starts with the path as
 * given.
 */
#include "rt/rt.h"
#include "rt/pin.h"
#include "rt/unload.h"
#include "abi/elf.h"

#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an open holds until it succeeds or is undone, beside the module. */
typedef struct opening {
	rdy_elf_plugin read;               /* the descriptor, as read from the file */
} opening;

/* The descriptor and root symbol, from the file: nothing is loaded. */
static int read_file(rdy_module *m, opening *o, rdy_error **err)
{
	static const int codes[] = { RDY_OK, RDY_EFORMAT, RDY_EIO, RDY_ENOMEM }; /* for 0, -1, -2, -3 */
	size_t n = strlen(m->file) + strlen(m->path) + 512;
	char *msg = malloc(n);
	if (!msg)
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	int rc = codes[-rdy_elf_read_plugin(m->file, RDY_PLUGIN_SYMBOL, RDY_ROOT_V1_0_SIZE, &o->read, msg, n)];
	m->root_size = o->read.root_size;
	if (rc != RDY_OK && m->file != m->path && !strncmp(msg, m->file, strlen(m->file)))
		rdy__fail(err, rc, "%s%s", m->path, msg + strlen(m->file)); /* its pinned copy's message, of PATH */
	else if (rc != RDY_OK)
		rdy__fail(err, rc, "%s", msg);
	free(msg);
	return rc;
}

/* The descriptor, decoded and checked against the world, now or by an earlier open or rdy_world_expect. */
static int verify(rdy_module *m, const opening *o, rdy_error **err)
{
	return rdy__verify(m->world, o->read.desc, o->read.len, m->path, "its descriptor describes a host, not a plugin",
			   &m->v, err);
}

/*
 * The descriptor's absent lines, with this module's path before each: the
 * descriptor may have been verified by an open of another path.  One
 * allocation, the pointers first.
 */
static int absent_lines(rdy_module *m, rdy_error **err)
{
	const rdy__verified *v = m->v;
	uint32_t n = v->nabsent + v->ndeprecated;
	if (!n)
		return RDY_OK;
	size_t plen = strlen(m->path), size = n * sizeof *m->absent;
	for (uint32_t i = 0; i < n; i++)
		size += plen + 2 + strlen(v->absent[i]) + 1;
	if (!(m->absent = malloc(size)))
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	char *p = (char *)(m->absent + n);
	for (uint32_t i = 0; i < n; i++) {
		m->absent[i] = p;
		p += sprintf(p, "%s: %s", m->path, v->absent[i]) + 1;
	}
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
	char *dotted = NULL;
	const char *name = m->file;
	if (!strchr(m->file, '/')) {
		size_t n = strlen(m->file) + 3;
		if (!(dotted = malloc(n)))
			return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
		snprintf(dotted, n, "./%s", m->file);
		name = dotted;
	}
	int rc = RDY_OK;
	if (!(m->dl = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
		rc = rdy__fail(err, RDY_EDLOPEN, "%s: dlopen: %s", m->path, dl_reason(name));
	else if (!(m->root = dlsym(m->dl, RDY_PLUGIN_SYMBOL)))
		rc = rdy__fail(err, RDY_EFORMAT, "%s: no root symbol `" RDY_PLUGIN_SYMBOL "`: not an rdylib plugin",
			       m->path);
	free(dotted);
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
	/* A plugin may rely on what its minor version added to rdy_imports_v1: an older runtime lacks it. */
	if (r->minor > RDY_ABI_MINOR)
		return bad_root(m, err, "ABI version %u.%u is newer than this runtime's %d.%d", r->major, r->minor,
				RDY_ABI_MAJOR, RDY_ABI_MINOR);
	if (r->size < RDY_ROOT_V1_0_SIZE)
		return bad_root(m, err, "size is %u bytes; ABI v1's is at least %d", (unsigned)r->size,
				RDY_ROOT_V1_0_SIZE);
	/* The fields past 1.0's are read only where the symbol itself holds them: its size, as read from the file. */
	if (r->size > m->root_size)
		return bad_root(m, err, "size is %u bytes; the symbol `" RDY_PLUGIN_SYMBOL "` holds %llu", (unsigned)r->size,
				(unsigned long long)m->root_size);
	if (r->reserved)
		return bad_root(m, err, "reserved field is %u, not 0", (unsigned)r->reserved);
	return RDY_OK;
}

/* The fields of 1.1, when the plugin exports resources: their destructors. */
static int validate_resources(rdy_module *m, rdy_error **err)
{
	const rdy_plugin_root_v1 *r = m->root;
	const rdy__verified *v = m->v;
	if (r->size < sizeof *r) {
		if (!v->nresources)
			return RDY_OK;
		return bad_root(m, err, "size is %u bytes; a plugin that exports resources needs %zu (ABI 1.1)",
				(unsigned)r->size, sizeof *r);
	}
	if (r->nresources != v->nresources)
		return bad_root(m, err, "nresources is %u; its descriptor has %u exported resources", r->nresources,
				v->nresources);
	if (r->reserved2)
		return bad_root(m, err, "reserved2 field is %u, not 0", (unsigned)r->reserved2);
	if (r->nresources && !r->resources)
		return bad_root(m, err, "resources is NULL");
	for (uint32_t i = 0; i < r->nresources; i++) {
		if (!r->resources[i].drop) {
			char name[300];
			rdy__rref_name(rdy_desc_model(v->desc), &v->resources[i], name, sizeof name);
			return bad_root(m, err, "resource %u, %s, has no destructor", i, name);
		}
	}
	m->has_resources = r->nresources > 0;
	return RDY_OK;
}

/* The loaded object says what its file said: the same descriptor, tables of the sizes it implies. */
static int validate_root(rdy_module *m, const opening *o, rdy_error **err)
{
	const rdy_plugin_root_v1 *r = m->root;
	const rdy__verified *v = m->v;
	int rc = validate_header(m, err);
	if (rc != RDY_OK)
		return rc;
	if (!r->descriptor)
		return bad_root(m, err, "descriptor is NULL");
	if (r->descriptor_len != o->read.len)
		return bad_root(m, err, "descriptor_len is %zu; the descriptor note holds %zu",
				r->descriptor_len, o->read.len);
	if (memcmp(r->descriptor, o->read.desc, o->read.len))
		return bad_root(m, err, "descriptor differs from the descriptor note");
	if (r->nexports != v->nexports)
		return bad_root(m, err, "nexports is %u; its descriptor has %u exported functions", r->nexports,
				v->nexports);
	if (r->nimports != v->nimports)
		return bad_root(m, err, "nimports is %u; its descriptor has %u imported functions", r->nimports,
				v->nimports);
	if (r->nexports && !r->exports)
		return bad_root(m, err, "exports is NULL");
	/* Every entry is tested, without a branch each: a plugin has thousands, and most opens find none NULL. */
	bool missing = false;
	for (uint32_t i = 0; i < r->nexports; i++)
		missing |= !r->exports[i].call;
	for (uint32_t i = 0; missing && i < r->nexports; i++) {
		if (!r->exports[i].call) {
			char name[512];
			rdy__func_name(rdy_desc_model(v->desc), rdy_desc_world(v->desc), true, &v->exports[i], name,
				       sizeof name);
			return bad_root(m, err, "export %u, %s, has no call", i, name);
		}
	}
	if (!r->instance_new || !r->instance_free)
		return bad_root(m, err, "%s is NULL", r->instance_new ? "instance_free" : "instance_new");
	if (!r->producer)
		return bad_root(m, err, "producer is NULL");
	return validate_resources(m, err);
}

void rdy__module_free(rdy_module *m)
{
	if (m->dl)
		dlclose(m->dl);
	free(m->absent);
	free(m->exports_copy);
	if (m->v)
		rdy__verified_release(m->v);
	if (m->file != m->path)
		free(m->file);
	free(m->path);
	free(m->cache_dir);
	free(m);
}

int rdy__pin_for(const char *path, const rdy_open_config *c, char **file, char sha256[65], rdy_error **err)
{
	*file = NULL;
	sha256[0] = '\0';
	/* A reload must load another file than the build it replaces: dlopen knows a path it loaded. */
	if (!c || (!c->pinned && !c->reloadable && !c->lock))
		return RDY_OK;
	uint8_t digest[32];
	int rc = rdy__pin(path, c->cache_dir, c->lock, file, digest, err);
	if (rc == RDY_OK)
		rdy__sha256_hex(digest, sha256);
	return rc;
}

/* PATH as given, the configuration, and FILE, PATH's pinned copy (taken) or NULL. */
static int configure(rdy_module *m, const char *path, const rdy_open_config *c, char *file, const char *sha256,
		     rdy_error **err)
{
	if (!(m->path = strdup(path)) || (c && c->cache_dir && !(m->cache_dir = strdup(c->cache_dir)))) {
		free(file);
		return rdy__fail(err, RDY_ENOMEM, "%s: out of memory", path);
	}
	m->file = file ? file : m->path;
	if (file)
		snprintf(m->sha256, sizeof m->sha256, "%s", sha256);
	m->build = 1;
	if (c) {
		m->reloadable = c->reloadable;
		m->lock = c->lock;
	}
	return RDY_OK;
}

/* The steps of rdy_module_open, in order, under the lock. */
rdy_module *rdy__module_new(rdy_world *w, const char *path, const rdy_open_config *c, char *file,
			    const char *sha256, rdy_error **err)
{
	rdy_module *m = calloc(1, sizeof *m);
	if (!m) {
		free(file);
		rdy__fail(err, RDY_ENOMEM, "%s: out of memory", path);
		return NULL;
	}
	m->world = w;
	opening o = { 0 };
	int rc = configure(m, path, c, file, sha256, err);
	if (rc == RDY_OK)
		rc = read_file(m, &o, err);
	if (rc == RDY_OK)
		rc = verify(m, &o, err);
	if (rc == RDY_OK)
		rc = absent_lines(m, err);
	if (rc == RDY_OK)
		rc = load(m, err);
	if (rc == RDY_OK)
		rc = validate_root(m, &o, err);
	if (rc == RDY_OK && (rdy__bind(m) != RDY_OK || rdy__unload_hold(m->dl) != RDY_OK))
		rc = rdy__fail(err, RDY_ENOMEM, "%s: out of memory", m->path);
	rdy_elf_plugin_free(&o.read);
	if (rc != RDY_OK) {
		rdy__module_free(m);
		return NULL;
	}
	w->refs++;
	return m;
}

RDY_API rdy_module *rdy_module_open_with(rdy_world *w, const char *path, const rdy_open_config *c, rdy_error **err)
{
	if (!path || !w) {
		rdy__fail(err, RDY_EINVAL, "%s: %s", path ? path : "rdy_module_open", path ? "no world" : "no path");
		return NULL;
	}
	char *file, sha256[65];
	if (rdy__pin_for(path, c, &file, sha256, err) != RDY_OK) /* unlocked: it may wait for a file being written */
		return NULL;
	pthread_mutex_lock(&rdy__lock);
	rdy_module *m = rdy__module_new(w, path, c, file, sha256, err);
	pthread_mutex_unlock(&rdy__lock);
	return m;
}

RDY_API rdy_module *rdy_module_open(rdy_world *w, const char *path, rdy_error **err)
{
	return rdy_module_open_with(w, path, NULL, err);
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
		rc = rdy__unload(m->dl, m->file, m->path, err);
		m->dl = NULL;
		rdy__module_free(m);
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
	return m ? m->v->nabsent : 0;
}

RDY_API const char *rdy_module_absent(const rdy_module *m, uint32_t i)
{
	return m && i < m->v->nabsent ? m->absent[i] : NULL;
}

RDY_API uint32_t rdy_module_ndeprecated(const rdy_module *m)
{
	return m ? m->v->ndeprecated : 0;
}

RDY_API const char *rdy_module_deprecated(const rdy_module *m, uint32_t i)
{
	return m && i < m->v->ndeprecated ? m->absent[m->v->nabsent + i] : NULL;
}
