/*
 * setting.c — the setting table with defaults and validation (setting.h).
 */
#include "setting.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "currency.h"
#include "parse.h"
#include "sql.h"

static const struct {
	const char *name, *def, *help;
	int64_t min, max; /* integers only; min > max marks a text setting */
	int off;          /* integers only: the word "off" is allowed too,
	                   * read as -1 */
} table[SETTING__MAX] = {
	[SETTING_HOLD_SECONDS] = { "hold_seconds", "300",
	    "seconds a held seat stays reserved for its buyer", 10, 3600 },
	[SETTING_QUEUE_CAPACITY] = { "queue_capacity", "20",
	    "buyers admitted (ACTIVE) per concert at once", 1, 100000 },
	[SETTING_ACTIVE_TTL] = { "active_ttl", "600",
	    "seconds an admitted buyer may shop before the ticket expires", 30, 86400 },
	[SETTING_CLAIM_SECONDS] = { "claim_seconds", "120",
	    "seconds a buyer called from the queue has to come in before the "
	    "turn passes to the next", 10, 3600 },
	[SETTING_MAX_HOLDS] = { "max_holds", "4",
	    "live holds per buyer per performance", 1, 50 },
	[SETTING_MAX_CHARGE] = { "max_charge", "1000000",
	    "largest single wallet charge, in the currency's smallest unit", 1,
	    INT64_C(1000000000000) },
	[SETTING_SESSION_TTL] = { "session_ttl", "604800",
	    "seconds a login lasts", 300, 31536000 },
	[SETTING_CURRENCY] = { "currency", "KRW",
	    "ISO 4217 code of every amount; fixed once a seat or a wallet "
	    "entry exists", 1, 0 },
	[SETTING_TIMEZONE] = { "timezone", "Asia/Seoul",
	    "IANA time zone the venue's times are shown in", 1, 0 },
	[SETTING_CANCEL_UNTIL_HOURS] = { "cancel_until_hours", "24",
	    "hours before the show until which a buyer may cancel a ticket "
	    "for a refund to the balance; off: buyers may not cancel", 0, 8760,
	    1 },
};

const char *setting_name(enum setting_key k) { return table[k].name; }
const char *setting_default(enum setting_key k) { return table[k].def; }
const char *setting_help(enum setting_key k) { return table[k].help; }

enum setting_key
setting_lookup(const char *name)
{
	for (int k = 0; k < SETTING__MAX; k++)
		if (strcmp(table[k].name, name) == 0)
			return (enum setting_key)k;
	return SETTING__MAX;
}

/* A real zone file: a regular file that starts with the TZif magic, so
 * that "Asia" (a folder) or "leapseconds" cannot silently become UTC. */
static int
valid_timezone(const char *tz)
{
	char path[128], magic[4];
	struct stat st;
	FILE *f;
	int ok;

	if (strcmp(tz, "UTC") == 0)
		return 1;
	if (*tz == '\0' || strlen(tz) >= 64 || tz[0] == '/' || strstr(tz, ".."))
		return 0;
	for (const char *p = tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (f = fopen(path, "rb")) == NULL)
		return 0;
	ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

int
setting_valid(enum setting_key k, const char *value, char *err, size_t errlen)
{
	int64_t v;

	if (table[k].min > table[k].max) {
		if (k == SETTING_CURRENCY)
			return currency_valid(value, err, errlen);
		if (valid_timezone(value))
			return 1;
		snprintf(err, errlen, "unknown time zone '%s' (try Asia/Seoul or UTC)", value);
		return 0;
	}
	if (table[k].off && strcmp(value, "off") == 0)
		return 1;
	if (!parse_int64(value, table[k].min, table[k].max, &v)) {
		snprintf(err, errlen, "%s must be a whole number from %lld to "
		    "%lld%s", table[k].name, (long long)table[k].min,
		    (long long)table[k].max, table[k].off ? ", or off" : "");
		return 0;
	}
	return 1;
}

static void
apply(struct settings *s, enum setting_key k, const char *value)
{
	int64_t v = 0;

	switch (k) {
	case SETTING_CURRENCY:
		snprintf(s->currency, sizeof s->currency, "%s", value);
		return;
	case SETTING_TIMEZONE:
		snprintf(s->timezone, sizeof s->timezone, "%s", value);
		return;
	default:
		break;
	}
	if (table[k].off && strcmp(value, "off") == 0)
		v = -1;
	else if (!parse_int64(value, table[k].min, table[k].max, &v))
		parse_int64(table[k].def, table[k].min, table[k].max, &v);
	switch (k) {
	case SETTING_HOLD_SECONDS: s->hold_seconds = v; break;
	case SETTING_QUEUE_CAPACITY: s->queue_capacity = v; break;
	case SETTING_ACTIVE_TTL: s->active_ttl = v; break;
	case SETTING_CLAIM_SECONDS: s->claim_seconds = v; break;
	case SETTING_MAX_HOLDS: s->max_holds = v; break;
	case SETTING_MAX_CHARGE: s->max_charge = v; break;
	case SETTING_SESSION_TTL: s->session_ttl = v; break;
	case SETTING_CANCEL_UNTIL_HOURS: s->cancel_until_hours = v; break;
	default: break;
	}
}

enum bo_status
settings_load(struct db *db, struct settings *out)
{
	/* Every key with the version its values belong to, in one
	 * statement, so a cache keyed on the version never mixes two. */
	enum { ALL_KEY, ALL_VALUE, ALL_VERSION, ALL__COLS };
	static struct sql q = SQL(ALL__COLS,
	    "SELECT s.key, s.value, v.version FROM settings_version v"
	    " LEFT JOIN setting s ON 1 ORDER BY s.key");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	for (int k = 0; k < SETTING__MAX; k++)
		apply(out, (enum setting_key)k, table[k].def);
	out->version = -1;
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		enum setting_key k = setting_lookup(sql_text(st, ALL_KEY));

		out->version = sql_int(st, ALL_VERSION);
		if (k != SETTING__MAX)
			apply(out, k, sql_text(st, ALL_VALUE));
	}
	sql_reset(st);
	if (rc != SQLITE_DONE)
		out->version = -1; /* values half read: never a cache key */
	return db_status(db, rc, "settings_load");
}

enum bo_status
setting_get(struct db *db, enum setting_key k, char *buf, size_t len)
{
	enum { GET_VALUE, GET__COLS };
	static struct sql q = SQL(GET__COLS,
	    "SELECT value FROM setting WHERE key = :key");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_text(st, ":key", table[k].name);
	rc = sql_step(st);
	snprintf(buf, len, "%s", rc == SQLITE_ROW ? sql_text(st, GET_VALUE) :
	    table[k].def);
	sql_reset(st);
	return db_status(db, rc, "setting_get");
}

/*
 * Inside the write transaction: BO_OK when the currency may become value,
 * BO_CONFLICT (reason in err) when amounts kept in the current one exist.
 */
static enum bo_status
currency_change_allowed(struct db *db, const char *value, char *err,
    size_t errlen)
{
	/* The amounts kept in the currency's minor unit: seat prices (and
	 * so payments) and ledger rows. */
	enum { AMOUNTS_SEATS, AMOUNTS_LEDGER, AMOUNTS__COLS };
	static struct sql q = SQL(AMOUNTS__COLS,
	    "SELECT (SELECT count(*) FROM seat), (SELECT count(*) FROM ledger)");
	struct sql_stmt *st;
	char current[16];
	int64_t seats = 0, ledger = 0;
	enum bo_status s;
	int rc;

	if ((s = setting_get(db, SETTING_CURRENCY, current, sizeof current)) != BO_OK)
		return s;
	if (strcmp(current, value) == 0)
		return BO_OK;
	st = sql_prepare(db, &q);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		seats = sql_int(st, AMOUNTS_SEATS);
		ledger = sql_int(st, AMOUNTS_LEDGER);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	if ((s = db_status(db, rc, "setting_set")) != BO_OK)
		return s;
	if (seats == 0 && ledger == 0)
		return BO_OK;
	snprintf(err, errlen, "the currency cannot change once amounts exist "
	    "(%lld seat prices, %lld wallet entries): they are whole numbers of "
	    "%s's minor unit and would be worth something else in %s. Choose the "
	    "currency before adding any performance.", (long long)seats,
	    (long long)ledger, current, value);
	return BO_CONFLICT;
}

enum bo_status
setting_set(struct db *db, enum setting_key k, const char *value,
    const struct audit_actor *who, int64_t now, char *err, size_t errlen)
{
	static struct sql q = SQL(0,
	    "INSERT INTO setting(key, value) VALUES (:key, :value)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	struct sql_stmt *st;
	enum bo_status s;
	char before[256], subject[64];

	if (!setting_valid(k, value, err, errlen))
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* Read inside the write: the audit's "before" is what was replaced. */
	if ((s = setting_get(db, k, before, sizeof before)) != BO_OK)
		return sql_end(db, s);
	if (k == SETTING_CURRENCY &&
	    (s = currency_change_allowed(db, value, err, errlen)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_text(st, ":key", table[k].name);
	sql_bind_text(st, ":value", value);
	if ((s = sql_run(db, st, NULL)) == BO_OK) {
		snprintf(subject, sizeof subject, "setting %s", table[k].name);
		s = audit_write_locked(db, who, AUDIT_SETTING, subject, before,
		    value, now);
	}
	return sql_end(db, s);
}
