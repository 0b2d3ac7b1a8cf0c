/*
 * The property test of handles (docs/abi.md §4): random sequences of
 * create, call, lend, transfer (an own argument), drop, instance kill and
 * free, and module unload and reload, across two instances of a plugin,
 * each operation's status, message and destructor runs checked against a
 * model of what §4 says must happen.
 *
 * usage: test_res_model [SEQUENCES [SEED]]   (default 100000 sequences, seed 1)
 * A failure prints the sequence's seed and its operations up to there.
 */
#include "app_host.h"
#include "model.h"

typedef test_res_things_counter_own_t own_t;

enum { MAXH = 64 };

typedef struct handle {
	own_t own;
	int inst;                          /* the instance (0 or 1) it was made by */
	uint32_t value;
	int state;
} handle;


static int32_t hook_poke(void *ctx)
{
	(void)ctx;
	return RDY_OK;
}

static int32_t hook_dropped(void *ctx, uint32_t value)
{
	(void)ctx;
	report(value);
	return RDY_OK;
}

static const test_res_app_imports_t imports = { hook_poke, hook_dropped };

static rdy_world *world;
static rdy_module *module;
static test_res_app_t inst[2];
static bool killed[2];                     /* killed, not yet freed: its handles are dead */
static handle hs[MAXH];
static unsigned nh;

static void instantiate(int i)
{
	rdy_error *err = NULL;
	if (test_res_app_instantiate(module, &imports, NULL, &inst[i], &err) != RDY_OK)
		fail("instantiate: %s", rdy_error_message(err));
}

static const char *path(void)
{
	return rdy_module_path(module);
}

/* The status and message the model expects for a use of H through instance I, or RDY_OK. */
static int32_t expect_use(const handle *h, int i, char *msg, size_t n)
{
	return expect_use_of(h->own.handle, h->state, h->inst, i, path(), msg, n);
}

/*
 * A known handle, and mostly its own instance, sometimes either: false when
 * there is no handle yet.  *WANT and MSG: what a use of it should give.
 */
static bool pick(handle **h, int *i, int32_t *want, char *msg, size_t n)
{
	if (!nh)
		return false;
	*h = &hs[rnd(nh)];
	*i = rnd(4) ? (*h)->inst : (int)rnd(2);
	*want = expect_use(*h, *i, msg, n);
	return true;
}

static void op_create(void)
{
	int i = (int)rnd(2);
	if (nh == MAXH)
		return;
	handle *h = &hs[nh];
	h->value = rnd(1000);
	note("create on %d%s, value %u", i, killed[i] ? " (killed)" : "", h->value);
	int32_t st = exports_test_res_things_constructor_counter(&inst[i], h->value, &h->own);
	if (killed[i]) {
		if (st != RDY_EDEAD)
			fail("create on a killed instance: status %d, the model expects %d", (int)st, RDY_EDEAD);
		return;
	}
	if (st != RDY_OK)
		fail("create: %s", rdy_handle_error());
	h->inst = i;
	h->state = LIVE;
	nh++;
}

static void op_get(void)
{
	handle *h;
	int i;
	char msg[512];
	int32_t want;
	if (!pick(&h, &i, &want, msg, sizeof msg))
		return;
	note("get 0x%08x (%s) on %d", h->own.handle, state_names[h->state], i);
	uint32_t v = 12345;
	int32_t st = exports_test_res_things_method_counter_get(&inst[i], test_res_things_counter_borrow(h->own), &v);
	check_status("get", st, want, msg);
	if (st == RDY_OK && v != h->value)
		fail("get: %u, the model expects %u", v, h->value);
	if (st != RDY_OK && v != 12345)
		fail("get: a refused call wrote its result");
	expect_destructors(NULL, 0);
}

static void op_add(void)
{
	handle *h;
	int i;
	char msg[512];
	int32_t want;
	if (!pick(&h, &i, &want, msg, sizeof msg))
		return;
	uint32_t n = rnd(100);
	note("add %u to 0x%08x (%s) on %d", n, h->own.handle, state_names[h->state], i);
	check_status("add", exports_test_res_things_method_counter_add(&inst[i], test_res_things_counter_borrow(h->own), n),
		     want, msg);
	if (want == RDY_OK)
		h->value += n;
	expect_destructors(NULL, 0);
}

/* absorb(self: borrow, other: own): the lend of SELF, then the take of OTHER, then the call. */
static void op_absorb(void)
{
	if (!nh)
		return;
	handle *a = &hs[rnd(nh)], *b = rnd(4) ? &hs[rnd(nh)] : a;
	int i = (int)rnd(4) ? a->inst : (int)rnd(2);
	char msg[512];
	int32_t want = expect_use(a, i, msg, sizeof msg);
	if (want == RDY_OK)
		want = expect_use(b, i, msg, sizeof msg);
	if (want == RDY_OK && a == b) {
		snprintf(msg, sizeof msg, "%s: handle 0x%08x is lent to a call in progress", path(), a->own.handle);
		want = RDY_EBUSY;
	}
	note("absorb 0x%08x (%s) into 0x%08x (%s) on %d", b->own.handle, state_names[b->state], a->own.handle,
	     state_names[a->state], i);
	check_status("absorb", exports_test_res_things_method_counter_absorb(&inst[i], test_res_things_counter_borrow(a->own), b->own),
		     want, msg);
	if (want == RDY_OK) {
		/* The plugin took B over, added its value and freed it: its destructor, run by the plugin. */
		a->value += b->value;
		b->state = DROPPED;
		expect_destructors(&b->value, 1);
	} else {
		expect_destructors(NULL, 0);
	}
}

static void op_drop(void)
{
	handle *h;
	int i;
	char msg[512];
	int32_t want;
	if (!pick(&h, &i, &want, msg, sizeof msg))
		return;
	note("drop 0x%08x (%s) on %d", h->own.handle, state_names[h->state], i);
	want = expect_drop_of(h->own.handle, h->state, h->inst, i, path(), msg, sizeof msg);
	check_status("drop", test_res_things_counter_drop(&inst[i], h->own), want, msg);
	if (want != RDY_OK) {
		expect_destructors(NULL, 0);
	} else if (h->state == DEAD) {
		h->state = DROPPED;
		expect_destructors(NULL, 0);
	} else {
		h->state = DROPPED;
		expect_destructors(&h->value, 1);
	}
}

static unsigned live_on(int i, uint32_t *values)
{
	unsigned n = 0;
	for (unsigned k = 0; k < nh; k++)
		if (hs[k].state == LIVE && hs[k].inst == i)
			values[n++] = hs[k].value;
	return n;
}

/* Kills instance I: its handles turn dead until they are dropped or it is freed. */
static void op_kill(void)
{
	int i = (int)rnd(2);
	uint32_t values[MAXH];
	unsigned n = live_on(i, values);
	note("kill %d (%u live%s)", i, n, killed[i] ? ", killed already" : "");
	test_res_app_kill(&inst[i]);
	expect_destructors(values, n);
	for (unsigned k = 0; k < nh; k++)
		if (hs[k].state == LIVE && hs[k].inst == i)
			hs[k].state = DEAD;
	killed[i] = true;
	test_res_app_option_own_counter_t o;
	if (exports_test_res_things_maybe(&inst[i], 1, &o) != RDY_EDEAD)
		fail("a call into a killed instance did not answer RDY_EDEAD");
}

/* Instance I is freed: its dead handles go with it, stale from now on. */
static void freed(int i)
{
	for (unsigned k = 0; k < nh; k++)
		if (hs[k].state == DEAD && hs[k].inst == i)
			hs[k].state = DROPPED;
	killed[i] = false;
	instantiate(i);
}

static void op_free(void)
{
	int i = (int)rnd(2);
	uint32_t values[MAXH];
	unsigned n = live_on(i, values);
	note("free %d (%u live)", i, n);
	rdy_error *err = NULL;
	int rc = test_res_app_free(&inst[i], &err);
	if (n) {
		char want[512];
		snprintf(want, sizeof want, "%s: %u handle%s still live: %u `test:res/things@1.0.0`.`counter`", path(), n,
			 n == 1 ? " is" : "s are", n);
		if (rc != RDY_EBUSY || strcmp(rdy_error_message(err), want))
			fail("free with %u live: %d `%s`", n, rc, err ? rdy_error_message(err) : "");
		rdy_error_free(err);
		return;
	}
	if (rc != RDY_OK)
		fail("free with none live: %s", rdy_error_message(err));
	freed(i);
}

/* Unload: both instances freed, the module closed and opened again; refused while handles live. */
static void op_unload(void)
{
	uint32_t values[MAXH];
	unsigned n0 = live_on(0, values), n1 = live_on(1, values);
	note("unload (%u and %u live)", n0, n1);
	rdy_error *err = NULL;
	if (n0 || n1) {
		int busy = n0 ? 0 : 1;
		if (test_res_app_free(&inst[busy], &err) != RDY_EBUSY)
			fail("free before unload with live handles: not refused");
		rdy_error_free(err);
		return;
	}
	for (int i = 0; i < 2; i++)
		if (test_res_app_free(&inst[i], &err) != RDY_OK)
			fail("free before unload: %s", rdy_error_message(err));
	int rc = rdy_module_close(module, &err);
	if (rc != RDY_OK)
		fail("unload: %s", rdy_error_message(err));
	if (!(module = rdy_module_open(world, RES_PLUGIN, &err)))
		fail("reload: %s", rdy_error_message(err));
	freed(0);
	freed(1);
}

int main(int argc, char **argv)
{
	unsigned long sequences = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	model_name = "test_res_model";
	rdy_error *err = NULL;
	if (!(world = test_res_app_world(&err)) || !(module = rdy_module_open(world, RES_PLUGIN, &err)))
		fail("open: %s", rdy_error_message(err));
	instantiate(0);
	instantiate(1);
	static void (*const ops[])(void) = { op_create, op_create, op_create, op_get, op_get, op_add, op_absorb,
					     op_drop, op_drop, op_kill, op_free, op_unload };
	uint64_t counts[2] = { 0, 0 };
	for (unsigned long s = 0; s < sequences; s++) {
		seq_seed = rng = seed * 0x9e3779b97f4a7c15ull + s + 1;
		nh = 0;
		ntrail = 0;
		unsigned len = 1 + rnd(OPS);
		for (unsigned k = 0; k < len; k++) {
			ops[rnd(sizeof ops / sizeof *ops)]();
			nops++;
		}
		/* Clean up for the next sequence: what is live drops, what is dead is freed. */
		for (unsigned k = 0; k < nh; k++) {
			if (hs[k].state == DROPPED)
				continue;
			counts[hs[k].state == DEAD]++;
			int32_t st = test_res_things_counter_drop(&inst[hs[k].inst], hs[k].own);
			if (st != RDY_OK)
				fail("cleanup drop: %s", rdy_handle_error());
			if (hs[k].state == LIVE)
				expect_destructors(&hs[k].value, 1);
			else
				expect_destructors(NULL, 0);
		}
		for (int i = 0; i < 2; i++) {
			if (rdy_instance_nhandles(inst[i].instance))
				fail("instance %d has %u handles after cleanup", i, rdy_instance_nhandles(inst[i].instance));
			if (killed[i]) {
				if (test_res_app_free(&inst[i], NULL) != RDY_OK)
					fail("cleanup: free of a killed instance refused");
				freed(i);
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (test_res_app_free(&inst[i], &err) != RDY_OK)
			fail("final free: %s", rdy_error_message(err));
	if (rdy_module_close(module, &err) != RDY_OK)
		fail("final close: %s", rdy_error_message(err));
	rdy_world_free(world);
	printf("test_res_model: %lu sequences, %" PRIu64 " operations, %" PRIu64 " destructors, all as the model "
	       "says (seed %" PRIu64 ")\n", sequences, nops, ndestructors, seed);
	return 0;
}
