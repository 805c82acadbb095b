/*
 * queue.h — the waiting line of a concert, by calling (issue 12).
 *
 * Each concert has one public state, the same for every buyer (struct
 * queue_public: whether the line is in its pre-queue, open or closed, and
 * the serving number), and each buyer a ticket with a place number,
 * signed into the ticket's token (queue_token.h). A buyer's place in line
 * is their number minus the serving number: the waiting room computes it
 * from the public state, which nginx caches, so waiting costs the
 * database nothing.
 *
 * The line is let in by calling: while fewer than queue_capacity tickets
 * hold a slot (an ACTIVE turn, or a call not yet answered), the next
 * tickets in line are called and the serving number moves past them, in
 * one BEGIN IMMEDIATE transaction that recounts the slots (capacity is
 * never exceeded, nobody is skipped). A called buyer has claim_seconds to
 * come in (any look at their ticket: the waiting room, the API's status,
 * a gated page) and then has active_ttl to shop; one who does not come in
 * is passed over and the slot goes on. A ticket not yet called keeps its
 * place however long its buyer is away: there is no heartbeat.
 *
 * The line moves whenever anyone looks after a slot frees: the public
 * state's render (about once a second through nginx's cache), a buyer's
 * status, a join, a leave, and cron (boxoffice-expire). Correctness never
 * waits for cron.
 *
 * The pre-queue and the order of the line are explained in queue.c's top
 * comment.
 */
#ifndef BOXOFFICE_QUEUE_H
#define BOXOFFICE_QUEUE_H

#include <stdint.h>

#include "db.h"
#include "queue_token.h"
#include "setting.h"

#define QUEUE_PREQUEUE_DEFAULT 1800 /* pre-queue opens this long before the sale */
#define QUEUE_RATE_WINDOW 300       /* seconds of calls the public rate looks at */

/* A buyer's ticket as of now (lazy expiry applied). */
enum queue_state {
	Q_NONE,      /* no ticket */
	Q_PREQUEUE,  /* joined before the opening: place drawn at the opening */
	Q_WAITING,   /* in line, not yet called */
	Q_CALLED,    /* called: may come in until called_until */
	Q_ACTIVE,    /* in: may choose seats and pay until active_until */
	Q_DONE,      /* bought and finished */
	Q_EXPIRED,   /* left, passed over, or the turn ran out */
	Q__MAX
};

/* The line's public state. */
enum queue_line_state { QL_PREQUEUE, QL_OPEN, QL_CLOSED, QL__MAX };

struct queue_public {
	int64_t concert_id;
	enum queue_line_state state;
	int64_t prequeue_opens;   /* joins from here on draw a random place */
	int64_t opens_at;         /* the first sale opens: the line starts */
	int64_t serving;          /* every place at or below it has been called */
	int64_t waiting;          /* tickets in line not yet called */
	int64_t called_recent;    /* calls in the last rate_span seconds */
	int64_t rate_span;        /* QUEUE_RATE_WINDOW, or less just after the
	                           * opening; at least 1 */
	int64_t at;               /* as of this second */
};

struct queue_view {
	enum queue_state state;
	int64_t ticket_id, concert_id;
	char token[QUEUE_TOKEN_MAX + 1];  /* queue_view_sign's; "" before */
	int64_t joined_at;
	int64_t place;           /* the buyer's number; 0 while not known */
	int64_t serving;         /* the line's serving number, as read */
	int64_t ahead;           /* WAITING: places ahead (place - serving - 1) */
	int64_t eta_seconds;     /* WAITING: estimated wait, -1 when unknown;
	                          * PREQUEUE: until the opening */
	int64_t opens_at;        /* PREQUEUE: when the line starts */
	int64_t called_until;    /* CALLED: come in before this */
	int64_t admitted_at, active_until;  /* ACTIVE */
	int64_t poll_after_ms;   /* when to look again */
};

/* "none", "prequeue", "waiting", "called", "active", "done", "expired";
 * static storage. */
const char *queue_state_name(enum queue_state s);
/* "prequeue", "open", "closed"; static storage. */
const char *queue_line_state_name(enum queue_line_state s);

/* How long a buyer `ahead` places from the front waits before looking
 * again: about 1 s near the front, up to 30 s far back. */
int64_t queue_poll_after_ms(int64_t ahead);

/* The estimated wait of a buyer `ahead` places from the front at the
 * public rate, in seconds; -1 when no call was made recently. */
int64_t queue_eta_seconds(const struct queue_public *p, int64_t ahead);

/*
 * The public state of a concert's line (BO_NOT_FOUND: no such concert).
 * Moves the line first when a slot is free and someone waits (a short
 * write), so polling the state is one of the looks that let buyers in.
 */
enum bo_status queue_public_state(struct db *db, int64_t concert_id,
    int64_t now, const struct settings *set, struct queue_public *out);

/*
 * Joins the queue of a concert, or returns the buyer's live ticket if it
 * has one (same place). BO_CONFLICT when the line does not take joins now
 * (before the pre-queue opens, or closed: queue_public_state says which);
 * BO_NOT_FOUND for an unknown concert. Calls at once when a slot is free.
 */
enum bo_status queue_join(struct db *db, int64_t concert_id, int64_t user_id,
    int64_t now, const struct settings *set, struct queue_view *out);

/*
 * The buyer's ticket for a concert: by token when token is not NULL
 * (BO_FORBIDDEN when it is malformed, forged, another buyer's or another
 * concert's; concert_id 0 takes the token's concert), else the buyer's
 * latest (Q_NONE when there is none). A called ticket is claimed (the
 * buyer has come in: ACTIVE); a waiting one moves the line when a slot is
 * free. Otherwise it only reads.
 */
enum bo_status queue_status(struct db *db, int64_t concert_id, int64_t user_id,
    const char *token, int64_t now, const struct settings *set,
    struct queue_view *out);

/*
 * Signs out's token for the buyer user_id (a key read and an HMAC), after
 * any transaction: queue_status and queue_join leave it "", as only the
 * JSON ticket carries it and the pages they gate (the seat map, every
 * hold) would sign for nothing. Nothing to sign without a ticket.
 */
enum bo_status queue_view_sign(struct db *db, int64_t user_id,
    struct queue_view *out);

/* Gives up the buyer's live ticket and calls the next in line. Leaving on
 * purpose ("I am done") also releases, in the same transaction, every live
 * hold the buyer has of the concert: a hold otherwise outlives the turn
 * (it may be paid until it lapses). */
enum bo_status queue_leave(struct db *db, int64_t concert_id, int64_t user_id,
    int64_t now, const struct settings *set);

/*
 * The turn, as the holds and payments see it; both run inside the
 * caller's write transaction (they begin and commit nothing).
 * queue_turn_active: whether the buyer's turn for the concert is running
 * now (*active 1 or 0). queue_turn_end: after a payment, ends the turn
 * (DONE) when the buyer holds nothing more of the concert unpaid; the
 * slot is called again by the next look at the line.
 */
enum bo_status queue_turn_active(struct db *db, int64_t concert_id,
    int64_t user_id, int64_t now, int *active);
enum bo_status queue_turn_end(struct db *db, int64_t concert_id,
    int64_t user_id, int64_t now);

/* For boxoffice-expire: writes down lapsed turns and passed-over calls and
 * calls into the freed slots, concert by concert (*called: calls made). */
enum bo_status queue_expire_all(struct db *db, int64_t now,
    const struct settings *set, int64_t *expired, int64_t *called);

/* For boxoffice-admin: the concert's pre-queue opening (0: the default,
 * QUEUE_PREQUEUE_DEFAULT before its first sale opens). BO_NOT_FOUND for
 * an unknown concert; BO_CONFLICT once its line has opened. */
enum bo_status queue_set_prequeue(struct db *db, int64_t concert_id,
    int64_t opens);

#endif
