/*
 * metrics_db.c — the database's families for /metrics (see metrics_db.h).
 */
#include "metrics_db.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "live.h"
#include "log.h"
#include "sql.h"

/* The parameters a family's statement takes (sql_bind_* aborts on a name
 * the SQL does not have, so each row says which it binds). */
enum { P_NOW = 1 };

/* Every statement answers (label id, value) rows, ordered by id; a
 * scrape's plans are checked with the hot paths' (test_plans.c). */
enum { FAM_ID, FAM_VALUE, FAM__COLS };

/*
 * Performances are reached through their concert (performance_concert),
 * and each one's rows through its own index: a scrape reads what the sale
 * has, never a big table from end to end (tests/unit/test_plans.c).
 */
#define PER_PERFORMANCE(value)                                                \
	"SELECT p.id, " value " FROM concert c CROSS JOIN"                     \
	" performance p ON p.concert_id = c.id ORDER BY p.id"

/* A seat is sold when its hold names its payment (hold.payment_id, set as
 * it becomes PAID and never changed, even by a refund; one payment may pay
 * several seats): counting those gives counters that only go up. The
 * holds of the performance, through hold_performance_live. */
#define PAID(agg)                                                             \
	"(SELECT coalesce(" agg ", 0) FROM hold h"                            \
	" WHERE h.performance_id = p.id AND h.payment_id IS NOT NULL)"

static struct family {
	struct metrics_db_info info;
	unsigned params;
	struct sql q;
} families[MDB__MAX] = {
	[MDB_QUEUE_WAITING] = { { "boxoffice_queue_waiting", MDB_GAUGE,
	    "Buyers in each concert's line, not yet called.",
	    "concert" }, 0, SQL(FAM__COLS,
	    "SELECT c.id, (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = c.id AND " WAITING_TICKET("t") ")"
	    " FROM concert c ORDER BY c.id") },
	[MDB_QUEUE_CALLED] = { { "boxoffice_queue_called", MDB_GAUGE,
	    "Buyers called to come in who have not yet (each holds a slot "
	    "until claim_seconds pass).",
	    "concert" }, P_NOW, SQL(FAM__COLS,
	    "SELECT c.id, (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = c.id AND " CALLED_TICKET("t") ")"
	    " FROM concert c ORDER BY c.id") },
	[MDB_QUEUE_ACTIVE] = { { "boxoffice_queue_active", MDB_GAUGE,
	    "Buyers whose turn is running in each concert's queue.",
	    "concert" }, P_NOW, SQL(FAM__COLS,
	    "SELECT c.id, (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = c.id AND " ACTIVE_TICKET("t") ")"
	    " FROM concert c ORDER BY c.id") },
	/* A call and an admission are written once and never undone: the
	 * line moves by calls (the queue stalls when they stop), a buyer
	 * comes in by an admission. */
	[MDB_QUEUE_CALLED_TOTAL] = { { "boxoffice_queue_called_total",
	    MDB_COUNTER, "Buyers called from each concert's line, ever.",
	    "concert" }, 0, SQL(FAM__COLS,
	    "SELECT c.id, (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = c.id AND t.called_at IS NOT NULL)"
	    " FROM concert c ORDER BY c.id") },
	[MDB_QUEUE_ADMITTED] = { { "boxoffice_queue_admitted_total",
	    MDB_COUNTER, "Buyers who came in from each concert's line, ever.",
	    "concert" }, 0, SQL(FAM__COLS,
	    "SELECT c.id, (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = c.id AND t.admitted_at IS NOT NULL)"
	    " FROM concert c ORDER BY c.id") },
	[MDB_HOLDS_LIVE] = { { "boxoffice_holds_live", MDB_GAUGE,
	    "Seats held and not yet paid (not lapsed), per performance.",
	    "performance" }, P_NOW, SQL(FAM__COLS,
	    PER_PERFORMANCE("(SELECT count(*) FROM hold h"
	    " WHERE h.performance_id = p.id AND " UNPAID_HOLD("h") ")")) },
	[MDB_SEATS_SOLD] = { { "boxoffice_seats_sold_total", MDB_COUNTER,
	    "Seats paid for, per performance, ever (refunds not taken off).",
	    "performance" }, 0, SQL(FAM__COLS,
	    PER_PERFORMANCE(PAID("count(*)"))) },
	[MDB_GROSS_SALES] = { { "boxoffice_gross_sales_total", MDB_COUNTER,
	    "Money taken for seats, per performance, in the currency's "
	    "smallest unit (refunds not taken off).",
	    "performance" }, 0, SQL(FAM__COLS,
	    PER_PERFORMANCE(PAID("sum(h.price)"))) },
	[MDB_EXPIRE_LAST_RUN] = { {
	    "boxoffice_expire_last_run_timestamp_seconds", MDB_GAUGE,
	    "When boxoffice-expire last finished its work (Unix time; 0: "
	    "never).", NULL }, 0, SQL(FAM__COLS,
	    "SELECT 0, finished_at FROM expire_run WHERE id = 1") },
	/* Admissions are never changed or deleted (schema/012_checkin.sql).
	 * The tickets of the date (ticket_performance), then each one's
	 * admission by its primary key. */
	[MDB_CHECKINS] = { { "boxoffice_checkins_total", MDB_COUNTER,
	    "Tickets let in at the door, per performance.",
	    "performance" }, 0, SQL(FAM__COLS,
	    PER_PERFORMANCE("(SELECT count(*) FROM ticket t CROSS JOIN checkin ci"
	    " ON ci.ticket = t.id WHERE t.performance_id = p.id)")) },
	/* A refund marks the ticket once and writes one REFUND row to the
	 * ledger (ledger_one_refund_per_hold); neither is ever undone, and
	 * the payment stays: sold and gross count the sale, these what went
	 * back. */
	[MDB_REFUNDS] = { { "boxoffice_refunds_total", MDB_COUNTER,
	    "Tickets refunded (by the operator, a buyer's cancellation or a "
	    "cancelled performance), per performance.",
	    "performance" }, 0, SQL(FAM__COLS,
	    PER_PERFORMANCE("(SELECT count(*) FROM ticket t"
	    " WHERE t.performance_id = p.id AND t.refunded_at IS NOT NULL)")) },
	[MDB_REFUND_AMOUNT] = { { "boxoffice_refund_amount_total", MDB_COUNTER,
	    "Money given back for refunded tickets, per performance, in the "
	    "currency's smallest unit.",
	    "performance" }, 0, SQL(FAM__COLS,
	    PER_PERFORMANCE("(SELECT coalesce(sum(l.amount), 0) FROM hold h"
	    " CROSS JOIN ledger l ON l.hold_id = h.id AND l.kind = 'REFUND'"
	    " WHERE h.performance_id = p.id)")) },
};

const struct metrics_db_info *
metrics_db_info(enum metrics_db_family f)
{
	assert((unsigned)f < MDB__MAX && families[f].info.name != NULL);
	return &families[f].info;
}

/* Inside the read transaction: one family's rows. */
static enum bo_status
read_family(struct db *db, struct arena *a, int64_t now,
    enum metrics_db_family f, struct metrics_db *out)
{
	struct family *fam = &families[f];
	struct sql_stmt *st = sql_prepare(db, &fam->q);
	size_t cap = 0;
	int rc;

	if (fam->params & P_NOW)
		sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct metrics_db_sample *s = arena_push(a,
		    (void **)&out->samples[f], &out->n[f], &cap, sizeof *s);

		s->id = sql_int(st, FAM_ID);
		s->value = sql_int(st, FAM_VALUE);
	}
	sql_reset(st);
	return db_status(db, rc, fam->info.name);
}

/* The size of the database's -wal file: 0 when there is none (no write
 * since the last checkpoint that truncated it, or another journal). */
static int64_t
wal_bytes(const struct db *db)
{
	char path[4096];
	struct stat sb;

	if (snprintf(path, sizeof path, "%s-wal", db->path) >= (int)sizeof path)
		return 0;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			core_log(LOG_WARN, "stat %s: %s", path, strerror(errno));
		return 0;
	}
	return (int64_t)sb.st_size;
}

enum bo_status
metrics_db_read(struct db *db, struct arena *a, int64_t now,
    struct metrics_db *out)
{
	enum bo_status s;

	assert(db != NULL && a != NULL && out != NULL);
	memset(out, 0, sizeof *out);
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	for (int f = 0; f < MDB__MAX && s == BO_OK; f++)
		s = read_family(db, a, now, (enum metrics_db_family)f, out);
	if ((s = sql_end(db, s)) == BO_OK)
		out->wal_bytes = wal_bytes(db);
	return s;
}

enum bo_status
metrics_db_expire_ran(struct db *db, int64_t t)
{
	static struct sql q = SQL(0,
	    "UPDATE expire_run SET finished_at = :t WHERE id = 1");
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":t", t);
	return sql_end(db, sql_run(db, st, NULL));
}
