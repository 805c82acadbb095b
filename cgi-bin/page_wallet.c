/*
 * page_wallet.c — the wallet and the buyer's tickets.
 *
 * GET  /wallet[?amount=N&next=PATH&before=ID]  login: balance, the
 *        history (newest first, 50 a page, an Older link to ?before=ID)
 *        and a charge form carrying a one-time key
 *        (amount: of the minor unit, as the hold page's Top up link has it)
 * POST /wallet/charge  amount, key, next, csrf → 303 next (or /wallet);
 *        the amount as a person writes it in the currency ("12.50" for
 *        USD, "165000" for KRW: currency_parse);
 *        a bad amount comes back on the form (422), one the balance
 *        cannot take too (409); nothing changes; the same key twice
 *        charges once
 * GET  /bookings[?before=ID]  login: on the first page, the seats held
 *        and not paid yet ("Awaiting payment": each order or hold with
 *        its deadline and a link to pay); then the paid seats by show,
 *        the next show first, seats in hall order (bookings_list), 50 a
 *        page, each with its ticket code and QR code (a refunded one
 *        says so, without them) and a link to its printable ticket; one
 *        used at the door says when and at which door; else "Cancel and
 *        refund" (to /holds/{id}/cancel, page_cancel.c) while
 *        cancel_until_hours allows, the deadline with its zone, or why
 *        not
 *
 * next is checked by redirect.h; anything but a path of this site is
 * dropped (the charge then lands on /wallet).
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "currency.h"
#include "hold.h"
#include "outcome.h"
#include "pages.h"
#include "parse.h"
#include "payment.h"
#include "redirect.h"
#include "refund.h"
#include "ui_shared.h"
#include "view.h"
#include "wallet.h"

static void
wallet_page(struct req *r, enum http_status status, const char *error)
{
	struct ledger_row *rows;
	struct keyset k;
	struct tdict *d;
	int64_t balance, prefill;
	const struct settings *set = req_settings(r);
	const char *typed = req_form(r, "amount"), *link = req_query(r, "amount");
	const char *next = req_form(r, "next") ? req_form(r, "next") :
	    req_query(r, "next");
	char key[32], plain[CURRENCY_TEXT_MAX];
	int digits = currency_minor_unit(set->currency);
	enum bo_status s;
	size_t n;

	/* A form posted back shows the newest page. */
	if (error != NULL)
		k = keyset_first(KEYSET_DEFAULT);
	else if (!ui_keyset(r, &k))
		return;
	s = wallet_history(r->db, &r->arena, r->session.user_id, &k, &balance,
	    &rows, &n);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	r->status = status;
	d = view_page(r, TMPL_WALLET, "Wallet");
	tdict_str(d, "balance", view_money(r, balance));
	tdict_str(d, "currency", set->currency);
	/* Whole numbers, or as many decimals as the minor unit has. */
	tdict_str(d, "inputmode", digits > 0 ? "decimal" : "numeric");
	tdict_str(d, "pattern", digits > 0 ? arena_printf(&r->arena,
	    "[0-9]+([.][0-9]{1,%d})?", digits) : "[0-9]+");
	tdict_str(d, "amount_hint", digits > 0 ? arena_printf(&r->arena,
	    tr(r, "An amount with at most %1$d decimals, up to %2$s at a time."),
	    digits, view_money(r, set->max_charge)) : arena_printf(&r->arena,
	    tr(r, "A whole amount, up to %s at a time."),
	    view_money(r, set->max_charge)));
	/* A fresh one-time key per form: a double submit charges once. */
	random_token(key, sizeof key, 16);
	tdict_str(d, "key", key);
	/* Back on the form as typed; from a link, as a person would type it. */
	if (typed != NULL && error != NULL)
		tdict_str(d, "amount", typed);
	else if (typed == NULL && link != NULL &&
	    parse_int64(link, 1, set->max_charge, &prefill))
		tdict_str(d, "amount", currency_plain(plain, set->currency, prefill));
	if (redirect_ok(next) && strcmp(next, "/") != 0)
		tdict_str(d, "next", next);
	if (error != NULL)
		tdict_str(d, "error", error);
	tdict_bool(d, "any", n > 0);
	ui_keyset_links(d, &k);
	for (size_t i = 0; i < n; i++) {
		struct tdict *l = tdict_add(d, "ledger");

		tdict_str(l, "kind", tr(r, ledger_kind_words(rows[i].kind, 1)));
		tdict_bool(l, "payment", rows[i].kind == LEDGER_PAYMENT);
		tdict_str(l, "amount", view_money_signed(r, rows[i].amount));
		tdict_str(l, "balance_after", view_money(r, rows[i].balance_after));
		view_set(l, "when", view_datetime(r, rows[i].created_at));
		if (rows[i].hold_id) {
			/* "Payment · Winter Symphony Gala · 3 tickets": the
			 * seats counted, each language's plural; an order's
			 * payment opens the order, one seat's the seat. */
			tdict_str(l, "href", rows[i].order_id != 0 ?
			    arena_printf(&r->arena, "/orders/%lld",
			    (long long)rows[i].order_id) :
			    arena_printf(&r->arena, "/holds/%lld",
			    (long long)rows[i].hold_id));
			tdict_str(l, "what", arena_printf(&r->arena, trn(r,
			    "%1$s · %2$s ticket", "%1$s · %2$s tickets",
			    rows[i].seats), rows[i].concert_title,
			    view_count(r, rows[i].seats)));
		}
	}
	view_render(r, TMPL_WALLET, d);
}

void
page_wallet(struct req *r)
{
	wallet_page(r, HTTP_200, NULL);
}

void
page_wallet_charge(struct req *r)
{
	const struct settings *set = req_settings(r);
	const char *next = redirect_target(req_form(r, "next"), "/wallet");
	int64_t amount, balance;
	int replayed;
	enum bo_status s;

	if (!currency_parse(set->currency, req_form(r, "amount"), 1,
	    set->max_charge, &amount)) {
		int digits = currency_minor_unit(set->currency);

		wallet_page(r, HTTP_422, digits > 0 ? arena_printf(&r->arena,
		    tr(r, "Enter an amount from %1$s to %2$s: digits, and at most "
		    "%3$d after a point; no sign, spaces, commas or exponents. "
		    "Nothing was charged."),
		    view_money(r, 1), view_money(r, set->max_charge), digits) :
		    arena_printf(&r->arena, tr(r, "Enter a whole amount from 1 to "
		    "%s: digits only, no sign, spaces, decimals or exponents. "
		    "Nothing was charged."), view_money(r, set->max_charge)));
		return;
	}
	s = wallet_charge(r->db, r->session.user_id, amount, set->max_charge,
	    req_form(r, "key"), r->now, &balance, &replayed);
	if (s == BO_LIMIT) { /* the form again, saying so */
		wallet_page(r, outcome_page_status(&CHARGE_OUTCOMES, s),
		    outcome_of(&CHARGE_OUTCOMES, s)->page);
		return;
	}
	if (s != BO_OK) {
		page_outcome(r, &CHARGE_OUTCOMES, s);
		return;
	}
	if (strcmp(next, "/") == 0)
		next = "/wallet";
	view_redirect(r, next, NOTICE_CHARGED);
}

/* Whether booking b may be cancelled now, until when, or why not. A
 * ticket used at the door says when and where instead, and is never
 * offered for cancelling (refund_cancel would refuse it: BO_CONFLICT). */
static void
cancel_state(struct req *r, struct tdict *t, const struct booking *b)
{
	int64_t hours = req_settings(r)->cancel_until_hours;
	int64_t deadline = refund_cancel_deadline(b->starts_at, hours);

	if (b->refunded_at != 0) {
		view_set(t, "refunded_at", view_datetime(r, b->refunded_at));
		tdict_bool(t, "performance_cancelled", b->cancelled_at != 0);
	} else if (b->used_at != 0) {
		view_set(t, "used_at", view_time(r, b->used_at));
		tdict_str(t, "door", b->door);
	} else if (deadline != 0 && r->now < deadline) {
		tdict_bool(t, "can_cancel", 1);
		view_set(t, "cancel_until", view_datetime_zone(r, deadline));
	} else if (deadline == 0) {
		view_set(t, "no_cancel", view_text(r, tr(r, "This sale does not "
		    "offer cancellation.")));
	} else {
		view_set(t, "no_cancel", VIEW_HTMLF(r, tr(r,
		    "Cancelling closed %1$s, %2$lld hours before the show."),
		    view_datetime_zone(r, deadline),
		    view_text(r, view_count(r, hours))));
	}
}

/* "Awaiting payment": the seats held and not paid yet, one entry per
 * order (its seats share a deadline and a page, /orders/{id}) or per
 * hold of its own (/holds/{id}), the first to lapse first. */
static int
awaiting(struct req *r, struct tdict *d)
{
	struct awaiting_seat *w;
	struct tdict *e = NULL;
	enum bo_status s;
	int64_t total = 0;
	size_t n;

	s = holds_awaiting(r->db, &r->arena, r->session.user_id, 0, r->now, &w,
	    &n);
	if (s != BO_OK) {
		page_status(r, s);
		return 0;
	}
	tdict_bool(d, "any_awaiting", n > 0);
	for (size_t i = 0; i < n; i++) {
		int same = i > 0 && w[i].order_id != 0 &&
		    w[i].order_id == w[i - 1].order_id;

		if (!same) {
			if (e != NULL)
				tdict_str(e, "total", view_money(r, total));
			total = 0;
			e = tdict_add(d, "awaiting");
			tdict_str(e, "href", w[i].order_id != 0 ?
			    arena_printf(&r->arena, "/orders/%lld",
			    (long long)w[i].order_id) :
			    arena_printf(&r->arena, "/holds/%lld",
			    (long long)w[i].hold_id));
			tdict_str(e, "concert_title", w[i].concert_title);
			view_set(e, "date", view_date(r, w[i].starts_at));
			view_set(e, "time", view_time(r, w[i].starts_at));
			view_set(e, "deadline", view_time(r, w[i].expires_at));
		}
		total += w[i].price;
		{
			struct tdict *st = tdict_add(e, "seats");

			tdict_str(st, "section", w[i].section);
			tdict_str(st, "row", w[i].row);
			tdict_int(st, "number", w[i].number);
		}
	}
	if (e != NULL)
		tdict_str(e, "total", view_money(r, total));
	return 1;
}

void
page_bookings(struct req *r)
{
	struct booking *b;
	struct keyset k;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	if (!ui_keyset(r, &k))
		return;
	if ((s = bookings_list(r->db, &r->arena, r->session.user_id, r->now,
	    &k, &b, &n)) != BO_OK) {
		page_status(r, s);
		return;
	}
	d = view_page(r, TMPL_BOOKINGS, "My tickets");
	/* Held seats are on the first page only: they are not tickets yet. */
	if (k.before == 0 && !awaiting(r, d))
		return;
	tdict_bool(d, "any", n > 0);
	ui_keyset_links(d, &k);
	for (size_t i = 0; i < n; i++) {
		struct tdict *t = tdict_add(d, "bookings");

		tdict_int(t, "hold_id", b[i].hold_id);
		tdict_str(t, "concert_title", b[i].concert_title);
		tdict_str(t, "venue", b[i].venue);
		view_set(t, "date", view_date(r, b[i].starts_at));
		view_set(t, "time", view_time(r, b[i].starts_at));
		tdict_str(t, "section", b[i].section);
		tdict_str(t, "row", b[i].row);
		tdict_int(t, "number", b[i].number);
		tdict_str(t, "price", view_money(r, b[i].amount));
		view_set(t, "paid_at", view_datetime(r, b[i].paid_at));
		tdict_int(t, "ticket_id", b[i].ticket_id);
		if (b[i].refunded_at != 0)
			tdict_bool(t, "refunded", 1); /* a dead code: no QR */
		else
			ui_ticket_code(r, t, b[i].ticket_code);
		cancel_state(r, t, &b[i]);
	}
	view_render(r, TMPL_BOOKINGS, d);
}
