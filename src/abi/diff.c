/*
 * The changes between two versions of a world (docs/abi.md §8.1).  The
 * check runs twice in diff mode: old as the host with new as the plugin,
 * then new as the host with old as the plugin.  An error in the first means
 * old hosts refuse new plugins; in the second, new hosts refuse old
 * plugins.  Every item that was added, removed or changed is met by one of
 * the two walks, since each side expects what the other must provide; the
 * lines of both are merged by the item they are about.
 */
#include "abi/diff.h"
#include "abi/desc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_at(const rdy_check_at *a, const rdy_check_at *b)
{
	return a->import == b->import && a->kind == b->kind && same_text(a->iface, b->iface) &&
	       same_text(a->item, b->item);
}

typedef struct D {
	rdy_diff *d;
	uint8_t *from;                     /* per change: the walk its lines came from */
	uint32_t cap;
	bool oom;
} D;

static char *dup(D *x, const char *s)
{
	char *t = s ? strdup(s) : NULL;
	x->oom |= s && !t;
	return t;
}

static rdy_diff_change *change(D *x, const rdy_check_at *at, bool merge)
{
	rdy_diff *d = x->d;
	for (uint32_t i = 0; merge && i < d->n; i++)
		if (same_at(&d->v[i].at, at))
			return &d->v[i];
	if (d->n == x->cap) {
		uint32_t cap = x->cap ? 2 * x->cap : 16;
		rdy_diff_change *v = realloc(d->v, cap * sizeof *v);
		if (v)
			d->v = v;
		uint8_t *f = v ? realloc(x->from, cap) : NULL;
		if (f)
			x->from = f;
		if (!v || !f) {
			x->oom = true;
			return NULL;
		}
		x->cap = cap;
	}
	rdy_diff_change *c = &d->v[d->n];
	memset(c, 0, sizeof *c);
	c->at = *at;
	c->at.iface = dup(x, at->iface);
	c->at.item = dup(x, at->item);
	x->from[d->n++] = 0;
	return c;
}

static void line(D *x, rdy_diff_change *c, const char *text, uint8_t walk)
{
	uint8_t *from = &x->from[c - x->d->v];
	if (*from && *from != walk)
		return; /* said already, from the other walk: the first walk's words stand */
	char **v = realloc(c->lines, (c->nlines + 1) * sizeof *v);
	char *t = dup(x, text);
	if (!v || !t) {
		free(t);
		if (v)
			c->lines = v;
		x->oom = true;
		return;
	}
	c->lines = v;
	c->lines[c->nlines++] = t;
	*from = walk;
}

/* Errors and absent items of one walk, WALK being the RDY_DIFF_* cell it plays. */
static void take(D *x, const rdy_check_report *r, uint8_t walk)
{
	for (uint32_t i = 0; i < r->nerrors && !x->oom; i++) {
		rdy_diff_change *c = change(x, &r->errors_at[i], true);
		if (c) {
			c->breaks |= walk;
			line(x, c, r->errors[i], walk);
		}
	}
	for (uint32_t i = 0; i < r->nabsent && !x->oom; i++) {
		rdy_diff_change *c = change(x, &r->absent_at[i], true);
		if (c) {
			c->absent |= walk;
			line(x, c, r->absent[i], walk);
		}
	}
}

/* Notes (versions, gates, deprecations) come from the first walk only, each a change of its own. */
static void notes(D *x, const rdy_check_report *r)
{
	for (uint32_t i = 0; i < r->nnotes && !x->oom; i++) {
		rdy_diff_change *c = change(x, &r->notes_at[i], false);
		if (c)
			line(x, c, r->notes[i], RDY_DIFF_OLD_HOSTS);
	}
}

/* The world's own package version, which no walk compares: worlds are matched by being chosen. */
static void world_version(D *x, const rdy_wit_model *o, int ow, const rdy_wit_model *n, int nw)
{
	int32_t op = o->worlds[ow].package, np = n->worlds[nw].package;
	if (op < 0 || np < 0 || (uint32_t)op >= o->npackages || (uint32_t)np >= n->npackages)
		return;
	const rdy_wit_package *a = &o->packages[op], *b = &n->packages[np];
	if (!a->has_version || !b->has_version || !rdy_wit_version_cmp(&a->version, &b->version))
		return;
	rdy_check_at at = { NULL, NULL, RDY_CHECK_VERSION, RDY_CHECK_VERSIONED, false };
	rdy_diff_change *c = change(x, &at, false);
	char text[512];
	char ta[96], tb[96];
	bool track = !strcmp(rdy_semver_track(a, ta, sizeof ta), rdy_semver_track(b, tb, sizeof tb));
	snprintf(text, sizeof text, "the world's package %s:%s is at %s, was %s%s", b->ns, b->name, b->version.text,
		 a->version.text, track ? "" : "; a host chooses its world, so only its items' versions must match");
	if (c)
		line(x, c, text, RDY_DIFF_OLD_HOSTS);
}

static void change_free(rdy_diff_change *c)
{
	for (uint32_t k = 0; k < c->nlines; k++)
		free(c->lines[k]);
	free(c->lines);
	free(c->at.iface);
	free(c->at.item);
}

/*
 * Version notes, one per interface from the walks, become one per package:
 * its interfaces share its version.  "ns:pkg/iface: DETAIL" becomes
 * "ns:pkg: DETAIL (N interfaces)".  The world's own note goes when its
 * package has one.
 */
static void group_versions(D *x, const char *world_pkg)
{
	rdy_diff *d = x->d;
	uint32_t out = 0;
	bool world_said = false;
	for (uint32_t i = 0; i < d->n; i++) {
		rdy_diff_change *c = &d->v[i];
		const char *slash = c->at.iface ? strchr(c->at.iface, '/') : NULL;
		if (c->at.what != RDY_CHECK_VERSIONED || c->breaks || c->at.kind != RDY_CHECK_IFACE || !slash ||
		    c->nlines != 1) {
			d->v[out++] = *c;
			continue;
		}
		size_t plen = (size_t)(slash - c->at.iface);
		const char *detail = strstr(c->lines[0], ": ");
		detail = detail ? detail + 2 : c->lines[0];
		uint32_t same = 0;
		for (uint32_t k = i + 1; k < d->n; k++) {
			rdy_diff_change *o = &d->v[k];
			const char *od = o->nlines == 1 ? strstr(o->lines[0], ": ") : NULL;
			if (o->at.what == RDY_CHECK_VERSIONED && !o->breaks && o->at.kind == RDY_CHECK_IFACE && o->at.iface &&
			    !strncmp(o->at.iface, c->at.iface, plen) && o->at.iface[plen] == '/' && od && !strcmp(od + 2, detail)) {
				change_free(o);
				memmove(o, o + 1, (d->n - k - 1) * sizeof *o);
				d->n--;
				k--;
				same++;
			}
		}
		char *text = malloc(plen + strlen(detail) + 40);
		if (!text) {
			x->oom = true;
			d->v[out++] = *c;
			continue;
		}
		snprintf(text, plen + strlen(detail) + 40, "%.*s: %s (%u interface%s)", (int)plen, c->at.iface, detail,
			 same + 1, same ? "s" : "");
		free(c->lines[0]);
		c->lines[0] = text;
		c->at.iface[plen] = '\0';
		c->at.kind = RDY_CHECK_VERSION;
		world_said |= world_pkg && !strcmp(c->at.iface, world_pkg);
		d->v[out++] = *c;
	}
	d->n = out;
	for (uint32_t i = 0; world_said && i < d->n; i++) {
		if (!d->v[i].at.iface && d->v[i].at.kind == RDY_CHECK_VERSION) {
			change_free(&d->v[i]);
			memmove(&d->v[i], &d->v[i + 1], (d->n - i - 1) * sizeof *d->v);
			d->n--;
			break;
		}
	}
}

static int order(const rdy_diff_change *a, const rdy_diff_change *b)
{
	bool wa = !a->at.iface && a->at.kind == RDY_CHECK_VERSION, wb = !b->at.iface && b->at.kind == RDY_CHECK_VERSION;
	if (wa != wb)
		return wa ? -1 : 1;
	if (a->at.import != b->at.import)
		return a->at.import ? -1 : 1;
	int k = strcmp(a->at.iface ? a->at.iface : "", b->at.iface ? b->at.iface : "");
	if (!k)
		k = strcmp(a->at.item ? a->at.item : "", b->at.item ? b->at.item : "");
	return k;
}

int rdy_diff_worlds(const rdy_wit_model *old, int ow, const rdy_wit_model *new_, int nw, rdy_diff *out)
{
	memset(out, 0, sizeof *out);
	D x = { out, NULL, 0, false };
	rdy_check_model *o = rdy_check_model_new(old), *n = rdy_check_model_new(new_);
	rdy_check_report a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	if (!o || !n || rdy_check_diff(o, ow, n, nw, true, &a) < 0 || rdy_check_diff(o, ow, n, nw, false, &b) < 0) {
		x.oom = true;
	} else {
		world_version(&x, old, ow, new_, nw);
		take(&x, &a, RDY_DIFF_OLD_HOSTS);
		take(&x, &b, RDY_DIFF_NEW_HOSTS);
		notes(&x, &a);
		int32_t np = new_->worlds[nw].package;
		char wp[256] = "";
		if (np >= 0 && (uint32_t)np < new_->npackages)
			snprintf(wp, sizeof wp, "%s:%s", new_->packages[np].ns, new_->packages[np].name);
		if (!x.oom)
			group_versions(&x, wp[0] ? wp : NULL);
	}
	rdy_check_report_free(&a);
	rdy_check_report_free(&b);
	rdy_check_model_free(o);
	rdy_check_model_free(n);
	free(x.from);
	if (x.oom) {
		rdy_diff_free(out);
		return -1;
	}
	/*
	 * Where an interface moved to another semver track, the loader refuses
	 * it whole, so whatever else changed in it is refused both ways too,
	 * and its gates' changes are beside the point: they go.
	 */
	for (uint32_t i = 0; i < out->n; i++) {
		const rdy_diff_change *v = &out->v[i];
		if (v->at.what != RDY_CHECK_VERSIONED || !v->breaks || !v->at.iface)
			continue;
		char *iface = v->at.iface;
		bool import = v->at.import;
		uint32_t keep = 0;
		for (uint32_t k = 0; k < out->n; k++) {
			rdy_diff_change *c = &out->v[k];
			bool inside = c->at.import == import && c->at.iface && !strcmp(c->at.iface, iface);
			if (inside && (c->at.what == RDY_CHECK_DEPRECATED || c->at.what == RDY_CHECK_RESTABLED)) {
				change_free(c);
				continue;
			}
			if (inside && (c->breaks || c->absent)) {
				c->breaks = RDY_DIFF_OLD_HOSTS | RDY_DIFF_NEW_HOSTS;
				c->absent = 0;
			}
			if (c == v)
				i = keep;
			out->v[keep++] = *c;
		}
		out->n = keep;
	}
	/* Insertion sort: stable, so an item's changes keep the order the walks met them in. */
	for (uint32_t i = 1; i < out->n; i++) {
		rdy_diff_change c = out->v[i];
		uint32_t k = i;
		for (; k > 0 && order(&out->v[k - 1], &c) > 0; k--)
			out->v[k] = out->v[k - 1];
		out->v[k] = c;
	}
	for (uint32_t i = 0; i < out->n; i++)
		out->nbreaking += out->v[i].breaks != 0;
	return 0;
}

void rdy_diff_free(rdy_diff *d)
{
	for (uint32_t i = 0; i < d->n; i++)
		change_free(&d->v[i]);
	free(d->v);
	memset(d, 0, sizeof *d);
}
