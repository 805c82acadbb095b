/*
 * test_ticket_code.c — ticket codes (core/ticket_code.h).
 *
 * Known vectors whose check symbols were computed independently (Python,
 * Crockford's mod 37); what people type (case, spaces, hyphens, I L O);
 * every single mistyped symbol and every swapped pair of neighbours in a
 * code caught by the check; refusals; and 20,000 new codes: all distinct,
 * all readable back, every symbol used at every position with about the
 * frequency of a fair draw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket_code.h"

#define ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define KNOWN "7KQ2M9XD3B0FW8RT6HJNPZ5CAEGB"

static void
reads_as(const char *typed, const char *want)
{
	char out[TICKET_CODE_SIZE];
	enum ticket_code_problem p = ticket_code_parse(typed, out);

	if (p != TICKET_CODE_OK || strcmp(out, want) != 0) {
		print_error("\"%s\" read as %d \"%s\", want \"%s\"\n", typed, p, out,
		    want);
		fail();
	}
}

static void
refused_as(const char *typed, enum ticket_code_problem want)
{
	char out[TICKET_CODE_SIZE] = "sentinel";
	enum ticket_code_problem p = ticket_code_parse(typed, out);

	if (p != want || out[0] != '\0') {
		print_error("\"%s\" gave %d \"%s\", want %d and \"\"\n", typed, p,
		    out, want);
		fail();
	}
}

static void
known_codes(void **state)
{
	char g[TICKET_CODE_GROUPED_SIZE];

	(void)state;
	reads_as(KNOWN, KNOWN);
	reads_as("ZZZZZZZZZZZZZZZZZZZZZZZZZZZ5", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZ5");
	reads_as("0000000000000000000000000011", "0000000000000000000000000011");
	reads_as("0000000000000000000000000V0D", "0000000000000000000000000V0D");
	/* The same data with the next checks: only one is right. */
	refused_as("7KQ2M9XD3B0FW8RT6HJNPZ5CAEGC", TICKET_CODE_CHECK);
	refused_as("7KQ2M9XD3B0FW8RT6HJNPZ5CAEGA", TICKET_CODE_CHECK);
	/* Value 32 has Crockford's check 32, '*': never a code of ours. */
	refused_as("000000000000000000000000010*", TICKET_CODE_SYMBOL);
	refused_as("000000000000000000000000010U", TICKET_CODE_SYMBOL);
	ticket_code_group(KNOWN, g);
	assert_string_equal(g, "7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGB");
}

static void
what_people_type(void **state)
{
	(void)state;
	reads_as("7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGB", KNOWN);
	reads_as("7kq2-m9xd-3b0f-w8rt-6hjn-pz5c-aegb", KNOWN);
	reads_as("7kq2 m9xd 3bof w8rt 6hjn pz5c aegb", KNOWN);
	reads_as("7KQ2M9XD3BOFW8RT6HJNPZ5CAEGB", KNOWN);
	reads_as("  7KQ2--M9XD 3B0F-W8RT-6HJN-PZ5C-AEGB ", KNOWN);
	reads_as("0000-0000-0000-0000-0000-0000-00ii", "0000000000000000000000000011");
	reads_as("oooo-oooo-oooo-oooo-oooo-oooo-ooLl", "0000000000000000000000000011");
}

static void
refusals(void **state)
{
	char long_input[TICKET_CODE_INPUT_MAX + 2];

	(void)state;
	refused_as("", TICKET_CODE_EMPTY);
	refused_as(" - -- ", TICKET_CODE_EMPTY);
	refused_as("7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEG", TICKET_CODE_LENGTH);
	refused_as("7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGBB", TICKET_CODE_LENGTH);
	refused_as("hello", TICKET_CODE_LENGTH);
	refused_as("7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGU", TICKET_CODE_SYMBOL);
	refused_as("7KQ2_M9XD-3B0F-W8RT-6HJN-PZ5C-AEGB", TICKET_CODE_SYMBOL);
	refused_as("7KQ2\tM9XD-3B0F-W8RT-6HJN-PZ5C-AEGB", TICKET_CODE_SYMBOL);
	refused_as("7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGB\n", TICKET_CODE_SYMBOL);
	refused_as("\xc3\x98KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGB", TICKET_CODE_SYMBOL);
	refused_as("' OR 1=1 --", TICKET_CODE_SYMBOL);
	memset(long_input, '-', sizeof long_input - 1);
	long_input[sizeof long_input - 1] = '\0';
	memcpy(long_input, KNOWN, TICKET_CODE_LEN);
	refused_as(long_input, TICKET_CODE_LENGTH);
	for (int p = 0; p < TICKET_CODE__MAX; p++)
		assert_true(strlen(ticket_code_message((enum ticket_code_problem)p)) > 10);
}

/* Every symbol replaced by each other symbol, and every pair of unequal
 * neighbours swapped: the check catches all of them. */
static void
typos_are_caught(void **state)
{
	char code[TICKET_CODE_SIZE], typo[TICKET_CODE_SIZE], out[TICKET_CODE_SIZE];
	int caught = 0;

	(void)state;
	for (int round = 0; round < 20; round++) {
		ticket_code_new(code);
		for (int i = 0; i < TICKET_CODE_LEN; i++) {
			for (int s = 0; s < 32; s++) {
				if (ALPHABET[s] == code[i])
					continue;
				memcpy(typo, code, sizeof typo);
				typo[i] = ALPHABET[s];
				assert_int_equal(ticket_code_parse(typo, out),
				    TICKET_CODE_CHECK);
				caught++;
			}
			if (i + 1 < TICKET_CODE_LEN && code[i] != code[i + 1]) {
				memcpy(typo, code, sizeof typo);
				typo[i] = code[i + 1];
				typo[i + 1] = code[i];
				assert_int_equal(ticket_code_parse(typo, out),
				    TICKET_CODE_CHECK);
			}
		}
	}
	assert_int_equal(caught, 20 * TICKET_CODE_LEN * 31);
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(a, b);
}

#define MANY 20000

static void
new_codes_are_fair_and_distinct(void **state)
{
	static char codes[MANY][TICKET_CODE_SIZE];
	static unsigned seen[TICKET_CODE_LEN][32];
	char out[TICKET_CODE_SIZE], g[TICKET_CODE_GROUPED_SIZE];

	(void)state;
	memset(seen, 0, sizeof seen);
	for (int n = 0; n < MANY; n++) {
		ticket_code_new(codes[n]);
		assert_int_equal(strlen(codes[n]), TICKET_CODE_LEN);
		assert_int_equal(ticket_code_parse(codes[n], out), TICKET_CODE_OK);
		assert_string_equal(out, codes[n]);
		ticket_code_group(codes[n], g);
		assert_int_equal(ticket_code_parse(g, out), TICKET_CODE_OK);
		assert_string_equal(out, codes[n]);
		for (int i = 0; i < TICKET_CODE_LEN; i++) {
			const char *at = strchr(ALPHABET, codes[n][i]);

			assert_non_null(at);
			seen[i][at - ALPHABET]++;
		}
	}
	qsort(codes, MANY, sizeof codes[0], by_string);
	for (int n = 1; n < MANY; n++)
		assert_string_not_equal(codes[n - 1], codes[n]);
	/*
	 * A fair draw gives each symbol 625 times per position (sd 24.6);
	 * 450..800 is 7 sd either way. The check position is near-uniform
	 * too, since the data is. A generator that left bits unused (a
	 * symbol always 0) or used the same byte twice would fail here.
	 */
	for (int i = 0; i < TICKET_CODE_LEN; i++) {
		for (int s = 0; s < 32; s++) {
			if (seen[i][s] < 450 || seen[i][s] > 800) {
				print_error("position %d symbol %c drawn %u times in %d\n",
				    i, ALPHABET[s], seen[i][s], MANY);
				fail();
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_codes),
		cmocka_unit_test(what_people_type),
		cmocka_unit_test(refusals),
		cmocka_unit_test(typos_are_caught),
		cmocka_unit_test(new_codes_are_fair_and_distinct),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
