/*
 * arena.h — a region allocator: many small allocations, one free.
 *
 * A request, a CLI command or a test owns one arena; everything allocated
 * from it is released together by arena_free(). Out of memory aborts:
 * a worker that cannot allocate can answer nothing useful, and its
 * master starts another; so no caller checks for NULL.
 */
#ifndef BOXOFFICE_ARENA_H
#define BOXOFFICE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

#define ARENA_INIT { NULL }

/* Zeroed memory owned by the arena. */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s (len bytes plus a NUL) owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* A formatted string owned by the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends one zeroed element of size sz to the array *items of *n elements
 * (capacity *cap), growing it inside the arena; returns the new element. */
void *arena_push(struct arena *a, void **items, size_t *n, size_t *cap, size_t sz);
/* Releases every allocation; the arena may be used again afterwards. */
void arena_free(struct arena *a);
/* Releases every allocation but keeps one block for the next use: a
 * worker resets its request arena instead of freeing it. */
void arena_reset(struct arena *a);

/* malloc/realloc that abort instead of returning NULL. */
void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);

#endif
