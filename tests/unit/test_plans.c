/*
 * test_plans.c — no hot statement reads a big table from end to end.
 *
 * A full scan of the hold, seat or queue table is invisible in every
 * functional test (the demo is small) and costs a page of thousands of
 * rows on every request once a sale is busy. So this test does not list
 * the statements it checks: it performs what a busy sale does through
 * core/ (the concert list and page, a session check, joining and polling
 * the queue as a waiting and as an admitted buyer, the seat map, holding,
 * charging, paying, releasing, "I am done", the pages of a buyer's holds,
 * bookings and wallet, the expiry run and a scrape of /metrics), captures
 * the SQL text of every statement SQLite runs meanwhile (sqlite3_trace_v2,
 * SQLITE_TRACE_STMT: a statement added tomorrow is checked tomorrow), and
 * asks SQLite for the plan of each (EXPLAIN QUERY PLAN on the text as
 * written, parameters unbound). Every plan line that reads a whole table
 * fails the test, naming the operation, the plan line and the statement,
 * unless allowed_scans[] below lists it with the reason it is bounded:
 *  - SCAN <table>, through the table or through a whole index, covering
 *    or not; a SEARCH through an AUTOMATIC index counts too (SQLite builds
 *    one by reading the whole table, on every run of the statement);
 *  - a tiny table (setting, settings_version, concert) may be read
 *    whole; a big one (big_tables[]: those that grow with buyers and
 *    sales) only through a listed partial index, whose WHERE is the bound;
 *  - the one plan line SQLite shows but never runs in our writes is not
 *    counted: the foreign-key check of an INSERT into a parent table
 *    (insert_fk_check()).
 * An alias the test cannot tie to one table fails too, rather than pass
 * unread.
 *
 * The plan can flip with statistics, so it runs twice on a database with
 * a realistic amount of data (ten dates of a thousand seats, thousands of
 * buyers, sessions, holds, payments, ledger rows, idempotency records and
 * queue tickets, a long and a short waiting line): without statistics (a
 * new database, or one boxoffice-expire's PRAGMA optimize has not
 * analysed yet) and after ANALYZE. This SQLite has no STAT4, so the plan
 * does not depend on the values bound.
 *
 * Not covered: the statements inside triggers (EXPLAIN QUERY PLAN does not
 * show them); ours look rows up by primary key or by the ledger_user
 * index (schema/003_seat_version.sql, 004_wallet.sql).
 *
 * BOXOFFICE_PLANS=1 in the environment prints every statement and its
 * plan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "arena.h"
#include "catalog.h"
#include "db.h"
#include "hold.h"
#include "idempotency.h"
#include "metrics_db.h"
#include "payment.h"
#include "queue.h"
#include "report.h"
#include "setting.h"
#include "wallet.h"

#include "fixture.h"

/* 2033-05-18 03:33:20 UTC: the demo's sales are open. */
#define NOW INT64_C(2000000000)
/* The demo's concerts: a long line, a short one, a free slot. */
#define LONG_LINE INT64_C(1)
#define SHORT_LINE INT64_C(2)
#define FREE_SLOT INT64_C(3)
#define FREE_SLOT_PERF INT64_C(5) /* its first date, on sale */

/* The realistic amount of data (see fill()). */
#define FILL_DATES 8          /* more dates of concert 1, 1,000 seats each */
#define FILL_BUYERS 5000
#define FILL_WAITING_LONG 3000
#define FILL_WAITING_SHORT 10

/* Tables that grow with buyers and sales: never read from end to end, not
 * even through a whole index (an allowance may only name a partial one). */
static const char *const big_tables[] = {
	"hold", "seat", "queue_ticket", "ledger", "payment", "session",
	"user", "idem_record", "idem_ref", "ticket", "checkin",
};

/*
 * The scans that are bounded, and why. index NULL: the whole table may be
 * read (a tiny one; never a big table). Otherwise only a scan through that
 * index, which must be a partial one: its WHERE is the bound.
 */
static const struct {
	const char *table, *index, *why;
} allowed_scans[] = {
	{ "setting", NULL,
	  "one row per setting key (nine), read with the version" },
	{ "settings_version", NULL, "one row: its CHECK (id = 1)" },
	{ "queue_key", NULL,
	  "the keys signing queue tokens: a rotation keeps the newest two "
	  "(QUEUE_KEYS_KEPT)" },
	{ "concert", NULL,
	  "the concert list shows every concert with a date ahead: tens a "
	  "season, each with its dates searched by performance_concert" },
	{ "queue_ticket", "queue_one_live",
	  "the expiry run's concerts with a live ticket: the partial index "
	  "holds only live (WAITING, ACTIVE) tickets, never the history" },
};

struct captured {
	char *sql;
	const char *op; /* the first operation that ran it */
};

struct fixture {
	struct fx_files files;
	struct db *db;
	struct settings set;
	struct arena arena;
	int64_t buyer[3];        /* active, waiting far back, waiting near */
	const char *op;          /* the operation running now */
	struct captured *stmts;  /* every distinct statement text run */
	size_t n, cap;
};

/* ---- capturing what runs ---- */

static int
on_trace(unsigned type, void *ctx, void *p, void *x)
{
	struct fixture *f = ctx;
	const char *sql;

	/* A trigger's program announces itself as an SQL comment. */
	if (type != SQLITE_TRACE_STMT || strncmp(x, "--", 2) == 0)
		return 0;
	if ((sql = sqlite3_sql(p)) == NULL)
		return 0;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->stmts[i].sql, sql) == 0)
			return 0;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->stmts = realloc(f->stmts, f->cap * sizeof *f->stmts);
		assert_non_null(f->stmts);
	}
	f->stmts[f->n].sql = strdup(sql);
	assert_non_null(f->stmts[f->n].sql);
	f->stmts[f->n++].op = f->op;
	return 0;
}

/* ---- the fixture ---- */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || fx_demo_create(&f->files, "plans", NOW, &f->db,
	    &f->set, 3, f->buyer) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < f->n; i++)
		free(f->stmts[i].sql);
	free(f->stmts);
	arena_free(&f->arena);
	fx_db_destroy(&f->files, f->db);
	free(f);
	return 0;
}

/*
 * A busy sale's worth of rows, by raw SQL in one transaction (the dates
 * and seats through core/). Each buyer has a session, three charges and
 * a few idempotency records; every seat has an expired and a released
 * hold behind it, a quarter are sold (with their payments) and a quarter
 * held. Every buyer has an ended ticket for each demo concert; concert 1
 * has a full set of ACTIVE buyers and FILL_WAITING_LONG waiting behind
 * them, concert 2 a full set and FILL_WAITING_SHORT waiting, concert 3 a
 * few ACTIVE and nobody waiting.
 */
static void
fill(struct fixture *f)
{
	static const struct seat_block hall[] = {
		{ "Stalls", 'A', 'T', 50, 90000 },
	};
	int64_t id, cap = f->set.queue_capacity;

	for (int d = 0; d < FILL_DATES; d++)
		assert_int_equal(catalog_add_performance(f->db, 1,
		    NOW + (20 + d) * 86400, NOW - 86400, NOW + (19 + d) * 86400,
		    hall, 1, &id), BO_OK);
	fx_exec(f->db, "BEGIN");
	fx_exec(f->db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
	    " SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO user(email, pw_hash, created_at)"
	    " SELECT 'fill' || i || '@example.com', 'x', %lld FROM n",
	    FILL_BUYERS, (long long)NOW);
	fx_exec(f->db, "CREATE TEMP TABLE filler AS SELECT id,"
	    " row_number() OVER (ORDER BY id) AS k FROM user"
	    " WHERE email LIKE 'fill%%'");
	fx_exec(f->db, "INSERT INTO session(token_hash, user_id, csrf,"
	    " created_at, expires_at) SELECT randomblob(32), id, 'x', %lld, %lld"
	    " FROM filler", (long long)NOW, (long long)NOW + 86400);
	fx_exec(f->db, "INSERT INTO ledger(user_id, kind, amount, balance_after,"
	    " created_at) SELECT u.id, 'CHARGE', 100000, 100000 * c.n, %lld"
	    " FROM filler u, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL"
	    " SELECT 3) c ORDER BY u.id, c.n", (long long)NOW);
	fx_exec(f->db, "INSERT INTO idem_record(user_id, idem_key, request_hash,"
	    " status, created_at) SELECT id, 'k' || id, randomblob(32), 201, %lld"
	    " FROM filler", (long long)NOW);
	fx_exec(f->db, "INSERT INTO idem_ref(record_id, seq, kind, ref_id)"
	    " SELECT id, 0, 'ledger', id FROM idem_record");
	/* Holds: two ended ones per seat, then a quarter sold and a quarter
	 * held; the buyer is spread over the filler buyers. */
	fx_exec(f->db, "INSERT INTO hold(seat_id, performance_id, user_id,"
	    " state, price, created_at, expires_at)"
	    " SELECT s.id, s.performance_id, u.id, st.state, s.price, %lld, %lld"
	    " FROM seat s JOIN filler u ON u.k = 1 + s.id %% %d,"
	    " (SELECT 'EXPIRED' AS state UNION ALL SELECT 'RELEASED') st",
	    (long long)NOW - 3600, (long long)NOW - 3000, FILL_BUYERS);
	fx_exec(f->db, "INSERT INTO hold(seat_id, performance_id, user_id,"
	    " state, price, created_at, expires_at)"
	    " SELECT s.id, s.performance_id, u.id,"
	    " CASE s.id %% 4 WHEN 0 THEN 'PAID' ELSE 'HELD' END, s.price, %lld,"
	    " %lld FROM seat s JOIN filler u ON u.k = 1 + s.id %% %d"
	    " WHERE s.id %% 4 IN (0, 1)", (long long)NOW - 60,
	    (long long)NOW + 240, FILL_BUYERS);
	fx_exec(f->db, "INSERT INTO payment(hold_id, user_id, amount, created_at)"
	    " SELECT id, user_id, price, %lld FROM hold WHERE state = 'PAID'",
	    (long long)NOW - 30);
	/* The queues: an ended ticket per buyer and concert, then the live
	 * ones. A ticket's id is its place in line. */
	fx_exec(f->db, "INSERT INTO queue_ticket(concert_id, user_id, token,"
	    " state, joined_at, last_seen, admitted_at, expires_at, ended_at)"
	    " SELECT c.id, u.id, lower(hex(randomblob(11))),"
	    " CASE u.k %% 2 WHEN 0 THEN 'DONE' ELSE 'EXPIRED' END,"
	    " %lld, %lld, %lld, %lld, %lld FROM concert c, filler u"
	    " ORDER BY c.id, u.k", (long long)NOW - 7200, (long long)NOW - 7200,
	    (long long)NOW - 7000, (long long)NOW - 6400, (long long)NOW - 6500);
	fx_exec(f->db, "INSERT INTO queue_ticket(concert_id, user_id, token,"
	    " state, joined_at, last_seen, admitted_at, expires_at)"
	    " SELECT c.id, u.id, lower(hex(randomblob(11))), 'ACTIVE',"
	    " %lld, %lld, %lld, %lld FROM concert c, filler u"
	    " WHERE u.k <= CASE c.id WHEN %lld THEN 2 ELSE %lld END"
	    " ORDER BY c.id, u.k", (long long)NOW - 300, (long long)NOW - 300,
	    (long long)NOW - 200, (long long)NOW + 400, (long long)FREE_SLOT,
	    (long long)cap);
	fx_exec(f->db, "INSERT INTO queue_ticket(concert_id, user_id, token,"
	    " state, joined_at, last_seen) SELECT c.id, u.id,"
	    " lower(hex(randomblob(11))), 'WAITING', %lld, %lld"
	    " FROM concert c, filler u WHERE c.id IN (%lld, %lld) AND u.k > %lld"
	    " AND u.k <= %lld + CASE c.id WHEN %lld THEN %d ELSE %d END"
	    " ORDER BY c.id, u.k", (long long)NOW - 100, (long long)NOW,
	    (long long)LONG_LINE, (long long)SHORT_LINE, (long long)cap,
	    (long long)cap, (long long)LONG_LINE, FILL_WAITING_LONG,
	    FILL_WAITING_SHORT);
	/* The line as issue 12 keeps it: each ticket's key and number in
	 * join order, the ended and active ones called, and each concert's
	 * counter serving up to the last of those. */
	fx_exec(f->db, "UPDATE queue_ticket SET line_key = (1 << 62) + id,"
	    " called_at = CASE state WHEN 'WAITING' THEN NULL ELSE admitted_at END");
	fx_exec(f->db, "UPDATE queue_ticket SET place = r.n FROM (SELECT id,"
	    " row_number() OVER (PARTITION BY concert_id ORDER BY id) AS n"
	    " FROM queue_ticket) AS r WHERE r.id = queue_ticket.id");
	fx_exec(f->db, "INSERT INTO queue_counter(concert_id, opened_at, serving,"
	    " serving_key, next_place) SELECT concert_id, %lld,"
	    " sum(state <> 'WAITING'),"
	    " max(CASE WHEN state <> 'WAITING' THEN line_key ELSE -1 END),"
	    " count(*) + 1 FROM queue_ticket GROUP BY concert_id",
	    (long long)NOW - 7200);
	fx_exec(f->db, "DROP TABLE filler");
	fx_exec(f->db, "COMMIT");
	assert_true(fx_int(f->db, "SELECT count(*) FROM hold") > 20000);
	assert_true(fx_int(f->db, "SELECT count(*) FROM queue_ticket") > 15000);
}

/* ---- the operations of a busy sale ---- */

static void
run_operations(struct fixture *f)
{
	struct db *db = f->db;
	struct arena *a = &f->arena;
	struct queue_public pub;
	int64_t active = f->buyer[0], far = f->buyer[1], near = f->buyer[2];
	struct concert_summary *list;
	struct concert c;
	struct performance p, *perfs;
	struct seat *seats, one;
	struct my_seat *mine;
	struct hold_view hv;
	struct booking *bookings;
	struct awaiting_seat *awaiting;
	struct keyset page;
	struct ledger_row *rows, row;
	struct queue_view v;
	struct session_new sn;
	struct session_info si;
	struct settings set;
	struct idem k;
	struct metrics_db scrape;
	unsigned char hash[32];
	int64_t hold[4], pay, balance, free_seat[4];
	size_t n, nfree = 0;
	int already, replayed;
	char email[] = "plans@example.com";
	char token[QUEUE_TOKEN_MAX + 1];

	sqlite3_trace_v2(db->handle, SQLITE_TRACE_STMT, on_trace, f);

	f->op = "the settings every request reads";
	assert_int_equal(settings_load(db, &set), BO_OK);
	f->op = "the concert list";
	assert_int_equal(catalog_concerts(db, a, NOW, &list, &n), BO_OK);
	assert_int_equal(n, 3);
	f->op = "a concert's page";
	assert_int_equal(catalog_concert(db, a, FREE_SLOT, NOW, &c, &perfs, &n),
	    BO_OK);
	assert_true(catalog_concert_on_sale(perfs, n, NOW, NULL));

	f->op = "a session check";
	assert_int_equal(account_create_hashed(db, email, "x", NOW,
	    f->set.session_ttl, &sn), BO_OK);
	assert_int_equal(session_lookup(db, sn.token, NOW, &si), BO_OK);

	f->op = "joining the queue with a slot free";
	assert_int_equal(queue_join(db, FREE_SLOT, active, NOW, &f->set,
	    &v), BO_OK);
	assert_int_equal(v.state, Q_ACTIVE);
	f->op = "the queue poll of an admitted buyer";
	assert_int_equal(queue_status(db, FREE_SLOT, active, NULL, NOW + 1,
	    &f->set, &v), BO_OK);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(queue_view_sign(db, active, &v), BO_OK);
	snprintf(token, sizeof token, "%s", v.token);
	assert_int_equal(queue_status(db, 0, active, token, NOW + 2, &f->set,
	    &v), BO_OK);
	assert_int_equal(v.state, Q_ACTIVE);

	f->op = "joining a long line";
	assert_int_equal(queue_join(db, LONG_LINE, far, NOW, &f->set, &v),
	    BO_OK);
	assert_int_equal(v.state, Q_WAITING);
	assert_int_equal(v.ahead, FILL_WAITING_LONG);
	assert_int_equal(queue_view_sign(db, far, &v), BO_OK);
	snprintf(token, sizeof token, "%s", v.token);
	f->op = "the queue poll far back in line";
	for (int64_t t = NOW + 1; t <= NOW + 60; t += 20) {
		assert_int_equal(queue_status(db, 0, far, token, t, &f->set,
		    &v), BO_OK);
		assert_int_equal(v.state, Q_WAITING);
		assert_int_equal(queue_status(db, LONG_LINE, far, NULL, t,
		    &f->set, &v), BO_OK);
	}
	f->op = "the public state of a long line (about once a second)";
	assert_int_equal(queue_public_state(db, LONG_LINE, NOW + 1, &f->set,
	    &pub), BO_OK);
	assert_int_equal(pub.waiting, FILL_WAITING_LONG + 1);
	f->op = "joining a short line";
	assert_int_equal(queue_join(db, SHORT_LINE, near, NOW, &f->set,
	    &v), BO_OK);
	assert_int_equal(v.state, Q_WAITING);
	assert_int_equal(v.ahead, FILL_WAITING_SHORT);
	assert_int_equal(queue_view_sign(db, near, &v), BO_OK);
	snprintf(token, sizeof token, "%s", v.token);
	f->op = "the queue poll near the front";
	assert_int_equal(queue_status(db, 0, near, token, NOW + 1, &f->set,
	    &v), BO_OK);
	assert_int_equal(v.state, Q_WAITING);

	f->op = "the seat map";
	assert_int_equal(catalog_performance(db, a, FREE_SLOT_PERF, NOW, &c, &p,
	    &seats, &n), BO_OK);
	for (size_t i = 0; i < n && nfree < 4; i++)
		if (!seats[i].taken)
			free_seat[nfree++] = seats[i].id;
	assert_int_equal(nfree, 4);
	assert_int_equal(catalog_seat(db, a, FREE_SLOT_PERF, free_seat[0], NOW,
	    &one), BO_OK);

	f->op = "holding a seat";
	assert_int_equal(hold_create(db, FREE_SLOT_PERF, free_seat[0], active,
	    NOW, &f->set, NULL, &hold[0]), BO_OK);
	assert_int_equal(hold_create(db, FREE_SLOT_PERF, free_seat[0], near,
	    NOW, &f->set, NULL, &hold[3]), BO_FORBIDDEN);
	idem_hash("POST", "/api/v1/reservations", "{}", 2, hash);
	idem_init(&k, "plans-hold", hash, 201);
	assert_int_equal(hold_create(db, FREE_SLOT_PERF, free_seat[1], active,
	    NOW, &f->set, &k, &hold[1]), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_int_equal(hold_create(db, FREE_SLOT_PERF, free_seat[2], active,
	    NOW, &f->set, NULL, &hold[2]), BO_OK);
	f->op = "a buyer's holds";
	assert_int_equal(seats_mine(db, a, active, FREE_SLOT_PERF, NOW, &mine,
	    &n), BO_OK);
	assert_int_equal(n, 3);
	assert_int_equal(hold_get(db, a, hold[0], active, NOW, &hv), BO_OK);

	f->op = "charging the wallet";
	assert_int_equal(wallet_charge(db, active, 1000000, f->set.max_charge,
	    "plans-charge", NOW, &balance, &replayed), BO_OK);
	f->op = "paying";
	assert_int_equal(payment_pay(db, hold[0], active, NOW + 5, NULL, &pay,
	    &already), BO_OK);
	assert_false(already);
	idem_hash("POST", "/api/v1/payments", "{}", 2, hash);
	idem_init(&k, "plans-pay", hash, 201);
	assert_int_equal(payment_pay(db, hold[1], active, NOW + 5, &k, &pay,
	    &already), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	f->op = "releasing a hold";
	assert_int_equal(hold_release(db, hold[2], active, NOW + 6), BO_OK);
	f->op = "a buyer's bookings and wallet";
	page = keyset_first(KEYSET_DEFAULT);
	assert_int_equal(bookings_list(db, a, active, NOW + 6, &page, &bookings,
	    &n), BO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(holds_awaiting(db, a, active, 0, NOW + 6, &awaiting, &n),
	    BO_OK);
	page = keyset_first(1); /* an older page exists */
	assert_int_equal(wallet_history(db, a, active, &page, &balance, &rows,
	    &n), BO_OK);
	assert_int_equal(n, 1);
	assert_true(page.next > 0);
	assert_int_equal(wallet_history(db, a, active, &page, &balance, &rows,
	    &n), BO_OK);
	assert_int_equal(wallet_ledger_get(db, active, rows[0].id, &row), BO_OK);
	f->op = "the operator's reads (boxoffice-admin, /admin/)";
	{
		struct report_concert *rc;
		struct report_performance rp, *rps;
		struct report_section *secs;
		struct report_queue rq;
		struct report_buyer rb;
		struct report_bucket *bk;
		struct csv csv = CSV_INIT;

		assert_int_equal(report_concerts(db, a, &rc, &n), BO_OK);
		assert_int_equal(n, 3);
		assert_int_equal(report_performances(db, a, FREE_SLOT, NOW, &rps,
		    &n), BO_OK);
		assert_int_equal(report_sales(db, a, FREE_SLOT_PERF, NOW, &rp,
		    &secs, &n), BO_OK);
		assert_true(rp.seats.sold >= 2);
		assert_int_equal(report_sales_timeline(db, a, FREE_SLOT_PERF, 60,
		    &bk, &n), BO_OK);
		assert_int_equal(report_queue(db, a, LONG_LINE, NOW, &rq),
		    BO_OK);
		assert_int_equal(report_buyer(db, a, email, NOW, &rb), BO_OK);
		assert_int_equal(report_sales_csv(db, FREE_SLOT_PERF, &f->set,
		    &csv), BO_OK);
		csv_free(&csv);
	}
	f->op = "leaving the queue";
	assert_int_equal(hold_create(db, FREE_SLOT_PERF, free_seat[3], active,
	    NOW + 7, &f->set, NULL, &hold[3]), BO_OK);
	assert_int_equal(queue_leave(db, FREE_SLOT, active, NOW + 8, &f->set), BO_OK);

	f->op = "the expiry run (every minute)";
	assert_int_equal(holds_expire_all(db, NOW + 600, &pay), BO_OK);
	assert_int_equal(queue_expire_all(db, NOW + 600, &f->set, &balance,
	    &pay), BO_OK);
	assert_int_equal(session_purge(db, NOW + 600, &pay), BO_OK);
	assert_int_equal(idem_purge(db, NOW + 600, &pay), BO_OK);
	assert_int_equal(metrics_db_expire_ran(db, NOW + 601), BO_OK);

	f->op = "a scrape of /metrics (every 15 s)";
	assert_int_equal(metrics_db_read(db, a, NOW + 601, &scrape),
	    BO_OK);
	assert_true(scrape.n[MDB_SEATS_SOLD] > 0);

	sqlite3_trace_v2(db->handle, 0, NULL, NULL);
	f->op = NULL;
}

/* ---- reading the plans ---- */

static int
is_big(const char *table)
{
	for (size_t i = 0; i < sizeof big_tables / sizeof big_tables[0]; i++)
		if (strcmp(big_tables[i], table) == 0)
			return 1;
	return 0;
}

static int
is_table(struct db *db, const char *name)
{
	return fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
	    " AND name = '%s' COLLATE NOCASE", name) > 0;
}

/* The next identifier or keyword of sql from *p (quoted strings skipped),
 * copied into word; 0 at the end. */
static int
next_word(const char **p, char *word, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	for (;;) {
		while (*s && !isalnum((unsigned char)*s) && *s != '_' && *s != '\'')
			s++;
		if (*s != '\'')
			break;
		for (s++; *s && *s != '\''; s++)
			;
		if (*s)
			s++;
	}
	if (*s == '\0')
		return 0;
	while (isalnum((unsigned char)*s) || *s == '_') {
		if (n + 1 < len)
			word[n++] = *s;
		s++;
	}
	word[n] = '\0';
	*p = s;
	return 1;
}

/* 1 when sql names word (not inside a quoted string). */
static int
names(const char *sql, const char *word)
{
	char w[64];

	while (next_word(&sql, w, sizeof w))
		if (strcasecmp(w, word) == 0)
			return 1;
	return 0;
}

/*
 * The table a plan line's name stands for in sql: the name itself when it
 * is a table, else the table it is an alias of ("hold h", "hold AS h").
 * NULL when that cannot be told (no table, or two with that alias).
 */
static const char *
table_of(struct db *db, const char *sql, const char *name, char *buf,
    size_t len)
{
	char prev2[64] = "", prev[64] = "", w[64];
	const char *p = sql;
	int found = 0;

	if (is_table(db, name)) {
		snprintf(buf, len, "%s", name);
		return buf;
	}
	while (next_word(&p, w, sizeof w)) {
		const char *t = NULL;

		if (strcasecmp(w, name) == 0) {
			if (strcasecmp(prev, "AS") == 0 && is_table(db, prev2))
				t = prev2;
			else if (prev[0] && is_table(db, prev))
				t = prev;
		}
		if (t != NULL) {
			if (found && strcasecmp(buf, t) != 0)
				return NULL;
			snprintf(buf, len, "%s", t);
			found = 1;
		}
		snprintf(prev2, sizeof prev2, "%s", prev);
		snprintf(prev, sizeof prev, "%s", w);
	}
	return found ? buf : NULL;
}

/*
 * 1 when a scan of table in sql's plan is the foreign-key check of an
 * INSERT into table's parent: the plan shows it, but SQLite runs it only
 * while the statement has a foreign-key violation outstanding (OP_FkIfZero
 * jumps over it otherwise), so it never reads a row in our writes: 0
 * full-scan steps measured with the sqlite3 shell's .stats. (A DELETE or
 * a key change of the parent does run it: those are judged as any scan.)
 */
static int
insert_fk_check(struct db *db, const char *sql, const char *table)
{
	char w[64], target[64] = "";
	const char *p = sql;

	if (!next_word(&p, w, sizeof w) || strcasecmp(w, "INSERT") != 0)
		return 0;
	while (next_word(&p, w, sizeof w))
		if (strcasecmp(w, "INTO") == 0) {
			next_word(&p, target, sizeof target);
			break;
		}
	if (target[0] == '\0' || !is_table(db, target) || names(sql, table))
		return 0;
	return fx_int(db, "SELECT count(*) FROM pragma_foreign_key_list('%s')"
	    " WHERE \"table\" = '%s' COLLATE NOCASE", table, target) > 0;
}

/* Why a scan of table (plan line detail) is bounded, or NULL. */
static const char *
allowed(const char *table, const char *detail)
{
	for (size_t i = 0; i < sizeof allowed_scans / sizeof allowed_scans[0];
	    i++) {
		const char *idx = allowed_scans[i].index, *at;
		size_t len;

		if (strcmp(allowed_scans[i].table, table) != 0)
			continue;
		if (idx == NULL)
			return allowed_scans[i].why;
		if ((at = strstr(detail, " INDEX ")) == NULL)
			continue;
		at += strlen(" INDEX ");
		len = strlen(idx);
		if (strncmp(at, idx, len) == 0 && (at[len] == '\0' ||
		    at[len] == ' '))
			return allowed_scans[i].why;
	}
	return NULL;
}

/*
 * What is wrong with one plan line of sql, in a (NULL when nothing is):
 * a read of a whole table that is not allowed above. A SEARCH through an
 * AUTOMATIC index counts as one: SQLite reads the whole table to build
 * that index, on every run.
 */
static const char *
judge(struct db *db, struct arena *a, const char *sql, const char *detail)
{
	char name[64], table[64];
	const char *rest;
	size_t n;

	if (strncmp(detail, "SCAN ", 5) == 0)
		rest = detail + 5;
	else if (strncmp(detail, "SEARCH ", 7) == 0 &&
	    strstr(detail, " USING AUTOMATIC ") != NULL)
		rest = detail + 7;
	else
		return NULL;
	/* "SCAN CONSTANT ROW", "SCAN (subquery-1)": no table. */
	if (rest[0] == '(' || strncmp(rest, "CONSTANT ROW", 12) == 0)
		return NULL;
	n = strcspn(rest, " ");
	if (n == 0 || n >= sizeof name)
		return arena_printf(a, "cannot read the plan line \"%s\"", detail);
	memcpy(name, rest, n);
	name[n] = '\0';
	if (table_of(db, sql, name, table, sizeof table) == NULL)
		return arena_printf(a, "cannot tell which table \"%s\" is in the "
		    "plan line \"%s\"", name, detail);
	if (insert_fk_check(db, sql, table) || allowed(table, detail) != NULL)
		return NULL;
	return arena_printf(a, "reads all of %s%s: \"%s\"", table,
	    is_big(table) ? " (a big table)" : " (not listed as tiny)", detail);
}

/* Checks the plan of every captured statement; fails the test naming each
 * statement that reads a big table from end to end. */
static void
check_plans(struct fixture *f, const char *when)
{
	int verbose = getenv("BOXOFFICE_PLANS") != NULL, bad = 0;

	assert_true(f->n > 20);
	for (size_t i = 0; i < f->n; i++) {
		char *eqp = arena_printf(&f->arena, "EXPLAIN QUERY PLAN %s",
		    f->stmts[i].sql);
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(f->db->handle, eqp, -1, &st, NULL) !=
		    SQLITE_OK)
			fail_msg("%s: %s", f->stmts[i].sql,
			    sqlite3_errmsg(f->db->handle));
		if (verbose)
			print_message("%s [%s]\n  %s\n", when, f->stmts[i].op,
			    f->stmts[i].sql);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			const char *why;

			if (verbose)
				print_message("    %s\n", detail);
			if ((why = judge(f->db, &f->arena, f->stmts[i].sql,
			    detail)) != NULL) {
				print_error("%s, %s: %s\n  in: %s\n", when,
				    f->stmts[i].op, why, f->stmts[i].sql);
				bad++;
			}
		}
		assert_int_equal(rc, SQLITE_DONE);
		sqlite3_finalize(st);
	}
	if (bad)
		fail_msg("%s: %d plan line%s read%s a big table from end to end "
		    "(above)", when, bad, bad == 1 ? "" : "s", bad == 1 ? "s" : "");
}

/* ---- the tests ---- */

static void
hot_statements_search_without_statistics(void **state)
{
	struct fixture *f = *state;

	fill(f);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'sqlite_stat1'"), 0);
	run_operations(f);
	check_plans(f, "without statistics");
}

static void
hot_statements_search_with_statistics(void **state)
{
	struct fixture *f = *state;

	fill(f);
	fx_exec(f->db, "ANALYZE");
	assert_true(fx_int(f->db, "SELECT count(*) FROM sqlite_stat1"
	    " WHERE tbl IN ('hold', 'queue_ticket', 'seat')") >= 3);
	run_operations(f);
	check_plans(f, "after ANALYZE");
}

/* The checker itself: a scan through an alias, a whole-index scan and an
 * automatic index are caught; searches, the tiny tables and the listed
 * partial index are not, nor an INSERT's foreign-key check. */
static void
the_checker_reads_plans(void **state)
{
	struct fixture *f = *state;
	struct arena *a = &f->arena;
	const char *q = "SELECT s.id FROM seat s LEFT JOIN hold AS h"
	    " ON h.seat_id = s.id WHERE s.section = 'hold x'";

	assert_non_null(judge(f->db, a, q, "SCAN s"));
	assert_non_null(judge(f->db, a, q, "SCAN h USING INDEX hold_user"));
	assert_non_null(judge(f->db, a, q,
	    "SEARCH h USING AUTOMATIC COVERING INDEX (seat_id=?)"));
	assert_non_null(judge(f->db, a, "SELECT 1 FROM hold", "SCAN hold"));
	assert_null(judge(f->db, a, q,
	    "SEARCH s USING INDEX seat_by_performance (performance_id=?)"));
	assert_null(judge(f->db, a, "SELECT 1 FROM setting", "SCAN setting"));
	assert_null(judge(f->db, a, "SELECT 1 FROM concert c", "SCAN c"));
	assert_non_null(judge(f->db, a, "SELECT 1 FROM performance p", "SCAN p"));
	assert_null(judge(f->db, a, q, "SCAN CONSTANT ROW"));
	assert_null(judge(f->db, a, "SELECT DISTINCT concert_id FROM queue_ticket",
	    "SCAN queue_ticket USING INDEX queue_one_live"));
	assert_non_null(judge(f->db, a, "SELECT 1 FROM queue_ticket",
	    "SCAN queue_ticket USING COVERING INDEX queue_line"));
	assert_non_null(judge(f->db, a, "SELECT 1 FROM queue_ticket",
	    "SCAN queue_ticket USING INDEX queue_one_live_not"));
	/* An INSERT into hold plans the check of ledger rows pointing at
	 * it; a DELETE runs it, and a table the INSERT names is judged. */
	assert_null(judge(f->db, a, "INSERT INTO hold(seat_id) VALUES (:s)",
	    "SCAN ledger"));
	assert_non_null(judge(f->db, a, "DELETE FROM hold WHERE id = :h",
	    "SCAN ledger"));
	assert_non_null(judge(f->db, a, "INSERT INTO hold(seat_id)"
	    " SELECT hold_id FROM ledger", "SCAN ledger"));
	assert_non_null(judge(f->db, a, "INSERT INTO seat(section) VALUES (:s)",
	    "SCAN ledger"));
	/* An alias that names no table here cannot be judged: it fails. */
	assert_non_null(judge(f->db, a, q, "SCAN x"));
}

/* Every allowance holds: a whole table only when it is not a big one, an
 * index only when it exists and is partial (its WHERE is the bound). */
static void
allowances_are_bounded(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof allowed_scans / sizeof allowed_scans[0];
	    i++) {
		const char *t = allowed_scans[i].table, *idx = allowed_scans[i].index;

		assert_true(is_table(f->db, t));
		assert_non_null(allowed_scans[i].why);
		if (idx == NULL) {
			assert_false(is_big(t));
			continue;
		}
		assert_int_equal(fx_int(f->db, "SELECT count(*) FROM"
		    " pragma_index_list('%s') WHERE name = '%s' AND partial",
		    t, idx), 1);
	}
	for (size_t i = 0; i < sizeof big_tables / sizeof big_tables[0]; i++)
		assert_true(is_table(f->db, big_tables[i]));
	/* With STAT4 a plan may depend on the values bound, which the plans
	 * read here (parameters unbound) would not show. */
	if (sqlite3_compileoption_used("ENABLE_STAT4"))
		fail_msg("this SQLite has STAT4: check the plans with the values "
		    "bound before trusting test_plans");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(the_checker_reads_plans),
		T(allowances_are_bounded),
		T(hot_statements_search_without_statistics),
		T(hot_statements_search_with_statistics),
	};
#undef T

	return cmocka_run_group_tests_name("plans", tests, fx_group_setup, NULL);
}
