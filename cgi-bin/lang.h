/*
 * lang.h — the languages the site speaks: English, the language of the
 * sources, and one more per compiled catalog (LANG.mo, made by msgfmt
 * from po/LANG.po). A third language is a new po/LANG.po: nothing here
 * names Korean.
 *
 * Which one a request gets: the bo_lang cookie when it names one of them
 * (set by the switch on every page, GET /lang), otherwise the best match
 * of Accept-Language, otherwise English.
 */
#ifndef BOXOFFICE_LANG_H
#define BOXOFFICE_LANG_H

#include "mo.h"
#include "msgid.h" /* N_ */

#define LANG_MAX 8          /* English and up to 7 catalogs */
#define LANG_CODE_MAX 16    /* "ko", "pt-BR", "zh-Hant" */
#define LANG_SOURCE 0       /* English: the msgids themselves */
#define LANG_COOKIE "bo_lang"

struct lang {
	char code[LANG_CODE_MAX]; /* BCP 47, as <html lang> takes it */
	const char *name;         /* in the language itself: "한국어" */
	struct mo *mo;            /* NULL for English */
};

struct langs {
	int n;
	struct lang l[LANG_MAX];
};

/* Fills ls with English and every DIR/LANG.mo (sorted by code). A missing
 * dir (or NULL) is no catalog (English only); a catalog that does not read, or
 * whose name is not a language tag, is an error (err). 0 on success. */
int langs_load(struct langs *ls, const char *dir, char err[MO_ERR_MAX]);
void langs_free(struct langs *ls);

/* The language for a request: cookie (the lang cookie's value, or NULL),
 * else accept (the Accept-Language header, or NULL), else LANG_SOURCE.
 * Returns an index of ls. */
int langs_choose(const struct langs *ls, const char *cookie,
    const char *accept);
/* The index of code, or -1. */
int langs_find(const struct langs *ls, const char *code);

/* msgid (in context ctx, or NULL) in language i: its translation, or
 * msgid itself when the catalog has none (English). */
const char *langs_tr(const struct langs *ls, int i, const char *ctx,
    const char *msgid);
/* The form of singular/plural for the number n in language i: the
 * catalog's (mo_lookup_n), or English's (singular for 1, else plural). */
const char *langs_trn(const struct langs *ls, int i, const char *singular,
    const char *plural, unsigned long n);

#endif
