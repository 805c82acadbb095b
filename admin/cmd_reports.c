/*
 * cmd_reports.c — boxoffice-admin's commands that read a sale: concerts,
 * performances, sales, queue, buyer (tables for people, --tab for
 * scripts) and report (the CSV). Every figure comes from core/report.h,
 * the same reads as the operator's web pages; every time is printed in
 * the venue's zone and every amount in the currency, as buyers see them.
 */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "arena.h"
#include "csv.h"
#include "currency.h"
#include "log.h"
#include "parse.h"
#include "report.h"
#include "setting.h"
#include "ticket_code.h"
#include "when.h"

/* What a command needs to print: the settings, an arena, now. */
struct ctx {
	struct settings set;
	struct arena a;
	int64_t now;
};

static int
ctx_open(struct db *db, struct ctx *c, const char *what)
{
	enum bo_status s;

	c->a = (struct arena)ARENA_INIT;
	c->now = time(NULL);
	if ((s = settings_load(db, &c->set)) != BO_OK)
		return fail(s, what);
	return 0;
}

/* A time in the venue's zone, owned by c's arena ("-" for 0: none). */
static const char *
when(struct ctx *c, int64_t t)
{
	char buf[WHEN_TEXT_MAX];

	if (t == 0)
		return "-";
	return arena_strdup(&c->a, when_format(t, c->set.timezone, buf,
	    sizeof buf));
}

/* An amount in the currency, owned by c's arena; for scripts (--tab) the
 * whole number of the minor unit, as the database and the API keep it. */
static const char *
money(struct ctx *c, int64_t amount)
{
	char buf[CURRENCY_TEXT_MAX];

	if (admin_tab_output())
		return arena_printf(&c->a, "%lld", (long long)amount);
	return arena_strdup(&c->a, currency_format(buf, c->set.currency,
	    amount));
}

/* A duration as people say it: 45s, 12m 05s, 3h 20m. */
static const char *
duration(struct ctx *c, int64_t s)
{
	if (s < 60)
		return arena_printf(&c->a, "%llds", (long long)s);
	if (s < 3600)
		return arena_printf(&c->a, "%lldm %02llds", (long long)(s / 60),
		    (long long)(s % 60));
	return arena_printf(&c->a, "%lldh %02lldm", (long long)(s / 3600),
	    (long long)(s % 3600 / 60));
}

/* Reads the id argument named what (CONCERT, PERFORMANCE); says why not. */
static int
id_arg(const char *what, const char *text, int64_t *id)
{
	if (parse_int64(text, 1, INT64_MAX, id))
		return 1;
	log_say("%s is an id, a whole number from 1 ('%s' is not)", what, text);
	return 0;
}

static int
cmd_concerts(struct db *db, int argc, char **argv)
{
	static const char *const head[] = { "id", "title", "artist", "venue",
	    "dates", "first", "last", "seats", "sold" };
	struct report_concert *list;
	struct table *t;
	struct ctx c;
	enum bo_status s;
	size_t n;

	(void)argc, (void)argv;
	if (ctx_open(db, &c, "concerts") != 0)
		return 1;
	if ((s = report_concerts(db, &c.a, &list, &n)) != BO_OK) {
		arena_free(&c.a);
		return fail(s, "concerts");
	}
	if (n == 0 && !admin_tab_output()) {
		printf("no concerts yet (add one with add-concert)\n");
		arena_free(&c.a);
		return 0;
	}
	t = table_new("lllllllrr", head);
	for (size_t i = 0; i < n; i++) {
		table_cell(t, "%lld", (long long)list[i].id);
		table_cell(t, "%s", list[i].title);
		table_cell(t, "%s", list[i].artist);
		table_cell(t, "%s", list[i].venue);
		table_cell(t, "%lld", (long long)list[i].performances);
		table_cell(t, "%s", when(&c, list[i].first_starts_at));
		table_cell(t, "%s", when(&c, list[i].last_starts_at));
		table_cell(t, "%lld", (long long)list[i].seats);
		table_cell(t, "%lld", (long long)list[i].sold);
	}
	table_print(t, 0);
	arena_free(&c.a);
	return 0;
}

static int
cmd_performances(struct db *db, int argc, char **argv)
{
	static const char *const head[] = { "id", "starts", "sale opens",
	    "sale closes", "state", "seats", "sold", "held", "free", "gross",
	    "checked_in", "refunded" };
	struct report_performance *list;
	struct table *t;
	struct ctx c;
	enum bo_status s;
	int64_t concert;
	size_t n;

	(void)argc;
	if (!id_arg("CONCERT", argv[1], &concert))
		return 2;
	if (ctx_open(db, &c, "performances") != 0)
		return 1;
	s = report_performances(db, &c.a, concert, c.now, &list, &n);
	if (s == BO_NOT_FOUND) {
		log_say("there is no concert %lld ('concerts' lists them)",
		    (long long)concert);
		arena_free(&c.a);
		return 1;
	}
	if (s != BO_OK) {
		arena_free(&c.a);
		return fail(s, "performances");
	}
	if (!admin_tab_output())
		printf("concert %lld, %s; times in %s\n", (long long)concert,
		    n > 0 ? list[0].concert_title : "no performances yet",
		    c.set.timezone);
	t = table_new("lllllrrrrrrr", head);
	for (size_t i = 0; i < n; i++) {
		table_cell(t, "%lld", (long long)list[i].id);
		table_cell(t, "%s", when(&c, list[i].starts_at));
		table_cell(t, "%s", when(&c, list[i].sale_opens_at));
		table_cell(t, "%s", when(&c, list[i].sale_closes_at));
		table_cell(t, "%s", report_sale_state(&list[i], c.now));
		table_cell(t, "%lld", (long long)list[i].seats.seats);
		table_cell(t, "%lld", (long long)list[i].seats.sold);
		table_cell(t, "%lld", (long long)list[i].seats.held);
		table_cell(t, "%lld", (long long)list[i].seats.free);
		table_cell(t, "%s", money(&c, list[i].seats.gross));
		table_cell(t, "%lld", (long long)list[i].checked_in);
		table_cell(t, "%lld", (long long)list[i].refunded);
	}
	table_print(t, 0);
	arena_free(&c.a);
	return 0;
}

/* One row of the sales table. */
static void
seats_row(struct ctx *c, struct table *t, const char *name, const char *price,
    const struct report_seats *r)
{
	table_cell(t, "%s", name);
	table_cell(t, "%s", price);
	table_cell(t, "%lld", (long long)r->seats);
	table_cell(t, "%lld", (long long)r->sold);
	table_cell(t, "%lld", (long long)r->held);
	table_cell(t, "%lld", (long long)r->free);
	table_cell(t, "%s", money(c, r->gross));
}

static int
cmd_sales(struct db *db, int argc, char **argv)
{
	static const char *const head[] = { "section", "price", "seats",
	    "sold", "held", "free", "gross" };
	struct report_performance p;
	struct report_section *secs;
	struct table *t;
	struct ctx c;
	enum bo_status s;
	int64_t perf;
	size_t n;

	(void)argc;
	if (!id_arg("PERFORMANCE", argv[1], &perf))
		return 2;
	if (ctx_open(db, &c, "sales") != 0)
		return 1;
	s = report_sales(db, &c.a, perf, c.now, &p, &secs, &n);
	if (s == BO_NOT_FOUND) {
		log_say("there is no performance %lld ('performances CONCERT' "
		    "lists them)", (long long)perf);
		arena_free(&c.a);
		return 1;
	}
	if (s != BO_OK) {
		arena_free(&c.a);
		return fail(s, "sales");
	}
	if (!admin_tab_output())
		printf("performance %lld of concert %lld, %s\n"
		    "  starts       %s\n  sale opens   %s\n  sale closes  %s\n"
		    "  now          %s (%s)\n"
		    "  checked in   %lld of %lld sold; %lld refunded\n\n",
		    (long long)p.id, (long long)p.concert_id, p.concert_title,
		    when(&c, p.starts_at), when(&c, p.sale_opens_at),
		    when(&c, p.sale_closes_at), when(&c, c.now),
		    report_sale_state(&p, c.now), (long long)p.checked_in,
		    (long long)p.seats.sold, (long long)p.refunded);
	t = table_new("lrrrrrr", head);
	for (size_t i = 0; i < n; i++)
		seats_row(&c, t, secs[i].name, secs[i].min_price ==
		    secs[i].max_price ? money(&c, secs[i].min_price) :
		    arena_printf(&c.a, "%s-%s", money(&c, secs[i].min_price),
		    money(&c, secs[i].max_price)), &secs[i].seats);
	if (!admin_tab_output())
		seats_row(&c, t, "total", "", &p.seats);
	table_print(t, 0);
	arena_free(&c.a);
	return 0;
}

static int
cmd_queue(struct db *db, int argc, char **argv)
{
	static const char *const head[] = { "waiting", "active",
	    "admitted_last_minute", "admitted_per_minute", "longest_waiting",
	    "longest_wait_admitted", "called", "serving" };
	struct report_queue q;
	struct ctx c;
	enum bo_status s;
	int64_t concert;
	double rate;

	(void)argc;
	if (!id_arg("CONCERT", argv[1], &concert))
		return 2;
	if (ctx_open(db, &c, "queue") != 0)
		return 1;
	s = report_queue(db, &c.a, concert, c.now, &q);
	if (s == BO_NOT_FOUND) {
		log_say("there is no concert %lld ('concerts' lists them)",
		    (long long)concert);
		arena_free(&c.a);
		return 1;
	}
	if (s != BO_OK) {
		arena_free(&c.a);
		return fail(s, "queue");
	}
	rate = (double)q.admitted_window * 60.0 / (double)q.window_seconds;
	if (admin_tab_output()) {
		struct table *t = table_new("rrrrrrrr", head);

		table_cell(t, "%lld", (long long)q.waiting);
		table_cell(t, "%lld", (long long)q.active);
		table_cell(t, "%lld", (long long)q.admitted_last_minute);
		table_cell(t, "%.1f", rate);
		table_cell(t, "%lld", (long long)q.longest_waiting);
		table_cell(t, "%lld", (long long)q.longest_wait_admitted);
		table_cell(t, "%lld", (long long)q.called);
		table_cell(t, "%lld", (long long)q.serving);
		table_print(t, 0);
	} else {
		printf("the waiting line of concert %lld, %s, at %s\n"
		    "  waiting                 %lld\n"
		    "  active (shopping)       %lld of %lld\n"
		    "  called, not yet in      %lld (holding a slot each)\n"
		    "  serving number          %lld\n"
		    "  admitted, last minute   %lld\n"
		    "  admitted per minute     %.1f (the last %lld minutes)\n"
		    "  longest waiting now     %s\n"
		    "  longest wait admitted   %s (the last %lld minutes)\n",
		    (long long)concert, q.concert_title, when(&c, c.now),
		    (long long)q.waiting, (long long)q.active,
		    (long long)c.set.queue_capacity, (long long)q.called,
		    (long long)q.serving,
		    (long long)q.admitted_last_minute, rate,
		    (long long)(q.window_seconds / 60),
		    q.waiting > 0 ? duration(&c, q.longest_waiting) : "nobody waiting",
		    q.admitted_window > 0 ? duration(&c, q.longest_wait_admitted) :
		    "nobody admitted", (long long)(q.window_seconds / 60));
	}
	arena_free(&c.a);
	return 0;
}

/* The buyer's tickets or holds; at_name heads the last column. */
static void
buyer_seats(struct ctx *c, const char *title, const struct report_seat *r,
    size_t n, const char *at_name)
{
	const char *head[] = { "hold", "performance", "concert", "starts",
	    "seat", "price", at_name, "ticket" };
	struct table *t = table_new("rrlllrll", head);

	if (!admin_tab_output())
		printf("\n%s (%zu)\n", title, n);
	for (size_t i = 0; i < n; i++) {
		table_cell(t, "%lld", (long long)r[i].hold_id);
		table_cell(t, "%lld", (long long)r[i].performance_id);
		table_cell(t, "%s", r[i].concert_title);
		table_cell(t, "%s", when(c, r[i].starts_at));
		table_cell(t, "%s %s-%lld", r[i].section, r[i].row,
		    (long long)r[i].number);
		table_cell(t, "%s", money(c, r[i].price));
		table_cell(t, "%s", when(c, r[i].at));
		if (r[i].code[0] != '\0') {
			char grouped[TICKET_CODE_GROUPED_SIZE];

			ticket_code_group(r[i].code, grouped);
			table_cell(t, "%s", grouped);
		} else {
			table_cell(t, "%s", "");
		}
	}
	table_print(t, 2);
}

static int
cmd_buyer(struct db *db, int argc, char **argv)
{
	static const char *const ledger_head[] = { "entry", "time", "kind",
	    "amount", "balance", "hold" };
	struct report_buyer b;
	struct table *t;
	struct ctx c;
	enum bo_status s;

	(void)argc;
	if (ctx_open(db, &c, "buyer") != 0)
		return 1;
	s = report_buyer(db, &c.a, argv[1], c.now, &b);
	if (s == BO_NOT_FOUND || s == BO_INVALID) {
		log_say("no account has the e-mail address '%s'", argv[1]);
		arena_free(&c.a);
		return 1;
	}
	if (s != BO_OK) {
		arena_free(&c.a);
		return fail(s, "buyer");
	}
	if (admin_tab_output()) {
		/* For scripts: the tickets alone, one per line. */
		buyer_seats(&c, "tickets", b.tickets, b.ntickets, "paid");
		arena_free(&c.a);
		return 0;
	}
	printf("buyer %lld, %s, signed up %s; times in %s\n"
	    "  balance %s\n", (long long)b.user_id, b.email,
	    when(&c, b.created_at), c.set.timezone, money(&c, b.balance));
	buyer_seats(&c, "tickets", b.tickets, b.ntickets, "paid");
	buyer_seats(&c, "holds, unpaid", b.holds, b.nholds, "lapses");
	printf("\nledger, newest first (%zu)\n", b.nledger);
	t = table_new("rllrrl", ledger_head);
	for (size_t i = 0; i < b.nledger; i++) {
		const struct ledger_row *l = &b.ledger[i];

		table_cell(t, "%lld", (long long)l->id);
		table_cell(t, "%s", when(&c, l->created_at));
		table_cell(t, "%s", ledger_kind_words(l->kind, 0));
		table_cell(t, "%s", money(&c, l->amount));
		table_cell(t, "%s", money(&c, l->balance_after));
		if (l->hold_id != 0)
			table_cell(t, "hold %lld", (long long)l->hold_id);
		else
			table_cell(t, "%s", "");
	}
	table_print(t, 2);
	arena_free(&c.a);
	return 0;
}

static int
cmd_report(struct db *db, int argc, char **argv)
{
	struct csv out = CSV_INIT;
	struct ctx c;
	enum bo_status s;
	int64_t perf;
	int rc = 0;

	(void)argc;
	if (!id_arg("PERFORMANCE", argv[1], &perf))
		return 2;
	if (ctx_open(db, &c, "report") != 0)
		return 1;
	s = report_sales_csv(db, perf, &c.set, &out);
	if (s == BO_NOT_FOUND) {
		log_say("there is no performance %lld ('performances CONCERT' "
		    "lists them)", (long long)perf);
		rc = 1;
	} else if (s != BO_OK) {
		rc = fail(s, "report");
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		log_say("report: could not write the CSV to standard output");
		rc = 1;
	}
	csv_free(&out);
	arena_free(&c.a);
	return rc;
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

#define BUYER_MORE \
	"\nEMAIL as the buyer signed up (case does not matter). Prints the\n" \
	"account, its balance, its tickets (paid seats, with the code the door\n" \
	"and a refund take), its live holds and its\n" \
	"whole ledger, newest first. With --tab: the tickets alone.\n"

#define REPORT_MORE \
	"\nThe CSV goes to standard output (redirect it to a file): UTF-8 with a\n" \
	"byte order mark, RFC 4180, one row per ledger entry about one of the\n" \
	"performance's seats, oldest first:\n" \
	"  entry, time, unix_time, kind, buyer, section, row, seat, price,\n" \
	"  revenue, seat_state, ticket\n" \
	"time is the venue's time, unix_time the same instant as a number;\n" \
	"price and revenue are numbers in the currency (12.50, not 1250 cents);\n" \
	"revenue is the box office's side (a payment is positive). A text cell\n" \
	"that a spreadsheet would run as a formula (= + - @, tab, CR) is written\n" \
	"with a ' in front.\n"

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
	{ "buyer", "EMAIL", "a buyer's tickets, holds, balance and ledger", 1, 1,
	  cmd_buyer, BUYER_MORE, CMD_DB_LATEST },
	{ "report", "PERFORMANCE", "the sales and ledger of a performance as "
	  "CSV for spreadsheets, on standard output", 1, 1, cmd_report,
	  REPORT_MORE, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
