/*
 * demo.c — the demo catalogue (see demo.h). Dates are relative to the
 * moment it is loaded, so the demo never goes stale.
 */
#include "demo.h"

#include "catalog.h"

#define DAY 86400

/* 100 + 300 + 360 + 240 = 1,000 seats */
static const struct seat_block grand_hall[] = {
	{ "VIP", 'A', 'D', 25, 165000 },
	{ "R", 'A', 'J', 30, 132000 },
	{ "S", 'A', 'L', 30, 99000 },
	{ "Balcony", 'A', 'H', 30, 66000 },
};

/* 5 rows of 10 = 50 seats */
static const struct seat_block club[] = {
	{ "Floor", 'A', 'E', 10, 55000 },
};

/* 2 x 6 rows of 16 = 192 seats */
static const struct seat_block theatre[] = {
	{ "Orchestra", 'A', 'F', 16, 88000 },
	{ "Mezzanine", 'A', 'F', 16, 59000 },
};

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* Starts at 19:30 in Seoul (10:30 UTC) `days` days after now. */
static int64_t
evening(int64_t now, int days)
{
	int64_t day = (now / DAY + days) * DAY;

	return day + 10 * 3600 + 30 * 60;
}

enum bo_status
demo_load(struct db *db, int64_t now)
{
	static const struct {
		const char *title, *artist, *venue, *description;
		const struct seat_block *blocks;
		size_t nblocks;
		int days[3];
	} concerts[] = {
		{ "Winter Symphony Gala", "Seoul Philharmonic Orchestra",
		  "Grand Concert Hall",
		  "Beethoven's Ninth with full choir. Four price tiers across "
		  "VIP, R, S and the balcony.",
		  grand_hall, N(grand_hall), { 14, 15, 0 } },
		{ "Midnight Jazz Session", "Han River Quartet", "Blue Note Club",
		  "An intimate standing-room club night: fifty seats only.",
		  club, N(club), { 7, 8, 0 } },
		{ "Indie Spring Tour", "The Paper Lanterns", "Arts Centre Theatre",
		  "The band's first tour in three years, with new songs from "
		  "the album 'Lanternlight'.",
		  theatre, N(theatre), { 21, 22, 60 } },
	};
	enum bo_status s;

	for (size_t i = 0; i < N(concerts); i++) {
		int64_t concert, perf;

		s = catalog_add_concert(db, concerts[i].title, concerts[i].artist,
		    concerts[i].venue, concerts[i].description, &concert);
		if (s != BO_OK)
			return s;
		for (size_t d = 0; d < 3 && concerts[i].days[d]; d++) {
			int64_t starts = evening(now, concerts[i].days[d]);
			/* The far-off date's sale opens in a week. */
			int64_t opens = concerts[i].days[d] > 30 ? now + 7 * DAY
			    : now - DAY;

			s = catalog_add_performance(db, concert, starts, opens,
			    starts - 3600, concerts[i].blocks, concerts[i].nblocks,
			    &perf);
			if (s != BO_OK)
				return s;
		}
	}
	return BO_OK;
}
