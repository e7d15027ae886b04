// The translation core's GlossaryChecker (services/translation/
// glossary_checker.h), in process, over GlossaryCore: the QA rules of "QA at
// Submit" in proto/tessera/v1/memory.proto.
//
// Thread-safe; the core must outlive the checker.
#ifndef TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CHECKER_FOR_TRANSLATION_H_
#define TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CHECKER_FOR_TRANSLATION_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/memory/glossary/glossary_core.h"
#include "services/translation/glossary_checker.h"

namespace tessera::memory::glossary {

class GlossaryCheckerForTranslation final
    : public translation::GlossaryChecker {
 public:
  explicit GlossaryCheckerForTranslation(const GlossaryCore* core)
      : core_(core) {}

  // One kGlossaryTerm warning per source range whose entries are all
  // missing from `target` (whole-segment range 0, 0). Errors are
  // FindTerms's.
  absl::StatusOr<std::vector<text::QaIssue>> Check(
      std::string_view source_language, std::string_view target_language,
      std::string_view source, std::string_view target) const override;

 private:
  const GlossaryCore* core_;
};

}  // namespace tessera::memory::glossary

#endif  // TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CHECKER_FOR_TRANSLATION_H_
