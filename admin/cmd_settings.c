/*
 * cmd_settings.c — boxoffice-admin's commands for the settings kept in
 * the database (core/setting.h): settings, get, set.
 */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "audit.h"
#include "log.h"
#include "setting.h"

static int
cmd_settings(struct db *db, int argc, char **argv)
{
	(void)argc, (void)argv;
	for (int k = 0; k < SETTING__MAX; k++) {
		char v[128];
		enum bo_status s = setting_get(db, (enum setting_key)k, v, sizeof v);

		if (s != BO_OK)
			return fail(s, "settings");
		printf("%-18s %-12s %s (default %s)\n", setting_name(k), v,
		    setting_help(k), setting_default(k));
	}
	return 0;
}

static enum setting_key
known_key(const char *name)
{
	enum setting_key k = setting_lookup(name);

	if (k == SETTING__MAX) {
		char known[512];
		size_t n = 0;

		known[0] = '\0';
		for (int i = 0; i < SETTING__MAX && n < sizeof known; i++)
			n += (size_t)snprintf(known + n, sizeof known - n, " %s",
			    setting_name(i));
		log_say("unknown setting '%s'; these exist:%s", name, known);
	}
	return k;
}

static int
cmd_get(struct db *db, int argc, char **argv)
{
	enum setting_key k = known_key(argv[1]);
	char v[128];
	enum bo_status s;

	(void)argc;
	if (k == SETTING__MAX)
		return 2;
	if ((s = setting_get(db, k, v, sizeof v)) != BO_OK)
		return fail(s, "get");
	printf("%s\n", v);
	return 0;
}

static int
cmd_set(struct db *db, int argc, char **argv)
{
	enum setting_key k = known_key(argv[1]);
	char err[512], actor[AUDIT_SYSTEM_MAX + 1];
	struct audit_actor who;
	enum bo_status s;

	(void)argc;
	if (k == SETTING__MAX)
		return 2;
	who = audit_actor_cli(actor);
	s = setting_set(db, k, argv[2], &who, time(NULL), err, sizeof err);
	if (s == BO_INVALID || s == BO_CONFLICT) {
		/* a bad value, or a currency that would change stored amounts */
		log_say("%s", err);
		return s == BO_INVALID ? 2 : 1;
	}
	if (s != BO_OK)
		return fail(s, "set");
	printf("%s = %s\n", setting_name(k), argv[2]);
	return 0;
}

const struct command settings_commands[] = {
	{ "settings", "", "list every setting with its value and meaning", 0, 0,
	  cmd_settings, NULL, CMD_DB_LATEST },
	{ "get", "KEY", "print one setting", 1, 1, cmd_get, NULL, CMD_DB_LATEST },
	{ "set", "KEY VALUE", "change one setting; workers see it at once", 2, 2,
	  cmd_set, NULL, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
