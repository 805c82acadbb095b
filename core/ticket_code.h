/*
 * ticket_code.h — the code on a ticket that opens the door.
 *
 * A code is 27 random symbols of Crockford's base32 (135 bits from
 * libsodium's randombytes_buf, 134.7 of them unguessable after the draw
 * described below: at least 128, as issue 11 asks) and one check symbol: 28 symbols, shown in seven groups
 * of four for reading aloud and typing,
 *
 *     7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGV
 *
 * and kept (database, QR code, API) in its canonical form: the 28 symbols
 * in upper case without hyphens.
 *
 * The check symbol is Crockford's: the value of the 27 symbols as one
 * base-32 number, modulo 37. 37 is a prime above 32, so any one mistyped
 * symbol and any two neighbours swapped change the check, and the door
 * says "typo" without asking the database. Crockford writes the checks 32
 * to 36 as * ~ $ = U; codes whose check would need one of them are drawn
 * again, so every code uses only the 32 symbols a person can read out and
 * a phone keyboard has (which costs log2(37/32) = 0.21 bits of the 135).
 *
 * Reading what people type (ticket_code_parse) follows Crockford: case is
 * ignored, hyphens and spaces are ignored, I and L read as 1, O as 0;
 * U and anything else is refused.
 */
#ifndef BOXOFFICE_TICKET_CODE_H
#define BOXOFFICE_TICKET_CODE_H

#include <stddef.h>

/* Symbols in a canonical code (27 random + 1 check). */
#define TICKET_CODE_LEN 28
/* Room for a canonical code and its NUL. */
#define TICKET_CODE_SIZE (TICKET_CODE_LEN + 1)
/* Room for the grouped form (7 groups of 4, 6 hyphens) and its NUL. */
#define TICKET_CODE_GROUPED_SIZE (TICKET_CODE_LEN + 6 + 1)
/* Typed text longer than this is refused unread. */
#define TICKET_CODE_INPUT_MAX 64

/* What reading a typed code found: a closed set, a message for each. */
enum ticket_code_problem {
	TICKET_CODE_OK,
	TICKET_CODE_EMPTY,    /* nothing but spaces and hyphens */
	TICKET_CODE_SYMBOL,   /* a character that is not in the alphabet */
	TICKET_CODE_LENGTH,   /* too few or too many symbols */
	TICKET_CODE_CHECK,    /* the check symbol does not match: a typo */
	TICKET_CODE__MAX
};

/*
 * Draws a new code into the caller's out (canonical, NUL-terminated).
 * Uses libsodium's CSPRNG; sodium_init() is called if it was not.
 * Aborts if libsodium cannot start (never on Linux with getrandom).
 */
void ticket_code_new(char out[TICKET_CODE_SIZE]);

/*
 * Writes canonical code (as ticket_code_new or ticket_code_parse wrote
 * it) as seven hyphenated groups of four into the caller's out.
 */
void ticket_code_group(const char *code, char out[TICKET_CODE_GROUPED_SIZE]);

/*
 * Reads a code as a person typed or a scanner read it: grouped or not,
 * any case, Crockford's look-alikes, a correct check symbol. Writes the
 * canonical form into the caller's out and returns TICKET_CODE_OK, or
 * another value with out set to "". Never touches the database.
 */
enum ticket_code_problem ticket_code_parse(const char *typed,
    char out[TICKET_CODE_SIZE]);

/* One sentence for a door person about p; static storage. */
const char *ticket_code_message(enum ticket_code_problem p);

#endif
