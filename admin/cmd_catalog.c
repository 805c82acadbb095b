/*
 * cmd_catalog.c — boxoffice-admin's commands for the catalogue:
 * add-concert, add-performance. Times are read in the venue's zone
 * (core/when.h).
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "catalog.h"
#include "log.h"
#include "parse.h"
#include "queue.h"
#include "setting.h"
#include "when.h"

static int
cmd_add_concert(struct db *db, int argc, char **argv)
{
	int64_t id;
	enum bo_status s = catalog_add_concert(db, argv[1], argv[2], argv[3],
	    argc > 4 ? argv[4] : "", &id);

	if (s != BO_OK)
		return fail(s, "add-concert");
	printf("%lld\n", (long long)id);
	return 0;
}

/* Parses SECTION:ROWS:SEATS:PRICE, ROWS as a letter range like A-J. */
static int
parse_block(char *spec, struct seat_block *b)
{
	char *section = strtok(spec, ":"), *rows = strtok(NULL, ":");
	char *seats = strtok(NULL, ":"), *price = strtok(NULL, ":");
	int64_t per_row;

	if (!section || !rows || !seats || !price || strtok(NULL, ":") ||
	    strlen(rows) != 3 || rows[1] != '-' || rows[0] < 'A' ||
	    rows[2] > 'Z' || rows[0] > rows[2] ||
	    !parse_int64(seats, 1, 200, &per_row) ||
	    !parse_int64(price, 0, INT64_C(1000000000000), &b->price))
		return 0;
	b->section = section;
	b->first_row = rows[0];
	b->last_row = rows[2];
	b->per_row = (int)per_row;
	return 1;
}

/* Reads the time argument named what in the venue's zone; says why not. */
static int
cmd_add_performance(struct db *db, int argc, char **argv)
{
	struct seat_block blocks[16];
	struct settings set;
	int64_t concert, starts, opens, closes, id, prequeue = 0;
	char st[WHEN_TEXT_MAX], op[WHEN_TEXT_MAX], cl[WHEN_TEXT_MAX];
	size_t n = 0;
	enum bo_status s;

	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "add-performance");
	if (!parse_int64(argv[1], 1, INT64_MAX, &concert)) {
		log_say("CONCERT is a concert's id (a whole number)");
		return 2;
	}
	if (!time_arg("STARTS", argv[2], set.timezone, &starts) ||
	    !time_arg("SALE_OPENS", argv[3], set.timezone, &opens) ||
	    !time_arg("SALE_CLOSES", argv[4], set.timezone, &closes))
		return 2;
	when_format(starts, set.timezone, st, sizeof st);
	when_format(opens, set.timezone, op, sizeof op);
	when_format(closes, set.timezone, cl, sizeof cl);
	if (opens > closes || closes > starts) {
		log_say("the sale must open before it closes and close by the "
		    "start: it opens %s, closes %s, and the performance starts %s",
		    op, cl, st);
		return 2;
	}
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--prequeue-opens") == 0 && i + 1 < argc) {
			if (!time_arg("--prequeue-opens", argv[++i], set.timezone,
			    &prequeue))
				return 2;
			if (prequeue > opens) {
				log_say("--prequeue-opens: the pre-queue must open "
				    "by the sale (%s)", op);
				return 2;
			}
			continue;
		}
		if (n == sizeof blocks / sizeof blocks[0] ||
		    !parse_block(argv[i], &blocks[n++])) {
			log_say("bad seat block '%s' (want SECTION:A-J:30:99000)",
			    argv[i]);
			return 2;
		}
	}
	s = catalog_add_performance(db, concert, starts, opens, closes, blocks,
	    n, &id);
	if (s != BO_OK)
		return fail(s, "add-performance (is the concert there?)");
	if (prequeue != 0 && (s = queue_set_prequeue(db, concert, prequeue)) !=
	    BO_OK)
		return fail(s, "add-performance: --prequeue-opens (has the "
		    "concert's queue opened already?)");
	/* The id alone on standard output, for scripts; what was understood
	 * on standard error, for the person typing. */
	printf("%lld\n", (long long)id);
	log_say("performance %lld of concert %lld, in %s:\n"
	    "  starts       %s\n  sale opens   %s\n  sale closes  %s",
	    (long long)id, (long long)concert, set.timezone, st, op, cl);
	return 0;
}

/* What add-performance --help says beyond its line in the list. */
#define ADD_PERFORMANCE_MORE \
	"\nSTARTS, SALE_OPENS and SALE_CLOSES are read in the venue's time zone\n" \
	"(the 'timezone' setting) unless they carry an offset:\n" \
	"  2026-12-24 19:30        venue time (also 2026-12-24T19:30, and :SS)\n" \
	"  2026-12-24T19:30+09:00  with an offset (+HH:MM, +HHMM or Z)\n" \
	"  @1798108200             Unix seconds (a bare number too, but not of\n" \
	"                          8 or more than 10 digits: those are dates)\n" \
	"A venue time that the clocks skip (spring forward) or show twice\n" \
	"(fall back) is refused; for a repeated one, give the offset.\n" \
	"The sale must open before it closes, and close by the start.\n\n" \
	"--prequeue-opens TIME (among the BLOCKs) sets when the concert's\n" \
	"pre-queue opens (default: 30 minutes before its first sale opens).\n\n" \
	"BLOCK is SECTION:ROWS:SEATS:PRICE: ROWS a letter range such as A-J,\n" \
	"SEATS per row (1 to 200), PRICE in the currency's smallest unit.\n\n" \
	"Prints the new performance's id on standard output (for scripts) and\n" \
	"the three times as understood, in the venue's zone, on standard error.\n"

const struct command catalog_commands[] = {
	{ "add-concert", "TITLE ARTIST VENUE [DESCRIPTION]",
	  "add a concert; prints its id", 3, 4, cmd_add_concert, NULL,
	  CMD_DB_LATEST },
	{ "add-performance", "CONCERT STARTS SALE_OPENS SALE_CLOSES BLOCK...",
	  "add a performance with seat blocks like VIP:A-D:25:165000; times "
	  "as 2026-12-24 19:30 in the venue's zone (--prequeue-opens TIME "
	  "among the blocks: see --help); prints its id", 5, 20,
	  cmd_add_performance, ADD_PERFORMANCE_MORE, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
