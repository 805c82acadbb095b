/*
 * cmd_csv.c — boxoffice-admin report PERFORMANCE: a performance's sales
 * and their ledger entries as CSV for spreadsheets, on standard output
 * (core/report.h's report_sales_csv; the cells made safe by core/csv.c).
 */
#include <stdio.h>

#include "admin.h"
#include "csv.h"
#include "log.h"
#include "report.h"

static int
cmd_report(struct db *db, int argc, char **argv)
{
	struct csv out = CSV_INIT;
	struct reading r;
	int64_t perf;
	int rc;

	(void)argc;
	if (!reading_id("PERFORMANCE", argv[1], &perf))
		return 2;
	if (reading_open(db, &r, "report") != 0)
		return 1;
	rc = reading_failed(&r, report_sales_csv(db, perf, &r.set, &out),
	    "report", arena_printf(&r.a, "there is no performance %lld "
	    "('performances CONCERT' lists them)", (long long)perf));
	if (rc == 0) {
		if (fwrite(out.data, 1, out.len, stdout) != out.len ||
		    fflush(stdout) != 0) {
			log_say("report: could not write the CSV to standard "
			    "output");
			rc = 1;
		}
		arena_free(&r.a);
	}
	csv_free(&out);
	return rc;
}

#define REPORT_MORE \
	"\nThe CSV goes to standard output (redirect it to a file): UTF-8 with a\n" \
	"byte order mark, RFC 4180, one row per ledger entry about one of the\n" \
	"performance's seats, oldest first:\n" \
	"  entry, time, unix_time, kind, buyer, section, row, seat, price,\n" \
	"  revenue, seat_state, ticket\n" \
	"time is the venue's time, unix_time the same instant as a number;\n" \
	"price and revenue are numbers in the currency (12.50, not 1250 cents);\n" \
	"revenue is the box office's side (a payment is positive). A text cell\n" \
	"that a spreadsheet would run as a formula (= + - @, tab, CR) is written\n" \
	"with a ' in front.\n"

const struct command csv_commands[] = {
	{ "report", "PERFORMANCE", "the sales and ledger of a performance as "
	  "CSV for spreadsheets, on standard output", 1, 1, cmd_report,
	  REPORT_MORE, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
