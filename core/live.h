/*
 * live.h — the one definition of "live" for holds, performances and queue
 * tickets, as
 * SQL fragments every statement uses instead of restating the rule.
 *
 * Lazy expiry (as redis's expire.c has it): a row whose deadline has
 * passed is gone for every query at once, before boxoffice-expire writes
 * its new state down. So "live" is never the state column alone: it is
 * the state and the deadline against :now, which every statement using
 * these fragments binds.
 *
 * The `state IN (…)` terms, redundant for the result, let SQLite use the
 * partial UNIQUE indexes (hold_one_live_per_seat, queue_one_live): one row
 * to look at instead of a range, with or without ANALYZE statistics.
 *
 * Each macro takes the table or its alias as a string literal:
 *	"… WHERE " LIVE_HOLD("h") " AND h.seat_id = :seat"
 */
#ifndef BOXOFFICE_LIVE_H
#define BOXOFFICE_LIVE_H

/* A hold that claims its seat: PAID, or HELD and not yet lapsed. */
#define LIVE_HOLD(h)                                                          \
	"(" h ".state IN ('HELD','PAID') AND (" h ".state = 'PAID' OR "       \
	h ".expires_at > :now))"

/* A hold still waiting to be paid: HELD and not yet lapsed. */
#define UNPAID_HOLD(h)                                                        \
	"(" h ".state = 'HELD' AND " h ".expires_at > :now)"

/* A hold that has lapsed but is still written down as HELD. */
#define LAPSED_HOLD(h)                                                        \
	"(" h ".state IN ('HELD','PAID') AND " h ".state = 'HELD' AND "       \
	h ".expires_at <= :now)"

/* A performance that still takes place: not cancelled (014; a
 * cancellation is final). Its seats may be sold and its door opened. */
#define LIVE_PERFORMANCE(p)                                                   \
	"(" p ".cancelled_at IS NULL)"

/* A queue ticket whose turn is running: ACTIVE and not yet over. */
#define ACTIVE_TICKET(t)                                                      \
	"(" t ".state IN ('WAITING','ACTIVE') AND " t ".state = 'ACTIVE' AND " \
	t ".expires_at > :now)"

/* A ticket still in line and not yet called: it keeps its place however
 * long its buyer is away (no heartbeat; issue 12). */
#define WAITING_TICKET(t)                                                     \
	"(" t ".state IN ('WAITING','ACTIVE') AND " t ".state = 'WAITING' AND " \
	t ".called_at IS NULL)"

/* A ticket called to come in, its claim window (expires_at) not over:
 * it holds a slot as an active turn does. */
#define CALLED_TICKET(t)                                                      \
	"(" t ".state IN ('WAITING','ACTIVE') AND " t ".state = 'WAITING' AND " \
	t ".called_at IS NOT NULL AND " t ".expires_at > :now)"

/* The complements, for writing down what lazy expiry already says: a turn
 * that has run out but is still written down as ACTIVE, and a called
 * ticket whose buyer did not come in within the claim window (passed
 * over) but is still written down as WAITING. */
#define LAPSED_TICKET(t)                                                      \
	"(" t ".state IN ('WAITING','ACTIVE') AND " t ".state = 'ACTIVE' AND " \
	t ".expires_at <= :now)"
#define PASSED_TICKET(t)                                                      \
	"(" t ".state IN ('WAITING','ACTIVE') AND " t ".state = 'WAITING' AND " \
	t ".called_at IS NOT NULL AND " t ".expires_at <= :now)"

#endif
