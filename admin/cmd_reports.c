/*
 * cmd_reports.c — boxoffice-admin's commands that read a sale: concerts,
 * performances, sales and queue (tables for people, --tab for scripts).
 * Every figure comes from core/report.h, the same reads as the operator's
 * web pages; the tables' columns are data (table_rows), printed in the
 * venue's zone and currency (admin/reading.c). The buyer and the CSV
 * report have files of their own (cmd_buyer.c, cmd_csv.c).
 */
#include <stdio.h>

#include "admin.h"
#include "report.h"

/* The seats of a report_seats member named seats of type: what the
 * performances and the sales tables both show. */
#define SEATS_COLUMNS(type)                                                   \
	COLUMN("seats", 'r', INT, type, seats.seats),                         \
	COLUMN("sold", 'r', INT, type, seats.sold),                           \
	COLUMN("held", 'r', INT, type, seats.held),                           \
	COLUMN("free", 'r', INT, type, seats.free),                           \
	COLUMN("gross", 'r', MONEY, type, seats.gross)

static const struct column concert_cols[] = {
	COLUMN("id", 'l', INT, struct report_concert, id),
	COLUMN("title", 'l', TEXT, struct report_concert, title),
	COLUMN("artist", 'l', TEXT, struct report_concert, artist),
	COLUMN("venue", 'l', TEXT, struct report_concert, venue),
	COLUMN("dates", 'l', INT, struct report_concert, performances),
	COLUMN("first", 'l', WHEN, struct report_concert, first_starts_at),
	COLUMN("last", 'l', WHEN, struct report_concert, last_starts_at),
	COLUMN("seats", 'r', INT, struct report_concert, seats),
	COLUMN("sold", 'r', INT, struct report_concert, sold),
};

static int
cmd_concerts(struct db *db, int argc, char **argv)
{
	struct report_concert *list;
	struct reading r;
	size_t n;
	int rc;

	(void)argc, (void)argv;
	if (reading_open(db, &r, "concerts") != 0)
		return 1;
	if ((rc = reading_failed(&r, report_concerts(db, &r.a, &list, &n),
	    "concerts", NULL)) != 0)
		return rc;
	if (n == 0 && !admin_tab_output())
		printf("no concerts yet (add one with add-concert)\n");
	else
		table_rows(&r, concert_cols, sizeof concert_cols /
		    sizeof concert_cols[0], list, n, sizeof *list, 0);
	arena_free(&r.a);
	return 0;
}

static const char *
sale_state(struct reading *r, const void *row)
{
	return report_sale_state(row, r->now);
}

static const struct column performance_cols[] = {
	COLUMN("id", 'l', INT, struct report_performance, id),
	COLUMN("starts", 'l', WHEN, struct report_performance, starts_at),
	COLUMN("sale opens", 'l', WHEN, struct report_performance,
	    sale_opens_at),
	COLUMN("sale closes", 'l', WHEN, struct report_performance,
	    sale_closes_at),
	COLUMN_TEXT_OF("state", 'l', sale_state),
	SEATS_COLUMNS(struct report_performance),
	COLUMN("checked_in", 'r', INT, struct report_performance, checked_in),
	COLUMN("refunded", 'r', INT, struct report_performance, refunded),
};

static int
cmd_performances(struct db *db, int argc, char **argv)
{
	struct report_performance *list;
	struct reading r;
	int64_t concert;
	size_t n;
	int rc;

	(void)argc;
	if (!reading_id("CONCERT", argv[1], &concert))
		return 2;
	if (reading_open(db, &r, "performances") != 0)
		return 1;
	if ((rc = reading_failed(&r, report_performances(db, &r.a, concert,
	    r.now, &list, &n), "performances", arena_printf(&r.a, "there is "
	    "no concert %lld ('concerts' lists them)", (long long)concert))) != 0)
		return rc;
	if (!admin_tab_output())
		printf("concert %lld, %s; times in %s\n", (long long)concert,
		    n > 0 ? list[0].concert_title : "no performances yet",
		    r.set.timezone);
	table_rows(&r, performance_cols, sizeof performance_cols /
	    sizeof performance_cols[0], list, n, sizeof *list, 0);
	arena_free(&r.a);
	return 0;
}

/* A section's price, or its range; none for the total row (price -1). */
static const char *
section_price(struct reading *r, const void *row)
{
	const struct report_section *s = row;

	if (s->min_price < 0)
		return NULL;
	if (s->min_price == s->max_price)
		return reading_money(r, s->min_price);
	return arena_printf(&r->a, "%s-%s", reading_money(r, s->min_price),
	    reading_money(r, s->max_price));
}

static const struct column section_cols[] = {
	COLUMN("section", 'l', TEXT, struct report_section, name),
	COLUMN_TEXT_OF("price", 'r', section_price),
	SEATS_COLUMNS(struct report_section),
};

static int
cmd_sales(struct db *db, int argc, char **argv)
{
	struct report_performance p;
	struct report_section *secs, *rows;
	struct reading r;
	int64_t perf;
	size_t n;
	int rc;

	(void)argc;
	if (!reading_id("PERFORMANCE", argv[1], &perf))
		return 2;
	if (reading_open(db, &r, "sales") != 0)
		return 1;
	if ((rc = reading_failed(&r, report_sales(db, &r.a, perf, r.now, &p,
	    &secs, &n), "sales", arena_printf(&r.a, "there is no performance "
	    "%lld ('performances CONCERT' lists them)", (long long)perf))) != 0)
		return rc;
	if (!admin_tab_output())
		printf("performance %lld of concert %lld, %s\n"
		    "  starts       %s\n  sale opens   %s\n  sale closes  %s\n"
		    "  now          %s (%s)\n"
		    "  checked in   %lld of %lld sold; %lld refunded\n\n",
		    (long long)p.id, (long long)p.concert_id, p.concert_title,
		    reading_when(&r, p.starts_at),
		    reading_when(&r, p.sale_opens_at),
		    reading_when(&r, p.sale_closes_at), reading_when(&r, r.now),
		    report_sale_state(&p, r.now), (long long)p.checked_in,
		    (long long)p.seats.sold, (long long)p.refunded);
	/* For people, a total row under the sections. */
	rows = arena_alloc(&r.a, (n + 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = secs[i];
	rows[n] = (struct report_section){ .name = "total", .min_price = -1,
	    .max_price = -1, .seats = p.seats };
	table_rows(&r, section_cols, sizeof section_cols /
	    sizeof section_cols[0], rows, admin_tab_output() ? n : n + 1,
	    sizeof *rows, 0);
	arena_free(&r.a);
	return 0;
}

/* Buyers who came in per minute, over the report's window. */
static const char *
queue_rate(struct reading *r, const void *row)
{
	const struct report_queue *q = row;

	return arena_printf(&r->a, "%.1f", (double)q->admitted_window * 60.0 /
	    (double)q->window_seconds);
}

static const struct column queue_cols[] = {
	COLUMN("waiting", 'r', INT, struct report_queue, waiting),
	COLUMN("active", 'r', INT, struct report_queue, active),
	COLUMN("admitted_last_minute", 'r', INT, struct report_queue,
	    admitted_last_minute),
	COLUMN_TEXT_OF("admitted_per_minute", 'r', queue_rate),
	COLUMN("longest_waiting", 'r', INT, struct report_queue,
	    longest_waiting),
	COLUMN("longest_wait_admitted", 'r', INT, struct report_queue,
	    longest_wait_admitted),
	COLUMN("called", 'r', INT, struct report_queue, called),
	COLUMN("serving", 'r', INT, struct report_queue, serving),
};

static int
cmd_queue(struct db *db, int argc, char **argv)
{
	struct report_queue q;
	struct reading r;
	int64_t concert;
	int rc;

	(void)argc;
	if (!reading_id("CONCERT", argv[1], &concert))
		return 2;
	if (reading_open(db, &r, "queue") != 0)
		return 1;
	if ((rc = reading_failed(&r, report_queue(db, &r.a, concert, r.now, &q),
	    "queue", arena_printf(&r.a, "there is no concert %lld ('concerts' "
	    "lists them)", (long long)concert))) != 0)
		return rc;
	if (admin_tab_output())
		table_rows(&r, queue_cols, sizeof queue_cols /
		    sizeof queue_cols[0], &q, 1, sizeof q, 0);
	else
		printf("the waiting line of concert %lld, %s, at %s\n"
		    "  waiting                 %lld\n"
		    "  active (shopping)       %lld of %lld\n"
		    "  called, not yet in      %lld (holding a slot each)\n"
		    "  serving number          %lld\n"
		    "  admitted, last minute   %lld\n"
		    "  admitted per minute     %s (the last %lld minutes)\n"
		    "  longest waiting now     %s\n"
		    "  longest wait admitted   %s (the last %lld minutes)\n",
		    (long long)concert, q.concert_title, reading_when(&r, r.now),
		    (long long)q.waiting, (long long)q.active,
		    (long long)r.set.queue_capacity, (long long)q.called,
		    (long long)q.serving,
		    (long long)q.admitted_last_minute, queue_rate(&r, &q),
		    (long long)(q.window_seconds / 60),
		    q.waiting > 0 ? reading_duration(&r, q.longest_waiting) :
		    "nobody waiting",
		    q.admitted_window > 0 ? reading_duration(&r,
		    q.longest_wait_admitted) : "nobody admitted",
		    (long long)(q.window_seconds / 60));
	arena_free(&r.a);
	return 0;
}

#define SALES_MORE \
	"\nSold seats are paid; held ones are held by a buyer and not yet paid\n" \
	"(a hold that lapsed counts as free at once); free is the rest. Gross\n" \
	"is the sum of the sold seats' prices. Times are in the venue's zone.\n"

#define QUEUE_MORE \
	"\nwaiting: buyers in line not yet called (kept however long they are\n" \
	"away); active: buyers who came in and are shopping now; called: buyers\n" \
	"called who have claim_seconds to come in (active and called together\n" \
	"are at most queue_capacity); serving number: every place at or below\n" \
	"it has been called; admitted per minute: buyers who came in, over the\n" \
	"last 5 minutes; longest waiting now: how long the first in line has\n" \
	"waited; longest wait admitted: the longest wait of those who came in\n" \
	"in the last 5 minutes.\n"

const struct command reports_commands[] = {
	{ "concerts", "", "list every concert with its dates, seats and sold "
	  "seats", 0, 0, cmd_concerts, NULL, CMD_DB_LATEST },
	{ "performances", "CONCERT", "list a concert's performances, past ones "
	  "too, with their sale window, seats sold, held and free, gross, "
	  "check-ins and refunds", 1, 1,
	  cmd_performances, NULL, CMD_DB_LATEST },
	{ "sales", "PERFORMANCE", "a performance's seats sold, held and free "
	  "and its gross, by section", 1, 1, cmd_sales, SALES_MORE,
	  CMD_DB_LATEST },
	{ "queue", "CONCERT", "a concert's waiting line: waiting, active, "
	  "admitted per minute, longest wait", 1, 1, cmd_queue, QUEUE_MORE,
	  CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
