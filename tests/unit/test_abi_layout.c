/* The layout rules of docs/abi.md §2, one test per rule, on small WIT worlds. */
#include "wittest.h"

#include "abi/abi.h"

typedef struct fixture {
	rdy_wit *w;
	rdy_abi_layouts *l;
	const rdy_wit_interface *in;
} fixture;

/* Resolves "package t:t; interface i { BODY }" and lays it out. */
static fixture lay(const char *body)
{
	char src[4096];
	snprintf(src, sizeof src, "package t:t;\ninterface i {\n%s\n}\n", body);
	fixture f;
	f.w = wit_ok(src);
	const rdy_wit_model *m = rdy_wit_get_model(f.w);
	f.l = rdy_abi_layouts_new(m);
	assert_non_null(f.l);
	f.in = &m->interfaces[0];
	return f;
}

static const rdy_abi_type *of(fixture *f, const char *name)
{
	int32_t id = wit_named(f->in->types, f->in->ntypes, name);
	assert_true(id >= 0);
	return rdy_abi_layout(f->l, id);
}

static void done(fixture *f)
{
	rdy_abi_layouts_free(f->l);
	rdy_wit_free(f->w);
}

#define SIZE_ALIGN(f, name, s, a)                              \
	do {                                                   \
		assert_int_equal(of(&(f), name)->size, s);     \
		assert_int_equal(of(&(f), name)->align, a);    \
		assert_int_equal(of(&(f), name)->status, 0);   \
	} while (0)

static void l_prim(void **state)
{
	(void)state;
	fixture f = lay("type a = bool; type b = s16; type c = u32; type d = f64; type e = char; type g = string;");
	SIZE_ALIGN(f, "a", 1, 1);
	SIZE_ALIGN(f, "b", 2, 2);
	SIZE_ALIGN(f, "c", 4, 4);
	SIZE_ALIGN(f, "d", 8, 8);
	SIZE_ALIGN(f, "e", 4, 4);
	SIZE_ALIGN(f, "g", 16, 8);
	done(&f);
}

static void l_struct(void **state)
{
	(void)state;
	fixture f = lay("record r { a: u8, b: u64, c: u16 } type t = tuple<u8, u32, u8>;");
	SIZE_ALIGN(f, "r", 24, 8);
	assert_int_equal(of(&f, "r")->offsets[0], 0);
	assert_int_equal(of(&f, "r")->offsets[1], 8);
	assert_int_equal(of(&f, "r")->offsets[2], 16);
	SIZE_ALIGN(f, "t", 12, 4);
	assert_int_equal(of(&f, "t")->offsets[1], 4);
	assert_int_equal(of(&f, "t")->offsets[2], 8);
	done(&f);
}

static void l_tagged(void **state)
{
	(void)state;
	fixture f = lay("variant v { a, b(u64), c(string) } variant e { x, y } type o = option<u16>;"
			" type r = result<u8, string>; type n = result;");
	SIZE_ALIGN(f, "v", 24, 8);
	assert_int_equal(of(&f, "v")->payload, 8);
	SIZE_ALIGN(f, "e", 1, 1); /* no payloads: just the tag */
	SIZE_ALIGN(f, "o", 4, 2);
	SIZE_ALIGN(f, "r", 24, 8);
	SIZE_ALIGN(f, "n", 1, 1);
	done(&f);
}

static void l_disc(void **state)
{
	(void)state;
	assert_int_equal(rdy_abi_disc_size(1), 1);
	assert_int_equal(rdy_abi_disc_size(256), 1);
	assert_int_equal(rdy_abi_disc_size(257), 2);
	assert_int_equal(rdy_abi_disc_size(65536), 2);
	assert_int_equal(rdy_abi_disc_size(65537), 4);
	char body[8192] = "enum big {";
	for (int i = 0; i < 300; i++)
		snprintf(body + strlen(body), sizeof body - strlen(body), " e%d,", i);
	strcat(body, " }");
	fixture f = lay(body);
	SIZE_ALIGN(f, "big", 2, 2);
	done(&f);
}

static void l_enum(void **state)
{
	(void)state;
	fixture f = lay("enum e { a, b, c }");
	SIZE_ALIGN(f, "e", 1, 1);
	assert_int_equal(of(&f, "e")->disc, 1);
	done(&f);
}

static void l_empty(void **state)
{
	(void)state;
	fixture f = lay("record r {} type t = tuple<>; type z = list<u64, 0>; record h { a: r, b: u8 }");
	SIZE_ALIGN(f, "r", 1, 1);
	SIZE_ALIGN(f, "t", 1, 1);
	SIZE_ALIGN(f, "z", 1, 1);
	SIZE_ALIGN(f, "h", 2, 1);
	done(&f);
}

static void l_list(void **state)
{
	(void)state;
	fixture f = lay("type l = list<u8>; type m = map<string, u32>;");
	SIZE_ALIGN(f, "l", 16, 8);
	SIZE_ALIGN(f, "m", 16, 8);
	done(&f);
}

static void l_fixed(void **state)
{
	(void)state;
	fixture f = lay("type a = list<u16, 3>; record r { x: u8, y: list<u32, 2> }");
	SIZE_ALIGN(f, "a", 6, 2);
	SIZE_ALIGN(f, "r", 12, 4);
	assert_int_equal(of(&f, "r")->offsets[1], 4);
	done(&f);
}

static void l_flags(void **state)
{
	(void)state;
	char body[4096] = "flags f8 { a0, a1, a2, a3, a4, a5, a6, a7 } flags f9 { b0, b1, b2, b3, b4, b5, b6, b7, b8 }"
			  " flags f0 {} flags big {";
	for (int i = 0; i < 65; i++)
		snprintf(body + strlen(body), sizeof body - strlen(body), " c%d,", i);
	strcat(body, " }");
	fixture f = lay(body);
	SIZE_ALIGN(f, "f8", 1, 1);
	SIZE_ALIGN(f, "f9", 2, 2);
	SIZE_ALIGN(f, "f0", 1, 1);
	SIZE_ALIGN(f, "big", 16, 8);
	assert_int_equal(of(&f, "big")->words, 2);
	done(&f);
}

static void l_handle(void **state)
{
	(void)state;
	fixture f = lay("resource r; record h { a: own<r>, b: borrow<r>, c: r }");
	SIZE_ALIGN(f, "h", 12, 4);
	done(&f);
}

static void l_limit_and_v1(void **state)
{
	(void)state;
	fixture f = lay("type big = list<list<u64, 65536>, 65536>; type s = stream<u8>; record r { x: future }");
	assert_int_equal(of(&f, "big")->status, RDY_ABI_TOO_LARGE);
	assert_int_equal(of(&f, "s")->status, RDY_ABI_NOT_IN_V1);
	assert_int_equal(of(&f, "r")->status, RDY_ABI_NOT_IN_V1);
	assert_non_null(rdy_abi_why_not(f.l, wit_named(f.in->types, f.in->ntypes, "r")));
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(l_prim),   cmocka_unit_test(l_struct), cmocka_unit_test(l_tagged),
		cmocka_unit_test(l_disc),   cmocka_unit_test(l_enum),   cmocka_unit_test(l_empty),
		cmocka_unit_test(l_list),   cmocka_unit_test(l_fixed),  cmocka_unit_test(l_flags),
		cmocka_unit_test(l_handle), cmocka_unit_test(l_limit_and_v1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
