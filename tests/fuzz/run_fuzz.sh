#!/bin/sh
# Builds the libFuzzer targets in their own build directory (clang-14 with
# ASan and UBSan) and runs each for SECONDS, after replaying its regression
# inputs (tests/fuzz/regressions/<target>/). Seeds are written by each target
# on first use (TESSERA_FUZZ_SEEDS_OUT); the corpus a run grows is kept in
# BUILD_DIR/fuzz-corpus/<target> for the next run. Crashing inputs land in
# BUILD_DIR/fuzz-artifacts/<target>/. Exits non-zero if any target failed.
#
#   run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS [TARGET...]
#
# FUZZ_SEED fixes libFuzzer's seed (the short run in make test uses 1, so
# that it explores the same inputs on every machine).
set -eu

SRC=$(cd "$1" && pwd)
BUILD=$2
SECONDS_EACH=$3
shift 3
JOBS=${JOBS:-2}

ALL="fuzz_markdown fuzz_plaintext fuzz_segmenter fuzz_rules fuzz_readable
  fuzz_document fuzz_utf8 fuzz_key_codec fuzz_page_token fuzz_h2_frames fuzz_tmx
  fuzz_rpc_identity fuzz_rpc_statement fuzz_rpc_translation
  fuzz_rpc_assignment fuzz_rpc_publication"
TARGETS=${*:-$ALL}

start=$(date +%s)
mkdir -p "$BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
  launcher=""
  if command -v ccache >/dev/null 2>&1; then
    launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  fi
  # -O1 without NDEBUG: assertions stay on while fuzzing.
  # shellcheck disable=SC2086
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DTESSERA_FUZZ=ON -DTESSERA_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    "-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
    "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
    $launcher >"$BUILD/fuzz-configure.log" 2>&1 || {
      cat "$BUILD/fuzz-configure.log"; exit 1; }
fi
# shellcheck disable=SC2086
cmake --build "$BUILD" -j "$JOBS" --target $TARGETS >"$BUILD/fuzz-build.log" 2>&1 || {
  tail -80 "$BUILD/fuzz-build.log"; exit 1; }
built=$(date +%s)
echo "fuzz: build took $((built - start)) s"
if [ "${FUZZ_BUILD_ONLY:-0}" = 1 ]; then exit 0; fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=""
for t in $TARGETS; do
  bin="$BUILD/tests/fuzz/$t"
  seeds="$BUILD/fuzz-seeds/$t"
  corpus="$BUILD/fuzz-corpus/$t"
  artifacts="$BUILD/fuzz-artifacts/$t/"
  log="$BUILD/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$BUILD/fuzz-logs"
  max_len=4096
  extra=""
  case $t in
    fuzz_markdown|fuzz_plaintext) max_len=16384 ;;
    fuzz_rules) max_len=16384 ;;
    fuzz_rpc_*) extra="-detect_leaks=0" ;;  # the server's threads allocate
  esac
  if [ ! -d "$seeds" ]; then
    # Targets without a seed writer ignore the variable and run nothing.
    TESSERA_FUZZ_SEEDS_OUT="$seeds" "$bin" -runs=0 >"$log" 2>&1 || {
      echo "fuzz: $t: writing seeds failed"; tail -40 "$log"
      failed="$failed $t"; continue; }
    mkdir -p "$seeds"
  fi
  regressions="$SRC/tests/fuzz/regressions/$t"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    # shellcheck disable=SC2086
    if ! "$bin" $extra "$regressions"/* >"$log" 2>&1; then
      echo "fuzz: $t: a regression input fails again"; tail -60 "$log"
      failed="$failed $t"; continue
    fi
  fi
  t0=$(date +%s)
  seed=""
  if [ -n "${FUZZ_SEED:-}" ]; then seed="-seed=$FUZZ_SEED"; fi
  # shellcheck disable=SC2086
  if "$bin" $seed -max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=4096 \
      -max_len=$max_len -print_final_stats=1 -artifact_prefix="$artifacts" \
      $extra "$corpus" "$seeds" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    units=$(ls "$corpus" | wc -l)
    echo "fuzz: $t: ${execs:-?} runs in $(( $(date +%s) - t0 )) s, corpus $units"
  else
    echo "fuzz: $t FAILED (log $log, inputs in $artifacts)"
    grep -v '^#' "$log" | tail -60
    failed="$failed $t"
  fi
done
echo "fuzz: total $(( $(date +%s) - start )) s"
if [ -n "$failed" ]; then
  echo "fuzz: failed:$failed"
  exit 1
fi
