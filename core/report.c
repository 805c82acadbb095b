/*
 * report.c — the operator's reads of a sale (see report.h).
 *
 * Each function reads in one transaction (db_begin_read) and builds
 * nothing but its structs inside it; the CSV is written after the read
 * has ended.
 */
#include "report.h"
#include "msgid.h"

#include <assert.h>
#include <string.h>

#include "account.h"
#include "catalog.h"
#include "currency.h"
#include "live.h"
#include "queue.h"
#include "sql.h"
#include "ticket_code.h"
#include "when.h"

/*
 * A seat s with the live hold h that claims it as of :now (LEFT JOIN, so
 * h.id is NULL for a free seat): sold is h.state = 'PAID', held is
 * h.state = 'HELD' (LIVE_HOLD has already left out a lapsed one).
 */
#define SEAT_WITH_LIVE_HOLD                                                   \
	" FROM seat s LEFT JOIN hold h ON h.seat_id = s.id AND " LIVE_HOLD("h")
#define SEAT_COUNTS                                                           \
	"count(*), coalesce(sum(h.state = 'PAID'), 0),"                       \
	" coalesce(sum(h.state = 'HELD'), 0),"                                \
	" coalesce(sum(CASE WHEN h.state = 'PAID' THEN h.price END), 0)"

static void
seats_from(struct report_seats *r, int64_t seats, int64_t sold, int64_t held,
    int64_t gross)
{
	r->seats = seats;
	r->sold = sold;
	r->held = held;
	r->free = seats - sold - held;
	r->gross = gross;
	assert(r->free >= 0);
}

const char *
report_sale_state(const struct report_performance *p, int64_t now)
{
	/* The sale's rule is catalog.c's (performance_sale_state); only
	 * "over" is the operator's own word. */
	const struct performance q = { .starts_at = p->starts_at,
	    .sale_opens_at = p->sale_opens_at,
	    .sale_closes_at = p->sale_closes_at,
	    .cancelled_at = p->cancelled_at };
	enum sale_state s = performance_sale_state(&q, now);

	if (s != SALE_CANCELLED && now >= p->starts_at)
		return N_("over");
	switch (s) {
	case SALE_NOT_YET:
		return N_("not yet on sale");
	case SALE_OPEN:
		return N_("on sale");
	case SALE_CLOSED:
		return N_("sale closed");
	case SALE_CANCELLED:
		return N_("cancelled");
	}
	return "on sale"; /* not reached: every state is named above */
}

enum bo_status
report_concerts(struct db *db, struct arena *a, struct report_concert **out,
    size_t *n)
{
	enum { C_ID, C_TITLE, C_ARTIST, C_VENUE, C_PERFS, C_FIRST, C_LAST,
	    C_SEATS, C_SOLD, C__COLS };
	static struct sql q = SQL(C__COLS,
	    "SELECT c.id, c.title, c.artist, c.venue, count(p.id),"
	    " coalesce(min(p.starts_at), 0), coalesce(max(p.starts_at), 0),"
	    " coalesce(sum(p.seat_count), 0),"
	    " (SELECT count(*) FROM performance q JOIN hold h"
	    " ON h.performance_id = q.id AND h.state = 'PAID'"
	    " WHERE q.concert_id = c.id)"
	    " FROM concert c LEFT JOIN performance p ON p.concert_id = c.id"
	    " GROUP BY c.id ORDER BY c.id");
	struct sql_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct report_concert *c = arena_push(a, (void **)out, n, &cap,
		    sizeof *c);

		c->id = sql_int(st, C_ID);
		c->title = arena_strdup(a, sql_text(st, C_TITLE));
		c->artist = arena_strdup(a, sql_text(st, C_ARTIST));
		c->venue = arena_strdup(a, sql_text(st, C_VENUE));
		c->performances = sql_int(st, C_PERFS);
		c->first_starts_at = sql_int(st, C_FIRST);
		c->last_starts_at = sql_int(st, C_LAST);
		c->seats = sql_int(st, C_SEATS);
		c->sold = sql_int(st, C_SOLD);
	}
	sql_reset(st);
	return sql_end(db, db_status(db, rc, "report_concerts"));
}

/* Inside a transaction: concert's title (BO_NOT_FOUND if none). */
static enum bo_status
concert_title(struct db *db, struct arena *a, int64_t concert,
    const char **title)
{
	enum { T_TITLE, T__COLS };
	static struct sql q = SQL(T__COLS,
	    "SELECT title FROM concert WHERE id = :concert");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_int(st, ":concert", concert);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		*title = arena_strdup(a, sql_text(st, T_TITLE));
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "report: concert");
}

/*
 * A performance row as read_performance() reads it, with its seats as of
 * :now counted from its holds (hold_performance_live) and its tickets let
 * in or refunded (ticket_performance): the columns both the list and one
 * performance select, in this order.
 */
enum { P_ID, P_CONCERT, P_TITLE, P_STARTS, P_OPENS, P_CLOSES, P_SEATS,
    P_SOLD, P_HELD, P_GROSS, P_IN, P_REFUNDED, P_CANCELLED, P__COLS };
#define PERFORMANCE_COLUMNS                                                   \
	"p.id, p.concert_id, c.title, p.starts_at, p.sale_opens_at,"          \
	" p.sale_closes_at, p.seat_count,"                                    \
	" (SELECT count(*) FROM hold h WHERE h.performance_id = p.id"         \
	" AND h.state = 'PAID'),"                                             \
	" (SELECT count(*) FROM hold h WHERE h.performance_id = p.id"         \
	" AND " UNPAID_HOLD("h") "),"                                         \
	" (SELECT coalesce(sum(h.price), 0) FROM hold h"                      \
	" WHERE h.performance_id = p.id AND h.state = 'PAID'),"               \
	" (SELECT count(*) FROM ticket t JOIN checkin ci ON ci.ticket = t.id" \
	" WHERE t.performance_id = p.id AND t.refunded_at IS NULL),"          \
	" (SELECT count(*) FROM ticket t WHERE t.performance_id = p.id"       \
	" AND t.refunded_at IS NOT NULL), coalesce(p.cancelled_at, 0)"        \
	" FROM performance p JOIN concert c ON c.id = p.concert_id"

static void
read_performance(struct arena *a, struct sql_stmt *st,
    struct report_performance *p)
{
	p->id = sql_int(st, P_ID);
	p->concert_id = sql_int(st, P_CONCERT);
	p->concert_title = arena_strdup(a, sql_text(st, P_TITLE));
	p->starts_at = sql_int(st, P_STARTS);
	p->sale_opens_at = sql_int(st, P_OPENS);
	p->sale_closes_at = sql_int(st, P_CLOSES);
	seats_from(&p->seats, sql_int(st, P_SEATS), sql_int(st, P_SOLD),
	    sql_int(st, P_HELD), sql_int(st, P_GROSS));
	p->checked_in = sql_int(st, P_IN);
	p->refunded = sql_int(st, P_REFUNDED);
	p->cancelled_at = sql_int(st, P_CANCELLED);
}

enum bo_status
report_performances(struct db *db, struct arena *a, int64_t concert,
    int64_t now, struct report_performance **out, size_t *n)
{
	static struct sql q = SQL(P__COLS,
	    "SELECT " PERFORMANCE_COLUMNS
	    " WHERE p.concert_id = :concert ORDER BY p.starts_at, p.id");
	const char *title;
	struct sql_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	if ((s = concert_title(db, a, concert, &title)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":concert", concert);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW)
		read_performance(a, st, arena_push(a, (void **)out, n, &cap,
		    sizeof **out));
	sql_reset(st);
	return sql_end(db, db_status(db, rc, "report_performances"));
}

/* Inside a transaction: one performance (BO_NOT_FOUND if none). */
static enum bo_status
one_performance(struct db *db, struct arena *a, int64_t perf, int64_t now,
    struct report_performance *out)
{
	static struct sql q = SQL(P__COLS,
	    "SELECT " PERFORMANCE_COLUMNS " WHERE p.id = :perf");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		read_performance(a, st, out);
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "report: performance");
}

enum bo_status
report_sales(struct db *db, struct arena *a, int64_t perf, int64_t now,
    struct report_performance *total, struct report_section **sections,
    size_t *n)
{
	enum { S_NAME, S_MIN, S_MAX, S_SEATS, S_SOLD, S_HELD, S_GROSS,
	    S__COLS };
	/* Sections in the order their seats were added. */
	static struct sql q = SQL(S__COLS,
	    "SELECT s.section, min(s.price), max(s.price), " SEAT_COUNTS
	    SEAT_WITH_LIVE_HOLD
	    " WHERE s.performance_id = :perf"
	    " GROUP BY s.section ORDER BY min(s.id)");
	struct sql_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*sections = NULL;
	*n = 0;
	memset(total, 0, sizeof *total);
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	if ((s = one_performance(db, a, perf, now, total)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct report_section *sec = arena_push(a, (void **)sections, n,
		    &cap, sizeof *sec);

		sec->name = arena_strdup(a, sql_text(st, S_NAME));
		sec->min_price = sql_int(st, S_MIN);
		sec->max_price = sql_int(st, S_MAX);
		seats_from(&sec->seats, sql_int(st, S_SEATS),
		    sql_int(st, S_SOLD), sql_int(st, S_HELD),
		    sql_int(st, S_GROSS));
	}
	sql_reset(st);
	return sql_end(db, db_status(db, rc, "report_sales"));
}

enum bo_status
report_queue(struct db *db, struct arena *a, int64_t concert, int64_t now,
    struct report_queue *out)
{
	enum { LINE_WAITING, LINE_ACTIVE, LINE_CALLED, LINE_SERVING, LINE_MINUTE,
	    LINE_WINDOW, LINE_FIRST_JOINED, LINE_LONGEST, LINE__COLS };
	static struct sql q = SQL(LINE__COLS,
	    "SELECT"
	    " (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND " WAITING_TICKET("t") "),"
	    " (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND " ACTIVE_TICKET("t") "),"
	    " (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND " CALLED_TICKET("t") "),"
	    " coalesce((SELECT serving FROM queue_counter"
	    " WHERE concert_id = :concert), 0),"
	    " (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND t.admitted_at > :minute_ago),"
	    " (SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND t.admitted_at > :window_start),"
	    " (SELECT coalesce(min(t.joined_at), 0) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND " WAITING_TICKET("t") "),"
	    " (SELECT coalesce(max(t.admitted_at - t.joined_at), 0)"
	    " FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND t.admitted_at > :window_start)");
	struct sql_stmt *st;
	enum bo_status s;
	int rc;

	memset(out, 0, sizeof *out);
	out->concert_id = concert;
	out->window_seconds = QUEUE_RATE_WINDOW;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	if ((s = concert_title(db, a, concert, &out->concert_title)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":concert", concert);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":minute_ago", now - 60);
	sql_bind_int(st, ":window_start", now - QUEUE_RATE_WINDOW);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		int64_t first = sql_int(st, LINE_FIRST_JOINED);

		out->waiting = sql_int(st, LINE_WAITING);
		out->active = sql_int(st, LINE_ACTIVE);
		out->called = sql_int(st, LINE_CALLED);
		out->serving = sql_int(st, LINE_SERVING);
		out->admitted_last_minute = sql_int(st, LINE_MINUTE);
		out->admitted_window = sql_int(st, LINE_WINDOW);
		out->longest_waiting = first > 0 && now > first ? now - first : 0;
		out->longest_wait_admitted = sql_int(st, LINE_LONGEST);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return sql_end(db, db_status(db, rc, "report_queue"));
}

/* The columns of a buyer's seat, tickets and holds alike, in this order. */
enum { B_HOLD, B_PERF, B_TITLE, B_SECTION, B_ROW, B_NUMBER, B_PRICE,
    B_STARTS, B_CODE, B_REFUNDED, B_USED, B_DOOR, B_AT, B__COLS };
#define BUYER_SEAT_COLUMNS                                                    \
	"h.id, h.performance_id, c.title, s.section, s.row_label, s.number,"  \
	" h.price, p.starts_at, coalesce(t.code, ''),"                        \
	" coalesce(t.refunded_at, 0), coalesce(ck.at, 0), coalesce(ck.door, '')"
#define BUYER_SEAT_JOINS                                                      \
	" FROM hold h JOIN seat s ON s.id = h.seat_id"                        \
	" JOIN performance p ON p.id = h.performance_id"                      \
	" JOIN concert c ON c.id = p.concert_id"                              \
	" LEFT JOIN ticket t ON t.hold_id = h.id"                             \
	" LEFT JOIN checkin ck ON ck.ticket = t.id"

/* Inside a transaction: the rows of st (bound) into *out. */
static enum bo_status
read_buyer_seats(struct db *db, struct arena *a, struct sql_stmt *st,
    struct report_seat **out, size_t *n, const char *what)
{
	size_t cap = 0;
	int rc;

	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct report_seat *r = arena_push(a, (void **)out, n, &cap,
		    sizeof *r);

		r->hold_id = sql_int(st, B_HOLD);
		r->performance_id = sql_int(st, B_PERF);
		r->concert_title = arena_strdup(a, sql_text(st, B_TITLE));
		r->section = arena_strdup(a, sql_text(st, B_SECTION));
		r->row = arena_strdup(a, sql_text(st, B_ROW));
		r->number = sql_int(st, B_NUMBER);
		r->price = sql_int(st, B_PRICE);
		r->starts_at = sql_int(st, B_STARTS);
		r->code = arena_strdup(a, sql_text(st, B_CODE));
		r->refunded_at = sql_int(st, B_REFUNDED);
		r->used_at = sql_int(st, B_USED);
		r->door = arena_strdup(a, sql_text(st, B_DOOR));
		r->at = sql_int(st, B_AT);
	}
	sql_reset(st);
	return db_status(db, rc, what);
}

enum bo_status
report_buyer(struct db *db, struct arena *a, const char *email, int64_t now,
    struct report_buyer *out)
{
	enum { U_ID, U_EMAIL, U_CREATED, U__COLS };
	static struct sql user_q = SQL(U__COLS,
	    "SELECT id, email, created_at FROM user WHERE email = :email");
	/* Tickets: paid seats, by the performance's start. */
	static struct sql tickets_q = SQL(B__COLS,
	    "SELECT " BUYER_SEAT_COLUMNS ", coalesce(pay.created_at, 0)"
	    BUYER_SEAT_JOINS " LEFT JOIN payment pay ON pay.id = h.payment_id"
	    " WHERE h.user_id = :user AND h.state = 'PAID'"
	    " ORDER BY p.starts_at, h.id");
	/* Refunded tickets (by the buyer's cancel, an operator's refund or
	 * a cancelled performance): their seats went back on sale, the
	 * ticket row keeps when. Newest first. */
	static struct sql refunded_q = SQL(B__COLS,
	    "SELECT " BUYER_SEAT_COLUMNS ", t.refunded_at" BUYER_SEAT_JOINS
	    " WHERE h.user_id = :user AND t.refunded_at IS NOT NULL"
	    " ORDER BY t.refunded_at DESC, h.id");
	static struct sql holds_q = SQL(B__COLS,
	    "SELECT " BUYER_SEAT_COLUMNS ", h.expires_at" BUYER_SEAT_JOINS
	    " WHERE h.user_id = :user AND " UNPAID_HOLD("h")
	    " ORDER BY h.expires_at, h.id");
	char *lower = arena_strdup(a, email);
	struct sql_stmt *st;
	enum bo_status s;
	int rc;

	memset(out, 0, sizeof *out);
	if (account_email_check(lower) != NULL)
		return BO_INVALID; /* no account can have it */
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &user_q);
	sql_bind_text(st, ":email", lower);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		out->user_id = sql_int(st, U_ID);
		out->email = arena_strdup(a, sql_text(st, U_EMAIL));
		out->created_at = sql_int(st, U_CREATED);
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return sql_end(db, BO_NOT_FOUND);
	if ((s = db_status(db, rc, "report_buyer")) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &tickets_q);
	sql_bind_int(st, ":user", out->user_id);
	s = read_buyer_seats(db, a, st, &out->tickets, &out->ntickets,
	    "report_buyer: tickets");
	if (s == BO_OK) {
		st = sql_prepare(db, &refunded_q);
		sql_bind_int(st, ":user", out->user_id);
		s = read_buyer_seats(db, a, st, &out->refunded,
		    &out->nrefunded, "report_buyer: refunded");
	}
	if (s == BO_OK) {
		st = sql_prepare(db, &holds_q);
		sql_bind_int(st, ":user", out->user_id);
		sql_bind_int(st, ":now", now);
		s = read_buyer_seats(db, a, st, &out->holds, &out->nholds,
		    "report_buyer: holds");
	}
	if ((s = sql_end(db, s)) != BO_OK)
		return s;
	/* The balance and the whole ledger, read by wallet.c a page at a
	 * time (newest first): the ledger is append-only, so the older pages
	 * read after the first one complete the same history. */
	{
		struct keyset k = keyset_first(KEYSET_MAX);
		size_t cap = 0;
		int first = 1;

		for (;;) {
			struct ledger_row *rows;
			int64_t balance;
			size_t n;

			if ((s = wallet_history(db, a, out->user_id, &k, &balance,
			    &rows, &n)) != BO_OK)
				return s;
			if (first)
				out->balance = balance;
			first = 0;
			for (size_t i = 0; i < n; i++)
				*(struct ledger_row *)arena_push(a,
				    (void **)&out->ledger, &out->nledger, &cap,
				    sizeof *out->ledger) = rows[i];
			if (k.next == 0)
				return BO_OK;
			k.before = k.next;
		}
	}
}

enum bo_status
report_sales_timeline(struct db *db, struct arena *a, int64_t perf,
    int64_t width, struct report_bucket **out, size_t *n)
{
	enum { T_START, T_SOLD, T__COLS };
	/* The performance's paid holds (hold_performance_live) with the
	 * payment each names (one payment may pay an order's seats). */
	static struct sql q = SQL(T__COLS,
	    "SELECT pay.created_at / :width * :width AS start, count(*)"
	    " FROM hold h JOIN payment pay ON pay.id = h.payment_id"
	    " WHERE h.performance_id = :perf AND h.state = 'PAID'"
	    " GROUP BY start ORDER BY start");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	assert(width > 0);
	*out = NULL;
	*n = 0;
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":width", width);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct report_bucket *b = arena_push(a, (void **)out, n, &cap,
		    sizeof *b);

		b->start = sql_int(st, T_START);
		b->sold = sql_int(st, T_SOLD);
	}
	sql_reset(st);
	return db_status(db, rc, "report_sales_timeline");
}

/* One line of the sales report, as read. */
struct sales_line {
	int64_t entry, at, amount, price, number;
	const char *kind, *buyer, *section, *row, *state, *code;
};

enum bo_status
report_sales_csv(struct db *db, int64_t perf, const struct settings *set,
    struct csv *out)
{
	enum { L_ENTRY, L_AT, L_KIND, L_BUYER, L_SECTION, L_ROW, L_NUMBER,
	    L_PRICE, L_AMOUNT, L_STATE, L_CODE, L__COLS };
	static struct sql exists_q = SQL(1,
	    "SELECT count(*) FROM performance WHERE id = :perf");
	/* Every ledger entry about one of the performance's seats; the
	 * buyer's own ledger rows (ledger_user) are the ones to look at. A
	 * payment of several seats (an order) is one entry: it is shown on
	 * each of its seats' lines with that seat's price as its revenue. */
	static struct sql q = SQL(L__COLS,
	    "SELECT l.id, l.created_at, l.kind, u.email, s.section,"
	    " s.row_label, s.number, h.price,"
	    " CASE WHEN l.hold_id = h.id THEN l.amount ELSE -h.price END,"
	    " h.state, coalesce(t.code, '')"
	    " FROM hold h JOIN ledger l ON l.user_id = h.user_id"
	    " AND (l.hold_id = h.id OR (l.kind = 'PAYMENT'"
	    " AND l.payment_id = h.payment_id))"
	    " JOIN user u ON u.id = h.user_id JOIN seat s ON s.id = h.seat_id"
	    " LEFT JOIN ticket t ON t.hold_id = h.id"
	    " WHERE h.performance_id = :perf ORDER BY l.id");
	static const char *const header[] = { "entry", "time", "unix_time",
	    "kind", "buyer", "section", "row", "seat", "price", "revenue",
	    "seat_state", "ticket" };
	struct arena a = ARENA_INIT;
	struct sales_line *lines = NULL;
	size_t n = 0, cap = 0;
	struct sql_stmt *st;
	enum bo_status s;
	int64_t found = 0;
	int places = currency_minor_unit(set->currency), rc;

	if (places < 0)
		places = 0; /* setting.c allows only codes with a minor unit */
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &exists_q);
	sql_bind_int(st, ":perf", perf);
	if ((s = sql_one_int(db, st, &found)) == BO_OK && found == 0)
		s = BO_NOT_FOUND;
	if (s == BO_OK) {
		st = sql_prepare(db, &q);
		sql_bind_int(st, ":perf", perf);
		while ((rc = sql_step(st)) == SQLITE_ROW) {
			struct sales_line *l = arena_push(&a, (void **)&lines,
			    &n, &cap, sizeof *l);

			l->entry = sql_int(st, L_ENTRY);
			l->at = sql_int(st, L_AT);
			l->kind = arena_strdup(&a, sql_text(st, L_KIND));
			l->buyer = arena_strdup(&a, sql_text(st, L_BUYER));
			l->section = arena_strdup(&a, sql_text(st, L_SECTION));
			l->row = arena_strdup(&a, sql_text(st, L_ROW));
			l->number = sql_int(st, L_NUMBER);
			l->price = sql_int(st, L_PRICE);
			l->amount = sql_int(st, L_AMOUNT);
			l->state = arena_strdup(&a, sql_text(st, L_STATE));
			l->code = arena_strdup(&a, sql_text(st, L_CODE));
		}
		sql_reset(st);
		s = db_status(db, rc, "report_sales_csv");
	}
	if ((s = sql_end(db, s)) != BO_OK) {
		arena_free(&a);
		return s;
	}
	/* The read is over: now the file. */
	for (size_t i = 0; i < sizeof header / sizeof header[0]; i++)
		csv_text(out, header[i]);
	csv_end_row(out);
	for (size_t i = 0; i < n; i++) {
		char when[WHEN_TEXT_MAX];

		csv_int(out, lines[i].entry);
		csv_text(out, when_format(lines[i].at, set->timezone, when,
		    sizeof when));
		csv_int(out, lines[i].at);
		csv_text(out, lines[i].kind);
		csv_text(out, lines[i].buyer);
		csv_text(out, lines[i].section);
		csv_text(out, lines[i].row);
		csv_int(out, lines[i].number);
		csv_decimal(out, lines[i].price, places);
		/* The ledger is the buyer's side: a payment is negative. */
		csv_decimal(out, -lines[i].amount, places);
		csv_text(out, lines[i].state);
		if (lines[i].code[0] != '\0') {
			char grouped[TICKET_CODE_GROUPED_SIZE];

			ticket_code_group(lines[i].code, grouped);
			csv_text(out, grouped);
		} else {
			csv_text(out, "");
		}
		csv_end_row(out);
	}
	arena_free(&a);
	return BO_OK;
}
