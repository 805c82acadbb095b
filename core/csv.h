/*
 * csv.h — CSV files for spreadsheets: sales reports and the ledger.
 *
 * RFC 4180: cells separated by commas, rows ended by CRLF, a cell quoted
 * when it holds a comma, a double quote (written twice), CR or LF; we
 * also quote a semicolon or a TAB, which some spreadsheets split on
 * depending on the locale. The file starts with a UTF-8 byte order mark,
 * without which Excel reads UTF-8 as the local code page ("Ã©" for "é").
 *
 * Formula injection: a spreadsheet runs a cell that starts with = + - @
 * (and TAB, CR, LF, which it may strip first) as a formula, and a buyer
 * chooses what some of our text cells say. Following OWASP's "CSV
 * Injection" page, a text cell starting with one of those characters is
 * written quoted with a ' in front ("'=1+2"), which spreadsheets show as
 * text. Numbers are written by their own calls, never as text, so a
 * refund of -5000 stays a number a spreadsheet can add up.
 *
 * The file is built in memory (a report of a sold-out hall is well under
 * a megabyte): the web answer copies it into its body, the CLI writes it
 * to standard output. core/ has no struct buf (that lives in cgi-bin/,
 * which core/ must not depend on), hence the buffer of its own here.
 */
#ifndef BOXOFFICE_CSV_H
#define BOXOFFICE_CSV_H

#include <stddef.h>
#include <stdint.h>

struct csv {
	char *data;      /* the file so far, not NUL-terminated; owned */
	size_t len, cap;
	size_t cells;    /* cells written in the current row */
};

#define CSV_INIT { NULL, 0, 0, 0 }

/*
 * Each call appends one cell to the current row (the first call of all
 * writes the byte order mark first). Memory comes from malloc and grows
 * as needed; out of memory aborts. csv_free() releases it.
 */

/* A text cell: UTF-8, NUL-terminated; quoted and neutralised as needed. */
void csv_text(struct csv *c, const char *s);
/* A whole number, written as a number. */
void csv_int(struct csv *c, int64_t v);
/* A fixed-point number: v / 10^places written with places decimals (0
 * to 6), e.g. csv_decimal(c, -123456, 2) writes -1234.56. For money in
 * currencies with minor units. */
void csv_decimal(struct csv *c, int64_t v, int places);
/* Ends the current row (which must have a cell) with CRLF. */
void csv_end_row(struct csv *c);

/* Releases the memory; *c is CSV_INIT again. */
void csv_free(struct csv *c);

#endif
