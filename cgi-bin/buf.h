/*
 * buf.h — a growable byte buffer: response bodies, headers, fragments.
 *
 * The buffer owns its memory (malloc); buf_free() releases it and
 * buf_reset() keeps the memory for the next request. Growth aborts on
 * out of memory.
 */
#ifndef BOXOFFICE_BUF_H
#define BOXOFFICE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_put(struct buf *b, const void *p, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* Writes v in decimal, without printf's cost (hot paths: seat maps). */
void buf_int(struct buf *b, long long v);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminates without counting the NUL; returns data. */
const char *buf_cstr(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
