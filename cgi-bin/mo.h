/*
 * mo.h — a reader of GNU gettext's compiled catalogs (.mo files, made by
 * msgfmt from po/LANG.po at build time).
 *
 * The C library's gettext() would need a generated locale per language
 * (this machine has only C and C.UTF-8) and follows one process-wide
 * setlocale(); a worker answers Korean and English requests one after the
 * other, so it looks messages up in the catalog of each request instead.
 * The format is small and fixed (the "MO file format" of the gettext
 * manual): a header, two tables of (length, offset) pairs, sorted by the
 * original string as msgfmt writes them.
 */
#ifndef BOXOFFICE_MO_H
#define BOXOFFICE_MO_H

#include <stddef.h>

struct mo;

#define MO_ERR_MAX 256

/* Reads and checks the catalog at path: every string within the file and
 * NUL-terminated, the originals sorted. NULL with err on any fault. The
 * caller frees it with mo_free. */
struct mo *mo_load(const char *path, char err[MO_ERR_MAX]);
void mo_free(struct mo *m);

/* The translation of msgid in context ctx (msgctxt; NULL: none), or NULL
 * when the catalog has none (or an empty one). Owned by the catalog.
 * Plural entries are looked up by their singular msgid; their first form
 * is returned. */
const char *mo_lookup(const struct mo *m, const char *ctx, const char *msgid);

/* The plural form of msgid (its singular; a plural entry of the catalog)
 * for the number n, by the catalog's Plural-Forms (mo_load refuses a rule
 * it cannot evaluate), or NULL when the catalog has none. Owned by the
 * catalog. */
const char *mo_lookup_n(const struct mo *m, const char *ctx,
    const char *msgid, unsigned long n);

/* The number of messages (the header entry included). */
size_t mo_count(const struct mo *m);

#endif
