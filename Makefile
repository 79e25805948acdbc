# cocare build. `make` builds ./cocare; `make check` sets up and runs every
# test; `make demo` sets up, loads demo data and serves it. Optional local
# overrides go in config.mak (not committed).

-include config.mak

CC ?= cc
BUILD ?= build
PKGS = libmicrohttpd sqlite3 libpq jansson libsodium liboath libcmark libcurl \
       libmagic
CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
       -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Isrc -MMD -MP
TEST_CFLAGS = $(shell pkg-config --cflags cmocka)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) $(shell pkg-config --cflags $(PKGS))
LDLIBS = $(shell pkg-config --libs $(PKGS)) -lhpdf -lpthread -lm
TEST_LDLIBS = $(shell pkg-config --libs cmocka)

SRCS := $(sort $(shell find src -name '*.c'))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o

TEST_SRCS := $(sort $(shell find tests/unit -name '*_test.c'))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(BUILD)/tests/support.o

STATIC_SRC := $(sort $(shell find static -type f))
STATIC_GZ := $(STATIC_SRC:%=$(BUILD)/gz/%.gz)
EMBED_SRCS := $(sort $(shell find templates po lists instruments src/store/migrations \
	-type f ! -name '*~')) $(STATIC_SRC)

.PHONY: all check unit unit-pg unit-asan e2e deps check-deps demo bench clean fuzz
.DELETE_ON_ERROR:

all: cocare

# Replaced by rename, so a running ./cocare does not block the build.
cocare: $(BUILD)/cocare
	@if [ "$(BUILD)" = build ]; then cp $< $@.tmp && mv -f $@.tmp $@; fi

$(BUILD)/cocare: $(OBJS)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) -std=c11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

$(BUILD)/gz/%.gz: %
	@mkdir -p $(dir $@)
	@gzip -9 -n -c $< > $@

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_SRCS) $(STATIC_GZ)
	@mkdir -p $(dir $@)
	@echo "  EMBED   $@"
	@$(BUILD)/tools/embed $@ $(BUILD)/gz/=  src/store/= \
		$(EMBED_SRCS) $(STATIC_GZ)

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) -std=c11 -O0 $(SAN) -c -o $@ $<

$(BUILD)/tests/support.o: tests/unit/support.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(TEST_SUPPORT)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -o $@ $< \
		$(TEST_SUPPORT) $(LIB_OBJS) $(LDLIBS) $(TEST_LDLIBS)

# Unit tests on SQLite (every test binary, one after another).
unit: $(TEST_BINS)
	@scripts/run-unit $(TEST_BINS)

# The same unit tests against a PostgreSQL server started for the run.
unit-pg: $(TEST_BINS)
	@scripts/with-postgres scripts/run-unit $(TEST_BINS)

# The unit tests built and run with AddressSanitizer + UBSan.
unit-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g" \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all" unit

# The disk-fault library of the durability tests (tests/fault/fault.c).
$(BUILD)/tests/libfault.so: tests/fault/fault.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -shared -fPIC \
		-o $@ $< -ldl

# Browser and HTTP tests against the real binary.
e2e: cocare $(BUILD)/tests/libfault.so
	@scripts/npm-setup
	@scripts/with-postgres node --test --test-concurrency=1 tests/e2e/

deps:
	@scripts/deps

# Fails when the build or the tests use something scripts/deps does not
# install, naming the Debian package.
check-deps:
	@scripts/check-deps

check: deps
	@$(MAKE) --no-print-directory check-deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory unit-pg
	@$(MAKE) --no-print-directory unit-asan
	@$(MAKE) --no-print-directory e2e

demo: deps
	@$(MAKE) --no-print-directory all
	@if [ -f demo-data/cocare.db ]; then \
		echo "Using the demo data in demo-data/ (delete it for a fresh" \
		     "start). Every demo login has the password" \
		     "demo-password-2026: patient, caregiver, nurse, doctor," \
		     "reception, admin, privacy."; \
	else ./cocare demo --data demo-data; fi
	./cocare serve --data demo-data --listen 127.0.0.1:8080

bench: all $(BUILD)/bench/csv_import $(BUILD)/bench/touchpoints \
	$(BUILD)/bench/sqlite_baseline
	bench/run

# The readings import benchmark: the same parser and store as the page.
$(BUILD)/bench/csv_import: bench/csv_import.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The limit durable writes are measured against: SQLite alone, in a loop.
$(BUILD)/bench/sqlite_baseline: bench/sqlite_baseline.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The touchpoint analytics benchmark: the function behind /touchpoints.
$(BUILD)/bench/touchpoints: bench/touchpoints.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# libFuzzer over every parser (forms, multipart, paths, cookies, templates,
# .po files, the care record's Markdown, jargon lists, readability, word
# differences and phone numbers, questionnaires and their answers, readings
# CSV files, typed readings and series thinning), FUZZ_SECONDS each, from
# the seeds in
# tests/fuzz/corpus.
# Needs clang and libclang-rt-14-dev; not part of `make check`.
FUZZ_SECONDS ?= 60
FUZZ_SRCS = $(wildcard src/core/*.c) $(wildcard src/http/*.c) \
	src/web/template.c src/web/i18n.c src/care/markdown.c \
	src/care/plainwords.c src/care/textdiff.c src/care/pocketcard.c \
	src/measures/questionnaire.c src/measures/scoring.c \
	src/measures/reading.c src/measures/readings_csv.c \
	src/measures/downsample.c
fuzz: $(BUILD)/gen/embedded.c
	@mkdir -p build-fuzz
	@for h in form template care measures; do \
		echo "  FUZZ    $$h"; \
		clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
			-Isrc $(shell pkg-config --cflags $(PKGS)) \
			-o build-fuzz/$$h tests/fuzz/$${h}_fuzz.c $(FUZZ_SRCS) \
			$(BUILD)/gen/embedded.c $(LDLIBS) || exit 1; \
		mkdir -p build-fuzz/corpus-$$h; \
		cp tests/fuzz/corpus/$$h/* build-fuzz/corpus-$$h/; \
		build-fuzz/$$h -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
			-print_final_stats=1 build-fuzz/corpus-$$h \
			2>build-fuzz/$$h.log || { tail -40 build-fuzz/$$h.log; exit 1; }; \
		grep -E "stat::number_of_executed_units" build-fuzz/$$h.log; \
	done

clean:
	rm -rf build build-asan build-fuzz cocare

-include $(shell find $(BUILD) build-asan -name '*.d' 2>/dev/null)
