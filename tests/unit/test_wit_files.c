/* Loading from the file system: package directories, deps/ folders, bad paths and bad bytes. */
#include "wittest.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/rdy-wit-files-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	put("pkg/a.wit", "package ex:app@1.0.0;\ninterface local { use ex:types/t@0.2.0.{id}; f: func(x: id); }\n");
	put("pkg/b.wit", "world app { import local; import ex:log/log; }\n");
	put("pkg/notes.txt", "not WIT");
	put("pkg/deps/types/t.wit", "package ex:types@0.2.0;\ninterface t { type id = u64; }\n");
	put("pkg/deps/types/deps/ignored.wit", "this is never read");
	put("pkg/deps/log.wit", "package ex:log;\ninterface log { log: func(msg: string); }\n");
	put("pkg/deps/README", "ignored");
	put("types/t.wit", "package ex:types@0.2.0;\ninterface t { type id = u64; }\n");
	put("bad/a.wit", "package ex:bad;\ninterface i { f: func() -> nope; }\n");
	put("latin1.wit", "package ex:l1; // caf\xe9\n");
	put("twopkgs/a.wit", "package ex:one;\n");
	put("twopkgs/b.wit", "package ex:two;\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *rel)
{
	static char buf[512];
	snprintf(buf, sizeof buf, "%s/%s", root, rel);
	return buf;
}

static void directory_with_deps(void **state)
{
	(void)state;
	rdy_wit *w = rdy_wit_new();
	int pkg = rdy_wit_load_path(w, path("pkg"));
	if (pkg < 0)
		fail_msg("%s", rdy_wit_errmsg(w));
	const rdy_wit_model *m = rdy_wit_get_model(w);
	assert_int_equal(m->npackages, 3);
	assert_string_equal(m->packages[pkg].id, "ex:app@1.0.0");
	int world = rdy_wit_select_world(w, pkg, NULL);
	assert_true(world >= 0);
	assert_int_equal(m->worlds[world].nimports, 3); /* t, local, log: t comes in through `use` */
	rdy_wit_free(w);
}

static void errors_name_the_file(void **state)
{
	(void)state;
	rdy_wit *w = rdy_wit_new();
	assert_int_equal(rdy_wit_load_path(w, path("bad")), -1);
	char want[2048];
	snprintf(want, sizeof want,
		 "failed to resolve directory while parsing WIT for path [%s]: failed to parse package: %s: "
		 "name `nope` does not exist\n     --> %s/a.wit:2:28\n",
		 path("bad"), path("bad"), path("bad"));
	if (strncmp(rdy_wit_errmsg(w), want, strlen(want)))
		fail_msg("got:\n%s\nwant:\n%s", rdy_wit_errmsg(w), want);
	rdy_wit_free(w);
}

static void bad_paths_and_bytes(void **state)
{
	(void)state;
	rdy_wit *w = rdy_wit_new();
	assert_int_equal(rdy_wit_load_path(w, path("missing.wit")), -1);
	assert_non_null(strstr(rdy_wit_errmsg(w), "failed to read path for WIT ["));
	assert_non_null(strstr(rdy_wit_errmsg(w), "No such file or directory"));
	rdy_wit_free(w);
	w = rdy_wit_new();
	assert_int_equal(rdy_wit_load_path(w, path("latin1.wit")), -1);
	assert_non_null(strstr(rdy_wit_errmsg(w), "is not valid utf-8"));
	rdy_wit_free(w);
	w = rdy_wit_new();
	assert_int_equal(rdy_wit_load_path(w, path("twopkgs")), -1);
	assert_non_null(strstr(rdy_wit_errmsg(w), "package identifier `ex:two` does not match previous package name of `ex:one`"));
	rdy_wit_free(w);
}

static void loads_accumulate(void **state)
{
	(void)state;
	rdy_wit *w = rdy_wit_new();
	assert_true(rdy_wit_load_path(w, path("types")) >= 0);
	const char *src = "package ex:user; interface u { use ex:types/t@0.2.0.{id}; }";
	int pkg = rdy_wit_load_string(w, "u.wit", src, strlen(src));
	assert_true(pkg >= 0);
	/* loading the same package twice is refused */
	assert_int_equal(rdy_wit_load_path(w, path("types")), -1);
	assert_non_null(strstr(rdy_wit_errmsg(w), "already present"));
	rdy_wit_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(directory_with_deps),
		cmocka_unit_test(errors_name_the_file),
		cmocka_unit_test(bad_paths_and_bytes),
		cmocka_unit_test(loads_accumulate),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
