/*
 * cmd_backup.c — boxoffice-admin backup and restore (core/backup.h).
 *
 * backup runs while the box office sells: it copies the database as of
 * one instant through SQLite's online backup API, never replaces a file
 * unless told to (--overwrite), and shows its progress on a large file.
 * restore is for a stopped box office: it refuses while anything else has
 * the database open, keeps the database it replaces beside it, and
 * migrates what it put back to this program's schema version.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "audit.h"
#include "backup.h"
#include "db.h"
#include "log.h"

/* Progress lines from this size up (the copy steps 1024 pages at once). */
#define PROGRESS_FROM_PAGES 2048

struct progress {
	const char *what;
	int last_percent;
};

static void
show_progress(void *arg, int done, int total)
{
	struct progress *p = arg;
	int percent = total > 0 ? (int)((long long)done * 100 / total) : 100;

	if (total < PROGRESS_FROM_PAGES || percent == p->last_percent)
		return;
	p->last_percent = percent;
	log_say("%s: %d%% (%d of %d pages)", p->what, percent, done, total);
}

/* The flag --overwrite, given before or after PATH; the path into *path.
 * 0 (usage said) on anything else. */
static int
path_and_flag(int argc, char **argv, const char *flag, const char **path,
    int *set)
{
	*path = NULL;
	*set = 0;
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], flag) == 0 && !*set)
			*set = 1;
		else if (*path == NULL && argv[k][0] != '-')
			*path = argv[k];
		else {
			log_say("'%s' is not understood here (the usage: "
			    "PATH [%s])", argv[k], flag);
			return 0;
		}
	}
	if (*path == NULL) {
		log_say("PATH is missing");
		return 0;
	}
	return 1;
}

/*
 * PATH with its strftime(3) conversions filled in, in the machine's local
 * time (boxoffice-%a.db: one copy a weekday, for a timer that keeps a
 * week), into out; 0 when it does not fit.
 */
static int
expand_path(const char *path, char *out, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	if (strchr(path, '%') == NULL)
		return snprintf(out, len, "%s", path) < (int)len;
	localtime_r(&now, &tm);
	n = strftime(out, len, path, &tm);
	return n > 0 && n < len;
}

static int
cmd_backup(struct db *db, int argc, char **argv)
{
	struct progress p = { "backup", -1 };
	struct backup_info info;
	char err[BACKUP_ERR_MAX], expanded[4096];
	const char *path;
	enum bo_status s;
	int overwrite;

	if (!path_and_flag(argc, argv, "--overwrite", &path, &overwrite))
		return 2;
	if (!expand_path(path, expanded, sizeof expanded)) {
		log_say("backup: PATH '%s' is too long once its %% conversions "
		    "are filled in", path);
		return 2;
	}
	path = expanded;
	s = backup_to(db, path, overwrite, show_progress, &p, &info, err,
	    sizeof err);
	if (s == BO_CONFLICT) {
		log_say("backup: %s; nothing was written (add --overwrite to "
		    "replace it)", err);
		return 1;
	}
	if (s != BO_OK) {
		log_say("backup: %s; no backup was written", err);
		return 1;
	}
	printf("backup of %s written to %s: %d pages of %d bytes (%.1f MB), "
	    "schema version %d, integrity_check ok\n", admin_db_path(), path,
	    info.pages, info.page_size,
	    (double)info.pages * info.page_size / 1e6, info.schema_version);
	return 0;
}

static int
cmd_restore(struct db *unused, int argc, char **argv)
{
	struct progress p = { "restore", -1 };
	const char *live = admin_db_path();
	struct backup_info info;
	char err[BACKUP_ERR_MAX], kept[4096], stamp[32];
	char actor[AUDIT_SYSTEM_MAX + 1];
	struct audit_actor who = audit_actor_cli(actor);
	time_t now = time(NULL);
	enum bo_status s;
	struct db *db;
	int was_kept;

	(void)unused, (void)argc;
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", gmtime(&now));
	snprintf(kept, sizeof kept, "%s.before-restore-%s", live, stamp);
	s = backup_restore(argv[1], live, kept, show_progress, &p, &info, err,
	    sizeof err);
	if (s == BO_INVALID) {
		log_say("restore: %s; nothing was changed", err);
		return 2;
	}
	if (s != BO_OK) {
		log_say("restore: %s", err);
		return 1;
	}
	printf("restored %s into %s (schema version %d, %d pages)\n", argv[1],
	    live, info.schema_version, info.pages);
	if ((was_kept = access(kept, F_OK) == 0))
		printf("the database it replaced is kept as %s\n", kept);
	if ((db = db_open(live, 0)) == NULL)
		return 1;
	if (db_schema_version(db) != db_schema_latest()) {
		if ((s = db_migrate(db)) != BO_OK) {
			db_close(db);
			return fail(s, "restore: migrating to this version");
		}
		printf("migrated to schema version %d\n", db_schema_version(db));
	}
	/* The restored file is the old database: its trail says it was put
	 * back only once the row is written into it, now. */
	s = backup_restore_audit(db, &who, argv[1], info.schema_version,
	    was_kept ? kept : NULL, time(NULL));
	db_close(db);
	if (s != BO_OK)
		return fail(s, "restore: the database is back, but its audit "
		    "row could not be written");
	printf("the audit trail records the restore (see 'audit')\n");
	printf("start the workers and the expiry job again\n");
	return 0;
}

#define BACKUP_MORE \
	"\nSafe while the box office sells: the copy is the database as of one\n" \
	"instant (SQLite's online backup API inside one read transaction);\n" \
	"buyers keep buying meanwhile, and the write-ahead log grows until the\n" \
	"copy is done. The copy is one standalone file (no -wal beside it),\n" \
	"checked with integrity_check and synced before it gets its name, so a\n" \
	"failed backup leaves no file at PATH. An existing PATH is refused\n" \
	"unless --overwrite is given. PATH may hold strftime(3) conversions in\n" \
	"the machine's local time: boxoffice-%a.db keeps one copy a weekday,\n" \
	"boxoffice-%Y%m%d.db one a day. Works at any schema version (take one\n" \
	"before 'init' migrates to a new version). A large database shows its progress on\n" \
	"standard error. Copy PATH elsewhere (another disk, another machine).\n"

#define RESTORE_MORE \
	"\nPuts the backup at PATH in place of the database (--db). For a box\n" \
	"office that is stopped: it refuses, changing nothing, while any other\n" \
	"program has the database open (the workers, boxoffice-expire, sqlite3),\n" \
	"as workers would keep showing what they cached of the old one. Stop\n" \
	"them first, e.g.\n" \
	"  systemctl stop boxoffice-expire.timer boxoffice.socket boxoffice.service\n" \
	"PATH must be a boxoffice database of a schema version this program\n" \
	"knows, passing integrity_check. The database it replaces is kept beside\n" \
	"it as DB.before-restore-YYYYMMDD-HHMMSS (UTC); a restored backup of an\n" \
	"older version is migrated to this one. The restored database's audit\n" \
	"trail then records the restore: who ran it, when, from which file\n" \
	"(see 'audit'). Then start them again.\n"

const struct command backup_commands[] = {
	{ "backup", "PATH [--overwrite]", "copy the database to PATH while it "
	  "sells (SQLite's online backup)", 1, 2, cmd_backup, BACKUP_MORE,
	  CMD_DB_ANY },
	{ "restore", "PATH", "put the backup at PATH in place of the database; "
	  "the workers and expiry must be stopped", 1, 1, cmd_restore,
	  RESTORE_MORE, CMD_DB_NONE },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
