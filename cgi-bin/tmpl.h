/*
 * tmpl.h — a small logic-less template engine, escaped by default.
 *
 * Syntax (a subset of mustache):
 *   {{name}}            the value of name, HTML-escaped
 *   {{#name}}…{{/name}} a list: once per item; a true/non-empty value: once
 *   {{^name}}…{{/name}} only when name is missing, false, empty or an empty list
 *   {{>partial}}        another template of the set, in the same context
 *   {{! comment }}
 * There is no syntax for unescaped output. A value is inserted unescaped
 * only when its type says it is HTML already (tdict_html), which pages make
 * with the escaping writers of html.h.
 *
 * Names are looked up from the innermost list item outwards.
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
	TMPL__MAX
};

struct tmpl_set;
struct tdict;

/* Loads and compiles every template of enum tmpl from dir (file names in
 * tmpl.c). NULL with a message naming file and line on any error. */
struct tmpl_set *tmpl_load(const char *dir);
/* Compiles one template from text; for tests. name is used in messages. */
struct tmpl_set *tmpl_load_one(enum tmpl id, const char *name, const char *text);
void tmpl_free(struct tmpl_set *set);

/* Renders template id with values d into out. */
void tmpl_render(const struct tmpl_set *set, enum tmpl id,
    const struct tdict *d, struct buf *out);

/* Values: a dictionary allocated in an arena (freed with it). Keys are not
 * copied: pass string literals. Values are copied into the arena. */
struct tdict *tdict_new(struct arena *a);
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
