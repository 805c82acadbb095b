/*
 * cmd_loadtest.c — boxoffice-admin loadtest-buyers, for make bench only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "admin.h"
#include "arena.h"
#include "catalog.h"
#include "log.h"
#include "parse.h"
#include "queue.h"
#include "setting.h"
#include "wallet.h"

/*
 * For load tests only (make bench): N buyers at once, without N scrypt
 * hashes. They share one hash of a random password nobody knows, so nobody
 * can log in as them; each gets a session, and optionally a queue ticket
 * for CONCERT (0: none) and a wallet charge of BALANCE. One line per buyer:
 * SESSION_TOKEN, CSRF_TOKEN, QUEUE_TOKEN ("-" without one), tab-separated.
 * Every buyer is written in its own short transactions, through core/.
 */
static int
cmd_loadtest_buyers(struct db *db, int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct performance *perfs;
	struct settings set;
	struct concert c;
	int64_t n, concert, balance = 0, now = time(NULL);
	const char *hash;
	char run[16];
	enum bo_status s;
	size_t np;

	if (!parse_int64(argv[1], 1, 1000000, &n) ||
	    !parse_int64(argv[2], 0, INT64_MAX, &concert) ||
	    (argc > 3 && !parse_int64(argv[3], 0, INT64_C(1000000000000),
	    &balance))) {
		log_say("N is 1 to 1000000, CONCERT an id (0: no queue ticket), "
		    "BALANCE a whole amount");
		return 2;
	}
	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "loadtest-buyers");
	if (concert > 0) {
		s = catalog_concert(db, &a, concert, now, &c, &perfs, &np);
		arena_free(&a);
		if (s != BO_OK)
			return fail(s, "loadtest-buyers: concert");
	}
	hash = account_unknown_password_hash();
	random_token(run, sizeof run, 6);
	for (int64_t i = 1; i <= n; i++) {
		char email[ACCOUNT_EMAIL_MAX + 1];
		struct session_new sn;
		struct queue_view q;
		int64_t left = balance, after;
		int replayed;

		snprintf(email, sizeof email, "loadtest-%s-%lld@example.invalid",
		    run, (long long)i);
		s = account_create_hashed(db, email, hash, now, set.session_ttl, &sn);
		if (s != BO_OK)
			return fail(s, "loadtest-buyers: account");
		strcpy(q.token, "-");
		if (concert > 0 && (s = queue_join(db, concert, sn.user_id, now,
		    &set, &q)) != BO_OK)
			return fail(s, "loadtest-buyers: queue");
		/* Called at once (a slot was free): the buyer comes in. */
		if (concert > 0 && q.state == Q_CALLED &&
		    (s = queue_status(db, concert, sn.user_id, NULL, now, &set,
		    &q)) != BO_OK)
			return fail(s, "loadtest-buyers: queue");
		if (concert > 0 && (s = queue_view_sign(db, sn.user_id, &q)) !=
		    BO_OK)
			return fail(s, "loadtest-buyers: queue token");
		while (left > 0) {
			int64_t amount = left < set.max_charge ? left : set.max_charge;

			s = wallet_charge(db, sn.user_id, amount, set.max_charge, NULL,
			    now, &after, &replayed);
			if (s != BO_OK)
				return fail(s, "loadtest-buyers: wallet");
			left -= amount;
		}
		printf("%s\t%s\t%s\n", sn.token, sn.csrf, q.token);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

const struct command loadtest_commands[] = {
	{ "loadtest-buyers", "N CONCERT [BALANCE]",
	  "FOR LOAD TESTS ONLY (make bench): create N buyers sharing one hash "
	  "of a random password nobody knows, each with a session, a queue "
	  "ticket for CONCERT (0: none; called and in while queue_capacity "
	  "allows, else waiting; in its pre-queue, a random place) and BALANCE charged to the wallet; prints "
	  "SESSION_TOKEN CSRF_TOKEN QUEUE_TOKEN per buyer, tab-separated", 2, 3,
	  cmd_loadtest_buyers, NULL, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
