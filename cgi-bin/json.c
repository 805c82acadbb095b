/*
 * json.c — JSON writers (see json.h).
 */
#include "json.h"

#include <stdio.h>

void
json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '<': buf_puts(b, "\\u003c"); break; /* safe inside <script> too */
		default:
			if (*p < 0x20) {
				buf_puts(b, "\\u00");
				buf_putc(b, hex[*p >> 4]);
				buf_putc(b, hex[*p & 15]);
			} else {
				buf_putc(b, (char)*p);
			}
		}
	}
	buf_putc(b, '"');
}

void
json_begin(struct req *r, int status)
{
	r->status = status;
	r->content_type_out = "application/json";
	buf_reset(r->body);
}

void
json_error(struct req *r, int status, const char *code, const char *message)
{
	json_begin(r, status);
	buf_puts(r->body, "{\"error\":{\"code\":");
	json_str(r->body, code);
	buf_puts(r->body, ",\"message\":");
	json_str(r->body, message);
	buf_puts(r->body, "}}\n");
}
