/*
 * currency.c — ISO 4217 codes, minor units and amounts as text (see
 * currency.h).
 *
 * Why the minor units are a table here: Debian's iso-codes (which gives
 * the codes, read at run time) has no minor units, neither in its JSON
 * nor in its older XML. Debian has them only inside other programs, none
 * of them a data file kept to ISO: python3-moneyed's classes.py (Python
 * source, matches ISO), ruby-money's currency_iso.json (deliberately not
 * ISO: HUF 0, MGA and MRU 1/5), Locale::Currency::Format (ISK and VND
 * wrong), glibc's locale sources (per locale, and at odds with ISO for
 * DZD and MAD), ICU (CLDR's display digits: IQD, LAK, RSD… 0). So the
 * table below is ISO 4217 list one as published by its maintenance agency
 * (SIX) for every code of iso-codes 4.15, checked against
 * python3-moneyed 2.0. Only the exceptions are listed: every other code
 * has 2 digits.
 */
#include "currency.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *codes; /* space-separated */
	int digits;        /* -1: ISO 4217 gives no minor unit ("N.A.") */
} exceptions[] = {
	{ "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
	  0 },
	{ "BHD IQD JOD KWD LYD OMR TND", 3 },
	{ "CLF UYW", 4 },
	/* gold, silver, platinum, palladium, the bond-market units, the SDR,
	 * the ADB unit, the SUCRE, the testing code and "no currency" */
	{ "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX", -1 },
};

/* The symbols we show; any other code is written after the amount. */
static const struct {
	const char *code, *symbol;
} symbols[] = {
	{ "KRW", "\u20a9" }, { "JPY", "\u00a5" }, { "USD", "$" },
	{ "EUR", "\u20ac" }, { "GBP", "\u00a3" },
};

static int
well_formed(const char *code)
{
	return code != NULL && strlen(code) == 3 && isupper((unsigned char)code[0]) &&
	    isupper((unsigned char)code[1]) && isupper((unsigned char)code[2]) &&
	    isascii((unsigned char)code[0]) && isascii((unsigned char)code[1]) &&
	    isascii((unsigned char)code[2]);
}

int
currency_minor_unit(const char *code)
{
	if (!well_formed(code))
		return -1;
	for (size_t i = 0; i < sizeof exceptions / sizeof exceptions[0]; i++) {
		/* Codes are separated by single spaces: a match at a
		 * multiple of 4 is a whole code. */
		for (const char *p = exceptions[i].codes; *p; p += p[3] ? 4 : 3)
			if (memcmp(p, code, 3) == 0)
				return exceptions[i].digits;
	}
	return 2;
}

/* Whether Debian's ISO 4217 list has code; -1 when it cannot be read. */
static int
listed(const char *code)
{
	json_error_t jerr;
	json_t *doc = json_load_file(ISO_4217_JSON, 0, &jerr), *list, *e;
	size_t i;
	int found = 0;

	if (doc == NULL)
		return -1;
	if (!json_is_array(list = json_object_get(doc, "4217"))) {
		json_decref(doc);
		return -1;
	}
	json_array_foreach(list, i, e) {
		const char *a = json_string_value(json_object_get(e, "alpha_3"));

		if (a != NULL && strcmp(a, code) == 0) {
			found = 1;
			break;
		}
	}
	json_decref(doc);
	return found;
}

int
currency_valid(const char *code, char *err, size_t errlen)
{
	int in;

	if (!well_formed(code)) {
		snprintf(err, errlen, "currency must be an ISO 4217 code: three "
		    "capital letters, like KRW or USD");
		return 0;
	}
	if ((in = listed(code)) < 0) {
		snprintf(err, errlen, "cannot read the ISO 4217 list %s (install "
		    "Debian's iso-codes)", ISO_4217_JSON);
		return 0;
	}
	if (!in) {
		snprintf(err, errlen, "'%s' is not an ISO 4217 currency code "
		    "(see %s)", code, ISO_4217_JSON);
		return 0;
	}
	if (currency_minor_unit(code) < 0) {
		snprintf(err, errlen, "'%s' is not money for tickets: ISO 4217 "
		    "gives it no minor unit", code);
		return 0;
	}
	return 1;
}

/* Writes n with a comma between groups of three digits; returns the end. */
static char *
grouped(char *p, uint64_t n)
{
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%" PRIu64, n);

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			*p++ = ',';
		*p++ = digits[i];
	}
	return p;
}

char *
currency_format(char out[CURRENCY_TEXT_MAX], const char *code, int64_t amount)
{
	/* The magnitude as unsigned, so that INT64_MIN has one too. */
	uint64_t mag = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
	uint64_t scale = 1;
	const char *symbol = NULL;
	int digits = currency_minor_unit(code);
	char *p = out;

	if (digits < 0)
		digits = 0;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
		if (code != NULL && strcmp(code, symbols[i].code) == 0)
			symbol = symbols[i].symbol;
	if (amount < 0) { /* the minus sign, as a typesetter writes it */
		memcpy(p, CURRENCY_MINUS, strlen(CURRENCY_MINUS));
		p += strlen(CURRENCY_MINUS);
	}
	if (symbol != NULL) {
		memcpy(p, symbol, strlen(symbol));
		p += strlen(symbol);
	}
	p = grouped(p, mag / scale);
	if (digits > 0)
		p += snprintf(p, CURRENCY_TEXT_MAX - (size_t)(p - out),
		    ".%0*" PRIu64, digits, mag % scale);
	if (symbol == NULL && well_formed(code))
		snprintf(p, CURRENCY_TEXT_MAX - (size_t)(p - out), " %s", code);
	else
		*p = '\0';
	return out;
}

char *
currency_format_signed(char out[CURRENCY_TEXT_MAX], const char *code,
    int64_t amount)
{
	char mag[CURRENCY_TEXT_MAX];

	if (amount <= 0)
		return currency_format(out, code, amount);
	/* A positive amount leaves the sign's 3 bytes free for a '+'. */
	snprintf(out, CURRENCY_TEXT_MAX, "+%s", currency_format(mag, code,
	    amount));
	return out;
}

int
currency_parse(const char *code, const char *text, int64_t min, int64_t max,
    int64_t *out)
{
	int digits = currency_minor_unit(code);
	uint64_t v = 0;
	const char *p = text;
	int frac = 0;

	if (digits < 0)
		digits = 0;
	if (text == NULL || !isdigit((unsigned char)*p) ||
	    (p[0] == '0' && isdigit((unsigned char)p[1])))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.' && digits > 0) {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (++frac > digits || v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		if (frac == 0)
			return 0;
	}
	if (*p != '\0')
		return 0;
	for (; frac < digits; frac++) {
		if (v > UINT64_MAX / 10)
			return 0;
		v *= 10;
	}
	if (v > (uint64_t)INT64_MAX || (int64_t)v < min || (int64_t)v > max)
		return 0;
	*out = (int64_t)v;
	return 1;
}

char *
currency_plain(char out[CURRENCY_TEXT_MAX], const char *code, int64_t amount)
{
	int digits = currency_minor_unit(code);
	uint64_t scale = 1, mag;

	assert(amount >= 0);
	mag = (uint64_t)amount;
	if (digits <= 0) {
		snprintf(out, CURRENCY_TEXT_MAX, "%" PRIu64, mag);
		return out;
	}
	for (int i = 0; i < digits; i++)
		scale *= 10;
	{
		int n = snprintf(out, CURRENCY_TEXT_MAX, "%" PRIu64 ".", mag / scale);
		uint64_t frac = mag % scale;

		/* digits is at most 4: the fraction, zero-padded, from the end */
		for (int i = digits - 1; i >= 0; i--, frac /= 10)
			out[n + i] = (char)('0' + frac % 10);
		out[n + digits] = '\0';
	}
	return out;
}
