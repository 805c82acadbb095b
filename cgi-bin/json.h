/*
 * json.h — writing JSON: the one place where text becomes a JSON string.
 *
 * Answers are built two ways: with jansson (json_pack, then api_send) and,
 * on the busiest paths, by hand into a buffer (the queue ticket, the seat
 * list, errors). Both escape alike, because both go through jansson's
 * writer: json_str() hands anything but plain printable ASCII to it.
 *
 * Text must be UTF-8 to be JSON. It is checked where it enters (params.c,
 * jansson for JSON bodies, boxoffice-admin for the catalogue), so text
 * read back from the database is UTF-8 — unless someone wrote bytes into
 * the database by hand. Then the invalid sequences are sent as U+FFFD and
 * a line is logged: a bad title costs a replacement character, never a
 * dropped concert or a dead worker.
 *
 * In json_pack() formats, "s" is for text of ours (names, enum words,
 * tokens); text from the database or a user goes in as "o" with
 * json_text().
 */
#ifndef BOXOFFICE_JSON_H
#define BOXOFFICE_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "req.h"

/* A new jansson string of s (never NULL: aborts when out of memory); the
 * caller owns the reference, usually handing it to json_pack's "o". */
json_t *json_text(const char *s);
/* Writes s as a JSON string literal, quotes included, exactly as
 * json_dumps() writes json_text(s). */
void json_str(struct buf *b, const char *s);
/* Makes r a JSON response: status, content type, empty body. */
void json_begin(struct req *r, enum http_status status);
/* Answers {"error":{"code":…,"message":…}} with status. */
void json_error(struct req *r, enum http_status status, const char *code,
    const char *message);

#endif
