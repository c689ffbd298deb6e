# feedd: a feed aggregator daemon.  `make` builds build/feedd; see README.md.
VERSION    = 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
CFLAGS    ?= -O2 -g
PKGS       = libcurl libxml-2.0 libuv sqlite3 inih libcjson libsystemd libmicrohttpd libxxhash
TEST_PKGS  = criterion

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS  := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

# -Werror is for development and CI: `make test`, `make asan` and
# `make fuzz` set WERROR=1 (so .ci/run does); a plain `make` leaves it
# off, so a newer compiler's new warnings do not stop a user's build.
WERROR    ?= 0
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN      += -Werror
endif
# Hardening, as distributions build daemons.
HARDEN    = -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LD = -pie -Wl,-z,relro,-z,now
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DFEEDD_VERSION='"$(VERSION)"' -I. -I$(BUILD)/gen \
             $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(HARDEN_LD) $(CFLAGS) $(LDFLAGS)
LDLIBS    = $(PKG_LIBS) -lz -lm

# One short line per step (CC daemon/fetch.o); V=1 prints the commands.
V ?= 0
ifeq ($(V),1)
Q =
say = @:
else
Q = @
say = @printf '  %-5s %s\n' $(1) $(2);
endif

# Every .c under the source folders is part of the program; main.c alone
# is left out of the library that tests and fuzzers link.
LIB_SRC  = $(filter-out daemon/main.c,$(sort $(wildcard util/*.c daemon/*.c feeds/*.c storage/*.c config/*.c)))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ = $(BUILD)/obj/daemon/main.o
TEST_SRC = $(sort $(wildcard tests/test_*.c))
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/helpers.o
HELPER_BIN = $(BUILD)/testsrv

.PHONY: all deps bench-deps test test-run asan fuzz fuzz-run bench bench-run soak soak-run \
	install uninstall run run-now clean

all: $(BUILD)/feedd

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$*.o)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Tables kept as data files become C rows: { "column 1", "column 2" },
$(BUILD)/gen/%.inc: daemon/%.tsv
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)awk -F '\t' '/^#/ || NF == 0 { next } NF != 2 { print FILENAME ":" FNR ": not two columns" > "/dev/stderr"; exit 1 } \
		{ gsub(/[\\"]/, "\\\\&"); printf "{ \"%s\", \"%s\" },\n", $$1, $$2 }' $< > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/daemon/fetch_addr.o: $(BUILD)/gen/special_addresses.inc

$(BUILD)/libfeedd.a: $(LIB_OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILD)/feedd: $(MAIN_OBJ) $(BUILD)/libfeedd.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The HTTP fixture server the integration tests start.
$(BUILD)/testsrv: $(BUILD)/obj/tests/testsrv.o $(BUILD)/libfeedd.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# One binary per suite, for working on one module ...
$(BUILD)/tests/test_%: $(BUILD)/obj/tests/test_%.o $(BUILD)/obj/tests/helpers.o $(BUILD)/libfeedd.a
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

# ... and every suite in one binary, so one criterion run reports them all.
$(BUILD)/tests/all: $(TEST_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/helpers.o $(BUILD)/libfeedd.a
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

# Build dependencies are installed (or the command printed) when missing.
# A target that builds after them runs a new make: this one read
# PKG_CFLAGS before the libraries were there.
deps:
	@pkg-config --exists $(PKGS) $(TEST_PKGS) 2>/dev/null || scripts/install-deps

# What only the benchmarks and the soak use (nginx, curl, wrk, ...).
bench-deps: deps
	@scripts/install-deps --all

test: deps
	@$(MAKE) --no-print-directory WERROR=1 test-run

TEST_ENV = FEEDD_BIN=$(BUILD)/feedd FEEDD_TESTSRV=$(BUILD)/testsrv FEEDD_SHARED=$${FEEDD_SHARED:-../shared} \
	   FEEDD_TEST_CACHE=$(BUILD)
# Four tests at a time on two cores: many wait on a daemon, a timeout
# or an fsync, and the others keep the cores busy meanwhile (4 took 6 to
# 8 % less time than 3, same CPU).  The longest suites start first
# (tests/helpers.c, longest_first).
TEST_JOBS ?= 4
test-run: $(BUILD)/feedd $(HELPER_BIN) $(BUILD)/tests/all
	$(TEST_ENV) $(BUILD)/tests/all -j$(TEST_JOBS) $(TEST_ARGS)

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan: deps
	@$(MAKE) --no-print-directory WERROR=1 BUILD=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp test-run

# libFuzzer targets in tests/fuzz/, built with clang; FUZZ_TIME seconds each.
FUZZ_TIME ?= 60
FUZZ_SRC   = $(sort $(wildcard tests/fuzz/fuzz_*.c))
fuzz: deps
	@$(MAKE) --no-print-directory WERROR=1 BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" fuzz-run

fuzz-run: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
	@for f in $^; do \
		n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		echo "== $$n for $(FUZZ_TIME)s"; \
		$$f -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
			$(BUILD)/fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; \
	done

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libfeedd.a
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(HARDEN_LD) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

bench: bench-deps
	@$(MAKE) --no-print-directory bench-run

bench-run: all
	@bench/run-all

# `feedd run` over ~15 one-minute cycles of changing feeds (~17 min)
soak: bench-deps
	@$(MAKE) --no-print-directory soak-run

soak-run: all
	@sh bench/soak.sh

run: deps
	@$(MAKE) --no-print-directory run-now

run-now: all
	@mkdir -p var
	@sed 's|^state_dir *=.*|state_dir   = .               ; make run: state lives in ./var|' \
		config/feedd.conf.example > var/feedd.conf
	$(BUILD)/feedd run -c var/feedd.conf

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
-include mk/install.mk
