/*
 * json.c — JSON strings and error answers (see json.h).
 */
#include "json.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "utf8.h"

json_t *
json_text(const char *s)
{
	json_t *t;
	char *fixed, *shown;

	assert(s != NULL);
	if ((t = json_string(s)) != NULL)
		return t;
	/* Not UTF-8 (or out of memory, which the second try tells). */
	fixed = utf8_repair(s);
	t = json_string(fixed);
	free(fixed);
	if (t == NULL || (shown = json_dumps(t, JSON_ENCODE_ANY)) == NULL)
		abort(); /* out of memory */
	/* Logged escaped: one line, whatever the text holds. */
	fprintf(stderr, "boxoffice: stored text is not UTF-8, sent with U+FFFD "
	    "for the bad bytes: %s\n", shown);
	free(shown);
	return t;
}

/* Whether jansson writes s as it is between quotes: printable ASCII
 * without '"' and '\\' (and '/' is not escaped: JSON_ESCAPE_SLASH is
 * never set). */
static int
plain(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			return 0;
	return 1;
}

void
json_str(struct buf *b, const char *s)
{
	json_t *t;
	char *text;

	if (plain(s)) { /* most of our strings: no allocation */
		buf_putc(b, '"');
		buf_puts(b, s);
		buf_putc(b, '"');
		return;
	}
	t = json_text(s);
	text = json_dumps(t, JSON_ENCODE_ANY);
	json_decref(t);
	if (text == NULL)
		abort(); /* a valid string fails to dump only without memory */
	buf_puts(b, text);
	free(text);
}

void
json_begin(struct req *r, enum http_status status)
{
	r->status = status;
	r->content_type_out = "application/json";
	buf_reset(r->body);
}

void
json_error(struct req *r, enum http_status status, const char *code,
    const char *message)
{
	json_begin(r, status);
	buf_puts(r->body, "{\"error\":{\"code\":");
	json_str(r->body, code);
	buf_puts(r->body, ",\"message\":");
	json_str(r->body, message);
	buf_puts(r->body, "}}\n");
}
