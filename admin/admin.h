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

#include <stdint.h>

#include "db.h"
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

/* The database path the command line named (--db, $BOXOFFICE_DB or the
 * default): for the commands that open no connection (CMD_DB_NONE). */
const char *admin_db_path(void);

#endif
