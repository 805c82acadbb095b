/*
 * page_seats.c — the seat map of one performance.
 *
 * GET /performances/{id}[?seat=S…][&add=S] — login and an ACTIVE queue
 * ticket for the performance's concert required (else to the waiting room
 * or the concert page). Each seat is a button of the map's GET form named
 * "add"; the seats picked so far travel in it as hidden "seat" fields, so
 * a buyer picks several without JavaScript (a picked seat clicked again
 * is taken out). The map itself (ui_shared.c: the grid, the bar with the
 * picks, the buyer's own seats) is shared with a refused hold, which
 * shows it again with the reason and the picks.
 *
 * The bar holds the picked seats together (POST /performances/{id}/holds,
 * page_holds.c); the best-available form asks for seats of a section
 * (POST /performances/{id}/best, page_orders.c). Both, refused, come back
 * here with a 303 (&taken=S…&refused=WHY, ui_map_refused), so the page
 * that says why has a GET address: reload and the language switch work.
 */
#include "pages.h"
#include "params.h"
#include "ui_shared.h"

void
page_performance(struct req *r)
{
	struct ui_map_note note;
	int64_t *picks;
	size_t n;

	if (!ui_seat_picks(r, &r->query, 1, &picks, &n) ||
	    !ui_map_note_of(r, n, &note)) {
		page_error(r, HTTP_400, "That seat number is not one of ours.");
		return;
	}
	ui_seat_map(r, picks, n, HTTP_200, &note);
}
