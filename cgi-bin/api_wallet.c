/*
 * api_wallet.c — the wallet through the JSON API (seed §4.4).
 *
 * GET  /api/v1/balance          → {"balance","currency"}
 * POST /api/v1/balance/charge   {"amount"} (a JSON integer 1..max_charge),
 *        Idempotency-Key (optional) → 200 {"balance","charged"}; a string,
 *        a fraction or an out-of-range number → 422 invalid_amount
 * GET  /api/v1/balance/history  → {"balance","history":[…]} newest first
 */
#include "api.h"
#include "pages.h"
#include "wallet.h"

void
api_balance(struct req *r)
{
	api_send(r, 200, json_pack("{s:I, s:s}", "balance",
	    (json_int_t)r->session.balance, "currency", req_settings(r)->currency));
}

static void
charge(struct req *r)
{
	int64_t max = req_settings(r)->max_charge, balance = 0;
	json_t *body, *amount;
	enum bo_status s;
	int replayed;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:o}", "amount", &amount)) {
		json_decref(body);
		return;
	}
	if (!json_is_integer(amount) || json_integer_value(amount) < 1 ||
	    json_integer_value(amount) > max) {
		json_decref(body);
		api_error(r, 422, "invalid_amount", "amount must be a whole number "
		    "(a JSON integer) from 1 to max_charge.");
		return;
	}
	/* The Idempotency-Key is also the ledger row's key: even a retry
	 * that finds no record (a worker died between the charge and the
	 * record) cannot charge twice. */
	s = wallet_charge(r->db, r->session.user_id, json_integer_value(amount),
	    max, r->idem_key, r->now, &balance, &replayed);
	if (s == BO_CONFLICT) {
		json_decref(body);
		api_error(r, 422, "idempotency_key_reused", "This Idempotency-Key "
		    "was used for a different charge.");
		return;
	}
	if (s != BO_OK) {
		json_decref(body);
		api_status(r, s);
		return;
	}
	api_send(r, 200, json_pack("{s:I, s:I, s:s}", "balance",
	    (json_int_t)balance, "charged", json_integer_value(amount), "currency",
	    req_settings(r)->currency));
	json_decref(body);
}

void
api_charge(struct req *r)
{
	if (!api_idem_begin(r))
		return;
	charge(r);
	api_idem_end(r);
}

void
api_history(struct req *r)
{
	struct ledger_row *rows;
	int64_t balance;
	enum bo_status s;
	json_t *arr;
	size_t n;

	s = wallet_history(r->db, &r->arena, r->session.user_id, &balance, &rows, &n);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:I}",
		    "id", (json_int_t)rows[i].id,
		    "kind", rows[i].payment ? "payment" : "charge",
		    "amount", (json_int_t)rows[i].amount,
		    "balanceAfter", (json_int_t)rows[i].balance_after,
		    "createdAt", (json_int_t)rows[i].created_at);

		if (rows[i].hold_id)
			json_object_set_new(o, "reservationId", json_integer(rows[i].hold_id));
		json_array_append_new(arr, o);
	}
	api_send(r, 200, json_pack("{s:I, s:o}", "balance", (json_int_t)balance,
	    "history", arr));
}
