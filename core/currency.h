/*
 * currency.h — ISO 4217 currencies: which codes exist, how many digits
 * their minor unit has, and how an amount reads.
 *
 * Every amount boxoffice keeps (seat prices, ledger rows, payments, the
 * API's integers) is a whole number of the currency's minor unit: won
 * (KRW, no minor unit), cents (USD, 2 digits), fils (KWD, 3 digits).
 * So the minor unit decides both how an amount is shown and what it is
 * worth, which is why the currency may not change once amounts exist
 * (setting.c).
 *
 * The list of codes is Debian's iso-codes (ISO_4217_JSON); the minor
 * units are a table here (currency.c says why and where from).
 */
#ifndef BOXOFFICE_CURRENCY_H
#define BOXOFFICE_CURRENCY_H

#include <stddef.h>
#include <stdint.h>

#define ISO_4217_JSON "/usr/share/iso-codes/json/iso_4217.json"

/* The longest text currency_format() writes, with its NUL: a sign (3
 * bytes), 19 digits, 6 group commas, a point, a space or symbol (3) and a
 * code. */
#define CURRENCY_TEXT_MAX 48

/* The sign of a negative amount: U+2212 MINUS SIGN, never a hyphen. */
#define CURRENCY_MINUS "\u2212"

/*
 * The digits of code's minor unit (0 to 4), or -1 when code is not three
 * capital letters or is one of ISO 4217's units with no minor unit (gold,
 * SDR, the testing code…). Does not read the code list: a well-formed
 * code ISO does not know is taken as 2 digits, ISO's most common.
 */
int currency_minor_unit(const char *code);

/*
 * Whether code may be the box office's currency: an active ISO 4217 code
 * in Debian's iso-codes list that has a minor unit. On 0 writes the
 * reason into err (len errlen).
 */
int currency_valid(const char *code, char *err, size_t errlen);

/*
 * Writes amount, a whole number of code's minor unit, as people read it
 * into out (CURRENCY_TEXT_MAX bytes): "₩165,000", "$1,234.50", "€0.05",
 * "£12.00", "¥500" for the five with a symbol we show; "12.345 KWD",
 * "1,000 XOF" for any other; a negative amount starts with
 * CURRENCY_MINUS ("−₩264,000"). A code with no minor unit shows whole
 * numbers. Returns out.
 */
char *currency_format(char out[CURRENCY_TEXT_MAX], const char *code,
    int64_t amount);
/* The same for a movement of money, signed both ways: "+₩132,000",
 * "−₩264,000", "₩0". The one way every page writes a ledger's amount. */
char *currency_format_signed(char out[CURRENCY_TEXT_MAX], const char *code,
    int64_t amount);

/*
 * Reads text as a person writes an amount of code, into a whole number of
 * its minor unit: digits, then for a currency with a minor unit
 * optionally a point and one to that many digits ("12", "12.5" and
 * "12.50" are 1250 in USD; "165000" in KRW). No sign, spaces, grouping,
 * leading zeros or exponent. 1 with *out within [min, max], else 0.
 */
int currency_parse(const char *code, const char *text, int64_t min,
    int64_t max, int64_t *out);

/*
 * Writes amount (>= 0) as currency_parse() reads it back, for a form
 * field: "1650.00" in USD, "165000" in KRW. Returns out.
 */
char *currency_plain(char out[CURRENCY_TEXT_MAX], const char *code,
    int64_t amount);

#endif
