// GlossaryChecker: the translation core's port to the glossary (kept by the
// MemoryService, which implements it). Set once on the core before it
// serves; implementations are thread-safe.
#ifndef TESSERA_SERVICES_TRANSLATION_GLOSSARY_CHECKER_H_
#define TESSERA_SERVICES_TRANSLATION_GLOSSARY_CHECKER_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "text/qa.h"

namespace tessera::translation {

class GlossaryChecker {
 public:
  virtual ~GlossaryChecker() = default;
  // Called by Submit with the plain texts (NFC, inline codes removed) of
  // the source segment and of the submitted translation. Returns the
  // glossary findings, each a QaCode::kGlossaryTerm warning, in the order
  // of the source terms; empty when every term is rendered as its entry
  // says. An error fails the Submit, which then writes nothing.
  virtual absl::StatusOr<std::vector<text::QaIssue>> Check(
      std::string_view source_language, std::string_view target_language,
      std::string_view source, std::string_view target) const = 0;
};

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_GLOSSARY_CHECKER_H_
