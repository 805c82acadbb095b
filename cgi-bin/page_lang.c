/*
 * page_lang.c — the language switch.
 *
 * GET /lang?to=CODE&next=PATH — remembers the language in the bo_lang
 * cookie (a year) and goes back to next (checked by redirect.h; "/" when
 * absent). Every page links here from its header, once per language, so
 * the switch is a plain link: no JavaScript, no form. It is a GET because
 * it only records a preference of this browser, as Accept-Language does
 * (no account or order changes; a link elsewhere that used it could only
 * change the language the victim reads, which they can change back at
 * once); a form would have needed a CSRF token that a page served before
 * the first cookie does not have. An unknown code is a 400 and changes
 * nothing.
 */
#include <stdio.h>

#include "lang.h"
#include "pages.h"
#include "redirect.h"
#include "ui_shared.h"
#include "view.h"

#define LANG_COOKIE_AGE (365 * 24 * 3600)

void
page_lang(struct req *r)
{
	const struct langs *ls = tmpl_langs(r->app->tmpl);
	const char *to = req_query(r, "to"), *next = req_query(r, "next");
	int i = langs_find(ls, to);

	if (i < 0) {
		page_error(r, HTTP_400, tr(r, "There is no page in that language."));
		return;
	}
	r->lang = 1 + i; /* what follows (an error page) speaks it already */
	req_header(r, "Set-Cookie", arena_printf(&r->arena, "%s=%s; Path=/; "
	    "Max-Age=%d; SameSite=Lax%s", LANG_COOKIE, ls->l[i].code,
	    LANG_COOKIE_AGE, r->https ? "; Secure" : ""));
	req_redirect(r, redirect_target(next, "/"));
}
