/*
 * admin.c — boxoffice-admin, the operator's command line: the dispatcher.
 *
 *   boxoffice-admin [--db PATH] [--tab] COMMAND [ARGS]
 *   boxoffice-admin COMMAND --help   (explains one command)
 *
 * Options come before the command (--db PATH or --db=PATH; cli.h); what
 * follows the command is its own. This file reads the options, finds the
 * command in the areas' tables (admin/cmd_*.c, admin.h), checks its
 * arguments (their count, UTF-8 text), opens the database as the command
 * asks and runs it. What commands share is here too (fail, time_arg).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "db.h"
#include "log.h"
#include "utf8.h"
#include "when.h"

/* Every area's table, in the order usage() lists them. */
static const struct command *const areas[] = {
	database_commands,
	settings_commands,
	catalog_commands,
	reports_commands,
	buyer_commands,
	csv_commands,
	backup_commands,
	loadtest_commands,
	roles_commands,
	queue_commands,
	refunds_commands,
};
#define NAREAS (sizeof areas / sizeof areas[0])

/* The database named on the command line (admin_db_path). */
static const char *db_path;
/* --tab: tables for scripts (admin_tab_output). */
static int tab_output;

int
admin_tab_output(void)
{
	return tab_output;
}

const char *
admin_db_path(void)
{
	return db_path;
}

int
fail(enum bo_status s, const char *what)
{
	static const char *const why[BO__MAX] = {
		[BO_OK] = "ok", [BO_NOT_FOUND] = "not found",
		[BO_INVALID] = "invalid input", [BO_CONFLICT] = "already exists",
		[BO_KEY_REUSED] = "key used before for another request",
		[BO_FORBIDDEN] = "forbidden", [BO_THROTTLED] = "throttled",
		[BO_LIMIT] = "limit reached", [BO_GONE] = "gone",
		[BO_INSUFFICIENT] = "insufficient balance",
		[BO_BUSY] = "database busy, try again", [BO_ERROR] = "database error",
		[BO_UNAVAILABLE] = "the database cannot be written now (disk full, "
		    "I/O error or out of memory)",
	};

	log_say("%s: %s", what, why[s]);
	return 1;
}

/*
 * Every argument is text that may end up on a page or in JSON: refused
 * here, with the argument named, unless it is UTF-8 without control
 * characters (but tab, CR and LF: a description may have lines). Shells
 * and scripts in another encoding (Latin-1, EUC-KR) are the usual cause.
 */
static int
arguments_are_text(const struct command *c, int argc, char **argv)
{
	for (int k = 1; k < argc; k++) {
		const unsigned char *p = (const unsigned char *)argv[k];
		const char *why = NULL;

		for (; *p != '\0' && why == NULL; p++)
			if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') ||
			    *p == 0x7f)
				why = "contains a control character";
		if (why == NULL && !utf8_valid_str(argv[k]))
			why = "is not UTF-8 text (is the terminal or the script in "
			    "another encoding?)";
		if (why != NULL) {
			/* Named as in the usage line: the k-th word of c->args
			 * (a word ending in "...", "BLOCK...", stands for the
			 * rest); the value of an option by the option (checked
			 * already: it came before). */
			const char *w = c->args;
			size_t len;

			if (k > 1 && strncmp(argv[k - 1], "--", 2) == 0) {
				w = argv[k - 1];
				len = strcspn(w, "=");
			} else {
				for (int i = 1; i < k && w[strcspn(w, " ")] != '\0'; i++) {
					size_t n = strcspn(w, " ");

					if (n >= 3 && strncmp(w + n - 3, "...", 3) == 0)
						break;
					w += n + 1;
				}
				w += strspn(w, "[");
				len = strcspn(w, " ]");
			}
			log_say("%s: argument %d (%.*s) %s; nothing was changed",
			    c->name, k, (int)len, w, why);
			return 0;
		}
	}
	return 1;
}

/* Reads the time argument named what in the venue's zone; says why not. */
int
time_arg(const char *what, const char *text, const char *zone, int64_t *out)
{
	char err[WHEN_ERR_MAX];

	if (when_parse(text, zone, out, err, sizeof err))
		return 1;
	log_say("%s: %s", what, err);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: boxoffice-admin [--db PATH] [--tab] COMMAND [ARGS]\n\n"
	    "  --db PATH   the database (default $BOXOFFICE_DB or var/boxoffice.db)\n"
	    "  --tab       tables as tab-separated lines with a header row, for\n"
	    "              scripts (concerts, performances, sales, queue, buyer),\n"
	    "              amounts as whole numbers of the currency's minor unit\n"
	    "  -h, --help  this text\n\n"
	    "commands:\n");
	for (size_t a = 0; a < NAREAS; a++)
		for (const struct command *c = areas[a]; c->name != NULL; c++)
			fprintf(f, "  %-16s %s\n      %s\n", c->name, c->args,
			    c->help);
	fprintf(f, "\n'boxoffice-admin COMMAND --help' explains one command.\n");
}

/* The command being run, for usage_of_command(). */
static const struct command *command;

/* One command's usage, the way usage() lists the whole program's. */
static void
usage_of_command(FILE *f)
{
	fprintf(f, "usage: boxoffice-admin [--db PATH] [--tab] %s %s\n  %s\n",
	    command->name, command->args, command->help);
}

static const struct command *
find_command(const char *name)
{
	for (size_t a = 0; a < NAREAS; a++)
		for (const struct command *c = areas[a]; c->name != NULL; c++)
			if (strcmp(name, c->name) == 0)
				return c;
	return NULL;
}

int
main(int argc, char **argv)
{
	enum { OPT_DB = 1, OPT_TAB };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "tab", no_argument, NULL, OPT_TAB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("BOXOFFICE_DB");
	const struct command *c;
	struct db *db = NULL;
	int rc, opt;

	log_set_program("boxoffice-admin");
	if (path == NULL)
		path = "var/boxoffice.db";
	while ((opt = cli_option(argc, argv, "h", options)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_DB:
			path = optarg;
			break;
		case OPT_TAB:
			tab_output = 1;
			break;
		default:
			return cli_bad_option(usage);
		}
	}
	if (optind == argc)
		return cli_usage_error(usage, "no command given");
	if ((c = find_command(argv[optind])) == NULL)
		return cli_usage_error(usage, "unknown command '%s'", argv[optind]);
	command = c;
	db_path = path;
	argc -= optind;
	argv += optind;
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--help") == 0) {
			usage_of_command(stdout);
			if (c->more != NULL)
				fputs(c->more, stdout);
			return 0;
		}
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		char wanted[32];

		if (c->max_args == 0)
			snprintf(wanted, sizeof wanted, "no");
		else if (c->min_args == c->max_args)
			snprintf(wanted, sizeof wanted, "%d", c->min_args);
		else
			snprintf(wanted, sizeof wanted, "%d to %d", c->min_args,
			    c->max_args);
		return cli_usage_error(usage_of_command, "%s takes %s argument%s, "
		    "not %d", c->name, wanted, c->max_args == 1 ? "" : "s",
		    argc - 1);
	}
	if (!arguments_are_text(c, argc, argv))
		return 2;
	if (c->db != CMD_DB_NONE &&
	    (db = db_open(path, c->db == CMD_DB_CREATE)) == NULL)
		return 1;
	if (c->db == CMD_DB_LATEST &&
	    db_schema_version(db) != db_schema_latest()) {
		log_say("%s is at schema version %d, this program needs %d: run "
		    "'boxoffice-admin init' first", path,
		    db_schema_version(db), db_schema_latest());
		db_close(db);
		return 1;
	}
	rc = c->run(db, argc, argv);
	if (db != NULL)
		db_close(db);
	return rc;
}
