/*
 * metrics_db.h — what the database knows for /metrics: the sale as
 * numbers (queue lines, live holds, seats sold, gross sales, the expiry
 * job's last run) and the size of the write-ahead log.
 *
 * The families are a closed set: enum metrics_db_family and one table
 * beside it in metrics_db.c, each row a name, a type, one line of help,
 * its label (an id: concert, performance) and the one statement that
 * reads it, returning (label id, value) rows. A new family is one enum
 * entry and one row; the writer
 * (cgi-bin/page_metrics.c) needs no change. All of them are read in one
 * read transaction, so they agree with each other (sold and held seats of
 * one instant).
 *
 * Counters count rows that are never deleted (payments, admissions), so
 * they only go up, as Prometheus's rate() expects.
 */
#ifndef BOXOFFICE_METRICS_DB_H
#define BOXOFFICE_METRICS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

enum metrics_db_family {
	MDB_QUEUE_WAITING,   /* per concert */
	MDB_QUEUE_CALLED,    /* per concert */
	MDB_QUEUE_ACTIVE,    /* per concert */
	MDB_QUEUE_CALLED_TOTAL, /* per concert, counter */
	MDB_QUEUE_ADMITTED,  /* per concert, counter */
	MDB_HOLDS_LIVE,      /* per performance */
	MDB_SEATS_SOLD,      /* per performance, counter */
	MDB_GROSS_SALES,     /* per performance, counter */
	MDB_EXPIRE_LAST_RUN, /* no label */
	MDB_CHECKINS,        /* per performance, counter */
	MDB_REFUNDS,         /* per performance, counter */
	MDB_REFUND_AMOUNT,   /* per performance, counter */
	MDB__MAX
};

enum metrics_db_kind { MDB_GAUGE, MDB_COUNTER };

/* A family as the writer names it; static storage. */
struct metrics_db_info {
	const char *name;  /* boxoffice_…; counters end in _total */
	enum metrics_db_kind kind;
	const char *help;  /* one line */
	const char *label; /* the label's name, NULL: one unlabelled sample */
};

const struct metrics_db_info *metrics_db_info(enum metrics_db_family f);

struct metrics_db_sample {
	int64_t id;    /* the label's value (unused without a label) */
	int64_t value;
};

/* One scrape's worth: per family its samples, ordered by id. */
struct metrics_db {
	struct metrics_db_sample *samples[MDB__MAX]; /* in the caller's arena */
	size_t n[MDB__MAX];
	int64_t wal_bytes; /* size of the -wal file; 0 when there is none */
};

/*
 * Reads every family as of now in one read transaction, then the WAL's
 * size. Samples are allocated from a and live as long as it. BO_OK, or
 * the database's status (BO_BUSY …) with *out partly filled.
 */
enum bo_status metrics_db_read(struct db *db, struct arena *a, int64_t now,
    struct metrics_db *out);

/*
 * boxoffice-expire's last act: notes that it finished its work at t (Unix
 * seconds), in its own short write transaction.
 */
enum bo_status metrics_db_expire_ran(struct db *db, int64_t t);

#endif
