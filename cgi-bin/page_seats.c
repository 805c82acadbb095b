/*
 * page_seats.c — the seat map of one performance.
 *
 * GET /performances/{id}[?seat=SEAT] — login and an ACTIVE queue ticket for
 * the performance's concert required (else to the waiting room or the
 * concert page). The map itself (ui_shared.c: the grid, the pick bar, the
 * buyer's live holds for the date) is shared with a refused hold, which
 * shows it again with the reason.
 *
 * The pick bar holds the seat (POST /performances/{id}/holds, page_holds.c).
 */
#include "pages.h"
#include "parse.h"
#include "ui_shared.h"

void
page_performance(struct req *r)
{
	int64_t pick = 0;

	if (req_query(r, "seat") != NULL &&
	    !parse_int64(req_query(r, "seat"), 1, INT64_MAX, &pick)) {
		page_error(r, HTTP_400, "That seat number is not one of ours.");
		return;
	}
	ui_seat_map(r, pick, HTTP_200, NULL);
}
