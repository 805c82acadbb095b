/*
 * qr_svg.h — a QR code drawn as inline SVG, for ticket pages.
 *
 * libqrencode (Debian's libqrencode-dev) computes the modules; this draws
 * them as one <svg> element to put straight into an HTML page: a white
 * square with the quiet zone the standard asks for (four modules on each
 * side), one <path> holding every dark module, role="img" and an
 * aria-label for screen readers. No script, no style attribute (the CSP's
 * style-src 'self' would refuse it: colours are presentation attributes),
 * no external reference (no href, no url(), no font). The page's CSS may
 * size it with the class "qr"; without CSS it is 6 px per module.
 */
#ifndef BOXOFFICE_QR_SVG_H
#define BOXOFFICE_QR_SVG_H

#include "buf.h"

/* Error correction: how much of the symbol may be lost and still read. */
enum qr_ecc {
	QR_ECC_L, /* 7% */
	QR_ECC_M, /* 15% */
	QR_ECC_Q, /* 25% */
	QR_ECC_H, /* 30% */
	QR_ECC__MAX
};

/* Light modules around the symbol on every side (ISO/IEC 18004: 4). */
#define QR_QUIET 4
/* Pixels per module when the page's CSS does not size it. */
#define QR_PX 6

/*
 * Appends to the caller's b an <svg> of text (non-empty, NUL-terminated)
 * at level Q in the smallest version that holds it, with label (escaped)
 * as its accessible name. A ticket code (28 symbols) is version 2, 25
 * modules a side. Returns the symbol's width in modules (without the
 * quiet zone), or 0 with nothing appended when libqrencode refuses the
 * text (too long for any version) or runs out of memory.
 */
int qr_svg(struct buf *b, const char *text, const char *label);

/*
 * As qr_svg(), at a chosen version (1 to 40; 0: the smallest that holds
 * the text) and error correction level. Returns 0 as qr_svg() does, and
 * also when the text does not fit that version.
 */
int qr_svg_at(struct buf *b, const char *text, const char *label, int version,
    enum qr_ecc level);

#endif
