// Fuzzes the segmentation rule-file parser, with includes resolving to the
// built-in files. Whatever parses must satisfy the contract of
// ParsedRuleSet (quote pairs of two code points without duplicates, known
// enumeration styles, every referenced list declared); anything else must be
// INVALID_ARGUMENT.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz_util.h"
#include "text/internal/rule_parser.h"
#include "text/internal/rules_data.h"

namespace tessera::fuzz {
namespace {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  char32_t cp;
  for (size_t i = 0; i < s.size(); i += DecodeUtf8(s, i, &cp)) ++n;
  return n;
}

void WriteSeeds(const SeedSink& sink) {
  for (std::string_view name : text::internal::BuiltinRuleFileNames()) {
    auto text = text::internal::BuiltinRuleFile(name);
    if (text.has_value()) sink(*text);
  }
}

}  // namespace
}  // namespace tessera::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tessera::fuzz::MaybeWriteSeeds(tessera::fuzz::WriteSeeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  using namespace tessera::fuzz;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = text::internal::ParseRuleSet(
      "fuzz", text, [](std::string_view name) {
        return text::internal::BuiltinRuleFile(name);
      });
  if (!parsed.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(parsed.status()),
               parsed.status().ToString());
    return 0;
  }
  std::set<std::string> pairs;
  for (const auto& q : parsed->quote_pairs) {
    FUZZ_CHECK(CodePoints(q) == 2, "quote pair is not two code points: " + q);
    FUZZ_CHECK(pairs.insert(q).second, "duplicate quote pair " + q);
  }
  std::set<std::string> styles;
  for (const auto& e : parsed->enumerations) {
    FUZZ_CHECK(text::internal::IsEnumerationStyle(e), "bad style " + e);
    FUZZ_CHECK(styles.insert(e).second, "duplicate style " + e);
  }
  for (const auto& r : parsed->rules) {
    if (!r.list.empty()) {
      FUZZ_CHECK(parsed->lists.count(r.list) == 1, "undeclared " + r.list);
    }
    if (!r.after_list.empty()) {
      FUZZ_CHECK(parsed->lists.count(r.after_list) == 1,
                 "undeclared " + r.after_list);
    }
  }
  return 0;
}
