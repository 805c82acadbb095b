/*
 * utf8.h — is this text UTF-8? Asked wherever text enters: the query, form
 * and cookie parser, the operator's command line, JSON output of stored
 * text. jansson refuses invalid UTF-8 in JSON bodies by itself.
 *
 * Valid means RFC 3629: no overlong forms, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF, no truncated sequence.
 */
#ifndef BOXOFFICE_UTF8_H
#define BOXOFFICE_UTF8_H

#include <stddef.h>

/* Whether s[0..len) is valid UTF-8 (NUL bytes are valid UTF-8: callers
 * that refuse them say so themselves). */
int utf8_valid(const char *s, size_t len);
/* The same for a NUL-terminated string. */
int utf8_valid_str(const char *s);
/* A copy of s in which every invalid sequence is replaced by U+FFFD, for
 * bytes that bypassed the checks (written into the database by hand).
 * The caller frees it with free(); aborts when out of memory. */
char *utf8_repair(const char *s);

#endif
