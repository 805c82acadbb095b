/*
 * tmpl.h — a small logic-less template engine, escaped by default.
 *
 * Syntax (a subset of mustache):
 *   {{name}}            the value of name, HTML-escaped
 *   {{#name}}…{{/name}} a list: once per item; a true/non-empty value: once
 *   {{^name}}…{{/name}} only when name is missing, false, empty or an empty list
 *   {{>partial}}        another template of the set, in the same context
 *   {{! comment }}
 *   {{_}}…{{/_}}        words to translate: the text between is a msgid of
 *                       the catalogs (po/), tags and markup included; each
 *                       language gets its own compiled tree, so rendering
 *                       costs no lookup. A translation must use the same
 *                       tags as its msgid (checked at load).
 * There is no syntax for unescaped output. A value is inserted unescaped
 * only when its type says it is HTML already (tdict_html), which pages make
 * with the escaping writers of html.h.
 *
 * Names are looked up from the innermost list item outwards.
 *
 * Keys are declared, so that a misspelt one cannot render nothing: each
 * template's row in tmpl.c lists the keys its page may set, and every
 * template may also use the layout's keys (those header.html shows, set by
 * view_page() in view.c). tmpl_load() refuses a template that uses any
 * other key, naming the file, the line and the key: the program stops at
 * start, not on a page. The other way round, a dictionary made for a
 * template (tdict_new) asserts when a page sets a key the template does
 * not declare (wherever asserts are compiled in, as in every build here).
 * A declared key left unset renders empty: values may be optional.
 */
#ifndef BOXOFFICE_TMPL_H
#define BOXOFFICE_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

enum tmpl {
	TMPL_HEADER,
	TMPL_FOOTER,
	TMPL_ERROR,
	TMPL_HOME,
	TMPL_CONCERT,
	TMPL_PERFORMANCE,
	TMPL_LOGIN,
	TMPL_SIGNUP,
	TMPL_QUEUE,
	TMPL_HOLD,
	TMPL_WALLET,
	TMPL_BOOKINGS,
	TMPL_ORDER,
	TMPL_ADMIN,
	TMPL_ADMIN_BUYER,
	TMPL_TICKET,
	TMPL_DOOR,
	TMPL_CANCEL,
	TMPL_ADMIN_REFUND,
	TMPL_ADMIN_CANCEL,
	TMPL__MAX
};

struct tmpl_set;
struct tdict;

#define TMPL_ERR_MAX 512

struct langs;

/* Loads the languages (lang.h: English and catalogs/LANG.mo) and compiles
 * every template of enum tmpl from dir in each of them (file names and
 * keys in tmpl.c), checking each one's keys against its declaration.
 * NULL on any error, with err saying what, naming the file and line. */
struct tmpl_set *tmpl_load(const char *dir, const char *catalogs,
    char err[TMPL_ERR_MAX]);
/* Compiles one template from text as id, its keys not checked: for the
 * engine's own tests and the fuzzer. name is used in messages. */
struct tmpl_set *tmpl_load_one(enum tmpl id, const char *name,
    const char *text, char err[TMPL_ERR_MAX]);
void tmpl_free(struct tmpl_set *set);

/* Renders template id in language lang (an index of tmpl_langs) with
 * values d (made for id, or unchecked) into out. */
void tmpl_render(const struct tmpl_set *set, int lang, enum tmpl id,
    const struct tdict *d, struct buf *out);
/* The languages the set was compiled in; owned by the set. */
const struct langs *tmpl_langs(const struct tmpl_set *set);

/* The keys template id declares beyond the layout's, space-separated
 * (static); and whether its text (partials included) uses key. For the
 * test that no declared key is left unused. */
const char *tmpl_keys(enum tmpl id);
int tmpl_uses(const struct tmpl_set *set, enum tmpl id, const char *key);

/* Values: a dictionary for template t, allocated in an arena (freed with
 * it); setting a key t does not declare asserts. Keys are not copied: pass
 * string literals. Values are copied into the arena. */
struct tdict *tdict_new(struct arena *a, enum tmpl t);
/* The same, taking any key: for the engine's own tests and the fuzzer. */
struct tdict *tdict_new_unchecked(struct arena *a);
void tdict_str(struct tdict *d, const char *key, const char *value);
void tdict_strf(struct tdict *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tdict_int(struct tdict *d, const char *key, int64_t v);
void tdict_bool(struct tdict *d, const char *key, int v);
/* Trusted HTML, made by the escaping writers; copied into the arena. */
void tdict_html(struct tdict *d, const char *key, const char *html, size_t len);
/* The same, not copied: html must outlive the rendering. For large
 * fragments a page keeps (the seat map). */
void tdict_html_ref(struct tdict *d, const char *key, const char *html, size_t len);
/* Appends a new item to the list key (creating it) and returns the item. */
struct tdict *tdict_add(struct tdict *d, const char *key);

#endif
