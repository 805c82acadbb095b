/*
 * refund.h — giving a paid seat back: an operator's refund, a buyer's
 * cancellation, and a whole performance cancelled.
 *
 * Each ticket given back is one BEGIN IMMEDIATE transaction (or one of a
 * bounded batch, for a cancelled performance) that finds the ticket, then
 * writes a REFUND ledger row of what was paid for it back to its buyer's
 * balance, sets ticket.refunded_at (its code is dead at the door from
 * then on), moves its hold PAID → RELEASED (the seat is free for sale
 * again: the partial UNIQUE index of hold lets a new hold in) and writes
 * the audit row. The schema refuses a second REFUND of a hold (a partial
 * UNIQUE index) and a refund of anything but what was paid, so two
 * refunds of one code at once give one refund, whichever wins.
 */
#ifndef BOXOFFICE_REFUND_H
#define BOXOFFICE_REFUND_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "ticket_code.h"

/* A ticket as a refund sees it. Strings in the caller's arena. */
struct refund_ticket {
	int64_t ticket_id, hold_id, user_id, performance_id;
	char code[TICKET_CODE_SIZE];  /* canonical */
	const char *email;            /* the buyer's */
	const char *section, *row, *concert_title, *venue;
	int64_t number;
	int64_t price;        /* what the buyer paid: what a refund gives back */
	int64_t paid_at, starts_at;
	int64_t refunded_at;  /* 0: not refunded */
	int64_t used_at;      /* 0: not let in at the door */
	int64_t cancelled_at; /* its performance's; 0: not cancelled */
};

/*
 * The ticket with canonical code (ticket_code_parse gives it), read for
 * the operator's confirmation. BO_NOT_FOUND when no ticket has it.
 */
enum bo_status refund_find(struct db *db, struct arena *a, const char *code,
    struct refund_ticket *out);

/*
 * Refunds the ticket with canonical code to its buyer, acted by who
 * (audit action "refund"). *out is the ticket as the transaction leaves
 * it (refunded_at = now on BO_OK). BO_NOT_FOUND: no such code. BO_GONE:
 * refunded before (out->refunded_at says when). BO_CONFLICT: the ticket
 * was used at the door. BO_LIMIT: the buyer's balance cannot take it
 * (past INT64_MAX). Nothing changes unless BO_OK.
 */
enum bo_status refund_ticket(struct db *db, struct arena *a, const char *code,
    const struct audit_actor *who, int64_t now, struct refund_ticket *out);

/*
 * Until when a buyer may cancel a ticket for a show starting at
 * starts_at, under the setting cancel_until_hours (-1: "off"): the
 * deadline, or 0 when buyers may not cancel at all. Cancelling is
 * allowed while now < the deadline.
 */
int64_t refund_cancel_deadline(int64_t starts_at, int64_t cancel_until_hours);

/*
 * The buyer's own ticket of hold hold_id, for the cancel page.
 * BO_NOT_FOUND when there is none or it is another buyer's (a stranger
 * learns nothing about others' tickets).
 */
enum bo_status refund_find_mine(struct db *db, struct arena *a,
    int64_t hold_id, int64_t user_id, struct refund_ticket *out);

/*
 * The buyer cancels their own ticket of hold hold_id for a refund to
 * their balance (audit action "cancel", the buyer as actor), while
 * now < refund_cancel_deadline(). As refund_ticket, and BO_NOT_FOUND for
 * another buyer's ticket, BO_FORBIDDEN when the deadline has passed or
 * buyers may not cancel (cancel_until_hours -1).
 */
enum bo_status refund_cancel(struct db *db, struct arena *a, int64_t hold_id,
    int64_t user_id, int64_t cancel_until_hours, int64_t now,
    struct refund_ticket *out);

/* What cancelling a performance did. */
struct refund_cancelled {
	int already;              /* it was cancelled before this call */
	int64_t cancelled_at;     /* when (this call's now, or before) */
	int64_t holds_voided;     /* live unpaid holds released */
	int64_t tickets_refunded; /* by this call */
	int64_t amount_refunded;  /* their sum */
	int64_t batches;          /* write transactions of refunds */
};

/* Tickets refunded per write transaction by refund_cancel_performance. */
#define REFUND_BATCH 200

/*
 * Cancels performance perf for good: the first transaction sets its
 * cancelled_at (no hold or payment of it is possible from then on: the
 * schema refuses them), voids its live unpaid holds and writes the audit
 * row "cancel_performance"; then every ticket not refunded yet is
 * refunded, REFUND_BATCH to a transaction, each with its own audit row
 * "refund" (acted by who). Batches keep every transaction short, so
 * other sales are not held up behind thousands of refunds; nothing can
 * be sold between them, and a run cut short is finished by running it
 * again (already = 1). A ticket used at the door is refunded too: the
 * show did not take place. BO_NOT_FOUND: no such performance.
 */
enum bo_status refund_cancel_performance(struct db *db, int64_t perf,
    const struct audit_actor *who, int64_t now, struct refund_cancelled *out);

#endif
