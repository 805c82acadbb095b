/*
 * setting.h — the operator's knobs, kept in the setting table.
 *
 * Workers and boxoffice-expire read them per use; boxoffice-admin set
 * changes them. One place, no restart. A key never written has its default.
 *
 * Every write moves a version counter (a trigger, 009_settings_version.sql)
 * read in the same statement as the values: whatever a worker keeps that
 * was shaped by settings carries the version it was made with and is made
 * again when the version moves.
 */
#ifndef BOXOFFICE_SETTING_H
#define BOXOFFICE_SETTING_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "db.h"

enum setting_key {
	SETTING_HOLD_SECONDS,
	SETTING_QUEUE_CAPACITY,
	SETTING_ACTIVE_TTL,
	SETTING_CLAIM_SECONDS,
	SETTING_MAX_HOLDS,
	SETTING_MAX_CHARGE,
	SETTING_SESSION_TTL,
	SETTING_CURRENCY,
	SETTING_TIMEZONE,
	SETTING_CANCEL_UNTIL_HOURS,
	SETTING__MAX
};

struct settings {
	int64_t hold_seconds;   /* a hold lasts this long */
	int64_t queue_capacity; /* ACTIVE buyers per concert */
	int64_t active_ttl;     /* an ACTIVE ticket lasts this long */
	int64_t claim_seconds;  /* a called buyer has this long to come in */
	int64_t max_holds;      /* live holds per buyer per performance */
	int64_t max_charge;     /* largest single wallet charge */
	int64_t session_ttl;    /* a login lasts this long */
	char currency[4];       /* ISO 4217 code */
	char timezone[64];      /* IANA zone the venue's times are shown in */
	int64_t cancel_until_hours; /* a buyer may cancel a ticket until this
	                         * many hours before the show; -1: "off",
	                         * buyers may not cancel (refund.h) */
	int64_t version;        /* settings_version when read: moves with
	                         * every write of any setting */
};

/* The key's name, its default and one line of help; static storage. */
const char *setting_name(enum setting_key k);
const char *setting_default(enum setting_key k);
const char *setting_help(enum setting_key k);
/* SETTING__MAX when name is not a setting. */
enum setting_key setting_lookup(const char *name);

/* Fills *out with every setting (defaults for unset keys). */
enum bo_status settings_load(struct db *db, struct settings *out);
/* Checks value for k; on failure writes a reason into err. */
int setting_valid(enum setting_key k, const char *value, char *err, size_t errlen);
/*
 * Validates and stores one setting in its own write transaction. The
 * currency cannot change once any amount is stored (a seat's price or a
 * ledger row: amounts are kept in the currency's minor unit, so another
 * currency would change what each is worth): BO_CONFLICT, with the reason
 * in err. Setting it to the value it has is allowed. Every change is
 * written to the audit trail by who, with the value it replaced.
 */
enum bo_status setting_set(struct db *db, enum setting_key k, const char *value,
    const struct audit_actor *who, int64_t now, char *err, size_t errlen);
/* The stored or default value of k, copied into buf. */
enum bo_status setting_get(struct db *db, enum setting_key k, char *buf, size_t len);

#endif
