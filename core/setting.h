/*
 * setting.h — the operator's knobs, kept in the setting table.
 *
 * Workers and boxoffice-expire read them per use; boxoffice-admin set
 * changes them. One place, no restart. A key never written has its default.
 */
#ifndef BOXOFFICE_SETTING_H
#define BOXOFFICE_SETTING_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum setting_key {
	SETTING_HOLD_SECONDS,
	SETTING_QUEUE_CAPACITY,
	SETTING_ACTIVE_TTL,
	SETTING_ABANDON_AFTER,
	SETTING_MAX_HOLDS,
	SETTING_MAX_CHARGE,
	SETTING_SESSION_TTL,
	SETTING_CURRENCY,
	SETTING_TIMEZONE,
	SETTING__MAX
};

struct settings {
	int64_t hold_seconds;   /* a hold lasts this long */
	int64_t queue_capacity; /* ACTIVE buyers per concert */
	int64_t active_ttl;     /* an ACTIVE ticket lasts this long */
	int64_t abandon_after;  /* a WAITING ticket not polled this long is dropped */
	int64_t max_holds;      /* live holds per buyer per performance */
	int64_t max_charge;     /* largest single wallet charge */
	int64_t session_ttl;    /* a login lasts this long */
	char currency[4];       /* ISO 4217 code */
	char timezone[64];      /* IANA zone the venue's times are shown in */
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
/* Validates and stores one setting in its own write transaction. */
enum bo_status setting_set(struct db *db, enum setting_key k, const char *value,
    char *err, size_t errlen);
/* The stored or default value of k, copied into buf. */
enum bo_status setting_get(struct db *db, enum setting_key k, char *buf, size_t len);

#endif
