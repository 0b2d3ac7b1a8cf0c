/* Fuzzes the WIT front end: lex, parse, resolve, world selection and JSON. */
#include "fuzz.h"
#include "wit/wit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	rdy_wit *w;
	int pkg;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		return 0;
	if (!(w = rdy_wit_new()))
		return 0;
	rdy_wit_enable_feature(w, "active");
	pkg = rdy_wit_load_string(w, "fuzz.wit", (const char *)data, size);
	if (pkg >= 0) {
		rdy_wit_select_world(w, pkg, NULL);
		rdy_wit_write_json(w, devnull);
	}
	fputs(rdy_wit_errmsg(w), devnull);
	rdy_wit_free(w);
	return 0;
}
