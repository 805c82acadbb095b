/*
 * expire.c — boxoffice-expire, run by cron every minute.
 *
 * Correctness never waits for this program: every query already treats a
 * passed expires_at as gone (lazy expiry). It writes down what has already
 * lapsed — holds past their deadline, queue tickets past their time,
 * calls not answered in time (core/queue.h) — calls the next buyers into the
 * freed slots, deletes expired sessions and stale login-throttle rows, and
 * checkpoints the WAL (db_tidy). Each step is its own short transaction.
 * Last, it notes when it finished (the wall clock, not --now), which
 * /metrics shows for the "expiry job not running" alert.
 * Exit 0 when all is done, or when active readers only kept the checkpoint
 * from finishing (normal on a live site; the summary says so); 1 with a
 * message on any real failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "db.h"
#include "hold.h"
#include "idempotency.h"
#include "log.h"
#include "metrics_db.h"
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
	    "  --now EPOCH  pretend it is this Unix time (for tests)\n"
	    "  -h, --help   this text\n");
}

int
main(int argc, char **argv)
{
	const char *path = getenv("BOXOFFICE_DB");
	int64_t now = time(NULL), sessions = 0, expired = 0, called = 0, holds = 0;
	int64_t keys = 0;
	struct db_tidy_result tidy;
	struct settings set;
	char lockpath[4096];
	enum bo_status s;
	struct db *db;
	int lock, opt;
	enum { OPT_DB = 1, OPT_NOW };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	log_set_program("boxoffice-expire");
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
		case OPT_NOW:
			if (!parse_int64(optarg, 0, INT64_C(1) << 40, &now))
				return cli_usage_error(usage, "--now takes Unix seconds, "
				    "not '%s'", optarg);
			break;
		default:
			return cli_bad_option(usage);
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "unexpected argument '%s'",
		    argv[optind]);
	/* One run at a time: a second waits rather than doubling the work. */
	snprintf(lockpath, sizeof lockpath, "%s.expire-lock", path);
	if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(lock, LOCK_EX) != 0) {
		log_say("lock %s: %s", lockpath, strerror(errno));
		return 1;
	}
	if ((db = db_open(path, 0)) == NULL)
		return 1;
	if (db_schema_version(db) != db_schema_latest()) {
		log_say("run 'boxoffice-admin init' first");
		db_close(db);
		return 1;
	}
	if ((s = settings_load(db, &set)) == BO_OK)
		s = holds_expire_all(db, now, &holds);
	if (s == BO_OK)
		s = queue_expire_all(db, now, &set, &expired, &called);
	if (s == BO_OK)
		s = session_purge(db, now, &sessions);
	if (s == BO_OK)
		s = idem_purge(db, now, &keys);
	if (s != BO_OK) {
		log_say("failed (%s); nothing half-done: each step is its own "
		    "transaction",
		    s == BO_BUSY ? "database busy" : "database error");
		db_close(db);
		return 1;
	}
	/* Statistics and the checkpoint. A checkpoint that readers keep from
	 * finishing is normal on a live site: said, not failed. */
	if (db_tidy(db, &tidy) != BO_OK) {
		log_say("tidying the database failed (see the message above); "
		    "the expiry itself was done");
		db_close(db);
		return 1;
	}
	if (metrics_db_expire_ran(db, time(NULL)) != BO_OK) {
		log_say("noting the finished run failed (see the message above); "
		    "the expiry itself was done");
		db_close(db);
		return 1;
	}
	printf("expire: now=%lld holds_expired=%lld tickets_expired=%lld "
	    "called=%lld sessions_purged=%lld idempotency_purged=%lld ",
	    (long long)now, (long long)holds, (long long)expired,
	    (long long)called, (long long)sessions, (long long)keys);
	if (tidy.complete)
		printf("checkpoint=complete\n");
	else
		printf("checkpoint=partial copied=%d/%d (readers active; the next "
		    "run goes on)\n", tidy.copied, tidy.wal_frames);
	db_close(db);
	close(lock);
	return 0;
}
