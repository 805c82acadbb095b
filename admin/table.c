/*
 * table.c — boxoffice-admin's tables: aligned columns for people, or
 * tab-separated lines for scripts (--tab); and the tables of rows whose
 * columns are said once as data (table_rows). See admin.h.
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

/* The most columns a table of rows has (the widest, performances: 12). */
#define COLUMNS_MAX 16

void
table_rows(struct reading *r, const struct column *cols, size_t ncols,
    const void *rows, size_t n, size_t size, int indent)
{
	const char *heads[COLUMNS_MAX];
	char align[COLUMNS_MAX + 1];
	struct table *t;

	assert(ncols > 0 && ncols <= COLUMNS_MAX);
	for (size_t c = 0; c < ncols; c++) {
		assert(cols[c].align == 'l' || cols[c].align == 'r');
		heads[c] = cols[c].head;
		align[c] = cols[c].align;
	}
	align[ncols] = '\0';
	t = table_new(align, heads);
	for (size_t i = 0; i < n; i++) {
		const char *row = (const char *)rows + i * size;

		for (size_t c = 0; c < ncols; c++) {
			const void *field = row + cols[c].offset;
			const char *text = NULL;
			int64_t v;

			switch (cols[c].kind) {
			case COLUMN_INT:
				memcpy(&v, field, sizeof v);
				table_cell(t, "%lld", (long long)v);
				continue;
			case COLUMN_TEXT:
				memcpy(&text, field, sizeof text);
				break;
			case COLUMN_WHEN:
				memcpy(&v, field, sizeof v);
				text = reading_when(r, v);
				break;
			case COLUMN_MONEY:
				memcpy(&v, field, sizeof v);
				text = reading_money(r, v);
				break;
			case COLUMN_FN:
				text = cols[c].text(r, row);
				break;
			}
			table_cell(t, "%s", text != NULL ? text : "");
		}
	}
	table_print(t, indent);
}
