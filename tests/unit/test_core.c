/*
 * test_core.c — core/ against a real SQLite file in a fresh mkdtemp folder.
 *
 * Covers db_open/db_migrate (user_version reaches db_schema_latest(), and
 * migrating again changes nothing); settings (defaults, validation with a
 * message, a stored value read back, the version every write moves, the
 * currency fixed once amounts exist); accounts (sign-up and its session,
 * duplicate e-mail ignoring case, weak passwords and bad e-mails, login
 * right/wrong/unknown; the login throttle is test_login.c's); sessions (destroy,
 * expiry, purge); the catalogue after demo_load (concert list order and
 * seat counts, unknown ids, the 1,000-seat hall in section order, sale-state
 * boundaries) and lazy hold expiry: a HELD hold counts until expires_at and
 * not at it, a PAID one always, a RELEASED or EXPIRED one never.
 *
 * scrypt costs ~70 ms a call: the account tests make 13 such calls (14
 * while signup_refuses_email_as_typed fails: that sign-up goes through).
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

#include "account.h"
#include "arena.h"
#include "catalog.h"
#include "db.h"
#include "demo.h"
#include "parse.h"
#include "setting.h"

#include "fixture.h"

/* 2026-01-01 00:00:00 UTC: every test's clock. */
#define NOW INT64_C(1767225600)
#define TTL INT64_C(3600)
#define PASSWORD "correct horse battery"

/* The fixture is fx_db (fixture.h): a fresh, migrated, empty database
 * per test, and an arena. */

static int
demo_setup(void **state)
{
	if (fx_db_setup(state) != 0)
		return -1;
	return demo_load(((struct fx_db *)*state)->db, NOW) == BO_OK ? 0 : -1;
}

/* ---- migrations ---- */

static void
migrate_sets_user_version(void **state)
{
	struct fx_db *f = *state;

	assert_true(db_schema_latest() >= 1);
	assert_int_equal(db_schema_version(f->db), db_schema_latest());
}

static void
migrate_is_idempotent(void **state)
{
	struct fx_db *f = *state;

	fx_exec(f->db,
	    "INSERT INTO setting(key, value) VALUES ('hold_seconds', '42')");
	assert_int_equal(db_migrate(f->db), BO_OK);
	assert_int_equal(db_schema_version(f->db), db_schema_latest());

	/* And again from a new connection. */
	db_close(f->db);
	assert_non_null(f->db = db_open(f->files.path, 0));
	assert_int_equal(db_migrate(f->db), BO_OK);
	assert_int_equal(db_schema_version(f->db), db_schema_latest());
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM setting"), 1);
}

static void
open_without_create_fails(void **state)
{
	struct fx_db *f = *state;
	char p[128];

	snprintf(p, sizeof p, "%s/absent.db", f->files.dir);
	assert_null(db_open(p, 0));
	assert_int_not_equal(access(p, F_OK), 0);
}

/* ---- settings ---- */

/* The integer field of s that k fills. */
static int64_t
field(const struct settings *s, enum setting_key k)
{
	switch (k) {
	case SETTING_HOLD_SECONDS: return s->hold_seconds;
	case SETTING_QUEUE_CAPACITY: return s->queue_capacity;
	case SETTING_ACTIVE_TTL: return s->active_ttl;
	case SETTING_CLAIM_SECONDS: return s->claim_seconds;
	case SETTING_MAX_HOLDS: return s->max_holds;
	case SETTING_MAX_CHARGE: return s->max_charge;
	case SETTING_SESSION_TTL: return s->session_ttl;
	case SETTING_CANCEL_UNTIL_HOURS: return s->cancel_until_hours;
	default: fail_msg("%s is not an integer setting", setting_name(k));
	}
	return 0;
}

static void
settings_have_defaults(void **state)
{
	struct fx_db *f = *state;
	struct settings s;
	char buf[64];

	assert_int_equal(settings_load(f->db, &s), BO_OK);
	for (int k = 0; k < SETTING__MAX; k++) {
		const char *def = setting_default((enum setting_key)k);
		int64_t v;

		assert_int_equal(setting_lookup(setting_name((enum setting_key)k)), k);
		assert_true(strlen(setting_help((enum setting_key)k)) > 0);
		assert_int_equal(setting_get(f->db, (enum setting_key)k, buf,
		    sizeof buf), BO_OK);
		assert_string_equal(buf, def);
		if (k == SETTING_CURRENCY || k == SETTING_TIMEZONE)
			continue;
		assert_true(parse_int64(def, INT64_MIN, INT64_MAX, &v));
		assert_int_equal(field(&s, (enum setting_key)k), v);
	}
	assert_int_equal(s.hold_seconds, 300);
	assert_string_equal(s.currency, "KRW");
	assert_string_equal(s.timezone, "Asia/Seoul");
	assert_int_equal(setting_lookup("no_such_setting"), SETTING__MAX);
}

static void
set_refused(struct fx_db *f, enum setting_key k, const char *value)
{
	char err[256] = "", buf[64];
	enum bo_status s = setting_set(f->db, k, value, &(struct audit_actor){ 0, "cli:test" }, 0, err, sizeof err);

	if (s != BO_INVALID || err[0] == '\0') {
		print_error("%s = \"%s\": status %d, message \"%s\"\n",
		    setting_name(k), value, (int)s, err);
		fail();
	}
	assert_int_equal(setting_get(f->db, k, buf, sizeof buf), BO_OK);
	assert_string_equal(buf, setting_default(k));
}

static void
set_accepted(struct fx_db *f, enum setting_key k, const char *value)
{
	char err[256] = "", buf[64];
	enum bo_status s = setting_set(f->db, k, value, &(struct audit_actor){ 0, "cli:test" }, 0, err, sizeof err);

	if (s != BO_OK) {
		print_error("%s = \"%s\": status %d, message \"%s\"\n",
		    setting_name(k), value, (int)s, err);
		fail();
	}
	assert_int_equal(setting_get(f->db, k, buf, sizeof buf), BO_OK);
	assert_string_equal(buf, value);
}

static void
settings_are_validated(void **state)
{
	static const char *const bad_numbers[] = {
		"0", "abc", "1e3", "", "-5", "9", "3601", " 300", "300 ", "+300",
		"0300", "30.5", "99999999999999999999",
	};
	static const char *const bad_zones[] = {
		"Mars/Base", "", "/etc/passwd", "../../etc/passwd", "Asia/../UTC",
		"Asia/Seoul; rm", "asia\\seoul",
	};
	static const char *const bad_currencies[] = {
		"krw", "KR", "KRWW", "", "K1W", "₩",
		"ABC", "QQQ", /* three capitals, but not ISO 4217 */
		"XAU", "XTS", "XXX", /* ISO 4217, but no minor unit */
	};
	struct fx_db *f = *state;

	for (size_t i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++)
		set_refused(f, SETTING_HOLD_SECONDS, bad_numbers[i]);
	for (size_t i = 0; i < sizeof bad_zones / sizeof bad_zones[0]; i++)
		set_refused(f, SETTING_TIMEZONE, bad_zones[i]);
	for (size_t i = 0; i < sizeof bad_currencies / sizeof bad_currencies[0]; i++)
		set_refused(f, SETTING_CURRENCY, bad_currencies[i]);
	set_refused(f, SETTING_MAX_HOLDS, "51");
	set_refused(f, SETTING_SESSION_TTL, "299");
	/* "off" only where a setting allows it */
	set_refused(f, SETTING_HOLD_SECONDS, "off");
	set_refused(f, SETTING_CANCEL_UNTIL_HOURS, "Off");
	set_refused(f, SETTING_CANCEL_UNTIL_HOURS, "-1");
	set_refused(f, SETTING_CANCEL_UNTIL_HOURS, "8761");

	set_accepted(f, SETTING_TIMEZONE, "Europe/Paris");
	set_accepted(f, SETTING_TIMEZONE, "UTC");
	set_accepted(f, SETTING_TIMEZONE, "Asia/Seoul");
	set_accepted(f, SETTING_CURRENCY, "USD");
	set_accepted(f, SETTING_CURRENCY, "KWD");
	set_accepted(f, SETTING_CURRENCY, "XOF");
	set_accepted(f, SETTING_HOLD_SECONDS, "10");
	set_accepted(f, SETTING_HOLD_SECONDS, "3600");
	set_accepted(f, SETTING_CANCEL_UNTIL_HOURS, "0");
	set_accepted(f, SETTING_CANCEL_UNTIL_HOURS, "off");
}

/* A directory of the zone database is not a time zone: TZ=Asia would
 * silently show UTC. */
static void
timezone_must_be_a_zone_file(void **state)
{
	struct fx_db *f = *state;

	set_refused(f, SETTING_TIMEZONE, "Asia");
	set_refused(f, SETTING_TIMEZONE, "right");
	set_refused(f, SETTING_TIMEZONE, "leapseconds");
}

static void
settings_load_sees_set_values(void **state)
{
	struct fx_db *f = *state;
	struct settings s;

	set_accepted(f, SETTING_HOLD_SECONDS, "600");
	set_accepted(f, SETTING_MAX_HOLDS, "8");
	set_accepted(f, SETTING_CURRENCY, "EUR");
	set_accepted(f, SETTING_TIMEZONE, "Europe/Paris");
	set_accepted(f, SETTING_HOLD_SECONDS, "900"); /* the latest wins */
	assert_int_equal(settings_load(f->db, &s), BO_OK);
	assert_int_equal(s.cancel_until_hours, 24);
	set_accepted(f, SETTING_CANCEL_UNTIL_HOURS, "off");
	assert_int_equal(settings_load(f->db, &s), BO_OK);
	assert_int_equal(s.cancel_until_hours, -1);
	assert_int_equal(s.hold_seconds, 900);
	assert_int_equal(s.max_holds, 8);
	assert_int_equal(s.queue_capacity, 20);
	assert_string_equal(s.currency, "EUR");
	assert_string_equal(s.timezone, "Europe/Paris");
}

/* Every write of a setting moves the version read with the settings,
 * whoever writes it (boxoffice-admin, or sqlite3 by hand): the workers'
 * caches are keyed on it. */
static void
settings_version_moves_with_every_write(void **state)
{
	struct fx_db *f = *state;
	struct settings a, b, c, d, e;

	assert_int_equal(settings_load(f->db, &a), BO_OK);
	assert_true(a.version >= 0);
	assert_int_equal(settings_load(f->db, &b), BO_OK);
	assert_int_equal(b.version, a.version); /* reading moves nothing */
	set_accepted(f, SETTING_TIMEZONE, "UTC");
	assert_int_equal(settings_load(f->db, &c), BO_OK);
	assert_true(c.version > b.version);
	set_accepted(f, SETTING_TIMEZONE, "Europe/Paris"); /* an update */
	assert_int_equal(settings_load(f->db, &d), BO_OK);
	assert_true(d.version > c.version);
	fx_exec(f->db, "UPDATE setting SET value = 'EUR' WHERE key = 'timezone'");
	fx_exec(f->db, "DELETE FROM setting WHERE key = 'timezone'");
	assert_int_equal(settings_load(f->db, &e), BO_OK);
	assert_int_equal(e.version, d.version + 2);
	assert_string_equal(e.timezone, "Asia/Seoul"); /* the default again */
	/* The counter's row cannot go. */
	assert_int_not_equal(fx_try(f->db, "DELETE FROM settings_version"),
	    SQLITE_OK);
}

/* Amounts are whole numbers of the currency's minor unit: once a seat
 * price or a ledger row exists, another currency would change what they
 * are worth, and is refused with a reason; nothing changes. */
static void
currency_fixed_once_a_ledger_row_exists(void **state)
{
	struct fx_db *f = *state;
	char err[512] = "", buf[16];
	int64_t user;

	set_accepted(f, SETTING_CURRENCY, "USD"); /* no amounts yet: fine */
	assert_int_equal(fx_add_buyers(f->db, 1, NOW, &user), 0);
	fx_exec(f->db, "INSERT INTO ledger(user_id, kind, amount, balance_after,"
	    " created_at) VALUES (%lld, 'CHARGE', 1250, 1250, %lld)",
	    (long long)user, (long long)NOW);
	assert_int_equal(setting_set(f->db, SETTING_CURRENCY, "EUR", &(struct audit_actor){ 0, "cli:test" }, 0, err,
	    sizeof err), BO_CONFLICT);
	assert_non_null(strstr(err, "1 wallet entries"));
	assert_non_null(strstr(err, "before adding any performance"));
	assert_int_equal(setting_get(f->db, SETTING_CURRENCY, buf, sizeof buf),
	    BO_OK);
	assert_string_equal(buf, "USD");
	/* The same currency again changes nothing and is fine. */
	set_accepted(f, SETTING_CURRENCY, "USD");
}

static void
currency_fixed_once_a_seat_exists(void **state)
{
	struct fx_db *f = *state;
	char err[512] = "", buf[16];

	/* demo_setup: seats with prices, no ledger row. */
	assert_int_equal(setting_set(f->db, SETTING_CURRENCY, "USD", &(struct audit_actor){ 0, "cli:test" }, 0, err,
	    sizeof err), BO_CONFLICT);
	assert_non_null(strstr(err, "seat prices, 0 wallet entries"));
	assert_int_equal(setting_get(f->db, SETTING_CURRENCY, buf, sizeof buf),
	    BO_OK);
	assert_string_equal(buf, "KRW");
	set_accepted(f, SETTING_CURRENCY, "KRW");
	/* An unknown code is refused as invalid before anything else. */
	set_refused(f, SETTING_CURRENCY, "ABC");
}

/* ---- accounts ---- */

/* Signs up email (a copy: it is normalised in place) expecting BO_OK. */
static void
signup(struct fx_db *f, const char *email, int64_t now, int64_t ttl,
    struct session_new *out)
{
	char e[ACCOUNT_EMAIL_MAX + 2];
	const char *why = NULL;
	enum bo_status s;

	snprintf(e, sizeof e, "%s", email);
	s = account_signup(f->db, e, PASSWORD, now, ttl, out, &why);
	if (s != BO_OK) {
		print_error("signup %s: status %d: %s\n", email, (int)s,
		    why ? why : "");
		fail();
	}
}

static void
signup_refused(struct fx_db *f, const char *email, const char *password,
    enum bo_status want)
{
	char e[512];
	const char *why = NULL;
	struct session_new out;
	enum bo_status s;

	snprintf(e, sizeof e, "%s", email);
	s = account_signup(f->db, e, password, NOW, TTL, &out, &why);
	/* A refused input says what is wrong with it; a taken e-mail is
	 * worded by the caller. */
	if (s != want || (want == BO_INVALID) != (why != NULL && why[0] != '\0')) {
		print_error("signup \"%s\" / \"%s\": status %d (want %d), why \"%s\"\n",
		    email, password, (int)s, (int)want, why ? why : "(null)");
		fail();
	}
}

static enum bo_status
login(struct fx_db *f, const char *email, const char *password, int64_t now,
    struct session_new *out, int64_t *retry_after)
{
	char e[ACCOUNT_EMAIL_MAX + 2];

	snprintf(e, sizeof e, "%s", email);
	return account_login(f->db, e, password, "192.0.2.1", now, TTL, out,
	    retry_after);
}

static int64_t
users(struct fx_db *f)
{
	return fx_int(f->db, "SELECT count(*) FROM user");
}

static void
signup_opens_a_session(void **state)
{
	struct fx_db *f = *state;
	struct session_new sn;
	struct session_info si;

	signup(f, "Buyer@Example.COM", NOW, TTL, &sn);
	assert_true(sn.user_id > 0);
	assert_int_equal(strlen(sn.token), SESSION_TOKEN_LEN);
	assert_int_equal(strlen(sn.csrf), CSRF_TOKEN_LEN);

	assert_int_equal(session_lookup(f->db, sn.token, NOW, &si), BO_OK);
	assert_int_equal(si.user_id, sn.user_id);
	assert_string_equal(si.email, "buyer@example.com");
	assert_string_equal(si.csrf, sn.csrf);
	assert_int_equal(si.balance, 0);

	/* The database keeps no token in clear. */
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM session"), 1);
	assert_int_equal(fx_int(f->db,
	    "SELECT length(token_hash) FROM session"), 32);
}

static void
lookup_refuses_unknown_tokens(void **state)
{
	struct fx_db *f = *state;
	struct session_info si;
	char other[SESSION_TOKEN_LEN + 1];

	random_token(other, sizeof other, 32);
	assert_int_equal(session_lookup(f->db, other, NOW, &si), BO_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, "", NOW, &si), BO_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, NULL, NOW, &si), BO_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, "short", NOW, &si), BO_NOT_FOUND);
	other[5] = '\'';
	assert_int_equal(session_lookup(f->db, other, NOW, &si), BO_NOT_FOUND);
}

static void
signup_duplicate_email_conflicts(void **state)
{
	struct fx_db *f = *state;
	struct session_new sn;

	signup(f, "a@x.com", NOW, TTL, &sn);
	signup_refused(f, "A@x.com", PASSWORD, BO_CONFLICT);
	assert_int_equal(users(f), 1);
}

static void
signup_refuses_weak_passwords(void **state)
{
	static const char *const weak[] = {
		"", "short", "7chars!", "aaaaaaaaaa", "password", "12345678",
		"qwerty123",
	};
	struct fx_db *f = *state;
	char long_pw[ACCOUNT_PASSWORD_MAX + 2];

	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++)
		signup_refused(f, "weak@example.com", weak[i], BO_INVALID);
	signup_refused(f, "same@example.com", "same@example.com", BO_INVALID);
	memset(long_pw, 'x', sizeof long_pw - 1);
	long_pw[sizeof long_pw - 1] = '\0';
	long_pw[0] = 'y';
	signup_refused(f, "long@example.com", long_pw, BO_INVALID);
	assert_int_equal(users(f), 0);
}

/* The address is compared after it is lower-cased, so the password must be
 * refused when it is the address exactly as the buyer typed it, too. */
static void
signup_refuses_email_as_typed(void **state)
{
	struct fx_db *f = *state;

	signup_refused(f, "Same.Name@Example.com", "Same.Name@Example.com",
	    BO_INVALID);
	assert_int_equal(users(f), 0);
}

static void
signup_refuses_bad_emails(void **state)
{
	static const char *const bad[] = {
		"", "plain", "@x.com", "a@", "a@b@x.com", "a@xcom", "a@.com",
		"a@x.com.", "a b@x.com", "a@x.com ", " a@x.com", "a\t@x.com",
		"a\x7f@x.com",
	};
	struct fx_db *f = *state;
	char longest[ACCOUNT_EMAIL_MAX + 2];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		signup_refused(f, bad[i], PASSWORD, BO_INVALID);
	/* One over the limit: 249 + "@x.com" = 255. */
	memset(longest, 'a', sizeof longest);
	memcpy(longest + ACCOUNT_EMAIL_MAX + 1 - 6, "@x.com", 7);
	assert_int_equal(strlen(longest), ACCOUNT_EMAIL_MAX + 1);
	signup_refused(f, longest, PASSWORD, BO_INVALID);
	assert_int_equal(users(f), 0);
}

static void
login_right_wrong_unknown(void **state)
{
	struct fx_db *f = *state;
	struct session_new first, sn;
	struct session_info si;
	int64_t retry = -1;

	signup(f, "fan@example.com", NOW, TTL, &first);

	assert_int_equal(login(f, "fan@example.com", PASSWORD, NOW, &sn, &retry),
	    BO_OK);
	assert_int_equal(retry, 0);
	assert_int_equal(sn.user_id, first.user_id);
	assert_string_not_equal(sn.token, first.token);
	assert_int_equal(session_lookup(f->db, sn.token, NOW, &si), BO_OK);
	assert_int_equal(si.user_id, first.user_id);

	/* The e-mail is matched without regard to case. */
	assert_int_equal(login(f, "FAN@Example.com", PASSWORD, NOW, &sn, &retry),
	    BO_OK);

	assert_int_equal(login(f, "fan@example.com", PASSWORD "!", NOW, &sn,
	    &retry), BO_INVALID);
	assert_int_equal(login(f, "nobody@example.com", PASSWORD, NOW, &sn,
	    &retry), BO_INVALID);
	assert_int_equal(login(f, "not an email", PASSWORD, NOW, &sn, &retry),
	    BO_INVALID);
}

/* ---- sessions ---- */

static void
session_destroy_ends_it(void **state)
{
	struct fx_db *f = *state;
	struct session_new sn;
	struct session_info si;

	signup(f, "leaver@example.com", NOW, TTL, &sn);
	assert_int_equal(session_destroy(f->db, sn.token), BO_OK);
	assert_int_equal(session_lookup(f->db, sn.token, NOW, &si), BO_NOT_FOUND);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM session"), 0);
	/* Again, or with nonsense: nothing to do, no error. */
	assert_int_equal(session_destroy(f->db, sn.token), BO_OK);
	assert_int_equal(session_destroy(f->db, "nonsense"), BO_OK);
	assert_int_equal(session_destroy(f->db, NULL), BO_OK);
}

static void
sessions_expire_and_are_purged(void **state)
{
	struct fx_db *f = *state;
	struct session_new brief, lasting;
	struct session_info si;
	int64_t purged = -1;

	signup(f, "brief@example.com", NOW, 100, &brief);
	signup(f, "lasting@example.com", NOW, 1000, &lasting);

	assert_int_equal(session_lookup(f->db, brief.token, NOW + 99, &si), BO_OK);
	assert_int_equal(session_lookup(f->db, brief.token, NOW + 100, &si),
	    BO_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, brief.token, NOW + 5000, &si),
	    BO_NOT_FOUND);

	assert_int_equal(session_purge(f->db, NOW + 99, &purged), BO_OK);
	assert_int_equal(purged, 0);
	assert_int_equal(session_purge(f->db, NOW + 100, &purged), BO_OK);
	assert_int_equal(purged, 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM session"), 1);
	assert_int_equal(session_lookup(f->db, lasting.token, NOW + 100, &si),
	    BO_OK);
	assert_string_equal(si.email, "lasting@example.com");
}

/* ---- catalogue ---- */

/* The sum of seats over the concert's performances still ahead of now. */
static int64_t
concert_seat_sum(struct fx_db *f, int64_t id, int64_t now)
{
	struct concert c;
	struct performance *p;
	size_t n;
	int64_t sum = 0;

	assert_int_equal(catalog_concert(f->db, &f->a, id, now, &c, &p, &n),
	    BO_OK);
	assert_int_equal(c.id, id);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(p[i].concert_id, id);
		if (i > 0)
			assert_true(p[i].starts_at > p[i - 1].starts_at);
		sum += p[i].seat_count;
	}
	return sum;
}

static void
concerts_listed_soonest_first(void **state)
{
	static const struct {
		const char *title;
		int64_t seats, performances, lowest;
	} want[] = {
		{ "Midnight Jazz Session", 2 * 50, 2, 55000 },
		{ "Winter Symphony Gala", 2 * 1000, 2, 66000 },
		{ "Indie Spring Tour", 3 * 192, 3, 59000 },
	};
	struct fx_db *f = *state;
	struct concert_summary *c;
	size_t n;

	assert_int_equal(catalog_concerts(f->db, &f->a, NOW, &c, &n),
	    BO_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(c[i].title, want[i].title);
		assert_int_equal(c[i].seats_left, want[i].seats);
		assert_int_equal(c[i].seats_left, concert_seat_sum(f, c[i].id, NOW));
		assert_int_equal(c[i].performances, want[i].performances);
		assert_int_equal(c[i].lowest_price, want[i].lowest);
		assert_true(c[i].first_starts_at > NOW);
		if (i > 0)
			assert_true(c[i].first_starts_at > c[i - 1].first_starts_at);
	}
}

static void
unknown_ids_not_found(void **state)
{
	static const int64_t ids[] = { 0, -1, 4, 999, INT64_MAX };
	struct fx_db *f = *state;
	struct concert c;
	struct performance *p, perf;
	struct seat *seats;
	size_t n;

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		assert_int_equal(catalog_concert(f->db, &f->a, ids[i], NOW, &c,
		    &p, &n), BO_NOT_FOUND);
	assert_int_equal(catalog_performance(f->db, &f->a, 999, NOW, &c,
	    &perf, &seats, &n), BO_NOT_FOUND);
	/* The connection is usable afterwards: no transaction left open. */
	assert_int_equal(catalog_concert(f->db, &f->a, 1, NOW, &c, &p, &n),
	    BO_OK);
	assert_true(sqlite3_get_autocommit(f->db->handle));
}

static void
grand_hall_seat_map(void **state)
{
	static const struct {
		const char *name;
		int64_t count, price;
	} sections[] = {
		{ "VIP", 100, 165000 }, { "R", 300, 132000 },
		{ "S", 360, 99000 }, { "Balcony", 240, 66000 },
	};
	struct fx_db *f = *state;
	struct concert c;
	struct performance p;
	struct seat *s;
	size_t n, at = 0;

	assert_int_equal(catalog_performance(f->db, &f->a, 1, NOW, &c, &p,
	    &s, &n), BO_OK);
	assert_string_equal(c.title, "Winter Symphony Gala");
	assert_int_equal(p.concert_id, c.id);
	assert_int_equal(p.seat_count, 1000);
	assert_int_equal(p.seats_left, 1000);
	assert_int_equal(p.min_price, 66000);
	assert_int_equal(p.max_price, 165000);
	assert_int_equal(n, 1000);
	assert_string_equal(s[0].row, "A");
	assert_int_equal(s[0].number, 1);

	/* Sections come in the order they were added, each contiguous. */
	for (size_t k = 0; k < 4; k++) {
		for (int64_t i = 0; i < sections[k].count; i++, at++) {
			assert_string_equal(s[at].section, sections[k].name);
			assert_int_equal(s[at].price, sections[k].price);
			assert_false(s[at].taken);
		}
	}
	assert_int_equal(at, n);

	/* Without the map, the performance alone. */
	assert_int_equal(catalog_performance(f->db, &f->a, 1, NOW, &c, &p,
	    NULL, NULL), BO_OK);
	assert_int_equal(p.seats_left, 1000);
}

static void
sale_state_boundaries(void **state)
{
	const struct performance p = {
		.sale_opens_at = 1000, .sale_closes_at = 2000, .starts_at = 3000,
	};
	struct fx_db *f = *state;
	struct concert c;
	struct performance *perfs;
	size_t n;

	assert_int_equal(performance_sale_state(&p, 999), SALE_NOT_YET);
	assert_int_equal(performance_sale_state(&p, 1000), SALE_OPEN);
	assert_int_equal(performance_sale_state(&p, 1999), SALE_OPEN);
	assert_int_equal(performance_sale_state(&p, 2000), SALE_CLOSED);
	assert_int_equal(performance_sale_state(&p, 3000), SALE_CLOSED);
	assert_int_equal(performance_sale_state(&p, 9999), SALE_CLOSED);

	/* The demo: the Indie tour's third date has not opened yet. */
	assert_int_equal(catalog_concert(f->db, &f->a, 3, NOW, &c, &perfs,
	    &n), BO_OK);
	assert_int_equal(n, 3);
	assert_int_equal(performance_sale_state(&perfs[0], NOW), SALE_OPEN);
	assert_int_equal(performance_sale_state(&perfs[1], NOW), SALE_OPEN);
	assert_int_equal(performance_sale_state(&perfs[2], NOW), SALE_NOT_YET);
}

/* The concert is on sale when one date is; otherwise the soonest sale to
 * open is named (0: none ahead). */
static void
concert_on_sale_when_one_date_is(void **state)
{
	const struct performance perfs[] = {
		{ .sale_opens_at = 5000, .sale_closes_at = 6000, .starts_at = 7000 },
		{ .sale_opens_at = 1000, .sale_closes_at = 2000, .starts_at = 3000 },
		{ .sale_opens_at = 4000, .sale_closes_at = 6000, .starts_at = 7000 },
	};
	int64_t next = -1;

	(void)state;
	assert_false(catalog_concert_on_sale(perfs, 0, 1500, &next));
	assert_int_equal(next, 0);
	assert_true(catalog_concert_on_sale(perfs, 3, 1500, &next));
	assert_int_equal(next, 0);
	assert_true(catalog_concert_on_sale(perfs, 3, 1500, NULL));
	/* Before any sale: the soonest opening, whatever the order. */
	assert_false(catalog_concert_on_sale(perfs, 3, 999, &next));
	assert_int_equal(next, 1000);
	/* The second date's sale is over; the third opens at 4000. */
	assert_false(catalog_concert_on_sale(perfs, 3, 2000, &next));
	assert_int_equal(next, 4000);
	assert_true(catalog_concert_on_sale(perfs, 3, 4000, &next));
	/* Every sale over: none ahead. */
	assert_false(catalog_concert_on_sale(perfs, 3, 6000, &next));
	assert_int_equal(next, 0);
}

/* ---- holds: lazy expiry ---- */

#define HOLD_EXPIRES (NOW + 300)

/* A buyer and a hold on seat 1 (VIP A1 of performance 1), by raw SQL. */
static void
insert_hold(struct fx_db *f, const char *state, int64_t expires_at)
{
	fx_exec(f->db,
	    "INSERT OR IGNORE INTO user(id, email, pw_hash, created_at)"
	    " VALUES (7, 'holder@example.com', 'x', 0)");
	fx_exec(f->db, "INSERT INTO hold(seat_id, performance_id,"
	    " user_id, state, price, created_at, expires_at)"
	    " VALUES (1, 1, 7, '%s', 165000, %lld, %lld)", state,
	    (long long)NOW, (long long)expires_at);
}

/* Checks, at now, what every reader says of seat 1 of performance 1. */
static void
expect_seat_one(struct fx_db *f, int64_t now, int taken)
{
	struct concert c;
	struct performance p, *perfs;
	struct concert_summary *list;
	struct seat *s;
	size_t n;
	int64_t left = 1000 - (taken ? 1 : 0);

	assert_int_equal(catalog_performance(f->db, &f->a, 1, now, &c, &p,
	    &s, &n), BO_OK);
	assert_int_equal(s[0].id, 1);
	assert_int_equal(s[0].taken, taken);
	for (size_t i = 1; i < n; i++)
		assert_false(s[i].taken);
	assert_int_equal(p.seats_left, left);

	assert_int_equal(catalog_concert(f->db, &f->a, 1, now, &c, &perfs,
	    &n), BO_OK);
	assert_int_equal(perfs[0].id, 1);
	assert_int_equal(perfs[0].seats_left, left);
	assert_int_equal(perfs[1].seats_left, 1000);

	assert_int_equal(catalog_concerts(f->db, &f->a, now, &list, &n), BO_OK);
	assert_string_equal(list[1].title, "Winter Symphony Gala");
	assert_int_equal(list[1].seats_left, left + 1000);
}

static void
held_seat_taken_until_expiry(void **state)
{
	struct fx_db *f = *state;

	insert_hold(f, "HELD", HOLD_EXPIRES);
	expect_seat_one(f, NOW, 1);
	expect_seat_one(f, HOLD_EXPIRES - 1, 1);
	expect_seat_one(f, HOLD_EXPIRES, 0);
	expect_seat_one(f, HOLD_EXPIRES + 1, 0);
}

static void
expired_hold_is_free(void **state)
{
	struct fx_db *f = *state;

	insert_hold(f, "HELD", NOW);
	expect_seat_one(f, NOW, 0);
	expect_seat_one(f, NOW - 1, 1);
}

static void
paid_seat_taken_forever(void **state)
{
	struct fx_db *f = *state;

	insert_hold(f, "PAID", NOW - 1);
	expect_seat_one(f, NOW, 1);
	expect_seat_one(f, NOW + 86400, 1);
}

static void
released_and_expired_holds_are_free(void **state)
{
	struct fx_db *f = *state;

	insert_hold(f, "RELEASED", HOLD_EXPIRES);
	insert_hold(f, "EXPIRED", HOLD_EXPIRES);
	expect_seat_one(f, NOW, 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_db_setup, fx_db_teardown)
#define D(f) cmocka_unit_test_setup_teardown(f, demo_setup, fx_db_teardown)
	const struct CMUnitTest tests[] = {
		T(migrate_sets_user_version),
		T(migrate_is_idempotent),
		T(open_without_create_fails),
		T(settings_have_defaults),
		T(settings_are_validated),
		T(timezone_must_be_a_zone_file),
		T(settings_load_sees_set_values),
		T(settings_version_moves_with_every_write),
		T(currency_fixed_once_a_ledger_row_exists),
		D(currency_fixed_once_a_seat_exists),
		T(signup_opens_a_session),
		T(lookup_refuses_unknown_tokens),
		T(signup_duplicate_email_conflicts),
		T(signup_refuses_weak_passwords),
		T(signup_refuses_email_as_typed),
		T(signup_refuses_bad_emails),
		T(login_right_wrong_unknown),
		T(session_destroy_ends_it),
		T(sessions_expire_and_are_purged),
		D(concerts_listed_soonest_first),
		D(unknown_ids_not_found),
		D(grand_hall_seat_map),
		D(sale_state_boundaries),
		T(concert_on_sale_when_one_date_is),
		D(held_seat_taken_until_expiry),
		D(expired_hold_is_free),
		D(paid_seat_taken_forever),
		D(released_and_expired_holds_are_free),
	};
#undef T
#undef D

	return cmocka_run_group_tests_name("core", tests, fx_group_setup, NULL);
}
