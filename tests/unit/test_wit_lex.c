/* Lexical rules of WIT (WIT.md "Lexical structure"), through the loader's diagnostics. */
#include "wittest.h"

static void identifiers(void **state)
{
	(void)state;
	rdy_wit_free(wit_ok("package a:b; interface %interface { %type: func(); is-XML: func(); ENOENT: func(); a0-000-3d4a-54FF: func(); }"));
	wit_err("package a:b; interface Foo {}", "invalid character in identifier 'o'", "1:24");
	wit_err("package a:b; interface a--b {}", "identifiers must have characters between '-'s", "1:24");
	wit_err("package a:b; interface 0a {}", "expected an identifier or string, found an integer", "1:24");
	wit_err("package a:b; interface a_b {}", "invalid character in identifier '_'", "1:24");
	wit_err("package a:b; interface caf\xc3\xa9 {}", "invalid character in identifier '\xc3\xa9'", "1:24");
	wit_err("package a:b; interface % {}", "identifiers must have characters between '-'s", "1:24");
}

static void keywords_are_not_names(void **state)
{
	(void)state;
	wit_err("package a:b; interface option {}", "expected an identifier or string, found keyword `option`",
		"1:24");
	wit_err("package a:b; interface i { type t = float32; }", "type `float32` does not exist", "1:37");
}

static void comments(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("/* a /* nested */ comment */ package a:b;\n// line\ninterface i {}\n");
	rdy_wit_free(w);
	wit_err("package a:b;\n/* never /* closed */\n", "unterminated block comment", "2:1");
	wit_err("package a:b; interface i { / }", "expected `type`, `resource` or `func`, found `/`", "1:28");
}

static void forbidden_code_points(void **state)
{
	(void)state;
	wit_err("package a:b;\ninterface i {\x01}", "Control code '\\u{1}'", "2:14");
	wit_err("package a:b; // \xe2\x80\xae\n", "Input contains bidirectional override codepoint \"\\u{202e}\"", "1:17");
	wit_err("package a:b; // \xc5\x89\n", "Codepoint \"\\u{149}\" is discouraged by Unicode", "1:17");
	wit_err("package a:b; interface i { # }", "unexpected character '#'", "1:28");
}

static void line_endings_and_bom(void **state)
{
	(void)state;
	rdy_wit_free(wit_ok("\xef\xbb\xbfpackage a:b;\r\ninterface i {\r\n  f: func();\r\n}\r\n"));
	wit_err("package a:b;\r\ninterface i {\r\n  f: func()\r\n}\r\n", "expected ';', found '}'", "4:1");
	wit_err("package a:b;\rinterface i {}", "unexpected character '\\u{d}'", "1:13");
}

static void strings(void **state)
{
	(void)state;
	wit_err("package a:b;\n\"\n", "unterminated string literal", "2:1");
	wit_err("package a:b; \"\\q\"", "invalid string escape 'q'", "1:16");
	wit_err("package a:b; \"ok\\u{48}\\n\"", "expected `world`, `interface` or `use`, found a string literal", "1:14");
}

static void versions(void **state)
{
	(void)state;
	rdy_wit *w = wit_ok("package a:b@1.2.3-rc.1+build.5;");
	const rdy_wit_package *p = wit_pkg(w, "a:b@1.2.3-rc.1+build.5");
	assert_int_equal(p->version.major, 1);
	assert_int_equal(p->version.minor, 2);
	assert_int_equal(p->version.patch, 3);
	assert_string_equal(p->version.pre, "rc.1");
	assert_string_equal(p->version.build, "build.5");
	rdy_wit_free(w);
	wit_err("package a:b@01.0.0;", "invalid leading zero or overflow in version number", "1:13");
	wit_err("package a:b@1.0;", "expected '.', found ';'", "1:16");
	wit_err("package a:b@1.0.0-01;", "invalid leading zero in pre-release identifier", "1:13");
}

static void invalid_utf8(void **state)
{
	(void)state;
	wit_err("package a:b; // \xff\n", "input file is not valid utf-8 [t.wit]", NULL);
	wit_err("package a:b; // \xed\xa0\x80\n", "input file is not valid utf-8 [t.wit]", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identifiers),
		cmocka_unit_test(keywords_are_not_names),
		cmocka_unit_test(comments),
		cmocka_unit_test(forbidden_code_points),
		cmocka_unit_test(line_endings_and_bom),
		cmocka_unit_test(strings),
		cmocka_unit_test(versions),
		cmocka_unit_test(invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
