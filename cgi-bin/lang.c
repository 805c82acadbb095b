/*
 * lang.c — the site's languages and the choice per request (see lang.h).
 */
#include "lang.h"

#include <assert.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A language tag as a file name may carry one: letters, digits, '-'
 * (po/pt-BR.po), or '_' which gettext's own names use (pt_BR.po) and is
 * written as '-' in BCP 47. */
static int
tag_ok(const char *s, size_t n)
{
	if (n == 0 || n >= LANG_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int
by_code(const void *a, const void *b)
{
	return strcmp(((const struct lang *)a)->code, ((const struct lang *)b)->code);
}

int
langs_load(struct langs *ls, const char *dir, char err[MO_ERR_MAX])
{
	DIR *d;
	struct dirent *e;

	memset(ls, 0, sizeof *ls);
	err[0] = '\0';
	snprintf(ls->l[0].code, sizeof ls->l[0].code, "en");
	ls->l[0].name = "English";
	ls->n = 1;
	if (dir == NULL || (d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		struct lang *l;

		if (len < 4 || strcmp(e->d_name + len - 3, ".mo") != 0)
			continue;
		if (!tag_ok(e->d_name, len - 3)) {
			snprintf(err, MO_ERR_MAX, "%.100s/%.100s: the name is not a "
			    "language tag", dir, e->d_name);
			goto fail;
		}
		if (ls->n == LANG_MAX) {
			snprintf(err, MO_ERR_MAX, "%.100s: more than %d catalogs",
			    dir, LANG_MAX - 1);
			goto fail;
		}
		l = &ls->l[ls->n];
		snprintf(l->code, sizeof l->code, "%.*s", (int)(len - 3), e->d_name);
		for (char *c = l->code; *c; c++)
			if (*c == '_')
				*c = '-';
		{
			char path[4096];

			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if ((l->mo = mo_load(path, err)) == NULL)
				goto fail;
		}
		ls->n++;
		/* Each catalog names its own language: msgctxt "language
		 * name", msgid "English" (view.h's LANG_NAME_MSGID). */
		l->name = mo_lookup(l->mo, "language name", "English");
		if (l->name == NULL)
			l->name = l->code;
	}
	closedir(d);
	qsort(ls->l + 1, (size_t)ls->n - 1, sizeof ls->l[0], by_code);
	return 0;
fail:
	closedir(d);
	langs_free(ls);
	return -1;
}

void
langs_free(struct langs *ls)
{
	for (int i = 0; i < ls->n; i++)
		mo_free(ls->l[i].mo);
	memset(ls, 0, sizeof *ls);
}

int
langs_find(const struct langs *ls, const char *code)
{
	for (int i = 0; code != NULL && i < ls->n; i++)
		if (strcasecmp(ls->l[i].code, code) == 0)
			return i;
	return -1;
}

/* The language a tag of Accept-Language (n bytes) asks for: the same tag,
 * or its primary language ("ko-KR" is served "ko"), or -1. */
static int
match_tag(const struct langs *ls, const char *tag, size_t n)
{
	size_t primary = strcspn(tag, "-");

	if (primary > n)
		primary = n;
	for (int i = 0; i < ls->n; i++)
		if (strlen(ls->l[i].code) == n &&
		    strncasecmp(ls->l[i].code, tag, n) == 0)
			return i;
	for (int i = 0; i < ls->n; i++) {
		const char *c = ls->l[i].code;

		if (strcspn(c, "-") == primary && strncasecmp(c, tag, primary) == 0)
			return i;
	}
	return -1;
}

/* q=0.8 → 800; a malformed q counts as 0 (RFC 9110 §12.4.2 allows at most
 * three decimals). */
static int
qvalue(const char *p, size_t n)
{
	int q = 0, scale = 1000;

	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (n < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return 1000; /* another parameter: the weight stays 1 */
	p += 2, n -= 2;
	if (n == 0)
		return 0; /* "q=": no weight at all */
	if (*p == '1')
		return 1000;
	if (*p != '0')
		return 0;
	p++, n--;
	if (n > 0 && *p == '.')
		for (p++, n--; n > 0 && *p >= '0' && *p <= '9' && scale > 1; p++, n--)
			q += (*p - '0') * (scale /= 10);
	return q;
}

int
langs_choose(const struct langs *ls, const char *cookie, const char *accept)
{
	int best = LANG_SOURCE, best_q = 0, i;

	if ((i = langs_find(ls, cookie)) >= 0)
		return i;
	while (accept != NULL && *accept != '\0') {
		size_t item = strcspn(accept, ","), tag, lead;
		const char *semi;
		int q = 1000;

		lead = strspn(accept, " \t");
		if (lead > item)
			lead = item;
		tag = strcspn(accept + lead, ";, \t");
		if (lead + tag > item)
			tag = item - lead;
		semi = memchr(accept, ';', item);
		if (semi != NULL)
			q = qvalue(semi + 1, item - (size_t)(semi + 1 - accept));
		/* Ties go to the first listed (the buyer's own order). */
		if (q > best_q && (i = match_tag(ls, accept + lead, tag)) >= 0) {
			best = i;
			best_q = q;
		}
		accept += item;
		if (*accept == ',')
			accept++;
	}
	return best;
}

const char *
langs_trn(const struct langs *ls, int i, const char *singular,
    const char *plural, unsigned long n)
{
	const char *t;

	assert(i >= 0 && i < ls->n);
	if (ls->l[i].mo != NULL &&
	    (t = mo_lookup_n(ls->l[i].mo, NULL, singular, n)) != NULL)
		return t;
	return n == 1 ? singular : plural;
}

const char *
langs_tr(const struct langs *ls, int i, const char *ctx, const char *msgid)
{
	const char *t;

	assert(i >= 0 && i < ls->n);
	if (ls->l[i].mo == NULL || (t = mo_lookup(ls->l[i].mo, ctx, msgid)) == NULL)
		return msgid;
	return t;
}
