/*
 * commits.c — the benchmark's baseline for writes: how many single-row
 * transactions per second SQLite commits on this disk with boxoffice's own
 * connection rules.
 *
 *   commits DB SECONDS [WRITERS]
 *
 * Creates DB (which must not exist) with db_open() from core/db.h, so the
 * pragmas are exactly the application's (WAL, synchronous=FULL,
 * busy_timeout, foreign keys), and a table of one integer key and a short
 * text. Then WRITERS processes (default 1), each with its own connection
 * opened after the fork, loop for SECONDS on
 *
 *   BEGIN IMMEDIATE; INSERT one row; COMMIT
 *
 * through db_begin_write() / db_commit(). Prints one line:
 *
 *   commits N seconds S per_second R writers W busy B
 *
 * tests/bench/bench.mjs divides the seat holds per second by R: a hold is one
 * such write transaction plus the application's work around it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "parse.h"

#define MAX_WRITERS 16

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One writer: commits until `until`; writes its counts to fd. */
static int
writer(const char *path, double until, int fd)
{
	struct db *db = db_open(path, 0);
	sqlite3_stmt *st;
	int64_t counts[2] = { 0, 0 }; /* commits, busy */

	if (db == NULL)
		return 1;
	if (sqlite3_prepare_v2(db->handle,
	    "INSERT INTO bench_commit(v) VALUES (?1)", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "commits: %s\n", sqlite3_errmsg(db->handle));
		return 1;
	}
	while (now_s() < until) {
		int rc;

		if (db_begin_write(db) != BO_OK) {
			counts[1]++;
			continue;
		}
		sqlite3_bind_text(st, 1, "one row of a benchmark", -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "commits: insert: %s\n",
			    sqlite3_errmsg(db->handle));
			db_rollback(db);
			return 1;
		}
		if (db_commit(db) != BO_OK) {
			counts[1]++;
			continue;
		}
		counts[0]++;
	}
	sqlite3_finalize(st);
	db_close(db);
	return write(fd, counts, sizeof counts) == (ssize_t)sizeof counts ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int64_t seconds, writers = 1, total = 0, busy = 0;
	int fds[2], failed = 0;
	double start, end;
	struct db *db;

	if (argc < 3 || argc > 4 || !parse_int64(argv[2], 1, 600, &seconds) ||
	    (argc == 4 && !parse_int64(argv[3], 1, MAX_WRITERS, &writers))) {
		fprintf(stderr, "usage: commits DB SECONDS [WRITERS]\n");
		return 2;
	}
	if (access(argv[1], F_OK) == 0) {
		fprintf(stderr, "commits: %s exists; give a new file\n", argv[1]);
		return 2;
	}
	if ((db = db_open(argv[1], 1)) == NULL)
		return 1;
	if (sqlite3_exec(db->handle, "CREATE TABLE bench_commit (id INTEGER "
	    "PRIMARY KEY, v TEXT NOT NULL) STRICT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "commits: %s\n", sqlite3_errmsg(db->handle));
		return 1;
	}
	db_close(db); /* never carried across fork() */
	if (pipe(fds) != 0) {
		perror("commits: pipe");
		return 1;
	}
	start = now_s();
	end = start + (double)seconds;
	for (int64_t i = 0; i < writers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("commits: fork");
			return 1;
		}
		if (pid == 0) {
			close(fds[0]);
			_exit(writer(argv[1], end, fds[1]));
		}
	}
	close(fds[1]);
	for (int64_t i = 0; i < writers; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	}
	for (;;) {
		int64_t c[2];
		ssize_t got = read(fds[0], c, sizeof c);

		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)sizeof c)
			break;
		total += c[0];
		busy += c[1];
	}
	end = now_s();
	if (failed) {
		fprintf(stderr, "commits: a writer failed\n");
		return 1;
	}
	printf("commits %lld seconds %.3f per_second %.0f writers %lld busy %lld\n",
	    (long long)total, end - start, (double)total / (end - start),
	    (long long)writers, (long long)busy);
	return 0;
}
