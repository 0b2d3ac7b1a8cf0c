/*
 * The property test of handles in both directions (docs/abi.md §4): the
 * notes world, where the host implements notes and the plugin folders that
 * hold notes.  Random sequences give, lend, make on request, give back and
 * drop the host's notes, make, borrow and drop the plugin's folders, file
 * notes in them (a folder's destructor drops its notes), keep a borrow past
 * its call, use one instance's handle in the other, and kill, free and
 * unload instances; each status, message and destructor run is checked
 * against a model.
 *
 * usage: test_res_model_notes [SEQUENCES [SEED]]   (default 100000, seed 1)
 */
#include "notes_host.h"
#include "model.h"

typedef test_notes_user_folder_own_t folder_own_t;

struct test_notes_pad_note {
	uint32_t id;
};

enum { MAXN = 128, MAXF = 32, KEPT_MAX = 8, FOLDER_MAX = 16 };

/* Where a note is. */
enum { WITH_HOST, KEPT, FILED, GONE };

typedef struct note_rec {
	test_notes_pad_note_t *rep;
	int where, inst, folder;           /* KEPT: by INST; FILED: in FOLDER */
} note_rec;

typedef struct folder {
	folder_own_t own;
	int inst, state;
	uint32_t count;
} folder;

static note_rec ns[MAXN];
static unsigned nn;
static folder fs[MAXF];
static unsigned nf;
static int kept[2][KEPT_MAX];              /* note indices, in the plugin's order */
static unsigned nkept[2];
/* The plugin's static: the last note kept, by either instance (-1: none since the plugin was loaded). */
static int shared = -1;
static int shared_state;                   /* LIVE, DROPPED, DEAD */

static rdy_world *world;
static rdy_module *module;
static test_notes_notes_t inst[2];
static bool killed[2];                     /* killed, not yet freed: every call answers RDY_EDEAD */

/* A call on killed instance I: it must answer RDY_EDEAD and change nothing.  True when I is killed. */
static bool dead_call(int i, const char *op, int32_t st)
{
	if (!killed[i])
		return false;
	if (st != RDY_EDEAD)
		fail("%s on a killed instance: status %d, the model expects %d", op, (int)st, RDY_EDEAD);
	expect_destructors(NULL, 0);
	return true;
}

static int32_t constructor(void *ctx, const rdy_string_t *text, test_notes_pad_note_t **ret)
{
	(void)ctx;
	(void)text;
	if (nn == MAXN)
		return RDY_ETRAP;
	test_notes_pad_note_t *n = malloc(sizeof *n);
	if (!n)
		return RDY_ETRAP;
	n->id = nn;
	ns[nn++] = (note_rec){ n, WITH_HOST, -1, -1 };
	*ret = n;
	return RDY_OK;
}

static int32_t text(void *ctx, test_notes_pad_note_t *self, rdy_string_t *ret)
{
	(void)ctx;
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%u", self->id);
	return rdy_string_dup(ret, buf, (size_t)n) ? RDY_OK : RDY_ETRAP;
}

static int32_t append(void *ctx, test_notes_pad_note_t *self, const rdy_string_t *more)
{
	(void)ctx;
	(void)self;
	(void)more;
	return RDY_OK;
}

/* Not among the model's operations (test_res_notes covers it); the sum of the notes' ids. */
static int32_t total(void *ctx, const test_notes_notes_list_borrow_note_t *notes, uint32_t *ret)
{
	(void)ctx;
	uint32_t sum = 0;
	for (size_t i = 0; i < notes->len; i++) {
		test_notes_pad_note_t *n;
		int32_t st = test_notes_pad_note_rep(rdy_instance_calling(), notes->ptr[i].handle, &n);
		if (st != RDY_OK)
			return st;
		sum += n->id;
	}
	*ret = sum;
	return RDY_OK;
}

static void destructor(void *ctx, test_notes_pad_note_t *rep)
{
	(void)ctx;
	report(rep->id);
	free(rep);
}

static const test_notes_notes_imports_t imports = { constructor, text, append, constructor, total, destructor };

static const char *path(void)
{
	return rdy_module_path(module);
}

static void instantiate(int i)
{
	rdy_error *err = NULL;
	if (test_notes_notes_instantiate(module, &imports, NULL, &inst[i], &err) != RDY_OK)
		fail("instantiate: %s", rdy_error_message(err));
}

/* A new note, with the host. */
static int host_note(void)
{
	test_notes_pad_note_t *rep;
	if (constructor(NULL, NULL, &rep) != RDY_OK)
		fail("out of notes");
	return (int)rep->id;
}

/* The host frees a note it has (never given, or given back): no destructor of the model's. */
static void host_free(int n)
{
	free(ns[n].rep);
	ns[n].where = GONE;
}

/* The handle in this thread's last refusal, which the model cannot know in advance. */
static unsigned refused_handle(void)
{
	unsigned h = 0;
	const char *m = rdy_handle_error(), *p = strstr(m, ": handle 0x");
	if (!p || sscanf(p, ": handle 0x%x", &h) != 1)
		fail("no handle in the message `%s`", m);
	return h;
}

/* The status and message the model expects for a use of folder F through instance I. */
static int32_t expect_folder(const folder *f, int i, char *msg, size_t n)
{
	return expect_use_of(f->own.handle, f->state, f->inst, i, path(), msg, n);
}

/* The ids of the notes filed in folder F. */
static unsigned filed_in(int f, uint32_t *ids)
{
	unsigned k = 0;
	for (unsigned i = 0; i < nn; i++)
		if (ns[i].where == FILED && ns[i].folder == f)
			ids[k++] = i;
	return k;
}

static void gone(const uint32_t *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ns[ids[i]].where = GONE;
}

/* Note N is kept by instance I now, the last kept: the plugin's static holds its handle. */
static void kept_by(int i, int n)
{
	ns[n] = (note_rec){ ns[n].rep, KEPT, i, -1 };
	kept[i][nkept[i]++] = n;
	shared = n;
	shared_state = LIVE;
	expect_destructors(NULL, 0);
}

static void op_give(void)
{
	int i = (int)rnd(2);
	if (nkept[i] == KEPT_MAX)
		return;
	int n = host_note();
	note("give note %d to %d", n, i);
	int32_t st = exports_test_notes_user_keep(&inst[i], ns[n].rep);
	if (dead_call(i, "keep", st)) {
		host_free(n);
		return;
	}
	check_status("keep", st, RDY_OK, "");
	kept_by(i, n);
}

static void op_ask(void)
{
	int i = (int)rnd(2);
	if (nkept[i] == KEPT_MAX)
		return;
	note("ask on %d", i);
	rdy_string_t t = rdy_str("asked");
	int32_t st = exports_test_notes_user_ask(&inst[i], &t);
	if (dead_call(i, "ask", st))
		return;
	check_status("ask", st, RDY_OK, "");
	kept_by(i, (int)nn - 1); /* the note the host's constructor just made */
}

static void op_lend(void)
{
	int i = (int)rnd(2), n = host_note();
	note("lend note %d to %d", n, i);
	rdy_string_t s;
	int32_t st = exports_test_notes_user_peek(&inst[i], ns[n].rep, &s);
	if (dead_call(i, "peek", st)) {
		host_free(n);
		return;
	}
	check_status("peek", st, RDY_OK, "");
	char want[16];
	snprintf(want, sizeof want, "%d", n);
	if (s.len != strlen(want) || memcmp(s.ptr, want, s.len))
		fail("peek read `%.*s`, the model expects `%s`", (int)s.len, s.ptr, want);
	exports_test_notes_user_peek_release(&inst[i], &s);
	expect_destructors(NULL, 0);
	host_free(n);
}

/* A borrow kept past its call, used at once in the next call: refused, as lent for a call that returned. */
static void op_stash(void)
{
	int i = (int)rnd(2), n = host_note();
	note("stash note %d on %d, then read it", n, i);
	if (dead_call(i, "stash", exports_test_notes_user_stash(&inst[i], ns[n].rep))) {
		host_free(n);
		return;
	}
	int32_t st = 0;
	check_status("read-stash", exports_test_notes_user_read_stash(&inst[i], &st), RDY_OK, "");
	char msg[512];
	snprintf(msg, sizeof msg, "%s: handle 0x%08x is stale: it was lent for a call that has returned", path(),
		 refused_handle());
	check_status("the stashed borrow", st, RDY_EHANDLE, msg);
	expect_destructors(NULL, 0);
	host_free(n);
}

static void op_give_back(void)
{
	int i = (int)rnd(2);
	note("give back on %d (%u kept)", i, nkept[i]);
	test_notes_pad_note_t *back = NULL;
	int32_t st = exports_test_notes_user_give_back(&inst[i], &back);
	if (dead_call(i, "give-back", st))
		return;
	if (!nkept[i]) {
		if (st != RDY_ETRAP)
			fail("give back with nothing kept: %d", (int)st);
		return;
	}
	int n = kept[i][--nkept[i]];
	check_status("give-back", st, RDY_OK, "");
	if (back != ns[n].rep)
		fail("give back: another object than note %d", n);
	if (shared == n)
		shared_state = DROPPED; /* taken: its slot is free */
	expect_destructors(NULL, 0);
	host_free(n);
}

static void op_drop_kept(void)
{
	int i = (int)rnd(2);
	note("drop the %u kept by %d", nkept[i], i);
	uint32_t ids[KEPT_MAX], count = 0;
	if (dead_call(i, "drop-kept", exports_test_notes_user_drop_kept(&inst[i], &count)))
		return;
	for (unsigned k = 0; k < nkept[i]; k++) {
		ids[k] = (uint32_t)kept[i][k];
		if (kept[i][k] == shared)
			shared_state = DROPPED;
	}
	if (count != nkept[i])
		fail("drop-kept dropped %u, the model expects %u", count, nkept[i]);
	expect_destructors(ids, nkept[i]);
	gone(ids, nkept[i]);
	nkept[i] = 0;
}

static void op_folder(void)
{
	int i = (int)rnd(2);
	if (nf == MAXF)
		return;
	folder *f = &fs[nf];
	note("folder on %d", i);
	int32_t st = exports_test_notes_user_constructor_folder(&inst[i], &f->own);
	if (dead_call(i, "folder", st))
		return;
	check_status("folder", st, RDY_OK, "");
	f->inst = i;
	f->state = LIVE;
	f->count = 0;
	nf++;
	expect_destructors(NULL, 0);
}

/* A folder, mostly used through its own instance; false when there is none. */
static bool pick_folder(folder **f, int *i, int32_t *want, char *msg, size_t n)
{
	if (!nf)
		return false;
	*f = &fs[rnd(nf)];
	*i = rnd(4) ? (*f)->inst : (int)rnd(2);
	*want = expect_folder(*f, *i, msg, n);
	return true;
}

static void op_file(void)
{
	folder *f;
	int i;
	char msg[512];
	int32_t want;
	if (!pick_folder(&f, &i, &want, msg, sizeof msg))
		return;
	int n = host_note();
	note("file note %d in 0x%08x (%s) on %d", n, f->own.handle, state_names[f->state], i);
	int32_t st = exports_test_notes_user_method_folder_file(&inst[i], test_notes_user_folder_borrow(f->own), ns[n].rep);
	if (want == RDY_OK && f->count == FOLDER_MAX) {
		/* Full: the plugin drops the note it was given and traps. */
		uint32_t id = (uint32_t)n;
		check_status("file", st, RDY_ETRAP, "");
		expect_destructors(&id, 1);
		ns[n].where = GONE;
		return;
	}
	check_status("file", st, want, msg);
	expect_destructors(NULL, 0);
	if (want != RDY_OK) {
		host_free(n); /* refused before the note was given */
		return;
	}
	ns[n] = (note_rec){ ns[n].rep, FILED, i, (int)(f - fs) };
	f->count++;
}

static void op_count(void)
{
	folder *f;
	int i;
	char msg[512];
	int32_t want;
	if (!pick_folder(&f, &i, &want, msg, sizeof msg))
		return;
	note("count 0x%08x (%s) on %d", f->own.handle, state_names[f->state], i);
	uint32_t c = 99999;
	check_status("count", exports_test_notes_user_method_folder_count(&inst[i], test_notes_user_folder_borrow(f->own), &c),
		     want, msg);
	if (want == RDY_OK && c != f->count)
		fail("count: %u, the model expects %u", c, f->count);
	expect_destructors(NULL, 0);
}

static void op_drop_folder(void)
{
	folder *f;
	int i;
	char msg[512];
	int32_t want;
	if (!pick_folder(&f, &i, &want, msg, sizeof msg))
		return;
	note("drop folder 0x%08x (%s) on %d", f->own.handle, state_names[f->state], i);
	want = expect_drop_of(f->own.handle, f->state, f->inst, i, path(), msg, sizeof msg);
	check_status("drop folder", test_notes_user_folder_drop(&inst[i], f->own), want, msg);
	if (want != RDY_OK) {
		expect_destructors(NULL, 0);
		return;
	}
	uint32_t ids[MAXN];
	unsigned k = f->state == LIVE ? filed_in((int)(f - fs), ids) : 0;
	expect_destructors(ids, k);
	gone(ids, k);
	f->state = DROPPED;
}

static void op_read_shared(void)
{
	int i = (int)rnd(2);
	note("read shared (note %d, %s) on %d", shared, shared < 0 ? "none" : state_names[shared_state], i);
	int32_t st = 0;
	if (dead_call(i, "read-shared", exports_test_notes_user_read_shared(&inst[i], &st)))
		return;
	char msg[512];
	int32_t want = RDY_OK;
	if (shared < 0) {
		want = RDY_EHANDLE;
		snprintf(msg, sizeof msg, "%s: handle 0 is never valid", path());
	} else if (shared_state == DROPPED) {
		want = RDY_EHANDLE;
		snprintf(msg, sizeof msg, "%s: handle 0x%08x is stale: it was dropped", path(), refused_handle());
	} else if (shared_state == DEAD) {
		want = RDY_EDEAD;
		snprintf(msg, sizeof msg, "%s: handle 0x%08x is dead: its instance was freed by force", path(),
			 refused_handle());
	} else if (ns[shared].inst != i) {
		want = RDY_EHANDLE;
		snprintf(msg, sizeof msg, "%s: handle 0x%08x belongs to another instance, of %s", path(), refused_handle(),
			 path());
	}
	check_status("the shared handle", st, want, msg);
	expect_destructors(NULL, 0);
}

/* What instance I holds: its kept notes, its live folders and their notes. */
static unsigned holds(int i, uint32_t *ids, unsigned *folders)
{
	unsigned k = 0;
	*folders = 0;
	for (unsigned n = 0; n < nn; n++)
		if ((ns[n].where == KEPT || ns[n].where == FILED) && ns[n].inst == i)
			ids[k++] = n;
	for (unsigned f = 0; f < nf; f++)
		if (fs[f].state == LIVE && fs[f].inst == i)
			(*folders)++;
	return k;
}

static void op_kill(void)
{
	int i = (int)rnd(2);
	uint32_t ids[MAXN];
	unsigned folders, k = holds(i, ids, &folders);
	note("kill %d (%u notes, %u folders)", i, k, folders);
	test_notes_notes_kill(&inst[i]);
	expect_destructors(ids, k);
	gone(ids, k);
	for (unsigned f = 0; f < nf; f++)
		if (fs[f].state == LIVE && fs[f].inst == i)
			fs[f].state = DEAD;
	if (shared >= 0 && shared_state == LIVE && ns[shared].inst == i)
		shared_state = DROPPED; /* its holder is gone, so its slot is freed */
	nkept[i] = 0;
	killed[i] = true;
}

/* Instance I is freed: its dead handles go with it, stale from now on. */
static void freed(int i)
{
	for (unsigned f = 0; f < nf; f++)
		if (fs[f].state == DEAD && fs[f].inst == i)
			fs[f].state = DROPPED;
	killed[i] = false;
	instantiate(i);
}

static void op_free(void)
{
	int i = (int)rnd(2);
	uint32_t ids[MAXN];
	unsigned folders, k = holds(i, ids, &folders);
	note("free %d (%u notes, %u folders)", i, k, folders);
	rdy_error *err = NULL;
	int rc = test_notes_notes_free(&inst[i], &err);
	if (k + folders) {
		char want[512];
		int len = snprintf(want, sizeof want, "%s: %u handle%s still live:", path(), k + folders,
				   k + folders == 1 ? " is" : "s are");
		if (folders)
			len += snprintf(want + len, sizeof want - (size_t)len, " %u `test:notes/user@1.0.0`.`folder`%s", folders,
					k ? "," : "");
		if (k)
			snprintf(want + len, sizeof want - (size_t)len, " %u `test:notes/pad@1.0.0`.`note`", k);
		if (rc != RDY_EBUSY || strcmp(rdy_error_message(err), want))
			fail("free: %d `%s`, the model expects `%s`", rc, err ? rdy_error_message(err) : "", want);
		rdy_error_free(err);
		return;
	}
	if (rc != RDY_OK)
		fail("free with nothing live: %s", rdy_error_message(err));
	freed(i);
}

static void op_unload(void)
{
	uint32_t ids[MAXN];
	unsigned f0, f1, k0 = holds(0, ids, &f0), k1 = holds(1, ids, &f1);
	note("unload (%u and %u held)", k0 + f0, k1 + f1);
	if (k0 + f0 + k1 + f1)
		return; /* op_free covers the refusal */
	rdy_error *err = NULL;
	for (int i = 0; i < 2; i++)
		if (test_notes_notes_free(&inst[i], &err) != RDY_OK)
			fail("free before unload: %s", rdy_error_message(err));
	if (rdy_module_close(module, &err) != RDY_OK)
		fail("unload: %s", rdy_error_message(err));
	if (!(module = rdy_module_open(world, RES_PLUGIN, &err)))
		fail("reload: %s", rdy_error_message(err));
	shared = -1; /* the plugin's static starts again */
	freed(0);
	freed(1);
}

/* The end of a sequence: every folder and kept note dropped, whatever is dead freed. */
static void cleanup(void)
{
	for (unsigned f = 0; f < nf; f++) {
		if (fs[f].state == DROPPED)
			continue;
		uint32_t ids[MAXN];
		unsigned k = fs[f].state == LIVE ? filed_in((int)f, ids) : 0;
		if (test_notes_user_folder_drop(&inst[fs[f].inst], fs[f].own) != RDY_OK)
			fail("cleanup: folder: %s", rdy_handle_error());
		expect_destructors(ids, k);
		gone(ids, k);
	}
	for (int i = 0; i < 2; i++) {
		uint32_t ids[KEPT_MAX], count;
		if (killed[i]) {
			if (test_notes_notes_free(&inst[i], NULL) != RDY_OK)
				fail("cleanup: free of a killed instance refused");
			freed(i);
		}
		for (unsigned k = 0; k < nkept[i]; k++)
			ids[k] = (uint32_t)kept[i][k];
		if (exports_test_notes_user_drop_kept(&inst[i], &count) != RDY_OK)
			fail("cleanup: drop-kept: %s", rdy_handle_error());
		expect_destructors(ids, nkept[i]);
		gone(ids, nkept[i]);
		nkept[i] = 0;
		if (rdy_instance_nhandles(inst[i].instance))
			fail("instance %d has %u handles after cleanup", i, rdy_instance_nhandles(inst[i].instance));
	}
	for (unsigned n = 0; n < nn; n++)
		if (ns[n].where != GONE)
			fail("note %u is still somewhere after cleanup", n);
	if (shared >= 0 && shared_state == LIVE)
		shared_state = DROPPED;
}

int main(int argc, char **argv)
{
	unsigned long sequences = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	model_name = "test_res_model_notes";
	rdy_error *err = NULL;
	if (!(world = test_notes_notes_world(&err)) || !(module = rdy_module_open(world, RES_PLUGIN, &err)))
		fail("open: %s", rdy_error_message(err));
	instantiate(0);
	instantiate(1);
	static void (*const ops[])(void) = { op_give, op_give, op_ask, op_lend, op_stash, op_give_back, op_drop_kept,
					     op_folder, op_folder, op_file, op_file, op_file, op_count, op_drop_folder,
					     op_read_shared, op_kill, op_free, op_unload };
	for (unsigned long s = 0; s < sequences; s++) {
		seq_seed = rng = seed * 0x9e3779b97f4a7c15ull + s + 1;
		nn = nf = 0;
		ntrail = 0;
		unsigned len = 1 + rnd(OPS);
		for (unsigned k = 0; k < len; k++) {
			ops[rnd(sizeof ops / sizeof *ops)]();
			nops++;
		}
		cleanup();
	}
	for (int i = 0; i < 2; i++)
		if (test_notes_notes_free(&inst[i], &err) != RDY_OK)
			fail("final free: %s", rdy_error_message(err));
	if (rdy_module_close(module, &err) != RDY_OK)
		fail("final close: %s", rdy_error_message(err));
	rdy_world_free(world);
	printf("test_res_model_notes: %lu sequences, %" PRIu64 " operations, %" PRIu64 " destructors of the host's "
	       "objects, all as the model says (seed %" PRIu64 ")\n", sequences, nops, ndestructors, seed);
	return 0;
}
