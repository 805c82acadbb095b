/*
 * audit.h — the operator's audit trail: who did what, when, before/after.
 *
 * Every operator action (a refund, a cancellation, a release, a setting
 * change, a role granted or revoked) writes one row, inside the action's
 * own write transaction, so an action and its audit row are durable
 * together or not at all. A restore is the one exception: it replaces
 * the database itself, so its row is written into the restored database
 * just after (backup.h). The table is append-only by its triggers
 * (011_operator.sql), like the ledger.
 */
#ifndef BOXOFFICE_AUDIT_H
#define BOXOFFICE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

/* The closed set of actions; the schema's CHECK lists the same names. */
enum audit_action {
	AUDIT_GRANT,
	AUDIT_REVOKE,
	AUDIT_REFUND,
	AUDIT_CANCEL,              /* a buyer cancels their own ticket */
	AUDIT_CANCEL_PERFORMANCE,
	AUDIT_RELEASE,             /* an operator frees a held seat */
	AUDIT_SETTING,
	AUDIT_RESTORE,             /* a backup put in place (020) */
	AUDIT__MAX
};

/* Who acts: an account (user_id > 0, system NULL) or a system user of
 * the command line (user_id 0, system e.g. "cli:root"). */
struct audit_actor {
	int64_t user_id;
	const char *system;
};

#define AUDIT_SYSTEM_MAX 64

/* The action's name as stored; static storage. */
const char *audit_action_name(enum audit_action a);

/*
 * The actor for a command-line run: "cli:" and the login name of the
 * effective user (or its uid when it has no name), written into the
 * caller's buf, which the returned actor points at.
 */
struct audit_actor audit_actor_cli(char buf[AUDIT_SYSTEM_MAX + 1]);

/*
 * Writes one audit row. Only inside the caller's db_begin_write … commit
 * (asserted): the row commits with the action or not at all. subject
 * names what was acted on ("ticket 7KQ2-…", "setting hold_seconds",
 * "account a@b.c"); before/after may be NULL. Text longer than the
 * schema keeps is cut at a UTF-8 boundary, never refused: an action is
 * never lost for the length of its description.
 */
enum bo_status audit_write_locked(struct db *db, const struct audit_actor *who,
    enum audit_action what, const char *subject, const char *before,
    const char *after, int64_t now);

struct audit_entry {
	int64_t id, at;
	const char *actor;   /* the account's e-mail, or the system user */
	const char *action, *subject, *before, *after; /* "" for NULL */
};

/*
 * The newest entries first, up to limit, older than before_id when it
 * is > 0. Strings in a; *out is an array in a.
 */
enum bo_status audit_list(struct db *db, struct arena *a, int64_t before_id,
    size_t limit, struct audit_entry **out, size_t *n);

#endif
