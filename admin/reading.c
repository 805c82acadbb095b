/*
 * reading.c — what boxoffice-admin's commands that read a sale share (see
 * admin.h): the settings and an arena, times in the venue's zone and
 * amounts in the currency as buyers see them, the id arguments, and the
 * answer to a read that found nothing or failed.
 */
#include <time.h>

#include "admin.h"
#include "currency.h"
#include "log.h"
#include "parse.h"
#include "when.h"

int
reading_open(struct db *db, struct reading *r, const char *what)
{
	enum bo_status s;

	r->a = (struct arena)ARENA_INIT;
	r->now = time(NULL);
	if ((s = settings_load(db, &r->set)) != BO_OK)
		return fail(s, what);
	return 0;
}

int
reading_failed(struct reading *r, enum bo_status s, const char *what,
    const char *missing)
{
	int rc = 1;

	if (s == BO_OK)
		return 0;
	/* missing may be in r->a: said before it is freed. */
	if (s == BO_NOT_FOUND && missing != NULL)
		log_say("%s", missing);
	else
		rc = fail(s, what);
	arena_free(&r->a);
	return rc;
}

int
reading_id(const char *what, const char *text, int64_t *id)
{
	if (parse_int64(text, 1, INT64_MAX, id))
		return 1;
	log_say("%s is an id, a whole number from 1 ('%s' is not)", what, text);
	return 0;
}

const char *
reading_when(struct reading *r, int64_t t)
{
	char buf[WHEN_TEXT_MAX];

	if (t == 0)
		return "-";
	return arena_strdup(&r->a, when_format(t, r->set.timezone, buf,
	    sizeof buf));
}

const char *
reading_money(struct reading *r, int64_t amount)
{
	char buf[CURRENCY_TEXT_MAX];

	if (admin_tab_output())
		return arena_printf(&r->a, "%lld", (long long)amount);
	return arena_strdup(&r->a, currency_format(buf, r->set.currency,
	    amount));
}

const char *
reading_duration(struct reading *r, int64_t s)
{
	if (s < 60)
		return arena_printf(&r->a, "%llds", (long long)s);
	if (s < 3600)
		return arena_printf(&r->a, "%lldm %02llds", (long long)(s / 60),
		    (long long)(s % 60));
	return arena_printf(&r->a, "%lldh %02lldm", (long long)(s / 3600),
	    (long long)(s % 3600 / 60));
}
