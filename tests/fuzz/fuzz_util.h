// Helpers shared by the libFuzzer targets: a check that aborts with a
// message (so libFuzzer records the input as a crash), and the seed writer
// each target runs when TESSERA_FUZZ_SEEDS_OUT names a directory.
// Test-only.
#ifndef TESSERA_TESTS_FUZZ_FUZZ_UTIL_H_
#define TESSERA_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::fuzz {

// Aborts with `what` when `cond` is false.
#define FUZZ_CHECK(cond, what)                                          \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", __FILE__,   \
                   __LINE__, #cond, std::string(what).c_str());         \
      std::abort();                                                     \
    }                                                                   \
  } while (0)

// Contents of `path`, or empty with *ok false.
std::string ReadFileOrEmpty(const std::string& path, bool* ok = nullptr);

// Sorted regular files under `dir` whose names end in `suffix`.
std::vector<std::string> FilesIn(const std::string& dir,
                                 std::string_view suffix);

// The shared corpus directory (../shared beside the source tree).
std::string SharedDir();
std::string SourceDir();

// If TESSERA_FUZZ_SEEDS_OUT is set, calls `write` with a sink that stores
// each seed as a file in that directory, then exits. Call from
// LLVMFuzzerInitialize.
using SeedSink = std::function<void(std::string_view bytes)>;
void MaybeWriteSeeds(const std::function<void(const SeedSink&)>& write);

// Strings of a JSON-lines file: for each line, the value of string field
// `field` (JSON escapes decoded). Lines without it are skipped.
std::vector<std::string> JsonlStrings(const std::string& path,
                                      const std::string& field);

}  // namespace tessera::fuzz

#endif  // TESSERA_TESTS_FUZZ_FUZZ_UTIL_H_
