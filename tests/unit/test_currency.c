/*
 * test_currency.c — ISO 4217 minor units and amounts as text
 * (core/currency.c).
 *
 * Covers currency_minor_unit() for currencies of every kind of minor unit
 * (0, 2, 3, 4 digits, none) and for malformed codes; currency_valid()
 * against Debian's iso-codes list (known, unknown, without a minor unit,
 * malformed, each refusal with a reason); currency_format() for the five
 * with a symbol and for others by their own minor unit, negative amounts,
 * zero, the extremes of int64 and a code with no minor unit; and
 * currency_parse()/currency_plain(), the amount as a person types it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "currency.h"

static void
minor_units_by_currency(void **state)
{
	(void)state;
	assert_int_equal(currency_minor_unit("KRW"), 0);
	assert_int_equal(currency_minor_unit("JPY"), 0);
	assert_int_equal(currency_minor_unit("XOF"), 0);
	assert_int_equal(currency_minor_unit("VUV"), 0);
	assert_int_equal(currency_minor_unit("USD"), 2);
	assert_int_equal(currency_minor_unit("EUR"), 2);
	assert_int_equal(currency_minor_unit("GBP"), 2);
	assert_int_equal(currency_minor_unit("HUF"), 2);
	assert_int_equal(currency_minor_unit("CHF"), 2);
	assert_int_equal(currency_minor_unit("KWD"), 3);
	assert_int_equal(currency_minor_unit("BHD"), 3);
	assert_int_equal(currency_minor_unit("TND"), 3);
	assert_int_equal(currency_minor_unit("CLF"), 4);
	assert_int_equal(currency_minor_unit("UYW"), 4);
	assert_int_equal(currency_minor_unit("XAU"), -1);
	assert_int_equal(currency_minor_unit("XDR"), -1);
	assert_int_equal(currency_minor_unit("XXX"), -1);
	/* Not a code at all. */
	assert_int_equal(currency_minor_unit(""), -1);
	assert_int_equal(currency_minor_unit("KR"), -1);
	assert_int_equal(currency_minor_unit("KRWX"), -1);
	assert_int_equal(currency_minor_unit("krw"), -1);
	assert_int_equal(currency_minor_unit(NULL), -1);
	/* A code that is the tail of one list entry and the head of the
	 * next must not match across the space. */
	assert_int_equal(currency_minor_unit("F K"), -1);
	assert_int_equal(currency_minor_unit("W P"), -1);
}

static void
refused(const char *code, const char *why)
{
	char err[256] = "";

	assert_int_equal(currency_valid(code, err, sizeof err), 0);
	if (strstr(err, why) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", code, err, why);
}

static void
valid_codes_are_iso_4217_with_a_minor_unit(void **state)
{
	static const char *const good[] = {
		"KRW", "JPY", "USD", "EUR", "GBP", "KWD", "CLF", "XOF", "CHF",
		"INR", "SLE", "VES",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!currency_valid(good[i], err, sizeof err))
			fail_msg("%s refused: %s", good[i], err);
	refused("ABC", "not an ISO 4217 currency code");
	refused("QQQ", "not an ISO 4217 currency code");
	refused("XAU", "no minor unit");
	refused("XTS", "no minor unit");
	refused("usd", "three capital letters");
	refused("US", "three capital letters");
	refused("", "three capital letters");
	refused("\xc3\x9cSD", "three capital letters");
}

static void
expect(const char *code, int64_t amount, const char *text)
{
	char out[CURRENCY_TEXT_MAX];

	assert_string_equal(currency_format(out, code, amount), text);
}

static void
amounts_by_their_own_minor_unit(void **state)
{
	(void)state;
	/* The five with a symbol. */
	expect("KRW", 165000, "\u20a9165,000");
	expect("KRW", 0, "\u20a90");
	expect("JPY", 500, "\u00a5500");
	expect("USD", 123450, "$1,234.50");
	expect("USD", 5, "$0.05");
	expect("USD", 0, "$0.00");
	expect("EUR", 100, "\u20ac1.00");
	expect("GBP", 99, "\u00a30.99");
	/* Any other, by its own minor unit, with its code. */
	expect("KWD", 12345, "12.345 KWD");
	expect("KWD", 1, "0.001 KWD");
	expect("BHD", 1000000, "1,000.000 BHD");
	expect("CLF", 12345, "1.2345 CLF");
	expect("XOF", 1000, "1,000 XOF");
	expect("CHF", 1999, "19.99 CHF");
	expect("INR", 10000000, "100,000.00 INR");
	/* No minor unit in ISO: whole numbers. */
	expect("XAU", 12, "12 XAU");
	/* Negative amounts, and below one unit. */
	expect("USD", -5, "\u2212$0.05");
	expect("USD", -123450, "\u2212$1,234.50");
	expect("KWD", -1, "\u22120.001 KWD");
	expect("KRW", -1000, "\u2212\u20a91,000");
	/* The ends of int64. */
	expect("KRW", INT64_MAX, "\u20a99,223,372,036,854,775,807");
	expect("USD", INT64_MAX, "$92,233,720,368,547,758.07");
	expect("KWD", INT64_MIN, "\u22129,223,372,036,854,775.808 KWD");
	expect("CLF", INT64_MIN, "\u2212922,337,203,685,477.5808 CLF");
	/* A code that is not one: the number, nothing made up around it. */
	expect("??", 1234, "1,234");
}

/* A ledger's movements: one sign each way, the minus never a hyphen. */
static void
signed_amounts(void **state)
{
	char out[CURRENCY_TEXT_MAX];

	(void)state;
	assert_string_equal(currency_format_signed(out, "KRW", 132000),
	    "+\u20a9132,000");
	assert_string_equal(currency_format_signed(out, "KRW", -264000),
	    "\u2212\u20a9264,000");
	assert_string_equal(currency_format_signed(out, "KRW", 0), "\u20a90");
	assert_string_equal(currency_format_signed(out, "USD", INT64_MAX),
	    "+$92,233,720,368,547,758.07");
	assert_string_equal(currency_format_signed(out, "CLF", INT64_MIN),
	    "\u2212922,337,203,685,477.5808 CLF");
	assert_null(strchr(currency_format(out, "KRW", -1), '-'));
}

static void
parses(const char *code, const char *text, int64_t want)
{
	int64_t got = -1;

	if (!currency_parse(code, text, 1, INT64_MAX, &got))
		fail_msg("%s \"%s\" refused", code, text);
	assert_int_equal(got, want);
}

static void
refuses(const char *code, const char *text)
{
	int64_t got = -1;

	if (currency_parse(code, text, 1, INT64_MAX, &got))
		fail_msg("%s \"%s\" read as %lld", code, text, (long long)got);
	assert_int_equal(got, -1);
}

/* What a person types into the top-up form, by the currency's minor unit. */
static void
amounts_as_typed(void **state)
{
	static const char *const never[] = {
		"", "-5", "+5", " 5", "5 ", "1,000", "1e3", "0x10", "05", "00",
		"0", "5.", ".5", "5..0", "5.0.0", "ï¼", "5\n",
	};
	char out[CURRENCY_TEXT_MAX];
	int64_t v;

	(void)state;
	parses("KRW", "165000", 165000);
	parses("USD", "12", 1200);
	parses("USD", "12.5", 1250);
	parses("USD", "12.50", 1250);
	parses("USD", "0.01", 1);
	parses("KWD", "12.345", 12345);
	parses("KWD", "0.5", 500);
	parses("CLF", "1.2345", 12345);
	parses("USD", "92233720368547758.07", INT64_MAX);
	refuses("KRW", "1.5");     /* won have no minor unit */
	refuses("KRW", "165000.0");
	refuses("USD", "1.234");   /* cents: two decimals at most */
	refuses("KWD", "1.2345");
	refuses("USD", "0.00");    /* below the minimum of 1 */
	refuses("USD", "92233720368547758.08");
	refuses("KRW", "9223372036854775808");
	refuses("KRW", "99999999999999999999999");
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		refuses("USD", never[i]);
		refuses("KRW", never[i]);
	}
	/* The range is the caller's. */
	assert_int_equal(currency_parse("USD", "10000.01", 1, 1000000, &v), 0);
	assert_int_equal(currency_parse("USD", "10000.00", 1, 1000000, &v), 1);
	assert_int_equal(v, 1000000);
	/* And back, for a form field. */
	assert_string_equal(currency_plain(out, "USD", 1250), "12.50");
	assert_string_equal(currency_plain(out, "USD", 5), "0.05");
	assert_string_equal(currency_plain(out, "KWD", 165000), "165.000");
	assert_string_equal(currency_plain(out, "CLF", 12345), "1.2345");
	assert_string_equal(currency_plain(out, "KRW", 165000), "165000");
	assert_string_equal(currency_plain(out, "USD", INT64_MAX),
	    "92233720368547758.07");
	parses("KWD", currency_plain(out, "KWD", 7), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minor_units_by_currency),
		cmocka_unit_test(valid_codes_are_iso_4217_with_a_minor_unit),
		cmocka_unit_test(amounts_by_their_own_minor_unit),
		cmocka_unit_test(signed_amounts),
		cmocka_unit_test(amounts_as_typed),
	};

	return cmocka_run_group_tests_name("currency", tests, NULL, NULL);
}
