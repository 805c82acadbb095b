/*
 * test_tmpl.c — the logic-less template engine (cgi-bin/tmpl.h).
 *
 * Covers rendering from inline text compiled with tmpl_load_one() as
 * TMPL_HOME: values escaped by default, tdict_html inserted as is,
 * sections over lists (order kept), bool and string sections, inverted
 * sections, lookups from list items falling back to outer dictionaries,
 * missing names rendering empty, comments dropped, and a partial whose
 * template is not in the set rendering nothing. Then the compile errors
 * (unclosed tags, unbalanced sections, names outside a-z0-9_, which
 * refuses {{{raw}}} and {{&raw}}), and tmpl_load() on templates/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl.h"

struct fixture {
	struct arena arena;
	struct buf out;
	struct tdict *d; /* the top dictionary, fresh for each test */
};

static int
setup(void **state)
{
	struct fixture *f = xmalloc(sizeof *f);

	f->arena = (struct arena)ARENA_INIT;
	f->out = (struct buf)BUF_INIT;
	f->d = tdict_new(&f->arena);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(&f->arena);
	buf_free(&f->out);
	free(f);
	return 0;
}

/* Compiles text as TMPL_HOME, renders it with d and returns the output
 * (valid until the next call). */
static const char *
render_with(struct fixture *f, const char *text, const struct tdict *d)
{
	struct tmpl_set *set = tmpl_load_one(TMPL_HOME, "inline", text);

	if (set == NULL) {
		print_error("template did not compile: %s\n", text);
		fail();
	}
	buf_reset(&f->out);
	tmpl_render(set, TMPL_HOME, d, &f->out);
	tmpl_free(set);
	return buf_cstr(&f->out);
}

static const char *
render(struct fixture *f, const char *text)
{
	return render_with(f, text, f->d);
}

static void
refused(const char *text)
{
	struct tmpl_set *set = tmpl_load_one(TMPL_HOME, "inline", text);

	if (set != NULL) {
		tmpl_free(set);
		print_error("template compiled but should not: %s\n", text);
		fail();
	}
}

/* ---- values ---- */

static void
vars_are_escaped(void **state)
{
	struct fixture *f = *state;

	tdict_str(f->d, "name", "<script>alert('x')&\"</script>");
	assert_string_equal(render(f, "<p>{{name}}</p>"),
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;</p>");
	assert_string_equal(render(f, "{{ name }}|{{name}}"),
	    "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;|"
	    "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;");
}

static void
vars_of_every_kind(void **state)
{
	struct fixture *f = *state;

	tdict_int(f->d, "n", -1234567890123);
	tdict_strf(f->d, "f", "%s-%d", "a<b", 7);
	tdict_str(f->d, "null", NULL);
	assert_string_equal(render(f, "{{n}} {{f}} [{{null}}]"),
	    "-1234567890123 a&lt;b-7 []");
}

static void
html_values_go_in_as_is(void **state)
{
	struct fixture *f = *state;
	const char *markup = "<b class=\"x\">bold &amp; sure</b>";

	tdict_html(f->d, "h", markup, strlen(markup));
	assert_string_equal(render(f, "<p>{{h}}</p>"),
	    "<p><b class=\"x\">bold &amp; sure</b></p>");
	/* Only len bytes are taken. */
	tdict_html(f->d, "cut", "<i>x</i>", 3);
	assert_string_equal(render(f, "{{cut}}"), "<i>");
}

static void
missing_names_render_empty(void **state)
{
	struct fixture *f = *state;

	tdict_bool(f->d, "flag", 1);
	tdict_add(f->d, "list");
	assert_string_equal(render(f, "a{{nope}}b{{#nope}}x{{/nope}}c"), "abc");
	/* Bools and lists have no text of their own. */
	assert_string_equal(render(f, "[{{flag}}][{{list}}]"), "[][]");
}

static void
text_and_comments(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(render(f, ""), "");
	assert_string_equal(render(f, "plain { text } with } braces {"),
	    "plain { text } with } braces {");
	assert_string_equal(render(f, "a{{! a comment, with <b>stuff</b> }}b"),
	    "ab");
	assert_string_equal(render(f, "a{{!}}b\n{{! x }}\nc"), "ab\n\nc");
}

/* ---- sections ---- */

static void
sections_loop_over_lists_in_order(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "VIP", "R", "S", "Balcony" };

	for (size_t i = 0; i < 4; i++) {
		struct tdict *item = tdict_add(f->d, "sections");

		tdict_str(item, "name", names[i]);
		tdict_int(item, "i", (int64_t)i);
	}
	assert_string_equal(render(f, "<ul>{{#sections}}<li>{{i}}:{{name}}</li>"
	    "{{/sections}}</ul>"),
	    "<ul><li>0:VIP</li><li>1:R</li><li>2:S</li><li>3:Balcony</li></ul>");
}

static void
sections_on_bools_and_strings(void **state)
{
	struct fixture *f = *state;
	const char *t = "{{#yes}}Y{{/yes}}{{#no}}N{{/no}}"
	    "{{#full}}F={{full}}{{/full}}{{#empty}}E{{/empty}}";

	tdict_bool(f->d, "yes", 1);
	tdict_bool(f->d, "no", 0);
	tdict_str(f->d, "full", "x<y");
	tdict_str(f->d, "empty", "");
	assert_string_equal(render(f, t), "YF=x&lt;y");
}

static void
inverted_sections(void **state)
{
	struct fixture *f = *state;
	const char *t = "{{^missing}}1{{/missing}}{{^no}}2{{/no}}"
	    "{{^empty}}3{{/empty}}{{^yes}}4{{/yes}}{{^full}}5{{/full}}"
	    "{{^list}}6{{/list}}";

	tdict_bool(f->d, "yes", 1);
	tdict_bool(f->d, "no", 0);
	tdict_str(f->d, "full", "x");
	tdict_str(f->d, "empty", "");
	tdict_add(f->d, "list");
	assert_string_equal(render(f, t), "123");
}

static void
section_and_inverse_together(void **state)
{
	struct fixture *f = *state;
	const char *t = "{{#any}}some{{/any}}{{^any}}none{{/any}}";

	assert_string_equal(render(f, t), "none");
	tdict_add(f->d, "any");
	assert_string_equal(render(f, t), "some");
}

static void
items_fall_back_to_outer_names(void **state)
{
	struct fixture *f = *state;
	struct tdict *a, *b;

	tdict_str(f->d, "venue", "Hall");
	tdict_str(f->d, "title", "outer");
	a = tdict_add(f->d, "perfs");
	tdict_str(a, "date", "Mon");
	b = tdict_add(f->d, "perfs");
	tdict_str(b, "date", "Tue");
	tdict_str(b, "venue", "Club");
	assert_string_equal(render(f, "{{#perfs}}{{date}}@{{venue}}/{{title}};"
	    "{{/perfs}}{{venue}}"), "Mon@Hall/outer;Tue@Club/outer;Hall");
}

static void
nested_lists(void **state)
{
	struct fixture *f = *state;

	for (int r = 0; r < 2; r++) {
		struct tdict *row = tdict_add(f->d, "rows");

		tdict_strf(row, "label", "%c", 'A' + r);
		for (int s = 1; s <= 3; s++) {
			struct tdict *seat = tdict_add(row, "seats");

			tdict_int(seat, "n", s);
			tdict_bool(seat, "taken", s == 2);
		}
	}
	tdict_str(f->d, "sep", "|");
	assert_string_equal(render(f, "{{#rows}}{{label}}:{{#seats}}{{label}}{{n}}"
	    "{{#taken}}x{{/taken}}{{sep}}{{/seats}} {{/rows}}"),
	    "A:A1|A2x|A3| B:B1|B2x|B3| ");
}

static void
missing_partial_renders_nothing(void **state)
{
	struct fixture *f = *state;

	/* header is a known template, but not in this one-template set. */
	assert_string_equal(render(f, "a{{>header}}b{{> footer }}c"), "abc");
}

/* ---- compile errors ---- */

static void
unclosed_tags_are_refused(void **state)
{
	(void)state;
	refused("{{");
	refused("a {{name");
	refused("a {{name}");
	refused("{{name}} and {{ other");
	refused("{{! comment never closed");
}

static void
unbalanced_sections_are_refused(void **state)
{
	(void)state;
	refused("{{#a}}never closed");
	refused("{{^a}}never closed");
	refused("{{/b}}");
	refused("x{{/b}}y");
	refused("{{#a}}{{/b}}");
	refused("{{#a}}{{#b}}{{/a}}{{/b}}");
	refused("{{#a}}{{/a}}{{/a}}");
}

static void
bad_names_are_refused(void **state)
{
	(void)state;
	refused("{{{raw}}}");
	refused("{{&raw}}");
	refused("{{}}");
	refused("{{ }}");
	refused("{{#}}{{/}}");
	refused("{{Name}}");
	refused("{{na-me}}");
	refused("{{na.me}}");
	refused("{{na me}}");
	refused("{{#a b}}{{/a b}}");
	refused("{{>nosuch}}");
	refused("{{>header.html}}");
}

static void
good_templates_compile(void **state)
{
	struct tmpl_set *set;

	(void)state;
	set = tmpl_load_one(TMPL_HOME, "inline",
	    "{{a_1}}{{#b}}{{^c}}{{>header}}{{/c}}{{/b}}{{!x}}");
	assert_non_null(set);
	tmpl_free(set);
	tmpl_free(NULL);
}

/* ---- the real templates ---- */

static void
real_templates_load(void **state)
{
	struct fixture *f = *state;
	struct tmpl_set *set = tmpl_load("templates");

	assert_non_null(set);
	/* Every template renders with no values at all, partials included. */
	for (int i = 0; i < TMPL__MAX; i++) {
		buf_reset(&f->out);
		tmpl_render(set, (enum tmpl)i, f->d, &f->out);
	}
	/* The error page pulls in header and footer, values escaped. */
	tdict_str(f->d, "title", "Not <found>");
	buf_reset(&f->out);
	tmpl_render(set, TMPL_ERROR, f->d, &f->out);
	assert_non_null(strstr(buf_cstr(&f->out), "<!doctype html>"));
	assert_non_null(strstr(buf_cstr(&f->out), "Not &lt;found&gt;"));
	assert_null(strstr(buf_cstr(&f->out), "<found>"));
	assert_null(strstr(buf_cstr(&f->out), "{{"));
	tmpl_free(set);
}

static void
missing_template_dir_fails(void **state)
{
	(void)state;
	assert_null(tmpl_load("tests/unit/no-such-dir"));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(vars_are_escaped),
		T(vars_of_every_kind),
		T(html_values_go_in_as_is),
		T(missing_names_render_empty),
		T(text_and_comments),
		T(sections_loop_over_lists_in_order),
		T(sections_on_bools_and_strings),
		T(inverted_sections),
		T(section_and_inverse_together),
		T(items_fall_back_to_outer_names),
		T(nested_lists),
		T(missing_partial_renders_nothing),
		T(unclosed_tags_are_refused),
		T(unbalanced_sections_are_refused),
		T(bad_names_are_refused),
		T(good_templates_compile),
		T(real_templates_load),
		T(missing_template_dir_fails),
	};
#undef T

	return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
