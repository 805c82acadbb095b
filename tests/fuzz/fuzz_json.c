/*
 * fuzz_json.c — a JSON body as the API takes it (cgi-bin/api.c): the
 * checks of api_body() (content type, NUL bytes, nesting), jansson's
 * parser, and the strict unpacking of every body the API reads; then the
 * answer side: api_send() and json_str().
 *
 * The first byte picks the Content-Type; the rest is the body. Promises
 * checked: a body is either an object or a refusal with status 400, 413 or
 * 415; every refusal and every answer is valid JSON; every string that
 * comes out of a body is UTF-8; json_str() of any text parses back to
 * json_text() of it (and to the text itself when it is UTF-8).
 */
#include <string.h>

#include "api.h"
#include "fuzz.h"
#include "json.h"
#include "utf8.h"

static const char *const types[] = {
	"application/json", "application/json; charset=utf-8",
	"application/json;x", "text/plain", "application/jsonx", "",
};

/* The body r answered is one JSON value; its error code when it has one. */
static void
check_answer(const struct req *r, int error)
{
	json_error_t err;
	json_t *j = json_loadb(r->body->data, r->body->len, 0, &err);

	FUZZ_CHECK(j != NULL);
	if (error) {
		json_t *e = json_object_get(j, "error");

		FUZZ_CHECK(json_is_string(json_object_get(e, "code")));
		FUZZ_CHECK(json_is_string(json_object_get(e, "message")));
	}
	json_decref(j);
}

static void
fresh(struct req *r)
{
	buf_reset(r->body);
	buf_reset(r->headers);
	r->status = 0;
}

static void
unpack_all(struct req *r, json_t *obj)
{
	json_int_t a = 0, b = 0;
	const char *s1 = NULL, *s2 = NULL;
	json_t *o = NULL;

	fresh(r);
	if (api_unpack(r, obj, "{s:s, s:s}", "email", &s1, "password", &s2)) {
		FUZZ_CHECK(s1 != NULL && s2 != NULL);
		FUZZ_CHECK(utf8_valid_str(s1) && utf8_valid_str(s2));
	} else {
		FUZZ_CHECK(r->status == HTTP_422);
		check_answer(r, 1);
	}
	fresh(r);
	if (!api_unpack(r, obj, "{s:I, s:I}", "performanceId", &a, "seatId", &b)) {
		FUZZ_CHECK(r->status == HTTP_422);
		check_answer(r, 1);
	}
	fresh(r);
	if (!api_unpack(r, obj, "{s:I}", "concertId", &a))
		FUZZ_CHECK(r->status == HTTP_422);
	fresh(r);
	if (api_unpack(r, obj, "{s:o}", "amount", &o))
		FUZZ_CHECK(o != NULL);
	else
		FUZZ_CHECK(r->status == HTTP_422);
}

/* json_str(s) is a JSON string whose value is json_text(s). */
static void
check_json_str(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *back, *want = json_text(s);

	json_str(&b, s);
	back = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
	FUZZ_CHECK(back != NULL && json_is_string(back));
	FUZZ_CHECK(json_equal(back, want));
	if (utf8_valid_str(s))
		FUZZ_CHECK(strcmp(json_string_value(back), s) == 0);
	json_decref(back);
	json_decref(want);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf body = BUF_INIT, headers = BUF_INIT;
	struct req r;
	json_t *obj;
	char *text;

	if (size == 0)
		return 0;
	memset(&r, 0, sizeof r);
	r.body = &body;
	r.headers = &headers;
	r.path = "/api/v1/fuzz";
	r.content_type = types[data[0] % (sizeof types / sizeof types[0])];
	r.raw = (const char *)data + 1;
	r.raw_len = size - 1;

	obj = api_body(&r);
	if (obj == NULL) {
		FUZZ_CHECK(r.status == HTTP_400 || r.status == HTTP_413 || r.status == HTTP_415);
		check_answer(&r, 1);
	} else {
		FUZZ_CHECK(json_is_object(obj));
		unpack_all(&r, obj);
		fresh(&r);
		api_send(&r, HTTP_200, json_deep_copy(obj));
		FUZZ_CHECK(r.status == HTTP_200);
		{
			json_t *back = json_loadb(body.data, body.len, 0, NULL);

			FUZZ_CHECK(back != NULL && json_equal(back, obj));
			json_decref(back);
		}
		json_decref(obj);
	}

	text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	check_json_str(text);
	free(text);
	buf_free(&body);
	buf_free(&headers);
	return 0;
}
