/*
 * json.h — writing JSON responses. Strings are always escaped: there is no
 * call that writes a string value raw.
 */
#ifndef BOXOFFICE_JSON_H
#define BOXOFFICE_JSON_H

#include <stdint.h>

#include "buf.h"
#include "req.h"

/* Writes s as a JSON string literal, quotes included. */
void json_str(struct buf *b, const char *s);
/* Makes r a JSON response: content type, no caching. */
void json_begin(struct req *r, int status);
/* Answers {"error":{"code":…,"message":…}} with status. */
void json_error(struct req *r, int status, const char *code, const char *message);

#endif
