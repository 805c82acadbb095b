/*
 * ticket.h — a ticket as its printable page shows it.
 *
 * A ticket (011_operator.sql) is made by the schema when a seat is paid;
 * its code (ticket_code.h) is what opens the door. Who may see a ticket
 * is decided here, once: its owner, or staff (role.h: operators too).
 * Anyone else is told there is no such ticket, so that ids cannot be
 * probed for which exist.
 */
#ifndef BOXOFFICE_TICKET_H
#define BOXOFFICE_TICKET_H

#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "ticket_code.h"

struct ticket_view {
	int64_t id, hold_id, performance_id, starts_at;
	const char *concert_title, *artist, *venue, *section, *row;
	int64_t number, price;
	char code[TICKET_CODE_SIZE]; /* canonical */
	int64_t created_at;          /* paid */
	int64_t refunded_at;         /* 0: not refunded */
	int64_t checked_in_at;       /* 0: not let in yet */
	int own;                     /* the viewer's own ticket */
};

/*
 * Ticket id as viewer (an account) may see it: BO_NOT_FOUND when there is
 * no such ticket, or it is another buyer's and viewer is not staff.
 * Strings in a.
 */
enum bo_status ticket_show(struct db *db, struct arena *a, int64_t id,
    int64_t viewer, struct ticket_view *out);

#endif
