// The machine-translation port of the memory service: one segment's text in,
// its machine translation out, marked with the engine that made it. No gRPC
// here; adapters (Apertium, an HTTP service) implement it, and a composite
// picks the first adapter that has the language pair.
//
// A pair no engine has is not an error a user should see: Translate answers
// a NOT_FOUND status for which IsNotSupported() is true, and callers show
// no machine suggestion.
//
// Implementations are thread-safe.
#ifndef TESSERA_SERVICES_MEMORY_MACHINE_MACHINE_TRANSLATOR_H_
#define TESSERA_SERVICES_MEMORY_MACHINE_MACHINE_TRANSLATOR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tessera::memory::machine {

// BCP 47 tags, compared after Normalize (lower case, "-" for "_").
struct LanguagePair {
  std::string source;
  std::string target;
  friend bool operator==(const LanguagePair&, const LanguagePair&) = default;
  friend auto operator<=>(const LanguagePair&, const LanguagePair&) = default;
};

// "pt_BR" -> "pt-br".
std::string NormalizeLanguage(std::string_view tag);
// The primary language subtag: "pt-br" -> "pt".
std::string PrimaryLanguage(std::string_view tag);

struct MachineResult {
  std::string text;
  // Who made it, for display beside the suggestion: "apertium fr-es",
  // "libretranslate http://host:5000". Always set: this is machine output.
  std::string engine;
  bool from_cache = false;
};

class MachineTranslator {
 public:
  virtual ~MachineTranslator() = default;

  // Whether Translate can serve the pair (a regional tag falls back to its
  // primary language: "fr-CA" is served by an "fr" engine).
  virtual bool Supports(const LanguagePair& pair) const = 0;
  // The pairs served, sorted.
  virtual std::vector<LanguagePair> Pairs() const = 0;

  // Translates `text` (UTF-8, one segment). Errors: NOT_FOUND with
  // IsNotSupported() for a pair not served; INVALID_ARGUMENT for empty or
  // oversized text; DEADLINE_EXCEEDED when `deadline` or the adapter's own
  // timeout passes first (a subprocess is killed, a request abandoned);
  // UNAVAILABLE or RESOURCE_EXHAUSTED when the engine fails or refuses.
  virtual absl::StatusOr<MachineResult> Translate(
      std::string_view source_language, std::string_view target_language,
      std::string_view text, absl::Time deadline) = 0;
};

// The status Translate answers for a pair it does not serve.
absl::Status NotSupportedError(std::string_view source_language,
                               std::string_view target_language);
bool IsNotSupported(const absl::Status& status);

// Tries its translators in order and uses the first that supports the pair.
class CompositeTranslator : public MachineTranslator {
 public:
  explicit CompositeTranslator(
      std::vector<std::shared_ptr<MachineTranslator>> translators);

  bool Supports(const LanguagePair& pair) const override;
  std::vector<LanguagePair> Pairs() const override;
  absl::StatusOr<MachineResult> Translate(std::string_view source_language,
                                          std::string_view target_language,
                                          std::string_view text,
                                          absl::Time deadline) override;

 private:
  std::vector<std::shared_ptr<MachineTranslator>> translators_;
};

}  // namespace tessera::memory::machine

#endif  // TESSERA_SERVICES_MEMORY_MACHINE_MACHINE_TRANSLATOR_H_
