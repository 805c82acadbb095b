/*
 * admin.h — what boxoffice-admin's command files share.
 *
 * boxoffice-admin is cgit-shaped: admin.c reads the options, finds the
 * command and opens the database; each admin/cmd_AREA.c holds one area's
 * commands (catalog, settings, reports, backup, loadtest…) and exports its
 * table, NULL-terminated, which admin.c lists in `areas`. A new area is a
 * new file plus one line there; a new command is a row in its area's table.
 * Every command runs through core/, like the web pages do: no SQL here.
 */
#ifndef BOXOFFICE_ADMIN_H
#define BOXOFFICE_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "setting.h"
#include "status.h"

/* What admin.c does with the database before it runs a command. */
enum command_db {
	CMD_DB_LATEST,  /* opens it; refuses unless at this schema version */
	CMD_DB_CREATE,  /* opens it, creating the file if need be (init, demo) */
	CMD_DB_ANY,     /* opens it at whatever schema version (backup) */
	CMD_DB_NONE,    /* does not open it: run gets NULL (restore) */
};

struct command {
	const char *name, *args, *help;
	int min_args, max_args; /* arguments after the command's name */
	int (*run)(struct db *db, int argc, char **argv);
	const char *more; /* shown by COMMAND --help only; NULL: nothing more */
	enum command_db db;
};

/* Each area's commands, ended by a row whose name is NULL. */
extern const struct command database_commands[];
extern const struct command settings_commands[];
extern const struct command catalog_commands[];
extern const struct command reports_commands[];
extern const struct command buyer_commands[];
extern const struct command csv_commands[];
extern const struct command backup_commands[];
extern const struct command loadtest_commands[];
extern const struct command roles_commands[];
extern const struct command queue_commands[];
extern const struct command refunds_commands[];

/* Says "what: why" on standard error for a status from core/; returns 1,
 * the exit status for it. */
int fail(enum bo_status s, const char *what);

/* Reads the time argument named what (STARTS…) in zone with when_parse();
 * on a mistake says why on standard error and returns 0 (exit status 2). */
int time_arg(const char *what, const char *text, const char *zone,
    int64_t *out);

/*
 * Tables for people, or for scripts. A command adds a table's cells row
 * by row and prints it: aligned columns under a header, by display width
 * (a Hangul title takes two columns a letter), numbers on the right; or,
 * with the global option --tab, the header and rows as tab-separated
 * lines (a tab or line break inside a cell becomes a space) for cut, awk
 * and spreadsheets. The table owns its cells (table_print frees them).
 */
struct table;
/* align: one letter a column, 'l' or 'r'; headers: one per column. */
struct table *table_new(const char *align, const char *const *headers);
/* The next cell of the current row (a new row after the last column). */
void table_cell(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints t to standard output, indented by indent spaces (aligned form
 * only), and frees it. */
void table_print(struct table *t, int indent);
/* 1 when --tab was given: commands print their tables alone then, with
 * no headings or sentences around them. */
int admin_tab_output(void);

/*
 * What the commands that read a sale share (admin/reading.c): the
 * settings, an arena for the text they print, and now. Every time is
 * printed in the venue's zone and every amount in the currency, as buyers
 * see them. reading_open() fills it in; the command frees r->a with
 * arena_free() (reading_failed() does it on a failure).
 */
struct reading {
	struct settings set;
	struct arena a;
	int64_t now;
};

/* Loads the settings: 0, or says why (what: the command's name) and
 * returns the exit status 1. */
int reading_open(struct db *db, struct reading *r, const char *what);
/*
 * The answer of a read of core/report.h: 0 when s is BO_OK; otherwise
 * frees r->a and returns the exit status, after saying missing (a
 * sentence; NULL: none) for BO_NOT_FOUND, or "what: why" for the rest.
 */
int reading_failed(struct reading *r, enum bo_status s, const char *what,
    const char *missing);
/* Reads the id argument named what (CONCERT, PERFORMANCE): 1, or says
 * why not and returns 0 (exit status 2). */
int reading_id(const char *what, const char *text, int64_t *id);
/* A time in the venue's zone ("-" for 0: none), in r->a. */
const char *reading_when(struct reading *r, int64_t t);
/* An amount in the currency, in r->a; with --tab the whole number of the
 * minor unit, as the database and the API keep it. */
const char *reading_money(struct reading *r, int64_t amount);
/* A duration as people say it (45s, 12m 05s, 3h 20m), in r->a. */
const char *reading_duration(struct reading *r, int64_t seconds);

/*
 * A table of rows, its columns said once as data: a header, an alignment
 * ('l' or 'r') and where a row's cell comes from. INT, TEXT, WHEN and
 * MONEY read the int64_t or const char * field at offset; FN calls text
 * with the row (the text in r->a; NULL: an empty cell).
 */
enum column_kind { COLUMN_INT, COLUMN_TEXT, COLUMN_WHEN, COLUMN_MONEY,
    COLUMN_FN };
struct column {
	const char *head;
	char align;
	enum column_kind kind;
	size_t offset;
	const char *(*text)(struct reading *r, const void *row);
};
#define COLUMN(head, align, kind, type, field)                                \
	{ head, align, COLUMN_##kind, offsetof(type, field), NULL }
#define COLUMN_TEXT_OF(head, align, fn)                                       \
	{ head, align, COLUMN_FN, 0, fn }

/* Prints n rows of size bytes each, from rows, under the ncols columns'
 * headers, as table_print() does (indented by indent spaces). */
void table_rows(struct reading *r, const struct column *cols, size_t ncols,
    const void *rows, size_t n, size_t size, int indent);

/* The database path the command line named (--db, $BOXOFFICE_DB or the
 * default): for the commands that open no connection (CMD_DB_NONE). */
const char *admin_db_path(void);

#endif
