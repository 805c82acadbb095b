/*
 * qr_svg.c — a QR code as inline SVG (see qr_svg.h).
 *
 * The encoding (modes, Reed-Solomon, masking) is libqrencode's; only the
 * drawing is ours, because libqrencode's SVG writer lives in its qrencode
 * command-line tool, not in the library. Each row's runs of dark modules
 * become one "M x y h n v 1 h -n z" rectangle of a single path: a ticket
 * code's symbol is about 2 KB of markup.
 */
#include "qr_svg.h"

#include <assert.h>
#include <qrencode.h>
#include <string.h>

#include "html.h"

static const QRecLevel levels[QR_ECC__MAX] = {
	[QR_ECC_L] = QR_ECLEVEL_L, [QR_ECC_M] = QR_ECLEVEL_M,
	[QR_ECC_Q] = QR_ECLEVEL_Q, [QR_ECC_H] = QR_ECLEVEL_H,
};

int
qr_svg_at(struct buf *b, const char *text, const char *label, int version,
    enum qr_ecc level)
{
	QRcode *qr;
	int w, side;

	assert(b != NULL && text != NULL && label != NULL);
	assert(*text != '\0');
	assert(version >= 0 && version <= 40);
	assert(level >= QR_ECC_L && level < QR_ECC__MAX);
	qr = QRcode_encodeString(text, version, levels[level], QR_MODE_8, 1);
	if (qr == NULL)
		return 0;
	/* libqrencode picks a larger version rather than fail: a caller who
	 * asked for one gets that one or nothing. */
	if (version != 0 && qr->version != version) {
		QRcode_free(qr);
		return 0;
	}
	w = qr->width;
	side = w + 2 * QR_QUIET;
	buf_printf(b, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"", side, side, side * QR_PX, side * QR_PX);
	html_puts(b, label);
	buf_printf(b, "\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    side, side);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w; ) {
			int run = 0;

			/* Bit 0 of each byte is the module: 1 dark, 0 light. */
			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run > 0) {
				buf_printf(b, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET,
				    run, run);
				x += run;
			} else
				x++;
		}
	}
	buf_puts(b, "\"/></svg>");
	QRcode_free(qr);
	return w;
}

int
qr_svg(struct buf *b, const char *text, const char *label)
{
	return qr_svg_at(b, text, label, 0, QR_ECC_Q);
}
