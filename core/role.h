/*
 * role.h — what an account may do besides buying: staff and operators.
 *
 * Staff let people in at the door (/door, POST /api/v1/checkins);
 * operators run the sale (/admin/, refunds, cancellations) and, as the
 * one rule of inclusion, may do all that staff may. Roles are granted
 * and revoked only from the command line, each change audited.
 */
#ifndef BOXOFFICE_ROLE_H
#define BOXOFFICE_ROLE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "audit.h"
#include "db.h"

enum role {
	ROLE_STAFF,
	ROLE_OPERATOR,
	ROLE__MAX
};

/* The role's name as stored and typed ("staff", "operator"); static. */
const char *role_name(enum role r);
/* ROLE__MAX when name is not a role. */
enum role role_lookup(const char *name);

/* A set of roles: bit 1u << r for each role r held. */
typedef unsigned role_set;

/*
 * The roles of the account whose user row is aliased u, as an SQL
 * expression: a comma list for role_set_parse(). The session's read
 * carries it, so that no page asks again (router gate, header links).
 */
#define ROLES_OF_USER(u) \
	"(SELECT group_concat(role) FROM user_role WHERE user_id = " u ".id)"

/* The set a ROLES_OF_USER list names (NULL: none); unknown names are
 * ignored. */
role_set role_set_parse(const char *list);

/* Whether an account holding set held may act as r: it holds r, or a role
 * that includes it. The one place inclusion is written (operator includes
 * staff). */
int role_set_allows(role_set held, enum role r);

/*
 * *yes = whether user may act as r (role_set_allows of the roles the
 * account holds). One indexed read.
 */
enum bo_status role_check(struct db *db, int64_t user, enum role r, int *yes);

/*
 * role_check for the account with e-mail email: BO_NOT_FOUND when there
 * is none. For what a revoke leaves (operator includes staff).
 */
enum bo_status role_check_email(struct db *db, const char *email,
    enum role r, int *yes);

/*
 * Grants or revokes r for the account with e-mail email (normalised as
 * at login), in one write transaction with its audit row. BO_NOT_FOUND
 * when there is no such account; BO_CONFLICT when there is nothing to
 * do (already held, or not held): nothing is written then.
 */
enum bo_status role_grant(struct db *db, const char *email, enum role r,
    const struct audit_actor *who, int64_t now);
enum bo_status role_revoke(struct db *db, const char *email, enum role r,
    const struct audit_actor *who, int64_t now);

struct role_holder {
	const char *email, *role;
	int64_t granted_at;
};

/* Every account with a role, by e-mail; strings and array in a. */
enum bo_status role_list(struct db *db, struct arena *a,
    struct role_holder **out, size_t *n);

#endif
