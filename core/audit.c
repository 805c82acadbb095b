/*
 * audit.c — the operator's audit trail (see audit.h).
 */
#include "audit.h"

#include <assert.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "sql.h"

static const char *const action_names[AUDIT__MAX] = {
	[AUDIT_GRANT] = "grant",
	[AUDIT_REVOKE] = "revoke",
	[AUDIT_REFUND] = "refund",
	[AUDIT_CANCEL] = "cancel",
	[AUDIT_CANCEL_PERFORMANCE] = "cancel_performance",
	[AUDIT_RELEASE] = "release",
	[AUDIT_SETTING] = "setting",
	[AUDIT_RESTORE] = "restore",
};

const char *
audit_action_name(enum audit_action a)
{
	assert(a >= 0 && a < AUDIT__MAX && action_names[a] != NULL);
	return action_names[a];
}

struct audit_actor
audit_actor_cli(char buf[AUDIT_SYSTEM_MAX + 1])
{
	const struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		snprintf(buf, AUDIT_SYSTEM_MAX + 1, "cli:%.59s", pw->pw_name);
	else
		snprintf(buf, AUDIT_SYSTEM_MAX + 1, "cli:uid %ld",
		    (long)geteuid());
	return (struct audit_actor){ .user_id = 0, .system = buf };
}

enum bo_status
audit_write_locked(struct db *db, const struct audit_actor *who,
    enum audit_action what, const char *subject, const char *before,
    const char *after, int64_t now)
{
	/* substr() counts characters, as the schema's length() checks do. */
	static struct sql q = SQL(0,
	    "INSERT INTO audit(at, actor_user, actor_system, action, subject,"
	    " before, after) VALUES (:now, :user, :system, :action,"
	    " substr(:subject, 1, 200), substr(:before, 1, 1000),"
	    " substr(:after, 1, 1000))");
	struct sql_stmt *st;

	assert(db->writing);
	assert(who != NULL && (who->user_id > 0) != (who->system != NULL));
	assert(subject != NULL && subject[0] != '\0');
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":now", now);
	if (who->user_id > 0)
		sql_bind_int(st, ":user", who->user_id);
	else
		sql_bind_null(st, ":user");
	if (who->system != NULL)
		sql_bind_text(st, ":system", who->system);
	else
		sql_bind_null(st, ":system");
	sql_bind_text(st, ":action", audit_action_name(what));
	sql_bind_text(st, ":subject", subject);
	if (before != NULL)
		sql_bind_text(st, ":before", before);
	else
		sql_bind_null(st, ":before");
	if (after != NULL)
		sql_bind_text(st, ":after", after);
	else
		sql_bind_null(st, ":after");
	return sql_run(db, st, NULL);
}

enum bo_status
audit_list(struct db *db, struct arena *a, int64_t before_id, size_t limit,
    struct audit_entry **out, size_t *n)
{
	enum { A_ID, A_AT, A_ACTOR, A_ACTION, A_SUBJECT, A_BEFORE, A_AFTER,
	    A__COLS };
	static struct sql q = SQL(A__COLS,
	    "SELECT a.id, a.at, coalesce(u.email, a.actor_system), a.action,"
	    " a.subject, a.before, a.after"
	    " FROM audit a LEFT JOIN user u ON u.id = a.actor_user"
	    " WHERE :before <= 0 OR a.id < :before"
	    " ORDER BY a.id DESC LIMIT :limit");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	sql_bind_int(st, ":before", before_id);
	sql_bind_int(st, ":limit", (int64_t)limit);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct audit_entry *e = arena_push(a, (void **)out, n, &cap,
		    sizeof *e);

		e->id = sql_int(st, A_ID);
		e->at = sql_int(st, A_AT);
		e->actor = arena_strdup(a, sql_text(st, A_ACTOR));
		e->action = arena_strdup(a, sql_text(st, A_ACTION));
		e->subject = arena_strdup(a, sql_text(st, A_SUBJECT));
		e->before = arena_strdup(a, sql_text(st, A_BEFORE));
		e->after = arena_strdup(a, sql_text(st, A_AFTER));
	}
	sql_reset(st);
	return db_status(db, rc, "audit_list");
}
