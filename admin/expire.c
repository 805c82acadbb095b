/*
 * expire.c — boxoffice-expire, run by cron every minute.
 *
 * Correctness never waits for this program: every query already treats a
 * passed expires_at as gone (lazy expiry). It writes down what has already
 * lapsed — holds past their deadline, queue tickets past their time,
 * waiting buyers who stopped polling — admits the next buyers into the
 * freed slots, deletes expired sessions and stale login-throttle rows, and
 * checkpoints the WAL (db_tidy). Each step is its own short transaction.
 * Exit 0 when all is done, or when active readers only kept the checkpoint
 * from finishing (normal on a live site; the summary says so); 1 with a
 * message on any real failure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "db.h"
#include "hold.h"
#include "idempotency.h"
#include "parse.h"
#include "queue.h"
#include "setting.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: boxoffice-expire [--db PATH] [--now EPOCH]\n"
	    "  Marks what has expired, purges stale sessions and checkpoints\n"
	    "  the WAL; prints one summary line. Run it from cron every minute\n"
	    "  (see admin/boxoffice.cron). Overlapping runs wait for each other.\n"
	    "  --db PATH    the database (default $BOXOFFICE_DB or var/boxoffice.db)\n"
	    "  --now EPOCH  pretend it is this Unix time (for tests)\n");
}

int
main(int argc, char **argv)
{
	const char *path = getenv("BOXOFFICE_DB");
	int64_t now = time(NULL), sessions = 0, expired = 0, admitted = 0, holds = 0;
	int64_t keys = 0;
	struct db_tidy_result tidy;
	struct settings set;
	char lockpath[4096];
	enum bo_status s;
	struct db *db;
	int lock;

	if (path == NULL)
		path = "var/boxoffice.db";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			if (!parse_int64(argv[++i], 0, INT64_C(1) << 40, &now)) {
				fprintf(stderr, "boxoffice-expire: --now takes Unix seconds\n");
				return 2;
			}
		} else {
			usage(stderr);
			return 2;
		}
	}
	/* One run at a time: a second waits rather than doubling the work. */
	snprintf(lockpath, sizeof lockpath, "%s.expire-lock", path);
	if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(lock, LOCK_EX) != 0) {
		perror("boxoffice-expire: lock");
		return 1;
	}
	if ((db = db_open(path, 0)) == NULL)
		return 1;
	if (db_schema_version(db) != db_schema_latest()) {
		fprintf(stderr, "boxoffice-expire: run 'boxoffice-admin init' first\n");
		db_close(db);
		return 1;
	}
	if ((s = settings_load(db, &set)) == BO_OK)
		s = holds_expire_all(db, now, &holds);
	if (s == BO_OK)
		s = queue_expire_all(db, now, &set, &expired, &admitted);
	if (s == BO_OK)
		s = session_purge(db, now, &sessions);
	if (s == BO_OK)
		s = idem_purge(db, now, &keys);
	if (s != BO_OK) {
		fprintf(stderr, "boxoffice-expire: failed (%s); nothing half-done: "
		    "each step is its own transaction\n",
		    s == BO_BUSY ? "database busy" : "database error");
		db_close(db);
		return 1;
	}
	/* Statistics and the checkpoint. A checkpoint that readers keep from
	 * finishing is normal on a live site: said, not failed. */
	if (db_tidy(db, &tidy) != BO_OK) {
		fprintf(stderr, "boxoffice-expire: tidying the database failed "
		    "(see the message above); the expiry itself was done\n");
		db_close(db);
		return 1;
	}
	printf("expire: now=%lld holds_expired=%lld tickets_expired=%lld "
	    "admitted=%lld sessions_purged=%lld idempotency_purged=%lld ",
	    (long long)now, (long long)holds, (long long)expired,
	    (long long)admitted, (long long)sessions, (long long)keys);
	if (tidy.complete)
		printf("checkpoint=complete\n");
	else
		printf("checkpoint=partial copied=%d/%d (readers active; the next "
		    "run goes on)\n", tidy.copied, tidy.wal_frames);
	db_close(db);
	close(lock);
	return 0;
}
