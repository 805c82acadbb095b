/*
 * test_qr_svg.c — QR codes as inline SVG (cgi-bin/qr_svg.h).
 *
 * The drawing is read back: the path's rectangles are painted into a
 * grid, which must equal libqrencode's own modules for the same input,
 * version and level, module for module, inside an all-light quiet zone
 * of four; the three finder patterns sit in their corners. Then a real
 * scanner reads it: rsvg-convert (librsvg2-bin) renders the SVG to PNG
 * and zbarimg (zbar-tools) must decode the ticket code from it. Also: the
 * accessible name, escaping, no external references, sizes per version,
 * the same bytes for the same input, and refusals that append nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "qr_svg.h"

#define CODE "7KQ2M9XD3B0FW8RT6HJNPZ5CAEGB"
#define MAXSIDE (177 + 2 * QR_QUIET)

/* The modules an SVG of ours paints: 1 dark, 0 light; *side from its
 * viewBox. Fails the test on anything that is not our shape. */
static void
paint(const char *svg, int *side, unsigned char grid[MAXSIDE][MAXSIDE])
{
	const char *d, *p;
	int vb;

	assert_non_null(p = strstr(svg, "viewBox=\"0 0 "));
	assert_int_equal(sscanf(p, "viewBox=\"0 0 %d %d\"", side, &vb), 2);
	assert_int_equal(*side, vb);
	assert_true(*side > 2 * QR_QUIET && *side <= MAXSIDE);
	memset(grid, 0, sizeof(unsigned char) * MAXSIDE * MAXSIDE);
	assert_non_null(d = strstr(svg, "<path fill=\"#000\" d=\""));
	d += strlen("<path fill=\"#000\" d=\"");
	while (*d == 'M') {
		int x, y, n, back, used;

		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &back,
		    &used), 4);
		assert_int_equal(n, back);
		assert_true(n > 0 && x >= 0 && y >= 0 && x + n <= *side && y < *side);
		for (int i = 0; i < n; i++) {
			assert_int_equal(grid[y][x + i], 0); /* painted once */
			grid[y][x + i] = 1;
		}
		d += used;
	}
	assert_true(strncmp(d, "\"/></svg>", 9) == 0);
}

/* The drawing equals libqrencode's modules, framed by the quiet zone. */
static void
matches_qrencode(const char *text, int version, QRecLevel level,
    const char *svg, int width)
{
	static unsigned char grid[MAXSIDE][MAXSIDE];
	QRcode *qr = QRcode_encodeString(text, version, level, QR_MODE_8, 1);
	int side;

	assert_non_null(qr);
	assert_int_equal(qr->width, width);
	paint(svg, &side, grid);
	assert_int_equal(side, width + 2 * QR_QUIET);
	for (int y = 0; y < side; y++) {
		for (int x = 0; x < side; x++) {
			int inside = x >= QR_QUIET && y >= QR_QUIET &&
			    x < QR_QUIET + width && y < QR_QUIET + width;
			int want = inside ?
			    qr->data[(y - QR_QUIET) * width + (x - QR_QUIET)] & 1 : 0;

			if (grid[y][x] != want) {
				print_error("module (%d,%d) is %d, libqrencode says %d%s\n",
				    x, y, grid[y][x], want, inside ? "" : " (quiet zone)");
				fail();
			}
		}
	}
	/* Finder patterns: a dark 7x7 ring, a light ring, a dark 3x3 core,
	 * top-left, top-right and bottom-left. */
	for (int c = 0; c < 3; c++) {
		int ox = QR_QUIET + (c == 1 ? width - 7 : 0);
		int oy = QR_QUIET + (c == 2 ? width - 7 : 0);

		for (int y = 0; y < 7; y++) {
			for (int x = 0; x < 7; x++) {
				int ring = x == 0 || y == 0 || x == 6 || y == 6;
				int core = x >= 2 && x <= 4 && y >= 2 && y <= 4;

				assert_int_equal(grid[oy + y][ox + x], ring || core);
			}
		}
	}
	QRcode_free(qr);
}

static void
a_ticket_code_is_version_2(void **state)
{
	struct buf b = BUF_INIT;
	const char *svg;

	(void)state;
	assert_int_equal(qr_svg(&b, CODE, "Ticket code 7KQ2-M9XD"), 25);
	svg = buf_cstr(&b);
	assert_true(strncmp(svg, "<svg class=\"qr\" ", 16) == 0);
	assert_non_null(strstr(svg, "viewBox=\"0 0 33 33\""));
	assert_non_null(strstr(svg, "width=\"198\" height=\"198\""));
	assert_non_null(strstr(svg, "role=\"img\""));
	assert_non_null(strstr(svg, "aria-label=\"Ticket code 7KQ2-M9XD\""));
	assert_non_null(strstr(svg, "<rect width=\"33\" height=\"33\" fill=\"#fff\"/>"));
	/* One path; nothing fetched, run or styled inline. */
	assert_non_null(strstr(svg, "<path"));
	assert_null(strstr(strstr(svg, "<path") + 1, "<path"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "url("));
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "style="));
	assert_null(strstr(svg, "<image"));
	matches_qrencode(CODE, 0, QR_ECLEVEL_Q, svg, 25);
	buf_free(&b);
}

static void
same_input_same_bytes(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_int_equal(qr_svg_at(&a, CODE, "t", 4, QR_ECC_H), 33);
	assert_int_equal(qr_svg_at(&b, CODE, "t", 4, QR_ECC_H), 33);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	matches_qrencode(CODE, 4, QR_ECLEVEL_H, buf_cstr(&a), 33);
	buf_free(&a);
	buf_free(&b);
}

static void
every_version_has_its_size(void **state)
{
	(void)state;
	for (int v = 1; v <= 40; v += 3) {
		struct buf b = BUF_INIT;
		int w = qr_svg_at(&b, "HELLO", "hello", v, QR_ECC_M);

		assert_int_equal(w, 17 + 4 * v);
		matches_qrencode("HELLO", v, QR_ECLEVEL_M, buf_cstr(&b), w);
		buf_free(&b);
	}
}

static void
label_is_escaped_and_output_appended(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, "<p>before</p>");
	assert_int_equal(qr_svg(&b, CODE, "Ticket \"A\" <b>&'x'"), 25);
	assert_true(strncmp(buf_cstr(&b), "<p>before</p><svg ", 18) == 0);
	assert_non_null(strstr(b.data,
	    "aria-label=\"Ticket &quot;A&quot; &lt;b&gt;&amp;&#39;x&#39;\""));
	buf_free(&b);
}

static void
too_long_appends_nothing(void **state)
{
	struct buf b = BUF_INIT;
	char *big = malloc(8001);

	(void)state;
	assert_non_null(big);
	buf_puts(&b, "kept");
	/* 100 bytes do not fit version 1 at any level. */
	memset(big, 'x', 100);
	big[100] = '\0';
	assert_int_equal(qr_svg_at(&b, big, "x", 1, QR_ECC_L), 0);
	/* 8,000 bytes fit no version (40-L holds 2,953). */
	memset(big, 'x', 8000);
	big[8000] = '\0';
	assert_int_equal(qr_svg(&b, big, "x"), 0);
	assert_int_equal(b.len, 4);
	assert_string_equal(buf_cstr(&b), "kept");
	free(big);
	buf_free(&b);
}

/* Runs cmd with sh; its first line of output into out. Exit status. */
static int
run(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	int rc;

	assert_non_null(f);
	out[0] = '\0';
	if (fgets(out, (int)len, f) != NULL)
		out[strcspn(out, "\n")] = '\0';
	while (fgetc(f) != EOF)
		;
	rc = pclose(f);
	return rc;
}

/* A real scanner reads what a phone would see. */
static void
a_scanner_reads_it(void **state)
{
	static const char *const texts[] = { CODE,
	    "7KQ2-M9XD-3B0F-W8RT-6HJN-PZ5C-AEGB" };
	char dir[] = "/tmp/boxoffice-qr-XXXXXX", path[96], cmd[512], out[128];

	(void)state;
	if (run("command -v rsvg-convert && command -v zbarimg", out,
	    sizeof out) != 0) {
		print_error("rsvg-convert or zbarimg missing: run tools/deps.sh "
		    "(librsvg2-bin, zbar-tools)\n");
		fail();
	}
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct buf b = BUF_INIT;
		FILE *f;

		assert_true(qr_svg(&b, texts[i], "ticket") > 0);
		snprintf(path, sizeof path, "%s/qr.svg", dir);
		assert_non_null(f = fopen(path, "w"));
		assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
		assert_int_equal(fclose(f), 0);
		snprintf(cmd, sizeof cmd, "rsvg-convert -o %s/qr.png %s/qr.svg && "
		    "zbarimg --quiet --nodbus --raw %s/qr.png", dir, dir, dir);
		assert_int_equal(run(cmd, out, sizeof out), 0);
		assert_string_equal(out, texts[i]);
		buf_free(&b);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_ticket_code_is_version_2),
		cmocka_unit_test(same_input_same_bytes),
		cmocka_unit_test(every_version_has_its_size),
		cmocka_unit_test(label_is_escaped_and_output_appended),
		cmocka_unit_test(too_long_appends_nothing),
		cmocka_unit_test(a_scanner_reads_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
