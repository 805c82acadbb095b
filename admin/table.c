/*
 * table.c — boxoffice-admin's tables: aligned columns for people, or
 * tab-separated lines for scripts (--tab). See admin.h.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniwidth.h>

#include "admin.h"
#include "arena.h"

struct table {
	struct arena a;
	const char *align;
	size_t ncols;
	char **cells;      /* row after row, ncols a row; the header first */
	size_t ncells, cap;
};

struct table *
table_new(const char *align, const char *const *headers)
{
	struct table *t = xmalloc(sizeof *t);

	memset(t, 0, sizeof *t);
	t->align = align;
	t->ncols = strlen(align);
	assert(t->ncols > 0);
	for (size_t i = 0; i < t->ncols; i++)
		table_cell(t, "%s", headers[i]);
	return t;
}

void
table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char **cell = arena_push(&t->a, (void **)&t->cells, &t->ncells,
	    &t->cap, sizeof *t->cells);

	va_start(ap, fmt);
	*cell = arena_vprintf(&t->a, fmt, ap);
	va_end(ap);
}

/* Columns the text takes on a terminal (its bytes when not UTF-8). */
static size_t
width_of(const char *s)
{
	int w = u8_width((const uint8_t *)s, strlen(s), "UTF-8");

	return w < 0 ? strlen(s) : (size_t)w;
}

void
table_print(struct table *t, int indent)
{
	size_t *width = calloc(t->ncols, sizeof *width);

	assert(width != NULL && t->ncells % t->ncols == 0);
	if (admin_tab_output()) {
		for (size_t i = 0; i < t->ncells; i++) {
			for (char *p = t->cells[i]; *p != '\0'; p++)
				if (*p == '\t' || *p == '\n' || *p == '\r')
					*p = ' ';
			printf("%s%c", t->cells[i],
			    (i + 1) % t->ncols == 0 ? '\n' : '\t');
		}
	} else {
		for (size_t i = 0; i < t->ncells; i++) {
			size_t w = width_of(t->cells[i]);

			if (w > width[i % t->ncols])
				width[i % t->ncols] = w;
		}
		char *line = NULL;
		size_t linelen = 0;
		FILE *f = NULL;

		for (size_t i = 0; i < t->ncells; i++) {
			size_t col = i % t->ncols;
			size_t pad = width[col] - width_of(t->cells[i]);

			if (col == 0 && (f = open_memstream(&line, &linelen)) == NULL)
				abort();
			fprintf(f, "%*s", col == 0 ? indent : 2, "");
			if (t->align[col] == 'r')
				fprintf(f, "%*s%s", (int)pad, "", t->cells[i]);
			else
				fprintf(f, "%s%*s", t->cells[i], (int)pad, "");
			if (col + 1 == t->ncols) {
				/* No spaces at the end of a line (an empty or
				 * short last cell). */
				fclose(f);
				while (linelen > 0 && line[linelen - 1] == ' ')
					linelen--;
				printf("%.*s\n", (int)linelen, line);
				free(line);
				line = NULL;
			}
		}
	}
	free(width);
	arena_free(&t->a);
	free(t);
}
