/*
 * arena.c — the region allocator behind every request (see arena.h).
 *
 * Blocks are chained; a request that renders a large page grows a few big
 * blocks rather than thousands of small ones. Alignment is that of max_align_t.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN (16 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (q == NULL)
		abort();
	return q;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct arena_block *b = a->head;
	size_t need = (size + align - 1) & ~(align - 1);
	void *p;

	if (need < size)
		abort();
	if (b == NULL || b->size - b->used < need) {
		size_t bsize = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;

		b = xmalloc(sizeof *b + bsize);
		b->size = bsize;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	char *p;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void *
arena_push(struct arena *a, void **items, size_t *n, size_t *cap, size_t sz)
{
	void *item;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *grown = arena_alloc(a, ncap * sz);

		if (*n)
			memcpy(grown, *items, *n * sz);
		*items = grown;
		*cap = ncap;
	}
	item = (char *)*items + (*n)++ * sz;
	memset(item, 0, sz);
	return item;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *keep = a->head;

	if (keep == NULL)
		return;
	a->head = keep->next;
	arena_free(a);
	keep->next = NULL;
	keep->used = 0;
	a->head = keep;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}
