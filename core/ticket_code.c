/*
 * ticket_code.c — ticket codes: drawing, grouping, reading (see
 * ticket_code.h).
 *
 * Hand-written because the encoding is twenty lines: libsodium has base64
 * and hex but not Crockford's base32, and no Debian library does the
 * normalising Crockford asks of a reader. The randomness is libsodium's.
 */
#include "ticket_code.h"
#include "msgid.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DATA_LEN (TICKET_CODE_LEN - 1)

static const char alphabet[32] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* A typed character's value, Crockford's look-alikes folded; -1 if none. */
static int
symbol_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	switch (c) {
	case 'I': case 'L': return 1;
	case 'O': return 0;
	case 'U': return -1; /* Crockford leaves it out (and we never use
	                      * it as a check symbol) */
	default: break;
	}
	for (int v = 10; v < 32; v++)
		if (alphabet[v] == (char)c)
			return v;
	return -1;
}

/* Crockford's check: the symbols as one base-32 number, modulo 37. */
static unsigned
check_of(const unsigned char *v, size_t n)
{
	unsigned r = 0;

	for (size_t i = 0; i < n; i++)
		r = (r * 32 + v[i]) % 37;
	return r;
}

void
ticket_code_new(char out[TICKET_CODE_SIZE])
{
	unsigned char raw[(DATA_LEN * 5 + 7) / 8], v[DATA_LEN];
	unsigned check;

	assert(out != NULL);
	if (sodium_init() < 0)
		abort();
	do {
		unsigned acc = 0;
		int bits = 0;
		size_t in = 0;

		randombytes_buf(raw, sizeof raw);
		for (size_t i = 0; i < DATA_LEN; i++) {
			if (bits < 5) {
				acc = (acc << 8) | raw[in++];
				bits += 8;
			}
			bits -= 5;
			v[i] = (unsigned char)((acc >> bits) & 31);
			acc &= (1u << bits) - 1;
		}
		/* Checks 32..36 would need * ~ $ = U: draw again (see .h). */
	} while ((check = check_of(v, DATA_LEN)) >= 32);
	for (size_t i = 0; i < DATA_LEN; i++)
		out[i] = alphabet[v[i]];
	out[DATA_LEN] = alphabet[check];
	out[TICKET_CODE_LEN] = '\0';
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(v, sizeof v);
}

void
ticket_code_group(const char *code, char out[TICKET_CODE_GROUPED_SIZE])
{
	size_t o = 0;

	assert(code != NULL && out != NULL);
	assert(strlen(code) == TICKET_CODE_LEN);
	for (size_t i = 0; i < TICKET_CODE_LEN; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = code[i];
	}
	out[o] = '\0';
	assert(o + 1 == TICKET_CODE_GROUPED_SIZE);
}

enum ticket_code_problem
ticket_code_parse(const char *typed, char out[TICKET_CODE_SIZE])
{
	unsigned char v[TICKET_CODE_LEN];
	size_t n = 0;

	assert(typed != NULL && out != NULL);
	out[0] = '\0';
	if (strlen(typed) > TICKET_CODE_INPUT_MAX)
		return TICKET_CODE_LENGTH;
	for (const char *p = typed; *p; p++) {
		int x;

		if (*p == ' ' || *p == '-')
			continue;
		if ((x = symbol_value((unsigned char)*p)) < 0)
			return TICKET_CODE_SYMBOL;
		if (n == TICKET_CODE_LEN)
			return TICKET_CODE_LENGTH;
		v[n++] = (unsigned char)x;
	}
	if (n == 0)
		return TICKET_CODE_EMPTY;
	if (n != TICKET_CODE_LEN)
		return TICKET_CODE_LENGTH;
	if (check_of(v, DATA_LEN) != v[DATA_LEN])
		return TICKET_CODE_CHECK;
	for (size_t i = 0; i < TICKET_CODE_LEN; i++)
		out[i] = alphabet[v[i]];
	out[TICKET_CODE_LEN] = '\0';
	return TICKET_CODE_OK;
}

const char *
ticket_code_message(enum ticket_code_problem p)
{
	static const char *const text[TICKET_CODE__MAX] = {
		[TICKET_CODE_OK] = N_("The code is well formed."),
		[TICKET_CODE_EMPTY] = N_("Type the code printed on the ticket."),
		[TICKET_CODE_SYMBOL] = N_("That is not a ticket code: it has a "
		    "character that ticket codes never contain."),
		[TICKET_CODE_LENGTH] = N_("That is not a whole ticket code: a "
		    "code has 28 letters and digits, in seven groups of four."),
		[TICKET_CODE_CHECK] = N_("That code has a typo: check each group "
		    "against the ticket."),
	};

	assert(p >= TICKET_CODE_OK && p < TICKET_CODE__MAX);
	return text[p];
}
