/*
 * role.c — staff and operators (see role.h).
 */
#include "role.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sql.h"

static const char *const names[ROLE__MAX] = {
	[ROLE_STAFF] = "staff",
	[ROLE_OPERATOR] = "operator",
};

const char *
role_name(enum role r)
{
	assert(r >= 0 && r < ROLE__MAX);
	return names[r];
}

enum role
role_lookup(const char *name)
{
	for (int r = 0; r < ROLE__MAX; r++)
		if (strcmp(name, names[r]) == 0)
			return (enum role)r;
	return ROLE__MAX;
}

role_set
role_set_parse(const char *list)
{
	role_set set = 0;

	while (list != NULL && *list != '\0') {
		size_t len = strcspn(list, ",");

		for (int r = 0; r < ROLE__MAX; r++)
			if (strlen(names[r]) == len &&
			    strncmp(list, names[r], len) == 0)
				set |= 1u << r;
		list += len + (list[len] == ',');
	}
	return set;
}

int
role_set_allows(role_set held, enum role r)
{
	assert(r >= 0 && r < ROLE__MAX);
	/* The one place inclusion is written: operator ⊇ staff. */
	if (r == ROLE_STAFF && (held & 1u << ROLE_OPERATOR))
		return 1;
	return (held & 1u << r) != 0;
}

enum bo_status
role_check(struct db *db, int64_t user, enum role r, int *yes)
{
	static struct sql q = SQL(1,
	    "SELECT " ROLES_OF_USER("u") " FROM user u WHERE u.id = :user");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	*yes = 0;
	sql_bind_int(st, ":user", user);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		*yes = role_set_allows(role_set_parse(sql_text(st, 0)), r);
	sql_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? BO_OK :
	    db_status(db, rc, "role_check");
}

/* The account's id by e-mail, inside the caller's transaction. */
static enum bo_status
account_id(struct db *db, const char *email, int64_t *id)
{
	static struct sql q = SQL(1, "SELECT id FROM user WHERE email = :email");
	struct sql_stmt *st = sql_prepare(db, &q);
	enum bo_status s;

	*id = 0;
	sql_bind_text(st, ":email", email);
	s = sql_one_int(db, st, id);
	return s == BO_OK && *id == 0 ? BO_NOT_FOUND : s;
}

enum bo_status
role_check_email(struct db *db, const char *email, enum role r, int *yes)
{
	enum bo_status s;
	int64_t user;

	*yes = 0;
	if ((s = account_id(db, email, &user)) != BO_OK)
		return s;
	return role_check(db, user, r, yes);
}

static enum bo_status
change(struct db *db, const char *email, enum role r,
    const struct audit_actor *who, int64_t now, int grant)
{
	static struct sql add_q = SQL(0,
	    "INSERT INTO user_role(user_id, role, granted_at)"
	    " VALUES (:user, :role, :now) ON CONFLICT DO NOTHING");
	static struct sql del_q = SQL(0,
	    "DELETE FROM user_role WHERE user_id = :user AND role = :role");
	struct sql_stmt *st;
	enum bo_status s;
	int64_t user, changes = 0;
	char subject[300];

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = account_id(db, email, &user)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, grant ? &add_q : &del_q);
	sql_bind_int(st, ":user", user);
	sql_bind_text(st, ":role", role_name(r));
	if (grant)
		sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, &changes)) == BO_OK && changes == 0)
		s = BO_CONFLICT;
	if (s == BO_OK) {
		snprintf(subject, sizeof subject, "account %s", email);
		s = audit_write_locked(db, who, grant ? AUDIT_GRANT :
		    AUDIT_REVOKE, subject, grant ? NULL : role_name(r),
		    grant ? role_name(r) : NULL, now);
	}
	return sql_end(db, s);
}

enum bo_status
role_grant(struct db *db, const char *email, enum role r,
    const struct audit_actor *who, int64_t now)
{
	return change(db, email, r, who, now, 1);
}

enum bo_status
role_revoke(struct db *db, const char *email, enum role r,
    const struct audit_actor *who, int64_t now)
{
	return change(db, email, r, who, now, 0);
}

enum bo_status
role_list(struct db *db, struct arena *a, struct role_holder **out, size_t *n)
{
	enum { H_EMAIL, H_ROLE, H_AT, H__COLS };
	static struct sql q = SQL(H__COLS,
	    "SELECT u.email, r.role, r.granted_at FROM user_role r"
	    " JOIN user u ON u.id = r.user_id ORDER BY u.email, r.role");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct role_holder *h = arena_push(a, (void **)out, n, &cap,
		    sizeof *h);

		h->email = arena_strdup(a, sql_text(st, H_EMAIL));
		h->role = arena_strdup(a, sql_text(st, H_ROLE));
		h->granted_at = sql_int(st, H_AT);
	}
	sql_reset(st);
	return db_status(db, rc, "role_list");
}
