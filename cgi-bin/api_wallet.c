/*
 * api_wallet.c — the wallet through the JSON API.
 *
 * GET  /api/v1/balance          → {"balance","currency"}
 * POST /api/v1/balance/charge   {"amount"} (a JSON integer 1..max_charge),
 *        Idempotency-Key (optional) → 200 {"balance","charged"}: the
 *        balance this charge left (a replay answers the same); a string,
 *        a fraction or an out-of-range number → 422 invalid_amount
 * GET  /api/v1/balance/history[?limit=N&cursor=C]
 *        → {"balance","history":[…],"nextCursor"} newest first, a page at
 *        a time
 */
#include <string.h>

#include "api.h"
#include "json.h"
#include "wallet.h"

/* The LedgerEntry kinds of openapi.json, by enum ledger_kind. */
static const char *const API_LEDGER_KIND[LEDGER__MAX] = {
	[LEDGER_CHARGE] = "charge",
	[LEDGER_PAYMENT] = "payment",
	[LEDGER_REFUND] = "refund",
};

void
api_balance(struct req *r)
{
	api_send(r, HTTP_200, json_pack("{s:I, s:s}", "balance",
	    (json_int_t)r->session.balance, "currency", req_settings(r)->currency));
}

/* Charges the amount the body names; 1 when the charge answered BO_OK
 * (k says what happened; when it charged now, *row has the amount and
 * the balance it left), 0 when a refusal was answered. */
static int
charge(struct req *r, struct idem *k, struct ledger_row *row)
{
	int64_t max = req_settings(r)->max_charge, balance = 0, amount;
	json_t *body, *value;
	enum bo_status s;

	if ((body = api_body(r)) == NULL)
		return 0;
	if (!api_unpack(r, body, "{s:o}", "amount", &value)) {
		json_decref(body);
		return 0;
	}
	if (!json_is_integer(value) || json_integer_value(value) < 1 ||
	    json_integer_value(value) > max) {
		json_decref(body);
		api_error(r, HTTP_422, "invalid_amount", "amount must be a whole number "
		    "(a JSON integer) from 1 to max_charge.");
		return 0;
	}
	amount = json_integer_value(value);
	json_decref(body);
	/* With a key, the key is also the ledger row's: even a retry after
	 * its record is gone cannot charge twice. */
	s = wallet_charge_idem(r->db, r->session.user_id, amount, max, k, r->now,
	    &balance);
	if (s != BO_OK) {
		api_outcome(r, &CHARGE_OUTCOMES, s);
		return 0;
	}
	if (k->result == IDEM_NEW) {
		row->id = idem_ref(k, IDEM_REF_LEDGER);
		row->amount = amount;
		row->balance_after = balance;
	}
	return 1;
}

void
api_charge(struct req *r)
{
	struct ledger_row row;
	enum bo_status s;
	struct idem k;

	memset(&row, 0, sizeof row);
	if (!api_idem_begin(r, &k, HTTP_200))
		return;
	if (k.result == IDEM_NEW && !charge(r, &k, &row))
		return;
	if (!api_idem_answer(r, &k))
		return;
	/* Charged now: what the charge's own transaction said (a read after
	 * the commit could fail, with the money in). Replayed: the charge's
	 * ledger row (it never changes), with the balance it left. */
	if (row.amount == 0 && (s = wallet_ledger_get(r->db,
	    r->session.user_id, idem_ref(&k, IDEM_REF_LEDGER), &row)) != BO_OK) {
		api_status(r, s);
		return;
	}
	api_idem_send(r, &k, json_pack("{s:I, s:I, s:s}", "balance",
	    (json_int_t)row.balance_after, "charged", (json_int_t)row.amount,
	    "currency", req_settings(r)->currency));
}

void
api_history(struct req *r)
{
	struct ledger_row *rows;
	struct keyset k;
	int64_t balance;
	enum bo_status s;
	json_t *arr;
	size_t n;

	if (!api_keyset(r, &k))
		return;
	s = wallet_history(r->db, &r->arena, r->session.user_id, &k, &balance,
	    &rows, &n);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:I}",
		    "id", (json_int_t)rows[i].id,
		    "kind", API_LEDGER_KIND[rows[i].kind],
		    "amount", (json_int_t)rows[i].amount,
		    "balanceAfter", (json_int_t)rows[i].balance_after,
		    "createdAt", (json_int_t)rows[i].created_at);

		if (rows[i].hold_id) {
			json_object_set_new(o, "reservationId", json_integer(rows[i].hold_id));
			json_object_set_new(o, "concert", json_text(rows[i].concert_title));
		}
		json_array_append_new(arr, o);
	}
	api_send(r, HTTP_200, json_pack("{s:I, s:o, s:o}", "balance",
	    (json_int_t)balance, "history", arr, "nextCursor",
	    api_next_cursor(&k)));
}
