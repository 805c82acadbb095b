/*
 * keyset.c — pages of a long list by keyset (see keyset.h).
 */
#include "keyset.h"

#include <assert.h>

#include "parse.h"

struct keyset
keyset_first(int64_t limit)
{
	struct keyset k = { 0, limit, 0 };

	assert(limit >= 1 && limit <= KEYSET_MAX);
	return k;
}

int
keyset_parse(const char *before, const char *limit, struct keyset *k)
{
	int64_t b = 0, l = KEYSET_DEFAULT;

	if (before != NULL && !parse_int64(before, 1, INT64_MAX, &b))
		return 0;
	if (limit != NULL && !parse_int64(limit, 1, KEYSET_MAX, &l))
		return 0;
	k->before = b;
	k->limit = l;
	k->next = 0;
	return 1;
}

int64_t
keyset_before(const struct keyset *k)
{
	return k->before > 0 ? k->before : INT64_MAX;
}

int64_t
keyset_fetch(const struct keyset *k)
{
	assert(k->limit >= 1 && k->limit <= KEYSET_MAX);
	return k->limit + 1;
}

size_t
keyset_cut(struct keyset *k, size_t n, int64_t last_shown)
{
	assert(n <= (size_t)k->limit + 1);
	if (n <= (size_t)k->limit) {
		k->next = 0;
		return n;
	}
	assert(last_shown > 0);
	k->next = last_shown;
	return (size_t)k->limit;
}
