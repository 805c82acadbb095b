/*
 * cmd_database.c — boxoffice-admin's commands that make the database:
 * init (create or migrate) and demo (the demo catalogue).
 */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "arena.h"
#include "catalog.h"
#include "db.h"
#include "demo.h"

static int
cmd_init(struct db *db, int argc, char **argv)
{
	enum bo_status s;

	(void)argc, (void)argv;
	if ((s = db_migrate(db)) != BO_OK)
		return fail(s, "init");
	printf("database ready (schema version %d)\n", db_schema_version(db));
	return 0;
}

static int
cmd_demo(struct db *db, int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct concert_summary *list;
	enum bo_status s;
	size_t n;

	(void)argc, (void)argv;
	if ((s = db_migrate(db)) != BO_OK)
		return fail(s, "demo");
	s = catalog_concerts(db, &a, 0, &list, &n);
	arena_free(&a);
	if (s != BO_OK)
		return fail(s, "demo");
	if (n > 0) {
		printf("the catalogue has concerts already; demo not loaded\n");
		return 0;
	}
	if ((s = demo_load(db, time(NULL))) != BO_OK)
		return fail(s, "demo");
	printf("demo catalogue loaded: 3 concerts, 7 performances\n");
	return 0;
}

const struct command database_commands[] = {
	{ "init", "", "create the database, or migrate it to this version", 0, 0,
	  cmd_init, NULL, CMD_DB_CREATE },
	{ "demo", "", "load the demo catalogue into an empty database", 0, 0,
	  cmd_demo, NULL, CMD_DB_CREATE },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
