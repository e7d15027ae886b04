// Quality checks run on a translation when it is submitted: the text-level
// checks of DESIGN §5 (placeholders, numbers, whitespace, final
// punctuation, quotation marks of the target locale, doubled spaces,
// identical text, length ratio). Inline codes are checked by the caller
// against the segment (formats::ValidateContent), since they are not text.
//
// Errors block a submit; warnings are stored with the translation. Codes
// and severities are numbered as tessera.v1.QaCode and tessera.v1.QaSeverity.
//
// Thread-safe: pure functions.
#ifndef TESSERA_TEXT_QA_H_
#define TESSERA_TEXT_QA_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::text {

// Numbered as tessera.v1.QaCode. The severity of each is fixed.
enum class QaCode : int {
  kCodeMissing = 1,         // error
  kCodeAdded = 2,           // error
  kCodeDuplicated = 3,      // error
  kCodeCrossed = 4,         // error
  kPlaceholderMissing = 5,  // error
  kPlaceholderAltered = 6,  // error
  kNumberMismatch = 7,      // warning
  kWhitespace = 8,          // warning
  kFinalPunctuation = 9,    // warning
  kQuotes = 10,             // warning
  kDoubleSpace = 11,        // warning
  kIdenticalToSource = 12,  // warning
  kLengthRatio = 13,        // warning
  kGlossaryTerm = 14,       // warning; found by the glossary, not here
};

// Numbered as tessera.v1.QaSeverity.
enum class QaSeverity : int { kError = 1, kWarning = 2 };

// The fixed severity of `code`.
QaSeverity SeverityOf(QaCode code);

struct QaIssue {
  QaCode code;
  QaSeverity severity;
  std::string message;  // English, for people
  // Byte range in the target text; both 0 for the whole segment.
  size_t start = 0;
  size_t end = 0;
  // For the kCode* codes: the inline code id concerned; 0 otherwise.
  int code_id = 0;
  friend bool operator==(const QaIssue&, const QaIssue&) = default;
};

// The CLDR quotation delimiters of a locale (ICU ulocdata_getDelimiter),
// UTF-8. Empty strings when ICU has no data for the locale.
struct QuotationMarks {
  std::string open;
  std::string close;
  std::string alt_open;
  std::string alt_close;
};
QuotationMarks QuotationMarksFor(std::string_view language);

// The accepted band of target/source length ratios (in characters) for a
// language pair.
struct LengthBand {
  double min = 0.5;
  double max = 2.0;
};
LengthBand LengthBandFor(std::string_view source_language,
                         std::string_view target_language);

// Runs every text check of `target` against `source` (both UTF-8, NFC, the
// plain text without inline codes). Returns the findings, errors first,
// each with its range in `target`. An empty result means no finding.
std::vector<QaIssue> CheckTranslation(std::string_view source,
                                      std::string_view target,
                                      std::string_view source_language,
                                      std::string_view target_language);

}  // namespace tessera::text

#endif  // TESSERA_TEXT_QA_H_
