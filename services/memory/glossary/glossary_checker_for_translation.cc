#include "services/memory/glossary/glossary_checker_for_translation.h"

#include <optional>
#include <string>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/memory/glossary/glossary_match.h"
#include "text/language.h"

namespace tessera::memory::glossary {

absl::StatusOr<std::vector<text::QaIssue>>
GlossaryCheckerForTranslation::Check(std::string_view source_language,
                                     std::string_view target_language,
                                     std::string_view source,
                                     std::string_view target) const {
  ASSIGN_OR_RETURN(std::vector<GlossaryHit> hits,
                   core_->FindTerms(source_language, target_language, source));
  std::vector<text::QaIssue> issues;
  if (hits.empty()) return issues;
  ASSIGN_OR_RETURN(std::string language,
                   text::CanonicalizeLanguageTag(target_language));
  std::optional<MatchText> rendered;  // built on the first hit
  // Hits come sorted by range; the entries of one range are alternatives.
  for (size_t i = 0; i < hits.size();) {
    size_t j = i;
    bool satisfied = false;
    std::string expected;
    const std::string_view found =
        source.substr(hits[i].start, hits[i].end - hits[i].start);
    for (; j < hits.size() && hits[j].start == hits[i].start &&
           hits[j].end == hits[i].end;
         ++j) {
      const GlossaryEntry& e = hits[j].entry;
      if (!expected.empty()) expected += " or ";
      if (!rendered) rendered.emplace(target, language);
      if (e.do_not_translate) {
        // The source's own spelling, case included, as a whole word.
        StrAppend(&expected, "\"", found, "\" unchanged");
        satisfied |= !rendered->Find(found, true, false).empty();
      } else {
        StrAppend(&expected, "\"", e.target_term, "\"");
        satisfied |= !rendered
                          ->Find(e.target_term, e.case_sensitive,
                                 e.match_inflections)
                          .empty();
      }
    }
    if (!satisfied) {
      issues.push_back(text::QaIssue{
          text::QaCode::kGlossaryTerm, text::QaSeverity::kWarning,
          StrCat("glossary: \"", found, "\" should be rendered as ", expected),
          0, 0, 0});
    }
    i = j;
  }
  return issues;
}

}  // namespace tessera::memory::glossary
