/*
 * filters-host: a small host for text filters, the plugins of the world
 * example:filters/plugin (wit/).
 *
 *   filters-host PLUGIN.so...
 *
 * It opens every plugin named on its command line with librdy, which checks
 * each one against the world this host was built from before any of the
 * plugin's code runs, and refuses the ones that do not match.  Then it runs
 * a sample text through each plugin it accepted (check, apply, suggest),
 * through all of them in a row, and once more with a text longer than its
 * policy allows.  It provides the plugins four functions of its own, the
 * world's `host` interface: log, config, dictionary and policy.
 *
 * Exit status: 0 when every accepted plugin ran as it should, whether or not
 * some were refused (refusing a mismatched plugin is the loader doing its
 * job); 1 when a plugin trapped or librdy failed otherwise; 2 on a usage
 * error.
 */
#include "filters_host.h"

#include <rdy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef example_filters_types_span_t span_t;

/* The host's policy: the longest text a filter may rewrite. */
#define MAX_INPUT 200

static const char sample_text[] =
	"the quick brwon fox jumps over  the lazy dog. alice keeps the secret code in teh lab";

/* The host's settings, as config returns them. */
static const struct {
	const char *key;
	const char *value;
} settings[] = {
	{ "redact.words", "secret, code" },
};

/* The host's dictionary, as dictionary returns it. */
static const char *const dictionary[] = {
	"a", "alice", "brown", "code", "dog", "fox", "in", "jumps", "keeps", "lab",
	"lazy", "over", "quick", "secret", "the",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* One plugin named on the command line. */
typedef struct plugin {
	const char *path;
	rdy_module *module;              /* NULL when refused */
	example_filters_plugin_t inst;
	bool live;                       /* INST holds an instance */
	char name[32];                   /* its own name once known, for the log */
	unsigned host_calls;             /* how often it called the host's functions */
} plugin;

static const char *severity_name(example_filters_types_severity_t s)
{
	static const char *const names[] = { "info", "warning", "error" };
	return s < COUNT(names) ? names[s] : "(unknown severity)";
}

/* Prints a WIT string, which is not NUL-terminated, between quotes. */
static void print_quoted(const char *s, size_t len)
{
	putchar('"');
	if (len)
		fwrite(s, 1, len, stdout);
	putchar('"');
}

static void print_caps(example_filters_types_caps_t caps)
{
	static const char *const names[] = { "rewrite text", "check text", "use the host's dictionary" };
	const char *sep = "";
	for (size_t i = 0; i < COUNT(names); i++)
		if (caps & (1u << i)) {
			printf("%s%s", sep, names[i]);
			sep = ", ";
		}
	printf("%s\n", *sep ? "" : "nothing");
}

/* Prints every line of MSG after INDENT. */
static void print_indented(const char *msg, const char *indent)
{
	while (*msg) {
		size_t n = strcspn(msg, "\n");
		printf("%s%.*s\n", indent, (int)n, msg);
		msg += n + (msg[n] == '\n');
	}
}

/* ---- the host's functions, which plugins import ------------------------------ */

static int32_t host_log(void *ctx, example_filters_host_severity_t level, const rdy_string_t *msg)
{
	plugin *p = ctx;
	p->host_calls++;
	printf("      [%s logs, %s] ", p->name, severity_name(level));
	if (msg->len)
		fwrite(msg->ptr, 1, msg->len, stdout);
	putchar('\n');
	return RDY_OK;
}

/*
 * The setting KEY, in a copy the host allocates: the generated release (in
 * filters_host.c) frees it once the plugin is done with it.
 */
static int32_t host_config(void *ctx, const rdy_string_t *key, example_filters_plugin_option_string_t *ret)
{
	plugin *p = ctx;
	p->host_calls++;
	example_filters_plugin_option_string_t r = { 0, { NULL, 0 } };
	for (size_t i = 0; i < COUNT(settings); i++) {
		const char *k = settings[i].key, *v = settings[i].value;
		if (key->len != strlen(k) || memcmp(key->ptr, k, key->len))
			continue;
		if (!rdy_string_dup(&r.val, v, strlen(v)))
			return RDY_ETRAP;
		r.is_some = 1;
		break;
	}
	*ret = r;
	return RDY_OK;
}

static int32_t host_dictionary(void *ctx, example_filters_plugin_list_string_t *ret)
{
	plugin *p = ctx;
	p->host_calls++;
	rdy_string_t *words = calloc(COUNT(dictionary), sizeof *words);
	if (!words)
		return RDY_ETRAP;
	for (size_t i = 0; i < COUNT(dictionary); i++)
		if (!rdy_string_dup(&words[i], dictionary[i], strlen(dictionary[i]))) {
			while (i--)
				rdy_string_free(&words[i]);
			free(words);
			return RDY_ETRAP;
		}
	ret->ptr = words;
	ret->len = COUNT(dictionary);
	return RDY_OK;
}

static int32_t host_policy(void *ctx, example_filters_host_limits_t *ret)
{
	plugin *p = ctx;
	p->host_calls++;
	ret->max_input = MAX_INPUT;
	ret->granted = EXAMPLE_FILTERS_TYPES_CAPS_REWRITES | EXAMPLE_FILTERS_TYPES_CAPS_CHECKS |
		       EXAMPLE_FILTERS_TYPES_CAPS_USES_DICTIONARY;
	return RDY_OK;
}

static const example_filters_plugin_imports_t host_functions = {
	.example_filters_host_log = host_log,
	.example_filters_host_config = host_config,
	.example_filters_host_dictionary = host_dictionary,
	.example_filters_host_policy = host_policy,
};

/* ---- opening and closing ------------------------------------------------------- */

/* Reports a call into P that trapped; always false, for the caller to return. */
static bool trapped(const plugin *p, const char *func, int32_t status)
{
	printf("    %s's %s trapped with status %d: %s\n", p->name, func, (int)status, rdy_strerror(status));
	return false;
}

/* Asks P who it is and keeps its name, for the rest of the run. */
static bool ask_about(plugin *p)
{
	example_filters_filter_identity_t id;
	int32_t st = exports_example_filters_filter_about(&p->inst, &id);
	if (st != RDY_OK)
		return trapped(p, "about", st);
	snprintf(p->name, sizeof p->name, "%.*s", (int)(id.name.len < sizeof p->name ? id.name.len : sizeof p->name),
		 id.name.len ? id.name.ptr : "");
	printf("    it is %s: ", p->name);
	if (id.summary.len)
		fwrite(id.summary.ptr, 1, id.summary.len, stdout);
	printf("\n    it can: ");
	print_caps(id.caps);
	exports_example_filters_filter_about_release(&p->inst, &id);
	return true;
}

/*
 * Opens P's file and starts one instance.  *REFUSED is set when librdy
 * refused the file; false is returned for that and for any other failure.
 */
static bool open_plugin(rdy_world *world, plugin *p, bool *refused)
{
	rdy_error *err = NULL;
	*refused = false;
	p->module = rdy_module_open(world, p->path, &err);
	if (!p->module) {
		*refused = true;
		printf("  %s: REFUSED (%s); none of its code ran:\n", p->path, rdy_strerror(rdy_error_code(err)));
		print_indented(rdy_error_message(err), "    ");
		rdy_error_free(err);
		return false;
	}
	printf("  %s: accepted, it matches the world (built by %s)\n", p->path, rdy_module_producer(p->module));
	if (example_filters_plugin_instantiate(p->module, &host_functions, p, &p->inst, &err) != RDY_OK) {
		printf("    could not start it: %s\n", rdy_error_message(err));
		rdy_error_free(err);
		return false;
	}
	p->live = true;
	return ask_about(p);
}

/* Frees P's instance and closes its module; false if librdy would not. */
static bool close_plugin(plugin *p)
{
	if (p->live)
		example_filters_plugin_free(&p->inst, NULL);
	p->live = false;
	if (!p->module)
		return true;
	rdy_error *err = NULL;
	if (rdy_module_close(p->module, &err) != RDY_OK) {
		printf("  %s: could not close it: %s\n", p->path, rdy_error_message(err));
		rdy_error_free(err);
		return false;
	}
	p->module = NULL;
	return true;
}

/* ---- running the filters ------------------------------------------------------- */

/*
 * Prints where SPAN falls in TEXT.  A plugin's results are data from
 * another program: a span past the end of the text is shown, not followed.
 */
static void print_span(const rdy_string_t *text, span_t at)
{
	if (at.start > text->len || at.len > text->len - at.start) {
		printf("at bytes %llu..%llu, past the end of the text", (unsigned long long)at.start,
		       (unsigned long long)at.start + at.len);
		return;
	}
	printf("at byte %u, ", (unsigned)at.start);
	print_quoted(text->ptr + at.start, at.len);
}

static bool run_check(plugin *p, const rdy_string_t *text)
{
	example_filters_plugin_list_finding_t found;
	int32_t st = exports_example_filters_filter_check(&p->inst, text, &found);
	if (st != RDY_OK)
		return trapped(p, "check", st);
	printf("    check: %zu finding%s\n", found.len, found.len == 1 ? "" : "s");
	for (size_t i = 0; i < found.len; i++) {
		const example_filters_filter_finding_t *f = &found.ptr[i];
		printf("      %s ", severity_name(f->severity));
		if (f->at.is_some)
			print_span(text, f->at.val);
		else
			printf("about the whole text");
		printf(": ");
		if (f->message.len)
			fwrite(f->message.ptr, 1, f->message.len, stdout);
		putchar('\n');
	}
	exports_example_filters_filter_check_release(&p->inst, &found);
	return true;
}

/* Why apply gave no text, in words. */
static void print_filter_error(const example_filters_filter_filter_error_t *e)
{
	switch (e->tag) {
	case EXAMPLE_FILTERS_TYPES_FILTER_ERROR_BAD_INPUT:
		printf("it cannot take this text: ");
		print_quoted(e->val.bad_input.ptr, e->val.bad_input.len);
		break;
	case EXAMPLE_FILTERS_TYPES_FILTER_ERROR_UNSUPPORTED:
		printf("it does not rewrite text");
		break;
	case EXAMPLE_FILTERS_TYPES_FILTER_ERROR_TOO_LARGE:
		printf("the text is too large, the limit is %llu bytes", (unsigned long long)e->val.too_large);
		break;
	default:
		printf("an error the host does not know (case %u)", (unsigned)e->tag);
		break;
	}
}

/* Runs apply on TEXT and says what came of it, after LABEL. */
static bool run_apply(plugin *p, const rdy_string_t *text, const char *label)
{
	example_filters_plugin_result_string_filter_error_t r;
	int32_t st = exports_example_filters_filter_apply(&p->inst, text, &r);
	if (st != RDY_OK)
		return trapped(p, "apply", st);
	printf("    %s: ", label);
	if (r.is_err) {
		printf("declined: ");
		print_filter_error(&r.val.err);
	} else {
		printf("rewrote it as ");
		print_quoted(r.val.ok.ptr, r.val.ok.len);
	}
	putchar('\n');
	/* The plugin allocated the result: only its release may free it. */
	exports_example_filters_filter_apply_release(&p->inst, &r);
	return true;
}

static void print_edit(const rdy_string_t *text, const example_filters_filter_edit_t *e)
{
	switch (e->tag) {
	case EXAMPLE_FILTERS_TYPES_EDIT_INSERT:
		printf("      insert ");
		print_quoted(e->val.insert.f1.ptr, e->val.insert.f1.len);
		printf(" at byte %u\n", (unsigned)e->val.insert.f0);
		break;
	case EXAMPLE_FILTERS_TYPES_EDIT_DELETE:
		printf("      delete ");
		print_span(text, e->val.delete_);
		putchar('\n');
		break;
	case EXAMPLE_FILTERS_TYPES_EDIT_REPLACE:
		printf("      replace ");
		print_span(text, e->val.replace.at);
		printf(" with ");
		print_quoted(e->val.replace.text.ptr, e->val.replace.text.len);
		putchar('\n');
		break;
	default:
		printf("      an edit the host does not know (case %u)\n", (unsigned)e->tag);
		break;
	}
}

static bool run_suggest(plugin *p, const rdy_string_t *text)
{
	example_filters_plugin_list_edit_t edits;
	int32_t st = exports_example_filters_filter_suggest(&p->inst, text, &edits);
	if (st != RDY_OK)
		return trapped(p, "suggest", st);
	printf("    suggest: %zu edit%s\n", edits.len, edits.len == 1 ? "" : "s");
	for (size_t i = 0; i < edits.len; i++)
		print_edit(text, &edits.ptr[i]);
	exports_example_filters_filter_suggest_release(&p->inst, &edits);
	return true;
}

/* Each accepted plugin on its own, on the sample text. */
static bool run_each(plugin *plugins, size_t n, const rdy_string_t *text)
{
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		plugin *p = &plugins[i];
		if (!p->live)
			continue;
		printf("\n  %s, on the sample:\n", p->name);
		ok = run_check(p, text) && ok;
		ok = run_apply(p, text, "apply") && ok;
		ok = run_suggest(p, text) && ok;
	}
	return ok;
}

/* Where edit E starts, how many bytes of the text it takes away, and what it puts in. */
static void edit_extent(const example_filters_filter_edit_t *e, span_t *at, rdy_string_t *with)
{
	static const rdy_string_t nothing = { NULL, 0 };
	switch (e->tag) {
	case EXAMPLE_FILTERS_TYPES_EDIT_INSERT:
		*at = (span_t){ e->val.insert.f0, 0 };
		*with = e->val.insert.f1;
		break;
	case EXAMPLE_FILTERS_TYPES_EDIT_DELETE:
		*at = e->val.delete_;
		*with = nothing;
		break;
	default:
		*at = e->val.replace.at;
		*with = e->val.replace.text;
		break;
	}
}

/*
 * Whether EDITS can be made to TEXT: known cases, in order, inside the text
 * and not overlapping.  They come from a plugin, so the host checks them
 * all before it copies a byte.
 */
static bool edits_fit(const rdy_string_t *text, const example_filters_plugin_list_edit_t *edits)
{
	size_t from = 0;
	for (size_t i = 0; i < edits->len; i++) {
		span_t at;
		rdy_string_t with;
		if (edits->ptr[i].tag > EXAMPLE_FILTERS_TYPES_EDIT_REPLACE)
			return false;
		edit_extent(&edits->ptr[i], &at, &with);
		if (at.start < from || at.start > text->len || at.len > text->len - at.start)
			return false;
		from = (size_t)at.start + at.len;
	}
	return true;
}

static size_t put(char *dst, size_t at, const char *src, size_t n)
{
	if (n)
		memcpy(dst + at, src, n);
	return at + n;
}

/* TEXT with EDITS (checked by edits_fit) made, in *OUT, which the host owns. */
static bool make_edits(const rdy_string_t *text, const example_filters_plugin_list_edit_t *edits, rdy_string_t *out)
{
	size_t n = text->len, from = 0, to = 0;
	span_t at;
	rdy_string_t with;
	for (size_t i = 0; i < edits->len; i++) {
		edit_extent(&edits->ptr[i], &at, &with);
		n = n - at.len + with.len;
	}
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return false;
	for (size_t i = 0; i < edits->len; i++) {
		edit_extent(&edits->ptr[i], &at, &with);
		to = put(buf, to, text->ptr + from, at.start - from);
		to = put(buf, to, with.ptr, with.len);
		from = (size_t)at.start + at.len;
	}
	put(buf, to, text->ptr + from, text->len - from);
	*out = (rdy_string_t){ buf, n };
	return true;
}

/*
 * For a plugin that does not rewrite: the host makes the edits it suggests.
 * *NEXT stays empty when it suggests none, or edits the host cannot make.
 */
static bool edit_step(plugin *p, const rdy_string_t *cur, rdy_string_t *next)
{
	example_filters_plugin_list_edit_t edits;
	int32_t st = exports_example_filters_filter_suggest(&p->inst, cur, &edits);
	if (st != RDY_OK)
		return trapped(p, "suggest", st);
	bool ok = true;
	printf("    %s does not rewrite, ", p->name);
	if (!edits_fit(cur, &edits)) {
		printf("and its edits do not fit the text: the host skips them\n");
	} else if (edits.len == 0) {
		printf("and it suggests no edit\n");
	} else if ((ok = make_edits(cur, &edits, next))) {
		printf("so the host made its %zu suggested edit%s: ", edits.len, edits.len == 1 ? "" : "s");
		print_quoted(next->ptr, next->len);
		putchar('\n');
	}
	exports_example_filters_filter_suggest_release(&p->inst, &edits);
	return ok;
}

/* One plugin's turn: its rewrite of CUR in *NEXT, or *NEXT left empty. */
static bool pipeline_step(plugin *p, const rdy_string_t *cur, rdy_string_t *next)
{
	example_filters_plugin_result_string_filter_error_t r;
	int32_t st = exports_example_filters_filter_apply(&p->inst, cur, &r);
	if (st != RDY_OK)
		return trapped(p, "apply", st);
	bool ok = true;
	bool by_edits = r.is_err && r.val.err.tag == EXAMPLE_FILTERS_TYPES_FILTER_ERROR_UNSUPPORTED;
	if (!r.is_err && (ok = rdy_string_dup(next, r.val.ok.ptr, r.val.ok.len))) {
		printf("    %s rewrote it: ", p->name);
		print_quoted(next->ptr, next->len);
		putchar('\n');
	} else if (r.is_err && !by_edits) {
		printf("    %s declined: ", p->name);
		print_filter_error(&r.val.err);
		putchar('\n');
	}
	exports_example_filters_filter_apply_release(&p->inst, &r);
	return ok && (!by_edits || edit_step(p, cur, next));
}

/*
 * The sample through every accepted plugin in turn, each one's output the
 * next one's input.  The host owns each intermediate text: a plugin's result
 * is copied, then released at once.
 */
static bool run_pipeline(plugin *plugins, size_t n, const rdy_string_t *text)
{
	rdy_string_t cur;
	if (!rdy_string_dup(&cur, text->ptr, text->len))
		return false;
	bool ok = true;
	printf("\nThe sample through every plugin in turn, each one's output the next one's input:\n");
	for (size_t i = 0; ok && i < n; i++) {
		if (!plugins[i].live)
			continue;
		rdy_string_t next = { NULL, 0 };
		ok = pipeline_step(&plugins[i], &cur, &next);
		if (next.ptr) {
			rdy_string_free(&cur);
			cur = next;
		}
	}
	printf("  result: ");
	print_quoted(cur.ptr, cur.len);
	putchar('\n');
	rdy_string_free(&cur);
	return ok;
}

/* A text over the policy's limit: the plugins that rewrite must decline it. */
static bool run_too_long(plugin *plugins, size_t n, const rdy_string_t *sample)
{
	size_t len = MAX_INPUT + 50;
	char *buf = malloc(len);
	if (!buf)
		return false;
	for (size_t i = 0; i < len; i++)
		buf[i] = sample->ptr[i % sample->len];
	rdy_string_t text = { buf, len };
	bool ok = true;
	printf("\nA text of %zu bytes, over the host's limit of %d:\n", len, MAX_INPUT);
	for (size_t i = 0; i < n; i++)
		if (plugins[i].live)
			ok = run_apply(&plugins[i], &text, plugins[i].name) && ok;
	free(buf);
	return ok;
}

/* ---- main ------------------------------------------------------------------------ */

static bool run(rdy_world *world, plugin *plugins, size_t n)
{
	size_t accepted = 0, refused = 0;
	bool ok = true;
	printf("Opening %zu plugin%s; librdy checks each against the world before it runs any of its code.\n", n,
	       n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		bool was_refused;
		if (open_plugin(world, &plugins[i], &was_refused))
			accepted++;
		else if (was_refused)
			refused++;
		else
			ok = false;
	}
	rdy_string_t text = rdy_str(sample_text);
	printf("\nThe sample text (%zu bytes):\n  ", text.len);
	print_quoted(text.ptr, text.len);
	putchar('\n');
	ok = run_each(plugins, n, &text) && ok;
	ok = run_pipeline(plugins, n, &text) && ok;
	ok = run_too_long(plugins, n, &text) && ok;

	printf("\nCalls from the plugins to the host's functions:");
	const char *sep = " ";
	for (size_t i = 0; i < n; i++)
		if (plugins[i].live) {
			printf("%s%s %u", sep, plugins[i].name, plugins[i].host_calls);
			sep = ", ";
		}
	printf(".\nClosing every plugin.\n");
	for (size_t i = 0; i < n; i++)
		ok = close_plugin(&plugins[i]) && ok;
	printf("%zu plugin%s accepted and ran, %zu refused.\n", accepted, accepted == 1 ? "" : "s", refused);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PLUGIN.so...\n", argv[0]);
		return 2;
	}
	rdy_error *err = NULL;
	rdy_world *world = example_filters_plugin_world(&err);
	if (!world) {
		fprintf(stderr, "filters-host: %s\n", rdy_error_message(err));
		rdy_error_free(err);
		return 1;
	}
	size_t n = (size_t)argc - 1;
	plugin *plugins = calloc(n, sizeof *plugins);
	if (!plugins) {
		rdy_world_free(world);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		plugins[i].path = argv[i + 1];
		/* Until the plugin names itself, the log calls it by its file's name. */
		const char *base = strrchr(argv[i + 1], '/');
		base = base ? base + 1 : argv[i + 1];
		snprintf(plugins[i].name, sizeof plugins[i].name, "%.*s", (int)strcspn(base, "."), base);
	}
	printf("filters-host: a text-filter host for the world example:filters/plugin@1.0.0.\n");
	bool ok = run(world, plugins, n);
	free(plugins);
	rdy_world_free(world);
	return ok ? 0 : 1;
}
