/*
 * cmd_roles.c — boxoffice-admin's commands for who may do more than buy:
 * roles (list), grant and revoke (core/role.h). Each change is written to
 * the audit trail as the system user running the command; audit lists it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "admin.h"
#include "arena.h"
#include "audit.h"
#include "log.h"
#include "role.h"
#include "setting.h"
#include "when.h"

/* The role named on the command line, or ROLE__MAX after saying why. */
static enum role
role_arg(const char *name)
{
	enum role r = role_lookup(name);

	if (r == ROLE__MAX)
		log_say("unknown role '%s': the roles are 'operator' (runs the "
		    "sale: /admin/, refunds, cancellations; includes staff) and "
		    "'staff' (lets people in at the door: /door)", name);
	return r;
}

static int
change(struct db *db, char **argv, int grant)
{
	char email[ACCOUNT_EMAIL_MAX + 1], actor[AUDIT_SYSTEM_MAX + 1];
	struct audit_actor who = audit_actor_cli(actor);
	enum role r = role_arg(argv[2]);
	enum bo_status s;
	int still = 0;

	if (r == ROLE__MAX)
		return 2;
	if (strlen(argv[1]) > ACCOUNT_EMAIL_MAX) {
		log_say("'%.40s…' is too long for an e-mail address", argv[1]);
		return 2;
	}
	strcpy(email, argv[1]);
	if (account_email_check(email) != NULL) {
		log_say("'%s' is not an e-mail address", argv[1]);
		return 2;
	}
	s = grant ? role_grant(db, email, r, &who, time(NULL)) :
	    role_revoke(db, email, r, &who, time(NULL));
	if (s == BO_NOT_FOUND) {
		log_say("no account has the e-mail %s: they sign up on the site "
		    "first, then you grant the role", email);
		return 1;
	}
	/* Revoking staff from an operator takes nothing away: say so, or
	 * the door stays open to someone the operator meant to stop. */
	if (!grant && (s == BO_OK || s == BO_CONFLICT) &&
	    role_check_email(db, email, r, &still) == BO_OK && still)
		log_say("%s %s the role %s itself, but is an operator, which "
		    "includes it: revoke %s operator to take both away%s",
		    email, s == BO_OK ? "no longer holds" : "does not hold",
		    role_name(r), email, s == BO_OK ? "" : "; nothing changed");
	else if (s == BO_CONFLICT)
		log_say("%s %s the role %s; nothing changed", email,
		    grant ? "already has" : "does not have", role_name(r));
	if (s == BO_CONFLICT)
		return 1;
	if (s != BO_OK)
		return fail(s, grant ? "grant" : "revoke");
	printf("%s %s %s\n", email, grant ? "is now" : "is no longer",
	    role_name(r));
	return 0;
}

static int
cmd_grant(struct db *db, int argc, char **argv)
{
	(void)argc;
	return change(db, argv, 1);
}

static int
cmd_revoke(struct db *db, int argc, char **argv)
{
	(void)argc;
	return change(db, argv, 0);
}

static int
cmd_roles(struct db *db, int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct role_holder *list;
	struct settings set;
	size_t n;
	enum bo_status s;

	(void)argc, (void)argv;
	if ((s = settings_load(db, &set)) != BO_OK ||
	    (s = role_list(db, &a, &list, &n)) != BO_OK) {
		arena_free(&a);
		return fail(s, "roles");
	}
	if (n == 0)
		printf("nobody has a role yet: boxoffice-admin grant EMAIL "
		    "operator|staff\n");
	for (size_t i = 0; i < n; i++) {
		char when[WHEN_TEXT_MAX];

		when_format(list[i].granted_at, set.timezone, when, sizeof when);
		printf("%-40s %-9s since %s\n", list[i].email, list[i].role,
		    when);
	}
	arena_free(&a);
	return 0;
}

static int
cmd_audit(struct db *db, int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct audit_entry *list;
	struct settings set;
	int64_t limit = 50;
	size_t n;
	enum bo_status s;

	if (argc > 1 && (sscanf(argv[1], "%" SCNd64, &limit) != 1 || limit < 1 ||
	    limit > 100000)) {
		log_say("N is how many entries to show, 1 to 100000");
		return 2;
	}
	if ((s = settings_load(db, &set)) != BO_OK ||
	    (s = audit_list(db, &a, 0, (size_t)limit, &list, &n)) != BO_OK) {
		arena_free(&a);
		return fail(s, "audit");
	}
	if (n == 0)
		printf("no operator action has been recorded yet\n");
	for (size_t i = 0; i < n; i++) {
		char when[WHEN_TEXT_MAX];

		when_format(list[i].at, set.timezone, when, sizeof when);
		printf("%s  %-24s %-18s %s", when, list[i].actor,
		    list[i].action, list[i].subject);
		if (list[i].before[0] != '\0' || list[i].after[0] != '\0')
			printf(": %s -> %s", list[i].before[0] ? list[i].before :
			    "(none)", list[i].after[0] ? list[i].after : "(none)");
		putchar('\n');
	}
	arena_free(&a);
	return 0;
}

const struct command roles_commands[] = {
	{ "roles", "", "list the accounts that are operators or staff", 0, 0,
	  cmd_roles, NULL, CMD_DB_LATEST },
	{ "grant", "EMAIL operator|staff", "let an account run the sale "
	  "(operator: /admin/, refunds; includes staff) or the door (staff: "
	  "/door)", 2, 2, cmd_grant,
	  "\nThe account must exist (the person signs up on the site first).\n"
	  "Roles take effect on the person's next request; no new login is\n"
	  "needed. Every grant is written to the audit trail (see 'audit').\n",
	  CMD_DB_LATEST },
	{ "revoke", "EMAIL operator|staff", "take a role away again", 2, 2,
	  cmd_revoke, NULL, CMD_DB_LATEST },
	{ "audit", "[N]", "the newest N operator actions (default 50), "
	  "newest first, with who did them and what changed", 0, 1, cmd_audit,
	  NULL, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
