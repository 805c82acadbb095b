/*
 * cmd_refunds.c — boxoffice-admin's commands that give money back:
 * refund CODE (one ticket) and cancel-performance ID (a whole date),
 * through core/refund.h, as the web's operator page does; and release,
 * which frees a seat someone holds but has not paid (core/hold.h). Each is acted
 * as the system user running the command (audit.h) and prints what it
 * did.
 */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "arena.h"
#include "audit.h"
#include "currency.h"
#include "hold.h"
#include "log.h"
#include "parse.h"
#include "refund.h"
#include "setting.h"
#include "ticket_code.h"
#include "when.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static int
cmd_refund(struct db *db, int argc, char **argv)
{
	char code[TICKET_CODE_SIZE], grouped[TICKET_CODE_GROUPED_SIZE],
	    actor[AUDIT_SYSTEM_MAX + 1], money[CURRENCY_TEXT_MAX],
	    when[WHEN_TEXT_MAX];
	struct audit_actor who = audit_actor_cli(actor);
	struct arena a = ARENA_INIT;
	struct refund_ticket t;
	struct settings set;
	enum ticket_code_problem p;
	enum bo_status s;
	int rc = 0;

	(void)argc;
	if ((p = ticket_code_parse(argv[1], code)) != TICKET_CODE_OK) {
		log_say("'%s' is not a ticket code: %s", argv[1],
		    ticket_code_message(p));
		return 2;
	}
	ticket_code_group(code, grouped);
	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "refund");
	s = refund_ticket(db, &a, code, &who, time(NULL), &t);
	currency_format(money, set.currency, t.price);
	if (s == BO_OK) {
		printf("refunded ticket %s: %s back to %s; %s · Row %s · Seat "
		    "%lld of %s (performance %lld) is free for sale again\n",
		    grouped, money, t.email, t.section, t.row,
		    (long long)t.number, t.concert_title,
		    (long long)t.performance_id);
	} else if (s == BO_NOT_FOUND) {
		log_say("no ticket has the code %s", grouped);
		rc = 1;
	} else if (s == BO_GONE) {
		when_format(t.refunded_at, set.timezone, when, sizeof when);
		log_say("ticket %s was refunded before, at %s; nothing changed",
		    grouped, when);
		rc = 1;
	} else if (s == BO_CONFLICT) {
		log_say("ticket %s was used at the door; nothing changed",
		    grouped);
		rc = 1;
	} else {
		rc = fail(s, "refund");
	}
	arena_free(&a);
	return rc;
}

static int
cmd_cancel_performance(struct db *db, int argc, char **argv)
{
	char actor[AUDIT_SYSTEM_MAX + 1], money[CURRENCY_TEXT_MAX],
	    when[WHEN_TEXT_MAX];
	struct audit_actor who = audit_actor_cli(actor);
	struct refund_cancelled c;
	struct settings set;
	enum bo_status s;
	int64_t perf;

	(void)argc;
	if (!parse_int64(argv[1], 1, INT64_MAX, &perf)) {
		log_say("ID is a performance's number (see the concert's page "
		    "or add-performance's output), not '%s'", argv[1]);
		return 2;
	}
	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "cancel-performance");
	s = refund_cancel_performance(db, perf, &who, time(NULL), &c);
	if (s == BO_NOT_FOUND) {
		log_say("there is no performance %lld", (long long)perf);
		return 1;
	}
	if (c.cancelled_at != 0) {
		when_format(c.cancelled_at, set.timezone, when, sizeof when);
		printf("performance %lld %s cancelled at %s: its sale is closed "
		    "for good\n", (long long)perf, c.already ? "was" : "is",
		    when);
		if (!c.already)
			printf("voided %lld live holds\n",
			    (long long)c.holds_voided);
	}
	currency_format(money, set.currency, c.amount_refunded);
	printf("refunded %lld tickets, %s in all, to their buyers' balances "
	    "(%lld transactions)\n", (long long)c.tickets_refunded, money,
	    (long long)c.batches);
	if (s != BO_OK) {
		/* What was done stays done; running it again finishes. */
		fail(s, "cancel-performance");
		log_say("not every ticket may be refunded yet: run "
		    "cancel-performance %lld again to finish", (long long)perf);
		return 1;
	}
	return 0;
}

static int
cmd_release(struct db *db, int argc, char **argv)
{
	char actor[AUDIT_SYSTEM_MAX + 1];
	struct audit_actor who = audit_actor_cli(actor);
	struct arena a = ARENA_INIT;
	const char *holder = NULL;
	int64_t perf, number;
	enum bo_status s;
	int rc = 0;

	(void)argc;
	if (!parse_int64(argv[1], 1, INT64_MAX, &perf)) {
		log_say("PERFORMANCE is a performance's id (see 'performances "
		    "CONCERT'), not '%s'", argv[1]);
		return 2;
	}
	if (!parse_int64(argv[4], 1, INT64_MAX, &number)) {
		log_say("NUMBER is a seat's number, not '%s'", argv[4]);
		return 2;
	}
	s = hold_release_seat(db, &a, perf, argv[2], argv[3], number, &who,
	    time(NULL), &holder);
	switch (s) {
	case BO_OK:
		printf("released %s · row %s · seat %lld of performance %lld, "
		    "held by %s: it is on sale again\n", argv[2], argv[3],
		    (long long)number, (long long)perf, holder);
		break;
	case BO_NOT_FOUND:
		log_say("performance %lld has no seat %s · row %s · %lld (see "
		    "'sales %lld' for its sections)", (long long)perf, argv[2],
		    argv[3], (long long)number, (long long)perf);
		rc = 1;
		break;
	case BO_GONE:
		log_say("nobody holds that seat now; nothing changed");
		rc = 1;
		break;
	case BO_CONFLICT:
		log_say("that seat is sold: refund its ticket instead ('refund "
		    "CODE'; 'buyer EMAIL' shows the code)");
		rc = 1;
		break;
	default:
		rc = fail(s, "release");
	}
	arena_free(&a);
	return rc;
}

const struct command refunds_commands[] = {
	{ "refund", "CODE", "refund one ticket to its buyer's balance and free "
	  "its seat for sale again", 1, 1, cmd_refund,
	  "\nCODE is the ticket's code as printed (grouped or not, any case).\n"
	  "In one transaction: the price goes back to the buyer's balance (a\n"
	  "refund row in the ledger), the code stops opening the door, the seat\n"
	  "is on sale again, and the audit trail records it (see 'audit').\n"
	  "A ticket is refunded once; one used at the door is not refunded.\n",
	  CMD_DB_LATEST },
	{ "cancel-performance", "ID", "cancel a performance: close its sale "
	  "for good, void its holds and refund every ticket", 1, 1,
	  cmd_cancel_performance,
	  "\nThe first transaction marks the performance cancelled (the buyer's\n"
	  "pages say so, and nothing of it can be held or paid again) and voids\n"
	  "its live holds; then every ticket is refunded to its buyer's balance,\n"
	  STR(REFUND_BATCH) " to a transaction, so that other sales are never "
	  "held up for long.\n"
	  "Each refund is in the audit trail. If it is interrupted, run it\n"
	  "again: it refunds what is left. There is no undo.\n",
	  CMD_DB_LATEST },
	{ "release", "PERFORMANCE SECTION ROW NUMBER", "free a seat someone "
	  "holds but has not paid, so it is on sale again", 4, 4, cmd_release,
	  "\nFor a hold made by mistake or a buyer who walked away: the hold\n"
	  "ends now instead of at its deadline. A sold seat is not released\n"
	  "(refund its ticket). Recorded in the audit trail (see 'audit').\n"
	  "Example: boxoffice-admin release 1 VIP B 7\n",
	  CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
