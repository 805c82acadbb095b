# boxoffice — plain GNU make. `make` builds, `make run` serves the demo,
# `make check` runs every test, `make bench` measures. See README.md.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wvla
PKGS     = sqlite3 libsodium fcgi jansson libqrencode
ALL_CPPFLAGS = -Icore -Icgi-bin -D_GNU_SOURCE $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsqlite3 -lsodium -lfcgi -ljansson -lqrencode) -lscrypt -lunistring
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

CORE_SRC = $(wildcard core/*.c)
WEB_SRC  = $(filter-out cgi-bin/main.c,$(wildcard cgi-bin/*.c))
SCHEMA   = $(sort $(wildcard schema/*.sql))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
# The message catalogs: po/LANG.po, compiled to build/locale/LANG.mo
# (cgi-bin/lang.h); a new language is a new po file.
PO       = $(wildcard po/*.po)
MO       = $(PO:po/%.po=build/locale/%.mo)

CORE_OBJ = $(CORE_SRC:%.c=build/%.o) build/core/migrations.o
WEB_OBJ  = $(WEB_SRC:%.c=build/%.o)
BINS     = build/boxoffice.fcgi build/boxoffice-admin build/boxoffice-expire
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/unit/%)

PORT    ?= 8080
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# make torture's size: long (about 10 minutes) or soak (adds an hour of
# mixed load; TORTURE_SOAK_SECONDS shortens it). make check runs short.
TORTURE ?= long

.PHONY: all deps run check unit calls http torture torture-short e2e bench bench-baseline pot i18n-check \
        bench-check clean install fuzz fuzz-smoke scale scale-short api-docs door-scanner
all: $(BINS) $(MO) api-docs door-scanner

# --check: the formats (c-format) and the header; fuzzy and untranslated
# messages are left out of the .mo (make i18n-check fails on them).
build/locale/%.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The PO template from the sources, merged into every catalog (the new
# messages of a page arrive untranslated, the changed ones fuzzy).
pot:
	tools/pot.sh po/boxoffice.pot
	@for p in $(PO); do msgmerge --quiet --no-wrap --update --backup=none $$p po/boxoffice.pot || exit 1; done

# Every message a page shows has a translation in every catalog.
i18n-check: all
	tools/check-i18n.sh

# Swagger UI for /api/docs (static/api-docs/): the few files it needs,
# copied from the swagger-ui-dist npm package (npm ci) into
# static/api-docs/swagger-ui/ (git-ignored, never edited), so nginx serves
# them as static files and make install ships them; the server itself
# needs no npm. Without node_modules the page says where the document is.
SWAGGER_DIST  = node_modules/swagger-ui-dist
SWAGGER_FILES = swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE \
                swagger-ui-bundle.js.LICENSE.txt package.json
API_DOCS      = static/api-docs/swagger-ui
ifneq ($(wildcard $(SWAGGER_DIST)/package.json),)
api-docs: $(SWAGGER_FILES:%=$(API_DOCS)/%)
else
api-docs:
	@echo "make: no $(SWAGGER_DIST) (npm ci): /api/docs will only link to the OpenAPI document"
endif
$(API_DOCS)/%: $(SWAGGER_DIST)/%
	@mkdir -p $(@D)
	cp $< $@

# The door's camera where the browser has no BarcodeDetector (Safari on
# iPhones, Firefox, Chromium on Linux): jsQR from npm, copied the same way
# into static/vendor/jsqr/ (git-ignored); door.js loads it only when the
# scanner starts on such a browser. Without node_modules the scanner
# button shows only where the browser reads QR codes itself.
JSQR_DIST = node_modules/jsqr
JSQR      = static/vendor/jsqr
ifneq ($(wildcard $(JSQR_DIST)/package.json),)
door-scanner: $(JSQR)/jsQR.js $(JSQR)/LICENSE
else
door-scanner:
	@echo "make: no $(JSQR_DIST) (npm ci): the door scans only where the browser reads QR codes"
endif
$(JSQR)/jsQR.js: $(JSQR_DIST)/dist/jsQR.js
	@mkdir -p $(@D)
	cp $< $@
$(JSQR)/LICENSE: $(JSQR_DIST)/LICENSE
	@mkdir -p $(@D)
	cp $< $@

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/core/migrations.o: core/migrations.S $(SCHEMA)
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

build/boxoffice.fcgi: build/cgi-bin/main.o $(WEB_OBJ) $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

ADMIN_SRC = $(filter-out admin/expire.c,$(wildcard admin/*.c))
build/boxoffice-admin: $(ADMIN_SRC:%.c=build/%.o) $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/boxoffice-expire: build/admin/expire.o $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

# Unit tests: every source rebuilt with the sanitizers into build/san/.
build/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(SAN) -O1 -MMD -MP -c -o $@ $<

build/unit/%: build/san/tests/unit/%.o build/san/tests/unit/fixture.o \
              $(CORE_SRC:%.c=build/san/%.o) $(WEB_SRC:%.c=build/san/%.o) \
              build/core/migrations.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS) -lcmocka

# Fuzzing (tests/fuzz/): libFuzzer targets built with clang, ASan and
# UBSan into build/fuzz/; `make fuzz` runs each for FUZZ_SECONDS. The same
# targets also build with gcc against the unit tests' sanitizer objects
# into build/fuzz-smoke/, run once over their seed corpus by make check.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES    = params json tmpl next
FUZZ_SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# gcc's warnings are the gate (make all); clang's own extra ones do not
# stop a fuzz build.
FUZZ_CFLAGS   = $(filter-out -Werror,$(ALL_CFLAGS)) -Wno-missing-field-initializers
FUZZ_LIB_OBJ  = $(CORE_SRC:%.c=build/fuzz/%.o) $(WEB_SRC:%.c=build/fuzz/%.o) build/core/migrations.o

build/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -O1 -MMD -MP -c -o $@ $<

build/fuzz/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

build/fuzz-smoke/fuzz_%: build/san/tests/fuzz/fuzz_%.o build/san/tests/fuzz/standalone.o \
                         $(CORE_SRC:%.c=build/san/%.o) $(WEB_SRC:%.c=build/san/%.o) \
                         build/core/migrations.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS)

fuzz: deps all $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh $(FUZZ_NAMES)

fuzz-smoke: $(FUZZ_NAMES:%=build/fuzz-smoke/fuzz_%)
	@for t in $(FUZZ_NAMES); do ./build/fuzz-smoke/fuzz_$$t tests/fuzz/corpus/$$t \
		$$(tools/fuzz.sh --seeds $$t) 2>/dev/null || \
		{ echo "fuzz-smoke: fuzz_$$t broke on its seed corpus (run it by hand for the message)"; exit 1; }; done

# The fault build for the torture suite: FAULT_POINT()s armed (core/fault.h).
build/faults/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -DBO_FAULTS $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/faults/boxoffice.fcgi: build/faults/cgi-bin/main.o $(WEB_SRC:%.c=build/faults/%.o) \
                             $(CORE_SRC:%.c=build/faults/%.o) build/core/migrations.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/hello.fcgi: tests/bench/hello.c
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

# The raw SQLite commit rate with the application's pragmas (core/db.c).
build/bench-commits: build/tests/bench/commits.o $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

# The benchmark's work counter, preloaded into the workers (tests/bench/count.c).
build/bench-count.so: tests/bench/count.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -lsqlite3 -ldl

deps:
	@tools/deps.sh

run: deps all
	@PORT=$(PORT) WORKERS=$(WORKERS) tools/run.sh

unit: $(UNIT_BIN) $(MO)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t || fail=1; done; exit $$fail

# Handlers are leaves: only router.c calls a page_*.c or api_*.c file
# (tools/check-calls.sh reads the objects' symbol tables).
calls: all
	@tools/check-calls.sh build/cgi-bin/main.o $(WEB_OBJ)

http: all
	node --test --test-concurrency=1 tests/http/

e2e: all
	node --test --test-concurrency=1 tests/e2e/

torture: all build/faults/boxoffice.fcgi
	node tools/torture.mjs $(TORTURE)

torture-short: all build/faults/boxoffice.fcgi
	node tools/torture.mjs short

check: deps
	@$(MAKE) --no-print-directory all unit calls i18n-check fuzz-smoke
	@$(MAKE) --no-print-directory http scale-short torture-short e2e

# One primary and three nginx edges (nginx/edge.conf) on network
# namespaces made for the run (root): waiting buyers poll through the
# edges, a line is let in through them (tests/scale/scale.mjs; SCALE_* at
# its top). scale-short is the part of make check (about 30 s).
scale: deps all
	@node tests/scale/scale.mjs

scale-short: all
	node --test --test-concurrency=1 tests/scale/

# The benchmark (tests/bench/bench.mjs; BENCH_SECONDS, BENCH_ROWS, … at its
# top); bench-baseline makes the last run's report the committed baseline.
bench: deps all build/hello.fcgi build/bench-commits build/bench-count.so
	@WORKERS=$(WORKERS) node tests/bench/bench.mjs

bench-baseline:
	@node tests/bench/bench.mjs --write-baseline "$$NOTE"

# The benchmark's own parts (work counter, wrk's JSON, the judging); no timings.
bench-check: all build/bench-commits build/bench-count.so
	node --test --test-concurrency=1 tests/bench/bench.test.mjs

# make install [PREFIX=/usr/local] [UNITDIR=/etc/systemd/system] [DESTDIR=]
# Binaries to PREFIX/bin; templates, the compiled catalogs (locale/),
# static files, README and the nginx, cron and Prometheus samples to
# PREFIX/share/boxoffice; the systemd units to UNITDIR (the
# administrator's folder: these are not a distribution package's units).
# The samples and units name /usr/local paths, rewritten here for PREFIX.
PREFIX  ?= /usr/local
UNITDIR ?= /etc/systemd/system
SHARE    = $(PREFIX)/share/boxoffice
UNITS    = $(wildcard admin/systemd/*.socket admin/systemd/*.service admin/systemd/*.timer)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHARE)/nginx $(DESTDIR)$(UNITDIR)
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	rm -rf $(DESTDIR)$(SHARE)/templates $(DESTDIR)$(SHARE)/static $(DESTDIR)$(SHARE)/locale
	cp -R templates static $(DESTDIR)$(SHARE)/
	install -d $(DESTDIR)$(SHARE)/locale
	install -m 644 $(MO) $(DESTDIR)$(SHARE)/locale/
	install -m 644 README.md $(DESTDIR)$(SHARE)/
	sed 's|/usr/local|$(PREFIX)|g' nginx/boxoffice.conf >$(DESTDIR)$(SHARE)/nginx/boxoffice.conf
	sed 's|/usr/local|$(PREFIX)|g' nginx/edge.conf >$(DESTDIR)$(SHARE)/nginx/edge.conf
	install -m 644 nginx/queue-state.conf $(DESTDIR)$(SHARE)/nginx/
	sed 's|/usr/local|$(PREFIX)|g' admin/boxoffice.cron >$(DESTDIR)$(SHARE)/boxoffice.cron
	install -d $(DESTDIR)$(SHARE)/prometheus
	install -m 644 admin/prometheus/prometheus.yml admin/prometheus/alerts.yml \
	    admin/prometheus/alerts_test.yml $(DESTDIR)$(SHARE)/prometheus/
	for u in $(UNITS); do \
		sed 's|/usr/local|$(PREFIX)|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	chmod 644 $(DESTDIR)$(SHARE)/nginx/boxoffice.conf $(DESTDIR)$(SHARE)/nginx/edge.conf $(DESTDIR)$(SHARE)/boxoffice.cron \
	    $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))

clean:
	rm -rf build $(API_DOCS)

# Keep the sanitizer objects between runs.
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
