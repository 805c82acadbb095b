/*
 * catalog.c — reading and adding to the catalogue (see catalog.h).
 */
#include "catalog.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "sql.h"
#include "utf8.h"

enum sale_state
performance_sale_state(const struct performance *p, int64_t now)
{
	if (p->cancelled_at != 0)
		return SALE_CANCELLED;
	if (now < p->sale_opens_at)
		return SALE_NOT_YET;
	if (now >= p->sale_closes_at || now >= p->starts_at)
		return SALE_CLOSED;
	return SALE_OPEN;
}

int
catalog_concert_on_sale(const struct performance *perfs, size_t n,
    int64_t now, int64_t *next_open)
{
	int64_t next = 0;

	assert(perfs != NULL || n == 0);
	for (size_t i = 0; i < n; i++) {
		if (performance_sale_state(&perfs[i], now) == SALE_OPEN) {
			if (next_open != NULL)
				*next_open = 0;
			return 1;
		}
		if (perfs[i].sale_opens_at > now &&
		    (next == 0 || perfs[i].sale_opens_at < next))
			next = perfs[i].sale_opens_at;
	}
	if (next_open != NULL)
		*next_open = next;
	return 0;
}

/*
 * The seats of performance p (a table alias, as a string literal) not
 * claimed by a live hold as of :now: what "seats left" means everywhere.
 * seat_count is the performance's own column, filled in when its seats
 * were added (seats never change afterwards). A cancelled performance
 * has none left: nothing of it can be bought.
 */
#define SEATS_LEFT(p)                                                         \
	"(CASE WHEN " p ".cancelled_at IS NOT NULL THEN 0 ELSE "              \
	p ".seat_count - (SELECT count(*) FROM hold h"                        \
	" WHERE h.performance_id = " p ".id AND " LIVE_HOLD("h") ") END)"

/* Concerts with a performance still ahead of :now and not cancelled,
 * soonest first. */
enum bo_status
catalog_concerts(struct db *db, struct arena *a, int64_t now,
    struct concert_summary **out, size_t *n)
{
	enum { LIST_ID, LIST_TITLE, LIST_ARTIST, LIST_VENUE, LIST_FIRST,
	    LIST_LOWEST, LIST_LEFT, LIST_PERFS, LIST_OPENS, LIST__COLS };
	/* The sale's opening: the soonest of its dates' still ahead of now
	 * (0 when one is open or past its opening already). */
	static struct sql q = SQL(LIST__COLS,
	    "SELECT c.id, c.title, c.artist, c.venue, min(p.starts_at),"
	    " min(p.min_price), sum(" SEATS_LEFT("p") "), count(*),"
	    " CASE WHEN min(p.sale_opens_at) > :now THEN min(p.sale_opens_at)"
	    " ELSE 0 END"
	    " FROM concert c JOIN performance p ON p.concert_id = c.id"
	    " WHERE p.starts_at > :now AND " LIVE_PERFORMANCE("p")
	    " GROUP BY c.id ORDER BY min(p.starts_at), c.id");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct concert_summary *c = arena_push(a, (void **)out, n, &cap, sizeof *c);

		c->id = sql_int(st, LIST_ID);
		c->title = arena_strdup(a, sql_text(st, LIST_TITLE));
		c->artist = arena_strdup(a, sql_text(st, LIST_ARTIST));
		c->venue = arena_strdup(a, sql_text(st, LIST_VENUE));
		c->first_starts_at = sql_int(st, LIST_FIRST);
		c->lowest_price = sql_int(st, LIST_LOWEST);
		c->seats_left = sql_int(st, LIST_LEFT);
		c->performances = sql_int(st, LIST_PERFS);
		c->sale_opens_at = sql_int(st, LIST_OPENS);
	}
	sql_reset(st);
	return db_status(db, rc, "catalog_concerts");
}

/*
 * A performance row as read_performance() reads it: the columns every
 * statement that reads a struct performance starts with, in this order.
 */
enum { PERF_ID, PERF_CONCERT, PERF_STARTS, PERF_OPENS, PERF_CLOSES,
    PERF_SEATS, PERF_MIN, PERF_MAX, PERF_LEFT, PERF_CANCELLED, PERF__COLS };
#define PERFORMANCE_COLUMNS(p)                                                \
	p ".id, " p ".concert_id, " p ".starts_at, " p ".sale_opens_at, "     \
	p ".sale_closes_at, " p ".seat_count, " p ".min_price, "              \
	p ".max_price, " SEATS_LEFT(p) ", coalesce(" p ".cancelled_at, 0)"

static void
read_performance(struct sql_stmt *st, struct performance *p)
{
	p->id = sql_int(st, PERF_ID);
	p->concert_id = sql_int(st, PERF_CONCERT);
	p->starts_at = sql_int(st, PERF_STARTS);
	p->sale_opens_at = sql_int(st, PERF_OPENS);
	p->sale_closes_at = sql_int(st, PERF_CLOSES);
	p->seat_count = sql_int(st, PERF_SEATS);
	p->min_price = sql_int(st, PERF_MIN);
	p->max_price = sql_int(st, PERF_MAX);
	p->seats_left = sql_int(st, PERF_LEFT);
	p->cancelled_at = sql_int(st, PERF_CANCELLED);
}

/* Inside a transaction: concert id into *c (BO_NOT_FOUND if none). */
static enum bo_status
read_concert(struct db *db, struct arena *a, int64_t id, struct concert *c)
{
	enum { CON_ID, CON_TITLE, CON_ARTIST, CON_VENUE, CON_DESC, CON__COLS };
	static struct sql q = SQL(CON__COLS,
	    "SELECT id, title, artist, venue, description FROM concert"
	    " WHERE id = :concert");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_int(st, ":concert", id);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		c->id = sql_int(st, CON_ID);
		c->title = arena_strdup(a, sql_text(st, CON_TITLE));
		c->artist = arena_strdup(a, sql_text(st, CON_ARTIST));
		c->venue = arena_strdup(a, sql_text(st, CON_VENUE));
		c->description = arena_strdup(a, sql_text(st, CON_DESC));
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "catalog: concert");
}

enum bo_status
catalog_concert(struct db *db, struct arena *a, int64_t id, int64_t now,
    struct concert *c, struct performance **perfs, size_t *n)
{
	/* The concert's dates still ahead of :now, soonest first. */
	static struct sql q = SQL(PERF__COLS,
	    "SELECT " PERFORMANCE_COLUMNS("p") " FROM performance p"
	    " WHERE p.concert_id = :concert AND p.starts_at > :now"
	    " ORDER BY p.starts_at, p.id");
	struct sql_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*perfs = NULL;
	*n = 0;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	if ((s = read_concert(db, a, id, c)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":concert", id);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW)
		read_performance(st, arena_push(a, (void **)perfs, n, &cap,
		    sizeof **perfs));
	sql_reset(st);
	return sql_end(db, db_status(db, rc, "catalog_concert"));
}

/*
 * The seat columns both the seat map and one seat read, in this order;
 * SEAT_TAKEN is whether a live hold claims the seat as of :now (hold h
 * LEFT JOINed on SEAT_LIVE_HOLD).
 */
enum { SEAT_ID, SEAT_SECTION, SEAT_ROW, SEAT_NUMBER, SEAT_PRICE, SEAT_TAKEN,
    SEAT__COLS };
#define SEAT_COLUMNS                                                          \
	"s.id, s.section, s.row_label, s.number, s.price, h.id IS NOT NULL"
#define SEAT_LIVE_HOLD                                                        \
	" LEFT JOIN hold h ON h.seat_id = s.id AND " LIVE_HOLD("h")

/* Inside a transaction: performance perf's seat map as of now. */
static enum bo_status
read_seats(struct db *db, struct arena *a, int64_t perf, int64_t now,
    struct seat **seats, size_t *n)
{
	/* Seats in the order they were added (seat_by_performance). */
	static struct sql q = SQL(SEAT__COLS,
	    "SELECT " SEAT_COLUMNS " FROM seat s" SEAT_LIVE_HOLD
	    " WHERE s.performance_id = :perf ORDER BY s.id");
	struct sql_stmt *st = sql_prepare(db, &q);
	const char *section = "", *row = "";
	size_t cap = 0;
	int rc;

	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct seat *s = arena_push(a, (void **)seats, n, &cap, sizeof *s);
		const char *sec = sql_text(st, SEAT_SECTION);
		const char *r = sql_text(st, SEAT_ROW);
		int new_section = strcmp(sec, section) != 0;

		/* Seats of one row share their strings. */
		if (new_section)
			section = arena_strdup(a, sec);
		if (new_section || strcmp(r, row) != 0)
			row = arena_strdup(a, r);
		s->id = sql_int(st, SEAT_ID);
		s->section = section;
		s->row = row;
		s->number = sql_int(st, SEAT_NUMBER);
		s->price = sql_int(st, SEAT_PRICE);
		s->taken = (int)sql_int(st, SEAT_TAKEN);
	}
	sql_reset(st);
	return db_status(db, rc, "catalog_performance: seats");
}

enum bo_status
catalog_performance(struct db *db, struct arena *a, int64_t id, int64_t now,
    struct concert *c, struct performance *p, struct seat **seats, size_t *n)
{
	/* The performance with what a cached seat map keys on: the counter
	 * the hold triggers move, and when the next unpaid hold lapses by
	 * itself (0: none). */
	enum { GET_VERSION = PERF__COLS, GET_NEXT_LAPSE, GET__COLS };
	static struct sql q = SQL(GET__COLS,
	    "SELECT " PERFORMANCE_COLUMNS("p") ", p.seats_version,"
	    " (SELECT coalesce(min(h.expires_at), 0) FROM hold h"
	    " WHERE h.performance_id = p.id AND " UNPAID_HOLD("h") ")"
	    " FROM performance p WHERE p.id = :perf");
	struct sql_stmt *st;
	enum bo_status s;
	int rc;

	if (seats != NULL) {
		*seats = NULL;
		*n = 0;
	}
	/* The seats must be of the same moment as the version they are
	 * cached under: one read transaction. Without them (every gated
	 * page) two autocommit reads do: a concert row outlives its
	 * performances (foreign key), and a title edited in between is
	 * harmless. */
	if (seats != NULL && (s = db_begin_read(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":perf", id);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		read_performance(st, p);
		p->seats_version = sql_int(st, GET_VERSION);
		p->next_lapse = sql_int(st, GET_NEXT_LAPSE);
	}
	sql_reset(st);
	s = rc == SQLITE_DONE ? BO_NOT_FOUND :
	    db_status(db, rc, "catalog_performance");
	if (s == BO_OK)
		s = read_concert(db, a, p->concert_id, c);
	if (seats == NULL)
		return s;
	if (s == BO_OK)
		s = read_seats(db, a, id, now, seats, n);
	return sql_end(db, s);
}

enum bo_status
catalog_seat(struct db *db, struct arena *a, int64_t perf, int64_t seat,
    int64_t now, struct seat *out)
{
	static struct sql q = SQL(SEAT__COLS,
	    "SELECT " SEAT_COLUMNS " FROM seat s" SEAT_LIVE_HOLD
	    " WHERE s.id = :seat AND s.performance_id = :perf");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_int(st, ":seat", seat);
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		out->id = sql_int(st, SEAT_ID);
		out->section = arena_strdup(a, sql_text(st, SEAT_SECTION));
		out->row = arena_strdup(a, sql_text(st, SEAT_ROW));
		out->number = sql_int(st, SEAT_NUMBER);
		out->price = sql_int(st, SEAT_PRICE);
		out->taken = (int)sql_int(st, SEAT_TAKEN);
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "catalog_seat");
}

enum bo_status
catalog_add_concert(struct db *db, const char *title, const char *artist,
    const char *venue, const char *description, int64_t *id)
{
	enum { NEW_ID, NEW__COLS };
	static struct sql q = SQL(NEW__COLS,
	    "INSERT INTO concert(title, artist, venue, description)"
	    " VALUES (:title, :artist, :venue, :description) RETURNING id");
	struct sql_stmt *st;
	enum bo_status s;

	*id = 0;
	/* The last line behind boxoffice-admin's own check: every reader
	 * (pages, jansson) relies on stored text being UTF-8. */
	if (!utf8_valid_str(title) || !utf8_valid_str(artist) ||
	    !utf8_valid_str(venue) || !utf8_valid_str(description))
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_text(st, ":title", title);
	sql_bind_text(st, ":artist", artist);
	sql_bind_text(st, ":venue", venue);
	sql_bind_text(st, ":description", description);
	s = sql_one_int(db, st, id);
	/* A CHECK on the text (its length) refused it. */
	return sql_end(db, s == BO_CONFLICT ? BO_INVALID : s);
}

/* Inside the transaction: the seats of block b for performance perf. */
static enum bo_status
insert_block(struct db *db, int64_t perf, const struct seat_block *b)
{
	static struct sql q = SQL(0,
	    "INSERT INTO seat(performance_id, section, row_label, number, price)"
	    " VALUES (:perf, :section, :row, :number, :price)");
	struct sql_stmt *st = sql_prepare(db, &q);
	enum bo_status s = BO_OK;

	for (char r = b->first_row; r <= b->last_row && s == BO_OK; r++) {
		char row[2] = { r, '\0' };

		for (int i = 1; i <= b->per_row && s == BO_OK; i++) {
			sql_bind_int(st, ":perf", perf);
			sql_bind_text(st, ":section", b->section);
			sql_bind_text(st, ":row", row);
			sql_bind_int(st, ":number", i);
			sql_bind_int(st, ":price", b->price);
			s = sql_run(db, st, NULL);
		}
	}
	return s;
}

enum bo_status
catalog_add_performance(struct db *db, int64_t concert_id, int64_t starts_at,
    int64_t sale_opens_at, int64_t sale_closes_at,
    const struct seat_block *blocks, size_t nblocks, int64_t *id)
{
	enum { NEW_ID, NEW__COLS };
	static struct sql insert_q = SQL(NEW__COLS,
	    "INSERT INTO performance(concert_id, starts_at, sale_opens_at,"
	    " sale_closes_at) VALUES (:concert, :starts, :opens, :closes)"
	    " RETURNING id");
	/* Seats never change once added: the counts and prices the lists
	 * show are kept on the performance instead of counted per page. */
	static struct sql refresh_q = SQL(0,
	    "UPDATE performance SET"
	    " seat_count = (SELECT count(*) FROM seat WHERE performance_id = :perf),"
	    " min_price = (SELECT coalesce(min(price), 0) FROM seat"
	    " WHERE performance_id = :perf),"
	    " max_price = (SELECT coalesce(max(price), 0) FROM seat"
	    " WHERE performance_id = :perf)"
	    " WHERE id = :perf");
	struct sql_stmt *st;
	enum bo_status s;

	*id = 0;
	for (size_t i = 0; i < nblocks; i++)
		if (!utf8_valid_str(blocks[i].section))
			return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &insert_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":starts", starts_at);
	sql_bind_int(st, ":opens", sale_opens_at);
	sql_bind_int(st, ":closes", sale_closes_at);
	s = sql_one_int(db, st, id);
	for (size_t i = 0; i < nblocks && s == BO_OK; i++)
		s = insert_block(db, *id, &blocks[i]);
	if (s == BO_OK) {
		st = sql_prepare(db, &refresh_q);
		sql_bind_int(st, ":perf", *id);
		s = sql_run(db, st, NULL);
	}
	/* A CHECK (the sale window, a section's length, a price) or the
	 * unknown concert refused it. */
	return sql_end(db, s == BO_CONFLICT ? BO_INVALID : s);
}
