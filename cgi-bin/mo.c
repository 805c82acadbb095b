/*
 * mo.c — reading GNU .mo catalogs (see mo.h for why not gettext()).
 *
 * Layout (all numbers 32-bit, in the writer's byte order, told by the
 * magic): magic, revision, N, offset of the originals table, offset of
 * the translations table, hash size, hash offset; each table has N
 * (length, offset) pairs. A context is stored as "ctx\004msgid"; a plural
 * original as "singular\0plural" and its translations "form0\0form1…".
 * Lookup is a binary search: msgfmt sorts the originals by strcmp.
 */
#include "mo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define MO_MAGIC 0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u
#define MO_MAX_SIZE (16u * 1024 * 1024) /* far beyond any site's catalog */

struct mo {
	char *data;      /* the whole file */
	size_t size;
	uint32_t n;
	const char **orig, **trans; /* n each, pointing into data */
	uint32_t *tlen;             /* each translation's length, all its
	                             * plural forms and their NULs */
	int nplurals;               /* 1, or 2: form 1 when n != 1 */
};

static uint32_t
word(const unsigned char *p, int swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	if (swapped)
		v = __builtin_bswap32(v);
	return v;
}

/* The string of pair i of the table at off: inside the file and followed
 * by the NUL msgfmt writes, or NULL. */
static const char *
entry(const struct mo *m, uint32_t off, uint32_t i, int swapped,
    uint32_t *length)
{
	uint64_t at = (uint64_t)off + (uint64_t)i * 8, len, pos;

	if (at + 8 > m->size)
		return NULL;
	len = word((const unsigned char *)m->data + at, swapped);
	pos = word((const unsigned char *)m->data + at + 4, swapped);
	if (pos + len + 1 > m->size || m->data[pos + len] != '\0')
		return NULL;
	if (length != NULL)
		*length = (uint32_t)len;
	return m->data + pos;
}

/*
 * The header's Plural-Forms (msgid ""), as this reader evaluates it: a
 * language with one form (Korean, Japanese, Chinese: "nplurals=1;
 * plural=0;"), or two with the second for every n but 1 (English,
 * German…; also gettext's rule when a header names none). 1 or 2, or 0
 * for any other rule: evaluating those needs an expression reader, so
 * such a catalog is refused at load rather than shown wrong.
 */
static int
plural_rule(const char *header)
{
	const char *p = header != NULL ? strstr(header, "Plural-Forms:") : NULL;
	char rule[128];
	size_t j = 0;

	if (p == NULL)
		return 2;
	for (p += strlen("Plural-Forms:"); *p != '\0' && *p != '\n'; p++)
		if (*p != ' ' && *p != '\t' && j + 1 < sizeof rule)
			rule[j++] = *p;
	rule[j] = '\0';
	if (strcmp(rule, "nplurals=1;plural=0;") == 0 ||
	    strcmp(rule, "nplurals=1;plural=0") == 0)
		return 1;
	if (strcmp(rule, "nplurals=2;plural=(n!=1);") == 0 ||
	    strcmp(rule, "nplurals=2;plural=n!=1;") == 0 ||
	    strcmp(rule, "nplurals=2;plural=(n!=1)") == 0 ||
	    strcmp(rule, "nplurals=2;plural=n!=1") == 0)
		return 2;
	return 0;
}

static char *
slurp(const char *path, size_t *size, char *err)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (f == NULL) {
		snprintf(err, MO_ERR_MAX, "%.200s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    (unsigned long)n > MO_MAX_SIZE || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, MO_ERR_MAX, "%.200s: unreadable or too large", path);
		fclose(f);
		return NULL;
	}
	data = xmalloc((size_t)n + 1);
	if (fread(data, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, MO_ERR_MAX, "%.200s: short read", path);
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	data[n] = '\0';
	*size = (size_t)n;
	return data;
}

struct mo *
mo_load(const char *path, char err[MO_ERR_MAX])
{
	struct mo *m = xmalloc(sizeof *m);
	uint32_t magic, otab, ttab;
	int swapped;

	memset(m, 0, sizeof *m);
	err[0] = '\0';
	if ((m->data = slurp(path, &m->size, err)) == NULL)
		goto fail;
	if (m->size < 28) {
		snprintf(err, MO_ERR_MAX, "%.200s: not a .mo file (too short)", path);
		goto fail;
	}
	memcpy(&magic, m->data, 4);
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED) {
		snprintf(err, MO_ERR_MAX, "%.200s: not a .mo file (magic)", path);
		goto fail;
	}
	swapped = magic == MO_MAGIC_SWAPPED;
	if ((word((unsigned char *)m->data + 4, swapped) >> 16) != 0) {
		snprintf(err, MO_ERR_MAX, "%.200s: unknown .mo revision", path);
		goto fail;
	}
	m->n = word((unsigned char *)m->data + 8, swapped);
	otab = word((unsigned char *)m->data + 12, swapped);
	ttab = word((unsigned char *)m->data + 16, swapped);
	if (m->n > m->size / 8) {
		snprintf(err, MO_ERR_MAX, "%.200s: bad message count", path);
		goto fail;
	}
	m->orig = xmalloc(sizeof *m->orig * (m->n + 1));
	m->trans = xmalloc(sizeof *m->trans * (m->n + 1));
	m->tlen = xmalloc(sizeof *m->tlen * (m->n + 1));
	for (uint32_t i = 0; i < m->n; i++) {
		m->orig[i] = entry(m, otab, i, swapped, NULL);
		m->trans[i] = entry(m, ttab, i, swapped, &m->tlen[i]);
		if (m->orig[i] == NULL || m->trans[i] == NULL) {
			snprintf(err, MO_ERR_MAX, "%.200s: message %u lies outside "
			    "the file", path, (unsigned)i);
			goto fail;
		}
		if (i > 0 && strcmp(m->orig[i - 1], m->orig[i]) >= 0) {
			snprintf(err, MO_ERR_MAX, "%.200s: messages not sorted "
			    "(not written by msgfmt?)", path);
			goto fail;
		}
	}
	/* msgfmt sorts the header (msgid "") first. */
	m->nplurals = plural_rule(m->n > 0 && m->orig[0][0] == '\0' ?
	    m->trans[0] : NULL);
	if (m->nplurals == 0) {
		snprintf(err, MO_ERR_MAX, "%.160s: a Plural-Forms rule not "
		    "read here (only one form, or n != 1)", path);
		goto fail;
	}
	return m;
fail:
	mo_free(m);
	return NULL;
}

void
mo_free(struct mo *m)
{
	if (m == NULL)
		return;
	free(m->orig);
	free(m->trans);
	free(m->tlen);
	free(m->data);
	free(m);
}

size_t
mo_count(const struct mo *m)
{
	return m->n;
}

/* The index of msgid's entry, or -1. */
static long
find(const struct mo *m, const char *ctx, const char *msgid)
{
	char stack[512], *key = stack;
	size_t clen = ctx ? strlen(ctx) + 1 : 0, ilen = strlen(msgid) + 1;
	long found = -1;
	uint32_t lo = 0, hi = m->n;

	if (clen + ilen > sizeof stack)
		key = xmalloc(clen + ilen);
	if (ctx != NULL) {
		memcpy(key, ctx, clen - 1);
		key[clen - 1] = '\004';
	}
	memcpy(key + clen, msgid, ilen);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, m->orig[mid]);

		if (c == 0) {
			found = (long)mid;
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (key != stack)
		free(key);
	return found;
}

const char *
mo_lookup(const struct mo *m, const char *ctx, const char *msgid)
{
	long i = find(m, ctx, msgid);

	/* msgfmt leaves untranslated and fuzzy messages out, but an empty
	 * msgstr can only mean "none". */
	return i >= 0 && *m->trans[i] != '\0' ? m->trans[i] : NULL;
}

const char *
mo_lookup_n(const struct mo *m, const char *ctx, const char *msgid,
    unsigned long n)
{
	long i = find(m, ctx, msgid);
	int form = m->nplurals == 1 ? 0 : n != 1;
	const char *t, *end;

	if (i < 0)
		return NULL;
	t = m->trans[i];
	end = t + m->tlen[i];
	/* The forms follow one another, each ended by its NUL. */
	for (; form > 0 && t < end; form--)
		t += strlen(t) + 1;
	return t < end && *t != '\0' ? t : NULL;
}
