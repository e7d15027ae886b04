#include "services/translation/translation_checks.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "formats/content_check.h"
#include "services/common/errors.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_internal.h"
#include "text/normalize.h"

namespace tessera::translation {
namespace {

constexpr std::string_view kQaPayloadUrl = "tessera.internal/qa_issues";

bool OnlyWhitespace(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}

text::QaCode QaCodeOf(formats::CodeProblemKind kind) {
  switch (kind) {
    case formats::CodeProblemKind::kAdded:
      return text::QaCode::kCodeAdded;
    case formats::CodeProblemKind::kDuplicated:
      return text::QaCode::kCodeDuplicated;
    case formats::CodeProblemKind::kCrossed:
      return text::QaCode::kCodeCrossed;
    case formats::CodeProblemKind::kMissing:
      break;
  }
  return text::QaCode::kCodeMissing;
}

// Where a QA error points: a code reference, the codes as a whole (a
// missing code) or the text.
constexpr int kAllCodes = -1;
constexpr int kText = -2;

// Every inline-code problem of `c` against the segment's codes, each with
// the index of the code reference concerned (kAllCodes for a missing one).
std::vector<std::pair<int, text::QaIssue>> CodeIssues(
    const formats::Segment& segment, const formats::Content& c) {
  std::vector<std::pair<int, text::QaIssue>> out;
  for (formats::CodeProblem& p : formats::FindCodeProblems(segment, c)) {
    text::QaIssue issue{QaCodeOf(p.kind), text::QaSeverity::kError,
                        std::move(p.message), p.offset, p.offset};
    issue.code_id = p.code_id;
    out.emplace_back(p.ref_index < 0 ? kAllCodes : p.ref_index,
                     std::move(issue));
  }
  return out;
}

std::string FieldOf(int index) {
  if (index >= 0) return StrCat("content.codes[", index, "]");
  return index == kAllCodes ? "content.codes" : "content.text";
}

}  // namespace

std::vector<text::QaIssue> QaIssuesOf(const absl::Status& status) {
  std::vector<text::QaIssue> out;
  auto payload = status.GetPayload(ToAbsl(kQaPayloadUrl));
  if (!payload.has_value()) return out;
  internal::rec::QaIssuesRecord report;
  if (!report.ParseFromString(std::string(*payload))) return out;
  for (const auto& issue : report.issues()) {
    out.push_back(internal::FromRecord(issue));
  }
  return out;
}

namespace internal {

absl::StatusOr<std::string> CheckText(std::string_view field,
                                      std::string_view text, size_t max,
                                      bool optional) {
  if (!ValidateUtf8(text).ok()) {
    return BadField(field, "is not valid UTF-8", "INVALID_UTF8");
  }
  if (!optional && (text.empty() || OnlyWhitespace(text))) {
    return BadField(field, "is required and may not be only whitespace");
  }
  if (text.size() > max) {
    return BadField(field, StrCat("is longer than ", max, " bytes"));
  }
  return text::NormalizeNfc(text);
}

absl::Status CheckStructure(const formats::Content& content, bool required) {
  const std::optional<formats::ContentProblem> problem =
      formats::CheckContentStructure(content, kMaxContentBytes, required);
  if (!problem.has_value()) return absl::OkStatus();
  const std::string field = StrCat("content.", problem->field);
  if (problem->invalid_utf8_at.has_value()) {
    return BadField(field, problem->description, "INVALID_UTF8",
                    {{"byte_offset", StrCat(*problem->invalid_utf8_at)}});
  }
  return BadField(field, problem->description);
}

formats::Content NormalizeContent(const formats::Content& content) {
  if (text::IsNfc(content.text)) return content;
  formats::Content out;
  size_t from = 0;
  for (const formats::CodeRef& ref : content.codes) {
    const size_t to = std::min(std::max(ref.offset, from), content.text.size());
    out.text += text::NormalizeNfc(
        std::string_view(content.text).substr(from, to - from));
    from = to;
    out.codes.push_back({ref.id, ref.kind, out.text.size()});
  }
  out.text += text::NormalizeNfc(std::string_view(content.text).substr(from));
  return out;
}

absl::StatusOr<std::vector<text::QaIssue>> CheckSubmission(
    const formats::Segment& segment, const formats::Content& content,
    std::string_view source_language, std::string_view language) {
  // Inline codes against the segment first, then the text checks.
  std::vector<std::pair<int, text::QaIssue>> errors =
      CodeIssues(segment, content);
  std::vector<text::QaIssue> warnings;
  for (text::QaIssue& issue : text::CheckTranslation(
           segment.content.text, content.text, source_language, language)) {
    if (issue.severity == text::QaSeverity::kError) {
      errors.emplace_back(kText, std::move(issue));
    } else {
      warnings.push_back(std::move(issue));
    }
  }
  if (errors.empty()) {
    // Anything the detailed checks let through is still refused.
    absl::Status valid = formats::ValidateContent(segment, content);
    if (!valid.ok()) return BadField("content", std::string(valid.message()));
    return warnings;
  }
  absl::Status s =
      ErrorWithInfo(absl::StatusCode::kInvalidArgument, "QA_ERRORS",
                    StrCat("the translation has ", errors.size(),
                           " QA error(s): ", errors.front().second.message));
  ErrorDetails details = *DetailsOf(s);
  rec::QaIssuesRecord report;
  for (const auto& [index, issue] : errors) {
    details.fields.push_back({FieldOf(index), issue.message});
    ToRecord(issue, report.add_issues());
  }
  for (const auto& warning : warnings) ToRecord(warning, report.add_issues());
  SetDetails(s, details);
  s.SetPayload(ToAbsl(kQaPayloadUrl), absl::Cord(report.SerializeAsString()));
  return s;
}

}  // namespace internal
}  // namespace tessera::translation
