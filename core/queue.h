/*
 * queue.h — the fair waiting queue of a concert.
 *
 * A buyer joins and gets a ticket: a 128-bit random token bound to the
 * account. At most queue_capacity tickets of a concert are ACTIVE; the
 * oldest live WAITING ticket is admitted as soon as a slot frees — on the
 * next look at the queue by anyone concerned, not only when cron runs.
 * Lazy expiry: an ACTIVE ticket past expires_at, or a WAITING one whose
 * browser has not polled for abandon_after seconds, counts as EXPIRED at
 * once; boxoffice-expire only writes down what is already true.
 *
 * Who is ahead is counted exactly near the front of the line. Further
 * back — where a count would walk thousands of index entries on every
 * poll — it is read from a snapshot of the line taken at most a second
 * before (struct queue_lines, kept by the caller between calls: the
 * worker's cache, cgi-bin/cache.c); as nobody ever joins ahead of anyone,
 * a snapshot can only overstate the count, so nobody is ever let in early
 * by it. Without one (NULL) every count is exact.
 *
 * Looking at the queue never changes anyone's place. It writes only to
 * admit (when a slot is free for this buyer) or to note that a waiting
 * browser is still there (at most every QUEUE_SEEN_EVERY seconds, and
 * more often when abandon_after is short).
 */
#ifndef BOXOFFICE_QUEUE_H
#define BOXOFFICE_QUEUE_H

#include <stdint.h>

#include "db.h"
#include "setting.h"

#define QUEUE_TOKEN_LEN 22      /* 16 random bytes, base64url */
#define QUEUE_SEEN_EVERY 30     /* seconds between last-seen writes, at most */
#define QUEUE_RATE_WINDOW 900   /* seconds of admissions the ETA looks at */
#define QUEUE_EXACT_WINDOW 256  /* nearer the front than this, count exactly */
#define QUEUE_SNAPSHOT_SLOTS 4  /* long lines kept in a struct queue_lines */

enum queue_state { Q_NONE, Q_WAITING, Q_ACTIVE, Q_DONE, Q_EXPIRED };

struct queue_view {
	enum queue_state state;  /* as of now, lazy expiry applied */
	int64_t ticket_id, concert_id;
	char token[QUEUE_TOKEN_LEN + 1];
	int64_t joined_at;
	int64_t admitted_at, active_until;  /* when ACTIVE */
	int64_t ahead;           /* WAITING: live tickets ahead in line */
	int64_t eta_seconds;     /* WAITING: estimated wait, -1 when unknown */
	int64_t poll_after_ms;   /* when to look again */
};

/* "waiting", "active", "done", "expired" or "none"; static storage. */
const char *queue_state_name(enum queue_state s);

/*
 * Snapshots of long lines, one per concert (QUEUE_SNAPSHOT_SLOTS of
 * them), each taken again when it is a second old. Who is in a line
 * depends on abandon_after: whoever keeps one empties it with
 * queue_lines_clear() when the settings change. queue_lines_new() never
 * fails (it aborts without memory); the caller frees with
 * queue_lines_free().
 */
struct queue_lines;
struct queue_lines *queue_lines_new(void);
void queue_lines_clear(struct queue_lines *lines);
void queue_lines_free(struct queue_lines *lines);

/*
 * Joins the queue of a concert, or returns the buyer's live ticket if it
 * has one (same token, same place). Admits at once when a slot is free and
 * nobody is ahead. The caller checks that the concert exists and sells.
 * lines: the caller's snapshots of long lines, or NULL (see above).
 */
enum bo_status queue_join(struct db *db, int64_t concert_id, int64_t user_id,
    int64_t now, const struct settings *set, struct queue_lines *lines,
    struct queue_view *out);

/*
 * The buyer's standing in the queue of a concert: by token when token is
 * not NULL (BO_FORBIDDEN when the token is malformed, unknown, another
 * buyer's or another concert's; concert_id 0 takes the token's concert),
 * else the buyer's latest ticket (Q_NONE when there is none). Admits or
 * marks last-seen when due (see above). lines: as for queue_join.
 */
enum bo_status queue_status(struct db *db, int64_t concert_id, int64_t user_id,
    const char *token, int64_t now, const struct settings *set,
    struct queue_lines *lines, struct queue_view *out);

/* Gives up the buyer's live ticket; its slot goes to the next in line.
 * Leaving on purpose ("I am done") also releases, in the same transaction,
 * every live hold the buyer has of the concert: a hold otherwise outlives
 * the turn (it may be paid until it lapses). */
enum bo_status queue_leave(struct db *db, int64_t concert_id, int64_t user_id,
    int64_t now);

/*
 * The turn, as the holds and payments see it; both run inside the
 * caller's write transaction (they begin and commit nothing).
 * queue_turn_active: whether the buyer's turn for the concert is running
 * now (*active 1 or 0). queue_turn_end: after a payment, ends the turn
 * (DONE) when the buyer holds nothing more of the concert unpaid, so the
 * slot goes to the next buyer in line.
 */
enum bo_status queue_turn_active(struct db *db, int64_t concert_id,
    int64_t user_id, int64_t now, int *active);
enum bo_status queue_turn_end(struct db *db, int64_t concert_id,
    int64_t user_id, int64_t now);

/* For boxoffice-expire: writes down expired and abandoned tickets and
 * admits into the freed slots, concert by concert. */
enum bo_status queue_expire_all(struct db *db, int64_t now,
    const struct settings *set, int64_t *expired, int64_t *admitted);

#endif
