/*
 * html.h — writing HTML and URLs safely.
 *
 * The short names escape: html_puts() is what a page calls. Writing markup
 * unescaped has the long, rare name html_raw_trusted(), for literals only.
 */
#ifndef BOXOFFICE_HTML_H
#define BOXOFFICE_HTML_H

#include <stddef.h>

#include "buf.h"

/* A piece of HTML made by the escaping writers (a time on a page,
 * view.h), as a type of its own: the compiler keeps it from being used as
 * text (escaped a second time, or printed into a sentence) and text from
 * being used as it. len comes first so that a bare string cannot
 * initialise one by mistake (VIEW_HTMLF's arguments). s is NUL-terminated
 * and owned by whoever made it (the request's arena). */
struct html {
	size_t len;
	const char *s;
};

/* Writes s with & < > " ' escaped: safe in text and quoted attributes. */
void html_puts(struct buf *b, const char *s);
void html_putn(struct buf *b, const char *s, size_t len);
/* Writes markup as is. Only for string literals written in our code. */
void html_raw_trusted(struct buf *b, const char *markup);
/* Writes s percent-encoded for a URL query value. */
void url_encode(struct buf *b, const char *s);

#endif
