/*
 * test_tmpl.c — the logic-less template engine (cgi-bin/tmpl.h).
 *
 * Covers rendering from inline text compiled with tmpl_load_one() as
 * TMPL_HOME: values escaped by default, tdict_html inserted as is,
 * sections over lists (order kept), bool and string sections, inverted
 * sections, lookups from list items falling back to outer dictionaries,
 * bools and lists having no text, comments dropped, and a partial whose
 * template is not in the set rendering nothing. Then the compile errors
 * (unclosed tags, unbalanced sections, names outside a-z0-9_, which
 * refuses {{{raw}}} and {{&raw}}), and tmpl_load() on templates/.
 *
 * The declared keys: tmpl_load() refuses a template that uses a key its
 * row in tmpl.c does not declare (as a value, a section or an inverted
 * section), naming file, line and key; a declared key left unset renders
 * empty; a page setting an undeclared key aborts (in a forked child); and
 * no template declares a key it never uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
	f->d = tdict_new_unchecked(&f->arena);
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
	char err[TMPL_ERR_MAX];
	struct tmpl_set *set = tmpl_load_one(TMPL_HOME, "inline", text, err);

	if (set == NULL) {
		print_error("template did not compile: %s (%s)\n", text, err);
		fail();
	}
	buf_reset(&f->out);
	tmpl_render(set, 0, TMPL_HOME, d, &f->out);
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
	char err[TMPL_ERR_MAX];
	struct tmpl_set *set = tmpl_load_one(TMPL_HOME, "inline", text, err);

	assert_true(set != NULL || err[0] != '\0');
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
bools_and_lists_have_no_text(void **state)
{
	struct fixture *f = *state;

	tdict_bool(f->d, "flag", 1);
	tdict_add(f->d, "list");
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

	char err[TMPL_ERR_MAX];

	(void)state;
	set = tmpl_load_one(TMPL_HOME, "inline",
	    "{{a_1}}{{#b}}{{^c}}{{>header}}{{/c}}{{/b}}{{!x}}", err);
	assert_non_null(set);
	tmpl_free(set);
	tmpl_free(NULL);
}

/* ---- the real templates ---- */

static void
real_templates_load(void **state)
{
	struct fixture *f = *state;
	char err[TMPL_ERR_MAX];
	struct tmpl_set *set = tmpl_load("templates", "build/locale", err);

	if (set == NULL)
		fail_msg("%s", err);
	/* Every template renders with no values at all, partials included. */
	for (int i = 0; i < TMPL__MAX; i++) {
		buf_reset(&f->out);
		tmpl_render(set, 0, (enum tmpl)i, f->d, &f->out);
	}
	/* The error page pulls in header and footer, values escaped. */
	tdict_str(f->d, "title", "Not <found>");
	buf_reset(&f->out);
	tmpl_render(set, 0, TMPL_ERROR, f->d, &f->out);
	assert_non_null(strstr(buf_cstr(&f->out), "<!doctype html>"));
	assert_non_null(strstr(buf_cstr(&f->out), "Not &lt;found&gt;"));
	assert_null(strstr(buf_cstr(&f->out), "<found>"));
	assert_null(strstr(buf_cstr(&f->out), "{{"));
	tmpl_free(set);
}

static void
missing_template_dir_fails(void **state)
{
	char err[TMPL_ERR_MAX];

	(void)state;
	assert_null(tmpl_load("tests/unit/no-such-dir", NULL, err));
	assert_non_null(strstr(err, "tests/unit/no-such-dir/"));
}

/* ---- the declared keys ---- */

/* A copy of templates/ in a fresh folder, home.html's first line followed
 * by extra; returns the folder (static). */
static const char *
templates_with(const char *extra)
{
	static char dir[64];
	DIR *in;
	struct dirent *e;

	snprintf(dir, sizeof dir, "/tmp/boxoffice-tmpl-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_non_null(in = opendir("templates"));
	while ((e = readdir(in)) != NULL) {
		char from[512], to[512], line[4096];
		FILE *src, *dst;
		int first = 1;

		if (e->d_name[0] == '.')
			continue;
		snprintf(from, sizeof from, "templates/%s", e->d_name);
		snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
		assert_non_null(src = fopen(from, "r"));
		assert_non_null(dst = fopen(to, "w"));
		while (fgets(line, sizeof line, src) != NULL) {
			fputs(line, dst);
			if (first && strcmp(e->d_name, "home.html") == 0)
				fputs(extra, dst);
			first = 0;
		}
		fclose(src);
		fclose(dst);
	}
	closedir(in);
	return dir;
}

static void
remove_templates(const char *dir)
{
	DIR *in = opendir(dir);
	struct dirent *e;
	char path[512];

	assert_non_null(in);
	while ((e = readdir(in)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(in);
	rmdir(dir);
}

static void
undeclared_keys_are_refused_at_load(void **state)
{
	static const char *const misspelt[] = {
		"<p>{{titel}}</p>\n",                  /* a value */
		"{{#concert}}x{{/concert}}\n",         /* a section (concerts) */
		"{{^user_mail}}x{{/user_mail}}\n",     /* an inverted one */
		"{{#any}}{{lowest_prize}}{{/any}}\n",  /* inside a section */
	};
	static const char *const key[] = {
		"'titel'", "'concert'", "'user_mail'", "'lowest_prize'",
	};
	char err[TMPL_ERR_MAX], want[128];
	struct tmpl_set *set;
	const char *dir;

	(void)state;
	/* The real templates, unchanged, load. */
	dir = templates_with("");
	set = tmpl_load(dir, NULL, err);
	if (set == NULL)
		fail_msg("%s", err);
	tmpl_free(set);
	remove_templates(dir);
	for (size_t i = 0; i < sizeof misspelt / sizeof misspelt[0]; i++) {
		dir = templates_with(misspelt[i]);
		set = tmpl_load(dir, NULL, err);
		remove_templates(dir);
		if (set != NULL) {
			tmpl_free(set);
			fail_msg("loaded with %s", misspelt[i]);
		}
		/* The file, the line (the second) and the key. */
		snprintf(want, sizeof want, "%s/home.html:2: unknown key %s", dir,
		    key[i]);
		if (strstr(err, want) == NULL)
			fail_msg("message '%s' lacks '%s'", err, want);
	}
}

static void
declared_keys_left_unset_render_empty(void **state)
{
	struct fixture *f = *state;
	char err[TMPL_ERR_MAX];
	struct tmpl_set *set = tmpl_load("templates", "build/locale", err);
	struct tdict *d = tdict_new(&f->arena, TMPL_LOGIN);

	if (set == NULL)
		fail_msg("%s", err);
	/* No error: the login form shows none, and no empty element. */
	tdict_str(d, "email", "a@example.com");
	tmpl_render(set, 0, TMPL_LOGIN, d, &f->out);
	assert_non_null(strstr(buf_cstr(&f->out), "a@example.com"));
	assert_null(strstr(buf_cstr(&f->out), "role=\"alert\""));
	buf_reset(&f->out);
	tdict_str(d, "error", "Wrong <password>");
	tmpl_render(set, 0, TMPL_LOGIN, d, &f->out);
	assert_non_null(strstr(buf_cstr(&f->out), "Wrong &lt;password&gt;"));
	tmpl_free(set);
}

/* Runs set(d) in a child on a dictionary for TMPL_HOME; returns whether
 * the child aborted, with what it wrote to stderr in msg. */
static int
aborts(void (*set)(struct tdict *), char *msg, size_t msglen)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct rlimit none = { 0, 0 };
		struct arena a = ARENA_INIT;

		setrlimit(RLIMIT_CORE, &none);
		signal(SIGABRT, SIG_DFL);
		dup2(fds[1], 2);
		set(tdict_new(&a, TMPL_HOME));
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], msg, msglen - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	return 1;
}

static void set_declared(struct tdict *d)
{
	tdict_str(d, "title", "layout");
	tdict_bool(d, "any", 1);
	tdict_str(tdict_add(d, "concerts"), "artist", "x");
}
static void set_misspelt(struct tdict *d) { tdict_str(d, "titel", "x"); }
static void set_misspelt_bool(struct tdict *d) { tdict_bool(d, "sold", 1); }
static void set_misspelt_list(struct tdict *d) { tdict_add(d, "concert"); }
static void set_misspelt_in_item(struct tdict *d)
{
	tdict_int(tdict_add(d, "concerts"), "seat_left", 3);
}
/* A key of another page's template. */
static void set_other_pages(struct tdict *d) { tdict_str(d, "balance", "1"); }

static void
setting_an_undeclared_key_aborts(void **state)
{
	char msg[1024];

	(void)state;
	assert_false(aborts(set_declared, msg, sizeof msg));
	assert_true(aborts(set_misspelt, msg, sizeof msg));
	assert_non_null(strstr(msg, "key 'titel', which home.html does not declare"));
	assert_true(aborts(set_misspelt_bool, msg, sizeof msg));
	assert_non_null(strstr(msg, "'sold'"));
	assert_true(aborts(set_misspelt_list, msg, sizeof msg));
	assert_non_null(strstr(msg, "'concert'"));
	assert_true(aborts(set_misspelt_in_item, msg, sizeof msg));
	assert_non_null(strstr(msg, "'seat_left'"));
	assert_true(aborts(set_other_pages, msg, sizeof msg));
	assert_non_null(strstr(msg, "'balance'"));
}

static void
every_declared_key_is_used(void **state)
{
	char err[TMPL_ERR_MAX], key[64];
	struct tmpl_set *set = tmpl_load("templates", "build/locale", err);

	(void)state;
	if (set == NULL)
		fail_msg("%s", err);
	for (int i = 0; i < TMPL__MAX; i++) {
		for (const char *k = tmpl_keys((enum tmpl)i); *k != '\0';) {
			size_t n = strcspn(k, " ");

			assert_true(n > 0 && n < sizeof key);
			memcpy(key, k, n);
			key[n] = '\0';
			if (!tmpl_uses(set, (enum tmpl)i, key))
				fail_msg("template %d declares '%s' but never uses it",
				    i, key);
			k += n;
			k += strspn(k, " ");
		}
	}
	tmpl_free(set);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(vars_are_escaped),
		T(vars_of_every_kind),
		T(html_values_go_in_as_is),
		T(bools_and_lists_have_no_text),
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
		T(undeclared_keys_are_refused_at_load),
		T(declared_keys_left_unset_render_empty),
		T(setting_an_undeclared_key_aborts),
		T(every_declared_key_is_used),
	};
#undef T

	return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
