/*
 * test_lang.c — the message catalogs and the language choice
 * (cgi-bin/mo.h, cgi-bin/lang.h).
 *
 * Catalogs are made here by Debian's msgfmt from small .po texts (the
 * real tool's output, not a hand-made imitation), then read: contexts,
 * untranslated and fuzzy messages, and damaged files refused with a
 * reason. Accept-Language as browsers send it, q-values and ties, and the
 * cookie over it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang.h"
#include "mo.h"
#include "tmpl.h"

static char dir[] = "/tmp/boxoffice-lang-XXXXXX";

static const char *PO =
    "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
    "msgctxt \"language name\"\nmsgid \"English\"\nmsgstr \"한국어\"\n\n"
    "msgid \"Sold out\"\nmsgstr \"매진\"\n\n"
    "msgctxt \"weekday\"\nmsgid \"Mon\"\nmsgstr \"월\"\n\n"
    "msgid \"Mon\"\nmsgstr \"월요일\"\n\n"
    "msgid \"Untranslated\"\nmsgstr \"\"\n\n"
    "#, fuzzy\nmsgid \"Fuzzy\"\nmsgstr \"대충\"\n";

/* dir/name.mo compiled from po by msgfmt. */
static void
compile(const char *name, const char *po)
{
	char src[256], cmd[600];
	FILE *f;

	snprintf(src, sizeof src, "%s/%s.po", dir, name);
	f = fopen(src, "w");
	assert_non_null(f);
	fputs(po, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "msgfmt -o %s/%s.mo %s", dir, name, src);
	assert_int_equal(system(cmd), 0);
	unlink(src);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	compile("ko", PO);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void
reads_what_msgfmt_wrote(void **state)
{
	char path[256], err[MO_ERR_MAX];
	struct mo *m;

	(void)state;
	snprintf(path, sizeof path, "%s/ko.mo", dir);
	m = mo_load(path, err);
	assert_non_null(m);
	assert_string_equal(mo_lookup(m, NULL, "Sold out"), "매진");
	assert_string_equal(mo_lookup(m, "language name", "English"), "한국어");
	/* A context is part of the key: the same msgid reads differently. */
	assert_string_equal(mo_lookup(m, "weekday", "Mon"), "월");
	assert_string_equal(mo_lookup(m, NULL, "Mon"), "월요일");
	assert_null(mo_lookup(m, "month", "Mon"));
	assert_null(mo_lookup(m, NULL, "English"));
	/* msgfmt leaves untranslated and fuzzy messages out. */
	assert_null(mo_lookup(m, NULL, "Untranslated"));
	assert_null(mo_lookup(m, NULL, "Fuzzy"));
	assert_null(mo_lookup(m, NULL, "Never heard of"));
	mo_free(m);
}

/* A copy of ko.mo with bytes [at, at + n) replaced, or cut at len. */
static void
damaged(const char *name, long at, const void *bytes, size_t n, long len)
{
	char src[256], dst[256];
	unsigned char buf[8192];
	FILE *f;
	size_t got;

	snprintf(src, sizeof src, "%s/ko.mo", dir);
	snprintf(dst, sizeof dst, "%s/%s", dir, name);
	f = fopen(src, "rb");
	got = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (bytes != NULL)
		memcpy(buf + at, bytes, n);
	if (len >= 0 && (size_t)len < got)
		got = (size_t)len;
	f = fopen(dst, "wb");
	fwrite(buf, 1, got, f);
	fclose(f);
}

static void
refuses_a_damaged_catalog(void **state)
{
	static const struct {
		const char *name, *why;
		long at;
		const char *bytes;
		size_t n;
		long len;
	} cases[] = {
		{ "magic.mo", "magic", 0, "\x00\x00\x00\x00", 4, -1 },
		{ "short.mo", "too short", 0, NULL, 0, 10 },
		{ "cut.mo", "outside", 0, NULL, 0, 60 },
		{ "count.mo", "count", 8, "\xff\xff\xff\x7f", 4, -1 },
		{ "offset.mo", "outside", 12, "\xf0\xff\xff\x0f", 4, -1 },
		{ "revision.mo", "revision", 4, "\x00\x00\x05\x00", 4, -1 },
	};
	char path[256], err[MO_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		damaged(cases[i].name, cases[i].at, cases[i].bytes, cases[i].n,
		    cases[i].len);
		snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
		assert_null(mo_load(path, err));
		if (strstr(err, cases[i].why) == NULL) {
			print_error("%s: %s\n", cases[i].name, err);
			fail();
		}
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/none.mo", dir);
	assert_null(mo_load(path, err));
	assert_non_null(strstr(err, "No such file"));
}

/* ko.mo's bytes (at most 8 KiB) into buf; its size. */
static size_t
read_ko(unsigned char *buf, size_t cap)
{
	char path[256];
	FILE *f;
	size_t got;

	snprintf(path, sizeof path, "%s/ko.mo", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	got = fread(buf, 1, cap, f);
	fclose(f);
	assert_true(got > 28 && got < cap);
	return got;
}

/* mo_load of these bytes, written to dir/name. */
static struct mo *
load_bytes(const char *name, const unsigned char *buf, size_t n, char *err)
{
	char path[256];
	struct mo *m;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	m = mo_load(path, err);
	unlink(path);
	return m;
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4); /* msgfmt wrote this machine's byte order */
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The tables' offsets and lengths are the writer's word: each one that
 * points outside the file, past its end by a wrap-around, or at a string
 * without its NUL is refused with a reason, never read (the unit build
 * has AddressSanitizer); so is every cut of the file, and a byte
 * changed anywhere in the header and tables loads or is refused without
 * a fault. */
static void
refuses_tables_that_lie(void **state)
{
	unsigned char ko[8192], buf[8192];
	char err[MO_ERR_MAX];
	size_t size = read_ko(ko, sizeof ko);
	uint32_t n = get32(ko + 8), otab = get32(ko + 12), ttab = get32(ko + 16);
	static const char *const keys[] = { "Sold out", "Mon", "", "zzz" };
	struct mo *m;
	const struct {
		const char *what, *why;
		uint32_t at, value;
	} lies[] = {
		{ "translations table past the end", "outside", 16, 0x0ffffff0u },
		{ "translations table wrapping", "outside", 16, 0xfffffffcu },
		{ "a length of 4 GiB", "outside", ttab + 8, 0xffffffffu },
		{ "an offset wrapping", "outside", otab + 12, 0xfffffff8u },
		{ "a string without its NUL", "outside", otab + 8,
		    get32(ko + otab + 8) + 1 },
		{ "two originals the same", "not sorted", otab + 12,
		    get32(ko + otab + 4) },
	};

	(void)state;
	assert_true(n >= 3);
	for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
		memcpy(buf, ko, size);
		put32(buf + lies[i].at, lies[i].value);
		if (strcmp(lies[i].why, "not sorted") == 0)
			put32(buf + otab + 8, get32(ko + otab)); /* and its length */
		m = load_bytes("lie.mo", buf, size, err);
		if (m != NULL || strstr(err, lies[i].why) == NULL) {
			print_error("%s: %s\n", lies[i].what, m ? "loaded" : err);
			fail();
		}
	}
	/* Every cut: the last string loses its NUL, or a table its words. */
	for (size_t len = 0; len < size; len++) {
		m = load_bytes("cut.mo", ko, len, err);
		if (m != NULL) {
			print_error("cut at %zu of %zu: loaded\n", len, size);
			fail();
		}
		assert_true(err[0] != '\0');
	}
	/* Any one byte of the header and tables changed: loaded (then looked
	 * up) or refused, never a fault. */
	for (size_t at = 0; at < ttab + 8 * (size_t)n && at < size; at++) {
		static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };

		for (size_t b = 0; b < sizeof bytes; b++) {
			memcpy(buf, ko, size);
			buf[at] = bytes[b];
			if ((m = load_bytes("flip.mo", buf, size, err)) == NULL)
				continue;
			for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
				(void)mo_lookup(m, NULL, keys[k]);
				(void)mo_lookup(m, "weekday", keys[k]);
			}
			mo_free(m);
		}
	}
}

static void
languages_from_the_catalogs(void **state)
{
	struct langs ls;
	char err[MO_ERR_MAX], path[256];

	(void)state;
	assert_int_equal(langs_load(&ls, dir, err), 0);
	assert_int_equal(ls.n, 2);
	assert_string_equal(ls.l[0].code, "en");
	assert_string_equal(ls.l[1].code, "ko");
	assert_string_equal(ls.l[1].name, "한국어");
	assert_string_equal(langs_tr(&ls, 1, NULL, "Sold out"), "매진");
	assert_string_equal(langs_tr(&ls, 0, NULL, "Sold out"), "Sold out");
	assert_string_equal(langs_tr(&ls, 1, NULL, "Untranslated"), "Untranslated");
	langs_free(&ls);
	/* No folder: English alone. */
	assert_int_equal(langs_load(&ls, "/nonexistent/catalogs", err), 0);
	assert_int_equal(ls.n, 1);
	langs_free(&ls);
	/* A third language is a file: pt_BR.mo is served as pt-BR. */
	compile("pt_BR", "msgid \"\"\nmsgstr \"Content-Type: text/plain; "
	    "charset=UTF-8\\n\"\n\nmsgctxt \"language name\"\nmsgid \"English\"\n"
	    "msgstr \"Português\"\n");
	assert_int_equal(langs_load(&ls, dir, err), 0);
	assert_int_equal(ls.n, 3);
	assert_int_equal(langs_find(&ls, "pt-br"), 2);
	assert_string_equal(ls.l[2].name, "Português");
	assert_int_equal(langs_choose(&ls, NULL, "pt-PT, ko;q=0.9"), 2);
	langs_free(&ls);
	snprintf(path, sizeof path, "%s/pt_BR.mo", dir);
	unlink(path);
	/* A file whose name is no language tag stops the start. */
	snprintf(path, sizeof path, "%s/k o.mo", dir);
	fclose(fopen(path, "w"));
	assert_int_equal(langs_load(&ls, dir, err), -1);
	assert_non_null(strstr(err, "not a language tag"));
	unlink(path);
}

static void
accept_language_and_the_cookie(void **state)
{
	static const struct {
		const char *cookie, *accept, *want;
	} cases[] = {
		{ NULL, NULL, "en" },
		{ NULL, "", "en" },
		{ NULL, "ko", "ko" },
		{ NULL, "ko-KR", "ko" },
		{ NULL, "KO-kr,ko;q=0.9", "ko" },
		{ NULL, "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko" },
		{ NULL, "en-US,en;q=0.9,ko;q=0.8", "en" },
		{ NULL, "fr-CH, fr;q=0.9, ko;q=0.8, *;q=0.5", "ko" },
		{ NULL, "ko;q=0.2, en;q=0.9", "en" },
		{ NULL, "ko;q=0", "en" },
		{ NULL, "ko;q=0.000, en;q=0.001", "en" },
		{ NULL, "en;q=0.5, ko;q=0.5", "en" }, /* a tie: the first listed */
		{ NULL, "ko;q=0.5, en;q=0.5", "ko" },
		{ NULL, " ko ; q=1 ", "ko" },
		{ NULL, "kok, kor", "en" }, /* not Korean: other languages */
		{ NULL, ",,;;q=,ko;q=x", "en" },
		{ NULL, "ko;q=, en;q=0.5", "en" }, /* an empty q is malformed: 0 */
		{ NULL, "ko;Q=", "en" },
		{ NULL, "ko;level=1", "ko" }, /* another parameter: weight 1 */
		{ NULL, "*", "en" },
		{ "ko", "en", "ko" },
		{ "en", "ko", "en" },
		{ "xx", "ko", "ko" },
		{ "", "ko", "ko" },
	};
	struct langs ls;
	char err[MO_ERR_MAX];

	(void)state;
	assert_int_equal(langs_load(&ls, dir, err), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = langs_choose(&ls, cases[i].cookie, cases[i].accept);

		if (strcmp(ls.l[got].code, cases[i].want) != 0) {
			print_error("cookie %s, Accept-Language [%s]: %s, want %s\n",
			    cases[i].cookie ? cases[i].cookie : "(none)",
			    cases[i].accept ? cases[i].accept : "(none)",
			    ls.l[got].code, cases[i].want);
			fail();
		}
	}
	langs_free(&ls);
}

/* A translation is template text: one that drops or adds a value of its
 * msgid stops the program at start, naming the file, line and language. */
static void
a_translation_keeps_its_msgids_tags(void **state)
{
	char err[TMPL_ERR_MAX], sub[300], cmd[400];
	struct tmpl_set *set;

	(void)state;
	snprintf(sub, sizeof sub, "%s/bad", dir);
	snprintf(cmd, sizeof cmd, "mkdir -p %s", sub);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "printf 'msgid \"Sold out\"\\nmsgstr "
	    "\"{{seats_left}} 매진\"\\n' | msgfmt -o %s/ko.mo -", sub);
	assert_int_equal(system(cmd), 0);
	set = tmpl_load("templates", sub, err);
	assert_null(set);
	if (strstr(err, "templates/home.html:") == NULL ||
	    strstr(err, "the ko translation of \"Sold out\" uses the tags "
	    "{{seats_left}}, its msgid (none)") == NULL) {
		print_error("%s\n", err);
		fail();
	}
	/* The real catalogs load. */
	set = tmpl_load("templates", "build/locale", err);
	assert_non_null(set);
	assert_true(tmpl_langs(set)->n >= 2);
	tmpl_free(set);
}

/* Plurals: the form for a number by the catalog's Plural-Forms (one
 * form in Korean; singular for 1 in a two-form language), the source's
 * English when the catalog has none, and a rule this reader cannot
 * evaluate refused at load rather than shown wrong. */
static void
plural_forms(void **state)
{
	static const char *entry =
	    "msgid \"%s ticket\"\nmsgid_plural \"%s tickets\"\n";
	char po[1024], path[256], err[MO_ERR_MAX];
	struct mo *m;

	(void)state;
	snprintf(po, sizeof po, "msgid \"\"\nmsgstr \"Content-Type: text/plain; "
	    "charset=UTF-8\\nPlural-Forms: nplurals=1; plural=0;\\n\"\n\n%s"
	    "msgstr[0] \"티켓 %%s장\"\n", entry);
	compile("ko1", po);
	snprintf(path, sizeof path, "%s/ko1.mo", dir);
	assert_non_null(m = mo_load(path, err));
	assert_string_equal(mo_lookup_n(m, NULL, "%s ticket", 1), "티켓 %s장");
	assert_string_equal(mo_lookup_n(m, NULL, "%s ticket", 3), "티켓 %s장");
	assert_null(mo_lookup_n(m, NULL, "%s seat", 3));
	mo_free(m);

	snprintf(po, sizeof po, "msgid \"\"\nmsgstr \"Content-Type: text/plain; "
	    "charset=UTF-8\\nPlural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n"
	    "%smsgstr[0] \"%%s Karte\"\nmsgstr[1] \"%%s Karten\"\n", entry);
	compile("de", po);
	snprintf(path, sizeof path, "%s/de.mo", dir);
	assert_non_null(m = mo_load(path, err));
	assert_string_equal(mo_lookup_n(m, NULL, "%s ticket", 1), "%s Karte");
	assert_string_equal(mo_lookup_n(m, NULL, "%s ticket", 0), "%s Karten");
	assert_string_equal(mo_lookup_n(m, NULL, "%s ticket", 3), "%s Karten");
	mo_free(m);

	/* Polish: three forms by a rule with % and ||. */
	snprintf(po, sizeof po, "msgid \"\"\nmsgstr \"Content-Type: text/plain; "
	    "charset=UTF-8\\nPlural-Forms: nplurals=3; plural=(n==1 ? 0 : "
	    "n%%10>=2 && n%%10<=4 && (n%%100<10 || n%%100>=20) ? 1 : 2);\\n\"\n\n"
	    "%smsgstr[0] \"%%s bilet\"\nmsgstr[1] \"%%s bilety\"\n"
	    "msgstr[2] \"%%s biletów\"\n", entry);
	compile("pl", po);
	snprintf(path, sizeof path, "%s/pl.mo", dir);
	assert_null(mo_load(path, err));
	assert_non_null(strstr(err, "Plural-Forms"));
	unlink(path); /* the other tests read the directory's catalogs */
	snprintf(path, sizeof path, "%s/de.mo", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/ko1.mo", dir);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_msgfmt_wrote),
		cmocka_unit_test(refuses_a_damaged_catalog),
		cmocka_unit_test(refuses_tables_that_lie),
		cmocka_unit_test(languages_from_the_catalogs),
		cmocka_unit_test(accept_language_and_the_cookie),
		cmocka_unit_test(a_translation_keeps_its_msgids_tags),
		cmocka_unit_test(plural_forms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
