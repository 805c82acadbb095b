/*
 * report.h — what the operator reads about a sale: every concert, a
 * concert's performances, one performance's sales by section, a concert's
 * waiting line, one buyer; and the sales report as CSV.
 *
 * The same reads serve boxoffice-admin (concerts, performances, sales,
 * queue, buyer, report) and the operator's web pages (/admin/). Each runs
 * in one read transaction, so its figures agree with each other (the
 * buyer's balance and ledger are wallet.c's own read, a second one). "Sold" is a
 * PAID hold, "held" a live unpaid one (live.h's UNPAID_HOLD), "free" the
 * rest; gross is the sum of the sold seats' prices. Times are Unix
 * seconds; the caller shows them in the venue's zone (when.h).
 *
 * Lists and text are allocated from the caller's arena and live as long
 * as it.
 */
#ifndef BOXOFFICE_REPORT_H
#define BOXOFFICE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "csv.h"
#include "db.h"
#include "setting.h"
#include "wallet.h"

/* Seats of a performance or of one of its sections, as of now. */
struct report_seats {
	int64_t seats, sold, held, free;
	int64_t gross;              /* sum of the sold seats' prices */
};

/* One concert, past performances included. */
struct report_concert {
	int64_t id;
	const char *title, *artist, *venue;
	int64_t performances;
	int64_t first_starts_at, last_starts_at; /* 0 without performances */
	int64_t seats, sold;
};

/* One performance with its seats' state as of now. */
struct report_performance {
	int64_t id, concert_id;
	const char *concert_title;
	int64_t starts_at, sale_opens_at, sale_closes_at;
	struct report_seats seats;
	int64_t checked_in;         /* tickets let in at the door (not refunded) */
	int64_t refunded;           /* tickets refunded or cancelled */
	int64_t cancelled_at;       /* 0: not cancelled (refund.h) */
};

struct report_section {
	const char *name;
	int64_t min_price, max_price;
	struct report_seats seats;
};

/* A concert's waiting line as of now (live.h's WAITING_TICKET: in line,
 * not yet called, however long away; and ACTIVE_TICKET). */
struct report_queue {
	int64_t concert_id;
	const char *concert_title;
	int64_t waiting, active;     /* in line not yet called; shopping */
	int64_t called;             /* called, not yet come in: a slot each */
	int64_t serving;            /* the line's serving number (issue 12) */
	int64_t admitted_last_minute;
	int64_t admitted_window;    /* came in, the last QUEUE_RATE_WINDOW seconds */
	int64_t window_seconds;     /* QUEUE_RATE_WINDOW */
	int64_t longest_waiting;    /* seconds the first in line has waited
	                             * (0: nobody waiting) */
	int64_t longest_wait_admitted; /* the longest wait of those admitted
	                             * in the window (0: none admitted) */
};

/* A seat of a buyer: a ticket (PAID) or a live hold (until expires_at). */
struct report_seat {
	int64_t hold_id, performance_id;
	const char *concert_title, *section, *row;
	int64_t number, price, starts_at;
	const char *code;           /* the ticket's code, canonical ("" for a
	                             * hold) */
	int64_t refunded_at;        /* 0: not refunded */
	int64_t used_at;            /* let in at the door (0: not yet) */
	const char *door;           /* … at this door ("" when not) */
	int64_t at;                 /* paid at (ticket), expires at (hold),
	                             * refunded at (refunded ticket) */
};

struct report_buyer {
	int64_t user_id;
	const char *email;
	int64_t created_at;
	struct report_seat *tickets, *holds, *refunded;
	size_t ntickets, nholds, nrefunded;
	int64_t balance;
	struct ledger_row *ledger;  /* newest first */
	size_t nledger;
};

/* Where p's sale stands at now, in words for the operator: "on sale",
 * "not yet on sale", "sale closed", "over" (the performance started) or
 * "cancelled" (boxoffice-admin cancel-performance); static storage. */
const char *report_sale_state(const struct report_performance *p,
    int64_t now);

/* Every concert, by id, with its performances' seats and sold seats. */
enum bo_status report_concerts(struct db *db, struct arena *a,
    struct report_concert **out, size_t *n);

/* The performances of concert (past ones too), by start: BO_NOT_FOUND
 * when there is no such concert. */
enum bo_status report_performances(struct db *db, struct arena *a,
    int64_t concert, int64_t now, struct report_performance **out,
    size_t *n);

/* One performance's sales, in total (*total) and by section (in the order
 * the sections were added): BO_NOT_FOUND when there is no such
 * performance. */
enum bo_status report_sales(struct db *db, struct arena *a, int64_t perf,
    int64_t now, struct report_performance *total,
    struct report_section **sections, size_t *n);

/* A concert's waiting line: BO_NOT_FOUND when there is no such concert. */
enum bo_status report_queue(struct db *db, struct arena *a, int64_t concert,
    int64_t now, struct report_queue *out);

/* The buyer with this e-mail (compared as sign-up stores it, in lower
 * case): tickets (with their admission), refunded tickets, live holds,
 * balance and ledger. BO_NOT_FOUND when
 * nobody has it. */
enum bo_status report_buyer(struct db *db, struct arena *a, const char *email,
    int64_t now, struct report_buyer *out);

/* Seats of a performance sold in one stretch of time (still PAID now). */
struct report_bucket {
	int64_t start;              /* Unix seconds, a multiple of the width */
	int64_t sold;
};

/* A performance's sold seats by the time they were paid, in buckets of
 * width seconds (> 0), oldest first, empty buckets left out: what the
 * sales chart draws. */
enum bo_status report_sales_timeline(struct db *db, struct arena *a,
    int64_t perf, int64_t width, struct report_bucket **out, size_t *n);

/*
 * The sales report of a performance as CSV (csv.h: RFC 4180, a UTF-8 byte
 * order mark, formulas neutralised): a header row, then one row per ledger
 * entry about one of its seats, oldest first:
 *
 *   entry, time, unix_time, kind, buyer, section, row, seat, price,
 *   revenue, seat_state, ticket
 *
 * time is the venue's time (set->timezone) as text, unix_time the same
 * as a number; price and revenue are numbers in the currency's major
 * unit (12.50 for 1250 cents); revenue is the box office's side of the
 * entry (a payment of 12.50 is 12.50; an entry that gives money back is
 * negative); seat_state is the hold's state now (PAID, …); ticket the
 * seat's ticket code as people read it (grouped), if it has one. Appends to
 * *out (the caller owns it: csv_free). BO_NOT_FOUND when there is no
 * such performance (nothing appended).
 */
enum bo_status report_sales_csv(struct db *db, int64_t perf,
    const struct settings *set, struct csv *out);

#endif
