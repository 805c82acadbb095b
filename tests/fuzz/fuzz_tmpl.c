/*
 * fuzz_tmpl.c — the template engine (cgi-bin/tmpl.c): compile a template
 * and render it with values.
 *
 * The input up to its first NUL is the template; the text after it gives
 * the values (split at further NULs). Promises checked: any text either
 * compiles or is refused (never a crash, never a template that renders
 * past its nesting limit), and a value is always escaped. The second is
 * checked by rendering twice, once with values full of < > " ' and once
 * with the same values where those four are 'x': escaping turns them into
 * entities, so both outputs must hold as many of each.
 */
#include <string.h>

#include "fuzz.h"
#include "tmpl.h"

/* s, or a copy of s with < > " ' made 'x' when safe. */
static const char *
val(struct arena *a, const char *s, int safe)
{
	char *c;

	if (!safe)
		return s;
	c = arena_strdup(a, s);
	for (char *p = c; *p; p++)
		if (strchr("<>\"'", *p) != NULL)
			*p = 'x';
	return c;
}

static struct tdict *
values(struct arena *a, const char *const vals[3], int safe)
{
	struct tdict *d = tdict_new_unchecked(a), *item;

	tdict_str(d, "a", val(a, arena_printf(a, "<v%s", vals[0]), safe));
	tdict_str(d, "name", val(a, arena_printf(a, "<v&\"'>%s", vals[1]), safe));
	tdict_str(d, "empty", "");
	tdict_bool(d, "t", 1);
	tdict_bool(d, "f", 0);
	tdict_int(d, "n", -42);
	tdict_html(d, "h", "<i>ok</i>", 9); /* trusted HTML: the same in both */
	for (int i = 0; i < 3; i++) {
		item = tdict_add(d, "items");
		tdict_str(item, "a", val(a, arena_printf(a, "<v item %d %s", i,
		    vals[2]), safe));
		tdict_bool(item, "t", i % 2);
		tdict_str(tdict_add(item, "sub"), "name",
		    val(a, arena_printf(a, "<v sub '%d'", i), safe));
	}
	tdict_add(d, "none"); /* a list of one empty item */
	return d;
}

static size_t
count(const struct buf *b, char c)
{
	size_t n = 0;

	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == c;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct buf out = BUF_INIT, safe = BUF_INIT;
	const char *vals[3] = { "", "", "" };
	struct tmpl_set *set;
	char *text, err[TMPL_ERR_MAX];
	size_t tlen;

	text = arena_strndup(&a, (const char *)data, size); /* up to a NUL */
	tlen = strlen(text);
	for (size_t i = 0, off = tlen + 1; i < 3 && off < size; i++) {
		vals[i] = arena_strndup(&a, (const char *)data + off, size - off);
		off += strlen(vals[i]) + 1;
	}

	set = tmpl_load_one(TMPL_HOME, "fuzz", text, err);
	if (set == NULL) {
		arena_free(&a);
		return 0;
	}
	tmpl_render(set, 0, TMPL_HOME, values(&a, vals, 0), &out);
	tmpl_render(set, 0, TMPL_HOME, values(&a, vals, 1), &safe);
	for (const char *c = "<>\"'"; *c; c++)
		FUZZ_CHECK(count(&out, *c) == count(&safe, *c));
	tmpl_free(set);
	buf_free(&out);
	buf_free(&safe);
	arena_free(&a);
	return 0;
}
