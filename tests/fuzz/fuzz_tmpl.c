/*
 * fuzz_tmpl.c — the template engine (cgi-bin/tmpl.c): compile a template
 * and render it with values.
 *
 * The input up to its first NUL is the template; the text after it gives
 * the values (split at further NULs). Promises checked: any text either
 * compiles or is refused (never a crash, never a template that renders
 * past its nesting limit), and a value is always escaped: the values all
 * carry "<v", so "<v" in the output must come from the template itself.
 */
#include <string.h>

#include "fuzz.h"
#include "tmpl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct buf out = BUF_INIT;
	const char *vals[3] = { "", "", "" };
	struct tmpl_set *set;
	struct tdict *d, *item;
	char *text;
	size_t tlen;

	text = arena_strndup(&a, (const char *)data, size); /* up to a NUL */
	tlen = strlen(text);
	for (size_t i = 0, off = tlen + 1; i < 3 && off < size; i++) {
		vals[i] = arena_strndup(&a, (const char *)data + off, size - off);
		off += strlen(vals[i]) + 1;
	}

	set = tmpl_load_one(TMPL_HOME, "fuzz", text);
	if (set == NULL) {
		arena_free(&a);
		return 0;
	}
	d = tdict_new(&a);
	tdict_strf(d, "a", "<v%s", vals[0]);
	tdict_strf(d, "name", "<v&\"'>%s", vals[1]);
	tdict_str(d, "empty", "");
	tdict_bool(d, "t", 1);
	tdict_bool(d, "f", 0);
	tdict_int(d, "n", -42);
	tdict_html(d, "h", "<i>ok</i>", 9);
	for (int i = 0; i < 3; i++) {
		item = tdict_add(d, "items");
		tdict_strf(item, "a", "<v item %d %s", i, vals[2]);
		tdict_bool(item, "t", i % 2);
		tdict_strf(tdict_add(item, "sub"), "name", "<v sub %d", i);
	}
	tdict_add(d, "none"); /* a list of one empty item */
	tmpl_render(set, TMPL_HOME, d, &out);
	if (strstr(text, "<v") == NULL)
		FUZZ_CHECK(memmem(out.data ? out.data : "", out.len, "<v", 2) == NULL);
	tmpl_free(set);
	buf_free(&out);
	arena_free(&a);
	return 0;
}
