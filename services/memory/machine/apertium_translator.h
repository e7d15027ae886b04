// MachineTranslator over Apertium, the rule-based engine Debian packages
// (apertium, and one package per pair: apertium-fr-es, apertium-fra-cat,
// apertium-eng-spa, apertium-eng-cat, ...). Each uncached translation runs
// `apertium -u <mode>` as a child process (posix_spawn, no shell of ours,
// its own process group), text on stdin, translation on stdout; the whole
// group is killed when the deadline or the timeout passes. The pairs are
// the installed modes: "<src>-<tgt>.mode" files, ISO 639-3 codes mapped to
// the BCP 47 ones ("eng-spa" serves en -> es); variant modes
// ("eng-cat_valencia") are not offered.
#ifndef TESSERA_SERVICES_MEMORY_MACHINE_APERTIUM_TRANSLATOR_H_
#define TESSERA_SERVICES_MEMORY_MACHINE_APERTIUM_TRANSLATOR_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/memory/machine/machine_support.h"
#include "services/memory/machine/machine_translator.h"

namespace tessera::memory::machine {

struct ApertiumOptions {
  std::string binary = "/usr/bin/apertium";
  // Where the installed modes are listed; `binary` must read the same.
  std::string modes_dir = "/usr/share/apertium/modes";
  absl::Duration timeout = absl::Seconds(10);
  int max_concurrency = 2;     // child processes at once
  size_t cache_entries = 10'000;
  size_t max_text_bytes = 65'536;
};

class ApertiumTranslator : public MachineTranslator {
 public:
  // Lists the modes; no pair installed is not an error (Pairs() is empty).
  static std::unique_ptr<ApertiumTranslator> Create(ApertiumOptions options);

  bool Supports(const LanguagePair& pair) const override;
  std::vector<LanguagePair> Pairs() const override;
  absl::StatusOr<MachineResult> Translate(std::string_view source_language,
                                          std::string_view target_language,
                                          std::string_view text,
                                          absl::Time deadline) override;

 private:
  explicit ApertiumTranslator(ApertiumOptions options);

  const ApertiumOptions options_;
  PairTable pairs_;
  ConcurrencyLimit limit_;
  TranslationCache cache_;
};

// The BCP 47 primary language for an Apertium code: "spa" -> "es", "fr"
// -> "fr"; empty if unknown.
std::string LanguageFromApertiumCode(std::string_view code);

}  // namespace tessera::memory::machine

#endif  // TESSERA_SERVICES_MEMORY_MACHINE_APERTIUM_TRANSLATOR_H_
