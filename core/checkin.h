/*
 * checkin.h — letting people in at the door: a ticket code is admitted
 * once, and only once, whatever doors and programs scan it.
 *
 * checkin_admit() reads what was typed or scanned (ticket_code_parse: a
 * typo is answered without touching the database), then decides in one
 * BEGIN IMMEDIATE transaction, the closed set of answers:
 *
 *   BO_OK         admitted now: the seat, the performance, the time
 *   BO_CONFLICT   already admitted: when first, and at which door
 *   BO_NOT_FOUND  no ticket has this code
 *   BO_GONE       the ticket was refunded (ticket.refunded_at): dead
 *   BO_FORBIDDEN  the ticket is for another performance than the door's
 *   BO_INVALID    not a code at all (out->problem says what: a typo,
 *                 a wrong length, a symbol that is not in the alphabet)
 *
 * and the database's own (BO_BUSY, BO_UNAVAILABLE, BO_ERROR). The checkin
 * table's PRIMARY KEY (ticket) makes a second admission impossible in the
 * schema itself (012_checkin.sql).
 */
#ifndef BOXOFFICE_CHECKIN_H
#define BOXOFFICE_CHECKIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "ticket_code.h"

/* A door's name: 1 to this many characters, as people write them. */
#define CHECKIN_DOOR_MAX 40
/* The door a scan without a door name is written down at. */
#define CHECKIN_DOOR_DEFAULT "main"

/* What a check-in found; strings in the caller's arena. */
struct checkin {
	enum ticket_code_problem problem; /* TICKET_CODE_OK unless the code
	                                   * could not be read */
	char code[TICKET_CODE_SIZE];       /* canonical, when it could */
	int64_t ticket_id;                 /* 0: no such ticket */
	int64_t performance_id, starts_at; /* the ticket's performance */
	const char *concert_title, *section, *row;
	int64_t number;
	/* BO_OK: this admission; BO_CONFLICT: the first one. */
	int64_t at;
	const char *door;
	int64_t refunded_at;               /* BO_GONE: when, 0 if not */
	int64_t cancelled_at;              /* BO_GONE: when its performance
	                                    * was cancelled, 0 if not */
};

/*
 * Whether door (NUL-terminated) is a name the door may be kept under:
 * UTF-8, 1 to CHECKIN_DOOR_MAX characters, no control characters, not
 * only spaces.
 */
int checkin_door_ok(const char *door);

/*
 * Admits the ticket whose code was typed (any form ticket_code_parse
 * reads) at door (NULL: CHECKIN_DOOR_DEFAULT; otherwise the caller has
 * answered a name checkin_door_ok refuses: asserted)
 * for performance (0: whichever the ticket is for), let in by the staff
 * account staff at now. *out says what was found (above).
 */
enum bo_status checkin_admit(struct db *db, struct arena *a, const char *typed,
    int64_t performance, const char *door, int64_t staff, int64_t now,
    struct checkin *out);

/* A show is the door's (and among a buyer's next ones, bookings_list)
 * until this long after it began. */
#define CHECKIN_SHOW_HOURS 12

/* A performance as the door sees it. */
struct door_performance {
	int64_t id, starts_at;
	const char *concert_title, *venue;
	int64_t sold;       /* tickets not refunded */
	int64_t checked_in; /* of those, let in */
	int64_t cancelled_at; /* 0: it takes place (live.h) */
};

/*
 * The performances a door may be letting people in to: those not
 * cancelled, from those that began up to CHECKIN_SHOW_HOURS before now,
 * the soonest first (tonight's show on top), at most 50. Strings and
 * array in a.
 */
enum bo_status checkin_performances(struct db *db, struct arena *a,
    int64_t now, struct door_performance **out, size_t *n);

/* One performance as that list has it, cancelled or not (cancelled_at
 * says); BO_NOT_FOUND when there is none. */
enum bo_status checkin_performance(struct db *db, struct arena *a, int64_t id,
    struct door_performance *out);

#endif
