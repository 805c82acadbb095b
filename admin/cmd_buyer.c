/*
 * cmd_buyer.c — boxoffice-admin buyer EMAIL: one buyer as the box office
 * sees them (core/report.h's report_buyer, the read /admin/buyer makes
 * too): the account, its balance, its tickets with their codes, its live
 * holds and its whole ledger. With --tab, the tickets alone, for scripts.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "log.h"
#include "report.h"
#include "ticket_code.h"
#include "wallet.h"

static const char *
seat_words(struct reading *r, const void *row)
{
	const struct report_seat *s = row;

	return arena_printf(&r->a, "%s %s-%lld", s->section, s->row,
	    (long long)s->number);
}

/* The ticket's code in groups of four, as the door reads it; none for a
 * hold. */
static const char *
grouped_code(struct reading *r, const void *row)
{
	const struct report_seat *s = row;
	char grouped[TICKET_CODE_GROUPED_SIZE];

	if (s->code[0] == '\0')
		return NULL;
	ticket_code_group(s->code, grouped);
	return arena_strdup(&r->a, grouped);
}

static const struct column seat_cols[] = {
	COLUMN("hold", 'r', INT, struct report_seat, hold_id),
	COLUMN("performance", 'r', INT, struct report_seat, performance_id),
	COLUMN("concert", 'l', TEXT, struct report_seat, concert_title),
	COLUMN("starts", 'l', WHEN, struct report_seat, starts_at),
	COLUMN_TEXT_OF("seat", 'l', seat_words),
	COLUMN("price", 'r', MONEY, struct report_seat, price),
	COLUMN("at", 'l', WHEN, struct report_seat, at), /* headed by at_name */
	COLUMN_TEXT_OF("ticket", 'l', grouped_code),
};
#define SEAT_COLS (sizeof seat_cols / sizeof seat_cols[0])
#define SEAT_COL_AT 6

/* The buyer's tickets or holds, under title; at_name heads the column of
 * when each was paid or lapses. */
static void
seats_table(struct reading *r, const char *title,
    const struct report_seat *seats, size_t n, const char *at_name)
{
	struct column cols[SEAT_COLS];

	memcpy(cols, seat_cols, sizeof cols);
	cols[SEAT_COL_AT].head = at_name;
	if (!admin_tab_output())
		printf("\n%s (%zu)\n", title, n);
	table_rows(r, cols, SEAT_COLS, seats, n, sizeof *seats, 2);
}

static const char *
ledger_kind(struct reading *r, const void *row)
{
	(void)r;
	return ledger_kind_words(((const struct ledger_row *)row)->kind, 0);
}

static const char *
ledger_hold(struct reading *r, const void *row)
{
	const struct ledger_row *l = row;

	return l->hold_id != 0 ? arena_printf(&r->a, "hold %lld",
	    (long long)l->hold_id) : NULL;
}

static const struct column ledger_cols[] = {
	COLUMN("entry", 'r', INT, struct ledger_row, id),
	COLUMN("time", 'l', WHEN, struct ledger_row, created_at),
	COLUMN_TEXT_OF("kind", 'l', ledger_kind),
	COLUMN("amount", 'r', MONEY, struct ledger_row, amount),
	COLUMN("balance", 'r', MONEY, struct ledger_row, balance_after),
	COLUMN_TEXT_OF("hold", 'l', ledger_hold),
};

static int
cmd_buyer(struct db *db, int argc, char **argv)
{
	struct report_buyer b;
	struct reading r;
	enum bo_status s;
	int rc;

	(void)argc;
	if (reading_open(db, &r, "buyer") != 0)
		return 1;
	s = report_buyer(db, &r.a, argv[1], r.now, &b);
	if (s == BO_INVALID)
		s = BO_NOT_FOUND; /* not an address anyone signed up with */
	if ((rc = reading_failed(&r, s, "buyer", arena_printf(&r.a, "no "
	    "account has the e-mail address '%s'", argv[1]))) != 0)
		return rc;
	if (admin_tab_output()) {
		/* For scripts: the tickets alone, one per line. */
		seats_table(&r, "tickets", b.tickets, b.ntickets, "paid");
		arena_free(&r.a);
		return 0;
	}
	printf("buyer %lld, %s, signed up %s; times in %s\n"
	    "  balance %s\n", (long long)b.user_id, b.email,
	    reading_when(&r, b.created_at), r.set.timezone,
	    reading_money(&r, b.balance));
	seats_table(&r, "tickets", b.tickets, b.ntickets, "paid");
	seats_table(&r, "holds, unpaid", b.holds, b.nholds, "lapses");
	printf("\nledger, newest first (%zu)\n", b.nledger);
	table_rows(&r, ledger_cols, sizeof ledger_cols / sizeof ledger_cols[0],
	    b.ledger, b.nledger, sizeof *b.ledger, 2);
	arena_free(&r.a);
	return 0;
}

#define BUYER_MORE \
	"\nEMAIL as the buyer signed up (case does not matter). Prints the\n" \
	"account, its balance, its tickets (paid seats, with the code the door\n" \
	"and a refund take), its live holds and its\n" \
	"whole ledger, newest first. With --tab: the tickets alone.\n"

const struct command buyer_commands[] = {
	{ "buyer", "EMAIL", "a buyer's tickets, holds, balance and ledger", 1, 1,
	  cmd_buyer, BUYER_MORE, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
