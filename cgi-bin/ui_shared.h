/*
 * ui_shared.h — the view pieces more than one handler shows, as cgit's
 * ui-shared.c: the error page, the queue gate in front of everything that
 * sells, the seat map of a performance, and the queue ticket as JSON.
 *
 * A handler (page_*.c, api_*.c) calls these, the shared files beside them
 * (view.h, outcome.h, api.h) and core/, never another handler file: what
 * two handlers share moves here. `make calls` (tools/check-calls.sh, run
 * by make check) holds every handler's exported functions to router.c.
 *
 * Strings passed in must live until the response is sent (a literal or
 * the request's arena).
 */
#ifndef BOXOFFICE_UI_SHARED_H
#define BOXOFFICE_UI_SHARED_H

#include <stdint.h>

#include "buf.h"
#include "http_status.h"
#include "req.h"

struct keyset;
struct queue_view;
struct tdict;

/* The error page: status, its title (http_status.c), the message and the
 * way back; with r->json, the JSON error with the status's default code.
 * A 503 asks to retry after 2 seconds. The headers written before (a
 * cookie, say) stay. */
void page_error(struct req *r, enum http_status status, const char *message);
/* The same with one link onward (href, label). */
void page_error_link(struct req *r, enum http_status status,
    const char *message, const char *href, const char *label);
/* The same under title (a msgid; NULL: the status's), for an outcome that
 * names what happened better than its status does (outcome.h); href and
 * label may be NULL (no link onward). */
void page_error_titled(struct req *r, enum http_status status,
    const char *title, const char *message, const char *href,
    const char *label);

/* The same with words that hold HTML (a time, view.h) and, when href is
 * not NULL, one link onward. A JSON answer (r->json) says the status's
 * title instead: its words stay plain English. */
struct html;
void page_error_html(struct req *r, enum http_status status,
    struct html message, const char *href, const char *label);

/* A long list's page from ?before=ID (none: the newest), KEYSET_DEFAULT
 * rows: 1 and *k set, or a 400 page answered and 0. */
int ui_keyset(struct req *r, struct keyset *k);
/* The page's links after the list was read: "older" (the next page's
 * before, absent on the last page) and "paged" (not the newest page). */
void ui_keyset_links(struct tdict *d, const struct keyset *k);

/* 1 when the buyer holds an ACTIVE ticket for the concert (*v is it);
 * otherwise the answer is written (a redirect to the waiting room or the
 * concert page, or a JSON 403 not_admitted) and 0 is returned. Login is
 * checked by the router before. */
int ui_queue_gate(struct req *r, int64_t concert_id, struct queue_view *v);

/* Why a hold or best-available request was refused, as the seat map
 * says it after the 303 (ui_map_refused): a closed set, each with its
 * word in the address (?refused=…) and, for UI_REFUSED_BEST_*, its words
 * from BEST_OUTCOMES. */
enum ui_refusal {
	UI_REFUSED_NONE,
	UI_REFUSED_TAKEN,       /* seats just taken: ?taken=ID… names them */
	UI_REFUSED_LIMIT,       /* max_holds of the date reached */
	UI_REFUSED_BEST_NONE,   /* best available: no row has them */
	UI_REFUSED_BEST_LIMIT,  /* best available: max_holds */
	UI_REFUSED__MAX
};

/* Why the seat map is shown again after a refused hold (each NULL or 0
 * when not): the seats just taken by someone else, in words; max_holds
 * reached; another refusal, in words. */
struct ui_map_note {
	const char *taken;
	int limit;
	int several;  /* several seats were asked for together */
	const char *message;
};

/*
 * A refused hold or best-available request answers 303 to the seat map
 * of r->id (review 10 item 4: the answer at the POST address made the
 * language switch and a reload a 405 dead end): the n picks still free
 * travel as ?seat=, the ntaken seats just taken as ?taken= and the
 * reason as ?refused=. The map's GET (ui_map_note_of) says why.
 */
void ui_map_refused(struct req *r, const int64_t *picks, size_t n,
    const int64_t *taken, size_t ntaken, enum ui_refusal why);

/* The note of the seat map's address (?refused=, ?taken=), *note filled
 * (strings in r's arena) with npicks the picks shown; 0 when a value is
 * not ours (the caller answers 400). */
int ui_map_note_of(struct req *r, size_t npicks, struct ui_map_note *note);

/* The seats picked on the map: every "seat" value of p, in order, once
 * each; with toggle, "add" is added, or taken out when it was picked (a
 * picked seat clicked again). 0 when a value is not a seat id. Ids in
 * r's arena. */
struct params;
int ui_seat_picks(struct req *r, const struct params *p, int toggle,
    int64_t **out, size_t *n);

/* The seat map page of performance r->id (behind the queue gate), with
 * the n seats picked (those still free, as many as may be held; the bar
 * to hold them together), the buyer's own seats marked as theirs,
 * answering status; note, when not NULL, says why it is shown again. */
void ui_seat_map(struct req *r, const int64_t *picks, size_t n,
    enum http_status status, const struct ui_map_note *note);

/* The buyer's seats held unpaid at the concert's dates, for the concert
 * page, the waiting room and the leave confirmation (review 10 item 1:
 * leaving released them with one tap, and no page but the map showed
 * them): "any_unpaid" and "unpaid_count" (words) in d and, with list,
 * "unpaid" items (date, time, section, row, number, price, until, href
 * to pay). Returns how many; 0 on a failed read (the page shows none). */
size_t ui_unpaid_holds(struct req *r, struct tdict *d, int64_t concert_id,
    int list);

/* Writes a concert line's public state as JSON (GET
 * /concerts/{id}/queue/state.json, QueueState in openapi.json), with a
 * final newline. */
void ui_queue_state_json(struct buf *b, const struct queue_public *p);

/* Answers the queue ticket v as JSON with status, the QueueTicket of
 * openapi.json with a final newline: the API's and the waiting room's
 * poll. Signs v's token first (queue_view_sign), as only this answer
 * carries it; a failed signing answers its error instead. Written by
 * hand, as they are the busiest JSON there is. */
void ui_queue_ticket_send(struct req *r, enum http_status status,
    struct queue_view *v);

/* Sets "code" in d to the ticket code (canonical) grouped for people, and
 * "qr" to its QR code as inline SVG (the canonical code, which the door
 * scans): /bookings and the printable ticket show the same. */
void ui_ticket_code(struct req *r, struct tdict *d, const char *code);

#endif
