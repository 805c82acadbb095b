/*
 * cmd_queue.c — boxoffice-admin's waiting-line commands (issue 12): when a
 * concert's pre-queue opens, and the key that signs queue tokens.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "log.h"
#include "parse.h"
#include "queue.h"
#include "queue_token.h"
#include "setting.h"
#include "when.h"

/* The concert's pre-queue opening: a time, or "default" (30 minutes
 * before its first sale opens). */
static int
cmd_prequeue_opens(struct db *db, int argc, char **argv)
{
	struct settings set;
	int64_t concert, at = 0;
	char text[WHEN_TEXT_MAX];
	enum bo_status s;

	(void)argc;
	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "prequeue-opens");
	if (!parse_int64(argv[1], 1, INT64_MAX, &concert)) {
		log_say("CONCERT is a concert's id (a whole number)");
		return 2;
	}
	if (strcmp(argv[2], "default") != 0 &&
	    !time_arg("TIME", argv[2], set.timezone, &at))
		return 2;
	if ((s = queue_set_prequeue(db, concert, at)) != BO_OK)
		return fail(s, "prequeue-opens (is the concert there, its "
		    "queue not yet opened?)");
	if (at != 0) {
		when_format(at, set.timezone, text, sizeof text);
		log_say("concert %lld: the pre-queue opens %s", (long long)concert,
		    text);
	} else {
		log_say("concert %lld: the pre-queue opens 30 minutes before "
		    "its first sale", (long long)concert);
	}
	return 0;
}

/* A new key signs queue tokens from now on; the one before still
 * verifies the tokens it signed, older ones no more. */
static int
cmd_rotate_queue_key(struct db *db, int argc, char **argv)
{
	enum bo_status s;
	int64_t id = 0;

	(void)argc, (void)argv;
	if ((s = queue_key_rotate(db, time(NULL), &id)) != BO_OK)
		return fail(s, "rotate-queue-key");
	printf("%lld\n", (long long)id);
	log_say("queue key %lld signs from now on; tokens of the key before "
	    "still verify, older ones no more", (long long)id);
	return fflush(stdout) == 0 ? 0 : 1;
}

const struct command queue_commands[] = {
	{ "prequeue-opens", "CONCERT TIME|default",
	  "when the concert's pre-queue opens (also --prequeue-opens of "
	  "add-performance); default: 30 minutes before its first sale",
	  2, 2, cmd_prequeue_opens, NULL, CMD_DB_LATEST },
	{ "rotate-queue-key", "",
	  "make a new key to sign queue tokens; tokens signed with the one "
	  "before still verify; prints its id", 0, 0, cmd_rotate_queue_key,
	  NULL, CMD_DB_LATEST },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, CMD_DB_LATEST },
};
