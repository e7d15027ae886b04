# Tessera: the two set-up commands are `make run` and `make test`.
# Both install missing Debian packages, configure and build incrementally.

BUILD_DIR ?= build
JOBS ?= 2
LISTEN ?= 127.0.0.1:50051
DATA_DIR ?= ./var/data
CTEST_ARGS ?=

.PHONY: all deps test-deps configure build run test bench clean format \
	import-limits-long

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
	./$(BUILD_DIR)/server/tesserad --listen=$(LISTEN) --data_dir=$(DATA_DIR)

test: test-deps build
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

format:
	find common text formats storage services server tests clients \
	  -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
