/*
 * params.c — query, form and cookie parsing (see params.h).
 *
 * Refuses rather than repairs: a broken percent-escape or a NUL byte makes
 * the whole request a 400, so no handler ever sees a half-decoded value.
 * Control characters other than tab, CR and LF (kept for textareas) are
 * refused too, and so is a decoded value that is not UTF-8: every string a
 * handler gets from here is valid UTF-8 text, so nothing later (the
 * database, jansson, a page declared charset=utf-8) meets stray bytes.
 *
 * Cookies differ: the browser sends every cookie of the host, ours or
 * not, so a malformed pair is skipped rather than refused (a stray cookie
 * from another program on the same host must not lock a buyer out).
 */
#include "params.h"

#include <string.h>

#include "msgid.h"
#include "parse.h"
#include "utf8.h"

/* Decodes s[0..len) into a new arena string. */
static enum params_error
decode(struct arena *a, const char *s, size_t len, size_t max, const char **out)
{
	char *d, *p;

	if (len > 3 * max)
		return PARAMS_TOO_LONG;
	p = d = arena_alloc(a, len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return PARAMS_BAD_ENCODING;
			hi = parse_hex_digit(s[i + 1]);
			lo = parse_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return PARAMS_BAD_ENCODING;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return PARAMS_NUL;
		*p++ = (char)c;
	}
	*p = '\0';
	if ((size_t)(p - d) > max)
		return PARAMS_TOO_LONG;
	if (!utf8_valid(d, (size_t)(p - d)))
		return PARAMS_BAD_UTF8;
	*out = d;
	return PARAMS_OK;
}

enum params_error
params_parse_urlencoded(struct arena *a, const char *s, size_t len,
    struct params *out)
{
	size_t i = 0;

	out->n = 0;
	while (i < len) {
		size_t end = i, eq;
		enum params_error e;
		struct param *p;

		while (end < len && s[end] != '&')
			end++;
		if (end == i) { /* empty pair: "a=1&&b=2" */
			i++;
			continue;
		}
		if (out->n == PARAMS_MAX_FIELDS)
			return PARAMS_TOO_MANY;
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		p = &out->items[out->n];
		if ((e = decode(a, s + i, eq - i, PARAMS_MAX_NAME, &p->name)) != PARAMS_OK)
			return e;
		if (eq < end)
			e = decode(a, s + eq + 1, end - eq - 1, PARAMS_MAX_VALUE, &p->value);
		else
			p->value = "";
		if (e != PARAMS_OK)
			return e;
		out->n++;
		i = end + 1;
	}
	return PARAMS_OK;
}

/* A cookie name or value we keep: UTF-8 without control characters. */
static int
cookie_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return utf8_valid(s, len);
}

void
params_parse_cookies(struct arena *a, const char *h, struct params *out)
{
	out->n = 0;
	while (h != NULL && *h != '\0' && out->n < PARAMS_MAX_FIELDS) {
		const char *end = strchr(h, ';'), *eq;
		size_t len;

		while (*h == ' ')
			h++;
		len = end ? (size_t)(end - h) : strlen(h);
		eq = memchr(h, '=', len);
		if (eq != NULL && eq > h && len < PARAMS_MAX_VALUE &&
		    cookie_text(h, len)) {
			out->items[out->n].name = arena_strndup(a, h, (size_t)(eq - h));
			out->items[out->n].value = arena_strndup(a, eq + 1,
			    len - (size_t)(eq - h) - 1);
			out->n++;
		}
		h = end ? end + 1 : NULL;
	}
}

const char *
params_get(const struct params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return p->items[i].value;
	return NULL;
}

const char *
params_error_text(enum params_error e)
{
	/* msgids: an error page shows them in the reader's language (the
	 * API's JSON keeps them English). */
	switch (e) {
	case PARAMS_OK: return "ok";
	/* xgettext:no-c-format */
	case PARAMS_BAD_ENCODING: return N_("The request has a broken %-escape.");
	case PARAMS_NUL: return N_("The request contains a NUL byte or a control character.");
	case PARAMS_TOO_MANY: return N_("The request has too many fields.");
	case PARAMS_TOO_LONG: return N_("A field of the request is too long.");
	case PARAMS_BAD_UTF8: return N_("The request contains text that is not "
	    "UTF-8: send text as UTF-8.");
	}
	return "bad request";
}
