# Tessera: the two set-up commands are `make run` and `make test`.
# Both install missing Debian packages, configure and build incrementally.

BUILD_DIR ?= build
JOBS ?= 2
LISTEN ?= 127.0.0.1:50051
# The web workbench and Connect gateway; empty turns HTTP off.
HTTP_LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= ./var/data
CTEST_ARGS ?=
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
# Long runs of the crash harness (tests/crash/).
CYCLES ?= 1000
SEED ?=
HISTORY_RUNS ?= 10
HISTORY_SECONDS ?= 30

.PHONY: all deps test-deps configure build run test bench fuzz asan tsan \
	crashtest historycheck import-limits-long bench-memory clean format

all: build

deps:
	@./deploy/install-deps.sh

test-deps:
	@./deploy/install-deps.sh test

$(BUILD_DIR)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p $(DATA_DIR)
	@if [ -n "$(HTTP_LISTEN)" ]; then echo "Web workbench: http://$(HTTP_LISTEN)/"; fi
	./$(BUILD_DIR)/server/tesserad --listen=$(LISTEN) --data_dir=$(DATA_DIR) \
	  --http_listen=$(HTTP_LISTEN) --web_root=$(BUILD_DIR)/clients/web/dist

# The fuzz targets are built before the suite runs, so that their build
# does not compete with the suite's timing-sensitive tests.
test: test-deps build
	FUZZ_BUILD_ONLY=1 JOBS=$(JOBS) ./tests/fuzz/run_fuzz.sh . $(FUZZ_DIR) 0
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Long form of large_import_memory_test: 200 imports of an 8 MB document.
import-limits-long: build
	cd $(BUILD_DIR) && TESSERA_LARGE_IMPORT_MB=8 TESSERA_LARGE_IMPORT_REPEATS=200 \
	  ctest --output-on-failure -R '^large_import_memory_test$$'

bench: build
	./$(BUILD_DIR)/tests/bench/tessera_bench
	./$(BUILD_DIR)/tests/bench/tessera_import_bench
	./$(BUILD_DIR)/tests/bench/tessera_segment_bench
	./$(BUILD_DIR)/tests/bench/tessera_publication_bench
	./$(BUILD_DIR)/tests/bench/tessera_memory_bench --sizes=10000,100000
	/usr/bin/python3 tests/bench/gateway_bench.py $(BUILD_DIR)/server/tesserad \
	  $(BUILD_DIR)/tests/python/stubs

# The memory bench up to a million units (about 20 minutes on one core).
bench-memory: build
	./$(BUILD_DIR)/tests/bench/tessera_memory_bench --sizes=10000,100000,1000000 \
	  --cache_log2=30

# Each libFuzzer target for FUZZ_SECONDS (make test runs them 10 s each).
fuzz: test-deps
	./tests/fuzz/run_fuzz.sh . $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ASan+UBSan build of the unit and integration tests, and the suite there.
asan: test-deps
	JOBS=$(JOBS) ./tests/sanitizers/run.sh asan . build-asan

# TSan build running the concurrency tests (tests/sanitizers/run.sh).
tsan: test-deps
	JOBS=$(JOBS) ./tests/sanitizers/run.sh tsan . build-tsan

# SIGKILL crash test, CYCLES kill/restart cycles, then the power-loss and
# I/O-error tests.
crashtest: test-deps build
	/usr/bin/python3 tests/crash/crash_test.py \
	  --tesserad $(BUILD_DIR)/server/tesserad \
	  --stubs $(BUILD_DIR)/tests/python/stubs --cycles $(CYCLES) \
	  $(if $(SEED),--seed $(SEED)) --self_check
	cd $(BUILD_DIR) && ctest --output-on-failure -R 'power_loss_test|io_error_injection_test'

# History checker: HISTORY_RUNS runs of HISTORY_SECONDS each.
historycheck: test-deps build
	/usr/bin/python3 tests/crash/history_check.py \
	  --tesserad $(BUILD_DIR)/server/tesserad \
	  --stubs $(BUILD_DIR)/tests/python/stubs --runs $(HISTORY_RUNS) \
	  --seconds $(HISTORY_SECONDS) $(if $(SEED),--seed $(SEED)) --self_check

format:
	find common text formats storage services server tests clients \
	  -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) build-asan build-tsan
