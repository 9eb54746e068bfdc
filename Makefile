# offline_store: PGXS build.
#
#   make demo    install what is missing, build, run the example feature repo
#   make test    install what is missing, build, run every test layer (what CI runs)
#
# Plain `make`, `make install` and `make installcheck` are the usual PGXS targets.

EXTENSION   = offline_store
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = offline_store
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from one fragment per concern (src/sql/).
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql
DATA        = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*--*.sql))

PG_CPPFLAGS = -I$(srcdir)/src -I$(libpq_srcdir) $(shell pkg-config --cflags yaml-0.1 2>/dev/null)
SHLIB_LINK  = $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)
# libpq: feast_schedule reaches pg_cron in another database (as postgres_fdw does)
SHLIB_LINK_INTERNAL = $(libpq)
PG_CFLAGS  += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers

# pg_regress (sql/ + expected/), isolation (test/isolation/), TAP (test/t/).
# Every layer runs in a private temporary instance configured by
# test/postgresql.conf (pg_cron must be preloaded), as pg_cron's own tests do.
#
# REGRESS_ALL lists every sql/*.sql, in the order they run (check-regress
# fails on a file missing from it): add a new test to the group it belongs
# to. REGRESS="a b" on the command line runs only those.
# feast_historical's tests run twice, with offline_store.direct_scan on (the
# default) and off: direct_scan turns it off for the database and
# direct_scan_reset turns it back on, and both passes compare with the same
# expected output. A third pass, with the materialization tests, runs
# beyond memory: spill sets offline_store.max_memory to its minimum for the
# database and spill_reset resets it.
REGRESS_HISTORICAL = historical historical_edges historical_keys_random \
                     historical_random bad_input_historical \
                     aggregations aggregations_random aggregations_native aggregations_shared as_of
# The materialization tests run a second time beyond memory too.
REGRESS_MATERIALIZE = materialize materialize_random materialize_write
REGRESS_ALL = install upgrade \
          apply apply_detail apply_errors apply_online bad_input_apply \
          bad_input_registry_dump \
          $(REGRESS_HISTORICAL) \
          direct_scan $(REGRESS_HISTORICAL) direct_scan_reset \
          spill $(REGRESS_HISTORICAL) $(REGRESS_MATERIALIZE) spill_reset \
          parallel $(REGRESS_HISTORICAL) $(REGRESS_MATERIALIZE) parallel_reset \
          progress \
           $(REGRESS_MATERIALIZE) online push pull \
           results_sql service_views training_views bad_input_online online_cache \
          schedule bad_input_schedule \
          registry_hints ownership privileges write_privileges search_path
REGRESS = $(REGRESS_ALL)
ISOLATION      = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
TAP_TESTS      = 1
PROVE_TESTS    = $(sort $(wildcard test/t/*.pl))
TEMP_INSTANCE ?= 1
ifeq ($(TEMP_INSTANCE),1)
REGRESS_OPTS   = --temp-config=$(CURDIR)/test/postgresql.conf --temp-instance=$(CURDIR)/tmp_check --load-extension=$(EXTENSION)
ISOLATION_OPTS = --inputdir=test/isolation --temp-config=$(CURDIR)/test/postgresql.conf --temp-instance=$(CURDIR)/tmp_check_iso --load-extension=$(EXTENSION)
else
REGRESS_OPTS   = --load-extension=$(EXTENSION)
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=$(EXTENSION)
endif

EXTRA_CLEAN = results output_iso tmp_check tmp_check_iso log regression.diffs regression.out \
              test/fuzz/fuzz_yaml test/unit/test_yaml_config

# The PostgreSQL to build against: the pg_config on PATH, as for any PGXS
# module (packagers, PGXN). The scripts (make demo, make test, .ci/run, the
# benches) pin PostgreSQL 15 themselves: on Debian, /usr/bin/pg_config picks
# the newest server-dev installed.
PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
# PostgreSQL builds without --enable-depend track no headers: a changed
# struct must rebuild every object, or a stale one reads it wrongly.
$(OBJS): $(wildcard src/*.h)
else
# Without the server headers only the set-up targets below work; they
# install them.
all install installcheck:
	@echo "PostgreSQL server headers are missing (PG_CONFIG=$(PG_CONFIG)): run 'make test' or 'make demo', or scripts/setup.sh" >&2; exit 1
endif

$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

.PHONY: demo test unit fuzz
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh

# Pure-C tests of the YAML layer (no server), built with ASan and UBSan.
# The parser's files are compiled with their malloc and calloc routed
# through test_yaml_config.c's counters (test/unit/alloc_hook.h) and tiny
# arena blocks, so that the tests can fail each allocation in turn.
YAML_SRCS = src/yaml_tree.c src/yaml_config.c src/yaml_ttl.c
YAML_HDRS = src/yaml_tree.h src/yaml_config.h
CORE_CC ?= clang
CORE_FLAGS = -g -O1 -Isrc -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
unit: test/unit/test_yaml_config
	./test/unit/test_yaml_config
test/unit/test_yaml_config: test/unit/test_yaml_config.c test/unit/alloc_hook.h $(YAML_SRCS) $(YAML_HDRS)
	$(CORE_CC) $(CORE_FLAGS) -o $@ test/unit/test_yaml_config.c \
		-include test/unit/alloc_hook.h -DARENA_BLOCK=256 $(YAML_SRCS) -lyaml

# The committed corpus is copied to a scratch directory, so a run never
# changes it; a finding (crash, leak, timeout, abort) is written to
# test/fuzz/artifacts/ and makes the target fail.
FUZZ_SECONDS ?= 60
fuzz: test/fuzz/fuzz_yaml
	@set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	cp test/fuzz/corpus/* "$$work"/; mkdir -p test/fuzz/artifacts; \
	echo "fuzzing $(FUZZ_SECONDS)s on a copy of test/fuzz/corpus in $$work"; \
	./test/fuzz/fuzz_yaml -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -dict=test/fuzz/yaml.dict \
		-artifact_prefix=test/fuzz/artifacts/ "$$work"
test/fuzz/fuzz_yaml: test/fuzz/fuzz_yaml.c $(YAML_SRCS) $(YAML_HDRS)
	clang -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ test/fuzz/fuzz_yaml.c $(YAML_SRCS) -lyaml

# The three layers one by one, so that one failing layer does not hide the
# others (PGXS's installcheck stops at the first). Used by scripts/test.sh.
REGRESS_UNLISTED = $(filter-out $(REGRESS_ALL),$(basename $(notdir $(wildcard sql/*.sql))))
.PHONY: check-regress check-isolation check-tap check-regress-listed
check-regress-listed:
	$(if $(strip $(REGRESS_UNLISTED)),@echo "sql/ has tests missing from REGRESS_ALL in the Makefile: $(REGRESS_UNLISTED)" >&2; exit 1,@:)
check-regress: check-regress-listed
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
check-isolation:
	$(if $(ISOLATION),$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION),@echo "no isolation specs")
check-tap:
	$(if $(PROVE_TESTS),$(prove_installcheck),@echo "no TAP tests")

# The suite with the postmaster under valgrind memcheck (scripts/valgrind.sh);
# not part of `make test` (slower), run by .ci/run with CI_VALGRIND=1.
.PHONY: test-valgrind
test-valgrind:
	bash scripts/valgrind.sh
