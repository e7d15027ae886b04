#!/bin/sh
# Sanitizer builds of the unit and integration tests.
#
#   run.sh asan SOURCE_DIR BUILD_DIR   ASan+UBSan build of everything, then
#                                      the whole ctest suite except the fuzz
#                                      step (which has its own build)
#   run.sh tsan SOURCE_DIR BUILD_DIR   TSan build (against an instrumented
#                                      Abseil, build_absl_tsan.sh) of the
#                                      binaries holding concurrency tests,
#                                      then those tests
#
# Both use g++ (Debian's, with libasan/libtsan) and ccache when present.
set -eu

MODE=$1
SRC=$(cd "$2" && pwd)
mkdir -p "$3"
BUILD=$(cd "$3" && pwd)
JOBS=${JOBS:-2}

# Binaries and the concurrency tests in them (gtest filters): races on
# segments, claim bursts, feed consumers, store commits, shutdown.
TSAN_TESTS="
storage/storage_test:StoreTest.CompareAndSetUnderThreadsLosesNoUpdate:FeedConsumerTest.*
text/text_test:SegmenterTest.ConcurrentSplitsAgree
services/statement/statement_core_test:StatementCoreTest.Concurrent*
tests/integration/translation_service_test:TranslationServiceTest.ConcurrentClientsLoseNothing
tests/integration/assignment_service_test:AssignmentServiceTest.FiftyClaimersNeverShareASegment:AssignmentServiceTest.*Claim*
tests/integration/publication_service_test:PublicationSlowReaderTest.*:PublicationServiceTest.RestartEndsTheStreamAndTheCursorResumes:PublicationServiceTest.WatchResumesAfterRandomDisconnects
tests/integration/server_test:ServerTest.ShutdownFlipsHealthThenReleasesTheStore
"

case $MODE in
  asan) flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" ;;
  tsan) flags="-fsanitize=thread" ;;
  *) echo "usage: run.sh asan|tsan SOURCE_DIR BUILD_DIR" >&2; exit 2 ;;
esac

prefix_path=""
if [ "$MODE" = tsan ]; then
  # TSan must see absl::Mutex, which Tessera and gRPC both lock: link and
  # run against an instrumented build of the same Abseil.
  JOBS=$JOBS "$SRC/tests/sanitizers/build_absl_tsan.sh" "$BUILD/absl"
  prefix_path="-DCMAKE_PREFIX_PATH=$BUILD/absl/prefix"
  export LD_LIBRARY_PATH="$BUILD/absl/prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

launcher=""
if command -v ccache >/dev/null 2>&1; then
  launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
fi
# -O1 keeps stacks readable and the build quicker; warnings are not errors
# here because the sanitizers make g++ warn about code that is fine.
# shellcheck disable=SC2086
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTESSERA_WERROR=OFF \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  "-DCMAKE_C_FLAGS=$flags" "-DCMAKE_CXX_FLAGS=$flags" \
  "-DTESSERA_FUZZ_BUILD_DIR=$SRC/build-fuzz" $prefix_path $launcher >/dev/null

if [ "$MODE" = asan ]; then
  cmake --build "$BUILD" -j "$JOBS"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=1:strict_init_order=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  cd "$BUILD" && ctest --output-on-failure -j "$JOBS" -LE fuzz
  exit
fi

bins=""
for t in $TSAN_TESTS; do bins="$bins $(basename "${t%%:*}")"; done
# shellcheck disable=SC2086
cmake --build "$BUILD" -j "$JOBS" --target $bins
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 history_size=7 suppressions=$SRC/tests/sanitizers/tsan.supp}"
failed=""
start=$(date +%s)
for t in $TSAN_TESTS; do
  bin=${t%%:*}
  filter=${t#*:}
  t0=$(date +%s)
  if (cd "$BUILD/$(dirname "$bin")" && "./$(basename "$bin")" --gtest_filter="$filter" \
        >"$BUILD/tsan-$(basename "$bin").log" 2>&1); then
    echo "tsan: $bin: passed in $(( $(date +%s) - t0 )) s"
  else
    echo "tsan: $bin FAILED (log $BUILD/tsan-$(basename "$bin").log)"
    grep -A40 "WARNING: ThreadSanitizer\|FAILED\|Failure" \
      "$BUILD/tsan-$(basename "$bin").log" | head -120
    failed="$failed $bin"
  fi
done
echo "tsan: tests took $(( $(date +%s) - start )) s"
[ -z "$failed" ] || { echo "tsan: failed:$failed"; exit 1; }
