/*
 * catalog.c — reading and adding to the catalogue (see catalog.h).
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

enum sale_state
performance_sale_state(const struct performance *p, int64_t now)
{
	if (now < p->sale_opens_at)
		return SALE_NOT_YET;
	if (now >= p->sale_closes_at || now >= p->starts_at)
		return SALE_CLOSED;
	return SALE_OPEN;
}

static const char *
col_dup(struct arena *a, sqlite3_stmt *st, int col)
{
	return arena_strndup(a, db_col_text(st, col),
	    (size_t)sqlite3_column_bytes(st, col));
}

enum bo_status
catalog_concerts(struct db *db, struct arena *a, int64_t now,
    struct concert_summary **out, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CONCERT_LIST);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	db_bind_int(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct concert_summary *c = arena_push(a, (void **)out, n, &cap, sizeof *c);

		c->id = sqlite3_column_int64(st, 0);
		c->title = col_dup(a, st, 1);
		c->artist = col_dup(a, st, 2);
		c->venue = col_dup(a, st, 3);
		c->first_starts_at = sqlite3_column_int64(st, 4);
		c->lowest_price = sqlite3_column_int64(st, 5);
		c->seats_left = sqlite3_column_int64(st, 6);
		c->performances = sqlite3_column_int64(st, 7);
	}
	db_reset(st);
	return db_status(db, rc, "catalog_concerts");
}

static void
read_performance(sqlite3_stmt *st, struct performance *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->concert_id = sqlite3_column_int64(st, 1);
	p->starts_at = sqlite3_column_int64(st, 2);
	p->sale_opens_at = sqlite3_column_int64(st, 3);
	p->sale_closes_at = sqlite3_column_int64(st, 4);
	p->seat_count = sqlite3_column_int64(st, 5);
	p->min_price = sqlite3_column_int64(st, 6);
	p->max_price = sqlite3_column_int64(st, 7);
	p->seats_left = sqlite3_column_int64(st, 8);
}

static int
read_concert(struct db *db, struct arena *a, int64_t id, struct concert *c)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CONCERT_GET);
	int rc;

	db_bind_int(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->id = sqlite3_column_int64(st, 0);
		c->title = col_dup(a, st, 1);
		c->artist = col_dup(a, st, 2);
		c->venue = col_dup(a, st, 3);
		c->description = col_dup(a, st, 4);
	}
	db_reset(st);
	return rc;
}

enum bo_status
catalog_concert(struct db *db, struct arena *a, int64_t id, int64_t now,
    struct concert *c, struct performance **perfs, size_t *n)
{
	sqlite3_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*perfs = NULL;
	*n = 0;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	rc = read_concert(db, a, id, c);
	if (rc == SQLITE_ROW) {
		st = db_stmt(db, STMT_PERFORMANCE_LIST);
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, now);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			read_performance(st, arena_push(a, (void **)perfs, n, &cap,
			    sizeof **perfs));
		db_reset(st);
	} else if (rc == SQLITE_DONE) {
		db_rollback(db);
		return BO_NOT_FOUND;
	}
	if ((s = db_status(db, rc, "catalog_concert")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

static int
read_seats(struct db *db, struct arena *a, int64_t perf, int64_t now,
    struct seat **seats, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SEAT_MAP);
	const char *section = "", *row = "";
	size_t cap = 0;
	int rc;

	db_bind_int(st, 1, perf);
	db_bind_int(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct seat *s = arena_push(a, (void **)seats, n, &cap, sizeof *s);
		const char *sec = db_col_text(st, 1), *r = db_col_text(st, 2);

		int new_section = strcmp(sec, section) != 0;

		/* Seats of one row share their strings. */
		if (new_section)
			section = arena_strdup(a, sec);
		if (new_section || strcmp(r, row) != 0)
			row = arena_strdup(a, r);
		s->id = sqlite3_column_int64(st, 0);
		s->section = section;
		s->row = row;
		s->number = sqlite3_column_int64(st, 3);
		s->price = sqlite3_column_int64(st, 4);
		s->taken = sqlite3_column_int(st, 5);
	}
	db_reset(st);
	return rc;
}

enum bo_status
catalog_performance(struct db *db, struct arena *a, int64_t id, int64_t now,
    struct concert *c, struct performance *p, struct seat **seats, size_t *n)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if (seats != NULL) {
		*seats = NULL;
		*n = 0;
	}
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_PERFORMANCE_GET);
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_performance(st, p);
		p->seats_version = sqlite3_column_int64(st, 9);
		p->next_lapse = sqlite3_column_int64(st, 10);
	}
	db_reset(st);
	if (rc == SQLITE_DONE) {
		db_rollback(db);
		return BO_NOT_FOUND;
	}
	if (rc == SQLITE_ROW)
		rc = read_concert(db, a, p->concert_id, c);
	if (rc == SQLITE_ROW && seats != NULL)
		rc = read_seats(db, a, id, now, seats, n);
	if ((s = db_status(db, rc, "catalog_performance")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
catalog_seat(struct db *db, struct arena *a, int64_t perf, int64_t seat,
    int64_t now, struct seat *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SEAT_GET);
	int rc;

	db_bind_int(st, 1, seat);
	db_bind_int(st, 2, perf);
	db_bind_int(st, 3, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->section = col_dup(a, st, 1);
		out->row = col_dup(a, st, 2);
		out->number = sqlite3_column_int64(st, 3);
		out->price = sqlite3_column_int64(st, 4);
		out->taken = sqlite3_column_int(st, 5);
	}
	db_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "catalog_seat");
}

enum bo_status
catalog_add_concert(struct db *db, const char *title, const char *artist,
    const char *venue, const char *description, int64_t *id)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	/* The last line behind boxoffice-admin's own check: every reader
	 * (pages, jansson) relies on stored text being UTF-8. */
	if (!utf8_valid_str(title) || !utf8_valid_str(artist) ||
	    !utf8_valid_str(venue) || !utf8_valid_str(description))
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_CONCERT_INSERT);
	db_bind_text(st, 1, title);
	db_bind_text(st, 2, artist);
	db_bind_text(st, 3, venue);
	db_bind_text(st, 4, description);
	rc = sqlite3_step(st);
	db_reset(st);
	*id = sqlite3_last_insert_rowid(db->handle);
	if ((s = db_status(db, rc, "catalog_add_concert")) != BO_OK) {
		db_rollback(db);
		return s == BO_CONFLICT ? BO_INVALID : s;
	}
	return db_commit(db);
}

static int
insert_block(struct db *db, int64_t perf, const struct seat_block *b)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SEAT_INSERT);
	int rc = SQLITE_DONE;

	for (char r = b->first_row; r <= b->last_row && rc == SQLITE_DONE; r++) {
		char row[2] = { r, '\0' };

		for (int i = 1; i <= b->per_row && rc == SQLITE_DONE; i++) {
			db_bind_int(st, 1, perf);
			db_bind_text(st, 2, b->section);
			db_bind_text(st, 3, row);
			db_bind_int(st, 4, i);
			db_bind_int(st, 5, b->price);
			rc = sqlite3_step(st);
			db_reset(st);
		}
	}
	return rc;
}

enum bo_status
catalog_add_performance(struct db *db, int64_t concert_id, int64_t starts_at,
    int64_t sale_opens_at, int64_t sale_closes_at,
    const struct seat_block *blocks, size_t nblocks, int64_t *id)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	for (size_t i = 0; i < nblocks; i++)
		if (!utf8_valid_str(blocks[i].section))
			return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_PERFORMANCE_INSERT);
	db_bind_int(st, 1, concert_id);
	db_bind_int(st, 2, starts_at);
	db_bind_int(st, 3, sale_opens_at);
	db_bind_int(st, 4, sale_closes_at);
	rc = sqlite3_step(st);
	db_reset(st);
	*id = sqlite3_last_insert_rowid(db->handle);
	for (size_t i = 0; i < nblocks && rc == SQLITE_DONE; i++)
		rc = insert_block(db, *id, &blocks[i]);
	if (rc == SQLITE_DONE) {
		st = db_stmt(db, STMT_PERFORMANCE_REFRESH);
		db_bind_int(st, 1, *id);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	if ((s = db_status(db, rc, "catalog_add_performance")) != BO_OK) {
		db_rollback(db);
		return s == BO_CONFLICT ? BO_INVALID : s;
	}
	return db_commit(db);
}
