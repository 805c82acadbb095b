/*
 * parse.h — strict parsing of numbers and tokens from untrusted text.
 */
#ifndef BOXOFFICE_PARSE_H
#define BOXOFFICE_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses s as a plain decimal integer within [min, max]: an optional '-',
 * then digits, nothing else — no sign '+', no spaces, no leading zeros, no
 * hex, exponent or fraction. Returns 1 and sets *out, or 0.
 */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Whether s is one of our random tokens: exactly len characters of
 * base64url (A-Z a-z 0-9 - _). */
int parse_token(const char *s, size_t len);

/* Whether s is a usable client-chosen key (one-time form keys,
 * Idempotency-Key): 1 to max printable ASCII characters, no spaces. */
int parse_key(const char *s, size_t max);

/* The value of one hexadecimal digit (either case), or -1. */
int parse_hex_digit(char c);

#endif
