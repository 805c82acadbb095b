/*
 * params.h — parsing untrusted name=value lists: query strings,
 * urlencoded form bodies and Cookie headers, with hard limits.
 *
 * Decoded strings live in the caller's arena. Every name and value handed
 * out is valid UTF-8 without NUL (and, but for tab, CR and LF in forms and
 * queries, without control characters).
 */
#ifndef BOXOFFICE_PARAMS_H
#define BOXOFFICE_PARAMS_H

#include <stddef.h>

#include "arena.h"

#define PARAMS_MAX_FIELDS 64
#define PARAMS_MAX_NAME 64
#define PARAMS_MAX_VALUE 4096

struct param {
	const char *name, *value;
};

struct params {
	struct param items[PARAMS_MAX_FIELDS];
	size_t n;
};

enum params_error {
	PARAMS_OK = 0,
	PARAMS_BAD_ENCODING, /* a '%' not followed by two hex digits */
	PARAMS_NUL,          /* a decoded NUL byte, or a control character */
	PARAMS_TOO_MANY,     /* more than PARAMS_MAX_FIELDS */
	PARAMS_TOO_LONG,     /* a name or value over its limit */
	PARAMS_BAD_UTF8,     /* a decoded name or value that is not UTF-8 */
};

/* Decodes an application/x-www-form-urlencoded string of len bytes. */
enum params_error params_parse_urlencoded(struct arena *a, const char *s,
    size_t len, struct params *out);
/* Splits a Cookie header ("a=b; c=d"); values are kept as sent. Malformed
 * pairs (no '=', too long, a control character, not UTF-8) are skipped, as
 * browsers do: the header carries other programs' cookies too. */
void params_parse_cookies(struct arena *a, const char *header,
    struct params *out);
/* The first value of name, or NULL. */
const char *params_get(const struct params *p, const char *name);
/* A message for the buyer, a msgid (N_: a page translates it); static
 * storage. */
const char *params_error_text(enum params_error e);

#endif
